using System.Text.Json;
using System.Text.Json.Serialization;

namespace SarKit.Cli;

/// <summary>JSON output: one object per command on stdout, snake_case names (docs/json-schemas.md).</summary>
internal static class Json
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.Strict,
    };

    public static void Write<T>(TextWriter w, T value) => w.WriteLine(JsonSerializer.Serialize(value, Options));

    /// <summary>null for NaN/∞ (JSON has no such numbers).</summary>
    public static double? Num(double v) => double.IsFinite(v) ? v : null;
}

internal sealed record VoxelIndexJson(int I, int J, int K);
internal sealed record PointJson(double X, double Y, double Z);
internal sealed record DriveJson(double[] Amplitude, double[] PhaseDeg, string Unit, string Normalisation);
internal sealed record StatusCountsJson(int Valid, int Used, int Unused, int Background, int WithoutCube);

internal static class JsonParts
{
    public static VoxelIndexJson Index(SarKit.Grid.VoxelGrid g, int v) { var (i, j, k) = g.Unravel(v); return new(i, j, k); }
    public static PointJson Centre(SarKit.Grid.VoxelGrid g, int v) { var (x, y, z) = g.Centre(v); return new(x, y, z); }
    public static DriveJson Drive(SarKit.Fields.DriveVector d) => new(
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
    public static StatusCountsJson Status(SarKit.Averaging.AveragingCubeSet cubes)
    {
        var (va, u, un, bg) = cubes.StatusCounts();
        return new(va, u, un, bg, cubes.VoxelsWithoutCube);
    }
}
