"""Peak-SAR evaluation as Meliado et al. 2020 report it, with a safety factor calibrated on held-out subjects and
applied to other held-out subjects (docs/surrogate.md, "Evaluation"). numpy only; the network is passed in as a
function. Methods compared on exactly the same (subject, shim) cases:
  model     the surrogate's predicted peak of the normalised map
  generic   one fixed phantom's normalised peak SAR for the same shim, used for every subject (generic-model approach)
  constant  the mean normalised peak of the training subjects, i.e. pSAR = c <|B1+|>^2 with no subject information
"""
import numpy as np

from . import averaging, data, metrics

KEYS = ("sar", "sar10g")


def normalised_peaks(sub, phases, averager):
    """Peak point SAR and peak 2D 10 g SAR, / <|B1+|>^2, of a subject (per-channel maps) for one shim."""
    mask = sub["mask"] > 0
    b = data.combine(sub["b1_channels"], phases)
    mean_abs = float(np.sqrt(b[0] ** 2 + b[1] ** 2)[mask].mean())
    ec = data.combine(sub["e_channels"], phases)
    sar = (ec[0] ** 2 + ec[1] ** 2) / mean_abs ** 2
    return {"sar": float(sar.max()), "sar10g": float(averager(sar).max())}


def calibrated(true_peaks, pred_peaks, factor):
    return metrics.peak_metrics(true_peaks, np.asarray(pred_peaks, float) * factor)


def subject_bootstrap(subject_ids, true_peaks, pred_peaks, rounds=2000, seed=0):
    """95 % intervals of mean overestimation and P(underestimation) by resampling whole subjects (the shims of one
    subject are correlated, so case-wise intervals would be too narrow)."""
    ids = np.asarray(subject_ids)
    ratio = np.asarray(pred_peaks, float) / np.asarray(true_peaks, float)
    groups = [ratio[ids == u] for u in np.unique(ids)]
    rng = np.random.default_rng(seed)
    over, under = np.empty(rounds), np.empty(rounds)
    for r in range(rounds):
        pick = np.concatenate([groups[i] for i in rng.integers(len(groups), size=len(groups))])
        over[r] = pick.mean() - 1
        under[r] = (pick < 1).mean()
    return {"mean_overestimation_ci95": [float(np.quantile(over, 0.025)), float(np.quantile(over, 0.975))],
            "p_underestimation_ci95_subjects": [float(np.quantile(under, 0.025)), float(np.quantile(under, 0.975))]}


def tradeoff(true_peaks, pred_peaks, factors):
    """(factor, P(under), mean overestimation) for a range of safety factors."""
    t, p = np.asarray(true_peaks, float), np.asarray(pred_peaks, float)
    return [{"factor": float(f), "p_underestimation": float((p * f < t).mean()), "mean_overestimation": float((p * f / t).mean() - 1)}
            for f in factors]


def report(cases_val, cases_test, methods, keys, quantile=0.95):
    """cases_*: dict with 'subject', 'true_<key>', '<method>_<key>' arrays. Safety factor of each method and key =
    `quantile` of true/pred over the validation cases; test metrics raw and with that factor."""
    out = {"calibration": {"split": "val", "quantile": quantile, "cases": int(len(cases_val["subject"]))},
           "test_cases": int(len(cases_test["subject"])), "test_subjects": int(len(np.unique(cases_test["subject"]))),
           "methods": {}}
    for m in methods:
        out["methods"][m] = {}
        for k in keys:
            tv, pv = cases_val[f"true_{k}"], cases_val[f"{m}_{k}"]
            tt, pt = cases_test[f"true_{k}"], cases_test[f"{m}_{k}"]
            if len(tv) == 0 or len(tt) == 0:
                continue
            sf = float(np.quantile(np.asarray(tv) / np.asarray(pv), quantile))
            cal = calibrated(tt, pt, sf)
            cal.update(subject_bootstrap(cases_test["subject"], tt, np.asarray(pt) * sf))
            out["methods"][m][k] = {"safety_factor": sf, "val_raw": metrics.peak_metrics(tv, pv),
                                    "test_raw": metrics.peak_metrics(tt, pt), "test_calibrated": cal,
                                    "test_tradeoff": tradeoff(tt, pt, np.linspace(0.9, 2.0, 23))}
    return out
