using System.Text.Json;
using SarKit.Cli;

namespace SarKit.Tests.Cli;

/// <summary>Every command that judges exits 3 on a negative verdict, after printing its result (docs/cli.md, issue 17).</summary>
public sealed class VerdictExitCodeTests : IDisposable
{
    private readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();
    private static string Examples => Path.Combine(Support.SharedData.RepoRoot, "examples");

    [Fact]
    public void Scan_process_with_a_limit_exceeded_exits_3_in_text_and_json_and_0_when_every_limit_holds()
    {
        string P(string f) => Path.Combine(Examples, "probe", f);
        string[] args = ["scan", "process", P("scan_example.csv"), "--calibration", P("calibration.json"), "--liquid", P("liquid.json")];
        var text = CliRunner.Run(args);
        Assert.True(text.ExitCode == CliApp.ExitCheckFailed, text.Err);
        Assert.Contains("EXCEEDED", text.Out);
        var json = CliRunner.Run([.. args, "--json"]);
        Assert.True(json.ExitCode == CliApp.ExitCheckFailed, json.Err);
        using (var doc = JsonDocument.Parse(json.Out))
            Assert.Contains(doc.RootElement.GetProperty("limits").EnumerateArray(), l => !l.GetProperty("within_limit").GetBoolean());

        // the same scan judged against limits it meets (every limit of the table ×10)
        var limits = File.ReadAllText(P("limits.json"));
        var raised = System.Text.RegularExpressions.Regex.Replace(limits, @"""limit_w_per_kg"": (\d+(\.\d+)?)",
            m => $"\"limit_w_per_kg\": {double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) * 10}");
        File.WriteAllText(_dir.File("limits.json"), raised);
        var ok = CliRunner.Run([.. args, "--limits", _dir.File("limits.json")]);
        Assert.True(ok.ExitCode == 0, ok.Err);
        Assert.DoesNotContain("EXCEEDED", ok.Out);
    }

    /// <summary>One edit of the example calorimetry record that makes a NEMA MS 8 check negative, and the line that says so.</summary>
    [Theory]
    [InlineData("\"predicted_sar\": { \"value\": 3.5,", "\"predicted_sar\": { \"value\": 1.0,", "Is Predicted SAR ≥ Measured SAR – Measurement uncertainty? N")]
    [InlineData("\"sensor_error\": { \"value\": 20, \"unit\": \"mK\" }", "\"sensor_error\": { \"value\": 200, \"unit\": \"mK\" }", "3.2(c) ΔT ≥ 20 × sensor error: FAIL")]
    public void Nema_calorimetry_with_a_negative_check_exits_3_in_text_and_json(string snippet, string replacement, string verdictLine)
    {
        var example = Path.Combine(Examples, "nema", "calorimetry_example.json");
        var original = File.ReadAllText(example);
        Assert.Contains(snippet, original);
        File.WriteAllText(_dir.File("edited.json"), original.Replace(snippet, replacement));
        var r = CliRunner.Run("nema", "calorimetry", _dir.File("edited.json"));
        Assert.True(r.ExitCode == CliApp.ExitCheckFailed, r.Err);
        Assert.Contains(verdictLine, r.Out);
        var j = CliRunner.Run("nema", "calorimetry", _dir.File("edited.json"), "--json");
        Assert.True(j.ExitCode == CliApp.ExitCheckFailed, j.Err);
        JsonDocument.Parse(j.Out).Dispose();

        var good = CliRunner.Run("nema", "calorimetry", example);
        Assert.True(good.ExitCode == 0, good.Err);
    }
}
