using System.Diagnostics;
using System.Numerics;
using SarKit.Compression;
using SarKit.IO;
using SarKit.Sar;
using SarKit.Tests.Support;
using Xunit.Abstractions;
using SarKit.IO.Formats;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Tests.Compression;

public class VopChecksTests(ITestOutputHelper output)
{
    // Q = A Aᴴ/n with complex Gaussian-ish A: Hermitian positive definite (almost surely).
    private static double[] RandomPsd(int n, Random rng, double scale = 1)
    {
        var a = new Complex[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) a[i, j] = new Complex(rng.NextDouble() * 2 - 1, rng.NextDouble() * 2 - 1);
        var q = new Complex[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                Complex s = 0;
                for (int k = 0; k < n; k++) s += a[i, k] * Complex.Conjugate(a[j, k]);
                q[i, j] = scale * s / n;
            }
        return HermitianPacking.Pack(q);
    }

    private static double[] RandomSet(int n, int count, int seed)
    {
        var rng = new Random(seed);
        var set = new double[count * n * n];
        for (int k = 0; k < count; k++) RandomPsd(n, rng).CopyTo(set, k * n * n);
        return set;
    }

    private static double SarWc(double[] set, int n)
    {
        var l = new double[set.Length / (n * n)];
        HermitianKernels.LargestEigenvalues(set, n, l);
        return l.Max();
    }

    [Fact]
    public void OriginalsAsVopsGiveZeroOverestimationAndFullDominance()
    {
        const int n = 4;
        var q = RandomSet(n, 30, 1);
        var r = OverestimationReport.Compute(q, (double[])q.Clone(), n, 5000, seed: 7);
        Assert.Equal(0.0, r.MaxRelative);
        Assert.Equal(0.0, r.MinRelative);
        Assert.Equal(0.0, r.MaxAbsoluteOverSarWc);
        Assert.Equal(0, r.UnderestimatingDrives);
        var d = VopSetCheck.SingleVopDominance(q, q, n, 1e-12 * SarWc(q, n));
        Assert.True(d.AllSinglyDominated);
        for (int i = 0; i < 30; i++) Assert.Equal(i, d.DominatingVop[i]); // the first dominating VOP of Q_i is Q_i itself (random Q's do not dominate each other)
    }

    [Fact]
    public void SameSeedGivesTheSameReport()
    {
        const int n = 3;
        var q = RandomSet(n, 10, 2);
        var v = RandomSet(n, 4, 3);
        Assert.Equal(OverestimationReport.Compute(q, v, n, 3000, 11), OverestimationReport.Compute(q, v, n, 3000, 11));
        Assert.NotEqual(OverestimationReport.Compute(q, v, n, 3000, 11).MeanRelative, OverestimationReport.Compute(q, v, n, 3000, 12).MeanRelative);
    }

    [Fact]
    public void ShiftedOriginalsDominateWithAnalyticallyBoundedOverestimation()
    {
        const int n = 5, count = 25;
        const double eps = 0.05;
        var q = RandomSet(n, count, 4);
        double wc = SarWc(q, n);
        var v = (double[])q.Clone();
        for (int k = 0; k < count; k++)
            for (int i = 0; i < n; i++) v[k * n * n + i] += eps * wc; // V_k = Q_k + ε·SAR_wc·I
        // For ‖b‖ = 1: SAR_vop(b) = SAR_orig(b) + ε·SAR_wc, so rel = ε·SAR_wc/SAR_orig(b) ∈ [ε, ε·SAR_wc/max_i λ_min(Q_i)]
        // (SAR_orig(b) ≤ SAR_wc and SAR_orig(b) ≥ bᴴQ_ib ≥ λ_min(Q_i) for every i) and abs = ε exactly.
        double maxLambdaMin = 0;
        var ev = new double[n];
        for (int k = 0; k < count; k++)
        {
            HermitianKernels.Eigenvalues(q.AsSpan(k * n * n, n * n), n, ev);
            maxLambdaMin = Math.Max(maxLambdaMin, ev[0]);
        }
        Assert.True(maxLambdaMin > 0);
        var r = OverestimationReport.Compute(q, v, n, 20000, seed: 5);
        output.WriteLine($"rel: mean {r.MeanRelative:G6} p95 {r.P95Relative:G6} min {r.MinRelative:G6} max {r.MaxRelative:G6}; bound [{eps}, {eps * wc / maxLambdaMin:G6}]");
        Assert.True(r.MinRelative >= eps * (1 - 1e-9), $"min {r.MinRelative}");
        Assert.True(r.MaxRelative <= eps * wc / maxLambdaMin * (1 + 1e-9), $"max {r.MaxRelative}");
        Assert.True(r.MinRelative <= r.MeanRelative && r.MeanRelative <= r.P95Relative && r.P95Relative <= r.MaxRelative);
        Assert.Equal(eps, r.MaxAbsoluteOverSarWc, 1e-9);
        Assert.Equal(eps, r.MeanAbsoluteOverSarWc, 1e-9);
        Assert.Equal(0, r.UnderestimatingDrives);
        var d = VopSetCheck.SingleVopDominance(q, v, n, 1e-12 * wc);
        Assert.True(d.AllSinglyDominated);
    }

