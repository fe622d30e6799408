using System.Numerics;
using SarKit.Constraints;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Tests.Constraints;

public class RfShimSolverTests
{
    internal static double[] Identity(int n, double scale = 1)
    {
        var q = new Complex[n, n];
        for (int i = 0; i < n; i++) q[i, i] = scale;
        return HermitianPacking.Pack(q);
    }

    internal static Complex[] RandomVector(int n, Random rng, double s = 1)
        => Enumerable.Range(0, n).Select(_ => new Complex(rng.NextDouble() - 0.5, rng.NextDouble() - 0.5) * s).ToArray();

    [Fact]
    public void BallConstraintProjectsTheUnconstrainedOptimum()
    {
        // min ‖w − h‖² s.t. ‖w‖² ≤ 1: w = h/‖h‖ when ‖h‖ > 1, else h.
        int n = 4;
        var rng = new Random(3);
        foreach (var s in new[] { 0.3, 5.0 })
        {
            var h = RandomVector(n, rng, s);
            double hn = Math.Sqrt(h.Sum(x => x.Magnitude * x.Magnitude));
            var sol = ShimQcqp.Solve(Identity(n), h, hn * hn, [Identity(n)], n);
            var expected = hn > 1 ? h.Select(x => x / hn).ToArray() : h;
            for (int i = 0; i < n; i++) Assert.True((sol.W[i] - expected[i]).Magnitude < 1e-6, $"‖h‖ = {hn}: w[{i}] = {sol.W[i]} vs {expected[i]}");
            Assert.True(sol.MaxRatio <= 1);
        }
    }

    [Fact]
    public void SolutionSatisfiesKktConditions()
    {
        // Random convex QCQP: stationarity G w − h + Σ μ_i C_i w = 0 with μ_i ≥ 0, μ_i (1 − wᴴC_iw) ≈ 0, and no random
        // feasible point is better (convexity makes the KKT point the global optimum).
        int n = 6;
        var rng = new Random(11);
        var gP = MvieSolverTests.RandomPsd(1, n, 5);
        var cons = Enumerable.Range(0, 20).Select(i => MvieSolverTests.RandomPsd(1, n, 100 + i, 2).Select(x => x * 0.5).ToArray()).ToList();
        cons.Add(Identity(n, 1e-2)); // bounded feasible set
        var h = RandomVector(n, rng, 40);
        var sol = ShimQcqp.Solve(gP, h, 1e4, cons, n);
        Assert.True(sol.MaxRatio <= 1, $"max ratio {sol.MaxRatio}");
        Assert.Contains(sol.Multipliers, m => m > 1e-3); // some constraint is active
        var gw = MatVec(gP, n, sol.W);
        var res = new Complex[n];
        for (int i = 0; i < n; i++) res[i] = gw[i] - h[i];
        for (int c = 0; c < cons.Count; c++)
        {
            Assert.True(sol.Multipliers[c] >= 0);
            double slack = 1 - ShimQcqp.Quad(cons[c], sol.W);
            Assert.True(sol.Multipliers[c] * slack < 1e-6 * h.Max(x => x.Magnitude), $"complementarity {c}: μ {sol.Multipliers[c]}, slack {slack}");
            var cw = MatVec(cons[c], n, sol.W);
            for (int i = 0; i < n; i++) res[i] += sol.Multipliers[c] * cw[i];
        }
        double rn = Math.Sqrt(res.Sum(x => x.Magnitude * x.Magnitude)), hn = Math.Sqrt(h.Sum(x => x.Magnitude * x.Magnitude));
        Assert.True(rn < 1e-5 * hn, $"stationarity residual {rn} vs ‖h‖ {hn}");
        for (int k = 0; k < 500; k++)
        {
            var w = RandomVector(n, rng, 20);
            double worst = cons.Max(c => ShimQcqp.Quad(c, w));
            if (worst > 1) w = w.Select(x => x / Math.Sqrt(worst)).ToArray();
            Assert.True(ShimQcqp.Objective(gP, h, 1e4, w, n) >= sol.Objective - 1e-9 * Math.Abs(sol.Objective) - 1e-9);
        }
    }

    /// <summary>
    /// Row generation with the default options equals the barrier over all constraints and keeps an active set well under
    /// a third of them. 1000 matrices (3000 before): the same claim at 3000 matrices, for three problems and with the
    /// pruned and the first row generation, is ShimRowGenerationTests.PrunedRowGenerationEqualsTheFirstRowGenerationAndTheFullBarrier.
    /// </summary>
    [Fact]
    public void RowGenerationReachesTheAllConstraintOptimum()
    {
        const int n = 4, count = 1000;
        var rng = new Random(7);
        var many = MvieSolverTests.RandomPsd(count, n, 21, 1);
        double wc = 0;
        for (int i = 0; i < count; i++) wc = Math.Max(wc, HermitianKernels.LargestEigenvalue(many.AsSpan(i * n * n, n * n), n));
        for (int i = 0; i < many.Length; i++) many[i] /= wc; // worst case ratio 1 per unit drive
        var gP = MvieSolverTests.RandomPsd(1, n, 9);
        var h = RandomVector(n, rng, 30);
        var floor = Identity(n, 1e-3);
        var full = ShimQcqp.Solve(gP, h, 1e3, Enumerable.Range(0, count).Select(i => many.AsSpan(i * n * n, n * n).ToArray()).Append(floor).ToList(), n);
        var rg = ShimQcqp.SolveWithRowGeneration(gP, h, 1e3, [floor], many, n);
        Assert.True(rg.MaxRatio <= 1, $"row generation max ratio {rg.MaxRatio}");
        Assert.True(rg.Rounds > 1, "the case should need several rounds of row generation");
        Assert.True(rg.ActiveSetSize < count / 3, $"active set {rg.ActiveSetSize} of {count}");
        Assert.Equal(full.Objective, rg.Objective, 1e-6 * Math.Abs(full.Objective) + 1e-9);
    }

    [Fact]
    public void MlsReachesAnExactlyAchievableMagnitudeProfile()
    {
        // target = |A w0|: MLS (unconstrained) finds objective ≈ 0 from some start; with a constraint the result is feasible.
        int n = 4, r = 30;
        var rng = new Random(5);
        var a = RandomVector(n * r, rng);
        var w0 = RandomVector(n, rng);
        var target = Enumerable.Range(0, r).Select(row => Enumerable.Range(0, n).Aggregate(Complex.Zero, (s, i) => s + a[row * n + i] * w0[i]).Magnitude).ToArray();
        var sol = RfShimSolver.Solve(a, n, target, [], null, new RfShimOptions { Starts = 8, MaxIterations = 2000, RelativeTolerance = 1e-12 });
        Assert.True(RfShimSolver.Nrmse(a, n, target, sol.W) < 1e-3, $"NRMSE {RfShimSolver.Nrmse(a, n, target, sol.W)}");
        double w0n = w0.Sum(x => x.Magnitude * x.Magnitude);
        var limited = RfShimSolver.Solve(a, n, target, [Identity(n, 1 / (0.25 * w0n))], null);
        Assert.True(limited.MaxConstraintRatio <= 1);
        Assert.True(limited.Objective > sol.Objective);
        Assert.True(limited.StartObjectives.All(o => o >= limited.Objective));
    }

    private static Complex[] MatVec(double[] packed, int n, Complex[] w)
    {
        var m = HermitianPacking.Unpack(packed, n);
        var r = new Complex[n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) r[i] += m[i, j] * w[j];
        return r;
    }
}
