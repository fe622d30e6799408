using System.Text.Json;
using SarKit.Measurement.Probe;
using SarKit.Measurement.Records;

namespace SarKit.Web.Api;

/// <summary>
/// POST /api/probe/scan: an E-field probe scan (CSV) with the probe's calibration file and the liquid properties file
/// (JSON texts, docs/probe.md), evaluated by <see cref="ScanEvaluation"/> — the same calls as <c>sarkit scan process</c>:
/// psSAR 1 g / 10 g with U (k = 2), area-scan peak, both extrapolations of the peak column, limits with margins, and
/// the report (Markdown, HTML) with its two PNG pictures as data: URIs. <c>?record=true</c> appends it to the records.
/// </summary>
public static class ProbeEndpoints
{
    /// <summary>Request body; <c>Limits</c> / <c>Budget</c> are optional file texts (default: the built-in tables).</summary>
    public sealed record ScanRequest(string? Calibration, string? Liquid, [property: System.Text.Json.Serialization.JsonPropertyName("scan_csv")] string? ScanCsv, string? Date, string? Path, string? Extrapolation, string? Limits, string? Budget);
    public sealed record AreaPeakJson(double XMm, double YMm, double SarWPerKg, bool OnEdge);
    public sealed record ExponentialJson(double S0WPerKg, double S0StdUncertainty, double DecayLengthMm, double DecayLengthStdUncertaintyMm, double ResidualStd, int DegreesOfFreedom);
    public sealed record PolynomialJson(double S0WPerKg, double S0StdUncertainty, int Degree, double ResidualStd, int DegreesOfFreedom);
    public sealed record PeakColumnJson(double XMm, double YMm, ExponentialJson? Exponential, PolynomialJson? Polynomial);
    public sealed record CubeJson(double MassG, double SideMm, double PsSarWPerKg, double ExpandedUncertaintyWPerKg, double CentreXMm, double CentreYMm, bool TouchesBoundary);
    public sealed record UncertaintyJson(double CoverageFactor, double Combined1gPercent, double Expanded1gPercent, double Combined10gPercent, double Expanded10gPercent);
    public sealed record LimitJson(string Id, string Regime, string Applies, double MassG, double LimitWPerKg, double PsSarWPerKg, double MarginWPerKg,
        double ExpandedUncertaintyWPerKg, double Ratio, bool WithinLimit, bool MarginCoversUncertainty, string Source);
    public sealed record ScanJson(
        string Method, string Date, string ProbeSerial, string SarPath, string Extrapolation, double[] DcOffsetsMv,
        double PsSar1gWPerKg, double ExpandedUncertainty1gWPerKg, double PsSar10gWPerKg, double ExpandedUncertainty10gWPerKg,
        AreaPeakJson AreaPeak, PeakColumnJson PeakColumn, CubeJson[] Cubes, double? SeedOneCm3IntegralWPerKg, UncertaintyJson Uncertainty,
        LimitJson[] Limits, bool AllWithinLimits, string[] Notes, string SarkitVersion);
    public sealed record ScanResponse(ScanJson Result, string ReportMarkdown, string ReportHtml, string AreaPngDataUri, string DecayPngDataUri, NemaEndpoints.RecordedJson? Record);

