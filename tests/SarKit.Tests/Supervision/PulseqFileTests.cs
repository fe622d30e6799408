using System.Globalization;
using SarKit.Supervision.Pulseq;
using SarKit.Tests.Support;

namespace SarKit.Tests.Supervision;

public class PulseqFileTests
{
    private const string Dir = "pulseq";

    [Fact]
    public void Decompress_HandMadeRleExamples()
    {
        // derivative: 0 .1 .15 .25 .5 then run of 0 (2+4 = 6 times) then -0.25 (2+2 = 4 times)
        var w = PulseqShapes.Decompress(new[] { 0, 0.1, 0.15, 0.25, 0.5, 0, 0, 4, -0.25, -0.25, 2 }, 15);
        double[] expected = { 0, .1, .25, .5, 1, 1, 1, 1, 1, 1, 1, .75, .5, .25, 0 };
        Assert.Equal(expected.Length, w.Length);
        for (int i = 0; i < w.Length; i++) Assert.Equal(expected[i], w[i], 12);

        Assert.All(PulseqShapes.Decompress(new double[] { 1, 0, 0, 97 }, 100), v => Assert.Equal(1.0, v));
        var t = PulseqShapes.Decompress(new double[] { 0.5, 1, 1, 7 }, 10);
        for (int i = 0; i < 10; i++) Assert.Equal(i + 0.5, t[i], 12);
        // uncompressed: stored count == num_samples, taken verbatim (no cumulative sum)
        Assert.Equal(new double[] { 0, 0.5, 0.5 }, PulseqShapes.Decompress(new double[] { 0, 0.5, 0.5 }, 3));
        Assert.Throws<FormatException>(() => PulseqShapes.Decompress(new double[] { 0, 0, 5 }, 100));
        Assert.Throws<FormatException>(() => PulseqShapes.Decompress(new double[] { 0, 0, 2.5 }, 5));
    }

    [SharedDataFact("pulseq/pulseq_expected_output_seq1.seq")]
    public void EveryReferenceFileOfVersion14OrLaterParses_OlderAreRejectedClearly()
    {
        var dir = Path.GetDirectoryName(SharedData.Reference("pulseq/pulseq_expected_output_seq1.seq"))!;
        int parsed = 0, rejected = 0;
        foreach (var f in Directory.GetFiles(dir, "*.seq").OrderBy(x => x))
        {
            var (maj, min) = VersionFromText(f);
            if (maj == 1 && min >= 4)
            {
                var s = PulseqFile.Read(f);
                Assert.Equal(min, s.Version.Minor);
                Assert.NotEmpty(s.Blocks);
                Assert.True(s.TotalDurationSeconds > 0, f);
                if (s.Definitions.All.TryGetValue("TotalDuration", out var td))
                    Assert.Equal(double.Parse(td, CultureInfo.InvariantCulture), s.TotalDurationSeconds, 5);
                foreach (var b in s.Blocks)
                {
                    var wf = s.RfWaveform(b);
                    if (wf is null) continue;
                    Assert.All(wf.SamplesHz, c => Assert.True(double.IsFinite(c.Real) && double.IsFinite(c.Imaginary)));
                    // RF must fit inside its block (times relative to block start)
                    Assert.True(wf.TimesSeconds[^1] <= b.DurationSeconds + 1e-9, $"{f} block {b.Id}");
                }
                parsed++;
            }
            else
            {
                var e = Assert.Throws<SarKitInputException>(() => PulseqFile.Read(f));
                Assert.Contains("not supported", e.Message);
                Assert.Contains("[VERSION]", e.Message);
                rejected++;
            }
        }
        Assert.True(parsed >= 10, $"parsed {parsed}");
        Assert.True(rejected >= 2, $"rejected {rejected}");
    }

    [SharedDataFact("pulseq/pypulseq_simple_mprage140.seq")]
    public void BlockCountAndTotalDuration_MatchIndependentSumOfFileText_14() =>
        CheckAgainstText(SharedData.Reference("pulseq/pypulseq_simple_mprage140.seq")!);

