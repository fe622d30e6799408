using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using SarKit.Surrogate;
using SarKit.Tests.Cli;
using SarKit.Tests.Support;
using Xunit.Abstractions;

namespace SarKit.Tests.Surrogate;

/// <summary>
/// The worst-over-shims search (<see cref="ShimPhaseMaximizer"/>) on objectives with a known maximum, and the
/// <c>--worst-shims</c> metric of <c>sarkit surrogate evaluate --data3d</c> end to end (plus its held-out-only rule).
/// </summary>
public class ShimPhaseMaximizerTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(2, 1)]
    [InlineData(8, 7)]
    [InlineData(16, 3)]
    public void Finds_the_known_maximum_of_a_combined_field_magnitude(int channels, int seed)
    {
        // f(φ) = |Σ a_n e^{jφ_n}|²; maximum (Σ|a_n|)² where every term has channel 1's phase (triangle inequality)
        var rng = new Random(seed);
        var a = Enumerable.Range(0, channels).Select(_ => Complex.FromPolarCoordinates(0.2 + rng.NextDouble(), 2 * Math.PI * rng.NextDouble())).ToArray();
        double F(double[] p) { Complex s = 0; for (int n = 0; n < channels; n++) s += a[n] * Complex.FromPolarCoordinates(1, p[n]); return s.Magnitude * s.Magnitude; }
        double max = Math.Pow(a.Sum(x => x.Magnitude), 2);
        var opt = new ShimPhaseSearchOptions { Seed = seed, MaxEvaluations = 2000 };
        var r = ShimPhaseMaximizer.Maximize(F, channels, opt);
        Assert.Equal(0, r.Phases[0]);
        Assert.True(r.Value <= max * (1 + 1e-12), $"{r.Value} > known maximum {max}");
        Assert.True(r.Value >= max * (1 - 1e-5), $"{r.Value} vs known maximum {max} after {r.Evaluations} evaluations");
        Assert.Equal(F(r.Phases), r.Value, 12);
        Assert.InRange(r.Evaluations, 1, 2000);
        Assert.Equal(r.Phases, ShimPhaseMaximizer.Maximize(F, channels, opt).Phases);   // seeded
        output.WriteLine($"C = {channels}: {r.Value / max:R} of the maximum in {r.Evaluations} evaluations");
    }

    [Fact]
    public void Never_below_the_initial_phases_and_fails_closed_on_non_finite_values()
    {
        // a narrow peak at a point no random start hits: the initial phases carry it
        var peak = new[] { 0, 1.0, 2.0, 3.0 };
        double F(double[] p) => p.Zip(peak).Sum(x => Math.Abs(x.First - x.Second)) < 1e-9 ? 10 : Math.Cos(p[1]);
        var r = ShimPhaseMaximizer.Maximize(F, 4, new ShimPhaseSearchOptions { InitialPhases = [peak], MaxEvaluations = 100, RandomStarts = 8 });
        Assert.Equal(10, r.Value);
        Assert.Equal(peak, r.Phases);
        Assert.Throws<InvalidOperationException>(() => ShimPhaseMaximizer.Maximize(_ => double.NaN, 4));
        Assert.Throws<ArgumentException>(() => ShimPhaseMaximizer.Maximize(F, 4, new ShimPhaseSearchOptions { RandomStarts = 10, MaxEvaluations = 5 }));
    }

    [OnnxRuntimeFact]
    public void Cli_reports_the_worst_over_shims_per_subject_and_refuses_training_subjects()
    {
        using var tmp = new TempDir();
        string models = Path.Combine(SharedData.RepoRoot, "models", "surrogate");
        var pick = Surrogate3dEvaluationTests.TwoSubjects(tmp);
        var r = CliRunner.Run("surrogate", "evaluate", "--data3d", tmp.Path, "--model", Path.Combine(models, "perchannel", "model.onnx"), "--shims", "2", "--worst-shims", "12", "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        var m = JsonDocument.Parse(r.Out).RootElement.GetProperty("models")[0];
        var ws = m.GetProperty("worst_over_shims").EnumerateArray().ToList();
        Assert.Equal(pick.Select(x => x.Id), ws.Select(w => w.GetProperty("subject").GetString()));
        foreach (var w in ws)
        {
            double worst = w.GetProperty("worst_true_over_predicted").GetDouble(), random = w.GetProperty("random_cases_worst").GetDouble();
            double f = w.GetProperty("held_out_factor").GetDouble();
            Assert.True(worst >= random, $"search {worst} below the evaluated shims' worst {random}");
            Assert.Equal(worst / f, w.GetProperty("held_out_calibrated_worst").GetDouble(), 12);
            Assert.Equal(2 + 12, w.GetProperty("evaluations").GetInt32());
            Assert.Equal(0, w.GetProperty("phases_rad")[0].GetDouble());
            output.WriteLine($"{w.GetProperty("subject").GetString()}: worst over shims {worst:F3}, over 2 random shims {random:F3}");
        }
        // a model whose config.json lists an evaluated subject as a training subject is refused (held-out only)
        Directory.CreateDirectory(tmp.File("m3d"));
        File.Copy(Path.Combine(models, "unet", "model.onnx"), tmp.File("m3d/model.onnx"));
        var cfg = JsonNode.Parse(File.ReadAllText(Path.Combine(models, "unet", "config.json")))!.AsObject();
        cfg["train_subjects"] = new JsonArray(pick[0].Id);
        File.WriteAllText(tmp.File("m3d/config.json"), cfg.ToJsonString());
        var bad = CliRunner.Run("surrogate", "evaluate", "--data3d", tmp.Path, "--model", tmp.File("m3d/model.onnx"), "--shims", "1");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("held-out", bad.Err);
        // ... and so is one selected on it (config.json validation_subjects: checkpoint selection, train3d.py --val)
        cfg.Remove("train_subjects");
        cfg["validation_subjects"] = new JsonArray(pick[1].Id);
        File.WriteAllText(tmp.File("m3d/config.json"), cfg.ToJsonString());
        bad = CliRunner.Run("surrogate", "evaluate", "--data3d", tmp.Path, "--model", tmp.File("m3d/model.onnx"), "--shims", "1");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("validation_subjects", bad.Err);
        // --pairs-only writes every subject's pairs (the model only gives the grid, so its subjects are not refused)
        var po = CliRunner.Run("surrogate", "evaluate", "--data3d", tmp.Path, "--model", tmp.File("m3d/model.onnx"), "--shims", "2", "--pairs-out", tmp.File("pairs"), "--pairs-only");
        Assert.True(po.ExitCode == 0, po.Err);
        Assert.Equal(pick.Select(x => x.Id + ".npz").Order(), Directory.GetFiles(tmp.File("pairs")).Select(Path.GetFileName).Order());
        Assert.Equal(2, CliRunner.Run("surrogate", "evaluate", "--data3d", tmp.Path, "--model", tmp.File("m3d/model.onnx"), "--pairs-only").ExitCode);
    }
}
