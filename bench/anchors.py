#!/usr/bin/python3
"""SarKit against its anchors, in one run (issue 18; bench/README.md "Anchor comparison").

  /usr/bin/python3 bench/anchors.py --c-source DIR [--rounds 3] [--mvie-rounds 1] [--write-docs]

DIR is an unpacked snapshot of the IEC/IEEE 62704-1 C code (github umbertozanovello/IEC-IEEE-62704-1-spatial-average-
SAR, Apache-2.0); it is built here in a temp folder with cmake + Debian liblapack (CMROOTS_ENABLE=ON, as in its SAR-Star
logs) and never copied into the repository. SarKit is published ReadyToRun (what ./sarkit runs) into the same temp
folder. Each round runs, alternating SarKit and anchor processes:
  sar      one-shot `sarkit sar --mass 10g` (R2R build; also the same build with DOTNET_ReadyToRun=0 = pure JIT)
           vs bench/anchors/c62704_sar.py (h5py read + numpy local SAR + the C code via spatialAverageSAR.py)
  core     10 g evaluation inside one process, first call (fresh process) and warm (best of calls 2..3):
           `SarKit.Bench sar-core` (R2R) vs spatialAverageSAR() in c62704_sar.py
  mvie     one-shot `sarkit mvie` of the point Q-matrices of the dataset (one per tissue voxel) vs
           bench/anchors/cvxopt_mvie.py (cvxopt + constraint generation), --mvie-rounds times
  vop      one-shot `sarkit vop compress` of the public 1767-matrix set at 10 % (no anchor in this run: count,
           certificate, time)
Wall time and CPU time (user + sys of the process and its children) are recorded with the 1-min load average; the
table gives medians over the rounds and the ratio SarKit/anchor (< 1: SarKit faster). Results must agree: psSAR and
every voxel of the 10 g map to <= 1e-9 relative (of psSAR), MVIE log det reported. Exit 1 when they do not.
--write-docs replaces the generated section of docs/performance.md.
"""
import argparse, json, math, os, platform, resource, shutil, statistics, subprocess, sys, tempfile, time
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PY = "/usr/bin/python3"


