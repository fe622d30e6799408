using System.Security.Cryptography;
using System.Text.Json;
using SarKit.Surrogate;
using SarKit.Tests.Cli;
using SarKit.Tests.Support;
using Xunit.Abstractions;

namespace SarKit.Tests.Surrogate;

/// <summary>
/// The models retrained on 3D subjects (models/surrogate3d, docs/surrogate.md "Retrained on 3D subjects"): each
/// config.json names its training and validation subjects (disjoint), the ONNX file is the one the config hashes and is
/// small enough to ship, C# inference accepts it on a subject it never saw (finite, positive predictions), and the
/// evaluation refuses it on a subject it was trained or selected on.
/// </summary>
public class Surrogate3dModelsTests(ITestOutputHelper output)
{
    private static string ModelsDir => Path.Combine(SharedData.RepoRoot, "models", "surrogate3d");
    private static string DataDir => Path.Combine(SharedData.RepoRoot, "data", "surrogate3d");

    public static TheoryData<string> Folders()
    {
        var d = new TheoryData<string>();
        foreach (var f in Directory.GetDirectories(ModelsDir).Where(f => File.Exists(Path.Combine(f, "model.onnx"))).Order(StringComparer.Ordinal))
            d.Add(Path.GetFileName(f));
        return d;
    }

    private static void Manifest(TempDir tmp, IEnumerable<Surrogate3dManifestEntry> pick)
    {
        File.WriteAllText(tmp.File("manifest.json"), JsonSerializer.Serialize(new
        {
            subjects = pick.Select(x => new { id = x.Id, family = x.Family, seed = x.Seed, file = Path.Combine(DataDir, x.File), sha256 = x.Sha256 }),
        }));
    }

    [OnnxRuntimeTheory]
    [MemberData(nameof(Folders))]
    public void Shipped_3d_model_is_accepted_by_csharp_inference_on_held_out_subjects_only(string folder)
    {
        string model = Path.Combine(ModelsDir, folder, "model.onnx");
        using var cfg = JsonDocument.Parse(File.ReadAllText(Path.Combine(ModelsDir, folder, "config.json")));
        var train = Surrogate3dEvaluator.TrainSubjects(model);
        var val = Surrogate3dEvaluator.ValidationSubjects(model);
        Assert.NotEmpty(train);
        Assert.Empty(train.Intersect(val));
        Assert.True(new FileInfo(model).Length <= 8_000_000, $"{model}: {new FileInfo(model).Length} bytes");
        Assert.Equal(cfg.RootElement.GetProperty("onnx_sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(model))));
        var entries = Surrogate3dSubject.ReadManifest(DataDir);
        var held = entries.Where(e => !train.Contains(e.Id) && !val.Contains(e.Id)).OrderBy(e => e.Family == "B" ? 0 : 1).First();
        using var tmp = new TempDir();
        Manifest(tmp, [held, entries.First(e => e.Id != held.Id && !train.Contains(e.Id) && !val.Contains(e.Id))]);
        var r = CliRunner.Run("surrogate", "evaluate", "--data3d", tmp.Path, "--model", model, "--shims", "2", "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        var raw = JsonDocument.Parse(r.Out).RootElement.GetProperty("models")[0].GetProperty("raw");
        double worst = raw.GetProperty("worst_true_over_predicted").GetDouble(), over = raw.GetProperty("mean_overestimation").GetDouble();
        Assert.True(double.IsFinite(worst) && worst > 0 && double.IsFinite(over) && over > -1, $"worst {worst}, mean over {over}");
        output.WriteLine($"{folder} on {held.Id}: raw P(under) {raw.GetProperty("p_underestimation").GetDouble():P1}, mean over {over:P1}, worst {worst:F3}");
        foreach (var id in new[] { train[0] }.Concat(val.Take(1)))
        {
            using var bad = new TempDir();
            Manifest(bad, [entries.First(e => e.Id == id)]);
            var b = CliRunner.Run("surrogate", "evaluate", "--data3d", bad.Path, "--model", model, "--shims", "1");
            Assert.Equal(2, b.ExitCode);
            Assert.Contains("held-out", b.Err);
        }
    }
}
