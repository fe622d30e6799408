#!/usr/bin/python3
"""Copy validated subjects from the batch output folder into data/surrogate3d/ and write manifest.json (see collect.sh)."""
import argparse
import glob
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_subject  # noqa: E402  (SLAB_CELLS, KEEP_BITS: the dataset's compact settings)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--outdir", default="/work/surrogate3d-out")
    ap.add_argument("--dest", required=True)
    ap.add_argument("--workdir", default="/work/surrogate3d-work", help="raw runs (for re-assembly)")
    a = ap.parse_args()
    os.makedirs(a.dest, exist_ok=True)
    subjects, refused = [], []
    for js in sorted(glob.glob(os.path.join(a.outdir, "*.json"))):
        if js.endswith(".failed.json"):
            with open(js) as f:
                refused.append(json.load(f))
            continue
        with open(js) as f:
            s = json.load(f)
        if (s.get("slab_cells"), s.get("keep_bits"), s.get("format_version", 1)) != \
                (run_subject.SLAB_CELLS, run_subject.KEEP_BITS, run_subject.COMPACT_VERSION):
            # assembled with other compact settings (e.g. before a default changed): rebuild from the raw runs
            print(f"{s['id']}: re-assembling (format {run_subject.COMPACT_VERSION}, slab {run_subject.SLAB_CELLS}, "
                  f"{run_subject.KEEP_BITS} bits; 10 g targets by sarkit qmatrices)", flush=True)
            rc = subprocess.run([sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "run_subject.py"),
                                 "--family", s["family"], "--seed", str(s["seed"]), "--workdir", a.workdir, "--outdir", a.outdir,
                                 "--assemble-only"] + (["--variant", s["ood"]["variant"]] if s.get("ood") else [])).returncode
            if rc != 0:
                print(f"skip {s['id']}: re-assembly failed (exit {rc})")
                continue
            with open(js) as f:
                s = json.load(f)
        src = os.path.join(a.outdir, s["file"])
        if not os.path.exists(src) or run_subject.sha256(src) != s["sha256"]:
            print(f"skip {s['id']}: {src} missing or changed since validation")
            continue
        dst = os.path.join(a.dest, s["file"])
        if not os.path.exists(dst) or run_subject.sha256(dst) != s["sha256"]:
            tmp = dst + ".tmp"
            shutil.copyfile(src, tmp)
            os.replace(tmp, dst)
        v = s["validation"]
        subjects.append({"id": s["id"], "family": s["family"], "seed": s["seed"], "file": s["file"], "bytes": s["bytes"],
                         "sha256": s["sha256"], "wall_time_s": v["wall_time_s"], "energy_min_eig": v["energy_min_eig"],
                         "max_abs_S": v["max_abs_S"], "reciprocity_max_abs_S_minus_ST": v["reciprocity_max_abs_S_minus_ST"],
                         "Skk_dB": v["Skk_dB"], "absorbed_over_incident_diag": v["absorbed_over_incident_diag"],
                         "clearance_mm": v.get("clearance_mm"), "slab_cells": s["slab_cells"], "keep_bits": s["keep_bits"],
                         "format_version": s.get("format_version", 1), "targets": s.get("targets")}
                        | ({"ood": s["ood"]} if s.get("ood") else {}))
    manifest = {
        "description": "SarKit 3D surrogate dataset (docs/surrogate3d-dataset.md): validated subjects copied by "
                       "tools/surrogate3d/collect.sh; regenerate any subject with tools/surrogate3d/run_subject.py "
                       "--family F --seed N.",
        "subjects": subjects,
        "refused": [{"id": r.get("id"), "reasons": r.get("reasons")} for r in refused],
        "counts": {"A": sum(s["family"] == "A" for s in subjects), "B": sum(s["family"] == "B" for s in subjects)},
        "total_bytes": sum(s["bytes"] for s in subjects),
    }
    tmp = os.path.join(a.dest, "manifest.json.tmp")
    with open(tmp, "w") as f:
        json.dump(manifest, f, indent=1)
    os.replace(tmp, os.path.join(a.dest, "manifest.json"))
    print(f"{len(subjects)} subjects ({manifest['counts']}), {manifest['total_bytes'] / 1e6:.1f} MB in {a.dest}; {len(refused)} refused")


if __name__ == "__main__":
    main()
