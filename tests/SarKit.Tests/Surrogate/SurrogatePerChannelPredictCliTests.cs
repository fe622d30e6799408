using System.Numerics;
using System.Text.Json;
using SarKit.Compression;
using SarKit.IO;
using SarKit.Supervision;
using SarKit.Surrogate;
using SarKit.Tests.Cli;
using SarKit.IO.Arrays;
using SarKit.IO.Formats;

namespace SarKit.Tests.Surrogate;

public class SurrogatePerChannelPredictCliTests(Surrogate96Fixture data) : IClassFixture<Surrogate96Fixture>
{
    private static string Model => Surrogate96Fixture.Model("perchannel");

    [OnnxRuntimeFact]
    public void Per_channel_predict_writes_fields_and_SAR_maps_and_a_certified_VOP_set_that_bounds_SF_times_the_10g_peak()
    {
        using var tmp = new TempDir();
        var shard = data.Shard(0);
        var r = CliRunner.Run("surrogate", "predict", "--b1", shard, "--model", Model, "--shim", "1", "-o", tmp.File("p.npz"),
            "--vops-out", tmp.File("v.h5"), "--margin", "0.05", "--drives", "2000", "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        var j = JsonDocument.Parse(r.Out).RootElement;
        double sf = j.GetProperty("safety_factor").GetDouble(), peak10 = j.GetProperty("peak_sar10g_w_per_kg").GetDouble();
        using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Path.GetDirectoryName(Model)!, "config.json"))))
            Assert.Equal(doc.RootElement.GetProperty("safety_factor").GetDouble(), sf);
        Assert.Equal(peak10 * sf, j.GetProperty("conservative_peak_sar10g_w_per_kg").GetDouble(), 1e-9 * peak10 * sf);
        Assert.True(j.GetProperty("reference_peak_sar10g_w_per_kg").GetDouble() > 0);

        var slice = Surrogate96Fixture.Read(shard);
        using var o = NpzArchive.Open(tmp.File("p.npz"));
        Assert.Equal([8, 2, 96, 96], o.Get("e_channels").Shape);
        var e = (float[])o.Read("e_channels").Data;
        var sar = (float[])o.Read("sar").Data; var sar10 = (float[])o.Read("sar10g").Data;
        var phases = (double[])o.Read("phases").Data;
        for (int k = 0; k < 8; k++) Assert.Equal(slice.Phases[8 + k], phases[k], 1e-7);
        var w = phases.Select(ph => Complex.FromPolarCoordinates(1, ph)).ToArray();
        int n = 96 * 96;
        // the point SAR map is |Σ w_n e_n|² of the written fields, and its 2D 10 g average is the written 10 g map
        var point = new double[n];
        for (int c = 0; c < n; c++)
        {
            Complex v = 0; for (int k = 0; k < 8; k++) v += w[k] * new Complex(e[2 * k * n + c], e[(2 * k + 1) * n + c]);
            point[c] = v.Real * v.Real + v.Imaginary * v.Imaginary;
            Assert.Equal(point[c], sar[c], 1e-4 * Math.Max(1e-6, point[c]));
            if (slice.Mask[c] == 0) Assert.Equal(0f, sar[c]);
        }
        var avg = new SquareMassAverage2D(96, 96, 0.005, slice.Rho.Select(v => (double)v).ToArray());
        var expect10 = new double[n]; avg.Average(point, expect10);
        for (int c = 0; c < n; c++) Assert.Equal(expect10[c], sar10[c], 1e-4 * Math.Max(1e-6, expect10[c]));
        Assert.Equal(sar10.Max(), peak10, 1e-6 * peak10);

        // VOP file: certified (what `sarkit seq check --vops --accept-surrogate-vops` requires; refused without the flag),
        // a drive unit, and it dominates SF × the 10 g peak
        var set = VopSetFile.Read(tmp.File("v.h5"));
        Assert.True(set.HasValidCertificate(out var why), why);
        Assert.Equal(Fields.FieldNormalisation.PerAmpere, set.Normalisation);
        Assert.Throws<SarKitInputException>(() => SupervisionMatrixSets.FromVops(set, SarMetric.LocalTrunk, tmp.File("v.h5")));
        SupervisionMatrixSets.FromVops(set, SarMetric.LocalTrunk, tmp.File("v.h5"), acceptNotTrueSar: true);
        var vj = j.GetProperty("vops");
        Assert.Equal(set.Count, vj.GetProperty("count").GetInt32());
        Assert.Equal(slice.Rho.Count(v => v > 0), vj.GetProperty("q_matrices").GetInt32());
        var (vopSar, _) = set.PeakSar(w);
        Assert.True(vopSar >= sf * peak10 * (1 - 1e-6), $"VOP bound {vopSar} < SF·peak {sf * peak10}");
        // diagonal margin: max_j wᴴV_jw ≤ SF·peak + ε·SAR_wc·‖w‖² (‖w‖² = 8)
        double bound = sf * peak10 + set.Margin.Epsilon * set.SarWorstCase * 8;
        Assert.True(vopSar <= bound * (1 + 1e-6), $"VOP bound {vopSar} > SF·peak + ε·SAR_wc·‖w‖² = {bound}");
        Assert.Equal(0.05, set.Margin.Epsilon, 12);
    }

    [OnnxRuntimeFact]
    public void Surrogate_VOPs_and_SAR_figures_are_labelled_surrogate_calibrated_with_the_calibration_coverage()
    {
        using var tmp = new TempDir();
        var shard = data.Shard(0);
        var r = CliRunner.Run("surrogate", "predict", "--b1", shard, "--model", Model, "--shim", "0", "--vops-out", tmp.File("v.h5"), "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        var j = JsonDocument.Parse(r.Out).RootElement;
        // every SAR figure of the result, and the VOP set, say what they are and which calibration covers them
        foreach (var label in new[] { j.GetProperty("sar_basis").GetString()!, j.GetProperty("vops").GetProperty("sar_basis").GetString()! })
        {
            Assert.StartsWith(VopSarBasis.Label, label);
            Assert.Contains("2D FDFD synthetic", label);
            Assert.Contains("dataset seed 2026", label);
            Assert.Contains("q0.95", label);
            Assert.Contains("P(under) target 5 %", label);
            Assert.Contains("95 % upper bound", label); // from report.json beside the shipped model
            Assert.Contains("not the IEC/IEEE 62704-1 cube", label);
        }
        var set = VopSetFile.Read(tmp.File("v.h5"));
        Assert.True(set.HasValidCertificate(out var why), why);
        Assert.Equal(VopSarBasis.Surrogate, set.Attributes[VopSarBasis.AttributeKey]);
        Assert.Contains("2D FDFD synthetic", set.Attributes[VopSarBasis.CoverageKey]);
        // the table output never calls the file "certified" without the qualification
        var t = CliRunner.Run("surrogate", "predict", "--b1", shard, "--model", Model, "--shim", "0", "--vops-out", tmp.File("v2.h5"));
        Assert.True(t.ExitCode == 0, t.Err);
        Assert.Contains("SAR basis: " + VopSarBasis.Label, t.Out);
        Assert.DoesNotContain("certified →", t.Out);
        // a reader of the file: vop verify against nothing is not possible; vop report shows the label
        var rep = CliRunner.Run("vop", "report", tmp.File("v.h5"));
        Assert.True(rep.ExitCode == 0, rep.Err);
        Assert.Contains("not certified against true SAR", rep.Out);
        Assert.Contains("2D FDFD synthetic", rep.Out);
    }

    [OnnxRuntimeFact]
    public void Direct_model_prediction_is_labelled_surrogate_calibrated()
    {
        var r = CliRunner.Run("surrogate", "predict", "--b1", data.Shard(0), "--model", Surrogate96Fixture.Model("unet"), "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        var label = JsonDocument.Parse(r.Out).RootElement.GetProperty("sar_basis").GetString()!;
        Assert.StartsWith(VopSarBasis.Label, label);
        Assert.Contains("P(under) target 5 %", label);
        var t = CliRunner.Run("surrogate", "predict", "--b1", data.Shard(0), "--model", Surrogate96Fixture.Model("unet"));
        Assert.True(t.ExitCode == 0, t.Err);
        Assert.Contains("SAR basis: " + VopSarBasis.Label, t.Out);
    }

    [OnnxRuntimeFact]
    public void Phases_option_gives_the_same_maps_as_the_shard_shim_and_no_shim_writes_fields_only()
    {
        using var tmp = new TempDir();
        var shard = data.Shard(1);
        var slice = Surrogate96Fixture.Read(shard);
        var ph = string.Join(",", slice.Phases.Take(8).Select(v => ((double)v).ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
        var a = CliRunner.Run("surrogate", "predict", "--b1", shard, "--model", Model, "--shim", "0", "--json");
        var b = CliRunner.Run("surrogate", "predict", "--b1", shard, "--model", Model, "--phases", ph, "--json");
        Assert.True(a.ExitCode == 0, a.Err); Assert.True(b.ExitCode == 0, b.Err);
        double pa = JsonDocument.Parse(a.Out).RootElement.GetProperty("peak_sar10g_w_per_kg").GetDouble();
        double pb = JsonDocument.Parse(b.Out).RootElement.GetProperty("peak_sar10g_w_per_kg").GetDouble();
        Assert.Equal(pa, pb, 1e-9 * pa);
        // a plain file with b1_channels, mask, water, fat only: e_channels, no maps
        NpzArchive.Write(tmp.File("in.npz"), new Dictionary<string, NdArray>
        {
            ["b1_channels"] = new(NdType.Float32, [8, 2, 96, 96], slice.B1Channels), ["mask"] = new(NdType.UInt8, [96, 96], slice.Mask),
            ["water"] = new(NdType.Float32, [96, 96], slice.Water), ["fat"] = new(NdType.Float32, [96, 96], slice.Fat),
        });
        var c = CliRunner.Run("surrogate", "predict", "--b1", tmp.File("in.npz"), "--model", Model, "-o", tmp.File("o.npz"));
        Assert.True(c.ExitCode == 0, c.Err);
        using var o = NpzArchive.Open(tmp.File("o.npz"));
        Assert.Equal(["e_channels"], o.Names);
        // 10 g or VOPs without rho: exit 2 naming 'rho'
        var d = CliRunner.Run("surrogate", "predict", "--b1", tmp.File("in.npz"), "--model", Model, "--phases", ph);
        Assert.Equal(2, d.ExitCode);
        Assert.Contains("'rho'", d.Err);
    }

    [OnnxRuntimeFact]
    public void Bad_per_channel_input_is_exit_2_naming_the_array()
    {
        using var tmp = new TempDir();
        var s = Surrogate96Fixture.Read(data.Shard(2));
        var mask = new NdArray(NdType.UInt8, [96, 96], s.Mask);
        NdArray Img(float[] v) => new(NdType.Float32, [96, 96], v);
        string Write(string name, Dictionary<string, NdArray> arrays) { NpzArchive.Write(tmp.File(name), arrays); return tmp.File(name); }
        var missing = Write("missing.npz", new() { ["mask"] = mask, ["water"] = Img(s.Water), ["fat"] = Img(s.Fat), ["rho"] = Img(s.Rho) });
        var r1 = CliRunner.Run("surrogate", "predict", "--b1", missing, "--model", Model);
        Assert.Equal(2, r1.ExitCode);
        Assert.Contains("'b1_channels'", r1.Err);
        var four = Write("four.npz", new() { ["b1_channels"] = new(NdType.Float32, [4, 2, 96, 96], s.B1Channels.Take(4 * 2 * 96 * 96).ToArray()), ["mask"] = mask, ["water"] = Img(s.Water), ["fat"] = Img(s.Fat) });
        var r2 = CliRunner.Run("surrogate", "predict", "--b1", four, "--model", Model);
        Assert.Equal(2, r2.ExitCode);
        Assert.Contains("'b1_channels' has shape [4, 2, 96, 96]", r2.Err);
        Assert.Contains("[8, 2, 96, 96]", r2.Err);
        var nan = (float[])s.B1Channels.Clone();
        int body = Array.IndexOf(s.Mask, (byte)1);
        nan[3 * 96 * 96 + body] = float.NaN;  // channel 2, imaginary part
        var bad = Write("nan.npz", new() { ["b1_channels"] = new(NdType.Float32, [8, 2, 96, 96], nan), ["mask"] = mask, ["water"] = Img(s.Water), ["fat"] = Img(s.Fat) });
        var r3 = CliRunner.Run("surrogate", "predict", "--b1", bad, "--model", Model);
        Assert.Equal(2, r3.ExitCode);
        Assert.Contains("b1_channels", r3.Err);
        Assert.Contains($"[{body / 96}, {body % 96}]", r3.Err);
        var outside = (byte[])s.Mask.Clone(); outside[40 + 96 * 2] = 1;  // row 2 is outside the training window
        var win = Write("outside.npz", new() { ["b1_channels"] = new(NdType.Float32, [8, 2, 96, 96], s.B1Channels), ["mask"] = new(NdType.UInt8, [96, 96], outside), ["water"] = Img(s.Water), ["fat"] = Img(s.Fat) });
        var r5 = CliRunner.Run("surrogate", "predict", "--b1", win, "--model", Model);
        Assert.Equal(2, r5.ExitCode);
        Assert.Contains("body cell [2, 40]", r5.Err);
        Assert.Contains("training window", r5.Err);
        var r4 = CliRunner.Run("surrogate", "predict", "--b1", data.Shard(2), "--model", Model, "--phases", "0,1,2");
        Assert.Equal(2, r4.ExitCode);
        Assert.Contains("8 channels", r4.Err);
    }
}
