using SarKit.Measurement.Uncertainty;
using SarKit.Numerics.Statistics;

namespace SarKit.Tests.Measurement;

public class UncertaintyTests
{
    // P = V²/R at V = 10 V (u = 0.1 V: normal, U = 0.2 V at k = 2), R = 50 Ω (rectangular ±1 Ω → u = 1/√3 Ω).
    // By hand: P = 2 W; c_V = 2V/R = 0.4 W/V; c_R = −V²/R² = −0.04 W/Ω;
    // c_V u_V = 0.04 W; |c_R| u_R = 0.04/√3 = 0.0230940 W; u_c = sqrt(0.0016 + 0.0016/3) = 0.0461880 W; U(k=2) = 0.0923760 W.
    private static readonly Func<double[], double> Power = x => x[0] * x[0] / x[1];
    private static readonly double[] PowerInputs = [10.0, 50.0];
    private static UncertaintyComponent[] PowerComponents() =>
    [
        TypeB.Normal("Voltage", 0.2, 2, UncertaintyScale.Absolute),
        TypeB.Rectangular("Resistance", 1.0, UncertaintyScale.Absolute),
    ];

    [Fact]
    public void PowerModelAnalyticAndNumericalSensitivitiesAgreeWithHandValues()
    {
        var analytic = UncertaintyBudget.Evaluate(Power, PowerInputs, PowerComponents(), analyticSensitivities: [0.4, -0.04]);
        var numerical = UncertaintyBudget.Evaluate(Power, PowerInputs, PowerComponents());
        double ucHand = Math.Sqrt(0.0016 + 0.0016 / 3);
        Assert.Equal(0.0461880215, ucHand, 9);
        foreach (var r in new[] { analytic, numerical })
        {
            Assert.Equal(2.0, r.Value, 12);
            Assert.Equal(ucHand, r.CombinedStandardUncertainty, 9);
            Assert.True(double.IsPositiveInfinity(r.EffectiveDegreesOfFreedom));
            Assert.Equal(2.0, r.CoverageFactor, 9);
            Assert.Equal(2 * ucHand, r.ExpandedUncertainty, 9);
            Assert.Equal(100 * 2 * ucHand / 2.0, r.RelativeExpandedPercent, 7);
            Assert.Equal(75.0, r.Rows[0].VariancePercent, 7); // 0.0016 / (0.0016·4/3)
            Assert.Equal(25.0, r.Rows[1].VariancePercent, 7);
            Assert.Equal(0.04, r.Rows[0].Contribution, 9);
            Assert.Equal(0.04 / Math.Sqrt(3), r.Rows[1].Contribution, 9);
        }
        Assert.Equal(SensitivitySource.Supplied, analytic.Rows[0].SensitivitySource);
        Assert.Equal(SensitivitySource.Numerical, numerical.Rows[0].SensitivitySource);
        Assert.Equal(0.4, numerical.Rows[0].Sensitivity, 9);
        Assert.Equal(-0.04, numerical.Rows[1].Sensitivity, 9);
    }

    [Fact]
    public void RelativeFormsGiveTheSameBudgetAsAbsolute()
    {
        // 0.2 V of 10 V = 2 %; 1 Ω of 50 Ω = 2 %.
        UncertaintyComponent[] rel =
        [
            TypeB.Normal("Voltage", 2.0, 2, UncertaintyScale.RelativePercent),
            TypeB.Rectangular("Resistance", 2.0, UncertaintyScale.RelativePercent),
        ];
        var a = UncertaintyBudget.Evaluate(Power, PowerInputs, PowerComponents());
        var r = UncertaintyBudget.Evaluate(Power, PowerInputs, rel);
        Assert.Equal(a.CombinedStandardUncertainty, r.CombinedStandardUncertainty, 12);
        Assert.Equal(1.0, rel[0].RelativePercentAt(10.0), 12);
        Assert.Equal(0.1, rel[0].AbsoluteAt(10.0), 12);
        Assert.Equal(1.0, PowerComponents()[0].RelativePercentAt(10.0), 12);
        // Relative: u_r(P)² = (2·1 %)² + (2/√3 %)² → 2.3094 %.
        Assert.Equal(Math.Sqrt(4 + 4.0 / 3), r.RelativeCombinedPercent, 9);
    }

