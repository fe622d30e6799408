using SarKit.Fields;
using SarKit.Grid;
using SarKit.Sar;

namespace SarKit.Averaging;

/// <summary>Result of IEC/IEEE 62704-1 spatial averaging of one SAR distribution.</summary>
public sealed class AveragedSarResult
{
    /// <summary>Mass-averaged SAR per voxel, W/kg (0 for background).</summary>
    public required double[] Map { get; init; }
    /// <summary>Per-cube averages (index as in <see cref="Cubes"/>).</summary>
    public required double[] CubeValues { get; init; }
    public required AveragingCubeSet Cubes { get; init; }
    /// <summary>Peak spatial-average SAR (psSAR), W/kg.</summary>
    public double Peak { get; init; }
    /// <summary>Linear index of the voxel holding the peak.</summary>
    public int PeakVoxel { get; init; }
    /// <summary>Cube that gives the peak.</summary>
    public int PeakCube { get; init; }
    public VoxelStatus[] Status => Cubes.Status;
    public double TargetMassKg => Cubes.Options.TargetMassKg;
}

/// <summary>
/// IEC/IEEE 62704-1 spatial-average SAR (any target mass) of a scalar SAR distribution, built on <see cref="AveragingCubeSet"/>.
/// </summary>
public static class SpatialAverage
{
    /// <summary>Averages a local SAR map [W/kg] (linear voxel order).</summary>
    /// <exception cref="SarKitInputException">A local SAR value is NaN or ±∞ (fails closed before averaging).</exception>
    public static AveragedSarResult Compute(TissueModel tissue, double[] localSar, AveragingOptions? options = null, AveragingCubeSet? cubes = null)
    {
        int bad = Array.FindIndex(localSar, x => !double.IsFinite(x));
        if (bad >= 0) throw new SarKitInputException($"{tissue.Source}: local SAR at voxel {tissue.Grid.Unravel(bad)} [linear {bad}] is {localSar[bad]}: a non-finite SAR map is refused.");
        cubes ??= AveragingCubeSet.Build(tissue, options);
        var values = cubes.CubeAverages(localSar, tissue.Rho);
        return Finish(cubes, values, localSar);
    }

    /// <summary>Averages the SAR of a drive on a dataset's fields.</summary>
    public static AveragedSarResult Compute(SarDataset data, DriveVector drive, AveragingOptions? options = null, AveragingCubeSet? cubes = null)
    {
        var local = LocalSar.Compute(data.Tissue, data.E, drive);
        return Compute(data.Tissue, local, options, cubes);
    }

    internal static AveragedSarResult Finish(AveragingCubeSet cubes, double[] cubeValues, double[] localSar)
    {
        var map = cubes.VoxelMap(cubeValues, localSar);
        var (peak, at) = LocalSar.Peak(map);
        int cube = -1;
        // the cube that gives the peak: the voxel's own/candidate cube, or (USED voxel) the valid cube with that value
        for (int c = 0; c < cubeValues.Length; c++) if (cubeValues[c] == peak) { cube = c; break; }
        return new AveragedSarResult { Map = map, CubeValues = cubeValues, Cubes = cubes, Peak = peak, PeakVoxel = at, PeakCube = cube };
    }
}
