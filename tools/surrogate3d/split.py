#!/usr/bin/env python3
"""Subject-level split of a 3D surrogate dataset (tools/surrogate3d/split.json; used by retrain.sh).

  split.py --data data/surrogate3d --split tools/surrogate3d/split.json --out RUN/split.json
      -> {"train": [...], "validation": [...], "test": [...], "rule": ..., "source": ...}
  split.py --data data/surrogate3d --subset A00007,B00001 --subset-dir RUN/test-data
      -> a folder with symlinks to those subjects' files and a manifest.json holding only them (what
         `sarkit surrogate evaluate --data3d` reads)

Listed subjects (split.json "fixed") keep their set; the others follow the rule from their id alone: a held-out family
always goes to test, family A by a seeded hash (u = sha256("<seed>:<id>")[:8] / 2^64 < test_fraction -> test, then
validation_fraction -> validation, else train), so adding subjects never moves an existing subject between sets.
Errors (exit 2) name the file and field.
"""
import argparse
import hashlib
import json
import os
import sys


def fail(msg):
    print(f"split.py: {msg}", file=sys.stderr)
    sys.exit(2)


def manifest(data):
    path = os.path.join(data, "manifest.json")
    try:
        with open(path, encoding="utf-8") as f:
            m = json.load(f)
    except (OSError, ValueError) as e:
        fail(f"'{path}': {e}")
    subs = m.get("subjects")
    if not isinstance(subs, list) or not subs:
        fail(f"'{path}': field 'subjects' is missing or empty")
    return path, m, subs


def assign(ids_families, spec, path):
    rule = spec.get("rule", {})
    try:
        held = set(rule["held_out_families"]); seed = int(rule["seed"])
        ft, fv = float(rule["test_fraction"]), float(rule["validation_fraction"])
    except (KeyError, TypeError, ValueError) as e:
        fail(f"'{path}': field 'rule' needs held_out_families, seed, test_fraction, validation_fraction ({e})")
    if not (0 <= ft and 0 <= fv and ft + fv < 1):
        fail(f"'{path}': test_fraction {ft} + validation_fraction {fv} must be in [0, 1)")
    fixed = {}
    for k in ("train", "validation", "test"):
        for sid in spec.get("fixed", {}).get(k, []):
            if sid in fixed:
                fail(f"'{path}': subject {sid} is listed in both fixed.{fixed[sid]} and fixed.{k}")
            fixed[sid] = k
    out = {"train": [], "validation": [], "test": []}
    for sid, fam in ids_families:
        if sid in fixed:
            k = fixed[sid]
            if fam in held and k != "test":
                fail(f"'{path}': subject {sid} of held-out family {fam} is fixed to {k}")
        elif fam in held:
            k = "test"
        else:
            u = int.from_bytes(hashlib.sha256(f"{seed}:{sid}".encode()).digest()[:8], "big") / 2.0 ** 64
            k = "test" if u < ft else "validation" if u < ft + fv else "train"
        out[k].append(sid)
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True)
    p.add_argument("--split", help="split.json (rule and fixed sets)")
    p.add_argument("--out", help="write the resolved split here (default: stdout)")
    p.add_argument("--subset", help="comma-separated ids for --subset-dir")
    p.add_argument("--subset-dir")
    a = p.parse_args(argv)
    mpath, m, subs = manifest(a.data)
    ids_families = []
    for i, s in enumerate(subs):
        if not isinstance(s, dict) or not isinstance(s.get("id"), str) or not isinstance(s.get("family"), str) or not isinstance(s.get("file"), str):
            fail(f"'{mpath}': subjects[{i}] needs string fields id, family and file")
        ids_families.append((s["id"], s["family"]))
    if a.subset_dir:
        want = [x for x in (a.subset or "").split(",") if x]
        known = {s["id"]: s for s in subs}
        missing = [x for x in want if x not in known]
        if not want or missing:
            fail(f"--subset: {'no ids given' if not want else 'not in ' + mpath + ': ' + ', '.join(missing)}")
        os.makedirs(a.subset_dir, exist_ok=True)
        for x in want:
            dst = os.path.join(a.subset_dir, known[x]["file"])
            if not os.path.lexists(dst):
                os.symlink(os.path.abspath(os.path.join(a.data, known[x]["file"])), dst)
        sub = dict(m); sub["subjects"] = [known[x] for x in want]
        tmp = os.path.join(a.subset_dir, "manifest.json.tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(sub, f, indent=1)
        os.replace(tmp, os.path.join(a.subset_dir, "manifest.json"))
        return
    if not a.split:
        fail("give --split (or --subset-dir)")
    try:
        with open(a.split, encoding="utf-8") as f:
            spec = json.load(f)
    except (OSError, ValueError) as e:
        fail(f"'{a.split}': {e}")
    out = assign(ids_families, spec, a.split)
    for k in ("train", "validation"):
        if not out[k]:
            fail(f"'{a.split}' on '{mpath}': the {k} set is empty ({len(subs)} subjects)")
    res = out | {"rule": spec.get("rule"), "source": {"split": a.split, "manifest": mpath, "subjects": len(subs)}}
    text = json.dumps(res, indent=1)
    if a.out:
        with open(a.out + ".tmp", "w", encoding="utf-8") as f:
            f.write(text + "\n")
        os.replace(a.out + ".tmp", a.out)
    else:
        print(text)


if __name__ == "__main__":
    main()
