namespace SarKit.Web;

/// <summary>
/// The one folder the web app reads datasets from. Client paths are relative to it ('/'-separated); absolute paths,
/// '..' segments, and links that lead outside the folder are rejected with <see cref="SarKitInputException"/>.
/// </summary>
public sealed class DataFolder
{
    /// <summary>Dataset file extensions listed and opened.</summary>
    public static readonly string[] DatasetExtensions = [".h5", ".hdf5", ".mat", ".npz"];

    /// <summary>Real full path of the folder (links resolved).</summary>
    public string Root { get; }

    public DataFolder(string folder)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        if (!Directory.Exists(full)) throw new SarKitInputException($"Data folder '{folder}' does not exist.");
        Root = RealPath(full);
    }

    /// <summary>
    /// Full path of the file named by <paramref name="relative"/>; throws for absolute paths, '..' segments, empty or
    /// odd names, paths (or links) leading out of the folder, and missing files.
    /// </summary>
    public string Resolve(string? relative)
    {
        if (string.IsNullOrWhiteSpace(relative)) throw new SarKitInputException("No dataset path given (a path relative to the data folder, e.g. 'ptx8_7T_demo.h5').");
        if (relative.Length > 1024) throw new SarKitInputException("Dataset path is longer than 1024 characters.");
        if (relative.Contains('\0') || relative.Contains('\\') || relative.Contains(':'))
            throw new SarKitInputException($"Dataset path '{Shorten(relative)}': backslashes, colons and NUL are not allowed; use a '/'-separated path relative to the data folder.");
        if (Path.IsPathRooted(relative) || relative.StartsWith('/') || relative.StartsWith('~'))
            throw new SarKitInputException($"Dataset path '{Shorten(relative)}': absolute paths are not allowed; give a path relative to the data folder.");
        var parts = relative.Split('/');
        foreach (var p in parts)
            if (p is "" or "." or "..")
                throw new SarKitInputException($"Dataset path '{Shorten(relative)}': empty, '.' or '..' segments are not allowed (the data folder is the only place files are read from).");
        var full = Path.GetFullPath(Path.Combine([Root, .. parts]));
        if (!IsInside(full)) throw new SarKitInputException($"Dataset path '{Shorten(relative)}' leads outside the data folder.");
        // follow links component by component: every real location must stay inside the folder
        string real;
        try { real = RealPath(full); }
        catch (IOException e) { throw new SarKitInputException($"Dataset path '{Shorten(relative)}' cannot be resolved (link loop or unreadable link): {e.Message}", e); }
        catch (UnauthorizedAccessException e) { throw new SarKitInputException($"Dataset path '{Shorten(relative)}' is not accessible: {e.Message}", e); }
        if (!IsInside(real)) throw new SarKitInputException($"Dataset path '{Shorten(relative)}' is a link leading outside the data folder.");
        if (Directory.Exists(real)) throw new SarKitInputException($"Dataset path '{Shorten(relative)}' is a folder, expected a dataset file.");
        if (!File.Exists(real)) throw new SarKitInputException($"Dataset '{Shorten(relative)}' not found in the data folder.");
        // FIFOs, sockets and device files report size 0 (and opening a FIFO would block): only non-empty files are read
        if (new FileInfo(real).Length == 0)
            throw new SarKitInputException($"Dataset '{Shorten(relative)}' is empty or not a regular file (0 bytes).");
        return real;
    }

    /// <summary>Dataset files in the folder and its subfolders (depth ≤ 3; links leaving the folder are skipped).</summary>
    public IReadOnlyList<DataFile> List()
    {
        var list = new List<DataFile>();
        Walk(new DirectoryInfo(Root), "", 0, list);
        return list.OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
    }

    private void Walk(DirectoryInfo dir, string prefix, int depth, List<DataFile> list)
    {
        FileSystemInfo[] entries;
        try { entries = dir.GetFileSystemInfos(); } catch (IOException) { return; } catch (UnauthorizedAccessException) { return; }
        foreach (var e in entries.OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            if (e.Name.StartsWith('.')) continue;
            string rel = prefix + e.Name;
            string real;
            try { real = RealPath(e.FullName); } catch (IOException) { continue; }
            if (!IsInside(real)) continue;
            if (e is DirectoryInfo d)
            {
                if (depth < 3 && e.LinkTarget is null) Walk(d, rel + "/", depth + 1, list);
            }
            else if (DatasetExtensions.Contains(Path.GetExtension(e.Name).ToLowerInvariant()) && File.Exists(real))
            {
                var fi = new FileInfo(real);
                list.Add(new DataFile(rel, fi.Length, fi.LastWriteTimeUtc));
            }
        }
    }

    /// <summary>'/'-separated path of a file of the folder relative to it (for messages).</summary>
    public string Relative(string full) => Path.GetRelativePath(Root, full).Replace(Path.DirectorySeparatorChar, '/');

    private bool IsInside(string full) =>
        full.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal) || full == Root;

    /// <summary>The path with every existing link component resolved (like realpath(3) for the part that exists).</summary>
    internal static string RealPath(string full)
    {
        var root = Path.GetPathRoot(full)!;
        var current = root;
        var rest = full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        for (int n = 0; n < rest.Length; n++)
        {
            var next = Path.Combine(current, rest[n]);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (info.Exists && info.LinkTarget is not null)
            {
                var target = info.ResolveLinkTarget(returnFinalTarget: true);
                if (target is null) return Path.Combine([next, .. rest[(n + 1)..]]);
                next = RealPath(Path.GetFullPath(target.FullName));
            }
            current = next;
        }
        return current;
    }

    private static string Shorten(string s) => s.Length <= 120 ? s : s[..120] + "…";
}

/// <summary>A dataset file of the data folder: '/'-separated path relative to it, size, modification time.</summary>
public sealed record DataFile(string Path, long SizeBytes, DateTime ModifiedUtc);
