using SarKit.Averaging;
using SarKit.Fields;
using SarKit.Grid;
using SarKit.Workflows.Results;

namespace SarKit.Workflows;

/// <summary>
/// IEC/IEEE 62704-1 averaging of one dataset at one mass, prepared once and reused for any drive: the air padding the
/// standard's cubes need (<see cref="AirPadding"/>; by default only as many air voxels as the model's own air margin
/// lacks, <see cref="AirPadding.Needed"/>), the padded tissue and its averaging cubes (<see cref="AveragingCubeSet"/>).
/// Maps and indices given back are on the dataset's own grid unless said otherwise.
/// </summary>
public sealed class PreparedAveraging
{
    /// <summary>Largest explicit air padding, voxels per side.</summary>
    public const int MaxPad = 200;

    /// <summary>The dataset (unpadded); null when prepared from a tissue model alone (<see cref="Prepare(TissueModel, double, int?, IProgress{double}?)"/>).</summary>
    public SarDataset? Dataset { get; init; }
    /// <summary>Tissue on the dataset's own grid.</summary>
    public required TissueModel Tissue { get; init; }
    /// <summary>Air padding around the model.</summary>
    public required AirPadding Padding { get; init; }
    /// <summary>Tissue on the padded grid.</summary>
    public required TissueModel PaddedTissue { get; init; }
    /// <summary>The averaging cubes of <see cref="PaddedTissue"/>.</summary>
    public required AveragingCubeSet Cubes { get; init; }
    /// <summary>Averaging options (target mass).</summary>
    public AveragingOptions Options => Cubes.Options;

    /// <summary>
    /// Pads <paramref name="dataset"/> with <paramref name="airPaddingCells"/> air voxels per side (null: what
    /// <see cref="AirPadding.Needed"/> says for <paramref name="massKg"/>) and builds the averaging cubes
    /// (<see cref="AveragingCubeSet.Build(TissueModel, AveragingOptions?, IProgress{double}?)"/>; a
    /// uniform or rectilinear grid).
    /// </summary>
    public static PreparedAveraging Prepare(SarDataset dataset, double massKg, int? airPaddingCells = null, IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var p = Prepare(dataset.Tissue, massKg, airPaddingCells, progress);
        return new PreparedAveraging { Dataset = dataset, Tissue = p.Tissue, Padding = p.Padding, PaddedTissue = p.PaddedTissue, Cubes = p.Cubes };
    }

    /// <summary>
    /// The same preparation from the tissue model alone (no fields: e.g. a drive's field summed while reading,
    /// <see cref="PeakSarEvaluation.Run"/>); <see cref="QSet"/> and <see cref="StreamQSet"/> then need a field passed in.
    /// </summary>
    public static PreparedAveraging Prepare(TissueModel tissue, double massKg, int? airPaddingCells = null, IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(tissue);
        int cells = airPaddingCells ?? AirPadding.Needed(tissue, massKg);
        var padding = new AirPadding(tissue.Grid, cells);
        var padded = padding.Pad(tissue);
        var cubes = AveragingCubeSet.Build(padded, new AveragingOptions { TargetMassKg = massKg }, progress);
        return new PreparedAveraging { Tissue = tissue, Padding = padding, PaddedTissue = padded, Cubes = cubes };
    }

    private SarDataset RequireDataset()
        => Dataset ?? throw new InvalidOperationException("This averaging was prepared from a tissue model alone: it has no field (pass one).");

    /// <summary>Averages a local SAR map of the dataset's grid (result on the padded grid).</summary>
    public AveragedSarResult Average(double[] localSar) => SpatialAverage.Compute(PaddedTissue, Padding.Pad(localSar), Options, Cubes);

    /// <summary>
    /// The averaged Q-matrix set (on the padded grid), <see cref="AveragedQMatrixSet.Compute(TissueModel, MultiChannelField, Func{int, int}, AveragingCubeSet, long, IProgress{double}?)"/>:
    /// the dataset's own field is read through <see cref="AirPadding.ToOriginal"/> instead of being copied onto the
    /// padded grid (that copy was the largest allocation of a Q-matrix export; same matrices bit for bit).
    /// The summed-volume table is built in tiles of matrix components of at most half the field's size (at least 64 MiB),
    /// so this transient stays below the field already in memory (tiles change neither values nor order of additions).
    /// </summary>
    public AveragedQMatrixSet QSet(IProgress<double>? progress)
    {
        Func<int, int> original = Padding.ToOriginal;
        var e = RequireDataset().E;
        long fieldBytes = (long)e.Channels * e.Components * 2 * sizeof(float) * e.Grid.VoxelCount;
        return AveragedQMatrixSet.Compute(PaddedTissue, e, original, Cubes, maxTableBytes: Math.Max(64L << 20, fieldBytes / 2), progress: progress);
    }

    /// <summary>
    /// The same matrices as <see cref="QSet"/>, bit for bit, streamed to <paramref name="sink"/> block by block
    /// (<see cref="AveragedQMatrixSet.Stream"/>): neither the set nor the summed-volume table is held, only a window of
    /// table planes a few cube sides deep and two blocks of matrices; the field is read through
    /// <see cref="AirPadding.ToOriginal"/> (or from <paramref name="field"/>, e.g. a field streamed by z-plane).
    /// </summary>
    public AveragedQMatrixSet.StreamPlan StreamQSet(AveragedQMatrixSet.CubeBlockSink sink, IProgress<double>? progress, IPointQPlanes? field = null)
        => AveragedQMatrixSet.Stream(PaddedTissue, Cubes, field ?? new InMemoryQPlanes(RequireDataset().E, Padding.ToOriginal), sink, progress: progress);

    /// <summary>Voxel status on the dataset's own grid.</summary>
    public VoxelStatus[] Status => Padding.Crop(Cubes.Status);

    /// <summary>Voxel status counts on the dataset's own grid (and the voxels without any cube).</summary>
    public StatusCountsResult StatusCounts()
    {
        int va = 0, u = 0, un = 0, bg = 0;
        foreach (var s in Status)
            switch (s) { case VoxelStatus.Valid: va++; break; case VoxelStatus.Used: u++; break; case VoxelStatus.Unused: un++; break; default: bg++; break; }
        return new StatusCountsResult(va, u, un, bg, Cubes.VoxelsWithoutCube);
    }
}
