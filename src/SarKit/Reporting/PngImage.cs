using System.IO.Compression;
using System.Text;

namespace SarKit.Reporting;

/// <summary>
/// An 8-bit RGB raster written as PNG (ISO/IEC 15948 / W3C PNG specification): signature, IHDR (colour type 2, bit depth
/// 8, no interlace), one IDAT holding the zlib stream (RFC 1950, via <see cref="ZLibStream"/>) of the scanlines each with
/// filter type 0 (None), IEND; every chunk carries the CRC-32 (ISO 3309 / ITU-T V.42 polynomial 0xEDB88320, reflected)
/// over its type and data. Own code; no imaging library.
/// </summary>
public sealed class PngImage
{
    /// <summary>Width in pixels.</summary>
    public int Width { get; }
    /// <summary>Height in pixels.</summary>
    public int Height { get; }
    /// <summary>RGB bytes, row by row from the top, 3 per pixel.</summary>
    public byte[] Pixels { get; }

    /// <summary>The 8-byte PNG signature.</summary>
    public static ReadOnlySpan<byte> Signature => [137, 80, 78, 71, 13, 10, 26, 10];

    /// <summary>A white image.</summary>
    public PngImage(int width, int height)
    {
        if (width <= 0 || height <= 0 || (long)width * height > 1 << 26) throw new ArgumentOutOfRangeException(nameof(width), $"image {width}×{height}: expected 1..2^26 pixels");
        Width = width; Height = height;
        Pixels = new byte[width * height * 3];
        Array.Fill(Pixels, (byte)255);
    }

    /// <summary>Sets a pixel (ignored outside the image).</summary>
    public void Set(int x, int y, Rgb c)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height) return;
        int o = (y * Width + x) * 3;
        Pixels[o] = c.R; Pixels[o + 1] = c.G; Pixels[o + 2] = c.B;
    }

    /// <summary>The pixel at (x, y).</summary>
    public Rgb Get(int x, int y) { int o = (y * Width + x) * 3; return new Rgb(Pixels[o], Pixels[o + 1], Pixels[o + 2]); }

    /// <summary>Fills the rectangle [x0, x1) × [y0, y1).</summary>
    public void FillRect(int x0, int y0, int x1, int y1, Rgb c)
    {
        for (int y = Math.Max(0, y0); y < Math.Min(Height, y1); y++)
            for (int x = Math.Max(0, x0); x < Math.Min(Width, x1); x++) Set(x, y, c);
    }

    /// <summary>Straight line (Bresenham), <paramref name="thickness"/> pixels wide.</summary>
    public void Line(int x0, int y0, int x1, int y1, Rgb c, int thickness = 1)
    {
        int dx = Math.Abs(x1 - x0), dy = -Math.Abs(y1 - y0), sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1, err = dx + dy;
        int h = thickness / 2;
        for (int guard = 0; guard < 1 << 20; guard++)
        {
            FillRect(x0 - h, y0 - h, x0 - h + thickness, y0 - h + thickness, c);
            if (x0 == x1 && y0 == y1) break;
            int e2 = 2 * err;
            if (e2 >= dy) { err += dy; x0 += sx; }
            if (e2 <= dx) { err += dx; y0 += sy; }
        }
    }

    /// <summary>The PNG file bytes.</summary>
    public byte[] Encode()
    {
        using var ms = new MemoryStream();
        ms.Write(Signature);
        var ihdr = new byte[13];
        WriteBigEndian(ihdr, 0, (uint)Width); WriteBigEndian(ihdr, 4, (uint)Height);
        ihdr[8] = 8; ihdr[9] = 2; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
        WriteChunk(ms, "IHDR", ihdr);
        using (var z = new MemoryStream())
        {
            using (var zs = new ZLibStream(z, CompressionLevel.Optimal, leaveOpen: true))
            {
                int row = Width * 3;
                for (int y = 0; y < Height; y++)
                {
                    zs.WriteByte(0); // filter type None
                    zs.Write(Pixels, y * row, row);
                }
            }
            WriteChunk(ms, "IDAT", z.ToArray());
        }
        WriteChunk(ms, "IEND", []);
        return ms.ToArray();
    }

    /// <summary>Writes the PNG to <paramref name="path"/> atomically (temporary file, then rename).</summary>
    public void Save(string path)
    {
        var bytes = Encode();
        AtomicFile.WriteAtomically(path, tmp => File.WriteAllBytes(tmp, bytes));
    }

    private static void WriteChunk(Stream s, string type, byte[] data)
    {
        var len = new byte[4]; WriteBigEndian(len, 0, (uint)data.Length);
        s.Write(len);
        var t = Encoding.ASCII.GetBytes(type);
        s.Write(t); s.Write(data);
        uint crc = Crc32.Update(Crc32.Update(0xFFFFFFFFu, t), data) ^ 0xFFFFFFFFu;
        var c = new byte[4]; WriteBigEndian(c, 0, crc);
        s.Write(c);
    }

    internal static void WriteBigEndian(byte[] b, int o, uint v)
    {
        b[o] = (byte)(v >> 24); b[o + 1] = (byte)(v >> 16); b[o + 2] = (byte)(v >> 8); b[o + 3] = (byte)v;
    }
}

