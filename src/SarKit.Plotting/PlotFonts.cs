using System.Reflection;
using ScottPlot;
using SkiaSharp;

namespace SarKit.Plotting;

/// <summary>
/// The one typeface of every SarKit plot: DejaVu Sans 2.37, embedded in this assembly (licence in
/// Fonts/DejaVuSans-LICENSE.txt, shipped in the package). SkiaSharp's Linux assets used here carry no fontconfig, so a
/// system font would not be found anyway; with the embedded face, text renders the same on every machine, with or
/// without fonts installed, and a PNG made on a CI machine equals one made on a laptop.
/// </summary>
internal static class PlotFonts
{
    /// <summary>The family name plots ask for.</summary>
    public const string Family = "DejaVu Sans";

    private static readonly Lock Gate = new();
    private static SKTypeface? _typeface;

    /// <summary>The embedded typeface, loaded once; registers a resolver so that ScottPlot resolves every font name to it.</summary>
    public static SKTypeface Typeface
    {
        get
        {
            lock (Gate)
            {
                if (_typeface is not null) return _typeface;
                using var s = typeof(PlotFonts).Assembly.GetManifestResourceStream("SarKit.Plotting.Fonts.DejaVuSans.ttf")
                    ?? throw new InvalidOperationException("SarKit.Plotting: the embedded font Fonts/DejaVuSans.ttf is missing from the assembly");
                var tf = SKTypeface.FromStream(s) ?? throw new InvalidOperationException("SarKit.Plotting: the embedded font could not be loaded");
                Fonts.FontResolvers.Insert(0, new EmbeddedResolver(tf));
                Fonts.Default = Family; Fonts.Sans = Family;
                return _typeface = tf;
            }
        }
    }

    /// <summary>Resolves any requested name, weight and slant to the embedded face (one face keeps pictures identical everywhere).</summary>
    private sealed class EmbeddedResolver(SKTypeface typeface) : IFontResolver
    {
        public SKTypeface? CreateTypeface(string fontName, FontWeight weight, FontSlant slant, FontSpacing spacing) => typeface;
        public SKTypeface? CreateTypeface(string fontName, bool bold, bool italic) => typeface;
    }
}
