using System.Globalization;
using System.Text;
using ScottPlot;

namespace SarKit.Plotting;

/// <summary>
/// What every SarKit picture shares: a title, axis labels with units, a size in pixels, and rendering to PNG or SVG
/// through ScottPlot with the embedded font (<see cref="PlotFonts"/>). A picture without a title or axis label is
/// refused (<see cref="ArgumentException"/>): a plot must say what it shows and in which unit.
/// </summary>
public abstract class Chart
{
    /// <summary>Title above the data area.</summary>
    public string Title { get; init; } = "";
    /// <summary>Label of the horizontal axis, with its unit, e.g. "x (mm)".</summary>
    public string XLabel { get; init; } = "";
    /// <summary>Label of the vertical axis, with its unit, e.g. "SAR (W/kg)".</summary>
    public string YLabel { get; init; } = "";
    /// <summary>Width in pixels (PNG) or user units (SVG).</summary>
    public int Width { get; init; } = 900;
    /// <summary>Height in pixels (PNG) or user units (SVG).</summary>
    public int Height { get; init; } = 480;

    /// <summary>Default colour cycle ("#rrggbb"; the Tableau 10 colours).</summary>
    public static readonly string[] Palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"];

    private protected static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Adds the plottables to <paramref name="plot"/> and sets its axis limits.</summary>
    private protected abstract void Build(Plot plot);

    /// <summary>Checks the data (finite values, labels); throws <see cref="ArgumentException"/> naming what is wrong.</summary>
    private protected virtual void Validate()
    {
        if (string.IsNullOrWhiteSpace(Title)) throw new ArgumentException("a plot needs a title", nameof(Title));
        if (string.IsNullOrWhiteSpace(XLabel) || string.IsNullOrWhiteSpace(YLabel)) throw new ArgumentException($"plot '{Title}': both axes need a label with a unit", nameof(XLabel));
        if (Width < 200 || Height < 150 || (long)Width * Height > 1 << 24) throw new ArgumentOutOfRangeException(nameof(Width), $"plot '{Title}': {Width}×{Height} px; expected at least 200×150 and at most 2^24 pixels");
    }

    private Plot Create()
    {
        Validate();
        _ = PlotFonts.Typeface;
        var plot = new Plot();
        plot.Font.Set(PlotFonts.Family);
        plot.Title(Title, size: 15);
        plot.XLabel(XLabel, size: 13);
        plot.YLabel(YLabel, size: 13);
        plot.Axes.Title.Label.Bold = false;
        plot.Axes.Bottom.Label.Bold = false;
        plot.Axes.Left.Label.Bold = false;
        Build(plot);
        return plot;
    }

    /// <summary>The picture as PNG bytes; <paramref name="frame"/> maps data coordinates to its pixels.</summary>
    public byte[] RenderPng(out PlotFrame frame)
    {
        lock (RenderGate)
        {
            var plot = Create();
            var bytes = plot.GetImageBytes(Width, Height, ImageFormat.Png);
            var r = plot.LastRender.DataRect;
            var lim = plot.Axes.GetLimits();
            frame = new PlotFrame(r.Left, r.Top, r.Width, r.Height, lim.Left, lim.Right, lim.Bottom, lim.Top);
            return bytes;
        }
    }

    /// <summary>The picture as PNG bytes.</summary>
    public byte[] RenderPng() => RenderPng(out _);

    /// <summary>The picture as an SVG document (UTF-8 text).</summary>
    public string RenderSvg()
    {
        lock (RenderGate)
        {
            var plot = Create();
            return plot.GetSvgXml(Width, Height);
        }
    }

    /// <summary>The picture in <paramref name="format"/>.</summary>
    public byte[] Render(PlotFormat format) => format == PlotFormat.Png ? RenderPng() : new UTF8Encoding(false).GetBytes(RenderSvg());

    /// <summary>Writes the picture atomically; the format follows the extension (.png or .svg, else <see cref="ArgumentException"/>).</summary>
    public void Write(string path)
    {
        var f = PlotFile.FormatOf(path) ?? throw new ArgumentException($"'{path}': a plot is written as .png or .svg", nameof(path));
        PlotFile.WriteBytes(path, Render(f));
    }

    // ScottPlot's font registry is process-wide; rendering is serialised so that concurrent reports (web requests) never race on it
    private static readonly Lock RenderGate = new();

    /// <summary>"#rrggbb" → colour (refuses anything else: a silent fallback colour would mislabel a legend).</summary>
    private protected static Color ParseColour(string hex)
    {
        if (hex.Length == 7 && hex[0] == '#' && int.TryParse(hex.AsSpan(1), NumberStyles.HexNumber, Inv, out int v))
            return new Color((byte)(v >> 16), (byte)(v >> 8), (byte)v);
        throw new ArgumentException($"colour '{hex}': expected #rrggbb", nameof(hex));
    }

    /// <summary>Throws when any value is not finite, naming the series and the index.</summary>
    private protected static void RequireFinite(string what, IReadOnlyList<double> v)
    {
        for (int i = 0; i < v.Count; i++)
            if (!double.IsFinite(v[i])) throw new ArgumentException($"plot data '{what}'[{i}] = {v[i].ToString(Inv)}: a plot shows finite values only");
    }
}
