using SarKit.IO.Arrays;
using SarKit.Tests.Cli;

namespace SarKit.Tests.IO;

/// <summary>`sarkit sar -o maps.mat` (MATLAB v7) holds the same values as `-o maps.npz`, with MATLAB's axis order.</summary>
public class SarMapsMatFileTests
{
    [Fact]
    public void MatMapsEqualTheNpzMapsWithMatlabSize()
    {
        using var dir = new TempDir();
        var tissue = Support.TestPhantoms.Ellipsoid(14, 12, 10, 0.005, seed: 3);
        var ds = new SarDataset(tissue, Support.TestPhantoms.RandomFields(tissue.Grid, 2, seed: 5));
        var model = dir.File("m.npz");
        SarKit.IO.Formats.ArrayDatasetMapper.WriteNpz(ds, model);
        foreach (var ext in new[] { ".npz", ".mat" })
        {
            var r = CliRunner.Run("sar", "-f", model, "-d", "1@0,1@90", "--mass", "1g", "-o", dir.File("maps" + ext));
            Assert.True(r.ExitCode == 0, r.Err);
        }
        using var npz = NpzArchive.Open(dir.File("maps.npz"));
        using var mat = MatFile.Open(dir.File("maps.mat"));
        var g = tissue.Grid;
        foreach (var name in new[] { "point_sar", "averaged_sar" })
        {
            var a = npz.Get(name).ReadReal<double>();
            var m = mat.Get(name);
            Assert.Equal([g.Nx, g.Ny, g.Nz], m.MatlabDims);          // MATLAB size [nx, ny, nz]
            Assert.Equal([g.Nz, g.Ny, g.Nx], m.Shape);               // the same memory read as C order [nz, ny, nx]
            Assert.Equal(a, m.ReadReal<double>());                   // bit for bit
            Assert.Contains(a, v => v > 0);
        }
        Assert.Equal(npz.Get("status").ReadReal<byte>(), mat.Get("status").ReadReal<byte>());
        Assert.Equal(0.001, mat.Get("mass_kg").ReadReal<double>().Single(), 12);
        Assert.Equal("W/kg", mat.Get("sar_unit").ReadText());
        Assert.Equal(npz.Get("edges_x").ReadReal<double>(), mat.Get("edges_x").ReadReal<double>());
    }
}
