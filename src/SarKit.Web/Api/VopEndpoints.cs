using SarKit.Compression;
using SarKit.IO.Formats;
using SarKit.Workflows;
using SarKit.Workflows.Results;

namespace SarKit.Web.Api;

/// <summary>
/// VOP sets (docs/vop.md, docs/web.md): GET /api/vop/files lists the data folder; GET /api/vop/info opens a VOP file of the
/// data folder (<see cref="VopSetFiles.Read"/>: .h5, .mat, .npz), optionally with the overestimation histogram
/// (<see cref="OverestimationReport"/>) against a dataset's averaged Q-matrices; POST /api/vop/compress starts or polls
/// the compression + certification of a dataset's averaged Q-matrices (<see cref="VopJobs"/>, which runs
/// <see cref="VopCompression.CompressPacked"/>). Answers are the CLI's result types (<see cref="VopSetResult"/> inside
/// <see cref="VopPageResult"/>), serialised by <see cref="ResultJson"/> (snake_case).
/// </summary>
public static class VopEndpoints
{
    /// <summary>Body of POST /api/vop/compress: dataset path in the data folder and margin in % of SAR_wc (default 10).</summary>
    public sealed record CompressRequest(string? Path, double? MarginPercent);

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/vop/files", (DataFolder folder) => Json(new VopFilesResult(folder.Root,
            folder.List().Select(f => new VopFileResult(f.Path, f.SizeBytes, f.ModifiedUtc)).ToArray())));

        api.MapGet("/vop/info", async (string? path, string? q, DataFolder folder, DatasetCache cache, SarKitWebOptions options, CancellationToken ct) =>
        {
            var full = folder.Resolve(path);
            var set = await Task.Run(() => DatasetGuard.Read(path!, () => VopSetFiles.Read(full)), ct);
            OverestimationReport? over = null; bool? matches = null; string? against = null;
            if (!string.IsNullOrEmpty(q))
            {
                var qFull = folder.Resolve(q);
                var maps = await cache.GetAsync(qFull, options.DefaultMassKg, ct);
                var aq = maps.AveragedQ ?? throw new SarKitInputException($"{q}: no averaged Q-matrices: {maps.AveragingUnavailableReason}");
                if (aq.Channels != set.Channels)
                    throw new SarKitInputException($"{path}: the VOP set has {set.Channels} channels, the dataset {q} has {aq.Channels}; no overestimation against it.");
                var packed = aq.AllPacked.ToArray();
                matches = VopSet.HashMatrices(packed) == set.SourceSha256;
                using var src = new PackedQMatrixSource(packed, aq.Channels, q, aq.Normalisation);
                over = await Task.Run(() => OverestimationReport.Compute(src, set.Packed, set.Channels,
                    new OverestimationOptions { Drives = VopJobs.RandomDrives, Bins = VopJobs.HistogramBins }, null, ct), ct);
                against = $"{maps.MassKg * 1e3:G4} g averaged Q-matrices of {q}";
            }
            return Json(VopSetOperations.DescribeForPage("file", path!, path!, set, null, over, against, matches, 0));
        }).RequireRateLimiting(HeavyWork.Policy);

        api.MapPost("/vop/compress", async (HttpRequest http, DataFolder folder, VopJobs jobs, SarKitWebOptions options, CancellationToken ct) =>
        {
            var req = await RequestBody.ReadJsonAsync<CompressRequest>(http, options.MaxUploadBytes, ct);
            var full = folder.Resolve(req.Path);
            var s = jobs.StartOrPoll(full, req.Path!, Margin(req.MarginPercent));
            if (s.State == "failed") return Results.Json(new ApiError(s.Error ?? "failed", s.ErrorStatus ?? 500, s.ErrorStatus switch { 400 => "bad_input", 422 => "unreadable", _ => "internal" }), statusCode: s.ErrorStatus ?? 500);
            var r = s.Result;
            string mass = $"{options.DefaultMassKg * 1e3:G4} g";
            return Json(new VopJobResult(s.State, s.ElapsedS, s.Stage, r is null ? null
                : VopSetOperations.DescribeForPage("compressed", $"{r.DatasetPath} ({mass}, margin {r.MarginFraction * 100:G4} %)", r.DatasetPath, r.Set, r.Verification,
                    r.Overestimation, $"{mass} averaged Q-matrices of {r.DatasetPath}", true, r.Seconds)));
        }).WithMetadata(new BodyContentTypes("application/json"));
    }

    /// <summary>A result in the one JSON policy of SarKit results (snake_case, no NaN).</summary>
    private static IResult Json<T>(T value) => Results.Text(ResultJson.Serialize(value), "application/json");

    /// <summary>Margin in percent of SAR_wc (default 10 %) → fraction.</summary>
    internal static double Margin(double? percent) => percent switch
    {
        null => 0.10,
        { } p when double.IsFinite(p) && p > 0 && p <= 100 => p / 100,
        { } p => throw new SarKitInputException($"marginPercent = {p}: expected a VOP margin in (0, 100] % of the worst-case SAR."),
    };
}
