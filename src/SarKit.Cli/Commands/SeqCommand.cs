using System.CommandLine;
using System.Globalization;
using SarKit.Supervision;
using SarKit.Workflows;
using SarKit.Workflows.Results;
using Spectre.Console;

namespace SarKit.Cli.Commands;

/// <summary>
/// `sarkit seq check|info` and `sarkit pulse check`: sequence and pulse SAR against IEC 60601-2-33 (docs/supervision.md).
/// Exit codes: 0 all limits pass, 3 a limit is exceeded, 2 bad input (incl. an uncertified VOP set), 1 internal.
/// Parsing and rendering only: the checks are the use cases <see cref="SequenceCheck"/>, <see cref="PulseCheck"/> and
/// <see cref="SequenceInfo"/>, shared with the web app.
/// </summary>
internal static class SeqCommand
{
    public const int ExitLimitExceeded = CliApp.ExitCheckFailed;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Options shared by `seq check` and `pulse check`.</summary>
    private sealed class CheckOptions
    {
        public readonly Option<string?> Vops = new("--vops") { Description = "Certified VOP set (.h5, .mat or .npz; docs/vop-format.md) for local SAR; refused without a valid certificate. The output states the guarantee relied on." };
        public readonly Option<string?> Q = new("--q") { Description = "Q-matrix set (SarKit HDF5) used as the full, uncompressed set for local SAR (exact; no certificate needed). With --vops: the VOP set is re-verified against it (dominance and the SHA-256 bound in the certificate)." };
        public readonly Option<string?> TrustedKey = new("--trusted-key") { Description = "Public key PEM (ECDSA P-256): refuse a --vops set that is unsigned or not signed by this key (docs/vop-format.md)." };
        public readonly Option<bool> AcceptSurrogateVops = new("--accept-surrogate-vops") { Description = "Accept a --vops set derived from a surrogate (surrogate-calibrated, not certified against true SAR); refused without this flag. The label is printed with every result." };
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
        public readonly Option<string?> Plot = new("--plot") { Description = "Write a plot of the timeline with its limits (.png or .svg; title, axes in s and W/kg, legend)." };
        public readonly Option<bool> Json = new("--json") { Description = "Print one JSON object on stdout." };
        public readonly Option<bool> NoDelay = new("--no-delay-search") { Description = "Skip the search for the shortest compliant repetition." };

        public void AddTo(Command c)
        {
            foreach (Option o in new Option[] { Vops, Q, TrustedKey, AcceptSurrogateVops, Global, B1Sar, Mode, Edition, LocalRegion, Weight, ExposedRatio, Calibration, Limits, Limit, ShortTermFactor, Repeat, Resolution, Timeline, TimelinePoints, Plot, Json, NoDelay })
                c.Add(o);
        }

