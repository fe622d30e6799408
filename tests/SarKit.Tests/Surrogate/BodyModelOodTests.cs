using SarKit.Surrogate.BodyModels;

namespace SarKit.Tests.Surrogate;

/// <summary>Out-of-distribution variants of a body model (tools/surrogate3d/ood_variants.txt): same anatomy draws, scaled properties or a shifted position, recorded in the parameters.</summary>
public class BodyModelOodTests
{
    [Fact]
    public void Property_scales_multiply_eps_and_sigma_only_and_are_recorded()
    {
        var nominal = BodyModelGenerator.Generate(AnatomyFamily.B, 3);
        var shifted = BodyModelGenerator.Generate(AnatomyFamily.B, 3, new BodyModelOptions { EpsilonScale = 0.85, SigmaScale = 1.15 });
        Assert.Equal(nominal.Labels, shifted.Labels);
        Assert.Equal(nominal.Density, shifted.Density);
        for (int l = 0; l < nominal.EpsilonR.Length; l++)
        {
            if (nominal.Density[l] == 0) continue;
            Assert.Equal(0.85 * nominal.EpsilonR[l], shifted.EpsilonR[l], 1e-12 * nominal.EpsilonR[l]);
            Assert.Equal(1.15 * nominal.Sigma[l], shifted.Sigma[l], 1e-12 * nominal.Sigma[l]);
        }
        Assert.Equal(0.85, shifted.Parameters["ood_scale_eps"]);
        Assert.Equal(1.15, shifted.Parameters["ood_scale_sigma"]);
        Assert.DoesNotContain(nominal.Parameters.Keys, k => k.StartsWith("ood_", StringComparison.Ordinal));   // nominal subjects unchanged
        Assert.Throws<SarKitInputException>(() => BodyModelGenerator.Generate(AnatomyFamily.A, 1, new BodyModelOptions { SigmaScale = 0 }));
        Assert.Throws<SarKitInputException>(() => BodyModelGenerator.Generate(AnatomyFamily.A, 1, new BodyModelOptions { ExtraOffsetM = (double.NaN, 0, 0) }));
    }

    [Fact]
    public void Position_offset_of_whole_cells_moves_the_labels_by_that_many_cells()
    {
        var nominal = BodyModelGenerator.Generate(AnatomyFamily.A, 4);
        var moved = BodyModelGenerator.Generate(AnatomyFamily.A, 4, new BodyModelOptions { ExtraOffsetM = (0.015, -0.010, 0) });   // +3 cells in x, −2 in y
        var g = nominal.Grid;
        long same = 0, compared = 0;
        for (int k = 0; k < g.Nz; k++)
            for (int j = 2; j < g.Ny; j++)
                for (int i = 0; i + 3 < g.Nx; i++)
                {
                    compared++;
                    if (moved.Labels[((long)k * g.Ny + (j - 2)) * g.Nx + i + 3] == nominal.Labels[((long)k * g.Ny + j) * g.Nx + i]) same++;
                }
        Assert.True(same >= 0.999 * compared, $"{compared - same} of {compared} voxels differ after a whole-cell shift");   // rounding at surfaces only
        Assert.Equal(0.015, moved.Parameters["ood_offset_x_m"]);
        Assert.Equal(-0.010, moved.Parameters["ood_offset_y_m"]);
        Assert.Equal(nominal.EpsilonR, moved.EpsilonR);
    }
}
