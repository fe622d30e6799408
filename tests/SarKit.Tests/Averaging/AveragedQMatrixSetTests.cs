using SarKit.Averaging;
using SarKit.Sar;
using SarKit.Tests.Support;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Tests.Averaging;

public class AveragedQMatrixSetTests
{
    [Fact]
    public void QSetPeakAndMapEqualTheScalarResultForAnyDrive()
    {
        var t = TestPhantoms.Ellipsoid(20, 18, 24, 0.004, seed: 11);
        var e = TestPhantoms.RandomFields(t.Grid, 4, seed: 3);
        var data = new SarDataset(t, e);
        var cubes = AveragingCubeSet.Build(t);
        var q = AveragedQMatrixSet.Compute(data, cubes, maxTableBytes: 1 << 20); // force component tiling
        var rnd = new Random(7);
        for (int trial = 0; trial < 12; trial++)
        {
            var drive = TestPhantoms.RandomDrive(4, rnd);
            var scalar = SpatialAverage.Compute(data, drive, cubes: cubes);
            var (peak, cube, voxel) = q.PeakSar(drive);
            Assert.Equal(scalar.Peak, peak, scalar.Peak * 1e-9);
            Assert.Equal(scalar.PeakVoxel, q.Evaluate(drive, LocalSar.Compute(t, e, drive)).PeakVoxel);
            var fromQ = q.Evaluate(drive, LocalSar.Compute(t, e, drive));
            for (int v = 0; v < scalar.Map.Length; v++) Assert.Equal(scalar.Map[v], fromQ.Map[v], 1e-9 * (1 + scalar.Map[v]));
        }
    }

    [Fact]
    public void AveragedQMatricesArePositiveSemidefinite()
    {
        var t = TestPhantoms.Ellipsoid(16, 14, 18, 0.005, seed: 12);
        var e = TestPhantoms.RandomFields(t.Grid, 3, seed: 4);
        var q = AveragedQMatrixSet.Compute(new SarDataset(t, e), AveragingCubeSet.Build(t));
        var rnd = new Random(8);
        for (int c = 0; c < q.Count; c += 3)
        {
            var p = q.Packed(c);
            for (int i = 0; i < 3; i++) Assert.True(p[i] >= 0);
            for (int r = 0; r < 5; r++)
            {
                var w = HermitianPacking.DriveWeights(TestPhantoms.RandomDrive(3, rnd).Amplitudes);
                Assert.True(HermitianPacking.QuadraticForm(p, w) >= -1e-15 * (p[0] + p[1] + p[2]));
            }
        }
    }
}
