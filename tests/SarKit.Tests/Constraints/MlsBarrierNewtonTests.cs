using System.Numerics;
using SarKit.Constraints;

namespace SarKit.Tests.Constraints;

/// <summary>
/// The direct log-barrier method on the MLS objective (<see cref="MlsBarrierNewton"/>, <see cref="RfShimOptions.DirectNewton"/>):
/// closed-form one-channel optimum with and without an active limit, strict feasibility, never worse than the exchange step it
/// starts from, a fixed point of the plain exchange at the end, and row generation feasible for every matrix.
/// </summary>
public class MlsBarrierNewtonTests
{
    private static double[] Identity(int n, double scale) => RfShimSolverTests.Identity(n, scale);

    private static Complex[] RandomVector(int n, Random rng, double s = 1) => RfShimSolverTests.RandomVector(n, rng, s);

    [Theory]
    [InlineData(100.0)] // limit inactive: |w| = Σ|a|t / Σ|a|²
    [InlineData(0.01)]  // limit active: |w| = √L
    public void OneChannelReachesTheClosedFormOptimum(double limit)
    {
        // f(w) = Σ_r (|a_r||w| − t_r)², |w|² ≤ L: minimum at |w| = min(Σ|a_r|t_r / Σ|a_r|², √L), any phase.
        int r = 40;
        var rng = new Random(4);
        var a = RandomVector(r, rng, 2);
        var target = Enumerable.Range(0, r).Select(_ => 0.5 + rng.NextDouble()).ToArray();
        double num = 0, den = 0;
        for (int i = 0; i < r; i++) { num += a[i].Magnitude * target[i]; den += a[i].Magnitude * a[i].Magnitude; }
        double expected = Math.Min(num / den, Math.Sqrt(limit));
        var emb = new[] { ShimQcqp.Embed(Identity(1, 1 / limit), 1) };
        var res = MlsBarrierNewton.Solve(a, 1, target, 0, emb, [new Complex(0.001, 0.002)], new MlsNewtonOptions { GapTolerance = 1e-12 });
        Assert.Equal(expected, res.W[0].Magnitude, 1e-6 * expected);
        Assert.True(res.W[0].Magnitude * res.W[0].Magnitude < limit, "strictly feasible");
        Assert.Equal(RfShimSolver.MlsObjective(a, 1, target, res.W), res.Objective, 1e-12 * Math.Max(res.Objective, 1e-300));
    }

    private static (Complex[] A, double[] Target, List<double[]> Cons) Problem(int seed, int n = 6, int r = 60)
    {
        var rng = new Random(seed);
        var a = RandomVector(n * r, rng);
        var target = Enumerable.Range(0, r).Select(_ => 1.0).ToArray();
        // local-SAR-like PSD matrices, scaled so that some bind, and a global power bound
        var cons = Enumerable.Range(0, 12).Select(i => MvieSolverTests.RandomPsd(1, n, seed * 100 + i, 2).Select(x => x * 0.3).ToArray()).ToList();
        cons.Add(Identity(n, 0.05));
        return (a, target, cons);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void NeverWorseThanTheExchangeStepItStartsFromAndFeasible(int seed)
    {
        var (a, target, cons) = Problem(seed);
        int n = 6;
        var plain = new RfShimOptions { Starts = 3, MaxIterations = 1 };
        var p1 = RfShimSolver.Solve(a, n, target, cons, null, plain);
        var d1 = RfShimSolver.Solve(a, n, target, cons, null, plain with { DirectNewton = new MlsNewtonOptions() });
        Assert.True(d1.DirectNewtonSteps > 0);
        Assert.Equal(0, p1.DirectNewtonSteps);
        for (int s = 0; s < p1.StartObjectives.Length; s++)
            Assert.True(d1.StartObjectives[s] <= p1.StartObjectives[s] * (1 + 1e-12), $"start {s}: {d1.StartObjectives[s]} > {p1.StartObjectives[s]}");
        Assert.True(d1.MaxConstraintRatio <= 1, $"max ratio {d1.MaxConstraintRatio}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void TheResultIsAFixedPointOfThePlainExchange(int seed)
    {
        // A stationary point of the constrained MLS problem minimises the convex majoriser at its own phases, so one more
        // plain exchange step (inner problem solved to full accuracy) must not improve it beyond the tolerances.
        var (a, target, cons) = Problem(seed);
        int n = 6;
        var d = RfShimSolver.Solve(a, n, target, cons, null, new RfShimOptions { Starts = 2, DirectNewton = new MlsNewtonOptions() });
        Assert.True(d.DirectNewtonSteps > 0);
        var again = RfShimSolver.Solve(a, n, target, cons, null, new RfShimOptions { Starts = 1, MaxIterations = 3, InitialWeights = d.W });
        Assert.True(again.Objective >= d.Objective * (1 - 1e-6), $"exchange improved {d.Objective} to {again.Objective}");
        Assert.True(d.MaxConstraintRatio <= 1);
    }

    [Fact]
    public void RowGenerationGivesAFeasibleDesignForEveryMatrix()
    {
        int n = 4, r = 50, many = 2000;
        var rng = new Random(8);
        var a = RandomVector(n * r, rng);
        var target = Enumerable.Range(0, r).Select(_ => 1.0).ToArray();
        var packed = MvieSolverTests.RandomPsd(many, n, 31, 1);
        for (int i = 0; i < packed.Length; i++) packed[i] *= 0.4;
        var always = new List<double[]> { Identity(n, 0.02) };
        var opts = new RfShimOptions { Starts = 2, DirectNewton = new MlsNewtonOptions() };
        var d = RfShimSolver.Solve(a, n, target, always, packed, opts);
        Assert.True(d.DirectNewtonSteps > 0);
        Assert.True(ShimQcqp.Evaluate(packed, n, d.W).Max() <= 1 + 1e-12, "every matrix holds");
        Assert.True(d.MaxConstraintRatio <= 1 + 1e-12);
        // never worse than the first plain exchange step of the best start (the direct result is kept only when it improves on it)
        var first = RfShimSolver.Solve(a, n, target, always, packed, opts with { MaxIterations = 1, DirectNewton = null });
        Assert.True(d.Objective <= first.Objective * (1 + 1e-9), $"{d.Objective} vs one plain exchange step {first.Objective}");
    }
}
