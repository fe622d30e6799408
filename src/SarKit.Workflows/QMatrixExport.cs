using SarKit.Averaging;
using SarKit.Fields;
using SarKit.IO.Formats;
using SarKit.Sar;
using SarKit.Workflows.Results;

namespace SarKit.Workflows;

/// <summary>What <see cref="QMatrixExport.Run"/> computes and where it writes it.</summary>
public sealed record QMatrixExportRequest
{
    /// <summary>Dataset file (.h5, .mat, .npz).</summary>
    public required string FieldsPath { get; init; }
    /// <summary>Output HDF5 file (.h5 or .hdf5, docs/qmatrix-format.md).</summary>
    public required string OutputPath { get; init; }
    /// <summary>Averaging mass, kg; null for point Q-matrices (one per tissue voxel).</summary>
    public double? MassKg { get; init; } = 0.010;
    /// <summary>Air voxels added on every side before averaging; null for <see cref="AirPadding.Needed"/>.</summary>
    public int? AirPaddingCells { get; init; }
}

/// <summary>
/// The Q-matrix set of a dataset (<c>sarkit qmatrices</c>): SAR(r) = bᴴQ(r)b with Q(r) = σ(r)/(2ρ(r))·E(r)ᴴE(r) per
/// tissue voxel (<see cref="QMatrixField"/>), or averaged over every IEC/IEEE 62704-1 cube of the air-padded model
/// (<see cref="AveragedQMatrixSet"/>, <see cref="PreparedAveraging"/>), written to HDF5 (<see cref="QMatrixSetFile"/>).
/// Progress stages: "Reading dataset", "Averaging cubes (10 g)", "Averaged Q-matrices" or "Point Q-matrices".
/// </summary>
public static class QMatrixExport
{
    /// <summary>Refuses an output path that is not .h5/.hdf5 or whose folder is missing.</summary>
    public static void CheckTarget(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var ext = Path.GetExtension(output).ToLowerInvariant();
        if (ext is not (".h5" or ".hdf5"))
            throw new SarKitInputException($"--output '{output}': Q-matrix sets are written as HDF5; use a .h5 or .hdf5 file name.") { SourceFile = output };
        var dir = Path.GetDirectoryName(Path.GetFullPath(output))!;
        if (!Directory.Exists(dir)) throw new SarKitInputException($"--output '{output}': the folder {dir} does not exist.") { SourceFile = output };
    }

    /// <summary>Reads the dataset, computes the set, writes it and returns what was written.</summary>
    public static QMatrixExportResult Run(QMatrixExportRequest request, SarKitSettings? settings = null, IProgress<StageReport>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        settings ??= SarKitSettings.Default;
        long start = settings.Time.GetTimestamp();
        CheckTarget(request.OutputPath);
        DatasetFiles.RequireExisting(request.FieldsPath);
        var ds = progress.Run("Reading dataset", _ => DatasetFiles.Open(request.FieldsPath)); // every field read and checked (fail closed), though Q needs tissue and E only
        cancellation.ThrowIfCancellationRequested();
        QMatrixExportResult Result(string kind, double? mass, int count, int? valid, StatusCountsResult? st, int? pad) => new()
        {
            Kind = kind, MassKg = mass, Method = mass is null ? "point" : "IEC/IEEE 62704-1", Count = count, ValidCubes = valid, StatusCounts = st, AirPaddingVoxels = pad,
            Channels = ds.Channels, Normalisation = ds.E.Normalisation.ToId(), Unit = $"W/kg per {ds.E.Normalisation.DriveUnit()}^2",
            InputFile = Path.GetFullPath(request.FieldsPath), OutputFile = Path.GetFullPath(request.OutputPath),
            ElapsedS = settings.Time.GetElapsedTime(start).TotalSeconds, SarkitVersion = SarKitVersion.Current,
        };
        QMatrixExportResult r;
        if (request.MassKg is not { } massKg)
        {
            var q = progress.Run("Point Q-matrices", _ => QMatrixField.Compute(ds.Tissue, ds.E));
            QMatrixSetFile.Write(q, request.OutputPath, request.FieldsPath);
            r = Result("point", null, q.Count, null, null, null);
        }
        else
        {
            var averaging = progress.Run($"Averaging cubes ({PeakSarEvaluation.MassText(massKg)})", p => PreparedAveraging.Prepare(ds, massKg, request.AirPaddingCells, p));
            cancellation.ThrowIfCancellationRequested();
            // streamed: matrices are averaged z-slab by z-slab and written block by block (docs/local-sar.md, "Memory")
            progress.Run("Averaged Q-matrices", p =>
            {
                QMatrixSetFile.WriteStreamed(averaging.Cubes, ds.Channels, ds.E.Normalisation, request.OutputPath, sink => averaging.StreamQSet(sink, p), request.FieldsPath);
                return true;
            });
            r = Result("averaged", massKg, averaging.Cubes.CubeCount, averaging.Cubes.ValidCubeCount, averaging.StatusCounts(), averaging.Padding.Cells) with { AveragedGrid = averaging.Cubes.GridKind };
        }
        ResultJson.RequireFinite(r);
        return r;
    }
}
