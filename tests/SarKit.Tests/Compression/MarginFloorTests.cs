using SarKit.Compression;
using SarKit.Fields;
using SarKit.IO;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Tests.Compression;

/// <summary>
/// The margin-floor pre-screen (<see cref="MarginFloor"/>) of the compressor and the verifier's shortcuts: a matrix is
/// only ever dropped when a VOP dominates it (property tests against exact eigenvalues), and the certificate is the same
/// verdict with the same SAR_wc as the exact proofs give.
/// </summary>
public class MarginFloorTests
{
    /// <summary>Random PSD matrices of rank 1..maxRank scaled over three decades (as the 10 g cubes of a body: most far from the hot spots); matrix <paramref name="largest"/> scaled ×3.</summary>
    private static double[] Spread(int n, int count, int seed, int maxRank, int largest = -1)
    {
        var rng = new Random(seed);
        var q = new double[count * n * n];
        for (int k = 0; k < count; k++)
        {
            var m = VopVerifierTests.RandomPsd(n, rng, rank: 1 + rng.Next(maxRank));
            double s = k == largest ? 3.0 : Math.Pow(10, -3 * rng.NextDouble());
            for (int i = 0; i < n * n; i++) q[k * n * n + i] = m[i] * s;
        }
        return q;
    }

    private static double MinEigenvalue(ReadOnlySpan<double> a, int n)
    {
        var e = new double[n];
        HermitianKernels.Eigenvalues(a, n, e);
        return e[0];
    }

    [Theory]
    [InlineData(4, 1)]
    [InlineData(8, 2)]
    [InlineData(16, 3)]
    public void FloorNeverProvesANonDominatedMatrix(int n, int seed)
    {
        // property: whenever the floor proves Q (λ_max(Q) bound ≤ μ), V_j* − Q is PSD (exact eigenvalues); matrices
        // straddling the floor (scaled to λ_max just above and below μ) are decided on the right side
        var rng = new Random(seed);
        int nn = n * n;
        int proven = 0, refused = 0;
        for (int trial = 0; trial < 60; trial++)
        {
            int k = 1 + rng.Next(6);
            var vops = new double[k * nn];
            for (int j = 0; j < k; j++)
            {
                var v = VopVerifierTests.RandomPsd(n, rng, rank: 1 + rng.Next(n));
                double margin = rng.NextDouble() * 0.3;
                for (int i = 0; i < n; i++) v[i] += margin;
                v.CopyTo(vops, j * nn);
            }
            var floor = MarginFloor.Of(vops, n, 1.0);
            var vfloor = VopVerifier.Floor.Of(vops, n, k, 1.0); // the verifier's own floor
            double mu = floor.Mu + floor.Guard; // the exact max_j λ_min(V_j)
            for (int t = 0; t < 20; t++)
            {
                var q = VopVerifierTests.RandomPsd(n, rng, rank: 1 + rng.Next(n));
                double lmax = HermitianKernels.LargestEigenvalue(q, n);
                // λ_max(Q) at a random factor of μ in [0.5, 1.5], some exactly at μ·(1 ± 1e-13)
                double target = t % 5 == 0 ? mu * (1 + (t % 10 == 0 ? 1e-13 : -1e-13)) : mu * (0.5 + rng.NextDouble());
                for (int i = 0; i < nn; i++) q[i] *= target / lmax;
                double bound = HermitianKernels.FrobeniusNorm(q, n) * (1 + MarginFloor.RelativeSlack);
                double top = Math.Min(bound, HermitianKernels.LargestEigenvalue(q, n) + floor.Guard);
                if (top - vfloor.Mu <= -vfloor.Guard)
                {
                    var d = new double[nn];
                    for (int i = 0; i < nn; i++) d[i] = vops[vfloor.Vop * nn + i] - q[i];
                    Assert.True(MinEigenvalue(d, n) >= 0, $"verifier floor proved Q with λ_max = {target} against μ = {mu}");
                }
                if (floor.Proves(top, 0, double.PositiveInfinity, out var viol))
                {
                    proven++;
                    var d = new double[nn];
                    for (int i = 0; i < nn; i++) d[i] = vops[floor.Index * nn + i] - q[i];
                    double lmin = MinEigenvalue(d, n);
                    Assert.True(lmin >= 0, $"floor proved Q with λ_max = {target} against μ = {mu}, but λ_min(V − Q) = {lmin}");
                    Assert.True(-lmin <= viol + floor.Guard, $"reported violation {viol} below the true one {-lmin}");
                }
                else
                {
                    refused++;
                    Assert.True(target > mu - 4 * floor.Guard, $"floor refused λ_max = {target} well below μ = {mu}");
                }
            }
        }
        Assert.True(proven > 100 && refused > 100, $"proven {proven}, refused {refused}: both sides must be exercised");
    }

    [Fact]
    public void EmptyOrNonFiniteFloorProvesNothing()
    {
        const int n = 4;
        var empty = MarginFloor.Of([], n, 1.0);
        Assert.False(empty.Proves(0, 1, double.PositiveInfinity, out _));
        var bad = new double[n * n];
        bad[0] = double.NaN;
        var nan = MarginFloor.Of(bad, n, 1.0);
        Assert.Equal(-1, nan.Index);
        Assert.False(nan.Proves(-1, 1, double.PositiveInfinity, out _));
    }

