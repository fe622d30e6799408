using System.Diagnostics;
using SarKit.Plotting;
using SarKit.Tests.Cli;

namespace SarKit.Tests.Plotting;

public class PlottingTests
{
    private static HeatMap Map(double[] v, int nx, int ny, bool noData = false) => new()
    {
        Title = "map", XLabel = "x (mm)", YLabel = "y (mm)", ColourBarLabel = "SAR (W/kg)",
        Values = v, Nx = nx, Ny = ny, XFirst = 0, XLast = 2 * (nx - 1), YFirst = 10, YLast = 10 + 2 * (ny - 1), NaNIsNoData = noData,
        Width = 640, Height = HeatMap.FittingHeight(640, 2 * nx, 2 * ny),
    };

    private static double[] Ramp(int nx, int ny)
    {
        var v = new double[nx * ny];
        for (int j = 0; j < ny; j++) for (int i = 0; i < nx; i++) v[j * nx + i] = i + j;
        return v;
    }

    [Fact]
    public void Heat_map_draws_each_cell_in_its_colour_with_y_upwards()
    {
        var map = Map(Ramp(20, 10), 20, 10);
        var d = PngCheck.Decode(map.RenderPng(out var f));
        Assert.Equal(640, d.Width); Assert.Equal(map.Height, d.Height);
        Assert.Equal((0.0, 28.0), map.ColourRange()); // 0 … largest value (19 + 9)
        // top-right cell (largest, y drawn upwards) in the hottest colour, bottom-left in the coldest, a middle one in between
        Assert.True(d.Distance(f.X(38), f.Y(28), map.ColourOf(28)) <= 3, $"{d.At(f.X(38), f.Y(28))} vs {map.ColourOf(28)}");
        Assert.True(d.Distance(f.X(0), f.Y(10), map.ColourOf(0)) <= 3);
        Assert.True(d.Distance(f.X(20), f.Y(18), map.ColourOf(14)) <= 3);
        Assert.NotEqual(map.ColourOf(0), map.ColourOf(28));
    }

    [Fact]
    public void Maps_differ_where_the_data_differ_and_only_there()
    {
        var a = Ramp(20, 10); var b = (double[])a.Clone();
        b[3 * 20 + 15] = 0; // cell i = 15, j = 3 (x = 30 mm, y = 16 mm)
        var (ma, mb) = (Map(a, 20, 10), Map(b, 20, 10));
        var da = PngCheck.Decode(ma.RenderPng(out var f)); var db = PngCheck.Decode(mb.RenderPng());
        Assert.True(da.Distance(f.X(30), f.Y(16), db.At(f.X(30), f.Y(16))) > 30);
        Assert.True(db.Distance(f.X(30), f.Y(16), mb.ColourOf(0)) <= 3);
        Assert.Equal(da.At(f.X(4), f.Y(26)), db.At(f.X(4), f.Y(26))); // another cell: same colour
        // the same picture twice gives the same bytes (embedded font, no clock): documents reproduce
        Assert.Equal(ma.RenderPng(), Map(a, 20, 10).RenderPng());
    }

    [Fact]
    public void NaN_is_refused_unless_it_marks_no_data_and_infinity_always()
    {
        var v = Ramp(6, 5); v[7] = double.NaN;
        var e = Assert.Throws<ArgumentException>(() => Map(v, 6, 5).RenderPng());
        Assert.Contains("x index 1, y index 1", e.Message);
        var m = Map(v, 6, 5, noData: true);
        var d = PngCheck.Decode(m.RenderPng(out var f));
        Assert.True(d.Distance(f.X(2), f.Y(12), m.ColourOf(double.NaN)) <= 3); // cell (1, 1) drawn as no data
        v[7] = double.PositiveInfinity;
        Assert.Throws<ArgumentException>(() => Map(v, 6, 5, noData: true).RenderPng());
        Assert.Throws<ArgumentException>(() => Map(Enumerable.Repeat(double.NaN, 30).ToArray(), 6, 5, noData: true).RenderPng());
        var line = new LinePlot { Title = "t", XLabel = "x (s)", YLabel = "y (W/kg)" };
        line.Series.Add(new LineSeries("a", [0.0, 1.0], [1.0, double.NaN], "#1f77b4"));
        Assert.Contains("a.y'[1] = NaN", Assert.Throws<ArgumentException>(() => line.RenderPng()).Message);
    }