    [SharedDataFact("pulseq/pulseq_legacy_approved_gre.seq")]
    public void BlockCountAndTotalDuration_MatchIndependentSumOfFileText_151() =>
        CheckAgainstText(SharedData.Reference("pulseq/pulseq_legacy_approved_gre.seq")!);

    private static void CheckAgainstText(string path)
    {
        // independent: scan the text between "[BLOCKS]" and the next blank line, sum column 2
        var lines = File.ReadAllLines(path);
        int start = Array.IndexOf(lines, "[BLOCKS]");
        long sum = 0; int count = 0;
        for (int i = start + 1; i < lines.Length && lines[i].Trim().Length > 0; i++)
        {
            var f = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            sum += long.Parse(f[1], CultureInfo.InvariantCulture); count++;
        }
        var raster = double.Parse(lines.First(l => l.StartsWith("BlockDurationRaster")).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        var s = PulseqFile.Read(path);
        Assert.Equal(count, s.Blocks.Count);
        Assert.Equal(sum * raster, s.TotalDurationSeconds, 12);
        var td = lines.FirstOrDefault(l => l.StartsWith("TotalDuration"));
        if (td is not null)
            Assert.Equal(double.Parse(td.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture), s.TotalDurationSeconds, 6);
    }

    [SharedDataFact("pulseq/pulseq_expected_output_seq_make_block_pulses.seq")]
    public void BlockPulse_ConstantMagnitude_FlipAngleMatchesDuration()
    {
        var s = PulseqFile.Read(SharedData.Reference("pulseq/pulseq_expected_output_seq_make_block_pulses.seq")!);
        Assert.Equal(new PulseqVersion(1, 5, 0), s.Version);
        Assert.Equal(1e-6, s.Definitions.RadiofrequencyRasterTime);
        var b = s.Blocks[0];
        Assert.Equal(1, b.RfId);
        var rf = s.RfEvents[1];
        Assert.Equal(39.7887, rf.AmplitudeHz, 6);
        Assert.Equal('u', rf.Use);
        Assert.Equal(2000e-6, rf.CenterSeconds!.Value, 12);
        var wf = s.RfWaveform(b)!;
        Assert.All(wf.SamplesHz, c => Assert.Equal(rf.AmplitudeHz, c.Magnitude, 9));
        double dur = wf.TimesSeconds[^1] - wf.TimesSeconds[0];
        Assert.Equal(4e-3, dur, 12); // time shape 0..4000 × 1 µs
        // ∫|B1|dt (Hz·s) by trapezoid over the sample times; rect pulse flip angle = 2π·amp·duration
        double integral = 0;
        for (int n = 1; n < wf.TimesSeconds.Length; n++)
            integral += 0.5 * (wf.SamplesHz[n].Magnitude + wf.SamplesHz[n - 1].Magnitude) * (wf.TimesSeconds[n] - wf.TimesSeconds[n - 1]);
        double flip = 2 * Math.PI * integral;
        Assert.Equal(2 * Math.PI * rf.AmplitudeHz * dur, flip, 9);
        Assert.Equal(1.0, flip, 4); // this file's first pulse: 39.7887 Hz × 4 ms ≈ 1 rad
        // block 3 uses the same pulse with a 1 ms delay
        var wf3 = s.RfWaveform(s.Blocks[2])!;
        Assert.Equal(1e-3, wf3.TimesSeconds[0], 12);
        // RF 5: phase offset 1.5708 rad → samples along +i
        var wf9 = s.RfWaveform(s.Blocks[8])!;
        Assert.All(wf9.SamplesHz, c => Assert.Equal(Math.PI / 2, c.Phase, 4));
        Assert.Null(s.RfWaveform(s.Blocks[1]));
    }

    [SharedDataFact("pulseq/pulseq_legacy_approved_fid.seq")]
    public void TruncatedShape_ErrorNamesFileSectionAndLine()
    {
        var lines = File.ReadAllLines(SharedData.Reference("pulseq/pulseq_legacy_approved_fid.seq")!).ToList();
        // cut the file right after "num_samples 2" of shape 3 plus one sample
        int k = lines.FindIndex(l => l == "shape_id 3");
        var cut = lines.Take(k + 3).ToArray(); // shape_id 3, num_samples 2, "0"
        var e = Assert.Throws<SarKitInputException>(() => PulseqFile.Parse(cut, "cut.seq"));
        Assert.Contains("cut.seq", e.Message);
        Assert.Contains("[SHAPES]", e.Message);
        Assert.Contains("shape 3", e.Message);
        // fewer stored than num_samples but not a valid compression → error at the sample line
        Assert.Matches(@"line \d+", e.Message);

        // malformed [RF] row reports its exact line number
        var bad = lines.ToArray();
        int rf = Array.IndexOf(bad, "[RF]") + 1;
        bad[rf] = "1 833.333 1 2 3 150 100 0 0 0"; // 10 fields instead of 12
        var e2 = Assert.Throws<SarKitInputException>(() => PulseqFile.Parse(bad, "bad.seq"));
        Assert.Contains($"line {rf + 1}", e2.Message);
        Assert.Contains("[RF]", e2.Message);

        // truncated [BLOCKS] row
        var bad2 = lines.ToArray();
        int bl = Array.IndexOf(bad2, "[BLOCKS]") + 3;
        bad2[bl] = bad2[bl][..6];
        var e3 = Assert.Throws<SarKitInputException>(() => PulseqFile.Parse(bad2, "bad2.seq"));
        Assert.Contains($"[BLOCKS], line {bl + 1}", e3.Message);
    }

    [SharedDataFact("pulseq/pulseq_legacy_approved_fid.seq")]
    public void RfShims_151Extension_AttachedToBlock()
    {
        var lines = File.ReadAllLines(SharedData.Reference("pulseq/pulseq_legacy_approved_fid.seq")!).ToList();
        int b = lines.IndexOf("[BLOCKS]");
        Assert.Equal(" 1  43   1   0   0   0  0  0", lines[b + 1]);
        lines[b + 1] = " 1  43   1   0   0   0  0  1";
        int sh = lines.IndexOf("# Sequence Shapes");
        lines.InsertRange(sh, new[]
        {
            "[EXTENSIONS]", "1 1 1 0", "# comment", "extension RF_SHIMS 1", "1 2 1.0 0.0 0.5 1.5707963267948966", "",
        });
        // the edit invalidates the file's [SIGNATURE] (an edited signed file is refused); drop the section for this test
        Assert.Contains("SIGNATURE", Assert.Throws<SarKitInputException>(() => PulseqFile.Parse(lines.ToArray(), "shim.seq")).Message);
        lines.RemoveRange(lines.IndexOf("[SIGNATURE]"), lines.Count - lines.IndexOf("[SIGNATURE]"));
        var s = PulseqFile.Parse(lines.ToArray(), "shim.seq");
        var w = s.RfShim(s.Blocks[0])!;
        Assert.Equal(2, w.Length);
        Assert.Equal(1.0, w[0].Real, 12);
        Assert.Equal(0.5, w[1].Imaginary, 12);
        Assert.Null(s.RfShim(s.Blocks[4]));

        lines[lines.IndexOf("1 2 1.0 0.0 0.5 1.5707963267948966")] = "1 2 1.0 0.0 0.5";
        var e = Assert.Throws<SarKitInputException>(() => PulseqFile.Parse(lines.ToArray(), "shim.seq"));
        Assert.Contains("[EXTENSIONS]", e.Message);
        Assert.Contains("RF_SHIMS", e.Message);
    }

    private static (int, int) VersionFromText(string f)
    {
        int maj = -1, min = -1;
        foreach (var l in File.ReadLines(f).Take(12))
        {
            if (l.StartsWith("major ")) maj = int.Parse(l[6..].Trim(), CultureInfo.InvariantCulture);
            if (l.StartsWith("minor ")) min = int.Parse(l[6..].Trim(), CultureInfo.InvariantCulture);
        }
        return (maj, min);
    }
}
