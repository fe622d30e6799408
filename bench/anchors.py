#!/usr/bin/python3
"""SarKit against every anchor of issue 18, in one run (bench/README.md "Anchor comparison").

  /usr/bin/python3 bench/anchors.py --c-source DIR [--rounds 3] [--aot-dir [LABEL=]DIR ...] [--drop-caches] [--write-docs]
  /usr/bin/python3 bench/anchors.py --c-source DIR --quick          # smoke run: 1 round, small waveforms
  /usr/bin/python3 bench/anchors.py --self-test                     # parsing/rendering checks, no builds (seconds)

DIR is an unpacked snapshot of the IEC/IEEE 62704-1 C code (github umbertozanovello/IEC-IEEE-62704-1-spatial-average-
SAR, Apache-2.0); it is built here in a temp folder with cmake + Debian liblapack (CMROOTS_ENABLE=ON, as in its SAR-Star
logs) and never copied into the repository. SarKit: the CLI published ReadyToRun (what ./sarkit runs), the plain JIT
build of this checkout (src/SarKit.Cli/bin/Release), a Native AOT publish when --aot-dir is given, and SarKit.Bench
published ReadyToRun (in-process modes). Every round runs, alternating SarKit builds and anchors, one process each:

  sar 5 mm / 2.5 mm   one-shot `sarkit sar --mass 10g --json` (SARKIT_TIMING=1) per build vs bench/anchors/c62704_sar.py
                      (h5py read + numpy local SAR and voxel mass + the C code via its spatialAverageSAR.py), end to end
  core, fresh         from the same processes: SarKit from the stage line "start Averaging cubes" (dataset read and
                      checked) to "exit" (air padding, cubes, drive sum, local SAR, 10 g averages, map, peak, whole-body
                      sums, JSON); C from the h5py arrays in memory to the 10 g map (drive sum, local SAR, voxel mass,
                      spatialAverageSAR()), first call
  core, warm          `SarKit.Bench sar-core` (PeakSarEvaluation.Prepare + Evaluate) best of calls 2..N vs the C code's
                      local step + best of spatialAverageSAR() calls 2..N, each in one process
  peak RSS            of the one-shot processes above (wait4 ru_maxrss) vs the C anchor's Python process
  mvie                one-shot `sarkit mvie --samples 0` of the point Q-matrices of the 5 mm dataset (one per tissue voxel,
                      ~10^5 x 8) per build vs bench/anchors/cvxopt_mvie.py (cvxopt + constraint generation), --mvie-rounds
  vop                 one-shot `sarkit vop compress --margin 0.1` of the public 1767-matrix set per build (no anchor)
  pulseq              one-shot `sarkit seq check` of examples/seq/gre_rfshims.seq (steady state: 6 min covered) per build
and once per run:
  hdf5                `SarKit.Bench hdf5-speed` (E read whole, in-process, vs h5py in a fresh Python; alternating inside)
  numpy supervision   `SarKit.Bench wave-stream --numpy` (exact 10 s / 360 s windows of a non-periodic 8-channel complex64
                      waveform at 1 us, in-process from the file, vs bench/anchors/numpy_supervision.py on the same file)
  sparse              one-shot `sarkit pulse check` of a seeded sparse pTx waveform (6 min, duty cycle ~4 %) from the raw int16
                      .npy (11.5 GB) and from the deflate-compressed HDF5 copy (~0.25 GB): same JSON required (--sparse-seconds)
  waveform            one-shot `sarkit pulse check` of a complex int16 8-channel waveform at 1 us (6 min = 11.5 GB by
                      default; --waveform-seconds, 0 = skip), page cache dropped before each run with --drop-caches

Wall time and CPU time (user + sys of that process, wait4) are recorded with the 1-minute load average; the table gives
medians over the rounds, the ratio SarKit / anchor (< 1: SarKit faster), the goal of issue 18 and whether it is met
(in wall and in CPU time; on a loaded machine only the CPU ratio is meaningful). Results must agree: psSAR and every voxel of
the 10 g map to <= 1e-9 of psSAR against the C code with like-for-like voxel masses and cube averages divided by the
cube's own mass (own_mass_copy; the unmodified code's difference must come only from that divisor), psSAR to <= 1e-9
between the SarKit builds, the numpy and SarKit window maxima; exit 1 when they do not. --write-docs replaces the generated section of
docs/performance.md (between <!-- bench:begin --> and <!-- bench:end -->).
"""
import argparse, json, math, os, platform, shlex, shutil, statistics, subprocess, sys, tempfile, time
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PY = "/usr/bin/python3"
DOC_BEGIN, DOC_END = "<!-- bench:begin -->", "<!-- bench:end -->"
SHARED = os.path.join(ROOT, "..", "shared", "reference")


# ---------------------------------------------------------------- processes

def run(argv, env=None, cwd=None, check=True):
    """One child process: wall, CPU (user + sys of that child, wait4), peak RSS (MiB), load average (mean of before and
    after), stdout, stderr, exit code. Exits the bench when check and the process failed."""
    e = dict(os.environ); e.update(env or {})
    load0 = os.getloadavg()[0]
    with tempfile.TemporaryFile() as fo, tempfile.TemporaryFile() as fe:
        t = time.perf_counter()
        p = subprocess.Popen(argv, env=e, cwd=cwd, stdout=fo, stderr=fe)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t
        p.returncode = rc = os.waitstatus_to_exitcode(status)
        fo.seek(0); fe.seek(0)
        out, err = fo.read().decode(errors="replace"), fe.read().decode(errors="replace")
    if check and rc != 0:
        sys.exit(f"failed ({rc}): {' '.join(argv)}\n{out[-2000:]}\n{err[-3000:]}")
    return {"wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "rss_mib": ru.ru_maxrss / 1024.0,
            "load": (load0 + os.getloadavg()[0]) / 2, "out": out, "err": err, "rc": rc}


