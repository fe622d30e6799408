using System.Text.Json;
using SarKit.Engines;
using SarKit.IO;
using SarKit.IO.Arrays;
using SarKit.Surrogate.BodyModels;

namespace SarKit.Tests.Surrogate;

public class BodyModelTests
{
    [Fact]
    public void Same_family_and_seed_give_the_same_model_and_other_seeds_do_not()
    {
        foreach (var fam in new[] { AnatomyFamily.A, AnatomyFamily.B })
        {
            var a = BodyModelGenerator.Generate(fam, 17);
            var b = BodyModelGenerator.Generate(fam, 17);
            var c = BodyModelGenerator.Generate(fam, 18);
            Assert.Equal(a.Labels, b.Labels);
            Assert.Equal(a.EpsilonR, b.EpsilonR);
            Assert.Equal(a.Sigma, b.Sigma);
            Assert.Equal(a.Density, b.Density);
            Assert.Equal(a.MetadataJson(), b.MetadataJson());
            Assert.NotEqual(a.Labels, c.Labels);
            Assert.NotEqual(a.Sigma, c.Sigma);
        }
    }

    [Fact]
    public void Families_differ_in_construction_not_only_in_values()
    {
        var a = BodyModelGenerator.Generate(AnatomyFamily.A, 5);
        var b = BodyModelGenerator.Generate(AnatomyFamily.B, 5);
        Assert.NotEqual(a.Labels, b.Labels);
        // family B has parameters family A does not have (pelvic tilt/roll, superellipse outline, asymmetry) and vice versa
        foreach (var k in new[] { "pelvic_tilt_rad", "pelvic_roll_rad", "superellipse_exponent", "left_right_asymmetry", "bowel_segments" })
        {
            Assert.True(b.Parameters.ContainsKey(k), k);
            Assert.False(a.Parameters.ContainsKey(k), k);
        }
        foreach (var k in new[] { "waist_width_ratio", "thigh_gap_m", "bowel_loops" })
        {
            Assert.True(a.Parameters.ContainsKey(k), k);
            Assert.False(b.Parameters.ContainsKey(k), k);
        }
    }

    /// <summary>Documented ranges (docs/surrogate3d-dataset.md): % of the body volume over the whole 355 mm model.</summary>
    private static readonly (int Label, double Min, double Max)[] FractionRanges =
    [
        (BodyTissues.Skin, 1, 6), (BodyTissues.Fat, 8, 50), (BodyTissues.Muscle, 35, 80), (BodyTissues.CorticalBone, 1.5, 6),
        (BodyTissues.CancellousBone, 2, 7), (BodyTissues.Urine, 0.05, 3), (BodyTissues.BladderWall, 0.05, 1), (BodyTissues.BowelWall, 0.5, 4),
        (BodyTissues.BowelGas, 0, 1), (BodyTissues.Prostate, 0.05, 0.4), (BodyTissues.Blood, 0.1, 1.5),
    ];

    [Theory]
    [InlineData(AnatomyFamily.A)]
    [InlineData(AnatomyFamily.B)]
    public void Tissue_volume_fractions_and_mass_are_in_the_documented_ranges(AnatomyFamily fam)
    {
        for (int seed = 100; seed < 110; seed++)
        {
            var m = BodyModelGenerator.Generate(fam, seed);
            var f = m.VolumeFractions();
            foreach (var (label, lo, hi) in FractionRanges)
                Assert.InRange(100 * f[label], lo, hi);
            Assert.InRange(m.TissueMassKg(), 12, 40);
            // every tissue present except possibly gas
            var counts = m.LabelCounts();
            foreach (var t in BodyTissues.All.Where(t => t.Label != BodyTissues.BowelGas))
                Assert.True(counts[t.Label] > 0, $"{fam} seed {seed}: no {t.Name}");
            // the body does not touch the x-y faces of the grid (an air cell at least all round)
            var g = m.Grid;
            for (int k = 0; k < g.Nz; k++)
                for (int j = 0; j < g.Ny; j++)
                    foreach (int i in new[] { 0, g.Nx - 1 })
                        Assert.Equal(0, m.Labels[((long)k * g.Ny + j) * g.Nx + i]);
        }
    }

    /// <summary>The default grid's extent in 2 cm cells (21 × 15 × 18 instead of 84 × 60 × 71): the tissue properties are
    /// drawn from their own random stream, independent of the grid, so the 40 models of the property test are voxelised
    /// on it (about 60 × fewer voxels); <see cref="Coarse_grid_draws_the_same_tissue_properties_as_the_default_grid"/> checks the independence.</summary>
    private static readonly BodyModelOptions CoarseGrid = new() { Grid = new BodyModelGrid(0.02, 21, 15, 18) };

    [Fact]
    public void Coarse_grid_draws_the_same_tissue_properties_as_the_default_grid()
    {
        foreach (var (fam, seed) in new[] { (AnatomyFamily.A, 5L), (AnatomyFamily.B, 6L) })
        {
            var fine = BodyModelGenerator.Generate(fam, seed);
            var coarse = BodyModelGenerator.Generate(fam, seed, CoarseGrid);
            Assert.Equal(fine.EpsilonR, coarse.EpsilonR);
            Assert.Equal(fine.Sigma, coarse.Sigma);
            Assert.Equal(fine.Density, coarse.Density);
            Assert.NotEqual(fine.Labels.Length, coarse.Labels.Length);
        }
    }

