using System.Globalization;

namespace SarKit.Reporting;

/// <summary>Pixel mapping of a rasterised plot: data (x, y) → pixel (column, row), row 0 at the top.</summary>
/// <param name="Left">First pixel column of the plot area.</param>
/// <param name="Top">First pixel row of the plot area.</param>
/// <param name="Width">Plot-area width, pixels.</param>
/// <param name="Height">Plot-area height, pixels.</param>
/// <param name="X0">Data x at the left edge.</param>
/// <param name="X1">Data x at the right edge.</param>
/// <param name="Y1">Data y at the top edge (the bottom edge is y = 0).</param>
public readonly record struct PlotFrame(int Left, int Top, int Width, int Height, double X0, double X1, double Y1)
{
    /// <summary>Pixel column of data x.</summary>
    public int X(double x) => Left + (int)Math.Round((x - X0) / (X1 - X0) * Width);
    /// <summary>Pixel row of data y.</summary>
    public int Y(double y) => Top + Height - (int)Math.Round(y / Y1 * Height);
}

/// <summary>
/// Rasterises an <see cref="SvgPlot"/> (same series, limit lines and axis ranges) into a <see cref="PngImage"/> with the
/// project's own line drawing (Bresenham, <see cref="PngImage.Line"/>) and PNG encoder — no plotting or font library:
/// there is no text; axes carry tick marks at the same "nice" values as the SVG, limit lines (horizontal and vertical) are dashed, series solid,
/// and a legend column shows one colour swatch per line in the order of the SVG legend (limit lines first).
/// </summary>
public static class PngPlot
{
    private const int LeftMargin = 50, RightMargin = 60, TopMargin = 20, BottomMargin = 30;

    /// <summary>Renders <paramref name="plot"/> (its Width × Height) and returns the pixel mapping in <paramref name="frame"/>.</summary>
    public static PngImage Render(SvgPlot plot, out PlotFrame frame)
    {
        var img = new PngImage(plot.Width, plot.Height);
        int pw = plot.Width - LeftMargin - RightMargin, ph = plot.Height - TopMargin - BottomMargin;
        if (pw < 10 || ph < 10) throw new ArgumentOutOfRangeException(nameof(plot), $"plot {plot.Width}×{plot.Height} px is too small");
        double xmin = double.PositiveInfinity, xmax = double.NegativeInfinity, ymax = 0;
        foreach (var s in plot.Series)
            for (int i = 0; i < s.X.Length; i++)
            {
                if (!double.IsFinite(s.X[i]) || !double.IsFinite(s.Y[i])) continue;
                xmin = Math.Min(xmin, s.X[i]); xmax = Math.Max(xmax, s.X[i]); ymax = Math.Max(ymax, s.Y[i]);
            }
        foreach (var l in plot.Lines) if (double.IsFinite(l.Y)) ymax = Math.Max(ymax, l.Y);
        foreach (var l in plot.VLines) if (double.IsFinite(l.X)) { xmin = Math.Min(xmin, l.X); xmax = Math.Max(xmax, l.X); }
        if (!double.IsFinite(xmin)) { xmin = 0; xmax = 1; }
        if (xmax <= xmin) xmax = xmin + 1;
        if (ymax <= 0) ymax = 1;
        var yt = SvgPlot.Ticks(0, ymax * 1.05); var xt = SvgPlot.Ticks(xmin, xmax);
        var f = new PlotFrame(LeftMargin, TopMargin, pw, ph, xmin, xmax, yt[^1]);
        frame = f;
        var grid = new Rgb(225, 225, 225);
        foreach (var t in yt) { img.Line(f.Left, f.Y(t), f.Left + pw, f.Y(t), grid); img.Line(f.Left - 5, f.Y(t), f.Left, f.Y(t), Rgb.Black); }
        foreach (var t in xt)
            if (t >= xmin - 1e-12 * (xmax - xmin) && t <= xmax + 1e-12 * (xmax - xmin))
            { img.Line(f.X(t), f.Top, f.X(t), f.Top + ph, grid); img.Line(f.X(t), f.Top + ph, f.X(t), f.Top + ph + 5, Rgb.Black); }
        // axes before the data so that a curve at SAR ≈ 0 stays visible on top of the x axis
        img.Line(f.Left, f.Top + ph, f.Left + pw, f.Top + ph, Rgb.Black);
        img.Line(f.Left, f.Top, f.Left, f.Top + ph, Rgb.Black);
        int legend = 0;
        void Swatch(Rgb c, bool dashed)
        {
            int y = f.Top + 6 + 12 * legend++, x0 = f.Left + pw + 12;
            if (y > plot.Height - 4) return;
            for (int x = x0; x < x0 + 30; x++) if (!dashed || (x - x0) % 10 < 6) img.FillRect(x, y - 1, x + 1, y + 2, c);
        }
        foreach (var l in plot.Lines)
        {
            var c = ParseColour(l.Colour);
            if (double.IsFinite(l.Y) && l.Y >= 0 && l.Y <= f.Y1)
            {
                int y = f.Y(l.Y);
                for (int x = f.Left; x <= f.Left + pw; x++) if ((x - f.Left) % 10 < 6) img.FillRect(x, y, x + 1, y + 2, c); // dashed, 2 px
            }
            Swatch(c, true);
        }
        foreach (var l in plot.VLines)
        {
            var c = ParseColour(l.Colour);
            if (double.IsFinite(l.X))
            {
                int x = f.X(l.X);
                for (int y = f.Top; y <= f.Top + ph; y++) if ((y - f.Top) % 10 < 6) img.FillRect(x, y, x + 2, y + 1, c); // dashed, 2 px
            }
            Swatch(c, true);
        }
        foreach (var s in plot.Series)
        {
            var c = ParseColour(s.Colour);
            int? lx = null, ly = null;
            for (int i = 0; i < s.X.Length; i++)
            {
                if (!double.IsFinite(s.X[i]) || !double.IsFinite(s.Y[i])) { lx = null; continue; }
                int cx = f.X(s.X[i]), cy = Math.Clamp(f.Y(s.Y[i]), f.Top - 2, f.Top + ph + 2);
                if (lx is int ax && ly is int ay) img.Line(ax, ay, cx, cy, c, 2); else img.FillRect(cx - 1, cy - 1, cx + 1, cy + 1, c);
                lx = cx; ly = cy;
            }
            Swatch(c, false);
        }
        return img;
    }

    /// <summary>Renders and writes the PNG atomically.</summary>
    public static void Write(SvgPlot plot, string path) => Render(plot, out _).Save(path);

    /// <summary>Parses "#rrggbb" (the colours of <see cref="SvgPlot.Palette"/>); anything else is black.</summary>
    public static Rgb ParseColour(string hex)
    {
        if (hex.Length == 7 && hex[0] == '#' && int.TryParse(hex.AsSpan(1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int v))
            return new Rgb((byte)(v >> 16), (byte)(v >> 8), (byte)v);
        return Rgb.Black;
    }
}
