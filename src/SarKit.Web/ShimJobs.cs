using System.Collections.Concurrent;
using System.Diagnostics;
using SarKit.Fields;
using SarKit.IO.Formats;
using SarKit.Workflows;
using SarKit.Workflows.Results;

namespace SarKit.Web;

/// <summary>One RF shim job's inputs, checked by <see cref="Api.ShimEndpoints.Check"/> (the page's form, docs/web.md "RF shim").</summary>
public sealed record ShimJobInput(string FullPath, string RelativePath, int ZIndex, double TargetUt, double LocalLimitWPerKg, double GlobalLimitWPerKg,
    string Constraints, double MarginFraction, string? VopFullPath, string? MvieFullPath, int Starts);

/// <summary>
/// Background RF shim jobs of the web app: each runs the use case <see cref="RfShimDesign.Run"/> (the same request
/// <c>sarkit shim --json</c> builds, so the same result) on a worker thread with progress and cancellation, then the
/// layer maps (<see cref="RfShimMaps.Layer"/>) from the dataset cache's 10 g evaluation. Constraint sets: every
/// original 10 g Q-matrix ("all"); a VOP file of the data folder, or the dataset's certified VOP set of the chosen
/// margin (<see cref="VopJobs"/>, compressed on first use, from the same averaged Q-matrices the design certifies
/// against); an MVIE file, or the MVIE of the dataset's averaged Q-matrices (<see cref="MvieConstruction.Run"/>, once
/// per dataset). Sets built here and the drive/waveform files of <see cref="RfShimDesign"/> live in a private temporary
/// folder (the app never writes into the data folder); the drive JSON and waveform CSV are kept in memory for download.
/// Jobs run one at a time; at most <see cref="MaxPending"/> wait, the eight most recent finished ones are kept.
/// </summary>
public sealed class ShimJobs : IDisposable
{
    /// <summary>Unfinished jobs allowed at once (further starts get 503).</summary>
    public const int MaxPending = 4;
    /// <summary>Averaging mass of the design's certification and SAR maps, kg.</summary>
    public const double MassKg = 0.010;
    private const int Kept = 8;

    private readonly DatasetCache _cache;
    private readonly VopJobs _vops;
    private readonly SarKitWebOptions _options;
    private readonly ILogger<ShimJobs> _log;
    private readonly SarKitSettings _settings;
    private readonly string _temp = Path.Combine(Path.GetTempPath(), "sarkit-web-shim-" + Guid.NewGuid().ToString("N"));
    private readonly SemaphoreSlim _running = new(1, 1);
    private readonly object _gate = new();
    private readonly LinkedList<Job> _jobs = new();
    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _mvies = new();

    public ShimJobs(DatasetCache cache, VopJobs vops, SarKitWebOptions options, ILogger<ShimJobs> log, SarKitSettings? settings = null)
    {
        _cache = cache; _vops = vops; _options = options; _log = log; _settings = settings ?? SarKitSettings.Default;
    }

    /// <summary>A finished job's downloadable files.</summary>
    public sealed record Files(string DriveJson, string? WaveformCsv);

    private sealed class Job
    {
        public required string Id;
        public required ShimJobInput Input;
        public Task<(RfShimResult Result, ShimLayerMapsResult Maps, Files Files)> Task = null!;
        public readonly CancellationTokenSource Cancel = new();
        public readonly Stopwatch Clock = Stopwatch.StartNew();
        public volatile string Stage = "waiting for another shim job to finish";
        public double Fraction;
        public double FinishedS;
    }

    /// <summary>Starts a job; 503 (<see cref="InvalidOperationException"/>) when <see cref="MaxPending"/> are unfinished.</summary>
    public ShimJobResult Start(ShimJobInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var job = new Job { Id = Guid.NewGuid().ToString("N")[..16], Input = input };
        lock (_gate)
        {
            if (_jobs.Count(j => !j.Task.IsCompleted) >= MaxPending)
                throw new InvalidOperationException($"{MaxPending} RF shim jobs are already running or waiting; try again when one has finished.");
            job.Task = Task.Run(async () =>
            {
                try { return await Run(job); }
                finally { job.FinishedS = job.Clock.Elapsed.TotalSeconds; }
            });
            _jobs.AddFirst(job);
            var node = _jobs.Last;
            while (_jobs.Count > Kept && node is not null)
            {
                var prev = node.Previous;
                if (node.Value.Task.IsCompleted) _jobs.Remove(node);
                node = prev;
            }
        }
        return Status(job);
    }

