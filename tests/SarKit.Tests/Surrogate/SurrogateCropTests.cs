using System.Numerics;
using SarKit.IO;
using SarKit.Surrogate;
using SarKit.Tests.Support;
using SarKit.IO.Arrays;

namespace SarKit.Tests.Surrogate;

/// <summary>
/// A small dataset on the shipped models' training grid (96 × 96, 5 mm): 3 subjects, 2 shims. It is built once per test
/// run (24 FDFD solves) and shared, read-only, by every class that takes this fixture (SurrogateCropTests,
/// SurrogatePerChannelPredictCliTests, SurrogatePredictionTests), which before built it once each; the folder is deleted
/// when the test process exits.
/// </summary>
public sealed class Surrogate96Fixture
{
    private static readonly Lazy<string> s_dir = new(() =>
    {
        var dir = Path.Combine(Path.GetTempPath(), "sarkit-surr96-" + Guid.NewGuid().ToString("N"));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { Directory.Delete(dir, true); } catch (IOException) { } };
        new SurrogateDatasetBuilder(new SurrogateDatasetOptions { Subjects = 3, ShimsPerSubject = 2, Seed = 11, GridCells = 96, CellSize = 0.005, PmlCells = 16 }).Build(dir);
        return dir;
    });

    public string Dir => s_dir.Value;
    public string Shard(int s) => Path.Combine(Dir, $"subject_{s:D5}.npz");
    public static string Model(string kind) => Path.Combine(SharedData.RepoRoot, "models", "surrogate", kind, "model.onnx");

    /// <summary>The arrays of a shard the predictors need.</summary>
    public sealed record Slice(int Nx, int Ny, float[] B1Channels, float[] B1Shim, byte[] Mask, float[] Water, float[] Fat, float[] Rho, float[] Phases)
    {
        public int N => Nx * Ny;
        public SurrogateInput Direct(int shim) => new(Nx, Ny, B1Shim.Skip(2 * N * shim).Take(N).ToArray(), B1Shim.Skip(2 * N * shim + N).Take(N).ToArray(), Mask, Water, Fat);

        /// <summary>Rows y0..y1 of every [.., ny, nx] map (a slice of another grid size).</summary>
        public Slice Rows(int y0, int y1)
        {
            int h = y1 - y0;
            float[] Cut(float[] a) { int maps = a.Length / N; var r = new float[maps * h * Nx]; for (int m = 0; m < maps; m++) Array.Copy(a, m * N + y0 * Nx, r, m * h * Nx, h * Nx); return r; }
            var mask = new byte[h * Nx]; Array.Copy(Mask, y0 * Nx, mask, 0, h * Nx);
            return new Slice(Nx, h, Cut(B1Channels), Cut(B1Shim), mask, Cut(Water), Cut(Fat), Cut(Rho), Phases);
        }
    }

    public static Slice Read(string shard)
    {
        using var z = NpzArchive.Open(shard);
        var m = z.Get("mask").Shape;
        float[] F(string k) => (float[])z.Read(k).Data;
        return new Slice(m[1], m[0], F("b1_channels"), F("b1_shim"), (byte[])z.Read("mask").Data, F("water"), F("fat"), F("rho"), F("phases"));
    }
}

public class SurrogateCropTests(Surrogate96Fixture data) : IClassFixture<Surrogate96Fixture>
{
    [OnnxRuntimeFact]
    public void Direct_models_on_the_training_grid_run_on_the_window_and_match_the_window_cut_out_by_hand()
    {
        foreach (var kind in new[] { "unet", "cgan" })
        {
            using var p = new SurrogatePredictor(Surrogate96Fixture.Model(kind));
            Assert.NotNull(p.Crop);
            var crop = p.Crop!;
            Assert.Equal(96, p.Grid!.Nx);
            for (int s = 0; s < 3; s++)
            {
                var full = Surrogate96Fixture.Read(data.Shard(s));
                var a = p.Predict(full.Direct(1));
                // the window as its own input (another grid size → whole input): exactly the tensor training fed
                var win = full.Rows(crop.Y0, crop.Y1);
                Assert.Equal(0, crop.X0); Assert.Equal(96, crop.X1);
                var b = p.Predict(win.Direct(1));
                Assert.Equal(a.MeanB1AbsMicroTesla, b.MeanB1AbsMicroTesla, 1e-9 * a.MeanB1AbsMicroTesla);
                for (int j = 0; j < 96; j++)
                    for (int i = 0; i < 96; i++)
                    {
                        float va = a.Sar[i + 96 * j];
                        if (j < crop.Y0 || j >= crop.Y1) { Assert.Equal(0f, va); continue; }
                        Assert.Equal(b.Sar[i + 96 * (j - crop.Y0)], va, 1e-6f * Math.Max(1f, va));
                    }
                Assert.Equal(b.PeakSar, a.PeakSar, 1e-6 * a.PeakSar);
                Assert.True(a.PeakSar > 0);
            }
        }
    }

