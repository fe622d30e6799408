using System.Numerics;

namespace SarKit.Numerics.LinearAlgebra;

/// <summary>
/// Small dense complex n×n helpers (row-major <see cref="Complex"/> arrays) for the MVIE solver: Cholesky LLᴴ
/// (Golub &amp; Van Loan §4.2), triangular solves, products, and conversion from/to <see cref="SarKit.Numerics.LinearAlgebra.HermitianPacking"/>.
/// </summary>
internal static class ComplexDense
{
    public static void Unpack(ReadOnlySpan<double> p, int n, Span<Complex> a)
    {
        for (int i = 0; i < n; i++) a[i * n + i] = p[i];
        int o = n;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                a[i * n + j] = new Complex(p[o], p[o + 1]);
                a[j * n + i] = new Complex(p[o], -p[o + 1]);
                o += 2;
            }
    }

    /// <summary>Packs the Hermitian part (upper triangle, real diagonal) of a.</summary>
    public static void Pack(ReadOnlySpan<Complex> a, int n, Span<double> p)
    {
        for (int i = 0; i < n; i++) p[i] = a[i * n + i].Real;
        int o = n;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                // symmetrise against rounding: (a_ij + conj(a_ji))/2
                var z = 0.5 * (a[i * n + j] + Complex.Conjugate(a[j * n + i]));
                p[o++] = z.Real; p[o++] = z.Imaginary;
            }
    }

    /// <summary>Lower Cholesky factor l of Hermitian a (a = l lᴴ); false when a pivot is not positive/finite.</summary>
    public static bool Cholesky(ReadOnlySpan<Complex> a, int n, Span<Complex> l)
    {
        l[..(n * n)].Clear();
        for (int j = 0; j < n; j++)
        {
            double d = a[j * n + j].Real;
            for (int k = 0; k < j; k++) { var z = l[j * n + k]; d -= z.Real * z.Real + z.Imaginary * z.Imaginary; }
            if (!(d > 0) || !double.IsFinite(d)) return false;
            double ljj = Math.Sqrt(d);
            l[j * n + j] = ljj;
            for (int i = j + 1; i < n; i++)
            {
                var s = a[i * n + j];
                for (int k = 0; k < j; k++) s -= l[i * n + k] * Complex.Conjugate(l[j * n + k]);
                l[i * n + j] = s / ljj;
            }
        }
        return true;
    }

    /// <summary>Σ log of the diagonal of a Cholesky factor (= ½ log det of the factored matrix).</summary>
    public static double LogDiag(ReadOnlySpan<Complex> l, int n)
    {
        double s = 0;
        for (int i = 0; i < n; i++) s += Math.Log(l[i * n + i].Real);
        return s;
    }

    /// <summary>x = lᴴ a l (a Hermitian, l lower triangular); tmp holds n² entries.</summary>
    public static void CongruenceLh(ReadOnlySpan<Complex> a, ReadOnlySpan<Complex> l, int n, Span<Complex> x, Span<Complex> tmp)
    {
        // tmp = a l
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                Complex s = 0;
                for (int k = j; k < n; k++) s += a[i * n + k] * l[k * n + j];
                tmp[i * n + j] = s;
            }
        // x = lᴴ tmp : x_ab = Σ_k conj(l_ka) tmp_kb, k ≥ a
        for (int a2 = 0; a2 < n; a2++)
            for (int b = 0; b < n; b++)
            {
                Complex s = 0;
                for (int k = a2; k < n; k++) s += Complex.Conjugate(l[k * n + a2]) * tmp[k * n + b];
                x[a2 * n + b] = s;
            }
    }

    /// <summary>w = l c⁻ᴴ (c lower triangular, real positive diagonal): solves w cᴴ = l row by row.</summary>
    public static void RightSolveConjTranspose(ReadOnlySpan<Complex> l, ReadOnlySpan<Complex> c, int n, Span<Complex> w)
    {
        for (int r = 0; r < n; r++)
            for (int col = 0; col < n; col++)
            {
                var s = l[r * n + col];
                for (int k = 0; k < col; k++) s -= w[r * n + k] * Complex.Conjugate(c[col * n + k]);
                w[r * n + col] = s / c[col * n + col].Real;
            }
    }

    /// <summary>h = w wᴴ.</summary>
    public static void OuterSelf(ReadOnlySpan<Complex> w, int n, Span<Complex> h)
    {
        for (int a = 0; a < n; a++)
            for (int b = a; b < n; b++)
            {
                Complex s = 0;
                for (int k = 0; k < n; k++) s += w[a * n + k] * Complex.Conjugate(w[b * n + k]);
                h[a * n + b] = s;
                h[b * n + a] = Complex.Conjugate(s);
            }
        for (int a = 0; a < n; a++) h[a * n + a] = h[a * n + a].Real;
    }

    /// <summary>Inverse of a Hermitian positive definite matrix from its Cholesky factor l: a⁻¹ = l⁻ᴴ l⁻¹.</summary>
    public static void InverseFromCholesky(ReadOnlySpan<Complex> l, int n, Span<Complex> inv)
    {
        // m = l⁻¹ (lower) by forward substitution
        Span<Complex> m = new Complex[n * n];
        for (int col = 0; col < n; col++)
        {
            for (int i = 0; i < n; i++)
            {
                Complex s = i == col ? 1 : 0;
                for (int k = col; k < i; k++) s -= l[i * n + k] * m[k * n + col];
                m[i * n + col] = i < col ? 0 : s / l[i * n + i].Real;
            }
        }
        // inv = mᴴ m
        for (int a = 0; a < n; a++)
            for (int b = a; b < n; b++)
            {
                Complex s = 0;
                for (int k = Math.Max(a, b); k < n; k++) s += Complex.Conjugate(m[k * n + a]) * m[k * n + b];
                inv[a * n + b] = s; inv[b * n + a] = Complex.Conjugate(s);
            }
        for (int a = 0; a < n; a++) inv[a * n + a] = inv[a * n + a].Real;
    }

    /// <summary>Real symmetric positive definite solve (Cholesky) of h x = g in place; adds a growing ridge if needed.</summary>
    public static bool SolveSpd(double[] h, int m, double[] g)
    {
        var l = new double[m * m];
        double scale = 0; for (int i = 0; i < m; i++) scale = Math.Max(scale, Math.Abs(h[i * m + i]));
        for (double ridge = 0; ridge < 1e-2 * scale + 1; ridge = ridge == 0 ? 1e-14 * scale : ridge * 100)
        {
            bool ok = true;
            for (int j = 0; j < m && ok; j++)
            {
                double d = h[j * m + j] + ridge;
                for (int k = 0; k < j; k++) d -= l[j * m + k] * l[j * m + k];
                if (!(d > 0)) { ok = false; break; }
                double ljj = Math.Sqrt(d); l[j * m + j] = ljj;
                for (int i = j + 1; i < m; i++)
                {
                    double s = h[i * m + j];
                    for (int k = 0; k < j; k++) s -= l[i * m + k] * l[j * m + k];
                    l[i * m + j] = s / ljj;
                }
            }
            if (!ok) continue;
            for (int i = 0; i < m; i++) { double s = g[i]; for (int k = 0; k < i; k++) s -= l[i * m + k] * g[k]; g[i] = s / l[i * m + i]; }
            for (int i = m - 1; i >= 0; i--) { double s = g[i]; for (int k = i + 1; k < m; k++) s -= l[k * m + i] * g[k]; g[i] = s / l[i * m + i]; }
            return true;
        }
        return false;
    }
}
