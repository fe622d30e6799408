using SarKit.Grid;

namespace SarKit.Tests;

public class GridTests
{
    [Fact]
    public void UniformGridIndexRoundTripsAndVolumesSum()
    {
        var g = VoxelGrid.Uniform(4, 3, 2, 0.002, 0.003, 0.005, (1, 2, 3));
        Assert.Equal(24, g.VoxelCount);
        for (int n = 0; n < g.VoxelCount; n++) { var (i, j, k) = g.Unravel(n); Assert.Equal(n, g.Index(i, j, k)); }
        Assert.Equal(4 * 0.002 * 3 * 0.003 * 2 * 0.005, g.VoxelVolumes().Sum(), 12);
        Assert.Equal(1 + 0.001, g.CentreX(0), 12);
        Assert.True(g.IsUniform());
        Assert.False(g.IsIsotropic());
    }

    [Fact]
    public void NonUniformEdgesAreRejectedWhenNotIncreasing()
    {
        Assert.Throws<SarKitInputException>(() => new VoxelGrid([0, 1, 1], [0, 1], [0, 1]));
        var g = new VoxelGrid([0, 1, 3, 6], [0, 1], [0, 2]);
        Assert.False(g.IsUniform());
        Assert.Equal(3.0, g.WidthX(2));
        Assert.Equal(6 * 1 * 2, g.VoxelVolumes().Sum(), 12);
    }
}
