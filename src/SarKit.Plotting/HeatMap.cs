using ScottPlot;

namespace SarKit.Plotting;

/// <summary>A labelled point drawn on a <see cref="HeatMap"/> (e.g. the interpolated peak), with a legend entry.</summary>
/// <param name="Label">Legend text.</param>
/// <param name="X">x in the map's axis unit.</param>
/// <param name="Y">y in the map's axis unit.</param>
public sealed record MapMarker(string Label, double X, double Y);

/// <summary>
/// A map of values on a regular grid: <c>Values[j·Nx + i]</c> is the cell centred at (x_i, y_j), x_i running from
/// <see cref="XFirst"/> to <see cref="XLast"/> and y_j from <see cref="YFirst"/> to <see cref="YLast"/> (y upwards);
/// equal scale on both axes; a linear colour scale (Turbo: dark blue = low, dark red = high) from
/// <see cref="Min"/> (default 0, or the smallest value if negative) to <see cref="Max"/> (default the largest value),
/// shown by a colour bar with values and <see cref="ColourBarLabel"/>. Fail-closed: ±∞ is refused always; NaN is refused
/// unless <see cref="NaNIsNoData"/> (then drawn light grey, and the colour-bar label says "grey = no data").
/// </summary>
public sealed class HeatMap : Chart
{
    /// <summary>Row-major values, y index outer.</summary>
    public required double[] Values { get; init; }
    /// <summary>Cells along x.</summary>
    public required int Nx { get; init; }
    /// <summary>Cells along y.</summary>
    public required int Ny { get; init; }
    /// <summary>x of the first cell centre (axis unit).</summary>
    public required double XFirst { get; init; }
    /// <summary>x of the last cell centre.</summary>
    public required double XLast { get; init; }
    /// <summary>y of the first cell centre.</summary>
    public required double YFirst { get; init; }
    /// <summary>y of the last cell centre.</summary>
    public required double YLast { get; init; }
    /// <summary>Label of the colour bar, with the unit, e.g. "SAR (W/kg)".</summary>
    public string ColourBarLabel { get; init; } = "";
    /// <summary>Lower end of the colour scale (null: 0, or the smallest value when one is negative).</summary>
    public double? Min { get; init; }
    /// <summary>Upper end of the colour scale (null: the largest value).</summary>
    public double? Max { get; init; }
    /// <summary>NaN marks cells without data (e.g. outside the body); otherwise a NaN is refused.</summary>
    public bool NaNIsNoData { get; init; }
    /// <summary>Points marked with a cross.</summary>
    public List<MapMarker> Markers { get; } = new();

    /// <summary>
    /// Picture height for <see cref="Chart.Width"/> such that the map's equal-scale data area fills the space beside
    /// the colour bar (a tall map gets a tall picture), clamped to 260…1400 px.
    /// </summary>
    public static int FittingHeight(int width, double xSpan, double ySpan) =>
        (int)Math.Clamp(Math.Round((width - 150) * ySpan / xSpan + 95), 260, 1400);

    private static readonly IColormap Colormap = new ScottPlot.Colormaps.Turbo();

    /// <summary>The colour (R, G, B) this map gives <paramref name="value"/>: the colour scale over <see cref="ColourRange"/>, clamped at its ends; NaN → no-data grey.</summary>
    public (byte R, byte G, byte B) ColourOf(double value)
    {
        var c = double.IsNaN(value) ? NoDataColour : Colormap.GetColor(Math.Clamp((value - ColourRange().Min) / (ColourRange().Max - ColourRange().Min), 0, 1));
        return (c.R, c.G, c.B);
    }

    /// <summary>Colour used for no-data cells.</summary>
    public static readonly Color NoDataColour = new(200, 200, 200);

    private protected override void Validate()
    {
        base.Validate();
        if (Nx < 1 || Ny < 1 || Values.Length != (long)Nx * Ny) throw new ArgumentException($"plot '{Title}': {Values.Length} values for a {Nx}×{Ny} grid");
        if (string.IsNullOrWhiteSpace(ColourBarLabel)) throw new ArgumentException($"plot '{Title}': the colour bar needs a label with a unit", nameof(ColourBarLabel));
        RequireFinite("x range", [XFirst, XLast, YFirst, YLast]);
        if ((Nx > 1 && !(XLast > XFirst)) || (Ny > 1 && !(YLast > YFirst))) throw new ArgumentException($"plot '{Title}': cell centres must increase along x and y");
        int finite = 0;
        for (int k = 0; k < Values.Length; k++)
        {
            double v = Values[k];
            if (double.IsFinite(v)) { finite++; continue; }
            if (double.IsNaN(v) && NaNIsNoData) continue;
            throw new ArgumentException($"plot '{Title}': value at x index {k % Nx}, y index {k / Nx} is {v.ToString(Inv)}; a map shows finite values only" +
                (double.IsNaN(v) ? " (NaN is not a no-data mark here)" : ""));
        }
        if (finite == 0) throw new ArgumentException($"plot '{Title}': no finite value to show");
        foreach (var m in Markers) RequireFinite(m.Label, [m.X, m.Y]);
    }

    /// <summary>The colour-scale range actually used (after defaults).</summary>
    public (double Min, double Max) ColourRange()
    {
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        foreach (var v in Values) if (double.IsFinite(v)) { lo = Math.Min(lo, v); hi = Math.Max(hi, v); }
        double min = Min ?? Math.Min(0, lo), max = Max ?? hi;
        if (!(max > min)) max = min + (min == 0 ? 1 : Math.Abs(min) * 1e-6);
        return (min, max);
    }

    private protected override void Build(Plot plot)
    {
        double dx = Nx > 1 ? (XLast - XFirst) / (Nx - 1) : 1, dy = Ny > 1 ? (YLast - YFirst) / (Ny - 1) : 1;
        var grid = new double[Ny, Nx];
        for (int j = 0; j < Ny; j++)
            for (int i = 0; i < Nx; i++) grid[Ny - 1 - j, i] = Values[j * Nx + i]; // row 0 is drawn at the top
        var (min, max) = ColourRange();
        var hm = plot.Add.Heatmap(grid);
        hm.Colormap = Colormap;
        hm.ManualRange = new ScottPlot.Range(min, max);
        hm.NaNCellColor = NoDataColour;
        double x0 = XFirst - dx / 2, x1 = XLast + dx / 2, y0 = YFirst - dy / 2, y1 = YLast + dy / 2;
        hm.Extent = new CoordinateRect(x0, x1, y0, y1);
        bool anyNaN = Values.Any(double.IsNaN);
        var cb = plot.Add.ColorBar(hm);
        cb.Label = anyNaN ? ColourBarLabel + "; grey = no data" : ColourBarLabel;
        cb.LabelStyle.Bold = false;
        cb.LabelStyle.FontSize = 13;
        foreach (var m in Markers)
        {
            var mk = plot.Add.Marker(m.X, m.Y, MarkerShape.Cross, 16, Colors.White);
            mk.MarkerLineWidth = 4;
            var mk2 = plot.Add.Marker(m.X, m.Y, MarkerShape.Cross, 14, Colors.Black);
            mk2.MarkerLineWidth = 1.5f;
            mk2.LegendText = m.Label;
        }
        plot.Axes.SetLimits(x0, x1, y0, y1);
        plot.Axes.SquareUnits();
        if (Markers.Count > 0) { plot.ShowLegend(Alignment.UpperLeft); }
        else plot.HideLegend();
    }
}
