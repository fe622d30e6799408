using System.Numerics;
using System.Text.Json;
using SarKit.Constraints;
using SarKit.Numerics.LinearAlgebra;
using SarKit.Tests.Support;

namespace SarKit.Tests.Constraints;

/// <summary>
/// The stacked (SIMD) barrier with warm-started barrier parameter against the first, scalar implementation and against an
/// independent solver (cvxopt's primal-dual interior-point method, Debian python3-cvxopt; skipped visibly without it).
/// </summary>
public class ShimQcqpFastTests
{
    private static readonly ShimQcqpOptions Reference = new() { ReferenceKernels = true };

    private static Complex[] RandomVector(int n, Random rng, double s = 1)
        => Enumerable.Range(0, n).Select(_ => new Complex(rng.NextDouble() - 0.5, rng.NextDouble() - 0.5) * s).ToArray();

    private static double[] Identity(int n, double scale)
    {
        var q = new Complex[n, n];
        for (int i = 0; i < n; i++) q[i, i] = scale;
        return HermitianPacking.Pack(q);
    }

    // A random convex QCQP with a bounded feasible set and (usually) several active constraints.
    private static (double[] G, Complex[] H, double Y2, List<double[]> Cons) RandomProblem(int n, int count, int seed)
    {
        var rng = new Random(seed);
        var g = MvieSolverTests.RandomPsd(1, n, seed + 1);
        for (int i = 0; i < n; i++) g[i] += 0.2; // + 0.2·I (a Tikhonov term): a random sum of n rank-1 terms can be near singular
        var cons = Enumerable.Range(0, count).Select(i => MvieSolverTests.RandomPsd(1, n, seed * 100 + i, 1 + i % 3).Select(x => x * 0.5).ToArray()).ToList();
        cons.Add(Identity(n, 1e-2));
        var h = RandomVector(n, rng, 40);
        return (g, h, 1e4, cons);
    }

    [Fact]
    public void StackedBarrierMatchesTheReferenceBarrier()
    {
        foreach (var (n, count, seed) in new[] { (4, 10, 1), (8, 35, 2), (8, 60, 3), (3, 1, 4) })
        {
            var (g, h, y2, cons) = RandomProblem(n, count, seed);
            var fast = ShimQcqp.Solve(g, h, y2, cons, n);
            var slow = ShimQcqp.Solve(g, h, y2, cons, n, Reference);
            Assert.True(fast.MaxRatio <= 1 && slow.MaxRatio <= 1);
            Assert.True(Math.Abs(fast.Objective - slow.Objective) <= 1e-7 * Math.Abs(slow.Objective) + 1e-9,
                $"n {n}, {count} constraints: fast {fast.Objective:R}, reference {slow.Objective:R}");
            Assert.True(fast.BarrierParameter > 0);
        }
    }

    [Fact]
    public void WarmBarrierStartReachesTheColdOptimum()
    {
        // A sequence of nearby problems (h rotated a little each time, as in variable exchange): a solve started at the
        // previous barrier parameter / backoff from the previous weights reaches the cold solve's optimum (with the duality-gap
        // check and the cold re-solve when the warm start does not converge; it is not faster, see RfShimOptions.WarmStartBarrier).
        var (g, h, y2, cons) = RandomProblem(8, 35, 7);
        int n = 8;
        Complex[] w = [];
        double t = 0;
        int warmSteps = 0, coldSteps = 0;
        for (int k = 0; k < 10; k++)
        {
            var hk = h.Select((x, i) => x * Complex.FromPolarCoordinates(1, 0.05 * k * (i + 1))).ToArray();
            var opt = new ShimQcqpOptions { InitialBarrier = t > 0 ? t / 1e3 : 0 };
            var warm = ShimQcqp.Solve(g, hk, y2, cons, n, opt, w);
            var cold = ShimQcqp.Solve(g, hk, y2, cons, n, Reference, w);
            Assert.True(warm.MaxRatio <= 1, $"step {k}: max ratio {warm.MaxRatio}");
            Assert.True(Math.Abs(warm.Objective - cold.Objective) <= 1e-7 * Math.Abs(cold.Objective) + 1e-9, $"step {k}: warm {warm.Objective:R}, cold {cold.Objective:R}");
            w = warm.W; t = warm.BarrierParameter;
            warmSteps += warm.NewtonSteps; coldSteps += cold.NewtonSteps;
        }
        Assert.True(warmSteps > 0 && coldSteps > 0);
    }

