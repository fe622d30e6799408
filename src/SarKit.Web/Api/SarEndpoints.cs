using System.Diagnostics;
using System.Numerics;
using SarKit.Fields;
using SarKit.Grid;
using SarKit.Sar;
using SarKit.Averaging;

namespace SarKit.Web.Api;

/// <summary>
/// POST /api/sar/slices: point and IEC/IEEE 62704-1 mass-averaged SAR of a drive (<see cref="DriveSarMaps"/>, cached per
/// dataset), three orthogonal slices of each map, peaks and their locations.
/// </summary>
public static class SarEndpoints
{
    /// <summary>Drive: amplitude per channel (dataset drive unit) and phase in degrees.</summary>
    public sealed record DriveJson(double[]? Amplitude, double[]? PhaseDeg);
    public sealed record VoxelJson(int I, int J, int K);
    public sealed record PointJson(double X, double Y, double Z);
    /// <summary>Request: dataset path, drive, averaging mass in grams (default 10; 0 = point SAR only), optional slice voxel.</summary>
    public sealed record SarSliceRequest(string? Path, DriveJson? Drive, double? MassG, VoxelJson? At);
    public sealed record SliceJson(string Normal, int Index, int Width, int Height, string[] Axes, float[] Values);
    public sealed record MapJson(double PeakWPerKg, VoxelJson PeakVoxel, PointJson PeakLocationM, VoxelJson SlicedAt, SliceJson[] Slices);
    public sealed record SarSliceResponse(
        string Path, DatasetEndpoints.GridJson Grid, int Channels, string DriveUnit, string SarUnit, double? MassKg,
        MapJson Point, MapJson? Averaged, string? AveragingNote, int? AirPaddingVoxels,
        double TissueAverageSarWPerKg, double TissueMassKg, double AbsorbedPowerW, double? IncidentPowerW, double ComputeMs);

    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/sar/slices", async (HttpRequest http, DataFolder folder, DatasetCache cache, SarKitWebOptions options, CancellationToken ct) =>
        {
            var req = await RequestBody.ReadJsonAsync<SarSliceRequest>(http, options.MaxUploadBytes, ct);
            var full = folder.Resolve(req.Path);
            double? massKg = req.MassG switch
            {
                null => options.DefaultMassKg,
                0 => null,
                { } grams when double.IsFinite(grams) && grams > 0 && grams <= 1000 => grams * 1e-3,
                { } bad => throw new SarKitInputException($"massG = {bad}: expected an averaging mass in grams in (0, 1000], or 0 for point SAR only."),
            };
            var maps = await cache.GetAsync(full, massKg, ct);
            var sw = Stopwatch.StartNew();
            var ds = maps.Dataset;
            var drive = Drive(req.Drive, ds);
            var r = maps.Evaluate(drive);
            var g = ds.Grid;
            if (req.At is { } at && (at.I < 0 || at.I >= g.Nx || at.J < 0 || at.J >= g.Ny || at.K < 0 || at.K >= g.Nz))
                throw new SarKitInputException($"at = ({at.I}, {at.J}, {at.K}) is outside the grid 0…{g.Nx - 1} × 0…{g.Ny - 1} × 0…{g.Nz - 1}.");
            var point = MapOf(r.PointSar, r.PointPeak, g, req.At);
            var avg = r.AveragedSar is { } a && r.AveragedPeak is { } ap ? MapOf(a, ap, g, req.At) : null;
            var unit = ds.E.Normalisation.DriveUnit();
            double? pin = drive.IncidentPowerW();
            return Results.Json(new SarSliceResponse(
                req.Path!, DatasetEndpoints.Grid(g), ds.Channels, unit,
                unit == "1" ? "W/kg (relative: unspecified normalisation)" : $"W/kg (drive in {unit})", maps.MassKg,
                point, avg, maps.AveragingUnavailableReason, maps.AveragedQ is null ? null : maps.Padding.Cells,
                r.TissueAverageSar, maps.Tissue.MassKg, r.AbsorbedPowerW, pin, sw.Elapsed.TotalMilliseconds));
        }).WithMetadata(new BodyContentTypes("application/json")).RequireRateLimiting(HeavyWork.Policy);
    }

    /// <summary>Largest drive amplitude accepted (dataset drive unit): keeps every SAR value finite.</summary>
    public const double MaxAmplitude = 1e9;
    /// <summary>Largest |phase| accepted, degrees.</summary>
    public const double MaxPhaseDeg = 1e6;

    internal static DriveVector Drive(DriveJson? d, SarDataset ds)
    {
        if (d?.Amplitude is null) throw new SarKitInputException("Missing drive: expected \"drive\": {\"amplitude\": [...], \"phaseDeg\": [...]} with one value per channel.");
        var a = d.Amplitude; var p = d.PhaseDeg ?? new double[a.Length];
        if (a.Length != ds.Channels || p.Length != ds.Channels)
            throw new SarKitInputException($"Drive has {a.Length} amplitude(s) and {p.Length} phase(s); '{Path.GetFileName(ds.Source)}' has {ds.Channels} channels.");
        for (int c = 0; c < a.Length; c++)
            if (!double.IsFinite(a[c]) || a[c] < 0 || a[c] > MaxAmplitude || !double.IsFinite(p[c]) || Math.Abs(p[c]) > MaxPhaseDeg)
                throw new SarKitInputException($"Drive channel {c}: amplitude {a[c]} and phase {p[c]}° must be finite, amplitude in [0, {MaxAmplitude:G}], |phase| ≤ {MaxPhaseDeg:G}°.");
        return new DriveVector(a.Select((x, c) => Complex.FromPolarCoordinates(x, p[c] * Math.PI / 180)), ds.E.Normalisation);
    }

    private static MapJson MapOf(double[] map, (double Value, int Index) peak, VoxelGrid g, VoxelJson? at)
    {
        var (pi, pj, pk) = g.Unravel(peak.Index);
        var (si, sj, sk) = at is null ? (pi, pj, pk) : (at.I, at.J, at.K);
        var slices = VoxelSlices.Through(map, g, si, sj, sk).Select(s => new SliceJson(
            s.Normal.ToString().ToLowerInvariant(), s.Index, s.Width, s.Height,
            s.Normal switch { SliceNormal.X => ["y", "z"], SliceNormal.Y => ["x", "z"], _ => ["x", "y"] }, s.Values)).ToArray();
        var c = g.Centre(peak.Index);
        return new MapJson(peak.Value, new VoxelJson(pi, pj, pk), new PointJson(c.X, c.Y, c.Z), new VoxelJson(si, sj, sk), slices);
    }
}
