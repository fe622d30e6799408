using System.Numerics;
using SarKit.Constraints;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Tests.Constraints;

/// <summary>
/// Pruned row generation (violation tolerance with a final scaling onto the feasible set, few matrices per round, idle
/// matrices dropped) against the first row generation and the full barrier; every output is re-checked on every matrix.
/// </summary>
public class ShimRowGenerationTests
{
    private static Complex[] RandomVector(int n, Random rng, double s = 1)
        => Enumerable.Range(0, n).Select(_ => new Complex(rng.NextDouble() - 0.5, rng.NextDouble() - 0.5) * s).ToArray();

    private static double[] Diagonal(params double[] d)
    {
        var q = new Complex[d.Length, d.Length];
        for (int i = 0; i < d.Length; i++) q[i, i] = d[i];
        return HermitianPacking.Pack(q);
    }

    // count rank-1 matrices scaled so that the worst case wᴴCw per unit ‖w‖² is 1.
    private static double[] Normalised(int count, int n, int seed)
    {
        var many = MvieSolverTests.RandomPsd(count, n, seed, 1);
        double wc = 0;
        for (int i = 0; i < count; i++) wc = Math.Max(wc, HermitianKernels.LargestEigenvalue(many.AsSpan(i * n * n, n * n), n));
        for (int i = 0; i < many.Length; i++) many[i] /= wc;
        return many;
    }

    // The matrices one by one plus the floor: every constraint in the barrier.
    private static List<double[]> AllInBarrier(double[] many, int n, double[] floor)
        => Enumerable.Range(0, many.Length / (n * n)).Select(i => many.AsSpan(i * n * n, n * n).ToArray()).Append(floor).ToList();

    private static readonly double[] Floor4 = Diagonal(1e-3, 1e-3, 1e-3, 1e-3);

    private static double MaxOver(double[] many, IEnumerable<double[]> always, int n, Complex[] w)
        => ShimQcqp.Evaluate(many, n, w).Concat(always.Select(c => ShimQcqp.Quad(c, w))).Max();

    [Fact]
    public void PrunedRowGenerationEqualsTheFirstRowGenerationAndTheFullBarrier()
    {
        int n = 4, count = 3000;
        var many = Normalised(count, n, 61);
        var floor = Floor4;
        foreach (int seed in new[] { 62, 63, 64 })
        {
            var g = MvieSolverTests.RandomPsd(1, n, seed);
            var h = RandomVector(n, new Random(seed), 30);
            var full = ShimQcqp.Solve(g, h, 1e3, AllInBarrier(many, n, floor), n);
            var legacy = ShimQcqp.SolveWithRowGeneration(g, h, 1e3, [floor], many, n, new ShimQcqpOptions { PrunedRowGeneration = false });
            var pruned = ShimQcqp.SolveWithRowGeneration(g, h, 1e3, [floor], many, n, new ShimQcqpOptions { InitialActive = 4, PrunedAddedPerRound = 2 });
            Assert.True(pruned.Rounds > 1, $"seed {seed}: the case should need several rounds");
            // certified on every matrix, independently of the solver's own maximum
            Assert.True(MaxOver(many, [floor], n, pruned.W) <= 1, $"seed {seed}: pruned max ratio {MaxOver(many, [floor], n, pruned.W):R}");
            Assert.True(pruned.MaxRatio <= 1);
            double tol = 1e-6 * Math.Abs(full.Objective) + 1e-9;
            Assert.Equal(full.Objective, legacy.Objective, tol);
            Assert.Equal(full.Objective, pruned.Objective, tol);
        }
    }

