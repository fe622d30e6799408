using SarKit.Measurement.Probe;
using SarKit.Measurement.Records;
using SarKit.Reporting;
using SarKit.Workflows.Results;

namespace SarKit.Workflows.Measurement;

/// <summary>What to evaluate in <see cref="ProbeConversionFactor.Run"/>.</summary>
public sealed record ProbeConversionFactorRequest
{
    /// <summary>The temperature-rise experiment (JSON, method probe-conversion-factor; docs/probe.md).</summary>
    public required MeasurementInput Input { get; init; }
    /// <summary>The probe's calibration file (from <see cref="ProbeTemCalibration"/>).</summary>
    public required MeasurementInput Calibration { get; init; }
    /// <summary>Write the calibration with CF here, atomically (may be the input calibration file); null: not written.</summary>
    public string? OutputPath { get; init; }
    /// <summary>Append the evaluation to this records location; null: not recorded.</summary>
    public string? RecordTo { get; init; }
    /// <summary>SarKit version written into the result and the record.</summary>
    public required string SarkitVersion { get; init; }
}

/// <summary>The outcome of <see cref="ProbeConversionFactor.Run"/>.</summary>
/// <param name="Evaluation">The library evaluation (SAR_t and CF per trial, CF, its Type A uncertainty).</param>
/// <param name="UpdatedCalibration">The calibration carrying the new CF (what <see cref="ProbeConversionFactorRequest.OutputPath"/> receives).</param>
/// <param name="Result">The result object (<c>sarkit probe cf --json</c>).</param>
/// <param name="Recorded">The record when <see cref="ProbeConversionFactorRequest.RecordTo"/> was given.</param>
public sealed record ProbeConversionFactorOutcome(ConversionFactorResult Evaluation, ProbeCalibration UpdatedCalibration, ProbeConversionFactorResult Result,
    RecordedResult? Recorded);

/// <summary>
/// Use case "determine the SAR conversion factor of a probe" (docs/probe.md; probe-system manual, "SAR from Temperature
/// Measurement" and "Determination of SAR Conversion Factor"): SAR_t = c·ΔT/Δt from SAR_t·Δt = c·ΔT, CF = SAR_t/ΔV_t × SF
/// (least squares through the origin over several trials, <see cref="ConversionFactorFile.Evaluate(string, string, ProbeCalibration, string)"/>),
/// the calibration with CF written atomically, and optionally a record (method "probe-conversion-factor", result
/// <see cref="ProbeConversionFactorRecordResult"/>, SAR = the largest SAR_t).
/// </summary>
public static class ProbeConversionFactor
{
    /// <summary>Record method name.</summary>
    public const string RecordMethod = ConversionFactorFile.Method;

    /// <summary>A request reading both files from disk (calibration first, as <c>sarkit probe cf</c> does; paths name them in messages).</summary>
    public static ProbeConversionFactorRequest FromFiles(string path, string calibrationPath, string? outputPath, string sarkitVersion)
    {
        var cal = MeasurementInput.CalibrationFromFile(calibrationPath);
        return new() { Input = MeasurementInput.FromFile(path), Calibration = cal, OutputPath = outputPath, SarkitVersion = sarkitVersion };
    }

    /// <summary>Evaluates, writes the calibration with CF when asked, then appends the record when asked.</summary>
    public static ProbeConversionFactorOutcome Run(ProbeConversionFactorRequest request, SarKitSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.RecordTo is not null) MeasurementRecordStores.Validate(request.RecordTo); // fail before writing anything
        var cal = ProbeCalibration.Parse(request.Calibration.Text, request.Calibration.Source);
        var (r, updated) = ConversionFactorFile.Evaluate(request.Input.Text, request.Input.Source, cal, request.Calibration.Source);
        if (request.OutputPath is not null) AtomicText.Write(request.OutputPath, updated.ToJson());
        var result = new ProbeConversionFactorResult(ConversionFactorFile.Method, request.Input.FullPath, request.Calibration.FullPath, updated.ProbeSerial,
            r.SpecificHeatJPerKgK, r.TrialSarWPerKg, r.TrialCfSi.Select(ProbeUnits.ConversionFactorManual).ToArray(), r.CfManual, r.CfSi,
            ResultJson.Num(r.CfRelativeStdUncertainty), request.OutputPath is null ? null : Path.GetFullPath(request.OutputPath), request.SarkitVersion);
        RecordedResult? recorded = null;
        if (request.RecordTo is not null)
            recorded = MeasurementRecording.Append(request.RecordTo, RecordMethod, request.Input.Text,
                new ProbeConversionFactorRecordResult(result, updated.ToJson()), r.TrialSarWPerKg.Max(), request.SarkitVersion, null, settings);
        return new ProbeConversionFactorOutcome(r, updated, result, recorded);
    }
}
