"""Training smoke test: a few steps of each model on a tiny dataset, evaluation and ONNX export.
Usage: python3 -m sarkit_surrogate.smoke_test --data DS --out TMPDIR   (DS from `sarkit surrogate dataset`;
surrogate/smoke_test.py is the same as a script)"""
import argparse
import json
import math
import os

from . import train


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--steps", type=int, default=3)
    a = p.parse_args()
    for model in ("unet", "cgan", "perchannel"):
        out = os.path.join(a.out, model)
        report = train.main(["--data", a.data, "--model", model, "--steps", str(a.steps), "--batch", "2", "--base", "4",
                             "--levels", "2", "--out", out, "--onnx", "--eval-shims", "2", "--log-every", "1"])
        for f in ("model.pt", "model.onnx", "config.json", "report.json"):
            if not os.path.isfile(os.path.join(out, f)):
                raise SystemExit(f"{model}: {f} missing")
        with open(os.path.join(out, "config.json"), encoding="utf-8") as f:
            cfg = json.load(f)
        if not all(math.isfinite(h["loss"]) for h in cfg["history"]):
            raise SystemExit(f"{model}: non-finite loss")
        print(f"{model}: ok, {cfg['parameters']} parameters, report {json.dumps(report)[:200]}")
    print("smoke test passed")


if __name__ == "__main__":
    main()
