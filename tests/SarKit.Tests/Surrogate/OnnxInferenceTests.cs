using System.Diagnostics;
using SarKit.IO;
using SarKit.Surrogate.Onnx;
using SarKit.Tests.Support;
using Xunit.Abstractions;
using SarKit.IO.Arrays;

namespace SarKit.Tests.Surrogate;

/// <summary>
/// A fact that runs ONNX Runtime. The native library ships with the Microsoft.ML.OnnxRuntime package, so these tests
/// never skip: a library that does not load fails them.
/// </summary>
public sealed class OnnxRuntimeFactAttribute : FactAttribute;

/// <summary>A theory that runs ONNX Runtime (never skipped, as <see cref="OnnxRuntimeFactAttribute"/>).</summary>
public sealed class OnnxRuntimeTheoryAttribute : TheoryAttribute;

public class OnnxInferenceTests(ITestOutputHelper output)
{
    private static string Fixture(string name) => Path.Combine(SharedData.RepoRoot, "tests", "SarKit.Tests", "data", "surrogate", name);

    [OnnxRuntimeFact]
    public void Tiny_unet_matches_pytorch_output_with_dynamic_size()
    {
        using var io = NpzArchive.Open(Fixture("tiny_unet_io.npz"));
        var x = io.Read("input"); var y = io.Read("output");
        using var s = new OnnxSession(Fixture("tiny_unet.onnx"));
        var sw = Stopwatch.StartNew();
        var (values, shape) = s.Run((float[])x.Data, x.Shape.Select(d => (long)d).ToArray());
        output.WriteLine($"ONNX Runtime {OnnxRuntime.Version}; run {sw.Elapsed.TotalMilliseconds:F1} ms");
        Assert.Equal(y.Shape.Select(d => (long)d).ToArray(), shape);
        var expect = (float[])y.Data;
        double worst = 0;
        for (int i = 0; i < expect.Length; i++) worst = Math.Max(worst, Math.Abs(expect[i] - values[i]));
        output.WriteLine($"max |ORT − torch| = {worst:E2}");
        Assert.True(worst < 1e-5, $"{worst}");
    }

    [OnnxRuntimeFact]
    public void Wrong_input_channels_and_missing_model_are_clear_errors()
    {
        using var s = new OnnxSession(Fixture("tiny_unet.onnx"));
        var ex = Assert.Throws<OnnxRuntimeException>(() => s.Run(new float[1 * 3 * 16 * 16], [1, 3, 16, 16]));
        Assert.Contains("tiny_unet.onnx", ex.Message);
        Assert.Throws<SarKitInputException>(() => s.Run(new float[10], [1, 5, 16, 16]));
        var missing = Assert.Throws<SarKitInputException>(() => new OnnxSession(Fixture("nope.onnx")));
        Assert.Contains("nope.onnx", missing.Message);
    }

    [Fact]
    public void Native_library_of_the_nuget_package_loads()
    {
        Assert.True(OnnxRuntime.IsAvailable(), OnnxRuntime.UnavailableReason);
        Assert.Equal(OnnxRuntime.PinnedVersion, OnnxRuntime.Version);
    }

