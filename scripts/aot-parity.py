#!/usr/bin/env python3
"""Parity self-check of a Native AOT `sarkit` against the JIT-compiled build (issue 18; scripts/build-aot.sh runs it
before it installs an AOT build for ./sarkit, tests/SarKit.Tests/Cli/AotParityTests does the same checks in C#).

  python3 scripts/aot-parity.py --aot PUBLISH/SarKit.Cli --jit PATH/SarKit.Cli.dll [--shared DIR] [--tmp DIR]

Both builds run the same commands on the same inputs, one after the other, writing to the same output path (so the
paths they print are the same): `sar --mass 10g -o map.npz`, `info`, `seq check`, `nema calorimetry`, `margin cr`,
`vop compress` (the public 1767-matrix set at 10 %) and `mvie --samples 0` (point Q-matrices of the fields). The inputs
are the openEMS reference of ../shared/reference (the demo dataset and its VOP/Q files when it is absent). The JIT side
runs `dotnet DLL` with DOTNET_ReadyToRun=0, so every method, the framework's too, is JIT-compiled.

`vop compress` runs with SARKIT_MAX_PARALLELISM=1 in both builds: the VOP set, its certificate and the verdict do not
depend on the number of threads, but the verifier's count of proofs per kind (verification.proofs: a combination reused
from a worker's cache or found anew) depends on which worker meets which matrix first, i.e. on thread timing (2 threads,
public 1767 set: ReusedCombination 704 from the JIT build and 710, 708, 710 from three runs of the same AOT build;
710 from both builds with one thread, every output the same).

Compared: stdout JSON byte for byte after removing the fields that hold the time of the run, and every array of each
written .npz byte for byte (header and data). Fields allowed to differ, all of them clock readings:
  every command   elapsed_s (wall time of the run)
  vop compress    the per-level times "(0.25 s)" in `algorithm`, attributes.compression_seconds and
                  attributes.compress_seconds, certificate.created_utc and certificate.digest_sha256 (a SHA-256 over the
                  certificate, which holds created_utc); the same fields and the top-level created_utc inside the VOP
                  file's metadata.npy (its vop_sha256 over the VOP matrices is compared)
  mvie            its HDF5 output is not compared (HDF5 object headers hold modification times; two JIT runs differ
                  in 4 bytes); its JSON (log det, certificate ratio, λ_max(A), active set, Newton steps) is.
Python standard library only. Exit 0 when every output agrees, 1 when one differs or a run fails (the report on stderr
names the command and the first differing field or array), 2 on bad arguments or missing inputs.
"""
import argparse, json, math, os, re, shutil, subprocess, sys, tempfile, time, zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LEVEL_TIME = re.compile(r"\(\d+(?:\.\d+)? s\)")
VOP_VOLATILE = [("attributes", "compression_seconds"), ("attributes", "compress_seconds"),
                ("certificate", "created_utc"), ("certificate", "digest_sha256")]


def die(msg, code=2):
    print(f"aot-parity: {msg}", file=sys.stderr)
    sys.exit(code)


def inputs(shared):
    """(fields, drive text, VOP Q-set, seq VOPs) : the openEMS reference when present, else the demo data."""
    ref = os.path.join(shared, "reference") if shared else None
    f = os.path.join(ref, "openems-ptx8", "ptx8_dipoles_7T.h5") if ref else None
    d = os.path.join(ref, "openems-ptx8", "ref62704_cp.json") if ref else None
    q = os.path.join(ref, "qmatrices", "orzada_V_full_8ch_1767.mat") if ref else None
    if f and os.path.isfile(f) and os.path.isfile(d):
        drive = ",".join(f"{math.hypot(re_, im)!r}@{math.degrees(math.atan2(im, re_))!r}"
                         for re_, im in json.load(open(d))["drive_V_per_sqrtW"])
        return f, drive, (q if os.path.isfile(q) else None), "reference"
    return os.path.join(ROOT, "data", "demo", "ptx8_7T_demo.h5"), "cp", None, "demo"


def normalise(name, obj):
    obj.pop("elapsed_s", None)
    if name == "vop compress" or name == "vop metadata":
        if isinstance(obj.get("algorithm"), str):
            obj["algorithm"] = LEVEL_TIME.sub("(time s)", obj["algorithm"])
        if "created_utc" in obj:
            obj["created_utc"] = "(time)"
        for outer, key in VOP_VOLATILE:
            if isinstance(obj.get(outer), dict) and key in obj[outer]:
                obj[outer][key] = "(time)"
    return obj


def npz_entries(path):
    """name -> bytes of every entry; metadata.npy (a JSON text in a 0-d unicode array) as normalised JSON."""
    out = {}
    with zipfile.ZipFile(path) as z:
        for n in sorted(z.namelist()):
            b = z.read(n)
            if n == "metadata.npy":
                hlen = int.from_bytes(b[8:10], "little") if b[6] == 1 else int.from_bytes(b[8:12], "little")
                start = 10 + hlen if b[6] == 1 else 12 + hlen
                text = b[start:].decode("utf-32-le").rstrip("\x00")
                b = json.dumps(normalise("vop metadata", json.loads(text)), sort_keys=True).encode()
            out[n] = b
    return out


