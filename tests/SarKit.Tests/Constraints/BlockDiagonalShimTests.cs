using System.Numerics;
using SarKit.Constraints;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Tests.Constraints;

/// <summary>
/// The block-diagonal kernels of <see cref="ShimQcqp"/> (<see cref="ShimQcqpOptions.DiagonalBlocks"/>, used by spokes with
/// the time-averaged SAR Σ_j c_j w_jᴴQw_j) and the safeguarded phase extrapolation of <see cref="RfShimSolver"/>.
/// </summary>
public class BlockDiagonalShimTests
{
    private static Complex[] RandomVector(int n, Random rng, double s = 1)
        => Enumerable.Range(0, n).Select(_ => new Complex(rng.NextDouble() - 0.5, rng.NextDouble() - 0.5) * s).ToArray();

    // K = 3 sub-pulses of 4 channels: 12 random 4×4 PSD matrices made block-diagonal with weights c_j, a dense G.
    private static (double[] G, List<double[]> Cons, int N) Problem(int kk = 3, int ch = 4)
    {
        var c = new[] { 0.5, 0.3, 0.2 }.Take(kk).ToArray();
        var cons = Enumerable.Range(0, 12).Select(i => SpokesSystem.BlockDiagonal(MvieSolverTests.RandomPsd(1, ch, 300 + i, 2), ch, c)).ToList();
        return (MvieSolverTests.RandomPsd(1, ch * kk, 17), cons, ch * kk);
    }

    [Fact]
    public void BlockKernelsGiveTheDenseOptimum()
    {
        var (g, cons, n) = Problem();
        var h = RandomVector(n, new Random(4), 40);
        var dense = ShimQcqp.Solve(g, h, 1e4, cons, n);
        var block = ShimQcqp.Solve(g, h, 1e4, cons, n, new ShimQcqpOptions { DiagonalBlocks = 3 });
        Assert.Contains(dense.Multipliers, m => m > 1e-3); // the constraints bind
        Assert.True(block.MaxRatio <= 1, $"max ratio {block.MaxRatio}");
        Assert.Equal(dense.Objective, block.Objective, 1e-7 * Math.Abs(dense.Objective));
        for (int i = 0; i < n; i++) Assert.True((dense.W[i] - block.W[i]).Magnitude < 1e-5 * dense.W.Max(x => x.Magnitude), $"w[{i}] {dense.W[i]} vs {block.W[i]}");
    }

    [Fact]
    public void ANonBlockDiagonalConstraintIsRefused()
    {
        var (g, cons, n) = Problem();
        var full = new Complex[n, n];
        for (int i = 0; i < n; i++) full[i, i] = 1;
        full[0, n - 1] = 0.1; full[n - 1, 0] = 0.1; // couples the first and the last sub-pulse
        cons.Add(HermitianPacking.Pack(full));
        Assert.Throws<ArgumentException>(() => ShimQcqp.Solve(g, RandomVector(n, new Random(1)), 1, cons, n, new ShimQcqpOptions { DiagonalBlocks = 3 }));
        Assert.Throws<ArgumentException>(() => ShimQcqp.Solve(g, RandomVector(n, new Random(1)), 1, cons.Take(3).ToList(), n, new ShimQcqpOptions { DiagonalBlocks = 5 })); // 5 does not divide 12
    }

    [Fact]
    public void PhaseExtrapolationIsFeasibleAndNoWorseThanItsFirstExchange()
    {
        // MLS of a random 3-sub-pulse system with binding block-diagonal constraints: with extrapolation every start's
        // result is feasible and not above the objective after one plain exchange from the same start (accepted
        // objectives never increase), and an exactly achievable profile is still found.
        int r = 60;
        var (_, cons, n) = Problem();
        var rng = new Random(8);
        var a = RandomVector(r * n, rng);
        var target = Enumerable.Repeat(3.0, r).ToArray();
        var one = RfShimSolver.Solve(a, n, target, cons, null, new RfShimOptions { Starts = 3, MaxIterations = 1, Inner = new() { DiagonalBlocks = 3 } });
        var ex = RfShimSolver.Solve(a, n, target, cons, null, new RfShimOptions { Starts = 3, PhaseExtrapolation = true, Inner = new() { DiagonalBlocks = 3 } });
        Assert.True(ex.MaxConstraintRatio <= 1, $"max ratio {ex.MaxConstraintRatio}");
        double slack = 1e-7 * target.Sum(t => t * t); // inner solves are exact to 1e-9·‖y‖²
        for (int s = 0; s < 3; s++) Assert.True(ex.StartObjectives[s] <= one.StartObjectives[s] + slack, $"start {s}: {ex.StartObjectives[s]} > {one.StartObjectives[s]}");

        // the exactly achievable profile of RfShimSolverTests.MlsReachesAnExactlyAchievableMagnitudeProfile
        int n4 = 4, r4 = 30;
        var rng4 = new Random(5);
        var a4 = RandomVector(n4 * r4, rng4);
        var w0 = RandomVector(n4, rng4);
        var exact = Enumerable.Range(0, r4).Select(row => Enumerable.Range(0, n4).Aggregate(Complex.Zero, (s, i) => s + a4[row * n4 + i] * w0[i]).Magnitude).ToArray();
        var sol = RfShimSolver.Solve(a4, n4, exact, [], null, new RfShimOptions { Starts = 8, MaxIterations = 2000, RelativeTolerance = 1e-12, PhaseExtrapolation = true });
        Assert.True(RfShimSolver.Nrmse(a4, n4, exact, sol.W) < 1e-3, $"NRMSE {RfShimSolver.Nrmse(a4, n4, exact, sol.W)}");
    }
}
