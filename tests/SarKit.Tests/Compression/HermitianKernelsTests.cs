using System.Numerics;
using SarKit.Compression;
using SarKit.IO;
using SarKit.Sar;
using SarKit.Tests.Support;
using Xunit.Abstractions;
using SarKit.IO.Formats;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Tests.Compression;

public class HermitianKernelsTests(ITestOutputHelper output)
{
    // ---- helpers: random unitary (Gram–Schmidt) and Q = U Λ Uᴴ ----

    private static Complex[,] RandomUnitary(int n, Random rng)
    {
        var u = new Complex[n, n];
        for (int c = 0; c < n; c++)
        {
            for (int r = 0; r < n; r++) u[r, c] = new Complex(rng.NextDouble() * 2 - 1, rng.NextDouble() * 2 - 1);
            for (int pass = 0; pass < 2; pass++) // re-orthogonalise once for accuracy
                for (int k = 0; k < c; k++)
                {
                    Complex dot = 0;
                    for (int r = 0; r < n; r++) dot += Complex.Conjugate(u[r, k]) * u[r, c];
                    for (int r = 0; r < n; r++) u[r, c] -= dot * u[r, k];
                }
            double norm = 0;
            for (int r = 0; r < n; r++) norm += u[r, c].Magnitude * u[r, c].Magnitude;
            norm = Math.Sqrt(norm);
            for (int r = 0; r < n; r++) u[r, c] /= norm;
        }
        return u;
    }

    private static Complex[,] FromSpectrum(double[] lambda, Complex[,] u)
    {
        int n = lambda.Length;
        var q = new Complex[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                Complex s = 0;
                for (int k = 0; k < n; k++) s += u[i, k] * lambda[k] * Complex.Conjugate(u[j, k]);
                q[i, j] = s;
            }
        return q;
    }

    private static double[] RandomSpectrum(int n, Random rng, double lo, double hi)
    {
        var l = new double[n];
        for (int i = 0; i < n; i++) l[i] = lo + (hi - lo) * rng.NextDouble();
        return l;
    }

    private static double[] RandomPacked(int n, Random rng, double[] lambda) => HermitianPacking.Pack(FromSpectrum(lambda, RandomUnitary(n, rng)));

    // ---- known answers ----

    [Fact]
    public void DiagonalMatrixEigenvaluesAreTheDiagonal()
    {
        double[] d = [3, -1, 7, 0.5, 2];
        var p = new double[25];
        d.CopyTo(p, 0);
        var ev = new double[5];
        HermitianKernels.Eigenvalues(p, 5, ev);
        double[] expected = [-1, 0.5, 2, 3, 7];
        for (int i = 0; i < 5; i++) Assert.Equal(expected[i], ev[i], 1e-14);
        var x = new Complex[5];
        Assert.Equal(7, HermitianKernels.LargestEigen(p, 5, x));
        Assert.Equal(1, x[2].Magnitude, 1e-15);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(8)]
    [InlineData(32)]
    public void InverseIterationPathIsTakenAndAgreesWithJacobi(int n)
    {
        var rng = new Random(50 + n);
        var p = RandomPacked(n, rng, RandomSpectrum(n, rng, 0, 1));
        var ws = new HermitianWorkspace(n);
        double lambda = HermitianKernels.LargestEigenvalue(p, n, ws);
        var x = new Complex[n];
        Assert.True(HermitianKernels.InverseIteration(p, n, lambda, HermitianKernels.FrobeniusNorm(p, n), x, ws));
        var y = new Complex[n];
        double lj = HermitianKernels.LargestEigenJacobi(p, n, y, ws);
        Assert.Equal(lj, lambda, 1e-13);
        Complex overlap = 0; for (int i = 0; i < n; i++) overlap += Complex.Conjugate(x[i]) * y[i];
        Assert.Equal(1, overlap.Magnitude, 1e-10); // same vector up to a phase
    }

