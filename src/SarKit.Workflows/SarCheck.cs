using System.Globalization;
using SarKit.IO;
using SarKit.IO.Formats;
using SarKit.Plotting;
using SarKit.Reporting;
using SarKit.Supervision;
using SarKit.Workflows.Results;

namespace SarKit.Workflows;

/// <summary>
/// A finished sequence or pulse check: the result (<see cref="Result"/>, the JSON of <c>seq check --json</c>,
/// <c>pulse check --json</c> and <c>POST /api/seq/check</c>) and the domain objects the CLI's text rendering reads.
/// </summary>
public sealed class SarCheckOutcome
{
    /// <summary>The result object (one schema for the CLI and the web).</summary>
    public required SequenceCheckResult Result { get; init; }
    /// <summary>The check: per-limit outcomes, windows and timelines, binding limit, delay answers.</summary>
    public required SequenceSarReport Report { get; init; }
    /// <summary>The RF schedule checked.</summary>
    public required PulseSchedule Schedule { get; init; }
    /// <summary>The matrix sets checked, in the order files, B1 calibration, in-memory sets.</summary>
    public required IReadOnlyList<SarObservable> Observables { get; init; }
    /// <summary>The limits checked (table, then user limits).</summary>
    public required IReadOnlyList<SarLimit> Limits { get; init; }
    /// <summary>Warnings raised on the way (also reported as they arise to the caller's <see cref="IProgress{T}"/>).</summary>
    public required IReadOnlyList<string> Warnings { get; init; }
    /// <summary>Work done by a streamed check (<see cref="PulseStreamCheck"/>); null otherwise.</summary>
    public StreamedWindowStatistics? Statistics { get; init; }
    /// <summary>True when every limit passes (exit 0); false when one is exceeded or undefined (exit 3).</summary>
    public bool Passed => Report.Passed;
}

