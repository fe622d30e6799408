"""Safety metrics of predicted peak SAR as reported by Meliado et al. 2020 (docs/surrogate.md). numpy only."""
import numpy as np


def peak_metrics(true_peaks, pred_peaks):
    """ratio = pred/true per case. Returns mean overestimation (mean ratio - 1), P(underestimation) = P(ratio < 1),
    SF95 / SF100 = 95th percentile / max of true/pred (the factor that makes 95 % / all predictions conservative),
    and a 95 % Wilson interval for P(underestimation)."""
    t = np.asarray(true_peaks, float)
    p = np.asarray(pred_peaks, float)
    if t.shape != p.shape or t.size == 0:
        raise ValueError("true and predicted peaks must be non-empty and of the same shape")
    if np.any(t <= 0) or np.any(p <= 0):
        raise ValueError("peaks must be positive")
    ratio = p / t
    n = ratio.size
    k = int((ratio < 1).sum())
    ph = k / n
    z = 1.959963984540054
    centre = (ph + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(ph * (1 - ph) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    inv = t / p
    return {
        "cases": n,
        "mean_overestimation": float(ratio.mean() - 1),
        "p_underestimation": ph,
        "p_underestimation_ci95": [float(max(0.0, centre - half)), float(min(1.0, centre + half))],
        "sf95": float(np.quantile(inv, 0.95)),
        "sf100": float(inv.max()),
        "ratio_quantiles": {q: float(np.quantile(ratio, q)) for q in (0.05, 0.5, 0.95)},
    }
