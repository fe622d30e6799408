using System.CommandLine;
using System.Globalization;
using System.Numerics;
using System.Text;
using SarKit.IO;
using SarKit.Reporting;
using SarKit.Supervision;
using SarKit.Supervision.Pulseq;
using Spectre.Console;
using SarKit.IO.Formats;
using SarKit.Workflows.Results;

namespace SarKit.Cli.Commands;

/// <summary>
/// `sarkit seq check|info` and `sarkit pulse check`: sequence and pulse SAR against IEC 60601-2-33 (docs/supervision.md).
/// Exit codes: 0 all limits pass, 3 a limit is exceeded, 2 bad input (incl. an uncertified VOP set), 1 internal.
/// </summary>
internal static class SeqCommand
{
    public const int ExitLimitExceeded = CliApp.ExitCheckFailed;
    /// <summary>Largest --timeline-points (memory stays bounded: points × windows × 8 bytes).</summary>
    private const int MaxTimelinePoints = 1_000_000;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Options shared by `seq check` and `pulse check`.</summary>
    private sealed class CheckOptions
    {
        public readonly Option<string?> Vops = new("--vops") { Description = "Certified VOP set (.h5, .mat or .npz; docs/vop-format.md) for local SAR; refused without a valid certificate. The output states the guarantee relied on." };
        public readonly Option<string?> Q = new("--q") { Description = "Q-matrix set (SarKit HDF5) used as the full, uncompressed set for local SAR (exact; no certificate needed). With --vops: the VOP set is re-verified against it (dominance and the SHA-256 bound in the certificate)." };
        public readonly Option<string?> TrustedKey = new("--trusted-key") { Description = "Public key PEM (ECDSA P-256): refuse a --vops set that is unsigned or not signed by this key (docs/vop-format.md)." };
        public readonly Option<string?> Global = new("--global") { Description = "Global Q file (sarkit-global-q HDF5: whole_body, head, exposed regions)." };
        public readonly Option<string?> B1Sar = new("--b1-sar") { Description = "Single-channel B1-to-SAR calibration, W/kg per µT², e.g. 'local_head=0.8,whole_body=0.05,head=0.2'." };
        public readonly Option<string> Mode = new("--mode") { Description = "IEC operating mode: normal or first.", DefaultValueFactory = _ => "normal" };
        public readonly Option<string?> Edition = new("--edition") { Description = "IEC 60601-2-33 edition in the limit table (4.0, 3.2, 2.0; default: the table's default)." };
        public readonly Option<string> LocalRegion = new("--local-region") { Description = "Local SAR limit to apply to the VOPs: head, trunk or extremity.", DefaultValueFactory = _ => "head" };
        public readonly Option<double?> Weight = new Option<double?>("--weight") { Description = "Patient mass, kg (for the exposed-mass ratio when the global file has no whole-body mass)." }.Range(0, 1000, minExclusive: true);
        public readonly Option<double?> ExposedRatio = new Option<double?>("--exposed-ratio") { Description = "Exposed mass / patient mass R for the partial-body limit (default: from the global file's masses)." }.Range(0, 1, minExclusive: true);
        public readonly Option<string?> Calibration = new("--calibration") { Description = "Drive calibration: '<k[,k…]> V/uT' (or sqrt(W)/uT, A/uT) or a JSON file with factors and default_shim." };
        public readonly Option<string?> Limits = new("--limits") { Description = "Limit table JSON (same layout as the built-in src/SarKit/Supervision/Limits/iec60601-2-33.json)." };
        public readonly Option<string[]> Limit = new("--limit") { Description = "Extra user limit 'metric:window_s:W/kg' (repeatable), e.g. local_head:10:15.", AllowMultipleArgumentsPerToken = false };
        public readonly Option<double?> ShortTermFactor = new Option<double?>("--short-term-factor") { Description = "Override the short-term factor (default from the edition, 2)." }.Range(1, 100);
        public readonly Option<string> Repeat = new("--repeat") { Description = "steady: the sequence repeats forever (default); once: played once, silence around.", DefaultValueFactory = _ => "steady" };
        public readonly Option<double> Resolution = new Option<double>("--resolution") { Description = "Longest segment within a pulse, s (energy uniform within a segment).", DefaultValueFactory = _ => 1e-4 }.Range(1e-9, 1e3);
        public readonly Option<string?> Timeline = new("--timeline") { Description = "Write the SAR timeline per metric and window (.csv or .json)." };
        public readonly Option<int> TimelinePoints = new Option<int>("--timeline-points") { Description = "Window-end times in the timeline.", DefaultValueFactory = _ => 1000 }.Range(2, 1_000_000);
        public readonly Option<string?> Plot = new("--plot") { Description = "Write a plot of the timeline: .svg (with text) or .png (lines, ticks and legend swatches only)." };
        public readonly Option<bool> Json = new("--json") { Description = "Print one JSON object on stdout." };
        public readonly Option<bool> NoDelay = new("--no-delay-search") { Description = "Skip the search for the shortest compliant repetition." };