    [Fact]
    public void CompressionWithTheFloorIsCertifiedAndEveryDroppedMatrixIsDominated()
    {
        // a set with a wide spread of λ_max (many matrices far below the margin, as in a body where most 10 g cubes are
        // far from the hot spots): the pass cuts its tail at the floor; the independent verifier (exact eigenvalues on
        // its non-shortcut paths) and a brute-force check of every dropped matrix against the exact CC criterion agree
        const int n = 8, count = 3000;
        var q = Spread(n, count, 7, maxRank: 3);
        var set = VopCompressor.Compress(q, n, new VopCompressionOptions { Algorithm = VopAlgorithm.LeeKuehne, Epsilon = 0.05, MaxDegreeOfParallelism = 2 });
        Assert.Matches(@" [1-9][0-9]* below the margin floor", set.Algorithm);
        using var src = new PackedQMatrixSource(q, n);
        var r = VopVerifier.Verify(set, src, new VopVerifierOptions { RandomDrives = 20000, MaxDegreeOfParallelism = 2 });
        Assert.True(r.Certificate.Passed, string.Join("; ", r.Problems));
        Assert.Equal(VopSet.WorstCaseSar(q, n), r.SarWorstCase);
        // independent: each original under the floor of the final set is dominated by one VOP (exact λ_min)
        var floor = MarginFloor.Of(set.Packed, n, set.SarWorstCase, set.Count);
        int under = 0;
        for (int k = 0; k < count; k++)
        {
            var qk = q.AsSpan(k * n * n, n * n);
            if (HermitianKernels.LargestEigenvalue(qk, n) + floor.Guard > floor.Mu) continue;
            under++;
            var d = new double[n * n];
            for (int i = 0; i < n * n; i++) d[i] = set.Packed[floor.Index * n * n + i] - qk[i];
            Assert.True(MinEigenvalue(d, n) >= 0);
        }
        Assert.True(under > count / 4, $"only {under} of {count} matrices under the floor: the test must exercise the cut");
    }

    [Fact]
    public void SummariseSkipsOnlyEigenvaluesThatCannotRaiseSarWc()
    {
        // λ_max over three decades, the largest late in the stream: hash, SAR_wc (bitwise) and sum equal the direct ones
        const int n = 8, count = 5000;
        var q = Spread(n, count, 5, maxRank: 4, largest: 4321);
        using var src = new PackedQMatrixSource(q, n);
        var (sha, wc, sum) = src.Summarise();
        Assert.Equal(VopSet.HashMatrices(q), sha);
        Assert.Equal(VopSet.WorstCaseSar(q, n), wc);
        var direct = new double[n * n];
        for (int k = 0; k < count; k++) for (int t = 0; t < n * n; t++) direct[t] += q[k * n * n + t];
        Assert.Equal(direct, sum);
        // a NaN anywhere is never skipped by the bound: SAR_wc is what the fold over every λ_max gives
        q[1234 * n * n + 3] = double.NaN;
        var lam = new double[count];
        HermitianKernels.LargestEigenvalues(q, n, lam);
        double fold = 0;
        foreach (var l in lam) fold = Math.Max(fold, l);
        using var bad = new PackedQMatrixSource(q, n);
        Assert.Equal(fold, bad.Summarise().SarWorstCase);
    }

    [Fact]
    public void VerifierShortcutsKeepTheVerdictAndSarWc()
    {
        // originals spread over three decades; VOPs = every original with λ_max > 0.1·SAR_wc, plus the margin 0.1·SAR_wc·I:
        // every other original lies under the margin floor. The set is certified, SAR_wc is the exact maximum although most
        // λ_max solves are skipped, and an independent check (test code: single VOPs / subgradient) agrees.
        const int n = 6, count = 1500;
        var q = Spread(n, count, 11, maxRank: n);
        double wc = VopSet.WorstCaseSar(q, n);
        var lam = new double[count];
        HermitianKernels.LargestEigenvalues(q, n, lam);
        var big = Enumerable.Range(0, count).Where(i => lam[i] > 0.1 * wc).OrderByDescending(i => lam[i]).ToArray();
        int under = count - big.Length;
        Assert.True(under > count / 2, $"{under} originals under the floor");
        var set = VopVerifierTests.MakeSet(VopVerifierTests.PlusMargin(VopVerifierTests.Gather(q, big, n * n), n, 0.1 * wc), n, q, big, 0.1);
        using var src = new PackedQMatrixSource(q, n);
        var opts = new VopVerifierOptions { RandomDrives = 0, MaxDegreeOfParallelism = 2 };
        var r = VopVerifier.Verify(set, src, opts);
        Assert.True(r.Certificate.Passed, string.Join("; ", r.Problems));
        Assert.Equal(wc, r.SarWorstCase);
        Assert.True(r.Count(VopProofKind.SingleVop) >= under / 2, $"floor proofs: {r.Count(VopProofKind.SingleVop)} of {under} under the floor");
        Assert.True(r.Certificate.LargestViolation <= opts.RelativeTolerance * wc);
        Assert.Equal(0, VopDominanceCheck.Check(q, set.Packed, n).Failed);

        // the VOPs without margin and without the largest original: that original is not dominated (every convex
        // combination P of the others has λ_max(P) ≤ max λ_max < SAR_wc = λ_max(Q)) and must be refused, and every matrix
        // the verifier accepts is dominated by the independent check — a shortcut never accepts a non-dominated matrix
        var rest = big.Skip(1).ToArray();
        var weak = VopVerifierTests.MakeSet(VopVerifierTests.Gather(q, rest, n * n), n, q, rest, 0);
        var r2 = VopVerifier.Verify(weak, src, opts with { MaxListedFailures = count });
        Assert.False(r2.Certificate.Passed);
        Assert.Contains(big[0], r2.FailedIndices);
        Assert.Equal(wc, r2.SarWorstCase);
        var accepted = Enumerable.Range(0, count).Except(r2.FailedIndices.Select(i => (int)i)).ToArray();
        Assert.Equal(0, VopDominanceCheck.Check(VopVerifierTests.Gather(q, accepted, n * n), weak.Packed, n).Failed);
    }
}
