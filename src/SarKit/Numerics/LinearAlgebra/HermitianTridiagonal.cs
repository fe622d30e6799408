namespace SarKit.Numerics.LinearAlgebra;

/// <summary>
/// Eigenvalues without eigenvectors: Householder reduction of the Hermitian work matrix to a real symmetric tridiagonal
/// matrix T (Golub &amp; Van Loan, Matrix Computations, 4th ed., §8.3.1; the complex sub-diagonal β_k is replaced by |β_k|,
/// a diagonal unitary similarity), then bisection on the Sturm sequence of T (ibid. §8.4.1). Bisection gives each
/// eigenvalue to an absolute accuracy of a few ε‖T‖, independent of clustering.
/// </summary>
internal static class HermitianTridiagonal
{
    /// <summary>Reduces ws.Re/ws.Im (full Hermitian, n×n) to T: diagonal in ws.Diag, sub-diagonal (≥ 0) in ws.Sub[0..n−2]. Destroys the work matrix.</summary>
    public static void Reduce(int n, HermitianWorkspace ws)
    {
        var re = ws.Re; var im = ws.Im; var d = ws.Diag; var e = ws.Sub; var pr = ws.PRe; var pi = ws.PIm;
        for (int k = 0; k < n - 2; k++)
        {
            d[k] = re[k * n + k];
            int s = k + 1;
            // The reflector is computed from x / c, c = max |x_i|: H = I − v vᴴ / h is unchanged by scaling v (h = vᴴv / 2),
            // and with max |x_i / c| = 1 neither α² nor h can underflow (LAPACK's xLARFG rescales for the same reason).
            double c = 0;
            for (int i = s; i < n; i++) c = Math.Max(c, Math.Max(Math.Abs(re[i * n + k]), Math.Abs(im[i * n + k])));
            if (c == 0) { e[k] = 0; continue; }
            double invC = 1 / c;
            if (!double.IsFinite(invC)) invC = 1;
            for (int i = s; i < n; i++) { re[i * n + k] *= invC; im[i * n + k] *= invC; }
            double alpha2 = 0;
            for (int i = s; i < n; i++) alpha2 += re[i * n + k] * re[i * n + k] + im[i * n + k] * im[i * n + k];
            double alpha = Math.Sqrt(alpha2);
            e[k] = alpha / invC;
            // v = x + e^{iθ} α e₁ stored in column k (rows s..n−1); H = I − v vᴴ / h, h = α(α + |x₀|)
            double x0r = re[s * n + k], x0i = im[s * n + k], x0 = Math.Sqrt(x0r * x0r + x0i * x0i);
            double cr = 1, ci = 0;
            if (x0 > 0) { cr = x0r / x0; ci = x0i / x0; }
            re[s * n + k] = x0r + cr * alpha; im[s * n + k] = x0i + ci * alpha;
            double h = alpha * (alpha + x0), invH = 1 / h;
            // p = A v / h (trailing block), K = vᴴp / (2h)
            double kr = 0;
            for (int i = s; i < n; i++)
            {
                double sr = 0, si = 0;
                for (int j = s; j < n; j++)
                {
                    double ar = re[i * n + j], ai = im[i * n + j], vr = re[j * n + k], vi = im[j * n + k];
                    sr += ar * vr - ai * vi; si += ar * vi + ai * vr;
                }
                pr[i] = sr * invH; pi[i] = si * invH;
                kr += re[i * n + k] * pr[i] + im[i * n + k] * pi[i]; // Re(v̄_i p_i); vᴴp is real
            }
            kr *= 0.5 * invH;
            for (int i = s; i < n; i++) { pr[i] -= kr * re[i * n + k]; pi[i] -= kr * im[i * n + k]; } // q = p − K v
            // A ← A − q vᴴ − v qᴴ
            for (int i = s; i < n; i++)
            {
                double qr = pr[i], qi = pi[i], vr = re[i * n + k], vi = im[i * n + k];
                for (int j = s; j < n; j++)
                {
                    double vjr = re[j * n + k], vji = -im[j * n + k]; // conj(v_j)
                    double qjr = pr[j], qji = -pi[j];                 // conj(q_j)
                    re[i * n + j] -= qr * vjr - qi * vji + (vr * qjr - vi * qji);
                    im[i * n + j] -= qr * vji + qi * vjr + (vr * qji + vi * qjr);
                }
            }
        }
        if (n >= 2)
        {
            d[n - 2] = re[(n - 2) * n + n - 2];
            double br = re[(n - 1) * n + n - 2], bi = im[(n - 1) * n + n - 2];
            e[n - 2] = Math.Sqrt(br * br + bi * bi);
        }
        d[n - 1] = re[(n - 1) * n + n - 1];
    }