        public void AddTo(Command c)
        {
            foreach (Option o in new Option[] { Vops, Q, TrustedKey, Global, B1Sar, Mode, Edition, LocalRegion, Weight, ExposedRatio, Calibration, Limits, Limit, ShortTermFactor, Repeat, Resolution, Timeline, TimelinePoints, Plot, Json, NoDelay })
                c.Add(o);
        }
    }

    public static Command Create(CliIO io)
    {
        var seq = new Command("seq", "Pulseq sequence SAR (IEC 60601-2-33): check against limits, or show sequence information.");
        var file = new Argument<string>("SEQ") { Description = "Pulseq .seq file (1.4.x or 1.5.x)." };
        var o = new CheckOptions();
        var larmor = new Option<double?>("--larmor") { Description = "Larmor frequency, Hz (needed only to apply Pulseq 1.5 ppm offsets)." }.Range(0, 1e11, minExclusive: true);
        var repBlocks = new Option<int?>("--repetition-blocks") { Description = "Blocks per repetition (TR) for the shortest-TR answer (default: the whole sequence is one repetition)." }.Range(1, int.MaxValue);
        var missingShim = new Option<string>("--missing-shim") { Description = "A block referencing an RF_SHIMS id without a row: refuse (default) or default (use the calibration's default shim, as for blocks without RF_SHIMS).", DefaultValueFactory = _ => "refuse" };
        var check = new Command("check", "Check a Pulseq sequence's local, head, whole-body and partial-body SAR over every 10 s and 6 min window.") { file, larmor, repBlocks, missingShim };
        o.AddTo(check);
        check.SetAction(p => io.Guard(() =>
        {
            var shimPolicy = p.GetValue(missingShim)!.Trim().ToLowerInvariant() switch
            {
                "refuse" => MissingShimPolicy.Refuse,
                "default" => MissingShimPolicy.UseDefaultShim,
                var v => throw new SarKitInputException($"--missing-shim '{v}': expected refuse or default."),
            };
            var s = PulseqFile.Read(p.GetValue(file)!);
            WarnIfUnsigned(io, s);
            var hints = SoftDelayHints(s);
            if (hints.Length > 0)
                io.Err.WriteLine($"warning: {s.SourceFile} has soft delays ({string.Join(", ", hints)}); SAR is checked for the file's nominal block durations — shortening them at the scanner raises SAR.");
            return RunCheck(io, p, o, s.SourceFile, hints, SignatureText(s), (unit, cal, res) =>
            {
                cal ??= unit == "uT" ? DriveCalibration.MicroTesla(1) : throw new SarKitInputException($"{s.SourceFile}: the matrices are per {unit}²; give --calibration ({unit}/uT per channel) to convert the Pulseq RF (Hz) to drive amplitudes.");
                var defaulted = new List<int>();
                var sched = PulseqSchedule.Build(s, cal, res, p.GetValue(larmor), shimPolicy, defaulted);
                if (defaulted.Count > 0)
                    io.Err.WriteLine($"warning: {s.SourceFile}: {defaulted.Count} block(s) reference a missing RF_SHIMS row (first: block {defaulted[0]}); the calibration's default shim is used for them (--missing-shim default).");
                IReadOnlyList<double>? cuts = null;
                if (p.GetValue(repBlocks) is { } rb)
                {
                    if (rb < 1 || rb > s.Blocks.Count) throw new SarKitInputException($"--repetition-blocks {rb}: must be between 1 and {s.Blocks.Count}.");
                    var starts = s.BlockStartTimes();
                    cuts = Enumerable.Range(1, s.Blocks.Count / rb).Select(k => k * rb < starts.Length ? starts[k * rb] : s.TotalDurationSeconds).ToArray();
                }
                return (sched, cuts);
            });
        }));
        var info = new Command("info", "Show a Pulseq sequence: version, rasters, blocks, RF events, RF_SHIMS, RF energy and B1.") { file, larmor, o.Json };
        info.SetAction(p => io.Guard(() => Info(io, p.GetValue(file)!, p.GetValue(larmor), p.GetValue(o.Json))));
        seq.Add(check); seq.Add(info);
        return seq;
    }

