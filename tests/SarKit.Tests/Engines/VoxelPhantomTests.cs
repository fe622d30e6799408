using SarKit.Engines;
using SarKit.Grid;

namespace SarKit.Tests.Engines;

public class VoxelPhantomTests
{
    private static double MassOfLabel(TissueModel t, int label)
    {
        double m = 0;
        var v = t.Grid.VoxelVolumes();
        for (int n = 0; n < t.Rho.Length; n++) if (t.Labels![n] == label) m += t.Rho[n] * v[n];
        return m;
    }

    [Theory]
    [InlineData(PhantomBodyShape.Ellipsoid)]
    [InlineData(PhantomBodyShape.EllipticCylinder)]
    public void BodyMassesMatchTheAnalyticVolumesWithinVoxelisationError(PhantomBodyShape shape)
    {
        // 2 mm voxels, body centre off the voxel lattice. Centre-sampling error of a smooth surface is a small fraction
        // of (surface area × h): < 1 % here for the core, a few % for the 12 mm shell.
        var grid = VoxelGrid.Uniform(110, 76, 130, 0.002, (-0.11, -0.076, -0.13));
        var ph = new VoxelPhantom(grid)
        {
            Shape = shape, BodyCentre = (0.0013, -0.0007, 0.0021), BodySemiAxes = (0.10, 0.07, 0.12), FatThickness = 0.012,
            Tissues = TissueSet.At298MHz,
        };
        var t = ph.Build().Validate();
        var v = ph.AnalyticVolumes();
        var ts = TissueSet.At298MHz;
        double mMuscle = MassOfLabel(t, VoxelPhantom.MuscleLabel), mFat = MassOfLabel(t, VoxelPhantom.FatLabel);
        Assert.Equal(1, mMuscle / (v.Muscle * ts.Muscle.Density), 0.01);
        Assert.Equal(1, mFat / (v.BodyFat * ts.Fat.Density), 0.03);
        Assert.Equal(mMuscle + mFat, t.Mass(), 1e-9);
        Assert.Equal(t.Mass(), t.Mass(t.Masks[TissueModel.BodyMask]), 1e-12);
        Assert.False(t.Masks.ContainsKey(TissueModel.HeadMask));
        // Tissue properties and background (count mismatches; one assert per voxel would be slow).
        int bad = 0;
        for (int n = 0; n < t.Rho.Length; n++)
        {
            int l = t.Labels![n];
            if ((l != 0) != t.Masks[TissueModel.BodyMask][n]) bad++;
            bool ok = l switch
            {
                0 => t.Rho[n] == 0 && t.Sigma[n] == 0 && t.EpsilonR![n] == 1,
                VoxelPhantom.MuscleLabel => t.Rho[n] == ts.Muscle.Density && t.Sigma[n] == ts.Muscle.Sigma && t.EpsilonR![n] == ts.Muscle.EpsilonR,
                VoxelPhantom.FatLabel => t.Rho[n] == ts.Fat.Density && t.Sigma[n] == ts.Fat.Sigma && t.EpsilonR![n] == ts.Fat.EpsilonR,
                _ => false,
            };
            if (!ok) bad++;
        }
        Assert.Equal(0, bad);
        Assert.Equal("muscle", t.LabelNames![VoxelPhantom.MuscleLabel]);
    }

    [Fact]
    public void ShellThicknessAlongTheAxesIsTheGivenThickness()
    {
        // Along +x through the centre: fat from a − t to a, muscle inside (1 mm voxels, centres at ±0.5 mm offsets).
        var grid = VoxelGrid.Uniform(240, 1, 1, 0.001, (-0.12, -0.0005, -0.0005));
        var t = new VoxelPhantom(grid) { BodySemiAxes = (0.1, 0.05, 0.05), FatThickness = 0.02 }.Build();
        for (int i = 0; i < grid.Nx; i++)
        {
            double x = Math.Abs(grid.CentreX(i));
            int expected = x <= 0.08 ? VoxelPhantom.MuscleLabel : x <= 0.1 ? VoxelPhantom.FatLabel : 0;
            Assert.Equal(expected, t.Labels![i]);
        }
    }

