using SarKit.Measurement.Nema.Input;
using SarKit.Measurement.Nema.Reporting;
using SarKit.Workflows.Measurement;
using SarKit.Workflows.Results;

namespace SarKit.Web.Api;

/// <summary>
/// POST /api/nema/calorimetry and /api/nema/pulse-energy: the body is a NEMA MS 8-2016 measurement file (JSON,
/// docs/nema-ms8.md), evaluated by the <see cref="NemaEvaluation"/> use case like <c>sarkit nema calorimetry|pulse-energy</c>.
/// The response carries the same result object (snake_case, with the report object) in <c>result</c>, the Section 4.1
/// report as Markdown and, with <c>?record=true</c>, the record appended to the records database (same payload as the CLI).
/// </summary>
public static class NemaEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/nema/calorimetry", (HttpRequest http, bool? record, SarKitWebOptions options, RecordsLocation records, CancellationToken ct) =>
            Evaluate(http, MeasurementDocument.Calorimetry, record, options, records, ct)).WithMetadata(new BodyContentTypes("application/json"));
        api.MapPost("/nema/pulse-energy", (HttpRequest http, bool? record, SarKitWebOptions options, RecordsLocation records, CancellationToken ct) =>
            Evaluate(http, MeasurementDocument.PulseEnergy, record, options, records, ct)).WithMetadata(new BodyContentTypes("application/json"));
    }

    private static async Task<IResult> Evaluate(HttpRequest http, string method, bool? record, SarKitWebOptions options, RecordsLocation records, CancellationToken ct)
    {
        var text = await RequestBody.ReadTextAsync(http, options.MaxUploadBytes, ct);
        var outcome = NemaEvaluation.Run(new NemaEvaluationRequest
        {
            Document = MeasurementFile.FromText(text, MeasurementFormat.Json, "measurement file"), ExpectedMethod = method,
            RecordTo = record == true ? records.Require() : null, SarkitVersion = WebInfo.Version,
        }, http.HttpContext.RequestServices.GetService<SarKitSettings>());
        var markdown = NemaReportRenderer.Markdown(outcome.Report);
        string json = outcome.Calorimetry is { } c
            ? ResultJson.Serialize(new NemaCalorimetryResponse(c, markdown, outcome.Recorded))
            : ResultJson.Serialize(new NemaPulseEnergyResponse(outcome.PulseEnergy!, markdown, outcome.Recorded));
        return Results.Text(json, "application/json");
    }
}