    /// <summary>Picture names used in the report; the page maps them to the data: URIs.</summary>
    public const string AreaPicture = "scan_area.png", DecayPicture = "scan_decay.png";

    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/probe/scan", async (HttpRequest http, bool? record, SarKitWebOptions options, RecordsLocation records, CancellationToken ct) =>
        {
            var q = await RequestBody.ReadJsonAsync<ScanRequest>(http, options.MaxUploadBytes, ct);
            var ev = Evaluate(q);
            var json = ToJson(ev);
            var doc = ev.Report(WebInfo.Version, AreaPicture, DecayPicture);
            string Uri(SarKit.Reporting.PngImage img) => "data:image/png;base64," + Convert.ToBase64String(img.Encode());
            NemaEndpoints.RecordedJson? rec = null;
            if (record == true)
            {
                var store = MeasurementRecordStore.Open(records.Require());
                var input = JsonSerializer.Serialize(new { q.ScanCsv, q.Calibration, q.Liquid, q.Date, q.Path, q.Extrapolation, q.Limits, q.Budget }, JsonSerializerOptions.Web);
                var added = store.Add("probe-scan", input, JsonSerializer.Serialize(json, JsonSerializerOptions.Web), json.PsSar1gWPerKg, WebInfo.Version);
                rec = new NemaEndpoints.RecordedJson(added.Id, added.ContentSha256, store.DatabasePath);
            }
            return Results.Json(new ScanResponse(json, doc.ToMarkdown(), doc.ToHtml(), Uri(ScanReport.AreaImage(ev.Result)), Uri(ScanReport.DecayImage(ev.Result)), rec));
        }).WithMetadata(new BodyContentTypes("application/json")).RequireRateLimiting(HeavyWork.Policy);
    }

    private static string Required(string? text, string field) =>
        string.IsNullOrWhiteSpace(text) ? throw new SarKitInputException($"Request field '{field}' is missing or empty; expected the text of the {field.Replace('_', ' ')} file.") : text;

    /// <summary>Parses the texts and runs <see cref="ScanEvaluation.Evaluate"/> (today's UTC date when neither the body nor the scan file names one).</summary>
    public static ScanEvaluation Evaluate(ScanRequest q)
    {
        var scan = ScanFile.Parse(Required(q.ScanCsv, "scan_csv"), "scan CSV");
        var cal = ProbeCalibration.Parse(Required(q.Calibration, "calibration"), "calibration file");
        var liquid = LiquidProperties.Parse(Required(q.Liquid, "liquid"), "liquid file");
        var date = ScanEvaluation.ResolveDate(q.Date, scan, DateOnly.FromDateTime(DateTime.UtcNow));
        var limits = string.IsNullOrWhiteSpace(q.Limits) ? null : SarLimits.Parse(q.Limits, "limits file");
        var budget = string.IsNullOrWhiteSpace(q.Budget) ? null : ProbeBudgetTemplate.Parse(q.Budget, "uncertainty template");
        return ScanEvaluation.Evaluate(scan, cal, liquid, date, ScanEvaluation.ParsePath(q.Path), ScanEvaluation.ParseExtrapolation(q.Extrapolation),
            template: budget, limits: limits, calibrationSource: "calibration file");
    }

    private static ScanJson ToJson(ScanEvaluation ev)
    {
        var r = ev.Result; var b = ev.Budget; var pc = r.PeakColumn;
        double U(double massG) => r.PeakSar(massG) * b.ExpandedFractionFor(massG);
        return new ScanJson("probe-scan", ev.Date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), r.Calibration.ProbeSerial,
            r.Path == SarPath.ConversionFactor ? "cf" : "convf", r.Options.Extrapolation.ToString().ToLowerInvariant(), r.DcOffsetsV.Select(v => v * 1e3).ToArray(),
            r.PeakSar(1), U(1), r.PeakSar(10), U(10),
            new AreaPeakJson(r.Area.PeakXM * 1e3, r.Area.PeakYM * 1e3, r.Area.PeakWPerKg, r.Area.PeakOnEdge),
            new PeakColumnJson(pc.XM * 1e3, pc.YM * 1e3,
                pc.Exponential is { } e ? new ExponentialJson(e.S0, e.S0StdUncertainty, e.DecayLengthM * 1e3, e.DecayLengthStdUncertaintyM * 1e3, e.ResidualStd, e.DegreesOfFreedom) : null,
                pc.Polynomial is { } p ? new PolynomialJson(p.S0, p.S0StdUncertainty, p.Degree, p.ResidualStd, p.DegreesOfFreedom) : null),
            r.Cubes.Select(c => new CubeJson(c.MassG, c.SideM * 1e3, c.AverageWPerKg, c.AverageWPerKg * b.ExpandedFractionFor(c.MassG), c.CentreXM * 1e3, c.CentreYM * 1e3, c.TouchesBoundary)).ToArray(),
            r.SeedIntegral?.SarWPerKg,
            new UncertaintyJson(b.CoverageFactor, b.Combined1gPercent, b.Expanded1gPercent, b.Combined10gPercent, b.Expanded10gPercent),
            ev.Limits.Select(c => new LimitJson(c.Limit.Id, c.Limit.Regime, c.Limit.Applies, c.Limit.MassG, c.Limit.LimitWPerKg, c.PeakSarWPerKg, c.MarginWPerKg,
                c.ExpandedUncertaintyWPerKg, c.Ratio, c.WithinLimit, c.MarginCoversUncertainty, c.Limit.Source)).ToArray(),
            ev.Limits.All(c => c.WithinLimit), r.Notes.ToArray(), WebInfo.Version);
    }
}
