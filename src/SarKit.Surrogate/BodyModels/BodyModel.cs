using System.Globalization;
using System.Text;
using System.Text.Json;
using SarKit.IO;
using SarKit.IO.Arrays;

namespace SarKit.Surrogate.BodyModels;

/// <summary>Anatomy family of a generated body model (docs/surrogate3d-dataset.md §Families).</summary>
public enum AnatomyFamily
{
    /// <summary>Ellipse-union outline, smooth distance-offset fat layer, ellipsoidal bones and organs, symmetric placement.</summary>
    A,
    /// <summary>Superellipse outline with Fourier perturbation, radial fat layer, shell/wedge bones, asymmetric organs, pelvic tilt and roll.</summary>
    B,
}

/// <summary>
/// The voxel grid of the body models, in the coil frame (origin at the array centre, z along the dipoles): uniform
/// cells of <see cref="CellSize"/>; x and y edges on multiples of the cell, z edges at half-cell offsets (the dipole
/// port gap is one cell centred on z = 0), so the model aligns with the openEMS mesh of tools/surrogate3d.
/// </summary>
/// <param name="CellSize">Cell side in m.</param>
/// <param name="Nx">Cells along x.</param>
/// <param name="Ny">Cells along y.</param>
/// <param name="Nz">Cells along z.</param>
public sealed record BodyModelGrid(double CellSize, int Nx, int Ny, int Nz)
{
    /// <summary>Default: 5 mm cells, x ±210 mm, y ±150 mm, z ±177.5 mm (84 × 60 × 71).</summary>
    public static BodyModelGrid Default { get; } = new(0.005, 84, 60, 71);

    /// <summary>First x edge (m).</summary>
    public double X0 => -0.5 * Nx * CellSize;
    /// <summary>First y edge (m).</summary>
    public double Y0 => -0.5 * Ny * CellSize;
    /// <summary>First z edge (m).</summary>
    public double Z0 => -0.5 * Nz * CellSize;

    /// <summary>Cell edges along one axis (m).</summary>
    public double[] Edges(int axis)
    {
        var (n, o) = axis switch { 0 => (Nx, X0), 1 => (Ny, Y0), 2 => (Nz, Z0), _ => throw new ArgumentOutOfRangeException(nameof(axis)) };
        return Enumerable.Range(0, n + 1).Select(i => Math.Round((o + i * CellSize) * 1e7) / 1e7).ToArray();
    }

    /// <summary>Throws on a non-physical grid.</summary>
    public BodyModelGrid Validate()
    {
        if (!(CellSize > 0) || CellSize > 0.02) throw new SarKitInputException($"body model grid: cell size {CellSize} m; expected 0 < h ≤ 0.02 m.");
        if (Nx < 8 || Ny < 8 || Nz < 8 || (long)Nx * Ny * Nz > 50_000_000) throw new SarKitInputException($"body model grid: {Nx}×{Ny}×{Nz} cells; expected ≥ 8 per axis and ≤ 5e7 in total.");
        return this;
    }
}

/// <summary>A generated 3D body model: voxel labels and per-label tissue properties of one subject.</summary>
public sealed class BodyModel
{
    internal BodyModel(AnatomyFamily family, long seed, BodyModelGrid grid, double frequencyHz, byte[] labels,
        double[] epsR, double[] sigma, double[] rho, SortedDictionary<string, double> parameters)
    {
        Family = family; Seed = seed; Grid = grid; FrequencyHz = frequencyHz; Labels = labels;
        EpsilonR = epsR; Sigma = sigma; Density = rho; Parameters = parameters;
    }

    /// <summary>Version of the generator's construction rules (changes whenever a seed would give another model).</summary>
    public const int GeneratorVersion = 1;

    /// <summary>Anatomy family.</summary>
    public AnatomyFamily Family { get; }
    /// <summary>Subject seed.</summary>
    public long Seed { get; }
    /// <summary>Voxel grid (coil frame).</summary>
    public BodyModelGrid Grid { get; }
    /// <summary>Frequency (Hz) of the tissue properties.</summary>
    public double FrequencyHz { get; }
    /// <summary>Label per voxel, C order [nz, ny, nx] (x fastest); index into <see cref="BodyTissues.All"/>.</summary>
    public byte[] Labels { get; }
    /// <summary>Relative permittivity per label (this subject).</summary>
    public double[] EpsilonR { get; }
    /// <summary>Conductivity per label in S/m (this subject).</summary>
    public double[] Sigma { get; }
    /// <summary>Mass density per label in kg/m³ (this subject; 0 = not tissue).</summary>
    public double[] Density { get; }
    /// <summary>Every sampled parameter (SI units: m, m³, rad, factors), by name.</summary>
    public IReadOnlyDictionary<string, double> Parameters { get; }