    [Fact]
    public void TypeAFromReadings()
    {
        var c = UncertaintyComponent.TypeA("Repeatability", [9.8, 10.0, 10.2, 10.1, 9.9]);
        // mean 10.0; Σd² = 0.10; s = sqrt(0.10/4) = 0.158114; u = s/√5 = 0.0707107; ν = 4.
        Assert.Equal(10.0, c.Estimate!.Value, 12);
        Assert.Equal(Math.Sqrt(0.10 / 4) / Math.Sqrt(5), c.StandardUncertainty, 12);
        Assert.Equal(4, c.DegreesOfFreedom);
        Assert.Equal(EvaluationType.A, c.Type);
        Assert.Throws<SarKitInputException>(() => UncertaintyComponent.TypeA("one", [1.0]));
        Assert.Throws<SarKitInputException>(() => UncertaintyComponent.TypeA("nan", [1.0, double.NaN]));
    }

    [Fact]
    public void DistributionDivisors()
    {
        const double a = 3.0;
        Assert.Equal(a / Math.Sqrt(3), TypeB.Rectangular("r", a, UncertaintyScale.Absolute).StandardUncertainty, 14);
        Assert.Equal(a / Math.Sqrt(2), TypeB.UShaped("u", a, UncertaintyScale.Absolute).StandardUncertainty, 14);
        Assert.Equal(a / Math.Sqrt(6), TypeB.Triangular("t", a, UncertaintyScale.Absolute).StandardUncertainty, 14);
        Assert.Equal(a / 1.96, TypeB.Normal("n", a, 1.96, UncertaintyScale.Absolute).StandardUncertainty, 14);
        var r = TypeB.Rectangular("r", a, UncertaintyScale.RelativePercent);
        Assert.True(double.IsPositiveInfinity(r.DegreesOfFreedom));
        Assert.Equal(EvaluationType.B, r.Type);
        Assert.Equal(UncertaintyScale.RelativePercent, r.Scale);
        Assert.Throws<SarKitInputException>(() => TypeB.Rectangular("neg", -1, UncertaintyScale.Absolute));
        Assert.Throws<SarKitInputException>(() => TypeB.Normal("k0", 1, 0, UncertaintyScale.Absolute));
    }

    [Theory]
    [InlineData(1, 13.967730199244547)]   // TN 1297 Table B.1: 13.97; exact: cot(π(1−p)/2) (mpmath)
    [InlineData(2, 4.5265366874301658)]   // 4.53; exact: sqrt(2p²/(1−p²)) (mpmath)
    [InlineData(4, 2.8693094146288374)]   // 2.87
    [InlineData(10, 2.2836782024463003)]  // 2.28
    [InlineData(16, 2.168939991186018)]
    [InlineData(100, 2.025309127815755)]
    public void StudentTQuantilesMatchTable(double nu, double expected)
    {
        // ν = 1, 2: closed forms; others: scipy.stats.t.ppf((1 + erf(√2))/2, ν), which is good to ~1e-9 only.
        Assert.Equal(expected, StudentT.TwoSidedQuantile(nu), nu <= 2 ? 11 : 8);
    }

    [Fact]
    public void StudentTInfiniteDegreesOfFreedomIsTwo()
    {
        Assert.Equal(2.0, StudentT.TwoSidedQuantile(double.PositiveInfinity), 12);
        Assert.Equal(1.959963984540054, StudentT.TwoSidedQuantile(double.PositiveInfinity, 0.95), 10);
        Assert.Equal(13.97, Math.Round(StudentT.TwoSidedQuantile(1), 2));
        Assert.Equal(2.28, Math.Round(StudentT.TwoSidedQuantile(10), 2));
        // Special functions against scipy.special.betainc / gammainc.
        Assert.Equal(0.01892712407194565, StudentT.IncompleteBetaRegularized(0.3, 2.5, 0.5), 13);
        Assert.Equal(0.9934776122935332, StudentT.LowerGammaRegularized(0.5, 3.7), 13);
    }

