#!/usr/bin/python3
"""Copy validated subjects from the batch output folder into DEST (data/surrogate3d/) and merge them into
DEST/manifest.json (see collect.sh).

The manifest is merged, never rebuilt from the output folder alone: every subject already in DEST/manifest.json is
kept (its file must still be in DEST with the recorded sha256 and size), new subjects are added, and a subject whose
new entry differs from the committed one in an identifying field (sha256, bytes, family, seed, file, generator,
format_version, slab_cells, keep_bits, ood) is refused (exit 2, naming the subject and the field) unless
--replace ID is given for it. Nothing in DEST changes when anything is refused. Files and manifest are written
atomically (temporary file + rename). Exit status: 0 ok, 2 refused (conflict, or a committed subject whose file is
missing or changed), 1 error.
"""
import argparse
import glob
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_subject  # noqa: E402  (SLAB_CELLS, KEEP_BITS: the dataset's compact settings)

# fields that identify a subject's data: a new entry that differs in one of them is a different subject file
IDENTITY_FIELDS = ("file", "family", "seed", "sha256", "bytes", "generator", "format_version", "slab_cells", "keep_bits", "ood")

DESCRIPTION = ("SarKit 3D surrogate dataset (docs/surrogate3d-dataset.md): validated subjects copied by "
               "tools/surrogate3d/collect.sh (merged into this manifest; committed entries are kept); regenerate any "
               "subject with tools/surrogate3d/run_subject.py --family F --seed N.")


class Refused(Exception):
    """A conflict or a damaged committed subject: collect changes nothing and exits with status 2."""


def body_model_generator(h5_path):
    """Body-model generator (name and version) recorded in a subject file's provenance, e.g.
    'SarKit.Surrogate.BodyModels.BodyModelGenerator v1'."""
    import h5py
    with h5py.File(h5_path, "r") as f:
        meta = json.loads(f["provenance"].attrs["body_model_metadata"])
    gen = meta.get("generator")
    if not isinstance(gen, str) or not gen:
        raise Refused(f"{h5_path}: no body-model generator in /provenance body_model_metadata")
    return gen


def entry_of(s, src):
    """Manifest entry of a run_subject.py summary s whose compact file is src."""
    v = s["validation"]
    return ({"id": s["id"], "family": s["family"], "seed": s["seed"], "file": s["file"], "bytes": s["bytes"],
             "sha256": s["sha256"], "generator": s.get("generator") or body_model_generator(src),
             "wall_time_s": v["wall_time_s"], "energy_min_eig": v["energy_min_eig"],
             "max_abs_S": v["max_abs_S"], "reciprocity_max_abs_S_minus_ST": v["reciprocity_max_abs_S_minus_ST"],
             "Skk_dB": v["Skk_dB"], "absorbed_over_incident_diag": v["absorbed_over_incident_diag"],
             "clearance_mm": v.get("clearance_mm"), "slab_cells": s["slab_cells"], "keep_bits": s["keep_bits"],
             "format_version": s.get("format_version", 1), "targets": s.get("targets")}
            | ({"ood": s["ood"]} if s.get("ood") else {}))


def conflicts(old, new):
    """Identifying fields in which new differs from old (a field missing from an old entry is read from its file)."""
    return [k for k in IDENTITY_FIELDS if old.get(k) != new.get(k)]


def load_manifest(dest):
    path = os.path.join(dest, "manifest.json")
    if not os.path.exists(path):
        return {"subjects": [], "refused": []}
    with open(path) as f:
        man = json.load(f)
    if not isinstance(man.get("subjects"), list):
        raise Refused(f"{path}: no 'subjects' list")
    ids = [s.get("id") for s in man["subjects"]]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup or None in ids:
        raise Refused(f"{path}: subject ids missing or repeated: {dup}")
    return man


def outdir_summaries(a):
    """(summaries of validated subjects, refused records) of the output folder; re-assembles files of an older
    compact format from the raw runs."""
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
        subjects.append((entry_of(s, src), src))
    return subjects, refused


