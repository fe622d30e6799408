using System.Text.Json;
using SarKit.Surrogate;
using SarKit.Tests.Cli;
using SarKit.Tests.Support;
using SarKit.IO.Arrays;

namespace SarKit.Tests.Surrogate;

/// <summary>A small surrogate dataset shared by the evaluation tests: 6 subjects (train 2, val 2, test 2), 2 shims, 50² cells of 1 cm.</summary>
public sealed class SmallSurrogateDataset : IDisposable
{
    private readonly TempDir _tmp = new();
    public SmallSurrogateDataset()
    {
        Directory = _tmp.File("ds");
        new SurrogateDatasetBuilder(new SurrogateDatasetOptions
        {
            Subjects = 6, ShimsPerSubject = 2, Seed = 21, GridCells = 50, CellSize = 0.01, PmlCells = 8, ValidationFraction = 1.0 / 3, TestFraction = 1.0 / 3,
        }).Build(Directory);
        Manifest = SurrogateEvaluator.ReadManifest(Directory);
    }

    public string Directory { get; }
    public SurrogateManifest Manifest { get; }
    public void Dispose() => _tmp.Dispose();
}

public class SurrogateEvaluateTests(SmallSurrogateDataset ds) : IClassFixture<SmallSurrogateDataset>
{
    private static string Fixture(string name) => Path.Combine(SharedData.RepoRoot, "tests", "SarKit.Tests", "data", "surrogate", name);

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

    private static SurrogateCaseTable Table(string split, int[] subjects, double[] truth, double[] pred)
    {
        var t = new SurrogateCaseTable(split);
        for (int i = 0; i < subjects.Length; i++)
        {
            t.Subject.Add(subjects[i]); t.Shim.Add(i); t.B1MeanAbs.Add(1);
            t.Column("true_sar10g").Add(truth[i]); t.Column("model_sar10g").Add(pred[i]);
        }
        return t;
    }

    [Fact]
    public void Calibration_uses_the_validation_quantile_and_reports_test_metrics_with_that_factor()
    {
        // val ratios pred/true = 0.5, 0.8, 1.0, 1.25, 2 → true/pred = 2, 1.25, 1, 0.8, 0.5; q0.5 (type 7) = 1
        var val = Table("val", [1, 1, 2, 2, 3], [1, 1, 1, 1, 1], [0.5, 0.8, 1.0, 1.25, 2.0]);
        var test = Table("test", [4, 4, 5, 5], [2, 2, 2, 2], [1.0, 1.6, 2.0, 3.0]);
        var r = Assert.Single(SurrogateCalibration.Report(val, test, ["model", "generic"], ["sar", "sar10g"], quantile: 0.5));
        Assert.Equal(("model", "sar10g"), (r.Method, r.Metric));
        Assert.Equal(1.0, r.SafetyFactor, 12);
        Assert.Equal(0.5, r.TestRaw.PUnderestimation, 12);                 // ratios 0.5, 0.8, 1, 1.5
        Assert.Equal((0.5 + 0.8 + 1.0 + 1.5) / 4 - 1, r.TestRaw.MeanOverestimation, 12);
        var r2 = SurrogateCalibration.Report(val, test, ["model"], ["sar10g"], quantile: 0.95)[0];
        Assert.Equal(1.85, r2.SafetyFactor, 12);                            // sorted 0.5, 0.8, 1, 1.25, 2: h = 3.8 → 1.25 + 0.8·0.75
        Assert.Equal(PeakSarMetrics.Compute([2, 2, 2, 2], new[] { 1.0, 1.6, 2.0, 3.0 }.Select(p => p * r2.SafetyFactor).ToArray()), r2.TestCalibrated);
        var t1 = r.Tradeoff.Single(p => Math.Abs(p.Factor - 1.5) < 1e-12);   // ratios × 1.5 = 0.75, 1.2, 1.5, 2.25
        Assert.Equal(0.25, t1.PUnderestimation, 12);
        Assert.Equal((0.75 + 1.2 + 1.5 + 2.25) / 4 - 1, t1.MeanOverestimation, 12);
        Assert.Equal(23, r.Tradeoff.Count);
        Assert.Equal(0.9, r.Tradeoff[0].Factor, 12); Assert.Equal(2.0, r.Tradeoff[^1].Factor, 12);
    }

