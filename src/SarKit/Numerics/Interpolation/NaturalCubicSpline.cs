namespace SarKit.Numerics.Interpolation;

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
