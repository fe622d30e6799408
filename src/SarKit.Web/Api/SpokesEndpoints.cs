using System.Globalization;
using SarKit.Constraints;
using SarKit.Workflows;
using SarKit.Workflows.Results;

namespace SarKit.Web.Api;

/// <summary>
/// Spokes / kT-points page (docs/web.md, docs/pulse-design.md): POST /api/spokes/start checks the form (every field
/// before any work, 400 naming it and its value) and starts a background job (<see cref="SpokesJobs"/>, the use case
/// <see cref="SpokesDesign"/> of <c>sarkit spokes</c>); GET /api/spokes/job polls it; POST /api/spokes/cancel cancels it;
/// GET /api/spokes/waveform downloads the written pulse as the multi-channel waveform CSV of <c>sarkit pulse check</c>;
/// GET /api/spokes/seq as the Pulseq file of <c>sarkit spokes --seq-output</c> (<c>sarkit seq check --calibration '1 V/uT'</c>).
/// Answers: <see cref="SpokesJobResult"/>, whose <c>result</c> is the CLI's <see cref="SpokesResult"/>.
/// </summary>
public static class SpokesEndpoints
{
    /// <summary>Body of POST /api/spokes/start (camelCase, SI units); null fields take the defaults of <c>sarkit spokes</c>.</summary>
    public sealed record StartRequest(string? Path, int? ZIndex, int? SubPulses, string? Trajectory, string? Shape, double? SubPulseDurationS, double? TimeBandwidth,
        double? GapS, double? RepetitionTimeS, double? TargetFlipDeg, double? LocalLimitWPerKg, double? GlobalLimitWPerKg, string? Constraints, double? MarginPercent,
        string? VopFile, string? MvieFile, int? Starts, double? ChannelPeakPowerW = null, double? ChannelAveragePowerW = null,
        double[]? ChannelPeakPowersW = null, double[]? ChannelAveragePowersW = null) : IDesignForm;

    /// <summary>Most sub-pulses the page designs: the default kT-points and spokes trajectories have seven positions.</summary>
    public const int MaxSubPulses = 7;
    /// <summary>Longest sub-pulse and gap the page accepts, s (bounds the waveform kept for download).</summary>
    public const double MaxSubPulseS = 10e-3;

    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/spokes/start", async (HttpRequest http, DataFolder folder, SpokesJobs jobs, SarKitWebOptions options, CancellationToken ct) =>
        {
            var req = await RequestBody.ReadJsonAsync<StartRequest>(http, options.MaxUploadBytes, ct);
            var input = await Task.Run(() => Check(req, folder), ct);
            try { return ShimEndpoints.Json(jobs.Start(input)); }
            catch (InvalidOperationException e) { return Results.Json(new ApiError(e.Message, 503, "busy"), statusCode: 503); }
        }).WithMetadata(new BodyContentTypes("application/json"));

        api.MapGet("/spokes/job", (string? id, SpokesJobs jobs) => Answer(jobs.Poll(id), id));

        api.MapPost("/spokes/cancel", (string? id, SpokesJobs jobs) => Answer(jobs.Cancel(id), id));

        api.MapGet("/spokes/waveform", (string? id, SpokesJobs jobs) => jobs.OutputOf(id) switch
        {
            { WaveformCsv: { } csv } => ShimEndpoints.Download(Results.Text(csv, "text/csv"), $"spokes_waveform_{id}.csv"),
            { } => Results.Json(new ApiError("The dataset's drive unit has no waveform unit (normalisation unspecified): no waveform file.", 404, "not_found"), statusCode: 404),
            null => NotFound(id),
        });

        api.MapGet("/spokes/seq", (string? id, SpokesJobs jobs) => jobs.OutputOf(id) switch
        {
            { Seq: { } seq } => ShimEndpoints.Download(Results.Text(seq, "text/plain"), $"spokes_{id}.seq"),
            { } => Results.Json(new ApiError("No Pulseq file for this job: the dataset's drive unit has no waveform unit, or the sub-pulse duration, gap or TR is not a multiple of the 10 µs Pulseq block raster.", 404, "not_found"), statusCode: 404),
            null => NotFound(id),
        });
    }

    /// <summary>
    /// The job input of a request: the shared form fields (<see cref="DesignFormChecks.Check"/>), K (1 … <see cref="MaxSubPulses"/>),
    /// trajectory, shape, durations (sub-pulse 1 µs … 10 ms, gap 0 … 10 ms), TR (≥ the pulse, ≤ 10 s), time-bandwidth and target flip
    /// angle (0, 90]°. Throws <see cref="SarKitInputException"/> naming the field and its value.
    /// </summary>
    public static SpokesJobInput Check(StartRequest? req, DataFolder folder)
    {
        var (form, _) = DesignFormChecks.Check(req, folder, "{\"path\": …, \"zIndex\": …, \"subPulses\": …, \"repetitionTimeS\": …, \"targetFlipDeg\": …}");
        int k = req!.SubPulses ?? 3;
        if (k < 1 || k > MaxSubPulses) throw new SarKitInputException($"subPulses = {k}: expected 1 … {MaxSubPulses} sub-pulses (the default trajectories have {MaxSubPulses} positions).");
        string traj = (req.Trajectory ?? "kt").Trim().ToLowerInvariant();
        if (traj is not ("kt" or "spokes")) throw new SarKitInputException($"trajectory = '{req.Trajectory}': expected kt (kT-points) or spokes.");
        string shapeText = (req.Shape ?? "hard").Trim().ToLowerInvariant();
        var shape = shapeText switch
        {
            "hard" => SubPulseShape.Hard, "sinc" => SubPulseShape.Sinc,
            _ => throw new SarKitInputException($"shape = '{req.Shape}': expected hard or sinc."),
        };
        double dur = DesignFormChecks.Range("subPulseDurationS", req.SubPulseDurationS ?? 0.2e-3, 1e-6, MaxSubPulseS, lowOpen: false, "sub-pulse duration in s");
        double tbw = DesignFormChecks.Range("timeBandwidth", req.TimeBandwidth ?? 4, 0, 100, lowOpen: true, "time-bandwidth product of the sinc");
        double gap = DesignFormChecks.Range("gapS", req.GapS ?? 0.1e-3, 0, MaxSubPulseS, lowOpen: false, "gap between sub-pulses in s");
        double tr = DesignFormChecks.Range("repetitionTimeS", req.RepetitionTimeS ?? 10e-3, 0, 10, lowOpen: true, "repetition time in s");
        double length = k * dur + (k - 1) * gap;
        if (tr < length * (1 - 1e-9))
            throw new SarKitInputException(string.Create(CultureInfo.InvariantCulture, $"repetitionTimeS = {tr}: shorter than the pulse ({k} × {dur} s + {k - 1} × {gap} s = {length:G6} s)."));
        double flip = DesignFormChecks.Range("targetFlipDeg", req.TargetFlipDeg ?? 10, 0, 90, lowOpen: true, "target small-tip flip angle in degrees");
        return new SpokesJobInput(form, k, traj, shape, dur, tbw, gap, tr, flip);
    }

    private static IResult Answer(SpokesJobResult? r, string? id) => r is null ? NotFound(id) : ShimEndpoints.Json(r);

    private static IResult NotFound(string? id) =>
        Results.Json(new ApiError($"No spokes job '{id}' with that answer (unknown, forgotten, or not done yet).", 404, "not_found"), statusCode: 404);
}
