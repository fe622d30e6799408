using SarKit.IO.Formats;
using SarKit.Workflows;

namespace SarKit.Web;

/// <summary>
/// Keeps the most recently used datasets in memory with their prepared peak-SAR evaluation (<see cref="PeakSarEvaluation.Prepare"/>: averaging cubes and averaged Q-matrices), so a
/// drive change in the SAR viewer costs only its point SAR and cube averages. Keyed by file, size, modification time and averaging
/// mass; bounded by bytes (<see cref="SarKitWebOptions.CacheBudgetBytes"/>, LRU, sizes from <see cref="DatasetMemory"/>)
/// and by count (<see cref="SarKitWebOptions.CachedDatasets"/>); concurrent requests for the same key share one load;
/// loads run one at a time; failures are not cached (<see cref="ByteBudgetCache{T}"/>). A dataset whose estimate alone
/// exceeds the budget is refused (422). Read failures of a corrupt file are per-dataset errors (<see cref="DatasetGuard"/>).
/// </summary>
public sealed class DatasetCache
{
    private readonly ByteBudgetCache<PeakSarEvaluation> _cache;
    private readonly DataFolder _folder;
    private readonly ILogger<DatasetCache> _log;

    public DatasetCache(SarKitWebOptions options, DataFolder folder, ILogger<DatasetCache> log)
    {
        _cache = new ByteBudgetCache<PeakSarEvaluation>(options.EffectiveCacheBudgetBytes, Math.Max(1, options.CachedDatasets));
        _folder = folder; _log = log;
    }

    /// <summary>The underlying cache (budget, bytes used, load count, LRU order).</summary>
    public ByteBudgetCache<PeakSarEvaluation> Entries => _cache;

    /// <summary>The prepared peak-SAR evaluation of a dataset file (full path) for an averaging mass (kg; null: point SAR only).</summary>
    public Task<PeakSarEvaluation> GetAsync(string fullPath, double? massKg, CancellationToken ct)
    {
        var name = _folder.Relative(fullPath);
        var fi = new FileInfo(fullPath);
        var key = $"{fullPath}|{fi.Length}|{fi.LastWriteTimeUtc.Ticks}|{massKg?.ToString("R", System.Globalization.CultureInfo.InvariantCulture) ?? "point"}";
        return _cache.GetAsync(key, $"'{name}'",
            () => DatasetGuard.Read(name, () => DatasetMemory.Estimate(DatasetFiles.ReadInfo(fullPath), massKg)),
            () => DatasetGuard.Read(name, () =>
            {
                var sw = System.Diagnostics.Stopwatch.StartNew();
                var ds = DatasetFiles.Open(fullPath);
                double read = sw.Elapsed.TotalSeconds;
                var maps = PeakSarEvaluation.Prepare(ds, massKg, new PeakSarPreparation { PointSarOnGradedGrid = true, AveragedQMatrices = true });
                _log.LogInformation("{File}: read in {Read:F1} s, Q-matrices{Mass} precomputed in {Build:F1} s",
                    name, read, massKg is { } m ? $" and {m * 1e3:G4} g averaging cubes" : "", sw.Elapsed.TotalSeconds - read);
                return maps;
            }),
            maps =>
            {
                // the build's transient arrays (padded field copy, cube tables) are garbage now, and so is whatever was
                // evicted: collect and compact once per load (loads are rare and take seconds) so that the process
                // gives that memory back instead of growing by a build's peak per load
                GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
                return DatasetMemory.Measure(maps);
            }, ct);
    }
}
