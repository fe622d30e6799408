using System.Diagnostics;
using SarKit.IO;
using SarKit.Surrogate.Onnx;
using SarKit.Tests.Support;
using Xunit.Abstractions;
using SarKit.IO.Arrays;

namespace SarKit.Tests.Surrogate;

/// <summary>A fact that needs the ONNX Runtime native library (scripts/setup-onnxruntime.sh); skipped with the reason otherwise.</summary>
public sealed class OnnxRuntimeFactAttribute : FactAttribute
{
    public OnnxRuntimeFactAttribute()
    {
        if (!OnnxRuntime.IsAvailable()) Skip = "The ONNX Runtime library is not installed: run scripts/setup-onnxruntime.sh (or set SARKIT_ONNXRUNTIME).";
    }
}

/// <summary>A theory that needs the ONNX Runtime native library; skipped with the reason otherwise.</summary>
public sealed class OnnxRuntimeTheoryAttribute : TheoryAttribute
{
    public OnnxRuntimeTheoryAttribute()
    {
        if (!OnnxRuntime.IsAvailable()) Skip = "The ONNX Runtime library is not installed: run scripts/setup-onnxruntime.sh (or set SARKIT_ONNXRUNTIME).";
    }
}

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
        output.WriteLine($"ONNX Runtime {OnnxRuntime.Load().Version} from {OnnxRuntime.Load().LibraryPath}; run {sw.Elapsed.TotalMilliseconds:F1} ms");
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
}
