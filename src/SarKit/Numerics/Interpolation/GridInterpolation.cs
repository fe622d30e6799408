namespace SarKit.Numerics.Interpolation;
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