    public static Command CreatePulse(CliIO io)
    {
        var pulse = new Command("pulse", "Multi-channel (dynamic pTx) RF waveform SAR.");
        var file = new Argument<string>("WAVEFORMS") { Description = "Waveform file: .npz (waveform, raster_s, unit), .h5 (/waveform with unit, raster_s) or .csv (docs/supervision.md)." };
        var tr = new Option<double?>("--tr") { Description = "Repetition period, s (default: the file's period_s, else the waveform length)." }.Range(0, 1e6, minExclusive: true);
        var o = new CheckOptions();
        var check = new Command("check", "Check a multi-channel waveform repeated every TR against SAR limits.") { file, tr };
        o.AddTo(check);
        check.SetAction(p => io.Guard(() =>
        {
            var w = WaveformFile.Read(p.GetValue(file)!);
            return RunCheck(io, p, o, w.Source, [], null, (unit, cal, res) => (w.Schedule(unit, cal, res, p.GetValue(tr)), null));
        }));
        pulse.Add(check);
        return pulse;
    }

    private delegate (PulseSchedule Schedule, IReadOnlyList<double>? Cuts) ScheduleFactory(string matrixUnit, DriveCalibration? cal, double resolution);

    /// <summary>"verified" or "absent" (a mismatching signature is refused on reading).</summary>
    private static string SignatureText(PulseqSequence s) => s.Signature == PulseqSignatureStatus.Verified ? "verified" : "absent";

    /// <summary>Loud stderr warning for a Pulseq file without [SIGNATURE]: deleted or edited rows cannot be detected.</summary>
    private static void WarnIfUnsigned(CliIO io, PulseqSequence s)
    {
        if (s.Signature == PulseqSignatureStatus.Absent)
            io.Err.WriteLine($"WARNING: {s.SourceFile} has no [SIGNATURE] (signature: absent): deleted, truncated or edited rows cannot be detected. Write the file with Pulseq/pypulseq (which sign it) before using it at the scanner.");
    }

    /// <summary>Distinct hints of the DELAYS (soft delay) extensions used by blocks.</summary>
    private static string[] SoftDelayHints(PulseqSequence s) =>
        s.Blocks.Select(s.SoftDelay).Where(d => d is not null).Select(d => d!.Hint).Distinct().OrderBy(h => h, StringComparer.Ordinal).ToArray();