    [Fact]
    public void Tissue_properties_stay_within_the_documented_variation_of_the_nominal_values()
    {
        var v = new TissueVariation();
        foreach (var fam in new[] { AnatomyFamily.A, AnatomyFamily.B })
            for (int seed = 0; seed < 20; seed++)
            {
                var m = BodyModelGenerator.Generate(fam, seed, CoarseGrid);
                foreach (var t in BodyTissues.All)
                {
                    var (e0, s0) = t.Nominal(m.FrequencyHz);
                    if (!t.IsTissue) { Assert.Equal((1.0, 0.0, 0.0), (m.EpsilonR[t.Label], m.Sigma[t.Label], m.Density[t.Label])); continue; }
                    Assert.InRange(m.EpsilonR[t.Label] / e0, 1 - v.EpsilonMax - 1e-12, 1 + v.EpsilonMax + 1e-12);
                    Assert.InRange(m.Sigma[t.Label] / s0, 1 - v.SigmaMax - 1e-12, 1 + v.SigmaMax + 1e-12);
                    Assert.InRange(m.Density[t.Label] / t.Density, 1 - v.DensityMax - 1e-12, 1 + v.DensityMax + 1e-12);
                }
            }
        var nominal = BodyModelGenerator.Generate(AnatomyFamily.A, 3, CoarseGrid with { Variation = TissueVariation.None });
        Assert.Equal(BodyTissues.All[BodyTissues.Muscle].Nominal(298e6).EpsilonR, nominal.EpsilonR[BodyTissues.Muscle]);
        Assert.Equal(1090, nominal.Density[BodyTissues.Muscle]);
    }

    [Theory]
    [InlineData(64e6)]
    [InlineData(128e6)]
    [InlineData(298e6)]
    public void Cole_Cole_models_reproduce_the_tabulated_Gabriel_values(double f)
    {
        var set = f switch { 64e6 => TissueSet.At64MHz, 128e6 => TissueSet.At128MHz, _ => TissueSet.At298MHz };
        foreach (var (label, tab) in new[] { (BodyTissues.Muscle, set.Muscle), (BodyTissues.CorticalBone, set.Skull) })
        {
            var (e, s) = BodyTissues.All[label].Nominal(f);
            Assert.InRange(e / tab.EpsilonR, 0.995, 1.005);
            Assert.InRange(s / tab.Sigma, 0.995, 1.005);
        }
    }

    [Fact]
    public void Written_model_reads_back_with_grid_on_the_simulation_mesh()
    {
        var m = BodyModelGenerator.Generate(AnatomyFamily.B, 42);
        var path = Path.Combine(Path.GetTempPath(), $"sarkit-bodymodel-{Guid.NewGuid():N}.npz");
        try
        {
            m.Write(path);
            using var z = NpzArchive.Open(path);
            var lab = z.Read("labels");
            Assert.Equal(new[] { m.Grid.Nz, m.Grid.Ny, m.Grid.Nx }, lab.Shape);
            Assert.Equal(m.Labels.Select(b => (int)b).ToArray(), (int[])lab.Data);
            Assert.Equal(m.Sigma, (double[])z.Read("sigma").Data);
            var ex = (double[])z.Read("edges_x").Data; var ez = (double[])z.Read("edges_z").Data;
            double h = m.Grid.CellSize;
            Assert.All(ex, x => Assert.True(Math.Abs(x / h - Math.Round(x / h)) < 1e-6, $"x edge {x}"));
            Assert.All(ez, x => Assert.True(Math.Abs(x / h - 0.5 - Math.Round(x / h - 0.5)) < 1e-6, $"z edge {x}"));
            Assert.Equal(0.0, ex.Average(), 9);
            using var doc = JsonDocument.Parse(m.MetadataJson());
            Assert.Equal("B", doc.RootElement.GetProperty("family").GetString());
            Assert.Equal(42, doc.RootElement.GetProperty("seed").GetInt64());
        }
        finally { File.Delete(path); }
    }
}

public class BodyModelCliTests
{
    [Fact]
    public void Cli_writes_the_same_model_as_the_library_and_refuses_an_unknown_family()
    {
        using var dir = new SarKit.Tests.Cli.TempDir();
        var path = Path.Combine(dir.Path, "m.npz");
        var r = SarKit.Tests.Cli.CliRunner.Run("surrogate", "bodymodel", "--family", "b", "--seed", "9", "-o", path);
        Assert.True(r.ExitCode == 0, r.Err);
        using (var z = NpzArchive.Open(path))
            Assert.Equal(BodyModelGenerator.Generate(AnatomyFamily.B, 9).Labels.Select(b => (int)b).ToArray(), (int[])z.Read("labels").Data);
        var bad = SarKit.Tests.Cli.CliRunner.Run("surrogate", "bodymodel", "--family", "C", "--seed", "9", "-o", Path.Combine(dir.Path, "x.npz"));
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("--family", bad.Err);
        Assert.False(File.Exists(Path.Combine(dir.Path, "x.npz")));
    }
}
