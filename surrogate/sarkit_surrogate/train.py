"""Train a B1+ -> local-SAR surrogate on a SarKit surrogate dataset (docs/surrogate.md), CPU, PyTorch 1.13.

Models:
  cgan        U-Net generator + PatchGAN discriminator; L = asymmetric L1 (+ peak term) + adv_weight * GAN (Meliado-style)
  unet        the same generator and loss without the discriminator (ablation)
  perchannel  8 complex per-channel B1+ maps -> 8 complex e_n = sqrt(sigma/2rho) E_n; SAR(w) = |sum w_n e_n|^2 for
              random shims in the loss (physics-structured: exact for every shim, runs once per subject)

Training samples are made on the fly: each step draws training subjects and fresh random shims (uniform amplitudes,
phases U[0, 2pi), channel 1 at 0) and combines the subject's stored per-channel maps exactly as the dataset builder
does, so the direct models see a new shim every time. Evaluation uses the shims stored in the shards (made in C#).

Example (full run, about an hour on 2 cores; not CI):
  PYTHONPATH=surrogate /usr/bin/python3 -m sarkit_surrogate.train --data DS --model perchannel --levels 4 --minutes 60 --steps 100000 --out runs/pc --onnx
Outputs in --out: model.pt, config.json, report.json (val-calibrated safety factor, test metrics, baselines),
cases_val.csv, cases_test.csv, model.onnx (--onnx).
"""
import argparse
import csv
import hashlib
import json
import math
import os
import time

import numpy as np

from . import averaging, data, evaluation, metrics


def parse(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True, help="dataset folder (manifest.json + subject_*.npz)")
    p.add_argument("--model", choices=["cgan", "unet", "perchannel"], default="unet")
    p.add_argument("--target", choices=["sar", "sar10g"], default="sar10g", help="direct models: which normalised SAR map to learn")
    p.add_argument("--steps", type=int, default=1000, help="maximum optimiser steps")
    p.add_argument("--minutes", type=float, default=0.0, help="wall-clock training budget (0 = no limit); the learning rate follows a cosine over the budget")
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--lr", type=float, default=2e-4)
    p.add_argument("--base", type=int, default=16, help="U-Net channels at full resolution")
    p.add_argument("--levels", type=int, default=3)
    p.add_argument("--under-weight", type=float, default=2.0, help="extra weight of underestimation (cell-wise)")
    p.add_argument("--peak-weight", type=float, default=1.0)
    p.add_argument("--adv-weight", type=float, default=0.01, help="cgan: weight of the adversarial term")
    p.add_argument("--e-weight", type=float, default=0.1, help="perchannel: weight of the L1 loss on e_n")
    p.add_argument("--avg-weight", type=float, default=1.0, help="perchannel: weight of the asymmetric loss on the 2D 10 g SAR of each shim")
    p.add_argument("--shims-per-step", type=int, default=4, help="perchannel: random shims per subject and step")
    p.add_argument("--no-anatomy", action="store_true", help="do not feed mask/water/fat images")
    p.add_argument("--crop", choices=["auto", "none"], default="auto", help="train on the window holding every body (config 'crop')")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--eval-shims", type=int, default=0, help="stored shims per subject in the evaluation (0 = all)")
    p.add_argument("--calibration-quantile", type=float, default=0.95, help="safety factor = this quantile of true/pred peak on the validation subjects")
    p.add_argument("--out", required=True)
    p.add_argument("--onnx", action="store_true", help="export model.onnx (opset 13)")
    p.add_argument("--log-every", type=int, default=50)
    p.add_argument("--checkpoint-minutes", type=float, default=10.0)
    return p.parse_args(argv)


class Subject:
    """A subject's per-channel maps on the training window, with its 10 g squares."""

    def __init__(self, arrays, box, h):
        self.a = {k: data.crop(v, box) for k, v in arrays.items()}
        self.hw = averaging.half_widths(self.a["rho"], h)
        rho = self.a["rho"].astype(float)
        self.average = lambda sar: averaging.mass_average(sar, rho, self.hw)