def run(argv, env=None, cwd=None, check=True):
    e = dict(os.environ); e.update(env or {})
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    load0 = os.getloadavg()[0]
    t = time.perf_counter()
    p = subprocess.run(argv, env=e, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    if check and p.returncode != 0:
        sys.exit(f"failed ({p.returncode}): {' '.join(argv)}\n{p.stdout[-2000:]}\n{p.stderr[-3000:]}")
    return {"wall": wall, "cpu": cpu, "load": (load0 + os.getloadavg()[0]) / 2, "out": p.stdout, "rc": p.returncode}


def last_json(text):
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            return json.loads(line)
    return json.loads(text)


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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--c-source", required=True, help="unpacked snapshot of the 62704-1 C code (has core/ and spatialAverageSAR.py)")
    ap.add_argument("--fields", default=os.path.join(ROOT, "..", "shared", "reference", "openems-ptx8", "ptx8_dipoles_7T.h5"))
    ap.add_argument("--drive", default=os.path.join(ROOT, "..", "shared", "reference", "openems-ptx8", "ref62704_cp.json"),
                    help="drive JSON with drive_V_per_sqrtW [[re, im], ...]")
    ap.add_argument("--vop-q", default=os.path.join(ROOT, "..", "shared", "reference", "qmatrices", "orzada_V_full_8ch_1767.mat"))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--mvie-rounds", type=int, default=1)
    ap.add_argument("--write-docs", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the temp folder")
    ap.add_argument("--cli-dir", help="reuse this ReadyToRun CLI publish instead of publishing")
    ap.add_argument("--bench-dir", help="reuse this SarKit.Bench build (folder with SarKit.Bench.dll) instead of publishing")
    ap.add_argument("--aot-dir", help="also time this Native AOT CLI publish (folder with the native SarKit.Cli; "
                    "dotnet publish src/SarKit.Cli -c Release -p:SarKitAot=linux-x64)")
    a = ap.parse_args()
    for f in (a.fields, a.drive):
        if not os.path.isfile(f):
            sys.exit(f"missing input {f}")
    tmp = tempfile.mkdtemp(prefix="sarkit-anchors-")
    try:
        return bench(a, tmp)
    finally:
        if not a.keep:
            shutil.rmtree(tmp, ignore_errors=True)


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


def bench(a, tmp):
    ensure_debian_packages()
    rid = {"x86_64": "linux-x64", "aarch64": "linux-arm64"}[platform.machine()]
    print(f"temp folder {tmp}", flush=True)
    # --- builds (not timed) ---
    cli_dir = a.cli_dir or os.path.join(tmp, "cli")
    bench_dir = a.bench_dir or os.path.join(tmp, "bench")
    if not a.cli_dir:
        run(["dotnet", "publish", os.path.join(ROOT, "src", "SarKit.Cli"), "-c", "Release", f"-p:SarKitReadyToRun={rid}", "--nologo", "-v", "q", "-o", cli_dir])
    if not a.bench_dir:
        run(["dotnet", "publish", os.path.join(ROOT, "bench", "SarKit.Bench"), "-c", "Release", f"-p:SarKitReadyToRun={rid}", "--nologo", "-v", "q", "-o", bench_dir])
    csrc = os.path.join(tmp, "c62704")
    shutil.copytree(a.c_source, csrc)
    cb = os.path.join(tmp, "c62704-build")
    os.makedirs(cb)
    run(["cmake", "-DCMAKE_BUILD_TYPE=Release", "-DCMROOTS_ENABLE=ON", os.path.join(csrc, "core")], cwd=cb)
    run(["cmake", "--build", "."], cwd=cb)
    cli = [os.path.join(cli_dir, "SarKit.Cli")]
    benchexe = ["dotnet", os.path.join(bench_dir, "SarKit.Bench.dll")]
    bench_r2r = is_r2r(os.path.join(bench_dir, "SarKit.dll"))
    print(f"SarKit.Bench {'ReadyToRun' if bench_r2r else 'JIT only (not a ReadyToRun build)'}: {bench_dir}", flush=True)
    drive = json.load(open(a.drive))["drive_V_per_sqrtW"]
    drive_text = ",".join(f"{math.hypot(re, im)!r}@{math.degrees(math.atan2(im, re))!r}" for re, im in drive)
    sar_args = ["sar", "-f", a.fields, "-d", drive_text, "--mass", "10g", "--json"]
    c_sar = [PY, os.path.join(HERE, "anchors", "c62704_sar.py"), csrc, cb, a.fields, a.drive]
    qpoint = os.path.join(tmp, "qpoint.h5")
    run(cli + ["qmatrices", "-f", a.fields, "--mass", "point", "-o", qpoint])

    # --- identical results (not timed) ---
    import numpy as np
    smap = os.path.join(tmp, "sarkit.npz"); cmap = os.path.join(tmp, "c.npy")
    s = last_json(run(cli + sar_args + ["-o", smap])["out"])
    c = last_json(run(c_sar + ["--map", cmap])["out"])
    sm = np.load(smap)["averaged_sar"]; cm = np.load(cmap)
    tissue = np.isfinite(cm) & (np.load(smap)["status"] > 0)
    ps = max(s["peak_sar_w_per_kg"], c["ps_sar"])
    map_diff = float(np.abs(sm[tissue] - cm[tissue]).max() / ps)
    ps_diff = abs(s["peak_sar_w_per_kg"] - c["ps_sar"]) / ps
    print(f"identical: psSAR SarKit {s['peak_sar_w_per_kg']!r} C {c['ps_sar']!r} (rel {ps_diff:.2e}); "
          f"max |map diff|/psSAR over {int(tissue.sum())} tissue voxels {map_diff:.2e}", flush=True)
    # like for like: the C code's voxel mass from the same (float32) cell widths SarKit builds its grid from
    cw = last_json(run(c_sar + ["--map", cmap, "--volume", "widths"])["out"]); cmw = np.load(cmap)
    ps_diff_w = abs(s["peak_sar_w_per_kg"] - cw["ps_sar"]) / ps
    map_diff_w = float(np.abs(sm[tissue] - cmw[tissue]).max() / ps)
    print(f"same voxel volumes: psSAR C {cw['ps_sar']!r} (rel {ps_diff_w:.2e}); max |map diff|/psSAR {map_diff_w:.2e}", flush=True)

    # --- timed rounds, alternating ---
    R = {k: [] for k in ["sar_aot", "sar_r2r", "sar_jit", "sar_c", "core_first", "core_warm", "ccore_first", "ccore_warm",
                         "core_first_cpu", "core_warm_cpu", "ccore_first_cpu", "ccore_warm_cpu", "mvie", "mvie_cvx", "vop"]}
    mvie_out, cvx_out, vop_out = None, None, None
    aot = [os.path.join(a.aot_dir, "SarKit.Cli")] if a.aot_dir else None
    if aot:  # the AOT build must print what the ReadyToRun build prints
        sa = last_json(run(aot + sar_args)["out"]); sr = last_json(run(cli + sar_args)["out"])
        for d in (sa, sr):
            d.pop("elapsed_s", None)
        if sa != sr:
            sys.exit("the Native AOT and ReadyToRun builds print different results")
    for r in range(a.rounds):
        if aot:
            R["sar_aot"].append(run(aot + sar_args))
        R["sar_r2r"].append(run(cli + sar_args))
        R["sar_c"].append(run(c_sar))
        R["sar_jit"].append(run(cli + sar_args, env={"DOTNET_ReadyToRun": "0"}))
        x = run(benchexe + ["sar-core", a.fields, drive_text, "--repeat", "3"]); j = last_json(x["out"])
        y = run(c_sar + ["--repeat", "3"]); k = last_json(y["out"])
        for name, js, ld in (("core", j, x["load"]), ("ccore", k, y["load"])):
            R[name + "_first"].append({"wall": js["core_s"][0], "cpu": js["core_cpu_s"][0], "load": ld})
            R[name + "_warm"].append({"wall": min(js["core_s"][1:]), "cpu": min(js["core_cpu_s"][1:]), "load": ld})
        m = run(cli + ["mvie", "--q", qpoint, "-o", os.path.join(tmp, f"a{r}.h5"), "--samples", "0", "--json"])
        R["mvie"].append(m); mvie_out = last_json(m["out"])
        if r < a.mvie_rounds:
            v = run([PY, os.path.join(HERE, "anchors", "cvxopt_mvie.py"), qpoint]); R["mvie_cvx"].append(v); cvx_out = last_json(v["out"])
        if os.path.isfile(a.vop_q):
            w = run(cli + ["vop", "compress", "--q", a.vop_q, "--margin", "0.1", "-o", os.path.join(tmp, f"v{r}.h5"), "--json"])
            R["vop"].append(w); vop_out = last_json(w["out"])
        print(f"round {r + 1}/{a.rounds}: sar R2R {R['sar_r2r'][-1]['wall']:.2f} s / C {R['sar_c'][-1]['wall']:.2f} s wall, "
              f"load {os.getloadavg()[0]:.1f}", flush=True)

    med = lambda key, f: statistics.median(x[f] for x in R[key]) if R[key] else float("nan")
    rows = [
        ("one-shot `sarkit sar --mass 10g`, Native AOT", "sar_aot", "C code driven from Python, end to end", "sar_c"),
        ("one-shot `sarkit sar --mass 10g`, ReadyToRun (./sarkit)", "sar_r2r", "C code driven from Python, end to end", "sar_c"),
        ("one-shot `sarkit sar --mass 10g`, JIT only (DOTNET_ReadyToRun=0)", "sar_jit", "C code driven from Python, end to end", "sar_c"),
        (f"10 g core, first call in a fresh process ({'R2R' if bench_r2r else 'JIT'})", "core_first", "spatialAverageSAR(), first call", "ccore_first"),
        ("10 g core, warm (best of calls 2-3)", "core_warm", "spatialAverageSAR(), warm", "ccore_warm"),
        ("one-shot `sarkit mvie` (point Q, 1 per tissue voxel)", "mvie", "cvxopt + constraint generation, end to end", "mvie_cvx"),
        ("one-shot `sarkit vop compress` 1767 set, 10 %", "vop", "-", None),
    ]
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    loads = [x["load"] for v in R.values() for x in v]
    lines = [f"Generated by `bench/anchors.py` ({when}, {a.rounds} rounds, load average median {statistics.median(loads):.1f}, "
             f"range {min(loads):.1f}-{max(loads):.1f}, {os.cpu_count()} cores). Times are medians; CPU = user + sys of the "
             "process and its children; ratio = SarKit / anchor (< 1: SarKit faster), for wall and for CPU time.", "",
             "| SarKit | wall s | CPU s | anchor | wall s | CPU s | ratio wall | ratio CPU |", "|---|---|---|---|---|---|---|---|"]
    for label, k, alabel, ak in rows:
        if not R[k]:
            continue
        sw, sc = med(k, "wall"), med(k, "cpu")
        if ak and R[ak]:
            aw, ac = med(ak, "wall"), med(ak, "cpu")
            lines.append(f"| {label} | {sw:.2f} | {sc:.2f} | {alabel} | {aw:.2f} | {ac:.2f} | {sw / aw:.2f} | {sc / ac:.2f} |")
        else:
            lines.append(f"| {label} | {sw:.2f} | {sc:.2f} | {alabel} | | | | |")
    lines += ["", f"- Dataset `{os.path.basename(a.fields)}`, drive `{os.path.basename(a.drive)}`: psSAR10g SarKit "
              f"{s['peak_sar_w_per_kg']:.9g} W/kg, C {c['ps_sar']:.9g} W/kg (relative difference {ps_diff:.1e}); largest voxel "
              f"difference of the 10 g maps {map_diff:.1e} of psSAR over {int(tissue.sum())} tissue voxels. With the C code's voxel "
              f"mass from the same float32 cell widths as SarKit's grid (`--volume widths`, instead of the float32 /cell_volume): "
              f"psSAR {ps_diff_w:.1e}, map {map_diff_w:.1e}."]
    if mvie_out:
        t = f"- MVIE of {mvie_out['count']} point Q-matrices ({mvie_out['channels']} channels): SarKit log det A = {mvie_out['log_det']:.9g}, certificate {mvie_out['certificate_passed']}"
        if cvx_out:
            t += (f"; cvxopt log det A = {cvx_out['log_det']:.9g} (difference {abs(cvx_out['log_det'] - mvie_out['log_det']):.1e}, "
                  f"{cvx_out['rounds']} rounds, {cvx_out['active']} active matrices, max ratio {cvx_out['max_ratio']:.9f})")
        lines.append(t + ".")
    if vop_out:
        cert = vop_out.get("certificate") or {}
        lines.append(f"- `vop compress` of {vop_out.get('source_count')} matrices at 10 %: {vop_out.get('count')} VOPs, certificate passed "
                     f"{cert.get('passed')} ({cert.get('matrices_checked')} matrices CC-checked, {cert.get('random_drives')} random drives); "
                     f"levels: {vop_out.get('algorithm')}.")
    table = "\n".join(lines)
    print("\n" + table)
    ok = ps_diff_w <= 1e-9 and map_diff_w <= 1e-9
    if not ok:
        print("RESULTS DIFFER (> 1e-9)", file=sys.stderr)
    if a.write_docs:
        p = os.path.join(ROOT, "docs", "performance.md")
        doc = open(p).read()
        b, e = "<!-- anchors.py:begin -->", "<!-- anchors.py:end -->"
        if b not in doc:
            sys.exit(f"{p} has no {b} … {e} section")
        doc = doc[:doc.index(b) + len(b)] + "\n" + table + "\n" + doc[doc.index(e):]
        tmpdoc = p + ".tmp"
        open(tmpdoc, "w").write(doc); os.replace(tmpdoc, p)
        print(f"wrote {p}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
