"""Train a B1+ -> local-SAR surrogate on 3D openEMS subjects (docs/surrogate.md, "Retrained on 3D subjects"), CPU.

Data: the pair files written by `sarkit surrogate evaluate --data3d DIR --pairs-out PAIRS` (one <id>.npz per subject:
per-channel B1+ of the slab's exact slices on the 2D training grid, anatomy, rho, stored shims with the true
IEC/IEEE 62704-1 10 g SAR map of the 3D model on each slice, and each channel's own 10 g map). The 3D 10 g SAR of a
shim is not a function of one slice's fields, so (unlike train.py) shims are not made on the fly: a step draws stored
(subject, slice, shim) triples of the TRAINING subjects only (--train); the held-out subjects are evaluated in C#.

Models (same networks, inputs and ONNX interface as train.py, so C# inference is unchanged):
  unet / cgan  [Re, Im B1+(w)] / <|B1+(w)|> x mask (+ mask, water, fat) -> 3D 10 g SAR / <|B1+(w)|>^2 on the slice
  perchannel   b_n / s (+ anatomy) -> e_n / s; the loss compares the 2D square average of |sum w_n e_n|^2 (what C#
               computes from the prediction) with the 3D 10 g map of the stored shims, and of |e_n|^2 with each
               channel's own 10 g map: e_n are "effective" fields whose 2D-averaged SAR reproduces the 3D target.

Training-time augmentation (per sample, seeded; the target is left unchanged unless stated):
  B1+ measurement error  per-channel complex gain (1 + N(0, --b1-gain)) e^{j N(0, --b1-phase deg)} and additive complex
                         Gaussian noise of --b1-noise x mean |b_n| per cell, applied to the per-channel maps before the
                         shim is combined (the normalisation uses the perturbed <|B1+|>, as a scanner would);
  B1+ scale              global factor U[1 - --b1-scale, 1 + --b1-scale] (the normalisation makes it a no-op for the
                         model; kept so the invariance is exercised);
  tissue-property scale  target x U[1 - --sigma-scale, 1 + --sigma-scale]: first-order effect of a conductivity change at
                         fixed E (SAR = sigma |E|^2 / 2 rho); the field change is neglected, so this is a crude proxy,
                         not a substitute for the OOD openEMS runs (tools/surrogate3d/ood_variants.txt).

Fine-tuning (--init-from models/surrogate/unet/model.onnx): the generator starts from a shipped 2D model's weights
(onnx_weights.py: BatchNorm folded by the export, so BN layers stay in eval mode with their statistics frozen); the
architecture (--base, --levels) must match the file (the shipped 2D models: --base 16 --levels 4). The cGAN's
discriminator is not in the ONNX file and starts from scratch.

Model selection (--val SUBJECTS): at step 0 and every --val-minutes the generator is evaluated on the validation
subjects' first --val-shims stored shims (all exact slices): pooled true/predicted peak ratios r give the factor at
which P(under) = 13 % (q0.87 of r, the paper's raw figure) and the mean overestimation there, mean(f p / t) - 1 (the
selection metric, lower is better), and the raw P(under). Every evaluation is logged (config.json "validation"); the
weights with the lowest metric are kept (best.pt) and are what model.pt / model.onnx hold; --patience N stops after N
evaluations without improvement. Test subjects are never read.

Resumable: --out/checkpoint.pt (weights, optimiser, step, elapsed time, rng state) every --checkpoint-minutes; the same
command continues where it stopped. Outputs: model.pt, config.json (with grid, crop, model, target: what C# reads),
model.onnx (--onnx).

  PYTHONPATH=surrogate /usr/bin/python3 -m sarkit_surrogate.train3d --pairs PAIRS --train A00001,...,A00006 \\
      --model unet --minutes 30 --out runs3d/unet --onnx
"""
import argparse
import hashlib
import json
import os
import pickle
import time

import numpy as np

from . import averaging, data
from . import train as train2d

H_CELL = 0.005