def main(argv=None):
    a = parse(argv)
    import torch
    from . import losses, models, torch_averaging

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    ds = data.SurrogateDataset(a.data)
    C = ds.channels
    k = 2 ** a.levels
    anat = not a.no_anatomy
    n_anat = 3 if anat else 0
    h = float(ds.manifest["grid"]["cell_size_m"])
    ny, nx = int(ds.manifest["grid"]["ny"]), int(ds.manifest["grid"]["nx"])
    box = data.crop_box(ds, k) if a.crop == "auto" else ((0, ny), (0, nx))
    os.makedirs(a.out, exist_ok=True)

    train_entries = ds.subjects("train")
    if not train_entries:
        raise SystemExit("the dataset has no training subjects")
    t_load = time.time()
    train = [Subject(data.load_keys(ds, s, data.TRAIN_KEYS), box, h) for s in train_entries]
    widths = sorted({int(n) for s in train for n in np.unique(s.hw[s.hw >= 0])})
    print(json.dumps({"train_subjects": len(train), "window": box, "load_seconds": round(time.time() - t_load, 1),
                      "square_half_widths": widths}), flush=True)

    if a.model == "perchannel":
        gen = models.UNet(2 * C + n_anat, 2 * C, a.base, a.levels, positive=False)
    else:
        gen = models.UNet(2 + n_anat, 1, a.base, a.levels, positive=True)
    disc = models.PatchGAN(2 + n_anat + 1) if a.model == "cgan" else None
    opt_g = torch.optim.Adam(gen.parameters(), lr=a.lr, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(disc.parameters(), lr=a.lr, betas=(0.5, 0.999)) if disc is not None else None
    bce = torch.nn.BCEWithLogitsLoss()

    def direct_batch():
        xs, ys, ms = [], [], []
        for _ in range(a.batch):
            s = train[rng.integers(len(train))]
            x, y, m, _ = data.shim_sample(s.a, data.random_phases(rng, C), a.target, anat, s.average)
            xs.append(x); ys.append(y); ms.append(m[None])
        return [torch.from_numpy(np.stack(v)) for v in (xs, ys, ms)]

    def perchannel_batch():
        xs, es, ms, rs, ps = [], [], [], [], []
        for _ in range(a.batch):
            s = train[rng.integers(len(train))]
            x, e, m, _ = data.per_channel_sample(s.a, anat)
            xs.append(x); es.append(e); ms.append(m[None]); rs.append(s.a["rho"][None].astype(np.float32))
            ps.append(torch_averaging.half_width_planes(s.hw, widths))
        return [torch.from_numpy(np.stack(v)) for v in (xs, es, ms, rs, ps)]

    def save_checkpoint():
        torch.save(gen.state_dict(), os.path.join(a.out, "model.pt"))

    history = []
    t0 = time.time()
    last_ckpt = t0
    budget = a.minutes * 60.0
    gen.train()
    step = 0
    for step in range(1, a.steps + 1):
        frac = (time.time() - t0) / budget if budget > 0 else (step - 1) / max(1, a.steps)
        if budget > 0 and frac >= 1.0:
            step -= 1
            break
        lr = set_cosine_lr((opt_g, opt_d), a.lr, frac)
        d_loss = None
        if a.model == "perchannel":
            x, e, m, rho, planes = perchannel_batch()
            e_hat = gen(x)
            loss = a.e_weight * losses.masked_l1(e_hat, e, m)
            for _ in range(a.shims_per_step):
                ph = torch.from_numpy(rng.uniform(0, 2 * np.pi, (x.shape[0], C)).astype(np.float32))
                ph[:, 0] = 0
                cos, sin = torch.cos(ph), torch.sin(ph)
                sp, st = models.sar_from_e(e_hat, cos, sin) * m, models.sar_from_e(e, cos, sin) * m
                term = losses.asymmetric_l1(sp, st, m, a.under_weight, a.peak_weight)
                if a.avg_weight > 0:
                    term = term + a.avg_weight * losses.asymmetric_l1(
                        torch_averaging.mass_average(sp, rho, planes, widths),
                        torch_averaging.mass_average(st, rho, planes, widths), m, a.under_weight, a.peak_weight)
                loss = loss + term / a.shims_per_step
            opt_g.zero_grad(); loss.backward(); opt_g.step()
        else:
            x, y, m = direct_batch()
            loss, d_loss = direct_step(gen, disc, opt_g, opt_d, bce, x, y, m, a)
        if not np.isfinite(loss.item()):
            raise SystemExit(f"step {step}: loss is {loss.item()}")
        if step % a.log_every == 0 or step == 1 or step == a.steps:
            rec = {"step": step, "loss": round(float(loss.item()), 6), "lr": round(lr, 8), "seconds": round(time.time() - t0, 1)}
            if d_loss is not None:
                rec["d_loss"] = round(float(d_loss.item()), 6)
            history.append(rec)
            print(json.dumps(rec), flush=True)
        if time.time() - last_ckpt > a.checkpoint_minutes * 60:
            save_checkpoint(); last_ckpt = time.time()
    train_seconds = time.time() - t0
    save_checkpoint()

    t_eval = time.time()
    report = evaluate(gen, ds, a, k, anat, box, train, train_entries)
    report["evaluation_seconds"] = round(time.time() - t_eval, 1)
    config = {k_: v for k_, v in vars(a).items()}
    pk = "sar" if a.model != "perchannel" and a.target == "sar" else "sar10g"
    sf = report.get("methods", {}).get("model", {}).get(pk, {}).get("safety_factor")
    config.update({"parameters": models.count_parameters(gen), "input_channels": gen.enc[0][0].in_channels,
                   "output_channels": gen.head.out_channels, "pad_multiple": k, "dataset_seed": ds.manifest["seed"],
                   "dataset_subjects": len(ds.manifest["subjects"]), "grid": ds.manifest["grid"],
                   "crop": {"y0": box[0][0], "y1": box[0][1], "x0": box[1][0], "x1": box[1][1]},
                   "steps_done": step, "train_seconds": round(train_seconds, 1), "history": history,
                   "safety_factor_metric": pk, "safety_factor": sf,
                   "safety_factor_note": f"q{a.calibration_quantile:g} of true/predicted peak {pk} on the validation subjects"})
    if a.onnx:
        path = os.path.join(a.out, "model.onnx")
        export_onnx(gen, config["input_channels"], box[0][1] - box[0][0], box[1][1] - box[1][0], k, path)
        with open(path, "rb") as f:
            config["onnx_sha256"] = hashlib.sha256(f.read()).hexdigest()
    with open(os.path.join(a.out, "config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2)
    with open(os.path.join(a.out, "report.json"), "w", encoding="utf-8") as f:
        json.dump(report, f, indent=2)
    print(json.dumps({"summary": summary(report)}), flush=True)
    return report


def set_cosine_lr(optimisers, base_lr, frac):
    """Cosine decay from base_lr to 5 % of it over the training fraction frac in [0, 1]; sets it on every optimiser
    (None entries skipped) and returns it."""
    lr = base_lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * min(1.0, frac))))
    for opt in optimisers:
        if opt is not None:
            for g in opt.param_groups:
                g["lr"] = lr
    return lr