    [Fact]
    public void DegenerateZeroAndOneByOne()
    {
        // λ_max of multiplicity 3: any unit vector of the eigenspace is fine, the residual must vanish
        var rng = new Random(3);
        int n = 10;
        double[] lambda = [4, 4, 4, 1, 0, 0, 0, 0.5, 2, -1];
        var q = FromSpectrum(lambda, RandomUnitary(n, rng));
        var p = HermitianPacking.Pack(q);
        var x = new Complex[n];
        Assert.Equal(4, HermitianKernels.LargestEigen(p, n, x), 1e-12);
        Assert.Equal(4, HermitianKernels.LargestEigenvalue(p, n), 1e-12);
        for (int i = 0; i < n; i++)
        {
            Complex qx = 0;
            for (int j = 0; j < n; j++) qx += q[i, j] * x[j];
            Assert.True((qx - 4 * x[i]).Magnitude <= 1e-11);
        }
        var zero = new double[16];
        var x4 = new Complex[4];
        Assert.Equal(0, HermitianKernels.LargestEigen(zero, 4, x4));
        Assert.Equal(1, x4.Sum(z => z.Magnitude * z.Magnitude), 1e-15);
        Assert.Equal(0, HermitianKernels.LargestEigenvalue(zero, 4));
        Assert.True(HermitianKernels.IsPositiveSemidefinite(zero, 4, 1e-15));
        Assert.False(HermitianKernels.IsPositiveSemidefinite(zero, 4, 0)); // τ = 0 demands strict definiteness
        Assert.Equal(-2.5, HermitianKernels.LargestEigenvalue([-2.5], 1));
        Assert.Equal(0, HermitianKernels.FirstFailingPivot([-2.5], 1, 1e-9));
    }

    [Theory]
    [InlineData(2, 1, 0.5, -0.7)]
    [InlineData(0, 0, 1e-3, 2)]
    [InlineData(5, -3, 0, 0)]
    public void TwoByTwoMatchesClosedForm(double a, double d, double br, double bi)
    {
        // eigenvalues of [[a, b], [b̄, d]]: (a+d)/2 ± sqrt(((a−d)/2)² + |b|²)
        double[] p = [a, d, br, bi];
        double mean = (a + d) / 2, rad = Math.Sqrt((a - d) * (a - d) / 4 + br * br + bi * bi);
        var ev = new double[2];
        HermitianKernels.Eigenvalues(p, 2, ev);
        Assert.Equal(mean - rad, ev[0], 1e-14);
        Assert.Equal(mean + rad, ev[1], 1e-14);
        Assert.Equal(mean + rad, HermitianKernels.LargestEigenvalue(p, 2), 1e-14);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(8)]
    [InlineData(16)]
    [InlineData(32)]
    [InlineData(64)]
    public void KnownSpectrumIsRecoveredAndEigenvectorSatisfiesQxEqualsLambdaX(int n)
    {
        var rng = new Random(1000 + n);
        var lambda = RandomSpectrum(n, rng, -2, 5);
        var q = FromSpectrum(lambda, RandomUnitary(n, rng));
        var p = HermitianPacking.Pack(q);
        double scale = lambda.Max(Math.Abs);

        var ev = new double[n];
        HermitianKernels.Eigenvalues(p, n, ev);
        var sorted = lambda.Order().ToArray();
        for (int i = 0; i < n; i++) Assert.True(Math.Abs(sorted[i] - ev[i]) <= 1e-12 * scale, $"n={n} eigenvalue {i}: expected {sorted[i]}, got {ev[i]}");

        var x = new Complex[n];
        double lmax = HermitianKernels.LargestEigen(p, n, x);
        Assert.True(Math.Abs(lmax - sorted[^1]) <= 1e-12 * scale, $"λ_max {lmax} vs {sorted[^1]}");
        double norm = 0; for (int i = 0; i < n; i++) norm += x[i].Magnitude * x[i].Magnitude;
        Assert.Equal(1, norm, 1e-12);
        for (int i = 0; i < n; i++)
        {
            Complex qx = 0;
            for (int j = 0; j < n; j++) qx += q[i, j] * x[j];
            Assert.True((qx - lmax * x[i]).Magnitude <= 1e-11 * scale, $"n={n} residual row {i}: {(qx - lmax * x[i]).Magnitude}");
        }
        // Rayleigh quotient through the packed drive weights
        Assert.Equal(lmax, HermitianPacking.QuadraticForm(p, HermitianPacking.DriveWeights(x)), 1e-11 * scale);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(8)]
    [InlineData(16)]
    public void EigenvaluesScaleExactlyOverTheWholeDoubleRange(int n)
    {
        // Q·2^k for k far outside [-500, 500]: products of entries under/overflow unless the kernels rescale. Scaling by a
        // power of two is exact, so every eigenvalue must be exactly 2^k times the unscaled one.
        var rng = new Random(77 + n);
        var p = RandomPacked(n, rng, RandomSpectrum(n, rng, 0, 3));
        var ev = new double[n];
        HermitianKernels.Eigenvalues(p, n, ev);
        double lmax = HermitianKernels.LargestEigenvalue(p, n);
        foreach (int k in new[] { -1000, -600, -520, 520, 1000 })
        {
            var ps = p.Select(v => Math.ScaleB(v, k)).ToArray();
            var evs = new double[n];
            HermitianKernels.Eigenvalues(ps, n, evs);
            for (int i = 0; i < n; i++) Assert.Equal(Math.ScaleB(ev[i], k), evs[i]);
            Assert.Equal(Math.ScaleB(lmax, k), HermitianKernels.LargestEigenvalue(ps, n));
            var x = new Complex[n];
            Assert.Equal(Math.ScaleB(lmax, k), HermitianKernels.LargestEigen(ps, n, x), Math.ScaleB(1e-12 * lmax, k));
        }
    }

