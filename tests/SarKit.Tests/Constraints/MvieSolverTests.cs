using System.Numerics;
using SarKit.Compression;
using SarKit.Constraints;
using SarKit.Sar;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Tests.Constraints;

public class MvieSolverTests
{
    internal static double[] RandomPsd(int count, int n, int seed, int rank = -1)
    {
        var rng = new Random(seed);
        int r = rank < 0 ? n : rank;
        var all = new double[count * n * n];
        for (int c = 0; c < count; c++)
        {
            var q = new Complex[n, n];
            for (int k = 0; k < r; k++)
            {
                var v = new Complex[n];
                for (int i = 0; i < n; i++) v[i] = new Complex(rng.NextDouble() - 0.5, rng.NextDouble() - 0.5) * (1 + 2 * rng.NextDouble());
                for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) q[i, j] += v[i] * Complex.Conjugate(v[j]);
            }
            HermitianPacking.Pack(q).CopyTo(all.AsSpan(c * n * n, n * n));
        }
        return all;
    }

    [Fact]
    public void OneMatrixGivesItself()
    {
        var q = RandomPsd(1, 4, 1);
        var r = MvieSolver.Solve(q, 4);
        for (int k = 0; k < q.Length; k++) Assert.Equal(q[k], r.Packed[k], 1e-8 * Math.Abs(q[0]) + 1e-10);
        Assert.True(r.CertificatePassed);
        Assert.Equal("none (bounded intersection)", r.Regularisation);
    }

    [Fact]
    public void TwoDiagonalMatricesGiveElementwiseMaximum()
    {
        // for diagonal D1, D2 the intersection is invariant under diagonal unitaries, so the unique MVIE is diagonal: A = diag(max)
        double[] d1 = [3, 0.5, 2, 0.1], d2 = [1, 4, 2.5, 0.3];
        int n = 4;
        var q = new double[2 * n * n];
        for (int i = 0; i < n; i++) { q[i] = d1[i]; q[n * n + i] = d2[i]; }
        var r = MvieSolver.Solve(q, n);
        for (int i = 0; i < n; i++) Assert.Equal(Math.Max(d1[i], d2[i]), r.Packed[i], 1e-7);
        for (int k = n; k < n * n; k++) Assert.Equal(0, r.Packed[k], 1e-7);
        Assert.Equal(Enumerable.Range(0, n).Sum(i => Math.Log(Math.Max(d1[i], d2[i]))), r.LogDet, 1e-8);
        Assert.True(r.CertificatePassed);
    }

    [Fact]
    public void RandomSetsHoldCertificateAndBeatScaledIdentity()
    {
        foreach (var (count, n, seed) in new[] { (200, 8, 3), (2000, 2, 4), (50, 3, 5) })
        {
            var q = RandomPsd(count, n, seed);
            var r = MvieSolver.Solve(q, n);
            Assert.True(r.CertificatePassed, $"certificate {r.CertificateMaxRatio}, failures {r.DominanceFailures}");
            Assert.True(r.CertificateMaxRatio > 1 - 1e-6, $"not tight: {r.CertificateMaxRatio}");
            // feasible comparison: SAR_wc·I is feasible, so log det A ≤ n log SAR_wc
            Assert.True(r.LogDet <= n * Math.Log(r.SarWorstCase) + 1e-9);
            // every matrix is dominated (independent: explicit eigenvalues of A − Q_i)
            var ev = new double[n];
            for (int i = 0; i < count; i += 7)
            {
                var d = new double[n * n];
                for (int k = 0; k < d.Length; k++) d[k] = r.Packed[k] - q[i * n * n + k];
                HermitianKernels.Eigenvalues(d, n, ev);
                Assert.True(ev[0] >= -1e-10 * r.SarWorstCase, $"matrix {i}: λ_min(A − Q) = {ev[0]}");
            }
        }
    }

    [Fact]
    public void RankDeficientSetGetsExplicitPowerConstraint()
    {
        // rank-1 matrices in a 2-dimensional subspace of C^4: the intersection is unbounded
        int n = 4;
        var q = RandomPsd(30, 2, 9, rank: 1);
        var big = new double[30 * n * n];
        for (int c = 0; c < 30; c++)
        {
            var s = HermitianPacking.Unpack(q.AsSpan(c * 4, 4), 2);
            var f = new Complex[n, n];
            for (int i = 0; i < 2; i++) for (int j = 0; j < 2; j++) f[i, j] = s[i, j];
            HermitianPacking.Pack(f).CopyTo(big.AsSpan(c * n * n, n * n));
        }
        var r = MvieSolver.Solve(big, n);
        Assert.True(r.Unbounded);
        Assert.True(r.PowerFloor > 0);
        Assert.Contains("unbounded", r.Regularisation);
        Assert.True(r.CertificatePassed);
        var ev = new double[n];
        HermitianKernels.Eigenvalues(r.Packed, n, ev);
        Assert.True(ev[0] >= r.PowerFloor * (1 - 1e-9));
    }

    [Fact]
    public void OptimalityAgainstPerturbations()
    {
        // local optimality: no feasible symmetric perturbation direction improves log det by more than rounding
        int n = 3;
        var q = RandomPsd(40, n, 11);
        var r = MvieSolver.Solve(q, n);
        var rng = new Random(2);
        for (int trial = 0; trial < 200; trial++)
        {
            var d = new double[n * n];
            for (int k = 0; k < d.Length; k++) d[k] = (rng.NextDouble() - 0.5) * 1e-3 * r.SarWorstCase;
            var a2 = new double[n * n];
            for (int k = 0; k < d.Length; k++) a2[k] = r.Packed[k] + d[k];
            var (kmax, _) = MvieSolver.Certificate(q, n, 40, a2);
            if (kmax > 1) for (int k = 0; k < a2.Length; k++) a2[k] *= kmax;
            var ev = new double[n]; HermitianKernels.Eigenvalues(a2, n, ev);
            double ld = ev.Sum(Math.Log);
            Assert.True(ld >= r.LogDet - 1e-9, $"perturbed feasible A has smaller log det {ld} < {r.LogDet}");
        }
    }
}

