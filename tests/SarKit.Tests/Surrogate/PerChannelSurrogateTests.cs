using System.Numerics;
using SarKit.IO;
using SarKit.Surrogate;
using SarKit.Tests.Support;
using SarKit.IO.Arrays;

namespace SarKit.Tests.Surrogate;

public class PerChannelSurrogateTests
{
    private static string Dir => Path.Combine(SharedData.RepoRoot, "tests", "SarKit.Tests", "data", "surrogate", "perchannel");

    [OnnxRuntimeFact]
    public void Predicted_fields_match_pytorch_and_give_SAR_of_any_shim()
    {
        // fixture: a random 19-channel 20 × 16 input and PyTorch's output for it (tools/fixtures/make_onnx_fixture.py)
        using var io = NpzArchive.Open(Path.Combine(Dir, "io.npz"));
        var x = (float[])io.Read("input").Data; var y = (float[])io.Read("output").Data;
        int ny = 20, nx = 16, n = nx * ny;
        var mask = Enumerable.Repeat((byte)1, n).ToArray();
        // choose b = input·s0 with s0 = 3: the surrogate recomputes s from b, which must equal s0 · rms(input)
        double pow = 0; for (int q = 0; q < 16 * n; q++) pow += x[q] * (double)x[q];
        double rms = Math.Sqrt(pow / (n * 8.0)), s0 = 3;
        var b = new float[16 * n]; for (int q = 0; q < b.Length; q++) b[q] = (float)(x[q] / rms * s0);
        // whole map in the body; water/fat = fixture channels 17, 18 (the surrogate sets the mask channel 16 to 1)
        var water = x.Skip(17 * n).Take(n).ToArray(); var fat = x.Skip(18 * n).Take(n).ToArray();
        using var m = new PerChannelSurrogate(Path.Combine(Dir, "model.onnx"));
        var p = m.Predict(nx, ny, b, mask, water, fat);
        Assert.Equal(8, p.Channels);
        // reference: run the ONNX session directly on the exact tensor the surrogate builds, and check the layout and scaling
        var t = new float[19 * n];
        for (int q = 0; q < 16 * n; q++) t[q] = (float)(b[q] / s0);
        for (int c = 0; c < n; c++) { t[16 * n + c] = 1; t[17 * n + c] = water[c]; t[18 * n + c] = fat[c]; }
        using var raw = new SarKit.Surrogate.Onnx.OnnxSession(Path.Combine(Dir, "model.onnx"));
        var (r, _) = raw.Run(t, [1, 19, ny, nx]);
        for (int k = 0; k < 8; k++)
            for (int c = 0; c < n; c++)
            {
                var expect = new Complex(r[(2 * k) * n + c], r[(2 * k + 1) * n + c]) * s0;
                Assert.True((p.E[k][c] - expect).Magnitude < 1e-4 * (1 + expect.Magnitude), $"channel {k}, cell {c}");
            }
        // ORT vs torch on the fixture's own input (anatomy channels as stored)
        var (r2, _) = raw.Run(x, [1, 19, ny, nx]);
        double worst = 0; for (int q = 0; q < y.Length; q++) worst = Math.Max(worst, Math.Abs(r2[q] - y[q]));
        Assert.True(worst < 1e-5, $"{worst}");
        // SAR of a shim is |Σ w e|²
        var w = Enumerable.Range(0, 8).Select(k => Complex.FromPolarCoordinates(1, 0.7 * k)).ToArray();
        var sar = p.PointSar(w);
        Complex v = 0; for (int k = 0; k < 8; k++) v += w[k] * p.E[k][37];
        Assert.Equal(v.Magnitude * v.Magnitude, sar[37], 1e-9 * (1 + sar[37]));
        Assert.True(p.MeanB1Abs(w, mask) > 0);
        Assert.Throws<SarKitInputException>(() => p.PointSar(new Complex[3]));
    }
}