    /// <summary>
    /// The shipped models give the outputs recorded with the previous runtime (hand-bound C API, ONNX Runtime 1.30.0;
    /// fixture shipped_models_io.npz, written by the ShippedModelOutputRecorder test of commit decfc5e, whose
    /// 'provenance' member names the inputs) on the same fixed inputs. Tolerance: max |Δ| ≤ 1e-4 ×
    /// max |reference| per model. Float32 kernels of two runtime versions (and CPU instruction sets) may sum the ~10³–10⁴
    /// products of each convolution in another order and fuse operators differently; over the U-Net's ~20 layers that
    /// gives relative differences of order 1e-6–1e-5, far below what changes a SAR estimate (safety factors carry 3 digits),
    /// while a wrong binding (layout, normalisation, model) gives differences of order 1.
    /// </summary>
    [Theory]
    [InlineData("unet", "direct_input")]
    [InlineData("cgan", "direct_input")]
    [InlineData("perchannel", "perchannel_input")]
    public void Shipped_models_reproduce_the_outputs_recorded_with_the_previous_runtime(string kind, string inputName)
    {
        using var io = NpzArchive.Open(Fixture("shipped_models_io.npz"));
        var x = io.Read(inputName); var y = io.Read(kind + "_output");
        using var s = new OnnxSession(Path.Combine(SharedData.RepoRoot, "models", "surrogate", kind, "model.onnx"));
        var (values, shape) = s.Run((float[])x.Data, x.Shape.Select(d => (long)d).ToArray());
        Assert.Equal(y.Shape.Select(d => (long)d).ToArray(), shape);
        var expect = (float[])y.Data;
        double worst = 0, scale = 0;
        for (int i = 0; i < expect.Length; i++) { worst = Math.Max(worst, Math.Abs(expect[i] - values[i])); scale = Math.Max(scale, Math.Abs(expect[i])); }
        output.WriteLine($"{kind}: ONNX Runtime {OnnxRuntime.Version}, max |new − recorded| = {worst:E2}, max |recorded| = {scale:E3}, relative {worst / scale:E2}");
        Assert.True(scale > 0);
        Assert.True(worst <= 1e-4 * scale, $"{kind}: max |new − recorded| = {worst:E3} > 1e-4 × {scale:E3}");
    }

    [Fact]
    public void Corrupt_truncated_and_mismatched_models_are_input_errors_naming_the_file()
    {
        using var tmp = new SarKit.Tests.Cli.TempDir();
        var garbage = tmp.File("garbage.onnx");
        File.WriteAllBytes(garbage, System.Text.Encoding.ASCII.GetBytes("this is not an ONNX model"));
        Assert.Contains("garbage.onnx", Assert.Throws<OnnxRuntimeException>(() => new OnnxSession(garbage)).Message);
        var truncated = tmp.File("truncated.onnx");
        var bytes = File.ReadAllBytes(Fixture("tiny_unet.onnx"));
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        Assert.Contains("truncated.onnx", Assert.Throws<OnnxRuntimeException>(() => new OnnxSession(truncated)).Message);
        var empty = tmp.File("empty.onnx");
        File.WriteAllBytes(empty, []);
        Assert.Contains("empty.onnx", Assert.Throws<OnnxRuntimeException>(() => new OnnxSession(empty)).Message);
        var wrongName = Assert.Throws<OnnxRuntimeException>(() => new OnnxSession(Fixture("tiny_unet.onnx"), inputName: "b1"));
        Assert.Contains("no input named 'b1'", wrongName.Message);
    }
}

public class OnnxModelCliTests
{
    private static string Fixture(string name) => Path.Combine(SharedData.RepoRoot, "tests", "SarKit.Tests", "data", "surrogate", name);

    [Fact]
    public void Cli_refuses_a_corrupt_model_with_exit_2()
    {
        using var tmp = new SarKit.Tests.Cli.TempDir();
        var dir = tmp.File("m"); Directory.CreateDirectory(dir);
        File.Copy(Fixture("config.json"), Path.Combine(dir, "config.json"));
        File.WriteAllBytes(Path.Combine(dir, "model.onnx"), new byte[1000]);
        new SarKit.Surrogate.SurrogateDatasetBuilder(new SarKit.Surrogate.SurrogateDatasetOptions { Subjects = 1, ShimsPerSubject = 1, Seed = 4, GridCells = 50, CellSize = 0.01, PmlCells = 8 }).Build(tmp.File("ds"));
        var r = SarKit.Tests.Cli.CliRunner.Run("surrogate", "predict", "--b1", Path.Combine(tmp.File("ds"), "subject_00000.npz"), "--model", Path.Combine(dir, "model.onnx"), "-o", tmp.File("sar.npz"));
        Assert.True(r.ExitCode == 2, $"exit {r.ExitCode}: {r.Err}");
        Assert.Contains("model.onnx", r.Err);
        Assert.False(File.Exists(tmp.File("sar.npz")));
    }
}
