using System.Globalization;
using System.Net;
using System.Text;

namespace SarKit.Reporting;

/// <summary>One polyline of a plot.</summary>
public sealed record SvgSeries(string Label, double[] X, double[] Y, string Colour, bool Dashed = false);

/// <summary>A horizontal reference line (e.g. a limit).</summary>
public sealed record SvgHLine(string Label, double Y, string Colour);

/// <summary>A vertical reference line (e.g. ratio = 1 in a histogram of predicted/true).</summary>
public sealed record SvgVLine(string Label, double X, string Colour);

/// <summary>
/// A minimal SVG 1.1 line-plot writer (no plotting library): axes with "nice" ticks, polylines, horizontal limit lines and a
/// legend. Output is plain text; <see cref="Write"/> writes atomically (temporary file, then rename).
/// </summary>
public sealed class SvgPlot
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    public string Title { get; init; } = "";
    public string XLabel { get; init; } = "";
    public string YLabel { get; init; } = "";
    public int Width { get; init; } = 900;
    public int Height { get; init; } = 480;
    public List<SvgSeries> Series { get; } = new();
    public List<SvgHLine> Lines { get; } = new();
    public List<SvgVLine> VLines { get; } = new();

    /// <summary>Default colour cycle.</summary>
    public static readonly string[] Palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"];

    public string Render()
    {
        const int left = 70, right = 220, top = 40, bottom = 55;
        double pw = Width - left - right, ph = Height - top - bottom;
        double xmin = double.PositiveInfinity, xmax = double.NegativeInfinity, ymax = 0;
        foreach (var s in Series)
            for (int i = 0; i < s.X.Length; i++)
            {
                if (!double.IsFinite(s.X[i]) || !double.IsFinite(s.Y[i])) continue;
                xmin = Math.Min(xmin, s.X[i]); xmax = Math.Max(xmax, s.X[i]); ymax = Math.Max(ymax, s.Y[i]);
            }
        foreach (var l in Lines) if (double.IsFinite(l.Y)) ymax = Math.Max(ymax, l.Y);
        foreach (var l in VLines) if (double.IsFinite(l.X)) { xmin = Math.Min(xmin, l.X); xmax = Math.Max(xmax, l.X); }
        if (!double.IsFinite(xmin)) { xmin = 0; xmax = 1; }
        if (xmax <= xmin) xmax = xmin + 1;
        if (ymax <= 0) ymax = 1;
        var yt = Ticks(0, ymax * 1.05); var xt = Ticks(xmin, xmax);
        double y1 = yt[^1], x0 = xmin, x1 = xmax;
        string X(double x) => F(left + (x - x0) / (x1 - x0) * pw);
        string Y(double y) => F(top + ph - y / y1 * ph);
        var sb = new StringBuilder();
        sb.Append($"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        sb.Append($"<rect x=\"0\" y=\"0\" width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n");
        sb.Append($"<text x=\"{F(left + pw / 2)}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">{E(Title)}</text>\n");
        foreach (var t in yt)
            sb.Append($"<line x1=\"{left}\" y1=\"{Y(t)}\" x2=\"{F(left + pw)}\" y2=\"{Y(t)}\" stroke=\"#ddd\"/><text x=\"{left - 6}\" y=\"{Y(t)}\" text-anchor=\"end\" dominant-baseline=\"middle\">{E(T(t))}</text>\n");
        foreach (var t in xt)
            if (t >= x0 - 1e-12 * Math.Abs(x1 - x0) && t <= x1 + 1e-12 * Math.Abs(x1 - x0))
                sb.Append($"<line x1=\"{X(t)}\" y1=\"{top}\" x2=\"{X(t)}\" y2=\"{F(top + ph)}\" stroke=\"#eee\"/><text x=\"{X(t)}\" y=\"{F(top + ph + 16)}\" text-anchor=\"middle\">{E(T(t))}</text>\n");
        sb.Append($"<rect x=\"{left}\" y=\"{top}\" width=\"{F(pw)}\" height=\"{F(ph)}\" fill=\"none\" stroke=\"black\"/>\n");
        sb.Append($"<text x=\"{F(left + pw / 2)}\" y=\"{Height - 12}\" text-anchor=\"middle\">{E(XLabel)}</text>\n");
        sb.Append($"<text x=\"16\" y=\"{F(top + ph / 2)}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {F(top + ph / 2)})\">{E(YLabel)}</text>\n");
        int legend = 0;
        void Legend(string label, string colour, bool dashed)
        {
            double ly = top + 10 + 18 * legend++;
            sb.Append($"<line x1=\"{F(left + pw + 12)}\" y1=\"{F(ly)}\" x2=\"{F(left + pw + 36)}\" y2=\"{F(ly)}\" stroke=\"{colour}\" stroke-width=\"2\"{(dashed ? " stroke-dasharray=\"6 4\"" : "")}/>");
            sb.Append($"<text x=\"{F(left + pw + 42)}\" y=\"{F(ly)}\" dominant-baseline=\"middle\">{E(label)}</text>\n");
        }
        foreach (var l in Lines)
        {
            sb.Append($"<line x1=\"{left}\" y1=\"{Y(l.Y)}\" x2=\"{F(left + pw)}\" y2=\"{Y(l.Y)}\" stroke=\"{l.Colour}\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>\n");
            Legend(l.Label, l.Colour, true);
        }
        foreach (var l in VLines)
        {
            if (!double.IsFinite(l.X)) continue;
            sb.Append($"<line x1=\"{X(l.X)}\" y1=\"{top}\" x2=\"{X(l.X)}\" y2=\"{F(top + ph)}\" stroke=\"{l.Colour}\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>\n");
            Legend(l.Label, l.Colour, true);
        }
        foreach (var s in Series)
        {
            var pts = new StringBuilder();
            for (int i = 0; i < s.X.Length; i++)
                if (double.IsFinite(s.X[i]) && double.IsFinite(s.Y[i])) pts.Append(X(s.X[i])).Append(',').Append(Y(s.Y[i])).Append(' ');
            sb.Append($"<polyline fill=\"none\" stroke=\"{s.Colour}\" stroke-width=\"1.8\"{(s.Dashed ? " stroke-dasharray=\"6 4\"" : "")} points=\"{pts.ToString().TrimEnd()}\"/>\n");
            Legend(s.Label, s.Colour, s.Dashed);
        }
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    /// <summary>Writes the SVG to <paramref name="path"/> atomically.</summary>
    public void Write(string path) => AtomicFile.Write(path, s => { var b = Encoding.UTF8.GetBytes(Render()); s.Write(b); });

    /// <summary>
    /// Counts of <paramref name="values"/> in <paramref name="bins"/> equal-width bins over [<paramref name="min"/>,
    /// <paramref name="max"/>]: bin k = [min + k·w, min + (k+1)·w), the last bin closed; values outside the range or not
    /// finite are not counted (see <c>outside</c>).
    /// </summary>
    public static int[] HistogramCounts(IReadOnlyList<double> values, double min, double max, int bins, out int outside)
    {
        if (bins < 1) throw new ArgumentOutOfRangeException(nameof(bins), "at least one bin");
        if (!(max > min) || !double.IsFinite(min) || !double.IsFinite(max)) throw new ArgumentOutOfRangeException(nameof(max), "expected finite min < max");
        var counts = new int[bins];
        outside = 0;
        double w = (max - min) / bins;
        foreach (var v in values)
        {
            if (!double.IsFinite(v) || v < min || v > max) { outside++; continue; }
            counts[Math.Min(bins - 1, (int)Math.Floor((v - min) / w))]++;
        }
        return counts;
    }

    /// <summary>
    /// A histogram plot: one step outline per data set (y = fraction of that set's values per bin, so sets of different
    /// sizes compare), equal-width bins over [<paramref name="min"/>, <paramref name="max"/>] (values outside are counted
    /// in the legend label), and optional vertical reference lines (e.g. ratio = 1). Render with <see cref="Render"/> or
    /// <see cref="PngPlot"/> like any other plot.
    /// </summary>
    public static SvgPlot Histogram(string title, string xLabel, IEnumerable<(string Label, IReadOnlyList<double> Values)> sets,
                                    double min, double max, int bins, params SvgVLine[] references)
    {
        var plot = new SvgPlot { Title = title, XLabel = xLabel, YLabel = "fraction of cases per bin" };
        int k = 0;
        double w = (max - min) / bins;
        foreach (var (label, values) in sets)
        {
            var c = HistogramCounts(values, min, max, bins, out int outside);
            double n = Math.Max(1, values.Count);
            var x = new double[2 * bins + 2]; var y = new double[2 * bins + 2];
            x[0] = min; y[0] = 0;
            for (int b = 0; b < bins; b++)
            {
                x[2 * b + 1] = min + b * w; y[2 * b + 1] = c[b] / n;
                x[2 * b + 2] = min + (b + 1) * w; y[2 * b + 2] = c[b] / n;
            }
            x[^1] = max; y[^1] = 0;
            string l = outside > 0 ? FormattableString.Invariant($"{label} ({outside} outside)") : label;
            plot.Series.Add(new SvgSeries(l, x, y, Palette[k++ % Palette.Length]));
        }
        plot.VLines.AddRange(references);
        return plot;
    }

    /// <summary>About 6 "nice" ticks (1, 2, 5 × 10^k) covering [a, b].</summary>
    public static double[] Ticks(double a, double b)
    {
        double span = b - a;
        if (!(span > 0)) return [a, a + 1];
        double raw = span / 6, mag = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = raw / mag < 1.5 ? mag : raw / mag < 3.5 ? 2 * mag : raw / mag < 7.5 ? 5 * mag : 10 * mag;
        double start = Math.Floor(a / step) * step;
        var t = new List<double>();
        for (double v = start; v < b + step * 0.999; v += step) t.Add(Math.Round(v / step) * step);
        if (t.Count < 2) t.Add(t[^1] + step);
        return t.ToArray();
    }

    private static string F(double v) => v.ToString("0.##", Inv);
    private static string T(double v) => v.ToString("G4", Inv);
    private static string E(string s) => WebUtility.HtmlEncode(s);
}
