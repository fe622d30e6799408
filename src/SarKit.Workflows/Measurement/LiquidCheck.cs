using SarKit.Measurement.Probe;
using SarKit.Measurement.Records;
using SarKit.Workflows.Results;

namespace SarKit.Workflows.Measurement;

/// <summary>The outcome of <see cref="LiquidCheck.Run"/>.</summary>
/// <param name="Liquid">The parsed liquid properties.</param>
/// <param name="CubeSide1gM">Side of the 1 g cube at the liquid's density, m.</param>
/// <param name="CubeSide10gM">Side of the 10 g cube at the liquid's density, m.</param>
/// <param name="Warnings">"warning: … deviates more than ±5 % from its target." per property beyond <see cref="LiquidCheck.TargetTolerance"/>.</param>
/// <param name="Result">The result object (<c>sarkit liquid check --json</c>, also the record's result).</param>
/// <param name="Recorded">The record when <see cref="MeasurementFileRequest.RecordTo"/> was given.</param>
public sealed record LiquidCheckOutcome(LiquidProperties Liquid, double CubeSide1gM, double CubeSide10gM, IReadOnlyList<string> Warnings,
    LiquidCheckResult Result, RecordedResult? Recorded);

/// <summary>
/// Use case "check a tissue-simulating liquid" (docs/probe.md, section 4): σ, ε_r and ρ with their uncertainties, the
/// deviation (measured − target)/target of σ and ε_r (a warning beyond ±5 %), the 1 g and 10 g cube sides that ρ fixes
/// (<see cref="SarVolume.CubeSide"/>), and optionally a record (method "liquid-check", result <see cref="LiquidCheckResult"/>).
/// </summary>
public static class LiquidCheck
{
    /// <summary>Record method name.</summary>
    public const string RecordMethod = "liquid-check";

    /// <summary>Largest |deviation| from a target without a warning (fraction; docs/probe.md).</summary>
    public const double TargetTolerance = 0.05;

    /// <summary>Checks the liquid, and appends the record when asked.</summary>
    public static LiquidCheckOutcome Run(MeasurementFileRequest request, SarKitSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.RecordTo is not null) MeasurementRecordStores.Validate(request.RecordTo); // fail before writing anything
        var l = LiquidProperties.Parse(request.Input.Text, request.Input.Source);
        var result = new LiquidCheckResult(LiquidProperties.Method, request.Input.FullPath, l.Name, l.ConductivitySPerM, l.ConductivityRelU,
            l.RelativePermittivity, l.PermittivityRelU, l.DensityKgPerM3, l.DensityRelU, ResultJson.Num(l.ConductivityDeviation),
            ResultJson.Num(l.PermittivityDeviation), request.SarkitVersion);
        var warnings = new List<string>();
        foreach (var (dev, what) in new[] { (l.ConductivityDeviation, "conductivity"), (l.PermittivityDeviation, "permittivity") })
            if (double.IsFinite(dev) && Math.Abs(dev) > TargetTolerance) warnings.Add($"warning: {what} deviates more than ±5 % from its target.");
        RecordedResult? recorded = null;
        if (request.RecordTo is not null)
            recorded = MeasurementRecording.Append(request.RecordTo, RecordMethod, request.Input.Text, result, 0, request.SarkitVersion, null, settings);
        return new LiquidCheckOutcome(l, SarVolume.CubeSide(1e-3, l.DensityKgPerM3), SarVolume.CubeSide(1e-2, l.DensityKgPerM3), warnings, result, recorded);
    }
}