    [Fact]
    public void Subject_bootstrap_is_reproducible_brackets_the_estimate_and_collapses_for_identical_subjects()
    {
        int[] subjects = [1, 1, 2, 2, 3, 3, 4, 4];
        double[] truth = [1, 1, 1, 1, 1, 1, 1, 1];
        double[] pred = [0.9, 1.3, 1.1, 1.2, 0.8, 1.5, 1.0, 1.4];
        var a = SurrogateCalibration.SubjectBootstrap(subjects, truth, pred, 500, 7);
        Assert.Equal(a, SurrogateCalibration.SubjectBootstrap(subjects, truth, pred, 500, 7));
        double mean = pred.Average() - 1, pu = 2 / 8.0;
        Assert.InRange(mean, a.MeanOverestimationLow, a.MeanOverestimationHigh);
        Assert.InRange(pu, a.PUnderLow, a.PUnderHigh);
        Assert.True(a.MeanOverestimationHigh > a.MeanOverestimationLow);
        // every subject has the same ratios → every resample has the same mean and P(under)
        var same = SurrogateCalibration.SubjectBootstrap(subjects, truth, [0.5, 1.5, 0.5, 1.5, 0.5, 1.5, 0.5, 1.5], 200, 1);
        Assert.Equal(0.0, same.MeanOverestimationLow, 12); Assert.Equal(0.0, same.MeanOverestimationHigh, 12);
        Assert.Equal(0.5, same.PUnderLow, 12); Assert.Equal(0.5, same.PUnderHigh, 12);
    }

    [Fact]
    public void Vop_baseline_never_underestimates_the_training_subjects_it_was_built_from()
    {
        var m = ds.Manifest;
        var vop = SurrogateVopBaseline.Create(ds.Directory, m, 100, 0.05, null, threads: 2, randomDrives: 1000);
        var train = m.Subjects.Where(s => s.Split == "train").ToList();
        Assert.Equal(train.Select(s => s.Index), vop.Subjects);
        Assert.True(vop.Set.HasValidCertificate(out var why), why);
        int checkedCases = 0;
        foreach (var s in train)
        {
            using var z = SarKit.IO.Arrays.NpzArchive.Open(Path.Combine(ds.Directory, s.File));
            var phases = z.Read("phases").ToDouble(); var b1 = z.Read("b1_mean_abs").ToDouble(); var y = z.Read("sar10g").ToDouble();
            int n = m.Grid.Nx * m.Grid.Ny;
            for (int k = 0; k < m.ShimsPerSubject; k++)
            {
                double truePeak = y.AsSpan(k * n, n).ToArray().Max() * b1[k] * b1[k];   // W/kg per A² drive
                double vopPeak = vop.PeakSar(phases.AsSpan(k * m.Channels, m.Channels));
                Assert.True(vopPeak >= truePeak * (1 - 1e-6), $"subject {s.Index} shim {k}: VOP {vopPeak} < true {truePeak}");
                Assert.True(vopPeak <= truePeak * 10, "VOP peak implausibly large");
                checkedCases++;
            }
        }
        Assert.Equal(train.Count * m.ShimsPerSubject, checkedCases);
        Assert.Equal([0, 2, 4], SurrogateVopBaseline.ChooseSubjects(Enumerable.Range(0, 7).Select(i => train[0] with { Index = i }).ToList(), 3).Select(s => s.Index));
    }

    [Fact]
    public void Vop_cache_is_written_read_back_and_refused_for_another_population()
    {
        using var tmp = new TempDir();
        var file = tmp.File("vops.h5");
        var a = SurrogateVopBaseline.Create(ds.Directory, ds.Manifest, 1, 0.05, file, randomDrives: 100);
        Assert.False(a.Loaded);
        var b = SurrogateVopBaseline.Create(ds.Directory, ds.Manifest, 1, 0.05, file, randomDrives: 100);
        Assert.True(b.Loaded);
        Assert.Equal(a.Set.Packed, b.Set.Packed);
        var e = Assert.Throws<SarKitInputException>(() => SurrogateVopBaseline.Create(ds.Directory, ds.Manifest, 2, 0.05, file));
        Assert.Contains("another population", e.Message);
    }

    [Fact]
    public void Missing_split_and_grid_mismatch_are_clear_input_errors()
    {
        using var tmp = new TempDir();
        // a dataset without validation subjects
        var noVal = tmp.File("noval");
        new SurrogateDatasetBuilder(new SurrogateDatasetOptions { Subjects = 2, ShimsPerSubject = 1, Seed = 4, GridCells = 40, CellSize = 0.012, PmlCells = 8, ValidationFraction = 0, TestFraction = 0.5 }).Build(noVal);
        var e = Assert.Throws<SarKitInputException>(() => SurrogateEvaluator.Evaluate(noVal, Fixture("tiny_unet.onnx")));
        Assert.Contains("'val' split has no subjects", e.Message);
        // a model trained on another grid
        var dir = System.IO.Directory.CreateDirectory(tmp.File("model")).FullName;
        File.Copy(Fixture("tiny_unet.onnx"), Path.Combine(dir, "model.onnx"));
        File.WriteAllText(Path.Combine(dir, "config.json"), """{"model": "unet", "target": "sar10g", "input_channels": 5, "output_channels": 1, "pad_multiple": 4, "grid": {"nx": 96, "ny": 96, "cell_size_m": 0.005}}""");
        e = Assert.Throws<SarKitInputException>(() => SurrogateEvaluator.Evaluate(ds.Directory, Path.Combine(dir, "model.onnx")));
        Assert.Contains("96 × 96 grid of 5 mm", e.Message);
        Assert.Contains("50 × 50 cells of 10 mm", e.Message);
        e = Assert.Throws<SarKitInputException>(() => SurrogateEvaluator.Evaluate(ds.Directory, tmp.File("none.onnx")));
        Assert.Contains("does not exist", e.Message);
    }

