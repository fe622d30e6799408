namespace SarKit.Measurement.Probe;

/// <summary>
/// Natural cubic spline through (x_i, y_i), x strictly increasing (second derivative zero at both ends; two nodes give
/// the straight line). Outside [x_0, x_{n−1}] it continues linearly with the end slopes.
/// </summary>
public sealed class NaturalCubicSpline
{
    private readonly double[] _x, _y, _m; // m = second derivatives

    /// <summary>Builds the spline; throws unless x is strictly increasing and has at least two nodes.</summary>
    public NaturalCubicSpline(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        int n = x.Length;
        if (n < 2 || y.Length != n) throw new SarKitInputException($"spline: {n} nodes and {y.Length} values; expected at least 2 nodes and one value per node.");
        _x = x.ToArray(); _y = y.ToArray(); _m = new double[n];
        for (int i = 1; i < n; i++)
            if (!(_x[i] > _x[i - 1])) throw new SarKitInputException($"spline: nodes not strictly increasing at {i} ({_x[i - 1]}, {_x[i]}).");
        if (n == 2) return;
        // tridiagonal system for interior second derivatives (Thomas algorithm)
        var c = new double[n]; var d = new double[n];
        for (int i = 1; i < n - 1; i++)
        {
            double h0 = _x[i] - _x[i - 1], h1 = _x[i + 1] - _x[i];
            double a = h0, b = 2 * (h0 + h1), cc = h1;
            double r = 6 * ((_y[i + 1] - _y[i]) / h1 - (_y[i] - _y[i - 1]) / h0);
            double den = b - a * c[i - 1];
            c[i] = cc / den;
            d[i] = (r - a * d[i - 1]) / den;
        }
        for (int i = n - 2; i >= 1; i--) _m[i] = d[i] - c[i] * _m[i + 1];
    }

    /// <summary>Spline value at <paramref name="t"/>.</summary>
    public double Evaluate(double t)
    {
        int n = _x.Length;
        if (t <= _x[0]) return _y[0] + Slope(0, true) * (t - _x[0]);
        if (t >= _x[n - 1]) return _y[n - 1] + Slope(n - 2, false) * (t - _x[n - 1]);
        int lo = 0, hi = n - 1;
        while (hi - lo > 1) { int mid = (lo + hi) >> 1; if (_x[mid] > t) hi = mid; else lo = mid; }
        double h = _x[hi] - _x[lo], A = (_x[hi] - t) / h, B = 1 - A;
        return A * _y[lo] + B * _y[hi] + ((A * A * A - A) * _m[lo] + (B * B * B - B) * _m[hi]) * h * h / 6;
    }

    private double Slope(int seg, bool atStart)
    {
        double h = _x[seg + 1] - _x[seg];
        double s = (_y[seg + 1] - _y[seg]) / h;
        return atStart ? s - h * (2 * _m[seg] + _m[seg + 1]) / 6 : s + h * (_m[seg] + 2 * _m[seg + 1]) / 6;
    }
}

/// <summary>Tensor-product natural cubic spline interpolation of a regular (possibly non-uniform) 2-D grid.</summary>
public static class GridInterpolation
{
    /// <summary>
    /// Interpolates values[j·nx + i] at (x_i, y_j) onto the points (xq[a], yq[b]); result[b·xq.Length + a].
    /// Splines run along x for each row, then along y for each query column. A single node along an axis is held constant.
    /// </summary>
    public static double[] Bicubic(double[] xs, double[] ys, ReadOnlySpan<double> values, double[] xq, double[] yq)
    {
        int nx = xs.Length, ny = ys.Length, mx = xq.Length, my = yq.Length;
        if (values.Length != nx * ny) throw new ArgumentException("values size mismatch");
        var rows = new double[ny * mx];
        for (int j = 0; j < ny; j++)
        {
            var row = values.Slice(j * nx, nx);
            if (nx == 1) { for (int a = 0; a < mx; a++) rows[j * mx + a] = row[0]; continue; }
            var s = new NaturalCubicSpline(xs, row);
            for (int a = 0; a < mx; a++) rows[j * mx + a] = s.Evaluate(xq[a]);
        }
        var res = new double[my * mx];
        var col = new double[ny];
        for (int a = 0; a < mx; a++)
        {
            for (int j = 0; j < ny; j++) col[j] = rows[j * mx + a];
            if (ny == 1) { for (int b = 0; b < my; b++) res[b * mx + a] = col[0]; continue; }
            var s = new NaturalCubicSpline(ys, col);
            for (int b = 0; b < my; b++) res[b * mx + a] = s.Evaluate(yq[b]);
        }
        return res;
    }