def direct_step(gen, disc, opt_g, opt_d, bce, x, y, m, a):
    """One optimiser step of a direct model (unet; cgan with a discriminator step first, pix2pix: real = (x, y),
    fake = (x, G(x))): asymmetric L1 + peak term (+ adv_weight * GAN). Returns (generator loss, discriminator loss or None)."""
    from . import losses
    y_hat = gen(x)
    d_loss = None
    if disc is not None:
        real, fake = disc(x, y), disc(x, y_hat.detach())
        d_loss = 0.5 * (bce(real, torch_ones(real)) + bce(fake, torch_zeros(fake)))
        opt_d.zero_grad(); d_loss.backward(); opt_d.step()
    loss = losses.asymmetric_l1(y_hat * m, y, m, a.under_weight, a.peak_weight)
    if disc is not None:
        adv = disc(x, y_hat)
        loss = loss + a.adv_weight * bce(adv, torch_ones(adv))
    opt_g.zero_grad(); loss.backward(); opt_g.step()
    return loss, d_loss


def torch_ones(t):
    import torch
    return torch.ones_like(t)


def torch_zeros(t):
    import torch
    return torch.zeros_like(t)


def summary(report):
    out = {}
    for m, per in report.get("methods", {}).items():
        for key, r in per.items():
            c = r["test_calibrated"]
            out[f"{m}/{key}"] = {"sf": round(r["safety_factor"], 4), "p_under": round(c["p_underestimation"], 4),
                                 "mean_over": round(c["mean_overestimation"], 4), "raw_mean_over": round(r["test_raw"]["mean_overestimation"], 4),
                                 "raw_p_under": round(r["test_raw"]["p_underestimation"], 4)}
    return out


def export_onnx(gen, in_ch, H, W, k, path):
    import torch
    gen.eval()
    H, W = H + (-H) % k, W + (-W) % k
    dummy = torch.zeros(1, in_ch, H, W)
    torch.onnx.export(gen, dummy, path, opset_version=13, input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "n", 2: "h", 3: "w"}, "output": {0: "n", 2: "h", 3: "w"}})


