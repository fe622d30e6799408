using System.Globalization;
using SarKit.Measurement.Probe;
using SarKit.Measurement.Records;
using SarKit.Workflows.Results;

namespace SarKit.Workflows.Measurement;

/// <summary>The outcome of <see cref="LiquidHeatCapacity.Run"/>.</summary>
/// <param name="Liquid">Name of the liquid.</param>
/// <param name="Date">Measurement date, or null.</param>
/// <param name="Evaluation">The library evaluation (C_s, its uncertainty budget, the two ratios, notes).</param>
/// <param name="Result">The result object (<c>sarkit liquid heat-capacity --json</c>, also the record's result).</param>
/// <param name="Recorded">The record when <see cref="MeasurementFileRequest.RecordTo"/> was given.</param>
public sealed record LiquidHeatCapacityOutcome(string Liquid, DateOnly? Date, HeatCapacityResult Evaluation, LiquidHeatCapacityResult Result, RecordedResult? Recorded);

/// <summary>
/// Use case "measure the specific heat of a tissue-simulating liquid" (docs/probe.md; water-comparison method):
/// C_s = C_w·ΔT_w/ΔT_s with its GUM budget (<see cref="HeatCapacity.ParseFile"/>), optionally recorded (method
/// "liquid-heat-capacity", result <see cref="LiquidHeatCapacityResult"/>).
/// </summary>
public static class LiquidHeatCapacity
{
    /// <summary>Record method name.</summary>
    public const string RecordMethod = HeatCapacity.Method;

    /// <summary>Evaluates, and appends the record when asked.</summary>
    public static LiquidHeatCapacityOutcome Run(MeasurementFileRequest request, SarKitSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.RecordTo is not null) MeasurementRecordStores.Validate(request.RecordTo); // fail before writing anything
        var (name, date, r) = HeatCapacity.ParseFile(request.Input.Text, request.Input.Source);
        var b = r.Budget;
        var result = new LiquidHeatCapacityResult(HeatCapacity.Method, request.Input.FullPath, name, date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            r.SpecificHeatJPerKgK, b.CombinedStandardUncertainty, b.CoverageFactor, b.ExpandedUncertainty, r.RatioAfterStirring,
            ResultJson.Num(r.RatioAtEndOfHeating), r.Notes.ToArray(), request.SarkitVersion);
        RecordedResult? recorded = null;
        if (request.RecordTo is not null)
            recorded = MeasurementRecording.Append(request.RecordTo, RecordMethod, request.Input.Text, result, 0, request.SarkitVersion, null, settings);
        return new LiquidHeatCapacityOutcome(name, date, r, result, recorded);
    }
}
