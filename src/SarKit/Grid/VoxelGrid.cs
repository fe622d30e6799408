namespace SarKit.Grid;

/// <summary>
/// A rectilinear voxel grid. Voxel (i, j, k) spans [EdgesX[i], EdgesX[i+1]] × [EdgesY[j], EdgesY[j+1]] × [EdgesZ[k], EdgesZ[k+1]] (metres).
/// Linear voxel index = i + Nx·(j + Ny·k): x varies fastest, which is the memory order of a C-order array of shape [Nz, Ny, Nx]
/// (openEMS, h5py, NumPy) and of a MATLAB (column-major) array of size [Nx, Ny, Nz].
/// Uniform and per-axis non-uniform spacing are both represented by their cell edges.
/// </summary>
public sealed class VoxelGrid : IEquatable<VoxelGrid>
{
    private readonly double[] _ex, _ey, _ez;

    /// <summary>Creates a grid from its cell edges along each axis (metres, strictly increasing, at least 2 per axis).</summary>
    public VoxelGrid(double[] edgesX, double[] edgesY, double[] edgesZ)
    {
        _ex = Check(edgesX, "x");
        _ey = Check(edgesY, "y");
        _ez = Check(edgesZ, "z");
        if ((long)Nx * Ny > MaxVoxels || (long)Nx * Ny * Nz > MaxVoxels) // Nx·Ny ≤ 2^31 first, so the triple product cannot wrap
            throw new SarKitInputException($"Grid of {Nx}×{Ny}×{Nz} voxels is larger than the {MaxVoxels} voxels SarKit can index.");
    }

    /// <summary>Largest number of voxels of a grid (linear indices are 32-bit: <see cref="int.MaxValue"/>).</summary>
    public const long MaxVoxels = int.MaxValue;

