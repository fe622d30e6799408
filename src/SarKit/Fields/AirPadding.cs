
using SarKit.Grid;

namespace SarKit.Fields;

/// <summary>
/// Adds background (air: σ = 0, ρ = 0, E = 0) voxels around a model (uniform grid: cells of the grid's spacing;
/// rectilinear grid: each side continues the width of its end cell). IEC/IEEE 62704-1 averaging only
/// accepts cubes that lie inside the computational domain, so a model whose tissue reaches (or nearly reaches) the
/// domain boundary must be padded with air before averaging, as the standard's evaluation assumes the body surrounded by
/// air (the validated reference implementations pad the same way). Padding n voxels on every side maps voxel (i, j, k)
/// to (i + n, j + n, k + n).
/// </summary>
public sealed class AirPadding
{
    public VoxelGrid Original { get; }
    public VoxelGrid Padded { get; }
    /// <summary>Voxels added on every side.</summary>
    public int Cells { get; }

    public AirPadding(VoxelGrid original, int cells)
    {
        if (cells < 0 || cells > MaxCells) throw new SarKitInputException($"Air padding must be 0 … {MaxCells} voxels, got {cells}.");
        Original = original; Cells = cells;
        bool uniform = original.IsUniform(1e-6);
        Padded = cells == 0 ? original : new VoxelGrid(Extend(original.EdgesX, cells, uniform), Extend(original.EdgesY, cells, uniform), Extend(original.EdgesZ, cells, uniform));
    }

    private static double[] Extend(ReadOnlySpan<double> e, int n, bool uniform)
    {
        double d = (e[^1] - e[0]) / (e.Length - 1);
        double dLo = uniform ? d : e[1] - e[0], dHi = uniform ? d : e[^1] - e[^2];
        var r = new double[e.Length + 2 * n];
        for (int i = 0; i < n; i++) { r[i] = e[0] - (n - i) * dLo; r[^(i + 1)] = e[^1] + (n - i) * dHi; }
        e.CopyTo(r.AsSpan(n));
        return r;
    }

    /// <summary>Fewest background voxels between the tissue (ρ &gt; 0) bounding box and any face of the domain.</summary>
    public static int AirMargin(TissueModel t)
    {
        var g = t.Grid;
        if (TissueBox(t) is not var (i0, i1, j0, j1, k0, k1)) return Math.Min(g.Nx, Math.Min(g.Ny, g.Nz));
        return new[] { i0, j0, k0, g.Nx - 1 - i1, g.Ny - 1 - j1, g.Nz - 1 - k1 }.Min();
    }

    private static (int I0, int I1, int J0, int J1, int K0, int K1)? TissueBox(TissueModel t)
    {
        var g = t.Grid;
        int i0 = int.MaxValue, j0 = int.MaxValue, k0 = int.MaxValue, i1 = -1, j1 = -1, k1 = -1;
        for (int v = 0; v < t.Rho.Length; v++)
        {
            if (!(t.Rho[v] > 0)) continue;
            var (i, j, k) = g.Unravel(v);
            i0 = Math.Min(i0, i); i1 = Math.Max(i1, i); j0 = Math.Min(j0, j); j1 = Math.Max(j1, j); k0 = Math.Min(k0, k); k1 = Math.Max(k1, k);
        }
        return i1 < 0 ? null : (i0, i1, j0, j1, k0, k1);
    }

    /// <summary>
    /// Air margin (voxels) wanted around the tissue for averaging mass <paramref name="massKg"/>: 1.5 × the side of a
    /// cube of that mass at the lowest tissue density, so that step-2 face-centred cubes reaching out of the body fit.
    /// </summary>
    public static int RecommendedMargin(TissueModel t, double massKg)
    {
        double rhoMin = double.MaxValue;
        foreach (var r in t.Rho) if (r > 0 && r < rhoMin) rhoMin = r;
        if (rhoMin == double.MaxValue) return 0;
        var g = t.Grid;
        double d = Math.Min(g.WidthX(0), Math.Min(g.WidthY(0), g.WidthZ(0)));
        double cells = Math.Ceiling(1.5 * Math.Cbrt(massKg / rhoMin) / d);
        if (!(cells <= MaxCells))
            throw new SarKitInputException($"{t.Source}: a cube of {massKg * 1e3:G4} g at the lowest tissue density {rhoMin:G4} kg/m³ needs {cells:G4} air voxels of padding (more than {MaxCells}); check the density map and the averaging mass.");
        return (int)cells;
    }

    /// <summary>Largest padding accepted, voxels per side (keeps the padded grid within memory and index range).</summary>
    public const int MaxCells = 1000;

