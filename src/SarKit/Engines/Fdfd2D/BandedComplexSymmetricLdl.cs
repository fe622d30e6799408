using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SarKit.Engines.Fdfd2D;

/// <summary>
/// A complex symmetric (A = Aᵀ, not Hermitian) banded matrix of order N and half-bandwidth b, factored in place as
/// A = L·D·Lᵀ without pivoting (Golub &amp; Van Loan, <i>Matrix Computations</i>, 4th ed., §4.1 and §4.3 band
/// Cholesky/LDLᵀ, complex symmetric variant). Storage: the upper band row by row, entry (k, k + t) for t = 0..b at
/// k·(b+1) + t, real and imaginary parts in separate arrays (so the row update is four real FMAs per vector lane).
/// Work ≈ N·b²/2 complex multiply-adds, storage 2·N·(b+1) doubles; fill-in stays inside the band.
/// </summary>
/// <remarks>
/// No pivoting: adequate for the lossy Helmholtz/FDFD matrices this is used for (complex, with σ &gt; 0 in tissue and
/// the PML), and checked there against closed-form solutions; a zero or non-finite pivot throws. Not a general solver.
/// After <see cref="Factor"/> the upper band holds U = D·Lᵀ (row k of U is the eliminated row k, U_kk = d_k).
/// </remarks>
public sealed class BandedComplexSymmetricLdl
{
    private readonly double[] _re, _im;

    public BandedComplexSymmetricLdl(int order, int halfBandwidth)
    {
        if (order < 1) throw new ArgumentOutOfRangeException(nameof(order));
        if (halfBandwidth < 0) throw new ArgumentOutOfRangeException(nameof(halfBandwidth));
        Order = order; HalfBandwidth = Math.Min(halfBandwidth, order - 1);
        long len = (long)order * (HalfBandwidth + 1);
        if (len > Array.MaxLength) throw new SarKitInputException($"Banded matrix of order {order} and half-bandwidth {halfBandwidth} needs {len} entries; too large.");
        _re = new double[len]; _im = new double[len];
    }

    public int Order { get; }
    public int HalfBandwidth { get; }
    /// <summary>True after <see cref="Factor"/>.</summary>
    public bool IsFactored { get; private set; }
    /// <summary>Bytes of band storage.</summary>
    public long StorageBytes => 16L * _re.LongLength;

    private int W => HalfBandwidth + 1;

    /// <summary>Sets every entry to zero and marks the matrix unfactored (for reassembly).</summary>
    public void Clear() { Array.Clear(_re); Array.Clear(_im); IsFactored = false; }

    /// <summary>Adds <paramref name="v"/> to A[r, c] (and thus A[c, r]); |r − c| ≤ b.</summary>
    public void Add(int r, int c, Complex v)
    {
        if (r > c) (r, c) = (c, r);
        int t = c - r;
        if (t > HalfBandwidth || r < 0 || c >= Order) throw new ArgumentOutOfRangeException(nameof(c), $"({r}, {c}) outside the band {HalfBandwidth}.");
        long p = (long)r * W + t;
        _re[p] += v.Real; _im[p] += v.Imaginary;
    }

    /// <summary>Entry A[r, c] (before factoring) or U[r, c] (after).</summary>
    public Complex Get(int r, int c)
    {
        if (r > c) (r, c) = (c, r);
        int t = c - r;
        if (t > HalfBandwidth) return Complex.Zero;
        long p = (long)r * W + t;
        return new Complex(_re[p], _im[p]);
    }

    /// <summary>Factors in place (right-looking band LDLᵀ). Throws <see cref="InvalidOperationException"/> on a zero pivot.</summary>
    public void Factor()
    {
        if (IsFactored) throw new InvalidOperationException("Already factored.");
        int n = Order, b = HalfBandwidth, w = W;
        var re = _re; var im = _im;
        for (int k = 0; k < n; k++)
        {
            long pk = (long)k * w;
            double dr = re[pk], di = im[pk];
            double mag2 = dr * dr + di * di;
            if (!(mag2 > 0) || !double.IsFinite(mag2)) throw new InvalidOperationException($"Banded LDLᵀ: pivot {k} is {dr} + {di}j (no pivoting; the matrix is singular or not suitable).");
            double ir = dr / mag2, ii = -di / mag2; // 1/d
            int m = Math.Min(b, n - 1 - k);
            for (int t = 1; t <= m; t++)
            {
                double ur = re[pk + t], ui = im[pk + t];
                if (ur == 0 && ui == 0) continue;
                // c = u/d; row (k+t) entries t'=0..m−t  −=  c · row k entries t..m
                double cr = ur * ir - ui * ii, ci = ur * ii + ui * ir;
                long pi = (long)(k + t) * w;
                int len = m - t + 1;
                Axpy(re.AsSpan((int)(pi), len), im.AsSpan((int)pi, len), re.AsSpan((int)(pk + t), len), im.AsSpan((int)(pk + t), len), cr, ci);
            }
        }
        IsFactored = true;
    }

