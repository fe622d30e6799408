using System.Text.Json;
using SarKit.Surrogate;
using SarKit.Tests.Cli;
using SarKit.Tests.Support;

namespace SarKit.Tests.Surrogate;

[Collection("Console")]
public class SurrogateEvaluateTests
{
    [Fact]
    public void Peak_metrics_known_values()
    {
        var m = PeakSarMetrics.Compute([1, 1, 1, 1], [0.5, 1.0, 1.5, 2.0]);
        Assert.Equal(0.25, m.MeanOverestimation, 12);
        Assert.Equal(0.25, m.PUnderestimation, 12);
        Assert.Equal(2.0, m.Sf100, 12);
        Assert.Equal(1.85, m.Sf95, 12);          // true/pred sorted 0.5, 0.667, 1, 2; type-7 quantile at 2.85
        Assert.Equal(1.25, m.RatioMedian, 12);
        Assert.True(m.PUnderLow < 0.25 && 0.25 < m.PUnderHigh);
        Assert.Equal(0.0456, m.PUnderLow, 3);    // Wilson interval, n = 4, k = 1
        Assert.Equal(0.6994, m.PUnderHigh, 3);
        Assert.Throws<SarKitInputException>(() => PeakSarMetrics.Compute([1, 0], [1, 1]));
    }

    [OnnxRuntimeFact]
    public void Cli_evaluates_on_held_out_subjects_with_the_generic_baseline()
    {
        using var tmp = new TempDir();
        var dir = tmp.File("ds");
        new SurrogateDatasetBuilder(new SurrogateDatasetOptions { Subjects = 3, ShimsPerSubject = 2, Seed = 9, GridCells = 50, CellSize = 0.01, PmlCells = 8, TestFraction = 0.34, ValidationFraction = 0 }).Build(dir);
        var model = Path.Combine(SharedData.RepoRoot, "tests", "SarKit.Tests", "data", "surrogate", "tiny_unet.onnx");
        var r = CliRunner.Run("surrogate", "evaluate", "--data", dir, "--model", model, "--ratios", tmp.File("cases.csv"), "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        var j = JsonDocument.Parse(r.Out).RootElement;
        Assert.Equal(2, j.GetProperty("cases").GetInt32());
        Assert.Equal("test", j.GetProperty("split").GetString());
        Assert.True(j.GetProperty("generic_constant").GetDouble() > 0);
        Assert.Equal(3, File.ReadAllLines(tmp.File("cases.csv")).Length);
        var bad = CliRunner.Run("surrogate", "evaluate", "--data", dir, "--model", model, "--split", "val");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("'val' split has no subjects", bad.Err);
    }
}