    [Fact]
    public void WelchSatterthwaiteKnownCases()
    {
        // u1 = u2 = 1: ν1 = 4, ν2 = ∞ → ν_eff = 2²/(1/4) = 16; ν1 = ν2 = 4 → 4/(1/2) = 8.
        Assert.Equal(16, UncertaintyBudget.WelchSatterthwaite(Math.Sqrt(2), [1, 1], [4, double.PositiveInfinity]), 12);
        Assert.Equal(8, UncertaintyBudget.WelchSatterthwaite(Math.Sqrt(2), [1, 1], [4, 4]), 12);

        // In a budget: y = x1 + x2 with a Type A (5 readings, u = 0.0707107, ν = 4) and a normal Type B of the same u (ν = ∞).
        var typeA = UncertaintyComponent.TypeA("Repeatability", [9.8, 10.0, 10.2, 10.1, 9.9]);
        var b = TypeB.Normal("Calibration", typeA.StandardUncertainty, 1, UncertaintyScale.Absolute);
        var r = UncertaintyBudget.Evaluate(x => x[0] + x[1], [10.0, 0.0], [typeA, b]);
        Assert.Equal(16, r.EffectiveDegreesOfFreedom, 9);
        Assert.Equal(2.168939991186018, r.CoverageFactor, 9);
        Assert.Equal(2.168939991186018 * Math.Sqrt(2) * typeA.StandardUncertainty, r.ExpandedUncertainty, 9);

        // Non-integer ν_eff is truncated (TN 1297 B.3): u1 = 1 (ν = 4), u2 = 0.5 (ν = ∞) → ν_eff = 1.25²·4 = 6.25 → k = t(6).
        var r2 = UncertaintyBudget.FromContributions(
        [
            TypeB.Normal("a", 1, 1, UncertaintyScale.Absolute, degreesOfFreedom: 4),
            TypeB.Normal("b", 0.5, 1, UncertaintyScale.Absolute),
        ]);
        Assert.Equal(6.25, r2.EffectiveDegreesOfFreedom, 12);
        Assert.Equal(StudentT.TwoSidedQuantile(6), r2.CoverageFactor, 12);
        var r3 = UncertaintyBudget.FromContributions(
        [
            TypeB.Normal("a", 1, 1, UncertaintyScale.Absolute, degreesOfFreedom: 4),
            TypeB.Normal("b", 0.5, 1, UncertaintyScale.Absolute),
        ], truncateDegreesOfFreedom: false);
        Assert.Equal(StudentT.TwoSidedQuantile(6.25), r3.CoverageFactor, 12);
        Assert.True(r3.CoverageFactor < r2.CoverageFactor);
    }

    [Theory]
    [InlineData(3.0, -2.0, 0.5, 0.25)]
    [InlineData(0.5, 7.0, 1.2, 0.01)]
    public void LinearModelCombinesInQuadrature(double a, double b, double u1, double u2)
    {
        var r = UncertaintyBudget.Evaluate(x => a * x[0] + b * x[1], [1.0, 2.0],
        [
            TypeB.Normal("x1", u1, 1, UncertaintyScale.Absolute),
            TypeB.Normal("x2", u2, 1, UncertaintyScale.Absolute),
        ]);
        Assert.Equal(Math.Sqrt(a * a * u1 * u1 + b * b * u2 * u2), r.CombinedStandardUncertainty, 10);
        Assert.Equal(a, r.Rows[0].Sensitivity, 9);
        Assert.Equal(b, r.Rows[1].Sensitivity, 9);
        Assert.Equal(100.0, r.Rows.Sum(row => row.VariancePercent), 9);
    }

    [Fact]
    public void CorrelationMatrixAddsCovarianceTerm()
    {
        // y = x1 + x2, u1 = u2 = 1: r = 1 → u_c = 2; r = −1 → 0; r = 0.5 → sqrt(3).
        UncertaintyComponent[] comps =
        [
            TypeB.Normal("x1", 1, 1, UncertaintyScale.Absolute),
            TypeB.Normal("x2", 1, 1, UncertaintyScale.Absolute),
        ];
        double U(double rho) => UncertaintyBudget.Evaluate(x => x[0] + x[1], [0.0, 0.0], comps,
            correlation: new[,] { { 1, rho }, { rho, 1 } }).CombinedStandardUncertainty;
        Assert.Equal(2.0, U(1), 12);
        Assert.Equal(0.0, U(-1), 12);
        Assert.Equal(Math.Sqrt(3), U(0.5), 12);
        Assert.Throws<SarKitInputException>(() => U(1.5));
    }

