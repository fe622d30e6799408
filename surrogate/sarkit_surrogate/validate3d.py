"""Selection metric of existing ONNX models on the validation subjects' pairs (train3d.py's metric, same cases), e.g.
the shipped 2D baselines that a retrained model must beat (tools/surrogate3d/retrain.sh).

  PYTHONPATH=surrogate /usr/bin/python3 -m sarkit_surrogate.validate3d --pairs PAIRS --val A00011,A00012 \\
      --model models/surrogate/unet/model.onnx --model models/surrogate/cgan/model.onnx --out val_baselines.json

The network is rebuilt from config.json (model, base, levels) and the ONNX weights (onnx_weights.py); a model whose
config.json train_subjects include a validation subject is refused (exit 2).
"""
import argparse
import json
import os
import sys
import time

import numpy as np

from . import averaging, train3d


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--pairs", required=True)
    p.add_argument("--val", required=True)
    p.add_argument("--model", action="append", required=True, help="model.onnx (config.json beside it); repeatable")
    p.add_argument("--val-shims", type=int, default=16)
    p.add_argument("--footprint", default="18,78,6,90")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--skip-overlap", action="store_true", help="skip (with a note) instead of refusing a model trained or selected on a validation subject")
    p.add_argument("--out", required=True)
    a = p.parse_args(argv)
    import torch
    from . import models, onnx_weights
    torch.set_num_threads(a.threads)
    val_ids = [s for s in a.val.split(",") if s]
    val = train3d.load_pairs(a.pairs, val_ids)
    res = {"validation_subjects": val_ids, "val_shims": a.val_shims, "models": {}}
    for path in a.model:
        cfg_path = os.path.join(os.path.dirname(os.path.abspath(path)), "config.json")
        try:
            with open(cfg_path, encoding="utf-8") as f:
                cfg = json.load(f)
            kind, base, levels = cfg["model"], int(cfg["base"]), int(cfg["levels"])
        except (OSError, ValueError, KeyError) as e:
            print(f"validate3d: '{cfg_path}': {e}", file=sys.stderr); sys.exit(2)
        seen = sorted((set(cfg.get("train_subjects") or []) | set(cfg.get("validation_subjects") or [])) & set(val_ids))
        if seen:
            msg = f"'{path}' was trained or selected on {', '.join(seen)} (config.json train_subjects / validation_subjects)"
            if a.skip_overlap:
                print(f"validate3d: skipped: {msg}", file=sys.stderr); res.setdefault("skipped", {})[path] = msg; continue
            print(f"validate3d: {msg}", file=sys.stderr); sys.exit(2)
        k = 2 ** levels
        box = train3d.slab_box([int(v) for v in a.footprint.split(",")], k)
        (y0, y1), (x0, x1) = box
        subs = []
        for sub in val:
            s = dict(sub)
            for key in ("b1_channels", "mask", "water", "fat", "rho", "sar10g", "sar10g_channel"):
                s[key] = sub[key][..., y0:y1, x0:x1]
            if kind == "perchannel":
                s["hw"] = [averaging.half_widths(r, train3d.H_CELL) for r in s["rho"]]
            subs.append(s)
        widths = sorted({int(n) for s in subs for hw in s.get("hw", []) for n in np.unique(hw[hw >= 0])})
        C = subs[0]["b1_channels"].shape[1]
        gen = models.UNet(2 * C + 3, 2 * C, base, levels, positive=False) if kind == "perchannel" else models.UNet(5, 1, base, levels, positive=True)
        onnx_weights.load_into(gen, path)
        t0 = time.time()
        t, pr = train3d.validation_peaks(gen, subs, argparse.Namespace(val_shims=a.val_shims), kind, widths)
        rec = train3d.selection_metrics(t, pr) | {"eval_seconds": round(time.time() - t0, 1), "model": kind,
                                                  "train_subjects": cfg.get("train_subjects"), "parameters": models.count_parameters(gen)}
        res["models"][path] = rec
        print(json.dumps({path: rec}), flush=True)
    with open(a.out + ".tmp", "w", encoding="utf-8") as f:
        json.dump(res, f, indent=1)
    os.replace(a.out + ".tmp", a.out)


if __name__ == "__main__":
    main()
