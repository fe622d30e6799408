using ScottPlot;

namespace SarKit.Plotting;

/// <summary>One data series of a <see cref="LinePlot"/>.</summary>
/// <param name="Label">Legend text.</param>
/// <param name="X">Abscissae (finite).</param>
/// <param name="Y">Ordinates (finite), as many as <paramref name="X"/>.</param>
/// <param name="Colour">"#rrggbb".</param>
/// <param name="Dashed">Dashed instead of solid line.</param>
/// <param name="Style">Line, points (open squares), or both.</param>
/// <param name="LineWidth">Line width in pixels.</param>
public sealed record LineSeries(string Label, double[] X, double[] Y, string Colour, bool Dashed = false, SeriesStyle Style = SeriesStyle.Line, float LineWidth = 2);

/// <summary>How a <see cref="LineSeries"/> is drawn.</summary>
public enum SeriesStyle
{
    /// <summary>A polyline through the points.</summary>
    Line,
    /// <summary>Markers only (measured points).</summary>
    Points,
}

/// <summary>A horizontal reference line (e.g. a limit), dashed, with a legend entry.</summary>
public sealed record HLine(string Label, double Y, string Colour);

/// <summary>A vertical reference line (e.g. ratio = 1 in a histogram, the first measured depth), dashed, with a legend entry.</summary>
public sealed record VLine(string Label, double X, string Colour);

/// <summary>
/// An x–y plot: polylines or point series, horizontal and vertical dashed reference lines, a legend (right of the data
/// area) when there is more than one labelled item, axes with ticks, labels and units. The y axis starts at 0 unless
/// a value is negative (SAR, fractions); the x range spans the data and the vertical lines. Values must be finite.
/// </summary>
public sealed class LinePlot : Chart
{
    /// <summary>The data series, drawn in order.</summary>
    public List<LineSeries> Series { get; } = new();
    /// <summary>Horizontal reference lines.</summary>
    public List<HLine> HLines { get; } = new();
    /// <summary>Vertical reference lines.</summary>
    public List<VLine> VLines { get; } = new();
    /// <summary>Legend inside the data area, upper right (for curves that leave that corner free), instead of right of it.</summary>
    public bool LegendInside { get; init; }
    /// <summary>Fixed x range (null: from the data).</summary>
    public (double Min, double Max)? XRange { get; init; }

    private protected override void Validate()
    {
        base.Validate();
        foreach (var s in Series)
        {
            if (s.X.Length != s.Y.Length) throw new ArgumentException($"plot '{Title}', series '{s.Label}': {s.X.Length} x values but {s.Y.Length} y values");
            RequireFinite($"{s.Label}.x", s.X); RequireFinite($"{s.Label}.y", s.Y);
        }
        foreach (var l in HLines) RequireFinite(l.Label, [l.Y]);
        foreach (var l in VLines) RequireFinite(l.Label, [l.X]);
    }

    private protected override void Build(Plot plot)
    {
        double xmin = double.PositiveInfinity, xmax = double.NegativeInfinity, ymin = 0, ymax = 0;
        foreach (var s in Series)
        {
            foreach (var x in s.X) { xmin = Math.Min(xmin, x); xmax = Math.Max(xmax, x); }
            foreach (var y in s.Y) { ymin = Math.Min(ymin, y); ymax = Math.Max(ymax, y); }
        }
        foreach (var l in HLines) { ymin = Math.Min(ymin, l.Y); ymax = Math.Max(ymax, l.Y); }
        foreach (var l in VLines) { xmin = Math.Min(xmin, l.X); xmax = Math.Max(xmax, l.X); }
        if (XRange is { } xr) { xmin = xr.Min; xmax = xr.Max; }
        if (!double.IsFinite(xmin)) { xmin = 0; xmax = 1; }
        if (xmax <= xmin) { xmin -= 0.5; xmax += 0.5; }
        if (ymax <= ymin) ymax = ymin + 1;
        double pad = 0.05 * (ymax - ymin);
        // reference lines first so that the data are drawn on top; legend order: lines, then series (as in the old SVG)
        foreach (var l in HLines)
        {
            var h = plot.Add.HorizontalLine(l.Y, 1.5f, ParseColour(l.Colour), LinePattern.Dashed);
            h.LegendText = l.Label;
        }
        foreach (var l in VLines)
        {
            var v = plot.Add.VerticalLine(l.X, 1.5f, ParseColour(l.Colour), LinePattern.Dashed);
            v.LegendText = l.Label;
        }
        foreach (var s in Series)
        {
            var sc = plot.Add.Scatter(s.X, s.Y, ParseColour(s.Colour));
            sc.LegendText = s.Label;
            if (s.Style == SeriesStyle.Points)
            {
                sc.LineWidth = 0; sc.MarkerSize = 8; sc.MarkerShape = MarkerShape.OpenSquare; sc.MarkerLineWidth = 1.5f;
            }
            else
            {
                sc.LineWidth = s.LineWidth; sc.MarkerSize = 0;
                if (s.Dashed) sc.LinePattern = LinePattern.Dashed;
            }
        }
        plot.Axes.SetLimits(xmin, xmax, ymin < 0 ? ymin - pad : 0, ymax + pad);
        int labelled = Series.Count + HLines.Count + VLines.Count;
        if (labelled > 1 && LegendInside) plot.ShowLegend(Alignment.UpperRight);
        else if (labelled > 1) plot.ShowLegend(Edge.Right);
        else plot.HideLegend();
    }
}
