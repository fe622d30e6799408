using System.Collections.Concurrent;
using SarKit.IO;
using SarKit.IO.Formats;
using SarKit.Workflows.Results;

namespace SarKit.Web;

/// <summary>
/// The dataset listing with a per-file check: each file's header is read (<see cref="DatasetFiles.ReadInfo"/>, fields
/// not loaded) inside <see cref="DatasetGuard"/>, so a corrupt, truncated or foreign file shows its error in the listing
/// and never breaks the listing itself. Results are remembered per file, size and modification time.
/// </summary>
public sealed class DatasetListing(DataFolder folder, ILogger<DatasetListing> log)
{
    private const int Remembered = 4096;
    private readonly ConcurrentDictionary<string, string?> _checked = new(StringComparer.Ordinal);

    /// <summary>Every dataset file of the folder with its error (null when its header reads).</summary>
    public IReadOnlyList<DatasetFileResult> List()
    {
        var files = folder.List();
        if (_checked.Count > Remembered) _checked.Clear();
        return files.Select(f => new DatasetFileResult(f.Path, f.SizeBytes, f.ModifiedUtc, Check(f))).ToList();
    }

    private string? Check(DataFile f)
    {
        var key = $"{f.Path}|{f.SizeBytes}|{f.ModifiedUtc.Ticks}";
        if (_checked.TryGetValue(key, out var known)) return known;
        string? error;
        try
        {
            var full = folder.Resolve(f.Path);
            DatasetGuard.Read(f.Path, () => DatasetFiles.ReadInfo(full));
            error = null;
        }
        catch (Exception e) when (DatasetGuard.ErrorOf(e) is not null)
        {
            error = DatasetGuard.ErrorOf(e);
            log.LogInformation("{File}: {Error}", f.Path, error);
        }
        _checked[key] = error;
        return error;
    }
}
