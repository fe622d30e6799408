using SarKit.IO.Formats;
using SarKit.Tests.Cli;
using SarKit.Workflows;

namespace SarKit.Tests.Plotting;

public class SarSlicePlotTests
{
    [Fact]
    public void Sar_plot_is_the_slice_through_the_peak_with_the_peak_at_the_top_of_the_colour_scale()
    {
        using var tmp = new TempDir();
        var png = tmp.File("s.png");
        var r = CliRunner.Run("sar", "-f", CliRunner.DemoFile, "-d", "cp", "-m", "point", "--plot", png, "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        var d = PngCheck.Decode(File.ReadAllBytes(png));
        Assert.Equal(640, d.Width);

        var o = PeakSarEvaluation.Run(new PeakSarRequest { FieldsPath = CliRunner.DemoFile, Drive = "cp", MassKg = null });
        var g = DatasetFiles.Open(CliRunner.DemoFile).Grid;
        var map = PeakSarEvaluation.SlicePlot(g, o.PointSar, o.PeakVoxel, o.Result);
        // the slice holds the peak voxel, so the colour scale ends at the reported peak (float32 slice values)
        Assert.Equal(o.Result.PeakSarWPerKg, map.ColourRange().Max, o.Result.PeakSarWPerKg * 1e-6);
        Assert.Equal(0, map.ColourRange().Min);
        // the CLI wrote exactly this picture
        Assert.Equal(map.RenderPng(out var f), File.ReadAllBytes(png));
        // a cell four voxels from the peak is drawn in the colour of its value, where it lies
        var (pi, pj, pk) = g.Unravel(o.PeakVoxel);
        int i = pi >= 4 ? pi - 4 : pi + 4;
        double v = map.Values[pj * g.Nx + i];
        Assert.Equal(o.PointSar[g.Index(i, pj, pk)], v, Math.Abs(v) * 1e-6 + 1e-30);
        Assert.True(d.Distance(f.X(g.CentreX(i) * 1e3), f.Y(g.CentreY(pj) * 1e3), map.ColourOf(v)) <= 3);

        var bad = CliRunner.Run("sar", "-f", CliRunner.DemoFile, "-d", "cp", "-m", "point", "--plot", tmp.File("s.gif"));
        Assert.Equal(2, bad.ExitCode);
        Assert.False(File.Exists(tmp.File("s.gif")));
    }
}
