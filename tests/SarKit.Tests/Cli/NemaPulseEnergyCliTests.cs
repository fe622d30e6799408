using System.Text.Json;
using System.Text.Json.Nodes;
using SarKit.Measurement.Nema.Input;

namespace SarKit.Tests.Cli;

public class NemaPulseEnergyCliTests
{
    private static string Example => Path.Combine(Support.SharedData.RepoRoot, "examples", "nema", "pulse_energy_example.json");

    // Hand check (docs/nema-ms8.md worked example): P_CPL_unloaded = 100 − 10 − 1 = 89 W; V² = 9 + 16 = 25 and 4 + 4 = 8;
    // P_CPL_loaded = 89 · 8/25 = 28.48 W; P_phantom_2 = 1000 − 50 − 28.48 = 921.52 W; E = 2 · 921.52 W · 1 ms;
    // P_ave = E / 50 ms = 36.8608 W; SAR = 36.8608 / 80 = 0.46076 W/kg.
    private const double ExpectedSar = 0.46076;

    private static JsonObject Q(double v, string unit) => new() { ["value"] = v, ["unit"] = unit };

    [Fact]
    public void ExampleGivesHandCheckedSar()
    {
        var r = PulseEnergyEvaluation.Evaluate(PulseEnergyInputFile.Read(Example));
        Assert.Equal(89, r.CoilLossUnloadedW, 12);
        Assert.Equal(28.48, r.CoilLossLoadedW, 12);
        Assert.Equal(921.52, r.PhantomPeakPowerW, 12);
        Assert.Equal(ExpectedSar, r.SarWPerKg, 12);
    }

    [Fact]
    public void CliTextAndJson()
    {
        var t = CliRunner.Run("nema", "pulse-energy", Example);
        Assert.Equal(0, t.ExitCode);
        Assert.Contains("0.46076 W/kg", t.Out);
        var j = CliRunner.Run("nema", "pulse-energy", Example, "--json");
        Assert.Equal(0, j.ExitCode);
        using var doc = JsonDocument.Parse(j.Out);
        Assert.Equal(ExpectedSar, doc.RootElement.GetProperty("sar_w_per_kg").GetDouble(), 12);
    }

    [Fact]
    public void MilliwattAndWattAndDbGiveTheSameSar()
    {
        var o = JsonNode.Parse(File.ReadAllText(Example))!.AsObject();
        o["loaded"]!["P_reflected"] = Q(50000, "mW");
        o["unloaded"]!["P_forward"] = Q(0.1, "kW");
        o["alpha_cf"] = Q(0, "dB");
        o["TR"] = Q(0.05, "s");
        var r = PulseEnergyEvaluation.Evaluate(PulseEnergyInputFile.Parse(o.ToJsonString()));
        Assert.Equal(ExpectedSar, r.SarWPerKg, 12);
    }

    [Theory]
    [InlineData("loaded", "P_forward", "Ww")]
    [InlineData("unloaded", "P_reflected", "kg")]
    public void UnitTypoIsBadInputNamingTheField(string group, string field, string unit)
    {
        using var tmp = new TempDir();
        var o = JsonNode.Parse(File.ReadAllText(Example))!.AsObject();
        o[group]![field] = Q(1, unit);
        var p = tmp.File("pe.json");
        File.WriteAllText(p, o.ToJsonString());
        var r = CliRunner.Run("nema", "pulse-energy", p);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"'{group}.{field}'", r.Err);
        Assert.Contains($"'{unit}'", r.Err);
    }

    [Fact]
    public void MissingAlphaIsBadInput()
    {
        var o = JsonNode.Parse(File.ReadAllText(Example))!.AsObject();
        o.Remove("alpha2");
        var e = Assert.Throws<SarKitInputException>(() => PulseEnergyInputFile.Parse(o.ToJsonString()));
        Assert.Contains("'alpha2'", e.Message);
    }

    [Fact]
    public void AveragePowerFileGivesJsonWithNullEnergyAndAReport()
    {
        using var tmp = new TempDir();
        var o = JsonNode.Parse(File.ReadAllText(Example))!.AsObject();
        o["power_measurement"] = "average";
        o.Remove("pulses");
        o.Remove("TR");
        var p = tmp.File("avg.json");
        File.WriteAllText(p, o.ToJsonString());
        var r = CliRunner.Run("nema", "pulse-energy", p, "--json", "--report", tmp.File("avg.md"));
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("energy_per_tr_j").ValueKind);
        Assert.Equal("average", doc.RootElement.GetProperty("power_measurement").GetString());
        Assert.Equal(921.52 / 80, doc.RootElement.GetProperty("sar_w_per_kg").GetDouble(), 12);
        var md = File.ReadAllText(tmp.File("avg.md"));
        Assert.Contains("loaded case (phantom 2), average power values", md);
        Assert.Contains("| TR | milliseconds | not given |", md);
    }
}