def collect(a):
    man = load_manifest(a.dest)
    committed = {s["id"]: s for s in man["subjects"]}
    for r in a.replace:
        if r not in committed:
            raise Refused(f"--replace {r}: no such subject in {os.path.join(a.dest, 'manifest.json')}")
    # the committed files must be the ones the manifest lists (a merge never hides a damaged dataset)
    for sid, s in committed.items():
        p = os.path.join(a.dest, s["file"])
        if not os.path.exists(p):
            raise Refused(f"committed subject {sid}: file {p} missing")
        if run_subject.sha256(p) != s.get("sha256") or os.path.getsize(p) != s.get("bytes"):
            raise Refused(f"committed subject {sid}: field sha256/bytes: {p} differs from the manifest")
        if "generator" not in s:
            s["generator"] = body_model_generator(p)       # entries written before the field existed
    new, refused = outdir_summaries(a)

    # decide everything before writing anything
    plan, problems, replaced = [], [], []
    for e, src in new:
        old = committed.get(e["id"])
        if old is None:
            plan.append((e, src))
            continue
        diff = conflicts(old, e)
        if not diff:
            continue                                         # the committed subject again: keep the committed entry
        if e["id"] in a.replace:
            plan.append((e, src))
            replaced.append(e["id"])
            continue
        problems.append(f"subject {e['id']}: field {diff[0]} differs from the committed entry "
                        f"({old.get(diff[0])!r} -> {e.get(diff[0])!r})"
                        + (f"; also {', '.join(diff[1:])}" if len(diff) > 1 else "") + f" (use --replace {e['id']} to take the new one)")
    files = {}
    for e, _ in plan:
        kept = [s for s in committed.values() if s["id"] != e["id"] and s["file"] == e["file"]]
        if kept or files.get(e["file"], e["id"]) != e["id"]:
            problems.append(f"subject {e['id']}: field file {e['file']!r} already belongs to another subject")
        files[e["file"]] = e["id"]
    unreplaced = [r for r in a.replace if r not in replaced]
    if unreplaced:
        problems.append(f"--replace {', '.join(unreplaced)}: no differing new entry in {a.outdir}")
    if problems:
        raise Refused("\n".join(problems))

    # copy (atomically) and merge
    for e, src in plan:
        dst = os.path.join(a.dest, e["file"])
        if not os.path.exists(dst) or run_subject.sha256(dst) != e["sha256"]:
            tmp = dst + ".tmp"
            shutil.copyfile(src, tmp)
            os.replace(tmp, dst)
    merged = dict(committed)
    for e, _ in plan:
        merged[e["id"]] = e
    subjects = sorted(merged.values(), key=lambda s: s["id"])
    ok_ids = set(merged)
    ref = {r.get("id"): r for r in man.get("refused", []) if r.get("id") not in ok_ids}
    for r in refused:
        if r.get("id") not in ok_ids:
            ref[r.get("id")] = {"id": r.get("id"), "reasons": r.get("reasons")}
    manifest = {
        "description": DESCRIPTION,
        "subjects": subjects,
        "refused": sorted(ref.values(), key=lambda r: str(r["id"])),
        "counts": {"A": sum(s["family"] == "A" for s in subjects), "B": sum(s["family"] == "B" for s in subjects)},
        "total_bytes": sum(s["bytes"] for s in subjects),
    }
    tmp = os.path.join(a.dest, "manifest.json.tmp")
    with open(tmp, "w") as f:
        json.dump(manifest, f, indent=1)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, os.path.join(a.dest, "manifest.json"))
    added = [e["id"] for e, _ in plan if e["id"] not in replaced]
    print(f"{len(subjects)} subjects ({manifest['counts']}), {manifest['total_bytes'] / 1e6:.1f} MB in {a.dest}: "
          f"{len(committed)} committed, {len(added)} added{' ' + ','.join(added) if added else ''}, "
          f"{len(replaced)} replaced{' ' + ','.join(replaced) if replaced else ''}; {len(manifest['refused'])} refused")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--outdir", default="/work/surrogate3d-out")
    ap.add_argument("--dest", required=True)
    ap.add_argument("--workdir", default="/work/surrogate3d-work", help="raw runs (for re-assembly)")
    ap.add_argument("--replace", action="append", default=[], metavar="ID",
                    help="take the output folder's entry of subject ID instead of the committed one (repeatable)")
    a = ap.parse_args()
    os.makedirs(a.dest, exist_ok=True)
    try:
        collect(a)
    except Refused as ex:
        print(f"collect: refused, nothing changed in {a.dest}:\n{ex}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
