using SarKit.Fields;
using SarKit.Sar;
using SarKit.Tests.Support;

namespace SarKit.Tests;

/// <summary>
/// <see cref="DriveFieldSum"/> (a drive's field summed channel by channel), <see cref="LocalSar.Compute(Grid.TissueModel, DriveFieldSum)"/>
/// and <see cref="RegionPower"/> against the per-channel computations they replace in <c>sarkit sar</c>.
/// </summary>
public sealed class DriveFieldSumTests
{
    private static DriveFieldSum Sum(MultiChannelField e, DriveVector drive)
    {
        var s = new DriveFieldSum(e.Grid, drive, e.Source);
        for (int c = 0; c < e.Channels; c++)
            for (int a = 0; a < 3; a++)
            {
                Assert.False(s.IsComplete);
                s.Add(c, a, e.ComponentData(c, a));
            }
        Assert.True(s.IsComplete);
        return s;
    }

    [Theory]
    [InlineData(1, 11)]
    [InlineData(4, 12)]
    [InlineData(8, 13)]
    public void Point_sar_from_the_sum_is_the_per_channel_point_sar_bit_for_bit(int channels, int seed)
    {
        var tissue = TestPhantoms.Ellipsoid(13, 11, 12, 0.004, seed);
        var e = TestPhantoms.RandomFields(tissue.Grid, channels, seed + 1);
        var rnd = new Random(seed);
        for (int t = 0; t < 3; t++)
        {
            var drive = TestPhantoms.RandomDrive(channels, rnd);
            var expected = LocalSar.Compute(tissue, e, drive);
            var got = LocalSar.Compute(tissue, Sum(e, drive));
            Assert.Equal(expected, got); // exact: same terms, same order
            Assert.Contains(got, v => v > 0);
        }
    }

    [Fact]
    public void Region_power_equals_the_region_q_matrix_form_to_rounding_and_the_mass_exactly()
    {
        var tissue = TestPhantoms.Ellipsoid(14, 12, 13, 0.004, seed: 3);
        var head = new bool[tissue.Grid.VoxelCount];
        for (int v = 0; v < head.Length; v += 3) head[v] = true;
        var e = TestPhantoms.RandomFields(tissue.Grid, 6, seed: 4);
        var rnd = new Random(5);
        foreach (var mask in new[] { null, head })
        {
            var q = RegionQ.Compute("r", tissue, e, mask);
            for (int t = 0; t < 4; t++)
            {
                var drive = TestPhantoms.RandomDrive(6, rnd);
                var p = RegionPower.Compute("r", tissue, Sum(e, drive), mask);
                Assert.Equal(q.MassKg, p.MassKg);
                Assert.Equal(q.Voxels, p.Voxels);
                Assert.Equal(q.Sar(drive), p.Sar, 1e-12 * q.Sar(drive));
                Assert.Equal(q.AbsorbedPower(drive), p.PowerW, 1e-12 * p.PowerW);
                // and the absorbed power is the sum of the per-voxel powers σ|E|²V/2
                var power = new double[tissue.Grid.VoxelCount];
                LocalSar.PowerDensity(tissue, e, drive, power, perVolume: false);
                double inRegion = Enumerable.Range(0, power.Length).Where(v => tissue.Rho[v] > 0 && (mask is null || mask[v])).Sum(v => power[v]);
                Assert.Equal(inRegion, p.PowerW, 1e-12 * inRegion);
            }
        }
        Assert.Throws<SarKitInputException>(() => RegionPower.Compute("empty", tissue, Sum(e, TestPhantoms.RandomDrive(6, rnd)), new bool[tissue.Grid.VoxelCount]));
    }

    [Fact]
    public void Channels_out_of_order_and_an_incomplete_sum_are_refused()
    {
        var tissue = TestPhantoms.Ellipsoid(6, 6, 6, 0.004, seed: 1);
        var e = TestPhantoms.RandomFields(tissue.Grid, 2, seed: 2);
        var s = new DriveFieldSum(e.Grid, TestPhantoms.RandomDrive(2, new Random(3)), e.Source);
        Assert.Throws<InvalidOperationException>(() => s.Add(1, 0, e.ComponentData(1, 0)));
        s.Add(0, 0, e.ComponentData(0, 0));
        Assert.Throws<InvalidOperationException>(() => s.Add(0, 0, e.ComponentData(0, 0)));
        Assert.Throws<ArgumentException>(() => s.Add(0, 1, new float[4]));
        Assert.Throws<ArgumentOutOfRangeException>(() => s.Add(0, 3, e.ComponentData(0, 0)));
        Assert.Throws<InvalidOperationException>(() => LocalSar.Compute(tissue, s));
        Assert.Throws<InvalidOperationException>(() => RegionPower.Compute("all", tissue, s));
    }

    [Fact]
    public void An_overflowing_drive_is_refused_as_by_the_per_channel_point_sar()
    {
        var tissue = TestPhantoms.Ellipsoid(6, 6, 6, 0.004, seed: 1);
        var e = TestPhantoms.RandomFields(tissue.Grid, 2, seed: 2);
        int at = Array.FindIndex(tissue.Rho, r => r > 0);
        tissue.Sigma[at] = 1e300; // finite inputs whose power σ|E|²/2 is not (|b E| ≈ 1e47 V/m)
        for (int v = 0; v < tissue.Grid.VoxelCount; v++) e.ComponentData(0, 0)[2 * v] = 3e38f;
        var drive = new DriveVector([new System.Numerics.Complex(DriveVector.MaxAmplitude, 0), System.Numerics.Complex.One], FieldNormalisation.PerVoltIncident);
        var old = Assert.Throws<SarKitInputException>(() => LocalSar.Compute(tissue, e, drive));
        var now = Assert.Throws<SarKitInputException>(() => LocalSar.Compute(tissue, Sum(e, drive)));
        Assert.Equal(old.Message, now.Message);
    }
}
