using System.Xml.Linq;
using SarKit.Reporting;

namespace SarKit.Tests.Supervision;

public class HistogramPlotTests
{
    [Fact]
    public void Counts_use_half_open_bins_with_a_closed_last_bin_and_report_values_outside()
    {
        var c = SvgPlot.HistogramCounts([0.0, 0.49, 0.5, 0.99, 1.0, 1.0, -0.1, 1.2, double.NaN], 0, 1, 2, out int outside);
        Assert.Equal([2, 4], c);      // [0, 0.5): 0, 0.49; [0.5, 1]: 0.5, 0.99, 1, 1
        Assert.Equal(3, outside);
        Assert.Throws<ArgumentOutOfRangeException>(() => SvgPlot.HistogramCounts([1.0], 1, 1, 3, out _));
    }

    [Fact]
    public void Histogram_svg_has_step_outlines_fractions_a_reference_line_and_a_legend()
    {
        var a = new double[] { 0.8, 1.1, 1.1, 1.3 };
        var b = new double[] { 1.5, 1.6, 2.5 };
        var plot = SvgPlot.Histogram("ratios", "predicted / true", [("model", a), ("vop", b)], 0.5, 2.0, 3, new SvgVLine("ratio = 1", 1.0, "#000000"));
        Assert.Equal(2, plot.Series.Count);
        var s = plot.Series[0];
        // bins [0.5, 1), [1, 1.5), [1.5, 2]: a → 1, 3, 0 of 4 values
        Assert.Equal([0.5, 0.5, 1.0, 1.0, 1.5, 1.5, 2.0, 2.0], s.X);
        Assert.Equal([0, 0.25, 0.25, 0.75, 0.75, 0, 0, 0], s.Y);
        Assert.Equal("vop (1 outside)", plot.Series[1].Label);
        Assert.Equal([0, 0, 0, 0, 0, 2 / 3.0, 2 / 3.0, 0], plot.Series[1].Y);
        var svg = plot.Render();
        var doc = XDocument.Parse(svg);
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.Equal(2, doc.Descendants(ns + "polyline").Count());
        var texts = doc.Descendants(ns + "text").Select(t => t.Value).ToList();
        Assert.Contains("ratios", texts); Assert.Contains("predicted / true", texts); Assert.Contains("fraction of cases per bin", texts);
        Assert.Contains("model", texts); Assert.Contains("ratio = 1", texts);
        // the reference line is vertical (x1 = x2) and spans the plot height
        var v = doc.Descendants(ns + "line").Single(l => (string?)l.Attribute("stroke") == "#000000" && (string?)l.Attribute("stroke-dasharray") == "6 4" && l.Attribute("x1")!.Value == l.Attribute("x2")!.Value);
        Assert.NotEqual(v.Attribute("y1")!.Value, v.Attribute("y2")!.Value);
    }

    [Fact]
    public void Histogram_png_draws_the_reference_line_at_its_x()
    {
        var plot = SvgPlot.Histogram("h", "x", [("a", new double[] { 0.2, 0.4, 0.4, 1.7 })], 0, 2, 4, new SvgVLine("one", 1.0, "#d62728"));
        var img = PngPlot.Render(plot, out var f);
        var png = PngCheck.Decode(img.Encode());
        int x = f.X(1.0), y = f.Top + 2;
        Assert.Equal(((byte)0xd6, (byte)0x27, (byte)0x28), png.At(x, y));
        // the step outline reaches the bin height 0.75 (three of four values in [0, 0.5)) left of the line
        Assert.Equal(((byte)0x1f, (byte)0x77, (byte)0xb4), png.At(f.X(0.25), f.Y(0.75)));
    }
}