/// <summary>CRC-32 of PNG chunks (PNG specification, Annex D): reflected polynomial 0xEDB88320, register preset to
/// all ones and complemented at the end (<see cref="Compute"/>).</summary>
public static class Crc32
{
    private static readonly uint[] Table = BuildTable();

    private static uint[] BuildTable()
    {
        var t = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[n] = c;
        }
        return t;
    }

    /// <summary>Advances the register <paramref name="crc"/> over <paramref name="data"/> (no pre/post conditioning).</summary>
    public static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (var b in data) crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    /// <summary>CRC-32 of <paramref name="data"/> ("123456789" → 0xCBF43926).</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Update(0xFFFFFFFFu, data) ^ 0xFFFFFFFFu;
}

/// <summary>An 8-bit RGB colour.</summary>
public readonly record struct Rgb(byte R, byte G, byte B)
{
    /// <summary>Black.</summary>
    public static readonly Rgb Black = new(0, 0, 0);
    /// <summary>White.</summary>
    public static readonly Rgb White = new(255, 255, 255);
    /// <summary>Light grey.</summary>
    public static readonly Rgb Grey = new(200, 200, 200);
    /// <summary>Red.</summary>
    public static readonly Rgb Red = new(215, 40, 40);
    /// <summary>Blue.</summary>
    public static readonly Rgb Blue = new(40, 80, 215);
}

/// <summary>
/// A sequential colour map for heat maps, own definition: piecewise-linear through dark blue (0), blue, cyan, yellow,
/// red and dark red (1) — monotone in "temperature" so that larger SAR reads as hotter.
/// </summary>
public static class ColorMap
{
    private static readonly (double T, Rgb C)[] Stops =
    [
        (0.00, new Rgb(20, 20, 90)), (0.20, new Rgb(30, 90, 220)), (0.40, new Rgb(40, 200, 220)),
        (0.65, new Rgb(250, 230, 60)), (0.85, new Rgb(235, 80, 30)), (1.00, new Rgb(130, 0, 0)),
    ];

    /// <summary>Colour of t ∈ [0, 1] (clamped; NaN → grey).</summary>
    public static Rgb At(double t)
    {
        if (double.IsNaN(t)) return Rgb.Grey;
        t = Math.Clamp(t, 0, 1);
        for (int i = 1; i < Stops.Length; i++)
        {
            if (t > Stops[i].T) continue;
            var (t0, a) = Stops[i - 1]; var (t1, b) = Stops[i];
            double f = (t - t0) / (t1 - t0);
            return new Rgb((byte)Math.Round(a.R + f * (b.R - a.R)), (byte)Math.Round(a.G + f * (b.G - a.G)), (byte)Math.Round(a.B + f * (b.B - a.B)));
        }
        return Stops[^1].C;
    }
}
