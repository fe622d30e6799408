using System.Text.Json;
using SarKit.Tests.Supervision;
using SarKit.IO.Formats;

namespace SarKit.Tests.Cli;

/// <summary>Issue 14 (supervision): overflow is never PASS, silent defaults are refused, the signature is reported.</summary>
public class SeqFailClosedCliTests
{
    private static string Vops(TempDir dir) => SeqCliVops.Write(dir);

    [Theory]
    [InlineData("1e160", "num_samples 4\n1\n1\n1\n1")]
    [InlineData("500", "num_samples 4\n1e308\n1\n1\n1")]
    public void SeqCheckOfOverflowingRfIsRefusedWithVopsAndB1Sar(string amp, string shape)
    {
        using var dir = new TempDir();
        var seq = dir.File("big.seq");
        File.WriteAllText(seq, FailClosedSupervisionTests.TinySeq(amp, shape));
        var r = CliRunner.Run("seq", "check", seq, "--vops", Vops(dir), "--calibration", "1 V/uT");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("big.seq", r.Err);
        Assert.DoesNotContain("PASS", r.Out);
        Assert.Equal(2, CliRunner.Run("seq", "check", seq, "--b1-sar", "local_head=0.8").ExitCode);
        Assert.Equal(2, CliRunner.Run("seq", "info", seq).ExitCode);
    }

    [Fact]
    public void PulseCheckOfAWaveformScaledBy1e300IsNotPass()
    {
        using var dir = new TempDir();
        var csv = dir.File("big.csv");
        File.WriteAllText(csv, "# unit: V\n# raster_s: 1e-06\n# samples: 4\nre_1,im_1\n1e300,0\n1e300,0\n1e300,0\n1e300,0\n");
        var r = CliRunner.Run("pulse", "check", csv, "--vops", Vops(dir));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("big.csv", r.Err);
    }

    [Fact]
    public void SeqCheckReportsAnAbsentSignatureLoudly()
    {
        using var dir = new TempDir();
        var seq = dir.File("plain.seq");
        File.WriteAllText(seq, FailClosedSupervisionTests.TinySeq());
        var r = CliRunner.Run("seq", "check", seq, "--vops", Vops(dir), "--calibration", "1 V/uT", "--json");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("signature", r.Err); Assert.Contains("absent", r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        Assert.Equal("absent", doc.RootElement.GetProperty("signature").GetString());
        var t = CliRunner.Run("seq", "check", seq, "--vops", Vops(dir), "--calibration", "1 V/uT");
        Assert.Contains("Signature: absent", t.Out);
    }

    [Theory]
    [InlineData("--timeline-points", "2000000000")]
    [InlineData("--resolution", "NaN")]
    [InlineData("--resolution", "Infinity")]
    [InlineData("--short-term-factor", "Infinity")]
    [InlineData("--limit", "local_head:10:Infinity")]
    [InlineData("--larmor", "NaN")]
    public void NonFiniteOrHugeNumericOptionsAreExit2(string option, string value)
    {
        using var dir = new TempDir();
        var seq = dir.File("ok.seq");
        File.WriteAllText(seq, FailClosedSupervisionTests.TinySeq().Replace("1 500 1 2 0 0 0 0", "1 500 1 2 0 0 0 0"));
        var args = new List<string> { "seq", "check", seq, "--b1-sar", "local_head=0.8", option, value, "--timeline", dir.File("t.csv") };
        var r = CliRunner.Run(args.ToArray());
        Assert.True(r.ExitCode == 2, $"{option} {value}: exit {r.ExitCode}: {r.Err}");
    }

    [Fact]
    public void MissingShimNeedsTheExplicitOption()
    {
        using var dir = new TempDir();
        var seq = dir.File("shim.seq");
        File.WriteAllText(seq, FailClosedSupervisionTests.TinySeq(blocks: "1 200 1 0 0 0 0 1\n2 800 0 0 0 0 0 0",
            extra: "[EXTENSIONS]\n1 1 7 0\nextension RF_SHIMS 1\n1 2 1 0 1 0\n\n"));
        var vops = SeqCliVops.Write(dir, 2);
        var cal = dir.File("cal.json");
        File.WriteAllText(cal, "{\"unit\": \"V/uT\", \"factors\": [1, 1], \"default_shim\": [1, 1]}");
        var r = CliRunner.Run("seq", "check", seq, "--vops", vops, "--calibration", cal);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("RF_SHIMS id 7", r.Err); Assert.Contains("--missing-shim", r.Err);
        var d = CliRunner.Run("seq", "check", seq, "--vops", vops, "--calibration", cal, "--missing-shim", "default");
        Assert.True(d.ExitCode is 0 or 3, d.Err);
        Assert.Contains("default", d.Err);
        Assert.Equal(2, CliRunner.Run("seq", "check", seq, "--vops", vops, "--calibration", cal, "--missing-shim", "zero").ExitCode);
    }
}

internal static class SeqCliVops
{
    /// <summary>A certified VOP set per V² (0.5 on the diagonal).</summary>
    public static string Write(TempDir dir, int n = 1)
    {
        var q = new double[n * n];
        for (int i = 0; i < n; i++) q[i] = 0.5;
        var path = dir.File($"vops{n}.h5");
        if (!File.Exists(path)) SarKit.IO.Formats.VopSetFile.Write(SupervisionMatrices.Certified(n, q, q), path);
        return path;
    }
}
