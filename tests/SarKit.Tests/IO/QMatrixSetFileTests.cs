using SarKit.Averaging;
using SarKit.IO;
using SarKit.Tests.Support;
using SarKit.IO.Arrays;
using SarKit.IO.Formats;

namespace SarKit.Tests.IO;

public class QMatrixSetFileTests
{
    [Fact]
    public void AveragedSetRoundTripsAndGivesTheSamePeakForAnyDrive()
    {
        var t = TestPhantoms.Ellipsoid(14, 12, 16, 0.005, seed: 2);
        var e = TestPhantoms.RandomFields(t.Grid, 3, seed: 3);
        var set = AveragedQMatrixSet.Compute(new SarDataset(t, e), AveragingCubeSet.Build(t));
        var dir = Directory.CreateTempSubdirectory("sarkit-q");
        try
        {
            var path = Path.Combine(dir.FullName, "q.h5");
            QMatrixSetFile.Write(set, path);
            Assert.Single(Directory.GetFiles(dir.FullName)); // no temporary left behind
            var back = QMatrixSetFile.Read(path);
            Assert.Equal(set.Count, back.Count);
            Assert.Equal(3, back.Channels);
            Assert.Equal(0.010, back.TargetMassKg);
            Assert.Equal("averaged", back.Kind);
            Assert.Equal(set.AllPacked.ToArray(), back.Packed);
            var rnd = new Random(1);
            for (int r = 0; r < 5; r++)
            {
                var d = TestPhantoms.RandomDrive(3, rnd);
                Assert.Equal(set.PeakSar(d).Peak, back.PeakSar(d).Peak, 1e-12);
            }
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public void NonHermitianMatricesAreRejectedWithTheirIndex()
    {
        var dir = Directory.CreateTempSubdirectory("sarkit-q");
        try
        {
            var path = Path.Combine(dir.FullName, "bad.h5");
            using (var f = SarKit.IO.Hdf5.Hdf5File.Create(path))
            {
                f.WriteAttribute("/", "sarkit_format", QMatrixSetFile.FormatId);
                var m = new double[2 * 2 * 2 * 2];
                m[0] = 1; m[6] = 1; // [0]: diag(1, 1)
                m[8] = 1; m[10] = 0.5; m[12] = 0.2; m[14] = 1; // [1]: Q01 = 0.5, Q10 = 0.2: not Hermitian
                f.WriteDataset("/matrices", new NdArray(NdType.Complex128, [2, 2, 2], m));
            }
            var ex = Assert.Throws<SarKitInputException>(() => QMatrixSetFile.Read(path));
            Assert.Contains("/matrices matrix 1 (0-based) is not a Hermitian", ex.Message);
            Assert.Contains("bad.h5", ex.Message);
        }
        finally { dir.Delete(true); }
    }
}