    [Fact]
    public void RemovingADominantMatrixIsDetected()
    {
        const int n = 4, count = 12;
        var rng = new Random(6);
        var q = RandomSet(n, count, 8);
        // Q_0 = 10·u uᴴ + 0.1·I: for drives near u it exceeds every other Q_i (λ_max(Q_i) ≲ 4 here), so it is essential.
        var u = new Complex[n];
        double norm = 0;
        for (int i = 0; i < n; i++) { u[i] = new Complex(rng.NextDouble() - 0.5, rng.NextDouble() - 0.5); norm += u[i].Magnitude * u[i].Magnitude; }
        var m = new Complex[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) m[i, j] = 10 * u[i] * Complex.Conjugate(u[j]) / norm + (i == j ? 0.1 : 0);
        HermitianPacking.Pack(m).CopyTo(q, 0);
        var v = q.AsSpan(n * n).ToArray(); // all but Q_0
        var r = OverestimationReport.Compute(q, v, n, 20000, seed: 9);
        output.WriteLine($"underestimating drives: {r.UnderestimatingDrives} of {r.Drives}; min rel {r.MinRelative:G6}");
        Assert.True(r.MinRelative < -0.1);
        Assert.True(r.UnderestimatingDrives > 0);
        Assert.False(r.NoUnderestimation);
        var d = VopSetCheck.SingleVopDominance(q, v, n, 1e-12 * SarWc(q, n));
        Assert.Equal([0], d.NotSinglyDominated);
        Assert.Equal(-1, d.DominatingVop[0]);
        for (int i = 1; i < count; i++) Assert.Equal(i - 1, d.DominatingVop[i]);
    }

    [Fact]
    public void BlockKernelMatchesPlainQuadraticForms()
    {
        const int n = 5, nn = n * n, count = 7, B = OverestimationReport.Block;
        var set = RandomSet(n, count, 21);
        var rng = new Random(22);
        var wt = new double[B * nn];
        var b = new double[2 * n];
        var drives = new Complex[B][];
        for (int d = 0; d < B; d++)
        {
            OverestimationReport.FillRandomUnitDriveWeights(rng, n, b, wt, d);
            drives[d] = new Complex[n];
            for (int i = 0; i < n; i++) drives[d][i] = new Complex(b[2 * i], b[2 * i + 1]);
        }
        var max = new double[B];
        OverestimationReport.MaxForms(set, count, nn, wt, max);
        for (int d = 0; d < B; d++)
        {
            double norm2 = drives[d].Sum(c => c.Magnitude * c.Magnitude);
            Assert.Equal(1.0, norm2, 1e-14);
            var w = HermitianPacking.DriveWeights(drives[d]);
            for (int t = 0; t < nn; t++) Assert.Equal(w[t], wt[t * B + d], 1e-15);
            // bᴴQb from the full matrix, independent of the packed layout
            double expected = double.NegativeInfinity;
            for (int k = 0; k < count; k++)
            {
                var q = HermitianPacking.Unpack(set.AsSpan(k * nn, nn), n);
                Complex s = 0;
                for (int i = 0; i < n; i++)
                    for (int j = 0; j < n; j++) s += Complex.Conjugate(drives[d][i]) * q[i, j] * drives[d][j];
                expected = Math.Max(expected, s.Real);
            }
            Assert.Equal(expected, max[d], 1e-12 * Math.Abs(expected));
        }
    }

