namespace SarKit.Compression.Algorithms;

/// <summary>
/// Solves a small finite zero-sum game exactly: value = min over the simplex c of max_k Σ_s M_ks c_s
/// = max over the simplex x of min_s Σ_k x_k M_ks (von Neumann). With A = M + σ (σ making every entry positive) the
/// column player's problem is the LP max 1ᵀy s.t. A y ≤ 1, y ≥ 0, whose slack basis is feasible, so a dense tableau
/// simplex method (Dantzig's rule, Bland's rule after many degenerate pivots; Chvátal, Linear Programming, ch. 2–3) needs
/// no phase 1: value(A) = 1/Σy, c = y/Σy, x = the slack reduced costs normalised. Buffers are reused; no allocation
/// once grown. Used by the cutting-plane CC dominance test (rows = cuts, columns = VOPs).
/// </summary>
internal sealed class MatrixGameSolver
{
    private double[] _t = [];
    private int[] _basis = [];

    /// <summary>Game value of the rows × cols payoff <paramref name="m"/> (row-major, stride <paramref name="stride"/>); c (cols) and x (rows) are the optimal mixed strategies.</summary>
    public double Solve(ReadOnlySpan<double> m, int rows, int cols, int stride, Span<double> c, Span<double> x)
    {
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        for (int r = 0; r < rows; r++)
            for (int s = 0; s < cols; s++) { double v = m[r * stride + s]; lo = Math.Min(lo, v); hi = Math.Max(hi, v); }
        double range = hi - lo, scale = Math.Max(Math.Abs(hi), Math.Abs(lo));
        double shift = -lo + Math.Max(range, scale > 0 ? scale : 1);
        int width = cols + rows + 1, total = (rows + 1) * width;
        if (_t.Length < total) _t = new double[Math.Max(total, _t.Length * 2)];
        if (_basis.Length < rows) _basis = new int[Math.Max(rows, _basis.Length * 2)];
        var t = _t.AsSpan(0, total);
        t.Clear();
        for (int r = 0; r < rows; r++)
        {
            var row = t.Slice(r * width, width);
            for (int s = 0; s < cols; s++) row[s] = m[r * stride + s] + shift;
            row[cols + r] = 1;
            row[width - 1] = 1;
            _basis[r] = cols + r;
        }
        var obj = t.Slice(rows * width, width);
        for (int s = 0; s < cols; s++) obj[s] = -1;

        int maxPivots = 50 * (rows + cols) + 100, blandAfter = 10 * (rows + cols) + 20;
        for (int pivot = 0; pivot < maxPivots; pivot++)
        {
            int e = -1;
            if (pivot < blandAfter)
            {
                double best = -1e-13;
                for (int j = 0; j < width - 1; j++) if (obj[j] < best) { best = obj[j]; e = j; }
            }
            else
                for (int j = 0; j < width - 1; j++) if (obj[j] < -1e-13) { e = j; break; }
            if (e < 0) break;
            int leave = -1; double ratio = double.PositiveInfinity;
            for (int r = 0; r < rows; r++)
            {
                double a = t[r * width + e];
                if (a <= 1e-12) continue;
                double q = t[r * width + width - 1] / a;
                if (q < ratio - 1e-15 || (q <= ratio + 1e-15 && leave >= 0 && _basis[r] < _basis[leave])) { ratio = q; leave = r; }
            }
            if (leave < 0) break; // unbounded cannot happen for A > 0; guard only
            Pivot(t, rows, width, leave, e);
            _basis[leave] = e;
        }

        double sumY = obj[width - 1];
        c[..cols].Clear();
        for (int r = 0; r < rows; r++)
            if (_basis[r] < cols) c[_basis[r]] = Math.Max(0, t[r * width + width - 1]);
        double sc = 0;
        for (int s = 0; s < cols; s++) sc += c[s];
        if (!(sc > 0)) { c[..cols].Fill(1.0 / cols); sc = 1; sumY = 0; }
        else for (int s = 0; s < cols; s++) c[s] /= sc;
        double sx = 0;
        for (int r = 0; r < rows; r++) { x[r] = Math.Max(0, obj[cols + r]); sx += x[r]; }
        if (sx > 0) for (int r = 0; r < rows; r++) x[r] /= sx;
        else x[..rows].Fill(1.0 / rows);
        // value from the strategies themselves (robust to rounding in the tableau): max_k (M c)_k
        double value = double.NegativeInfinity;
        for (int r = 0; r < rows; r++)
        {
            double v = 0;
            for (int s = 0; s < cols; s++) v += m[r * stride + s] * c[s];
            value = Math.Max(value, v);
        }
        return value;
    }

    private static void Pivot(Span<double> t, int rows, int width, int pr, int pc)
    {
        var prow = t.Slice(pr * width, width);
        double inv = 1 / prow[pc];
        for (int j = 0; j < width; j++) prow[j] *= inv;
        prow[pc] = 1;
        for (int r = 0; r <= rows; r++)
        {
            if (r == pr) continue;
            var row = t.Slice(r * width, width);
            double f = row[pc];
            if (f == 0) continue;
            for (int j = 0; j < width; j++) row[j] -= f * prow[j];
            row[pc] = 0;
        }
    }
}
