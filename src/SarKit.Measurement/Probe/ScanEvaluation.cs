using System.Globalization;
using SarKit.Reporting;

namespace SarKit.Measurement.Probe;

/// <summary>
/// One complete scan evaluation as run by <c>sarkit scan process</c> and the web app's probe page (docs/probe.md):
/// <see cref="ScanProcessor.Process"/> (area scan → peak → zoom scan → extrapolation → psSAR for 1 g, 10 g and every
/// limit mass), the uncertainty budget (<see cref="ProbeBudgetTemplate.Evaluate"/>, IEC/IEEE 62209-1528 layout) and
/// the comparison with the limits table (<see cref="SarLimits.Compare"/>).
/// </summary>
public sealed class ScanEvaluation
{
    /// <summary>The processed scan.</summary>
    public required ScanResult Result { get; init; }
    /// <summary>The evaluated uncertainty budget.</summary>
    public required ProbeBudgetResult Budget { get; init; }
    /// <summary>psSAR against every limit of the table, with U (k = 2) beside the margin.</summary>
    public required IReadOnlyList<LimitComparison> Limits { get; init; }
    /// <summary>The measurement date used (calibration validity is checked on it).</summary>
    public DateOnly Date => Result.Options.Date;

    /// <summary>Measurement date: <paramref name="text"/>, else the scan file's "# date:" line, else <paramref name="today"/>.</summary>
    public static DateOnly ResolveDate(string? text, ScanFile scan, DateOnly today)
    {
        string? dt = string.IsNullOrWhiteSpace(text) ? (scan.Metadata.TryGetValue("date", out var md) ? md : null) : text.Trim();
        if (dt is null) return today;
        if (!DateOnly.TryParseExact(dt, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            throw new SarKitInputException($"measurement date '{dt}' is not a date; expected YYYY-MM-DD.");
        return date;
    }

    /// <summary>"cf" → conversion-factor path, "convf" → σE²/ρ path, null/empty → the processor's default.</summary>
    public static SarPath? ParsePath(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim().ToLowerInvariant() switch
    {
        "cf" => SarPath.ConversionFactor, "convf" => SarPath.ConvF,
        _ => throw new SarKitInputException($"SAR path '{text}'; expected cf or convf."),
    };

    /// <summary>"exponential" (default) or "polynomial".</summary>
    public static ExtrapolationModel ParseExtrapolation(string? text) => string.IsNullOrWhiteSpace(text) ? ExtrapolationModel.Exponential : text.Trim().ToLowerInvariant() switch
    {
        "exponential" => ExtrapolationModel.Exponential, "polynomial" => ExtrapolationModel.Polynomial,
        _ => throw new SarKitInputException($"extrapolation '{text}'; expected exponential or polynomial."),
    };

    /// <summary>Runs the evaluation. <paramref name="template"/> / <paramref name="limits"/> default to the built-in ones.</summary>
    public static ScanEvaluation Evaluate(ScanFile scan, ProbeCalibration calibration, LiquidProperties liquid, DateOnly date,
        SarPath? path = null, ExtrapolationModel extrapolation = ExtrapolationModel.Exponential, double[]? dcOffsetsV = null, string? dcSource = null,
        ProbeBudgetTemplate? template = null, IReadOnlyList<SarLimit>? limits = null, string calibrationSource = "calibration")
    {
        template ??= ProbeBudgetTemplate.Default;
        limits ??= SarLimits.Default;
        var masses = new[] { 1.0, 10.0 }.Concat(limits.Select(l => l.MassG)).Distinct().Order().Select(g => g * 1e-3).ToArray();
        var opt = new ScanProcessingOptions { Date = date, Path = path, Extrapolation = extrapolation, DcOffsetsV = dcOffsetsV, DcSource = dcSource, MassesKg = masses };
        var r = ScanProcessor.Process(scan, calibration, liquid, opt, calibrationSource);
        var budget = template.Evaluate(ScanProcessor.MeasuredUncertainties(r));
        var byMass = r.Cubes.ToDictionary(c => Math.Round(c.MassG, 9), c => c.AverageWPerKg);
        var cmp = SarLimits.Compare(limits, byMass, budget.ExpandedFractionFor);
        return new ScanEvaluation { Result = r, Budget = budget, Limits = cmp };
    }

    /// <summary>The report document (<see cref="ScanReport.Build"/>) with the given picture file names.</summary>
    public ReportDocument Report(string sarkitVersion, string areaFile = "area.png", string decayFile = "decay.png") =>
        ScanReport.Build(Result, Budget, Limits, areaFile, decayFile, sarkitVersion);
}