    private static double[] Check(double[] e, string axis)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e.Length < 2) throw new SarKitInputException($"Grid axis {axis}: need at least 2 cell edges, got {e.Length}.");
        for (int i = 0; i < e.Length; i++)
        {
            if (!double.IsFinite(e[i])) throw new SarKitInputException($"Grid axis {axis}: edge {i} is {e[i]}.");
            if (i > 0 && !(e[i] > e[i - 1])) throw new SarKitInputException($"Grid axis {axis}: edges must increase strictly, but edge {i} = {e[i]} ≤ edge {i - 1} = {e[i - 1]}.");
        }
        return (double[])e.Clone();
    }

    /// <summary>Uniform grid with <paramref name="nx"/>×<paramref name="ny"/>×<paramref name="nz"/> voxels of size (dx, dy, dz) metres; <paramref name="origin"/> is the corner of voxel (0,0,0).</summary>
    public static VoxelGrid Uniform(int nx, int ny, int nz, double dx, double dy, double dz, (double X, double Y, double Z) origin = default)
    {
        if (nx < 1 || ny < 1 || nz < 1) throw new SarKitInputException($"Grid dimensions must be positive, got {nx}×{ny}×{nz}.");
        if ((long)nx * ny > MaxVoxels || (long)nx * ny * nz > MaxVoxels)
            throw new SarKitInputException($"Grid of {nx}×{ny}×{nz} voxels is larger than the {MaxVoxels} voxels SarKit can index.");
        if (!(dx > 0) || !(dy > 0) || !(dz > 0)) throw new SarKitInputException($"Grid spacing must be positive, got ({dx}, {dy}, {dz}) m.");
        return new VoxelGrid(Edges(nx, dx, origin.X), Edges(ny, dy, origin.Y), Edges(nz, dz, origin.Z));
    }

    /// <summary>Uniform isotropic grid of voxel size <paramref name="d"/> metres.</summary>
    public static VoxelGrid Uniform(int nx, int ny, int nz, double d, (double X, double Y, double Z) origin = default)
        => Uniform(nx, ny, nz, d, d, d, origin);

    /// <summary>Grid from cell centres along each axis (metres). Edges are placed midway between centres; the outer edges mirror the first/last half-width.</summary>
    public static VoxelGrid FromCentres(double[] cx, double[] cy, double[] cz)
        => new(EdgesFromCentres(cx, "x"), EdgesFromCentres(cy, "y"), EdgesFromCentres(cz, "z"));

    /// <summary>Grid from cell centres and cell widths per axis (metres), as openEMS and the SarKit dataset store them.</summary>
    public static VoxelGrid FromCentresAndWidths(double[] cx, double[] wx, double[] cy, double[] wy, double[] cz, double[] wz)
        => new(EdgesFromCW(cx, wx, "x"), EdgesFromCW(cy, wy, "y"), EdgesFromCW(cz, wz, "z"));

    private static double[] Edges(int n, double d, double o)
    {
        var e = new double[n + 1];
        for (int i = 0; i <= n; i++) e[i] = o + i * d;
        return e;
    }

    private static double[] EdgesFromCentres(double[] c, string axis)
    {
        if (c.Length < 1) throw new SarKitInputException($"Grid axis {axis}: no cell centres.");
        if (c.Length == 1) throw new SarKitInputException($"Grid axis {axis}: one cell centre does not define a width; give cell widths.");
        var e = new double[c.Length + 1];
        for (int i = 1; i < c.Length; i++) e[i] = 0.5 * (c[i - 1] + c[i]);
        e[0] = c[0] - (e[1] - c[0]);
        e[^1] = c[^1] + (c[^1] - e[^2]);
        return e;
    }

    private static double[] EdgesFromCW(double[] c, double[] w, string axis)
    {
        if (c.Length != w.Length) throw new SarKitInputException($"Grid axis {axis}: {c.Length} centres but {w.Length} widths.");
        var e = new double[c.Length + 1];
        e[0] = c[0] - 0.5 * w[0];
        for (int i = 0; i < c.Length; i++) e[i + 1] = e[i] + w[i];
        // Check consistency of centres and widths (relative to the width).
        for (int i = 0; i < c.Length; i++)
        {
            double mid = 0.5 * (e[i] + e[i + 1]);
            if (Math.Abs(mid - c[i]) > 1e-3 * w[i])
                throw new SarKitInputException($"Grid axis {axis}: cell {i} centre {c[i]} m is inconsistent with the widths (expected {mid} m).");
        }
        return e;
    }

    public int Nx => _ex.Length - 1;
    public int Ny => _ey.Length - 1;
    public int Nz => _ez.Length - 1;
    public int VoxelCount => checked(Nx * Ny * Nz);

    /// <summary>Cell edges along x (metres, length Nx+1). Do not modify.</summary>
    public ReadOnlySpan<double> EdgesX => _ex;
    public ReadOnlySpan<double> EdgesY => _ey;
    public ReadOnlySpan<double> EdgesZ => _ez;
    internal double[] EdgesArray(int axis) => axis switch { 0 => _ex, 1 => _ey, 2 => _ez, _ => throw new ArgumentOutOfRangeException(nameof(axis)) };

    public double CentreX(int i) => 0.5 * (_ex[i] + _ex[i + 1]);
    public double CentreY(int j) => 0.5 * (_ey[j] + _ey[j + 1]);
    public double CentreZ(int k) => 0.5 * (_ez[k] + _ez[k + 1]);
    public double WidthX(int i) => _ex[i + 1] - _ex[i];
    public double WidthY(int j) => _ey[j + 1] - _ey[j];
    public double WidthZ(int k) => _ez[k + 1] - _ez[k];

    /// <summary>Volume of voxel (i,j,k) in m³.</summary>
    public double VoxelVolume(int i, int j, int k) => WidthX(i) * WidthY(j) * WidthZ(k);

    /// <summary>Volume of the voxel with linear index <paramref name="index"/> in m³.</summary>
    public double VoxelVolume(int index) { var (i, j, k) = Unravel(index); return VoxelVolume(i, j, k); }

    public int Index(int i, int j, int k) => i + Nx * (j + Ny * k);

    public (int I, int J, int K) Unravel(int index)
    {
        int i = index % Nx; int r = index / Nx;
        return (i, r % Ny, r / Ny);
    }

    /// <summary>Centre of the voxel with linear index <paramref name="index"/> (metres).</summary>
    public (double X, double Y, double Z) Centre(int index)
    {
        var (i, j, k) = Unravel(index);
        return (CentreX(i), CentreY(j), CentreZ(k));
    }

    /// <summary>True when every axis has constant spacing (relative tolerance <paramref name="relTol"/>).</summary>
    public bool IsUniform(double relTol = 1e-6) => AxisUniform(_ex, relTol) && AxisUniform(_ey, relTol) && AxisUniform(_ez, relTol);

    /// <summary>True when the grid is uniform and the spacing is the same on all three axes (cubic voxels).</summary>
    public bool IsIsotropic(double relTol = 1e-6)
    {
        if (!IsUniform(relTol)) return false;
        double dx = WidthX(0), dy = WidthY(0), dz = WidthZ(0);
        return Math.Abs(dx - dy) <= relTol * dx && Math.Abs(dx - dz) <= relTol * dx;
    }

    private static bool AxisUniform(double[] e, double relTol)
    {
        double d = e[1] - e[0];
        for (int i = 1; i < e.Length - 1; i++)
            if (Math.Abs((e[i + 1] - e[i]) - d) > relTol * d) return false;
        return true;
    }

    /// <summary>Per-voxel volumes (m³), linear index order.</summary>
    public double[] VoxelVolumes()
    {
        var v = new double[VoxelCount];
        int n = 0;
        for (int k = 0; k < Nz; k++)
            for (int j = 0; j < Ny; j++)
            {
                double a = WidthY(j) * WidthZ(k);
                for (int i = 0; i < Nx; i++) v[n++] = a * WidthX(i);
            }
        return v;
    }

    public bool Equals(VoxelGrid? other)
    {
        if (other is null) return false;
        return Same(_ex, other._ex) && Same(_ey, other._ey) && Same(_ez, other._ez);
        static bool Same(double[] a, double[] b)
        {
            if (a.Length != b.Length) return false;
            double tol = 1e-9 * Math.Max(1e-12, a[^1] - a[0]);
            for (int i = 0; i < a.Length; i++) if (Math.Abs(a[i] - b[i]) > tol) return false;
            return true;
        }
    }

    public override bool Equals(object? obj) => Equals(obj as VoxelGrid);
    public override int GetHashCode() => HashCode.Combine(Nx, Ny, Nz);
    public override string ToString() => IsUniform()
        ? $"{Nx}×{Ny}×{Nz} voxels, {WidthX(0) * 1e3:G4}×{WidthY(0) * 1e3:G4}×{WidthZ(0) * 1e3:G4} mm"
        : $"{Nx}×{Ny}×{Nz} voxels, non-uniform";
}
