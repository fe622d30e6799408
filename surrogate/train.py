#!/usr/bin/python3
"""Train a B1+ -> local-SAR surrogate on a SarKit surrogate dataset (docs/surrogate.md), CPU, PyTorch 1.13.

Models:
  cgan        U-Net generator + PatchGAN discriminator; L = asymmetric L1 (+ peak term) + adv_weight * GAN (Meliado-style)
  unet        the same generator and loss without the discriminator (ablation)
  perchannel  8 complex per-channel B1+ maps -> 8 complex e_n = sqrt(sigma/2rho) E_n; SAR(w) = |sum w_n e_n|^2 for
              random shims in the loss (physics-structured: exact for every shim, runs once per subject)

Example (full run, hours on 2 cores; not CI):
  /usr/bin/python3 surrogate/train.py --data DS --model unet --steps 20000 --batch 16 --out runs/unet
Outputs in --out: model.pt, config.json, report.json (metrics on the validation subjects), model.onnx (--onnx).
"""
import argparse
import hashlib
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sarkit_surrogate import averaging, data, metrics  # noqa: E402


def parse(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True, help="dataset folder (manifest.json + subject_*.npz)")
    p.add_argument("--model", choices=["cgan", "unet", "perchannel"], default="unet")
    p.add_argument("--target", choices=["sar", "sar10g"], default="sar10g", help="direct models: which normalised SAR map to learn")
    p.add_argument("--steps", type=int, default=1000)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--lr", type=float, default=2e-4)
    p.add_argument("--base", type=int, default=16, help="U-Net channels at full resolution")
    p.add_argument("--levels", type=int, default=3)
    p.add_argument("--under-weight", type=float, default=2.0, help="extra weight of underestimation (cell-wise)")
    p.add_argument("--peak-weight", type=float, default=1.0)
    p.add_argument("--adv-weight", type=float, default=0.01, help="cgan: weight of the adversarial term")
    p.add_argument("--e-weight", type=float, default=0.1, help="perchannel: weight of the L1 loss on e_n")
    p.add_argument("--shims-per-step", type=int, default=4, help="perchannel: random shims per subject and step")
    p.add_argument("--no-anatomy", action="store_true", help="do not feed mask/water/fat images")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--eval-split", default="val")
    p.add_argument("--eval-shims", type=int, default=0, help="shims per subject in the evaluation (0 = all)")
    p.add_argument("--out", required=True)
    p.add_argument("--onnx", action="store_true", help="export model.onnx (opset 13)")
    p.add_argument("--log-every", type=int, default=50)
    return p.parse_args(argv)


