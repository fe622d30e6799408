using System.Text.Json.Nodes;
using SarKit.Measurement.Nema.Input;
using SarKit.Measurement.Uncertainty;

namespace SarKit.Tests.Measurement;

/// <summary>
/// Uncertainty budgets of measurement files (NIST TN 1297) against independent values: tools/fixtures/nema_budgets.py
/// (sympy derivatives, scipy Student t) gives for examples/nema/calorimetry_example.yaml SAR 3.20823665814346 W/kg,
/// u_c 0.117842003033848 W/kg, k = 2, and for pulse_energy_example.yaml u_c 0.0134926446514476 W/kg,
/// ν_eff 1473010.4, k 2.00000169720645.
/// </summary>
public class NemaBudgetTests
{
    private static string Example(string name) => Path.Combine(Support.SharedData.RepoRoot, "examples", "nema", name);

    [Fact]
    public void CalorimetryBudgetMatchesIndependentPropagation()
    {
        var r = CalorimetryEvaluation.Evaluate(CalorimetryInputFile.Read(Example("calorimetry_example.yaml")));
        var b = r.Budget!;
        Assert.Equal(3.20823665814346, b.SarWPerKg, 12);
        Assert.Equal(0.117842003033848, b.CombinedStandardUncertainty, 7);
        Assert.Equal(2.0, b.CoverageFactor, 12);
        Assert.True(double.IsPositiveInfinity(b.EffectiveDegreesOfFreedom));
        Assert.Empty(b.NotAssessed);
        // Default mapping of "Accuracy of temperature sensor": one row for T_initial and one for T_final.
        Assert.Equal(["T_initial", "T_final", "insulation_time_constant", "heat_capacity", "T_ambient", "mass"], b.Rows.Select(x => x.Quantity));
        Assert.Equal(NemaUncertaintySources.Calorimetry()[0], b.Rows[0].Source);
        // Hand values: ∂SAR/∂T_i = −C/(τ M) = −84018/(840·25); u = 0.02 K/√3.
        Assert.Equal(-84018.0 / (840 * 25), b.Rows[0].Sensitivity, 4);
        Assert.Equal(0.02 / Math.Sqrt(3), b.Rows[0].StandardUncertainty, 12);
        // M_bod: rectangular 5 % → contribution SAR × 0.05/√3.
        Assert.Equal(3.20823665814346 * 0.05 / Math.Sqrt(3), b.Rows[5].ContributionWPerKg, 6);
        Assert.Equal(100, b.Rows.Sum(x => x.VariancePercent), 9);
        Assert.Equal(2 * 0.117842003033848, r.ExpandedUncertaintyWPerKg!.Value, 6);
        Assert.True(r.PredictedCoversMeasured); // 3.5 ≥ 3.2082 − 0.2357
    }

    [Fact]
    public void PulseEnergyBudgetMatchesIndependentPropagationWithTypeA()
    {
        var r = PulseEnergyEvaluation.Evaluate(PulseEnergyInputFile.Read(Example("pulse_energy_example.yaml")));
        var b = r.Budget!;
        Assert.Equal(0.46076, b.SarWPerKg, 12);
        Assert.Equal(0.0134926446514476, b.CombinedStandardUncertainty, 8);
        Assert.InRange(b.EffectiveDegreesOfFreedom, 1473010.399 * (1 - 1e-5), 1473010.399 * (1 + 1e-5));
        Assert.Equal(2.00000169720645, b.CoverageFactor, 6);
        Assert.Equal([NemaUncertaintySources.PulseEnergy()[2]], b.NotAssessed); // directional coupler directivity not given
        Assert.Equal(16, b.Rows.Count);
        var typeA = b.Rows[^1];
        Assert.Equal("A", typeA.Type);
        Assert.Equal(4, typeA.DegreesOfFreedom);
        Assert.Equal("P_forward_loaded", typeA.Quantity);
        Assert.True(r.PredictedCoversMeasured);
    }

    private static JsonObject Pe() => JsonNode.Parse(MeasurementFile.Load(Example("pulse_energy_example.yaml")).Json)!.AsObject();

    private static JsonObject Comp(string source, string dist, double v, string unit, double? k = null, string? appliesTo = null)
    {
        var o = new JsonObject { ["source"] = source, ["distribution"] = dist, ["bound"] = new JsonObject { ["value"] = v, ["unit"] = unit } };
        if (k is { } kk) o["k"] = kk;
        if (appliesTo is not null) o["applies_to"] = appliesTo;
        return o;
    }

    private static PulseEnergyEvaluation EvalWith(params JsonObject[] comps)
    {
        var o = Pe();
        o["uncertainty"] = new JsonObject { ["components"] = new JsonArray(comps) };
        return PulseEnergyEvaluation.Evaluate(PulseEnergyInputFile.Parse(o.ToJsonString(), "pe.json"));
    }

