using System.Numerics;
using System.Text.Json;
using System.Xml.Linq;
using SarKit.Compression;
using SarKit.Fields;
using SarKit.IO;
using SarKit.Sar;
using SarKit.Tests.Supervision;
using SarKit.IO.Formats;

namespace SarKit.Tests.Cli;

public class SeqCliTests
{
    private const double G = SarKit.Supervision.DriveCalibration.Gamma1H;
    private static string Data(string name) => Path.Combine(Support.SharedData.RepoRoot, "tests", "SarKit.Tests", "data", "supervision", name);

    /// <summary>1-channel sequence: 1 ms rect of 500 Hz every 10 ms (1.4.2).</summary>
    internal static string WriteSeq(TempDir dir)
    {
        var w = new SeqTextWriter(4);
        int rf = w.Rf(Enumerable.Repeat(new Complex(500, 0), 1000).ToArray(), true);
        w.Block(0.002, rf); w.Block(0.008);
        var path = dir.File("rect.seq");
        File.WriteAllText(path, w.Text());
        return path;
    }

    private static string WriteVops(TempDir dir, int n, double[] vops, bool certified)
    {
        var set = SupervisionMatrices.Certified(n, vops, vops);
        if (!certified) set.Certificate = null;
        var path = dir.File(certified ? "vops.h5" : "uncertified.h5");
        VopSetFile.Write(set, path);
        return path;
    }

    [Fact]
    public void SeqCheckWritesAPngTimelinePlot()
    {
        using var dir = new TempDir();
        var seq = WriteSeq(dir);
        var vops = WriteVops(dir, 1, [0.5, 0.8], certified: true);
        var png = dir.File("tl.png");
        var r = CliRunner.Run("seq", "check", seq, "--vops", vops, "--calibration", "4 V/uT", "--json", "--plot", png, "--timeline-points", "50");
        Assert.True(r.ExitCode is 0 or 3, r.Err);
        var d = SarKit.Tests.Plotting.PngCheck.Decode(File.ReadAllBytes(png));
        Assert.Equal(900, d.Width); Assert.Equal(480, d.Height);
        // two local_head windows (10 s, 360 s): curves and dashed limit lines in palette colours 0 and 1
        foreach (var hex in SarKit.Plotting.Chart.Palette[..2])
        {
            int count = d.Count(SarKit.Tests.Plotting.PngCheck.Hex(hex), 12);
            Assert.True(count > 300, $"colour {hex}: {count} pixels");
        }
        var bad = CliRunner.Run("seq", "check", seq, "--vops", vops, "--calibration", "4 V/uT", "--plot", dir.File("tl.gif"));
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains(".png", bad.Err);
    }

