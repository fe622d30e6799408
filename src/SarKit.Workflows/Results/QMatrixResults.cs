namespace SarKit.Workflows.Results;

/// <summary>A Q-matrix set written to HDF5 (<see cref="QMatrixExport"/>, docs/qmatrix-format.md).</summary>
[JsonResult("sarkit qmatrices --json", Order = 12)]
public sealed record QMatrixExportResult
{
    /// <summary><c>"averaged"</c> or <c>"point"</c>.</summary>
    public required string Kind { get; init; }
    /// <summary>Averaging mass, kg; null for point matrices.</summary>
    public required double? MassKg { get; init; }
    /// <summary><c>"IEC/IEEE 62704-1"</c> or <c>"point"</c>.</summary>
    public required string Method { get; init; }
    /// <summary>Number of matrices written.</summary>
    public required int Count { get; init; }
    /// <summary>Valid step-1 cubes (the rest of <c>count</c> are step-2 candidates); null for point matrices.</summary>
    public required int? ValidCubes { get; init; }
    /// <summary>Voxel statuses of the cube set (on the dataset's own grid); null for point matrices.</summary>
    public required StatusCountsResult? StatusCounts { get; init; }
    /// <summary>Air voxels added on every side (the file's grid includes them), voxels; null for point matrices.</summary>
    public required int? AirPaddingVoxels { get; init; }
    /// <summary>Grid kind the IEC/IEEE 62704-1 cubes were built on: <c>"uniform"</c> or <c>"rectilinear"</c> (graded,
    /// per-axis cell widths; docs/averaging.md "Rectilinear grids"); null for point matrices.</summary>
    public string? AveragedGrid { get; init; }
    /// <summary>Matrix size N (channels).</summary>
    public required int Channels { get; init; }
    /// <summary>Normalisation of the source fields.</summary>
    public required string Normalisation { get; init; }
    /// <summary>Unit of the matrix entries, e.g. <c>"W/kg per V^2"</c>.</summary>
    public required string Unit { get; init; }
    /// <summary>Absolute path of the dataset.</summary>
    public required string InputFile { get; init; }
    /// <summary>Absolute path of the HDF5 file written.</summary>
    public required string OutputFile { get; init; }
    /// <summary>Wall time, s.</summary>
    public required double ElapsedS { get; init; }
    /// <summary>SarKit version.</summary>
    public required string SarkitVersion { get; init; }
}