def last_json(text):
    """The JSON object a tool printed: the whole text, or else its last line that starts with '{'."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            return json.loads(line)
    raise ValueError("no JSON object in the output")


# ---------------------------------------------------------------- parsing (covered by --self-test)

def parse_timing(stderr):
    """SARKIT_TIMING=1 lines `timing: +1.234 s (cpu 0.567 s) LABEL` (src/SarKit.Cli/CliTiming.cs) -> [(label, wall, cpu)]."""
    marks = []
    for line in stderr.splitlines():
        line = line.strip()
        if not line.startswith("timing: +"):
            continue
        try:
            head, label = line[len("timing: +"):].split(") ", 1)
            wall_s, cpu_s = head.split(" s (cpu ")
            marks.append((label.strip(), float(wall_s), float(cpu_s.rstrip(" s"))))
        except ValueError:
            continue
    return marks


def timing_span(marks, start_prefix, end_prefix):
    """(wall, cpu) from the first mark whose label starts with start_prefix to the first later one with end_prefix."""
    s = next((i for i, m in enumerate(marks) if m[0].startswith(start_prefix)), None)
    if s is None:
        return None
    e = next((m for m in marks[s + 1:] if m[0].startswith(end_prefix)), None)
    if e is None:
        return None
    return (e[1] - marks[s][1], e[2] - marks[s][2])


def md_rows(text, first_cell=None):
    """The data rows of the Markdown tables in text as lists of cells (header and rule rows dropped)."""
    rows, header = [], None
    for line in text.splitlines():
        line = line.strip()
        if not (line.startswith("|") and line.endswith("|")):
            header = None
            continue
        cells = [c.strip() for c in line[1:-1].split("|")]
        if all(set(c) <= set("-: ") for c in cells):
            continue
        if header is None:
            header = cells
            continue
        if first_cell is None or cells[0] == first_cell:
            rows.append(dict(zip(header, cells)))
    return rows


def parse_hdf5_speed(text):
    """Rows of `SarKit.Bench hdf5-speed FILE...`: {file: {"h5py": (wall, cpu), "sarkit": (wall, cpu)}} (cpu NaN when the
    bench prints none). Columns found by their header's start: `h5py read (s)`, and the last `SarKit ReadInto…` column
    (the reader's default inflater when the bench prints more than one); cells `W` or `W / CPU`."""
    def cell(v):
        parts = [p.strip() for p in v.split("/")]
        return (float(parts[0]), float(parts[1]) if len(parts) > 1 and parts[1] not in ("", "-") else float("nan"))
    res = {}
    for r in md_rows(text):
        h5 = next((k for k in r if k.startswith("h5py read (s)")), None)
        sk = [k for k in r if k.startswith("SarKit ReadInto")]
        if h5 is None or not sk or "file" not in r:
            continue
        try:
            res[r["file"]] = {"h5py": cell(r[h5]), "sarkit": cell(r[sk[-1]]), "column": sk[-1]}
        except ValueError:
            continue
    return res


def parse_wave_stream(text):
    """`SarKit.Bench wave-stream --numpy` output: SarKit/numpy wall and CPU ratios, whether the maxima agree, numpy wall
    and CPU, SarKit median wall and CPU (from the ratio line and the numpy line)."""
    res = {}
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("ratio SarKit/numpy"):
            res["ratio_wall"] = float(line.split("wall ", 1)[1].split(",")[0])
            res["ratio_cpu"] = float(line.split(", CPU ", 1)[1].split(" ")[0])
            res["agree"] = "results agree" in line
        elif line.startswith("numpy baseline (numpy"):
            res["numpy_wall"] = float(line.split("): ", 1)[1].split(" s wall")[0])
            res["numpy_cpu"] = float(line.split("for the whole python process), ", 1)[1].split(" s CPU")[0])
    if "ratio_wall" in res and "numpy_wall" in res:
        res["sarkit_wall"] = res["ratio_wall"] * res["numpy_wall"]
        res["sarkit_cpu"] = res["ratio_cpu"] * res["numpy_cpu"]
    return res


# ---------------------------------------------------------------- verdicts and rendering (covered by --self-test)

def med(runs, key):
    v = [r[key] for r in runs if r.get(key) is not None and math.isfinite(r[key])]
    return statistics.median(v) if v else float("nan")


def verdict(wall_ok, cpu_ok):
    """Met in wall and CPU / in one of them / not met; with one side unknown (None) judged on the other alone."""
    if wall_ok is None and cpu_ok is None:
        return "not measured"
    if cpu_ok is None:
        return "**met** (wall; CPU not measured)" if wall_ok else "not met"
    if wall_ok is None:
        return "**met** (CPU; wall not measured)" if cpu_ok else "not met"
    if wall_ok and cpu_ok:
        return "**met**"
    if wall_ok:
        return "met in wall only"
    if cpu_ok:
        return "met in CPU only"
    return "not met"


def ratio_row(goal, sarkit, anchor, s_runs, a_runs, max_ratio, note=""):
    """A SarKit/anchor row: the goal is met when SarKit/anchor <= max_ratio (e.g. 1/3 for '>= 3x faster')."""
    sw, sc, aw, ac = med(s_runs, "wall"), med(s_runs, "cpu"), med(a_runs, "wall"), med(a_runs, "cpu")
    rw, rc = sw / aw if aw > 0 else float("nan"), sc / ac if ac > 0 else float("nan")
    if max_ratio is None:
        target, v = "(no goal)", "-"
    else:
        target = f"SarKit/anchor <= {max_ratio:.2g}" + (f" (>= {1 / max_ratio:.3g}x faster)" if max_ratio < 1 else "")
        v = verdict(rw <= max_ratio if math.isfinite(rw) else None, rc <= max_ratio if math.isfinite(rc) else None)
    loads = [r["load"] for r in s_runs + a_runs if "load" in r]
    return {"goal": goal, "sarkit": sarkit, "anchor": anchor, "s": (sw, sc), "a": (aw, ac), "ratio": (rw, rc),
            "target": target, "verdict": v, "loads": loads, "n": len(s_runs), "note": note}


def absolute_row(goal, sarkit, runs, max_wall, extra_ok=True, note="", anchor="-", a_runs=()):
    """A row judged on the wall time of the whole process (< max_wall s) and extra_ok (e.g. VOP count, certificate)."""
    sw, sc = med(runs, "wall"), med(runs, "cpu")
    aw, ac = (med(a_runs, "wall"), med(a_runs, "cpu")) if a_runs else (float("nan"), float("nan"))
    wall_ok = sw < max_wall if math.isfinite(sw) else None
    cpu_ok = sc < max_wall if math.isfinite(sc) else None
    v = verdict(wall_ok, cpu_ok) if extra_ok else "not met (result)"
    loads = [r["load"] for r in list(runs) + list(a_runs) if "load" in r]
    return {"goal": goal, "sarkit": sarkit, "anchor": anchor, "s": (sw, sc), "a": (aw, ac),
            "ratio": (sw / aw if a_runs and aw > 0 else float("nan"), sc / ac if a_runs and ac > 0 else float("nan")),
            "target": f"< {max_wall:g} s wall", "verdict": v, "loads": loads, "n": len(runs), "note": note}


def realtime_row(goal, sarkit, runs, seconds, min_factor, note=""):
    """x real time = covered RF seconds / wall (and per CPU-second); met when >= min_factor."""
    sw, sc = med(runs, "wall"), med(runs, "cpu")
    fw, fc = seconds / sw if sw > 0 else float("nan"), seconds / sc if sc > 0 else float("nan")
    v = verdict(fw >= min_factor if math.isfinite(fw) else None, fc >= min_factor if math.isfinite(fc) else None)
    loads = [r["load"] for r in runs if "load" in r]
    return {"goal": goal, "sarkit": sarkit, "anchor": "-", "s": (sw, sc), "a": (float("nan"), float("nan")),
            "ratio": (float("nan"), float("nan")), "target": f">= {min_factor:g}x real time",
            "verdict": v, "loads": loads, "n": len(runs), "note": f"{fw:.3g}x real time in wall, {fc:.3g}x per CPU-second; " + note}


# The C code's targetMassAverage() returns sum(w m SAR) / targetMass; SarKit divides by the cube's own mass sum(w m).
# They differ where a whole-layer cube is accepted within the 1e-6 mass tolerance (its mass is not the target). For a
# like-for-like map comparison the bench builds, next to the unmodified code, a copy with exactly that division changed
# (three edits of auxFuncs.c, each checked to match once; everything else, cube search, tolerance, step 1/2, USED, is
# the C code's own). The copy lives in the temp folder only.
OWN_MASS_EDITS = [
    ("double avgSAR = 0;", "double avgSAR = 0, cubeMass = 0;"),
    ("avgSAR += (massArray[idx] * massUsageMask[idx] * localSARArray[idx]);",
     "{ avgSAR += (massArray[idx] * massUsageMask[idx] * localSARArray[idx]); cubeMass += massArray[idx] * massUsageMask[idx]; }"),
    ("return avgSAR/targetMass;", "return avgSAR/cubeMass;"),
]


def own_mass_copy(src, dst):
    """Copies the C code snapshot src to dst and edits targetMassAverage() to divide by the cube's own mass."""
    shutil.copytree(src, dst)
    p = os.path.join(dst, "core", "auxFuncs.c")
    text = open(p).read()
    for old, new in OWN_MASS_EDITS:
        if text.count(old) != 1:
            sys.exit(f"{p}: expected exactly one '{old}' (C code snapshot changed?); cannot build the own-mass copy")
        text = text.replace(old, new)
    with open(p, "w") as fo:
        fo.write(text)


def value_row(goal, sarkit, anchor, measured, ok, target, loads=(), note=""):
    """A row with a measured value that is not a time (agreement, memory)."""
    return {"goal": goal, "sarkit": sarkit, "anchor": anchor, "s": None, "a": None, "ratio": None, "measured": measured,
            "target": target, "verdict": "**met**" if ok else "not met", "loads": list(loads), "n": 0, "note": note}


def fmt(x, d=2):
    return "–" if x is None or not math.isfinite(x) else f"{x:.{d}f}"


def render(rows, meta):
    """Markdown of the generated section: header lines (date, commit, machine, load, command) and one table."""
    loads = [l for r in rows for l in r["loads"]]
    lines = [f"Generated by `bench/anchors.py`{' **--quick** (smoke run: 1 round, small waveforms; not for comparison)' if meta.get('quick') else ''} "
             f"on {meta['when']}, commit `{meta['commit']}`, {meta['machine']}, {meta['rounds']} round(s). "
             f"Load average (1 min) over the run: median {fmt(statistics.median(loads), 1) if loads else '–'}, "
             f"range {fmt(min(loads), 1) if loads else '–'}–{fmt(max(loads), 1) if loads else '–'}.", "",
             "```sh", meta["command"], "```", "",
             "Times: median over the rounds of whole processes (wall, and CPU = user + sys of that process) unless the "
             "row says otherwise; ratio = SarKit / anchor (< 1: SarKit faster). \"met\" = the goal holds in wall and in "
             "CPU time; on a loaded machine only the CPU column is meaningful.", "",
             "| goal (issue 18) | SarKit | anchor | SarKit wall / CPU s | anchor wall / CPU s | SarKit/anchor wall / CPU | target | met? | load | notes |",
             "|---|---|---|---:|---:|---:|---|---|---|---|"]
    for r in rows:
        ld = f"{min(r['loads']):.1f}–{max(r['loads']):.1f}" if r["loads"] else "–"
        if r.get("s") is None:
            cells = [r["measured"], "", ""]
        else:
            cells = [f"{fmt(r['s'][0])} / {fmt(r['s'][1])}",
                     f"{fmt(r['a'][0])} / {fmt(r['a'][1])}" if math.isfinite(r["a"][0]) else "–",
                     f"{fmt(r['ratio'][0])} / {fmt(r['ratio'][1])}" if math.isfinite(r["ratio"][0]) else "–"]
        lines.append(f"| {r['goal']} | {r['sarkit']} | {r['anchor']} | {cells[0]} | {cells[1]} | {cells[2]} | {r['target']} | {r['verdict']} | {ld} | {r['note']} |")
    lines += [""] + [f"- {n}" for n in meta.get("notes", [])]
    return "\n".join(lines).rstrip() + "\n"


def replace_section(doc, section):
    """doc with the text between DOC_BEGIN and DOC_END replaced by section (markers kept); ValueError without markers."""
    b, e = doc.find(DOC_BEGIN), doc.find(DOC_END)
    if b < 0 or e < b:
        raise ValueError(f"no {DOC_BEGIN} ... {DOC_END} section")
    return doc[:b + len(DOC_BEGIN)] + "\n" + section + doc[e:]


def write_docs(section):
    p = os.path.join(ROOT, "docs", "performance.md")
    doc = replace_section(open(p, encoding="utf-8").read(), section)
    tmp = p + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(doc)
    os.replace(tmp, p)
    print(f"wrote {p}")


# ---------------------------------------------------------------- environment

def machine():
    model = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip(); break
    except OSError:
        pass
    mem = "?"
    try:
        mem = f"{int(open('/proc/meminfo').readline().split()[1]) / 1024 ** 2:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{model}, {os.cpu_count()} logical cores, {mem}, Linux {platform.release()}"


def commit():
    try:
        c = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True).stdout.strip()
        return c + (" + uncommitted changes" if dirty else "")
    except OSError:
        return "?"


