using System.Numerics;

namespace SarKit.Numerics.LinearAlgebra;

/// <summary>
/// The packed real layout SarKit uses for Hermitian N×N matrices (Q-matrices, VOPs): N² doubles,
/// first the N real diagonal entries Q_ii, then for every pair i &lt; j (row-major over i, then j) Re Q_ij followed by Im Q_ij.
/// With the matching <see cref="DriveWeights"/> vector w(b), the quadratic form is a plain dot product:
/// bᴴQb = Σ_k w_k P_k, with w = (|b_i|², …, 2 Re(b̄_i b_j), −2 Im(b̄_i b_j), …). This makes every averaging step linear per
/// component and every SAR evaluation a SIMD dot product (in a fixed order: <see cref="QuadraticForm"/>).
/// </summary>
public static class HermitianPacking
{
    /// <summary>Length of the packed vector for <paramref name="n"/> channels (= n²).</summary>
    public static int PackedLength(int n) => n * n;

    /// <summary>Offset of the (Re, Im) pair of element (i, j), i &lt; j, in the packed vector.</summary>
    public static int OffDiagonalOffset(int n, int i, int j)
    {
        // pairs before row i: Σ_{r<i} (n-1-r) = i(n-1) - i(i-1)/2
        int before = i * (n - 1) - i * (i - 1) / 2;
        return n + 2 * (before + (j - i - 1));
    }

    /// <summary>Weights w(b) such that bᴴQb = Σ_k w_k P_k for the packed P of a Hermitian Q.</summary>
    public static double[] DriveWeights(ReadOnlySpan<Complex> b)
    {
        int n = b.Length;
        var w = new double[n * n];
        for (int i = 0; i < n; i++) w[i] = b[i].Real * b[i].Real + b[i].Imaginary * b[i].Imaginary;
        int o = n;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                var c = Complex.Conjugate(b[i]) * b[j];
                w[o++] = 2 * c.Real;
                w[o++] = -2 * c.Imaginary;
            }
        return w;
    }

    /// <summary>Packs a full Hermitian matrix (only the upper triangle and diagonal real parts are read).</summary>
    public static double[] Pack(Complex[,] q)
    {
        int n = q.GetLength(0);
        var p = new double[n * n];
        for (int i = 0; i < n; i++) p[i] = q[i, i].Real;
        int o = n;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++) { p[o++] = q[i, j].Real; p[o++] = q[i, j].Imaginary; }
        return p;
    }

    /// <summary>Unpacks to a full Hermitian matrix.</summary>
    public static Complex[,] Unpack(ReadOnlySpan<double> p, int n)
    {
        var q = new Complex[n, n];
        for (int i = 0; i < n; i++) q[i, i] = p[i];
        int o = n;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                q[i, j] = new Complex(p[o], p[o + 1]);
                q[j, i] = new Complex(p[o], -p[o + 1]);
                o += 2;
            }
        return q;
    }

    /// <summary>
    /// bᴴQb for a packed Q and precomputed weights: a SIMD dot product in the fixed summation order of
    /// <see cref="FixedOrderDot"/>, so a SAR (point, cube, whole-body, head) is the same bits on every instruction set and in
    /// the JIT, ReadyToRun and Native AOT builds (a vector-width-dependent sum changed its last digits between machines).
    /// </summary>
    public static double QuadraticForm(ReadOnlySpan<double> packed, ReadOnlySpan<double> weights)
        => FixedOrderDot.Dot(packed, weights);
}
