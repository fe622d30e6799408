using System.Globalization;
using SarKit.Measurement.Probe;
using SarKit.Measurement.Records;
using SarKit.Plotting;
using SarKit.Reporting;
using SarKit.Workflows.Results;

namespace SarKit.Workflows.Measurement;

/// <summary>
/// What to evaluate in <see cref="ProbeScan.Run"/>: the scan, calibration and liquid files as text (plus the optional DC
/// log, limits table and uncertainty template) with the names that identify them in messages, the options as given, and
/// where to write the report and the record. The same request comes from <c>sarkit scan process</c>
/// (<see cref="ProbeScan.FromFiles"/>) and from <c>POST /api/probe/scan</c>.
/// </summary>
public sealed record ProbeScanRequest
{
    /// <summary>Scan CSV text (scan,x_mm,y_mm,z_mm,v1_mV,v2_mV,v3_mV).</summary>
    public required string ScanCsv { get; init; }
    /// <summary>Calibration file text.</summary>
    public required string Calibration { get; init; }
    /// <summary>Liquid properties file text.</summary>
    public required string Liquid { get; init; }
    /// <summary>DC-offset log text, or null.</summary>
    public string? DcLog { get; init; }
    /// <summary>Measurement date YYYY-MM-DD, or null (the scan's "# date:", else today UTC from <see cref="SarKitSettings.Time"/>).</summary>
    public string? Date { get; init; }
    /// <summary>SAR path "cf" / "convf", or null for the processor's default.</summary>
    public string? Path { get; init; }
    /// <summary>Extrapolation "exponential" (default) / "polynomial", or null.</summary>
    public string? Extrapolation { get; init; }
    /// <summary>Limits table text, or null for <see cref="SarLimits.Default"/>.</summary>
    public string? Limits { get; init; }
    /// <summary>Uncertainty template text, or null for <see cref="ProbeBudgetTemplate.Default"/>.</summary>
    public string? Budget { get; init; }

    /// <summary>Name of the scan in messages (a path for files).</summary>
    public string ScanSource { get; init; } = "scan CSV";
    /// <summary>Name of the calibration in messages.</summary>
    public string CalibrationSource { get; init; } = "calibration file";
    /// <summary>Name of the liquid file in messages.</summary>
    public string LiquidSource { get; init; } = "liquid file";
    /// <summary>Name (path) of the DC log in messages.</summary>
    public string DcLogSource { get; init; } = "DC log";
    /// <summary>Name of the limits table in messages.</summary>
    public string LimitsSource { get; init; } = "limits file";
    /// <summary>Name of the uncertainty template in messages.</summary>
    public string BudgetSource { get; init; } = "uncertainty template";

    /// <summary>Absolute path of the scan file for <see cref="ProbeScanResult.ScanFile"/>, or null.</summary>
    public string? ScanFile { get; init; }
    /// <summary>Write the report (Markdown, or HTML for .html) with its PNG pictures next to it, atomically; null: none.</summary>
    public string? ReportPath { get; init; }
    /// <summary>Append the evaluation to this records location (<see cref="MeasurementRecordStores.Open"/>); null: not recorded.</summary>
    public string? RecordTo { get; init; }
    /// <summary>SarKit version written into the result, the report and the record.</summary>
    public required string SarkitVersion { get; init; }
}

/// <summary>The outcome of <see cref="ProbeScan.Run"/>.</summary>
/// <param name="Evaluation">The library evaluation (processed scan, budget, limits).</param>
/// <param name="Result">The result object (CLI <c>--json</c>, web <c>result</c>).</param>
/// <param name="DcWarnings">DC-offset drift warnings of the scan date (from the DC log), as text.</param>
/// <param name="Written">Report and picture paths when <see cref="ProbeScanRequest.ReportPath"/> was given.</param>
/// <param name="Recorded">The record when <see cref="ProbeScanRequest.RecordTo"/> was given.</param>
public sealed record ProbeScanOutcome(ScanEvaluation Evaluation, ProbeScanResult Result, IReadOnlyList<string> DcWarnings,
    (string Report, string Area, string Decay)? Written, RecordedResult? Recorded);

/// <summary>
/// Use case "process an E-field probe scan" (docs/probe.md): parses the files, runs <see cref="ScanEvaluation.Evaluate"/>
/// (area scan → peak → zoom scan → exponential/polynomial surface extrapolation → psSAR 1 g / 10 g per IEC/IEEE 62209-1528,
/// uncertainty budget, limits), builds the one <see cref="ProbeScanResult"/>, optionally writes the report with its PNG
/// maps and appends the record (method "probe-scan"; input <see cref="ProbeScanRecordInput"/>, result the
/// <see cref="ProbeScanResult"/> without machine-local paths, both through <see cref="ResultJson"/>), so that a scan
/// recorded from the CLI and from the web app stores the same payload.
/// </summary>
public static class ProbeScan
{
    /// <summary>Record method name.</summary>
    public const string Method = "probe-scan";