    [Fact]
    public void SingleRelativeComponentsGiveHandValues()
    {
        // SAR ∝ 1/M: a 2 % rectangular bound on M gives u_c = SAR · 0.02/√3, U = 2 u_c (ν = ∞).
        var b = EvalWith(Comp("M_bod", "rectangular", 2, "%")).Budget!;
        Assert.Equal(0.46076 * 0.02 / Math.Sqrt(3), b.CombinedStandardUncertainty, 9);
        Assert.Equal(2, b.CoverageFactor, 12);
        // A direct 3 % normal (k = 2) effect on SAR: u_c = SAR · 0.015.
        b = EvalWith(Comp("inserted_electrical_length", "normal", 3, "%", k: 2)).Budget!;
        Assert.Equal(0.46076 * 0.015, b.CombinedStandardUncertainty, 9);
        // P_CPL_loaded = 28.48 W enters SAR as −P_CPL · W/(TR M): 10 % U-shaped → u_c = 2.848/√2 · 2e-3/0.05/80.
        b = EvalWith(Comp("current_sensor_placement", "u-shaped", 10, "%")).Budget!;
        Assert.Equal(2.848 / Math.Sqrt(2) * 2e-3 / 0.05 / 80, b.CombinedStandardUncertainty, 9);
        // An absolute bound in the quantity's unit: P_reflected_loaded ±5 W triangular → u = 5/√6 W, c = −W/(TR M).
        b = EvalWith(Comp("reflected power meter", "triangular", 5, "W", appliesTo: "P_reflected_loaded")).Budget!;
        Assert.Equal(5 / Math.Sqrt(6) * 2e-3 / 0.05 / 80, b.CombinedStandardUncertainty, 9);
        Assert.Equal(-2e-3 / 0.05 / 80, b.Rows[0].Sensitivity, 9);
    }

    [Fact]
    public void FixedCoverageFactorIsUsed()
    {
        var o = Pe();
        o["uncertainty"]!["coverage_factor"] = 3;
        var b = PulseEnergyEvaluation.Evaluate(PulseEnergyInputFile.Parse(o.ToJsonString())).Budget!;
        Assert.Equal(3, b.CoverageFactor);
        Assert.True(b.CoverageFactorFixed);
        Assert.Equal(3 * b.CombinedStandardUncertainty, b.ExpandedUncertainty, 15);
    }

    [Fact]
    public void VerdictIsNoWhenPredictedIsBelowMeasuredMinusU()
    {
        var o = Pe();
        o["predicted_sar"] = new JsonObject { ["value"] = 0.40, ["unit"] = "W/kg" }; // 0.46076 − 0.027 = 0.4338 > 0.40
        var r = PulseEnergyEvaluation.Evaluate(PulseEnergyInputFile.Parse(o.ToJsonString()));
        Assert.False(r.PredictedCoversMeasured);
        o["predicted_sar"] = new JsonObject { ["value"] = 440, ["unit"] = "mW/kg" };
        Assert.True(PulseEnergyEvaluation.Evaluate(PulseEnergyInputFile.Parse(o.ToJsonString())).PredictedCoversMeasured);
    }

    [Theory]
    [InlineData("my source", "rectangular", 1, "%", null, ".applies_to' is required")]
    [InlineData("M_bod", "rectangular", 1, "%", "masss", "unknown model quantity 'masss'")]
    [InlineData("current_sensors", "rectangular", 1, "V", null, "relative bound in '%'")]
    [InlineData("M_bod", "rectangular", 1, "kgg", null, "'kgg'")]
    [InlineData("M_bod", "uniform", 1, "%", null, "expected one of normal, rectangular")]
    [InlineData("M_bod", "normal", 1, "%", null, "missing required field 'uncertainty.components[0].k'")]
    public void BadComponentsNameTheField(string source, string dist, double v, string unit, string? appliesTo, string expected)
    {
        var e = Assert.Throws<SarKitInputException>(() => EvalWith(Comp(source, dist, v, unit, appliesTo: appliesTo)));
        Assert.Contains(expected, e.Message);
        Assert.Contains("pe.json", e.Message);
    }

    [Fact]
    public void TemperatureBoundMustBeADifference()
    {
        var o = JsonNode.Parse(MeasurementFile.Load(Example("calorimetry_example.yaml")).Json)!.AsObject();
        o["uncertainty"] = new JsonObject { ["components"] = new JsonArray(Comp("temperature_sensor", "rectangular", 1, "%")) };
        var e = Assert.Throws<SarKitInputException>(() => CalorimetryEvaluation.Evaluate(CalorimetryInputFile.Parse(o.ToJsonString())));
        Assert.Contains("temperature difference", e.Message);
        o["energy_uncertainty"] = new JsonObject { ["value"] = 5, ["unit"] = "%" };
        e = Assert.Throws<SarKitInputException>(() => CalorimetryInputFile.Parse(o.ToJsonString()));
        Assert.Contains("not both", e.Message);
    }
}
