using System.Globalization;
using SarKit.IO.Formats;
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
        string? Constraints, double? MarginPercent, string? VopFile, string? MvieFile, int? Starts);

    /// <summary>Largest number of starts the page may ask for (the CLI allows 1000; the web app bounds the work of one request).</summary>
    public const int MaxStarts = 20;

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

        api.MapGet("/shim/drive", (string? id, ShimJobs jobs) => jobs.FilesOf(id) is { } f
            ? Download(Results.Text(f.DriveJson, "application/json"), $"shim_drive_{id}.json")
            : NotFound(id));

        api.MapGet("/shim/waveform", (string? id, ShimJobs jobs) => jobs.FilesOf(id) switch
        {
            { WaveformCsv: { } csv } => Download(Results.Text(csv, "text/csv"), $"shim_waveform_{id}.csv"),
            { } => Results.Json(new ApiError("The dataset's drive unit has no waveform unit (normalisation unspecified): no waveform file.", 404, "not_found"), statusCode: 404),
            null => NotFound(id),
        });
    }

    /// <summary>
    /// The job input of a request: dataset path resolved in the data folder, z layer inside the grid (header read only),
    /// target, limits, margin and starts finite and in range, constraint set known, VOP/MVIE files resolved and readable.
    /// Throws <see cref="SarKitInputException"/> naming the field.
    /// </summary>
    public static ShimJobInput Check(StartRequest? req, DataFolder folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (req is null) throw new SarKitInputException("Missing request body: expected {\"path\": …, \"zIndex\": …, \"targetUt\": …}.");
        var full = folder.Resolve(req.Path);
        var info = DatasetGuard.Read(req.Path!, () => DatasetFiles.ReadInfo(full));
        int nz = info.Grid.Nz;
        int z = req.ZIndex ?? nz / 2;
        if (z < 0 || z >= nz) throw new SarKitInputException($"zIndex = {z}: expected a voxel layer 0 … {nz - 1} of {req.Path}.");
        double target = Range("targetUt", req.TargetUt ?? 1.0, 0, 1e4, lowOpen: true, "target |B1+| in µT");
        double local = Range("localLimitWPerKg", req.LocalLimitWPerKg ?? 10, 0, 1e6, lowOpen: true, "local 10 g SAR limit in W/kg");
        double global = Range("globalLimitWPerKg", req.GlobalLimitWPerKg ?? 3.2, 0, 1e6, lowOpen: false, "global SAR limit in W/kg (0: none)");
        double marginPct = Range("marginPercent", req.MarginPercent ?? 5, 0, 100, lowOpen: true, "VOP margin in % of the worst-case SAR");
        int starts = req.Starts ?? 5;
        if (starts < 1 || starts > MaxStarts) throw new SarKitInputException($"starts = {starts}: expected 1 … {MaxStarts} initial phase patterns.");
        string cons = (req.Constraints ?? "all").Trim().ToLowerInvariant();
        string? vop = null, mvie = null;
        switch (cons)
        {
            case "all": break;
            case "vop":
                if (!string.IsNullOrEmpty(req.VopFile))
                {
                    vop = folder.Resolve(req.VopFile);
                    var set = DatasetGuard.Read(req.VopFile, () => VopSetFile.Read(vop));
                    if (set.Channels != info.Channels) throw new SarKitInputException($"vopFile '{req.VopFile}': {set.Channels} channels, the dataset {req.Path} has {info.Channels}.");
                }
                break;
            case "mvie":
                if (!string.IsNullOrEmpty(req.MvieFile))
                {
                    mvie = folder.Resolve(req.MvieFile);
                    var m = DatasetGuard.Read(req.MvieFile, () => MvieFile.Read(mvie));
                    if (m.Channels != info.Channels) throw new SarKitInputException($"mvieFile '{req.MvieFile}': {m.Channels} channels, the dataset {req.Path} has {info.Channels}.");
                }
                break;
            default:
                throw new SarKitInputException($"constraints = '{req.Constraints}': expected all (every 10 g Q-matrix), vop (a VOP file, or the dataset's VOP set at marginPercent) or mvie.");
        }
        return new ShimJobInput(full, req.Path!, z, target, local, global, cons, marginPct / 100, vop, mvie, starts);
    }

    private static double Range(string field, double v, double lo, double hi, bool lowOpen, string what)
    {
        if (!double.IsFinite(v) || v > hi || (lowOpen ? v <= lo : v < lo))
            throw new SarKitInputException(string.Create(CultureInfo.InvariantCulture, $"{field} = {v}: expected a finite {what} in {(lowOpen ? "(" : "[")}{lo:G}, {hi:G}]."));
        return v;
    }

    private static IResult Answer(ShimJobResult? r, string? id) => r is null ? NotFound(id) : Json(r);

    private static IResult NotFound(string? id) =>
        Results.Json(new ApiError($"No RF shim job '{id}' with that answer (unknown, forgotten, or not done yet).", 404, "not_found"), statusCode: 404);

    private static IResult Download(IResult inner, string name) => new AttachmentResult(inner, name);

    private sealed class AttachmentResult(IResult inner, string name) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"{name}\"";
            return inner.ExecuteAsync(http);
        }
    }

    /// <summary>A result in the one JSON policy of SarKit results (snake_case, no NaN).</summary>
    private static IResult Json<T>(T value) => Results.Text(ResultJson.Serialize(value), "application/json");
}