    [OnnxRuntimeFact]
    public void Per_channel_model_on_the_training_grid_runs_on_the_window_and_matches_the_window_cut_out_by_hand()
    {
        using var m = new PerChannelSurrogate(Surrogate96Fixture.Model("perchannel"));
        var crop = m.Crop!;
        Assert.Equal(0.005, m.Grid!.CellSizeM);
        var full = Surrogate96Fixture.Read(data.Shard(2));
        var a = m.Predict(96, 96, full.B1Channels, full.Mask, full.Water, full.Fat);
        var win = full.Rows(crop.Y0, crop.Y1);
        var b = m.Predict(96, win.Ny, win.B1Channels, win.Mask, win.Water, win.Fat);
        for (int k = 0; k < 8; k++)
            for (int j = 0; j < 96; j++)
                for (int i = 0; i < 96; i++)
                {
                    var ea = a.E[k][i + 96 * j];
                    if (j < crop.Y0 || j >= crop.Y1) { Assert.Equal(Complex.Zero, ea); continue; }
                    var eb = b.E[k][i + 96 * (j - crop.Y0)];
                    Assert.True((ea - eb).Magnitude <= 1e-6 * (1 + eb.Magnitude), $"channel {k}, cell [{j}, {i}]: {ea} vs {eb}");
                }
    }

    [OnnxRuntimeFact]
    public void Body_outside_the_window_is_a_clear_error_naming_the_cell_and_the_window()
    {
        var full = Surrogate96Fixture.Read(data.Shard(0));
        using var m = new PerChannelSurrogate(Surrogate96Fixture.Model("perchannel"));
        int j = m.Crop!.Y0 - 1, i = 40;
        var mask = (byte[])full.Mask.Clone(); mask[i + 96 * j] = 1;
        var ex = Assert.Throws<SarKitInputException>(() => m.Predict(96, 96, full.B1Channels, mask, full.Water, full.Fat, "shard.npz"));
        Assert.Contains($"[{j}, {i}]", ex.Message);
        Assert.Contains(m.Crop.ToString(), ex.Message);
        Assert.Contains("shard.npz", ex.Message);
        using var p = new SurrogatePredictor(Surrogate96Fixture.Model("unet"));
        var x = full.Direct(0) with { Mask = mask };
        var ex2 = Assert.Throws<SarKitInputException>(() => p.Predict(x, "shard.npz"));
        Assert.Contains($"[{j}, {i}]", ex2.Message);
        Assert.Contains(p.Crop!.ToString(), ex2.Message);
    }

    [OnnxRuntimeFact]
    public void Config_without_crop_runs_on_the_whole_input()
    {
        using var tmp = new IO.IoFixtures.TempDir();
        var src = Path.GetDirectoryName(Surrogate96Fixture.Model("perchannel"))!;
        File.Copy(Path.Combine(src, "model.onnx"), tmp.File("model.onnx"));
        var cfg = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(src, "config.json")))!.AsObject();
        cfg.Remove("crop");
        File.WriteAllText(tmp.File("config.json"), cfg.ToJsonString());
        using var m = new PerChannelSurrogate(tmp.File("model.onnx"));
        Assert.Null(m.Crop);
        var full = Surrogate96Fixture.Read(data.Shard(0));
        int j = 3, i = 3;
        var mask = (byte[])full.Mask.Clone(); mask[i + 96 * j] = 1;  // a cell far outside the old window is accepted
        var p = m.Predict(96, 96, full.B1Channels, mask, full.Water, full.Fat);
        Assert.NotEqual(Complex.Zero, p.E[0][i + 96 * j]);
    }

    [OnnxRuntimeFact]
    public void Scaling_the_B1_input_by_alpha_scales_e_by_alpha_and_SAR_by_alpha_squared()
    {
        // both models normalise the input (per-channel: by s = rms |b_n|; direct: by <|B1+|>), so the network input is
        // unchanged by B1 → αB1 and the de-normalisation gives e → αe, SAR → α²SAR (W/kg per unit drive scales with B1 per unit drive).
        var full = Surrogate96Fixture.Read(data.Shard(1));
        const float alpha = 2.5f;
        using var m = new PerChannelSurrogate(Surrogate96Fixture.Model("perchannel"));
        var a = m.Predict(96, 96, full.B1Channels, full.Mask, full.Water, full.Fat);
        var b = m.Predict(96, 96, full.B1Channels.Select(v => v * alpha).ToArray(), full.Mask, full.Water, full.Fat);
        var w = Enumerable.Range(0, 8).Select(k => Complex.FromPolarCoordinates(1, full.Phases[8 + k])).ToArray();
        var sa = a.PointSar(w); var sb = b.PointSar(w);
        // float32 network: the normalised inputs differ by rounding (~1e-7), so allow 1e-4 relative plus 1e-5 of the map's maximum
        double eMax = alpha * a.E[3].Max(v => v.Magnitude), sMax = alpha * alpha * sa.Max();
        for (int c = 0; c < sa.Length; c++)
        {
            double de = (b.E[3][c] - alpha * a.E[3][c]).Magnitude;
            Assert.True(de <= 1e-4 * alpha * a.E[3][c].Magnitude + 1e-5 * eMax, $"cell {c}: |Δe| {de:E3} for |αe| {alpha * a.E[3][c].Magnitude:E3}, max {eMax:E3}");
            Assert.Equal(alpha * alpha * sa[c], sb[c], 1e-4 * alpha * alpha * sa[c] + 1e-5 * sMax);
        }
        using var p = new SurrogatePredictor(Surrogate96Fixture.Model("unet"));
        var x = full.Direct(0);
        var pa = p.Predict(x);
        var pb = p.Predict(x with { B1Re = x.B1Re.Select(v => v * alpha).ToArray(), B1Im = x.B1Im.Select(v => v * alpha).ToArray() });
        Assert.Equal(alpha * alpha * pa.PeakSar, pb.PeakSar, 1e-5 * alpha * alpha * pa.PeakSar);
        for (int c = 0; c < pa.NormalisedSar.Length; c++) Assert.Equal(pa.NormalisedSar[c], pb.NormalisedSar[c], 1e-5f * Math.Max(1e-6f, pa.NormalisedSar[c]));
    }
}
