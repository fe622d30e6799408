using SarKit.Engines;
using SarKit.Fields;

namespace SarKit.Tests.Engines;

public class SyntheticDatasetsTests
{
    [Fact]
    public void PtxIsDeterministicAndWellFormed()
    {
        var a = SyntheticDatasets.Ptx(channels: 8, approxVoxels: 20_000, head: true, seed: 3, includeH: true, includeB1Plus: true).Validate();
        var b = SyntheticDatasets.Ptx(channels: 8, approxVoxels: 20_000, head: true, seed: 3, includeH: true, includeB1Plus: true);
        var c = SyntheticDatasets.Ptx(channels: 8, approxVoxels: 20_000, head: true, seed: 4);
        Assert.Equal(8, a.Channels);
        Assert.InRange(a.Grid.VoxelCount, 15_000, 25_000);
        Assert.True(a.Grid.IsIsotropic());
        Assert.Equal(FieldNormalisation.PerAmpere, a.E.Normalisation);
        Assert.Equal(297.2e6, a.FrequencyHz);
        Assert.NotNull(a.H); Assert.NotNull(a.B1Plus);
        Assert.True(a.Tissue.Masks.ContainsKey("head") && a.Tissue.Masks.ContainsKey("body"));
        Assert.True(a.Tissue.Mass(a.Tissue.Masks["head"]) > 0);
        Assert.Equal("ch0_dipole", a.E.ChannelNames[0]); Assert.Equal("ch1_loop", a.E.ChannelNames[1]);
        for (int ch = 0; ch < 8; ch++)
            for (int comp = 0; comp < 3; comp++)
            {
                Assert.Equal(a.E.ComponentData(ch, comp), b.E.ComponentData(ch, comp));
                Assert.Equal(a.H!.ComponentData(ch, comp), b.H!.ComponentData(ch, comp));
            }
        Assert.NotEqual(a.E.ComponentData(0, 2), c.E.ComponentData(0, 2));
        Assert.Equal(a.Provenance["sources"], b.Provenance["sources"]);
        Assert.NotEqual(a.Provenance["sources"], c.Provenance["sources"]);
        // Every channel puts field into the tissue.
        for (int ch = 0; ch < 8; ch++)
        {
            double e2 = 0;
            for (int n = 0; n < a.Grid.VoxelCount; n++)
                if (a.Tissue.Rho[n] > 0) for (int comp = 0; comp < 3; comp++) { var v = a.E.Get(ch, comp, n); e2 += v.Real * v.Real + v.Imaginary * v.Imaginary; }
            Assert.True(e2 > 0 && double.IsFinite(e2));
        }
    }

    [Fact]
    public void PtxOnExactGridDimensionsScalesThePhantomIntoTheBox()
    {
        var d = SyntheticDatasets.Ptx(4, (30, 24, 20), 0.01, 128e6, head: false, seed: 1).Validate();
        Assert.Equal((30, 24, 20), (d.Grid.Nx, d.Grid.Ny, d.Grid.Nz));
        Assert.Equal(0.01, d.Grid.WidthX(0), 12);
        Assert.Equal(4, d.Channels);
        Assert.True(d.Tissue.TissueCount > 0);
        Assert.False(d.Tissue.Masks.ContainsKey("head"));
        // The body must not touch the grid border (array and margin around it).
        for (int n = 0; n < d.Grid.VoxelCount; n++)
        {
            var (i, j, k) = d.Grid.Unravel(n);
            if (i == 0 || j == 0 || i == d.Grid.Nx - 1 || j == d.Grid.Ny - 1) Assert.Equal(0, d.Tissue.Rho[n]);
        }
    }

    [Fact]
    public void PtxRejectsBadArguments()
    {
        Assert.Throws<SarKitInputException>(() => SyntheticDatasets.Ptx(channels: 0, approxVoxels: 1000));
        Assert.Throws<SarKitInputException>(() => SyntheticDatasets.Ptx(channels: 2, approxVoxels: 1000, frequencyHz: 1e9));
        Assert.Throws<SarKitInputException>(() => SyntheticDatasets.Ptx(new SyntheticPtxOptions { Dims = (10, 10, 10) }));
    }
}
