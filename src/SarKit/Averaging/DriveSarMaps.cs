using SarKit.Fields;
using SarKit.Grid;
using SarKit.Sar;

namespace SarKit.Averaging;

/// <summary>Point and mass-averaged SAR maps of one drive, on the dataset's own grid (linear voxel order, W/kg).</summary>
public sealed class DriveSarResult
{
    /// <summary>Point SAR σ|E|²/(2ρ) per voxel (0 outside tissue), W/kg.</summary>
    public required double[] PointSar { get; init; }
    /// <summary>IEC/IEEE 62704-1 mass-averaged SAR per voxel (null when the grid cannot be averaged), W/kg.</summary>
    public double[]? AveragedSar { get; init; }
    /// <summary>Peak point SAR and its linear voxel index.</summary>
    public required (double Value, int Index) PointPeak { get; init; }
    /// <summary>psSAR and the linear voxel index holding it (null without averaging).</summary>
    public (double Value, int Index)? AveragedPeak { get; init; }
    /// <summary>Mass-averaged SAR over all tissue voxels (W/kg).</summary>
    public required double TissueAverageSar { get; init; }
    /// <summary>Power absorbed in all tissue, Σ σ|E|²V/2 (W).</summary>
    public required double AbsorbedPowerW { get; init; }
}

/// <summary>
/// Everything needed to map SAR for any drive of one dataset, computed once: the point Q-matrix field
/// (<see cref="QMatrixField"/>, SAR(r) = bᴴQ(r)b), the IEC/IEEE 62704-1 averaging cubes of the air-padded model
/// (<see cref="AveragingCubeSet"/>, padding by <see cref="AirPadding.Needed"/>) and their averaged Q-matrices
/// (<see cref="AveragedQMatrixSet"/>), and the tissue Q-matrix (<see cref="RegionQ"/>). A drive change then costs only
/// the quadratic forms bᴴQb per voxel and per cube, plus the per-voxel maximum over cubes (62704-1 VALID/USED/UNUSED
/// rules, <see cref="AveragingCubeSet.VoxelMap"/>). Results equal <see cref="LocalSar.Compute"/> and
/// <see cref="SpatialAverage.Compute(TissueModel, double[], AveragingOptions?, AveragingCubeSet?)"/> to rounding.
/// </summary>
public sealed class DriveSarMaps
{
    public SarDataset Dataset { get; }
    public QMatrixField PointQ { get; }
    /// <summary>Averaged Q-matrices on the padded grid; null when the grid is not uniform (62704-1 needs a uniform grid).</summary>
    public AveragedQMatrixSet? AveragedQ { get; }
    /// <summary>Air padding used for averaging (identity when no averaging).</summary>
    public AirPadding Padding { get; }
    /// <summary>Averaging mass (kg), null when no averaging.</summary>
    public double? MassKg { get; }
    /// <summary>Why averaged maps are unavailable (null when they are available).</summary>
    public string? AveragingUnavailableReason { get; }
    public RegionQ Tissue { get; }

    private DriveSarMaps(SarDataset ds, QMatrixField q, AveragedQMatrixSet? aq, AirPadding pad, double? mass, string? why, RegionQ tissue)
    { Dataset = ds; PointQ = q; AveragedQ = aq; Padding = pad; MassKg = mass; AveragingUnavailableReason = why; Tissue = tissue; }

    /// <summary>
    /// Precomputes the Q-matrices of <paramref name="dataset"/>; with <paramref name="massKg"/> (e.g. 0.01 for 10 g) also the
    /// averaging cubes and averaged Q-matrices (skipped, with a reason, on graded grids).
    /// </summary>
    public static DriveSarMaps Build(SarDataset dataset, double? massKg = 0.01, IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var q = QMatrixField.Compute(dataset.Tissue, dataset.E);
        progress?.Report(0.1);
        var tissue = RegionQ.Compute("tissue", dataset.Tissue, dataset.E);
        if (massKg is not { } m) return new DriveSarMaps(dataset, q, null, new AirPadding(dataset.Grid, 0), null, "no averaging mass requested", tissue);
        if (!dataset.Grid.IsUniform(1e-6))
            return new DriveSarMaps(dataset, q, null, new AirPadding(dataset.Grid, 0), null,
                $"IEC/IEEE 62704-1 averaging needs a uniform grid; this grid ({dataset.Grid}) is graded", tissue);
        var pad = new AirPadding(dataset.Grid, AirPadding.Needed(dataset.Tissue, m));
        var paddedTissue = pad.Pad(dataset.Tissue);
        var cubes = AveragingCubeSet.Build(paddedTissue, new AveragingOptions { TargetMassKg = m },
            progress is null ? null : new Progress(progress, 0.1, 0.6));
        var aq = AveragedQMatrixSet.Compute(new SarDataset(paddedTissue, pad.Pad(dataset.E)), cubes,
            progress: progress is null ? null : new Progress(progress, 0.6, 1.0));
        return new DriveSarMaps(dataset, q, aq, pad, m, null, tissue);
    }

    private sealed class Progress(IProgress<double> inner, double from, double to) : IProgress<double>
    {
        public void Report(double value) => inner.Report(from + (to - from) * Math.Clamp(value, 0, 1));
    }

    /// <summary>Point and (when available) averaged SAR maps of a drive.</summary>
    public DriveSarResult Evaluate(DriveVector drive)
    {
        ArgumentNullException.ThrowIfNull(drive);
        if (drive.Channels != Dataset.Channels)
            throw new SarKitInputException($"{Dataset.Source}: the drive has {drive.Channels} channel value(s), the dataset has {Dataset.Channels} channels.") { SourceFile = Dataset.Source };
        var grid = Dataset.Grid;
        var local = PointQ.Sar(drive);
        var point = new double[grid.VoxelCount];
        var idx = PointQ.VoxelIndices;
        for (int t = 0; t < idx.Length; t++) point[idx[t]] = local[t];
        var pointPeak = LocalSar.Peak(point);
        double[]? avg = null;
        (double, int)? avgPeak = null;
        if (AveragedQ is not null)
        {
            var paddedLocal = new double[Padding.Padded.VoxelCount];
            for (int t = 0; t < idx.Length; t++) paddedLocal[Padding.ToPadded(idx[t])] = local[t];
            var r = AveragedQ.Evaluate(drive, paddedLocal);
            avg = Padding.Crop(r.Map);
            avgPeak = (r.Peak, Padding.ToOriginal(r.PeakVoxel));
        }
        double wb = Tissue.Sar(drive);
        return new DriveSarResult
        {
            PointSar = point, AveragedSar = avg, PointPeak = pointPeak, AveragedPeak = avgPeak,
            TissueAverageSar = wb, AbsorbedPowerW = wb * Tissue.MassKg,
        };
    }
}