public class MvieCvxoptTests
{
    [SarKit.Tests.Support.CvxoptFact]
    public void LogDetMatchesIndependentSdpSolution()
    {
        foreach (var (count, n, seed, rank) in new[] { (6, 3, 21, 3), (12, 2, 22, 2), (8, 4, 23, 2), (5, 3, 24, 1) })
        {
            var q = MvieSolverTests.RandomPsd(count, n, seed, rank);
            var r = SarKit.Constraints.MvieSolver.Solve(q, n, new SarKit.Constraints.MvieOptions { PowerFloor = rank < n ? 0.05 : null });
            var qIn = q;
            if (rank < n)
            {
                // the floor is an extra matrix floor·I for the reference
                qIn = q.Concat(Enumerable.Range(0, n * n).Select(k => k < n ? 0.05 : 0.0)).ToArray();
            }
            var mats = Enumerable.Range(0, qIn.Length / (n * n)).Select(c =>
            {
                var full = SarKit.Numerics.LinearAlgebra.HermitianPacking.Unpack(qIn.AsSpan(c * n * n, n * n), n);
                var list = new List<double[]>();
                for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) list.Add([full[i, j].Real, full[i, j].Imaginary]);
                return list;
            }).ToList();
            var path = Path.Combine(Path.GetTempPath(), $"sarkit_mvie_{Guid.NewGuid():N}.json");
            File.WriteAllText(path, System.Text.Json.JsonSerializer.Serialize(new { n, matrices = mats }));
            try
            {
                int rc = SarKit.Tests.Support.Cvxopt.Run($"{SarKit.Tests.Support.Cvxopt.Script("mvie_cvxopt.py")} {path}", out var stdout);
                Assert.True(rc == 0, $"cvxopt reference failed (rc {rc}): {stdout}");
                using var doc = System.Text.Json.JsonDocument.Parse(stdout);
                Assert.Equal("optimal", doc.RootElement.GetProperty("status").GetString());
                double reference = doc.RootElement.GetProperty("log_det").GetDouble();
                Assert.True(Math.Abs(reference - r.LogDet) <= 1e-6, $"{count}×{n} rank {rank}: SarKit log det {r.LogDet:R}, cvxopt {reference:R}");
                Assert.True(r.CertificatePassed);
            }
            finally { File.Delete(path); }
        }
    }
}