    [OnnxRuntimeFact]
    public void Cli_evaluates_with_calibration_baselines_cases_and_plots()
    {
        using var tmp = new TempDir();
        var r = CliRunner.Run("surrogate", "evaluate", "--data", ds.Directory, "--model", Fixture("tiny_unet.onnx"), "--cases", tmp.File("cases.csv"),
            "--plots", tmp.File("plots"), "--vops", tmp.File("v.npz"), "--vop-subjects", "2", "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        var j = JsonDocument.Parse(r.Out).RootElement;
        Assert.Equal("unet", j.GetProperty("model_kind").GetString());
        Assert.Equal(4, j.GetProperty("test_cases").GetInt32());
        Assert.Equal(4, j.GetProperty("calibration").GetProperty("cases").GetInt32());
        var methods = j.GetProperty("methods");
        foreach (var name in new[] { "model", "generic", "constant", "vop" })
        {
            var x = methods.GetProperty(name).GetProperty("sar10g");
            double sf = x.GetProperty("safety_factor").GetDouble();
            Assert.True(sf > 0);
            var cal = x.GetProperty("test_calibrated");
            Assert.Equal(2, cal.GetProperty("p_underestimation_ci95_subjects").GetArrayLength());
            Assert.Equal(23, x.GetProperty("test_tradeoff").GetArrayLength());
        }
        Assert.True(j.GetProperty("vop").GetProperty("certified").GetBoolean());
        var lines = File.ReadAllLines(tmp.File("cases.csv"));
        Assert.Equal(1 + 8, lines.Length);
        Assert.Equal("split,subject,shim,b1_mean_abs_ut,true_sar10g,model_sar10g,generic_sar10g,constant_sar10g,vop_sar10g", lines[0]);
        Assert.True(File.Exists(tmp.File("plots/ratio_hist_sar10g.svg")) && File.Exists(tmp.File("plots/ratio_hist_sar10g.png")));
        Assert.Contains("ratio = 1", File.ReadAllText(tmp.File("plots/ratio_hist_sar10g.svg")));
        // the table form, reading the cached VOPs
        var t = CliRunner.Run("surrogate", "evaluate", "--data", ds.Directory, "--model", Fixture("tiny_unet.onnx"), "--vops", tmp.File("v.npz"), "--vop-subjects", "2");
        Assert.True(t.ExitCode == 0, t.Err);
        Assert.Contains("read from", t.Out);
        Assert.Contains("constant", t.Out);
        var bad = CliRunner.Run("surrogate", "evaluate", "--data", ds.Directory, "--model", Fixture("tiny_unet.onnx"), "--quantile", "1.5");
        Assert.Equal(2, bad.ExitCode);
    }

    [OnnxRuntimeFact]
    public void Per_channel_model_gives_point_and_10g_metrics_from_one_prediction_per_subject()
    {
        var r = SurrogateEvaluator.Evaluate(ds.Directory, Fixture("perchannel/model.onnx"), new SurrogateEvaluationOptions { VopSubjects = 2, VopRandomDrives = 100 });
        Assert.Equal("perchannel", r.ModelKind);
        Assert.Equal(["sar", "sar10g"], r.Metrics);
        Assert.Equal(["model", "generic", "constant", "vop"], r.Methods);
        Assert.Equal(3 * 2 + 1, r.Reports.Count);             // (model, generic, constant) × (sar, sar10g) + vop × sar10g
        foreach (var t in new[] { r.Val, r.Test })
        {
            Assert.Equal(4, t.Count);
            for (int i = 0; i < t.Count; i++)
                foreach (var m in new[] { "true", "model", "generic" })
                {
                    // a mass average never exceeds the peak of the map it averages
                    Assert.True(t.Columns[$"{m}_sar10g"][i] <= t.Columns[$"{m}_sar"][i] * (1 + 1e-9), $"{m} case {i}");
                    Assert.True(t.Columns[$"{m}_sar10g"][i] > 0);
                }
        }
        Assert.Equal(r.Constant["sar"], r.Test.Columns["constant_sar"][0]);
        Assert.Equal(r.Test.Columns["constant_sar"].Count, r.Test.Columns["constant_sar"].Count(v => v == r.Constant["sar"]));
    }
}