    [Fact]
    public void BoundScreeningAlongASequenceOfNearbyProblemsKeepsTheOptimum()
    {
        // Variable exchange solves nearby problems; with the state carried, most screens use the seminorm bound
        // √q(w) ≤ √q(w_ref) + √‖C‖_F·‖w − w_ref‖ and evaluate only the matrices it cannot clear. Each solve must still equal
        // the full barrier and be feasible for every matrix.
        int n = 4, count = 1000;
        var many = Normalised(count, n, 65);
        var floor = Floor4;
        var g = MvieSolverTests.RandomPsd(1, n, 66);
        var h0 = RandomVector(n, new Random(67), 30);
        var all = AllInBarrier(many, n, floor);
        var state = new RowGenerationState();
        Complex[] w = [];
        for (int k = 0; k < 6; k++)
        {
            var h = h0.Select((x, i) => x * Complex.FromPolarCoordinates(1, 0.002 * k * (i + 1))).ToArray();
            var sol = ShimQcqp.SolveWithRowGeneration(g, h, 1e3, [floor], many, n, new ShimQcqpOptions(), w, state);
            var full = ShimQcqp.Solve(g, h, 1e3, all, n);
            double max = MaxOver(many, [floor], n, sol.W);
            Assert.True(max <= 1, $"step {k}: max ratio {max:R}");
            Assert.Equal(max, sol.MaxRatio, 1e-9);
            Assert.Equal(full.Objective, sol.Objective, 1e-6 * Math.Abs(full.Objective) + 1e-9);
            w = sol.W;
        }
        Assert.True(state.BoundScreens > 0, $"no bound screen used ({state.Screens} full screens)");
        Assert.True(state.Evaluated < (long)state.BoundScreens * count, "the bound should clear some matrices");
    }

    [Fact]
    public void TheDriveWithinTheToleranceIsScaledOntoTheFeasibleSet()
    {
        // A loose tolerance (1 %): the subset optimum may violate unseen matrices by up to 1 %; the output must not.
        int n = 4, count = 2000;
        var many = Normalised(count, n, 71);
        var floor = Floor4;
        var g = MvieSolverTests.RandomPsd(1, n, 72);
        var h = RandomVector(n, new Random(73), 30);
        var full = ShimQcqp.Solve(g, h, 1e3, AllInBarrier(many, n, floor), n);
        var loose = ShimQcqp.SolveWithRowGeneration(g, h, 1e3, [floor], many, n, new ShimQcqpOptions { InitialActive = 2, PrunedAddedPerRound = 1, ViolationTolerance = 1e-2 });
        double max = MaxOver(many, [floor], n, loose.W);
        Assert.True(max <= 1, $"max ratio {max:R}");
        Assert.True(loose.Objective >= full.Objective - 1e-9 * Math.Abs(full.Objective), "a feasible point cannot beat the optimum");
        Assert.True(loose.Objective <= full.Objective + 0.05 * Math.Abs(full.Objective) + 1e-9, $"loose {loose.Objective:R}, optimum {full.Objective:R}");
    }

    [Fact]
    public void ADroppedMatrixThatBecomesViolatedAgainIsAddedBack()
    {
        // G = I, objective ‖w − h‖² − ‖h‖² + y²: the optimum is h projected onto |w0|² ≤ 1, |w1|² ≤ 1 (C0, C1).
        // h_A = (0, 3) binds C1; h_B = (3, 0.5) leaves C1 at 0.25 (idle) for DropAfterSolves solves, so C1 is dropped; back at
        // h_A, C1 is violated at the subset optimum and must come back, giving w = (0, 1) again.
        int n = 2;
        var g = Diagonal(1, 1);
        var many = Diagonal(1, 0).Concat(Diagonal(0, 1)).ToArray();
        var floor = Diagonal(1e-3, 1e-3);
        var opts = new ShimQcqpOptions { InitialActive = 1, DropAfterSolves = 3 };
        var state = new RowGenerationState();
        Complex[] hA = [0, 3], hB = [3, 0.5];
        Complex[] w = [];
        var seq = new[] { hA, hB, hB, hB, hA };
        var dropped = new List<int>();
        ShimQcqpSolution? sol = null;
        foreach (var h in seq)
        {
            int before = state.Dropped;
            sol = ShimQcqp.SolveWithRowGeneration(g, h, 10, [floor], many, n, opts, w, state);
            dropped.Add(state.Dropped - before);
            w = sol.W;
            Assert.True(MaxOver(many, [floor], n, w) <= 1);
        }
        Assert.True(dropped[^1] >= 1, $"C1 should be dropped before the last solve (drops per solve: {string.Join(",", dropped)})");
        Assert.True(sol!.Rounds >= 2, "the dropped matrix is violated at the first round's optimum and added back");
        Assert.Contains(1, sol.ActiveIndices);
        Assert.Equal(0, sol.W[0].Magnitude, 1e-6);
        Assert.Equal(1, sol.W[1].Magnitude, 1e-6);
        var full = ShimQcqp.Solve(g, hA, 10, [Diagonal(1, 0), Diagonal(0, 1), floor], n);
        Assert.Equal(full.Objective, sol.Objective, 1e-7 * Math.Abs(full.Objective) + 1e-9);
    }

