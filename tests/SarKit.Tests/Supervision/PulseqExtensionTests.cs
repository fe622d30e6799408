using System.Numerics;
using System.Text.Json;
using SarKit.Supervision;
using SarKit.Supervision.Pulseq;
using SarKit.Tests.Cli;
using SarKit.Tests.Support;

namespace SarKit.Tests.Supervision;

/// <summary>Extensions other than RF_SHIMS are skipped without changing RF or timing; soft delays are reported; block durations are the file's.</summary>
public class PulseqExtensionTests
{
    private static SeqTextWriter Sequence(bool withExtensions)
    {
        var w = new SeqTextWriter(minor: 5);
        var rect = Enumerable.Repeat(new Complex(400, 0), 500).ToArray();          // 0.5 ms at 1 µs
        var sinc = Enumerable.Range(0, 800).Select(i => new Complex(300 * Math.Sin(0.01 * (i + 1)) / (0.01 * (i + 1)), 0)).ToArray();
        int r1 = w.Rf(rect, compress: true, delayUs: 100), r2 = w.Rf(sinc, compress: false);
        w.Block(0.002, r1, withExtensions ? 1 : 0);
        w.Block(0.008, 0, withExtensions ? 4 : 0);   // pure delay block with a soft delay (TR)
        w.Block(0.001, r2, withExtensions ? 5 : 0);
        w.Block(0.004, 0, withExtensions ? 7 : 0);
        if (withExtensions)
            w.ExtensionsText = string.Join('\n',
                "1 1 1 2", "2 2 1 3", "3 6 1 0",          // block 1: TRIGGERS → LABELSET → unknown FANCY_THING
                "4 3 1 0",                                // block 2: DELAYS
                "5 4 1 6", "6 5 1 0",                     // block 3: ROTATIONS → LABELINC
                "7 6 2 0",                                // block 4: unknown extension only
                "extension TRIGGERS 1", "1 2 1 0 100", "",
                "extension LABELSET 2", "1 1 SLC", "",
                "extension DELAYS 3", "1 0 -3000 1e6 TR", "",
                "extension ROTATIONS 4", "1 0.7071067811865476 0 0 0.7071067811865476", "",
                "extension LABELINC 5", "1 1 LIN", "",
                "extension FANCY_THING 6", "1 a b c d e f g", "2 42", "", "# a comment inside an unknown extension", "");
        return w;
    }

    private static PulseqSequence Read(SeqTextWriter w, TempDir dir, string name)
    {
        var path = dir.File(name);
        File.WriteAllText(path, w.Text());
        return PulseqFile.Read(path);
    }

    [Fact]
    public void UnknownAndNonRfExtensionsAreSkippedAndChangeNeitherRfNorTiming()
    {
        using var dir = new TempDir();
        var plain = Read(Sequence(false), dir, "plain.seq");
        var ext = Read(Sequence(true), dir, "ext.seq");
        Assert.Contains("FANCY_THING", ext.ExtensionTypes.Keys);
        Assert.Equal(6, ext.ExtensionTypes.Count);
        Assert.Equal(plain.TotalDurationSeconds, ext.TotalDurationSeconds);
        Assert.Equal(0.015, ext.TotalDurationSeconds, 12);
        Assert.Equal(plain.BlockStartTimes(), ext.BlockStartTimes());
        Assert.All(ext.Blocks, b => Assert.Null(ext.RfShim(b)));
        // soft delay: attached to block 2 only, nominal duration kept
        var sd = ext.SoftDelay(ext.Blocks[1]);
        Assert.NotNull(sd);
        Assert.Equal("TR", sd!.Hint); Assert.Equal(-3e-3, sd.OffsetSeconds, 15); Assert.Equal(1e6, sd.Factor);
        Assert.Null(ext.SoftDelay(ext.Blocks[0]));
        Assert.Equal(0.008, ext.Blocks[1].DurationSeconds, 15);
        // identical schedules and SAR
        var cal = DriveCalibration.MicroTesla();
        var a = PulseqSchedule.Build(plain, cal, 1e-4); var b = PulseqSchedule.Build(ext, cal, 1e-4);
        Assert.Equal(a.Placements, b.Placements);
        Assert.Equal(a.Templates.Select(t => t.TotalWeights()[0]), b.Templates.Select(t => t.TotalWeights()[0]));
        var obs = new SarObservable("k", SarMetric.WholeBody, 1, [1.0], "uT");
        Assert.Equal(WindowedSar.Evaluate(a, obs, [10.0])[0].MaxSar, WindowedSar.Evaluate(b, obs, [10.0])[0].MaxSar);
        // RF placed at block start + RF delay (block 1 at 0 + 100 µs, block 3 at 10 ms)
        Assert.Equal(1e-4, b.Placements[0].StartSeconds, 15);
        Assert.Equal(0.010, b.Placements[1].StartSeconds, 12);
    }

    [Fact]
    public void MalformedSoftDelayRowIsRefusedWithItsLine()
    {
        using var dir = new TempDir();
        var w = Sequence(true);
        w.ExtensionsText = w.ExtensionsText!.Replace("1 0 -3000 1e6 TR", "1 0 -3000 TR");
        var path = dir.File("bad.seq");
        File.WriteAllText(path, w.Text());
        var e = Assert.Throws<SarKitInputException>(() => PulseqFile.Read(path));
        Assert.Contains("DELAYS", e.Message);
    }

    [Fact]
    public void RfEndingAfterItsBlockIsRefused()
    {
        using var dir = new TempDir();
        var w = new SeqTextWriter(minor: 4);
        int r = w.Rf(Enumerable.Repeat(new Complex(100, 0), 1000).ToArray(), compress: true, delayUs: 50); // 50 µs + 1 ms
        w.Block(0.001, r);
        w.Block(0.01);
        var s = Read(w, dir, "long.seq");
        var e = Assert.Throws<SarKitInputException>(() => PulseqSchedule.Build(s, DriveCalibration.MicroTesla(), 1e-4));
        Assert.Contains("after the block duration", e.Message);
    }

    [Fact]
    public void SeqInfoAndCheckReportSoftDelays()
    {
        using var dir = new TempDir();
        var path = dir.File("ext.seq");
        File.WriteAllText(path, Sequence(true).Text());
        var info = CliRunner.Run("seq", "info", path, "--json");
        Assert.Equal(0, info.ExitCode);
        using (var doc = JsonDocument.Parse(info.Out))
        {
            Assert.Equal(1, doc.RootElement.GetProperty("soft_delay_blocks").GetInt32());
            Assert.Equal("TR", doc.RootElement.GetProperty("soft_delay_hints")[0].GetString());
            Assert.Contains(doc.RootElement.GetProperty("extensions").EnumerateArray(), x => x.GetString() == "FANCY_THING");
        }
        var check = CliRunner.Run("seq", "check", path, "--b1-sar", "whole_body=0.01", "--json");
        Assert.True(check.ExitCode is 0 or 3, check.Err);
        Assert.Contains("soft delays (TR)", check.Err);
        using var d2 = JsonDocument.Parse(check.Out);
        Assert.Equal("TR", d2.RootElement.GetProperty("soft_delay_hints")[0].GetString());
    }
}
