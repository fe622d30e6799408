namespace SarKit.Numerics.LinearAlgebra;
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
