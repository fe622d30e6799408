using System.Xml.Linq;
using SarKit.Plotting;
using SarKit.Tests.Plotting;

namespace SarKit.Tests.Supervision;

public class HistogramPlotTests
{
    [Fact]
    public void Counts_use_half_open_bins_with_a_closed_last_bin_and_report_values_outside()
    {
        var c = Histogram.Counts([0.0, 0.49, 0.5, 0.99, 1.0, 1.0, -0.1, 1.2, double.NaN], 0, 1, 2, out int outside);
        Assert.Equal([2, 4], c);      // [0, 0.5): 0, 0.49; [0.5, 1]: 0.5, 0.99, 1, 1
        Assert.Equal(3, outside);
        Assert.Throws<ArgumentOutOfRangeException>(() => Histogram.Counts([1.0], 1, 1, 3, out _));
    }

    [Fact]
    public void Histogram_svg_has_step_outlines_fractions_a_reference_line_and_a_legend()
    {
        var a = new double[] { 0.8, 1.1, 1.1, 1.3 };
        var b = new double[] { 1.5, 1.6, 2.5 };
        var plot = Histogram.Plot("ratios", "predicted / true", [("model", a), ("vop", b)], 0.5, 2.0, 3, new VLine("ratio = 1", 1.0, "#000000"));
        Assert.Equal(2, plot.Series.Count);
        var s = plot.Series[0];
        // bins [0.5, 1), [1, 1.5), [1.5, 2]: a → 1, 3, 0 of 4 values
        Assert.Equal([0.5, 0.5, 1.0, 1.0, 1.5, 1.5, 2.0, 2.0], s.X);
        Assert.Equal([0, 0.25, 0.25, 0.75, 0.75, 0, 0, 0], s.Y);
        Assert.Equal("vop (1 outside)", plot.Series[1].Label);
        Assert.Equal([0, 0, 0, 0, 0, 2 / 3.0, 2 / 3.0, 0], plot.Series[1].Y);
        var svg = plot.RenderSvg();
        var doc = XDocument.Parse(svg);
        XNamespace ns = "http://www.w3.org/2000/svg";
        var texts = doc.Descendants(ns + "text").Select(t => t.Value.Trim()).ToList();
        Assert.Contains("ratios", texts); Assert.Contains("predicted / true", texts); Assert.Contains("fraction of cases per bin", texts);
        Assert.Contains("model", texts); Assert.Contains("vop (1 outside)", texts); Assert.Contains("ratio = 1", texts);
        // one stroked outline per set in its palette colour (plus its legend swatch)
        foreach (var hex in Chart.Palette[..2])
            Assert.True(doc.Descendants(ns + "path").Count(p => string.Equals((string?)p.Attribute("stroke"), hex, StringComparison.OrdinalIgnoreCase)) >= 2, hex);
    }

    [Fact]
    public void Histogram_png_draws_the_reference_line_at_its_x()
    {
        var plot = Histogram.Plot("h", "x (1)", [("a", new double[] { 0.2, 0.4, 0.4, 1.7 })], 0, 2, 4, new VLine("one", 1.0, "#d62728"));
        var png = PngCheck.Decode(plot.RenderPng(out var f));
        // the dashed vertical line: red pixels in column X(1) over a good part of the data-area height
        int x = f.X(1.0), reds = 0;
        for (int y = (int)f.Top + 2; y < (int)(f.Top + f.Height) - 2; y++) if (png.NearestDistance(x, y, (0xd6, 0x27, 0x28), 1) <= 40) reds++;
        Assert.True(reds > 0.3 * f.Height, $"{reds} red pixels of {f.Height}");
        // the step outline reaches the bin height 0.75 (three of four values in [0, 0.5)) left of the line
        Assert.True(png.NearestDistance(f.X(0.25), f.Y(0.75), (0x1f, 0x77, 0xb4), 1) <= 40);
    }
}