    [Fact]
    public void ColumnsOfTinyEntriesBesideUnitEntriesGiveAFiniteUpperBound()
    {
        // Found by the CsCheck property (seed aRVR0QPEbka1): a PSD 8×8 matrix with entries near 1 and entries of 1e-75 …
        // 1e-181. The Householder step squared the tiny sub-column (underflow to a subnormal α², then h = α(α+|x₀|) = 0)
        // and λ_max came out NaN. λ_max must be finite and not below any Rayleigh quotient (the worst-case SAR bound).
        double[] p = { 0.9336912883507293, 0, 0.7091066013926464, 0.06876363462876628, 0, 2.3203489000000002E-149, 1.3897984E-103, 1.1029041E-173, 0, 0, 0.4273812399739662, -0.6924102338575177, 0.048560779809343806, 0.2486882732911225, 0, 0, -4.568278172703164E-75, 8.92037037037037E-76, 3.5355077907073685E-52, -6.903703703703703E-53, -6.15E-88, -3.149522900466516E-87, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -0.1621953005962091, 0.14984469198311803, 0, 0, -2.7525714285714285E-75, -2.9794458806720927E-75, 2.130285714285714E-52, 2.305869678875973E-52, 2.054129078204696E-87, -1.8977142857142856E-87, 0, 0, -2.1406748E-150, 1.2631532922446893E-75, 2.387063404464066E-95, -9.775867704978621E-53, -8.708598886328863E-88, -1.4758524E-162, 0, 0, 0, 0, 0, 0, -1.7957776000000002E-126, -4.3849151000000003E-169, 0, 1.5997257000000001E-161, -3.0231063E-181, -1.2380687999999999E-138 };
        const int n = 8;
        double lmax = HermitianKernels.LargestEigenvalue(p, n);
        Assert.True(double.IsFinite(lmax), $"λ_max = {lmax}");
        var vals = new double[n]; var vr = new double[n * n]; var vi = new double[n * n];
        HermitianKernels.EigenDecomposition(p, n, vals, vr, vi, new HermitianWorkspace(n));
        Assert.Equal(vals.Max(), lmax, 1e-12 * Math.Abs(lmax));
        var rng = new Random(3);
        for (int t = 0; t < 2000; t++)
        {
            var b = Enumerable.Range(0, n).Select(_ => new Complex(rng.NextDouble() * 2 - 1, rng.NextDouble() * 2 - 1)).ToArray();
            double norm = b.Sum(c => c.Magnitude * c.Magnitude);
            Assert.True(HermitianPacking.QuadraticForm(p, HermitianPacking.DriveWeights(b)) <= lmax * norm * (1 + 1e-12));
        }
    }

