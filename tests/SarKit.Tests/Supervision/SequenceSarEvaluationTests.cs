using System.Numerics;
using SarKit.Supervision;

namespace SarKit.Tests.Supervision;

/// <summary>The sequence-check wiring shared by `sarkit seq check` and the web app.</summary>
public sealed class SequenceSarEvaluationTests
{
    // one raster sample of 1 s: no window edge can cut it, so the window SAR is exact (edge bound 0)
    private static PulseSchedule OneBurst(double period) =>
        new(1, period, [new PulseTemplate("p", 1, [0.0], [1.0], [1.0], rasterSeconds: 1.0)], [new PulsePlacement(0, 0)], "test");

    private static SarObservable Local(double q, string unit = "V", int n = 1) =>
        new("q", SarMetric.LocalHead, n, Enumerable.Repeat(q, n * n).ToArray(), unit);

    private static readonly SarLimit[] Limits = [new(SarMetric.LocalHead, 10, 10, "test"), new(SarMetric.LocalHead, 360, 10, "test")];

    [Fact]
    public void Passing_check_reports_the_period_as_shortest_repetition()
    {
        var s = OneBurst(5);
        var r = SequenceSarEvaluation.Run(s, [Local(1)], Limits, RepetitionMode.Periodic);
        var direct = SequenceSarCheck.Run(s, [Local(1)], Limits);
        Assert.True(r.Passed);
        Assert.Equal(direct.Binding!.Sar, r.Binding!.Sar);
        Assert.Equal(0, r.MinimumAddedDelaySeconds);
        Assert.Equal(5, r.ShortestRepetitionSeconds);
    }

    [Fact]
    public void Failing_check_adds_the_library_minimum_delay_or_leaves_it_unset()
    {
        var s = OneBurst(5);
        IReadOnlyList<SarObservable> obs = [Local(80)];
        var r = SequenceSarEvaluation.Run(s, obs, Limits, RepetitionMode.Periodic);
        Assert.False(r.Passed);
        var d = SequenceSarCheck.MinimumDelay(s, obs, Limits);
        Assert.NotNull(d);
        Assert.Equal(d, r.MinimumAddedDelaySeconds);
        Assert.Equal(5 + d!.Value, r.ShortestRepetitionSeconds!.Value, 12);
        Assert.True(SequenceSarCheck.Run(s.WithInsertedDelays(d.Value, [s.PeriodSeconds]), obs, Limits).Passed);
        var noSearch = SequenceSarEvaluation.Run(s, obs, Limits, RepetitionMode.Periodic, searchShortestRepetition: false);
        Assert.Null(noSearch.MinimumAddedDelaySeconds);
        Assert.Null(noSearch.ShortestRepetitionSeconds);
        // two repetitions per period: the shortest repetition is half the period plus the delay
        var two = SequenceSarEvaluation.Run(s, obs, Limits, RepetitionMode.Periodic, [2.5, 5.0]);
        Assert.Equal(2.5 + two.MinimumAddedDelaySeconds!.Value, two.ShortestRepetitionSeconds!.Value, 12);
    }

    [Fact]
    public void Units_channels_calibration_and_mode_are_checked()
    {
        Assert.Equal(("V", 2), SequenceSarEvaluation.CommonDriveUnit([Local(1, "V", 2), Local(2, "V", 2)]));
        Assert.Contains("different drive units", Assert.Throws<SarKitInputException>(() => SequenceSarEvaluation.CommonDriveUnit([Local(1, "V"), Local(1, "A")])).Message);
        Assert.Contains("different channel counts", Assert.Throws<SarKitInputException>(() => SequenceSarEvaluation.CommonDriveUnit([Local(1, "V", 1), Local(1, "V", 2)])).Message);
        Assert.Throws<SarKitInputException>(() => SequenceSarEvaluation.CommonDriveUnit([]));
        var cal = SequenceSarEvaluation.UniformCp("V", 12.5, 4, "cal");
        Assert.Contains("has 4 channels", Assert.Throws<SarKitInputException>(() => SequenceSarEvaluation.CommonDriveUnit([Local(1, "V", 2)], cal)).Message);
        Assert.Contains("gives V/uT", Assert.Throws<SarKitInputException>(() => SequenceSarEvaluation.CommonDriveUnit([Local(1, "A", 4)], cal)).Message);
        Assert.All(cal.Factors, f => Assert.Equal(new Complex(12.5, 0), f));
        for (int c = 0; c < 4; c++)
        {
            Assert.Equal(1, cal.DefaultShim![c].Magnitude, 14);
            Assert.Equal(Math.IEEERemainder(-Math.PI / 2 * c, 2 * Math.PI), cal.DefaultShim[c].Phase, 12);
        }
        Assert.Throws<SarKitInputException>(() => SequenceSarEvaluation.UniformCp("V", 0, 4, "cal"));
        Assert.Equal(OperatingMode.Normal, SequenceSarEvaluation.ParseMode(null));
        Assert.Equal(OperatingMode.FirstLevel, SequenceSarEvaluation.ParseMode(" First-Level "));
        Assert.Contains("expected normal or first", Assert.Throws<SarKitInputException>(() => SequenceSarEvaluation.ParseMode("fast", "--mode")).Message);
    }
}
