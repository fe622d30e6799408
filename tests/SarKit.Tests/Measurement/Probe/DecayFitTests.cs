using SarKit.Measurement.Probe;
using SarKit.Measurement.Uncertainty;
using SarKit.Numerics.Statistics;
using SarKit.Numerics.Interpolation;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Tests.Measurement.Probe;

public class DecayFitTests
{
    private static readonly double[] Depths = Enumerable.Range(0, 12).Select(i => 0.003 + 0.002 * i).ToArray();

    [Fact]
    public void ExactExponentialIsRecovered()
    {
        var s = Depths.Select(d => 2.5 * Math.Exp(-d / 0.011)).ToArray();
        var f = ExponentialFit.Fit(Depths, s);
        Assert.Equal(2.5, f.S0, 10);
        Assert.Equal(0.011, f.DecayLengthM, 12);
        Assert.True(f.S0StdUncertainty < 1e-10);
        Assert.Equal(10, f.DegreesOfFreedom);
    }

    private static double Normal(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());

    [Fact]
    public void NoisyDecayRecoveredWithinStatedUncertainty()
    {
        // one realisation: within 3 u
        var rng = new Random(12345);
        const double s0 = 3.0, a = 0.012, sigma = 0.02;
        var s = Depths.Select(d => s0 * Math.Exp(-d / a) + sigma * Normal(rng)).ToArray();
        var f = ExponentialFit.Fit(Depths, s);
        Assert.InRange(Math.Abs(f.S0 - s0), 0, 3 * f.S0StdUncertainty);
        Assert.InRange(Math.Abs(f.DecayLengthM - a), 0, 3 * f.DecayLengthStdUncertaintyM);
        Assert.InRange(f.ResidualStd, 0.5 * sigma, 1.5 * sigma);
        // coverage over many realisations: |error| ≤ t_95.45(ν)·u in about 95 % of cases
        int n = 600, hitS = 0, hitA = 0;
        double k = StudentT.TwoSidedQuantile(Depths.Length - 2);
        for (int t = 0; t < n; t++)
        {
            var y = Depths.Select(d => s0 * Math.Exp(-d / a) + sigma * Normal(rng)).ToArray();
            var g = ExponentialFit.Fit(Depths, y);
            if (Math.Abs(g.S0 - s0) <= k * g.S0StdUncertainty) hitS++;
            if (Math.Abs(g.DecayLengthM - a) <= k * g.DecayLengthStdUncertaintyM) hitA++;
        }
        Assert.InRange((double)hitS / n, 0.92, 0.98);
        Assert.InRange((double)hitA / n, 0.92, 0.98);
    }

    [Fact]
    public void FitNeedsThreePointsAndDecay()
    {
        Assert.Throws<SarKitInputException>(() => ExponentialFit.Fit([0.001, 0.002], [1.0, 0.5]));
        Assert.Throws<SarKitInputException>(() => ExponentialFit.Fit([0.001, 0.002, 0.003], [-1.0, -0.5, -0.2]));
    }

    [Fact]
    public void PolynomialRecoversExactPolynomial()
    {
        var s = Depths.Select(d => 2.0 - 80 * d + 1500 * d * d).ToArray();
        var p = PolynomialFit.Fit(Depths, s, 4);
        Assert.Equal(4, p.Degree);
        Assert.Equal(2.0, p.S0, 9);
        Assert.Equal(2.0 - 80 * 0.01 + 1500 * 1e-4, p.Evaluate(0.01), 9);
        var p2 = PolynomialFit.Fit(Depths[..4], s[..4], 4);
        Assert.Equal(2, p2.Degree); // min(4, n − 2)
        Assert.Equal(2.0, p2.S0, 9);
    }

    [Fact]
    public void LeastSquaresKnownSolutionAndCovariance()
    {
        // y = 1 + 2x on x = 0, 1, 2, 3: exact; (AᵀA)⁻¹ of [1 x] = 1/(nΣx² − (Σx)²)·[Σx², −Σx; −Σx, n]
        var a = new double[4, 2]; var b = new double[4];
        for (int i = 0; i < 4; i++) { a[i, 0] = 1; a[i, 1] = i; b[i] = 1 + 2 * i; }
        var (x, rss, inv) = LeastSquares.Solve(a, b);
        Assert.Equal(1, x[0], 12); Assert.Equal(2, x[1], 12); Assert.Equal(0, rss, 15);
        double det = 4 * 14 - 36;
        Assert.Equal(14 / det, inv[0, 0], 12); Assert.Equal(-6 / det, inv[0, 1], 12); Assert.Equal(4 / det, inv[1, 1], 12);
    }

    [Fact]
    public void SplineReproducesLinesAndCubicsInside()
    {
        double[] x = [0, 1, 2.5, 4];
        var line = new NaturalCubicSpline(x, x.Select(v => 3 - 2 * v).ToArray());
        Assert.Equal(3 - 2 * 1.7, line.Evaluate(1.7), 12);
        Assert.Equal(3 - 2 * 5.0, line.Evaluate(5.0), 12); // linear continuation
        var s = new NaturalCubicSpline(x, [1.0, 2.0, 0.5, 3.0]);
        for (int i = 0; i < x.Length; i++) Assert.Equal(new[] { 1.0, 2.0, 0.5, 3.0 }[i], s.Evaluate(x[i]), 12);
        var g = GridInterpolation.Bicubic([0, 1, 2], [0, 1], [1, 2, 3, 2, 3, 4], [0.5, 1.5], [0.25]);
        Assert.Equal(1 + 0.5 + 0.25, g[0], 12);
        Assert.Equal(1 + 1.5 + 0.25, g[1], 12);
    }
}