    /// <summary>The state of a job; null when unknown (or forgotten).</summary>
    public ShimJobResult? Poll(string? id) => Find(id) is { } j ? Status(j) : null;

    /// <summary>Requests cancellation of a job; its state becomes "cancelled" when it stops. Null when unknown.</summary>
    public ShimJobResult? Cancel(string? id)
    {
        if (Find(id) is not { } j) return null;
        if (!j.Task.IsCompleted) j.Cancel.Cancel();
        return Status(j);
    }

    /// <summary>The drive JSON and waveform CSV of a finished job; null when unknown or not done.</summary>
    public Files? FilesOf(string? id) => Find(id) is { Task.IsCompletedSuccessfully: true } j ? j.Task.Result.Files : null;

    private Job? Find(string? id)
    {
        if (string.IsNullOrEmpty(id)) return null;
        lock (_gate) return _jobs.FirstOrDefault(j => j.Id == id);
    }

    private static ShimJobResult Status(Job job)
    {
        var t = job.Task;
        double el = t.IsCompleted ? job.FinishedS : job.Clock.Elapsed.TotalSeconds;
        if (t.IsCompletedSuccessfully) return new(job.Id, "done", el, null, 1, t.Result.Result, t.Result.Maps, null, null);
        if (t.IsCanceled || (t.IsFaulted && t.Exception!.GetBaseException() is OperationCanceledException))
            return new(job.Id, "cancelled", el, null, 0, null, null, "cancelled", null);
        if (t.IsFaulted)
        {
            var e = t.Exception!.GetBaseException();
            int status = e switch { SarKitInputException => 400, DatasetUnreadableException or CacheBudgetExceededException => 422, _ => 500 };
            return new(job.Id, "failed", el, null, 0, null, null, status == 500 ? $"internal error: {e.GetType().Name}: {e.Message.Split('\n')[0]}" : e.Message, status);
        }
        return new(job.Id, "running", el, job.Stage, Math.Clamp(job.Fraction, 0, 1), null, null, null, null);
    }

    private async Task<(RfShimResult, ShimLayerMapsResult, Files)> Run(Job job)
    {
        var ct = job.Cancel.Token;
        await _running.WaitAsync(ct);
        try
        {
            var input = job.Input;
            job.Stage = "reading the dataset and its 10 g Q-matrices";
            var prepared = await _cache.GetAsync(input.FullPath, MassKg, ct);
            ct.ThrowIfCancellationRequested();
            string spec = input.Constraints switch
            {
                "all" => "all",
                "vop" => "vop=" + (input.VopFullPath ?? await DatasetVops(job, input, ct)),
                _ => "mvie=" + (input.MvieFullPath ?? await DatasetMvie(job, input, prepared, ct)),
            };
            Directory.CreateDirectory(_temp);
            string drive = Path.Combine(_temp, $"drive-{job.Id}.json"), wave = Path.Combine(_temp, $"waveform-{job.Id}.csv");
            bool waveform = prepared.Dataset.E.Normalisation is FieldNormalisation.PerVoltIncident or FieldNormalisation.PerSqrtWattIncident or FieldNormalisation.PerAmpere;
            var request = new RfShimRequest
            {
                FieldsPath = input.FullPath, Constraints = [spec], TargetUt = input.TargetUt, LocalLimitWPerKg = input.LocalLimitWPerKg,
                GlobalLimitWPerKg = input.GlobalLimitWPerKg, Slice = RfShimMaps.SliceText(prepared.Dataset.Grid, input.ZIndex), Starts = input.Starts,
                DriveOutput = drive, WaveformOutput = waveform ? wave : null,
            };
            job.Stage = "RF shim"; job.Fraction = 0;
            RfShimResult result;
            try
            {
                result = await Task.Run(() => RfShimDesign.Run(request, _settings, new StageOf(job), ct), ct);
                var files = new Files(await File.ReadAllTextAsync(drive, ct), waveform ? await File.ReadAllTextAsync(wave, ct) : null);
                // the files were only the carrier of the downloads: the result is the CLI's without -o / --waveform-output
                result = result with { DriveFile = "", WaveformFile = "" };
                job.Stage = "B1+ and 10 g SAR maps of the layer"; job.Fraction = 0;
                var maps = await Task.Run(() => RfShimMaps.Layer(prepared, result, input.ZIndex, B1RotationSense.CounterClockwise, ct), ct);
                _log.LogInformation("{File}: RF shim ({Constraints}) in {S:F1} s, passed {Passed}", input.RelativePath, input.Constraints, result.ElapsedS, result.Passed);
                return (result, maps, files);
            }
            finally { File.Delete(drive); File.Delete(wave); }
        }
        finally { _running.Release(); }
    }

