#!/usr/bin/python3
"""Slowest tests and per-class totals of one or more .trx files (dotnet test --logger trx); docs/testing.md.

usage: /usr/bin/python3 tests/tools/trx_summary.py RESULTS.trx [--top 40] [--classes 40] [--timeline] [--console CLASSES]
Durations are wall times of each test inside the test host; under load they are inflated, so compare ranks and shares.
--timeline: how the run used its parallel slots, from each test's start and end time: seconds with 0, 1, 2, ≥ 3 tests
running, the serial tail (from --console, a file listing the classes of the serial "Console" collection, one a line, or
the classes whose tests never overlapped another class's), per-class first start and last end (the critical path).
"""
import argparse
import collections
import datetime
import xml.etree.ElementTree as ET

NS = "{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}"


def seconds(text):
    h, m, s = text.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def stamp(text):
    # .NET writes 7 fractional digits; Python's fromisoformat takes at most 6
    text = text.replace("Z", "+00:00")
    head, _, rest = text.partition(".")
    if rest:
        digits = "".join(c for c in rest if c.isdigit())
        tz = rest[len(digits):]
        text = head + "." + digits[:6].ljust(6, "0") + tz
    return datetime.datetime.fromisoformat(text).timestamp()


def timeline(root, owner, console):
    runs = []
    for r in root.iter(NS + "UnitTestResult"):
        if r.get("startTime") and r.get("endTime"):
            runs.append((stamp(r.get("startTime")), stamp(r.get("endTime")), owner.get(r.get("testId"), "?"), r.get("testName")))
    if not runs:
        print("-- timeline: no start/end times")
        return
    t0 = min(r[0] for r in runs)
    events = sorted([(a, 1) for a, _, _, _ in runs] + [(b, -1) for _, b, _, _ in runs])
    busy, level, last = collections.Counter(), 0, events[0][0]
    for t, d in events:
        busy[min(level, 3)] += t - last
        level, last = level + d, t
    end = max(r[1] for r in runs)
    print(f"-- timeline: {end - t0:.0f} s from the first test start to the last test end")
    print("   seconds with 0 / 1 / 2 / >=3 tests running: " + " / ".join(f"{busy[k]:.0f}" for k in range(4)))
    span = collections.defaultdict(lambda: [float("inf"), 0.0, 0.0])
    for a, b, cls, _ in runs:
        s_ = span[cls]
        s_[0], s_[1], s_[2] = min(s_[0], a), max(s_[1], b), s_[2] + (b - a)
    if console:
        tail = [c for c in span if c in console or c.rsplit(".", 1)[-1] in console]
        if tail:
            first = min(span[c][0] for c in tail)
            print(f"   serial Console collection: {len(tail)} classes, from {first - t0:.0f} s to {max(span[c][1] for c in tail) - t0:.0f} s "
                  f"({sum(span[c][2] for c in tail):.0f} s of tests); other tests still running after its start: "
                  f"{sum(1 for a, b, c, _ in runs if c not in tail and b > first)}")
    print("   last 15 classes to finish (end s, first start s, sum of test durations s, class):")
    for cls, (a, b, tot) in sorted(span.items(), key=lambda x: -x[1][1])[:15]:
        print(f"   {b - t0:7.0f} {a - t0:7.0f} {tot:7.1f}  {cls}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("trx", nargs="+")
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--classes", type=int, default=40)
    ap.add_argument("--timeline", action="store_true")
    ap.add_argument("--console", help="file listing the classes of the serial collection, one a line")
    a = ap.parse_args()
    for path in a.trx:
        root = ET.parse(path).getroot()
        owner = {t.get("id"): t.find(NS + "TestMethod").get("className") for t in root.iter(NS + "UnitTest")}
        rows = [(seconds(r.get("duration", "0:0:0")), r.get("outcome"), r.get("testName"), owner.get(r.get("testId"), "?"))
                for r in root.iter(NS + "UnitTestResult")]
        total = sum(r[0] for r in rows) or 1.0
        times = root.find(NS + "Times")
        print(f"== {path}: {len(rows)} results, sum of test durations {total:.0f} s, run {times.get('start')} .. {times.get('finish')}")
        print(f"-- slowest {a.top} tests (s, outcome, name)")
        for d, outcome, name, _ in sorted(rows, key=lambda r: -r[0])[:a.top]:
            print(f"{d:8.1f}  {outcome:8s} {name}")
        per, count = collections.defaultdict(float), collections.Counter()
        for d, _, _, cls in rows:
            per[cls] += d
            count[cls] += 1
        print(f"-- classes by total (s, share, tests, class)")
        for cls, d in sorted(per.items(), key=lambda x: -x[1])[:a.classes]:
            print(f"{d:8.1f} {100 * d / total:5.1f} % {count[cls]:4d}  {cls}")
        if a.timeline:
            console = set()
            if a.console:
                console = {line.strip() for line in open(a.console, encoding="utf-8") if line.strip()}
            timeline(root, owner, console)


if __name__ == "__main__":
    main()