def ensure_debian_packages():
    """The anchors' Debian packages (apt-get as root when missing; otherwise say what to install)."""
    need = []
    if shutil.which("cmake") is None: need.append("cmake")
    if not any(os.path.exists(p) for p in ("/usr/lib/x86_64-linux-gnu/liblapack.so", "/usr/lib/aarch64-linux-gnu/liblapack.so")):
        need.append("liblapack-dev")
    for mod, pkg in (("numpy", "python3-numpy"), ("h5py", "python3-h5py"), ("cvxopt", "python3-cvxopt")):
        if subprocess.run([PY, "-c", f"import {mod}"], capture_output=True).returncode != 0:
            need.append(pkg)
    if not need:
        return
    if os.geteuid() != 0:
        sys.exit("missing Debian packages: " + " ".join(need))
    print("installing " + " ".join(need), flush=True)
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq"] + need, check=True, env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))


def is_r2r(path):
    """True when the PE file has a managed native (ReadyToRun) header: CLI header at data directory 14."""
    import struct
    b = open(path, "rb").read()
    pe = struct.unpack_from("<I", b, 0x3C)[0]
    opt = pe + 24
    magic = struct.unpack_from("<H", b, opt)[0]
    dd = opt + (96 if magic == 0x10B else 112)
    cli_rva = struct.unpack_from("<I", b, dd + 14 * 8)[0]
    nsec = struct.unpack_from("<H", b, pe + 6)[0]
    sec = opt + struct.unpack_from("<H", b, pe + 20)[0]
    def off(rva):
        for i in range(nsec):
            va, vs, raw = struct.unpack_from("<III", b, sec + i * 40 + 12)[0], struct.unpack_from("<I", b, sec + i * 40 + 8)[0], struct.unpack_from("<I", b, sec + i * 40 + 20)[0]
            if va <= rva < va + max(vs, 1):
                return rva - va + raw
        raise ValueError("rva")
    cli = off(cli_rva)
    return struct.unpack_from("<I", b, cli + 64 + 4)[0] > 0  # ManagedNativeHeader directory size


def drop_caches():
    os.sync()
    with open("/proc/sys/vm/drop_caches", "w") as f:
        f.write("1\n")


def sparse_runs(a, tmp, builds, add):
    """The seeded sparse pTx waveform (bench/anchors/make_sparse_ptx_waveform.py) as raw int16 .npy and deflate HDF5: `pulse
    check` of both per build and round (page cache dropped with --drop-caches), runs recorded with add(("sparse", "raw"|"z",
    build), run). Returns (generator summary + per-run limits, True when every run gave the same limits). Files removed."""
    base = os.path.join(tmp, "sparse_ptx")
    t = time.time()
    g = run([PY, os.path.join(HERE, "anchors", "make_sparse_ptx_waveform.py"), base, f"{a.sparse_seconds:g}"])
    info = last_json(g["out"])
    print(f"sparse pTx waveform {a.sparse_seconds:g} s written ({time.time() - t:.0f} s): {info}", flush=True)
    smax = {}
    try:
        for r in range(a.waveform_rounds):
            for bn, cmd in builds:
                for kind, ext in (("raw", ".npy"), ("z", ".h5")):
                    if a.drop_caches:
                        drop_caches()
                    p = run(cmd + ["pulse", "check", base + ext, "--vops", a.seq_vops, "--json"], check=False)
                    if p["rc"] not in (0, 3):
                        sys.exit(f"pulse check {ext} failed ({p['rc']}): {p['err'][-2000:]}")
                    add(("sparse", kind, bn), p)
                    j = last_json(p["out"])
                    smax[f"{bn} {kind} round {r + 1}"] = json.dumps([(l.get("metric"), l.get("window_s"), l.get("sar_w_per_kg"), l.get("edge_error_bound_w_per_kg")) for l in j.get("limits", [])])
    finally:
        for ext in (".npy", ".json", ".h5"):
            if os.path.exists(base + ext):
                os.remove(base + ext)
    info["limits"] = smax
    return info, len(set(smax.values())) <= 1


def same_note(info):
    return "; ".join(f"{k}: {v}" for k, v in info.get("limits", {}).items())


