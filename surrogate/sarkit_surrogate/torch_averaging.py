"""The 2D-adapted 10 g average (averaging.py, SquareMassAverage2D in C#) as differentiable torch operations, for losses
on 10 g SAR computed from predicted per-channel fields."""
import numpy as np
import torch
import torch.nn.functional as F


def half_width_planes(hw, widths):
    """One-hot planes [K, H, W] (float32) selecting each tissue cell's square half-width among `widths`."""
    return np.stack([(hw == n) for n in widths]).astype(np.float32)


def mass_average(sar, rho, planes, widths):
    """sar, rho [N, 1, H, W]; planes [N, K, H, W] from half_width_planes. Mass-weighted mean over each cell's centred
    (2n+1)^2 square (zero outside tissue)."""
    out = torch.zeros_like(sar)
    m = sar * rho
    for i, n in enumerate(widths):
        ker = torch.ones(1, 1, 2 * n + 1, 2 * n + 1, dtype=sar.dtype)
        num = F.conv2d(m, ker, padding=n)
        den = F.conv2d(rho, ker, padding=n).clamp_min(1e-12)
        out = out + planes[:, i:i + 1] * num / den
    return out
