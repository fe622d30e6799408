using System.Collections.Concurrent;
using System.Globalization;
using SarKit.Fields;
using SarKit.IO.Formats;
using SarKit.Workflows;

namespace SarKit.Web;

/// <summary>
/// What the pulse-design jobs of the web app share (<see cref="ShimJobs"/>, <see cref="SpokesJobs"/>): one design runs at
/// a time (<see cref="RunOneAtATimeAsync{T}"/>), a private temporary folder (the app never writes into the data folder)
/// and the local-SAR constraint sets of a dataset: its certified VOP set at a margin (<see cref="VopJobs"/>, compressed on
/// first use from the same averaged Q-matrices the designs certify against) and its MVIE (<see cref="MvieConstruction.Run"/>,
/// once per dataset), written as files for the use cases' "vop=FILE" / "mvie=FILE" constraint specs.
/// </summary>
public sealed class PulseDesignWork : IDisposable
{
    /// <summary>Averaging mass of the designs' certification and maps, kg.</summary>
    public const double MassKg = 0.010;

    private readonly DatasetCache _cache;
    private readonly VopJobs _vops;
    private readonly SarKitWebOptions _options;
    private readonly SarKitSettings _settings;
    private readonly SemaphoreSlim _running = new(1, 1);
    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _mvies = new();

    public PulseDesignWork(DatasetCache cache, VopJobs vops, SarKitWebOptions options, SarKitSettings? settings = null)
    {
        _cache = cache; _vops = vops; _options = options; _settings = settings ?? SarKitSettings.Default;
    }

    /// <summary>The private temporary folder (created on first use, deleted on dispose).</summary>
    public string TempFolder { get; } = Path.Combine(Path.GetTempPath(), "sarkit-web-design-" + Guid.NewGuid().ToString("N"));

    /// <summary>Settings of the use cases (parallelism, clock).</summary>
    public SarKitSettings Settings => _settings;

    /// <summary>A file name in <see cref="TempFolder"/> (the folder is created).</summary>
    public string TempFile(string name)
    {
        Directory.CreateDirectory(TempFolder);
        return Path.Combine(TempFolder, name);
    }

    /// <summary>Runs <paramref name="work"/> when no other design runs (waiting, cancellably, for the one that does).</summary>
    public async Task<T> RunOneAtATimeAsync<T>(Func<Task<T>> work, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(work);
        await _running.WaitAsync(ct);
        try { return await work(); }
        finally { _running.Release(); }
    }

    /// <summary>
    /// The first steps of every design job: the dataset with its 10 g averaged Q-matrices from the dataset cache, the
    /// constraint spec of the form (<see cref="ConstraintSpecAsync"/>), and whether the drive unit has a waveform unit
    /// (volt, √W or ampere: the use cases' waveform CSV needs one).
    /// </summary>
    public async Task<(PeakSarEvaluation Prepared, string Spec, bool Waveform)> PrepareAsync(DesignFormInput form, Action<string> stage, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(form);
        ArgumentNullException.ThrowIfNull(stage);
        stage("reading the dataset and its 10 g Q-matrices");
        var prepared = await _cache.GetAsync(form.FullPath, MassKg, ct);
        ct.ThrowIfCancellationRequested();
        string spec = await ConstraintSpecAsync(form.Constraints, form.VopFullPath, form.MvieFullPath, form.FullPath, form.RelativePath, form.MarginFraction, prepared, stage, ct);
        bool waveform = prepared.Dataset.E.Normalisation is FieldNormalisation.PerVoltIncident or FieldNormalisation.PerSqrtWattIncident or FieldNormalisation.PerAmpere;
        return (prepared, spec, waveform);
    }