    [Theory]
    [InlineData(5)]
    [InlineData(20)]
    public void QlAndBisectionOnTheTridiagonalAgree(int n)
    {
        // the bisection fallback (used when QL does not converge) must give the same spectrum, including clustered eigenvalues
        var rng = new Random(n);
        var lambda = RandomSpectrum(n, rng, -1, 1);
        lambda[1] = lambda[0]; lambda[2] = lambda[0] + 1e-13;
        var p = RandomPacked(n, rng, lambda);
        var ws = new HermitianWorkspace(n);
        var expected = new double[n];
        HermitianKernels.Eigenvalues(p, n, expected, ws);
        var full = HermitianPacking.Unpack(p, n);
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) { ws.Re[i * n + j] = full[i, j].Real; ws.Im[i * n + j] = full[i, j].Imaginary; }
        HermitianTridiagonal.Reduce(n, ws);
        var sorted = lambda.Order().ToArray();
        for (int k = 0; k < n; k++)
        {
            double b = HermitianTridiagonal.Eigenvalue(n, ws, k);
            Assert.True(Math.Abs(b - expected[k]) <= 1e-13, $"k={k}: bisection {b} vs QL {expected[k]}");
            Assert.True(Math.Abs(b - sorted[k]) <= 1e-13, $"k={k}: bisection {b} vs known {sorted[k]}");
        }
    }

    // ---- PSD / dominance ----

    [Theory]
    [InlineData(3)]
    [InlineData(8)]
    [InlineData(24)]
    public void PsdTestAgreesWithEigenvalueSign(int n)
    {
        var rng = new Random(77 + n);
        for (int trial = 0; trial < 40; trial++)
        {
            var lambda = RandomSpectrum(n, rng, 0.01, 1);
            int kind = trial % 4;
            if (kind == 1) lambda[rng.Next(n)] = -0.05;                        // indefinite
            if (kind == 2) for (int i = 3; i < n; i++) lambda[i] = 0;          // rank 3 PSD (point Q-matrix)
            if (kind == 3) { for (int i = 3; i < n; i++) lambda[i] = 0; lambda[n - 1] = -1e-3; } // rank-3 plus a small negative
            var p = RandomPacked(n, rng, lambda);
            var ev = new double[n];
            HermitianKernels.Eigenvalues(p, n, ev);
            double tol = 1e-10;
            bool expectPsd = ev[0] >= -tol;
            Assert.Equal(kind is 0 or 2, expectPsd);
            Assert.Equal(expectPsd, HermitianKernels.IsPositiveSemidefinite(p, n, tol));
            int pivot = HermitianKernels.FirstFailingPivot(p, n, tol);
            Assert.Equal(expectPsd, pivot < 0);
            if (!expectPsd) Assert.InRange(pivot, 0, n - 1);
        }
    }

    [Fact]
    public void DominatesIsVMinusQPsd()
    {
        var rng = new Random(5);
        int n = 8;
        var q = RandomPacked(n, rng, RandomSpectrum(n, rng, 0, 1));
        double lmax = HermitianKernels.LargestEigenvalue(q, n);
        // V = Q + εI dominates Q; V = λ_max·I dominates Q; V = Q − εI does not; V = 0.9 λ_max I does not.
        var plus = (double[])q.Clone(); for (int i = 0; i < n; i++) plus[i] += 1e-3;
        var minus = (double[])q.Clone(); for (int i = 0; i < n; i++) minus[i] -= 1e-3;
        var iso = new double[n * n]; for (int i = 0; i < n; i++) iso[i] = lmax * (1 + 1e-9);
        var iso9 = new double[n * n]; for (int i = 0; i < n; i++) iso9[i] = 0.9 * lmax;
        Assert.True(HermitianKernels.Dominates(plus, q, n, 1e-12));
        Assert.True(HermitianKernels.Dominates(q, q, n, 1e-12)); // V − Q = 0 is PSD within τ
        Assert.True(HermitianKernels.Dominates(iso, q, n, 1e-12));
        Assert.False(HermitianKernels.Dominates(minus, q, n, 1e-12));
        Assert.False(HermitianKernels.Dominates(iso9, q, n, 1e-12));

        var batch = new double[4 * n * n];
        plus.CopyTo(batch, 0); minus.CopyTo(batch, n * n); iso.CopyTo(batch, 2 * n * n); q.CopyTo(batch, 3 * n * n);
        var dominated = new bool[4];
        HermitianKernels.DominatesEach(q, batch, n, 1e-12, dominated); // does Q dominate each?
        Assert.Equal([false, true, false, true], dominated);
    }

    // ---- batched and invariants ----

    [Theory]
    [InlineData(8, 3000)]
    [InlineData(16, 50)]
    public void BatchedEqualsSingle(int n, int count)
    {
        var rng = new Random(9);
        var all = new double[count * n * n];
        for (int k = 0; k < count; k++)
        {
            for (int i = 0; i < n; i++) all[k * n * n + i] = rng.NextDouble();
            for (int i = n; i < n * n; i++) all[k * n * n + i] = rng.NextDouble() - 0.5;
        }
        var batched = new double[count];
        HermitianKernels.LargestEigenvalues(all, n, batched);
        for (int k = 0; k < count; k++)
            Assert.Equal(HermitianKernels.LargestEigenvalue(all.AsSpan(k * n * n, n * n), n), batched[k]);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(32)]
    public void Invariants(int n)
    {
        var rng = new Random(31 * n);
        for (int trial = 0; trial < 10; trial++)
        {
            var p = new double[n * n];
            for (int i = 0; i < n; i++) p[i] = rng.NextDouble() * 2 - 0.5;
            for (int i = n; i < n * n; i++) p[i] = rng.NextDouble() - 0.5;
            double lmax = HermitianKernels.LargestEigenvalue(p, n);
            double scale = 0; for (int i = 0; i < n * n; i++) scale += p[i] * p[i] * (i < n ? 1 : 2);
            scale = Math.Sqrt(scale); // ‖Q‖_F
            const double alpha = 3.7;
            var scaled = p.Select(v => alpha * v).ToArray();
            Assert.Equal(alpha * lmax, HermitianKernels.LargestEigenvalue(scaled, n), 1e-12 * alpha * scale);
            Assert.True(lmax >= p.Take(n).Max() - 1e-13 * scale);
            var ev = new double[n];
            HermitianKernels.Eigenvalues(p, n, ev);
            Assert.Equal(p.Take(n).Sum(), ev.Sum(), 1e-12 * scale * n);
            double fro2 = ev.Sum(v => v * v); // Σλ² = ‖Q‖_F²
            Assert.Equal(scale * scale, fro2, 1e-12 * scale * scale);
        }
    }

    [Fact]
    public void BadInputNamesSizes()
    {
        var ex = Assert.Throws<SarKitInputException>(() => HermitianKernels.LargestEigenvalue(new double[10], 4));
        Assert.Contains("16", ex.Message);
        Assert.Throws<SarKitInputException>(() => HermitianKernels.LargestEigenvalues(new double[16], 4, new double[2]));
        Assert.Throws<SarKitInputException>(() => HermitianKernels.LargestEigen(new double[16], 4, new Complex[3]));
    }

    // ---- real Q-matrix set ----

    [SharedDataFact("qmatrices/orzada_V_full_8ch_1767.mat")]
    public void OrzadaQMatricesArePsdAndGiveWorstCaseSar()
    {
        using var src = QMatrixSources.Open(SharedData.Reference("qmatrices/orzada_V_full_8ch_1767.mat")!);
        int n = src.Channels, count = (int)src.Count;
        Assert.Equal(8, n);
        Assert.Equal(1767, count);
        var packed = src.ReadAll();
        var lambda = new double[count];
        HermitianKernels.LargestEigenvalues(packed, n, lambda);
        var ev = new double[n];
        double worstRatio = double.PositiveInfinity;
        for (int k = 0; k < count; k++)
        {
            HermitianKernels.Eigenvalues(packed.AsSpan(k * n * n, n * n), n, ev);
            Assert.Equal(ev[^1], lambda[k], 1e-12 * Math.Abs(ev[^1]));
            Assert.True(ev[0] >= -1e-6 * ev[^1], $"matrix {k}: λ_min {ev[0]} < −1e-6 λ_max ({ev[^1]})");
            Assert.True(HermitianKernels.IsPositiveSemidefinite(packed.AsSpan(k * n * n, n * n), n, 1e-6 * ev[^1]), $"matrix {k} fails Cholesky");
            worstRatio = Math.Min(worstRatio, ev[0] / ev[^1]);
        }
        double sarWc = lambda.Max();
        int arg = Array.IndexOf(lambda, sarWc);
        output.WriteLine($"SAR_wc = max λ_max = {sarWc:R} (matrix {arg}); min λ_min/λ_max = {worstRatio:E3}");
        // /usr/bin/python3, numpy 1.24 (float32 file data cast to complex128, upper triangle as packed here):
        // w = np.linalg.eigvalsh(np.transpose(m, (2, 0, 1)), UPLO='U') → max λ_max = 2.565090247856687 at k = 1407,
        // min λ_min/λ_max = 3.4875172058484183e-07. (The lower triangle gives 2.5650902514667813: the float32 file is Hermitian only to ~1e-9.)
        Assert.Equal(1407, arg);
        Assert.Equal(2.565090247856687, sarWc, 1e-12 * sarWc);
        Assert.Equal(3.4875172058484183e-07, worstRatio, 1e-12);
    }
}
