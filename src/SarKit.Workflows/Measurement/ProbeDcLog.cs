using SarKit.Measurement.Probe;
using SarKit.Measurement.Records;
using SarKit.Workflows.Results;

namespace SarKit.Workflows.Measurement;

/// <summary>What to evaluate in <see cref="ProbeDcLog.Run"/>.</summary>
public sealed record ProbeDcLogRequest
{
    /// <summary>The DC-offset log (JSON, method probe-dc-log; docs/probe.md).</summary>
    public required MeasurementInput Input { get; init; }
    /// <summary>The probe's calibration file, whose DC offsets are the reference.</summary>
    public required MeasurementInput Calibration { get; init; }
    /// <summary>Append the check to this records location; null: not recorded.</summary>
    public string? RecordTo { get; init; }
    /// <summary>SarKit version written into the result and the record.</summary>
    public required string SarkitVersion { get; init; }
}

/// <summary>The outcome of <see cref="ProbeDcLog.Run"/>.</summary>
/// <param name="Log">The parsed log.</param>
/// <param name="Calibration">The calibration checked against.</param>
/// <param name="DriftsV">Per log entry and channel, DC − DC_cal, V.</param>
/// <param name="Warnings">Drifts beyond the log's threshold.</param>
/// <param name="Result">The result object (<c>sarkit probe dc-log --json</c>, also the record's result).</param>
/// <param name="Recorded">The record when <see cref="ProbeDcLogRequest.RecordTo"/> was given.</param>
public sealed record ProbeDcLogOutcome(DcOffsetLog Log, ProbeCalibration Calibration, IReadOnlyList<double[]> DriftsV, IReadOnlyList<DcDriftWarning> Warnings,
    ProbeDcLogResult Result, RecordedResult? Recorded);

/// <summary>
/// Use case "check the daily DC-offset log" (docs/probe.md; probe-system manual, "E-Field Measurement": the amplifier
/// batteries are monitored through a daily log of the DC offset voltages): every entry's drift DC − DC_cal against the
/// calibration (<see cref="DcOffsetLog.Check"/>), a warning beyond the threshold, and optionally a record (method
/// "probe-dc-log", result <see cref="ProbeDcLogResult"/>).
/// </summary>
public static class ProbeDcLog
{
    /// <summary>Record method name.</summary>
    public const string RecordMethod = DcOffsetLog.Method;

    /// <summary>A request reading both files from disk (calibration first, as <c>sarkit probe dc-log</c> does; paths name them in messages).</summary>
    public static ProbeDcLogRequest FromFiles(string path, string calibrationPath, string sarkitVersion)
    {
        var cal = MeasurementInput.CalibrationFromFile(calibrationPath);
        return new() { Input = MeasurementInput.FromFile(path), Calibration = cal, SarkitVersion = sarkitVersion };
    }

    /// <summary>Checks the log; a log of another probe than the calibration is a <see cref="SarKitInputException"/>.</summary>
    public static ProbeDcLogOutcome Run(ProbeDcLogRequest request, SarKitSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.RecordTo is not null) MeasurementRecordStores.Validate(request.RecordTo); // fail before writing anything
        var cal = ProbeCalibration.Parse(request.Calibration.Text, request.Calibration.Source);
        var log = DcOffsetLog.Parse(request.Input.Text, request.Input.Source);
        if (log.ProbeSerial != cal.ProbeSerial)
            throw new SarKitInputException($"{request.Input.Source}: DC log of probe '{log.ProbeSerial}' but {request.Calibration.Source} is for probe '{cal.ProbeSerial}'.");
        var warnings = log.Check(cal);
        var drifts = log.Entries.Select(e => e.DcOffsetsV.Select((v, i) => v - cal.DcOffsetsV[i]).ToArray()).ToArray();
        var result = new ProbeDcLogResult(DcOffsetLog.Method, request.Input.FullPath, log.ProbeSerial, log.Entries.Count, log.DriftThresholdV * 1e3,
            warnings.Select(x => x.ToString()).ToArray(), request.SarkitVersion);
        RecordedResult? recorded = null;
        if (request.RecordTo is not null)
            recorded = MeasurementRecording.Append(request.RecordTo, RecordMethod, request.Input.Text, result, 0, request.SarkitVersion, null, settings);
        return new ProbeDcLogOutcome(log, cal, drifts, warnings, result, recorded);
    }
}
