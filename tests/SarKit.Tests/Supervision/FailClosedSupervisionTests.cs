using SarKit.IO.Formats;
using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using SarKit.Sar;
using SarKit.Supervision;
using SarKit.Supervision.Pulseq;
using SarKit.Tests.Support;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Tests.Supervision;

/// <summary>Issue 14 classes 1, 2 and 4 (supervision): overflow, indefinite correlations, watchdog, silent defaults.</summary>
public class FailClosedSupervisionTests
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly SarLimit[] Limits = [new(SarMetric.LocalHead, 10, 10, "test"), new(SarMetric.LocalHead, 360, 10, "test")];

    /// <summary>1.4.2 file: block 1 holds a 4-sample RF (amplitude <paramref name="amp"/>, magnitude shape lines), block 2 silence.</summary>
    internal static string TinySeq(string amp = "500", string magShape = "num_samples 4\n1\n1\n1\n1", string blocks = "1 200 1 0 0 0 0 0\n2 800 0 0 0 0 0 0", string extra = "") =>
        "[VERSION]\nmajor 1\nminor 4\nrevision 2\n\n[DEFINITIONS]\nAdcRasterTime 1e-07\nBlockDurationRaster 1e-05\nGradientRasterTime 1e-05\nRadiofrequencyRasterTime 1e-06\n\n" +
        $"[BLOCKS]\n{blocks}\n\n[RF]\n1 {amp} 1 2 0 0 0 0\n\n{extra}[SHAPES]\n\nshape_id 1\n{magShape}\n\nshape_id 2\nnum_samples 4\n0\n0\n0\n0\n";

    private static SequenceSarReport Check(PulseqSequence s, double q = 0.5) =>
        SequenceSarEvaluation.Run(PulseqSchedule.Build(s, DriveCalibration.MicroTesla(), 1e-4),
            [new SarObservable("VOPs", SarMetric.LocalHead, 1, [q], "uT")], Limits, RepetitionMode.Periodic, searchShortestRepetition: false);

    private static PulseqSequence Parse(string text) => PulseqFile.Parse(text.Split('\n'), "t.seq");

    [Theory]
    [InlineData("1e160", "num_samples 4\n1\n1\n1\n1")]          // |amp·mag|² overflows
    [InlineData("500", "num_samples 4\n1e308\n1\n1\n1")]         // amp·mag overflows
    [InlineData("1", "num_samples 4\n1e308\n1e308\n2")]          // compressed: the cumulative sum overflows
    [InlineData("1e154", "num_samples 4\n1\n1\n1\n1")]           // |s|² finite, but the SAR chain overflows later or FAILs
    public void OverflowingRfIsRefusedOrFailsButNeverPasses(string amp, string shape)
    {
        SequenceSarReport? report = null;
        var e = Record.Exception(() => report = Check(Parse(TinySeq(amp, shape))));
        if (e is not null) { Assert.IsType<SarKitInputException>(e); Assert.Contains("t.seq", e.Message); return; }
        Assert.False(report!.Passed);
        Assert.All(report.Outcomes.Where(o => o.Evaluated), o => Assert.True(double.IsFinite(o.Sar) || !o.Passed));
    }

    [Fact]
    public void RfAmplitudeWhoseSquareOverflowsIsRefusedAtParseNamingTheField()
    {
        var e = Assert.Throws<SarKitInputException>(() => Parse(TinySeq("1e160")));
        Assert.Contains("[RF]", e.Message); Assert.Contains("1E+160", e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("shape", Assert.Throws<SarKitInputException>(() => Parse(TinySeq("1", "num_samples 4\n1e308\n1e308\n2"))).Message);
    }

    [Fact]
    public void ScaledWaveformOverflowIsRefused()
    {
        int n = 2, len = 10;
        var re = Enumerable.Repeat(1e300, n * len).ToArray(); var im = new double[n * len];
        var w = new MultiChannelWaveform(n, len, 1e-6, re, im, "V", "big.csv");
        var e = Assert.Throws<SarKitInputException>(() => w.Schedule("V", null, 1e-4));
        Assert.Contains("big.csv", e.Message);
        // a raster of 1e-300 s would make every energy ~0
        Assert.Contains("raster", Assert.Throws<SarKitInputException>(() => new MultiChannelWaveform(1, 1, 1e-300, [1], [0], "V", "tiny.csv")).Message);
    }

    [Fact]
    public void NonFiniteSegmentWeightsAreRefusedAndNonFiniteOutcomesNeverPass()
    {
        Assert.Throws<SarKitInputException>(() => new PulseTemplate("t", 1, [0], [1e-3], [double.NaN]));
        Assert.Throws<SarKitInputException>(() => new PulseTemplate("t", 1, [0], [1e-3], [double.PositiveInfinity]));
        var ok = new PulseTemplate("t", 1, [0], [1e-3], [1e200]);
        Assert.Throws<SarKitInputException>(() => ok.Scaled(1e100)); // energy × 1e200 overflows
        var l = Limits[0];
        Assert.False(new LimitOutcome(l, true, double.NaN, double.NaN, 0, "q", 0).Passed);
        Assert.False(new LimitOutcome(l, true, double.PositiveInfinity, double.PositiveInfinity, 0, "q", 0).Passed);
        Assert.False(new LimitOutcome(l, true, 0.5, double.NaN, 0, "q", 0).Passed);
        var r = new SequenceSarReport
        {
            Windows = [], Mode = RepetitionMode.Periodic, PeriodSeconds = 1,
            Outcomes = [new LimitOutcome(l, true, 0.1, 0.01, 0, "q", 0), new LimitOutcome(Limits[1], true, double.NaN, double.NaN, 0, "q", 0)],
        };
        Assert.False(r.Passed);
        Assert.Same(r.Outcomes[1], r.Binding); // the unknown value binds, not the small finite one
        var none = new SequenceSarReport { Windows = [], Mode = RepetitionMode.Periodic, PeriodSeconds = 1, Outcomes = [new LimitOutcome(l, false, double.NaN, double.NaN, double.NaN, null, -1)] };
        Assert.False(none.Passed); // nothing evaluated: no PASS
    }

    [Fact]
    public void WindowedSarRefusesAnEnergyThatOverflowsOverTheWindow()
    {
        // 1e307 J/kg per 1 ms pulse, 10 s window with 1000 pulses: the window sum overflows
        var t = new PulseTemplate("p", 1, [0], [1e-3], [1e307]);
        var s = new PulseSchedule(1, 1e-2, [t], [new PulsePlacement(0, 0)], "big");
        var e = Record.Exception(() => SequenceSarCheck.Run(s, [new SarObservable("q", SarMetric.LocalHead, 1, [10], "V")], Limits));
        Assert.IsType<SarKitInputException>(e);
    }

    // ---- streaming supervisor ----

    private static StreamingSarSupervisor Streaming(int n, double[] q, TimeProvider? clock = null, TimeSpan? timeout = null) =>
        new([new SarObservable("q", SarMetric.LocalHead, n, q, "V")], Limits,
            new StreamingSupervisorOptions { SampleIntervalSeconds = 1e-6, TimeProvider = clock ?? new FakeTimeProvider(), DataTimeout = timeout ?? TimeSpan.FromSeconds(1) });

    [Fact]
    public void IndefiniteCorrelationBlocksFailInsteadOfSubtractingEnergy()
    {
        // Q = [[1, 1], [1, 1]]: channels in phase add up
        double[] q = [1, 1, 1, 0];
        var s = Streaming(2, q);
        // 1 s of 200 W/kg on channel 1 alone: exceeded
        Assert.Equal(SupervisorState.Exceeded, s.FeedCorrelation(0, 1, [200, 0, 0, 0]).State);
        // zero diagonal, negative off-diagonal: tr(Q R) = −2000 would cancel it
        var st = s.FeedCorrelation(1, 1, [0, 0, -2000, 0]);
        Assert.Equal(SupervisorState.Failed, st.State);
        Assert.Contains("positive semidefinite", st.Reason);
        Assert.Equal(SupervisorState.Failed, s.FeedSilence(2, 1).State); // latched

        // off-diagonal larger than the geometric mean of the diagonal: indefinite although the diagonal is positive
        Assert.Equal(SupervisorState.Failed, Streaming(2, q).FeedCorrelation(0, 1, [1, 1, 2.5, 0]).State);
        // rank one from samples (x = (1, i)): PSD up to rounding, accepted
        var w = HermitianPacking.DriveWeights([new Complex(1, 0), new Complex(0, 1)]);
        Assert.Equal(SupervisorState.Ok, Streaming(2, q).FeedCorrelation(0, 1, w).State);
    }

    [Fact]
    public void PsdToleranceIsRelativeToTheTrace()
    {
        double tol = RfCorrelation.PsdRelativeTolerance;
        // eigenvalues 1 ± c; λ_min = 1 − c = −0.5·tol·tr → accepted; −2·tol·tr → refused
        Assert.Null(RfCorrelation.CheckPositiveSemidefinite([1, 1, 2 * (1 + 0.5 * tol * 2), 0], 2));
        Assert.NotNull(RfCorrelation.CheckPositiveSemidefinite([1, 1, 2 * (1 + 2 * tol * 2), 0], 2));
        Assert.NotNull(RfCorrelation.CheckPositiveSemidefinite([0, 0, 1e-300, 0], 2));
        Assert.Null(RfCorrelation.CheckPositiveSemidefinite([0, 0, 0, 0], 2));
        Assert.NotNull(RfCorrelation.CheckPositiveSemidefinite([-1e-300, 0, 0, 0], 2));
    }

    [Fact]
    public void OverflowingEnergyLatchesFailed()
    {
        var s = Streaming(1, [1e10]);
        Assert.Equal(SupervisorState.Failed, s.FeedCorrelation(0, 1e-3, [1e300]).State);
        Assert.Equal(SupervisorState.Failed, s.FeedSilence(1e-3, 1).State);
        Assert.Equal(SupervisorState.Failed, Streaming(1, [1]).FeedSilence(0, 1e300).State); // time beyond the bin index range
    }

    [Fact]
    public void WatchdogFailsClosedWhenDataStopsArriving()
    {
        var clock = new FakeTimeProvider();
        var s = Streaming(1, [1], clock, TimeSpan.FromMilliseconds(500));
        Assert.Equal(SupervisorState.Ok, s.FeedSilence(0, 0.1).State);
        clock.Advance(TimeSpan.FromMilliseconds(400));
        Assert.Equal(SupervisorState.Ok, s.FeedSilence(0.1, 0.1).State); // fed in time: deadline moves
        clock.Advance(TimeSpan.FromMilliseconds(400));
        Assert.Equal(SupervisorState.Ok, s.Status.State);
        SupervisorStatus? pushed = null;
        s.StatusChanged += st => pushed = st;
        clock.Advance(TimeSpan.FromMilliseconds(200)); // 600 ms since the last feed
        Assert.Equal(SupervisorState.Failed, s.Status.State);
        Assert.Contains("watchdog", s.Status.Reason);
        Assert.Equal(SupervisorState.Failed, pushed?.State); // the timer fired on its own, nobody polled
        Assert.Equal(SupervisorState.Failed, s.FeedSilence(0.2, 0.1).State); // latched

        // no data at all after construction
        var c2 = new FakeTimeProvider();
        var s2 = Streaming(1, [1], c2, TimeSpan.FromSeconds(1));
        c2.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(SupervisorState.Failed, s2.Status.State);
        Assert.Throws<SarKitInputException>(() => Streaming(1, [1], c2, TimeSpan.Zero));
        Assert.Throws<SarKitInputException>(() => Streaming(1, [1], c2, Timeout.InfiniteTimeSpan));
        Assert.Throws<SarKitInputException>(() => Streaming(1, [1], c2, TimeSpan.MaxValue));
    }

    // ---- silent defaults ----

    private static string ShimSeq(int shimRef) =>
        TinySeq(blocks: "1 200 1 0 0 0 0 1\n2 800 0 0 0 0 0 0",
            extra: $"[EXTENSIONS]\n1 1 {shimRef} 0\nextension RF_SHIMS 1\n1 2 1 0 1 0\n\n");

    [Fact]
    public void MissingRfShimRowIsRefusedUnlessTheDefaultIsAskedFor()
    {
        var cal = SequenceSarEvaluation.UniformCp("uT", 1, 2, "cal");
        var good = Parse(ShimSeq(1));
        Assert.NotNull(PulseqSchedule.Build(good, cal, 1e-4));
        var s = Parse(ShimSeq(7));
        var e = Assert.Throws<SarKitInputException>(() => PulseqSchedule.Build(s, cal, 1e-4));
        Assert.Contains("block 1", e.Message); Assert.Contains("RF_SHIMS id 7", e.Message);
        var d = PulseqSchedule.Build(s, cal, 1e-4, missingShim: MissingShimPolicy.UseDefaultShim);
        Assert.Single(d.Placements);
        Assert.Throws<SarKitInputException>(() => s.RfShim(s.Blocks[0]));
    }

    [Fact]
    public void ExtensionChainToAMissingRowIsRefused()
    {
        var e = Assert.Throws<SarKitInputException>(() => Parse(TinySeq(blocks: "1 200 1 0 0 0 0 3\n2 800 0 0 0 0 0 0")));
        Assert.Contains("extension", e.Message);
    }

    [Theory]
    [InlineData("1 200 1 0 0 0 0 0\n3 800 0 0 0 0 0 0", "gap")]
    [InlineData("2 200 1 0 0 0 0 0\n1 800 0 0 0 0 0 0", "order")]
    public void BlockTableGapsAndOrderAreRefused(string blocks, string word)
    {
        var e = Assert.Throws<SarKitInputException>(() => Parse(TinySeq(blocks: blocks)));
        Assert.Contains(word, e.Message);
    }

    [Theory]
    [InlineData("[GRADIENTS]\n1 1000 9 0 0\n\n", "shape id 9")]
    [InlineData("[GRADIENTS]\n1 1000 1 9 0\n\n", "time shape id 9")]
    [InlineData("[GRADIENTS]\n1 1000 1 0 0\n\n", null)]
    public void GradientShapeReferencesMustExist(string grad, string? word)
    {
        var text = TinySeq(blocks: "1 200 1 1 0 0 0 0\n2 800 0 0 0 0 0 0", extra: grad);
        if (word is null) { Assert.Single(Parse(text).GradientIds); return; }
        Assert.Contains(word, Assert.Throws<SarKitInputException>(() => Parse(text)).Message);
    }

    [Fact]
    public void OutOfRangePulseqNumbersAreRefused()
    {
        Assert.Throws<SarKitInputException>(() => Parse(TinySeq().Replace("1 500 1 2 0 0 0 0", "1 500 1 2 0 -10 0 0"))); // negative delay
        Assert.Throws<SarKitInputException>(() => Parse(TinySeq().Replace("num_samples 4\n1\n1\n1\n1", "num_samples 2000000000\n1\n1\n1999999998"))); // huge shape
        Assert.Throws<SarKitInputException>(() => Parse(TinySeq().Replace("RadiofrequencyRasterTime 1e-06", "RadiofrequencyRasterTime 1e-300"))); // energy → 0
        // a time shape starting before 0 would drop RF
        var neg = TinySeq().Replace("1 500 1 2 0 0 0 0", "1 500 1 2 3 0 0 0") + "\nshape_id 3\nnum_samples 4\n-2\n1\n2\n3\n";
        Assert.Throws<SarKitInputException>(() => PulseqSchedule.Build(Parse(neg), DriveCalibration.MicroTesla(), 1e-4));
    }

    private static string Signed(string body)
    {
        var hash = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(body)));
        return body + $"\n[SIGNATURE]\n# hash\nType md5\nHash {hash}\n";
    }

    [Fact]
    public void SignatureIsVerifiedAndATamperedFileIsRefused()
    {
        var body = TinySeq(blocks: "1 200 1 0 0 0 0 0\n2 800 0 0 0 0 0 0\n3 800 0 0 0 0 0 0");
        var ok = Parse(Signed(body));
        Assert.Equal(PulseqSignatureStatus.Verified, ok.Signature);
        var tampered = Signed(body).Replace("3 800 0 0 0 0 0 0", "3 400 0 0 0 0 0 0");
        var e = Assert.Throws<SarKitInputException>(() => Parse(tampered));
        Assert.Contains("SIGNATURE", e.Message);
        Assert.Equal(PulseqSignatureStatus.Absent, Parse(body).Signature);
        Assert.Throws<SarKitInputException>(() => Parse(Signed(body).Replace("Type md5", "Type crc7")));
    }

    [Theory]
    [InlineData("pulseq/pypulseq_write_gre.seq")]
    [InlineData("pulseq/pulseq_legacy_approved_fid.seq")]
    [InlineData("pulseq/pypulseq_simple_mprage150.seq")]
    public void ReferenceSignaturesVerify(string rel)
    {
        var p = SharedData.Reference(rel);
        if (p is null) return;
        Assert.Equal(PulseqSignatureStatus.Verified, PulseqFile.Read(p).Signature);
        // one block row deleted and the table renumbered: the signature no longer matches
        var lines = File.ReadAllText(p).Split('\n').ToList();
        int b = lines.IndexOf("[BLOCKS]");
        int first = b + 1; while (lines[first].Trim().Length == 0 || lines[first].TrimStart().StartsWith('#')) first++;
        lines.RemoveAt(first);
        int id = 1;
        for (int i = first; i < lines.Count && !lines[i].StartsWith('['); i++)
        {
            var t = lines[i].Trim();
            if (t.Length == 0 || t.StartsWith('#')) continue;
            var f = t.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries); f[0] = (id++).ToString(Inv);
            lines[i] = string.Join(' ', f);
        }
        Assert.Contains("SIGNATURE", Assert.Throws<SarKitInputException>(() => PulseqFile.Parse(lines.ToArray(), "cut.seq")).Message);
    }

    [Fact]
    public void EveryReferenceFileIsVerifiedOrUnsigned()
    {
        var any = SharedData.Reference("pulseq/pypulseq_write_gre.seq");
        if (any is null) return;
        int verified = 0, absent = 0;
        foreach (var f in Directory.GetFiles(Path.GetDirectoryName(any)!, "*.seq"))
        {
            var st = PulseqFile.VerifySignature(File.ReadAllBytes(f), f);
            if (st == PulseqSignatureStatus.Verified) verified++; else absent++;
        }
        Assert.True(verified >= 16, $"{verified} verified, {absent} absent");
    }

    [Fact]
    public void CsvWaveformMustDeclareAndMatchItsSampleCount()
    {
        using var dir = new TempFolder();
        string Rows(int k) => string.Concat(Enumerable.Range(0, k).Select(i => "1,0\n"));
        string head = "# unit: V\n# raster_s: 1e-06\n";
        var none = dir.Write("none.csv", head + "re_1,im_1\n" + Rows(10));
        Assert.Contains("# samples:", Assert.Throws<SarKitInputException>(() => WaveformFile.Read(none)).Message);
        var half = dir.Write("half.csv", head + "# samples: 10\nre_1,im_1\n" + Rows(5));
        var e = Assert.Throws<SarKitInputException>(() => WaveformFile.Read(half));
        Assert.Contains("10", e.Message); Assert.Contains("5", e.Message);
        Assert.Equal(10, WaveformFile.Read(dir.Write("ok.csv", head + "# samples: 10\nre_1,im_1\n" + Rows(10))).Length);
        Assert.Throws<SarKitInputException>(() => WaveformFile.Read(dir.Write("dur.csv", head + "# samples: 10\n# duration_s: 2e-5\nre_1,im_1\n" + Rows(10))));
        Assert.Equal(10, WaveformFile.Read(dir.Write("dur2.csv", head + "# samples: 10\n# duration_s: 1e-5\nre_1,im_1\n" + Rows(10))).Length);
        Assert.Throws<SarKitInputException>(() => WaveformFile.Read(dir.Write("nan.csv", head + "# samples: 10\n# raster_s: NaN\nre_1,im_1\n" + Rows(10))));
    }

    [Theory]
    [InlineData("{\"unit\": \"V/uT\", \"factors\": [1], \"gamma_hz_per_t\": 1e308}")]   // drive → 0: would PASS anything
    [InlineData("{\"unit\": \"V/uT\", \"factors\": [1], \"gamma_hz_per_t\": 1e400}")]
    [InlineData("{\"unit\": \"V/uT\", \"factors\": [1e400]}")]
    [InlineData("{\"unit\": \"V/uT\", \"factors\": [{\"re\": \"x\"}]}")]
    [InlineData("{\"unit\": \"V/uT\", \"factors\": [1], \"default_shim\": [{\"magnitude\": 1e400}]}")]
    [InlineData("{\"unit\": \"V/uT\", \"factors\": [1], \"default_shim\": [{\"magnitude\": 1, \"phase_deg\": 1e308}]}")]
    public void CalibrationValuesMustBeFiniteAndPlausible(string json)
    {
        using var dir = new TempFolder();
        var p = dir.Write("cal.json", json);
        var e = Assert.Throws<SarKitInputException>(() => DriveCalibration.Parse(p, 1));
        Assert.Contains("cal.json", e.Message);
    }

    [Fact]
    public void NonFiniteOptionsAndLimitsAreRefused()
    {
        SarObservable[] obs = [new("q", SarMetric.LocalHead, 1, [1], "V")];
        Assert.Throws<SarKitInputException>(() => new StreamingSarSupervisor(obs, Limits, new StreamingSupervisorOptions { SampleIntervalSeconds = double.PositiveInfinity, TimeProvider = new FakeTimeProvider() }));
        Assert.Throws<SarKitInputException>(() => new StreamingSarSupervisor(obs, Limits, new StreamingSupervisorOptions { SampleIntervalSeconds = 1e-6, TimeToleranceSeconds = double.NaN, TimeProvider = new FakeTimeProvider() }));
        Assert.Throws<SarKitInputException>(() => SarLimit.ParseUser("local_head:10:inf"));
        Assert.Throws<SarKitInputException>(() => SarLimit.ParseUser("local_head:Infinity:15"));
        Assert.Throws<SarKitInputException>(() => SarLimitTable.Default().Limits(null, OperatingMode.Normal, null, SarMetric.LocalHead, double.PositiveInfinity));
        using var dir = new TempFolder();
        var table = dir.Write("t.json", "{\"editions\": [{\"edition\": \"x\", \"long_window_s\": 360, \"short_window_s\": 10, \"short_term_factor\": 2, \"modes\": {\"normal\": {\"whole_body\": 1e400, \"head\": 3.2, \"local_head\": 10}}}]}");
        Assert.Throws<SarKitInputException>(() => SarLimitTable.Load(table).Limits(null, OperatingMode.Normal, null));
        var neg = dir.Write("n.json", "{\"editions\": [{\"edition\": \"x\", \"long_window_s\": 360, \"short_window_s\": 10, \"short_term_factor\": 2, \"modes\": {\"normal\": {\"whole_body\": -2, \"head\": 3.2, \"local_head\": 10}}}]}");
        Assert.Throws<SarKitInputException>(() => SarLimitTable.Load(neg).Limits(null, OperatingMode.Normal, null));
        var w = new MultiChannelWaveform(1, 4, 1e-6, [1, 1, 1, 1], [0, 0, 0, 0], "V", "w.csv");
        Assert.Throws<SarKitInputException>(() => w.Template("V", null, double.NaN));
        Assert.Throws<SarKitInputException>(() => PulseqSchedule.Build(Parse(TinySeq()), DriveCalibration.MicroTesla(), double.PositiveInfinity));
    }

    internal sealed class TempFolder : IDisposable
    {
        public readonly string Path = Directory.CreateTempSubdirectory("sarkit-fc-").FullName;
        public string Write(string name, string text) { var p = System.IO.Path.Combine(Path, name); File.WriteAllText(p, text); return p; }
        public void Dispose() { try { Directory.Delete(Path, true); } catch (IOException) { } }
    }
}
