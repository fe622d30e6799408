using System.Text.Json;
using System.Text.Json.Nodes;
using SarKit.Measurement.Nema.Input;

namespace SarKit.Tests.Cli;

public class NemaCliTests
{
    private static string Example => Path.Combine(Support.SharedData.RepoRoot, "examples", "nema", "calorimetry_example.json");

    // Hand check of the example: T_f = 21.0 + (22.10 − 21.0)·exp(60/35000) °C = 22.1018873 °C (eq. [2]);
    // shell 2 kg × 1200 = 2400 J/K ≤ 10 % of 20.1 × 4180 = 84018 J/K, so M c = 84018 J/K;
    // E = 84018 × (22.1018873 − 21.30) = 67372.97 J; τ = 15 min − 60 s = 840 s; P = 80.2059 W; SAR = P / 25 kg = 3.208237 W/kg.
    private const double ExpectedSar = 3.208236658143487;

    private static string Write(TempDir dir, JsonObject o, string name = "m.json")
    {
        var p = dir.File(name);
        File.WriteAllText(p, o.ToJsonString());
        return p;
    }

    private static JsonObject ExampleJson() => JsonNode.Parse(File.ReadAllText(Example))!.AsObject();

    private static JsonObject Q(double v, string unit) => new() { ["value"] = v, ["unit"] = unit };

    [Fact]
    public void ExampleFileGivesHandCheckedSar()
    {
        var r = CalorimetryEvaluation.Evaluate(CalorimetryInputFile.Read(Example));
        Assert.Equal(ExpectedSar, r.SarWPerKg, 1e-9);
        Assert.Equal(840, r.ScanTimeS, 12);
        Assert.False(r.HeatCapacity.ShellIncluded);
        Assert.True(r.CoolingCorrected);
        Assert.True(r.RiseCheck!.Value.Passed);
        Assert.True(r.PredictedCoversMeasured);
    }

    [Fact]
    public void CliPrintsSarAndWritesNothing()
    {
        var r = CliRunner.Run("nema", "calorimetry", Example);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("3.2082 W/kg", r.Out);
        Assert.Contains("PASS", r.Out);
        Assert.Contains("20.1 kg", r.Out);
    }

    [Fact]
    public void JsonOutputParses()
    {
        var r = CliRunner.Run("nema", "calorimetry", Example, "--json");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        var root = doc.RootElement;
        Assert.Equal("calorimetry", root.GetProperty("method").GetString());
        Assert.Equal(ExpectedSar, root.GetProperty("sar_w_per_kg").GetDouble(), 1e-9);
        Assert.Equal(840, root.GetProperty("scan_time_s").GetDouble(), 12);
        Assert.True(root.GetProperty("rise_check").GetProperty("passed").GetBoolean());
        Assert.Contains(root.GetProperty("inputs").EnumerateArray(), q => q.GetProperty("field").GetString() == "shell_mass" && q.GetProperty("si").GetDouble() == 2.0);
    }

    [Fact]
    public void ReportIsWrittenWithSection41Rows()
    {
        using var tmp = new TempDir();
        var rep = tmp.File("report.md");
        var r = CliRunner.Run("nema", "calorimetry", Example, "--report", rep);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(["report.md"], tmp.Files());
        var text = File.ReadAllText(rep);
        Assert.Contains("| Measured SAR | W/Kg | 3.2082 (eq. 21) |", text);
        Assert.Contains("| Phantom 3 Equivalent Mass (M_bod)* | Kg | 25 |", text);
        Assert.Contains("| Corrected Post RF Phantom Temperature | °C | 22.102 (eq. [2]) |", text);
        Assert.Contains("| Is Predicted SAR ≥ Measured SAR – Measurement uncertainty? | Y/N | Y |", text);
    }