    /// <summary>Picture names the web report refers to (mapped to data: URIs by the page).</summary>
    public const string AreaPicture = "scan_area.png", DecayPicture = "scan_decay.png";

    private static string ReadOptional(string path, string what)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{what} not found: {path}", path);
        return File.ReadAllText(path);
    }

    /// <summary>A request reading every file from disk (paths name the files in messages, as <c>sarkit scan process</c> does).</summary>
    public static ProbeScanRequest FromFiles(string scanPath, string calibrationPath, string liquidPath, string? dcLogPath, string? budgetPath, string? limitsPath,
        string sarkitVersion)
    {
        var scan = MeasurementInput.FromFile(scanPath).Text;
        var cal = MeasurementInput.CalibrationFromFile(calibrationPath).Text;
        var liquid = MeasurementInput.FromFile(liquidPath).Text;
        return new ProbeScanRequest
        {
            ScanCsv = scan, Calibration = cal, Liquid = liquid,
            DcLog = dcLogPath is null ? null : ReadOptional(dcLogPath, "DC-offset log"),
            Budget = budgetPath is null ? null : ReadOptional(budgetPath, "uncertainty template"),
            Limits = limitsPath is null ? null : ReadOptional(limitsPath, "limits file"),
            ScanSource = scanPath, CalibrationSource = calibrationPath, LiquidSource = liquidPath, DcLogSource = dcLogPath ?? "DC log",
            BudgetSource = budgetPath ?? "uncertainty template", LimitsSource = limitsPath ?? "limits file",
            ScanFile = Path.GetFullPath(scanPath), SarkitVersion = sarkitVersion,
        };
    }

    private static string Required(string? text, string field) =>
        string.IsNullOrWhiteSpace(text) ? throw new SarKitInputException($"Request field '{field}' is missing or empty; expected the text of the {field.Replace('_', ' ')} file.") : text;

    private static string? Optional(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;

    /// <summary>
    /// A request from texts (the web app's <c>POST /api/probe/scan</c> body: scan_csv, calibration, liquid, date, path,
    /// extrapolation, limits, budget); a missing or empty file text is a <see cref="SarKitInputException"/> naming the field,
    /// empty optional texts count as absent.
    /// </summary>
    public static ProbeScanRequest FromTexts(string? scanCsv, string? calibration, string? liquid, string? date, string? path, string? extrapolation,
        string? limits, string? budget, string sarkitVersion) => new()
    {
        ScanCsv = Required(scanCsv, "scan_csv"), Calibration = Required(calibration, "calibration"), Liquid = Required(liquid, "liquid"),
        Date = Optional(date), Path = Optional(path), Extrapolation = Optional(extrapolation), Limits = Optional(limits), Budget = Optional(budget),
        SarkitVersion = sarkitVersion,
    };

    /// <summary>Runs the use case; <paramref name="settings"/> supplies today's date (default <see cref="SarKitSettings.Default"/>).</summary>
    public static ProbeScanOutcome Run(ProbeScanRequest request, SarKitSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        settings ??= SarKitSettings.Default;
        if (request.RecordTo is not null) MeasurementRecordStores.Validate(request.RecordTo); // fail before writing anything
        var scan = ScanFile.Parse(request.ScanCsv, request.ScanSource);
        var cal = ProbeCalibration.Parse(request.Calibration, request.CalibrationSource);
        var liquid = LiquidProperties.Parse(request.Liquid, request.LiquidSource);
        var date = ScanEvaluation.ResolveDate(request.Date, scan, DateOnly.FromDateTime(settings.UtcNow.UtcDateTime));
        double[]? dc = null; string? dcSource = null;
        var warnings = new List<string>();
        if (request.DcLog is not null)
        {
            var log = DcOffsetLog.Parse(request.DcLog, request.DcLogSource);
            if (log.ProbeSerial != cal.ProbeSerial)
                throw new SarKitInputException($"{request.DcLogSource}: DC log of probe '{log.ProbeSerial}' but {request.CalibrationSource} is for probe '{cal.ProbeSerial}'.");
            if (log.On(date) is { } entry) { dc = entry.DcOffsetsV; dcSource = $"DC log {System.IO.Path.GetFileName(request.DcLogSource)}, entry of {date:yyyy-MM-dd}"; }
            warnings.AddRange(log.Check(cal).Where(w => w.Date == date).Select(w => w.ToString()!));
        }
        var path = ScanEvaluation.ParsePath(request.Path);
        var model = ScanEvaluation.ParseExtrapolation(request.Extrapolation);
        var template = request.Budget is null ? ProbeBudgetTemplate.Default : ProbeBudgetTemplate.Parse(request.Budget, request.BudgetSource);
        var limits = request.Limits is null ? SarLimits.Default : SarLimits.Parse(request.Limits, request.LimitsSource);
        var ev = ScanEvaluation.Evaluate(scan, cal, liquid, date, path, model, dc, dcSource, template, limits, request.CalibrationSource);
        (string Report, string Area, string Decay)? written = null;
        if (request.ReportPath is not null) written = ScanReport.Write(request.ReportPath, ev.Result, ev.Budget, ev.Limits, request.SarkitVersion);
        var result = ToResult(ev, request.ScanFile, written, request.SarkitVersion);
        RecordedResult? recorded = null;
        if (request.RecordTo is not null)
        {
            var input = ResultJson.Serialize(new ProbeScanRecordInput(request.ScanCsv, request.Calibration, request.Liquid, request.DcLog, request.Date,
                request.Path, request.Extrapolation, request.Limits, request.Budget));
            recorded = MeasurementRecording.Append(request.RecordTo, Method, input, RecordedForm(result), ev.Result.PeakSar(1), request.SarkitVersion, null, settings);
        }
        return new ProbeScanOutcome(ev, result, warnings, written, recorded);
    }

    /// <summary>The result as stored in a record: without the machine-local paths (scan file, report, pictures).</summary>
    public static ProbeScanResult RecordedForm(ProbeScanResult result) => result with { ScanFile = null, Report = null, AreaPng = null, DecayPng = null };

    /// <summary>The <see cref="ProbeScanResult"/> of an evaluation (lengths in mm, SAR in W/kg, U = psSAR × expanded fraction of the budget).</summary>
    public static ProbeScanResult ToResult(ScanEvaluation ev, string? scanFile, (string Report, string Area, string Decay)? written, string sarkitVersion)
    {
        var r = ev.Result; var budget = ev.Budget; var pc = r.PeakColumn;
        return new ProbeScanResult(
            Method, scanFile, ev.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), r.Calibration.ProbeSerial,
            r.Path == SarPath.ConversionFactor ? "cf" : "convf", r.Options.Extrapolation.ToString().ToLowerInvariant(),
            r.DcOffsetsV.Select(v => v * 1e3).ToArray(),
            new ProbeAreaPeakResult(r.Area.PeakXM * 1e3, r.Area.PeakYM * 1e3, r.Area.PeakWPerKg, r.Area.PeakOnEdge),
            new ProbePeakColumnResult(pc.XM * 1e3, pc.YM * 1e3,
                pc.Exponential is { } e ? new ProbeExponentialResult(e.S0, e.S0StdUncertainty, e.DecayLengthM * 1e3, e.DecayLengthStdUncertaintyM * 1e3, e.DegreesOfFreedom) : null,
                pc.Polynomial is { } q ? new ProbePolynomialResult(q.S0, q.S0StdUncertainty, q.Degree, q.DegreesOfFreedom) : null),
            r.Cubes.Select(c => new ProbeCubeResult(c.MassG, c.SideM * 1e3, c.AverageWPerKg, c.CentreXM * 1e3, c.CentreYM * 1e3, c.TouchesBoundary,
                c.AverageWPerKg * budget.ExpandedFractionFor(c.MassG))).ToArray(),
            r.SeedIntegral?.SarWPerKg,
            new ProbeScanUncertaintyResult(budget.CoverageFactor,
                new ProbeMassUncertaintyResult(budget.Combined1gPercent, budget.Expanded1gPercent, ResultJson.Num(budget.Engine1g.EffectiveDegreesOfFreedom)),
                new ProbeMassUncertaintyResult(budget.Combined10gPercent, budget.Expanded10gPercent, ResultJson.Num(budget.Engine10g.EffectiveDegreesOfFreedom))),
            ev.Limits.Select(c => new ProbeLimitResult(c.Limit.Id, c.Limit.Regime, c.Limit.Applies, c.Limit.MassG, c.Limit.LimitWPerKg, c.PeakSarWPerKg,
                c.MarginWPerKg, c.ExpandedUncertaintyWPerKg, c.WithinLimit, c.MarginCoversUncertainty, c.Limit.Source)).ToArray(),
            r.Notes.ToArray(), written?.Report, written?.Area, written?.Decay, sarkitVersion);
    }

    /// <summary>The web response: result, report as Markdown and HTML (pictures named <see cref="AreaPicture"/>, <see cref="DecayPicture"/>) and the pictures as data: URIs.</summary>
    public static ProbeScanResponse Response(ProbeScanOutcome outcome, string sarkitVersion)
    {
        var doc = outcome.Evaluation.Report(sarkitVersion, AreaPicture, DecayPicture);
        static string Uri(Chart img) => "data:image/png;base64," + Convert.ToBase64String(img.RenderPng());
        return new ProbeScanResponse(outcome.Result, doc.ToMarkdown(), doc.ToHtml(),
            Uri(ScanReport.AreaImage(outcome.Evaluation.Result)), Uri(ScanReport.DecayImage(outcome.Evaluation.Result)), outcome.Recorded);
    }
}
