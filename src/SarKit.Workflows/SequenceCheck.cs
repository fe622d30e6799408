using SarKit.Supervision;
using SarKit.Supervision.Pulseq;

namespace SarKit.Workflows;

/// <summary>A Pulseq sequence check (<see cref="SequenceCheck"/>): the sequence, how to read it, and the shared check options.</summary>
public sealed record SequenceCheckRequest
{
    /// <summary>Pulseq .seq file (1.4.x or 1.5.x); or give <see cref="SequenceText"/>.</summary>
    public string? SequencePath { get; init; }
    /// <summary>The text of a .seq file (e.g. an upload); used when <see cref="SequencePath"/> is null.</summary>
    public string? SequenceText { get; init; }
    /// <summary>Name of <see cref="SequenceText"/> in messages and the result (default <c>upload.seq</c>).</summary>
    public string? SequenceName { get; init; }
    /// <summary>Larmor frequency, Hz (needed only to apply Pulseq 1.5 ppm offsets) (<c>--larmor</c>).</summary>
    public double? LarmorHz { get; init; }
    /// <summary>Blocks per repetition (TR) for the shortest-TR answer; null: the whole sequence is one repetition (<c>--repetition-blocks</c>).</summary>
    public int? RepetitionBlocks { get; init; }
    /// <summary>A block referencing an RF_SHIMS id without a row: "refuse" (default) or "default" (use the calibration's default shim) (<c>--missing-shim</c>).</summary>
    public string MissingShim { get; init; } = "refuse";
    /// <summary>Matrices, calibration, limits and evaluation settings.</summary>
    public SarCheckOptions Check { get; init; } = new();
}

/// <summary>
/// Use case <c>sarkit seq check</c> / <c>POST /api/seq/check</c>: a Pulseq sequence's local, head, whole-body and
/// partial-body SAR over every 10 s and 6 min window against IEC 60601-2-33 (docs/supervision.md): verdict per limit,
/// worst windows, binding limit, largest compliant RF scale (SAR ∝ scale²), shortest compliant repetition, timelines.
/// Reads the sequence (<see cref="PulseqFile"/>, [SIGNATURE] verified: a mismatch is refused), builds the RF schedule
/// (<see cref="PulseqSchedule.Build"/>: Pulseq RF in Hz → B1 = s/γ → drive amplitudes through the calibration) and runs
/// the check shared with <see cref="PulseCheck"/>. Fails closed: no PASS from an empty check or a non-finite value;
/// refusals are <see cref="SarKitInputException"/>s (CLI exit 2), a limit exceeded is <see cref="SarCheckOutcome.Passed"/> = false (exit 3).
/// </summary>
public static class SequenceCheck
{
    /// <summary>"verified" or "absent" (a mismatching signature is refused on reading).</summary>
    public static string SignatureText(PulseqSequence s) => s.Signature == PulseqSignatureStatus.Verified ? "verified" : "absent";

    /// <summary>The warning for a Pulseq file without [SIGNATURE] (deleted or edited rows cannot be detected); null when signed.</summary>
    public static string? UnsignedWarning(PulseqSequence s) => s.Signature == PulseqSignatureStatus.Absent
        ? $"WARNING: {s.SourceFile} has no [SIGNATURE] (signature: absent): deleted, truncated or edited rows cannot be detected. Write the file with Pulseq/pypulseq (which sign it) before using it at the scanner."
        : null;

    /// <summary>Distinct hints of the DELAYS (soft delay) extensions used by blocks, ordinal order.</summary>
    public static string[] SoftDelayHints(PulseqSequence s) =>
        s.Blocks.Select(s.SoftDelay).Where(d => d is not null).Select(d => d!.Hint).Distinct().OrderBy(h => h, StringComparer.Ordinal).ToArray();

    /// <summary>Reads the request's sequence: <see cref="SequenceCheckRequest.SequencePath"/>, else its text.</summary>
    public static PulseqSequence Read(SequenceCheckRequest request)
    {
        if (request.SequencePath is { } path) return PulseqFile.Read(path);
        string name = string.IsNullOrWhiteSpace(request.SequenceName) ? "upload.seq" : Path.GetFileName(request.SequenceName.Trim());
        if (string.IsNullOrWhiteSpace(request.SequenceText)) throw new SarKitInputException($"{name}: empty sequence; expected the text of a Pulseq .seq file.");
        return PulseqFile.Parse(request.SequenceText.Split('\n'), name);
    }

    /// <summary>
    /// Runs the check. Warnings (unsigned file, soft delays, defaulted shims) go to <paramref name="warnings"/> as they
    /// arise and into <see cref="SarCheckOutcome.Warnings"/>. <paramref name="settings"/> limits the threads of the window
    /// evaluation (default <see cref="SarKitSettings.Default"/>); <paramref name="cancellation"/> stops it.
    /// </summary>
    /// <exception cref="SarKitInputException">Bad input or a refusal (unreadable or edited sequence, uncertified VOPs, units…).</exception>
    public static SarCheckOutcome Run(SequenceCheckRequest request, IProgress<string>? warnings = null, SarKitSettings? settings = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var log = new List<string>();
        var shimPolicy = (request.MissingShim ?? "refuse").Trim().ToLowerInvariant() switch
        {
            "refuse" => MissingShimPolicy.Refuse,
            "default" => MissingShimPolicy.UseDefaultShim,
            var v => throw new SarKitInputException($"--missing-shim '{v}': expected refuse or default."),
        };
        if (request.LarmorHz is { } larmor && (!double.IsFinite(larmor) || larmor <= 0))
            throw new SarKitInputException($"--larmor {larmor}: expected a Larmor frequency > 0 Hz.");
        var s = Read(request);
        if (UnsignedWarning(s) is { } unsigned) SarCheck.Warn(log, warnings, unsigned);
        var hints = SoftDelayHints(s);
        if (hints.Length > 0)
            SarCheck.Warn(log, warnings, $"warning: {s.SourceFile} has soft delays ({string.Join(", ", hints)}); SAR is checked for the file's nominal block durations — shortening them at the scanner raises SAR.");
        return SarCheck.Run(request.Check, s.SourceFile, hints, SignatureText(s), (unit, cal, res) =>
        {
            cal ??= unit == "uT" ? DriveCalibration.MicroTesla(1) : throw new SarKitInputException($"{s.SourceFile}: the matrices are per {unit}²; give --calibration ({unit}/uT per channel) to convert the Pulseq RF (Hz) to drive amplitudes.");
            var defaulted = new List<int>();
            var sched = PulseqSchedule.Build(s, cal, res, request.LarmorHz, shimPolicy, defaulted);
            if (defaulted.Count > 0)
                SarCheck.Warn(log, warnings, $"warning: {s.SourceFile}: {defaulted.Count} block(s) reference a missing RF_SHIMS row (first: block {defaulted[0]}); the calibration's default shim is used for them (--missing-shim default).");
            IReadOnlyList<double>? cuts = null;
            if (request.RepetitionBlocks is { } rb)
            {
                if (rb < 1 || rb > s.Blocks.Count) throw new SarKitInputException($"--repetition-blocks {rb}: must be between 1 and {s.Blocks.Count}.");
                var starts = s.BlockStartTimes();
                cuts = Enumerable.Range(1, s.Blocks.Count / rb).Select(k => k * rb < starts.Length ? starts[k * rb] : s.TotalDurationSeconds).ToArray();
            }
            return (sched, cuts);
        }, log, settings, cancellation);
    }
}
