using System.Globalization;
using SarKit.Supervision;

namespace SarKit.Workflows;

/// <summary>
/// Names of the request fields in refusals: the CLI's option names (<see cref="Cli"/>) or the web API's query names
/// (<see cref="Web"/>), so an error names the field the user actually set.
/// </summary>
/// <param name="Mode">Name of <see cref="SarCheckOptions.Mode"/>.</param>
/// <param name="LocalRegion">Name of <see cref="SarCheckOptions.LocalRegion"/>.</param>
/// <param name="Repeat">Name of <see cref="SarCheckOptions.Repeat"/>.</param>
public sealed record SarCheckOptionNames(string Mode, string LocalRegion, string Repeat)
{
    /// <summary><c>--mode</c>, <c>--local-region</c>, <c>--repeat</c>.</summary>
    public static SarCheckOptionNames Cli { get; } = new("--mode", "--local-region", "--repeat");
    /// <summary><c>mode</c>, <c>localRegion</c>, <c>repeat</c>.</summary>
    public static SarCheckOptionNames Web { get; } = new("mode", "localRegion", "repeat");
}

/// <summary>
/// What a sequence check (<see cref="SequenceCheck"/>) and a pulse check (<see cref="PulseCheck"/>) share: the SAR
/// matrices (certified VOP set, full Q-matrix set, global region Q, single-channel B1 calibration, or matrix sets already
/// in memory), the drive calibration, the IEC 60601-2-33 limits (edition, operating mode, local region, exposed-mass
/// ratio, user limits) and the evaluation settings (repetition, segment resolution, timeline, shortest-repetition
/// search). Every field is the CLI option of the same name (docs/supervision.md); text fields are parsed and refused
/// (<see cref="SarKitInputException"/>) by the workflow, in the order the CLI always checked them.
/// </summary>
public sealed record SarCheckOptions
{
    /// <summary>Largest <see cref="TimelinePoints"/> (memory stays bounded: points × windows × 8 bytes).</summary>
    public const int MaxTimelinePoints = 1_000_000;

    /// <summary>Certified VOP set file (.h5, .mat, .npz) for local SAR; refused without a valid certificate (<c>--vops</c>).</summary>
    public string? VopsPath { get; init; }
    /// <summary>Full Q-matrix set (SarKit HDF5) for local SAR, exact; with <see cref="VopsPath"/> the VOPs are re-verified against it (<c>--q</c>).</summary>
    public string? QPath { get; init; }
    /// <summary>Public key PEM (ECDSA P-256) the VOP set must be signed with (<c>--trusted-key</c>).</summary>
    public string? TrustedKeyPath { get; init; }
    /// <summary>
    /// Accept a <see cref="VopsPath"/> set whose Q-matrices are not of true SAR (a surrogate's, docs/vop-format.md "SAR basis");
    /// refused by default (<c>--accept-surrogate-vops</c>). The set's label is then part of the observable's name in every result.
    /// </summary>
    public bool AcceptSurrogateVops { get; init; }
    /// <summary>Global Q file (whole_body, head, exposed regions) (<c>--global</c>).</summary>
    public string? GlobalPath { get; init; }
    /// <summary>Single-channel B1-to-SAR calibration, W/kg per µT², "metric=k[,metric=k…]" (<c>--b1-sar</c>; <c>local</c> = the local region).</summary>
    public string? B1Sar { get; init; }
    /// <summary>Matrix sets already in memory (e.g. the web app's dataset Q-matrices or VOP set), checked after the files.</summary>
    public IReadOnlyList<SarObservable> Matrices { get; init; } = [];

    /// <summary>Drive calibration text "&lt;k[,k…]&gt; &lt;unit&gt;/uT" or a JSON file (<c>--calibration</c>; <see cref="DriveCalibration.Parse"/>).</summary>
    public string? Calibration { get; init; }
    /// <summary>
    /// Alternative to <see cref="Calibration"/>: the same factor on every channel, in the matrices' drive unit per µT of
    /// Pulseq B1, with the circularly polarised default shim (<see cref="SequenceSarEvaluation.UniformCp"/>).
    /// </summary>
    public double? UniformCalibrationPerMicroTesla { get; init; }