    private async Task<string> DatasetVops(Job job, ShimJobInput input, CancellationToken ct)
    {
        if (Math.Abs(_options.DefaultMassKg - MassKg) > 1e-12)
            throw new SarKitInputException($"The web app averages over {_options.DefaultMassKg * 1e3:G4} g (--mass); RF shim constraints are 10 g VOPs: choose a 10 g VOP file of the data folder instead.");
        string what = $"VOP set of {input.RelativePath} at margin {input.MarginFraction * 100:G4} %";
        job.Stage = what;
        var pending = _vops.GetAsync(input.FullPath, input.RelativePath, input.MarginFraction, ct);
        while (!pending.IsCompleted)
        {
            // show the compression job's own stage (it runs on the VOP page's queue)
            if (_vops.StartOrPoll(input.FullPath, input.RelativePath, input.MarginFraction) is { State: "running", Stage: { } st }) job.Stage = $"{what}: {st}";
            await Task.WhenAny(pending, Task.Delay(500, ct));
            ct.ThrowIfCancellationRequested();
        }
        var set = await pending;
        if (!set.Verification.Certificate.Passed)
            throw new SarKitInputException($"The VOP set of {input.RelativePath} at margin {input.MarginFraction * 100:G4} % failed its certificate; it is not used as a constraint set.");
        Directory.CreateDirectory(_temp);
        var path = Path.Combine(_temp, $"vop-{set.DatasetQSha256[..16]}-{input.MarginFraction.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}.h5");
        if (!File.Exists(path)) VopSetFile.Write(set.Set, path, _settings.Time);
        return path;
    }

    private Task<string> DatasetMvie(Job job, ShimJobInput input, PeakSarEvaluation prepared, CancellationToken ct)
    {
        var fi = new FileInfo(input.FullPath);
        string key = $"{input.FullPath}|{fi.Length}|{fi.LastWriteTimeUtc.Ticks}";
        job.Stage = $"MVIE of the 10 g Q-matrices of {input.RelativePath} (computed on first use)";
        var lazy = _mvies.GetOrAdd(key, _ => new Lazy<Task<string>>(() => Task.Run(() =>
        {
            var aq = prepared.AveragedQ ?? throw new SarKitInputException($"{input.RelativePath}: no averaged Q-matrices: {prepared.AveragingUnavailableReason}");
            Directory.CreateDirectory(_temp);
            string id = Guid.NewGuid().ToString("N")[..12], q = Path.Combine(_temp, $"q-{id}.h5"), mvie = Path.Combine(_temp, $"mvie-{id}.h5");
            try
            {
                QMatrixSetFile.Write(aq, q, input.FullPath, null, _settings.Time);
                var r = MvieConstruction.Run(new MvieRequest { Q = q, Output = mvie, Samples = 0 });
                if (!r.CertificatePassed) throw new SarKitInputException($"The MVIE of {input.RelativePath} failed its certificate (max ratio {r.CertificateMaxRatio:G6}); it is not used as a constraint set.");
                return mvie;
            }
            finally { File.Delete(q); }
        })));
        var task = lazy.Value;
        // a failed construction is not kept: the next request tries again
        _ = task.ContinueWith(t => { if (!t.IsCompletedSuccessfully) _mvies.TryRemove(new KeyValuePair<string, Lazy<Task<string>>>(key, lazy)); }, TaskScheduler.Default);
        return task.WaitAsync(ct);
    }

    private sealed class StageOf(Job job) : IProgress<StageReport>
    {
        public void Report(StageReport p) { job.Stage = p.Stage; job.Fraction = p.Fraction; }
    }

    public void Dispose()
    {
        try { if (Directory.Exists(_temp)) Directory.Delete(_temp, recursive: true); }
        catch (IOException) { /* best effort: a temporary folder */ }
        catch (UnauthorizedAccessException) { }
    }
}