    private static int RunCheck(CliIO io, ParseResult p, CheckOptions o, string source, string[] softDelayHints, string? signature, ScheduleFactory build)
    {
        bool json = p.GetValue(o.Json);
        if (p.GetValue(o.Plot) is { } plotPath && Path.GetExtension(plotPath).ToLowerInvariant() is not (".svg" or ".png"))
            throw new SarKitInputException($"--plot '{plotPath}': use a .svg or .png file name.");
        var localMetric = SarMetricNames.Parse("local_" + p.GetValue(o.LocalRegion)!.Trim().ToLowerInvariant(), "--local-region");
        var observables = new List<SarObservable>();
        if (SupervisionMatrixFiles.FromVopFile(p.GetValue(o.Vops), p.GetValue(o.Q), p.GetValue(o.TrustedKey), localMetric) is { } vopObservable) observables.Add(vopObservable);
        if (p.GetValue(o.Q) is { } qp)
        {
            if (!File.Exists(qp)) throw new SarKitInputException($"{qp}: Q-matrix file not found.") { SourceFile = qp };
            observables.Add(SupervisionMatrixFiles.FromQSet(QMatrixSetFile.Read(qp), localMetric, qp));
        }
        if (p.GetValue(o.Global) is { } gp) observables.AddRange(SupervisionMatrixFiles.FromGlobal(gp));
        if (p.GetValue(o.B1Sar) is { } b1)
            foreach (var part in b1.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var kv = part.Split('=', 2, StringSplitOptions.TrimEntries);
                if (kv.Length != 2 || !double.TryParse(kv[1], NumberStyles.Float, Inv, out var k))
                    throw new SarKitInputException($"--b1-sar '{b1}': expected 'metric=W/kg per µT²' pairs, e.g. local_head=0.8,whole_body=0.05.");
                var m = kv[0].ToLowerInvariant() == "local" ? localMetric : SarMetricNames.Parse(kv[0], "--b1-sar");
                observables.Add(SupervisionMatrixSets.FromB1Calibration(m, k));
            }
        if (observables.Count == 0) throw new SarKitInputException("give matrices: --vops (certified VOP set), --q (full Q-matrix set), --global (region Q file) or --b1-sar (single-channel calibration).");
        var (unit0, channels0) = SequenceSarEvaluation.CommonDriveUnit(observables);
        DriveCalibration? cal = p.GetValue(o.Calibration) is { } ct ? DriveCalibration.Parse(ct, channels0) : null;
        SequenceSarEvaluation.CommonDriveUnit(observables, cal);
        double res = p.GetValue(o.Resolution);
        var (schedule, cuts) = build(unit0, cal, res);

        // limits
        var mode = SequenceSarEvaluation.ParseMode(p.GetValue(o.Mode), "--mode");
        double? ratio = p.GetValue(o.ExposedRatio);
        var exposed = observables.FirstOrDefault(x => x.Metric == SarMetric.PartialBody);
        if (ratio is null && exposed?.MassKg is { } me)
        {
            double? body = observables.FirstOrDefault(x => x.Metric == SarMetric.WholeBody)?.MassKg ?? p.GetValue(o.Weight);
            if (body is null) throw new SarKitInputException("partial-body SAR needs the patient mass: give --weight or --exposed-ratio, or a whole_body region in --global.");
            if (!(body > 0) || !double.IsFinite(body.Value)) throw new SarKitInputException($"--weight {body} kg: the patient mass must be a positive number.");
            ratio = Math.Min(1, me / body.Value);
        }
        var table = p.GetValue(o.Limits) is { } lt ? SarLimitTable.Load(lt) : SarLimitTable.Default();
        var limits = table.Limits(p.GetValue(o.Edition), mode, ratio, localMetric, p.GetValue(o.ShortTermFactor)).ToList();
        foreach (var u in p.GetValue(o.Limit) ?? []) limits.Add(SarLimit.ParseUser(u));
        var rep = p.GetValue(o.Repeat)!.Trim().ToLowerInvariant() switch
        {
            "steady" or "periodic" => RepetitionMode.Periodic,
            "once" => RepetitionMode.Once,
            var r => throw new SarKitInputException($"--repeat '{r}': expected steady or once."),
        };
        if (p.GetValue(o.TimelinePoints) is < 2 or > MaxTimelinePoints)
            throw new SarKitInputException($"--timeline-points {p.GetValue(o.TimelinePoints)}: must be between 2 and {MaxTimelinePoints}.");
        int tlPoints = p.GetValue(o.Timeline) is not null || p.GetValue(o.Plot) is not null ? p.GetValue(o.TimelinePoints) : 0;
        var report = SequenceSarEvaluation.Run(schedule, observables, limits, rep, cuts, tlPoints, searchShortestRepetition: !p.GetValue(o.NoDelay));

        if (p.GetValue(o.Timeline) is { } tl) WriteTimeline(tl, report);
        if (p.GetValue(o.Plot) is { } pl) WritePlot(pl, report, source);
        int exit = report.Passed ? CliApp.ExitOk : ExitLimitExceeded;
        var result = ToJson(source, schedule, report, observables, rep, ratio, mode, table.Source, softDelayHints, signature);
        if (json) { ResultJson.Write(io.Out, result); return exit; }
        var c = io.Stdout();
        c.WriteLine($"{source}: period {schedule.PeriodSeconds.ToString("G6", Inv)} s, {schedule.Placements.Length} RF events ({schedule.Templates.Count} distinct), {schedule.Channels} channel(s), {(rep == RepetitionMode.Periodic ? "steady state (repeated)" : "played once")}");
        if (signature is not null) c.WriteLine($"Signature: {signature}");
        foreach (var ob in observables) c.WriteLine($"  {ob.Metric.Id()}: {ob.Name}, {ob.Count} matri{(ob.Count == 1 ? "x" : "ces")}, W/kg per {ob.DriveUnit}²");
        var t = new Table().AddColumn("Limit").AddColumn("Window").AddColumn("SAR W/kg").AddColumn("Limit W/kg").AddColumn("Ratio").AddColumn("Result").AddColumn("Worst window ends");
        foreach (var oc in report.Outcomes)
            t.AddRow(new Text(oc.Limit.Metric.Id()), new Text($"{oc.Limit.WindowSeconds.ToString("G", Inv)} s"),
                new Text(oc.Evaluated ? oc.Sar.ToString("G5", Inv) : "—"), new Text(oc.Limit.LimitWPerKg.ToString("G4", Inv)),
                new Text(oc.Evaluated ? oc.Ratio.ToString("0.000", Inv) : "—"), new Text(!oc.Evaluated ? "not evaluated" : oc.Passed ? "pass" : "FAIL"),
                new Text(oc.Evaluated ? $"{oc.WorstWindowEndSeconds.ToString("G6", Inv)} s" + (oc.Observable!.StartsWith("VOP") || oc.Observable.StartsWith("all") ? $" (matrix {oc.MatrixIndex})" : "") : ""));
        c.Write(t);
        if (report.Binding is { } b)
            c.WriteLine($"Binding: {b.Limit} at {b.Ratio.ToString("0.000", Inv)} of the limit. Largest compliant RF scale: {report.MaxScaleFactor.ToString("0.0000", Inv)} (SAR ∝ scale²).");
        if (report.MinimumAddedDelaySeconds is { } dd && dd > 0)
            c.WriteLine($"Shortest compliant repetition: {report.ShortestRepetitionSeconds!.Value.ToString("G6", Inv)} s (add {dd.ToString("G6", Inv)} s per repetition).");
        else if (!report.Passed && !p.GetValue(o.NoDelay))
            c.WriteLine("No added delay per repetition makes it comply (a single repetition exceeds a limit); reduce the RF scale.");
        c.WriteLine(report.Passed ? "Result: PASS" : "Result: FAIL");
        return exit;
    }

