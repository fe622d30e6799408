using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using SarKit.Reporting;

namespace SarKit.Tests.Supervision;

/// <summary>Minimal independent PNG reader for tests: checks signature and every chunk CRC, reads IHDR and the RGB pixels (8-bit, filter 0).</summary>
internal static class PngCheck
{
    public sealed record Decoded(int Width, int Height, byte[] Rgb)
    {
        public (byte R, byte G, byte B) At(int x, int y) { int o = (y * Width + x) * 3; return (Rgb[o], Rgb[o + 1], Rgb[o + 2]); }
    }

    private static uint Crc(ReadOnlySpan<byte> data)
    {
        // bitwise CRC-32 (ISO 3309, reflected polynomial 0xEDB88320), no table — independent of SarKit's Crc32
        uint c = 0xFFFFFFFF;
        foreach (byte b in data) { c ^= b; for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1; }
        return c ^ 0xFFFFFFFF;
    }

    public static Decoded Decode(byte[] png)
    {
        Assert.Equal(new byte[] { 137, 80, 78, 71, 13, 10, 26, 10 }, png[..8]);
        int pos = 8, w = 0, h = 0;
        var idat = new MemoryStream();
        var types = new List<string>();
        while (pos < png.Length)
        {
            int len = (int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos));
            string type = Encoding.ASCII.GetString(png, pos + 4, 4);
            var body = png.AsSpan(pos + 8, len);
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos + 8 + len));
            Assert.Equal(Crc(png.AsSpan(pos + 4, 4 + len)), crc);
            types.Add(type);
            if (type == "IHDR")
            {
                Assert.Equal(13, len);
                w = (int)BinaryPrimitives.ReadUInt32BigEndian(body); h = (int)BinaryPrimitives.ReadUInt32BigEndian(body[4..]);
                Assert.Equal(8, body[8]); Assert.Equal(2, body[9]); // 8-bit truecolour
            }
            if (type == "IDAT") idat.Write(body);
            pos += 12 + len;
        }
        Assert.Equal("IHDR", types[0]); Assert.Equal("IEND", types[^1]);
        idat.Position = 0;
        using var z = new ZLibStream(idat, CompressionMode.Decompress);
        var raw = new MemoryStream(); z.CopyTo(raw);
        var bytes = raw.ToArray();
        Assert.Equal(h * (1 + 3 * w), bytes.Length);
        var rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
        {
            Assert.Equal(0, bytes[y * (1 + 3 * w)]);
            Array.Copy(bytes, y * (1 + 3 * w) + 1, rgb, y * w * 3, 3 * w);
        }
        return new Decoded(w, h, rgb);
    }
}

public class PngPlotTests
{
    [Fact]
    public void TimelinePngDecodesAndShowsTheCurveAndTheDashedLimitLine()
    {
        var x = Enumerable.Range(0, 101).Select(i => i * 0.1).ToArray();
        var y = x.Select(v => 0.5 * v).ToArray(); // ramp 0 → 5
        var plot = new SvgPlot { Width = 640, Height = 360 };
        plot.Series.Add(new SvgSeries("ramp", x, y, "#1f77b4"));
        plot.Lines.Add(new SvgHLine("limit", 4.0, "#d62728"));
        var img = PngPlot.Render(plot, out var f);
        var d = PngCheck.Decode(img.Encode());
        Assert.Equal(640, d.Width); Assert.Equal(360, d.Height);
        Assert.Equal(img.Pixels, d.Rgb);
        (byte, byte, byte) blue = (0x1f, 0x77, 0xb4), red = (0xd6, 0x27, 0x28);
        // dashed limit line: at row Y(4), ~60 % of the plot-area columns are red, in runs of 6 every 10 px
        int row = f.Y(4.0), reds = 0;
        for (int c = f.Left + 1; c < f.Left + f.Width; c++) if (d.At(c, row) == red) reds++;
        Assert.InRange(reds, (int)(0.5 * f.Width), (int)(0.7 * f.Width));
        Assert.Equal(red, d.At(f.Left + 2, row));
        Assert.NotEqual(red, d.At(f.Left + 8, row)); // gap of the dash
        // the ramp passes through its data points (2 px wide line)
        foreach (double xv in new[] { 1.0, 3.3, 5.0, 9.0 })
        {
            int cx = f.X(xv), cy = f.Y(0.5 * xv);
            bool hit = false;
            for (int dy = -1; dy <= 1 && !hit; dy++) for (int dx = -1; dx <= 1 && !hit; dx++) hit = d.At(cx + dx, cy + dy) == blue;
            Assert.True(hit, $"no curve pixel near x = {xv}");
        }
        // nothing blue far from the ramp (e.g. above it at x = 2, y = 4.5), background white
        Assert.NotEqual(blue, d.At(f.X(1.55), f.Y(4.55)));
        Assert.Equal(((byte)255, (byte)255, (byte)255), d.At(f.X(1.55), f.Y(4.55))); // between grid lines
        // axes are black
        Assert.Equal(((byte)0, (byte)0, (byte)0), d.At(f.Left, f.Top + f.Height / 2));
    }

    [Fact]
    public void ColoursParseFromThePalette()
    {
        Assert.Equal(new Rgb(0x1f, 0x77, 0xb4), PngPlot.ParseColour(SvgPlot.Palette[0]));
        Assert.Equal(Rgb.Black, PngPlot.ParseColour("blue"));
    }
}