    /// <summary>
    /// Padding that brings the air margin up to <see cref="RecommendedMargin"/> (0 when it is already there). On a
    /// rectilinear grid the margin is counted in metres: on each side the air between the tissue bounding box and the
    /// domain face, topped up with cells of that side's end width until 1.5 × the cube side at the lowest density is reached.
    /// </summary>
    public static int Needed(TissueModel t, double massKg)
    {
        var g = t.Grid;
        if (g.IsUniform(1e-6)) return Math.Max(0, RecommendedMargin(t, massKg) - AirMargin(t));
        double rhoMin = double.MaxValue;
        foreach (var r in t.Rho) if (r > 0 && r < rhoMin) rhoMin = r;
        if (TissueBox(t) is not var (i0, i1, j0, j1, k0, k1)) return 0;
        double want = 1.5 * Math.Cbrt(massKg / rhoMin);
        double cells = 0;
        Side(g.EdgesX, i0, i1); Side(g.EdgesY, j0, j1); Side(g.EdgesZ, k0, k1);
        if (!(cells <= MaxCells))
            throw new SarKitInputException($"{t.Source}: a cube of {massKg * 1e3:G4} g at the lowest tissue density {rhoMin:G4} kg/m³ needs {cells:G4} air cells of padding (more than {MaxCells}); check the density map and the averaging mass.");
        return (int)cells;

        void Side(ReadOnlySpan<double> e, int first, int last)
        {
            double lo = want - (e[first] - e[0]), hi = want - (e[^1] - e[last + 1]);
            if (lo > 0) cells = Math.Max(cells, Math.Ceiling(lo / (e[1] - e[0])));
            if (hi > 0) cells = Math.Max(cells, Math.Ceiling(hi / (e[^1] - e[^2])));
        }
    }

    public int ToPadded(int index)
    {
        if (Cells == 0) return index;
        var (i, j, k) = Original.Unravel(index);
        return Padded.Index(i + Cells, j + Cells, k + Cells);
    }

    /// <summary>Original linear index of a padded voxel, or −1 when it lies in the added air.</summary>
    public int ToOriginal(int paddedIndex)
    {
        if (Cells == 0) return paddedIndex;
        var (i, j, k) = Padded.Unravel(paddedIndex);
        i -= Cells; j -= Cells; k -= Cells;
        if (i < 0 || j < 0 || k < 0 || i >= Original.Nx || j >= Original.Ny || k >= Original.Nz) return -1;
        return Original.Index(i, j, k);
    }

    /// <summary>A voxel map (linear order) on the padded grid, filled with <paramref name="fill"/> outside.</summary>
    public T[] Pad<T>(T[] map, T fill = default!)
    {
        if (Cells == 0) return map;
        var o = Original; var p = Padded; int n = Cells;
        var r = new T[p.VoxelCount];
        if (!EqualityComparer<T>.Default.Equals(fill, default!)) Array.Fill(r, fill);
        for (int k = 0; k < o.Nz; k++)
            for (int j = 0; j < o.Ny; j++)
                Array.Copy(map, o.Index(0, j, k), r, p.Index(n, j + n, k + n), o.Nx);
        return r;
    }

    /// <summary>The original-grid part of a padded voxel map.</summary>
    public T[] Crop<T>(T[] padded)
    {
        if (Cells == 0) return padded;
        var o = Original; var p = Padded; int n = Cells;
        var r = new T[o.VoxelCount];
        for (int k = 0; k < o.Nz; k++)
            for (int j = 0; j < o.Ny; j++)
                Array.Copy(padded, p.Index(n, j + n, k + n), r, o.Index(0, j, k), o.Nx);
        return r;
    }

    /// <summary>The tissue model on the padded grid (σ, ρ, ε_r = 1, label 0 and masks false in the added air).</summary>
    public TissueModel Pad(TissueModel t)
    {
        if (Cells == 0) return t;
        var r = new TissueModel(Padded, Pad(t.Sigma), Pad(t.Rho))
        {
            EpsilonR = t.EpsilonR is null ? null : Pad(t.EpsilonR, 1.0),
            Labels = t.Labels is null ? null : Pad(t.Labels),
            LabelNames = t.LabelNames,
            Source = $"{t.Source} (padded with {Cells} air voxels)",
        };
        foreach (var (name, m) in t.Masks) r.SetMask(name, Pad(m));
        return r;
    }

    /// <summary>The field on the padded grid (zero in the added air).</summary>
    public MultiChannelField Pad(MultiChannelField f)
    {
        if (Cells == 0) return f;
        var r = new MultiChannelField(Padded, f.Channels, f.Quantity, f.Normalisation, f.ChannelNames) { Source = $"{f.Source} (padded with {Cells} air voxels)" };
        var o = Original; var p = Padded; int n = Cells;
        for (int c = 0; c < f.Channels; c++)
            for (int a = 0; a < f.Components; a++)
            {
                var src = f.ComponentData(c, a); var dst = r.ComponentData(c, a);
                for (int k = 0; k < o.Nz; k++)
                    for (int j = 0; j < o.Ny; j++)
                        Array.Copy(src, 2L * o.Index(0, j, k), dst, 2L * p.Index(n, j + n, k + n), 2L * o.Nx);
            }
        return r;
    }
}
