using SarKit.Workflows;
using SarKit.Workflows.Results;

namespace SarKit.Web.Api;

/// <summary>
/// RF shim page (docs/web.md, docs/pulse-design.md): POST /api/shim/start checks the form (every field before any work,
/// 400 naming it) and starts a background job (<see cref="ShimJobs"/>, the use case <see cref="RfShimDesign"/> of
/// <c>sarkit shim</c>); GET /api/shim/job polls it; POST /api/shim/cancel cancels it; GET /api/shim/drive and
/// /api/shim/waveform download the design as the drive JSON of <c>sarkit sar --drive</c> and the waveform CSV of
/// <c>sarkit pulse check</c>. Answers: <see cref="ShimJobResult"/>, whose <c>result</c> is the CLI's <see cref="RfShimResult"/>.
/// </summary>
public static class ShimEndpoints
{
    /// <summary>Body of POST /api/shim/start (camelCase like the other request bodies); null fields take the defaults of <c>sarkit shim</c>.</summary>
    public sealed record StartRequest(string? Path, int? ZIndex, double? TargetUt, double? LocalLimitWPerKg, double? GlobalLimitWPerKg,
        string? Constraints, double? MarginPercent, string? VopFile, string? MvieFile, int? Starts, double? DutyCycle = null,
        double? ChannelPeakPowerW = null, double? ChannelAveragePowerW = null, double[]? ChannelPeakPowersW = null, double[]? ChannelAveragePowersW = null) : IDesignForm;

    /// <summary>Largest number of starts the page may ask for (<see cref="DesignFormChecks.MaxStarts"/>).</summary>
    public const int MaxStarts = DesignFormChecks.MaxStarts;

    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/shim/start", async (HttpRequest http, DataFolder folder, ShimJobs jobs, SarKitWebOptions options, CancellationToken ct) =>
        {
            var req = await RequestBody.ReadJsonAsync<StartRequest>(http, options.MaxUploadBytes, ct);
            var input = await Task.Run(() => Check(req, folder), ct);
            try { return Json(jobs.Start(input)); }
            catch (InvalidOperationException e) { return Results.Json(new ApiError(e.Message, 503, "busy"), statusCode: 503); }
        }).WithMetadata(new BodyContentTypes("application/json"));

        api.MapGet("/shim/job", (string? id, ShimJobs jobs) => Answer(jobs.Poll(id), id));

        api.MapPost("/shim/cancel", (string? id, ShimJobs jobs) => Answer(jobs.Cancel(id), id));

        api.MapGet("/shim/drive", (string? id, ShimJobs jobs) => jobs.OutputOf(id) is { } f
            ? Download(Results.Text(f.DriveJson, "application/json"), $"shim_drive_{id}.json")
            : NotFound(id));

        api.MapGet("/shim/waveform", (string? id, ShimJobs jobs) => jobs.OutputOf(id) switch
        {
            { WaveformCsv: { } csv } => Download(Results.Text(csv, "text/csv"), $"shim_waveform_{id}.csv"),
            { } => Results.Json(new ApiError("The dataset's drive unit has no waveform unit (normalisation unspecified): no waveform file.", 404, "not_found"), statusCode: 404),
            null => NotFound(id),
        });
    }

    /// <summary>
    /// The job input of a request: the shared form fields (<see cref="DesignFormChecks.Check"/>), the target |B1+| and the
    /// duty cycle. Throws <see cref="SarKitInputException"/> naming the field and its value.
    /// </summary>
    public static ShimJobInput Check(StartRequest? req, DataFolder folder)
    {
        var (form, _) = DesignFormChecks.Check(req, folder, "{\"path\": …, \"zIndex\": …, \"targetUt\": …}");
        double target = DesignFormChecks.Range("targetUt", req!.TargetUt ?? 1.0, 0, 1e4, lowOpen: true, "target |B1+| in µT");
        double duty = DesignFormChecks.Range("dutyCycle", req.DutyCycle ?? 1, 0, 1, lowOpen: true, "duty cycle (fraction of time the shim is transmitted)");
        return new ShimJobInput(form, target, duty);
    }

    private static IResult Answer(ShimJobResult? r, string? id) => r is null ? NotFound(id) : Json(r);

    private static IResult NotFound(string? id) =>
        Results.Json(new ApiError($"No RF shim job '{id}' with that answer (unknown, forgotten, or not done yet).", 404, "not_found"), statusCode: 404);

    internal static IResult Download(IResult inner, string name) => new AttachmentResult(inner, name);

    private sealed class AttachmentResult(IResult inner, string name) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"{name}\"";
            return inner.ExecuteAsync(http);
        }
    }

    /// <summary>A result in the one JSON policy of SarKit results (snake_case, no NaN).</summary>
    internal static IResult Json<T>(T value) => Results.Text(ResultJson.Serialize(value), "application/json");
}
