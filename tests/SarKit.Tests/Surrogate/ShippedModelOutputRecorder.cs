using SarKit.IO;
using SarKit.IO.Arrays;
using SarKit.Surrogate;
using SarKit.Surrogate.Onnx;
using SarKit.Tests.Cli;
using SarKit.Tests.Support;

namespace SarKit.Tests.Surrogate;

/// <summary>
/// Records the shipped models' outputs on fixed inputs (tests/SarKit.Tests/data/surrogate/shipped_models_io.npz) with
/// the ONNX Runtime binding of the moment. Runs only with SARKIT_RECORD_ONNX_IO=1.
/// </summary>
public class ShippedModelOutputRecorder
{
    [Fact]
    public void Record()
    {
        if (Environment.GetEnvironmentVariable("SARKIT_RECORD_ONNX_IO") != "1") return;
        using var tmp = new TempDir();
        new SurrogateDatasetBuilder(new SurrogateDatasetOptions { Subjects = 1, ShimsPerSubject = 1, Seed = 170017, GridCells = 96, CellSize = 0.005, PmlCells = 16, ValidationFraction = 0, TestFraction = 0 }).Build(tmp.Path);
        var s = Surrogate96Fixture.Read(Path.Combine(tmp.Path, "subject_00000.npz"));
        const int N = 48; int n96 = s.N;
        // every other cell of the 96 × 96 slice: the whole body with its edges in 48 × 48
        float Dec(float[] a, int map, int j, int i) => a[map * n96 + 2 * i + 96 * 2 * j];
        bool In(int j, int i) => s.Mask[2 * i + 96 * 2 * j] == 1;
        double sum = 0, pow = 0; int body = 0;
        for (int j = 0; j < N; j++) for (int i = 0; i < N; i++)
        {
            if (!In(j, i)) continue;
            body++;
            sum += Math.Sqrt(Math.Pow(Dec(s.B1Shim, 0, j, i), 2) + Math.Pow(Dec(s.B1Shim, 1, j, i), 2));
            for (int q = 0; q < 16; q++) pow += Math.Pow(Dec(s.B1Channels, q, j, i), 2);
        }
        double mean = sum / body, sc = Math.Sqrt(pow / (body * 8.0));
        var direct = new float[5 * N * N]; var per = new float[19 * N * N];
        for (int j = 0; j < N; j++) for (int i = 0; i < N; i++)
        {
            if (!In(j, i)) continue;
            int p = i + N * j;
            direct[p] = (float)(Dec(s.B1Shim, 0, j, i) / mean); direct[N * N + p] = (float)(Dec(s.B1Shim, 1, j, i) / mean);
            direct[2 * N * N + p] = 1; direct[3 * N * N + p] = Dec(s.Water, 0, j, i); direct[4 * N * N + p] = Dec(s.Fat, 0, j, i);
            for (int q = 0; q < 16; q++) per[q * N * N + p] = (float)(Dec(s.B1Channels, q, j, i) / sc);
            per[16 * N * N + p] = 1; per[17 * N * N + p] = Dec(s.Water, 0, j, i); per[18 * N * N + p] = Dec(s.Fat, 0, j, i);
        }
        var path = Path.Combine(SharedData.RepoRoot, "tests", "SarKit.Tests", "data", "surrogate", "shipped_models_io.npz");
        using var w = NpzWriter.Create(path);
        w.Add("direct_input", new NdArray(NdType.Float32, [1, 5, N, N], direct));
        w.Add("perchannel_input", new NdArray(NdType.Float32, [1, 19, N, N], per));
        foreach (var (kind, input, c) in new[] { ("unet", direct, 5), ("cgan", direct, 5), ("perchannel", per, 19) })
        {
            using var session = new OnnxSession(Surrogate96Fixture.Model(kind));
            var (y, shape) = session.Run(input, [1, c, N, N]);
            w.Add(kind + "_output", new NdArray(NdType.Float32, shape.Select(d => (int)d).ToArray(), y));
        }
        w.AddText("provenance", $"phantom seed 170017 (96 x 96, h = 5 mm) decimated 2:1; outputs of models/surrogate/*/model.onnx by ONNX Runtime {OnnxRuntime.Load().Version} through SarKit's C-API binding");
        w.Commit();
    }
}