    internal sealed record OutcomeJson(string Metric, double WindowS, double LimitWPerKg, string Source, bool Evaluated, double? SarWPerKg, double? Ratio, bool Passed, double? WorstWindowEndS, string? Matrices, int MatrixIndex, double? EdgeErrorBoundWPerKg);
    internal sealed record ObservableJson(string Name, string Metric, int Count, int Channels, string DriveUnit, double? MassKg);
    internal sealed record CheckJson(string Source, double PeriodS, int RfEvents, int DistinctRfEvents, int Channels, string Repetition, string Mode, double? ExposedMassRatio,
        string LimitTable, ObservableJson[] Matrices, OutcomeJson[] Limits, bool Passed, OutcomeJson? Binding, double? MaxScaleFactor, double? MinimumAddedDelayS, double? ShortestRepetitionS,
        string[] SoftDelayHints, string? Signature);

    private static CheckJson ToJson(string source, PulseSchedule s, SequenceSarReport r, List<SarObservable> obs, RepetitionMode rep, double? ratio, OperatingMode mode, string table, string[] softDelayHints, string? signature)
    {
        OutcomeJson O(LimitOutcome o) => new(o.Limit.Metric.Id(), o.Limit.WindowSeconds, o.Limit.LimitWPerKg, o.Limit.Source, o.Evaluated, ResultJson.Num(o.Sar), ResultJson.Num(o.Ratio), o.Passed, ResultJson.Num(o.WorstWindowEndSeconds), o.Observable, o.MatrixIndex, o.Evaluated ? o.EdgeErrorBound : null);
        return new CheckJson(source, s.PeriodSeconds, s.Placements.Length, s.Templates.Count, s.Channels, rep == RepetitionMode.Periodic ? "steady" : "once",
            mode == OperatingMode.Normal ? "normal" : "first", ratio, table,
            obs.Select(x => new ObservableJson(x.Name, x.Metric.Id(), x.Count, x.Channels, x.DriveUnit, x.MassKg)).ToArray(),
            r.Outcomes.Select(O).ToArray(), r.Passed, r.Binding is { } b ? O(b) : null, ResultJson.Num(r.MaxScaleFactor), r.MinimumAddedDelaySeconds, r.ShortestRepetitionSeconds, softDelayHints, signature);
    }

