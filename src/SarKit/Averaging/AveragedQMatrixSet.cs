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
        var packed = AverageComponents(tissue.Grid, tissue, cubes, n * n, (v, full, scratch) =>
        {
            int fv = fieldVoxel(v);
            if ((uint)fv >= (uint)e.Grid.VoxelCount)
                throw new ArgumentException($"tissue voxel {v} (σ = {tissue.Sigma[v]} S/m) maps to {fv}, outside the field's grid {e.Grid}", nameof(fieldVoxel));
            QMatrixField.PointMatrix(e, fv, 0.5 * tissue.Sigma[v] * cubes.VoxelVolume(v), full, scratch); // m_v = ρ_v·V_v, own volume on a graded grid
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

    /// <summary>Receives averaged matrices of cubes [<paramref name="firstCube"/>, <paramref name="firstCube"/> + count), packed, cube-major.</summary>
    public delegate void CubeBlockSink(int firstCube, int count, ReadOnlySpan<double> packed);

    /// <summary>
    /// The averaged Q-matrices of <see cref="Compute(TissueModel, MultiChannelField, Func{int, int}, AveragingCubeSet, long, IProgress{double}?)"/>,
    /// bit for bit, without holding the set, the field's point matrices or the summed-volume table in memory: the table's
    /// node planes are computed one z-plane at a time (<paramref name="field"/> loads each field plane once, in increasing
    /// z) into a ring of the most recent planes, and each cube is averaged as soon as its highest z-node exists. Cubes go to
    /// <paramref name="sink"/> in blocks that end at multiples of <paramref name="blockCubes"/> (default, 0: 8 chunks of the
    /// Q-matrix file's /matrices, 8·⌊65536/N²⌋ cubes) or at a stream's end, in cube order within the valid step-1 cubes and
    /// within the step-2 candidates (two ordered streams, interleaved). Working set: the ring
    /// (<see cref="StreamPlan.WindowPlanes"/> planes of (Sx+1)(Sy+1)·N² doubles over the tissue region) and two blocks,
    /// independent of the grid's z extent; the ring's depth is the z reach of the cubes (≈ 2 cube sides).
    /// </summary>
    public static StreamPlan Stream(TissueModel tissue, AveragingCubeSet cubes, IPointQPlanes field, CubeBlockSink sink,
                                    int blockCubes = 0, IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(tissue); ArgumentNullException.ThrowIfNull(cubes);
        ArgumentNullException.ThrowIfNull(field); ArgumentNullException.ThrowIfNull(sink);
        if (!tissue.Grid.Equals(cubes.Grid)) throw new ArgumentException("Cube set and tissue grids differ.");
        int n2 = field.Channels * field.Channels;
        var plan = StreamPlan.Of(cubes, n2);
        if (cubes.CubeCount == 0) return plan;
        var grid = tissue.Grid;
        var region = cubes.Region;
        int i0 = region.I0, j0 = region.J0, k0 = region.K0, sx = region.Sx, sy = region.Sy, sz = region.Sz;
        int Global(int sub) { int a = sub % sx, r = sub / sx; return (a + i0) + grid.Nx * ((r % sy + j0) + grid.Ny * (r / sy + k0)); }
        var table = PrefixSum3D.Window(sx, sy, sz, n2, plan.WindowPlanes);
        void Fill(int sub, Span<double> dst)
        {
            int v = Global(sub);
            Span<double> scratch = n2 <= 1024 ? stackalloc double[2 * n2] : new double[2 * n2];
            field.PointMatrix(v, 0.5 * tissue.Sigma[v] * cubes.VoxelVolume(v), dst, scratch);
        }
        bool Skip(int sub) => tissue.Sigma[Global(sub)] == 0;

        // two ordered streams of cubes, each with its own block; blocks are flushed at multiples of blockCubes (global cube
        // index) and at the stream's end, so writes line up with the output's chunks
        if (blockCubes <= 0) blockCubes = 8 * Math.Max(1, 65536 / n2);
        var streams = new[] { (Start: 0, End: cubes.ValidCubeCount), (Start: cubes.ValidCubeCount, End: cubes.CubeCount) };
        var cursor = streams.Select(s => s.Start).ToArray();
        var flushed = streams.Select(s => s.Start).ToArray();
        var blocks = streams.Select(_ => new double[(long)blockCubes * n2]).ToArray();
        for (int k = 1; k <= sz; k++)
        {
            field.LoadPlane(k - 1 + k0);
            table.ComputePlane(k, Fill, Skip);
            for (int g = 0; g < streams.Length; g++)
                while (cursor[g] < streams[g].End)
                {
                    int c0 = cursor[g], f0 = flushed[g], end = streams[g].End;
                    int limit = Math.Min(end, (f0 / blockCubes + 1) * blockCubes);
                    int c1 = c0;
                    while (c1 < limit && plan.High[c1] <= k) c1++; // the run of cubes whose highest z-node is computed
                    if (c1 == c0) break;
                    for (int c = c0; c < c1; c++)
                        if (plan.Low[c] <= k - table.PlanesHeld) throw new InvalidOperationException($"cube {c} needs node plane {plan.Low[c]}, no longer held at plane {k}");
                    var block = blocks[g];
                    Parallel.For(c0, c1, () => new double[n2], (c, _, acc) =>
                    {
                        Array.Clear(acc);
                        var b = cubes.Boxes[c];
                        table.Box(new Box3(b.X0 - i0, b.X1 - i0, b.Y0 - j0, b.Y1 - j0, b.Z0 - k0, b.Z1 - k0), acc);
                        double inv = 1.0 / cubes.Masses[c];
                        var dst = block.AsSpan((int)((long)(c - f0) * n2), n2);
                        for (int q = 0; q < n2; q++) dst[q] = acc[q] * inv;
                        return acc;
                    }, _ => { });
                    cursor[g] = c1;
                    if (c1 == limit)
                    {
                        sink(f0, c1 - f0, block.AsSpan(0, (c1 - f0) * n2));
                        flushed[g] = c1;
                    }
                }
            progress?.Report((double)k / sz);
        }
        for (int g = 0; g < streams.Length; g++)
            if (cursor[g] != streams[g].End) throw new InvalidOperationException($"cubes {cursor[g]}..{streams[g].End} were not averaged");
        return plan;
    }

    /// <summary>
    /// The z-planes of the summed-volume table each cube reads (<see cref="Low"/>, <see cref="High"/>, tissue-region node
    /// indices) and the ring depth <see cref="WindowPlanes"/> that <see cref="Stream"/> needs: at the plane where cube c is
    /// averaged (the highest z-node of cubes 0..c of its stream) its lowest z-node must still be held.
    /// </summary>
    public sealed class StreamPlan
    {
        internal int[] Low = [], High = [];
        /// <summary>Node planes held in the ring.</summary>
        public int WindowPlanes { get; private init; }
        /// <summary>Bytes of the ring (the streamed table).</summary>
        public long WindowBytes { get; private init; }

        internal static StreamPlan Of(AveragingCubeSet cubes, int components)
        {
            var r = cubes.Region;
            int count = cubes.CubeCount, sz = r.Sz;
            var low = new int[count]; var high = new int[count];
            Parallel.For(0, count, c =>
            {
                var b = cubes.Boxes[c];
                (low[c], high[c]) = PrefixSum3D.PlanesRead(new Box3(b.X0, b.X1, b.Y0, b.Y1, b.Z0 - r.K0, b.Z1 - r.K0), sz);
                if (high[c] == 0) (low[c], high[c]) = (1, 1); // reads no z-node: averaged (to 0) at the first plane
            });
            int window = 2;
            foreach (var (s, e) in new[] { (0, cubes.ValidCubeCount), (cubes.ValidCubeCount, count) })
            {
                int reach = 1;
                for (int c = s; c < e; c++) { reach = Math.Max(reach, high[c]); window = Math.Max(window, reach - low[c] + 1); }
            }
            window = Math.Min(window, sz + 1);
            return new StreamPlan { Low = low, High = high, WindowPlanes = window, WindowBytes = (long)window * (r.Sx + 1) * (r.Sy + 1) * components * sizeof(double) };
        }
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
