using System.Diagnostics;
using SarKit.Supervision;
using SarKit.Supervision.Pulseq;

namespace SarKit.Web.Api;

/// <summary>
/// POST /api/seq/check: a Pulseq .seq (request body, size-limited) checked against IEC 60601-2-33 with the local SAR
/// matrices of a dataset of the data folder: all its averaged Q-matrices (exact) or its certified VOP set
/// (<see cref="VopJobs"/>). The same library calls as <c>sarkit seq check</c>: <see cref="PulseqFile.Parse"/>,
/// <see cref="PulseqSchedule.Build"/>, <see cref="SarLimitTable"/>, <see cref="SequenceSarEvaluation.Run"/>.
/// </summary>
public static class SupervisionEndpoints
{
    /// <summary>Default drive calibration: V peak incident per µT of Pulseq B1 on every channel (CP shim).</summary>
    public const double DefaultCalibrationVPerMicroTesla = 20;
    /// <summary>Window-end times per timeline.</summary>
    public const int TimelinePoints = 400;

    public sealed record OutcomeJson(string Metric, double WindowS, double LimitWPerKg, string Source, bool Evaluated, double? SarWPerKg, double? Ratio,
        bool Passed, double? WorstWindowEndS, string? Matrices, int MatrixIndex);
    public sealed record MatricesJson(string Name, string Metric, int Count, int Channels, string DriveUnit);
    public sealed record TimelineJson(string Metric, string Matrices, double WindowS, double[] TEndS, double[] SarWPerKg, double[] LimitsWPerKg);
    public sealed record CheckResponse(string Sequence, string Dataset, double PeriodS, int RfEvents, int DistinctRfEvents, int Channels, string Repetition,
        string Mode, string LimitTable, double CalibrationPerMicroTesla, string CalibrationUnit, string Shim, MatricesJson Matrices,
        OutcomeJson[] Limits, bool Passed, OutcomeJson? Binding, double? MaxScaleFactor, double? MinimumAddedDelayS, double? ShortestRepetitionS,
        TimelineJson[] Timeline, double ComputeMs, string Signature);

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/seq/defaults", () => Results.Json(new
        {
            calibrationVPerMicroTesla = DefaultCalibrationVPerMicroTesla, marginPercent = 10, mode = "normal", localRegion = "head",
            matrices = new[] { "q", "vop" }, timelinePoints = TimelinePoints,
        }));

        api.MapPost("/seq/check", async (HttpRequest http, string? path, string? matrices, double? marginPercent, double? calibration,
            string? mode, string? localRegion, string? repeat, string? name, DataFolder folder, DatasetCache cache, VopJobs jobs,
            SarKitWebOptions options, CancellationToken ct) =>
        {
            var text = await RequestBody.ReadTextAsync(http, options.MaxUploadBytes, ct);
            string seqName = string.IsNullOrWhiteSpace(name) ? "upload.seq" : Path.GetFileName(name.Trim());
            if (string.IsNullOrWhiteSpace(text)) throw new SarKitInputException($"{seqName}: empty request body; expected the text of a Pulseq .seq file.");
            var full = folder.Resolve(path);
            // every numeric value is checked before any work: finite and in range
            double k = Calibration(calibration);
            double margin = VopEndpoints.Margin(marginPercent);
            var opMode = SequenceSarEvaluation.ParseMode(mode, "mode");
            var localMetric = SarMetricNames.Parse("local_" + (localRegion ?? "head").Trim().ToLowerInvariant(), "localRegion");
            var rep = (repeat ?? "steady").Trim().ToLowerInvariant() switch
            {
                "steady" or "periodic" => RepetitionMode.Periodic,
                "once" => RepetitionMode.Once,
                var r => throw new SarKitInputException($"repeat '{r}': expected steady or once."),
            };
            SarObservable obs;
            switch ((matrices ?? "q").Trim().ToLowerInvariant())
            {
                case "q":
                {
                    var maps = await cache.GetAsync(full, options.DefaultMassKg, ct);
                    var aq = maps.AveragedQ ?? throw new SarKitInputException($"{path}: no averaged Q-matrices: {maps.AveragingUnavailableReason}");
                    obs = new SarObservable($"all {aq.Count} {options.DefaultMassKg * 1e3:G4} g Q-matrices ({path})", localMetric, aq.Channels,
                        aq.AllPacked.ToArray(), SupervisionMatrixSets.DriveUnitOf(aq.Normalisation, path!));
                    break;
                }
                case "vop":
                {
                    var v = await jobs.GetAsync(full, path!, margin, ct);
                    obs = SupervisionMatrixSets.FromVops(v.Set, localMetric, $"{path} VOPs, margin {v.MarginFraction * 100:G4} %");
                    break;
                }
                case var m: throw new SarKitInputException($"matrices '{m}': expected q (all averaged Q-matrices of the dataset) or vop (its certified VOP set).");
            }
            IReadOnlyList<SarObservable> observables = [obs];
            var (unit, channels) = SequenceSarEvaluation.CommonDriveUnit(observables);
            var cal = SequenceSarEvaluation.UniformCp(unit, k, channels, $"calibration {k} {unit}/uT, CP shim");
            var seq = PulseqFile.Parse(text.Split('\n'), seqName);
            var table = SarLimitTable.Default();
            var limits = table.Limits(null, opMode, null, localMetric);
            var sw = Stopwatch.StartNew();
            var (schedule, report) = await Task.Run(() =>
            {
                var s = PulseqSchedule.Build(seq, cal, 1e-4);
                return (s, SequenceSarEvaluation.Run(s, observables, limits, rep, null, TimelinePoints));
            }, ct);
            OutcomeJson O(LimitOutcome o) => new(o.Limit.Metric.Id(), o.Limit.WindowSeconds, o.Limit.LimitWPerKg, o.Limit.Source, o.Evaluated,
                Num(o.Sar), Num(o.Ratio), o.Passed, Num(o.WorstWindowEndSeconds), o.Observable, o.MatrixIndex);
            var timeline = report.Windows.Where(w => w.Timeline is not null).Select(w => new TimelineJson(w.Metric.Id(), w.Observable, w.WindowSeconds,
                w.TimelineSeconds!, w.Timeline!, report.Outcomes.Where(o => o.Limit.Metric == w.Metric && o.Limit.WindowSeconds == w.WindowSeconds)
                    .Select(o => o.Limit.LimitWPerKg).ToArray())).ToArray();
            return Results.Json(new CheckResponse(seqName, path!, schedule.PeriodSeconds, schedule.Placements.Length, schedule.Templates.Count, schedule.Channels,
                rep == RepetitionMode.Periodic ? "steady" : "once", opMode == OperatingMode.Normal ? "normal" : "first", table.Source, k, $"{unit}/uT", "CP",
                new MatricesJson(obs.Name, obs.Metric.Id(), obs.Count, obs.Channels, obs.DriveUnit),
                report.Outcomes.Select(O).ToArray(), report.Passed, report.Binding is { } b ? O(b) : null, Num(report.MaxScaleFactor),
                report.MinimumAddedDelaySeconds, report.ShortestRepetitionSeconds, timeline, sw.Elapsed.TotalMilliseconds,
                // "verified" or "absent" (a mismatch was already refused by the parser): as `seq check --json` reports it
                seq.Signature == PulseqSignatureStatus.Verified ? "verified" : "absent"));
        }).WithMetadata(new BodyContentTypes("text/plain", "application/octet-stream")).RequireRateLimiting(HeavyWork.Policy);
    }

    /// <summary>Largest accepted drive calibration (per µT of Pulseq B1): far above any coil, small enough that SAR stays finite.</summary>
    public const double MaxCalibration = 1e6;

    /// <summary>The calibration query value (default <see cref="DefaultCalibrationVPerMicroTesla"/>): finite, in (0, <see cref="MaxCalibration"/>].</summary>
    internal static double Calibration(double? value) => value switch
    {
        null => DefaultCalibrationVPerMicroTesla,
        { } c when double.IsFinite(c) && c > 0 && c <= MaxCalibration => c,
        { } c => throw new SarKitInputException($"calibration = {c}: expected a finite drive calibration in (0, {MaxCalibration:G}] per µT of Pulseq B1."),
    };

    private static double? Num(double x) => double.IsFinite(x) ? x : null;
}
