using System.Diagnostics;
using System.Numerics;
using SarKit.Averaging;
using SarKit.Compression;
using SarKit.Engines;
using SarKit.IO;
using SarKit.Sar;
using SarKit.Tests.Support;
using Xunit.Abstractions;
using SarKit.Compression.Algorithms;
using SarKit.IO.Formats;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Tests.Compression;

public class VopCompressorTests(ITestOutputHelper output)
{
    private static double[] Diag(params double[] d)
    {
        var p = new double[d.Length * d.Length];
        for (int i = 0; i < d.Length; i++) p[i] = d[i];
        return p;
    }

    private static double[] Concat(IEnumerable<double[]> ms) => ms.SelectMany(m => m).ToArray();

    /// <summary>Random PSD Q = Σ_r g_r g_rᴴ of rank ≤ <paramref name="rank"/>, scaled by a random factor (λ_max spread like a SAR set).</summary>
    internal static double[] RandomSet(int n, int count, int rank, int seed)
    {
        var rng = new Random(seed);
        var set = new double[count * n * n];
        for (int k = 0; k < count; k++)
        {
            var m = new Complex[n, n];
            double s = Math.Exp(-2 * rng.NextDouble());
            for (int r = 0; r < rank; r++)
            {
                var g = new Complex[n];
                for (int i = 0; i < n; i++) g[i] = new Complex(rng.NextDouble() * 2 - 1, rng.NextDouble() * 2 - 1);
                for (int i = 0; i < n; i++)
                    for (int j = 0; j < n; j++) m[i, j] += s * g[i] * Complex.Conjugate(g[j]);
            }
            HermitianPacking.Pack(m).CopyTo(set, k * n * n);
        }
        return set;
    }

    private void AssertDominates(double[] q, VopSet set, int n, int drives, string label, bool libraryFirst = false)
    {
        var chk = VopDominanceCheck.Check(q, set.Packed, n, libraryFirst: libraryFirst);
        output.WriteLine($"{label}: {set.Count} VOPs; CC proofs for {chk.Checked} matrices: single {chk.BySingle}, subgradient {chk.BySubgradient}, library c {chk.ByLibrary}; failed {chk.Failed}, worst −λ_min/SAR_wc {chk.WorstViolationOverSarWc:G3}");
        Assert.Equal(0, chk.Failed);
        var r = OverestimationReport.Compute(q, set.Packed, n, drives, seed: 11);
        output.WriteLine($"   {drives} drives: rel mean {r.MeanRelative:G4} p95 {r.P95Relative:G4} min {r.MinRelative:G4} max {r.MaxRelative:G4}; abs/SAR_wc max {r.MaxAbsoluteOverSarWc:G4}");
        Assert.Equal(0, r.UnderestimatingDrives);
        Assert.True(r.MaxAbsoluteOverSarWc <= set.Margin.Epsilon * (1 + 1e-9) + 1e-12 || set.Margin.Kind != VopMarginKind.Diagonal || set.Attributes.ContainsKey("post_processed"),
            $"absolute overestimation {r.MaxAbsoluteOverSarWc} exceeds the margin {set.Margin.Epsilon}");
    }

    [Fact]
    public void ConvexHullOfTwoDiagonalMatricesNeedsExactlyTwoVops()
    {
        // Q_a = diag(a, 1 − a): every one is the convex combination a·diag(1,0) + (1 − a)·diag(0,1) (CC), but none of the
        // interior ones is dominated by a single extreme plus a 5 % margin.
        var ms = new List<double[]> { Diag(0.3, 0.7), Diag(1, 0), Diag(0.5, 0.5), Diag(0, 1) };
        for (int k = 1; k < 20; k++) ms.Add(Diag(k / 20.0, 1 - k / 20.0));
        var q = Concat(ms);
        foreach (var alg in new[] { VopAlgorithm.Lee, VopAlgorithm.LeeKuehne, VopAlgorithm.Iterative, VopAlgorithm.Hybrid })
        {
            var set = VopCompressor.Compress(q, 2, new VopCompressionOptions { Algorithm = alg, Epsilon = 0.05 });
            Assert.Equal([1, 3], set.SourceIndex.Order().ToArray());
            Assert.Equal(DominanceCriterion.ConvexCombination, set.Criterion);
            Assert.Equal(1.0, set.SarWorstCase, 1e-14);
            Assert.Equal(0.05, set.Margin.Epsilon, 1e-14);
            // V = Q_src + 0.05·I
            var v = set.Matrix(Array.IndexOf(set.SourceIndex, 1)).ToArray();
            Assert.Equal(Diag(1.05, 0.05), v);
            Assert.Equal(VopSet.HashMatrices(q), set.SourceSha256);
            Assert.Null(set.Certificate);
            AssertDominates(q, set, 2, 20000, alg.ToString());
        }
    }

