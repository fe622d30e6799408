using System.Runtime.InteropServices;
using System.Text;
using PureHDF;
using PureHDF.Selections;
using PureHDF.VOL.Native;

namespace SarKit.IO.Hdf5.Managed;

/// <summary>
/// Read-only HDF5 access through PureHDF 2.2.0 (managed, bounds-checked: a corrupt file raises an exception instead of
/// corrupting memory), guarded against what a managed parser can still do wrong (see <see cref="GuardedFileStream"/>),
/// and checked so that nothing is read that SarKit cannot vouch for: external links, virtual datasets and external
/// storage are refused (they would read other files), datatypes must be exactly the layouts in docs/hdf5.md, declared
/// sizes must fit in the file, and every chunk must really be stored. Every failure is a <see cref="SarKitInputException"/>
/// naming the file and object. Backs <see cref="Hdf5File.OpenRead"/>.
/// </summary>
internal sealed class ManagedHdf5Reader : IDisposable
{
    /// <summary>Chunk cache per open dataset (bytes), as the libhdf5 reader had.</summary>
    private const long ChunkCacheBytes = 64L << 20;

    /// <summary>HDF5 filter identifiers accepted: deflate (1), shuffle (2), Fletcher-32 checksum (3).</summary>
    private static readonly int[] AcceptedFilters = [1, 2, 3];

    private readonly GuardedFileStream _stream;
    private readonly NativeFile _file;
    private readonly Dictionary<string, HashSet<string>> _externalLinks = new(StringComparer.Ordinal);
    private (string Path, NativeDataset Dataset, DatasetFacts Facts, H5DatasetAccess Access)? _cached;

    /// <summary>Readers over the same open file for parallel chunk decompression (see <see cref="TryReadParallel{TFile}"/>); opened on first use.</summary>
    private readonly List<ManagedHdf5Reader> _workers = [];
    private readonly bool _isWorker;

    /// <summary>Selections of filtered (deflate) chunked data at least this large are decompressed in parallel.</summary>
    internal const long ParallelMinBytes = 4L << 20;

    public string FilePath { get; }

    /// <summary>Deflate on native zlib for every read of this process (<see cref="ZlibInflateFilter"/>).</summary>
    static ManagedHdf5Reader() => ZlibInflateFilter.Register();

    private ManagedHdf5Reader(string path, GuardedFileStream stream, NativeFile file, bool isWorker = false)
    {
        FilePath = path;
        _stream = stream;
        _file = file;
        _isWorker = isWorker;
    }

    private void DisposeWorkers()
    {
        foreach (var w in _workers) w.Dispose();
        _workers.Clear();
    }

    /// <summary>A second reader over this reader's open file handle (same file, own PureHDF state, stream, budget and chunk cache).</summary>
    private ManagedHdf5Reader OpenWorker()
    {
        var stream = new GuardedFileStream(_stream);
        try
        {
            stream.Seek(0, SeekOrigin.Begin);   // as in Open: PureHDF looks for the superblock from the current position
            stream.BeginOperation();
            return new ManagedHdf5Reader(FilePath, stream, H5File.Open(stream, leaveOpen: false), isWorker: true);
        }
        catch { stream.Dispose(); throw; }
    }