    [Fact]
    public void HeadHasBrainSkullAndScalpWithAnalyticMassesAndMasks()
    {
        var grid = VoxelGrid.Uniform(100, 100, 175, 0.002, (-0.1, -0.1, -0.1));
        var ph = new VoxelPhantom(grid)
        {
            BodySemiAxes = (0.09, 0.06, 0.08), FatThickness = 0.01, Head = true, HeadRadius = 0.08,
            SkullThickness = 0.008, ScalpThickness = 0.006, Tissues = TissueSet.At64MHz,
        };
        var t = ph.Build().Validate();
        var (hx, hy, hz) = ph.EffectiveHeadCentre;
        Assert.Equal((0.0, 0.0, 0.08 + 0.9 * 0.08), (hx, hy, hz));
        var v = ph.AnalyticVolumes();
        var ts = TissueSet.At64MHz;
        Assert.Equal(1, MassOfLabel(t, VoxelPhantom.BrainLabel) / (v.Brain * ts.Brain.Density), 0.01);
        Assert.Equal(1, MassOfLabel(t, VoxelPhantom.SkullLabel) / (v.Skull * ts.Skull.Density), 0.04);
        var head = t.Masks[TissueModel.HeadMask]; var trunk = t.Masks[VoxelPhantom.TrunkMask]; var body = t.Masks[TissueModel.BodyMask];
        double headMass = t.Mass(head);
        double analyticHead = v.Brain * ts.Brain.Density + v.Skull * ts.Skull.Density + v.Scalp * ts.Fat.Density;
        Assert.Equal(1, headMass / analyticHead, 0.02);
        int bad = 0;
        for (int n = 0; n < t.Rho.Length; n++)
        {
            var (x, y, z) = grid.Centre(n);
            bool inSphere = (x - hx) * (x - hx) + (y - hy) * (y - hy) + (z - hz) * (z - hz) <= 0.08 * 0.08;
            if (inSphere != head[n] || (head[n] && trunk[n]) || (t.Rho[n] > 0) != body[n] || body[n] != (head[n] || trunk[n])) bad++;
        }
        Assert.Equal(0, bad);
        Assert.Equal(t.Mass(), t.Mass(head) + t.Mass(trunk), 1e-9);
    }

    [Fact]
    public void BadGeometryIsRejected()
    {
        var grid = VoxelGrid.Uniform(4, 4, 4, 0.01);
        Assert.Throws<SarKitInputException>(() => new VoxelPhantom(grid) { BodySemiAxes = (0.1, -0.1, 0.1) }.Build());
        Assert.Throws<SarKitInputException>(() => new VoxelPhantom(grid) { BodySemiAxes = (0.1, 0.05, 0.1), FatThickness = 0.05 }.Build());
        Assert.Throws<SarKitInputException>(() => new VoxelPhantom(grid) { Head = true, HeadRadius = 0.01, SkullThickness = 0.006, ScalpThickness = 0.004 }.Build());
    }

    [Fact]
    public void TabulatedTissueSetsAndInterpolation()
    {
        Assert.Equal(0.688, TissueSet.At64MHz.Muscle.Sigma);
        Assert.Equal(TissueSet.At128MHz, TissueSet.At(128e6));
        var mid = TissueSet.At(200e6);
        Assert.InRange(mid.Muscle.Sigma, TissueSet.At128MHz.Muscle.Sigma, TissueSet.At298MHz.Muscle.Sigma);
        Assert.InRange(mid.Brain.EpsilonR, TissueSet.At298MHz.Brain.EpsilonR, TissueSet.At128MHz.Brain.EpsilonR);
        Assert.Throws<SarKitInputException>(() => TissueSet.At(500e6));
    }
}
