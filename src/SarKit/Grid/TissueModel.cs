namespace SarKit.Grid;

/// <summary>
/// Electrical and mass properties per voxel on a <see cref="VoxelGrid"/>: conductivity σ [S/m], mass density ρ [kg/m³],
/// optional relative permittivity ε_r, optional integer tissue labels and named region masks ("body", "head", ...).
/// A voxel is <em>tissue</em> when ρ &gt; 0; background (air) has ρ = 0 and must have σ = 0.
/// Arrays are in the grid's linear index order (x fastest).
/// </summary>
public sealed class TissueModel
{
    /// <summary>Conventional mask names.</summary>
    public const string BodyMask = "body", HeadMask = "head";

    public VoxelGrid Grid { get; }
    /// <summary>Conductivity σ per voxel, S/m.</summary>
    public double[] Sigma { get; }
    /// <summary>Mass density ρ per voxel, kg/m³ (0 = background).</summary>
    public double[] Rho { get; }
    /// <summary>Relative permittivity per voxel (optional).</summary>
    public double[]? EpsilonR { get; init; }
    /// <summary>Tissue label per voxel (optional; 0 = background by convention).</summary>
    public int[]? Labels { get; init; }
    /// <summary>Names of the labels (optional).</summary>
    public IReadOnlyDictionary<int, string>? LabelNames { get; init; }
    /// <summary>Named region masks (e.g. "body", "head"), each one bool per voxel.</summary>
    public Dictionary<string, bool[]> Masks { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Where the tissue data came from (file and dataset), used in error messages.</summary>
    public string Source { get; init; } = "tissue model";

    public TissueModel(VoxelGrid grid, double[] sigma, double[] rho)
    {
        Grid = grid ?? throw new ArgumentNullException(nameof(grid));
        if (sigma.Length != grid.VoxelCount) throw new SarKitInputException($"{nameof(sigma)}: {sigma.Length} values for a grid of {grid.VoxelCount} voxels ({grid}).");
        if (rho.Length != grid.VoxelCount) throw new SarKitInputException($"{nameof(rho)}: {rho.Length} values for a grid of {grid.VoxelCount} voxels ({grid}).");
        Sigma = sigma;
        Rho = rho;
    }

    /// <summary>True when voxel <paramref name="index"/> is tissue (ρ &gt; 0).</summary>
    public bool IsTissue(int index) => Rho[index] > 0;

    /// <summary>Number of tissue voxels.</summary>
    public int TissueCount { get { int n = 0; foreach (var r in Rho) if (r > 0) n++; return n; } }

    /// <summary>Mass of every voxel, ρ·V [kg].</summary>
    public double[] VoxelMasses()
    {
        var v = Grid.VoxelVolumes();
        for (int i = 0; i < v.Length; i++) v[i] *= Rho[i];
        return v;
    }

    /// <summary>Total tissue mass [kg], optionally inside a mask.</summary>
    public double Mass(bool[]? mask = null)
    {
        double m = 0;
        var (nx, ny, nz) = (Grid.Nx, Grid.Ny, Grid.Nz);
        int n = 0;
        for (int k = 0; k < nz; k++)
            for (int j = 0; j < ny; j++)
                for (int i = 0; i < nx; i++, n++)
                    if (Rho[n] > 0 && (mask is null || mask[n])) m += Rho[n] * Grid.VoxelVolume(i, j, k);
        return m;
    }

    /// <summary>Adds or replaces a named mask.</summary>
    public void SetMask(string name, bool[] mask)
    {
        if (mask.Length != Grid.VoxelCount) throw new SarKitInputException($"{Source}: mask '{name}' has {mask.Length} values for {Grid.VoxelCount} voxels.");
        Masks[name] = mask;
    }

    /// <summary>Mask of all tissue voxels (ρ &gt; 0), or the named mask intersected with tissue.</summary>
    public bool[] TissueMask(string? maskName = null)
    {
        bool[]? named = null;
        if (maskName is not null && !Masks.TryGetValue(maskName, out named))
            throw new SarKitInputException($"{Source}: no mask named '{maskName}' (have: {string.Join(", ", Masks.Keys)}).");
        var m = new bool[Rho.Length];
        for (int i = 0; i < m.Length; i++) m[i] = Rho[i] > 0 && (named is null || named[i]);
        return m;
    }

    /// <summary>
    /// Smallest density of a tissue voxel, kg/m³. A density in (0, 1) kg/m³ is no material in a body model (air is
    /// 1.2 kg/m³, lung tissue ≈ 250 kg/m³); it would make the averaging cube of that voxel astronomically large and its
    /// local SAR σ|E|²/ρ overflow, so it is refused (docs/averaging.md, "Physical ranges").
    /// </summary>
    public const double MinTissueDensity = 1.0;
    /// <summary>Largest density accepted, kg/m³ (osmium, the densest element, is 22 590 kg/m³).</summary>
    public const double MaxDensity = 30_000;
    /// <summary>Largest conductivity accepted, S/m (silver is 6.3e7 S/m).</summary>
    public const double MaxConductivity = 1e9;

    /// <summary>
    /// Checks the physical validity of the maps: finite values (σ, ρ and ε_r), σ in [0, <see cref="MaxConductivity"/>], ρ = 0 or in
    /// [<see cref="MinTissueDensity"/>, <see cref="MaxDensity"/>], and σ = 0 where ρ = 0
    /// (a conducting voxel without mass is an error: its SAR would be infinite).
    /// Throws <see cref="SarKitInputException"/> naming the source, map and first bad voxel index (i, j, k).
    /// </summary>
    public TissueModel Validate()
    {
        for (int n = 0; n < Rho.Length; n++)
        {
            double s = Sigma[n], r = Rho[n];
            if (!double.IsFinite(r) || r < 0) throw Bad("rho", n, r, "density must be finite and ≥ 0 kg/m³");
            if (r > 0 && r < MinTissueDensity) throw Bad("rho", n, r, $"density must be 0 (background) or at least {MinTissueDensity} kg/m³ (values in g/cm³, or a corrupt map?)");
            if (r > MaxDensity) throw Bad("rho", n, r, $"density above {MaxDensity} kg/m³ is not a physical material");
            if (!double.IsFinite(s) || s < 0) throw Bad("sigma", n, s, "conductivity must be finite and ≥ 0 S/m");
            if (s > MaxConductivity) throw Bad("sigma", n, s, $"conductivity above {MaxConductivity:G3} S/m is not a physical material");
            if (r == 0 && s > 0) throw Bad("rho", n, r, $"zero density in a conducting voxel (σ = {s} S/m)");
        }
        if (EpsilonR is { } e && e.Length != Rho.Length) throw new SarKitInputException($"{Source}: eps_r has {e.Length} values for {Rho.Length} voxels.");
        if (EpsilonR is { } eps)
            for (int n = 0; n < eps.Length; n++)
                if (!double.IsFinite(eps[n])) throw Bad("eps_r", n, eps[n], "relative permittivity must be finite");
        if (Labels is { } l && l.Length != Rho.Length) throw new SarKitInputException($"{Source}: labels has {l.Length} values for {Rho.Length} voxels.");
        return this;
    }

    private SarKitInputException Bad(string map, int n, double v, string why)
    {
        var (i, j, k) = Grid.Unravel(n);
        return new SarKitInputException($"{Source}: {map} at voxel (i={i}, j={j}, k={k}) [linear {n}] is {v}: {why}.") { Dataset = map };
    }
}