# ---------------------------------------------------------------- the run

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--c-source", help="unpacked snapshot of the 62704-1 C code (has core/ and spatialAverageSAR.py)")
    ap.add_argument("--fields", default=os.path.join(SHARED, "openems-ptx8", "ptx8_dipoles_7T.h5"))
    ap.add_argument("--drive", default=os.path.join(SHARED, "openems-ptx8", "ref62704_cp.json"),
                    help="drive JSON with drive_V_per_sqrtW [[re, im], ...]")
    ap.add_argument("--fine", help="the 2.5 mm reference (tools/bench/make_fine_reference.py FIELDS OUT); made in the temp folder when not given")
    ap.add_argument("--vop-q", default=os.path.join(SHARED, "qmatrices", "orzada_V_full_8ch_1767.mat"))
    ap.add_argument("--seq", default=os.path.join(ROOT, "examples", "seq", "gre_rfshims.seq"))
    ap.add_argument("--seq-vops", default=os.path.join(ROOT, "examples", "seq", "demo_vops_10g.h5"))
    ap.add_argument("--quick", action="store_true", help="smoke run: 1 round, warm repeat 2, 2 s numpy waveform, 5 s int16 waveform")
    ap.add_argument("--rounds", type=int, help="rounds of the alternated one-shot runs (3; --quick 1)")
    ap.add_argument("--warm-repeat", type=int, help="calls per process of the warm-core rows (3; --quick 2)")
    ap.add_argument("--mvie-rounds", type=int, default=1, help="rounds that also run the cvxopt anchor (1; it takes ~10x SarKit)")
    ap.add_argument("--numpy-seconds", type=float, help="seconds of RF of the numpy-baseline waveform (20; --quick 2; 0 = skip)")
    ap.add_argument("--waveform-seconds", type=float, help="seconds of the int16 waveform of the whole-process pulse check "
                    "(360 = the goal's 6 min, 11.5 GB in the temp folder, minutes to write; --quick 5; 0 = skip)")
    ap.add_argument("--waveform-rounds", type=int, default=1)
    ap.add_argument("--sparse-seconds", type=float, help="seconds of the seeded sparse pTx waveform (bench/anchors/make_sparse_ptx_waveform.py), "
                    "checked from the raw int16 .npy and from the deflate-compressed HDF5 file (360; --quick 5; 0 = skip)")
    ap.add_argument("--drop-caches", action="store_true", help="drop the page cache before every waveform pulse check (root): 'from disk'")
    ap.add_argument("--skip", default="", help="comma-separated groups to leave out: fine,core,mvie,cvxopt,vop,pulseq,hdf5,numpy,waveform,sparse")
    ap.add_argument("--write-docs", action="store_true", help="replace the generated section of docs/performance.md")
    ap.add_argument("--keep", action="store_true", help="keep the temp folder")
    ap.add_argument("--tmp", help="temp folder to use (kept; default: a new one under $TMPDIR, removed at the end)")
    ap.add_argument("--cli-dir", help="reuse this ReadyToRun CLI publish instead of publishing")
    ap.add_argument("--bench-dir", help="reuse this SarKit.Bench publish (folder with SarKit.Bench.dll) instead of publishing")
    ap.add_argument("--jit-dll", default=os.path.join(ROOT, "src", "SarKit.Cli", "bin", "Release", "net10.0", "SarKit.Cli.dll"),
                    help="the JIT build of the CLI (dotnet build -c Release); '' = leave out")
    ap.add_argument("--aot-dir", action="append", default=[],
                    help="also time this Native AOT CLI publish (folder with the native SarKit.Cli; dotnet publish src/SarKit.Cli "
                    "-c Release -p:SarKitAot=linux-x64); repeatable as LABEL=DIR (e.g. AOT-v3=/tmp/a AOT-native=/tmp/b), "
                    "a plain DIR is labelled AOT")
    ap.add_argument("--self-test", action="store_true", help="check the parsing and rendering on synthetic inputs and exit")
    a = ap.parse_args()
    if a.self_test:
        return self_test()
    if not a.c_source:
        ap.error("--c-source is required")
    a.rounds = a.rounds or (1 if a.quick else 3)
    a.warm_repeat = a.warm_repeat or (2 if a.quick else 3)
    if a.warm_repeat < 2:
        ap.error("--warm-repeat must be >= 2")
    if a.numpy_seconds is None: a.numpy_seconds = 2 if a.quick else 20
    if a.waveform_seconds is None: a.waveform_seconds = 5 if a.quick else 360
    if a.sparse_seconds is None: a.sparse_seconds = 5 if a.quick else 360
    a.skip = set(s for s in a.skip.split(",") if s)
    unknown = a.skip - {"fine", "core", "mvie", "cvxopt", "vop", "pulseq", "hdf5", "numpy", "waveform", "sparse"}
    if unknown:
        ap.error(f"--skip: unknown group(s) {', '.join(sorted(unknown))}")
    if a.drop_caches and os.geteuid() != 0:
        ap.error("--drop-caches needs root (it writes /proc/sys/vm/drop_caches)")
    a.aot_builds = []
    for v in a.aot_dir:
        label, d = v.split("=", 1) if "=" in v and not os.path.isdir(v) else ("AOT", v)
        if not os.path.isfile(os.path.join(d, "SarKit.Cli")):
            ap.error(f"--aot-dir {v}: no SarKit.Cli executable there")
        if label in ("R2R", "JIT", "C") or label in [l for l, _ in a.aot_builds]:
            ap.error(f"--aot-dir {v}: label {label} is taken")
        a.aot_builds.append((label, d))
    for f in (a.fields, a.drive):
        if not os.path.isfile(f):
            sys.exit(f"missing input {f}")
    tmp = a.tmp or tempfile.mkdtemp(prefix="sarkit-anchors-")
    os.makedirs(tmp, exist_ok=True)
    try:
        return bench(a, tmp)
    finally:
        if not a.keep and not a.tmp:
            shutil.rmtree(tmp, ignore_errors=True)