    [Theory]
    [InlineData("phantom_mass", "kgg")]
    [InlineData("T_initial", "degF")]
    [InlineData("total_time", "kg")]
    [InlineData("sensor_error", "")]
    public void UnitTypoIsBadInputNamingFieldAndUnit(string field, string unit)
    {
        using var tmp = new TempDir();
        var o = ExampleJson();
        o[field] = Q(o[field]!["value"]!.GetValue<double>(), unit);
        var r = CliRunner.Run("nema", "calorimetry", Write(tmp, o));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"'{field}'", r.Err);
        Assert.Contains($"'{unit}'", r.Err);
        Assert.Equal("", r.Out);
    }

    [Theory]
    [InlineData("phantom_mass", "unit")]
    [InlineData("T_final", "value")]
    public void MissingUnitOrValueIsBadInput(string field, string key)
    {
        using var tmp = new TempDir();
        var o = ExampleJson();
        o[field]!.AsObject().Remove(key);
        var r = CliRunner.Run("nema", "calorimetry", Write(tmp, o));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(field, r.Err);
        Assert.Contains($"missing '{key}'", r.Err);
    }

    [Fact]
    public void UnknownFieldAndPartialCoolingAreBadInput()
    {
        using var tmp = new TempDir();
        var o = ExampleJson();
        o["phantom_mas"] = Q(1, "kg");
        var r = CliRunner.Run("nema", "calorimetry", Write(tmp, o));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("'phantom_mas'", r.Err);

        o = ExampleJson();
        o.Remove("T_ambient");
        r = CliRunner.Run("nema", "calorimetry", Write(tmp, o));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("T_ambient", r.Err);
    }

    [Fact]
    public void KelvinAndCelsiusGiveTheSameSar()
    {
        var o = ExampleJson();
        foreach (var f in new[] { "T_initial", "T_final", "T_ambient" })
            o[f] = Q(o[f]!["value"]!.GetValue<double>() + 273.15, "K");
        o["sensor_error"] = Q(0.02, "degC");
        var k = CalorimetryEvaluation.Evaluate(CalorimetryInputFile.Parse(o.ToJsonString()));
        Assert.Equal(ExpectedSar, k.SarWPerKg, 1e-6); // 273.15 offsets cost ~1e-13 K of rounding in the 0.8 K rise
        Assert.Equal(0.02, k.RiseCheck!.Value.SensorErrorK, 15);
    }

    [Fact]
    public void EquivalentUnitsGiveTheSameSar()
    {
        var o = ExampleJson();
        o["phantom_mass"] = Q(20100, "g");
        o["specific_heat"] = Q(4.18, "kJ/(kg K)");
        o["equivalent_mass"] = Q(25000, "g");
        o["total_time"] = Q(0.25, "h");
        o["breaks"] = new JsonArray(Q(1, "min"));
        o["insulation_time_constant"] = Q(35000.0 / 60, "min");
        var r = CalorimetryEvaluation.Evaluate(CalorimetryInputFile.Parse(o.ToJsonString()));
        Assert.Equal(ExpectedSar, r.SarWPerKg, 1e-9);
    }

    [Fact]
    public void MilliwattAndWattAreConsistent()
    {
        Assert.Equal(QuantityParser.FromValue("p", QuantityKind.Power, 1.5, "W").Si, QuantityParser.FromValue("p", QuantityKind.Power, 1500, "mW").Si, 15);
        Assert.Equal(0.5, QuantityParser.FromValue("a", QuantityKind.Attenuation, 10 * Math.Log10(2), "dB").Si, 12);
        Assert.Equal(0.5, QuantityParser.FromValue("a", QuantityKind.Attenuation, 0.5, "fraction").Si, 15);
        var e = Assert.Throws<SarKitInputException>(() => QuantityParser.FromValue("p_fwd", QuantityKind.Power, 1, "kg"));
        Assert.Contains("p_fwd", e.Message);
        Assert.Contains("Mass unit", e.Message);
    }

    [Fact]
    public void ShellIsIncludedAboveTenPercent()
    {
        var o = ExampleJson();
        o["shell_mass"] = Q(8, "kg"); // 9600 J/K > 8401.8 J/K
        var r = CalorimetryEvaluation.Evaluate(CalorimetryInputFile.Parse(o.ToJsonString()));
        Assert.True(r.HeatCapacity.ShellIncluded);
        Assert.Equal(ExpectedSar * (84018 + 9600) / 84018, r.SarWPerKg, 1e-9);
    }

    [Fact]
    public void WithoutOptionalFieldsNoCorrectionAndNoCheck()
    {
        var o = ExampleJson();
        foreach (var f in new[] { "T_ambient", "measurement_delay", "insulation_time_constant", "sensor_error", "predicted_sar", "energy_uncertainty", "shell_mass", "shell_specific_heat", "breaks", "description" })
            o.Remove(f);
        var r = CalorimetryEvaluation.Evaluate(CalorimetryInputFile.Parse(o.ToJsonString()));
        Assert.False(r.CoolingCorrected);
        Assert.Null(r.RiseCheck);
        Assert.Null(r.PredictedCoversMeasured);
        Assert.Equal(20.1 * 4180 * 0.8 / 900 / 25, r.SarWPerKg, 1e-9);
    }
}
