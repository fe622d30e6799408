#!/usr/bin/env python3
"""One-shot `sarkit` variants side by side (issue 18): JIT build, ReadyToRun publish, Native AOT publish.

  /usr/bin/python3 bench/oneshot.py --variant jit='dotnet src/SarKit.Cli/bin/Release/net10.0/SarKit.Cli.dll' \
      --variant r2r='dotnet .../publish/SarKit.Cli.dll' --variant aot=.../SarKit.Cli --rounds 5 -- sar -f F -d D --mass 10g --json

Runs every variant once per round, alternating (so a change of machine load hits all of them alike), one process per
run; prints per variant the median wall and CPU time (user + sys of the child, getrusage) and their ratios to the first
variant, with the 1-minute load average over the runs. Exit 1 when a variant fails or when the stdout of the variants
differ (the results must be identical; a --json output is compared after dropping timing fields).
"""
import argparse, json, os, resource, shlex, statistics, subprocess, sys, time

VOLATILE = {"seconds", "elapsed_s", "elapsed_seconds", "compress_seconds", "created_utc", "time_utc", "timestamp"}


def run(argv):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    l0 = os.getloadavg()[0]
    t = time.perf_counter()
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return p, wall, cpu, (l0 + os.getloadavg()[0]) / 2


def scrub(text):
    try:
        j = json.loads(text)
    except json.JSONDecodeError:
        return text
    def s(o):
        if isinstance(o, dict):
            return {k: s(v) for k, v in o.items() if k not in VOLATILE and not k.endswith("_seconds")}
        if isinstance(o, list):
            return [s(v) for v in o]
        return o
    return json.dumps(s(j), sort_keys=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--variant", action="append", required=True, help="NAME=COMMAND (shell words)")
    ap.add_argument("--anchor", action="append", default=[], help="NAME=COMMAND (shell words, run as is): an anchor timed "
                    "in the same alternation (e.g. bench/anchors/c62704_sar.py), its output not compared")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--env", action="append", default=[], help="NAME:VAR=VALUE extra environment of one variant")
    ap.add_argument("args", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    args = a.args[1:] if a.args[:1] == ["--"] else a.args
    variants = [(v.split("=", 1)[0], shlex.split(v.split("=", 1)[1])) for v in a.variant]
    anchors = [(v.split("=", 1)[0], shlex.split(v.split("=", 1)[1])) for v in a.anchor]
    stats = {n: {"wall": [], "cpu": []} for n, _ in variants + anchors}
    loads, outs = [], {}
    for r in range(a.rounds):
        for name, cmd in variants:
            p, wall, cpu, load = run(cmd + args)
            if p.returncode != 0:
                sys.exit(f"{name} failed ({p.returncode}): {p.stderr[-2000:]}")
            stats[name]["wall"].append(wall); stats[name]["cpu"].append(cpu); loads.append(load)
            outs.setdefault(name, scrub(p.stdout))
            print(f"round {r + 1} {name}: wall {wall:.2f} s, cpu {cpu:.2f} s, load {load:.1f}", file=sys.stderr)
        for name, cmd in anchors:
            p, wall, cpu, load = run(cmd)
            if p.returncode != 0:
                sys.exit(f"{name} failed ({p.returncode}): {p.stderr[-2000:]}")
            stats[name]["wall"].append(wall); stats[name]["cpu"].append(cpu); loads.append(load)
            print(f"round {r + 1} {name}: wall {wall:.2f} s, cpu {cpu:.2f} s, load {load:.1f}", file=sys.stderr)
    base = variants[0][0]
    bw, bc = statistics.median(stats[base]["wall"]), statistics.median(stats[base]["cpu"])
    print(f"`sarkit {' '.join(args)}`: {a.rounds} rounds, alternating; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
          f"load average median {statistics.median(loads):.1f} (range {min(loads):.1f}-{max(loads):.1f}), {os.cpu_count()} cores")
    print(f"| variant | wall s (median) | CPU s (median) | wall / {base} | CPU / {base} |")
    print("|---|---|---|---|---|")
    for name, _ in variants + anchors:
        w, c = statistics.median(stats[name]["wall"]), statistics.median(stats[name]["cpu"])
        print(f"| {name} | {w:.2f} | {c:.2f} | {w / bw:.2f} | {c / bc:.2f} |")
    same = len(set(outs.values())) == 1
    print(f"identical stdout across variants: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
