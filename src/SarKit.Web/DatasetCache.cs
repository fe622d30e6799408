using SarKit.IO;
using SarKit.Sar;

namespace SarKit.Web;

/// <summary>
/// Keeps the most recently used datasets in memory with their precomputed Q-matrices (<see cref="DriveSarMaps"/>), so a
/// drive change in the SAR viewer costs only the quadratic forms. Keyed by file, modification time and averaging mass;
/// concurrent requests for the same key share one computation; failures are not cached.
/// </summary>
public sealed class DatasetCache(SarKitWebOptions options, ILogger<DatasetCache> log)
{
    private readonly object _gate = new();
    private readonly LinkedList<(string Key, Task<DriveSarMaps> Task)> _entries = new();

    /// <summary>The SAR maps engine of a dataset file (full path) for an averaging mass (kg; null: point SAR only).</summary>
    public Task<DriveSarMaps> GetAsync(string fullPath, double? massKg, CancellationToken ct)
    {
        var stamp = File.GetLastWriteTimeUtc(fullPath).Ticks;
        var key = $"{fullPath}|{stamp}|{massKg?.ToString("R", System.Globalization.CultureInfo.InvariantCulture) ?? "point"}";
        Task<DriveSarMaps> task;
        lock (_gate)
        {
            var node = _entries.First;
            while (node is not null && node.Value.Key != key) node = node.Next;
            if (node is not null)
            {
                _entries.Remove(node);
                _entries.AddFirst(node);
                task = node.Value.Task;
            }
            else
            {
                task = Task.Run(() =>
                {
                    var sw = System.Diagnostics.Stopwatch.StartNew();
                    var ds = DatasetFiles.Open(fullPath);
                    double read = sw.Elapsed.TotalSeconds;
                    var maps = DriveSarMaps.Build(ds, massKg);
                    log.LogInformation("{File}: read in {Read:F1} s, Q-matrices{Mass} precomputed in {Build:F1} s",
                        Path.GetFileName(fullPath), read, massKg is { } m ? $" and {m * 1e3:G4} g averaging cubes" : "", sw.Elapsed.TotalSeconds - read);
                    return maps;
                });
                _entries.AddFirst((key, task));
                while (_entries.Count > Math.Max(1, options.CachedDatasets)) _entries.RemoveLast();
                _ = task.ContinueWith(t => { lock (_gate) { var n = _entries.Find((key, task)); if (n is not null) _entries.Remove(n); } },
                    CancellationToken.None, TaskContinuationOptions.NotOnRanToCompletion, TaskScheduler.Default);
            }
        }
        return task.WaitAsync(ct);
    }
}
