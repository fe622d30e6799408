using SarKit.Supervision;
using SarKit.Workflows;
using SarKit.Workflows.Results;

namespace SarKit.Web.Api;

/// <summary>
/// POST /api/seq/check: a Pulseq .seq (request body, size-limited) checked against IEC 60601-2-33 with the local SAR
/// matrices of a dataset of the data folder: all its averaged Q-matrices (exact) or its certified VOP set
/// (<see cref="VopJobs"/>). Binds the request, builds the matrix set from the data folder's caches and calls the use case
/// of <c>sarkit seq check</c>, <see cref="SequenceCheck"/>; the answer is its <see cref="SequenceCheckResult"/> (snake_case,
/// the CLI's <c>--json</c> schema, plus the timelines). GET /api/seq/defaults: the page's defaults.
/// </summary>
public static class SupervisionEndpoints
{
    /// <summary>Default drive calibration: V peak incident per µT of Pulseq B1 on every channel (CP shim).</summary>
    public const double DefaultCalibrationVPerMicroTesla = 20;
    /// <summary>Window-end times per timeline.</summary>
    public const int TimelinePoints = 400;

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/seq/defaults", () => Results.Text(ResultJson.Serialize(new SequenceCheckDefaultsResult(
            DefaultCalibrationVPerMicroTesla, 10, "normal", "head", ["q", "vop"], TimelinePoints)), "application/json"));

        api.MapPost("/seq/check", async (HttpRequest http, string? path, string? matrices, double? marginPercent, double? calibration,
            string? mode, string? localRegion, string? repeat, string? name, DataFolder folder, DatasetCache cache, VopJobs jobs,
            SarKitWebOptions options, CancellationToken ct) =>
        {
            var text = await RequestBody.ReadTextAsync(http, options.MaxUploadBytes, ct);
            string seqName = string.IsNullOrWhiteSpace(name) ? "upload.seq" : Path.GetFileName(name.Trim());
            if (string.IsNullOrWhiteSpace(text)) throw new SarKitInputException($"{seqName}: empty request body; expected the text of a Pulseq .seq file.");
            var full = folder.Resolve(path);
            // every numeric and named value is checked before any work: finite and in range
            double k = Calibration(calibration);
            double margin = VopEndpoints.Margin(marginPercent);
            var check = new SarCheckOptions
            {
                UniformCalibrationPerMicroTesla = k, Mode = mode ?? "normal", LocalRegion = localRegion ?? "head", Repeat = repeat ?? "steady",
                TimelinePoints = TimelinePoints, IncludeTimeline = true, Names = SarCheckOptionNames.Web,
            };
            check.OperatingMode();
            var localMetric = check.LocalMetric();
            check.Repetition();
            SarObservable obs;
            switch ((matrices ?? "q").Trim().ToLowerInvariant())
            {
                case "q":
                {
                    var maps = await cache.GetAsync(full, options.DefaultMassKg, ct);
                    var aq = maps.AveragedQ ?? throw new SarKitInputException($"{path}: no averaged Q-matrices: {maps.AveragingUnavailableReason}");
                    obs = new SarObservable($"all {aq.Count} {options.DefaultMassKg * 1e3:G4} g Q-matrices ({path})", localMetric, aq.Channels,
                        aq.AllPacked.ToArray(), SupervisionMatrixSets.DriveUnitOf(aq.Normalisation, path!));
                    break;
                }
                case "vop":
                {
                    var v = await jobs.GetAsync(full, path!, margin, ct);
                    obs = SupervisionMatrixSets.FromVops(v.Set, localMetric, $"{path} VOPs, margin {v.MarginFraction * 100:G4} %");
                    break;
                }
                case var m: throw new SarKitInputException($"matrices '{m}': expected q (all averaged Q-matrices of the dataset) or vop (its certified VOP set).");
            }
            var request = new SequenceCheckRequest { SequenceText = text, SequenceName = seqName, Check = check with { Matrices = [obs] } };
            var outcome = await Task.Run(() => SequenceCheck.Run(request, cancellation: ct), ct);
            return Results.Text(ResultJson.Serialize(outcome.Result), "application/json");
        }).WithMetadata(new BodyContentTypes("text/plain", "application/octet-stream")).RequireRateLimiting(HeavyWork.Policy);
    }

    /// <summary>Largest accepted drive calibration (per µT of Pulseq B1): far above any coil, small enough that SAR stays finite.</summary>
    public const double MaxCalibration = 1e6;

    /// <summary>The calibration query value (default <see cref="DefaultCalibrationVPerMicroTesla"/>): finite, in (0, <see cref="MaxCalibration"/>].</summary>
    internal static double Calibration(double? value) => value switch
    {
        null => DefaultCalibrationVPerMicroTesla,
        { } c when double.IsFinite(c) && c > 0 && c <= MaxCalibration => c,
        { } c => throw new SarKitInputException($"calibration = {c}: expected a finite drive calibration in (0, {MaxCalibration:G}] per µT of Pulseq B1."),
    };

}
