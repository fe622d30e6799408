using System.Numerics;
using SarKit.Compression;
using SarKit.Fields;
using SarKit.IO;
using SarKit.Sar;
using SarKit.Tests.Support;
using Xunit.Abstractions;
using SarKit.IO.Formats;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Tests.Compression;

public class VopVerifierTests(ITestOutputHelper output)
{
    internal static double[] RandomPsd(int n, Random rng, int rank = -1)
    {
        int r = rank < 0 ? n : rank;
        var a = new Complex[n, r];
        for (int i = 0; i < n; i++) for (int j = 0; j < r; j++) a[i, j] = new Complex(rng.NextDouble() * 2 - 1, rng.NextDouble() * 2 - 1);
        var q = new Complex[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) { Complex s = 0; for (int k = 0; k < r; k++) s += a[i, k] * Complex.Conjugate(a[j, k]); q[i, j] = s / n; }
        return HermitianPacking.Pack(q);
    }

    internal static double[] RandomSet(int n, int count, int seed, int rank = -1)
    {
        var rng = new Random(seed);
        var set = new double[count * n * n];
        for (int k = 0; k < count; k++) RandomPsd(n, rng, rank).CopyTo(set, k * n * n);
        return set;
    }

    internal static VopSet MakeSet(double[] vops, int n, double[] originals, int[]? sourceIndex = null, double eps = 0)
    {
        int k = vops.Length / (n * n);
        var z = new double[n * n];
        double wc = VopSet.WorstCaseSar(originals, n);
        for (int i = 0; i < n; i++) z[i] = eps * wc;
        return new VopSet(n, vops, sourceIndex ?? Enumerable.Repeat(-1, k).ToArray(), new VopMargin(VopMarginKind.Diagonal, eps, z),
            DominanceCriterion.ConvexCombination, "hand-made", originals.Length / (n * n), VopSet.HashMatrices(originals), wc, FieldNormalisation.Unspecified);
    }

    internal static double[] PlusMargin(double[] q, int n, double abs)
    {
        var v = (double[])q.Clone();
        for (int k = 0; k < q.Length / (n * n); k++) for (int i = 0; i < n; i++) v[k * n * n + i] += abs;
        return v;
    }

    internal static double[] Gather(double[] q, int[] idx, int nn)
    {
        var r = new double[idx.Length * nn];
        for (int t = 0; t < idx.Length; t++) Array.Copy(q, idx[t] * nn, r, t * nn, nn);
        return r;
    }

