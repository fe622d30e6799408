namespace SarKit.Surrogate;

/// <summary>
/// Mass-averaged SAR for z-invariant (2D) fields: the 2D adaptation of the IEC/IEEE 62704-1 10 g cube used by the
/// surrogate datasets.
/// </summary>
/// <remarks>
/// <para>For a field that does not vary along z, the average over a cube of side L centred on a voxel equals the
/// average over the L × L square of the slice, and the cube's mass is L·Σ_square ρ·h². So for each tissue cell (ρ &gt; 0)
/// the square is the centred (2n+1) × (2n+1)-cell square with the smallest n whose "cube" mass
/// (2n+1)h·Σ_square ρ h² reaches the target mass (10 g), and the averaged SAR is the mass-weighted mean
/// Σ ρ·SAR / Σ ρ over the tissue cells of that square (air contributes no mass and no SAR).</para>
/// <para>Differences from IEC/IEEE 62704-1 (docs/surrogate.md): the square is always centred (no shifted "surface"
/// cubes, no air-fraction limit, no unused-voxel rule); the mass is reached by whole cells, so it is ≥ 10 g (in
/// homogeneous ρ = 1000 kg/m³ at 2.5 mm: 9 cells = 22.5 mm, 11.4 g, vs the exact 21.5 mm); near the surface the
/// square grows until enough tissue is inside, up to <see cref="MaxHalfWidth"/>.</para>
/// <para>Cost: two prefix-sum tables; O(1) per cell and shim after the per-cell square size (shim-independent) is found.</para>
/// </remarks>
public sealed class SquareMassAverage2D
{
    private readonly int _nx, _ny;
    private readonly double[] _rho;
    private readonly double[] _rhoPrefix;
    private readonly double[] _work;

    /// <param name="nx">Cells along x.</param><param name="ny">Cells along y.</param>
    /// <param name="cellSize">Cell side h (m).</param>
    /// <param name="density">ρ per cell (kg/m³; 0 = air), index i + nx·j.</param>
    /// <param name="massKg">Target mass (default 10 g).</param>
    public SquareMassAverage2D(int nx, int ny, double cellSize, double[] density, double massKg = 0.010)
    {
        if (density.Length != nx * ny) throw new SarKitInputException($"2D mass average: {density.Length} densities for {nx} × {ny} cells.");
        if (!(massKg > 0)) throw new SarKitInputException($"2D mass average: mass {massKg} kg; expected > 0.");
        _nx = nx; _ny = ny; _rho = density; CellSize = cellSize; MassKg = massKg;
        MaxHalfWidth = Math.Max(nx, ny);
        _rhoPrefix = Prefix(density, null);
        _work = new double[(nx + 1) * (ny + 1)];
        HalfWidth = new int[nx * ny];
        double h = cellSize, h2 = h * h;
        for (int j = 0; j < ny; j++)
            for (int i = 0; i < nx; i++)
            {
                int c = i + nx * j;
                if (!(density[c] > 0)) { HalfWidth[c] = -1; continue; }
                int n = 0;
                while (true)
                {
                    double mass = (2 * n + 1) * h * h2 * Box(_rhoPrefix, i, j, n);
                    if (mass >= massKg || n >= MaxHalfWidth) break;
                    n++;
                }
                HalfWidth[c] = n;
            }
    }

    public double CellSize { get; }
    public double MassKg { get; }
    /// <summary>Largest half-width tried (cells).</summary>
    public int MaxHalfWidth { get; }
    /// <summary>Half-width n of the (2n+1)² square of each cell; −1 outside tissue.</summary>
    public int[] HalfWidth { get; }

    private double[] Prefix(double[] a, double[]? weight)
    {
        var p = new double[(_nx + 1) * (_ny + 1)];
        FillPrefix(a, weight, p);
        return p;
    }

    private void FillPrefix(ReadOnlySpan<double> a, double[]? weight, double[] p)
    {
        int w = _nx + 1;
        for (int j = 0; j < _ny; j++)
        {
            double row = 0;
            for (int i = 0; i < _nx; i++)
            {
                int c = i + _nx * j;
                row += weight is null ? a[c] : a[c] * weight[c];
                p[(j + 1) * w + i + 1] = p[j * w + i + 1] + row;
            }
        }
    }

    private double Box(double[] p, int i, int j, int n)
    {
        int w = _nx + 1;
        int i0 = Math.Max(i - n, 0), i1 = Math.Min(i + n + 1, _nx), j0 = Math.Max(j - n, 0), j1 = Math.Min(j + n + 1, _ny);
        return p[j1 * w + i1] - p[j0 * w + i1] - p[j1 * w + i0] + p[j0 * w + i0];
    }

    /// <summary>Mass-averaged SAR of a point-SAR map (W/kg, index i + nx·j) into <paramref name="result"/> (0 outside tissue). Not thread-safe.</summary>
    public void Average(ReadOnlySpan<double> pointSar, Span<double> result)
    {
        if (pointSar.Length != _nx * _ny || result.Length != _nx * _ny) throw new ArgumentException("2D mass average: map size mismatch.");
        FillPrefix(pointSar, _rho, _work);
        for (int c = 0; c < result.Length; c++)
        {
            int n = HalfWidth[c];
            if (n < 0) { result[c] = 0; continue; }
            int i = c % _nx, j = c / _nx;
            result[c] = Box(_work, i, j, n) / Box(_rhoPrefix, i, j, n);
        }
    }
}
