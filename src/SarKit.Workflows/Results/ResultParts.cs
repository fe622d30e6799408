namespace SarKit.Workflows.Results;

/// <summary>A voxel index: 0-based indices along x, y, z; linear index = i + nx·(j + ny·k).</summary>
[JsonSharedObject("voxel index")]
public sealed record VoxelIndexResult(int I, int J, int K);
/// <summary>A point: x, y, z in metres (a voxel centre for locations).</summary>
[JsonSharedObject("point")]
public sealed record PointResult(double X, double Y, double Z);
/// <summary>
/// A drive: per channel |b_c| in <c>unit</c> (<c>V</c>, <c>sqrt(W)</c>, <c>A</c>, <c>1</c>) and arg(b_c) in degrees
/// (−180, 180]; <c>normalisation</c> as in the dataset (<c>per_volt_incident</c>, <c>per_sqrt_watt_incident</c>,
/// <c>per_sqrt_watt_accepted</c>, <c>per_ampere</c>, <c>unspecified</c>).
/// </summary>
[JsonSharedObject("drive")]
public sealed record DriveResult(double[] Amplitude, double[] PhaseDeg, string Unit, string Normalisation);
/// <summary>IEC/IEEE 62704-1 voxel status counts; <c>without_cube</c> = unused voxels for which no step-2 cube fits in the domain (they keep their local SAR).</summary>
[JsonSharedObject("status counts")]
public sealed record StatusCountsResult(int Valid, int Used, int Unused, int Background, int WithoutCube);

/// <summary>Builds the shared result objects from domain types.</summary>
public static class ResultParts
{
    public static VoxelIndexResult Index(SarKit.Grid.VoxelGrid g, int v) { var (i, j, k) = g.Unravel(v); return new(i, j, k); }
    public static PointResult Centre(SarKit.Grid.VoxelGrid g, int v) { var (x, y, z) = g.Centre(v); return new(x, y, z); }
    public static DriveResult Drive(SarKit.Fields.DriveVector d) => new(
        d.Amplitudes.ToArray().Select(b => b.Magnitude).ToArray(),
        d.Amplitudes.ToArray().Select(b => b.Magnitude == 0 ? 0 : PhaseDeg(b)).ToArray(),
        SarKit.Fields.FieldNormalisationExtensions.DriveUnit(d.Normalisation),
        SarKit.Fields.FieldNormalisationExtensions.ToId(d.Normalisation));
    /// <summary>arg(b) in degrees, in (−180, 180], rounded to 1e-9° (no "-0").</summary>
    public static double PhaseDeg(System.Numerics.Complex b)
    {
        double p = Math.Round(b.Phase * 180 / Math.PI, 9) + 0.0;
        return p <= -180 ? p + 360 : p;
    }
    public static StatusCountsResult Status(SarKit.Averaging.AveragingCubeSet cubes)
    {
        var (va, u, un, bg) = cubes.StatusCounts();
        return new(va, u, un, bg, cubes.VoxelsWithoutCube);
    }
}
