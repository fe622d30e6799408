using SarKit.Workflows.Measurement;
using SarKit.Workflows.Results;

namespace SarKit.Web.Api;

/// <summary>
/// POST /api/probe/scan: an E-field probe scan (CSV) with the probe's calibration file and the liquid properties file
/// (JSON texts, docs/probe.md), evaluated by the <see cref="ProbeScan"/> use case — the same as <c>sarkit scan process</c>:
/// the response carries the same <see cref="ProbeScanResult"/> (snake_case) in <c>result</c>, the report (Markdown, HTML)
/// and its two PNG pictures as data: URIs. <c>?record=true</c> appends it to the records with the same payload as the CLI.
/// </summary>
public static class ProbeEndpoints
{
    /// <summary>Request body; <c>Limits</c> / <c>Budget</c> are optional file texts (default: the built-in tables).</summary>
    public sealed record ScanRequest(string? Calibration, string? Liquid, [property: System.Text.Json.Serialization.JsonPropertyName("scan_csv")] string? ScanCsv, string? Date, string? Path, string? Extrapolation, string? Limits, string? Budget);

    /// <summary>Picture names used in the report; the page maps them to the data: URIs.</summary>
    public const string AreaPicture = ProbeScan.AreaPicture, DecayPicture = ProbeScan.DecayPicture;

    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/probe/scan", async (HttpRequest http, bool? record, SarKitWebOptions options, RecordsLocation records, CancellationToken ct) =>
        {
            var q = await RequestBody.ReadJsonAsync<ScanRequest>(http, options.MaxUploadBytes, ct);
            var request = Request(q) with { RecordTo = record == true ? records.Require() : null };
            var outcome = ProbeScan.Run(request, http.HttpContext.RequestServices.GetService<SarKitSettings>());
            return Results.Text(ResultJson.Serialize(ProbeScan.Response(outcome, WebInfo.Version)), "application/json");
        }).WithMetadata(new BodyContentTypes("application/json")).RequireRateLimiting(HeavyWork.Policy);
    }

    /// <summary>The use-case request of a body.</summary>
    public static ProbeScanRequest Request(ScanRequest q) =>
        ProbeScan.FromTexts(q.ScanCsv, q.Calibration, q.Liquid, q.Date, q.Path, q.Extrapolation, q.Limits, q.Budget, WebInfo.Version);

}