    /// <summary>Voxels per label.</summary>
    public long[] LabelCounts()
    {
        var c = new long[BodyTissues.Count];
        foreach (var l in Labels) c[l]++;
        return c;
    }

    /// <summary>Fraction of the body volume (all non-air voxels, gas included) per label; air gets 0.</summary>
    public double[] VolumeFractions()
    {
        var c = LabelCounts();
        double body = c.Sum() - c[BodyTissues.Air];
        return c.Select((v, i) => i == BodyTissues.Air || body == 0 ? 0 : v / body).ToArray();
    }

    /// <summary>Tissue mass in kg (Σ ρ·V over voxels).</summary>
    public double TissueMassKg()
    {
        var c = LabelCounts();
        double v = Math.Pow(Grid.CellSize, 3);
        return c.Select((n, i) => n * Density[i] * v).Sum();
    }

    /// <summary>Parameters and tissue table as JSON (written into the model file).</summary>
    public string MetadataJson()
    {
        var tissues = BodyTissues.All.Select(t =>
        {
            var (e0, s0) = t.Nominal(FrequencyHz);
            return new Dictionary<string, object>
            {
                ["label"] = t.Label, ["name"] = t.Name, ["source"] = t.ModelSource,
                ["eps_r"] = EpsilonR[t.Label], ["sigma_S_per_m"] = Sigma[t.Label], ["rho_kg_per_m3"] = Density[t.Label],
                ["eps_r_nominal"] = e0, ["sigma_nominal_S_per_m"] = s0, ["rho_nominal_kg_per_m3"] = t.Density,
            };
        }).ToList();
        var meta = new Dictionary<string, object>
        {
            ["generator"] = $"SarKit.Surrogate.BodyModels.BodyModelGenerator v{GeneratorVersion}",
            ["family"] = Family.ToString(), ["seed"] = Seed, ["frequency_hz"] = FrequencyHz,
            ["grid"] = new Dictionary<string, object> { ["cell_size_m"] = Grid.CellSize, ["nx"] = Grid.Nx, ["ny"] = Grid.Ny, ["nz"] = Grid.Nz },
            ["parameters"] = Parameters, ["tissues"] = tissues,
            ["volume_fractions"] = BodyTissues.All.ToDictionary(t => t.Name, t => VolumeFractions()[t.Label]),
            ["tissue_mass_kg"] = TissueMassKg(),
        };
        return JsonSerializer.Serialize(meta, new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>
    /// Writes the model as an .npz (atomically): <c>labels</c> int32 [nz, ny, nx]; <c>edges_x/y/z</c> float64 (m);
    /// per label <c>eps_r</c>, <c>sigma</c> (S/m), <c>rho</c> (kg/m³), <c>water</c>, <c>fat</c> (Dixon-like fractions);
    /// <c>tissue_names</c> (text, comma-separated); <c>metadata</c> (text, JSON of <see cref="MetadataJson"/>).
    /// </summary>
    public void Write(string path)
    {
        var g = Grid;
        using var w = NpzWriter.Create(path);
        w.Add("labels", new NdArray(NdType.Int32, [g.Nz, g.Ny, g.Nx], Labels.Select(b => (int)b).ToArray()));
        w.Add("edges_x", new NdArray(NdType.Float64, [g.Nx + 1], g.Edges(0)));
        w.Add("edges_y", new NdArray(NdType.Float64, [g.Ny + 1], g.Edges(1)));
        w.Add("edges_z", new NdArray(NdType.Float64, [g.Nz + 1], g.Edges(2)));
        int n = BodyTissues.Count;
        w.Add("eps_r", new NdArray(NdType.Float64, [n], (double[])EpsilonR.Clone()));
        w.Add("sigma", new NdArray(NdType.Float64, [n], (double[])Sigma.Clone()));
        w.Add("rho", new NdArray(NdType.Float64, [n], (double[])Density.Clone()));
        w.Add("water", new NdArray(NdType.Float32, [n], BodyTissues.All.Select(t => t.Water).ToArray()));
        w.Add("fat", new NdArray(NdType.Float32, [n], BodyTissues.All.Select(t => t.Fat).ToArray()));
        w.AddText("tissue_names", string.Join(",", BodyTissues.All.Select(t => t.Name)));
        w.AddText("metadata", MetadataJson());
        w.Commit();
    }

    /// <summary>One-line summary: family, seed, size, mass and the main volume fractions.</summary>
    public string Summary()
    {
        var f = VolumeFractions();
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"family {Family}, seed {Seed}: {Grid.Nx}×{Grid.Ny}×{Grid.Nz} cells of {Grid.CellSize * 1e3:G4} mm, tissue mass {TissueMassKg():F2} kg; volume fractions:");
        foreach (var t in BodyTissues.All.Skip(1)) sb.Append(CultureInfo.InvariantCulture, $" {t.Name} {100 * f[t.Label]:F2} %");
        return sb.ToString();
    }
}
