using SarKit.IO.Formats;
using SarKit.Supervision;

namespace SarKit.Workflows;

/// <summary>A multi-channel waveform check (<see cref="PulseCheck"/>).</summary>
public sealed record PulseCheckRequest
{
    /// <summary>Waveform file: .npz (waveform, raster_s, unit), .h5 (/waveform with unit, raster_s), .csv, or a streamed .npy with its .json sidecar or a compressed HDF5 stream file (root attribute sarkit_waveform_stream) (<see cref="PulseStreamCheck"/>) (docs/supervision.md).</summary>
    public required string WaveformPath { get; init; }
    /// <summary>Repetition period, s (default: the file's period_s, else the waveform length) (<c>--tr</c>).</summary>
    public double? RepetitionSeconds { get; init; }
    /// <summary>Matrices, calibration, limits and evaluation settings.</summary>
    public SarCheckOptions Check { get; init; } = new();
    /// <summary>Streamed .npy waveforms only: block length B in samples (memory and per-sample work; results agree within the rounding bound) (<c>--block</c>).</summary>
    public int BlockSamples { get; init; } = StreamedWindowSar.DefaultBlockSamples;
    /// <summary>Streamed .npy waveforms only: <c>once</c> (default: the file is the whole exposure, silence around) or <c>steady</c> (the file repeats without gap); null = once.</summary>
    public string? StreamRepeat { get; init; }
}

/// <summary>
/// Use case <c>sarkit pulse check</c>: a multi-channel (dynamic pTx) RF waveform repeated every TR checked against
/// IEC 60601-2-33 SAR limits, with the same matrices, limits and answers as <see cref="SequenceCheck"/>
/// (docs/supervision.md). Reads the waveform (<see cref="WaveformFile"/>), builds the schedule
/// (<see cref="MultiChannelWaveform.Schedule"/>: a B1 waveform is converted through the calibration) and runs the shared check.
/// The result has no signature (null) and no soft-delay hints.
/// </summary>
public static class PulseCheck
{
    /// <summary>
    /// Runs the check; refusals are <see cref="SarKitInputException"/>s, a limit exceeded is <see cref="SarCheckOutcome.Passed"/> = false.
    /// <paramref name="settings"/> limits the threads (default <see cref="SarKitSettings.Default"/>); <paramref name="warnings"/> is unused today (no pulse warnings).
    /// </summary>
    public static SarCheckOutcome Run(PulseCheckRequest request, IProgress<string>? warnings = null, SarKitSettings? settings = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.RepetitionSeconds is { } tr && (!double.IsFinite(tr) || tr <= 0))
            throw new SarKitInputException($"--tr {tr}: expected a repetition period > 0 s.");
        if (WaveformStreamFile.IsStreamPath(request.WaveformPath) || WaveformHdf5StreamFile.IsStreamFile(request.WaveformPath))
            return PulseStreamCheck.Run(request, warnings, settings, cancellation);
        var w = WaveformFile.Read(request.WaveformPath);
        return SarCheck.Run(request.Check, w.Source, [], null, (unit, cal, res) => (w.Schedule(unit, cal, res, request.RepetitionSeconds), null), [], settings, cancellation);
    }
}
