using System.Numerics;
using SarKit.Fields;
using SarKit.Sar;
using SarKit.Tests.Support;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Tests;

public class QMatrixTests
{
    [Fact]
    public void PackedQuadraticFormEqualsDirectSarOfTheCombinedField()
    {
        var t = TestPhantoms.Ellipsoid(12, 10, 14, 0.005, seed: 1);
        var e = TestPhantoms.RandomFields(t.Grid, 5, seed: 2);
        var q = QMatrixField.Compute(t, e);
        var rnd = new Random(4);
        for (int trial = 0; trial < 5; trial++)
        {
            var drive = TestPhantoms.RandomDrive(5, rnd);
            var direct = LocalSar.Compute(t, e, drive);
            var viaQ = q.Sar(drive);
            for (int n = 0; n < q.Count; n++) Assert.Equal(direct[q.VoxelIndices[n]], viaQ[n], 1e-9 * (1 + direct[q.VoxelIndices[n]]));
        }
    }

    [Fact]
    public void QMatricesAreHermitianPsdAndScaleWithDrivePower()
    {
        var t = TestPhantoms.Ellipsoid(10, 10, 10, 0.005, seed: 3);
        var e = TestPhantoms.RandomFields(t.Grid, 4, seed: 5);
        var q = QMatrixField.Compute(t, e);
        var rnd = new Random(6);
        for (int n = 0; n < q.Count; n += 5)
        {
            var m = HermitianPacking.Unpack(q.Packed(n), 4);
            for (int i = 0; i < 4; i++) for (int j = 0; j < 4; j++) Assert.Equal(Complex.Conjugate(m[i, j]), m[j, i]);
            Assert.Equal(q.Packed(n).ToArray(), HermitianPacking.Pack(m));
            // rank ≤ 3 (three field components), PSD
            for (int r = 0; r < 4; r++)
            {
                var b = TestPhantoms.RandomDrive(4, rnd);
                double s1 = HermitianPacking.QuadraticForm(q.Packed(n), HermitianPacking.DriveWeights(b.Amplitudes));
                double s2 = HermitianPacking.QuadraticForm(q.Packed(n), HermitianPacking.DriveWeights(b.Scale(new Complex(0, 3)).Amplitudes));
                Assert.True(s1 >= 0);
                Assert.Equal(9 * s1, s2, 1e-10 * (1 + s2));
            }
        }
    }

    [Fact]
    public void WholeBodyQGivesAbsorbedPowerOverMassAndSuperposes()
    {
        var t = TestPhantoms.Ellipsoid(12, 12, 12, 0.005, seed: 7);
        var e = TestPhantoms.RandomFields(t.Grid, 3, seed: 8);
        var wb = RegionQ.Compute("body", t, e);
        Assert.Equal(t.Mass(), wb.MassKg, 12);
        var rnd = new Random(9);
        var b = TestPhantoms.RandomDrive(3, rnd);
        var p = new double[t.Grid.VoxelCount];
        LocalSar.PowerDensity(t, e, b, p, perVolume: false);
        Assert.Equal(p.Sum() / t.Mass(), wb.Sar(b), 1e-9 * wb.Sar(b));
        // channel-by-channel powers add up for orthogonal phases? No: check the Hermitian cross terms instead
        var b1 = new DriveVector([1, 0, 0]); var b2 = new DriveVector([0, 1, 0]); var b12 = new DriveVector([1, 1, 0]); var b1m2 = new DriveVector([1, -1, 0]);
        Assert.Equal(2 * (wb.Sar(b1) + wb.Sar(b2)), wb.Sar(b12) + wb.Sar(b1m2), 1e-9);
    }

    [Fact]
    public void RegionQIsTheSameBitsForAnyThreadCount()
    {
        // partial sums are added in slab order, so the thread count and the scheduling cannot change a bit
        var t = TestPhantoms.Ellipsoid(16, 14, 40, 0.005, seed: 11);
        var e = TestPhantoms.RandomFields(t.Grid, 4, seed: 12);
        var one = RegionQ.Compute("body", t, e, settings: new SarKitSettings { MaxDegreeOfParallelism = 1 });
        for (int run = 0; run < 4; run++)
        {
            var many = RegionQ.Compute("body", t, e, settings: new SarKitSettings { MaxDegreeOfParallelism = 2 + run });
            Assert.Equal(one.MassKg, many.MassKg);
            Assert.Equal(one.Voxels, many.Voxels);
            Assert.Equal(one.Packed, many.Packed);
        }
    }

    [Fact]
    public void DriveParsingAcceptsAmplitudeAtPhaseAndRejectsGarbage()
    {
        var d = DriveVector.Parse("1@0, 2@90,0.5");
        Assert.Equal(3, d.Channels);
        Assert.Equal(0, d[1].Real, 12); Assert.Equal(2, d[1].Imaginary, 12);
        Assert.Equal(0.5, d[2].Real, 12);
        var ex = Assert.Throws<SarKitInputException>(() => DriveVector.Parse("1@0,abc"));
        Assert.Contains("channel 1", ex.Message);
    }
}

public class ExposedMassTests
{
    [Fact]
    public void ZRangeMassCountsFractionalSlices()
    {
        var t = SarKit.Tests.Support.TestPhantoms.Block(10, 10, 10, 0, 0.01, rho: 1000); // 10 cm cube, 1 kg per 1 cm slice? no: 0.1 kg
        double m = SarKit.Sar.ExposedMass.InsideZRange(t, 0.025, 0.07, out var mask);
        Assert.Equal(1000 * 0.1 * 0.1 * 0.045, m, 12);
        Assert.Equal(10 * 10 * 5, mask.Count(b => b)); // slices 2..6 overlap
        Assert.Equal(t.Mass(), SarKit.Sar.ExposedMass.InsideZRange(t, -1, 1, out _), 12);
        Assert.Throws<SarKitInputException>(() => SarKit.Sar.ExposedMass.InsideZRange(t, 1, 0, out _));
    }

    [Fact]
    public void FieldExtentMassShrinksAsTheThresholdRises()
    {
        var t = SarKit.Tests.Support.TestPhantoms.Ellipsoid(12, 12, 12, 0.005, seed: 1);
        var e = SarKit.Tests.Support.TestPhantoms.RandomFields(t.Grid, 2, seed: 2);
        for (int c = 0; c < 2; c++) for (int a = 0; a < 3; a++) // field grows along x
            { var d = e.ComponentData(c, a); for (int v = 0; v < t.Grid.VoxelCount; v++) { float f = t.Grid.Unravel(v).I + 1; d[2 * v] *= f; d[2 * v + 1] *= f; } }
        double all = SarKit.Sar.ExposedMass.FromFieldExtent(t, e, 1e-9, out _);
        double half = SarKit.Sar.ExposedMass.FromFieldExtent(t, e, 0.5, out var mask);
        Assert.Equal(t.Mass(), all, 9);
        Assert.True(half < all && half > 0);
        Assert.True(mask.Select((b, v) => !b || t.Rho[v] > 0).All(x => x));
    }
}
