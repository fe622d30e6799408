namespace SarKit.Surrogate.Fdfd2D;

/// <summary>
/// Relative permittivity ε_r and conductivity σ (S/m) per cell of an <see cref="FdfdGrid2D"/> output region
/// (index i + Nx·j). Inside the PML each cell takes the properties of the nearest output-region cell (the medium is
/// extended outward, so the PML is matched to what touches it).
/// </summary>
public sealed class FdfdMaterials2D
{
    public FdfdMaterials2D(FdfdGrid2D grid, double[] epsilonR, double[] sigma)
    {
        Grid = grid ?? throw new ArgumentNullException(nameof(grid));
        if (epsilonR.Length != grid.CellCount) throw new SarKitInputException($"FDFD materials: ε_r has {epsilonR.Length} values; the grid has {grid.Nx} × {grid.Ny} = {grid.CellCount} cells.");
        if (sigma.Length != grid.CellCount) throw new SarKitInputException($"FDFD materials: σ has {sigma.Length} values; the grid has {grid.Nx} × {grid.Ny} = {grid.CellCount} cells.");
        for (int p = 0; p < epsilonR.Length; p++)
        {
            if (!double.IsFinite(epsilonR[p]) || epsilonR[p] <= 0) throw new SarKitInputException($"FDFD materials: ε_r[{p}] (cell {p % grid.Nx}, {p / grid.Nx}) = {epsilonR[p]}; expected a finite value > 0.");
            if (!double.IsFinite(sigma[p]) || sigma[p] < 0) throw new SarKitInputException($"FDFD materials: σ[{p}] (cell {p % grid.Nx}, {p / grid.Nx}) = {sigma[p]} S/m; expected a finite value ≥ 0.");
        }
        EpsilonR = epsilonR; Sigma = sigma;
    }

    public FdfdGrid2D Grid { get; }
    /// <summary>ε_r per cell (length Nx·Ny, x fastest).</summary>
    public double[] EpsilonR { get; }
    /// <summary>σ per cell in S/m.</summary>
    public double[] Sigma { get; }

    /// <summary>A homogeneous medium filling the whole grid.</summary>
    public static FdfdMaterials2D Uniform(FdfdGrid2D grid, double epsilonR, double sigma)
    {
        var e = new double[grid.CellCount]; var s = new double[grid.CellCount];
        Array.Fill(e, epsilonR); Array.Fill(s, sigma);
        return new FdfdMaterials2D(grid, e, s);
    }

    /// <summary>Index of the output cell nearest to total-grid cell (I, J) (clamped into the output region).</summary>
    internal int NearestCell(int totalI, int totalJ)
    {
        int i = Math.Clamp(totalI - Grid.PmlCells, 0, Grid.Nx - 1), j = Math.Clamp(totalJ - Grid.PmlCells, 0, Grid.Ny - 1);
        return i + Grid.Nx * j;
    }
}

/// <summary>
/// An infinite z-directed line current (A) at (X, Y) in metres, snapped to the nearest cell centre; its current
/// density in the FDFD system is I/h² in that cell.
/// </summary>
public readonly record struct LineSource2D(double X, double Y, double CurrentA = 1.0);

/// <summary>
/// Stretched-coordinate PML settings (Chew &amp; Weedon 1994; Teixeira &amp; Chew 1998): in the layer the coordinate
/// stretch is s(u) = κ(u) − jσ(u)/(ωε0) under exp(+jωt), with σ(u) = σ_max (u/L)^m and κ(u) = 1 + (κ_max − 1)(u/L)^m,
/// u the depth into the layer and L its thickness; σ_max = −(m+1) ln R₀ /(2 η0 L) gives a normal-incidence reflection
/// R₀ for a plane wave in vacuum (continuous theory). Behind the layer E_z = 0 (PEC).
/// </summary>
public sealed record PmlOptions
{
    /// <summary>Polynomial grading order m.</summary>
    public double Order { get; init; } = 3;
    /// <summary>Target theoretical reflection R₀ (vacuum, normal incidence).</summary>
    public double Reflection { get; init; } = 1e-6;
    /// <summary>Maximum real stretch κ_max (≥ 1; &gt; 1 damps evanescent near fields).</summary>
    public double KappaMax { get; init; } = 1;

    public static PmlOptions Default { get; } = new();
}
