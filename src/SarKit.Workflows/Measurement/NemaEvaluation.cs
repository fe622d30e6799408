using System.Text.Json.Nodes;
using SarKit.Measurement.Nema;
using SarKit.Measurement.Nema.Input;
using SarKit.Measurement.Nema.Reporting;
using SarKit.Workflows.Results;

namespace SarKit.Workflows.Measurement;

/// <summary>What to evaluate in <see cref="NemaEvaluation.Run"/>.</summary>
public sealed record NemaEvaluationRequest
{
    /// <summary>The measurement file (JSON or YAML) as loaded by <see cref="MeasurementFile"/>.</summary>
    public required MeasurementDocument Document { get; init; }
    /// <summary>The method the caller expects ("calorimetry", "pulse-energy"); null accepts either.</summary>
    public string? ExpectedMethod { get; init; }
    /// <summary>Absolute path of the file for the result's <c>input_file</c>, or null (text from the web).</summary>
    public string? InputFile { get; init; }
    /// <summary>Also write the Section 4.1 report here (atomically, before recording); null: none.</summary>
    public string? ReportPath { get; init; }
    /// <summary>Format of the report at <see cref="ReportPath"/>.</summary>
    public ReportFormat ReportFormat { get; init; } = ReportFormat.Markdown;
    /// <summary>Append the evaluation to this records location; null: not recorded.</summary>
    public string? RecordTo { get; init; }
    /// <summary>SarKit version written into result, report and record.</summary>
    public required string SarkitVersion { get; init; }
}

/// <summary>The outcome of <see cref="NemaEvaluation.Run"/>: exactly one of <see cref="Calorimetry"/> / <see cref="PulseEnergy"/> is set.</summary>
/// <param name="Evaluation">The library evaluation with its Section 4.1 report.</param>
/// <param name="Calorimetry">Result of a calorimetry file, else null.</param>
/// <param name="PulseEnergy">Result of a pulse-energy file, else null.</param>
/// <param name="Recorded">The record, when one was appended.</param>
public sealed record NemaEvaluationOutcome(NemaResult Evaluation, NemaCalorimetryResult? Calorimetry, NemaPulseEnergyResult? PulseEnergy, RecordedResult? Recorded)
{
    /// <summary>The Section 4.1 report.</summary>
    public NemaReport Report => Evaluation.Report;
    /// <summary>The result as one JSON text (<see cref="ResultJson"/>): what <c>--json</c> prints and the record stores.</summary>
    public string Json => Calorimetry is { } c ? ResultJson.Serialize(c) : ResultJson.Serialize(PulseEnergy!);
}

