using SarKit.Reporting;

namespace SarKit.Measurement.Probe;

/// <summary>
/// Pictures of a probe scan drawn into <see cref="PngImage"/> (no plotting library): a heat map of a gridded map with a
/// colour bar and a marker, and an x–y plot of measured points with fitted curves. No text is drawn; the report
/// caption states the axis ranges.
/// </summary>
public static class ScanPlots
{
    /// <summary>
    /// Heat map of values[j·nx + i] (row j = y, drawn with y upwards), linear colour scale from 0 to the maximum,
    /// <paramref name="pixelsPerCell"/> per grid cell, colour bar on the right, a cross at (markI, markJ).
    /// </summary>
    public static PngImage HeatMap(ReadOnlySpan<double> values, int nx, int ny, int pixelsPerCell = 4, double markI = double.NaN, double markJ = double.NaN)
    {
        int pw = nx * pixelsPerCell, ph = ny * pixelsPerCell, bar = 16, gap = 10, m = 8;
        var img = new PngImage(pw + gap + bar + 2 * m, ph + 2 * m);
        double max = 0; foreach (var v in values) if (double.IsFinite(v)) max = Math.Max(max, v);
        if (max <= 0) max = 1;
        for (int j = 0; j < ny; j++)
            for (int i = 0; i < nx; i++)
            {
                var c = ColorMap.At(values[j * nx + i] / max);
                int y0 = m + (ny - 1 - j) * pixelsPerCell;
                img.FillRect(m + i * pixelsPerCell, y0, m + (i + 1) * pixelsPerCell, y0 + pixelsPerCell, c);
            }
        int bx = m + pw + gap;
        for (int y = 0; y < ph; y++) img.FillRect(bx, m + y, bx + bar, m + y + 1, ColorMap.At(1 - (double)y / Math.Max(1, ph - 1)));
        Frame(img, m - 1, m - 1, m + pw, m + ph);
        Frame(img, bx - 1, m - 1, bx + bar, m + ph);
        if (double.IsFinite(markI) && double.IsFinite(markJ))
        {
            int cx = m + (int)Math.Round((markI + 0.5) * pixelsPerCell), cy = m + (int)Math.Round((ny - 0.5 - markJ) * pixelsPerCell);
            int r = Math.Max(4, pixelsPerCell * 2);
            img.Line(cx - r, cy, cx + r, cy, Rgb.White, 3); img.Line(cx, cy - r, cx, cy + r, Rgb.White, 3);
            img.Line(cx - r, cy, cx + r, cy, Rgb.Black, 1); img.Line(cx, cy - r, cx, cy + r, Rgb.Black, 1);
        }
        return img;
    }

    /// <summary>
    /// Plot of measured points (squares) and curves over x ∈ [0, xMax], y ∈ [0, yMax]: axes with ticks every
    /// <paramref name="xTick"/>, curves (function, colour, line width) sampled at 400 points, optional vertical marker line at <paramref name="xMarker"/>.
    /// </summary>
    public static PngImage XyPlot(ReadOnlySpan<double> px, ReadOnlySpan<double> py, IReadOnlyList<(Func<double, double> F, Rgb Colour, int Thickness)> curves,
        double xMax, double yMax, double xTick, double xMarker = double.NaN, int width = 560, int height = 360)
    {
        var img = new PngImage(width, height);
        int l = 40, r = 16, t = 16, b = 32;
        int w = width - l - r, h = height - t - b;
        int X(double x) => l + (int)Math.Round(x / xMax * w);
        int Y(double y) => t + h - (int)Math.Round(y / yMax * h);
        for (int g = 1; g <= 4; g++) img.Line(l, Y(yMax * g / 4), l + w, Y(yMax * g / 4), new Rgb(230, 230, 230));
        if (xTick > 0) for (double x = 0; x <= xMax + 1e-12; x += xTick) { img.Line(X(x), t + h, X(x), t + h + 5, Rgb.Black); img.Line(X(x), t, X(x), t + h, new Rgb(235, 235, 235)); }
        img.Line(l, t + h, l + w, t + h, Rgb.Black, 2);
        img.Line(l, t, l, t + h, Rgb.Black, 2);
        if (double.IsFinite(xMarker)) img.Line(X(xMarker), t, X(xMarker), t + h, Rgb.Grey, 1);
        foreach (var (f, c, th) in curves)
        {
            int? lx = null, ly = null;
            for (int s = 0; s <= 400; s++)
            {
                double x = xMax * s / 400, y = f(x);
                if (!double.IsFinite(y)) { lx = null; continue; }
                int cx = X(x), cy = Math.Clamp(Y(y), t - 2, t + h + 2);
                if (lx is int ax && ly is int ay) img.Line(ax, ay, cx, cy, c, Math.Max(1, th));
                lx = cx; ly = cy;
            }
        }
        for (int i = 0; i < px.Length; i++)
        {
            int cx = X(px[i]), cy = Y(py[i]);
            img.FillRect(cx - 3, cy - 3, cx + 4, cy + 4, Rgb.Black);
            img.FillRect(cx - 2, cy - 2, cx + 3, cy + 3, Rgb.White);
        }
        return img;
    }

    private static void Frame(PngImage img, int x0, int y0, int x1, int y1)
    {
        img.Line(x0, y0, x1, y0, Rgb.Black); img.Line(x1, y0, x1, y1, Rgb.Black);
        img.Line(x1, y1, x0, y1, Rgb.Black); img.Line(x0, y1, x0, y0, Rgb.Black);
    }
}
