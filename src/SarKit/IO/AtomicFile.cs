namespace SarKit.IO;

/// <summary>
/// An output file that appears only when complete: data goes to a hidden temporary file in the target's folder, which
/// <see cref="Commit"/> renames over the target; <see cref="Dispose"/> without a commit deletes it, so a failed write
/// leaves nothing behind.
/// </summary>
internal sealed class AtomicFile : IDisposable
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

    /// <summary>A fresh temporary path beside <paramref name="path"/>; throws a clear error when the folder does not exist.</summary>
    public static string TempPathFor(string path, out string fullPath)
    {
        fullPath = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(fullPath)!;
        if (!Directory.Exists(dir)) throw new SarKitInputException($"Cannot write '{path}': folder '{dir}' does not exist.") { SourceFile = path };
        return Path.Combine(dir, $".{Path.GetFileName(fullPath)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
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
