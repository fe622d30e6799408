using System.Globalization;
using SarKit.Measurement.Probe;
using SarKit.Measurement.Records;
using SarKit.Reporting;
using SarKit.Workflows.Results;

namespace SarKit.Workflows.Measurement;

/// <summary>What to evaluate in <see cref="ProbeTemCalibration.Run"/>.</summary>
public sealed record ProbeTemCalibrationRequest
{
    /// <summary>The TEM-cell calibration input (JSON, method probe-tem-calibration; docs/probe.md).</summary>
    public required MeasurementInput Input { get; init; }
    /// <summary>Write the calibration file (JSON) here, atomically; null: not written.</summary>
    public string? OutputPath { get; init; }
    /// <summary>Append the calibration to this records location (<see cref="MeasurementRecordStores.Open"/>); null: not recorded.</summary>
    public string? RecordTo { get; init; }
    /// <summary>SarKit version written into the result and the record.</summary>
    public required string SarkitVersion { get; init; }
}

/// <summary>The outcome of <see cref="ProbeTemCalibration.Run"/>.</summary>
/// <param name="Evaluation">The library evaluation (calibration, TEM-cell power density, notes).</param>
/// <param name="Result">The result object (<c>sarkit probe calibrate --json</c>).</param>
/// <param name="Recorded">The record when <see cref="ProbeTemCalibrationRequest.RecordTo"/> was given.</param>
public sealed record ProbeTemCalibrationOutcome(TemCalibrationResult Evaluation, ProbeTemCalibrationResult Result, RecordedResult? Recorded);

/// <summary>
/// Use case "calibrate an E-field probe in a TEM cell" (docs/probe.md; probe-system manual, free-space calibration):
/// the amplifier settings AS_i = SF·S·cos²θ_i/(V_max,i − DC_i) from the rotation data
/// (<see cref="TemCalibrationFile.Parse"/>), the calibration file with its validity dates written atomically, and
/// optionally a record (method "probe-calibration", result <see cref="ProbeCalibrationRecordResult"/>).
/// </summary>
public static class ProbeTemCalibration
{
    /// <summary>Record method name.</summary>
    public const string RecordMethod = "probe-calibration";

    /// <summary>A request reading the input file from disk (the path names it in messages, as <c>sarkit probe calibrate</c> does).</summary>
    public static ProbeTemCalibrationRequest FromFile(string path, string? outputPath, string sarkitVersion) =>
        new() { Input = MeasurementInput.FromFile(path), OutputPath = outputPath, SarkitVersion = sarkitVersion };

    /// <summary>Evaluates, writes the calibration file when asked, then appends the record when asked.</summary>
    public static ProbeTemCalibrationOutcome Run(ProbeTemCalibrationRequest request, SarKitSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.RecordTo is not null) MeasurementRecordStores.Validate(request.RecordTo); // fail before writing anything
        var r = TemCalibrationFile.Parse(request.Input.Text, request.Input.Source);
        var c = r.Calibration;
        if (request.OutputPath is not null) AtomicText.Write(request.OutputPath, c.ToJson());
        var values = Values(c);
        var result = new ProbeTemCalibrationResult(TemCalibrationFile.Method, request.Input.FullPath, values,
            ResultJson.Num(r.TemCellPowerDensityWPerM2 / ProbeUnits.WPerM2PerMwPerCm2), r.Notes.ToArray(),
            request.OutputPath is null ? null : Path.GetFullPath(request.OutputPath), request.SarkitVersion);
        RecordedResult? recorded = null;
        if (request.RecordTo is not null)
            recorded = MeasurementRecording.Append(request.RecordTo, RecordMethod, request.Input.Text,
                new ProbeCalibrationRecordResult(values, c.ToJson(), r.Notes.ToArray()), 0, request.SarkitVersion, null, settings);
        return new ProbeTemCalibrationOutcome(r, result, recorded);
    }

    /// <summary>A calibration in the manual's units (mV, mW/cm², mm, (mW/g)/(mW/cm²)), as reported by the probe commands.</summary>
    public static ProbeCalibrationValuesResult Values(ProbeCalibration c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return new(c.ProbeSerial, ProbeGeometries.Id(c.Geometry), c.AnglesDeg,
            ProbeUnits.SensorFactorMvPerMwPerCm2(c.SensorFactorSi), c.TemPowerDensityWPerM2 / ProbeUnits.WPerM2PerMwPerCm2,
            c.DcOffsetsV.Select(v => v * 1e3).ToArray(), c.VMaxV.Select(v => v * 1e3).ToArray(), c.AmplifierSettings, c.ProbeOffsetM * 1e3,
            c.CalibrationDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), c.ValidUntil.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            c.ConversionFactorSi is double cf ? ProbeUnits.ConversionFactorManual(cf) : null);
    }
}
