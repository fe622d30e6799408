using SarKit.IO.Formats;
using System.Numerics;
using SarKit.Compression;
using SarKit.IO;
using SarKit.Sar;
using SarKit.Supervision;
using SarKit.Tests.Support;
using SarKit.IO.Arrays;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Tests.Supervision;

public class StreamingSupervisorTests
{
    private static readonly SarLimit[] Limits =
    [
        new(SarMetric.LocalHead, 10, 10, "test"), new(SarMetric.LocalHead, 1, 20, "test"),
    ];

    private static StreamingSarSupervisor Make(int n, double[] q, int bins = 100) =>
        new([new SarObservable("q", SarMetric.LocalHead, n, q, "V")], Limits, new StreamingSupervisorOptions { SampleIntervalSeconds = 1e-6, BinsPerWindow = bins, TimeProvider = new Microsoft.Extensions.Time.Testing.FakeTimeProvider() }); // watchdog clock never advances

    [Fact]
    public void UncertifiedFailedOrTamperedVopSetsAreRefused()
    {
        int n = 3;
        var orig = SupervisionMatrices.RandomPsd(n, 5, 1);
        var opts = new StreamingSupervisorOptions { SampleIntervalSeconds = 1e-6 };
        var ok = SupervisionMatrices.Certified(n, (double[])orig.Clone(), orig);
        Assert.NotNull(StreamingSarSupervisor.ForVops(ok, SarMetric.LocalHead, [], Limits, opts));
        var none = SupervisionMatrices.Certified(n, (double[])orig.Clone(), orig); none.Certificate = null;
        Assert.Contains("uncertified", Assert.Throws<SarKitInputException>(() => StreamingSarSupervisor.ForVops(none, SarMetric.LocalHead, [], Limits, opts)).Message);
        var failed = SupervisionMatrices.Certified(n, (double[])orig.Clone(), orig, passed: false);
        Assert.Throws<SarKitInputException>(() => StreamingSarSupervisor.ForVops(failed, SarMetric.LocalHead, [], Limits, opts));
        var tampered = SupervisionMatrices.Certified(n, (double[])orig.Clone(), orig); tampered.Packed[0] *= 0.5;
        Assert.Throws<SarKitInputException>(() => StreamingSarSupervisor.ForVops(tampered, SarMetric.LocalHead, [], Limits, opts));
    }

    [Fact]
    public void NanGapAndOverlapFailClosedAndStayFailed()
    {
        int n = 2, len = 100;
        var q = SupervisionMatrices.RandomPsd(n, 3, 2);
        var re = new double[n * len]; var im = new double[n * len];
        Array.Fill(re, 0.1);
        var s = Make(n, q);
        Assert.Equal(SupervisorState.Ok, s.FeedSamples(0, re, im, len).State);
        re[len + 7] = double.NaN;
        var st = s.FeedSamples(len * 1e-6, re, im, len);
        Assert.Equal(SupervisorState.Failed, st.State);
        Assert.Contains("non-finite", st.Reason);
        re[len + 7] = 0.1;
        Assert.Equal(SupervisorState.Failed, s.FeedSamples(2 * len * 1e-6, re, im, len).State); // sticky

        var g = Make(n, q);
        g.FeedSamples(0, re, im, len);
        var gap = g.FeedSamples(len * 1e-6 + 5e-6, re, im, len);
        Assert.Equal(SupervisorState.Failed, gap.State);
        Assert.Contains("gap", gap.Reason);
        var o = Make(n, q);
        o.FeedSamples(0, re, im, len);
        Assert.Contains("overlap", o.FeedSamples(len * 1e-6 - 5e-6, re, im, len).Reason);
        var c = Make(n, q);
        Assert.Equal(SupervisorState.Failed, c.FeedCorrelation(0, 1e-3, [1, 1, double.PositiveInfinity, 0]).State);
        Assert.Equal(SupervisorState.Failed, Make(n, q).FeedCorrelation(0, 1e-3, [1, 1, 0]).State);
    }

