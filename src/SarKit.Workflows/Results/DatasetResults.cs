namespace SarKit.Workflows.Results;

/// <summary>What a dataset file holds (<see cref="DatasetDescription"/>), read without loading its fields where the format allows.</summary>
[JsonResult("sarkit info --json", Web = "GET /api/datasets/info", Order = 5)]
public sealed record DatasetDescriptionResult
{
    /// <summary>Absolute path of the file (web: the path inside the data folder).</summary>
    public required string InputFile { get; init; }
    /// <summary><c>"hdf5"</c>, <c>"npz"</c> or <c>"mat-v5"</c>.</summary>
    public required string Format { get; init; }
    /// <summary><c>"sarkit"</c>, <c>"openems-reference"</c>, <c>"openems-field-dump"</c>, <c>"matlab-v7.3"</c>, <c>"npz"</c>, <c>"matlab-v5"</c>.</summary>
    public required string Layout { get; init; }
    /// <summary>The voxel grid.</summary>
    public required GridResult Grid { get; init; }
    /// <summary>Number of transmit channels.</summary>
    public required int Channels { get; init; }
    /// <summary>Channel names.</summary>
    public required string[] ChannelNames { get; init; }
    /// <summary>Field normalisation (see drive).</summary>
    public required string Normalisation { get; init; }
    /// <summary>Unit of one drive amplitude.</summary>
    public required string DriveUnit { get; init; }
    /// <summary>Frequency, Hz; 0 when the file does not say.</summary>
    public required double? FrequencyHz { get; init; }
    /// <summary>Voxels with ρ &gt; 0.</summary>
    public required int TissueVoxels { get; init; }
    /// <summary>Σ ρV over tissue, kg; null when the file has no density.</summary>
    public required double? TissueMassKg { get; init; }
    /// <summary>Region masks (e.g. <c>body</c>, <c>head</c>).</summary>
    public required string[] Masks { get; init; }
    /// <summary>Tissue label map present.</summary>
    public required bool HasLabels { get; init; }
    /// <summary>Label names indexed by label value (SarKit layout), else null.</summary>
    public required string[]? LabelNames { get; init; }
    /// <summary>Relative permittivity present.</summary>
    public required bool HasEpsR { get; init; }
    /// <summary>Field quantities present: <c>E</c>, <c>H</c>, <c>B1plus</c>.</summary>
    public required string[] Fields { get; init; }
    /// <summary>On-disk element type of E (e.g. <c>"complex64 {r,i}"</c>).</summary>
    public required string FieldType { get; init; }
    /// <summary>Provenance attributes of the file (string → string).</summary>
    public required SortedDictionary<string, string> Provenance { get; init; }
    /// <summary>SarKit version.</summary>
    public required string SarkitVersion { get; init; }
}

/// <summary>Outer cell edges per axis, m: <c>[min, max]</c>.</summary>
/// <param name="X">x range, m.</param>
/// <param name="Y">y range, m.</param>
/// <param name="Z">z range, m.</param>
public sealed record AxisRangeResult(double[] X, double[] Y, double[] Z);

/// <summary>A voxel grid: size, uniformity, spacing and extent.</summary>
[JsonSharedObject("grid")]
public sealed record GridResult
{
    /// <summary>Voxels along x.</summary>
    public required int Nx { get; init; }
    /// <summary>Voxels along y.</summary>
    public required int Ny { get; init; }
    /// <summary>Voxels along z.</summary>
    public required int Nz { get; init; }
    /// <summary>All cells of each axis have one width (1e-6 relative).</summary>
    public required bool Uniform { get; init; }
    /// <summary>Uniform with equal widths along x, y, z.</summary>
    public required bool Isotropic { get; init; }
    /// <summary>Mean cell width per axis, m; null when non-uniform.</summary>
    public required PointResult? SpacingM { get; init; }
    /// <summary>Smallest cell width per axis, m.</summary>
    public required PointResult SpacingMinM { get; init; }
    /// <summary>Largest cell width per axis, m.</summary>
    public required PointResult SpacingMaxM { get; init; }
    /// <summary>Outer cell edges, m.</summary>
    public required AxisRangeResult ExtentM { get; init; }

    /// <summary>The result object of a grid.</summary>
    public static GridResult Of(SarKit.Grid.VoxelGrid g)
    {
        static (double Min, double Max) W(ReadOnlySpan<double> e)
        {
            double lo = double.MaxValue, hi = 0;
            for (int i = 0; i + 1 < e.Length; i++) { double w = e[i + 1] - e[i]; lo = Math.Min(lo, w); hi = Math.Max(hi, w); }
            return (lo, hi);
        }
        var (x0, x1) = W(g.EdgesX); var (y0, y1) = W(g.EdgesY); var (z0, z1) = W(g.EdgesZ);
        bool u = g.IsUniform();
        return new GridResult
        {
            Nx = g.Nx, Ny = g.Ny, Nz = g.Nz, Uniform = u, Isotropic = g.IsIsotropic(),
            SpacingM = u ? new PointResult((g.EdgesX[^1] - g.EdgesX[0]) / g.Nx, (g.EdgesY[^1] - g.EdgesY[0]) / g.Ny, (g.EdgesZ[^1] - g.EdgesZ[0]) / g.Nz) : null,
            SpacingMinM = new PointResult(x0, y0, z0), SpacingMaxM = new PointResult(x1, y1, z1),
            ExtentM = new AxisRangeResult([g.EdgesX[0], g.EdgesX[^1]], [g.EdgesY[0], g.EdgesY[^1]], [g.EdgesZ[0], g.EdgesZ[^1]]),
        };
    }
}

/// <summary>The dataset files of the web app's data folder.</summary>
/// <param name="DataFolder">The data folder (absolute path on the server).</param>
/// <param name="Datasets">Its dataset files.</param>
[JsonResult("GET /api/datasets", Web = "GET /api/datasets", Order = 6)]
public sealed record DatasetListResult(string DataFolder, DatasetFileResult[] Datasets);

/// <summary>A dataset file of the data folder.</summary>
/// <param name="Path">Path inside the data folder.</param>
/// <param name="SizeBytes">File size, bytes.</param>
/// <param name="ModifiedUtc">Last modification time (UTC, ISO 8601).</param>
/// <param name="Error">Why the file's header does not read as a dataset (corrupt, truncated, another format…); null when it does.</param>
public sealed record DatasetFileResult(string Path, long SizeBytes, DateTime ModifiedUtc, string? Error);