    [Fact]
    public void BadSetSizesAreInputErrors()
    {
        var ex = Assert.Throws<SarKitInputException>(() => OverestimationReport.Compute(new double[16], new double[15], 4, 10, 1));
        Assert.Contains("vopPacked", ex.Message);
        Assert.Throws<SarKitInputException>(() => OverestimationReport.Compute(new double[16], new double[16], 4, 0, 1));
        Assert.Throws<SarKitInputException>(() => VopSetCheck.SingleVopDominance(new double[0], new double[16], 4, 0));
    }

    [SharedDataFact("qmatrices/orzada_V_full_8ch_1767.mat")]
    public void OrzadaSetIsDominatedBySarWcTimesIdentity()
    {
        using var src = QMatrixSources.Open(SharedData.Reference("qmatrices/orzada_V_full_8ch_1767.mat")!);
        int n = src.Channels; long count = src.Count;
        var packed = src.ReadAll();
        double wc = SarWc(packed, n);
        var v = new double[n * n];
        for (int i = 0; i < n; i++) v[i] = wc;
        var d = VopSetCheck.SingleVopDominance(packed, v, n, 1e-9 * wc);
        Assert.True(d.AllSinglyDominated);
        int drives = int.TryParse(Environment.GetEnvironmentVariable("SARKIT_VOPCHECK_DRIVES"), out var nd) ? nd : 20000;
        var sw = Stopwatch.StartNew();
        var r = OverestimationReport.Compute(packed, v, n, drives, seed: 2026);
        sw.Stop();
        output.WriteLine($"Orzada 8ch, {count} Q-matrices, V = SAR_wc·I (SAR_wc = {wc:G6}), {drives} drives in {sw.Elapsed.TotalSeconds:F2} s:");
        output.WriteLine($"relative overestimation: mean {r.MeanRelative:G4}, p95 {r.P95Relative:G4}, min {r.MinRelative:G4}, max {r.MaxRelative:G4}; " +
                         $"absolute/SAR_wc: mean {r.MeanAbsoluteOverSarWc:G4}, max {r.MaxAbsoluteOverSarWc:G4}");
        Assert.Equal(0, r.UnderestimatingDrives);
        Assert.True(r.MinRelative >= 0);
        Assert.InRange(r.MaxAbsoluteOverSarWc, 0, 1); // SAR_vop = SAR_wc for every unit drive, SAR_orig ∈ (0, SAR_wc]
        Assert.True(r.MeanRelative > 0);
    }

    [Fact]
    public void DriveSamplerEarlyExitGivesTheFullScanMaxima()
    {
        // matrices with widely spread scales (as in a 10 g Q field: few hot, many cold), two chunks
        const int n = 4, nn = n * n, count = 3000, drives = 1000;
        var rng = new Random(5);
        var set = new double[count * nn];
        for (int k = 0; k < count; k++) RandomPsd(n, rng, Math.Pow(10, -3 * rng.NextDouble())).CopyTo(set, k * nn);
        var pruned = new DriveSampler(n, drives, 9, 2);
        var full = new DriveSampler(n, drives, 9, 2);
        foreach (var (first, k) in new[] { (0, 1800), (1800, 1200) })
        {
            var chunk = set.AsSpan(first * nn, k * nn).ToArray();
            pruned.AddOriginals(chunk, k, default);
            full.AddOriginalsUnpruned(chunk, k, default);
        }
        for (int d = 0; d < drives; d++) Assert.Equal(full.OriginalMax[d], pruned.OriginalMax[d], 1e-12 * full.OriginalMax[d]);
        Assert.True(pruned.FormsSkipped > 0, "the early exit never triggered");
        output.WriteLine($"forms evaluated {pruned.FormsEvaluated}, skipped {pruned.FormsSkipped}");
    }
}
