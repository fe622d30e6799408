using SarKit.Grid;
using SarKit.Sar;
using SarKit.Fields;

namespace SarKit.Tests.Cli;

public class AirPaddingTests
{
    [Fact]
    public void PadAndCropRoundTripAndIndicesMap()
    {
        var ds = CliRunner.Demo;
        var p = new AirPadding(ds.Grid, 3);
        Assert.Equal((ds.Grid.Nx + 6, ds.Grid.Ny + 6, ds.Grid.Nz + 6), (p.Padded.Nx, p.Padded.Ny, p.Padded.Nz));
        Assert.True(p.Padded.IsUniform());
        Assert.Equal(ds.Grid.EdgesX[0] - 3 * 0.005, p.Padded.EdgesX[0], 1e-12);
        var t = p.Pad(ds.Tissue);
        Assert.Equal(ds.Tissue.Rho, p.Crop(t.Rho));
        Assert.Equal(ds.Tissue.Mass(), t.Mass(), 1e-12);
        Assert.Equal(0, p.Padded.Index(2, 5, 5) is var v0 ? t.Rho[v0] : -1);
        Assert.Equal(4, AirPadding.AirMargin(t));
        Assert.Equal(1, AirPadding.AirMargin(ds.Tissue));
        for (int v = 0; v < ds.Grid.VoxelCount; v += 997)
        {
            int q = p.ToPadded(v);
            Assert.Equal(v, p.ToOriginal(q));
            Assert.Equal(ds.Grid.Centre(v), p.Padded.Centre(q));
        }
        Assert.Equal(-1, p.ToOriginal(0));
        // local SAR of the padded fields is the padded local SAR
        var drive = SarKit.Fields.DriveVector.Uniform(8, 1, ds.E.Normalisation);
        var padded = LocalSar.Compute(t, p.Pad(ds.E), drive);
        Assert.Equal(p.Pad(LocalSar.Compute(ds.Tissue, ds.E, drive)), padded);
        Assert.True(p.Pad(ds.Tissue.Masks["body"]).Count(x => x) == 38540);
    }

    [Fact]
    public void NeededPaddingFollowsMassAndDensity()
    {
        var t = CliRunner.Demo.Tissue;
        Assert.Equal(7, AirPadding.RecommendedMargin(t, 0.010)); // 1.5·(0.01/900)^(1/3) = 33.5 mm → 7 voxels of 5 mm
        Assert.Equal(6, AirPadding.Needed(t, 0.010));
        Assert.Equal(3, AirPadding.Needed(t, 0.001));
        Assert.Throws<SarKitInputException>(() => new AirPadding(t.Grid, -1));
    }
}
