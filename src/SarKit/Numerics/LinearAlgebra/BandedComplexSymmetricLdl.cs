using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SarKit.Numerics.LinearAlgebra;

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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public unsafe void Factor()
    {
        if (IsFactored) throw new InvalidOperationException("Already factored.");
        int n = Order, b = HalfBandwidth, w = W;
        fixed (double* re = _re, im = _im)
        {
            for (int k = 0; k < n; k++)
            {
                double* rk = re + (long)k * w, ik = im + (long)k * w;
                double dr = rk[0], di = ik[0];
                double mag2 = dr * dr + di * di;
                if (!(mag2 > 0) || !double.IsFinite(mag2)) throw new InvalidOperationException($"Banded LDLᵀ: pivot {k} is {dr} + {di}j (no pivoting; the matrix is singular or not suitable).");
                double ir = dr / mag2, ii = -di / mag2; // 1/d
                int m = Math.Min(b, n - 1 - k);
                for (int t = 1; t <= m; t++)
                {
                    double ur = rk[t], ui = ik[t];
                    if (ur == 0 && ui == 0) continue;
                    // c = u/d; row (k+t) entries 0..m−t  −=  c · row k entries t..m
                    double cr = ur * ir - ui * ii, ci = ur * ii + ui * ir;
                    long pi = (long)(k + t) * w;
                    Axpy(re + pi, im + pi, rk + t, ik + t, m - t + 1, cr, ci);
                }
            }
        }
        IsFactored = true;
    }

    /// <summary>y −= c·x for split complex vectors of length <paramref name="len"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Axpy(double* yr, double* yi, double* xr, double* xi, int len, double cr, double ci)
    {
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var vcr = Vector512.Create(cr); var vci = Vector512.Create(ci); var ncr = -vcr; var nci = -vci;
            for (; j <= len - 8; j += 8)
            {
                var ar = Vector512.Load(xr + j); var ai = Vector512.Load(xi + j);
                var br = Vector512.Load(yr + j); var bi = Vector512.Load(yi + j);
                br = Vector512.FusedMultiplyAdd(ncr, ar, br); br = Vector512.FusedMultiplyAdd(vci, ai, br);
                bi = Vector512.FusedMultiplyAdd(ncr, ai, bi); bi = Vector512.FusedMultiplyAdd(nci, ar, bi);
                br.Store(yr + j); bi.Store(yi + j);
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            var vcr = Vector256.Create(cr); var vci = Vector256.Create(ci); var ncr = -vcr; var nci = -vci;
            for (; j <= len - 4; j += 4)
            {
                var ar = Vector256.Load(xr + j); var ai = Vector256.Load(xi + j);
                var br = Vector256.Load(yr + j); var bi = Vector256.Load(yi + j);
                br = Vector256.FusedMultiplyAdd(ncr, ar, br); br = Vector256.FusedMultiplyAdd(vci, ai, br);
                bi = Vector256.FusedMultiplyAdd(ncr, ai, bi); bi = Vector256.FusedMultiplyAdd(nci, ar, bi);
                br.Store(yr + j); bi.Store(yi + j);
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
        if (rhsCount < 1 || x.Length != (long)Order * rhsCount) throw new ArgumentException($"Expected {Order}·{rhsCount} values, got {x.Length}.");
        var xr = new double[x.Length]; var xi = new double[x.Length];
        for (int p = 0; p < x.Length; p++) { xr[p] = x[p].Real; xi[p] = x[p].Imaginary; }
        Solve(xr, xi, rhsCount);
        for (int p = 0; p < x.Length; p++) x[p] = new Complex(xr[p], xi[p]);
    }

    /// <summary>
    /// Solves A·X = B in place, split storage: (<paramref name="xr"/>, <paramref name="xi"/>)[row·rhsCount + r] is
    /// entry row of right-hand side r. Vectorised over r when rhsCount is a multiple of 4.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public unsafe void Solve(double[] xr, double[] xi, int rhsCount)
    {
        if (!IsFactored) throw new InvalidOperationException("Factor first.");
        int R = rhsCount;
        if (R < 1 || xr.Length != (long)Order * R || xi.Length != xr.Length) throw new ArgumentException($"Expected {Order}·{R} values, got {xr.Length}, {xi.Length}.");
        int n = Order, b = HalfBandwidth, w = W;
        var accR = new double[R]; var accI = new double[R];
        fixed (double* re = _re, im = _im, yr = xr, yi = xi, ar = accR, ai = accI)
        {
            // forward: L y = b, then w = D⁻¹ y (kept in x)
            for (int k = 0; k < n; k++)
            {
                double* rk = re + (long)k * w, ik = im + (long)k * w;
                double dr = rk[0], di = ik[0], mag2 = dr * dr + di * di, idr = dr / mag2, idi = -di / mag2;
                double* xkR = yr + (long)k * R, xkI = yi + (long)k * R;
                for (int r = 0; r < R; r++)
                {
                    double a = xkR[r], c = xkI[r];
                    xkR[r] = a * idr - c * idi; xkI[r] = a * idi + c * idr;
                }
                int m = Math.Min(b, n - 1 - k);
                for (int t = 1; t <= m; t++)
                {
                    double ur = rk[t], ui = ik[t];
                    if (ur == 0 && ui == 0) continue;
                    // x[k+t] −= u · w_k   (u scalar, w_k the R values of row k)
                    MulSub(yr + (long)(k + t) * R, yi + (long)(k + t) * R, xkR, xkI, R, ur, ui);
                }
            }
            // backward: Lᵀ x = w, with Lᵀ_kj = U_kj / d_k
            for (int k = n - 1; k >= 0; k--)
            {
                double* rk = re + (long)k * w, ik = im + (long)k * w;
                int m = Math.Min(b, n - 1 - k);
                for (int r = 0; r < R; r++) { ar[r] = 0; ai[r] = 0; }
                for (int t = 1; t <= m; t++)
                {
                    double ur = rk[t], ui = ik[t];
                    if (ur == 0 && ui == 0) continue;
                    MulSub(ar, ai, yr + (long)(k + t) * R, yi + (long)(k + t) * R, R, -ur, -ui); // acc += u · x[k+t]
                }
                double dr = rk[0], di = ik[0], mag2 = dr * dr + di * di, idr = dr / mag2, idi = -di / mag2;
                double* xkR = yr + (long)k * R, xkI = yi + (long)k * R;
                for (int r = 0; r < R; r++)
                {
                    double a = ar[r], c = ai[r];
                    xkR[r] -= a * idr - c * idi; xkI[r] -= a * idi + c * idr;
                }
            }
        }
    }

    /// <summary>y −= u·x with u scalar complex and split vectors x, y of length len.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void MulSub(double* yr, double* yi, double* xr, double* xi, int len, double ur, double ui)
        => Axpy(yr, yi, xr, xi, len, ur, ui);
}