    private static void WriteTimeline(string path, SequenceSarReport r)
    {
        var ext = Path.GetExtension(path).ToLowerInvariant();
        var rows = r.Windows.Where(w => w.Timeline is not null).ToArray();
        if (ext == ".json")
        {
            var obj = rows.Select(w => new { metric = w.Metric.Id(), matrices = w.Observable, window_s = w.WindowSeconds, t_end_s = w.TimelineSeconds, sar_w_per_kg = w.Timeline, edge_error_bound_w_per_kg = w.EdgeErrorBound }).ToArray();
            ReportFile.WriteText(path, ResultJson.Serialize(obj));
            return;
        }
        if (ext != ".csv") throw new SarKitInputException($"--timeline '{path}': use a .csv or .json file name.");
        var sb = new StringBuilder("metric,matrices,window_s,t_end_s,sar_w_per_kg,edge_error_bound_w_per_kg\n");
        foreach (var w in rows)
            for (int k = 0; k < w.Timeline!.Length; k++)
                sb.Append(w.Metric.Id()).Append(",\"").Append(w.Observable.Replace("\"", "\"\"")).Append("\",").Append(w.WindowSeconds.ToString("R", Inv)).Append(',')
                  .Append(w.TimelineSeconds![k].ToString("R", Inv)).Append(',').Append(w.Timeline[k].ToString("R", Inv))
                  .Append(',').Append(w.EdgeErrorBound.ToString("R", Inv)).Append('\n');
        ReportFile.WriteText(path, sb.ToString());
    }

