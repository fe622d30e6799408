using SarKit.Fields;
using SarKit.Grid;
using SarKit.Sar;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Averaging;

/// <summary>
/// Mass-averaged Q-matrices of every cube of an <see cref="AveragingCubeSet"/> (valid step-1 cubes and kept step-2
/// candidates), each tagged with its voxel: Q_cube = Σ_i w_i m_i Q_i / M_cube, packed (<see cref="HermitianPacking"/>).
/// Because every cube average is linear in the voxel Q-matrices and the cube set depends on mass only,
/// psSAR(b) = max over cubes of bᴴQ_cube b equals the scalar IEC/IEEE 62704-1 result for every drive b; this set is the
/// input of VOP compression.
/// </summary>
public sealed class AveragedQMatrixSet
{
    private readonly double[] _packed;

    public AveragingCubeSet Cubes { get; }
    public int Channels { get; }
    public FieldNormalisation Normalisation { get; }
    public int Count => Cubes.CubeCount;

    private AveragedQMatrixSet(AveragingCubeSet cubes, int channels, double[] packed, FieldNormalisation n)
    { Cubes = cubes; Channels = channels; _packed = packed; Normalisation = n; }

    /// <summary>Packed averaged Q-matrix of cube <paramref name="cube"/> (N² doubles, W/kg per unit²).</summary>
    public ReadOnlySpan<double> Packed(int cube) => _packed.AsSpan(cube * Channels * Channels, Channels * Channels);
    /// <summary>All matrices, cube-major.</summary>
    public ReadOnlySpan<double> AllPacked => _packed;

    /// <summary>
    /// Averages the point Q-matrices of a dataset over every cube. The summed-volume table covers the tissue bounding box only and is built per tile
    /// of matrix components so memory stays within <paramref name="maxTableBytes"/> (default 4 GB).
    /// </summary>
    public static AveragedQMatrixSet Compute(SarDataset data, AveragingCubeSet cubes, long maxTableBytes = 4L << 30, IProgress<double>? progress = null)
    {
        var e = data.E; var tissue = data.Tissue;
        int n = e.Channels;
        var packed = AverageComponents(data, cubes, n * n, (v, full, scratch) =>
            QMatrixField.PointMatrix(e, v, 0.5 * tissue.Sigma[v] * cubes.VoxelVolume(v), full, scratch), maxTableBytes, progress);
        return new AveragedQMatrixSet(cubes, n, packed, e.Normalisation);
    }

    /// <summary>
    /// The same average with the field on a sub-grid of the cube set's grid, without a copy of the field on the cube
    /// set's grid: <paramref name="fieldVoxel"/> maps a voxel of <paramref name="tissue"/>'s grid (= the cube set's grid,
    /// e.g. the air-padded grid) to its voxel of <paramref name="e"/>'s grid (e.g. <see cref="AirPadding.ToOriginal"/>);
    /// it is only asked for tissue voxels (σ &gt; 0), which must lie in the field's grid. The point matrices, and so the
    /// result, are bit for bit those of <see cref="Compute(SarDataset, AveragingCubeSet, long, IProgress{double}?)"/> on the
    /// field copied onto the cube set's grid (the padded field is zero only where σ = 0, where no matrix is formed).
    /// </summary>
    public static AveragedQMatrixSet Compute(TissueModel tissue, MultiChannelField e, Func<int, int> fieldVoxel, AveragingCubeSet cubes,
                                             long maxTableBytes = 4L << 30, IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(tissue); ArgumentNullException.ThrowIfNull(e); ArgumentNullException.ThrowIfNull(fieldVoxel);
        int n = e.Channels;
        double vol = cubes.VoxelSizeX * cubes.VoxelSizeY * cubes.VoxelSizeZ;
        var packed = AverageComponents(tissue.Grid, tissue, cubes, n * n, (v, full, scratch) =>
        {
            int fv = fieldVoxel(v);
            if ((uint)fv >= (uint)e.Grid.VoxelCount)
                throw new ArgumentException($"tissue voxel {v} (σ = {tissue.Sigma[v]} S/m) maps to {fv}, outside the field's grid {e.Grid}", nameof(fieldVoxel));
            QMatrixField.PointMatrix(e, fv, 0.5 * tissue.Sigma[v] * vol, full, scratch);
        }, maxTableBytes, progress);
        return new AveragedQMatrixSet(cubes, n, packed, e.Normalisation);
    }

    /// <summary>
    /// A set from already averaged packed matrices (e.g. Q + Q_e, SarKit.Margins) on the same cubes; <paramref name="packed"/>
    /// holds cubes.CubeCount·N² doubles and is not copied.
    /// </summary>
    public static AveragedQMatrixSet FromPacked(AveragingCubeSet cubes, int channels, double[] packed, FieldNormalisation normalisation)
    {
        if (packed.LongLength != (long)cubes.CubeCount * channels * channels)
            throw new ArgumentException($"packed has {packed.LongLength} doubles, expected {cubes.CubeCount}·{channels}² = {(long)cubes.CubeCount * channels * channels}", nameof(packed));
        return new AveragedQMatrixSet(cubes, channels, packed, normalisation);
    }

