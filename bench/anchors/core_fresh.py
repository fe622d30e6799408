#!/usr/bin/python3
"""The 62704-1 10 g averaging core in a fresh process, SarKit against the C code (issue 18), alternating, N rounds.

  core_fresh.py --sarkit "dotnet BENCH/SarKit.Bench.dll" --c-src SRC --c-build BUILD FIELDS.h5 DRIVE.json [--rounds 3]

"Core" = from the field of every channel, sigma and rho in memory (the file read is not counted) to the 10 g map and
its peak, first call in the process:
- SarKit: `SarKit.Bench sar-core` call 1 = PeakSarEvaluation.Prepare (air padding, averaging cubes) + Evaluate (drive
  sum, local SAR, cube averages, voxel map, peak; also whole-body SAR and absorbed power, which the C side does not do).
- C: c62704_sar.py local_cpu_s (drive sum, local SAR, voxel mass, [x][y][z] copies in numpy) + core_cpu_s[0] (the first
  spatialAverageSAR call: padding, cubes, averages, map); also the C call alone.
With --cli "COMMAND" (e.g. an AOT or ReadyToRun `sarkit`), SarKit's core is instead taken from a one-shot
`sar --mass 10g --json` run with SARKIT_TIMING=1: from the stage line "start Averaging cubes" to "exit" (air padding,
cubes, local SAR, cube averages, map, peak, whole-body SAR, JSON, exit); the CLI sums the drive while reading E, so
its drive sum is not in this span (compare with the C call alone, and with numpy local SAR + C call).
CPU = process CPU time (all threads) around the core only; wall likewise. Prints medians and C / SarKit ratios
(> 1: SarKit faster) with the 1-minute load average.
"""
import argparse, json, os, shlex, statistics, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))


def last_json(text):
    return json.loads([l for l in text.splitlines() if l.startswith("{")][-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sarkit", default=""); ap.add_argument("--c-src", required=True); ap.add_argument("--c-build", required=True)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--cli", help="a sarkit command: SarKit's core from its SARKIT_TIMING stage lines instead of sar-core")
    ap.add_argument("fields"); ap.add_argument("drive")
    a = ap.parse_args()
    import math
    d = json.load(open(a.drive))["drive_V_per_sqrtW"]
    text = ",".join(f"{math.hypot(r, i)!r}@{math.degrees(math.atan2(i, r))!r}" for r, i in d)
    R = {k: [] for k in ("s_wall", "s_cpu", "c_wall", "c_cpu", "cc_wall", "cc_cpu")}
    loads, ps = [], {}
    for r in range(a.rounds):
        loads.append(os.getloadavg()[0])
        if a.cli:
            p = subprocess.run(shlex.split(a.cli) + ["sar", "-f", a.fields, "-d", text, "--mass", "10g", "--json"], check=True,
                               capture_output=True, text=True, env=dict(os.environ, SARKIT_TIMING="1"))
            t = {}
            for line in p.stderr.splitlines():   # timing: +1.234 s (cpu 2.345 s) LABEL
                if line.startswith("timing: +"):
                    w, rest = line[len("timing: +"):].split(" s (cpu ", 1)
                    c, label = rest.split(" s) ", 1)
                    t[label.split(" (")[0]] = (float(w), float(c))
            w0, c0 = t["start Averaging cubes"]; w1, c1 = t["exit 0"]
            s = {"core_s": [w1 - w0], "core_cpu_s": [c1 - c0], "ps_sar": json.loads(p.stdout)["peak_sar_w_per_kg"]}
        else:
            s = last_json(subprocess.run(shlex.split(a.sarkit) + ["sar-core", a.fields, text, "--repeat", "1"], check=True,
                                         capture_output=True, text=True).stdout)
        c = last_json(subprocess.run([sys.executable, os.path.join(HERE, "c62704_sar.py"), a.c_src, a.c_build, a.fields, a.drive,
                                      "--volume", "widths"], check=True, capture_output=True, text=True).stdout)
        R["s_wall"].append(s["core_s"][0]); R["s_cpu"].append(s["core_cpu_s"][0])
        R["c_wall"].append(c["local_s"] + c["core_s"][0]); R["c_cpu"].append(c["local_cpu_s"] + c["core_cpu_s"][0])
        R["cc_wall"].append(c["core_s"][0]); R["cc_cpu"].append(c["core_cpu_s"][0])
        ps = {"sarkit": s["ps_sar"], "c": c["ps_sar"]}
        loads.append(os.getloadavg()[0])
        print(f"round {r + 1}: SarKit {s['core_s'][0]:.3f} s wall / {s['core_cpu_s'][0]:.3f} s CPU; C {R['c_wall'][-1]:.3f} / "
              f"{R['c_cpu'][-1]:.3f} (call alone {c['core_s'][0]:.3f} / {c['core_cpu_s'][0]:.3f}); load {loads[-1]:.1f}", file=sys.stderr, flush=True)
    m = {k: statistics.median(v) for k, v in R.items()}
    print(f"core in a fresh process, {os.path.basename(a.fields)}, {a.rounds} rounds alternating, "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load {min(loads):.1f}-{max(loads):.1f}, {os.cpu_count()} cores (medians)")
    print("| core | wall s | CPU s | C / SarKit wall | C / SarKit CPU |")
    print("|---|---:|---:|---:|---:|")
    print(f"| SarKit {'CLI stages cubes..exit' if a.cli else 'sar-core call 1'} | {m['s_wall']:.3f} | {m['s_cpu']:.3f} | | |")
    print(f"| C: numpy local SAR + spatialAverageSAR call 1 | {m['c_wall']:.3f} | {m['c_cpu']:.3f} | {m['c_wall'] / m['s_wall']:.2f} | {m['c_cpu'] / m['s_cpu']:.2f} |")
    print(f"| C: spatialAverageSAR call 1 alone | {m['cc_wall']:.3f} | {m['cc_cpu']:.3f} | {m['cc_wall'] / m['s_wall']:.2f} | {m['cc_cpu'] / m['s_cpu']:.2f} |")
    print(f"psSAR SarKit {ps['sarkit']!r}, C (voxel volumes from the cell widths) {ps['c']!r}, relative difference "
          f"{abs(ps['sarkit'] - ps['c']) / ps['c']:.1e}")


if __name__ == "__main__":
    main()