def main(argv=None):
    a = parse(argv)
    import torch
    from sarkit_surrogate import losses, models

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    ds = data.SurrogateDataset(a.data)
    C = ds.channels
    k = 2 ** a.levels
    anat = not a.no_anatomy
    n_anat = 3 if anat else 0
    os.makedirs(a.out, exist_ok=True)

    if a.model == "perchannel":
        gen = models.UNet(2 * C + n_anat, 2 * C, a.base, a.levels, positive=False)
    else:
        gen = models.UNet(2 + n_anat, 1, a.base, a.levels, positive=True)
    disc = models.PatchGAN(2 + n_anat + 1) if a.model == "cgan" else None
    opt_g = torch.optim.Adam(gen.parameters(), lr=a.lr, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(disc.parameters(), lr=a.lr, betas=(0.5, 0.999)) if disc is not None else None
    bce = torch.nn.BCEWithLogitsLoss()
    train_subjects = ds.subjects("train")
    if not train_subjects:
        raise SystemExit("the dataset has no training subjects")
    M = int(ds.manifest["shims_per_subject"])

    def direct_batch():
        xs, ys, ms = [], [], []
        for _ in range(a.batch):
            shard = ds.load(train_subjects[rng.integers(len(train_subjects))])
            x, y, m = data.direct_sample(shard, int(rng.integers(M)), a.target, anat)
            xs.append(data.pad_multiple(x, k)); ys.append(data.pad_multiple(y, k)); ms.append(data.pad_multiple(m[None], k))
        return [torch.from_numpy(np.stack(v)) for v in (xs, ys, ms)]

    def perchannel_batch():
        xs, es, ms = [], [], []
        for _ in range(a.batch):
            shard = ds.load(train_subjects[rng.integers(len(train_subjects))])
            x, e, m, _ = data.per_channel_sample(shard, anat)
            xs.append(data.pad_multiple(x, k)); es.append(data.pad_multiple(e, k)); ms.append(data.pad_multiple(m[None], k))
        return [torch.from_numpy(np.stack(v)) for v in (xs, es, ms)]

    history = []
    t0 = time.time()
    gen.train()
    for step in range(1, a.steps + 1):
        if a.model == "perchannel":
            x, e, m = perchannel_batch()
            e_hat = gen(x)
            loss = a.e_weight * losses.masked_l1(e_hat, e, m)
            for _ in range(a.shims_per_step):
                ph = torch.from_numpy(rng.uniform(0, 2 * np.pi, (x.shape[0], C)).astype(np.float32))
                ph[:, 0] = 0
                cos, sin = torch.cos(ph), torch.sin(ph)
                loss = loss + losses.asymmetric_l1(models.sar_from_e(e_hat, cos, sin), models.sar_from_e(e, cos, sin), m,
                                                   a.under_weight, a.peak_weight) / a.shims_per_step
            opt_g.zero_grad(); loss.backward(); opt_g.step()
            d_loss = None
        else:
            x, y, m = direct_batch()
            y_hat = gen(x)
            d_loss = None
            if disc is not None:
                # discriminator step (pix2pix: real = (x, y), fake = (x, G(x)))
                real = disc(x, y)
                fake = disc(x, y_hat.detach())
                d_loss = 0.5 * (bce(real, torch.ones_like(real)) + bce(fake, torch.zeros_like(fake)))
                opt_d.zero_grad(); d_loss.backward(); opt_d.step()
            loss = losses.asymmetric_l1(y_hat, y, m, a.under_weight, a.peak_weight)
            if disc is not None:
                adv = disc(x, y_hat)
                loss = loss + a.adv_weight * bce(adv, torch.ones_like(adv))
            opt_g.zero_grad(); loss.backward(); opt_g.step()
        if not np.isfinite(loss.item()):
            raise SystemExit(f"step {step}: loss is {loss.item()}")
        if step % a.log_every == 0 or step == 1 or step == a.steps:
            rec = {"step": step, "loss": float(loss.item()), "seconds": round(time.time() - t0, 2)}
            if d_loss is not None:
                rec["d_loss"] = float(d_loss.item())
            history.append(rec)
            print(json.dumps(rec), flush=True)

    report = evaluate(gen, ds, a, k, anat)
    torch.save(gen.state_dict(), os.path.join(a.out, "model.pt"))
    config = {k_: v for k_, v in vars(a).items()}
    config.update({"parameters": models.count_parameters(gen), "input_channels": gen.enc[0][0].in_channels,
                   "output_channels": gen.head.out_channels, "pad_multiple": k, "dataset_seed": ds.manifest["seed"],
                   "grid": ds.manifest["grid"], "train_seconds": round(time.time() - t0, 2), "history": history})
    if a.onnx:
        path = os.path.join(a.out, "model.onnx")
        export_onnx(gen, config["input_channels"], ds.manifest["grid"]["ny"], ds.manifest["grid"]["nx"], k, path)
        with open(path, "rb") as f:
            config["onnx_sha256"] = hashlib.sha256(f.read()).hexdigest()
    with open(os.path.join(a.out, "config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2)
    with open(os.path.join(a.out, "report.json"), "w", encoding="utf-8") as f:
        json.dump(report, f, indent=2)
    print(json.dumps({"report": report}), flush=True)
    return report


def export_onnx(gen, in_ch, ny, nx, k, path):
    import torch
    gen.eval()
    H, W = ny + (-ny) % k, nx + (-nx) % k
    dummy = torch.zeros(1, in_ch, H, W)
    torch.onnx.export(gen, dummy, path, opset_version=13, input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "n", 2: "h", 3: "w"}, "output": {0: "n", 2: "h", 3: "w"}})


def evaluate(gen, ds, a, k, anat):
    """Peak-SAR metrics on the subjects of a.eval_split: predicted vs true peak of the normalised map
    (direct: the --target map; perchannel: point SAR and the 2D 10 g average computed from the predicted e_n)."""
    import torch
    gen.eval()
    subs = ds.subjects(a.eval_split)
    if not subs:
        return {"split": a.eval_split, "note": "no subjects in this split"}
    M = int(ds.manifest["shims_per_subject"])
    shims = range(M if a.eval_shims <= 0 else min(M, a.eval_shims))
    h = float(ds.manifest["grid"]["cell_size_m"])
    true_pk, pred_pk = {"sar": [], "sar10g": []}, {"sar": [], "sar10g": []}
    with torch.no_grad():
        for s in subs:
            shard = ds.load(s)
            H, W = shard["mask"].shape
            if a.model == "perchannel":
                x, _, mask, scale = data.per_channel_sample(shard, anat)
                e_hat = gen(torch.from_numpy(data.pad_multiple(x, k)[None]))[0, :, :H, :W].numpy() * scale
                hw = averaging.half_widths(shard["rho"], h)
                for i in shims:
                    sar = data.sar_from_channels(e_hat, shard["phases"][i]) * mask / shard["b1_mean_abs"][i] ** 2
                    for key, pred in (("sar", sar), ("sar10g", averaging.mass_average(sar, shard["rho"], hw))):
                        true_pk[key].append(float(shard[key][i].max())); pred_pk[key].append(max(float(pred.max()), 1e-30))
            else:
                for i in shims:
                    x, y, mask = data.direct_sample(shard, i, a.target, anat)
                    pred = gen(torch.from_numpy(data.pad_multiple(x, k)[None]))[0, 0, :H, :W].numpy() * mask
                    true_pk[a.target].append(float(y.max())); pred_pk[a.target].append(max(float(pred.max()), 1e-30))
    out = {"split": a.eval_split, "subjects": len(subs)}
    for key in ("sar", "sar10g"):
        if true_pk[key]:
            out[key] = metrics.peak_metrics(true_pk[key], pred_pk[key])
    return out


if __name__ == "__main__":
    main()
