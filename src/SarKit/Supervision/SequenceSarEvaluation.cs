using System.Numerics;

namespace SarKit.Supervision;

/// <summary>
/// The wiring of a sequence SAR check shared by <c>sarkit seq check</c> / <c>sarkit pulse check</c> and the web app:
/// consistency of the matrix sets and the drive calibration, the IEC 60601-2-33 operating mode, and the check itself
/// (<see cref="SequenceSarCheck.Run"/>) followed by the search for the shortest compliant repetition
/// (<see cref="SequenceSarCheck.MinimumDelay"/>). No numerics of its own.
/// </summary>
public static class SequenceSarEvaluation
{
    /// <summary>
    /// The common drive unit and channel count of <paramref name="observables"/>; throws when they differ, when there are
    /// none, or when <paramref name="calibration"/> (optional) is in another unit or has another channel count.
    /// </summary>
    public static (string DriveUnit, int Channels) CommonDriveUnit(IReadOnlyList<SarObservable> observables, DriveCalibration? calibration = null)
    {
        if (observables.Count == 0) throw new SarKitInputException("no SAR matrices given: a sequence check needs at least one matrix set (VOPs, Q-matrices, region Q or a B1 calibration).");
        var units = observables.Select(x => x.DriveUnit).Distinct().ToArray();
        var channels = observables.Select(x => x.Channels).Distinct().ToArray();
        if (units.Length > 1) throw new SarKitInputException($"the matrices use different drive units ({string.Join(", ", units)}); give all matrices in one unit.");
        if (channels.Length > 1) throw new SarKitInputException($"the matrices have different channel counts ({string.Join(", ", channels)}).");
        if (calibration is not null && calibration.DriveUnit != units[0])
            throw new SarKitInputException($"the drive calibration ({calibration.Source}) gives {calibration.DriveUnit}/uT but the matrices are per {units[0]}².");
        if (calibration is not null && calibration.Channels != channels[0])
            throw new SarKitInputException($"the drive calibration ({calibration.Source}) has {calibration.Channels} channels, the matrices {channels[0]}.");
        return (units[0], channels[0]);
    }

    /// <summary>IEC 60601-2-33 operating mode from "normal" or "first" (also "first-level", "first_level").</summary>
    public static OperatingMode ParseMode(string? text, string what = "mode") => (text ?? "normal").Trim().ToLowerInvariant() switch
    {
        "normal" => OperatingMode.Normal,
        "first" or "first-level" or "first_level" => OperatingMode.FirstLevel,
        var m => throw new SarKitInputException($"{what} '{m}': expected normal or first."),
    };

    /// <summary>
    /// Calibration with the same factor (drive unit per µT of Pulseq B1) on every channel and the circularly polarised
    /// default shim (magnitude 1, phase −360°·c/N on channel c) for RF blocks without RF_SHIMS.
    /// </summary>
    public static DriveCalibration UniformCp(string driveUnit, double factorPerMicroTesla, int channels, string source)
    {
        if (!(factorPerMicroTesla > 0) || !double.IsFinite(factorPerMicroTesla))
            throw new SarKitInputException($"{source}: calibration factor {factorPerMicroTesla} {driveUnit}/uT must be a positive number.");
        if (channels < 1) throw new SarKitInputException($"{source}: {channels} channels, expected ≥ 1.");
        var f = Enumerable.Repeat(new Complex(factorPerMicroTesla, 0), channels).ToArray();
        var shim = Enumerable.Range(0, channels).Select(c => Complex.FromPolarCoordinates(1, -2 * Math.PI * c / channels)).ToArray();
        return new DriveCalibration(driveUnit, f, shim, DriveCalibration.Gamma1H, source);
    }

    /// <summary>
    /// Runs the check (<see cref="SequenceSarCheck.Run"/>, <paramref name="timelinePoints"/> window-end times per timeline,
    /// 0 for none) and, when <paramref name="searchShortestRepetition"/>, fills
    /// <see cref="SequenceSarReport.MinimumAddedDelaySeconds"/> and <see cref="SequenceSarReport.ShortestRepetitionSeconds"/>:
    /// 0 and the repetition length when it passes; otherwise the smallest delay added after each repetition
    /// (<paramref name="repetitionEnds"/>, default: once per schedule period) that makes every limit pass, or null.
    /// <paramref name="parallel"/>: thread limit and cancellation (default: all processors; results do not depend on it).
    /// </summary>
    public static SequenceSarReport Run(PulseSchedule schedule, IReadOnlyList<SarObservable> observables, IReadOnlyList<SarLimit> limits,
        RepetitionMode repetition, IReadOnlyList<double>? repetitionEnds = null, int timelinePoints = 0, bool searchShortestRepetition = true,
        ParallelOptions? parallel = null)
    {
        var report = SequenceSarCheck.Run(schedule, observables, limits, repetition, timelinePoints, parallel);
        double repLen = schedule.PeriodSeconds / (repetitionEnds?.Count ?? 1);
        if (report.Passed) { report.MinimumAddedDelaySeconds = 0; report.ShortestRepetitionSeconds = repLen; }
        else if (searchShortestRepetition)
        {
            var d = SequenceSarCheck.MinimumDelay(schedule, observables, limits, repetition, repetitionEnds, parallel: parallel);
            report.MinimumAddedDelaySeconds = d;
            report.ShortestRepetitionSeconds = d is null ? null : repLen + d;
        }
        return report;
    }
}