        /// <summary>The workflow options of a parsed command line (no checks here: the workflow refuses bad values).</summary>
        public SarCheckOptions Read(ParseResult p) => new()
        {
            VopsPath = p.GetValue(Vops), QPath = p.GetValue(Q), TrustedKeyPath = p.GetValue(TrustedKey), AcceptSurrogateVops = p.GetValue(AcceptSurrogateVops), GlobalPath = p.GetValue(Global), B1Sar = p.GetValue(B1Sar),
            Calibration = p.GetValue(Calibration), Mode = p.GetValue(Mode)!, Edition = p.GetValue(Edition), LocalRegion = p.GetValue(LocalRegion)!,
            WeightKg = p.GetValue(Weight), ExposedRatio = p.GetValue(ExposedRatio), LimitsPath = p.GetValue(Limits), UserLimits = p.GetValue(Limit) ?? [],
            ShortTermFactor = p.GetValue(ShortTermFactor), Repeat = p.GetValue(Repeat)!, ResolutionSeconds = p.GetValue(Resolution),
            TimelinePoints = p.GetValue(TimelinePoints), TimelinePath = p.GetValue(Timeline), PlotPath = p.GetValue(Plot),
            SearchShortestRepetition = !p.GetValue(NoDelay), Names = SarCheckOptionNames.Cli,
        };
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
            var request = new SequenceCheckRequest
            {
                SequencePath = p.GetValue(file)!, LarmorHz = p.GetValue(larmor), RepetitionBlocks = p.GetValue(repBlocks), MissingShim = p.GetValue(missingShim)!,
                Check = o.Read(p),
            };
            return Render(io, SequenceCheck.Run(request, new ErrLines(io.Err)), p.GetValue(o.Json), p.GetValue(o.NoDelay));
        }));
        var info = new Command("info", "Show a Pulseq sequence: version, rasters, blocks, RF events, RF_SHIMS, RF energy and B1.") { file, larmor, o.Json };
        info.SetAction(p => io.Guard(() => Info(io, SequenceInfo.Run(p.GetValue(file)!, p.GetValue(larmor), new ErrLines(io.Err)), p.GetValue(o.Json))));
        seq.Add(check); seq.Add(info);
        return seq;
    }

    public static Command CreatePulse(CliIO io)
    {
        var pulse = new Command("pulse", "Multi-channel (dynamic pTx) RF waveform SAR.");
        var file = new Argument<string>("WAVEFORMS") { Description = "Waveform file: .npz (waveform, raster_s, unit), .h5 (/waveform with unit, raster_s), .csv, or a streamed .npy (samples × channels) with a .json sidecar, or the same samples in a chunked deflate .h5 with root attribute sarkit_waveform_stream (docs/supervision.md)." };
        var tr = new Option<double?>("--tr") { Description = "Repetition period, s (default: the file's period_s, else the waveform length)." }.Range(0, 1e6, minExclusive: true);
        var block = new Option<int>("--block") { Description = "Streamed .npy/.h5 waveforms: block length in samples (memory ⌈window/block⌉·N²·8 bytes; results agree within the stated rounding bound).", DefaultValueFactory = _ => StreamedWindowSar.DefaultBlockSamples }.Range(1, 1 << 24);
        var o = new CheckOptions();
        var check = new Command("check", "Check a multi-channel waveform repeated every TR (or a streamed .npy waveform of any length, exact windows) against SAR limits.") { file, tr, block };
        o.AddTo(check);
        check.SetAction(p => io.Guard(() =>
        {
            var request = new PulseCheckRequest
            {
                WaveformPath = p.GetValue(file)!, RepetitionSeconds = p.GetValue(tr), Check = o.Read(p), BlockSamples = p.GetValue(block),
                StreamRepeat = p.GetResult(o.Repeat) is { Implicit: false } ? p.GetValue(o.Repeat) : null,
            };
            CliTiming.Mark("pulse check: start");
            var outcome = PulseCheck.Run(request, new ErrLines(io.Err));
            if (outcome.Statistics?.Phases is { } ph)
                CliTiming.Mark($"pulse check: streamed pass done (wall s: read+convert {ph.ReadSeconds:F3} (waited {ph.WaitSeconds:F3}), correlation {ph.CorrelationSeconds:F3}, bounds {ph.BoundSeconds:F3}, lag reads {ph.LagReadSeconds:F3}, refinement {ph.RefineSeconds:F3})");
            return Render(io, outcome, p.GetValue(o.Json), p.GetValue(o.NoDelay));
        }));
        pulse.Add(check);
        return pulse;
    }

    /// <summary>Workflow warnings as stderr lines, written at once (in order with the command's other output).</summary>
    private sealed class ErrLines(TextWriter err) : IProgress<string>
    {
        public void Report(string value) => err.WriteLine(value);
    }

    /// <summary>Prints the check (JSON, or the text table) and returns exit 0 (PASS) or 3 (a limit exceeded).</summary>
    private static int Render(CliIO io, SarCheckOutcome outcome, bool json, bool noDelay)
    {
        var (report, schedule, result) = (outcome.Report, outcome.Schedule, outcome.Result);
        int exit = report.Passed ? CliApp.ExitOk : ExitLimitExceeded;
        if (json) { ResultJson.Write(io.Out, result); return exit; }
        var c = io.Stdout();
        c.WriteLine($"{result.Source}: period {schedule.PeriodSeconds.ToString("G6", Inv)} s, {schedule.Placements.Length} RF events ({schedule.Templates.Count} distinct), {schedule.Channels} channel(s), {(result.Repetition == "steady" ? "steady state (repeated)" : "played once")}");
        if (result.Signature is { } signature) c.WriteLine($"Signature: {signature}");
        foreach (var ob in outcome.Observables) c.WriteLine($"  {ob.Metric.Id()}: {ob.Name}, {ob.Count} matri{(ob.Count == 1 ? "x" : "ces")}, W/kg per {ob.DriveUnit}²");
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
        else if (!report.Passed && !noDelay)
            c.WriteLine("No added delay per repetition makes it comply (a single repetition exceeds a limit); reduce the RF scale.");
        if (outcome.Statistics is { } st)
            c.WriteLine($"Streamed: {st.Samples} samples, exact windows at every sample position; {st.Blocks} blocks of {st.BlockSamples}, {st.RefinedBlocks} refined sample by sample, {st.SamplesRead} samples read.");
        c.WriteLine(report.Passed ? "Result: PASS" : "Result: FAIL");
        return exit;
    }

    private static int Info(CliIO io, SequenceInfoResult info, bool json)
    {
        if (json) { ResultJson.Write(io.Out, info); return CliApp.ExitOk; }
        var t = new Table().AddColumn("Quantity").AddColumn("Value");
        void Row(string k, string v) => t.AddRow(new Text(k), new Text(v));
        double g = SarKit.Supervision.DriveCalibration.Gamma1H;
        Row("File", info.Source); Row("Signature", info.Signature); Row("Pulseq version", info.Version); Row("Duration", $"{info.DurationS.ToString("G6", Inv)} s");
        Row("Blocks", $"{info.Blocks} ({info.RfBlocks} with RF)"); Row("RF events", $"{info.RfEvents} distinct, {info.Shapes} shapes");
        Row("RF raster / block raster", $"{info.RfRasterS.ToString("G3", Inv)} s / {info.BlockRasterS.ToString("G3", Inv)} s");
        Row("RF_SHIMS", info.ShimmedBlocks == 0 ? "none (single channel)" : $"{info.ShimmedBlocks} blocks, {info.ShimChannels} channels");
        Row("Extensions", info.Extensions.Length == 0 ? "none" : string.Join(", ", info.Extensions));
        if (info.SoftDelayBlocks > 0) Row("Soft delays (DELAYS)", $"{info.SoftDelayBlocks} blocks ({string.Join(", ", info.SoftDelayHints)}); nominal durations used");
        Row("RF energy Σ|s|²Δt", $"{info.RfEnergyHz2S.ToString("G6", Inv)} Hz²·s = {(info.RfEnergyHz2S / (g * g) * 1e12).ToString("G6", Inv)} µT²·s");
        Row("Peak B1", $"{info.PeakB1UT.ToString("G5", Inv)} µT"); Row("B1rms over the sequence", $"{info.B1RmsUT.ToString("G5", Inv)} µT");
        Row("RF duty cycle", info.RfDutyCycle.ToString("P3", Inv)); Row("Largest flip angle", $"{info.FlipAngleMaxDeg.ToString("G5", Inv)}°");
        io.Stdout().Write(t);
        return CliApp.ExitOk;
    }
}
