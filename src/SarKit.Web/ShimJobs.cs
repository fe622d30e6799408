using SarKit.Fields;
using SarKit.Workflows;
using SarKit.Workflows.Results;

namespace SarKit.Web;

/// <summary>One RF shim job's inputs, checked by <see cref="Api.ShimEndpoints.Check"/> (the page's form, docs/web.md "RF shim").</summary>
/// <param name="Form">The pulse-design fields shared with the spokes form.</param>
/// <param name="TargetUt">Target |B1+|, µT.</param>
/// <param name="DutyCycle">Fraction of time the shim is transmitted, (0, 1].</param>
public sealed record ShimJobInput(DesignFormInput Form, double TargetUt, double DutyCycle);

/// <summary>
/// Background RF shim jobs of the web app: each runs the use case <see cref="RfShimDesign.Run"/> (the same request
/// <c>sarkit shim --json</c> builds, so the same result) on a worker thread with progress and cancellation, then the
/// layer maps (<see cref="RfShimMaps.Layer"/>) from the dataset cache's 10 g evaluation. Constraint sets, the one-design-
/// at-a-time rule and the temporary folder: <see cref="PulseDesignWork"/>; job bookkeeping: <see cref="DesignJobList{TInput, TOutput}"/>.
/// The drive JSON and waveform CSV the use case writes are kept in memory for download.
/// </summary>
public sealed class ShimJobs(PulseDesignWork work, ILogger<ShimJobs> log)
{
    /// <summary>Averaging mass of the design's certification and SAR maps, kg.</summary>
    public const double MassKg = PulseDesignWork.MassKg;

    /// <summary>A finished job's output: the CLI's result, the layer maps and the downloadable files.</summary>
    public sealed record Output(RfShimResult Result, ShimLayerMapsResult Maps, string DriveJson, string? WaveformCsv);

    private readonly DesignJobList<ShimJobInput, Output> _jobs = new("RF shim");

    /// <summary>Starts a job; <see cref="InvalidOperationException"/> (503) when too many are unfinished.</summary>
    public ShimJobResult Start(ShimJobInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Answer(_jobs.Start(input, job => work.RunOneAtATimeAsync(() => Run(job), job.Cancellation.Token)));
    }

    /// <summary>The state of a job; null when unknown (or forgotten).</summary>
    public ShimJobResult? Poll(string? id) => _jobs.Poll(id) is { } s ? Answer(s) : null;

    /// <summary>Requests cancellation of a job; null when unknown.</summary>
    public ShimJobResult? Cancel(string? id) => _jobs.Cancel(id) is { } s ? Answer(s) : null;

    /// <summary>The output of a finished job; null when unknown or not done.</summary>
    public Output? OutputOf(string? id) => _jobs.OutputOf(id);

    private static ShimJobResult Answer(DesignJobList<ShimJobInput, Output>.Snapshot s) =>
        new(s.Id, s.State, s.ElapsedS, s.Stage, s.StageFraction, s.Output?.Result, s.Output?.Maps, s.Error, s.ErrorStatus);

    private async Task<Output> Run(DesignJobList<ShimJobInput, Output>.Job job)
    {
        var ct = job.Cancellation.Token;
        var input = job.Input; var form = input.Form;
        var (prepared, spec, waveform) = await work.PrepareAsync(form, s => job.Stage = s, ct);
        string drive = work.TempFile($"drive-{job.Id}.json"), wave = work.TempFile($"waveform-{job.Id}.csv");
        var request = form.Apply(new RfShimRequest
        {
            FieldsPath = form.FullPath, TargetUt = input.TargetUt, DutyCycle = input.DutyCycle,
            DriveOutput = drive, WaveformOutput = waveform ? wave : null,
        }, spec, prepared.Dataset.Grid);
        job.Stage = "RF shim"; job.Fraction = 0;
        try
        {
            var result = await Task.Run(() => RfShimDesign.Run(request, work.Settings, job, ct), ct);
            string driveJson = await File.ReadAllTextAsync(drive, ct);
            string? waveCsv = waveform ? await File.ReadAllTextAsync(wave, ct) : null;
            // the files were only the carrier of the downloads: the result is the CLI's without -o / --waveform-output
            result = result with { DriveFile = "", WaveformFile = "" };
            job.Stage = "B1+ and 10 g SAR maps of the layer"; job.Fraction = 0;
            var maps = await Task.Run(() => RfShimMaps.Layer(prepared, result, form.ZIndex, B1RotationSense.CounterClockwise, ct), ct);
            log.LogInformation("{File}: RF shim ({Constraints}) in {S:F1} s, passed {Passed}", form.RelativePath, form.Constraints, result.ElapsedS, result.Passed);
            return new Output(result, maps, driveJson, waveCsv);
        }
        finally { File.Delete(drive); File.Delete(wave); }
    }
}