    /// <summary>
    /// The constraint spec of the use cases for a constraint kind of the form: "all"; "vop=FILE" or "vop-seeded=FILE" (<paramref name="vopFile"/>, else
    /// the dataset's VOP set at <paramref name="marginFraction"/>); "mvie=FILE" (<paramref name="mvieFile"/>, else the dataset's MVIE).
    /// </summary>
    private async Task<string> ConstraintSpecAsync(string kind, string? vopFile, string? mvieFile, string fullPath, string relativePath, double marginFraction,
        PeakSarEvaluation prepared, Action<string> stage, CancellationToken ct) => kind switch
    {
        "all" => "all",
        "vop" or "vop-seeded" => kind + "=" + (vopFile ?? await DatasetVops(fullPath, relativePath, marginFraction, stage, ct)),
        _ => "mvie=" + (mvieFile ?? await DatasetMvie(fullPath, relativePath, prepared, stage, ct)),
    };

    private async Task<string> DatasetVops(string fullPath, string relativePath, double marginFraction, Action<string> stage, CancellationToken ct)
    {
        if (Math.Abs(_options.DefaultMassKg - MassKg) > 1e-12)
            throw new SarKitInputException($"The web app averages over {_options.DefaultMassKg * 1e3:G4} g (--mass); pulse-design constraints are 10 g VOPs: choose a 10 g VOP file of the data folder instead.");
        string what = $"VOP set of {relativePath} at margin {marginFraction * 100:G4} %";
        stage(what);
        var pending = _vops.GetAsync(fullPath, relativePath, marginFraction, ct);
        while (!pending.IsCompleted)
        {
            // show the compression job's own stage (it runs on the VOP page's queue)
            if (_vops.StartOrPoll(fullPath, relativePath, marginFraction) is { State: "running", Stage: { } st }) stage($"{what}: {st}");
            await Task.WhenAny(pending, Task.Delay(500, ct));
            ct.ThrowIfCancellationRequested();
        }
        var set = await pending;
        if (!set.Verification.Certificate.Passed)
            throw new SarKitInputException($"The VOP set of {relativePath} at margin {marginFraction * 100:G4} % failed its certificate; it is not used as a constraint set.");
        var path = TempFile($"vop-{set.DatasetQSha256[..16]}-{marginFraction.ToString("R", CultureInfo.InvariantCulture)}.h5");
        if (!File.Exists(path)) VopSetFile.Write(set.Set, path, _settings.Time);
        return path;
    }

    private Task<string> DatasetMvie(string fullPath, string relativePath, PeakSarEvaluation prepared, Action<string> stage, CancellationToken ct)
    {
        var fi = new FileInfo(fullPath);
        string key = $"{fullPath}|{fi.Length}|{fi.LastWriteTimeUtc.Ticks}";
        stage($"MVIE of the 10 g Q-matrices of {relativePath} (computed on first use)");
        var lazy = _mvies.GetOrAdd(key, _ => new Lazy<Task<string>>(() => Task.Run(() =>
        {
            var aq = prepared.AveragedQ ?? throw new SarKitInputException($"{relativePath}: no averaged Q-matrices: {prepared.AveragingUnavailableReason}");
            string id = Guid.NewGuid().ToString("N")[..12], q = TempFile($"q-{id}.h5"), mvie = TempFile($"mvie-{id}.h5");
            try
            {
                QMatrixSetFile.Write(aq, q, fullPath, null, _settings.Time);
                var r = MvieConstruction.Run(new MvieRequest { Q = q, Output = mvie, Samples = 0 });
                if (!r.CertificatePassed) throw new SarKitInputException($"The MVIE of {relativePath} failed its certificate (max ratio {r.CertificateMaxRatio:G6}); it is not used as a constraint set.");
                return mvie;
            }
            finally { File.Delete(q); }
        })));
        var task = lazy.Value;
        // a failed construction is not kept: the next request tries again
        _ = task.ContinueWith(t => { if (!t.IsCompletedSuccessfully) _mvies.TryRemove(new KeyValuePair<string, Lazy<Task<string>>>(key, lazy)); }, TaskScheduler.Default);
        return task.WaitAsync(ct);
    }

    public void Dispose()
    {
        try { if (Directory.Exists(TempFolder)) Directory.Delete(TempFolder, recursive: true); }
        catch (IOException) { /* best effort: a temporary folder */ }
        catch (UnauthorizedAccessException) { }
        _running.Dispose();
    }
}
