using SarKit.Plotting;
using SarKit.Tests.Plotting;

namespace SarKit.Tests.Supervision;

public class PngPlotTests
{
    [Fact]
    public void TimelinePngDecodesAndShowsTheCurveAndTheDashedLimitLine()
    {
        var x = Enumerable.Range(0, 101).Select(i => i * 0.1).ToArray();
        var y = x.Select(v => 0.5 * v).ToArray(); // ramp 0 → 5
        var plot = new LinePlot { Title = "ramp", XLabel = "t (s)", YLabel = "SAR (W/kg)", Width = 640, Height = 360 };
        plot.Series.Add(new LineSeries("ramp", x, y, "#1f77b4"));
        plot.HLines.Add(new HLine("limit", 4.0, "#d62728"));
        var d = PngCheck.Decode(plot.RenderPng(out var f));
        Assert.Equal(640, d.Width); Assert.Equal(360, d.Height);
        (byte, byte, byte) blue = (0x1f, 0x77, 0xb4), red = (0xd6, 0x27, 0x28);
        // dashed limit line: along row Y(4) (±1 px for anti-aliasing) about half of the data-area columns are red, with gaps
        int row = f.Y(4.0), reds = 0, width = (int)f.Width;
        bool gap = false;
        for (int c = (int)f.Left + 2; c < (int)(f.Left + f.Width) - 2; c++)
        {
            bool r = Enumerable.Range(-1, 3).Any(dy => d.Distance(c, row + dy, red) <= 40);
            if (r) reds++; else if (d.NearestDistance(c, row, blue, 2) > 60) gap = true;
        }
        Assert.InRange(reds, (int)(0.35 * width), (int)(0.8 * width));
        Assert.True(gap, "the limit line is not dashed");
        // the ramp passes through its data points (2 px wide line)
        foreach (double xv in new[] { 1.0, 3.3, 5.0, 9.0 })
            Assert.True(d.NearestDistance(f.X(xv), f.Y(0.5 * xv), blue, 1) <= 40, $"no curve pixel near x = {xv}");
        // nothing blue far from the ramp (above it at x = 1.55, y = 4.55), background white there
        Assert.True(d.NearestDistance(f.X(1.55), f.Y(4.55), blue, 3) > 100);
        Assert.True(d.Distance(f.X(1.55), f.Y(4.55), ((byte)255, (byte)255, (byte)255)) <= 40);
        // the left axis line is dark
        Assert.True(d.NearestDistance((int)Math.Round(f.Left), f.Y(2.5), ((byte)0, (byte)0, (byte)0), 1) <= 60);
    }

    [Fact]
    public void ColoursParseFromThePalette()
    {
        Assert.Equal(((byte)0x1f, (byte)0x77, (byte)0xb4), PngCheck.Hex(Chart.Palette[0]));
        // a colour that is not #rrggbb is refused, not drawn black (a legend would lie)
        var p = new LinePlot { Title = "t", XLabel = "x (1)", YLabel = "y (1)" };
        p.Series.Add(new LineSeries("a", [0.0, 1.0], [0.0, 1.0], "blue"));
        Assert.Throws<ArgumentException>(() => p.RenderPng());
    }
}
