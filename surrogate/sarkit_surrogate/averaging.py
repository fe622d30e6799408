"""numpy port of SarKit.Surrogate.SquareMassAverage2D (the 2D-adapted 10 g average, docs/surrogate.md), for evaluating
models that predict point quantities (the per-channel model).

The arithmetic follows the C# operation by operation (row running sums accumulated down the rows for the prefix
tables, the square mass as (2n+1)*h*(h*h)*sum), so both give the same half-widths and, in practice, the same bits;
tests/SarKit.Tests/Surrogate/SquareAverageParityTests.cs checks C#, this port and torch_averaging against each other."""
import numpy as np


def _box(prefix, n):
    H, W = prefix.shape[0] - 1, prefix.shape[1] - 1
    j = np.arange(H)[:, None]
    i = np.arange(W)[None, :]
    i0, i1 = np.clip(i - n, 0, W), np.clip(i + n + 1, 0, W)
    j0, j1 = np.clip(j - n, 0, H), np.clip(j + n + 1, 0, H)
    return prefix[j1, i1] - prefix[j0, i1] - prefix[j1, i0] + prefix[j0, i0]


def _prefix(a):
    p = np.zeros((a.shape[0] + 1, a.shape[1] + 1))
    p[1:, 1:] = a.cumsum(1).cumsum(0)  # as SquareMassAverage2D.FillPrefix: running sum along each row, plus the row above
    return p


def half_widths(rho, h, mass=0.010):
    """Smallest n with (2n+1)h * sum_square(rho) h^2 >= mass per tissue cell; -1 outside tissue."""
    rho = np.asarray(rho, float)
    p = _prefix(rho)
    hw = np.full(rho.shape, -1, int)
    todo = rho > 0
    nmax = max(rho.shape)
    for n in range(nmax + 1):
        ok = todo & (((2 * n + 1) * h * (h * h) * _box(p, n)) >= mass)  # the C# expression, same rounding
        hw[ok] = n
        todo &= ~ok
        if not todo.any():
            break
    hw[todo] = nmax
    return hw


def mass_average(sar, rho, hw):
    """Mass-weighted mean of sar over each tissue cell's (2n+1)^2 square (n = hw), 0 outside tissue."""
    rho = np.asarray(rho, float)
    pr, ps = _prefix(rho), _prefix(np.asarray(sar, float) * rho)
    out = np.zeros(rho.shape)
    for n in np.unique(hw[hw >= 0]):
        sel = hw == n
        out[sel] = (_box(ps, n) / np.maximum(_box(pr, n), 1e-300))[sel]
    return out
