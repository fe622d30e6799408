namespace SarKit.Supervision;

/// <summary>Outcome of one limit.</summary>
/// <param name="Limit">The limit.</param>
/// <param name="Evaluated">False when no matrices for the limit's metric were given (not checked).</param>
/// <param name="Sar">Worst window SAR of the metric for the limit's window, W/kg.</param>
/// <param name="Ratio">Sar / limit (≤ 1 passes; a non-finite Sar or Ratio never passes).</param>
/// <param name="WorstWindowEndSeconds">End time of the worst window.</param>
/// <param name="Observable">Matrix set used.</param>
/// <param name="MatrixIndex">Matrix (VOP) attaining the worst window.</param>
/// <param name="EdgeErrorBound">Edge-error bound B already included in <paramref name="Sar"/> (<see cref="WindowSarResult.EdgeErrorBound"/>), W/kg.</param>
public sealed record LimitOutcome(SarLimit Limit, bool Evaluated, double Sar, double Ratio, double WorstWindowEndSeconds, string? Observable, int MatrixIndex,
    double EdgeErrorBound = 0)
{
    /// <summary>
    /// Not evaluated, or evaluated with a finite SAR and ratio ≤ 1. Fails closed: NaN and ±∞ (overflow, unknown values)
    /// do not pass, whatever the comparison would say.
    /// </summary>
    public bool Passed => !Evaluated || (double.IsFinite(Sar) && double.IsFinite(Ratio) && Ratio <= 1);

    /// <summary>Ratio for ordering: a non-finite (unknown) value ranks above every finite one.</summary>
    internal double SeverityRatio => double.IsFinite(Ratio) && double.IsFinite(Sar) ? Ratio : double.PositiveInfinity;
}

/// <summary>Answers of a sequence SAR check.</summary>
public sealed class SequenceSarReport
{
    public required IReadOnlyList<WindowSarResult> Windows { get; init; }
    public required IReadOnlyList<LimitOutcome> Outcomes { get; init; }
    public required RepetitionMode Mode { get; init; }
    public required double PeriodSeconds { get; init; }
    /// <summary>
    /// True when at least one limit was evaluated, every evaluated limit passes with a finite value and every window
    /// value is finite (fail closed: no PASS from an empty check or from NaN/∞).
    /// </summary>
    public bool Passed => Outcomes.Any(o => o.Evaluated) && Outcomes.All(o => o.Passed)
        && Windows.All(w => double.IsFinite(w.MaxSar) && (w.Timeline is null || w.Timeline.All(double.IsFinite)));
    /// <summary>The evaluated limit with the largest SAR/limit ratio (a non-finite value binds first).</summary>
    public LimitOutcome? Binding => Outcomes.Where(o => o.Evaluated).OrderByDescending(o => o.SeverityRatio).FirstOrDefault();
    /// <summary>Largest RF amplitude scale factor that complies: SAR ∝ scale², so √(min limit/SAR); +∞ without RF.</summary>
    public double MaxScaleFactor => Binding is { } b && !double.IsFinite(b.SeverityRatio) ? 0
        : Binding is { Sar: > 0 } c ? Math.Sqrt(1 / c.Ratio) : double.PositiveInfinity;
    /// <summary>Smallest silence to add per repetition so that all limits pass (0 if they already do; null if no delay suffices). Set by <see cref="SequenceSarCheck.MinimumDelay"/>.</summary>
    public double? MinimumAddedDelaySeconds { get; set; }
    /// <summary>Repetition length + <see cref="MinimumAddedDelaySeconds"/>.</summary>
    public double? ShortestRepetitionSeconds { get; set; }
}