    [Fact]
    public void RowGenerationWithWarmRoundsMatchesTheFullBarrier()
    {
        int n = 8;
        var many = MvieSolverTests.RandomPsd(2000, n, 31, 1);
        double wc = 0;
        for (int i = 0; i < 2000; i++) wc = Math.Max(wc, HermitianKernels.LargestEigenvalue(many.AsSpan(i * n * n, n * n), n));
        for (int i = 0; i < many.Length; i++) many[i] /= wc;
        var g = MvieSolverTests.RandomPsd(1, n, 32);
        var h = RandomVector(n, new Random(33), 30);
        var floor = Identity(n, 1e-3);
        var full = ShimQcqp.Solve(g, h, 1e3, Enumerable.Range(0, 2000).Select(i => many.AsSpan(i * n * n, n * n).ToArray()).Append(floor).ToList(), n, Reference);
        var rg = ShimQcqp.SolveWithRowGeneration(g, h, 1e3, [floor], many, n, new ShimQcqpOptions { InitialActive = 4, MaxAddedPerRound = 5 });
        Assert.True(rg.Rounds > 1, "the test should need several rounds");
        Assert.True(rg.MaxRatio <= 1, $"max ratio {rg.MaxRatio}");
        Assert.Equal(full.Objective, rg.Objective, 1e-6 * Math.Abs(full.Objective) + 1e-9);
    }

    [CvxoptFact]
    public void InnerProblemAgreesWithCvxopt()
    {
        var notOptimal = new List<string>();
        foreach (var (n, count, seed) in new[] { (2, 3, 41), (4, 8, 42), (8, 20, 43), (8, 5, 44) })
        {
            var (g, h, y2, cons) = RandomProblem(n, count, seed);
            var sol = ShimQcqp.Solve(g, h, y2, cons, n);
            static List<double[]> Entries(double[] packed, int n)
            {
                var full = HermitianPacking.Unpack(packed, n);
                var list = new List<double[]>();
                for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) list.Add([full[i, j].Real, full[i, j].Imaginary]);
                return list;
            }
            var json = JsonSerializer.Serialize(new
            {
                n, g = Entries(g, n), h = h.Select(z => new[] { z.Real, z.Imaginary }).ToList(), y2,
                constraints = cons.Select(c => Entries(c, n)).ToList(),
            });
            var path = Path.Combine(Path.GetTempPath(), $"sarkit_shimqcqp_{Guid.NewGuid():N}.json");
            File.WriteAllText(path, json);
            try
            {
                int rc = Cvxopt.Run($"{Cvxopt.Script("shim_qcqp_cvxopt.py")} {path}", out var stdout);
                Assert.True(rc == 0, $"cvxopt reference failed (rc {rc}): {stdout}");
                using var doc = JsonDocument.Parse(stdout);
                var status = doc.RootElement.GetProperty("status").GetString();
                double reference = doc.RootElement.GetProperty("objective").GetDouble();
                double cvxRatio = doc.RootElement.GetProperty("max_ratio").GetDouble();
                Assert.True(sol.MaxRatio <= 1);
                // SarKit's optimum is never worse than cvxopt's point when that point is feasible (both minimise the same convex problem).
                if (cvxRatio <= 1) Assert.True(sol.Objective <= reference * (1 + 1e-6), $"n {n}: SarKit {sol.Objective:R} above cvxopt's feasible {reference:R}");
                if (status != "optimal") { notOptimal.Add($"n {n}, seed {seed}: cvxopt {status}, objective {reference:R}, SarKit {sol.Objective:R}"); continue; }
                Assert.True(cvxRatio <= 1 + 1e-8);
                Assert.True(Math.Abs(reference - sol.Objective) <= 1e-6 * Math.Abs(reference),
                    $"n {n}, {count + 1} constraints: SarKit {sol.Objective:R}, cvxopt {reference:R}");
            }
            finally { File.Delete(path); }
        }
        // cvxopt's cp can stop with "unknown" short of its tolerances; at most one such case, and it is named.
        Assert.True(notOptimal.Count <= 1, string.Join("; ", notOptimal));
    }
}