/// <summary>
/// The check shared by <see cref="SequenceCheck"/> and <see cref="PulseCheck"/>: matrices (<see cref="SupervisionMatrixFiles"/>,
/// <see cref="SupervisionMatrixSets"/>), drive calibration, IEC 60601-2-33 limits (<see cref="SarLimitTable"/>, partial-body
/// exposed-mass ratio R = exposed mass / patient mass), then <see cref="SequenceSarEvaluation.Run"/> and the timeline files.
/// </summary>
internal static class SarCheck
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Builds the schedule from the matrices' drive unit, the calibration (null when none given) and the resolution.</summary>
    internal delegate (PulseSchedule Schedule, IReadOnlyList<double>? Cuts) ScheduleFactory(string matrixUnit, DriveCalibration? calibration, double resolutionSeconds);

    /// <summary>The matrix sets, their common drive unit and the drive calibration (null when none given) of <paramref name="o"/>.</summary>
    internal static (List<SarObservable> Observables, string DriveUnit, DriveCalibration? Calibration) PrepareMatrices(SarCheckOptions o, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(o);
        o.RequireFiniteNumbers();
        if (o.PlotPath is { } plotPath && !PlotFile.IsPlotName(plotPath))
            throw new SarKitInputException($"--plot '{plotPath}': use a .svg or .png file name.");
        var localMetric = o.LocalMetric();
        var observables = new List<SarObservable>();
        if (SupervisionMatrixFiles.FromVopFile(o.VopsPath, o.QPath, o.TrustedKeyPath, localMetric, o.AcceptSurrogateVops) is { } vopObservable) observables.Add(vopObservable);
        if (o.QPath is { } qp)
        {
            if (!File.Exists(qp)) throw new SarKitInputException($"{qp}: Q-matrix file not found.") { SourceFile = qp };
            observables.Add(SupervisionMatrixFiles.FromQSet(QMatrixSetFile.Read(qp), localMetric, qp));
        }
        if (o.GlobalPath is { } gp) observables.AddRange(SupervisionMatrixFiles.FromGlobal(gp));
        if (o.B1Sar is { } b1)
            foreach (var part in b1.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var kv = part.Split('=', 2, StringSplitOptions.TrimEntries);
                if (kv.Length != 2 || !double.TryParse(kv[1], NumberStyles.Float, Inv, out var k))
                    throw new SarKitInputException($"--b1-sar '{b1}': expected 'metric=W/kg per µT²' pairs, e.g. local_head=0.8,whole_body=0.05.");
                var m = kv[0].ToLowerInvariant() == "local" ? localMetric : SarMetricNames.Parse(kv[0], "--b1-sar");
                observables.Add(SupervisionMatrixSets.FromB1Calibration(m, k));
            }
        observables.AddRange(o.Matrices);
        if (observables.Count == 0) throw new SarKitInputException("give matrices: --vops (certified VOP set), --q (full Q-matrix set), --global (region Q file) or --b1-sar (single-channel calibration).");
        cancellation.ThrowIfCancellationRequested();
        var (unit0, channels0) = SequenceSarEvaluation.CommonDriveUnit(observables);
        if (o.Calibration is not null && o.UniformCalibrationPerMicroTesla is not null)
            throw new SarKitInputException("give the drive calibration once: as calibration text (--calibration) or as one factor for every channel, not both.");
        DriveCalibration? cal = o.Calibration is { } ct ? DriveCalibration.Parse(ct, channels0)
            : o.UniformCalibrationPerMicroTesla is { } uk ? SequenceSarEvaluation.UniformCp(unit0, uk, channels0, $"calibration {uk.ToString(Inv)} {unit0}/uT, CP shim")
            : null;
        SequenceSarEvaluation.CommonDriveUnit(observables, cal);
        return (observables, unit0, cal);
    }

    /// <summary>The limits of <paramref name="o"/> for <paramref name="observables"/> (table, then user limits), the exposed-mass ratio, mode, table name, repetition and timeline points.</summary>
    internal static (List<SarLimit> Limits, double? Ratio, OperatingMode Mode, string Table, RepetitionMode Repetition, int TimelinePoints) PrepareLimits(SarCheckOptions o, List<SarObservable> observables)
    {
        // limits (IEC 60601-2-33 table; partial body: R = exposed mass / patient mass)
        var mode = o.OperatingMode();
        double? ratio = o.ExposedRatio;
        var exposed = observables.FirstOrDefault(x => x.Metric == SarMetric.PartialBody);
        if (ratio is null && exposed?.MassKg is { } me)
        {
            double? body = observables.FirstOrDefault(x => x.Metric == SarMetric.WholeBody)?.MassKg ?? o.WeightKg;
            if (body is null) throw new SarKitInputException("partial-body SAR needs the patient mass: give --weight or --exposed-ratio, or a whole_body region in --global.");
            if (!(body > 0) || !double.IsFinite(body.Value)) throw new SarKitInputException($"--weight {body} kg: the patient mass must be a positive number.");
            ratio = Math.Min(1, me / body.Value);
        }
        var table = o.LimitsPath is { } lt ? SarLimitTable.Load(lt) : SarLimitTable.Default();
        var limits = table.Limits(o.Edition, mode, ratio, o.LocalMetric(), o.ShortTermFactor).ToList();
        foreach (var u in o.UserLimits ?? []) limits.Add(SarLimit.ParseUser(u));
        var rep = o.Repetition();
        if (o.TimelinePoints is < 2 or > SarCheckOptions.MaxTimelinePoints)
            throw new SarKitInputException($"--timeline-points {o.TimelinePoints}: must be between 2 and {SarCheckOptions.MaxTimelinePoints}.");
        int tlPoints = o.TimelinePath is not null || o.PlotPath is not null || o.IncludeTimeline ? o.TimelinePoints : 0;
        return (limits, ratio, mode, table.Source, rep, tlPoints);
    }

    internal static SarCheckOutcome Run(SarCheckOptions o, string source, string[] softDelayHints, string? signature, ScheduleFactory build,
        List<string> warnings, SarKitSettings? settings, CancellationToken cancellation)
    {
        settings ??= SarKitSettings.Default;
        var (observables, unit0, cal) = PrepareMatrices(o, cancellation);
        var (schedule, cuts) = build(unit0, cal, o.ResolutionSeconds);
        cancellation.ThrowIfCancellationRequested();
        var (limits, ratio, mode, table, rep, tlPoints) = PrepareLimits(o, observables);
        cancellation.ThrowIfCancellationRequested();
        var report = SequenceSarEvaluation.Run(schedule, observables, limits, rep, cuts, tlPoints, o.SearchShortestRepetition, settings.ParallelOptions(cancellation));

        if (o.TimelinePath is { } tl)
        {
            // JSON through the one result policy (snake_case, NaN/±∞ refused before anything is written)
            if (Path.GetExtension(tl).Equals(".json", StringComparison.OrdinalIgnoreCase)) ReportFile.WriteText(tl, ResultJson.Serialize(SequenceTimelineFiles.Rows(report)));
            else SequenceTimelineFiles.WriteCsv(tl, report);
        }
        if (o.PlotPath is { } pl) TimelinePlot(report, source).Write(pl);
        var result = ToResult(source, schedule, report, observables, rep, ratio, mode, table, softDelayHints, signature, o.IncludeTimeline);
        return new SarCheckOutcome { Result = result, Report = report, Schedule = schedule, Observables = observables, Limits = limits, Warnings = warnings };
    }

    /// <summary>
    /// The plot of <c>--plot</c>: SAR of the window ending at each time (W/kg against s), one line per metric and window
    /// length, each limit of that metric and window as a dashed horizontal line of the same colour, legend on the right.
    /// </summary>
    internal static LinePlot TimelinePlot(SequenceSarReport report, string source)
    {
        var plot = new LinePlot { Title = $"SAR per window: {Path.GetFileName(source)}", XLabel = "window end time (s)", YLabel = "window-average SAR (W/kg)" };
        int i = 0;
        foreach (var w in report.Windows.Where(w => w.Timeline is not null))
        {
            var colour = Chart.Palette[i++ % Chart.Palette.Length];
            plot.Series.Add(new LineSeries($"{w.Metric.Id()} {w.WindowSeconds.ToString("G", Inv)} s", w.TimelineSeconds!, w.Timeline!, colour));
            foreach (var lo in report.Outcomes.Where(lo => lo.Limit.Metric == w.Metric && lo.Limit.WindowSeconds == w.WindowSeconds))
                plot.HLines.Add(new HLine($"limit {w.Metric.Id()} {w.WindowSeconds.ToString("G", Inv)} s: {lo.Limit.LimitWPerKg.ToString("G4", Inv)} W/kg", lo.Limit.LimitWPerKg, colour));
        }
        return plot;
    }

    internal static SequenceCheckResult ToResult(string source, PulseSchedule s, SequenceSarReport r, List<SarObservable> obs, RepetitionMode rep, double? ratio,
        OperatingMode mode, string table, string[] softDelayHints, string? signature, bool timeline)
    {
        SarLimitOutcomeResult O(LimitOutcome o) => new(o.Limit.Metric.Id(), o.Limit.WindowSeconds, o.Limit.LimitWPerKg, o.Limit.Source, o.Evaluated,
            ResultJson.Num(o.Sar), ResultJson.Num(o.Ratio), o.Passed, ResultJson.Num(o.WorstWindowEndSeconds), o.Observable, o.MatrixIndex, o.Evaluated ? o.EdgeErrorBound : null);
        var series = !timeline ? null : r.Windows.Where(w => w.Timeline is not null).Select(w => new SarTimelineResult(w.Metric.Id(), w.Observable, w.WindowSeconds,
            w.TimelineSeconds!, w.Timeline!, w.EdgeErrorBound, r.Outcomes.Where(o => o.Limit.Metric == w.Metric && o.Limit.WindowSeconds == w.WindowSeconds)
                .Select(o => o.Limit.LimitWPerKg).ToArray())).ToArray();
        return new SequenceCheckResult(source, s.PeriodSeconds, s.Placements.Length, s.Templates.Count, s.Channels, rep == RepetitionMode.Periodic ? "steady" : "once",
            mode == OperatingMode.Normal ? "normal" : "first", ratio, table,
            obs.Select(x => new SarMatrixSetResult(x.Name, x.Metric.Id(), x.Count, x.Channels, x.DriveUnit, x.MassKg)).ToArray(),
            r.Outcomes.Select(O).ToArray(), r.Passed, r.Binding is { } b ? O(b) : null, ResultJson.Num(r.MaxScaleFactor), r.MinimumAddedDelaySeconds,
            r.ShortestRepetitionSeconds, softDelayHints, signature, series);
    }

    /// <summary>Records <paramref name="text"/> and reports it at once.</summary>
    internal static void Warn(List<string> warnings, IProgress<string>? sink, string text)
    {
        warnings.Add(text);
        sink?.Report(text);
    }
}
