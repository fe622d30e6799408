using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using SarKit.Reporting;
using SarKit.Measurement.Probe;

namespace SarKit.Tests.Measurement.Probe;

public class PngImageTests
{
    /// <summary>Bit-by-bit CRC-32 (no table), independent of <see cref="Crc32"/>.</summary>
    private static uint BitwiseCrc(ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFFFFFF;
        foreach (var b in data)
        {
            c ^= b;
            for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & (uint)-(int)(c & 1));
        }
        return ~c;
    }

    /// <summary>Own minimal PNG reader for 8-bit RGB, filter 0: checks signature, chunk CRCs, IHDR; returns pixels.</summary>
    internal static (int W, int H, byte[] Rgb) Decode(byte[] png)
    {
        Assert.True(png.AsSpan(0, 8).SequenceEqual(PngImage.Signature));
        int pos = 8, w = 0, h = 0; var idat = new MemoryStream(); bool end = false;
        while (pos < png.Length)
        {
            int len = (int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos));
            var type = System.Text.Encoding.ASCII.GetString(png, pos + 4, 4);
            var body = png.AsSpan(pos + 4, 4 + len);
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos + 8 + len));
            Assert.Equal(BitwiseCrc(body), crc);
            var data = png.AsSpan(pos + 8, len);
            if (type == "IHDR")
            {
                w = (int)BinaryPrimitives.ReadUInt32BigEndian(data); h = (int)BinaryPrimitives.ReadUInt32BigEndian(data[4..]);
                Assert.Equal(8, data[8]); Assert.Equal(2, data[9]); Assert.Equal(0, data[12]);
            }
            else if (type == "IDAT") idat.Write(data);
            else if (type == "IEND") { end = true; Assert.Equal(0, len); }
            pos += 12 + len;
        }
        Assert.True(end);
        Assert.Equal(png.Length, pos);
        idat.Position = 0;
        using var z = new ZLibStream(idat, CompressionMode.Decompress);
        var raw = new MemoryStream(); z.CopyTo(raw);
        var r = raw.ToArray();
        Assert.Equal(h * (1 + 3 * w), r.Length);
        var px = new byte[w * h * 3];
        for (int y = 0; y < h; y++) { Assert.Equal(0, r[y * (1 + 3 * w)]); Array.Copy(r, y * (1 + 3 * w) + 1, px, y * 3 * w, 3 * w); }
        return (w, h, px);
    }

    [Fact]
    public void Crc32KnownValue() => Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));

    [Fact]
    public void EncodeDecodeRoundTrip()
    {
        var img = new PngImage(13, 7);
        var rng = new Random(3);
        for (int y = 0; y < 7; y++) for (int x = 0; x < 13; x++) img.Set(x, y, new Rgb((byte)rng.Next(256), (byte)rng.Next(256), (byte)rng.Next(256)));
        var (w, h, px) = Decode(img.Encode());
        Assert.Equal(13, w); Assert.Equal(7, h);
        Assert.Equal(img.Pixels, px);
    }

    [Fact]
    public void ColorMapEndsAndMonotoneRed()
    {
        Assert.Equal(new Rgb(20, 20, 90), ColorMap.At(0));
        Assert.Equal(new Rgb(130, 0, 0), ColorMap.At(1));
        Assert.Equal(ColorMap.At(1), ColorMap.At(7));
        Assert.Equal(Rgb.Grey, ColorMap.At(double.NaN));
    }

    [Fact]
    public void HeatMapAndPlotDecode()
    {
        var v = new double[20 * 10];
        for (int j = 0; j < 10; j++) for (int i = 0; i < 20; i++) v[j * 20 + i] = i + j;
        var hm = ScanPlots.HeatMap(v, 20, 10, 4, 5, 5);
        var (w, h, px) = Decode(hm.Encode());
        Assert.Equal(hm.Width, w); Assert.Equal(hm.Height, h);
        // top-right cell (max, y drawn upwards) is the hottest colour, bottom-left the coldest
        Assert.Equal(ColorMap.At(1), hm.Get(8 + 19 * 4 + 1, 8 + 1));
        Assert.Equal(ColorMap.At(0), hm.Get(8 + 1, 8 + 9 * 4 + 2));
        var plot = ScanPlots.XyPlot([0.001, 0.002], [1.0, 0.5], [(x => 2 * Math.Exp(-x / 0.002), Rgb.Red, 2)], 0.005, 2.2, 0.001);
        Decode(plot.Encode());
    }

    [Fact]
    public void PythonZlibReadsOurPng()
    {
        if (!File.Exists("/usr/bin/python3")) return; // independent check only where Debian's python3 exists
        var img = new PngImage(9, 5);
        img.FillRect(2, 1, 6, 4, new Rgb(10, 200, 30));
        var path = Path.Combine(Path.GetTempPath(), $"sarkit-png-{Guid.NewGuid():N}.png");
        try
        {
            img.Save(path);
            const string script = """
                import sys, struct, zlib
                b = open(sys.argv[1], 'rb').read()
                assert b[:8] == b'\x89PNG\r\n\x1a\n'
                p = 8; idat = b''
                while p < len(b):
                    n, = struct.unpack('>I', b[p:p+4]); t = b[p+4:p+8]; d = b[p+8:p+8+n]
                    c, = struct.unpack('>I', b[p+8+n:p+12+n])
                    assert zlib.crc32(t + d) & 0xffffffff == c, t
                    if t == b'IHDR': w, h, bd, ct = struct.unpack('>IIBB', d[:10])
                    if t == b'IDAT': idat += d
                    p += 12 + n
                raw = zlib.decompress(idat)
                row = raw[(1 + 3*w)*2:(1 + 3*w)*3]
                print(w, h, bd, ct, len(raw), row[1 + 3*3], row[1 + 3*3 + 1], row[1 + 3*3 + 2])
                """;
            var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
            psi.ArgumentList.Add("-c"); psi.ArgumentList.Add(script); psi.ArgumentList.Add(path);
            using var p = Process.Start(psi)!;
            string o = p.StandardOutput.ReadToEnd(), e = p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, e);
            Assert.Equal($"9 5 8 2 {5 * (1 + 27)} 10 200 30", o.Trim());
        }
        finally { File.Delete(path); }
    }
}