    private static void WritePlot(string path, SequenceSarReport r, string source)
    {
        var plot = new SvgPlot { Title = $"SAR per window: {Path.GetFileName(source)}", XLabel = "window end (s)", YLabel = "SAR (W/kg)" };
        int i = 0;
        foreach (var w in r.Windows.Where(w => w.Timeline is not null))
        {
            var colour = SvgPlot.Palette[i++ % SvgPlot.Palette.Length];
            plot.Series.Add(new SvgSeries($"{w.Metric.Id()} {w.WindowSeconds.ToString("G", Inv)} s", w.TimelineSeconds!, w.Timeline!, colour));
            foreach (var o in r.Outcomes.Where(o => o.Limit.Metric == w.Metric && o.Limit.WindowSeconds == w.WindowSeconds))
                plot.Lines.Add(new SvgHLine($"limit {o.Limit.LimitWPerKg.ToString("G4", Inv)}", o.Limit.LimitWPerKg, colour));
        }
        var ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext == ".png") PngPlot.Write(plot, path);
        else if (ext == ".svg") plot.Write(path);
        else throw new SarKitInputException($"--plot '{path}': use a .svg or .png file name.");
    }

    internal sealed record InfoJson(string Source, string Version, double DurationS, int Blocks, int RfBlocks, int RfEvents, int Shapes, double RfRasterS, double BlockRasterS,
        int ShimmedBlocks, int? ShimChannels, int SoftDelayBlocks, string[] SoftDelayHints, string[] Extensions, double RfEnergyHz2S, double PeakB1UT, double B1RmsUT, double RfDutyCycle, double FlipAngleMaxDeg, string Signature);

    private static int Info(CliIO io, string path, double? larmor, bool json)
    {
        var s = PulseqFile.Read(path);
        WarnIfUnsigned(io, s);
        double energy = 0, peak = 0, rfTime = 0, maxFa = 0;
        var cache = new Dictionary<int, PulseqRfRaster>();
        int rfBlocks = 0, shimmed = 0; int? shimCh = null;
        foreach (var b in s.Blocks)
        {
            if (b.RfId == 0) continue;
            rfBlocks++;
            if (!cache.TryGetValue(b.RfId, out var r)) cache[b.RfId] = r = PulseqRfRaster.Of(s, s.RfEvents[b.RfId], larmor, magnitudeOnly: true);
            try { energy += r.EnergyHz2s(); }
            catch (SarKitInputException e) { throw new SarKitInputException($"{path}: block {b.Id}, RF {b.RfId}: {e.Message}", e) { SourceFile = path, Dataset = "RF" }; }
            rfTime += r.SamplesHz.Length * r.RasterSeconds;
            foreach (var x in r.SamplesHz) peak = Math.Max(peak, x.Magnitude);
            var sum = Complex.Zero; foreach (var x in r.SamplesHz) sum += x;
            maxFa = Math.Max(maxFa, 360 * sum.Magnitude * r.RasterSeconds);
            if (s.RfShim(b) is { } w) { shimmed++; shimCh = w.Length; }
        }
        double T = s.TotalDurationSeconds, g = DriveCalibration.Gamma1H;
        var info = new InfoJson(path, s.Version.ToString(), T, s.Blocks.Count, rfBlocks, s.RfEvents.Count, s.Shapes.Count, s.Definitions.RadiofrequencyRasterTime, s.Definitions.BlockDurationRaster,
            shimmed, shimCh, s.Blocks.Count(b => s.SoftDelay(b) is not null), SoftDelayHints(s), s.ExtensionTypes.Keys.OrderBy(k => k, StringComparer.Ordinal).ToArray(), energy, peak / g * 1e6, Math.Sqrt(energy / T) / g * 1e6, rfTime / T, maxFa, SignatureText(s));
        foreach (var (name, v) in new[] { ("RF energy", energy), ("peak B1", info.PeakB1UT), ("B1rms", info.B1RmsUT), ("flip angle", maxFa) })
            if (!double.IsFinite(v)) throw new SarKitInputException($"{path}: {name} is {v} (RF amplitudes overflow double precision); refusing.") { SourceFile = path, Dataset = "RF" };
        if (json) { ResultJson.Write(io.Out, info); return CliApp.ExitOk; }
        var t = new Table().AddColumn("Quantity").AddColumn("Value");
        void Row(string k, string v) => t.AddRow(new Text(k), new Text(v));
        Row("File", path); Row("Signature", info.Signature); Row("Pulseq version", info.Version); Row("Duration", $"{T.ToString("G6", Inv)} s");
        Row("Blocks", $"{info.Blocks} ({rfBlocks} with RF)"); Row("RF events", $"{info.RfEvents} distinct, {info.Shapes} shapes");
        Row("RF raster / block raster", $"{info.RfRasterS.ToString("G3", Inv)} s / {info.BlockRasterS.ToString("G3", Inv)} s");
        Row("RF_SHIMS", shimmed == 0 ? "none (single channel)" : $"{shimmed} blocks, {shimCh} channels");
        Row("Extensions", info.Extensions.Length == 0 ? "none" : string.Join(", ", info.Extensions));
        if (info.SoftDelayBlocks > 0) Row("Soft delays (DELAYS)", $"{info.SoftDelayBlocks} blocks ({string.Join(", ", info.SoftDelayHints)}); nominal durations used");
        Row("RF energy Σ|s|²Δt", $"{energy.ToString("G6", Inv)} Hz²·s = {(energy / (g * g) * 1e12).ToString("G6", Inv)} µT²·s");
        Row("Peak B1", $"{info.PeakB1UT.ToString("G5", Inv)} µT"); Row("B1rms over the sequence", $"{info.B1RmsUT.ToString("G5", Inv)} µT");
        Row("RF duty cycle", info.RfDutyCycle.ToString("P3", Inv)); Row("Largest flip angle", $"{maxFa.ToString("G5", Inv)}°");
        io.Stdout().Write(t);
        return CliApp.ExitOk;
    }
}