/// <summary>
/// Use case "evaluate a NEMA MS 8-2016 measurement file" (docs/nema-ms8.md) for both methods: the calorimetric method
/// (Section 3, eqs. 19–21, with the cooling correction, the 3.2(c) check and the uncertainty budget) and the pulse-energy
/// method (Section 2.5, eqs. 1–13), each with its Section 4.1 report (<see cref="NemaMeasurement.Evaluate"/>). The result
/// (<see cref="NemaCalorimetryResult"/> / <see cref="NemaPulseEnergyResult"/>, with the report object) is the same for
/// <c>sarkit nema calorimetry|pulse-energy</c> and the web API, and is what a record stores.
/// </summary>
public static class NemaEvaluation
{
    /// <summary>Evaluates, and appends the record when <see cref="NemaEvaluationRequest.RecordTo"/> is set.</summary>
    public static NemaEvaluationOutcome Run(NemaEvaluationRequest request, SarKitSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.RecordTo is not null) SarKit.Measurement.Records.MeasurementRecordStores.Validate(request.RecordTo); // fail before writing anything
        var doc = request.Document;
        if (request.ExpectedMethod is { } expected && doc.Method != expected)
        {
            var src = doc.SourceFile ?? "measurement file";
            throw new SarKitInputException($"{src}: field 'method' is \"{doc.Method}\"; use `sarkit nema {doc.Method} {src}`.") { SourceFile = doc.SourceFile };
        }
        var res = NemaMeasurement.Evaluate(doc, request.SarkitVersion);
        var report = JsonNode.Parse(res.Report.ToJson())!;
        var outcome = res.Calorimetry is { } cal
            ? new NemaEvaluationOutcome(res, Calorimetry(cal, request.InputFile, doc.Format, request.SarkitVersion, report), null, null)
            : new NemaEvaluationOutcome(res, null, PulseEnergy(res.PulseEnergy!, request.InputFile, doc.Format, request.SarkitVersion, report), null);
        if (request.ReportPath is not null) NemaReportRenderer.Write(request.ReportPath, res.Report, request.ReportFormat);
        if (request.RecordTo is null) return outcome;
        var recorded = outcome.Calorimetry is { } c
            ? MeasurementRecording.Append(request.RecordTo, doc.Method, doc.Json, c, res.SarWPerKg, request.SarkitVersion, InputOriginal(doc), settings)
            : MeasurementRecording.Append(request.RecordTo, doc.Method, doc.Json, outcome.PulseEnergy!, res.SarWPerKg, request.SarkitVersion, InputOriginal(doc), settings);
        return outcome with { Recorded = recorded };
    }

    private static string? InputOriginal(MeasurementDocument doc) => doc.Format == MeasurementFormat.Yaml ? doc.Text : null;

    private static string FormatName(MeasurementFormat f) => f == MeasurementFormat.Yaml ? "yaml" : "json";

    private static NemaQuantityResult Q(Quantity q) => new(q.Field, q.Kind.ToString(), q.Value, q.Unit, q.Si, Quantity.SiUnit(q.Kind));

    /// <summary>The pulse-energy result object (SI units; tip angles in degrees).</summary>
    public static NemaPulseEnergyResult PulseEnergy(PulseEnergyEvaluation r, string? inputFile, MeasurementFormat format, string sarkitVersion, JsonNode report)
    {
        var m = r.Input;
        return new("pulse-energy", inputFile, FormatName(format), m.PowerKind == PowerMeasurementKind.Peak ? "peak" : "average",
            [r.UnloadedAtCoil.ForwardW, r.UnloadedAtCoil.ReflectedW, r.UnloadedAtCoil.OtherW],
            [r.LoadedAtCoil.ForwardW, r.LoadedAtCoil.ReflectedW, r.LoadedAtCoil.OtherW],
            r.LossVoltageSquaredUnloaded, r.LossVoltageSquaredLoaded, r.CoilLossUnloadedW, r.CoilLossLoadedW,
            r.PhantomPeakPowerW, ResultJson.Num(r.EnergyPerTrJ), m.RepetitionTime?.Si, r.AveragePowerW, m.Mass.Si, r.SarWPerKg,
            m.Pulses.Select(p => new NemaPulseResult(p.Name, p.Shape, p.ShapeFactor.Si, p.Duration.Si, p.Count, p.EquivalentRectangularDurationS,
                p.TipAngle is { } t ? t.Si * 180 / Math.PI : null)).ToArray(),
            r.PhantomLoadingQuotient, r.Loading?.Passed, m.PredictedSarWPerKg, r.ExpandedUncertaintyWPerKg, r.Budget?.CoverageFactor,
            r.PredictedCoversMeasured, sarkitVersion, report);
    }

    /// <summary>The calorimetry result object (SI units).</summary>
    public static NemaCalorimetryResult Calorimetry(CalorimetryEvaluation r, string? inputFile, MeasurementFormat format, string sarkitVersion, JsonNode report) => new(
        "calorimetry", inputFile, FormatName(format),
        r.Input.Quantities().Select(Q).ToArray(),
        new Dictionary<string, string>(r.Input.Description),
        r.HeatCapacity.HeatCapacityJPerK, r.HeatCapacity.FillerJPerK, r.HeatCapacity.ShellJPerK, r.HeatCapacity.ShellIncluded,
        r.InitialTemperatureK, r.MeasuredFinalTemperatureK, r.FinalTemperatureK, r.CoolingCorrected,
        r.TemperatureRiseK, r.EnergyJ, r.ScanTimeS, r.PowerW, r.SarWPerKg,
        r.RiseCheck is { } c ? new(c.TemperatureRiseK, c.SensorErrorK, c.Ratio, TemperatureRiseCheck.RequiredRatio, c.Passed) : null,
        r.Input.PredictedSarWPerKg, r.Input.EnergyUncertainty, r.ExpandedUncertaintyWPerKg, r.Budget?.CoverageFactor, r.PredictedCoversMeasured, sarkitVersion, report);
}