    /// <summary>n points evenly spaced from <paramref name="lo"/> to <paramref name="hi"/> inclusive with step ≈ <paramref name="step"/>.</summary>
    public static double[] Nodes(double lo, double hi, double step)
    {
        int n = Math.Max(1, (int)Math.Round((hi - lo) / step)) + 1;
        if (hi <= lo) return [lo];
        var r = new double[n];
        for (int i = 0; i < n; i++) r[i] = lo + (hi - lo) * i / (n - 1);
        return r;
    }
}

/// <summary>Small dense linear least squares by Householder QR (m ≥ n, full column rank).</summary>
public static class LeastSquares
{
    /// <summary>
    /// Solves min ‖A x − b‖ for A (m×n, row-major) and returns x, the residual sum of squares and (AᵀA)⁻¹ (n×n),
    /// from which the parameter covariance is s²(AᵀA)⁻¹ with s² = RSS/(m − n).
    /// </summary>
    public static (double[] X, double Rss, double[,] Inverse) Solve(double[,] a, double[] b)
    {
        int m = a.GetLength(0), n = a.GetLength(1);
        if (m < n) throw new SarKitInputException($"least squares: {m} equations for {n} unknowns; expected at least {n}.");
        var r = (double[,])a.Clone(); var y = (double[])b.Clone();
        for (int k = 0; k < n; k++)
        {
            double norm = 0;
            for (int i = k; i < m; i++) norm += r[i, k] * r[i, k];
            norm = Math.Sqrt(norm);
            if (norm == 0) throw new SarKitInputException($"least squares: column {k} is zero or dependent; the fit is not determined by the data.");
            double alpha = r[k, k] > 0 ? -norm : norm;
            var v = new double[m];
            for (int i = k; i < m; i++) v[i] = r[i, k];
            v[k] -= alpha;
            double vv = 0; for (int i = k; i < m; i++) vv += v[i] * v[i];
            if (vv == 0) continue;
            for (int j = k; j < n; j++)
            {
                double s = 0; for (int i = k; i < m; i++) s += v[i] * r[i, j];
                s *= 2 / vv;
                for (int i = k; i < m; i++) r[i, j] -= s * v[i];
            }
            { double s = 0; for (int i = k; i < m; i++) s += v[i] * y[i]; s *= 2 / vv; for (int i = k; i < m; i++) y[i] -= s * v[i]; }
        }
        var maxDiag = 0.0; for (int k = 0; k < n; k++) maxDiag = Math.Max(maxDiag, Math.Abs(r[k, k]));
        for (int k = 0; k < n; k++)
            if (Math.Abs(r[k, k]) <= 1e-13 * maxDiag) throw new SarKitInputException("least squares: the design matrix is rank deficient; the fit is not determined by the data.");
        var x = new double[n];
        for (int k = n - 1; k >= 0; k--)
        {
            double s = y[k]; for (int j = k + 1; j < n; j++) s -= r[k, j] * x[j];
            x[k] = s / r[k, k];
        }
        double rss = 0; for (int i = n; i < m; i++) rss += y[i] * y[i];
        // R⁻¹ (upper triangular), then (AᵀA)⁻¹ = R⁻¹ R⁻ᵀ
        var ri = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            ri[i, i] = 1 / r[i, i];
            for (int j = i + 1; j < n; j++)
            {
                double s = 0; for (int k = i; k < j; k++) s += ri[i, k] * r[k, j];
                ri[i, j] = -s / r[j, j];
            }
        }
        var inv = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0; for (int k = Math.Max(i, j); k < n; k++) s += ri[i, k] * ri[j, k];
                inv[i, j] = s;
            }
        return (x, rss, inv);
    }
}