    [Fact]
    public void Ieee1528StyleContributionTableRss()
    {
        // Contribution table in %: 3 %, 4 %, 12 % normal k = 1 → RSS = 13 %, U = 26 % (k = 2, all ν = ∞).
        var r = UncertaintyBudget.FromContributions(
        [
            TypeB.Normal("Probe calibration", 6, 2, UncertaintyScale.RelativePercent),
            TypeB.Rectangular("Isotropy", 4 * Math.Sqrt(3), UncertaintyScale.RelativePercent),
            TypeB.Normal("Device positioning", 12, 1, UncertaintyScale.RelativePercent),
        ]);
        Assert.Equal(13.0, r.CombinedStandardUncertainty, 12);
        Assert.Equal(26.0, r.ExpandedUncertainty, 10);
    }

    [Fact]
    public void BadInputIsReported()
    {
        var ex = Assert.Throws<SarKitInputException>(() => UncertaintyBudget.Evaluate(Power, [10.0], PowerComponents()));
        Assert.Contains("2 components for 1 input", ex.Message);
        Assert.Throws<SarKitInputException>(() => UncertaintyBudget.Evaluate(Power, [10.0, 0.0], PowerComponents()));
    }

    [Fact]
    public void NemaSourceListsFollowTheStandard()
    {
        var cal = NemaUncertaintySources.Calorimetry();
        var pe = NemaUncertaintySources.PulseEnergy();
        Assert.Equal(5, cal.Count);
        Assert.Equal(7, pe.Count);
        Assert.Equal("Accuracy of temperature sensor", cal[0]);
        Assert.Equal("M_bod", cal[^1]);
        Assert.Equal("M_bod", pe[^1]);
        Assert.Contains("Directivity and coupling of directional couplers", pe);
    }

    [Fact]
    public void CalorimetryBudgetWithTheStandardsSourceNames()
    {
        // SAR = C (T_f − T_i) / (τ M_bod), eqs (19)–(21); C = 50 kg · 4180 J/(kg K), ΔT = 0.86 K, τ = 3600 s, M_bod = 50 kg.
        // Sensor ±0.02 K rectangular on each reading; C 2 % at k = 2; M_bod ±0.5 % rectangular; τ exact.
        // By hand (relative): u_r² = (√2 · 0.02/√3 / 0.86)² + 1² + (0.5/√3)² % → 2.16538 %.
        var names = NemaUncertaintySources.Calorimetry();
        string sensor = names[0], heatCapacity = names[2], mass = names[4];
        double c = 50 * 4180.0;
        var r = UncertaintyBudget.Evaluate(x => x[0] * (x[2] - x[1]) / (x[3] * x[4]), [c, 20.0, 20.86, 3600.0, 50.0],
        [
            TypeB.Normal(heatCapacity, 2.0, 2, UncertaintyScale.RelativePercent),
            TypeB.Rectangular(sensor + " (initial)", 0.02, UncertaintyScale.Absolute),
            TypeB.Rectangular(sensor + " (post)", 0.02, UncertaintyScale.Absolute),
            TypeB.Rectangular("Scan time", 0.0, UncertaintyScale.Absolute),
            TypeB.Rectangular(mass, 0.5, UncertaintyScale.RelativePercent),
        ]);
        double uT = 0.02 / Math.Sqrt(3);
        double urHand = Math.Sqrt(Math.Pow(100 * Math.Sqrt(2) * uT / 0.86, 2) + 1 + 0.25 / 3);
        Assert.Equal(2.16538, urHand, 5);
        Assert.Equal(c * 0.86 / (3600 * 50), r.Value, 10);
        Assert.Equal(urHand, r.RelativeCombinedPercent, 6);
        Assert.Equal(2 * urHand, r.RelativeExpandedPercent, 6);
        Assert.Equal(-c / (3600 * 50), r.Rows[1].Sensitivity, 6);
        Assert.Equal(0.0, r.Rows[3].Contribution);
    }
}
