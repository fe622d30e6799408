using System.IO.Compression;
using SarKit.Reporting;

namespace SarKit.IO.Arrays;

/// <summary>
/// A NumPy .npz archive (what np.savez / np.savez_compressed write): a ZIP file whose members "name.npy" are .npy
/// files, stored or deflated. Opening reads the member list and each member's .npy header; values are read lazily,
/// one member at a time, streamed from the archive. Dispose to close the file.
/// Every member is checked (docs/array-formats.md, "Integrity and size checks"): its declared sizes against the archive
/// and the deflate ratio bound, its .npy shape against its declared size, and, whenever its values are read, its real
/// size and CRC-32 against the central directory (<see cref="CheckedZipEntryStream"/>).
/// </summary>
public sealed class NpzArchive : IArrayCollection, IDisposable
{
    private readonly ZipArchive _zip;
    private readonly Dictionary<string, StoredArray> _arrays = new(StringComparer.Ordinal);
    private readonly List<string> _names = new();

    /// <summary>Members whose declared size exceeds this multiple of their compressed size are inflated once at open to prove their real size.</summary>
    private const long SuspiciousRatio = 64;

    private NpzArchive(string source, ZipArchive zip, long archiveBytes)
    {
        SourceFile = source;
        _zip = zip;
        foreach (var e in zip.Entries)
        {
            if (e.FullName.EndsWith('/')) continue;
            string name = e.FullName.EndsWith(".npy", StringComparison.Ordinal) ? e.FullName[..^4] : e.FullName;
            CheckedZipEntryStream.CheckDeclaredSizes(e, archiveBytes, source);
            NpyHeader h;
            try
            {
                using var s = new CheckedZipEntryStream(e, source);
                h = NpyFile.ReadHeader(s, $"{source}:{e.FullName}");
                // a highly compressed member is inflated once (streamed, nothing kept) so that its real size and CRC,
                // not only its declared size, are known before an array of that size is allocated
                if (e.Length > SuspiciousRatio * Math.Max(e.CompressedLength, 1) && e.Length > 1 << 20) s.VerifyComplete();
            }
            catch (InvalidDataException ex) { throw new SarKitInputException($"'{source}': member '{e.FullName}' cannot be decompressed: {ex.Message}", ex) { SourceFile = source, Dataset = name }; }
            catch (EndOfStreamException ex) { throw new SarKitInputException($"'{source}': member '{e.FullName}' ends inside its .npy header (truncated?).", ex) { SourceFile = source, Dataset = name }; }
            var entry = e;
            var arr = NpyFile.Create(h, name, source, () =>
            {
                var s = new CheckedZipEntryStream(entry, source);
                try { ScalarCodec.Skip(s, h.HeaderBytes); }
                catch { s.Dispose(); throw; }
                return s;
            }, e.Length - h.HeaderBytes);
            _arrays[name] = arr;
            _names.Add(name);
        }
    }

    /// <summary>Opens an .npz file and reads its member headers.</summary>
    public static NpzArchive Open(string path)
    {
        if (!File.Exists(path)) throw new SarKitInputException($"NumPy archive '{path}' does not exist.") { SourceFile = path };
        var fs = File.OpenRead(path);
        try { return new NpzArchive(path, new ZipArchive(fs, ZipArchiveMode.Read, leaveOpen: false), fs.Length); }
        catch (InvalidDataException ex) { fs.Dispose(); throw new SarKitInputException($"'{path}' is not a valid .npz (ZIP) archive: {ex.Message}", ex) { SourceFile = path }; }
        catch { fs.Dispose(); throw; }
    }

    public string SourceFile { get; }

    /// <summary>Member names without the ".npy" suffix, in archive order.</summary>
    public IReadOnlyList<string> Names => _names;

    public StoredArray? Find(string name) => _arrays.GetValueOrDefault(name);

    /// <summary>The member of that name; throws <see cref="SarKitInputException"/> listing the members when absent.</summary>
    public StoredArray Get(string name) => ArrayCollections.Get(this, name);

    /// <summary>Reads one member completely.</summary>
    public NdArray Read(string name) => Get(name).Read();

    public void Dispose() => _zip.Dispose();

    /// <summary>Writes arrays to an .npz file (deflated when <paramref name="compress"/>, like np.savez_compressed).</summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, NdArray>> arrays, bool compress = true)
    {
        using var w = NpzWriter.Create(path, compress);
        foreach (var (k, v) in arrays) w.Add(k, v);
        w.Commit();
    }
}

/// <summary>
/// Writes an .npz archive member by member (each streamed, no full copy). The file appears at its path only on
/// <see cref="Commit"/>; disposing without committing discards it.
/// </summary>
public sealed class NpzWriter : IDisposable
{
    private readonly string _path;
    private readonly AtomicFile _file;
    private ZipArchive? _zip;
    private readonly CompressionLevel _level;
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private bool _done;

    private NpzWriter(string path, CompressionLevel level)
    {
        _file = new AtomicFile(path);
        _path = Path.GetFullPath(path);
        _zip = new ZipArchive(_file.Stream, ZipArchiveMode.Create, leaveOpen: true);
        _level = level;
    }

    /// <summary>Starts an .npz file; members are deflated when <paramref name="compress"/>, stored otherwise.</summary>
    public static NpzWriter Create(string path, bool compress = true)
        => new(path, compress ? CompressionLevel.Optimal : CompressionLevel.NoCompression);

    /// <summary>Adds an array member "<paramref name="name"/>.npy" (C order, little endian).</summary>
    public void Add(string name, NdArray array) => Add(name, ArrayContent.Of(array));

    /// <inheritdoc cref="Add(string, NdArray)"/>
    public void Add(string name, IArrayContent content) => AddMember(name, s => NpyFile.Write(s, content));

    /// <summary>Adds a text member (NumPy unicode scalar).</summary>
    public void AddText(string name, string text) => AddMember(name, s => NpyFile.WriteText(s, text));

    private void AddMember(string name, Action<Stream> write)
    {
        if (_zip is null) throw new InvalidOperationException("NpzWriter: already committed.");
        if (string.IsNullOrEmpty(name) || name.Contains('/') || name.Contains('\\'))
            throw new SarKitInputException($"'{_path}': invalid array name '{name}'.") { SourceFile = _path, Dataset = name };
        if (!_names.Add(name)) throw new SarKitInputException($"'{_path}': array '{name}' added twice.") { SourceFile = _path, Dataset = name };
        var e = _zip.CreateEntry(name + ".npy", _level);
        using var s = e.Open();
        write(s);
    }

    /// <summary>Finishes the archive and renames it over the target.</summary>
    public void Commit()
    {
        if (_zip is null) throw new InvalidOperationException("NpzWriter: already committed.");
        _zip.Dispose(); _zip = null;
        _file.Commit();
        _done = true;
    }

    public void Dispose()
    {
        if (_done) return;
        _zip?.Dispose(); _zip = null;
        _file.Dispose();
        _done = true;
    }
}
