using SarKit.IO.Formats;
using SarKit.Supervision;

namespace SarKit.Workflows;

/// <summary>
/// Use case behind <c>sarkit pulse check WAVE.npy</c>: a non-periodic multi-channel (dynamic pTx) waveform of any length,
/// streamed from disk in blocks (<see cref="WaveformStreamFile"/>: .npy samples × channels + JSON sidecar with unit and
/// raster; or <see cref="WaveformHdf5StreamFile"/>: the same samples in a chunked, deflate-compressed HDF5 file), checked against the IEC 60601-2-33 limits with <b>exact</b> 10 s / 6 min sliding windows at every sample
/// position (<see cref="StreamedWindowSar"/>; docs/supervision.md, "Arbitrary waveforms"). Matrices, calibration and limits
/// are those of <see cref="SequenceCheck"/> and <see cref="PulseCheck"/> (<see cref="SarCheckOptions"/>); the result is the
/// same <see cref="Results.SequenceCheckResult"/>. <c>--repeat once</c> (default for streamed files unless steady is asked
/// for explicitly in <see cref="PulseCheckRequest.StreamRepeat"/>): the file is the whole exposure, silence before and after;
/// <c>steady</c>: the file repeats without gap. The reported SAR includes the rounding bound ε (edge_error_bound_w_per_kg).
/// No delay search (the waveform is not a repetition), no timeline.
/// </summary>
public static class PulseStreamCheck
{
    /// <summary>Runs the check; refusals are <see cref="SarKitInputException"/>s, a limit exceeded is <see cref="SarCheckOutcome.Passed"/> = false.</summary>
    public static SarCheckOutcome Run(PulseCheckRequest request, IProgress<string>? warnings = null, SarKitSettings? settings = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var o = request.Check;
        if (request.RepetitionSeconds is not null)
            throw new SarKitInputException($"--tr: a streamed waveform ({request.WaveformPath}) is not repeated at a period; write the repetitions into the file, or use --repeat steady to repeat the whole file.");
        if (o.TimelinePath is not null || o.PlotPath is not null || o.IncludeTimeline)
            throw new SarKitInputException($"--timeline/--plot are not available for a streamed waveform ({request.WaveformPath}); the check reports the worst window of every limit.");
        if (request.BlockSamples is < 1 or > 1 << 24)
            throw new SarKitInputException($"--block {request.BlockSamples}: expected 1 … {1 << 24} samples.");
        IWaveformSampleSource file = WaveformStreamFile.IsStreamPath(request.WaveformPath)
            ? WaveformStreamFile.Open(request.WaveformPath)
            : WaveformHdf5StreamFile.Open(request.WaveformPath);
        double duration = file.Samples * file.RasterSeconds;
        var (observables, unit, cal) = SarCheck.PrepareMatrices(o, cancellation);
        var factors = MultiChannelWaveform.DriveFactors(file.Unit, file.Channels, file.Source, unit, cal);
        var (limits, ratio, mode, table, _, _) = SarCheck.PrepareLimits(o, observables);
        var rep = (request.StreamRepeat ?? "once").Trim().ToLowerInvariant() switch
        {
            "once" => RepetitionMode.Once,
            "steady" or "periodic" => RepetitionMode.Periodic,
            var r => throw new SarKitInputException($"--repeat '{r}': expected once or steady."),
        };
        var jobs = observables
            .Select(obs => (obs, limits.Where(l => l.Metric == obs.Metric).Select(l => l.WindowSeconds).Distinct().OrderBy(x => x).ToArray()))
            .Where(x => x.Item2.Length > 0).ToList();
        if (jobs.Count == 0) throw new SarKitInputException("no limit applies to the given matrices.");
        var res = StreamedWindowSar.Evaluate(file, factors, jobs, rep, request.BlockSamples, cancellation, settings);
        var report = SequenceSarCheck.FromWindows(res.Windows, limits, rep, duration);
        if (report.Passed) { report.MinimumAddedDelaySeconds = 0; report.ShortestRepetitionSeconds = duration; }
        // summary schedule for the rendering: the whole file as one RF event with its total correlation
        var tpl = new PulseTemplate(Path.GetFileName(file.Source), file.Channels, [0], [duration], res.TotalWeights, 0);
        var schedule = new PulseSchedule(file.Channels, duration, [tpl], [new PulsePlacement(0, 0)], file.Source);
        var result = SarCheck.ToResult(file.Source, schedule, report, observables, rep, ratio, mode, table, [], null, false);
        return new SarCheckOutcome { Result = result, Report = report, Schedule = schedule, Observables = observables, Limits = limits, Warnings = [], Statistics = res.Statistics };
    }
}