    [Fact]
    public void Every_picture_needs_a_title_axis_labels_and_a_colour_bar_label()
    {
        Assert.Throws<ArgumentException>(() => new LinePlot { XLabel = "x (s)", YLabel = "y (1)" }.RenderPng());
        Assert.Throws<ArgumentException>(() => new LinePlot { Title = "t", YLabel = "y (1)" }.RenderPng());
        Assert.Throws<ArgumentException>(() => (Map(Ramp(3, 3), 3, 3) is var m ? new HeatMap
        {
            Title = m.Title, XLabel = m.XLabel, YLabel = m.YLabel, Values = m.Values, Nx = 3, Ny = 3, XFirst = 0, XLast = 1, YFirst = 0, YLast = 1,
        } : null)!.RenderPng());
    }

    [Fact]
    public void Text_is_drawn_with_the_embedded_font()
    {
        // the title band above the data area holds dark glyph pixels (text renders without any system font)
        var p = new LinePlot { Title = "WWWWWWWWWWWWWWWWWWWW", XLabel = "x (s)", YLabel = "y (W/kg)" };
        p.Series.Add(new LineSeries("a", [0.0, 1.0], [0.0, 1.0], "#1f77b4"));
        var d = PngCheck.Decode(p.RenderPng(out var f));
        int dark = 0;
        for (int y = 0; y < (int)f.Top - 2; y++) for (int x = 0; x < d.Width; x++) if (d.Distance(x, y, (0, 0, 0)) < 100) dark++;
        Assert.True(dark > 150, $"{dark} dark pixels in the title band");
        Assert.Contains("DejaVu Sans", p.RenderSvg());
    }

    [Fact]
    public void Write_picks_the_format_by_extension_atomically()
    {
        using var dir = new TempDir();
        var p = new LinePlot { Title = "t", XLabel = "x (s)", YLabel = "y (W/kg)" };
        p.Series.Add(new LineSeries("a", [0.0, 1.0, 2.0], [0.0, 1.0, 0.5], "#1f77b4"));
        p.Write(dir.File("a.png")); p.Write(dir.File("a.SVG"));
        PngCheck.Decode(File.ReadAllBytes(dir.File("a.png")));
        Assert.StartsWith("<?xml", File.ReadAllText(dir.File("a.SVG")));
        Assert.Throws<ArgumentException>(() => p.Write(dir.File("a.gif")));
        Assert.Equal(2, Directory.GetFiles(dir.Path).Length); // no temporary files left
    }

    [Fact]
    public void Python_zlib_reads_our_png()
    {
        if (!File.Exists("/usr/bin/python3")) return; // independent check only where Debian's python3 exists
        using var dir = new TempDir();
        var path = dir.File("m.png");
        Map(Ramp(8, 6), 8, 6).Write(path);
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
            ch = {2: 3, 6: 4}[ct]
            assert len(raw) == h * (1 + ch * w), (len(raw), w, h, ch)
            print(w, h, bd)
            """;
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("-c"); psi.ArgumentList.Add(script); psi.ArgumentList.Add(path);
        using var proc = Process.Start(psi)!;
        string o = proc.StandardOutput.ReadToEnd(), e = proc.StandardError.ReadToEnd();
        proc.WaitForExit();
        Assert.True(proc.ExitCode == 0, e);
        var d = PngCheck.Decode(File.ReadAllBytes(path));
        Assert.Equal($"{d.Width} {d.Height} 8", o.Trim());
    }
}
