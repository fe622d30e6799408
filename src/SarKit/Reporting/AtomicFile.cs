namespace SarKit.Reporting;

/// <summary>
/// An output file that appears only when complete: data goes to a hidden temporary file in the target's folder, which
/// <see cref="Commit"/> renames over the target; <see cref="Dispose"/> without a commit deletes it, so a failed write
/// leaves nothing behind. A killed process cannot clean up: its temporary file stays, recognisable by its name
/// (".NAME.sarkit-tmp-PID-RANDOM"), and the next write to the same target removes it once that PID is gone.
/// </summary>
public sealed class AtomicFile : IDisposable
{
    private readonly string _path, _tmp;
    private bool _done;

    public AtomicFile(string path)
    {
        _tmp = TempPathFor(path, out _path);
        Stream = new FileStream(_tmp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16);
    }

    /// <summary>The temporary file's stream.</summary>
    public FileStream Stream { get; }

    /// <summary>Writes a whole file through <paramref name="write"/>, committing only when it returns without an exception.</summary>
    public static void Write(string path, Action<FileStream> write)
    {
        using var f = new AtomicFile(path);
        write(f.Stream);
        f.Commit();
    }

    /// <summary>Writes to a temporary file beside <paramref name="path"/> and renames it over the target when <paramref name="write"/> succeeds.</summary>
    public static void WriteAtomically(string path, Action<string> write)
    {
        var tmp = AtomicFile.TempPathFor(path, out var full);
        try
        {
            write(tmp);
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(tmp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>Marker in every temporary file name: ".NAME.sarkit-tmp-PID-RANDOM" beside the target NAME.</summary>
    public const string TempMarker = ".sarkit-tmp-";

    /// <summary>
    /// A fresh temporary path beside <paramref name="path"/>, named ".NAME.sarkit-tmp-PID-RANDOM" (PID: the writing
    /// process); throws a clear error when the folder does not exist. Stale temporary files of the same target, left by
    /// a writer that was killed (its process no longer exists), are deleted first (<see cref="RemoveStaleTemps"/>).
    /// </summary>
    public static string TempPathFor(string path, out string fullPath)
    {
        fullPath = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(fullPath)!;
        if (!Directory.Exists(dir)) throw new SarKitInputException($"Cannot write '{path}': folder '{dir}' does not exist.") { SourceFile = path };
        RemoveStaleTemps(fullPath);
        return Path.Combine(dir, $".{Path.GetFileName(fullPath)}{TempMarker}{Environment.ProcessId}-{Guid.NewGuid():N}");
    }

    /// <summary>
    /// Deletes the temporary files of <paramref name="fullPath"/> whose writing process is gone: ".NAME.sarkit-tmp-PID-*"
    /// and the older pattern ".NAME.PID.GUID.tmp". Files of a live process (a concurrent writer) are left alone; files
    /// that cannot be deleted are ignored. Returns the number deleted.
    /// </summary>
    public static int RemoveStaleTemps(string fullPath)
    {
        var dir = Path.GetDirectoryName(fullPath)!;
        string name = Path.GetFileName(fullPath), prefix = "." + name + TempMarker, legacy = "." + name + ".";
        int removed = 0;
        IEnumerable<string> candidates;
        try { candidates = Directory.EnumerateFiles(dir, "." + name + ".*").ToList(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return 0; }
        foreach (var file in candidates)
        {
            string f = Path.GetFileName(file);
            int? pid = null;
            if (f.StartsWith(prefix, StringComparison.Ordinal))
            {
                var rest = f[prefix.Length..];
                int dash = rest.IndexOf('-');
                if (dash > 0 && int.TryParse(rest.AsSpan(0, dash), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int p)) pid = p;
            }
            else if (f.StartsWith(legacy, StringComparison.Ordinal) && f.EndsWith(".tmp", StringComparison.Ordinal))
            {
                var parts = f[legacy.Length..^4].Split('.');
                if (parts.Length == 2 && parts[1].Length == 32 && int.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int p)) pid = p;
                else if (parts.Length == 1 && parts[0].Length == 32 && Guid.TryParseExact(parts[0], "N", out _)) pid = -1; // older still: no pid
            }
            if (pid is not { } owner || (owner >= 0 && ProcessAlive(owner))) continue;
            try { File.Delete(file); removed++; }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return removed;
    }

    private static bool ProcessAlive(int pid)
    {
        if (pid == Environment.ProcessId) return true;
        try { using var p = System.Diagnostics.Process.GetProcessById(pid); return !p.HasExited; }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    /// <summary>Flushes the data to disk and renames the temporary file over the target.</summary>
    public void Commit()
    {
        if (_done) throw new InvalidOperationException($"{_path}: already committed.");
        Stream.Flush(true);
        Stream.Dispose();
        File.Move(_tmp, _path, overwrite: true);
        _done = true;
    }

    public void Dispose()
    {
        if (_done) return;
        Stream.Dispose();
        try { File.Delete(_tmp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        _done = true;
    }
}

/// <summary>Atomic output for callers outside the library (the CLI): see <see cref="AtomicFile"/>.</summary>
public static class AtomicOutput
{
    /// <summary>A fresh temporary path beside <paramref name="path"/> (".NAME.sarkit-tmp-PID-RANDOM"; stale ones of dead writers are removed first).</summary>
    public static string TempPathFor(string path, out string fullPath) => AtomicFile.TempPathFor(path, out fullPath);

    /// <summary>Writes through a temporary file that is renamed over <paramref name="path"/> only when <paramref name="write"/> succeeds.</summary>
    public static void Write(string path, Action<string> write) => AtomicFile.WriteAtomically(path, write);

    /// <summary>Deletes stale temporary files of <paramref name="path"/> whose writing process is gone; returns how many.</summary>
    public static int RemoveStaleTemps(string path) => AtomicFile.RemoveStaleTemps(Path.GetFullPath(path));
}