def first_difference(a, b, path=""):
    if type(a) is not type(b):
        return f"{path or '(root)'}: {a!r} vs {b!r}"
    if isinstance(a, dict):
        for k in list(a) + [k for k in b if k not in a]:
            if k not in a or k not in b:
                return f"{path}.{k}: present in one output only"
            d = first_difference(a[k], b[k], f"{path}.{k}")
            if d:
                return d
        if list(a) != list(b):
            return f"{path or '(root)'}: fields in a different order"
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} vs {len(b)} items"
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_difference(x, y, f"{path}[{i}]")
            if d:
                return d
        return None
    return None if a == b else f"{path or '(root)'}: {a!r} vs {b!r}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--aot", required=True, help="the native SarKit.Cli executable to check")
    ap.add_argument("--jit", required=True, help="SarKit.Cli.dll of a ReadyToRun or plain build (run with DOTNET_ReadyToRun=0)")
    ap.add_argument("--shared", default=os.path.join(ROOT, "..", "shared"), help="the shared data folder (has reference/)")
    ap.add_argument("--tmp", help="work folder (default: a new temp folder, removed at the end)")
    a = ap.parse_args()
    if not os.access(a.aot, os.X_OK):
        die(f"--aot {a.aot}: not an executable file")
    if not os.path.isfile(a.jit):
        die(f"--jit {a.jit}: no such file")
    fields, drive, vopq, source = inputs(a.shared if a.shared and os.path.isdir(a.shared) else None)
    ex = os.path.join(ROOT, "examples")
    tmp = a.tmp or tempfile.mkdtemp(prefix="sarkit-aot-parity-")
    os.makedirs(tmp, exist_ok=True)
    builds = [("aot", [a.aot], {}), ("jit", ["dotnet", a.jit], {"DOTNET_ReadyToRun": "0"})]
    out = os.path.join(tmp, "out")
    try:
        # inputs made once by the JIT build (not compared): demo VOP Q-set, point Q-matrices for mvie
        def make(args, what):
            r = subprocess.run(builds[1][1] + args, env={**os.environ, **builds[1][2]}, capture_output=True, text=True)
            if r.returncode != 0:
                die(f"making {what} with the JIT build failed (exit {r.returncode}): {r.stderr[-1500:]}", 1)
        if vopq is None:
            vopq = os.path.join(tmp, "q10g.h5")
            make(["qmatrices", "-f", fields, "--mass", "10g", "-o", vopq], "the 10 g Q-matrices of the demo")
        qpoint = os.path.join(tmp, "qpoint.h5")
        make(["qmatrices", "-f", fields, "--mass", "point", "-o", qpoint], "the point Q-matrices")
        commands = [
            ("sar", ["sar", "-f", fields, "-d", drive, "--mass", "10g", "--json", "-o", out + ".npz"], ".npz"),
            ("info", ["info", fields, "--json"], None),
            ("seq check", ["seq", "check", os.path.join(ex, "seq", "gre_rfshims.seq"), "--vops", os.path.join(ex, "seq", "demo_vops_10g.h5"),
                           "--calibration", "12.5 V/uT", "--json"], None),
            ("nema calorimetry", ["nema", "calorimetry", os.path.join(ex, "nema", "calorimetry_example.json"), "--json"], None),
            ("margin cr", ["margin", "cr", "--r", "2", "--json"], None),
            # one worker thread: the verifier's per-kind proof counts (verification.proofs) depend on which worker's
            # cache of combinations meets which matrix, i.e. on thread timing (module docstring)
            ("vop compress", ["vop", "compress", "--q", vopq, "--margin", "0.1", "-o", out + ".npz", "--json"], ".npz"),
            ("mvie", ["mvie", "--q", qpoint, "-o", out + ".h5", "--samples", "0", "--json"], ".h5"),
        ]
        failed = []
        print(f"aot-parity: {a.aot} against the JIT build on the {source} data ({fields})", file=sys.stderr)
        for name, args, ext in commands:
            res = {}
            for label, pre, env in builds:
                t = time.perf_counter()
                one_thread = {"SARKIT_MAX_PARALLELISM": "1"} if name == "vop compress" else {}
                r = subprocess.run(pre + args, env={**os.environ, **env, **one_thread}, capture_output=True, text=True)
                wall = time.perf_counter() - t
                if r.returncode not in (0, 3):
                    failed.append(f"{name}: the {label} build exited {r.returncode}: {r.stderr.strip()[-1500:]}")
                    break
                try:
                    j = normalise(name, json.loads(r.stdout))
                except ValueError:
                    failed.append(f"{name}: the {label} build printed no JSON result")
                    break
                files = {}
                if ext == ".npz":
                    files = npz_entries(out + ext)
                if ext:
                    os.remove(out + ext)
                res[label] = (r.returncode, j, files, wall)
            if len(res) < 2:
                continue
            (ca, ja, fa, wa), (cj, jj, fj, wj) = res["aot"], res["jit"]
            why = None
            if ca != cj:
                why = f"exit code {ca} (AOT) vs {cj} (JIT)"
            elif json.dumps(ja) != json.dumps(jj):
                why = "JSON differs at " + (first_difference(jj, ja) or "(field order)") + " (JIT vs AOT)"
            elif list(fa) != list(fj):
                why = f"the written file holds {sorted(fa)} (AOT) vs {sorted(fj)} (JIT)"
            else:
                bad = [n for n in fj if fa[n] != fj[n]]
                if bad:
                    why = f"array(s) {', '.join(bad)} of the written file differ"
            if why:
                failed.append(f"{name}: {why}")
            print(f"aot-parity: {name}: {'DIFFERENT' if why else 'same'} (AOT {wa:.2f} s, JIT {wj:.2f} s wall"
                  f"{'; ' + str(len(fj)) + ' arrays compared' if fj else ''})", file=sys.stderr)
        if failed:
            for f in failed:
                print(f"aot-parity: FAILED {f}", file=sys.stderr)
            return 1
        print(f"aot-parity: passed: {len(commands)} commands, the same results from the AOT and the JIT build", file=sys.stderr)
        return 0
    finally:
        if not a.tmp:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
