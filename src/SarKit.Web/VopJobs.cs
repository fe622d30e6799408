using System.Diagnostics;
using SarKit.Compression;
using SarKit.Sar;
using SarKit.Averaging;
using SarKit.Workflows;

namespace SarKit.Web;

/// <summary>A VOP set compressed from a dataset's averaged Q-matrices, its verification and its overestimation report.</summary>
public sealed record CompressedVops(string DatasetPath, double MarginFraction, VopSet Set, VopVerificationResult Verification,
    OverestimationReport Overestimation, string DatasetQSha256, double Seconds);

/// <summary>State of one compression job: running, done (with <see cref="Result"/>) or failed (with <see cref="Error"/>).</summary>
public sealed record VopJobStatus(string State, double ElapsedS, string? Stage, CompressedVops? Result, string? Error, int? ErrorStatus);

/// <summary>
/// Background jobs compressing the averaged Q-matrices of a dataset (<see cref="SarKit.Workflows.PeakSarEvaluation.AveragedQ"/>, from
/// <see cref="DatasetCache"/>) into a certified VOP set with its overestimation report against the same originals:
/// the use case <see cref="VopCompression.CompressPacked"/> (the same path as <c>sarkit vop compress</c>); this class
/// only queues, caches and reports the jobs. Keyed by dataset file, its modification time, averaging mass and margin;
/// a finished job is kept (the eight most recent), a failed one is reported once more and then forgotten. Requests
/// only start or poll jobs, so no request waits for the compression. Parallelism and clock: <see cref="SarKitSettings"/>
/// (the registered one, else <see cref="SarKitSettings.Default"/>).
/// </summary>
public sealed class VopJobs(DatasetCache cache, SarKitWebOptions options, ILogger<VopJobs> log, SarKitSettings? settings = null)
{
    private readonly SarKitSettings _settings = settings ?? SarKitSettings.Default;

    /// <summary>Random drives of the verifier's independent check and of the overestimation histogram.</summary>
    public const int RandomDrives = 2000;
    /// <summary>Histogram bins.</summary>
    public const int HistogramBins = 30;
    private const int Kept = 8;

    private sealed class Job
    {
        public required Task<CompressedVops> Task;
        public readonly Stopwatch Clock = Stopwatch.StartNew();
        public volatile string Stage = "waiting for the dataset's Q-matrices";
        public double FinishedS;
    }

    private readonly object _gate = new();
    private readonly LinkedList<(string Key, Job Job)> _jobs = new();
    // compressions run one at a time (each already uses up to two threads): background work stays bounded however
    // many datasets and margins are requested
    private readonly SemaphoreSlim _running = new(1, 1);

    /// <summary>Starts (or finds) the job for a dataset file (full path) and margin ε (fraction of SAR_wc, (0, 1]).</summary>
    public VopJobStatus StartOrPoll(string fullPath, string relativePath, double marginFraction) => Status(GetJob(fullPath, relativePath, marginFraction));

    /// <summary>The finished set of a dataset and margin, waiting for a running job (started if needed).</summary>
    public Task<CompressedVops> GetAsync(string fullPath, string relativePath, double marginFraction, CancellationToken ct) =>
        GetJob(fullPath, relativePath, marginFraction).Task.WaitAsync(ct);

    private Job GetJob(string fullPath, string relativePath, double marginFraction)
    {
        if (!(marginFraction > 0 && marginFraction <= 1) || !double.IsFinite(marginFraction))
            throw new SarKitInputException($"margin {marginFraction * 100} %: expected a VOP margin in (0, 100] % of the worst-case SAR.");
        double mass = options.DefaultMassKg;
        string key = $"{fullPath}|{File.GetLastWriteTimeUtc(fullPath).Ticks}|{mass:R}|{marginFraction:R}";
        Job job;
        lock (_gate)
        {
            var node = _jobs.First;
            while (node is not null && node.Value.Key != key) node = node.Next;
            if (node is not null)
            {
                job = node.Value.Job;
                _jobs.Remove(node);
                if (!job.Task.IsFaulted && !job.Task.IsCanceled) _jobs.AddFirst(node);
            }
            else
            {
                job = new Job { Task = null! };
                var j = job;
                job.Task = Task.Run(async () =>
                {
                    try { return await Run(j, fullPath, relativePath, mass, marginFraction); }
                    finally { j.FinishedS = j.Clock.Elapsed.TotalSeconds; }
                });
                _jobs.AddFirst((key, job));
                while (_jobs.Count > Kept) _jobs.RemoveLast();
            }
        }
        return job;
    }

    private static VopJobStatus Status(Job job)
    {
        var t = job.Task;
        double el = t.IsCompleted ? job.FinishedS : job.Clock.Elapsed.TotalSeconds;
        if (t.IsCompletedSuccessfully) return new("done", el, null, t.Result, null, null);
        if (t.IsFaulted)
        {
            var e = t.Exception!.GetBaseException();
            return new("failed", el, null, null, e.Message, e switch
            {
                SarKitInputException => 400,
                DatasetUnreadableException or CacheBudgetExceededException => 422,
                _ => 500,
            });
        }
        if (t.IsCanceled) return new("failed", el, null, null, "cancelled", 500);
        return new("running", el, job.Stage, null, null, null);
    }

    private async Task<CompressedVops> Run(Job job, string fullPath, string relativePath, double mass, double eps)
    {
        job.Stage = "waiting for another compression to finish";
        await _running.WaitAsync();
        try { return await RunExclusive(job, fullPath, relativePath, mass, eps); }
        finally { _running.Release(); }
    }

    private async Task<CompressedVops> RunExclusive(Job job, string fullPath, string relativePath, double mass, double eps)
    {
        job.Stage = "waiting for the dataset's Q-matrices";
        var maps = await cache.GetAsync(fullPath, mass, CancellationToken.None);
        var aq = maps.AveragedQ ?? throw new SarKitInputException($"{relativePath}: no averaged Q-matrices: {maps.AveragingUnavailableReason}");
        var packed = aq.AllPacked.ToArray();
        job.Stage = $"compressing {aq.Count} averaged Q-matrices";
        var r = VopCompression.CompressPacked(packed, aq.Channels, aq.Normalisation, eps, $"{relativePath} ({mass * 1e3:G4} g Q)",
            set => set.Attributes["source"] = $"{relativePath}: {mass * 1e3:G4} g averaged Q-matrices (SarKit web app)",
            new VopVerifierSettings(RandomDrives), RandomDrives, HistogramBins, _settings, new StageOf(job));
        var (set, ver, over) = (r.Set, r.Verification, r.Overestimation!);
        log.LogInformation("{File}: {Count} VOPs at margin {Eps:P1} in {S:F1} s, certificate {Passed}", relativePath, set.Count, eps, r.Seconds, ver.Certificate.Passed);
        return new CompressedVops(relativePath, eps, set, ver, over, ver.SourceSha256, r.Seconds);
    }

    private sealed class StageOf(Job job) : IProgress<VopProgress>
    {
        public void Report(VopProgress p) => job.Stage = p.Message ?? (p.Detail.Length > 0 ? $"{p.Stage} ({p.Detail})" : p.Stage);
    }
}