    /// <summary>y −= c·x for split complex vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Axpy(Span<double> yr, Span<double> yi, ReadOnlySpan<double> xr, ReadOnlySpan<double> xi, double cr, double ci)
    {
        int len = yr.Length, j = 0;
        if (Vector512.IsHardwareAccelerated && len >= 8)
        {
            var vcr = Vector512.Create(cr); var vci = Vector512.Create(ci);
            for (; j <= len - 8; j += 8)
            {
                var ar = Vector512.Create(xr.Slice(j, 8)); var ai = Vector512.Create(xi.Slice(j, 8));
                var br = Vector512.Create(yr.Slice(j, 8)); var bi = Vector512.Create(yi.Slice(j, 8));
                br = Vector512.FusedMultiplyAdd(-vcr, ar, br); br = Vector512.FusedMultiplyAdd(vci, ai, br);
                bi = Vector512.FusedMultiplyAdd(-vcr, ai, bi); bi = Vector512.FusedMultiplyAdd(-vci, ar, bi);
                br.CopyTo(yr.Slice(j, 8)); bi.CopyTo(yi.Slice(j, 8));
            }
        }
        else if (Vector256.IsHardwareAccelerated && len >= 4)
        {
            var vcr = Vector256.Create(cr); var vci = Vector256.Create(ci);
            for (; j <= len - 4; j += 4)
            {
                var ar = Vector256.Create(xr.Slice(j, 4)); var ai = Vector256.Create(xi.Slice(j, 4));
                var br = Vector256.Create(yr.Slice(j, 4)); var bi = Vector256.Create(yi.Slice(j, 4));
                br = Vector256.FusedMultiplyAdd(-vcr, ar, br); br = Vector256.FusedMultiplyAdd(vci, ai, br);
                bi = Vector256.FusedMultiplyAdd(-vcr, ai, bi); bi = Vector256.FusedMultiplyAdd(-vci, ar, bi);
                br.CopyTo(yr.Slice(j, 4)); bi.CopyTo(yi.Slice(j, 4));
            }
        }
        for (; j < len; j++)
        {
            double a = xr[j], c = xi[j];
            yr[j] -= cr * a - ci * c;
            yi[j] -= cr * c + ci * a;
        }
    }

    /// <summary>
    /// Solves A·X = B in place for <paramref name="rhsCount"/> right-hand sides stored interleaved:
    /// <paramref name="x"/>[row·rhsCount + r] is entry row of right-hand side r. Requires <see cref="Factor"/>.
    /// </summary>
    public void Solve(Span<Complex> x, int rhsCount)
    {
        if (!IsFactored) throw new InvalidOperationException("Factor first.");
        if (rhsCount < 1 || x.Length != (long)Order * rhsCount) throw new ArgumentException($"Expected {Order}·{rhsCount} values, got {x.Length}.");
        int n = Order, b = HalfBandwidth, w = W, R = rhsCount;
        var re = _re; var im = _im;
        Span<Complex> wk = R <= 64 ? stackalloc Complex[R] : new Complex[R];
        // forward: L y = b, then w = D⁻¹ y (kept in x)
        for (int k = 0; k < n; k++)
        {
            long pk = (long)k * w;
            var invD = 1 / new Complex(re[pk], im[pk]);
            var xk = x.Slice(k * R, R);
            for (int r = 0; r < R; r++) { xk[r] *= invD; wk[r] = xk[r]; }
            int m = Math.Min(b, n - 1 - k);
            for (int t = 1; t <= m; t++)
            {
                double ur = re[pk + t], ui = im[pk + t];
                if (ur == 0 && ui == 0) continue;
                var u = new Complex(ur, ui);
                var xi = x.Slice((k + t) * R, R);
                for (int r = 0; r < R; r++) xi[r] -= u * wk[r];
            }
        }
        // backward: Lᵀ x = w, with Lᵀ_kj = U_kj / d_k
        for (int k = n - 1; k >= 0; k--)
        {
            long pk = (long)k * w;
            int m = Math.Min(b, n - 1 - k);
            wk.Clear();
            for (int t = 1; t <= m; t++)
            {
                double ur = re[pk + t], ui = im[pk + t];
                if (ur == 0 && ui == 0) continue;
                var u = new Complex(ur, ui);
                var xj = x.Slice((k + t) * R, R);
                for (int r = 0; r < R; r++) wk[r] += u * xj[r];
            }
            var invD = 1 / new Complex(re[pk], im[pk]);
            var xk = x.Slice(k * R, R);
            for (int r = 0; r < R; r++) xk[r] -= wk[r] * invD;
        }
    }
}