    [Fact]
    public void MlsWithPrunedRowGenerationMatchesTheFirstRowGenerationAndCertifies()
    {
        // The whole variable-exchange MLS with the active subset carried (and pruned) between exchanges, against the first
        // row generation (never drops, no tolerance) and against the same matrices all in the barrier.
        int n = 4, r = 40, count = 1500;
        var rng = new Random(81);
        var a = RandomVector(n * r, rng, 2);
        var target = Enumerable.Repeat(1.0, r).ToArray();
        var many = Normalised(count, n, 82);
        for (int i = 0; i < many.Length; i++) many[i] *= 8; // the limit binds: unit drive is 8× over
        var floor = Floor4;
        var common = new RfShimOptions { Starts = 2, MaxIterations = 60, RelativeTolerance = 1e-9 };
        var legacy = RfShimSolver.Solve(a, n, target, [floor], many, common with { Inner = new ShimQcqpOptions { PrunedRowGeneration = false } });
        var pruned = RfShimSolver.Solve(a, n, target, [floor], many, common);
        Assert.True(MaxOver(many, [floor], n, pruned.W) <= 1, $"pruned max ratio {MaxOver(many, [floor], n, pruned.W):R}");
        Assert.True(MaxOver(many, [floor], n, legacy.W) <= 1 + 1e-12);
        Assert.True(pruned.MaxConstraintRatio > 0.999, "the limit should bind in this case");
        Assert.Equal(legacy.Objective, pruned.Objective, 1e-5 * legacy.Objective);
    }

    [Fact]
    public void ALargeSetByRowGenerationEqualsTheSameSetInTheBarrier()
    {
        // RfShimOptions.RowGenerationAbove: a VOP-sized set (100 matrices) by row generation gives the barrier's design.
        int n = 4, r = 30, count = 100;
        var rng = new Random(91);
        var a = RandomVector(n * r, rng, 2);
        var target = Enumerable.Repeat(1.0, r).ToArray();
        var set = MvieSolverTests.RandomPsd(count, n, 92, 2);
        double wc = 0;
        for (int i = 0; i < count; i++) wc = Math.Max(wc, HermitianKernels.LargestEigenvalue(set.AsSpan(i * n * n, n * n), n));
        for (int i = 0; i < set.Length; i++) set[i] *= 6 / wc;
        var floor = Floor4;
        var opts = new RfShimOptions { Starts = 2, MaxIterations = 60, RelativeTolerance = 1e-9 };
        var inBarrier = RfShimSolver.Solve(a, n, target, AllInBarrier(set, n, floor), null, opts);
        var rowGen = RfShimSolver.Solve(a, n, target, [floor], set, opts);
        Assert.True(MaxOver(set, [floor], n, rowGen.W) <= 1);
        Assert.True(inBarrier.MaxConstraintRatio > 0.999, "the limit should bind in this case");
        Assert.Equal(inBarrier.Objective, rowGen.Objective, 1e-5 * inBarrier.Objective);
    }
}
