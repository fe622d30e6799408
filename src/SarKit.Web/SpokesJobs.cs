using SarKit.Constraints;
using SarKit.Fields;
using SarKit.Workflows;
using SarKit.Workflows.Results;

namespace SarKit.Web;

/// <summary>One spokes / kT-points job's inputs, checked by <see cref="Api.SpokesEndpoints.Check"/> (the page's form, docs/web.md "Spokes").</summary>
/// <param name="Form">The pulse-design fields shared with the RF shim form.</param>
/// <param name="SubPulses">Number of sub-pulses K.</param>
/// <param name="Trajectory">Default k-space positions: "kt" or "spokes" (as <c>sarkit spokes --trajectory</c>).</param>
/// <param name="Shape">Sub-pulse shape.</param>
/// <param name="SubPulseDurationS">Sub-pulse duration, s.</param>
/// <param name="TimeBandwidth">Time-bandwidth product of the sinc.</param>
/// <param name="GapS">Gap between sub-pulses, s.</param>
/// <param name="RepetitionTimeS">Repetition time, s.</param>
/// <param name="TargetFlipDeg">Target small-tip flip angle, degrees.</param>
public sealed record SpokesJobInput(DesignFormInput Form, int SubPulses, string Trajectory, SubPulseShape Shape, double SubPulseDurationS, double TimeBandwidth,
    double GapS, double RepetitionTimeS, double TargetFlipDeg);

/// <summary>
/// Background spokes / kT-points jobs of the web app: each runs the use case <see cref="SpokesDesign.Run"/> (the same
/// request <c>sarkit spokes --json</c> builds, so the same result, certified against every original 10 g Q-matrix) on a
/// worker thread with progress and cancellation, then the flip-angle and time-averaged 10 g SAR maps of the layer (<see cref="SpokesMaps.Layer"/>).
/// Constraint sets, the one-design-at-a-time rule shared with the RF shim jobs and the temporary folder:
/// <see cref="PulseDesignWork"/>; job bookkeeping: <see cref="DesignJobList{TInput, TOutput}"/>. The waveform CSV the use
/// case writes (<c>sarkit pulse check</c>'s format, one repetition, period = TR) and its Pulseq file (<c>sarkit seq check</c>,
/// when the durations are on the 10 µs block raster) are kept in memory for download.
/// </summary>
public sealed class SpokesJobs(PulseDesignWork work, ILogger<SpokesJobs> log)
{
    /// <summary>
    /// A finished job's output: the CLI's result, the layer maps, the waveform CSV (null when the drive unit has no waveform
    /// unit) and the Pulseq file of <c>sarkit spokes --seq-output</c> (null also when a duration is off the 10 µs block raster).
    /// </summary>
    public sealed record Output(SpokesResult Result, SpokesLayerMapsResult Maps, string? WaveformCsv, string? Seq = null);

    private readonly DesignJobList<SpokesJobInput, Output> _jobs = new("spokes");

    /// <summary>Starts a job; <see cref="InvalidOperationException"/> (503) when too many are unfinished.</summary>
    public SpokesJobResult Start(SpokesJobInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Answer(_jobs.Start(input, job => work.RunOneAtATimeAsync(() => Run(job), job.Cancellation.Token)));
    }

    /// <summary>The state of a job; null when unknown (or forgotten).</summary>
    public SpokesJobResult? Poll(string? id) => _jobs.Poll(id) is { } s ? Answer(s) : null;

    /// <summary>Requests cancellation of a job; null when unknown.</summary>
    public SpokesJobResult? Cancel(string? id) => _jobs.Cancel(id) is { } s ? Answer(s) : null;

    /// <summary>The output of a finished job; null when unknown or not done.</summary>
    public Output? OutputOf(string? id) => _jobs.OutputOf(id);

    /// <summary>The request <c>sarkit spokes</c> builds for the same inputs (constraint spec and data as resolved by the job).</summary>
    public static SpokesRequest Request(SpokesJobInput input, string spec, Grid.VoxelGrid grid, string? waveformOutput, string? seqOutput = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Form.Apply(new SpokesRequest
        {
            FieldsPath = input.Form.FullPath, SubPulses = input.SubPulses, Trajectory = input.Trajectory, Shape = input.Shape,
            SubPulseDurationS = input.SubPulseDurationS, TimeBandwidth = input.TimeBandwidth, GapS = input.GapS,
            RepetitionTimeS = input.RepetitionTimeS, TargetFlipDeg = input.TargetFlipDeg, WaveformOutput = waveformOutput, SeqOutput = seqOutput,
        }, spec, grid);
    }

    /// <summary>Whether the job's pulse can be written as Pulseq: sub-pulse duration, gap and TR on the 10 µs block raster (<see cref="SpokesDesign.OnPulseqBlockRaster"/>).</summary>
    public static bool PulseqPossible(SpokesJobInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return SpokesDesign.OnPulseqBlockRaster(input.SubPulseDurationS) && SpokesDesign.OnPulseqBlockRaster(input.GapS) && SpokesDesign.OnPulseqBlockRaster(input.RepetitionTimeS);
    }

    private static SpokesJobResult Answer(DesignJobList<SpokesJobInput, Output>.Snapshot s) =>
        new(s.Id, s.State, s.ElapsedS, s.Stage, s.StageFraction, s.Output?.Result, s.Output?.Maps, s.Error, s.ErrorStatus);

    private async Task<Output> Run(DesignJobList<SpokesJobInput, Output>.Job job)
    {
        var ct = job.Cancellation.Token;
        var input = job.Input; var form = input.Form;
        var (prepared, spec, waveform) = await work.PrepareAsync(form, s => job.Stage = s, ct);
        string wave = work.TempFile($"spokes-waveform-{job.Id}.csv"), seqPath = work.TempFile($"spokes-{job.Id}.seq");
        bool seq = waveform && PulseqPossible(input);
        var request = Request(input, spec, prepared.Dataset.Grid, waveform ? wave : null, seq ? seqPath : null);
        job.Stage = "spokes design"; job.Fraction = 0;
        try
        {
            var result = await Task.Run(() => SpokesDesign.Run(request, work.Settings, job, ct), ct);
            string? csv = waveform ? await File.ReadAllTextAsync(wave, ct) : null;
            string? seqText = seq ? await File.ReadAllTextAsync(seqPath, ct) : null;
            // the files were only the carriers of the downloads: the result is the CLI's without --waveform-output and --seq-output
            result = result with { WaveformFile = "", SeqFile = "", SeqCalibration = "" };
            job.Stage = "flip-angle and SAR maps of the layer"; job.Fraction = 0;
            var maps = await Task.Run(() => SpokesMaps.Layer(prepared, result, form.ZIndex, B1RotationSense.CounterClockwise, ct), ct);
            log.LogInformation("{File}: spokes K = {K} ({Constraints}) in {S:F1} s, passed {Passed}", form.RelativePath, input.SubPulses, form.Constraints, result.ElapsedS, result.Passed);
            return new Output(result, maps, csv, seqText);
        }
        finally { File.Delete(wave); File.Delete(seqPath); }
    }
}
