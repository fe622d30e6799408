namespace SarKit.Plotting;

/// <summary>
/// Pixel mapping of a rendered plot's data area: data (x, y) → pixel (column, row), row 0 at the top. Tests use it to
/// find a curve, a limit line or a heat-map cell in the decoded PNG.
/// </summary>
/// <param name="Left">Pixel column of the data area's left edge.</param>
/// <param name="Top">Pixel row of the data area's top edge.</param>
/// <param name="Width">Data-area width, pixels.</param>
/// <param name="Height">Data-area height, pixels.</param>
/// <param name="X0">Data x at the left edge.</param>
/// <param name="X1">Data x at the right edge.</param>
/// <param name="Y0">Data y at the bottom edge.</param>
/// <param name="Y1">Data y at the top edge.</param>
public readonly record struct PlotFrame(double Left, double Top, double Width, double Height, double X0, double X1, double Y0, double Y1)
{
    /// <summary>Pixel column of data x.</summary>
    public int X(double x) => (int)Math.Round(Left + (x - X0) / (X1 - X0) * Width);
    /// <summary>Pixel row of data y.</summary>
    public int Y(double y) => (int)Math.Round(Top + Height - (y - Y0) / (Y1 - Y0) * Height);
}