    /// <summary>
    /// Writes the mass-weighted integrand m_v·f(v) of voxel <paramref name="voxel"/> (m_v = ρ_v·V_v with the cube set's
    /// voxel volume <see cref="AveragingCubeSet.VoxelVolume"/>) for all components into <paramref name="dest"/>; <paramref name="scratch"/> has 2·components doubles.
    /// Must be zero where σ = 0.
    /// </summary>
    public delegate void VoxelIntegrand(int voxel, Span<double> dest, Span<double> scratch);

    /// <summary>
    /// Mass average Σ_i w_i m_i f_i / M_cube of any per-voxel vector quantity f (<paramref name="components"/> doubles per voxel)
    /// over every cube of <paramref name="cubes"/> (the same weights as the IEC/IEEE 62704-1 averages of this class);
    /// returns cube-major components. The integrand gets m_v·f(v); voxels with σ = 0 are skipped.
    /// </summary>
    public static double[] AverageComponents(SarDataset data, AveragingCubeSet cubes, int components, VoxelIntegrand integrand,
                                             long maxTableBytes = 4L << 30, IProgress<double>? progress = null)
        => AverageComponents(data.Grid, data.Tissue, cubes, components, integrand, maxTableBytes, progress);

    private static double[] AverageComponents(VoxelGrid grid, TissueModel tissue, AveragingCubeSet cubes, int components, VoxelIntegrand integrand,
                                              long maxTableBytes, IProgress<double>? progress)
    {
        if (!grid.Equals(cubes.Grid)) throw new ArgumentException("Cube set and dataset grids differ.");
        int n2 = components;
        var packed = new double[(long)cubes.CubeCount * n2];
        if (cubes.CubeCount == 0) return packed;

        // the integrand vanishes outside tissue: the table covers the tissue region of the cube set only (queries beyond it clamp)
        var region = cubes.Region;
        int i0 = region.I0, j0 = region.J0, k0 = region.K0, sx = region.Sx, sy = region.Sy, sz = region.Sz;
        int Global(int sub) { int a = sub % sx, r = sub / sx; return (a + i0) + grid.Nx * ((r % sy + j0) + grid.Ny * (r / sy + k0)); }

        long nodes = (long)(sx + 1) * (sy + 1) * (sz + 1);
        int tile = (int)Math.Clamp(maxTableBytes / (nodes * 8), 1, n2);
        tile = Math.Min(tile, (int)Math.Min(n2, int.MaxValue / nodes));
        for (int t0 = 0; t0 < n2; t0 += tile)
        {
            int tc = Math.Min(tile, n2 - t0);
            int off = t0;
            var table = PrefixSum3D.Build(sx, sy, sz, tc, (sub, dst) =>
            {
                int v = Global(sub);
                Span<double> full = n2 <= 1024 ? stackalloc double[n2] : new double[n2];
                Span<double> scratch = n2 <= 1024 ? stackalloc double[2 * n2] : new double[2 * n2];
                integrand(v, full, scratch);
                full.Slice(off, tc).CopyTo(dst);
            }, sub => tissue.Sigma[Global(sub)] == 0);
            Parallel.For(0, cubes.CubeCount, () => new double[tc], (c, _, acc) =>
            {
                Array.Clear(acc);
                var b = cubes.Boxes[c];
                table.Box(new Box3(b.X0 - i0, b.X1 - i0, b.Y0 - j0, b.Y1 - j0, b.Z0 - k0, b.Z1 - k0), acc);
                double inv = 1.0 / cubes.Masses[c];
                var dst = packed.AsSpan((int)((long)c * n2 + off), tc);
                for (int q = 0; q < tc; q++) dst[q] = acc[q] * inv;
                return acc;
            }, _ => { });
            progress?.Report((double)(t0 + tc) / n2);
        }
        return packed;
    }

    /// <summary>bᴴQ_cube b for every cube (W/kg).</summary>
    public double[] CubeSar(DriveVector drive)
    {
        if (drive.Channels != Channels) throw new SarKitInputException($"Drive has {drive.Channels} channels, Q-matrices have {Channels}.");
        var w = HermitianPacking.DriveWeights(drive.Amplitudes);
        int n2 = Channels * Channels;
        var r = new double[Count];
        var p = _packed;
        Parallel.For(0, Count, c => r[c] = HermitianPacking.QuadraticForm(p.AsSpan(c * n2, n2), w));
        return r;
    }

    /// <summary>psSAR of a drive: the maximum over all cubes (W/kg), and the cube and its voxel.</summary>
    public (double Peak, int Cube, int Voxel) PeakSar(DriveVector drive)
    {
        var v = CubeSar(drive);
        int best = 0;
        for (int c = 1; c < v.Length; c++) if (v[c] > v[best]) best = c;
        return (v[best], best, Cubes.CubeVoxel(best));
    }

    /// <summary>Full 62704-1 result (per-voxel map, statuses) of a drive from the averaged Q-matrices.</summary>
    public AveragedSarResult Evaluate(DriveVector drive, double[] localSarFallback)
        => SpatialAverage.Finish(Cubes, CubeSar(drive), localSarFallback);
}