    /// <summary>
    /// All eigenvalues of T, in place in ws.Diag (unsorted), by the implicit QL iteration with Wilkinson shift (Golub &amp; Van
    /// Loan §8.3.5, QL form: chasing from the bottom of each unreduced block). Returns false when a block fails to converge in
    /// 60 iterations (T is then left partly reduced; callers fall back to bisection on a fresh reduction).
    /// </summary>
    public static bool QlEigenvalues(int n, HermitianWorkspace ws)
    {
        var d = ws.Diag; var e = ws.Sub;
        e[n - 1] = 0;
        for (int l = 0; l < n; l++)
        {
            for (int iter = 0; ; iter++)
            {
                int m = l;
                for (; m < n - 1; m++)
                {
                    double dd = Math.Abs(d[m]) + Math.Abs(d[m + 1]);
                    if (Math.Abs(e[m]) <= 1e-17 * dd || dd + Math.Abs(e[m]) == dd) break;
                }
                if (m == l) break;
                if (iter == 60) return false;
                // shift: eigenvalue of the leading 2×2 of the block closest to d[l]
                double g = (d[l + 1] - d[l]) / (2 * e[l]);
                double r = Math.Sqrt(g * g + 1);
                g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r));
                double sn = 1, cs = 1, p = 0;
                bool deflated = false;
                for (int i = m - 1; i >= l; i--)
                {
                    double f = sn * e[i], b = cs * e[i];
                    r = Math.Sqrt(f * f + g * g);
                    e[i + 1] = r;
                    if (r == 0) { d[i + 1] -= p; e[m] = 0; deflated = true; break; }
                    sn = f / r; cs = g / r;
                    g = d[i + 1] - p;
                    r = (d[i] - g) * sn + 2 * cs * b;
                    p = sn * r;
                    d[i + 1] = g + p;
                    g = cs * r - b;
                }
                if (deflated) continue;
                d[l] -= p; e[l] = g; e[m] = 0;
            }
        }
        return true;
    }

    /// <summary>Number of eigenvalues of T strictly below x (Sturm sequence / LDLᵀ inertia).</summary>
    private static int CountBelow(ReadOnlySpan<double> d, ReadOnlySpan<double> e, int n, double x, double pivmin)
    {
        int count = 0;
        double q = d[0] - x;
        if (Math.Abs(q) < pivmin) q = -pivmin;
        if (q < 0) count++;
        for (int i = 1; i < n; i++)
        {
            q = d[i] - x - e[i - 1] * e[i - 1] / q;
            if (Math.Abs(q) < pivmin) q = -pivmin;
            if (q < 0) count++;
        }
        return count;
    }

    /// <summary>The k-th smallest eigenvalue (0-based) of T by bisection.</summary>
    public static double Eigenvalue(int n, HermitianWorkspace ws, int k)
    {
        var d = ws.Diag.AsSpan(0, n); var e = ws.Sub.AsSpan(0, Math.Max(n - 1, 0));
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity, norm = 0;
        for (int i = 0; i < n; i++)
        {
            double r = (i > 0 ? e[i - 1] : 0) + (i < n - 1 ? e[i] : 0);
            lo = Math.Min(lo, d[i] - r); hi = Math.Max(hi, d[i] + r);
            norm = Math.Max(norm, Math.Abs(d[i]) + r);
        }
        if (norm == 0) return 0;
        double pivmin = 1e-300 + norm * 1e-30;
        double absTol = 4e-16 * norm;
        lo -= absTol; hi += absTol;
        for (int it = 0; it < 200; it++)
        {
            double mid = 0.5 * (lo + hi);
            if (hi - lo <= Math.Max(absTol, 4e-16 * Math.Max(Math.Abs(lo), Math.Abs(hi))) || mid <= lo || mid >= hi) break;
            if (CountBelow(d, e, n, mid, pivmin) > k) hi = mid; else lo = mid;
        }
        return 0.5 * (lo + hi);
    }
}