def predicted_peaks(gen, a, k, anat, box, shard, shims, h):
    """Model's normalised peaks (point and/or 10 g) for the stored shims of one subject, on the training window."""
    import torch
    sub = {kk: data.crop(shard[kk], box) for kk in data.TRAIN_KEYS}
    mask = sub["mask"].astype(np.float32)
    H, W = mask.shape
    out = {"sar": [], "sar10g": []}
    with torch.no_grad():
        if a.model == "perchannel":
            x, _, _, scale = data.per_channel_sample(sub, anat)
            e_hat = gen(torch.from_numpy(data.pad_multiple(x, k)[None]))[0, :, :H, :W].numpy() * scale
            hw = averaging.half_widths(sub["rho"], h)
            for i in shims:
                sar = data.sar_from_channels(e_hat, shard["phases"][i]) * mask / shard["b1_mean_abs"][i] ** 2
                out["sar"].append(float(sar.max()))
                out["sar10g"].append(float(averaging.mass_average(sar, sub["rho"], hw).max()))
        else:
            xs = []
            for i in shims:
                x, _, _ = data.direct_sample(shard, i, a.target, anat)
                xs.append(data.pad_multiple(data.crop(x, box), k))
            pred = gen(torch.from_numpy(np.stack(xs)))[:, 0, :H, :W].numpy() * mask
            out[a.target] = [max(float(p.max()), 1e-30) for p in pred]
    return out


def evaluate(gen, ds, a, k, anat, box, train, train_entries):
    """Cases of the validation and test subjects (stored shims): true peaks, the model's, the generic fixed phantom's
    and the training-mean constant; safety factor calibrated on validation, applied to test (evaluation.report)."""
    gen.eval()
    h = float(ds.manifest["grid"]["cell_size_m"])
    keys = ["sar", "sar10g"] if a.model == "perchannel" else [a.target]
    # generic phantom: the training subject with the median body area
    areas = [int(s.a["mask"].sum()) for s in train]
    g = int(np.argsort(areas, kind="stable")[len(areas) // 2])
    generic = train[g]
    # constant: mean normalised training peak over training subjects and random shims
    crng = np.random.default_rng(12345)
    const = {kk: [] for kk in keys}
    for _ in range(min(2000, 20 * len(train))):
        s = train[crng.integers(len(train))]
        pk = evaluation.normalised_peaks(s.a, data.random_phases(crng, ds.channels), s.average)
        for kk in keys:
            const[kk].append(pk[kk])
    const = {kk: float(np.mean(v)) for kk, v in const.items()}
    splits = {}
    for split in ("val", "test"):
        cases = {"subject": [], "shim": []}
        for kk in keys:
            for m in ("true", "model", "generic", "constant"):
                cases[f"{m}_{kk}"] = []
        for entry in ds.subjects(split):
            shard = ds.load(entry)
            M = shard["phases"].shape[0]
            shims = list(range(M if a.eval_shims <= 0 else min(M, a.eval_shims)))
            pred = predicted_peaks(gen, a, k, anat, box, shard, shims, h)
            for j, i in enumerate(shims):
                gp = evaluation.normalised_peaks(generic.a, shard["phases"][i], generic.average)
                cases["subject"].append(entry["index"]); cases["shim"].append(i)
                for kk in keys:
                    cases[f"true_{kk}"].append(float(shard[kk][i].max()))
                    cases[f"model_{kk}"].append(pred[kk][j])
                    cases[f"generic_{kk}"].append(gp[kk])
                    cases[f"constant_{kk}"].append(const[kk])
            ds._cache.pop(entry["file"], None)
        splits[split] = {kk: np.asarray(v) for kk, v in cases.items()}
        write_cases(os.path.join(a.out, f"cases_{split}.csv"), cases)
    if len(splits["val"]["subject"]) == 0 or len(splits["test"]["subject"]) == 0:
        return {"note": "validation or test split is empty: no calibrated evaluation"}
    rep = evaluation.report(splits["val"], splits["test"], ["model", "generic", "constant"], keys, a.calibration_quantile)
    rep["generic_subject"] = train_entries[g]["index"]
    rep["constant"] = const
    return rep


def write_cases(path, cases):
    cols = list(cases.keys())
    tmp = path + ".tmp"
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(cols)
        for row in zip(*(cases[c] for c in cols)):
            w.writerow([f"{v:.7g}" if isinstance(v, float) else v for v in row])
    os.replace(tmp, path)


if __name__ == "__main__":
    main()
