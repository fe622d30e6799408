using SarKit.Measurement.Nema;

namespace SarKit.Tests.Measurement;

public class NemaEquivalentLoadingTests
{
    [Fact]
    public void QuotientOfEquation1()
    {
        Assert.Equal(0.8, EquivalentLoading.LoadingQuotient(800, 200), 15);
        Assert.Equal(1.0, EquivalentLoading.LoadingQuotient(800, 0), 15);
        Assert.Throws<SarKitInputException>(() => EquivalentLoading.LoadingQuotient(0, 200));
        Assert.Throws<SarKitInputException>(() => EquivalentLoading.LoadingQuotient(800, -1));
    }

    [Fact]
    public void QuotientWithinTwentyPercentPassesAndReportsMargin()
    {
        // Phantom 0.7 vs human 0.8: deviation −12.5 %, margin 7.5 %.
        var r = EquivalentLoading.CheckQuotient(0.7, 0.8);
        Assert.True(r.Passed);
        var c = Assert.Single(r.Criteria);
        Assert.Equal(-0.125, c.Deviation, 12);
        Assert.Equal(0.075, c.Margin, 12);
        // Phantom 0.6 vs human 0.8: −25 %, fails by 5 %.
        r = EquivalentLoading.CheckQuotient(0.6, 0.8);
        Assert.False(r.Passed);
        Assert.Equal(-0.05, r.Criteria[0].Margin, 12);
        Assert.Contains("FAIL", r.Criteria[0].ToString());
        Assert.Throws<SarKitInputException>(() => EquivalentLoading.CheckQuotient(1.2, 0.8));
    }

    [Fact]
    public void CoilCharacteristicsAllMustPass()
    {
        var human = new CoilCharacteristics(BandwidthHz: 400e3, ImpedanceMagnitudeOhm: 50, ImpedancePhaseDeg: 10, CentreFrequencyHz: 63.86e6);
        var ok = new CoilCharacteristics(440e3, 58, 25, 63.5e6);        // +10 %, +16 %, +15°, −0.56 %
        var r = EquivalentLoading.CheckCoilCharacteristics(ok, human);
        Assert.True(r.Passed);
        Assert.Equal(4, r.Criteria.Count);
        Assert.Equal(15.0, r.Criteria[2].Deviation, 12);

        var bad = new CoilCharacteristics(480e3, 58, -15, 63.0e6);      // +20 % bandwidth, −25°, −1.35 %
        r = EquivalentLoading.CheckCoilCharacteristics(bad, human);
        Assert.False(r.Passed);
        var failed = r.Failures.Select(f => f.Name).ToList();
        Assert.Equal(3, failed.Count);
        Assert.Contains(failed, n => n.Contains("bandwidth"));
        Assert.Contains(failed, n => n.Contains("phase"));
        Assert.Contains(failed, n => n.Contains("centre frequency"));
        Assert.Equal(-0.05, r.Criteria[0].Margin, 12);  // 20 % vs 15 %
        Assert.Equal(-5.0, r.Criteria[2].Margin, 12);   // 25° vs 20°
    }

    [Fact]
    public void PhaseDifferenceWrapsAround180Degrees()
    {
        var human = new CoilCharacteristics(400e3, 50, 175, 64e6);
        var phantom = new CoilCharacteristics(400e3, 50, -175, 64e6); // 10° apart across ±180
        var r = EquivalentLoading.CheckCoilCharacteristics(phantom, human);
        Assert.True(r.Passed);
        Assert.Equal(10.0, r.Criteria[2].Deviation, 12);
    }

    [Fact]
    public void BadCoilCharacteristicsAreRejected()
    {
        var human = new CoilCharacteristics(400e3, 50, 10, 64e6);
        var ex = Assert.Throws<SarKitInputException>(() =>
            EquivalentLoading.CheckCoilCharacteristics(new CoilCharacteristics(-1, 50, 10, 64e6), human));
        Assert.Contains("bandwidth", ex.Message);
    }
}
