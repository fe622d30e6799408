#!/usr/bin/python3
"""Slowest tests and per-class totals of one or more .trx files (dotnet test --logger trx); docs/testing.md.

usage: /usr/bin/python3 tests/tools/trx_summary.py RESULTS.trx [--top 40] [--classes 40]
Durations are wall times of each test inside the test host; under load they are inflated, so compare ranks and shares.
"""
import argparse
import collections
import xml.etree.ElementTree as ET

NS = "{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}"


def seconds(text):
    h, m, s = text.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("trx", nargs="+")
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--classes", type=int, default=40)
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


if __name__ == "__main__":
    main()
