using SarKit.Measurement.Probe;
using SarKit.Measurement.Uncertainty;

namespace SarKit.Tests.Measurement.Probe;

public class ProbeBudgetTests
{
    [Fact]
    public void DefaultTemplateRssAndK2()
    {
        var t = ProbeBudgetTemplate.Default;
        var r = t.Evaluate(new Dictionary<string, (double, double)>());
        double s1 = 0, s10 = 0;
        foreach (var row in t.Rows)
        {
            double u = row.TolerancePercent / row.Divisor;
            s1 += Math.Pow(u * row.C1g, 2); s10 += Math.Pow(u * row.C10g, 2);
        }
        Assert.Equal(Math.Sqrt(s1), r.Combined1gPercent, 10);
        Assert.Equal(Math.Sqrt(s10), r.Combined10gPercent, 10);
        Assert.Equal(2 * Math.Sqrt(s1), r.Expanded1gPercent, 10);
        Assert.Equal(2.0, r.CoverageFactor);
        Assert.InRange(r.Expanded1gPercent, 15, 30); // IEEE 1528 caps the expanded uncertainty at 30 %
        Assert.Contains(t.Rows, x => x.Source.Contains("Probe calibration"));
        Assert.Contains(t.Rows, x => x.Distribution == Distribution.Rectangular && Math.Abs(x.Divisor - Math.Sqrt(3)) < 1e-15);
    }

    [Fact]
    public void MeasuredRowsAreFilledAndTemplateRoundTrips()
    {
        var t = ProbeBudgetTemplate.Parse(ProbeBudgetTemplate.Default.ToJson(), "t.json");
        Assert.Equal(ProbeBudgetTemplate.Default.Rows.Count, t.Rows.Count);
        for (int i = 0; i < t.Rows.Count; i++)
        {
            var (a, b) = (ProbeBudgetTemplate.Default.Rows[i], t.Rows[i]);
            Assert.Equal(a.Source, b.Source); Assert.Equal(a.TolerancePercent, b.TolerancePercent); Assert.Equal(a.Divisor, b.Divisor, 15);
            Assert.Equal(a.C1g, b.C1g); Assert.Equal(a.C10g, b.C10g); Assert.Equal(a.DegreesOfFreedom, b.DegreesOfFreedom); Assert.Equal(a.From, b.From);
        }
        var r0 = t.Evaluate(new Dictionary<string, (double, double)>());
        var r1 = t.Evaluate(new Dictionary<string, (double, double)> { ["extrapolation_fit"] = (3.0, 7), ["liquid_conductivity"] = (2.5, double.PositiveInfinity) });
        Assert.Equal(Math.Sqrt(r0.Combined1gPercent * r0.Combined1gPercent + 9 + Math.Pow(2.5 * 0.64, 2)), r1.Combined1gPercent, 10);
        Assert.Equal(Math.Sqrt(r0.Combined10gPercent * r0.Combined10gPercent + 9 + Math.Pow(2.5 * 0.43, 2)), r1.Combined10gPercent, 10);
        Assert.Contains(r1.Rows, x => x.Note is not null && x.Note.StartsWith("from this measurement") && x.DegreesOfFreedom == 7);
    }

    [Fact]
    public void Ieee1528ExampleCombinedToExpanded()
    {
        // IEEE 1528-2003 Table E.4 example (supervision notes §4.3): RSS 13.6 % / 13.2 % → U = 27.2 % / 26.4 % with k = 2
        var t = ProbeBudgetTemplate.Parse("""
            {"kind": "sarkit-probe-uncertainty-template", "coverage_factor": 2,
             "rows": [{"source": "a", "tolerance_percent": 8.16, "distribution": "normal", "c_1g": 1, "c_10g": 0.97058823529411764},
                      {"source": "b", "tolerance_percent": 18.8447, "distribution": "rectangular", "c_1g": 1, "c_10g": 0.97058823529411764}]}
            """, "t.json");
        var r = t.Evaluate(new Dictionary<string, (double, double)>());
        Assert.Equal(Math.Sqrt(8.16 * 8.16 + Math.Pow(18.8447 / Math.Sqrt(3), 2)), r.Combined1gPercent, 12);
        Assert.Equal(13.6, r.Combined1gPercent, 2);
        Assert.Equal(27.2, r.Expanded1gPercent, 2);
        Assert.Equal(13.2, r.Combined10gPercent, 2);
        Assert.Equal(26.4, r.Expanded10gPercent, 2);
        Assert.Contains("distribution 'weird'", Assert.Throws<SarKitInputException>(() => ProbeBudgetTemplate.Parse(
            """{"kind": "sarkit-probe-uncertainty-template", "rows": [{"source": "a", "tolerance_percent": 1, "distribution": "weird", "c_1g": 1, "c_10g": 1}]}""", "t.json")).Message);
    }

    [Fact]
    public void LimitsTableAndComparison()
    {
        var l = SarLimits.Default;
        Assert.Contains(l, x => x.MassG == 1 && x.LimitWPerKg == 1.6 && x.Source.Contains("1.1310"));
        Assert.Contains(l, x => x.MassG == 10 && x.LimitWPerKg == 4.0 && x.Applies.Contains("extremities"));
        Assert.Contains(l, x => x.MassG == 10 && x.LimitWPerKg == 2.0 && x.Source.Contains("1999/519/EC"));
        Assert.Contains(l, x => x.MassG == 1 && x.Regime.Contains("India"));
        Assert.All(l, x => Assert.False(string.IsNullOrWhiteSpace(x.Source)));
        var cmp = SarLimits.Compare(l, new Dictionary<double, double> { [1] = 1.5, [10] = 1.9 }, g => g == 1 ? 0.25 : 0.20);
        var fcc = cmp.Single(c => c.Limit.Id == "fcc-1g");
        Assert.Equal(0.1, fcc.MarginWPerKg, 12); Assert.Equal(0.375, fcc.ExpandedUncertaintyWPerKg, 12);
        Assert.True(fcc.WithinLimit); Assert.False(fcc.MarginCoversUncertainty);
        var eu = cmp.Single(c => c.Limit.Id == "icnirp-eu-head-trunk-10g");
        Assert.Equal(0.1, eu.MarginWPerKg, 12); Assert.True(eu.WithinLimit);
        var dir = Path.Combine(Support.SharedData.RepoRoot, "examples", "probe");
        var fromFile = SarLimits.Read(Path.Combine(dir, "limits.json"));
        Assert.Equal(l.Select(x => (x.Id, x.MassG, x.LimitWPerKg)), fromFile.Select(x => (x.Id, x.MassG, x.LimitWPerKg)));
        Assert.Equal(ProbeBudgetTemplate.Default.Rows.Count, ProbeBudgetTemplate.Read(Path.Combine(dir, "uncertainty_template.json")).Rows.Count);
    }
}