/// <summary>
/// Checks an RF schedule against SAR limits: for every metric the worst window of every limit's window length
/// (<see cref="WindowedSar"/>), pass/fail per limit, the binding limit, the largest compliant RF scale and the smallest
/// added delay per repetition.
/// </summary>
public static class SequenceSarCheck
{
    /// <summary>
    /// Evaluates <paramref name="limits"/> with the matrix sets in <paramref name="observables"/> (one per metric);
    /// <paramref name="parallel"/>: thread limit and cancellation of <see cref="WindowedSar.Evaluate"/>.
    /// </summary>
    public static SequenceSarReport Run(PulseSchedule schedule, IReadOnlyList<SarObservable> observables, IReadOnlyList<SarLimit> limits,
        RepetitionMode mode = RepetitionMode.Periodic, int timelinePoints = 0, ParallelOptions? parallel = null)
    {
        var windows = new List<WindowSarResult>();
        foreach (var obs in observables)
        {
            var ws = limits.Where(l => l.Metric == obs.Metric).Select(l => l.WindowSeconds).Distinct().OrderBy(x => x).ToArray();
            if (ws.Length == 0) continue;
            windows.AddRange(WindowedSar.Evaluate(schedule, obs, ws, mode, timelinePoints, parallel));
        }
        return FromWindows(windows, limits, mode, schedule.PeriodSeconds);
    }

    /// <summary>
    /// The report of already evaluated windows (<see cref="WindowedSar"/> or <see cref="StreamedWindowSar"/>): per limit the
    /// worst window of its metric and length (not evaluated when there is none), no delay answers.
    /// </summary>
    public static SequenceSarReport FromWindows(IReadOnlyList<WindowSarResult> windows, IReadOnlyList<SarLimit> limits, RepetitionMode mode, double periodSeconds)
    {
        var outcomes = new List<LimitOutcome>();
        foreach (var l in limits)
        {
            var w = windows.Where(r => r.Metric == l.Metric && r.WindowSeconds == l.WindowSeconds).OrderByDescending(r => r.MaxSar).FirstOrDefault();
            outcomes.Add(w is null ? new LimitOutcome(l, false, double.NaN, double.NaN, double.NaN, null, -1)
                : new LimitOutcome(l, true, w.MaxSar, w.MaxSar / l.LimitWPerKg, w.WorstWindowEndSeconds, w.Observable, w.MatrixIndex, w.EdgeErrorBound));
        }
        return new SequenceSarReport { Windows = windows, Outcomes = outcomes, Mode = mode, PeriodSeconds = periodSeconds };
    }

    /// <summary>
    /// Smallest silence d ≥ 0 added at each time in <paramref name="insertAfter"/> (default: the end of the period, i.e. once
    /// per sequence repetition) so that every limit passes. Inserting silence never raises any window's energy, so the
    /// worst ratio is non-increasing in d and bisection (to <paramref name="relativeTolerance"/>) is exact up to the
    /// tolerance; the result is rounded up. Null when even a delay as long as the longest window does not suffice.
    /// </summary>
    public static double? MinimumDelay(PulseSchedule schedule, IReadOnlyList<SarObservable> observables, IReadOnlyList<SarLimit> limits,
        RepetitionMode mode = RepetitionMode.Periodic, IReadOnlyList<double>? insertAfter = null, double relativeTolerance = 1e-6, ParallelOptions? parallel = null)
    {
        insertAfter ??= [schedule.PeriodSeconds];
        if (insertAfter.Count == 0) return null;
        double Ratio(double d)
        {
            var r = Run(d == 0 ? schedule : schedule.WithInsertedDelays(d, insertAfter), observables, limits, mode, 0, parallel);
            return r.Binding?.SeverityRatio ?? 0;
        }
        if (Ratio(0) <= 1) return 0;
        double hi = limits.Max(l => l.WindowSeconds) * 1.000001;
        if (Ratio(hi) > 1) return null;
        double lo = 0;
        while (hi - lo > relativeTolerance * hi)
        {
            double mid = 0.5 * (lo + hi);
            if (Ratio(mid) <= 1) hi = mid; else lo = mid;
        }
        return hi;
    }
}
