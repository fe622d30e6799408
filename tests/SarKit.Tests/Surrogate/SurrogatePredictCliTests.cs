using System.Text.Json;
using SarKit.IO;
using SarKit.Surrogate;
using SarKit.Tests.Cli;
using SarKit.Tests.Support;
using SarKit.IO.Arrays;

namespace SarKit.Tests.Surrogate;

public class SurrogatePredictCliTests
{
    private static string Model => Path.Combine(SharedData.RepoRoot, "tests", "SarKit.Tests", "data", "surrogate", "tiny_unet.onnx");

    private static string Shard(TempDir tmp)
    {
        var dir = tmp.File("ds");
        new SurrogateDatasetBuilder(new SurrogateDatasetOptions { Subjects = 1, ShimsPerSubject = 2, Seed = 4, GridCells = 50, CellSize = 0.01, PmlCells = 8 }).Build(dir);
        return Path.Combine(dir, "subject_00000.npz");
    }

    [OnnxRuntimeFact]
    public void Predicts_a_SAR_map_from_a_dataset_shard_and_from_a_plain_b1_file()
    {
        using var tmp = new TempDir();
        var shard = Shard(tmp);
        var r = CliRunner.Run("surrogate", "predict", "--b1", shard, "--model", Model, "--shim", "1", "-o", tmp.File("sar.npz"), "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        var j = JsonDocument.Parse(r.Out).RootElement;
        Assert.Equal(1.25, j.GetProperty("safety_factor").GetDouble());
        double peak = j.GetProperty("peak_sar_w_per_kg").GetDouble(), mean = j.GetProperty("mean_b1_abs_ut").GetDouble();
        Assert.Equal(peak * 1.25, j.GetProperty("conservative_peak_sar_w_per_kg").GetDouble(), 9);
        Assert.True(j.GetProperty("reference_peak_sar_w_per_kg").GetDouble() > 0);
        using var z = NpzArchive.Open(shard);
        Assert.Equal(((float[])z.Read("b1_mean_abs").Data)[1], mean, 4);
        var mask = (byte[])z.Read("mask").Data;
        using var o = NpzArchive.Open(tmp.File("sar.npz"));
        var sar = (float[])o.Read("sar").Data; var norm = (float[])o.Read("sar_normalised").Data;
        for (int c = 0; c < sar.Length; c++)
        {
            if (mask[c] == 0) Assert.Equal(0f, sar[c]);
            Assert.Equal(norm[c] * mean * mean, sar[c], 1e-4 * Math.Max(1, sar[c]));
        }
        Assert.Equal(peak, sar.Max(), 1e-5 * peak);

        // the same slice as a plain file: b1 [2, ny, nx], mask, water, fat
        var b1 = (float[])z.Read("b1_shim").Data;
        int n = 50 * 50;
        var plain = tmp.File("b1.npz");
        NpzArchive.Write(plain, new Dictionary<string, NdArray>
        {
            ["b1"] = new(NdType.Float32, [2, 50, 50], b1.Skip(2 * n).Take(2 * n).ToArray()),
            ["mask"] = z.Read("mask"), ["water"] = z.Read("water"), ["fat"] = z.Read("fat"),
        });
        var r2 = CliRunner.Run("surrogate", "predict", "--b1", plain, "--model", Model, "--json");
        Assert.True(r2.ExitCode == 0, r2.Err);
        Assert.Equal(peak, JsonDocument.Parse(r2.Out).RootElement.GetProperty("peak_sar_w_per_kg").GetDouble(), 1e-6 * peak);

        // and as HDF5 (the issue's `--b1 B1.h5`): complex128 b1 [ny, nx] (compound {r, i}), float64 images, in a group
        var h5 = tmp.File("b1.h5");
        var cplx = new double[2 * n];
        for (int c = 0; c < n; c++) { cplx[2 * c] = b1[2 * n + c]; cplx[2 * c + 1] = b1[3 * n + c]; }
        using (var f = SarKit.IO.Hdf5.Hdf5File.Create(h5))
        {
            f.WriteDataset("b1", new NdArray(NdType.Complex128, [50, 50], cplx));
            f.WriteDataset("mask", new NdArray(NdType.Float64, [50, 50], mask.Select(v => (double)v).ToArray()));
            f.WriteDataset("water", new NdArray(NdType.Float64, [50, 50], z.Read("water").ToDouble()));
            f.WriteDataset("fat", new NdArray(NdType.Float64, [50, 50], z.Read("fat").ToDouble()));
        }
        var r3 = CliRunner.Run("surrogate", "predict", "--b1", h5, "--model", Model, "--json");
        Assert.True(r3.ExitCode == 0, r3.Err);
        Assert.Equal(peak, JsonDocument.Parse(r3.Out).RootElement.GetProperty("peak_sar_w_per_kg").GetDouble(), 1e-6 * peak);
        using (var f = SarKit.IO.Hdf5.Hdf5File.Create(tmp.File("nomask.h5")))
            f.WriteDataset("b1", new NdArray(NdType.Complex128, [50, 50], cplx));
        var r4 = CliRunner.Run("surrogate", "predict", "--b1", tmp.File("nomask.h5"), "--model", Model);
        Assert.Equal(2, r4.ExitCode);
        Assert.Contains("no array 'mask'", r4.Err);
        Assert.Contains("nomask.h5", r4.Err);
    }

    [OnnxRuntimeFact]
    public void Bad_b1_input_is_exit_2_naming_the_problem()
    {
        using var tmp = new TempDir();
        int n = 20 * 20;
        var mask = Enumerable.Repeat((byte)1, n).ToArray();
        var b1 = Enumerable.Repeat(1f, 2 * n).ToArray();
        b1[5] = float.NaN;
        var f = tmp.File("nan.npz");
        NpzArchive.Write(f, new Dictionary<string, NdArray>
        {
            ["b1"] = new(NdType.Float32, [2, 20, 20], b1), ["mask"] = new(NdType.UInt8, [20, 20], mask),
            ["water"] = new(NdType.Float32, [20, 20], new float[n]), ["fat"] = new(NdType.Float32, [20, 20], new float[n]),
        });
        var r = CliRunner.Run("surrogate", "predict", "--b1", f, "--model", Model);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("[0, 5]", r.Err);
        var g = tmp.File("shape.npz");
        NpzArchive.Write(g, new Dictionary<string, NdArray> { ["b1"] = new(NdType.Float32, [2, 10, 40], new float[2 * n]), ["mask"] = new(NdType.UInt8, [20, 20], mask) });
        var r2 = CliRunner.Run("surrogate", "predict", "--b1", g, "--model", Model);
        Assert.Equal(2, r2.ExitCode);
        Assert.Contains("'b1' has shape [2, 10, 40]", r2.Err);
        var h = tmp.File("noanat.npz");
        NpzArchive.Write(h, new Dictionary<string, NdArray> { ["b1"] = new(NdType.Float32, [2, 20, 20], new float[2 * n]), ["mask"] = new(NdType.UInt8, [20, 20], mask) });
        var r3 = CliRunner.Run("surrogate", "predict", "--b1", h, "--model", Model);
        Assert.Equal(2, r3.ExitCode);
        Assert.Contains("'water' and 'fat' are required", r3.Err);
    }
}