def parse(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--pairs", required=True, help="folder of <id>.npz pair files (sarkit surrogate evaluate --pairs-out)")
    p.add_argument("--train", required=True, help="comma-separated training subject ids (everything else is held out)")
    p.add_argument("--model", choices=["cgan", "unet", "perchannel"], default="unet")
    p.add_argument("--steps", type=int, default=1000000)
    p.add_argument("--minutes", type=float, default=30.0, help="wall-clock budget (cosine learning rate over it)")
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--base", type=int, default=8)
    p.add_argument("--levels", type=int, default=4)
    p.add_argument("--under-weight", type=float, default=2.0)
    p.add_argument("--peak-weight", type=float, default=1.0)
    p.add_argument("--adv-weight", type=float, default=0.01)
    p.add_argument("--channel-weight", type=float, default=0.5, help="perchannel: weight of the per-channel 10 g term")
    p.add_argument("--shims-per-step", type=int, default=4, help="perchannel: stored shims per sample and step")
    p.add_argument("--b1-gain", type=float, default=0.03)
    p.add_argument("--b1-phase", type=float, default=3.0, help="degrees")
    p.add_argument("--b1-noise", type=float, default=0.02)
    p.add_argument("--b1-scale", type=float, default=0.2)
    p.add_argument("--sigma-scale", type=float, default=0.1)
    p.add_argument("--no-augment", action="store_true")
    p.add_argument("--footprint", default="18,78,6,90", help="y0,y1,x0,x1 of the slab on the training grid (sarkit surrogate evaluate --data3d: fov_offset and slab size)")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", required=True)
    p.add_argument("--onnx", action="store_true")
    p.add_argument("--log-every", type=int, default=25)
    p.add_argument("--checkpoint-minutes", type=float, default=5.0)
    p.add_argument("--init-from", default=None, help="fine-tune: model.onnx of a shipped 2D model with the same architecture")
    p.add_argument("--val", default="", help="comma-separated validation subject ids (model selection)")
    p.add_argument("--val-shims", type=int, default=16, help="stored shims per validation subject used by the selection metric")
    p.add_argument("--val-minutes", type=float, default=5.0)
    p.add_argument("--patience", type=int, default=0, help="stop after this many validation evaluations without improvement (0 = never)")
    return p.parse_args(argv)


def load_pairs(folder, ids):
    subs = []
    for sid in ids:
        with np.load(os.path.join(folder, sid + ".npz")) as z:
            subs.append({k: z[k] for k in z.files} | {"id": sid})
    return subs


def slab_box(footprint, k, grid=(96, 96)):
    """Training window: the slab's footprint on the grid (rows y0..y1, columns x0..x1, where any subject's tissue can
    be: data/surrogate3d's 84 x 60 slab at training-grid offset [6, 18]), grown to multiples of k. It depends on the
    dataset's geometry only, never on a subject's anatomy or targets; C# refuses a body outside it."""
    ny, nx = grid
    y0, y1, x0, x1 = footprint
    return (data._grow(y0, y1, ny, k), data._grow(x0, x1, nx, k))


def perturb_b1(b, mask, rng, a):
    """b [C, 2, H, W] -> perturbed copy (module docstring)."""
    if a.no_augment:
        return b
    C = b.shape[0]
    bc = b[:, 0] + 1j * b[:, 1]
    gain = (1 + rng.normal(0, a.b1_gain, C)) * np.exp(1j * np.deg2rad(rng.normal(0, a.b1_phase, C)))
    bc = bc * gain[:, None, None]
    level = np.abs(bc)[:, mask > 0].mean(axis=1) * a.b1_noise
    noise = (rng.normal(size=bc.shape) + 1j * rng.normal(size=bc.shape)) * (level / np.sqrt(2))[:, None, None]
    bc = (bc + noise * mask) * rng.uniform(1 - a.b1_scale, 1 + a.b1_scale)
    return np.stack([bc.real, bc.imag], axis=1).astype(np.float32)


def anatomy(sub, s):
    return np.stack([sub["mask"][s].astype(np.float32), sub["water"][s], sub["fat"][s]])


def direct_sample(sub, s, m, rng, a):
    mask = sub["mask"][s].astype(np.float32)
    b = perturb_b1(sub["b1_channels"][s], mask, rng, a)
    B = data.combine(b, sub["phases"][m].astype(float))
    mean_abs = float(np.sqrt(B[0] ** 2 + B[1] ** 2)[mask > 0].mean())
    x = np.concatenate([B / mean_abs * mask, anatomy(sub, s)]).astype(np.float32)
    y = sub["sar10g"][m, s] / float(sub["b1_mean_abs"][m, s]) ** 2
    if not a.no_augment:
        y = y * rng.uniform(1 - a.sigma_scale, 1 + a.sigma_scale)
    return x, y[None].astype(np.float32), mask


def perchannel_sample(sub, s, ms, rng, a):
    mask = sub["mask"][s].astype(np.float32)
    b = perturb_b1(sub["b1_channels"][s], mask, rng, a)
    C = b.shape[0]
    scale = float(np.sqrt((b[:, 0] ** 2 + b[:, 1] ** 2).mean(axis=0)[mask > 0].mean()))
    x = np.concatenate([(b / scale * mask).reshape(2 * C, *mask.shape), anatomy(sub, s)]).astype(np.float32)
    # targets in the units of |e/s|^2: the true 3D 10 g maps (W/kg per V^2) / s_true^2, s_true from the unperturbed b
    b0 = sub["b1_channels"][s]
    s0 = float(np.sqrt((b0[:, 0] ** 2 + b0[:, 1] ** 2).mean(axis=0)[mask > 0].mean()))
    f = rng.uniform(1 - a.sigma_scale, 1 + a.sigma_scale) if not a.no_augment else 1.0
    ys = np.stack([sub["sar10g"][m, s] for m in ms]) / s0 ** 2 * f
    yc = sub["sar10g_channel"][:, s] / s0 ** 2 * f
    ph = np.stack([sub["phases"][m] for m in ms]).astype(np.float32)
    return x, ys.astype(np.float32), yc.astype(np.float32), ph, mask


PAPER_RAW_PUNDER = 0.13


def selection_metrics(t, p):
    """t, p: true and predicted normalised peaks. Factor at P(under) = 13 % (type-7 quantile 0.87 of t/p, as
    Surrogate3dEvaluator.MatchedFactor), mean overestimation there, raw P(under) and raw mean overestimation."""
    t, p = np.asarray(t, float), np.asarray(p, float)
    if not (np.all(np.isfinite(p)) and np.all(p > 0)):
        return {"cases": int(t.size), "matched_factor": None, "matched_mean_over": float("inf"), "raw_p_under": None, "raw_mean_over": None}
    f = float(np.quantile(t / p, 1 - PAPER_RAW_PUNDER))
    return {"cases": int(t.size), "matched_factor": round(f, 5), "matched_mean_over": round(float(np.mean(f * p / t) - 1), 5),
            "raw_p_under": round(float(np.mean(t > p)), 5), "raw_mean_over": round(float(np.mean(p / t) - 1), 5)}


def validation_peaks(gen, val, a, model, widths):
    """(true, predicted) normalised peaks of the validation cases (no augmentation): the first a.val_shims stored shims
    x every slice of each validation subject, predicted on the training window as C# does."""
    import torch
    from . import models as mdl
    t, p = [], []
    was = gen.training
    gen.eval()
    with torch.no_grad():
        for sub in val:
            S, M = sub["mask"].shape[0], min(a.val_shims, sub["phases"].shape[0])
            for s in range(S):
                mask = sub["mask"][s].astype(np.float32)
                if model == "perchannel":
                    b = sub["b1_channels"][s]
                    C = b.shape[0]
                    sc = float(np.sqrt((b[:, 0] ** 2 + b[:, 1] ** 2).mean(axis=0)[mask > 0].mean()))
                    x = np.concatenate([(b / sc * mask).reshape(2 * C, *mask.shape), anatomy(sub, s)]).astype(np.float32)
                    e = gen(torch.from_numpy(x[None]))
                    ph = torch.from_numpy(sub["phases"][:M].astype(np.float32))
                    sp = mdl.sar_from_e(e.expand(M, -1, -1, -1), torch.cos(ph), torch.sin(ph)) * torch.from_numpy(mask)
                    rho = torch.from_numpy(np.broadcast_to(sub["rho"][s].astype(np.float32), (M, 1) + mask.shape).copy())
                    pl = torch.from_numpy(np.broadcast_to(torch_averaging_planes(sub["hw"][s], widths), (M, len(widths)) + mask.shape).copy())
                    from . import torch_averaging
                    avg = torch_averaging.mass_average(sp, rho, pl, widths) * torch.from_numpy(mask)
                    peak = avg.flatten(1).max(dim=1).values.numpy() * sc ** 2
                    for m in range(M):
                        p.append(peak[m] / float(sub["b1_mean_abs"][m, s]) ** 2)
                        t.append(float(sub["sar10g"][m, s].max()) / float(sub["b1_mean_abs"][m, s]) ** 2)
                else:
                    xs = []
                    for m in range(M):
                        B = data.combine(sub["b1_channels"][s], sub["phases"][m].astype(float))
                        mean_abs = float(np.sqrt(B[0] ** 2 + B[1] ** 2)[mask > 0].mean())
                        xs.append(np.concatenate([B / mean_abs * mask, anatomy(sub, s)]).astype(np.float32))
                        t.append(float(sub["sar10g"][m, s].max()) / float(sub["b1_mean_abs"][m, s]) ** 2)
                    pred = gen(torch.from_numpy(np.stack(xs)))[:, 0].numpy() * mask
                    p.extend(float(v) for v in pred.reshape(M, -1).max(axis=1))
    gen.train(was)
    return np.array(t), np.array(p)


def torch_averaging_planes(hw, widths):
    from . import torch_averaging
    return torch_averaging.half_width_planes(hw, widths)


def main(argv=None):
    a = parse(argv)
    import torch
    from . import losses, models, torch_averaging

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    ids = [s for s in a.train.split(",") if s]
    val_ids = [s for s in a.val.split(",") if s]
    if set(ids) & set(val_ids):
        raise SystemExit(f"--train and --val share subjects: {sorted(set(ids) & set(val_ids))}")
    train = load_pairs(a.pairs, ids)
    val = load_pairs(a.pairs, val_ids)
    C = train[0]["b1_channels"].shape[1]
    k = 2 ** a.levels
    box = slab_box([int(v) for v in a.footprint.split(",")], k)
    (y0, y1), (x0, x1) = box
    for sub in train + val:
        for key in ("b1_channels", "mask", "water", "fat", "rho", "sar10g", "sar10g_channel"):
            sub[key] = sub[key][..., y0:y1, x0:x1]
        if a.model == "perchannel":
            sub["hw"] = [averaging.half_widths(r, H_CELL) for r in sub["rho"]]
    widths = sorted({int(n) for sub in train + val for hw in sub.get("hw", []) for n in np.unique(hw[hw >= 0])})
    triples = [(i, s) for i, sub in enumerate(train) for s in range(sub["mask"].shape[0])]
    M = min(sub["phases"].shape[0] for sub in train)
    print(json.dumps({"train": ids, "val": val_ids, "slices": len(triples), "shims": M, "window": box}), flush=True)
    os.makedirs(a.out, exist_ok=True)

    if a.model == "perchannel":
        gen = models.UNet(2 * C + 3, 2 * C, a.base, a.levels, positive=False)
    else:
        gen = models.UNet(5, 1, a.base, a.levels, positive=True)
    disc = models.PatchGAN(6, base=16) if a.model == "cgan" else None
    if a.init_from:
        from . import onnx_weights
        try:
            n = onnx_weights.load_into(gen, a.init_from)
        except (OSError, ValueError) as e:
            raise SystemExit(f"--init-from: {e}")
        print(json.dumps({"init_from": a.init_from, "convolutions": n}), flush=True)
    opt_g = torch.optim.Adam(gen.parameters(), lr=a.lr, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(disc.parameters(), lr=a.lr, betas=(0.5, 0.999)) if disc is not None else None
    bce = torch.nn.BCEWithLogitsLoss()

    ckpt = os.path.join(a.out, "checkpoint.pt")
    step, elapsed, history = 0, 0.0, []
    validation, best = [], None   # best: {"step", "metric", "state"}
    if os.path.exists(ckpt):
        st = torch.load(ckpt)
        gen.load_state_dict(st["gen"]); opt_g.load_state_dict(st["opt_g"])
        if disc is not None:
            disc.load_state_dict(st["disc"]); opt_d.load_state_dict(st["opt_d"])
        step, elapsed, history = st["step"], st["elapsed"], st["history"]
        validation, best = st.get("validation", []), st.get("best")
        rng = pickle.loads(st["rng"]); torch.set_rng_state(st["torch_rng"])
        print(json.dumps({"resumed_at_step": step, "elapsed_s": round(elapsed, 1)}), flush=True)

    def save():
        st = {"gen": gen.state_dict(), "opt_g": opt_g.state_dict(), "step": step, "elapsed": elapsed + time.time() - t0,
              "history": history, "validation": validation, "best": best, "rng": pickle.dumps(rng), "torch_rng": torch.get_rng_state()}
        if disc is not None:
            st["disc"], st["opt_d"] = disc.state_dict(), opt_d.state_dict()
        torch.save(st, ckpt + ".tmp"); os.replace(ckpt + ".tmp", ckpt)

    def validate():
        nonlocal best
        if not val:
            return False
        tv = time.time()
        t, p = validation_peaks(gen, val, a, a.model, widths)
        rec = {"step": step, "seconds": round(elapsed + time.time() - t0, 1)} | selection_metrics(t, p)
        rec["eval_seconds"] = round(time.time() - tv, 1)
        improved = best is None or rec["matched_mean_over"] < best["metric"]
        rec["best"] = improved
        if improved:
            best = {"step": step, "metric": rec["matched_mean_over"], "record": rec,
                    "state": {k: v.detach().clone() for k, v in gen.state_dict().items()}}
        validation.append(rec)
        print(json.dumps({"validation": rec}), flush=True)
        return improved

    def train_mode():
        gen.train()
        if a.init_from:
            from . import onnx_weights
            onnx_weights.freeze_batchnorm(gen)

    budget = a.minutes * 60.0
    t0 = time.time(); last = t0
    if val and not validation:
        validate()   # step 0: the initial (e.g. shipped 2D) weights
    last_val = time.time()
    stale = 0
    train_mode()
    while step < a.steps:
        frac = (elapsed + time.time() - t0) / budget if budget > 0 else step / a.steps
        if frac >= 1.0:
            break
        step += 1
        lr = train2d.set_cosine_lr((opt_g, opt_d), a.lr, frac)
        d_loss = None
        picks = [triples[j] for j in rng.integers(len(triples), size=a.batch)]
        if a.model == "perchannel":
            xs, ys, ycs, phs, msk, rhos, planes = [], [], [], [], [], [], []
            for i, s in picks:
                ms = rng.choice(M, a.shims_per_step, replace=False)
                x, y, yc, ph, m = perchannel_sample(train[i], s, ms, rng, a)
                xs.append(x); ys.append(y); ycs.append(yc); phs.append(ph); msk.append(m[None])
                rhos.append(train[i]["rho"][s][None].astype(np.float32))
                planes.append(torch_averaging.half_width_planes(train[i]["hw"][s], widths))
            x, y, yc, ph, m, rho, pl = [torch.from_numpy(np.stack(v)) for v in (xs, ys, ycs, phs, msk, rhos, planes)]
            e_hat = gen(x)
            loss = 0
            for j in range(a.shims_per_step):
                sp = models.sar_from_e(e_hat, torch.cos(ph[:, j]), torch.sin(ph[:, j])) * m
                avg = torch_averaging.mass_average(sp, rho, pl, widths) * m
                loss = loss + losses.asymmetric_l1(avg, y[:, j:j + 1], m, a.under_weight, a.peak_weight) / a.shims_per_step
            if a.channel_weight > 0:
                for n in range(C):
                    pn = (e_hat[:, 2 * n:2 * n + 1] ** 2 + e_hat[:, 2 * n + 1:2 * n + 2] ** 2) * m
                    avg = torch_averaging.mass_average(pn, rho, pl, widths) * m
                    loss = loss + a.channel_weight / C * losses.asymmetric_l1(avg, yc[:, n:n + 1], m, a.under_weight, a.peak_weight)
            opt_g.zero_grad(); loss.backward(); opt_g.step()
        else:
            xs, ys, msk = [], [], []
            for i, s in picks:
                x, y, m = direct_sample(train[i], s, int(rng.integers(M)), rng, a)
                xs.append(x); ys.append(y); msk.append(m[None])
            x, y, m = [torch.from_numpy(np.stack(v)) for v in (xs, ys, msk)]
            loss, d_loss = train2d.direct_step(gen, disc, opt_g, opt_d, bce, x, y, m, a)
        if not np.isfinite(loss.item()):
            raise SystemExit(f"step {step}: loss is {loss.item()}")
        if step % a.log_every == 0 or step == 1:
            rec = {"step": step, "loss": round(float(loss.item()), 6), "lr": round(lr, 8), "seconds": round(elapsed + time.time() - t0, 1)}
            if d_loss is not None:
                rec["d_loss"] = round(float(d_loss.item()), 6)
            history.append(rec)
            print(json.dumps(rec), flush=True)
        if val and time.time() - last_val > a.val_minutes * 60:
            stale = 0 if validate() else stale + 1
            last_val = time.time()
            train_mode()
            save(); last = time.time()
            if a.patience and stale >= a.patience:
                print(json.dumps({"early_stop": step, "evaluations_without_improvement": stale}), flush=True)
                break
        if time.time() - last > a.checkpoint_minutes * 60:
            save(); last = time.time()
    if val and (not validation or validation[-1]["step"] != step):
        validate()
    save()
    if best is not None:
        gen.load_state_dict(best["state"])
    gen.eval()
    torch.save(gen.state_dict(), os.path.join(a.out, "model.pt"))
    config = dict(vars(a))
    config.update({"model": a.model, "target": "sar10g", "data": "3d-openems-pairs", "train_subjects": ids,
                   "validation_subjects": val_ids, "validation": validation,
                   "selected_step": best["step"] if best is not None else step,
                   "selection": ("lowest validation mean overestimation at the factor giving P(under) = 13 % (q0.87 of true/predicted), "
                                 f"first {a.val_shims} stored shims x all slices of {','.join(val_ids)}") if val_ids else "last step (no validation subjects)",
                   "parameters": models.count_parameters(gen), "input_channels": gen.enc[0][0].in_channels,
                   "output_channels": gen.head.out_channels, "pad_multiple": k,
                   "grid": {"nx": 96, "ny": 96, "cell_size_m": H_CELL},
                   "crop": {"y0": y0, "y1": y1, "x0": x0, "x1": x1}, "steps_done": step,
                   "train_seconds": round(elapsed + time.time() - t0, 1), "history": history,
                   "safety_factor_metric": "sar10g", "safety_factor": None,
                   "safety_factor_note": "none: calibrate with sarkit surrogate evaluate --data3d on held-out subjects"})
    if a.onnx:
        path = os.path.join(a.out, "model.onnx")
        train2d.export_onnx(gen, config["input_channels"], y1 - y0, x1 - x0, k, path)
        with open(path, "rb") as f:
            config["onnx_sha256"] = hashlib.sha256(f.read()).hexdigest()
    with open(os.path.join(a.out, "config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2)
    print(json.dumps({"done": step, "seconds": config["train_seconds"]}), flush=True)


if __name__ == "__main__":
    main()