    /// <summary>IEC operating mode: normal or first (<c>--mode</c>).</summary>
    public string Mode { get; init; } = "normal";
    /// <summary>IEC 60601-2-33 edition in the limit table; null for the table's default (<c>--edition</c>).</summary>
    public string? Edition { get; init; }
    /// <summary>Local SAR limit applied to the local matrices: head, trunk or extremity (<c>--local-region</c>).</summary>
    public string LocalRegion { get; init; } = "head";
    /// <summary>Patient mass, kg, for the exposed-mass ratio when the global file has no whole-body mass (<c>--weight</c>).</summary>
    public double? WeightKg { get; init; }
    /// <summary>Exposed mass / patient mass R in (0, 1] for the partial-body limit (<c>--exposed-ratio</c>; default from the masses).</summary>
    public double? ExposedRatio { get; init; }
    /// <summary>Limit table JSON; null for the built-in IEC 60601-2-33 table (<c>--limits</c>).</summary>
    public string? LimitsPath { get; init; }
    /// <summary>Extra user limits "metric:window_s:W/kg" (<c>--limit</c>).</summary>
    public IReadOnlyList<string> UserLimits { get; init; } = [];
    /// <summary>Short-term factor override (≥ 1; default from the edition) (<c>--short-term-factor</c>).</summary>
    public double? ShortTermFactor { get; init; }

    /// <summary>steady (the sequence repeats forever) or once (played once, silence around) (<c>--repeat</c>).</summary>
    public string Repeat { get; init; } = "steady";
    /// <summary>Longest segment within a pulse, s (energy uniform within a segment) (<c>--resolution</c>).</summary>
    public double ResolutionSeconds { get; init; } = 1e-4;
    /// <summary>Window-end times per timeline, 2 … <see cref="MaxTimelinePoints"/> (<c>--timeline-points</c>).</summary>
    public int TimelinePoints { get; init; } = 1000;
    /// <summary>Timeline file (.csv or .json), written after the check (<c>--timeline</c>).</summary>
    public string? TimelinePath { get; init; }
    /// <summary>Timeline plot (.svg or .png), written after the check (<c>--plot</c>).</summary>
    public string? PlotPath { get; init; }
    /// <summary>Put the timelines into <see cref="Results.SequenceCheckResult.Timeline"/> (the web page plots them).</summary>
    public bool IncludeTimeline { get; init; }
    /// <summary>Search the shortest compliant repetition when a limit is exceeded (<c>--no-delay-search</c> clears it).</summary>
    public bool SearchShortestRepetition { get; init; } = true;
    /// <summary>Field names used in refusals.</summary>
    public SarCheckOptionNames Names { get; init; } = SarCheckOptionNames.Cli;

    /// <summary>The local SAR metric of <see cref="LocalRegion"/> (local_head, local_trunk, local_extremity).</summary>
    public SarMetric LocalMetric() => SarMetricNames.Parse("local_" + (LocalRegion ?? "head").Trim().ToLowerInvariant(), Names.LocalRegion);

    /// <summary>The IEC operating mode of <see cref="Mode"/>.</summary>
    public OperatingMode OperatingMode() => SequenceSarEvaluation.ParseMode(Mode, Names.Mode);

    /// <summary>The repetition mode of <see cref="Repeat"/> (steady, also "periodic"; once).</summary>
    public RepetitionMode Repetition() => (Repeat ?? "steady").Trim().ToLowerInvariant() switch
    {
        "steady" or "periodic" => RepetitionMode.Periodic,
        "once" => RepetitionMode.Once,
        var r => throw new SarKitInputException($"{Names.Repeat} '{r}': expected steady or once."),
    };

    /// <summary>Refuses NaN, ±∞ and out-of-range numbers (the CLI's option ranges are stricter; this guards every caller).</summary>
    internal void RequireFiniteNumbers()
    {
        static void Check(string name, double? v, bool ok, string expected)
        {
            if (v is { } x && (!double.IsFinite(x) || !ok)) throw new SarKitInputException($"{name} {x.ToString(CultureInfo.InvariantCulture)}: expected {expected}.");
        }
        Check("--weight", WeightKg, WeightKg > 0, "a patient mass > 0 kg");
        Check("--exposed-ratio", ExposedRatio, ExposedRatio is > 0 and <= 1, "an exposed-mass ratio in (0, 1]");
        Check("--short-term-factor", ShortTermFactor, ShortTermFactor >= 1, "a short-term factor ≥ 1");
        Check("--resolution", ResolutionSeconds, ResolutionSeconds > 0, "a segment length > 0 s");
        Check("calibration", UniformCalibrationPerMicroTesla, UniformCalibrationPerMicroTesla > 0, "a drive calibration > 0 per µT");
        // matrices in memory: SarObservable refuses non-finite elements on construction
    }
}