    [Fact]
    public void SeqCheckWithCertifiedVopsGivesClosedFormSarAndAnswers()
    {
        using var dir = new TempDir();
        var seq = WriteSeq(dir);
        var vops = WriteVops(dir, 1, [0.5, 0.8], certified: true); // two 1×1 VOPs, W/kg per V²
        var tl = dir.File("tl.csv"); var svg = dir.File("tl.svg");
        var r = CliRunner.Run("seq", "check", seq, "--vops", vops, "--calibration", "4 V/uT", "--json", "--timeline", tl, "--plot", svg, "--timeline-points", "50");
        Assert.True(r.ExitCode is 0 or 3, r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        // energy per period: 500² Hz² · 1 ms → B1² = (500/γ·1e6)² µT² → V² ×16; SAR = 0.8 × that / 10 ms
        double expected = 0.8 * 16 * Math.Pow(500 / G * 1e6, 2) * 1e-3 / 0.01;
        var lim = doc.RootElement.GetProperty("limits").EnumerateArray().Where(l => l.GetProperty("metric").GetString() == "local_head").ToArray();
        Assert.Equal(2, lim.Length);
        foreach (var l in lim)
        {
            // reported = segment model (exact here) + edge-error bound B ≥ 0
            double bound = l.GetProperty("edge_error_bound_w_per_kg").GetDouble();
            Assert.True(bound > 0);
            Assert.Equal(1.0, (l.GetProperty("sar_w_per_kg").GetDouble() - bound) / expected, 9);
        }
        Assert.Equal(1, lim[0].GetProperty("matrix_index").GetInt32());
        double scale = doc.RootElement.GetProperty("max_scale_factor").GetDouble();
        var binding = doc.RootElement.GetProperty("binding");
        double reported = binding.GetProperty("sar_w_per_kg").GetDouble();
        Assert.Equal(1.0, reported / (expected + binding.GetProperty("edge_error_bound_w_per_kg").GetDouble()), 12);
        Assert.Equal(Math.Sqrt(10 / reported), scale, 9); // the scale factor uses the bound-augmented SAR
        Assert.Equal(reported <= 10 ? 0 : 3, r.ExitCode);
        Assert.True(File.ReadAllLines(tl).Length > 50);
        var x = XDocument.Load(svg);
        Assert.Equal("svg", x.Root!.Name.LocalName);
        // whole-body/head limits were not evaluated (no --global): reported, not failed
        Assert.Contains(doc.RootElement.GetProperty("limits").EnumerateArray(), l => l.GetProperty("metric").GetString() == "whole_body" && !l.GetProperty("evaluated").GetBoolean());
    }

    [Fact]
    public void ExceedingSequenceReportsShortestRepetitionAndExit3()
    {
        using var dir = new TempDir();
        var seq = WriteSeq(dir);
        var r = CliRunner.Run("seq", "check", seq, "--b1-sar", "local=10", "--json");
        Assert.Equal(3, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        double sar = Math.Pow(500 / G * 1e6, 2) * 10 * 1e-3 / 0.01;
        Assert.False(doc.RootElement.GetProperty("passed").GetBoolean());
        double tr = doc.RootElement.GetProperty("shortest_repetition_s").GetDouble();
        // the mean over a period falls to the 6-min limit (10 W/kg) at TR = 0.01·sar/10; a window holds at most one pulse more than
        // the mean, so the exact shortest TR lies between that and the TR where (360/TR + 1) pulses fit the limit
        double naive = 0.01 * sar / 10;
        Assert.InRange(tr, naive, naive * (1 + naive / 360 * 1.01));
    }

    [Fact]
    public void ShortestTrPerRepetitionBlocksMatchesTheOneTrFile()
    {
        using var dir = new TempDir();
        var one = WriteSeq(dir);
        var w = new SeqTextWriter(4);
        int rf = w.Rf(Enumerable.Repeat(new Complex(500, 0), 1000).ToArray(), true);
        for (int k = 0; k < 5; k++) { w.Block(0.002, rf); w.Block(0.008); }
        var five = dir.File("five.seq");
        File.WriteAllText(five, w.Text());
        double Tr(params string[] extra)
        {
            var r = CliRunner.Run(["seq", "check", .. extra, "--b1-sar", "local=10", "--json"]);
            Assert.Equal(3, r.ExitCode);
            using var doc = JsonDocument.Parse(r.Out);
            return doc.RootElement.GetProperty("shortest_repetition_s").GetDouble();
        }
        double a = Tr(one), b = Tr(five, "--repetition-blocks", "2");
        Assert.Equal(a, b, 5);
    }

    [Fact]
    public void UncertifiedVopSetIsRefusedWithExit2()
    {
        using var dir = new TempDir();
        var seq = WriteSeq(dir);
        var vops = WriteVops(dir, 1, [0.5], certified: false);
        var r = CliRunner.Run("seq", "check", seq, "--vops", vops, "--calibration", "4 V/uT");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("uncertified", r.Err);
        Assert.Contains("no certificate", r.Err);
    }

    [Fact]
    public void PulseCheckOfNpzWaveformAgainstVopsAndGlobalQ()
    {
        using var dir = new TempDir();
        var q = SupervisionMatrices.RandomPsd(3, 4, 5, 0.05);
        var vops = WriteVops(dir, 3, q, certified: true);
        var global = dir.File("global.h5");
        GlobalQFile.Write(global, 3, FieldNormalisation.PerVoltIncident,
            [new RegionMatrix("whole_body", SupervisionMatrices.RandomPsd(3, 1, 6, 0.001), 70), new RegionMatrix("head", SupervisionMatrices.RandomPsd(3, 1, 7, 0.01), 5),
             new RegionMatrix("exposed", SupervisionMatrices.RandomPsd(3, 1, 8, 0.002), 35)]);
        var r = CliRunner.Run("pulse", "check", Data("ptx3_waveform.npz"), "--vops", vops, "--global", global, "--json", "--mode", "first");
        Assert.True(r.ExitCode is 0 or 3, r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        Assert.Equal(0.5, doc.RootElement.GetProperty("exposed_mass_ratio").GetDouble(), 12);
        var pb = doc.RootElement.GetProperty("limits").EnumerateArray().First(l => l.GetProperty("metric").GetString() == "partial_body" && l.GetProperty("window_s").GetDouble() == 360);
        Assert.Equal(7.0, pb.GetProperty("limit_w_per_kg").GetDouble(), 12); // First Level 10 − 6R, R = 0.5
        Assert.True(pb.GetProperty("evaluated").GetBoolean());
        Assert.Equal(0.01, doc.RootElement.GetProperty("period_s").GetDouble());
        // a B1 waveform unit with V/uT matrices but no calibration is bad input
        Assert.Equal(2, CliRunner.Run("pulse", "check", Data("no_unit.npz"), "--vops", vops).ExitCode);
    }

    [Fact]
    public void PulseCheckWithTheFullQSetEqualsTheDirectMaximum()
    {
        using var dir = new TempDir();
        var t = Support.TestPhantoms.Ellipsoid(10, 9, 12, 0.006, seed: 2);
        var e = Support.TestPhantoms.RandomFields(t.Grid, 3, seed: 3);
        var set = SarKit.Averaging.AveragedQMatrixSet.Compute(new SarDataset(t, e), SarKit.Averaging.AveragingCubeSet.Build(t));
        var qPath = dir.File("q.h5");
        QMatrixSetFile.Write(set, qPath);
        var q = QMatrixSetFile.Read(qPath);
        var r = CliRunner.Run("pulse", "check", Data("ptx3_waveform.npz"), "--q", qPath, "--json", "--no-delay-search");
        Assert.True(r.ExitCode is 0 or 3, r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        // every 360 s window holds exactly 36 000 periods of 10 ms: SAR = max_j tr(Q_j R) / 10 ms
        var w = SarKit.IO.Formats.WaveformFile.Read(Data("ptx3_waveform.npz")).Template("V", null, 1).TotalWeights();
        double direct = Enumerable.Range(0, q.Count).Max(j => System.Numerics.Tensors.TensorPrimitives.Dot(q.Matrix(j), w)) / 0.01;
        var l = doc.RootElement.GetProperty("limits").EnumerateArray().First(x => x.GetProperty("metric").GetString() == "local_head" && x.GetProperty("window_s").GetDouble() == 360);
        double b = l.GetProperty("edge_error_bound_w_per_kg").GetDouble();
        Assert.True(b >= 0);
        Assert.Equal(1.0, (l.GetProperty("sar_w_per_kg").GetDouble() - b) / direct, 9);
        Assert.StartsWith("all Q-matrices", l.GetProperty("matrices").GetString());
    }

    [Support.SharedDataFact("pulseq/pypulseq_simple_mprage150.seq")]
    public void SeqInfoOfAReferenceFile()
    {
        var r = CliRunner.Run("seq", "info", Support.SharedData.Reference("pulseq/pypulseq_simple_mprage150.seq")!, "--json");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        Assert.Equal("1.5.0", doc.RootElement.GetProperty("version").GetString());
        Assert.True(doc.RootElement.GetProperty("rf_energy_hz2_s").GetDouble() > 0);
        Assert.Equal(2, CliRunner.Run("seq", "info", Support.SharedData.Reference("pulseq/pypulseq_simple_mprage120.seq")!).ExitCode); // version 1.2 refused
    }
}