def bench(a, tmp):
    t_start = time.time()
    head = commit()  # the code that runs (read before anything is written)
    ensure_debian_packages()
    import numpy as np
    rid = {"x86_64": "linux-x64", "aarch64": "linux-arm64"}[platform.machine()]
    print(f"temp folder {tmp}", flush=True)
    notes = []
    # --- builds (not timed) ---
    cli_dir = a.cli_dir or os.path.join(tmp, "cli")
    bench_dir = a.bench_dir or os.path.join(tmp, "bench")
    if not a.cli_dir:
        run(["dotnet", "publish", os.path.join(ROOT, "src", "SarKit.Cli"), "-c", "Release", f"-p:SarKitReadyToRun={rid}", "--nologo", "-v", "q", "-o", cli_dir])
    if not a.bench_dir:
        run(["dotnet", "publish", os.path.join(ROOT, "bench", "SarKit.Bench"), "-c", "Release", f"-p:SarKitReadyToRun={rid}", "--nologo", "-v", "q", "-o", bench_dir])
    csrc = os.path.join(tmp, "c62704")
    if not os.path.isdir(csrc):
        shutil.copytree(a.c_source, csrc)
    cb = os.path.join(tmp, "c62704-build")
    # the same code with one change: a cube's average divided by the cube's own mass, as SarKit does (own_mass_copy)
    csrc_own, cb_own = os.path.join(tmp, "c62704-own-mass"), os.path.join(tmp, "c62704-own-mass-build")
    if not os.path.isdir(csrc_own):
        own_mass_copy(csrc, csrc_own)
    for src_dir, build_dir in ((csrc, cb), (csrc_own, cb_own)):
        if not os.path.isfile(os.path.join(build_dir, "libAvgSARStep1.so")):
            os.makedirs(build_dir, exist_ok=True)
            run(["cmake", "-DCMAKE_BUILD_TYPE=Release", "-DCMROOTS_ENABLE=ON", os.path.join(src_dir, "core")], cwd=build_dir)
            run(["cmake", "--build", "."], cwd=build_dir)
    builds = []  # (name, argv prefix)
    for label, d in a.aot_builds:
        builds.append((label, [os.path.join(d, "SarKit.Cli")]))
    builds.append(("R2R", [os.path.join(cli_dir, "SarKit.Cli")]))
    if a.jit_dll and os.path.isfile(a.jit_dll):
        if is_r2r(os.path.join(os.path.dirname(a.jit_dll), "SarKit.dll")):
            sys.exit(f"{a.jit_dll}: SarKit.dll is a ReadyToRun image, not a JIT build")
        builds.append(("JIT", ["dotnet", a.jit_dll]))
    else:
        notes.append(f"JIT build not timed (`--jit-dll` {'empty' if not a.jit_dll else a.jit_dll + ' absent: run `dotnet build -c Release` first'}).")
    r2r = builds[[b[0] for b in builds].index("R2R")][1]
    benchexe = ["dotnet", os.path.join(bench_dir, "SarKit.Bench.dll")]
    bench_r2r = is_r2r(os.path.join(bench_dir, "SarKit.dll"))
    if not is_r2r(os.path.join(cli_dir, "SarKit.dll")):
        sys.exit(f"{cli_dir}: not a ReadyToRun publish")
    print(f"builds: {', '.join(n for n, _ in builds)}; SarKit.Bench {'ReadyToRun' if bench_r2r else 'JIT only'}", flush=True)

    drive = json.load(open(a.drive))["drive_V_per_sqrtW"]
    drive_text = ",".join(f"{math.hypot(re, im)!r}@{math.degrees(math.atan2(im, re))!r}" for re, im in drive)
    datasets = [("5 mm", a.fields, 3, 5)]
    if "fine" not in a.skip:
        fine = a.fine or os.path.join(tmp, "fine_2p5mm.h5")
        if not os.path.isfile(fine):
            run([PY, os.path.join(ROOT, "tools", "bench", "make_fine_reference.py"), a.fields, fine])
        datasets.append(("2.5 mm", fine, 5, 5))
    sar_args = lambda f: ["sar", "-f", f, "-d", drive_text, "--mass", "10g", "--json"]
    c_sar = lambda f: [PY, os.path.join(HERE, "anchors", "c62704_sar.py"), csrc, cb, f, a.drive]
    c_sar_own = lambda f: [PY, os.path.join(HERE, "anchors", "c62704_sar.py"), csrc_own, cb_own, f, a.drive]
    timing = {"SARKIT_TIMING": "1"}

    # --- identical results (not timed) ---
    # Like for like: the same float64 voxel masses on both sides (--volume widths) and the C code's copy that divides a
    # cube's power by the cube's own mass (own_mass_copy). The unmodified C code divides by the target mass; it differs
    # only where its cube is a whole-layer cube accepted within the 1e-6 mass tolerance (docs/performance.md, "The map
    # against the C code"): those voxels must be exactly the ones where the unmodified code differs from its copy.
    agree = []
    ok = True
    for name, f, _, _ in datasets:
        smap, cmap, cmap_own = (os.path.join(tmp, n) for n in ("sarkit.npz", "c.npy", "c_own.npy"))
        s = last_json(run(r2r + sar_args(f) + ["-o", smap])["out"])
        sm, st = np.load(smap)["averaged_sar"], np.load(smap)["status"]
        co = last_json(run(c_sar_own(f) + ["--map", cmap_own, "--volume", "widths"])["out"]); cmo = np.load(cmap_own)
        cw = last_json(run(c_sar(f) + ["--map", cmap, "--volume", "widths"])["out"]); cm = np.load(cmap)
        tissue = np.isfinite(cm) & (st > 0)
        ps = max(s["peak_sar_w_per_kg"], co["ps_sar"])
        ps_diff = abs(s["peak_sar_w_per_kg"] - co["ps_sar"]) / ps
        map_diff = float(np.abs(sm[tissue] - cmo[tissue]).max() / ps)
        # the unmodified C code
        ps_diff_unmod = abs(s["peak_sar_w_per_kg"] - cw["ps_sar"]) / ps
        d_unmod = np.where(tissue, np.abs(sm - cm), 0) / ps
        # voxels where the divisor matters (> 1e-12 of psSAR; elsewhere the cube mass equals the target to rounding)
        changed = tissue & (np.abs(cmo - cm) > 1e-12 * ps)
        unexplained = int(((d_unmod > 1e-12) & ~changed).sum())
        ratio = cm[changed] / cmo[changed] - 1  # = the C cube's mass / target − 1 (cm = P/M, cmo = P/m)
        note = (f"unmodified C code (cube power / target mass): psSAR {ps_diff_unmod:.1e}, map {float(d_unmod.max()):.1e} of psSAR, "
                f"{int((d_unmod > 1e-12).sum())} voxels > 1e-12, all whole-layer cubes within the 1e-6 mass tolerance"
                + (f" (cube mass / target − 1 = {ratio.min():.2e} … {ratio.max():.2e} there)" if ratio.size else "")
                + " (docs/performance.md \"The map against the C code\")")
        if unexplained:
            note = f"{unexplained} voxels differ from the unmodified C code where its own-mass copy does not: NOT explained; " + note
        import h5py
        with h5py.File(f, "r") as hf:
            has_cell_volume = "/cell_volume" in hf
        c = last_json(run(c_sar(f))["out"]) if has_cell_volume else cw  # the file's float32 /cell_volume
        if c["ps_sar"] != cw["ps_sar"]:
            note += (f"; with the file's float32 /cell_volume as the C voxel volume instead: psSAR {abs(s['peak_sar_w_per_kg'] - c['ps_sar']) / ps:.1e} "
                     "(input rounding, docs/performance.md \"psSAR against the C code\")")
        good = ps_diff <= 1e-9 and map_diff <= 1e-9
        ok &= good and unexplained == 0
        agree.append(value_row(f"identical results ≤ 1e-9, {name}", "sar -o map.npz (R2R)", "C code, same voxel masses, cube average / cube mass",
                               f"psSAR {ps_diff:.1e}, map {map_diff:.1e} of psSAR ({int(tissue.sum())} tissue voxels)", good,
                               "≤ 1e-9", note=f"psSAR {s['peak_sar_w_per_kg']!r} W/kg; {note}"))
        agree[-1]["dataset"], agree[-1]["ps"] = name, s["peak_sar_w_per_kg"]
        print(f"identical ({name}): psSAR {ps_diff:.2e}, map {map_diff:.2e} (own-mass C); unmodified C: psSAR {ps_diff_unmod:.2e}, "
              f"map {float(d_unmod.max()):.2e}, unexplained voxels {unexplained}", flush=True)

    qpoint = os.path.join(tmp, "qpoint.h5")
    if not ({"mvie"} & a.skip) and not os.path.isfile(qpoint):
        run(r2r + ["qmatrices", "-f", a.fields, "--mass", "point", "-o", qpoint])

    # --- timed rounds, alternating ---
    R = {}
    add = lambda k, v: R.setdefault(k, []).append(v)
    mvie_out, cvx_out, vop_out, seq_out = {}, None, {}, {}
    for r in range(a.rounds):
        for dn, f, _, _ in datasets:
            for bn, cmd in builds:
                x = run(cmd + sar_args(f), env=timing)
                add(("sar", dn, bn), x)
                span = timing_span(parse_timing(x["err"]), "start Averaging cubes", "exit")
                if span:
                    add(("core", dn, bn), {"wall": span[0], "cpu": span[1], "load": x["load"]})
            y = run(c_sar(f))
            add(("sar", dn, "C"), y)
            k = last_json(y["out"])
            add(("core", dn, "C"), {"wall": k["local_s"] + k["core_s"][0], "cpu": k["local_cpu_s"] + k["core_cpu_s"][0], "load": y["load"]})
            if "core" not in a.skip:
                x = run(benchexe + ["sar-core", f, drive_text, "--repeat", str(a.warm_repeat)]); j = last_json(x["out"])
                add(("core1", dn), {"wall": j["core_s"][0], "cpu": j["core_cpu_s"][0], "load": x["load"]})
                add(("warm", dn, "SarKit"), {"wall": min(j["core_s"][1:]), "cpu": min(j["core_cpu_s"][1:]), "load": x["load"]})
                y = run(c_sar(f) + ["--repeat", str(a.warm_repeat)]); k = last_json(y["out"])
                add(("warm", dn, "C"), {"wall": k["local_s"] + min(k["core_s"][1:]), "cpu": k["local_cpu_s"] + min(k["core_cpu_s"][1:]), "load": y["load"]})
        if "mvie" not in a.skip:
            for bn, cmd in builds:
                m = run(cmd + ["mvie", "--q", qpoint, "-o", os.path.join(tmp, f"mvie_{bn}.h5"), "--samples", "0", "--json"])
                add(("mvie", bn), m); mvie_out[bn] = last_json(m["out"])
            if r < a.mvie_rounds and "cvxopt" not in a.skip:
                v = run([PY, os.path.join(HERE, "anchors", "cvxopt_mvie.py"), qpoint]); add(("mvie", "cvxopt"), v); cvx_out = last_json(v["out"])
        if "vop" not in a.skip and os.path.isfile(a.vop_q):
            for bn, cmd in builds:
                w = run(cmd + ["vop", "compress", "--q", a.vop_q, "--margin", "0.1", "-o", os.path.join(tmp, f"v_{bn}.h5"), "--json"])
                add(("vop", bn), w); vop_out[bn] = last_json(w["out"])
        if "pulseq" not in a.skip and os.path.isfile(a.seq):
            for bn, cmd in builds:
                q = run(cmd + ["seq", "check", a.seq, "--vops", a.seq_vops, "--calibration", "12.5 V/uT", "--json"], check=False)
                if q["rc"] not in (0, 3):
                    sys.exit(f"seq check failed ({q['rc']}): {q['err'][-2000:]}")
                add(("seq", bn), q); seq_out[bn] = last_json(q["out"])
        print(f"round {r + 1}/{a.rounds} done, load {os.getloadavg()[0]:.1f}, {time.time() - t_start:.0f} s", flush=True)

    # --- the same psSAR from every build (stdout of the timed one-shot runs) ---
    for row in agree:
        ps_b = {bn: sorted({last_json(x["out"])["peak_sar_w_per_kg"] for x in R[("sar", row["dataset"], bn)]}) for bn, _ in builds}
        vals = [v for vs in ps_b.values() for v in vs]
        same = all(abs(v - row["ps"]) <= 1e-9 * row["ps"] for v in vals)
        ok &= same
        if not same:
            row["verdict"] = "not met"
        row["note"] += ("; builds " + "/".join(ps_b) + (" print the bit-identical psSAR" if len(set(vals)) == 1 else
                        " psSAR " + ", ".join(f"{k} {v!r}" for k, v in ps_b.items())) + " in every round")

    # --- once per run ---
    hdf5 = None
    if "hdf5" not in a.skip:
        h = run(benchexe + ["hdf5-speed"] + [f for _, f, _, _ in datasets] + ["--rounds", str(a.rounds)], cwd=ROOT)
        hdf5 = (parse_hdf5_speed(h["out"]), h["load"])
        print(h["out"], flush=True)
    wave = None
    if "numpy" not in a.skip and a.numpy_seconds > 0:
        w = run(benchexe + ["wave-stream", "--seconds", f"{a.numpy_seconds:g}", "--numpy", "--dir", tmp], cwd=ROOT)
        wave = (parse_wave_stream(w["out"]), w["load"])
        print(w["out"], flush=True)
        if not wave[0].get("agree"):
            ok = False
            print("numpy and SarKit window maxima DISAGREE", file=sys.stderr)
        for p in os.listdir(tmp):
            if p.startswith("sarkit-wave-bench-"):
                os.remove(os.path.join(tmp, p))
    if "waveform" not in a.skip and a.waveform_seconds > 0:
        wf = os.path.join(tmp, "wave_int16.npy")
        t = time.time()
        run([PY, os.path.join(HERE, "anchors", "make_waveform_npy.py"), wf, f"{a.waveform_seconds:g}", "--int16"])
        print(f"int16 waveform {a.waveform_seconds:g} s written ({os.path.getsize(wf) / 1e9:.2f} GB, {time.time() - t:.0f} s)", flush=True)
        wmax = {}
        for r in range(a.waveform_rounds):
            for bn, cmd in builds:
                if a.drop_caches:
                    drop_caches()
                p = run(cmd + ["pulse", "check", wf, "--vops", a.seq_vops, "--json"], check=False)
                if p["rc"] not in (0, 3):
                    sys.exit(f"pulse check failed ({p['rc']}): {p['err'][-2000:]}")
                add(("wave", bn), p)
                j = last_json(p["out"])
                wmax[bn] = json.dumps([(l.get("metric"), l.get("window_s"), l.get("sar_w_per_kg")) for l in j.get("limits", [])])
        os.remove(wf)
        if len(set(wmax.values())) > 1:
            notes.append("pulse check results differ between builds: " + "; ".join(f"{k}: {v}" for k, v in wmax.items()))

    sparse = None
    if "sparse" not in a.skip and a.sparse_seconds > 0:
        sparse, same = sparse_runs(a, tmp, builds, add)
        if not same:
            ok = False
            notes.append("sparse waveform: pulse check results differ between the raw and the compressed file or between builds: " + same_note(sparse))

    # --- table ---
    rows = []
    for dn, f, k, _ in datasets:
        for bn, _ in builds:
            rows.append(ratio_row(f"one-shot ≥ {k}× faster than C, {dn}", f"`sar --mass 10g`, {bn}", "C code end to end (h5py, numpy, C)",
                                  R[("sar", dn, bn)], R[("sar", dn, "C")], 1 / k))
    for dn, f, _, k in datasets:
        for bn, _ in builds:
            if R.get(("core", dn, bn)):
                rows.append(ratio_row(f"core in a fresh process ≥ {k}× faster than C core, {dn}", f"`sar` stage lines, {bn}", "C core, first call",
                                      R[("core", dn, bn)], R[("core", dn, "C")], 1 / k,
                                      note="SarKit: cubes to exit; C: arrays in memory to the 10 g map"))
        if R.get(("core1", dn)):
            rows.append(ratio_row(f"core in a fresh process ≥ {k}× faster than C core, {dn}", f"`SarKit.Bench sar-core` call 1, {'R2R' if bench_r2r else 'JIT'}",
                                  "C core, first call", R[("core1", dn)], R[("core", dn, "C")], 1 / k,
                                  note="SarKit: PeakSarEvaluation.Prepare + Evaluate, first call in the process (the definition of the fresh-core measurement of branch i18/oneshot3)"))
        if R.get(("warm", dn, "SarKit")):
            rows.append(ratio_row(f"core warm (information), {dn}", f"`SarKit.Bench sar-core`, {'R2R' if bench_r2r else 'JIT'}, best of calls 2–{a.warm_repeat}",
                                  f"C core, best of calls 2–{a.warm_repeat}", R[("warm", dn, "SarKit")], R[("warm", dn, "C")], None))
    rows += agree
    if hdf5:
        for dn, f, _, _ in datasets:
            v = hdf5[0].get(os.path.basename(f))
            if not v:
                notes.append(f"HDF5 read of {dn}: no row for {os.path.basename(f)} in the `hdf5-speed` output (format not understood).")
                continue
            (pw, pc), (sw_, sc_) = v["h5py"], v["sarkit"]
            rows.append({"goal": f"HDF5 read ≥ 1.0× h5py, {dn} /E", "sarkit": f"`SarKit.Bench hdf5-speed`: {v['column'].replace(' (s)', '').replace(' / CPU', '')}, in-process",
                         "anchor": "h5py `[()]`, fresh Python, timed around the read", "s": (sw_, sc_), "a": (pw, pc),
                         "ratio": (sw_ / pw, sc_ / pc if math.isfinite(sc_) and math.isfinite(pc) and pc > 0 else float("nan")),
                         "target": "SarKit/h5py ≤ 1 (best of rounds)",
                         "verdict": verdict(sw_ <= pw, (sc_ <= pc) if math.isfinite(sc_) and math.isfinite(pc) else None),
                         "loads": [hdf5[1]], "n": a.rounds, "note": f"h5py/SarKit {pw / sw_:.2f} in wall"})
    for dn, f, _, _ in datasets:
        c_rss = med(R[("sar", dn, "C")], "rss_mib")
        for bn, _ in builds:
            s_rss = med(R[("sar", dn, bn)], "rss_mib")
            rows.append(value_row(f"peak memory ≤ 1.2× the anchor's, {dn}", f"`sar --mass 10g`, {bn}", "C code end to end (Python process)",
                                  f"{s_rss:.0f} / {c_rss:.0f} MiB = {s_rss / c_rss:.2f}", s_rss <= 1.2 * c_rss, "≤ 1.2",
                                  [x["load"] for x in R[("sar", dn, bn)]], note="peak RSS (wait4 ru_maxrss), median over rounds"))
    for bn, _ in builds:
        if R.get(("vop", bn)):
            vo = vop_out[bn]; cert = vo.get("certificate") or {}
            good = (vo.get("count") or 10 ** 9) <= 59 and cert.get("passed") is True
            rows.append(absolute_row("`vop compress` 1767 @ 10 %: ≤ 59 VOPs, certified, < 1 s", f"whole process, {bn}", R[("vop", bn)], 1.0, good,
                                     note=f"{vo.get('count')} VOPs, certificate {cert.get('passed')} ({cert.get('matrices_checked')} CC-checked, {cert.get('random_drives')} random drives)"))
    for bn, _ in builds:
        if R.get(("mvie", bn)):
            mo = mvie_out[bn]
            n = f"{mo.get('count')} × {mo.get('channels')}, log det {mo.get('log_det'):.9g}, certificate {mo.get('certificate_passed')}"
            if cvx_out:
                n += f"; cvxopt log det {cvx_out['log_det']:.9g} (Δ {abs(cvx_out['log_det'] - mo['log_det']):.1e}, {cvx_out['rounds']} rounds, {cvx_out['active']} active, {len(R[('mvie', 'cvxopt')])} run(s))"
            rows.append(absolute_row("MVIE 10⁵ × 8 < 3 s", f"`mvie --samples 0`, whole process, {bn}", R[("mvie", bn)], 3.0,
                                     mo.get("certificate_passed") is True, note=n, anchor="cvxopt + constraint generation, whole process",
                                     a_runs=R.get(("mvie", "cvxopt"), [])))
    if wave:
        wv = wave[0]
        rows.append({"goal": "supervision vs vectorised numpy (information)", "sarkit": f"`SarKit.Bench wave-stream --numpy`, {a.numpy_seconds:g} s complex64, in-process from the file",
                     "anchor": "bench/anchors/numpy_supervision.py, timed inside its process (after imports)", "s": (wv.get("sarkit_wall", float("nan")), wv.get("sarkit_cpu", float("nan"))),
                     "a": (wv.get("numpy_wall", float("nan")), wv.get("numpy_cpu", float("nan"))), "ratio": (wv.get("ratio_wall", float("nan")), wv.get("ratio_cpu", float("nan"))),
                     "target": "maxima agree", "verdict": "**met**" if wv.get("agree") else "not met", "loads": [wave[1]], "n": 1,
                     "note": "8 ch at 1 µs, 60 random VOPs + 1 whole-body Q, 10 s and 360 s windows; SarKit median of its runs, 1 numpy run"})
    for bn, _ in builds:
        if R.get(("wave", bn)):
            rows.append(realtime_row(f"waveform {a.waveform_seconds:g} s × 8 ch at 1 µs ≥ 50× real time", f"`pulse check` int16 .npy, whole process, {bn}",
                                     R[("wave", bn)], a.waveform_seconds, 50,
                                     note=("page cache dropped" if a.drop_caches else "page cache NOT dropped (file just written)") + f"; {os.path.basename(a.seq_vops)}"))
    if sparse:
        sz = sparse.get("bytes", {})
        desc = (f"seeded sparse pTx sequence (make_sparse_ptx_waveform.py, seed {sparse.get('seed')}: {sparse.get('scans')} scans, "
                f"{sparse.get('pulses')} pulses of 1–3 ms, TR 10–100 ms, duty cycle {100 * sparse.get('duty_cycle', float('nan')):.1f} %)")
        for bn, _ in builds:
            for kind, what in (("raw", f"int16 .npy, {sz.get('.npy', 0) / 1e9:.2f} GB"),
                               ("z", f"deflate HDF5 (chunks {sparse.get('chunk')} samples, level {sparse.get('level')}), {sz.get('.h5', 0) / 1e9:.3f} GB")):
                if R.get(("sparse", kind, bn)):
                    rows.append(realtime_row(f"sparse pTx waveform {a.sparse_seconds:g} s × 8 ch at 1 µs (information; goal row: int16 above)",
                                             f"`pulse check` {what}, whole process, {bn}", R[("sparse", kind, bn)], a.sparse_seconds, 50,
                                             note=("page cache dropped" if a.drop_caches else "page cache NOT dropped (file just written)") + f"; {desc}"))
    for bn, _ in builds:
        if R.get(("seq", bn)):
            so = seq_out[bn]
            rows.append(realtime_row("Pulseq ≥ 1000× real time", f"`seq check {os.path.basename(a.seq)}`, whole process, {bn}", R[("seq", bn)], 360.0, 1000,
                                     note=f"steady state: the 6 min window covered (period {so.get('period_s')} s), passed {so.get('passed')}; no numpy anchor"))

    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    cmdline = "/usr/bin/python3 bench/anchors.py " + " ".join(shlex.quote(x) for x in sys.argv[1:])
    notes.append(f"Inputs: 5 mm = `{os.path.basename(a.fields)}` (openEMS, gzip chunks, E and H), 2.5 mm = it refined 2× by "
                 "`tools/bench/make_fine_reference.py` (contiguous, no H), drive `" + os.path.basename(a.drive) + "`; "
                 f"MVIE: `qmatrices --mass point` of the 5 mm file; VOPs: `{os.path.basename(a.vop_q)}`.")
    notes.append("Fresh-process core: SarKit = CPU/wall between the `SARKIT_TIMING=1` lines `start Averaging cubes` and `exit` of "
                 "the one-shot process (air padding, cubes, drive sum, local SAR, 10 g averages, map, peak, whole-body sums, JSON); "
                 "C = `bench/anchors/c62704_sar.py` from the h5py arrays to the 10 g map (drive sum, local SAR, voxel mass, "
                 "`spatialAverageSAR()` first call). The `sar-core` call-1 rows time `PeakSarEvaluation.Prepare` + `Evaluate` "
                 "in a fresh `SarKit.Bench` process (the CLI stage's work without the JSON; as i18/oneshot3 measures it). "
                 "Warm: the same C local step + the best later call.")
    notes.append(f"Run took {(time.time() - t_start) / 60:.1f} min" + (" (ReadyToRun publishes reused)." if a.cli_dir and a.bench_dir
                 else " including the ReadyToRun publishes."))
    meta = {"when": when, "commit": head, "machine": machine(), "rounds": a.rounds, "command": cmdline, "quick": a.quick, "notes": notes}
    section = render(rows, meta)
    print("\n" + section)
    if not ok:
        print("RESULTS DIFFER", file=sys.stderr)
    if a.write_docs:
        write_docs(section)
    return 0 if ok else 1