    public static ManagedHdf5Reader Open(string path)
    {
        if (!File.Exists(path)) throw new SarKitInputException($"{path}: file not found.") { SourceFile = path };
        GuardedFileStream? stream = null;
        try
        {
            stream = new GuardedFileStream(path);
            if (!HasSignature(stream))
                throw new SarKitInputException($"{path}: not an HDF5 file (no HDF5 signature found).") { SourceFile = path };
            stream.Seek(0, SeekOrigin.Begin);
            stream.BeginOperation();
            var file = H5File.Open(stream, leaveOpen: false);
            var reader = new ManagedHdf5Reader(path, stream, file);
            stream = null;
            return reader;
        }
        catch (SarKitInputException) { throw; }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new SarKitInputException($"{path}: cannot open the HDF5 file: {Describe(e)}", e) { SourceFile = path };
        }
        finally { stream?.Dispose(); }
    }

    /// <summary>The 8-byte HDF5 signature at offset 0, 512, 1024, 2048, ... (HDF5 file format spec, II.A: superblock).</summary>
    private static bool HasSignature(GuardedFileStream s)
    {
        ReadOnlySpan<byte> sig = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
        Span<byte> buf = stackalloc byte[8];
        for (long off = 0; off + 8 <= s.FileLength; off = off == 0 ? 512 : off * 2)
        {
            s.Seek(off, SeekOrigin.Begin);
            s.BeginOperation();
            if (s.Read(buf) == 8 && buf.SequenceEqual(sig)) return true;
        }
        return false;
    }

    public void Dispose()
    {
        _cached = null;
        DisposeWorkers();
        try { _file.Dispose(); } catch (Exception) { /* closing a corrupt file must not throw */ }
        _stream.Dispose();
    }

    // ---------------------------------------------------------------- guard

    private static string Describe(Exception e) => e switch
    {
        System.Reflection.TargetInvocationException { InnerException: { } inner } => Describe(inner),
        AggregateException { InnerException: { } inner } => Describe(inner),
        Hdf5StructureException => e.Message,
        OutOfMemoryException => "a structure declares more memory than is available (corrupt size field?)",
        InsufficientExecutionStackException => "the file's structure nests too deeply (cyclic B-tree, heap or link?)",
        EndOfStreamException => "a structure extends past the end of the file (truncated file?)",
        _ => $"{e.Message} ({e.GetType().Name})",
    };

    private SarKitInputException Input(string p, string message) => new($"{FilePath}: {p}: {message}") { SourceFile = FilePath, Dataset = p };

    /// <summary>Runs one operation with a fresh read budget; any exception PureHDF raises becomes a <see cref="SarKitInputException"/>.</summary>
    private T Guard<T>(string p, string what, Func<T> f)
    {
        _stream.BeginOperation();
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        try { return f(); }
        catch (SarKitInputException) { ReleaseAfterFailure(allocated); throw; }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _cached = null;
            ReleaseAfterFailure(allocated);
            throw new SarKitInputException($"{FilePath}: {p}: {what}: {Describe(e)}", e) { SourceFile = FilePath, Dataset = p };
        }
    }

    /// <summary>
    /// A corrupt size field can make PureHDF allocate a large buffer (up to 2 GiB) before the read past the end of the
    /// file fails. Such a buffer is garbage at once; when a failed operation allocated more than 64 MiB, the heap is
    /// collected and compacted so a long-running process (the web app) returns the memory instead of keeping it.
    /// </summary>
    private static void ReleaseAfterFailure(long allocatedBefore)
    {
        if (GC.GetAllocatedBytesForCurrentThread() - allocatedBefore < (64L << 20)) return;
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    // ---------------------------------------------------------------- structure

    private static string[] Segments(string p) => p == "/" ? [] : p[1..].Split('/');

    /// <summary>Refuses a group holding an external link (it would read another file: outside --data, outside the input).</summary>
    private void RefuseExternalLinks(NativeGroup g, string gp)
    {
        if (!_externalLinks.TryGetValue(gp, out var ext))
        {
            ext = new HashSet<string>(PureHdfInternals.ExternalLinks(g), StringComparer.Ordinal);
            _externalLinks[gp] = ext;
        }
        if (ext.Count > 0)
        {
            var first = ext.Order(StringComparer.Ordinal).First();
            throw Input(gp == "/" ? "/" + first : gp + "/" + first, "is an HDF5 external link (to another file); SarKit refuses external links, they would read data from outside the input file");
        }
    }

    /// <summary>Resolves <paramref name="p"/> link by link; null when a link is missing or dangling.</summary>
    private IH5Object? Resolve(string p)
    {
        IH5Object cur = _file;
        string cp = "/";
        foreach (var seg in Segments(p))
        {
            if (cur is not NativeGroup g) return null;
            RefuseExternalLinks(g, cp);
            if (seg.Length == 0 || !g.LinkExists(seg)) return null;
            cur = g.Get(seg);
            if (cur is IH5UnresolvedLink) return null;
            cp = cp == "/" ? "/" + seg : cp + "/" + seg;
        }
        if (cur is NativeGroup last) RefuseExternalLinks(last, cp);
        return cur;
    }

    private static Hdf5ObjectKind KindOf(IH5Object? o) => o switch
    {
        null => Hdf5ObjectKind.Missing,
        IH5Dataset => Hdf5ObjectKind.Dataset,
        IH5Group => Hdf5ObjectKind.Group,
        IH5CommitedDatatype => Hdf5ObjectKind.NamedDatatype,
        IH5UnresolvedLink => Hdf5ObjectKind.Missing,
        _ => Hdf5ObjectKind.Other,
    };

    public Hdf5ObjectKind GetKind(string p) => Guard(p, "cannot look up the object", () => KindOf(Resolve(p)));

    public IReadOnlyList<Hdf5Entry> List(string g) => Guard(g, "cannot list the group", () =>
    {
        var o = Resolve(g);
        if (o is not NativeGroup grp) throw Input(g, o is null ? "no such group" : "is not a group");
        return ListGroup(grp, g);
    });

    private List<Hdf5Entry> ListGroup(NativeGroup grp, string g)
    {
        RefuseExternalLinks(grp, g);
        var result = new List<Hdf5Entry>();
        foreach (var child in grp.Children())
        {
            var name = child.Name;
            if (result.Count >= Hdf5Limits.MaxListedObjects) throw Input(g, $"holds more than {Hdf5Limits.MaxListedObjects} objects");
            result.Add(new Hdf5Entry(name, g == "/" ? "/" + name : g + "/" + name, KindOf(child)));
        }
        result.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return result;
    }

    /// <summary>
    /// Depth-first listing without recursion. Every group is expanded once (by header address, as h5py's visititems):
    /// a hard-link cycle or a lattice of links to one group cannot make the listing loop or explode; at most
    /// <see cref="Hdf5Limits.MaxGroupDepth"/> levels and <see cref="Hdf5Limits.MaxListedObjects"/> entries.
    /// </summary>
    public IReadOnlyList<Hdf5Entry> ListRecursive(string root)
    {
        var all = new List<Hdf5Entry>();
        var visited = new HashSet<ulong>();
        var stack = new Stack<(Hdf5Entry Entry, int Depth)>();
        Guard(root, "cannot list the group", () =>
        {
            if (Resolve(root) is NativeGroup g) visited.Add(PureHdfInternals.Address(g));
            return 0;
        });
        foreach (var e in Enumerable.Reverse(List(root))) stack.Push((e, 1));
        while (stack.Count > 0)
        {
            var (e, depth) = stack.Pop();
            all.Add(e);
            if (all.Count > Hdf5Limits.MaxListedObjects) throw Input(root, $"holds more than {Hdf5Limits.MaxListedObjects} objects");
            if (e.Kind != Hdf5ObjectKind.Group) continue;
            bool first = Guard(e.Path, "cannot list the group", () => Resolve(e.Path) is NativeGroup g && visited.Add(PureHdfInternals.Address(g)));
            if (!first) continue;   // a group reached again through another hard link: listed, not expanded again
            if (depth >= Hdf5Limits.MaxGroupDepth)
                throw Input(e.Path, $"groups nest deeper than {Hdf5Limits.MaxGroupDepth} levels");
            foreach (var c in Enumerable.Reverse(List(e.Path))) stack.Push((c, depth + 1));
        }
        return all;
    }

    // ---------------------------------------------------------------- dataset checks

    /// <summary>Checked facts about a dataset, established before anything is allocated.</summary>
    private sealed record DatasetFacts(long[] Shape, ManagedType Type, H5DataLayoutClass Layout, long[]? Chunk, bool Filtered, bool NullSpace, bool Scalar);

    private NativeDataset OpenDataset(string p)
    {
        var o = Resolve(p);
        if (o is NativeDataset d) return d;
        var k = KindOf(o);
        throw Input(p, k == Hdf5ObjectKind.Missing ? "required dataset is missing" : $"is a {k.ToString().ToLowerInvariant()}, not a dataset");
    }

    private DatasetFacts Facts(string p, NativeDataset d)
    {
        var type = ManagedType.From(PureHdfInternals.DatasetType(d));
        var space = d.Space;
        bool nullSpace = space.Type == H5DataspaceType.Null, scalar = space.Type == H5DataspaceType.Scalar;
        var dims = nullSpace ? [0L] : scalar ? [] : space.Dimensions.Select(x => x > long.MaxValue ? -1 : (long)x).ToArray();
        string shapeText = $"[{string.Join(",", dims)}]";
        if (dims.Any(x => x < 0)) throw Input(p, $"declares a dimension larger than 2^63 {shapeText}");
        var layout = d.Layout.Class;
        if (layout == H5DataLayoutClass.VirtualStorage)
            throw Input(p, "is an HDF5 virtual dataset (its data lives in other files); SarKit refuses virtual datasets");
        if (PureHdfInternals.HasExternalFileList(d))
            throw Input(p, "stores its data in external files (HDF5 external storage); SarKit refuses external storage");
        var filters = PureHdfInternals.FilterIds(d);
        var unknown = filters.Where(f => !AcceptedFilters.Contains(f)).ToArray();
        if (unknown.Length > 0)
            throw Input(p, $"uses HDF5 filter {string.Join(",", unknown)}; only deflate (1), shuffle (2) and fletcher32 (3) are accepted");
        long? bytes = Hdf5Limits.ByteCount(dims, type.FileSize);
        if (bytes is null) throw Input(p, $"declared size {shapeText} × {type.FileSize} bytes overflows a 64-bit integer");
        long[]? chunk = null;
        if (layout == H5DataLayoutClass.Chunked && dims.Length > 0)
        {
            chunk = d.Layout.Chunks.Select(x => x > int.MaxValue ? -1 : (long)x).ToArray();
            long? cb = Hdf5Limits.ByteCount(chunk, type.FileSize);
            if (chunk.Length != dims.Length || chunk.Any(c => c < 1) || cb is null || cb > int.MaxValue)
                throw Input(p, $"chunk shape [{string.Join(",", d.Layout.Chunks)}] is invalid for shape {shapeText}");
        }
        bool filtered = filters.Length > 0;
        long limit = layout == H5DataLayoutClass.Compact ? 65536 : filtered ? Hdf5Limits.MaxDeflateRatio * _stream.FileLength : _stream.FileLength;
        if (layout != H5DataLayoutClass.Compact && bytes > limit)
            throw Input(p, $"declares {shapeText} {type.Description} = {bytes} bytes, more than a {_stream.FileLength}-byte file can hold" +
                           (filtered ? $" even at the deflate maximum of {Hdf5Limits.MaxDeflateRatio}:1" : " (uncompressed)") + " (corrupt or truncated file)");
        return new DatasetFacts(dims, type, layout, chunk, filtered, nullSpace, scalar);
    }

    private (NativeDataset D, DatasetFacts F, H5DatasetAccess A) Cached(string p)
    {
        if (_cached is { } c && c.Path == p) return (c.Dataset, c.Facts, c.Access);
        _cached = null;
        var d = OpenDataset(p);
        var f = Facts(p, d);
        long chunkBytes = f.Chunk is null ? 0 : Hdf5Limits.ByteCount(f.Chunk, f.Type.FileSize)!.Value;
        var access = new H5DatasetAccess(ChunkCache: new CheckingChunkCache(_stream, Math.Max(ChunkCacheBytes, 2 * chunkBytes),
            i => Input(p, $"chunk {i} is not stored in the file (unallocated chunks would read as the fill value: missing data)")));
        _cached = (p, d, f, access);
        return (d, f, access);
    }

    public Hdf5DatasetInfo GetDatasetInfo(string p) => Guard(p, "cannot read the dataset header", () =>
    {
        var (_, f, _) = Cached(p);
        if (f.Type.Refusal is not null) throw Input(p, $"datatype {f.Type.Refusal}; SarKit accepts only the layouts in docs/hdf5.md");
        return new Hdf5DatasetInfo(p, f.Shape, f.Type.Element, f.Type.Description, f.Chunk);
    });

    // ---------------------------------------------------------------- dataset reads

    private static long[] Selection(Func<string, SarKitInputException> input, long[] shape, long[]? start, long[]? count)
    {
        if (start is null && count is null) return shape;
        if (start is null || count is null) throw new ArgumentException("Give both start and count for a hyperslab.");
        if (start.Length != shape.Length || count.Length != shape.Length)
            throw input($"hyperslab of rank {start.Length}/{count.Length} for a dataset of rank {shape.Length} [{string.Join(",", shape)}]");
        for (int a = 0; a < shape.Length; a++)
            if (start[a] < 0 || count[a] < 0 || start[a] > shape[a] - count[a])
                throw input($"hyperslab axis {a}: start {start[a]} count {count[a]} is outside 0..{shape[a]} (shape [{string.Join(",", shape)}])");
        return (long[])count.Clone();
    }

    private (NativeDataset D, DatasetFacts F, H5DatasetAccess A, NdType Et, long[] Sel, long N) Prepare(string p, long[]? start, long[]? count)
    {
        var (d, f, a) = Cached(p);
        if (f.Type.Refusal is not null) throw Input(p, $"datatype {f.Type.Refusal}; SarKit accepts only the layouts in docs/hdf5.md");
        if (f.Type.Element is not { } et)
            throw Input(p, $"datatype {f.Type.Description} is not numeric (expected integer, float, complex compound {{r,i}}/{{real,imag}} or boolean)");
        if (f.NullSpace) throw Input(p, "the dataset has no data (null dataspace)");
        var sel = Selection(m => Input(p, m), f.Shape, start, count);
        long n = Hdf5Limits.ByteCount(sel, 1) ?? throw Input(p, "selection size overflows");
        return (d, f, a, et, sel, n);
    }

    public NdArray ReadDataset(string p, long[]? start, long[]? count) => Guard(p, "cannot read the dataset", () =>
    {
        var (d, f, a, et, sel, n) = Prepare(p, start, count);
        bool complex = et is NdType.Complex64 or NdType.Complex128;
        long bytes = n * f.Type.FileSize;
        long cap = Hdf5Limits.MaxArrayBytes;
        if (bytes > cap)
            throw Input(p, $"reading [{string.Join(",", sel)}] {f.Type.Description} needs {bytes} bytes, more than the limit of {cap} bytes for one array ({Hdf5Limits.MaxArrayBytesVariable}); read it in hyperslabs");
        long elements = complex ? 2 * n : n;
        if (elements > Array.MaxLength) throw Input(p, $"{n} elements [{string.Join(",", sel)}] are too many to read at once; read it in hyperslabs");
        var data = Array.CreateInstance(NdArray.ClrType(et), elements);
        var shape = sel.Select(x => checked((int)x)).ToArray();
        if (n == 0) return new NdArray(et, shape, data);
        switch (data)
        {
            case bool[] b:
            {
                var raw = new byte[n];
                ReadRaw<byte>(p, d, f, a, raw, start, sel);
                for (long i = 0; i < n; i++) b[i] = raw[i] != 0;
                break;
            }
            case float[] x when complex: ReadRaw(p, d, f, a, MemoryMarshal.Cast<float, C64>(x.AsSpan()), start, sel); break;
            case double[] x when complex: ReadRaw(p, d, f, a, MemoryMarshal.Cast<double, C128>(x.AsSpan()), start, sel); break;
            case float[] x: ReadRaw<float>(p, d, f, a, x, start, sel); break;
            case double[] x: ReadRaw<double>(p, d, f, a, x, start, sel); break;
            case sbyte[] x: ReadRaw<sbyte>(p, d, f, a, x, start, sel); break;
            case byte[] x: ReadRaw<byte>(p, d, f, a, x, start, sel); break;
            case short[] x: ReadRaw<short>(p, d, f, a, x, start, sel); break;
            case ushort[] x: ReadRaw<ushort>(p, d, f, a, x, start, sel); break;
            case int[] x: ReadRaw<int>(p, d, f, a, x, start, sel); break;
            case uint[] x: ReadRaw<uint>(p, d, f, a, x, start, sel); break;
            case long[] x: ReadRaw<long>(p, d, f, a, x, start, sel); break;
            case ulong[] x: ReadRaw<ulong>(p, d, f, a, x, start, sel); break;
            default: throw new InvalidOperationException($"unexpected element type {et}");
        }
        return new NdArray(et, shape, data);
    });

    /// <summary>Reads into <paramref name="destination"/> (same element size as the file type); checks that the data really came from the file.</summary>
    private void ReadRaw<TFile>(string p, NativeDataset d, DatasetFacts f, H5DatasetAccess a, Span<TFile> destination, long[]? start, long[] sel) where TFile : unmanaged
    {
        if (Marshal.SizeOf<TFile>() != f.Type.FileSize) throw new InvalidOperationException($"{p}: element size mismatch");
        long n = destination.Length;
        if (n == 0) return;
        if (TryReadParallel(p, f, destination, start, sel)) return;
        long before = _stream.DatasetBytesRead;
        Selection? fileSel = start is null ? null : new HyperslabSelection(sel.Length, start.Select(x => (ulong)x).ToArray(), sel.Select(x => (ulong)x).ToArray());
        // Raw mode (a byte destination): PureHDF copies the stored bytes without its own type or byte-order handling
        // (it refuses big-endian data otherwise); the datatype was checked by ManagedType and the bytes are swapped below.
        d.Read(a, MemoryMarshal.AsBytes(destination), fileSel, null, null);
        if (f.Layout == H5DataLayoutClass.Contiguous && _stream.DatasetBytesRead - before < n * f.Type.FileSize)
            throw Input(p, "its data is not stored in the file (unallocated storage would read as the fill value: missing data)");
        if (f.Type.BigEndian) SwapInPlace(MemoryMarshal.AsBytes(destination), f.Type.Element is NdType.Complex64 or NdType.Complex128 ? f.Type.FileSize / 2 : f.Type.FileSize);
    }

    /// <summary>
    /// Parallel decompression of a filtered chunked selection: the selection is cut along its first axis of more than one
    /// element at the dataset's chunk boundaries, so every piece covers whole chunk rows (no chunk is inflated twice) and
    /// is one contiguous block of the destination (C order). The pieces are read concurrently by worker readers over the
    /// same open file (<see cref="OpenWorker"/>), each through the complete checked path (<see cref="ReadRaw{TFile}"/>:
    /// stored-chunk proof, read budget, byte order), straight into their part of <paramref name="destination"/>.
    /// Returns false (read sequentially) for unfiltered data, small selections, one worker or a single piece.
    /// </summary>
    private unsafe bool TryReadParallel<TFile>(string p, DatasetFacts f, Span<TFile> destination, long[]? start, long[] sel) where TFile : unmanaged
    {
        if (_isWorker || !f.Filtered || f.Chunk is null || f.Layout != H5DataLayoutClass.Chunked) return false;
        int threads = SarKitSettings.Default.MaxDegreeOfParallelism;
        if (threads < 2 || (long)destination.Length * sizeof(TFile) < ParallelMinBytes) return false;
        int axis = Array.FindIndex(sel, c => c > 1);
        if (axis < 0) return false;
        long s0 = start?[axis] ?? 0, end = s0 + sel[axis], ck = f.Chunk[axis];
        var bounds = new List<long> { s0 };
        for (long b = (s0 / ck + 1) * ck; b < end; b += ck) bounds.Add(b);
        bounds.Add(end);
        int pieces = bounds.Count - 1;
        if (pieces < 2) return false;
        long inner = 1;
        for (int a = axis + 1; a < sel.Length; a++) inner *= sel[a];
        var baseStart = start ?? new long[sel.Length];
        // Piece i always goes to worker i mod W, so consecutive reads (channel by channel) find chunks that span several
        // of them in the same worker's chunk cache.
        int workers = Math.Min(threads, pieces);
        while (_workers.Count < workers) _workers.Add(OpenWorker());
        fixed (TFile* ptr = destination)
        {
            nint address = (nint)ptr;
            try
            {
                Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
                {
                    var worker = _workers[w];
                    for (int i = w; i < pieces; i += workers)
                    {
                        var st = (long[])baseStart.Clone();
                        var cnt = (long[])sel.Clone();
                        st[axis] = bounds[i];
                        cnt[axis] = bounds[i + 1] - bounds[i];
                        long offset = (bounds[i] - s0) * inner, length = cnt[axis] * inner;
                        worker.ReadPiece(p, new Span<TFile>((TFile*)address + offset, checked((int)length)), st, cnt);
                        worker.DropChunks(p);   // pieces cover whole chunk rows: no other piece needs these chunks
                    }
                });
            }
            catch (AggregateException e)
            {
                DisposeWorkers();   // a worker that failed mid-read is not reused
                if (e.InnerExceptions.OfType<SarKitInputException>().FirstOrDefault() is { } input) throw input;
                throw;
            }
        }
        return true;
    }

    /// <summary>
    /// Several hyperslabs of one dataset into their destinations (<see cref="Hdf5File.ReadSlabsInto{T}"/>). For a
    /// deflate-filtered chunked dataset of at least <see cref="ParallelMinBytes"/> in all, the slabs are shared among
    /// worker readers (<see cref="OpenWorker"/>) and read concurrently, each through the complete checked path of
    /// <see cref="ReadInto{T}"/>. Slabs that start in the same chunk (e.g. two channels of a chunk two channels deep)
    /// go to the same worker, one after the other, so each chunk is inflated once (that worker's chunk cache).
    /// Otherwise the slabs are read one by one.
    /// </summary>
    public unsafe void ReadSlabsInto<T>(string p, IReadOnlyList<Hdf5Slab<T>> slabs) where T : unmanaged
    {
        if (!_isWorker && slabs.Count > 0)
        {
            var pins = new System.Buffers.MemoryHandle[slabs.Count];
            try
            {
                var parts = new (long[]? Start, long[]? Count, nint Pointer, long Length)[slabs.Count];
                for (int i = 0; i < slabs.Count; i++)
                {
                    pins[i] = slabs[i].Destination.Pin();
                    parts[i] = (slabs[i].Start, slabs[i].Count, (nint)pins[i].Pointer, slabs[i].Destination.Length);
                }
                if (TryReadDirect<T>(p, parts)) return;
            }
            finally
            {
                foreach (var h in pins) h.Dispose();
            }
        }
        int threads = SarKitSettings.Default.MaxDegreeOfParallelism;
        long bytes = 0;
        foreach (var s in slabs) bytes += (long)s.Destination.Length * Marshal.SizeOf<T>();
        DatasetFacts? facts = null;
        if (!_isWorker && threads >= 2 && slabs.Count >= 2 && bytes >= ParallelMinBytes)
            facts = Guard(p, "cannot read the dataset header", () => Cached(p).F);
        if (facts is not { Filtered: true, Chunk: { } chunk, Layout: H5DataLayoutClass.Chunked })
        {
            foreach (var s in slabs) ReadInto(p, s.Destination.Span, s.Start, s.Count);
            return;
        }
        // group by the chunk each slab starts in, in order of first appearance; groups dealt to the workers in turn
        var groups = new List<List<Hdf5Slab<T>>>();
        var byChunk = new Dictionary<string, List<Hdf5Slab<T>>>(StringComparer.Ordinal);
        foreach (var s in slabs)
        {
            var key = s.Start is null ? "" : string.Join(",", s.Start.Select((x, a) => a < chunk.Length ? x / chunk[a] : x));
            if (!byChunk.TryGetValue(key, out var g)) { byChunk[key] = g = []; groups.Add(g); }
            g.Add(s);
        }
        int workers = Math.Min(threads, groups.Count);
        if (workers < 2)
        {
            foreach (var s in slabs) ReadInto(p, s.Destination.Span, s.Start, s.Count);
            return;
        }
        while (_workers.Count < workers) _workers.Add(OpenWorker());
        try
        {
            Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
            {
                var worker = _workers[w];
                for (int i = w; i < groups.Count; i += workers)
                {
                    foreach (var s in groups[i]) worker.ReadInto(p, s.Destination.Span, s.Start, s.Count);
                    worker.DropChunks(p);   // the next group starts in other chunks
                }
            });
        }
        catch (AggregateException e)
        {
            DisposeWorkers();   // a worker that failed mid-read is not reused
            if (e.InnerExceptions.OfType<SarKitInputException>().FirstOrDefault() is { } input) throw input;
            if (e.InnerExceptions.OfType<ArgumentException>().FirstOrDefault() is { } arg) throw arg;
            throw;
        }
    }

    /// <summary>Chunk indexes of the datasets read through <see cref="DirectChunkReader"/> (null: that path does not apply).</summary>
    private readonly Dictionary<string, DirectChunkReader?> _direct = new(StringComparer.Ordinal);

    /// <summary>
    /// Reads hyperslabs of a deflate-only chunked dataset through <see cref="DirectChunkReader"/> when it applies and the
    /// file holds exactly T (as the fast path of <see cref="ReadInto{T}"/>, little-endian). False: read them through
    /// PureHDF instead (which also raises the errors: bad selections, missing or corrupt chunks).
    /// </summary>
    private bool TryReadDirect<T>(string p, IReadOnlyList<(long[]? Start, long[]? Count, nint Pointer, long Length)> parts) where T : unmanaged
    {
        if (!DirectChunkReader.Enabled) return false;
        try
        {
            _stream.BeginOperation();
            var (d, f, _) = Cached(p);
            if (f.Type.Refusal is not null || f.Type.Element is not { } et || f.NullSpace || f.Scalar || f.Type.BigEndian
                || !f.Filtered || f.Chunk is null || f.Layout != H5DataLayoutClass.Chunked) return false;
            var clr = Hdf5Types.FromClr<T>();
            bool complex = et is NdType.Complex64 or NdType.Complex128;
            bool same = complex ? clr is NdType.Float32 or NdType.Float64 && (et == NdType.Complex64) == (clr == NdType.Float32) : et == clr;
            if (!same || f.Type.FileSize != (complex ? 2 : 1) * Marshal.SizeOf<T>()) return false;
            if (!_direct.TryGetValue(p, out var direct))
                _direct[p] = direct = DirectChunkReader.TryBuild(_stream.Positional, PureHdfInternals.Member(d, "InternalDataLayout"),
                    PureHdfInternals.FilterIds(d), f.Shape, f.Chunk, f.Type.FileSize);
            if (direct is null) return false;
            var targets = new List<DirectChunkReader.Target>(parts.Count);
            foreach (var (start, count, pointer, length) in parts)
            {
                var sel = Selection(m => Input(p, m), f.Shape, start, count);
                long n = Hdf5Limits.ByteCount(sel, 1) ?? -1;
                if (n < 0 || length != (complex ? 2 * n : n)) return false;
                targets.Add(new DirectChunkReader.Target(start ?? new long[sel.Length], sel, pointer, n * f.Type.FileSize));
            }
            return direct.TryRead(_stream.Positional, targets, SarKitSettings.Default.MaxDegreeOfParallelism, _stream.OperationBudgetBytes);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Empties this reader's chunk cache of dataset <paramref name="p"/> (speed only; <see cref="CheckingChunkCache.Clear"/>).</summary>
    internal void DropChunks(string p)
    {
        if (_cached is { } c && c.Path == p && c.Access.ChunkCache is CheckingChunkCache cache) cache.Clear();
    }

    /// <summary>
    /// The whole stored chunk that holds element <paramref name="start"/> of a chunked dataset, after the filter pipeline
    /// (inflated, unshuffled, checksum verified) and with the same checks as every read (stored-chunk proof, read budget,
    /// exact inflated size), in file byte order and the chunk's own C order; edge chunks include their padding. Read
    /// through a one-element read, so the chunk's bytes are handed on as PureHDF produced them (no element-wise copy):
    /// streaming readers (<see cref="Formats.WaveformHdf5StreamFile"/>) whose chunks span whole trailing axes use it.
    /// The chunk is dropped from the cache (not read again by this reader).
    /// </summary>
    internal ReadOnlyMemory<byte> ReadChunk(string p, long[] start) => Guard(p, "cannot read the chunk", () =>
    {
        var (d, f, a) = Cached(p);
        if (f.Layout != H5DataLayoutClass.Chunked || f.Chunk is null) throw Input(p, "is not chunked");
        if (f.Type.Refusal is not null) throw Input(p, $"datatype {f.Type.Refusal}; SarKit accepts only the layouts in docs/hdf5.md");
        Selection(m => Input(p, m), f.Shape, start, start.Select(_ => 1L).ToArray());
        var cache = (CheckingChunkCache)a.ChunkCache!;
        cache.Clear();
        cache.Last = default;
        var one = new byte[f.Type.FileSize];
        d.Read(a, one.AsSpan(), new HyperslabSelection(start.Length, start.Select(x => (ulong)x).ToArray(), start.Select(_ => 1UL).ToArray()), null, null);
        var chunk = cache.Last;
        cache.Clear();
        cache.Last = default;
        long expected = Hdf5Limits.ByteCount(f.Chunk, f.Type.FileSize)!.Value;
        if (chunk.Length != expected) throw Input(p, $"the chunk holding element [{string.Join(",", start)}] has {chunk.Length} bytes after the filters, expected {expected}");
        return (ReadOnlyMemory<byte>)chunk;
    });

    /// <summary>True when the dataset's values are stored big-endian.</summary>
    internal bool IsBigEndian(string p) => Guard(p, "cannot read the dataset header", () => Cached(p).F.Type.BigEndian);

    /// <summary>One piece of a parallel read, on a worker reader: the same checks as a sequential read.</summary>
    private void ReadPiece<TFile>(string p, Span<TFile> destination, long[] start, long[] count) where TFile : unmanaged
    {
        _stream.BeginOperation();
        var (d, f, a) = Cached(p);
        ReadRaw(p, d, f, a, destination, start, count);
    }

    private static void SwapInPlace(Span<byte> b, int size)
    {
        if (size == 1) return;
        for (int i = 0; i + size <= b.Length; i += size) b.Slice(i, size).Reverse();
    }

    [StructLayout(LayoutKind.Sequential)] private struct C64 { public float Re, Im; }
    [StructLayout(LayoutKind.Sequential)] private struct C128 { public double Re, Im; }

    public unsafe void ReadInto<T>(string p, Span<T> destination, long[]? start, long[]? count) where T : unmanaged
    {
        var clr = Hdf5Types.FromClr<T>();
        _stream.BeginOperation();
        (NativeDataset d, DatasetFacts f, H5DatasetAccess a, NdType et, long[] sel, long n) prep;
        try { prep = Prepare(p, start, count); }
        catch (SarKitInputException) { throw; }
        catch (ArgumentException) { throw; }
        catch (Exception e) when (e is not OperationCanceledException) { throw new SarKitInputException($"{FilePath}: {p}: cannot read the dataset: {Describe(e)}", e) { SourceFile = FilePath, Dataset = p }; }
        var (d, f, a, et, sel, n) = prep;
        bool complex = et is NdType.Complex64 or NdType.Complex128;
        if (complex && clr is not (NdType.Float32 or NdType.Float64)) throw Input(p, $"complex data cannot be read into {typeof(T).Name} values (use float or double)");
        if (!complex && (clr == NdType.Bool || f.Type.IsEnum)) throw Input(p, $"{f.Type.Description} data cannot be read into {typeof(T).Name} values");
        long expected = complex ? 2 * n : n;
        if (destination.Length != expected)
            throw new ArgumentException($"{FilePath}: {p}: destination holds {destination.Length} values, the selection [{string.Join(",", sel)}] needs {expected}.");
        // Fast path: the file holds exactly T (float32 → float, complex64 → float pairs, ...): read straight into the destination.
        bool same = complex ? (et == NdType.Complex64) == (clr == NdType.Float32) : et == clr;
        if (same && !_isWorker && f.Filtered && destination.Length > 0)
        {
            fixed (T* ptr = destination)
                if (TryReadDirect<T>(p, [(start, count, (nint)ptr, destination.Length)])) return;
        }
        if (same)
        {
            _stream.BeginOperation();
            try { ReadSameType(p, d, f, a, destination, start, sel, complex); }
            catch (SarKitInputException) { throw; }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _cached = null;
                throw new SarKitInputException($"{FilePath}: {p}: cannot read the dataset: {Describe(e)}", e) { SourceFile = FilePath, Dataset = p };
            }
            return;
        }
        var arr = ReadDataset(p, start, count);
        if (TryConvertDirect(arr.Data, destination)) return;
        var src = complex ? arr.Data switch { float[] x => x.Select(v => (double)v).ToArray(), double[] x => x, _ => throw new InvalidOperationException() } : arr.ToDouble();
        Convert(src, destination);
    }

    /// <summary>
    /// float32 → double and float64 → float (real or complex pairs), the conversions of every tissue map and field read:
    /// straight from the array read into the destination, without the intermediate double copy of <see cref="Convert{T}"/>
    /// (same values: float → double is exact, double → float rounds as the cast there).
    /// </summary>
    private static bool TryConvertDirect<T>(Array data, Span<T> dst) where T : unmanaged
    {
        if (typeof(T) == typeof(double) && data is float[] f)
        {
            var d = MemoryMarshal.Cast<T, double>(dst);
            for (int i = 0; i < f.Length; i++) d[i] = f[i];
            return true;
        }
        if (typeof(T) == typeof(float) && data is double[] x)
        {
            var d = MemoryMarshal.Cast<T, float>(dst);
            for (int i = 0; i < x.Length; i++) d[i] = (float)x[i];
            return true;
        }
        return false;
    }

    private void ReadSameType<T>(string p, NativeDataset d, DatasetFacts f, H5DatasetAccess a, Span<T> dest, long[]? start, long[] sel, bool complex) where T : unmanaged
    {
        if (complex)
        {
            if (typeof(T) == typeof(float)) ReadRaw(p, d, f, a, MemoryMarshal.Cast<T, C64>(dest), start, sel);
            else ReadRaw(p, d, f, a, MemoryMarshal.Cast<T, C128>(dest), start, sel);
        }
        else ReadRaw(p, d, f, a, dest, start, sel);
    }

    private static void Convert<T>(double[] src, Span<T> dst) where T : unmanaged
    {
        if (typeof(T) == typeof(double)) { src.AsSpan().CopyTo(MemoryMarshal.Cast<T, double>(dst)); return; }
        if (typeof(T) == typeof(float))
        {
            var f = MemoryMarshal.Cast<T, float>(dst);
            for (int i = 0; i < src.Length; i++) f[i] = (float)src[i];
            return;
        }
        for (int i = 0; i < src.Length; i++)
        {
            double v = src[i];
            object o = typeof(T) == typeof(float) ? (float)v : typeof(T) == typeof(double) ? v
                : typeof(T) == typeof(int) ? checked((int)v) : typeof(T) == typeof(long) ? checked((long)v)
                : typeof(T) == typeof(short) ? checked((short)v) : typeof(T) == typeof(sbyte) ? checked((sbyte)v)
                : typeof(T) == typeof(byte) ? checked((byte)v) : typeof(T) == typeof(ushort) ? checked((ushort)v)
                : typeof(T) == typeof(uint) ? checked((uint)v) : typeof(T) == typeof(ulong) ? checked((ulong)v)
                : throw new ArgumentException($"HDF5: cannot convert to {typeof(T).Name}.");
            dst[i] = (T)o;
        }
    }

    public string[] ReadStrings(string p) => Guard(p, "cannot read the strings", () =>
    {
        var d = OpenDataset(p);
        var f = Facts(p, d);
        if (!f.Type.IsString) throw Input(p, $"datatype {f.Type.Description} is not a string");
        if (f.NullSpace) return [];
        long n = Hdf5Limits.ByteCount(f.Shape, 1)!.Value;
        if (n == 0) return [];
        var raw = f.Scalar ? [d.Read<string>()] : d.Read<string[]>();
        return raw.Select(s => Clean(s, f.Type)).ToArray();
    });

    private static string Clean(string? s, ManagedType t)
    {
        s ??= "";
        int z = s.IndexOf('\0');
        if (z >= 0) s = s[..z];
        return t.StringPad == 2 ? s.TrimEnd(' ') : s;
    }

    // ---------------------------------------------------------------- attributes

    private IH5Object OpenObject(string p)
    {
        var o = Resolve(p);
        if (o is null) throw Input(p, "no such object");
        return o;
    }

    public IReadOnlyList<string> AttributeNames(string p) => Guard(p, "cannot list attributes", () =>
        OpenObject(p).Attributes().Select(a => a.Name).Order(StringComparer.Ordinal).ToList());

    public bool HasAttribute(string p, string name) => Guard(p, $"cannot check attribute '{name}'", () =>
    {
        var o = Resolve(p);
        return o is not null && o.AttributeExists(name);
    });

    private (IH5Attribute A, ManagedType T, long[] Shape, bool Null, bool Scalar) Attribute(string p, string name)
    {
        var o = Resolve(p);
        if (o is null) throw Input(p, $"no such object (looking for attribute '{name}')");
        if (!o.AttributeExists(name)) throw Input(p, $"required attribute '{name}' is missing");
        var a = o.Attribute(name);
        var t = ManagedType.From(PureHdfInternals.AttributeType(a));
        var sp = a.Space;
        bool nul = sp.Type == H5DataspaceType.Null, scalar = sp.Type == H5DataspaceType.Scalar;
        var shape = nul ? [0L] : scalar ? [] : sp.Dimensions.Select(x => x > int.MaxValue ? -1 : (long)x).ToArray();
        long? bytes = Hdf5Limits.ByteCount(shape, Math.Max(1, t.FileSize));
        if (bytes is null || bytes > (64L << 20)) throw Input(p, $"attribute '{name}' declares an implausible size [{string.Join(",", shape)}]");
        return (a, t, shape, nul, scalar);
    }

    public NdArray ReadAttribute(string p, string name) => Guard(p, $"cannot read attribute '{name}'", () =>
    {
        var (a, t, shape, nul, _) = Attribute(p, name);
        if (t.Refusal is not null) throw Input(p, $"attribute '{name}': datatype {t.Refusal}; SarKit accepts only the layouts in docs/hdf5.md");
        if (t.Element is not { } et) throw Input(p, $"attribute '{name}' is {t.Description}, not numeric");
        if (nul) throw Input(p, $"attribute '{name}' is empty (null dataspace)");
        long n = Hdf5Limits.ByteCount(shape, 1)!.Value;
        bool complex = et is NdType.Complex64 or NdType.Complex128;
        var data = Array.CreateInstance(NdArray.ClrType(et), complex ? 2 * n : n);
        var raw = new byte[n * t.FileSize];
        if (raw.Length > 0)
        {
            var stored = PureHdfInternals.AttributeBytes(a);
            if (stored.Length < raw.Length) throw Input(p, $"attribute '{name}' holds {stored.Length} bytes, its shape [{string.Join(",", shape)}] needs {raw.Length}");
            stored[..raw.Length].CopyTo(raw);
            if (t.BigEndian) SwapInPlace(raw, complex ? t.FileSize / 2 : t.FileSize);
        }
        if (data is bool[] b) for (int i = 0; i < n; i++) b[i] = raw[i] != 0;
        else Buffer.BlockCopy(raw, 0, data, 0, raw.Length);
        return new NdArray(et, shape.Select(x => checked((int)x)).ToArray(), data);
    });

    public string[] ReadStringArrayAttribute(string p, string name) => Guard(p, $"cannot read attribute '{name}'", () =>
    {
        var (a, t, shape, nul, scalar) = Attribute(p, name);
        if (!t.IsString) throw Input(p, $"attribute '{name}' is {t.Description}, not a string");
        if (nul) return [];
        var raw = scalar ? [a.Read<string>()] : a.Read<string[]>();
        return raw.Select(s => Clean(s, t)).ToArray();
    });

    public (bool IsString, bool IsScalar) AttributeShape(string p, string name) => Guard(p, $"cannot read attribute '{name}'", () =>
    {
        var (_, t, _, _, scalar) = Attribute(p, name);
        return (t.IsString, scalar);
    });
}
