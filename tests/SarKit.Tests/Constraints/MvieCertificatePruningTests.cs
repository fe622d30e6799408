using System.Numerics;
using SarKit.Constraints;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Tests.Constraints;

/// <summary>
/// The MVIE certificate max_i λ_max(A⁻¹Q_i) skips matrices whose trace bound cannot reach the maximum (issue 18): the
/// value and the index must be those of evaluating every matrix, also when the set holds an indefinite matrix whose
/// trace is small but whose largest eigenvalue is the maximum (the trace bound does not hold for it).
/// </summary>
public class MvieCertificatePruningTests
{
    private static double[] RandomPsdSet(int count, int n, int seed)
    {
        var rng = new Random(seed);
        var q = new double[count * n * n];
        for (int k = 0; k < count; k++)
        {
            var m = new double[n * n];
            double scale = Math.Pow(10, -2 * rng.NextDouble());
            for (int r = 0; r < 3; r++)   // rank 3, as a point Q-matrix
            {
                var x = new Complex[n];
                for (int i = 0; i < n; i++) x[i] = new Complex(rng.NextDouble() - 0.5, rng.NextDouble() - 0.5) * Math.Sqrt(scale);
                var w = HermitianPacking.DriveWeights(x);   // packed x xᴴ with the off-diagonal doubling of the weights
                for (int i = 0; i < n; i++) m[i] += w[i];
                for (int t = n; t < n * n; t++) m[t] += w[t] / 2;
            }
            m.CopyTo(q, k * n * n);
        }
        return q;
    }

    private static (double Max, int Index) FullScan(double[] q, int n, int count, double[] a)
    {
        int n2 = n * n;
        var aF = new Complex[n2]; ComplexDense.Unpack(a, n, aF);
        var la = new Complex[n2]; Assert.True(ComplexDense.Cholesky(aF, n, la));
        var pinv = new Complex[n2]; ComplexDense.InverseFromCholesky(la, n, pinv);
        var c = new Complex[n2]; Assert.True(ComplexDense.Cholesky(pinv, n, c));
        var kap = new double[count];
        MvieSolver.EvaluateAll(q, n, c, 1.0, kap, null, 2);
        double best = double.NegativeInfinity; int at = -1;
        for (int i = 0; i < count; i++) if (kap[i] > best) { best = kap[i]; at = i; }
        return (best, at);
    }

    private static double[] Anisotropic(int n)
    {
        var a = new double[n * n];
        for (int i = 0; i < n; i++) a[i] = 1 + i;   // A = diag(1..n): λ_max(A⁻¹Q) weights the first channels most
        a[n] = 0.3;                                 // and a coupling Re A_01
        return a;
    }

    [Fact]
    public void Pruned_certificate_equals_the_full_scan()
    {
        const int n = 8, count = 3000;
        var q = RandomPsdSet(count, n, 7);
        var a = Anisotropic(n);
        var full = FullScan(q, n, count, a);
        var pruned = MvieSolver.Certificate(q, n, count, a);
        Assert.Equal(full.Index, pruned.Index);
        Assert.Equal(full.Max, pruned.Max);   // bit for bit: the same evaluation of the same matrix
    }

    [Fact]
    public void Indefinite_matrix_with_a_small_trace_is_not_skipped()
    {
        const int n = 8, count = 3000, trap = 1234;
        var q = RandomPsdSet(count, n, 8);
        var t = new double[n * n];
        t[0] = 50; t[1] = -49.9;   // eigenvalues 50 and −49.9: trace 0.1 < λ_max
        t.CopyTo(q, trap * n * n);
        var a = Anisotropic(n);
        var full = FullScan(q, n, count, a);
        Assert.Equal(trap, full.Index);
        var pruned = MvieSolver.Certificate(q, n, count, a);
        Assert.Equal(trap, pruned.Index);
        Assert.Equal(full.Max, pruned.Max);
    }
}