# ---------------------------------------------------------------- self-test

def self_test():
    """Parsing, verdicts, rendering and the docs section on synthetic inputs (no builds, no data; < 1 s)."""
    fails = []
    def check(cond, what):
        if not cond:
            fails.append(what)
    err = ("timing: +0.120 s (cpu 0.030 s) main\nwarning: x\ntiming: +0.400 s (cpu 0.100 s) start Reading dataset\n"
           "timing: +1.500 s (cpu 1.000 s) start Averaging cubes (10 g)\ntiming: +2.000 s (cpu 1.600 s) start Evaluating the drive\n"
           "timing: +2.250 s (cpu 1.850 s) exit 0\n")
    m = parse_timing(err)
    check(len(m) == 5 and m[0] == ("main", 0.12, 0.03), f"parse_timing {m}")
    sp = timing_span(m, "start Averaging cubes", "exit")
    check(sp is not None and abs(sp[0] - 0.75) < 1e-12 and abs(sp[1] - 0.85) < 1e-12, f"timing_span {sp}")
    check(timing_span(m, "start Writing maps", "exit") is None, "timing_span without the start mark")
    check(timing_span(m[:3], "start Averaging cubes", "exit") is None, "timing_span without the end mark")
    h = ("hdf5-speed: dataset /E, 3 rounds, 2 cores\n"
         "| file | size (MB) | layout | data (MB) | h5py read (s) | h5py process (s) | SarKit ReadInto (s) | SarKit dataset (s) | h5py/SarKit ReadInto | load avg |\n"
         "|---|---:|---|---:|---:|---:|---:|---:|---:|---|\n"
         "| a.h5 | 120.0 | chunked | 89.2 | 0.517 | 0.900 | 0.537 | 1.370 | 0.96 | 1.0 / 2.0 |\n"
         "| b.h5 | 400.0 | contiguous | 340.0 | 0.400 | 0.700 | 0.200 | - | 2.00 | 1.0 |\n")
    ph = parse_hdf5_speed(h)
    check(ph.keys() == {"a.h5", "b.h5"} and ph["a.h5"]["h5py"][0] == 0.517 and ph["a.h5"]["sarkit"][0] == 0.537
          and math.isnan(ph["a.h5"]["sarkit"][1]) and ph["b.h5"]["sarkit"][0] == 0.2, f"parse_hdf5_speed {ph}")
    h2 = ("| file | size (MB) | layout | data (MB) | h5py read (s) / CPU | h5py process (s) | SarKit ReadInto, zlib-ng (s) / CPU | SarKit ReadInto, libdeflate (s) / CPU | SarKit dataset (s) | h5py/SarKit ReadInto (wall, libdeflate) | load avg |\n"
          "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---|\n"
          "| a.h5 | 120.0 | chunked | 89.2 | 0.517 / 0.240 | 0.900 | 0.600 / 0.500 | 0.450 / 0.350 | 1.370 | 1.15 | 1.0 |\n")
    ph2 = parse_hdf5_speed(h2)
    check(ph2.get("a.h5", {}).get("h5py") == (0.517, 0.24) and ph2["a.h5"]["sarkit"] == (0.45, 0.35)
          and "libdeflate" in ph2["a.h5"]["column"], f"parse_hdf5_speed (wall / CPU columns) {ph2}")
    check(parse_hdf5_speed("| x | y |\n|---|---|\n| 1 | 2 |\n") == {}, "parse_hdf5_speed of another table")
    check(verdict(True, None) == "**met** (wall; CPU not measured)" and verdict(False, None) == "not met"
          and verdict(None, True) == "**met** (CPU; wall not measured)", "verdict with one side unknown")
    w = ("  numpy baseline (numpy 1.26.4): 10.00 s wall (10.50 s for the whole python process), 8.00 s CPU = 0.20x real time (wall), 0.25x per CPU-second; load 1.0\n"
         "  ratio SarKit/numpy (2 SarKit runs, median; 1 numpy run): wall 0.050, CPU 0.025 (SarKit 4.0x real time wall, 10.0x per CPU-second); results agree; load 1.0\n")
    pw = parse_wave_stream(w)
    check(pw.get("agree") is True and pw["ratio_wall"] == 0.05 and pw["ratio_cpu"] == 0.025 and pw["numpy_wall"] == 10.0
          and pw["numpy_cpu"] == 8.0 and abs(pw["sarkit_wall"] - 0.5) < 1e-12 and abs(pw["sarkit_cpu"] - 0.2) < 1e-12, f"parse_wave_stream {pw}")
    check(parse_wave_stream(w.replace("results agree", "results DISAGREE")).get("agree") is False, "wave-stream disagreement")
    check(last_json('log line\n{"a": 1}\n') == {"a": 1} and last_json('{\n "b": 2\n}') == {"b": 2}, "last_json")
    runs = lambda *wc: [{"wall": x, "cpu": y, "load": 2.0} for x, y in wc]
    r = ratio_row("g", "s", "a", runs((1.0, 0.5), (3.0, 0.7), (2.0, 0.6)), runs((6.0, 3.0), (6.0, 3.0)), 1 / 3)
    check(r["s"] == (2.0, 0.6) and abs(r["ratio"][0] - 1 / 3) < 1e-12 and abs(r["ratio"][1] - 0.2) < 1e-12 and r["verdict"] == "**met**", f"ratio_row met {r}")
    check(ratio_row("g", "s", "a", runs((3.0, 0.5)), runs((6.0, 3.0)), 1 / 3)["verdict"] == "met in CPU only", "ratio_row CPU only")
    check(ratio_row("g", "s", "a", runs((1.0, 2.0)), runs((6.0, 3.0)), 1 / 3)["verdict"] == "met in wall only", "ratio_row wall only")
    check(ratio_row("g", "s", "a", runs((7.0, 4.0)), runs((6.0, 3.0)), 1 / 3)["verdict"] == "not met", "ratio_row not met")
    check(ratio_row("g", "s", "a", [], runs((6.0, 3.0)), 1 / 3)["verdict"] == "not measured", "ratio_row no SarKit runs")
    check(absolute_row("g", "s", runs((0.9, 1.3)), 1.0)["verdict"] == "met in wall only", "absolute_row")
    check(absolute_row("g", "s", runs((0.5, 0.5)), 1.0, extra_ok=False)["verdict"] == "not met (result)", "absolute_row result")
    rt = realtime_row("g", "s", runs((7.2, 4.0)), 360.0, 50)
    check(rt["verdict"] == "**met**" and rt["note"].startswith("50x real time in wall, 90x per CPU-second"), f"realtime_row {rt}")
    check(realtime_row("g", "s", runs((8.0, 4.0)), 360.0, 50)["verdict"] == "met in CPU only", "realtime_row CPU only")
    meta = {"when": "2026-12-07 22:00 UTC", "commit": "abc1234", "machine": "CPU X, 2 logical cores", "rounds": 3,
            "command": "/usr/bin/python3 bench/anchors.py --c-source /tmp/c", "notes": ["note one"]}
    vr = value_row("identical", "s", "a", "psSAR 1.0e-15", True, "≤ 1e-9", loads=[1.0, 3.0])
    text = render([r, vr, absolute_row("g2", "s2", runs((0.9, 1.3)), 1.0)], meta)
    lines = text.splitlines()
    table = [l for l in lines if l.startswith("| ")]
    check(len(table) == 4 and all(l.count("|") == table[0].count("|") for l in table), "render: table shape")
    check("| g | s | a | 2.00 / 0.60 | 6.00 / 3.00 | 0.33 / 0.20 |" in text and "| **met** | 2.0–2.0 |" in text, "render: ratio row")
    check("| identical | s | a | psSAR 1.0e-15 |  |  | ≤ 1e-9 | **met** | 1.0–3.0 |" in text, "render: value row")
    check("| 0.90 / 1.30 | – | – |" in text, "render: no anchor")
    check("commit `abc1234`" in text and "CPU X, 2 logical cores" in text and "median 2.0, range 1.0–3.0" in text and
          "/usr/bin/python3 bench/anchors.py --c-source /tmp/c" in text and "- note one" in text and "--quick" not in text, "render: header")
    check("**--quick**" in render([r], dict(meta, quick=True)), "render: quick marker")
    doc = f"# T\n\nintro\n{DOC_BEGIN}\nSTALE\n{DOC_END}\n\n## history\nkeep\n"
    new = replace_section(doc, text)
    check(new.startswith("# T\n\nintro\n" + DOC_BEGIN + "\n" + text) and new.endswith(DOC_END + "\n\n## history\nkeep\n") and "STALE" not in new,
          "replace_section")
    check(replace_section(new, "x\n") == doc.replace("STALE\n", "x\n"), "replace_section twice")
    try:
        replace_section("no markers", "x"); fails.append("replace_section without markers")
    except ValueError:
        pass
    for f in fails:
        print("FAIL " + f)
    print(f"self-test: {'ok' if not fails else str(len(fails)) + ' failed'}")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
