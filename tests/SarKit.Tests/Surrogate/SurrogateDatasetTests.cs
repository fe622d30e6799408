using System.Text.Json;
using SarKit.IO;
using SarKit.Surrogate;
using SarKit.Tests.Cli;
using SarKit.IO.Arrays;

namespace SarKit.Tests.Surrogate;

public class SurrogateDatasetTests
{
    private static SurrogateDatasetOptions Small(int seed = 5) => new()
    {
        Subjects = 3, ShimsPerSubject = 3, Seed = seed, GridCells = 50, CellSize = 0.01, PmlCells = 8, ValidationFraction = 0.34, TestFraction = 0.34,
    };

    [Fact]
    public void Shards_are_consistent_SAR_is_quadratic_in_the_shim_and_the_split_is_by_subject()
    {
        using var tmp = new TempDir();
        var m = new SurrogateDatasetBuilder(Small()).Build(tmp.Path);
        Assert.Equal(3, m.Subjects.Count);
        Assert.Equal(new[] { "test", "train", "val" }, m.Subjects.Select(s => s.Split).OrderBy(s => s).ToArray());
        using var z = NpzArchive.Open(Path.Combine(tmp.Path, m.Subjects[0].File));
        foreach (var (name, spec) in m.Arrays) Assert.Equal(spec.Shape, z.Get(name).Shape);
        var sar = (float[])z.Read("sar").Data; var e = (float[])z.Read("e_channels").Data; var ph = (float[])z.Read("phases").Data;
        var norm = (float[])z.Read("b1_mean_abs").Data; var mask = (byte[])z.Read("mask").Data;
        var b1 = (float[])z.Read("b1_shim").Data;
        int n = 50 * 50;
        double worst = 0, peak = sar.Max();
        for (int s = 0; s < 3; s++)
        {
            Assert.Equal(0f, ph[s * 8]);
            double sumAbs = 0; int body = 0;
            for (int c = 0; c < n; c++)
            {
                double re = 0, im = 0;
                for (int k = 0; k < 8; k++)
                {
                    double cr = Math.Cos(ph[s * 8 + k]), ci = Math.Sin(ph[s * 8 + k]);
                    double er = e[(k * 2) * n + c], ei = e[(k * 2 + 1) * n + c];
                    re += cr * er - ci * ei; im += cr * ei + ci * er;
                }
                double expect = (re * re + im * im) / (norm[s] * (double)norm[s]);
                worst = Math.Max(worst, Math.Abs(expect - sar[s * n + c]));
                if (mask[c] == 1) { sumAbs += Math.Sqrt(b1[(s * 2) * n + c] * (double)b1[(s * 2) * n + c] + b1[(s * 2 + 1) * n + c] * (double)b1[(s * 2 + 1) * n + c]); body++; }
                else Assert.Equal(0f, sar[s * n + c]);
            }
            Assert.Equal(norm[s], sumAbs / body, 4);
        }
        Assert.True(worst < 1e-5 * peak, $"{worst} vs peak {peak}");
        var s10 = (float[])z.Read("sar10g").Data;
        Assert.True(s10.Max() < sar.Max());
        // channel-1 phase removed: b1_channels[0] is real and non-negative
        var bc = (float[])z.Read("b1_channels").Data;
        for (int c = 0; c < n; c++) { Assert.True(Math.Abs(bc[n + c]) <= 1e-4 * Math.Abs(bc[c]) + 1e-12); Assert.True(bc[c] >= 0); }
        var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(tmp.Path, "manifest.json")));
        Assert.Equal("sarkit-surrogate-dataset", json.RootElement.GetProperty("format").GetString());
    }

    [Fact]
    public void Same_seed_gives_identical_arrays_with_one_or_two_threads()
    {
        using var a = new TempDir(); using var b = new TempDir();
        var o = Small() with { Subjects = 2, ShimsPerSubject = 2 };
        var ma = new SurrogateDatasetBuilder(o).Build(a.Path); var mb = new SurrogateDatasetBuilder(o with { Threads = 2 }).Build(b.Path);
        Assert.Equal(ma.Subjects.Select(s => (s.Seed, s.Split, s.PeakSar10gMedian)), mb.Subjects.Select(s => (s.Seed, s.Split, s.PeakSar10gMedian)));
        foreach (var f in new[] { "subject_00000.npz", "subject_00001.npz" })
        {
            using var za = NpzArchive.Open(Path.Combine(a.Path, f)); using var zb = NpzArchive.Open(Path.Combine(b.Path, f));
            foreach (var name in za.Names) Assert.Equal(za.Read(name).Data, zb.Read(name).Data);
        }
    }

    [Fact]
    public void Cli_writes_the_dataset_and_rejects_bad_input()
    {
        using var tmp = new TempDir();
        var dir = tmp.File("ds");
        var r = CliRunner.Run("surrogate", "dataset", "--subjects", "1", "--shims", "2", "--seed", "3", "--size", "50", "--cell-size", "10mm", "-o", dir, "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.True(File.Exists(Path.Combine(dir, "manifest.json")));
        Assert.True(File.Exists(Path.Combine(dir, "subject_00000.npz")));
        var bad = CliRunner.Run("surrogate", "dataset", "--subjects", "0", "--shims", "2", "-o", tmp.File("x"));
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--subjects 0", bad.Err);
        var small = CliRunner.Run("surrogate", "dataset", "--subjects", "1", "--shims", "1", "--size", "30", "--cell-size", "5mm", "-o", tmp.File("y"));
        Assert.Equal(2, small.ExitCode);
        Assert.Contains("outside the 30 × 30 grid", small.Err);
    }
}
