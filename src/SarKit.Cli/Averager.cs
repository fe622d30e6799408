using SarKit.Averaging;
using SarKit.Grid;
using SarKit.Fields;
using SarKit.Workflows.Results;

namespace SarKit.Cli;

/// <summary>
/// IEC/IEEE 62704-1 averaging of one dataset at one mass, with the air padding the standard needs
/// (<see cref="AirPadding"/>): by default (<c>--pad auto</c>) only as many air voxels are added as the model's own air
/// margin lacks. Maps and indices given back are on the dataset's own grid.
/// </summary>
internal sealed class Averager
{
    public required SarDataset Dataset { get; init; }
    public required AirPadding Padding { get; init; }
    public required TissueModel PaddedTissue { get; init; }
    public required AveragingCubeSet Cubes { get; init; }
    public AveragingOptions Options => Cubes.Options;

    /// <summary>Largest explicit --pad (air voxels per side).</summary>
    public const int MaxPad = 200;

    /// <summary>Parses --pad: "auto" (null) or a number of voxels ≥ 0.</summary>
    public static int? ParsePad(string? text)
    {
        if (text is null || text.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase)) return null;
        if (int.TryParse(text.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) && n <= MaxPad) return n;
        throw new SarKitInputException($"--pad '{text}': expected 'auto' or a number of air voxels in [0, {MaxPad}].");
    }

    public static Averager Build(CliIO io, bool json, SarDataset ds, double massKg, int? pad)
    {
        int cells = pad ?? AirPadding.Needed(ds.Tissue, massKg);
        var padding = new AirPadding(ds.Grid, cells);
        var tissue = padding.Pad(ds.Tissue);
        var options = new AveragingOptions { TargetMassKg = massKg };
        var cubes = io.WithProgress(json, $"Averaging cubes ({Commands.SarCommand.Grams(massKg)})", p => AveragingCubeSet.Build(tissue, options, p));
        return new Averager { Dataset = ds, Padding = padding, PaddedTissue = tissue, Cubes = cubes };
    }

    /// <summary>Averages a local SAR map of the dataset's grid (result on the padded grid).</summary>
    public AveragedSarResult Average(double[] localSar) => SpatialAverage.Compute(PaddedTissue, Padding.Pad(localSar), Options, Cubes);

    /// <summary>The averaged Q-matrix set (on the padded grid).</summary>
    public AveragedQMatrixSet QSet(IProgress<double>? progress)
        => AveragedQMatrixSet.Compute(new SarDataset(PaddedTissue, Padding.Pad(Dataset.E)), Cubes, progress: progress);

    /// <summary>Voxel status on the dataset's own grid.</summary>
    public VoxelStatus[] Status => Padding.Crop(Cubes.Status);

    public StatusCountsResult StatusCounts()
    {
        int va = 0, u = 0, un = 0, bg = 0;
        foreach (var s in Status)
            switch (s) { case VoxelStatus.Valid: va++; break; case VoxelStatus.Used: u++; break; case VoxelStatus.Unused: un++; break; default: bg++; break; }
        return new StatusCountsResult(va, u, un, bg, Cubes.VoxelsWithoutCube);
    }
}
