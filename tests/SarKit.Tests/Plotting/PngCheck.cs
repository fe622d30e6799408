using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace SarKit.Tests.Plotting;

/// <summary>
/// Independent PNG reader for tests (no imaging library): checks the signature and every chunk's CRC-32 (bitwise, no
/// table), reads IHDR (8-bit truecolour, with or without alpha, not interlaced) and undoes the five scanline filters of
/// the PNG specification (None, Sub, Up, Average, Paeth); returns the RGB pixels (alpha must be 255: plots are opaque).
/// </summary>
internal static class PngCheck
{
    public sealed record Decoded(int Width, int Height, byte[] Rgb)
    {
        public (byte R, byte G, byte B) At(int x, int y) { int o = (y * Width + x) * 3; return (Rgb[o], Rgb[o + 1], Rgb[o + 2]); }

        /// <summary>Largest per-channel difference between the pixel at (x, y) and <paramref name="c"/>.</summary>
        public int Distance(int x, int y, (byte R, byte G, byte B) c)
        {
            var p = At(x, y);
            return Math.Max(Math.Abs(p.R - c.R), Math.Max(Math.Abs(p.G - c.G), Math.Abs(p.B - c.B)));
        }

        /// <summary>Smallest <see cref="Distance"/> to <paramref name="c"/> within <paramref name="r"/> pixels of (x, y).</summary>
        public int NearestDistance(int x, int y, (byte R, byte G, byte B) c, int r)
        {
            int best = 256;
            for (int dy = -r; dy <= r; dy++)
                for (int dx = -r; dx <= r; dx++)
                    if (x + dx >= 0 && y + dy >= 0 && x + dx < Width && y + dy < Height) best = Math.Min(best, Distance(x + dx, y + dy, c));
            return best;
        }

        /// <summary>Pixels within <paramref name="tol"/> of <paramref name="c"/> in every channel.</summary>
        public int Count((byte R, byte G, byte B) c, int tol)
        {
            int n = 0;
            for (int y = 0; y < Height; y++) for (int x = 0; x < Width; x++) if (Distance(x, y, c) <= tol) n++;
            return n;
        }
    }

    private static uint Crc(ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFFFFFF;
        foreach (byte b in data) { c ^= b; for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1; }
        return c ^ 0xFFFFFFFF;
    }

    public static Decoded Decode(byte[] png)
    {
        Assert.Equal(new byte[] { 137, 80, 78, 71, 13, 10, 26, 10 }, png[..8]);
        int pos = 8, w = 0, h = 0, channels = 0;
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
                Assert.Equal(8, body[8]);
                Assert.Contains(body[9], new byte[] { 2, 6 }); // truecolour, truecolour with alpha
                channels = body[9] == 6 ? 4 : 3;
                Assert.Equal(0, body[12]); // not interlaced
            }
            if (type == "IDAT") idat.Write(body);
            pos += 12 + len;
        }
        Assert.Equal(png.Length, pos);
        Assert.Equal("IHDR", types[0]); Assert.Equal("IEND", types[^1]);
        idat.Position = 0;
        using var z = new ZLibStream(idat, CompressionMode.Decompress);
        var raw = new MemoryStream(); z.CopyTo(raw);
        var bytes = raw.ToArray();
        int stride = channels * w;
        Assert.Equal(h * (1 + stride), bytes.Length);
        var cur = new byte[stride]; var prev = new byte[stride];
        var rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
        {
            int f = bytes[y * (1 + stride)];
            Assert.InRange(f, 0, 4);
            for (int i = 0; i < stride; i++)
            {
                int x = bytes[y * (1 + stride) + 1 + i];
                int a = i >= channels ? cur[i - channels] : 0, b = prev[i], c = i >= channels ? prev[i - channels] : 0;
                int p = f switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) / 2,
                    _ => Paeth(a, b, c),
                };
                cur[i] = (byte)(x + p);
            }
            for (int px = 0; px < w; px++)
            {
                for (int k = 0; k < 3; k++) rgb[(y * w + px) * 3 + k] = cur[px * channels + k];
                if (channels == 4) Assert.Equal(255, cur[px * 4 + 3]);
            }
            (cur, prev) = (prev, cur);
        }
        return new Decoded(w, h, rgb);
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    /// <summary>"#rrggbb" → (R, G, B).</summary>
    public static (byte R, byte G, byte B) Hex(string hex)
    {
        int v = Convert.ToInt32(hex[1..], 16);
        return ((byte)(v >> 16), (byte)(v >> 8), (byte)v);
    }
}
