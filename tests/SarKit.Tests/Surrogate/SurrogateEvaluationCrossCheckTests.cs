using System.Text.Json;
using SarKit.Surrogate;
using SarKit.Tests.Cli;
using SarKit.Tests.Support;
using Xunit.Abstractions;

namespace SarKit.Tests.Surrogate;

/// <summary>A fact that needs /usr/bin/python3 with numpy and torch (ONNX Runtime ships with SarKit); skipped with the reason otherwise.</summary>
public sealed class PythonTorchOnnxFactAttribute : FactAttribute
{
    public PythonTorchOnnxFactAttribute()
    {
        foreach (var m in new[] { "numpy", "torch" })
            if (!PythonFactAttribute.CanImport(m)) { Skip = $"{PythonFactAttribute.Python} cannot import {m} (install the Debian package python3-{m} to run this test)."; return; }
    }
}

/// <summary>
/// `sarkit surrogate evaluate` against surrogate/train.py's own evaluation (report.json): a few training steps of a
/// per-channel and a direct model on a small dataset, then the C# evaluation of the exported ONNX models on the same
/// (subject, shim) cases must give the same safety factors, raw and calibrated test metrics and trade-off tables for
/// the model and the generic fixed phantom (float32 inference and arithmetic: ~1e-6 relative).
/// Not in the "Console" collection (which runs alone, after every other test): most of its time is the dataset build
/// and the Python training child processes; its in-process CLI call is captured by <see cref="CliRunner"/> (per run, no lock).
/// </summary>
public class SurrogateEvaluationCrossCheckTests(ITestOutputHelper output)
{
    private static readonly HashSet<string> Bootstrap = ["mean_overestimation_ci95", "p_underestimation_ci95_subjects"];

    [PythonTorchOnnxFact]
    public void Csharp_evaluation_matches_the_python_report_for_model_and_generic_phantom()
    {
        using var tmp = new TempDir();
        var ds = tmp.File("ds");
        new SurrogateDatasetBuilder(new SurrogateDatasetOptions
        {
            Subjects = 6, ShimsPerSubject = 3, Seed = 3, GridCells = 96, CellSize = 0.005, ValidationFraction = 1.0 / 3, TestFraction = 1.0 / 3,
        }).Build(ds);
        string repo = Path.Combine(SharedData.RepoRoot, "surrogate");
        foreach (var (model, extra) in new[] { ("perchannel", Array.Empty<string>()), ("unet", ["--target", "sar10g"]) })
        {
            var outDir = tmp.File(model);
            // --crop none: the comparison does not depend on the predictors' crop window handling
            var (code, text) = PythonFactAttribute.Run([Path.Combine(repo, "train.py"), "--data", ds, "--model", model, "--steps", "3", "--batch", "2", "--base", "4",
                "--levels", "4", "--crop", "none", "--onnx", "--out", outDir, .. extra], TimeSpan.FromMinutes(5), repo);
            Assert.True(code == 0, text);
            var r = CliRunner.Run("surrogate", "evaluate", "--data", ds, "--model", Path.Combine(outDir, "model.onnx"), "--no-vop", "--json");
            Assert.True(r.ExitCode == 0, r.Err);
            var cs = JsonDocument.Parse(r.Out).RootElement;
            using var pyDoc = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "report.json")));
            var py = pyDoc.RootElement;
            Assert.Equal(py.GetProperty("generic_subject").GetInt32(), cs.GetProperty("generic_subject").GetInt32());
            Assert.Equal(py.GetProperty("test_cases").GetInt32(), cs.GetProperty("test_cases").GetInt32());
            Assert.Equal(py.GetProperty("calibration").GetProperty("cases").GetInt32(), cs.GetProperty("calibration").GetProperty("cases").GetInt32());
            double worst = 0; int compared = 0;
            foreach (var method in new[] { "model", "generic" })
                foreach (var metric in py.GetProperty("methods").GetProperty(method).EnumerateObject())
                {
                    var c = cs.GetProperty("methods").GetProperty(method).GetProperty(metric.Name);
                    foreach (var part in new[] { "safety_factor", "val_raw", "test_raw", "test_calibrated", "test_tradeoff" })
                        Compare(metric.Value.GetProperty(part), c.GetProperty(part), $"{model}: {method}/{metric.Name}/{part}", ref worst, ref compared);
                }
            output.WriteLine($"{model}: {compared} numbers compared, largest relative difference {worst:G3}");
            Assert.True(compared > 100, $"{model}: only {compared} numbers compared");
        }
    }

    private static void Compare(JsonElement py, JsonElement cs, string path, ref double worst, ref int compared)
    {
        switch (py.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in py.EnumerateObject())
                    if (!Bootstrap.Contains(p.Name)) Compare(p.Value, cs.GetProperty(p.Name), $"{path}/{p.Name}", ref worst, ref compared);
                break;
            case JsonValueKind.Array:
                Assert.Equal(py.GetArrayLength(), cs.GetArrayLength());
                for (int i = 0; i < py.GetArrayLength(); i++) Compare(py[i], cs[i], $"{path}[{i}]", ref worst, ref compared);
                break;
            case JsonValueKind.Number:
                double a = py.GetDouble(), b = cs.GetDouble(), d = Math.Abs(a - b) / Math.Max(Math.Abs(a), 1e-3);
                Assert.True(d <= 1e-4, $"{path}: python {a:R}, C# {b:R} (relative {d:G3})");
                worst = Math.Max(worst, d); compared++;
                break;
        }
    }
}
