using SarKit.Averaging;
using SarKit.Grid;
using SarKit.Sar;
using SarKit.Tests.Support;

namespace SarKit.Tests.Averaging;

/// <summary><see cref="DriveSarMaps"/> (precomputed Q-matrices) against the direct scalar computations, and <see cref="VoxelSlices"/>.</summary>
public sealed class DriveSarMapsTests
{
    [Fact]
    public void Maps_from_precomputed_q_matrices_equal_the_direct_computation()
    {
        var tissue = TestPhantoms.Ellipsoid(14, 12, 13, 0.004, seed: 3);
        var e = TestPhantoms.RandomFields(tissue.Grid, 3, seed: 5);
        var ds = new SarDataset(tissue, e);
        var maps = DriveSarMaps.Build(ds, massKg: 0.001);
        Assert.NotNull(maps.AveragedQ);
        var rnd = new Random(7);
        for (int t = 0; t < 3; t++)
        {
            var drive = TestPhantoms.RandomDrive(3, rnd);
            var r = maps.Evaluate(drive);
            var local = LocalSar.Compute(tissue, e, drive);
            for (int v = 0; v < local.Length; v++) Assert.Equal(local[v], r.PointSar[v], 1e-12 * Math.Max(1, local[v]));
            Assert.Equal(LocalSar.Peak(local), r.PointPeak);

            var pad = maps.Padding;
            var scalar = SpatialAverage.Compute(pad.Pad(tissue), pad.Pad(local), new AveragingOptions { TargetMassKg = 0.001 });
            var avg = pad.Crop(scalar.Map);
            for (int v = 0; v < avg.Length; v++) Assert.Equal(avg[v], r.AveragedSar![v], 1e-9 * Math.Max(1e-12, avg[v]));
            Assert.Equal(scalar.Peak, r.AveragedPeak!.Value.Value, 1e-9 * scalar.Peak);
            Assert.Equal(pad.ToOriginal(scalar.PeakVoxel), r.AveragedPeak!.Value.Index);

            var power = new double[local.Length];
            LocalSar.PowerDensity(tissue, e, drive, power, perVolume: false);
            Assert.Equal(power.Sum(), r.AbsorbedPowerW, 1e-9 * power.Sum());
        }
        Assert.Throws<SarKitInputException>(() => maps.Evaluate(TestPhantoms.RandomDrive(2, rnd)));
    }

    [Fact]
    public void Point_only_and_graded_grids_have_no_averaged_map()
    {
        var tissue = TestPhantoms.Ellipsoid(8, 8, 8, 0.004, seed: 1);
        var e = TestPhantoms.RandomFields(tissue.Grid, 2, seed: 2);
        var point = DriveSarMaps.Build(new SarDataset(tissue, e), massKg: null);
        Assert.Null(point.AveragedQ);
        Assert.Null(point.Evaluate(TestPhantoms.RandomDrive(2, new Random(1))).AveragedSar);

        var g = tissue.Grid;
        var edges = g.EdgesX.ToArray(); edges[^1] += 0.002; // last x cell wider: graded
        var graded = new VoxelGrid(edges, g.EdgesY.ToArray(), g.EdgesZ.ToArray());
        var gt = new TissueModel(graded, tissue.Sigma, tissue.Rho);
        var ge = TestPhantoms.RandomFields(graded, 2, seed: 2);
        var m = DriveSarMaps.Build(new SarDataset(gt, ge), massKg: 0.01);
        Assert.Null(m.AveragedQ);
        Assert.Contains("uniform grid", m.AveragingUnavailableReason);
    }

    [Fact]
    public void Slices_pick_the_right_voxels()
    {
        var g = VoxelGrid.Uniform(3, 4, 5, 0.001);
        var map = Enumerable.Range(0, g.VoxelCount).Select(v => (double)v).ToArray();
        var s = VoxelSlices.Through(map, g, 1, 2, 3);
        Assert.Equal((SliceNormal.X, 4, 5), (s[0].Normal, s[0].Width, s[0].Height));
        Assert.Equal((SliceNormal.Y, 3, 5), (s[1].Normal, s[1].Width, s[1].Height));
        Assert.Equal((SliceNormal.Z, 3, 4), (s[2].Normal, s[2].Width, s[2].Height));
        for (int k = 0; k < 5; k++)
            for (int j = 0; j < 4; j++) Assert.Equal(g.Index(1, j, k), s[0].Values[k * 4 + j]);
        for (int k = 0; k < 5; k++)
            for (int i = 0; i < 3; i++) Assert.Equal(g.Index(i, 2, k), s[1].Values[k * 3 + i]);
        for (int j = 0; j < 4; j++)
            for (int i = 0; i < 3; i++) Assert.Equal(g.Index(i, j, 3), s[2].Values[j * 3 + i]);
        Assert.Throws<SarKitInputException>(() => VoxelSlices.Extract(map, g, SliceNormal.Z, 5));
    }
}