    [Fact]
    public void EichfelderClustersDiagonalMatricesAsComputedByHand()
    {
        // Q1 = diag(1,0), Q2 = diag(0,1), Q3 = diag(.5,.5). u = 0.5: B* = Q1; d(Q2) = −1, d(Q3) = −0.5; Q3 first:
        // P = diag(.5, −.5), P₋ = diag(0, .5), ‖Z‖ = 0.5 ≤ u ⇒ joins, Z = diag(0, .5); Q2: P = diag(1, −.5) ⇒ ‖Z + P₋‖ = 1 > u ⇒ stop.
        var q = Concat([Diag(1, 0), Diag(0, 1), Diag(0.5, 0.5)]);
        var set = VopCompressor.Compress(q, 2, new VopCompressionOptions { Algorithm = VopAlgorithm.Eichfelder, Epsilon = 0.5 });
        Assert.Equal(DominanceCriterion.Single, set.Criterion);
        Assert.Equal([0, 1], set.SourceIndex);
        // (+ at most a few 1e-12·SAR_wc·I: V − Q3 = diag(.5, 0) is singular, which the Cholesky re-check with τ = 0 rejects)
        AssertClose(Diag(1, 0.5), set.Matrix(0).ToArray(), 1e-10);
        AssertClose(Diag(0, 1), set.Matrix(1).ToArray(), 1e-10);
        // with u = 0.1 nobody joins: three clusters
        var set2 = VopCompressor.Compress(q, 2, new VopCompressionOptions { Algorithm = VopAlgorithm.Eichfelder, Epsilon = 0.1 });
        Assert.Equal(3, set2.Count);
        Assert.True(VopSetCheck.SingleVopDominance(q, set2.Packed, 2, 0).AllSinglyDominated);
    }

