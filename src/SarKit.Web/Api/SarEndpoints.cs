using System.Diagnostics;
using SarKit.Workflows;
using SarKit.Workflows.Results;

namespace SarKit.Web.Api;

/// <summary>
/// POST /api/sar/slices: point and IEC/IEEE 62704-1 mass-averaged SAR of a drive (<see cref="PeakSarEvaluation"/>,
/// prepared once per dataset and mass in the <see cref="DatasetCache"/>), three orthogonal slices of each map, peaks
/// and their locations, and the <c>sarkit sar --json</c> result of the drive (<see cref="SarSlicesResult"/>, snake_case).
/// </summary>
public static class SarEndpoints
{
    /// <summary>Drive: amplitude per channel (dataset drive unit) and phase in degrees.</summary>
    public sealed record DriveJson(double[]? Amplitude, double[]? PhaseDeg);
    /// <summary>A voxel (0-based i, j, k).</summary>
    public sealed record VoxelJson(int I, int J, int K);
    /// <summary>Request: dataset path, drive, averaging mass in grams (default 10; 0 = point SAR only), optional slice voxel.</summary>
    public sealed record SarSliceRequest(string? Path, DriveJson? Drive, double? MassG, VoxelJson? At);

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
            var prepared = await cache.GetAsync(full, massKg, ct);
            var sw = Stopwatch.StartNew();
            var drive = DriveText.FromAmplitudePhase(req.Drive?.Amplitude, req.Drive?.PhaseDeg, prepared.Dataset);
            var outcome = prepared.Evaluate(drive, cancellation: ct);
            var at = req.At is { } a ? new VoxelIndexResult(a.I, a.J, a.K) : null;
            var result = prepared.Slices(outcome, req.Path!, at, sw.Elapsed.TotalMilliseconds);
            return Results.Text(ResultJson.Serialize(result), "application/json");
        }).WithMetadata(new BodyContentTypes("application/json")).RequireRateLimiting(HeavyWork.Policy);
    }
}
