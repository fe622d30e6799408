using SarKit.Reporting;

namespace SarKit.Plotting;

/// <summary>The file formats a plot is written in.</summary>
public enum PlotFormat
{
    /// <summary>PNG raster (8-bit RGBA, ISO/IEC 15948).</summary>
    Png,
    /// <summary>SVG 1.1 vector drawing with text.</summary>
    Svg,
}

/// <summary>Chooses the format from a file name and writes plot bytes atomically (temporary file, then rename).</summary>
public static class PlotFile
{
    /// <summary>True for a name ending in .png or .svg (any case).</summary>
    public static bool IsPlotName(string path) => FormatOf(path) is not null;

    /// <summary>The format of <paramref name="path"/> by its extension, or null when it is neither .png nor .svg.</summary>
    public static PlotFormat? FormatOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".png" => PlotFormat.Png,
        ".svg" => PlotFormat.Svg,
        _ => null,
    };

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically.</summary>
    public static void WriteBytes(string path, byte[] bytes) => AtomicFile.WriteAtomically(path, tmp => File.WriteAllBytes(tmp, bytes));

    /// <summary>The 8-byte PNG signature (PNG specification, 5.2).</summary>
    public static ReadOnlySpan<byte> PngSignature => [137, 80, 78, 71, 13, 10, 26, 10];
}