    private static void AssertClose(double[] expected, double[] actual, double tol)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) <= tol, $"element {i}: {actual[i]} vs {expected[i]}");
    }

    [Fact]
    public void CcSolverDecidesKnownCases()
    {
        const int n = 3;
        var s = new CcDominanceSolver(n);
        var v = Concat([Diag(2, 0, 0), Diag(0, 2, 0), Diag(0, 0, 2)]);
        Assert.Equal(DominanceOutcome.Dominated, s.Test(Diag(0.6, 0.6, 0.6), v, 3, 2)); // c = (1/3, 1/3, 1/3) gives 2/3·I
        Assert.InRange(s.C[0] + s.C[1] + s.C[2], 1 - 1e-12, 1 + 1e-12);
        var p = s.P.ToArray();
        Assert.True(HermitianKernels.Dominates(p, Diag(0.6, 0.6, 0.6), n, 0));
        Assert.Equal(DominanceOutcome.NotDominated, s.Test(Diag(0.7, 0.7, 0.7), v, 3, 2)); // f* = 0.7 − 2/3 > 0 (W = I/3)
        Assert.Equal(DominanceOutcome.NotDominated, s.Test(Diag(2.1, 0, 0), v, 3, 2));   // e₁ is a rank-1 witness
        Assert.True(s.HasRank1Witness);
        Assert.True(s.WitnessQ > 2);
        // value of the minimisation: min_c λ_max(diag(.9,.9,.9) − Σc_j 2e_je_jᴴ) = 0.9 − 2/3
        double f = s.Minimize(Diag(0.9, 0.9, 0.9), v, 3, 2);
        Assert.Equal(0.9 - 2.0 / 3, f, 1e-9);
    }

    [Fact]
    public void RandomSetsAllAlgorithmsDominate()
    {
        const int n = 4;
        var q = RandomSet(n, 250, 2, 5);
        foreach (var alg in Enum.GetValues<VopAlgorithm>())
            foreach (var eps in new[] { 0.2, 0.05 })
            {
                var set = VopCompressor.Compress(q, n, new VopCompressionOptions { Algorithm = alg, Epsilon = eps, HybridSwitchVops = 10 });
                Assert.Equal(alg == VopAlgorithm.Eichfelder ? DominanceCriterion.Single : DominanceCriterion.ConvexCombination, set.Criterion);
                Assert.Equal(set.Count, set.SourceIndex.Distinct().Count());
                AssertDominates(q, set, n, 5000, $"{alg} ε={eps}");
            }
    }

    [Fact]
    public void LeeWithAndWithoutKuehneAndAnyThreadCountGiveTheSequentialLeeResult()
    {
        // Kuehne's drop and the speculative parallel batches only skip work: the VOP list (and its order) must be that of
        // a plain sequential Lee pass.
        const int n = 4;
        var q = RandomSet(n, 300, 2, 12);
        var seq = VopCompressor.Compress(q, n, new VopCompressionOptions { Algorithm = VopAlgorithm.Lee, Epsilon = 0.05, MaxDegreeOfParallelism = 1 });
        var par = VopCompressor.Compress(q, n, new VopCompressionOptions { Algorithm = VopAlgorithm.Lee, Epsilon = 0.05, MaxDegreeOfParallelism = 2 });
        var kue = VopCompressor.Compress(q, n, new VopCompressionOptions { Algorithm = VopAlgorithm.LeeKuehne, Epsilon = 0.05, MaxDegreeOfParallelism = 2 });
        output.WriteLine($"{seq.Algorithm}\n{kue.Algorithm}");
        Assert.Equal(seq.SourceIndex, par.SourceIndex);
        Assert.Equal(seq.SourceIndex, kue.SourceIndex);
        Assert.Equal(seq.Packed, kue.Packed);
    }

    [Fact]
    public void HybridWithoutCcRepairReportsTheCoCriterion()
    {
        const int n = 4;
        var q = RandomSet(n, 150, 2, 13);
        var co = VopCompressor.Compress(q, n, new VopCompressionOptions { Algorithm = VopAlgorithm.Hybrid, Epsilon = 0.05, HybridSwitchVops = 5, HybridCcRepair = false });
        Assert.Equal(DominanceCriterion.ConvexOptimization, co.Criterion);
        Assert.Contains("NOT re-checked", co.Algorithm);
        var r = OverestimationReport.Compute(q, co.Packed, n, 20000, seed: 3);
        output.WriteLine($"CO-only hybrid: {co.Count} VOPs; 20000 drives: min rel {r.MinRelative:G4}, underestimated {r.UnderestimatingDrives}");
        var cc = VopCompressor.Compress(q, n, new VopCompressionOptions { Algorithm = VopAlgorithm.Hybrid, Epsilon = 0.05, HybridSwitchVops = 5 });
        Assert.Equal(DominanceCriterion.ConvexCombination, cc.Criterion);
        AssertDominates(q, cc, n, 20000, "hybrid with CC repair");
    }

    [Fact]
    public void MarginKindsAndPostProcessingDominate()
    {
        const int n = 4;
        var q = RandomSet(n, 300, 3, 6);
        var global = VopCompressor.Compress(q, n, new VopCompressionOptions { Algorithm = VopAlgorithm.LeeKuehne, Epsilon = 0.1, MarginKind = VopMarginKind.Global });
        Assert.Equal(VopMarginKind.Global, global.Margin.Kind);
        Assert.Equal(0.1 * global.SarWorstCase, HermitianKernels.LargestEigenvalue(global.Margin.Packed, n), 1e-9 * global.SarWorstCase);
        AssertDominates(q, global, n, 20000, "global margin");
        var user = Diag(0.3, 0.1, 0.1, 0.2);
        var us = VopCompressor.Compress(q, n, new VopCompressionOptions { Algorithm = VopAlgorithm.Iterative, Epsilon = 0.5, MarginKind = VopMarginKind.User, UserMarginPacked = user });
        Assert.Equal(Diag(0.15, 0.05, 0.05, 0.1), us.Margin.Packed);
        AssertDominates(q, us, n, 20000, "user margin");
        var pp = VopCompressor.Compress(q, n, new VopCompressionOptions { Algorithm = VopAlgorithm.Iterative, Epsilon = 0.1, PostProcess = true });
        AssertDominates(q, pp, n, 20000, "post-processed");
        Assert.Throws<SarKitInputException>(() => VopCompressor.Compress(q, n, new VopCompressionOptions { MarginKind = VopMarginKind.User, UserMarginPacked = Diag(1, -1, 1, 1) }));
    }

    [Fact]
    public void SmallerMarginsGiveMoreVopsAndTargetCountIsRespected()
    {
        const int n = 4;
        var q = RandomSet(n, 400, 2, 7);
        int prev = 0;
        foreach (var eps in new[] { 0.3, 0.1, 0.03 })
        {
            var set = VopCompressor.Compress(q, n, new VopCompressionOptions { Algorithm = VopAlgorithm.Iterative, Epsilon = eps });
            Assert.True(set.Count >= prev, $"{set.Count} VOPs at ε = {eps} after {prev}");
            prev = set.Count;
        }
        var t = VopCompressor.Compress(q, n, new VopCompressionOptions { Algorithm = VopAlgorithm.Iterative, Epsilon = 0.01, TargetVops = 20 });
        output.WriteLine($"target 20: {t.Count} VOPs at ε = {t.Margin.Epsilon}: {t.Algorithm}");
        Assert.True(t.Count <= 20 || t.Margin.Epsilon >= 0.4 - 1e-12);
        Assert.True(t.Margin.Epsilon >= 0.01);
        AssertDominates(q, t, n, 20000, "target 20");
    }

    [Fact]
    public void CheckpointResumeReproducesTheUninterruptedRun()
    {
        const int n = 4;
        var q = RandomSet(n, 300, 2, 8);
        var cps = new List<VopCompressionCheckpoint>();
        var progress = new List<VopCompressionProgress>();
        var o = new VopCompressionOptions { Algorithm = VopAlgorithm.Iterative, Epsilon = 0.05, MaxDegreeOfParallelism = 2 };
        var full = VopCompressor.Compress(q, n, o with { OnCheckpoint = cps.Add }, new SyncProgress(progress.Add));
        Assert.True(cps.Count >= 3);
        Assert.Equal(Enumerable.Range(0, cps.Count), cps.Select(c => c.Iteration));
        Assert.Equal(full.SourceIndex, cps[^1].VopSourceIndices);
        Assert.NotEmpty(progress);
        Assert.All(progress, p => Assert.InRange(p.Processed, 0, p.Total));
        var resumed = VopCompressor.Compress(q, n, o with { ResumeFrom = cps[1] });
        Assert.Equal(full.SourceIndex, resumed.SourceIndex);
        Assert.Equal(full.Packed, resumed.Packed);
        var other = RandomSet(n, 300, 2, 9);
        var ex = Assert.Throws<SarKitInputException>(() => VopCompressor.Compress(other, n, o with { ResumeFrom = cps[1] }));
        Assert.Contains("checkpoint", ex.Message);
        Assert.Throws<SarKitInputException>(() => VopCompressor.Compress(q, n, o with { Epsilon = 0.1, ResumeFrom = cps[1] }));
    }

    private sealed class SyncProgress(Action<VopCompressionProgress> a) : IProgress<VopCompressionProgress>
    {
        public void Report(VopCompressionProgress value) { lock (this) a(value); }
    }

    [Fact]
    public void CancellationAndBadInput()
    {
        var q = RandomSet(3, 50, 2, 10);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => VopCompressor.Compress(q, 3, new VopCompressionOptions(), cancellationToken: cts.Token));
        Assert.Throws<SarKitInputException>(() => VopCompressor.Compress(new double[10], 3, new VopCompressionOptions()));
        Assert.Throws<SarKitInputException>(() => VopCompressor.Compress(q, 3, new VopCompressionOptions { Epsilon = 0 }));
        Assert.Throws<SarKitInputException>(() => VopCompressor.Compress(new double[18], 3, new VopCompressionOptions()));
        var bad = (double[])q.Clone(); bad[5] = double.NaN;
        var ex = Assert.Throws<SarKitInputException>(() => VopCompressor.Compress(bad, 3, new VopCompressionOptions()));
        Assert.Contains("Q-matrix 0", ex.Message);
    }

    [Fact]
    public void FieldEngineQSetIsCompressedSafely()
    {
        var ds = SyntheticDatasets.Ptx(channels: 4, approxVoxels: 6_000, seed: 3);
        var qs = AveragedQMatrixSet.Compute(ds, AveragingCubeSet.Build(ds.Tissue));
        var q = qs.AllPacked.ToArray();
        var sw = Stopwatch.StartNew();
        var set = VopCompressor.Compress(q, qs.Channels, new VopCompressionOptions { Algorithm = VopAlgorithm.Iterative, Epsilon = 0.05 });
        output.WriteLine($"field engine: {qs.Count} Q-matrices ({qs.Channels} ch) → {set.Count} VOPs in {sw.Elapsed.TotalSeconds:F2} s; {set.Algorithm}");
        AssertDominates(q, set, qs.Channels, 20000, "field engine 10 g, iterative 5 %");
    }

    [SharedDataFact("qmatrices/orzada_V_full_8ch_1767.mat")]
    public void OrzadaSetAtTenPercentIsSmallAndDominating()
    {
        using var src = QMatrixSources.Open(SharedData.Reference("qmatrices/orzada_V_full_8ch_1767.mat")!);
        int n = src.Channels;
        var q = src.ReadAll();
        var sw = Stopwatch.StartNew();
        var set = VopCompressor.Compress(q, n, new VopCompressionOptions { Algorithm = VopAlgorithm.Iterative, Epsilon = 0.10 });
        output.WriteLine($"Orzada 1767 × 8 ch, 10 %: {set.Count} VOPs in {sw.Elapsed.TotalSeconds:F2} s; {set.Algorithm}");
        Assert.InRange(set.Count, 2, 61);
        Assert.Equal(2.565090247856687, set.SarWorstCase, 1e-6);
        AssertDominates(q, set, n, 100_000, "Orzada iterative 10 %", libraryFirst: true);
    }
}
