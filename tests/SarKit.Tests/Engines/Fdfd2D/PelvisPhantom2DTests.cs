using SarKit.Surrogate.Fdfd2D;

namespace SarKit.Tests.Engines.Fdfd2D;

public class PelvisPhantom2DTests
{
    private static readonly FdfdGrid2D Grid = new(64, 64, 0.0075, 8);

    [Fact]
    public void Same_seed_gives_the_same_phantom_and_different_seeds_differ()
    {
        var a = PelvisPhantom2D.Generate(Grid, 42); var b = PelvisPhantom2D.Generate(Grid, 42); var c = PelvisPhantom2D.Generate(Grid, 43);
        Assert.Equal(a.Labels, b.Labels);
        Assert.Equal(a.Sigma, b.Sigma);
        Assert.Equal(a.Elements, b.Elements);
        Assert.NotEqual(a.Sigma, c.Sigma);
    }

    [Fact]
    public void Has_every_tissue_properties_within_jitter_and_elements_in_air_around_the_body()
    {
        for (int seed = 0; seed < 10; seed++)
        {
            var p = PelvisPhantom2D.Generate(Grid, seed);
            foreach (var t in PelvisTissues.All) Assert.Contains(t, p.Labels);
            for (int c = 0; c < p.Labels.Length; c++)
            {
                var nom = PelvisTissues.Nominal(p.Labels[c]);
                if (p.Labels[c] == PelvisTissue.Air) { Assert.Equal(0, p.Density[c]); Assert.Equal(1, p.EpsilonR[c]); continue; }
                Assert.InRange(p.Sigma[c] / nom.Sigma, 0.9, 1.1);
                Assert.InRange(p.EpsilonR[c] / nom.EpsilonR, 0.9, 1.1);
                Assert.Equal(nom.Density, p.Density[c]);
            }
            Assert.Equal(8, p.Elements.Length);
            // channel order counter-clockwise
            var angles = p.Elements.Select(e => Math.Atan2(e.Y, e.X) < 0 ? Math.Atan2(e.Y, e.X) + 2 * Math.PI : Math.Atan2(e.Y, e.X)).ToArray();
            Assert.Equal(angles.OrderBy(x => x).ToArray(), angles);
            foreach (var e in p.Elements) { var (i, j) = Grid.CellOf(e.X, e.Y); Assert.Equal(PelvisTissue.Air, p.Labels[i + Grid.Nx * j]); }
        }
    }

    [Fact]
    public void Too_small_grid_is_bad_input()
    {
        var ex = Assert.Throws<SarKitInputException>(() => PelvisPhantom2D.Generate(new FdfdGrid2D(40, 40, 0.0075, 8), 1));
        Assert.Contains("outside the 40 × 40 grid", ex.Message);
    }
}