    [Fact]
    public void RunningSarBoundsTheExactSlidingWindowFromAbove()
    {
        int n = 3;
        var q = SupervisionMatrices.RandomPsd(n, 6, 4);
        var rng = new Random(7);
        var s = Make(n, q, bins: 50);
        double t = 0;
        var blocks = new List<(double t0, double d, double[] w)>();
        for (int b = 0; b < 400; b++)
        {
            double d = 0.01 + 0.05 * rng.NextDouble();
            var x = Enumerable.Range(0, n).Select(_ => new Complex(rng.NextDouble() - 0.5, rng.NextDouble() - 0.5)).ToArray();
            var w = HermitianPacking.DriveWeights(x).Select(v => v * d * (b % 7 == 0 ? 0 : 30)).ToArray();
            var st = s.FeedCorrelation(t, d, w);
            blocks.Add((t, d, w));
            t += d;
            Assert.NotEqual(SupervisorState.Failed, st.State);
            foreach (var ls in st.Limits)
            {
                double T = ls.Limit.WindowSeconds;
                double exact = 0, maxBlockPower = 0;
                for (int j = 0; j < 6; j++)
                {
                    double e = 0;
                    foreach (var (t0, dd, ww) in blocks)
                    {
                        double ov = Math.Max(0, Math.Min(t0 + dd, t) - Math.Max(t0, t - T));
                        double ej = System.Numerics.Tensors.TensorPrimitives.Dot(q.AsSpan(j * n * n, n * n), ww);
                        e += ov / dd * ej;
                        maxBlockPower = Math.Max(maxBlockPower, ej / dd);
                    }
                    exact = Math.Max(exact, e / T);
                }
                Assert.True(ls.Sar >= exact * (1 - 1e-12), $"t={t} T={T}: streaming {ls.Sar} < exact {exact}");
                Assert.True(ls.Sar <= exact + maxBlockPower * (T / 50 + 0.06) / T * 1.000001, $"t={t} T={T}: streaming {ls.Sar} too far above exact {exact}");
            }
        }
    }

    [Fact]
    public void ConstantPowerMatchesTheOfflineEngineAndRampAlarmsBeforeExceeding()
    {
        // 1 channel, Q = 1 W/kg per V²; 1 ms blocks of constant 2 V → 4 W/kg
        var s = Make(1, [1.0], bins: 100);
        var re = Enumerable.Repeat(2.0, 1000).ToArray(); var im = new double[1000];
        SupervisorStatus st = s.Status;
        for (int b = 0; b < 12000; b++) st = s.FeedSamples(b * 1e-3, re, im, 1000);
        Assert.Equal(SupervisorState.Ok, st.State);
        Assert.All(st.Limits, l => Assert.InRange(l.Sar, 4.0 * (1 - 1e-12), 4.0 * (1 + 1.0 / 100) + 1e-9)); // upper bound: at most one extra bin

        // ramp the amplitude until the 10 s limit (10 W/kg) is crossed: an Alarm must come first
        var r = Make(1, [1.0], bins: 100);
        bool alarmed = false; double a = 1;
        for (int b = 0; b < 200000; b++)
        {
            a *= 1.0002;
            var x = Enumerable.Repeat(a, 1000).ToArray();
            var sb = r.FeedSamples(b * 1e-3, x, im, 1000);
            if (sb.State == SupervisorState.Alarm) alarmed = true;
            if (sb.State == SupervisorState.Exceeded) { Assert.True(alarmed, "exceeded without a prior alarm"); return; }
        }
        Assert.Fail("limit never reached");
    }
}

public class WaveformFileTests
{
    private static string Data(string name) => Path.Combine(SharedData.RepoRoot, "tests", "SarKit.Tests", "data", "supervision", name);

    [Theory]
    [InlineData("ptx3_waveform.npz", 1e-12)]
    [InlineData("ptx3_waveform.h5", 1e-6)]  // stored as complex64
    [InlineData("ptx3_waveform.csv", 1e-12)]
    public void CorrelationMatchesNumpy(string file, double tol)
    {
        var w = WaveformFile.Read(Data(file));
        Assert.Equal(3, w.Channels); Assert.Equal(400, w.Length); Assert.Equal("V", w.Unit);
        Assert.Equal(1e-6, w.RasterSeconds); Assert.Equal(0.01, w.PeriodSeconds);
        var tpl = w.Template("V", null, 5e-5);
        Assert.Equal(8, tpl.Segments);
        var got = tpl.TotalWeights();
        using var z = NpzArchive.Open(Data("ptx3_waveform.npz"));
        var r = z.Read("expected_R").ToComplexInterleaved(); // numpy R[i,j] = Σ x_i conj(x_j) dt
        var expect = new double[9];
        for (int i = 0; i < 3; i++) expect[i] = r[2 * (i * 3 + i)];
        int o = 3;
        for (int i = 0; i < 3; i++) for (int j = i + 1; j < 3; j++) { expect[o++] = 2 * r[2 * (i * 3 + j)]; expect[o++] = 2 * r[2 * (i * 3 + j) + 1]; }
        double scale = expect.Max(Math.Abs);
        for (int k = 0; k < 9; k++) Assert.True(Math.Abs(got[k] - expect[k]) <= tol * scale, $"{file} w[{k}] = {got[k]} vs {expect[k]}");
    }

    [Fact]
    public void MissingOrUnknownUnitsAreRefused()
    {
        Assert.Contains("unit", Assert.Throws<SarKitInputException>(() => WaveformFile.Read(Data("no_unit.npz"))).Message);
        Assert.Contains("furlong", Assert.Throws<SarKitInputException>(() => WaveformFile.Read(Data("bad_unit.npz"))).Message);
        var w = WaveformFile.Read(Data("ptx3_waveform.npz"));
        Assert.Throws<SarKitInputException>(() => w.Template("sqrt(W)", null, 1e-4)); // unit mismatch, no conversion
    }
}