    /// <summary>Fast settings on a fixed clock: the certificate digest binds created_utc, so two runs compare equal even across a second boundary.</summary>
    private static VopVerifierOptions Fast(int drives = 2000) =>
        new() { RandomDrives = drives, Seed = 3, Time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.Zero)) };

    private static VopVerificationResult Verify(VopSet set, double[] q, int n, VopVerifierOptions? o = null)
    {
        using var src = new PackedQMatrixSource(q, n);
        return VopVerifier.Verify(set, src, o ?? Fast());
    }

    [Fact]
    public void OriginalsPlusMarginPass()
    {
        const int n = 6, count = 200;
        var q = RandomSet(n, count, 1);
        double wc = VopSet.WorstCaseSar(q, n);
        var set = MakeSet(PlusMargin(q, n, 0.05 * wc), n, q, Enumerable.Range(0, count).ToArray(), 0.05);
        var r = Verify(set, q, n);
        Assert.True(r.Certificate.Passed, string.Join("; ", r.Problems));
        Assert.Equal(count, r.Count(VopProofKind.SourceVop));
        Assert.Equal(count, r.Certificate.MatricesChecked);
        Assert.Equal(0, r.Certificate.MatricesFailed);
        // exactly −λ_min(V_i − Q_i) = −0.05·SAR_wc for every matrix
        Assert.Equal(-0.05 * wc, r.Certificate.LargestViolation, 1e-12 * wc);
        Assert.Equal(set.SourceSha256, r.Certificate.SourceSha256);
        set.Certificate = r.Certificate;
        Assert.True(set.HasValidCertificate(out var why), why);

        // without source indices the same set is proven through single VOPs / reused combinations
        var anon = MakeSet(PlusMargin(q, n, 0.05 * wc), n, q, null, 0.05);
        var r2 = Verify(anon, q, n);
        Assert.True(r2.Certificate.Passed, string.Join("; ", r2.Problems));
        Assert.Equal(0, r2.Count(VopProofKind.SourceVop));
    }

    [Fact]
    public void SumOfAllMatricesIsOneDominatingVop()
    {
        const int n = 5, count = 80;
        var q = RandomSet(n, count, 2);
        var sum = new double[n * n];
        for (int k = 0; k < count; k++) for (int t = 0; t < n * n; t++) sum[t] += q[k * n * n + t];
        var r = Verify(MakeSet(sum, n, q), q, n);
        Assert.True(r.Certificate.Passed, string.Join("; ", r.Problems));
        Assert.True(r.Certificate.LargestViolation < 0);
        Assert.Equal(count, r.Count(VopProofKind.SingleVop) + r.Count(VopProofKind.ReusedCombination));
    }

    [Fact]
    public void ConvexCombinationsAreFoundWhereNoSingleVopDominates()
    {
        const int n = 6, k = 15, count = 120;
        var rng = new Random(5);
        var v = RandomSet(n, k, 6);
        v = PlusMargin(v, n, 0.3); // well conditioned VOPs
        var q = new double[count * n * n];
        for (int i = 0; i < count; i++)
        {
            // Q = Σ c_j V_j − δI over 3 random VOPs: CC-dominated with slack δ
            var c = new double[k];
            for (int t = 0; t < 3; t++) c[rng.Next(k)] += rng.NextDouble() + 0.1;
            double s = c.Sum();
            for (int j = 0; j < k; j++) for (int t = 0; t < n * n; t++) q[i * n * n + t] += c[j] / s * v[j * n * n + t];
            for (int d = 0; d < n; d++) q[i * n * n + d] -= 0.01;
        }
        var set = MakeSet(v, n, q);
        var single = VopSetCheck.SingleVopDominance(q, v, n, 1e-9 * set.SarWorstCase);
        Assert.True(single.NotSinglyDominated.Length > count / 2, $"{single.NotSinglyDominated.Length} not singly dominated");
        var r = Verify(set, q, n);
        output.WriteLine(string.Join(", ", Enum.GetValues<VopProofKind>().Select(x => $"{x} {r.Count(x)}")));
        Assert.True(r.Certificate.Passed, string.Join("; ", r.Problems));
        Assert.True(r.Count(VopProofKind.ConvexCombination) + r.Count(VopProofKind.ReusedCombination) >= single.NotSinglyDominated.Length);
        Assert.True(r.Certificate.LargestViolation <= -0.01 * 0.999 || r.Certificate.LargestViolation <= r.Certificate.Tolerance);
    }

    [Fact]
    public void NearBoundaryCombinationsOfLowRankVopsAreDecided()
    {
        // Q = (1 − δ)·Σ c_j V_j over 8 of 40 rank-2 VOPs: dominated with almost no slack (δ = 1e-7), where single
        // cuts zigzag; and Q = (1 + δ)·Σ c_j V_j: every matrix must be decided (proven either way), none undecided
        const int n = 6, k = 40, count = 25;
        foreach (var delta in new[] { 1e-7, -1e-3 })
        {
            var rng = new Random(17);
            var v = RandomSet(n, k, 18, rank: 2);
            var q = new double[count * n * n];
            for (int i = 0; i < count; i++)
            {
                var c = new double[k];
                for (int t = 0; t < 8; t++) c[rng.Next(k)] += rng.NextDouble();
                double s = c.Sum();
                for (int j = 0; j < k; j++) for (int t = 0; t < n * n; t++) q[i * n * n + t] += (1 - delta) * c[j] / s * v[j * n * n + t];
            }
            var r = Verify(MakeSet(v, n, q), q, n, Fast(0));
            output.WriteLine($"δ {delta}: " + string.Join(", ", Enum.GetValues<VopProofKind>().Select(x => $"{x} {r.Count(x)}")));
            Assert.Equal(0, r.Count(VopProofKind.Undecided));
            if (delta > 0) Assert.True(r.Certificate.Passed, string.Join("; ", r.Problems));
            else Assert.True(r.Count(VopProofKind.ProvenNotDominated) > 0);
        }
    }

    [Fact]
    public void RemovedVopAndShrunkMarginFail()
    {
        const int n = 6, count = 60;
        var q = RandomSet(n, count, 7, rank: 2);
        double wc = VopSet.WorstCaseSar(q, n);
        // one needed VOP removed: drop the VOP of the matrix with the largest λ_max (tiny margin)
        var lam = new double[count];
        HermitianKernels.LargestEigenvalues(q, n, lam);
        int top = Array.IndexOf(lam, lam.Max());
        var keep = Enumerable.Range(0, count).Where(i => i != top).ToArray();
        var v = PlusMargin(q, n, 1e-4 * wc);
        var vRemoved = Gather(v, keep, n * n);
        var r = Verify(MakeSet(vRemoved, n, q, keep, 1e-4), q, n);
        Assert.False(r.Certificate.Passed);
        Assert.Contains(top, r.FailedIndices);
        Assert.True(r.Certificate.MatricesFailed >= 1);
        Assert.True(r.Certificate.LargestViolation > r.Certificate.Tolerance);
        Assert.Equal(top, r.Certificate.LargestViolationIndex);
        Assert.True(r.Count(VopProofKind.ProvenNotDominated) >= 1);

        // margin shrunk below zero: V_i = Q_i − δI never dominates Q_i alone, and for rank-2 Q's no combination does
        var shrunk = PlusMargin(q, n, -1e-3 * wc);
        var r2 = Verify(MakeSet(shrunk, n, q, Enumerable.Range(0, count).ToArray()), q, n);
        Assert.False(r2.Certificate.Passed);
        Assert.True(r2.Certificate.MatricesFailed > 0);
        Assert.True(r2.Certificate.LargestViolation > 0);
    }

    [Fact]
    public void WrongOriginalsOrChannelsAreReported()
    {
        const int n = 4;
        var q = RandomSet(n, 20, 8);
        var other = RandomSet(n, 20, 9);
        var set = MakeSet(PlusMargin(q, n, 10), n, q);
        var r = Verify(set, other, n);
        Assert.False(r.Certificate.Passed); // dominance may hold, but these are not the set's originals
        Assert.Contains(r.Problems, p => p.Contains("not the ones"));
        using var src5 = new PackedQMatrixSource(RandomSet(5, 3, 1), 5);
        Assert.Throws<SarKitInputException>(() => VopVerifier.Verify(set, src5, Fast()));
    }

    [Fact]
    public void RandomDrivesNeverBelowForVerifiedSets()
    {
        // property: for every verified set, VOP SAR ≥ true SAR − 1e-12 relative for random drives
        for (int seed = 0; seed < 4; seed++)
        {
            int n = 3 + seed;
            var q = RandomSet(n, 40, 100 + seed);
            double wc = VopSet.WorstCaseSar(q, n);
            var set = MakeSet(PlusMargin(q, n, 0.02 * wc), n, q, null, 0.02);
            var r = Verify(set, q, n, Fast(5000));
            Assert.True(r.Certificate.Passed);
            Assert.Equal(0, r.UnderestimatingDrives);
            Assert.True(r.Certificate.RandomMaxRelativeUnderestimation <= 1e-12);
            var rep = OverestimationReport.Compute(q, set.Packed, n, 5000, seed);
            Assert.True(rep.MinRelative >= -1e-12);
        }
    }

    /// <summary>
    /// The certificate (largest violation and its index, proof counts) does not depend on the number of threads or on
    /// which thread proves which matrices: ranges of <see cref="VopVerifier.VerifyRange"/> matrices, each proved from a
    /// reset worker. Before (issue 18) a worker's cache of combinations carried over between ranges in thread order and the
    /// range size followed the core count, so the proofs and the largest violation changed between runs and machines.
    /// A set from a margin that needs convex combinations (several ranges, cached combinations reused).
    /// </summary>
    [Fact]
    public void TheCertificateDoesNotDependOnTheThreadCount()
    {
        const int n = 4;
        var q = RandomSet(n, 3 * VopVerifier.VerifyRange + 57, 21, rank: 2);
        double wc = VopSet.WorstCaseSar(q, n);
        int[] keep = Enumerable.Range(0, q.Length / (n * n)).Where(i => i % 5 == 0).ToArray();
        var set = MakeSet(PlusMargin(Gather(q, keep, n * n), n, 0.3 * wc), n, q, keep, 0.3);
        var one = Verify(set, q, n, Fast() with { MaxDegreeOfParallelism = 1 });
        Assert.True(one.CountsByProof[(int)VopProofKind.ConvexCombination] + one.CountsByProof[(int)VopProofKind.ReusedCombination] > 0,
            "the case must exercise combinations");
        foreach (int dop in new[] { 2, 3, 8 })
        {
            var other = Verify(set, q, n, Fast() with { MaxDegreeOfParallelism = dop });
            Assert.Equal(one.Certificate with { CreatedUtc = default }, other.Certificate with { CreatedUtc = default });
            Assert.Equal(one.CountsByProof, other.CountsByProof);
        }
    }

    [Fact]
    public void StreamingInChunksGivesTheSameCertificate()
    {
        const int n = 4;
        var q = RandomSet(n, 300, 11);
        double wc = VopSet.WorstCaseSar(q, n);
        var set = MakeSet(PlusMargin(q, n, 0.1 * wc), n, q, null, 0.1);
        var a = Verify(set, q, n, Fast() with { ChunkMatrices = 37 });
        var b = Verify(set, q, n, Fast());
        Assert.Equal(b.Certificate with { CreatedUtc = default }, a.Certificate with { CreatedUtc = default });
        Assert.Equal(set.SourceSha256, a.SourceSha256);
    }

    [Fact]
    public void Hdf5HyperslabStreamingGivesTheSameCertificateAsMemory()
    {
        const int n = 3;
        var q = RandomSet(n, 101, 12);
        double wc = VopSet.WorstCaseSar(q, n);
        var set = MakeSet(PlusMargin(q, n, 0.02 * wc), n, q, null, 0.02);
        var dir = Directory.CreateTempSubdirectory("vopstream");
        try
        {
            var path = Path.Combine(dir.FullName, "q.h5");
            SarKit.Tests.Cli.VopCliTests.WriteQ(path, q, n);
            using var h5 = QMatrixSources.Open(path);
            Assert.Equal(101, h5.Count);
            Assert.Equal(FieldNormalisation.PerVoltIncident, h5.Normalisation);
            var a = VopVerifier.Verify(set, h5, Fast() with { ChunkMatrices = 7 });
            var b = Verify(set, q, n);
            Assert.True(a.Certificate.Passed, string.Join("; ", a.Problems));
            Assert.Equal(b.Certificate with { CreatedUtc = default }, a.Certificate with { CreatedUtc = default });
            var rep = OverestimationReport.Compute(h5, set.Packed, n, new OverestimationOptions { Drives = 3000, Seed = 5, Bins = 8 });
            var mem = OverestimationReport.Compute(q, set.Packed, n, 3000, 5);
            Assert.Equal(mem.MeanRelative, rep.MeanRelative, 14);
            Assert.Equal(mem.MaxRelative, rep.MaxRelative, 14);
            Assert.Equal(mem.P95Relative, rep.P95Relative, 14);
            Assert.Equal(3000, rep.RelativeHistogram!.Counts.Sum());
            Assert.Equal(9, rep.AbsoluteHistogram!.Edges.Length);
        }
        finally { dir.Delete(true); }
    }

    [SharedDataFact("qmatrices/orzada_V_full_8ch_1767.mat")]
    public void OrzadaSetWithSetsBuiltFromTheOriginals()
    {
        using var src = QMatrixSources.Open(SharedData.Reference("qmatrices/orzada_V_full_8ch_1767.mat")!);
        Assert.Equal(8, src.Channels);
        Assert.Equal(1767, src.Count);
        var q = src.ReadAll();
        const int n = 8;
        double wc = VopSet.WorstCaseSar(q, n);
        // (a) all originals + 5 % margin, with source indices
        var a = Verify(MakeSet(PlusMargin(q, n, 0.05 * wc), n, q, Enumerable.Range(0, 1767).ToArray(), 0.05), q, n, Fast(2000));
        Assert.True(a.Certificate.Passed, string.Join("; ", a.Problems));
        Assert.Equal(-0.05 * wc, a.Certificate.LargestViolation, 1e-9 * wc);
        // (b) the 350 matrices with the largest λ_max + 0.3·SAR_wc·I, no hints: proven through single VOPs and
        //     convex combinations; random drives agree (none underestimated)
        var lam = new double[1767];
        HermitianKernels.LargestEigenvalues(q, n, lam);
        var top = Enumerable.Range(0, 1767).OrderByDescending(i => lam[i]).Take(350).ToArray();
        var v = PlusMargin(Gather(q, top, 64), n, 0.3 * wc);
        var b = Verify(MakeSet(v, n, q, null, 0.3), q, n, Fast(5000));
        output.WriteLine($"top-350 + 0.3 SAR_wc: passed {b.Certificate.Passed}, failed {b.Certificate.MatricesFailed}, worst {b.Certificate.LargestViolation / wc:G4} SAR_wc; "
            + string.Join(", ", Enum.GetValues<VopProofKind>().Select(x => $"{x} {b.Count(x)}")));
        Assert.True(b.Certificate.Passed, string.Join("; ", b.Problems));
        Assert.Equal(0, b.UnderestimatingDrives);
        // (c) broken: the 200 largest matrices as their own VOPs (zero margin) with the top one's VOP removed
        var q200 = Gather(q, top.Take(200).ToArray(), 64);
        var c = Verify(MakeSet(Gather(q200, Enumerable.Range(1, 199).ToArray(), 64), n, q200, Enumerable.Range(1, 199).ToArray()), q200, n, Fast(2000));
        Assert.False(c.Certificate.Passed);
        Assert.Equal([0L], c.FailedIndices);
        Assert.Equal(0, c.Certificate.LargestViolationIndex);
        Assert.Equal(1, c.Count(VopProofKind.ProvenNotDominated));
    }
}
