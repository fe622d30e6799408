"""Losses with an extra penalty on underestimation (docs/surrogate.md, 'asymmetric loss')."""
import torch
import torch.nn.functional as F


def asymmetric_l1(pred, target, mask, under_weight=2.0, peak_weight=1.0):
    """Per sample s = mean of the target over the body, d = (pred - target)/s;
    loss = mean_body(|d| + under_weight * relu(-d)) + peak_weight * mean(relu(max target - max pred)/s + 0.25 |max pred - max target|/s).
    Underestimation of a cell costs (1 + under_weight) times overestimation; the peak term targets peak SAR directly."""
    m = mask.expand_as(target)
    cells = m.sum(dim=(1, 2, 3)).clamp_min(1.0)
    s = ((target * m).sum(dim=(1, 2, 3)) / cells).clamp_min(1e-12)[:, None, None, None]
    d = (pred - target) / s
    per = (d.abs() + under_weight * F.relu(-d)) * m
    loss = per.sum() / m.sum().clamp_min(1.0)
    if peak_weight > 0:
        pt = (target * m).flatten(1).max(dim=1).values
        pp = (pred * m).flatten(1).max(dim=1).values
        sc = s.flatten()
        loss = loss + peak_weight * (F.relu(pt - pp) / sc + 0.25 * (pp - pt).abs() / sc).mean()
    return loss


def masked_l1(pred, target, mask):
    m = mask.expand_as(target)
    return ((pred - target).abs() * m).sum() / m.sum().clamp_min(1.0)
