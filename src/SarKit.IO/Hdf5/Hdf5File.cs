using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using SarKit.IO.Hdf5.Managed;
using static SarKit.IO.Hdf5.H5Native;

namespace SarKit.IO.Hdf5;

/// <summary>Kind of an object in an HDF5 file.</summary>
public enum Hdf5ObjectKind { Missing, Group, Dataset, NamedDatatype, Other }

/// <summary>One child of a group: its name, full path and kind.</summary>
public readonly record struct Hdf5Entry(string Name, string Path, Hdf5ObjectKind Kind);

/// <summary>Shape and element type of a dataset, read without reading its data.</summary>
/// <param name="Path">Dataset path in the file.</param>
/// <param name="Shape">Dimensions in HDF5 (C) order; empty for a scalar.</param>
/// <param name="ElementType">The SarKit element type, or null when the datatype has none (strings, other compounds, ...).</param>
/// <param name="TypeDescription">Human-readable datatype, e.g. "float32", "complex64 {r,i}", "string (variable length)".</param>
/// <param name="ChunkShape">Chunk dimensions when the dataset is chunked, else null.</param>
public sealed record Hdf5DatasetInfo(string Path, long[] Shape, NdType? ElementType, string TypeDescription, long[]? ChunkShape)
{
    public int Rank => Shape.Length;
    public long Count { get { long n = 1; foreach (var s in Shape) n *= s; return n; } }
    public bool IsString => TypeDescription.StartsWith("string", StringComparison.Ordinal);
    public override string ToString() => $"{Path}: {TypeDescription} [{string.Join(",", Shape)}]";
}

/// <summary>How <see cref="Hdf5File"/> writes a dataset.</summary>
public sealed record Hdf5WriteOptions
{
    /// <summary>gzip (deflate) level 1–9, or null for no compression. Compression implies chunking.</summary>
    public int? GzipLevel { get; init; }
    /// <summary>Byte-shuffle filter before gzip (often helps floats).</summary>
    public bool Shuffle { get; init; }
    /// <summary>Chunk shape (HDF5 order); null = automatic (about 1 MiB, whole trailing axes) when chunking is needed.</summary>
    public long[]? ChunkShape { get; init; }
    /// <summary>Member names of complex compounds: ("r", "i") as h5py, ("real", "imag") as MATLAB v7.3.</summary>
    public (string Real, string Imag) ComplexMemberNames { get; init; } = ("r", "i");

    public static readonly Hdf5WriteOptions Default = new();
    /// <summary>gzip level 4 with shuffle.</summary>
    public static readonly Hdf5WriteOptions Compressed = new() { GzipLevel = 4, Shuffle = true };
}

/// <summary>
/// An HDF5 file. Files opened with <see cref="OpenRead"/> are read by the managed, bounds-checked PureHDF reader
/// (<see cref="Managed.ManagedHdf5Reader"/>: no native code parses input files, so a corrupt file can never crash the
/// process); files made with <see cref="Create"/> are written by the system HDF5 C library (libhdf5 1.10+, see
/// <see cref="Hdf5Library"/>), which only ever sees files SarKit itself writes. See docs/hdf5.md.
/// Paths are HDF5 paths ("/tissue/sigma"; a leading "/" is optional). Arrays are exposed in HDF5's C order
/// (<see cref="NdArray"/>, last axis fastest). Complex numbers are compounds of two floats or doubles named r/i (h5py)
/// or real/imag (MATLAB v7.3). All failures raise <see cref="SarKitInputException"/> naming the file and object.
/// Not thread-safe per instance; separate instances may be used from different threads (libhdf5 is built thread-safe on Debian).
/// </summary>
public sealed unsafe class Hdf5File : IDisposable
{
    private readonly H5Handle? _file;
    private readonly ManagedHdf5Reader? _reader;

    /// <summary>Path of the file on disk.</summary>
    public string FilePath { get; }
    /// <summary>True when opened by <see cref="Create"/> (writable).</summary>
    public bool IsWritable { get; }

    private Hdf5File(H5Handle file, string path, bool writable)
    {
        _file = file;
        FilePath = path;
        IsWritable = writable;
    }

    private Hdf5File(ManagedHdf5Reader reader, string path)
    {
        _reader = reader;
        FilePath = path;
    }

    /// <summary>
    /// Opens an existing HDF5 file read-only through the managed reader (PureHDF; no native code touches the file, so a
    /// corrupt or hostile file raises <see cref="SarKitInputException"/> and never kills the process). External links,
    /// virtual datasets and external storage are refused; datatypes, declared sizes and chunk allocation are checked
    /// (docs/hdf5.md).
    /// </summary>
    public static Hdf5File OpenRead(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return new Hdf5File(ManagedHdf5Reader.Open(path), path);
    }

    /// <summary>
    /// Reads everything in an HDF5 file through <see cref="OpenRead"/>: the whole group tree, every attribute of every
    /// object, and every numeric or string dataset completely (discarding the values). Throws
    /// <see cref="SarKitInputException"/> at the first problem. A preflight for files from an untrusted place (e.g. run in
    /// a worker process before a long-running server opens a file it has not seen), and what the fuzz runs exercise.
    /// </summary>
    /// <returns>The number of objects visited (groups and datasets, the root included).</returns>
    public static int VerifyReadable(string path)
    {
        using var f = OpenRead(path);
        int n = 0;
        foreach (var e in f.ListRecursive("/").Prepend(new Hdf5Entry("", "/", Hdf5ObjectKind.Group)))
        {
            n++;
            foreach (var a in f.AttributeNames(e.Path)) f.ReadAttributeValue(e.Path, a);
            if (e.Kind != Hdf5ObjectKind.Dataset) continue;
            var info = f.GetDatasetInfo(e.Path);
            if (info.IsString) f.ReadStrings(e.Path);
            else if (info.ElementType is not null) f.ReadDataset(e.Path);
        }
        return n;
    }

    /// <summary>
    /// Opens an existing HDF5 file read-only through the native libhdf5 (the pre-0.2 reader). Only for files SarKit itself
    /// wrote and for benchmarks: libhdf5 1.10 crashes the process on some corrupt files.
    /// </summary>
    internal static Hdf5File OpenReadNative(string path)
    {
        Hdf5Library.Enter();
        if (!File.Exists(path)) throw new SarKitInputException($"{path}: file not found.") { SourceFile = path };
        if (H5Fis_hdf5(path) <= 0)
        {
            Hdf5Library.TakeErrorStack();
            throw new SarKitInputException($"{path}: not an HDF5 file (no HDF5 signature found).") { SourceFile = path };
        }
        using var fapl = FileAccessList(path);
        var h = H5Handle.Own(H5Fopen(path, H5F_ACC_RDONLY, fapl.Id), H5Kind.File, () => $"{path}: cannot open the HDF5 file for reading", path);
        return new Hdf5File(h, path, false);
    }

    /// <summary>
    /// Creates (or truncates) an HDF5 file for writing. <paramref name="userBlockBytes"/> reserves a user block at the start
    /// of the file (0, or a power of two ≥ 512; MATLAB v7.3 files use 512).
    /// Prefer writing to a temporary file and renaming it (as <see cref="SarKit.IO.Formats.SarKitDatasetFile"/> does).
    /// </summary>
    public static Hdf5File Create(string path, long userBlockBytes = 0)
    {
        Hdf5Library.Enter();
        long fcpl = H5P_DEFAULT;
        H5Handle? plist = null;
        try
        {
            if (userBlockBytes > 0)
            {
                plist = H5Handle.Own(H5Pcreate(Hdf5Library.P_CLS_FILE_CREATE), H5Kind.PropertyList, () => "H5Pcreate(file create)");
                Hdf5Errors.Check(H5Pset_userblock(plist.Id, (ulong)userBlockBytes), () => $"{path}: invalid user block size {userBlockBytes} (must be 0 or a power of two ≥ 512)", path);
                fcpl = plist.Id;
            }
            using var fapl = FileAccessList(path);
            var h = H5Handle.Own(H5Fcreate(path, H5F_ACC_TRUNC, fcpl, fapl.Id), H5Kind.File, () => $"{path}: cannot create the HDF5 file", path);
            return new Hdf5File(h, path, true);
        }
        finally { plist?.Dispose(); }
    }

    /// <summary>
    /// File access properties: closing the file closes every object still open in it (H5F_CLOSE_STRONG), so a file is
    /// really closed when <see cref="Dispose"/> returns even if a handle was left to the finaliser; and no POSIX file
    /// locks (SarKit never writes a file another process reads: outputs go to a temporary file that is renamed).
    /// </summary>
    private static H5Handle FileAccessList(string path)
    {
        var fapl = H5Handle.Own(H5Pcreate(Hdf5Library.P_CLS_FILE_ACCESS), H5Kind.PropertyList, () => "H5Pcreate(file access)");
        Hdf5Errors.Check(H5Pset_fclose_degree(fapl.Id, 3 /* H5F_CLOSE_STRONG */), () => $"{path}: cannot set the file close degree", path);
        Hdf5Errors.Check(H5Pset_file_locking(fapl.Id, 0, 1), () => $"{path}: cannot disable file locking", path);
        return fapl;
    }

    /// <summary>Flushes and closes the file.</summary>
    public void Dispose()
    {
        _cached?.Handle.Dispose();
        _cached = null;
        _file?.Dispose();
        _reader?.Dispose();
    }

    /// <summary>Chunk cache per open dataset for reads (bytes). Large enough that reading a [nch,3,nz,ny,nx] field slab by slab decompresses each chunk once.</summary>
    private const int ReadChunkCacheBytes = 64 << 20;

    // The dataset last opened for hyperslab reads stays open (with its chunk cache) until another one is read or the file is closed.
    private (string Path, H5Handle Handle)? _cached;

    private H5Handle CachedReadDataset(string p)
    {
        if (_cached is { } c && c.Path == p) return c.Handle;
        _cached?.Handle.Dispose();
        _cached = null;
        var k = GetKind(p);
        if (k != Hdf5ObjectKind.Dataset)
            throw Input(p, k == Hdf5ObjectKind.Missing ? "required dataset is missing" : $"is a {k.ToString().ToLowerInvariant()}, not a dataset");
        using var dapl = H5Handle.Own(H5Pcreate(Hdf5Library.P_CLS_DATASET_ACCESS), H5Kind.PropertyList, () => "H5Pcreate(dataset access)");
        Hdf5Errors.Check(H5Pset_chunk_cache(dapl.Id, 12421, ReadChunkCacheBytes, 0.75), () => "H5Pset_chunk_cache");
        var h = H5Handle.Own(H5Dopen2(Fid, p, dapl.Id), H5Kind.Dataset, () => $"{FilePath}: {p}: cannot open dataset", FilePath, p);
        _cached = (p, h);
        return h;
    }

    internal long Fid { get { Hdf5Library.Enter(); return _file!.Id; } }

    private static string Norm(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length == 0 || path == "/") return "/";
        return path[0] == '/' ? path.TrimEnd('/') : "/" + path.TrimEnd('/');
    }

    private SarKitInputException Error(string path, string what)
        => Hdf5Errors.Fail($"{FilePath}: {path}: {what}", FilePath, path);

    private SarKitInputException Input(string path, string message)
        => new($"{FilePath}: {path}: {message}") { SourceFile = FilePath, Dataset = path };

    // ---------------------------------------------------------------- structure

    /// <summary>True when <paramref name="path"/> names an existing object (every link along the path exists).</summary>
    public bool Exists(string path)
    {
        var p = Norm(path);
        if (p == "/") return true;
        if (_reader is not null) return _reader.GetKind(p) != Hdf5ObjectKind.Missing;
        long f = Fid;
        int i = 0;
        while ((i = p.IndexOf('/', i + 1)) > 0 || i == -1)
        {
            string prefix = i == -1 ? p : p[..i];
            int rc = H5Lexists(f, prefix, H5P_DEFAULT);
            if (rc <= 0) { Hdf5Library.TakeErrorStack(); return false; }
            if (i == -1) break;
        }
        // A dangling soft/external link exists as a link but not as an object.
        return KindOf(p) != Hdf5ObjectKind.Missing;
    }

    /// <summary>Kind of the object at <paramref name="path"/> (<see cref="Hdf5ObjectKind.Missing"/> when absent).</summary>
    public Hdf5ObjectKind GetKind(string path)
    {
        var p = Norm(path);
        if (_reader is not null) return _reader.GetKind(p);
        if (p != "/" && !Exists(p)) return Hdf5ObjectKind.Missing;
        return KindOf(p);
    }

    private Hdf5ObjectKind KindOf(string p)
    {
        long o = H5Oopen(Fid, p, H5P_DEFAULT);
        if (o < 0) { Hdf5Library.TakeErrorStack(); return Hdf5ObjectKind.Missing; }
        int t = H5Iget_type(o);
        H5Oclose(o);
        return t switch { H5I_GROUP => Hdf5ObjectKind.Group, H5I_DATASET => Hdf5ObjectKind.Dataset, H5I_DATATYPE => Hdf5ObjectKind.NamedDatatype, _ => Hdf5ObjectKind.Other };
    }

    /// <summary>True when <paramref name="path"/> is a dataset.</summary>
    public bool IsDataset(string path) => GetKind(path) == Hdf5ObjectKind.Dataset;

    /// <summary>True when <paramref name="path"/> is a group.</summary>
    public bool IsGroup(string path) => GetKind(path) == Hdf5ObjectKind.Group;

    /// <summary>Children of a group in name order.</summary>
    public IReadOnlyList<Hdf5Entry> List(string group = "/")
    {
        var g = Norm(group);
        if (_reader is not null) return _reader.List(g);
        using var gh = OpenGroup(g);
        var names = new List<string>();
        var gc = GCHandle.Alloc(names);
        try
        {
            ulong idx = 0;
            if (Hdf5Library.Literate(gh.Id, &idx, &CollectName, GCHandle.ToIntPtr(gc)) < 0) throw Error(g, "cannot list the group");
        }
        finally { gc.Free(); }
        var result = new List<Hdf5Entry>(names.Count);
        foreach (var n in names)
        {
            string full = g == "/" ? "/" + n : g + "/" + n;
            result.Add(new Hdf5Entry(n, full, KindOf(full)));
        }
        return result;
    }

    /// <summary>All objects below <paramref name="group"/> (depth first, name order), excluding the group itself.</summary>
    public IReadOnlyList<Hdf5Entry> ListRecursive(string group = "/")
    {
        if (_reader is not null) return _reader.ListRecursive(Norm(group));
        var all = new List<Hdf5Entry>();
        void Walk(string g)
        {
            foreach (var e in List(g))
            {
                all.Add(e);
                if (e.Kind == Hdf5ObjectKind.Group) Walk(e.Path);
            }
        }
        Walk(Norm(group));
        return all;
    }

    [UnmanagedCallersOnly]
    private static int CollectName(long loc, byte* name, void* info, nint data)
    {
        try { ((List<string>)GCHandle.FromIntPtr(data).Target!).Add(Marshal.PtrToStringUTF8((nint)name) ?? ""); return 0; }
        catch { return -1; }
    }

    private H5Handle OpenGroup(string g)
    {
        if (g != "/" && GetKind(g) != Hdf5ObjectKind.Group)
            throw Input(g, GetKind(g) == Hdf5ObjectKind.Missing ? "no such group" : "is not a group");
        return H5Handle.Own(H5Gopen2(Fid, g, H5P_DEFAULT), H5Kind.Group, () => $"{FilePath}: {g}: cannot open group", FilePath, g);
    }

    private H5Handle OpenObject(string p)
    {
        if (GetKind(p) == Hdf5ObjectKind.Missing) throw Input(p, "no such object");
        return H5Handle.Own(H5Oopen(Fid, p, H5P_DEFAULT), H5Kind.Object, () => $"{FilePath}: {p}: cannot open object", FilePath, p);
    }

    private H5Handle OpenDataset(string p)
    {
        var k = GetKind(p);
        if (k != Hdf5ObjectKind.Dataset)
            throw Input(p, k == Hdf5ObjectKind.Missing ? "required dataset is missing" : $"is a {k.ToString().ToLowerInvariant()}, not a dataset");
        return H5Handle.Own(H5Dopen2(Fid, p, H5P_DEFAULT), H5Kind.Dataset, () => $"{FilePath}: {p}: cannot open dataset", FilePath, p);
    }

    /// <summary>Creates a group (and any missing parents); does nothing when it exists already.</summary>
    public void CreateGroup(string path)
    {
        var p = Norm(path);
        RequireWritable(p);
        var k = GetKind(p);
        if (k == Hdf5ObjectKind.Group) return;
        if (k != Hdf5ObjectKind.Missing) throw Input(p, $"cannot create a group: a {k.ToString().ToLowerInvariant()} exists there");
        using var lcpl = LinkCreateList();
        using var g = H5Handle.Own(H5Gcreate2(Fid, p, lcpl.Id, H5P_DEFAULT, H5P_DEFAULT), H5Kind.Group, () => $"{FilePath}: {p}: cannot create group", FilePath, p);
    }

    private H5Handle LinkCreateList()
    {
        var l = H5Handle.Own(H5Pcreate(Hdf5Library.P_CLS_LINK_CREATE), H5Kind.PropertyList, () => "H5Pcreate(link create)");
        Hdf5Errors.Check(H5Pset_create_intermediate_group(l.Id, 1), () => "H5Pset_create_intermediate_group");
        return l;
    }

    private void RequireWritable(string p)
    {
        if (!IsWritable) throw new InvalidOperationException($"{FilePath}: {p}: the file is open read-only.");
    }

    // ---------------------------------------------------------------- datasets: reading

    /// <summary>Shape, element type and chunking of a dataset without reading data.</summary>
    public Hdf5DatasetInfo GetDatasetInfo(string path)
    {
        var p = Norm(path);
        if (_reader is not null) return _reader.GetDatasetInfo(p);
        using var d = OpenDataset(p);
        using var s = H5Handle.Own(H5Dget_space(d.Id), H5Kind.Dataspace, () => $"{FilePath}: {p}: cannot get dataspace", FilePath, p);
        using var t = H5Handle.Own(H5Dget_type(d.Id), H5Kind.Datatype, () => $"{FilePath}: {p}: cannot get datatype", FilePath, p);
        var shape = Dims(s.Id, p);
        var ti = Hdf5Types.Describe(t.Id);
        long[]? chunk = null;
        using (var cp = H5Handle.Own(H5Dget_create_plist(d.Id), H5Kind.PropertyList, () => $"{FilePath}: {p}: cannot get creation properties", FilePath, p))
        {
            if (H5Pget_layout(cp.Id) == H5D_CHUNKED && shape.Length > 0)
            {
                var c = new ulong[shape.Length];
                fixed (ulong* pc = c) H5Pget_chunk(cp.Id, c.Length, pc);
                chunk = c.Select(x => (long)x).ToArray();
            }
        }
        return new Hdf5DatasetInfo(p, shape, ti.Element, ti.Description, chunk);
    }

    private long[] Dims(long space, string p)
    {
        int cls = H5Sget_simple_extent_type(space);
        if (cls == H5S_SCALAR) return [];
        if (cls == H5S_NULL) return [0];
        int rank = H5Sget_simple_extent_ndims(space);
        if (rank < 0) throw Error(p, "cannot get the number of dimensions");
        var dims = new ulong[rank];
        fixed (ulong* pd = dims) if (H5Sget_simple_extent_dims(space, pd, null) < 0) throw Error(p, "cannot get the dimensions");
        return dims.Select(x => (long)x).ToArray();
    }

    /// <summary>Reads a whole numeric dataset (integer, float, complex compound, boolean enum) as an <see cref="NdArray"/> in C order.</summary>
    public NdArray ReadDataset(string path) => ReadDatasetCore(Norm(path), null, null);

    /// <summary>
    /// Reads the hyperslab <c>[start[d], start[d] + count[d])</c> along every axis d of a numeric dataset, e.g. one channel
    /// of E [nch,3,nz,ny,nx]: start = [c,0,0,0,0], count = [1,3,nz,ny,nx]. The result has shape <paramref name="count"/>.
    /// </summary>
    public NdArray ReadDataset(string path, long[] start, long[] count) => ReadDatasetCore(Norm(path), start, count);

    private NdArray ReadDatasetCore(string p, long[]? start, long[]? count)
    {
        if (_reader is not null) return _reader.ReadDataset(p, start, count);
        using var owned = start is null ? OpenDataset(p) : null;
        var d = owned ?? CachedReadDataset(p);
        using var s = H5Handle.Own(H5Dget_space(d.Id), H5Kind.Dataspace, () => $"{FilePath}: {p}: cannot get dataspace", FilePath, p);
        using var t = H5Handle.Own(H5Dget_type(d.Id), H5Kind.Datatype, () => $"{FilePath}: {p}: cannot get datatype", FilePath, p);
        var shape = Dims(s.Id, p);
        var ti = Hdf5Types.Describe(t.Id);
        if (ti.Element is not { } et) throw Input(p, $"datatype {ti.Description} is not numeric (expected integer, float, complex compound {{r,i}}/{{real,imag}} or boolean)");
        if (H5Sget_simple_extent_type(s.Id) == H5S_NULL) throw Input(p, "the dataset has no data (null dataspace)");
        var outShape = Selection(p, shape, start, count);
        long n = 1; foreach (var c in outShape) n *= c;
        long elements = et is NdType.Complex64 or NdType.Complex128 ? 2 * n : n;
        if (elements > Array.MaxLength)
            throw Input(p, $"{n} elements [{string.Join(",", outShape)}] are too many to read at once; read it in hyperslabs");
        var data = Array.CreateInstance(NdArray.ClrType(et), elements);
        using var mt = ti.IsEnum
            ? H5Handle.Own(H5Tget_native_type(t.Id, 0), H5Kind.Datatype, () => $"{FilePath}: {p}: cannot map the enum type", FilePath, p)
            : Hdf5Types.MemoryType(et, ti.RealName ?? "r", ti.ImagName ?? "i");
        fixed (byte* buf = &MemoryMarshal.GetArrayDataReference(data))
            ReadSelection(d.Id, s.Id, mt.Id, p, start, count, outShape, buf);
        return new NdArray(et, outShape.Select(x => checked((int)x)).ToArray(), data);
    }

    private long[] Selection(string p, long[] shape, long[]? start, long[]? count)
    {
        if (start is null && count is null) return shape;
        if (start is null || count is null) throw new ArgumentException("Give both start and count for a hyperslab.");
        if (start.Length != shape.Length || count.Length != shape.Length)
            throw Input(p, $"hyperslab of rank {start.Length}/{count.Length} for a dataset of rank {shape.Length} [{string.Join(",", shape)}]");
        for (int a = 0; a < shape.Length; a++)
            if (start[a] < 0 || count[a] < 0 || start[a] + count[a] > shape[a])
                throw Input(p, $"hyperslab axis {a}: start {start[a]} count {count[a]} is outside 0..{shape[a]} (shape [{string.Join(",", shape)}])");
        return (long[])count.Clone();
    }

    private void ReadSelection(long dset, long fileSpace, long memType, string p, long[]? start, long[]? count, long[] outShape, void* buf)
    {
        if (start is null)
        {
            if (H5Dread(dset, memType, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) throw Error(p, "cannot read the dataset");
            return;
        }
        SelectHyperslab(fileSpace, p, start, count!);
        using var ms = CreateSpace(outShape, p);
        if (H5Dread(dset, memType, ms.Id, fileSpace, H5P_DEFAULT, buf) < 0) throw Error(p, "cannot read the hyperslab");
    }

    private void SelectHyperslab(long space, string p, long[] start, long[] count)
    {
        var st = start.Select(x => (ulong)x).ToArray();
        var ct = count.Select(x => (ulong)x).ToArray();
        fixed (ulong* ps = st) fixed (ulong* pc = ct)
            if (H5Sselect_hyperslab(space, H5S_SELECT_SET, ps, null, pc, null) < 0) throw Error(p, "cannot select the hyperslab");
    }

    private H5Handle CreateSpace(long[] shape, string p)
    {
        if (shape.Length == 0) return H5Handle.Own(H5Screate(H5S_SCALAR), H5Kind.Dataspace, () => $"{FilePath}: {p}: cannot create a scalar dataspace", FilePath, p);
        var dims = shape.Select(x => (ulong)x).ToArray();
        fixed (ulong* pd = dims)
            return H5Handle.Own(H5Screate_simple(dims.Length, pd, null), H5Kind.Dataspace, () => $"{FilePath}: {p}: cannot create dataspace [{string.Join(",", shape)}]", FilePath, p);
    }

    /// <summary>
    /// Reads several hyperslabs of one dataset, each straight into its own destination, as <see cref="ReadInto{T}"/> would
    /// one after the other (same checks, same values). The managed reader inflates the slabs of a deflate-filtered
    /// chunked dataset on all cores (<see cref="ManagedHdf5Reader.ReadSlabsInto{T}"/>): a multi-channel field is read
    /// one channel and component per slab, each too small on its own for <see cref="ReadInto{T}"/>'s parallel path.
    /// </summary>
    public void ReadSlabsInto<T>(string path, IReadOnlyList<Hdf5Slab<T>> slabs) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(slabs);
        var p = Norm(path);
        if (_reader is not null) { _reader.ReadSlabsInto(p, slabs); return; }
        foreach (var s in slabs) ReadInto(p, s.Destination.Span, s.Start, s.Count);
    }

    /// <summary>
    /// Reads a dataset, or the hyperslab (<paramref name="start"/>, <paramref name="count"/>), straight into
    /// <paramref name="destination"/> with conversion by HDF5: for a complex dataset <typeparamref name="T"/> must be float or
    /// double and the destination receives interleaved (re, im), 2 values per element; otherwise it receives the values
    /// converted to <typeparamref name="T"/>. The destination length must equal the selected element count (×2 for complex).
    /// This is how multi-channel fields are read channel by channel without a temporary copy.
    /// </summary>
    public void ReadInto<T>(string path, Span<T> destination, long[]? start = null, long[]? count = null) where T : unmanaged
    {
        var p = Norm(path);
        if (_reader is not null) { _reader.ReadInto(p, destination, start, count); return; }
        var d = CachedReadDataset(p);
        using var s = H5Handle.Own(H5Dget_space(d.Id), H5Kind.Dataspace, () => $"{FilePath}: {p}: cannot get dataspace", FilePath, p);
        using var t = H5Handle.Own(H5Dget_type(d.Id), H5Kind.Datatype, () => $"{FilePath}: {p}: cannot get datatype", FilePath, p);
        var ti = Hdf5Types.Describe(t.Id);
        if (ti.Element is not { } et) throw Input(p, $"datatype {ti.Description} is not numeric");
        var outShape = Selection(p, Dims(s.Id, p), start, count);
        long n = 1; foreach (var c in outShape) n *= c;
        var mem = MemoryTypeFor<T>(p, et, ti);
        bool complex = et is NdType.Complex64 or NdType.Complex128;
        long expected = complex ? 2 * n : n;
        if (destination.Length != expected)
            throw new ArgumentException($"{FilePath}: {p}: destination holds {destination.Length} values, the selection [{string.Join(",", outShape)}] needs {expected}.");
        using (mem)
        fixed (T* buf = destination)
            ReadSelection(d.Id, s.Id, mem.Id, p, start, count, outShape, buf);
    }

    private H5Handle MemoryTypeFor<T>(string p, NdType fileType, H5TypeInfo ti) where T : unmanaged
    {
        var clr = Hdf5Types.FromClr<T>();
        if (fileType is NdType.Complex64 or NdType.Complex128)
        {
            if (clr == NdType.Float32) return Hdf5Types.MemoryType(NdType.Complex64, ti.RealName ?? "r", ti.ImagName ?? "i");
            if (clr == NdType.Float64) return Hdf5Types.MemoryType(NdType.Complex128, ti.RealName ?? "r", ti.ImagName ?? "i");
            throw Input(p, $"complex data cannot be read into {typeof(T).Name} values (use float or double)");
        }
        if (fileType is NdType.Complex64 or NdType.Complex128 || clr == NdType.Bool || ti.IsEnum)
            throw Input(p, $"{ti.Description} data cannot be read into {typeof(T).Name} values");
        return Hdf5Types.MemoryType(clr);
    }

    /// <summary>Empties the reader's chunk cache of dataset <paramref name="path"/> (speed and memory only: a streaming reader that
    /// will not read these chunks again; never changes a value).</summary>
    internal void DropChunkCache(string path) => _reader?.DropChunks(Norm(path));

    /// <summary>The whole stored chunk holding element <paramref name="start"/> after the filters, file byte order (managed reader
    /// only; <see cref="Managed.ManagedHdf5Reader.ReadChunk"/>).</summary>
    internal ReadOnlyMemory<byte> ReadChunk(string path, long[] start) =>
        _reader is not null ? _reader.ReadChunk(Norm(path), start) : throw new InvalidOperationException("ReadChunk needs a file opened with OpenRead");

    /// <summary>True when dataset <paramref name="path"/> is stored big-endian (managed reader).</summary>
    internal bool IsBigEndian(string path) => _reader?.IsBigEndian(Norm(path)) ?? false;

    /// <summary>Reads a string dataset (scalar or array, variable or fixed length) as a flat array in C order.</summary>
    public string[] ReadStrings(string path)
    {
        var p = Norm(path);
        if (_reader is not null) return _reader.ReadStrings(p);
        using var d = OpenDataset(p);
        using var s = H5Handle.Own(H5Dget_space(d.Id), H5Kind.Dataspace, () => $"{FilePath}: {p}: cannot get dataspace", FilePath, p);
        using var t = H5Handle.Own(H5Dget_type(d.Id), H5Kind.Datatype, () => $"{FilePath}: {p}: cannot get datatype", FilePath, p);
        return ReadStringsCore(p, t.Id, s.Id, (mt, buf) => H5Dread(d.Id, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf));
    }

    private delegate int RawRead(long memType, void* buf);

    private string[] ReadStringsCore(string p, long ftype, long space, RawRead read)
    {
        var ti = Hdf5Types.Describe(ftype);
        if (!ti.IsString) throw Input(p, $"datatype {ti.Description} is not a string");
        long n = H5Sget_simple_extent_npoints(space);
        if (n < 0) throw Error(p, "cannot count the elements");
        var result = new string[n];
        if (n == 0) return result;
        if (ti.IsVariableString)
        {
            using var mt = Hdf5Types.StringType(0, ti.StringCset);
            var ptrs = new nint[n];
            fixed (nint* pp = ptrs)
            {
                if (read(mt.Id, pp) < 0) throw Error(p, "cannot read the strings");
                for (long i = 0; i < n; i++) result[i] = ptrs[i] == 0 ? "" : Marshal.PtrToStringUTF8(ptrs[i]) ?? "";
                H5Dvlen_reclaim(mt.Id, space, H5P_DEFAULT, pp);
            }
        }
        else
        {
            int size = ti.StringSize;
            using var mt = H5Handle.Own(H5Tcopy(ftype), H5Kind.Datatype, () => $"{FilePath}: {p}: cannot copy the string type", FilePath, p);
            var bytes = new byte[checked(n * size)];
            fixed (byte* pb = bytes) if (read(mt.Id, pb) < 0) throw Error(p, "cannot read the strings");
            for (long i = 0; i < n; i++)
            {
                var span = bytes.AsSpan(checked((int)(i * size)), size);
                int z = span.IndexOf((byte)0);
                if (z >= 0) span = span[..z];
                var str = Encoding.UTF8.GetString(span);
                result[i] = ti.StringPad == H5T_STR_SPACEPAD ? str.TrimEnd(' ') : str;
            }
        }
        return result;
    }

    // ---------------------------------------------------------------- datasets: writing

    /// <summary>Writes a new dataset holding <paramref name="array"/> (its shape in C order), creating missing parent groups.</summary>
    public void WriteDataset(string path, NdArray array, Hdf5WriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(array);
        var p = Norm(path);
        var shape = array.Shape.Select(x => (long)x).ToArray();
        options ??= Hdf5WriteOptions.Default;
        using var d = CreateDatasetCore(p, array.Type, shape, options);
        using var mt = Hdf5Types.MemoryType(array.Type, options.ComplexMemberNames.Real, options.ComplexMemberNames.Imag);
        fixed (byte* buf = &MemoryMarshal.GetArrayDataReference(array.Data))
            if (H5Dwrite(d.Id, mt.Id, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) throw Error(p, "cannot write the dataset");
    }

    /// <summary>Creates an empty dataset of the given element type and shape, to be filled with <see cref="WriteHyperslab{T}"/>.</summary>
    public void CreateDataset(string path, NdType type, long[] shape, Hdf5WriteOptions? options = null)
    {
        using var d = CreateDatasetCore(Norm(path), type, shape, options ?? Hdf5WriteOptions.Default);
    }

    private H5Handle CreateDatasetCore(string p, NdType type, long[] shape, Hdf5WriteOptions o)
    {
        RequireWritable(p);
        if (GetKind(p) != Hdf5ObjectKind.Missing) throw Input(p, "cannot create the dataset: the name exists already");
        using var ft = Hdf5Types.FileType(type, o.ComplexMemberNames.Real, o.ComplexMemberNames.Imag);
        using var sp = CreateSpace(shape, p);
        using var lcpl = LinkCreateList();
        using var dcpl = H5Handle.Own(H5Pcreate(Hdf5Library.P_CLS_DATASET_CREATE), H5Kind.PropertyList, () => "H5Pcreate(dataset create)");
        long count = 1; foreach (var s in shape) count *= s;
        bool chunked = shape.Length > 0 && count > 0 && (o.GzipLevel is not null || o.ChunkShape is not null);
        if (chunked)
        {
            var chunk = o.ChunkShape ?? AutoChunk(shape, Hdf5Types.ElementSize(type));
            if (chunk.Length != shape.Length || chunk.Any(c => c < 1)) throw new ArgumentException($"{p}: chunk shape [{string.Join(",", chunk)}] does not fit shape [{string.Join(",", shape)}].");
            var cd = chunk.Select((c, a) => (ulong)Math.Min(c, Math.Max(1, shape[a]))).ToArray();
            fixed (ulong* pc = cd) Hdf5Errors.Check(H5Pset_chunk(dcpl.Id, cd.Length, pc), () => $"{FilePath}: {p}: cannot set chunking", FilePath, p);
            if (o.Shuffle) Hdf5Errors.Check(H5Pset_shuffle(dcpl.Id), () => $"{FilePath}: {p}: cannot set the shuffle filter", FilePath, p);
            if (o.GzipLevel is { } lvl)
                Hdf5Errors.Check(H5Pset_deflate(dcpl.Id, (uint)Math.Clamp(lvl, 1, 9)), () => $"{FilePath}: {p}: cannot set gzip compression", FilePath, p);
        }
        return H5Handle.Own(H5Dcreate2(Fid, p, ft.Id, sp.Id, lcpl.Id, dcpl.Id, H5P_DEFAULT), H5Kind.Dataset,
            () => $"{FilePath}: {p}: cannot create dataset {type} [{string.Join(",", shape)}]", FilePath, p);
    }

    /// <summary>Automatic chunk: whole trailing axes up to about 1 MiB per chunk, leading axes 1 (so one channel/component slab is a few chunks).</summary>
    internal static long[] AutoChunk(long[] shape, int elementSize)
    {
        long remaining = Math.Max(1, (1 << 20) / elementSize);
        var chunk = new long[shape.Length];
        for (int a = shape.Length - 1; a >= 0; a--)
        {
            long c = Math.Max(1, Math.Min(shape[a], remaining));
            chunk[a] = c;
            remaining = Math.Max(1, remaining / c);
        }
        return chunk;
    }

    /// <summary>
    /// Writes <paramref name="data"/> into the hyperslab (<paramref name="start"/>, <paramref name="count"/>) of an existing dataset.
    /// For a complex dataset <typeparamref name="T"/> is float or double and <paramref name="data"/> is interleaved (re, im).
    /// </summary>
    public void WriteHyperslab<T>(string path, ReadOnlySpan<T> data, long[] start, long[] count) where T : unmanaged
    {
        var p = Norm(path);
        RequireWritable(p);
        using var d = OpenDataset(p);
        using var s = H5Handle.Own(H5Dget_space(d.Id), H5Kind.Dataspace, () => $"{FilePath}: {p}: cannot get dataspace", FilePath, p);
        using var t = H5Handle.Own(H5Dget_type(d.Id), H5Kind.Datatype, () => $"{FilePath}: {p}: cannot get datatype", FilePath, p);
        var ti = Hdf5Types.Describe(t.Id);
        if (ti.Element is not { } et) throw Input(p, $"datatype {ti.Description} is not numeric");
        var sel = Selection(p, Dims(s.Id, p), start, count);
        long n = 1; foreach (var c in sel) n *= c;
        bool complex = et is NdType.Complex64 or NdType.Complex128;
        if (data.Length != (complex ? 2 * n : n))
            throw new ArgumentException($"{FilePath}: {p}: {data.Length} values for a selection [{string.Join(",", sel)}] of {(complex ? 2 * n : n)}.");
        using var mt = MemoryTypeFor<T>(p, et, ti);
        SelectHyperslab(s.Id, p, start, count);
        using var ms = CreateSpace(sel, p);
        fixed (T* buf = data)
            if (H5Dwrite(d.Id, mt.Id, ms.Id, s.Id, H5P_DEFAULT, buf) < 0) throw Error(p, "cannot write the hyperslab");
    }

    // ---------------------------------------------------------------- attributes

    /// <summary>Names of the attributes of an object (group or dataset; "/" is the root group).</summary>
    public IReadOnlyList<string> AttributeNames(string objectPath = "/")
    {
        var p = Norm(objectPath);
        if (_reader is not null) return _reader.AttributeNames(p);
        using var o = OpenObject(p);
        var names = new List<string>();
        var gc = GCHandle.Alloc(names);
        try
        {
            ulong idx = 0;
            if (H5Aiterate2(o.Id, H5_INDEX_NAME, H5_ITER_INC, &idx, &CollectName, GCHandle.ToIntPtr(gc)) < 0) throw Error(p, "cannot list attributes");
        }
        finally { gc.Free(); }
        return names;
    }

    /// <summary>True when the object has an attribute called <paramref name="name"/> (false when the object is missing).</summary>
    public bool HasAttribute(string objectPath, string name)
    {
        var p = Norm(objectPath);
        if (_reader is not null) return _reader.HasAttribute(p, name);
        if (GetKind(p) == Hdf5ObjectKind.Missing) return false;
        using var o = OpenObject(p);
        int rc = H5Aexists(o.Id, name);
        if (rc < 0) throw Error(p, $"cannot check attribute '{name}'");
        return rc > 0;
    }

    private H5Handle OpenAttribute(string p, string name, out H5Handle space, out H5Handle type)
    {
        if (!HasAttribute(p, name))
            throw Input(p, GetKind(p) == Hdf5ObjectKind.Missing ? $"no such object (looking for attribute '{name}')" : $"required attribute '{name}' is missing");
        using var o = OpenObject(p);
        var a = H5Handle.Own(H5Aopen(o.Id, name, H5P_DEFAULT), H5Kind.Attribute, () => $"{FilePath}: {p}: cannot open attribute '{name}'", FilePath, p);
        space = H5Handle.Own(H5Aget_space(a.Id), H5Kind.Dataspace, () => $"{FilePath}: {p}: attribute '{name}': cannot get dataspace", FilePath, p);
        type = H5Handle.Own(H5Aget_type(a.Id), H5Kind.Datatype, () => $"{FilePath}: {p}: attribute '{name}': cannot get datatype", FilePath, p);
        return a;
    }

    /// <summary>Reads a numeric attribute (scalar → shape [], or array) as an <see cref="NdArray"/>.</summary>
    public NdArray ReadAttribute(string objectPath, string name)
    {
        var p = Norm(objectPath);
        if (_reader is not null) return _reader.ReadAttribute(p, name);
        using var a = OpenAttribute(p, name, out var s, out var t);
        using (s) using (t)
        {
            var ti = Hdf5Types.Describe(t.Id);
            if (ti.Element is not { } et) throw Input(p, $"attribute '{name}' is {ti.Description}, not numeric");
            if (H5Sget_simple_extent_type(s.Id) == H5S_NULL) throw Input(p, $"attribute '{name}' is empty (null dataspace)");
            var shape = Dims(s.Id, p);
            long n = 1; foreach (var c in shape) n *= c;
            var data = Array.CreateInstance(NdArray.ClrType(et), et is NdType.Complex64 or NdType.Complex128 ? 2 * n : n);
            using var mt = ti.IsEnum
                ? H5Handle.Own(H5Tget_native_type(t.Id, 0), H5Kind.Datatype, () => $"{FilePath}: {p}: cannot map the enum type", FilePath, p)
                : Hdf5Types.MemoryType(et, ti.RealName ?? "r", ti.ImagName ?? "i");
            fixed (byte* buf = &MemoryMarshal.GetArrayDataReference(data))
                if (H5Aread(a.Id, mt.Id, buf) < 0) throw Error(p, $"cannot read attribute '{name}'");
            return new NdArray(et, shape.Select(x => checked((int)x)).ToArray(), data);
        }
    }

    /// <summary>Reads a numeric attribute holding one value (scalar or one-element array) as double.</summary>
    public double ReadScalarAttribute(string objectPath, string name)
    {
        var a = ReadAttribute(objectPath, name);
        if (a.Count != 1) throw Input(Norm(objectPath), $"attribute '{name}' holds {a.Count} values [{string.Join(",", a.Shape)}], expected one number");
        if (a.IsComplex) throw Input(Norm(objectPath), $"attribute '{name}' is complex, expected a real number");
        return a.ToDouble()[0];
    }

    /// <summary>Reads a string attribute (scalar, or the only element of a one-element array; variable or fixed length).</summary>
    public string ReadStringAttribute(string objectPath, string name)
    {
        var all = ReadStringArrayAttribute(objectPath, name);
        if (all.Length != 1) throw Input(Norm(objectPath), $"attribute '{name}' holds {all.Length} strings, expected one");
        return all[0];
    }

    /// <summary>Reads a string attribute (any shape, variable or fixed length) as a flat array in C order.</summary>
    public string[] ReadStringArrayAttribute(string objectPath, string name)
    {
        var p = Norm(objectPath);
        if (_reader is not null) return _reader.ReadStringArrayAttribute(p, name);
        using var a = OpenAttribute(p, name, out var s, out var t);
        using (s) using (t)
        {
            if (!Hdf5Types.Describe(t.Id).IsString) throw Input(p, $"attribute '{name}' is {Hdf5Types.Describe(t.Id).Description}, not a string");
            return ReadStringsCore($"{p} attribute '{name}'", t.Id, s.Id, (mt, buf) => H5Aread(a.Id, mt, buf));
        }
    }

    /// <summary>Reads any attribute: a <see cref="string"/>, a <see cref="string"/>[] (string arrays) or an <see cref="NdArray"/>.</summary>
    public object ReadAttributeValue(string objectPath, string name)
    {
        var p = Norm(objectPath);
        bool isString, isScalar;
        if (_reader is not null) (isString, isScalar) = _reader.AttributeShape(p, name);
        else
        using (var a = OpenAttribute(p, name, out var s, out var t))
        using (s) using (t)
        {
            isString = Hdf5Types.Describe(t.Id).IsString;
            isScalar = H5Sget_simple_extent_type(s.Id) == H5S_SCALAR;
        }
        if (!isString) return ReadAttribute(p, name);
        var strs = ReadStringArrayAttribute(p, name);
        return isScalar ? strs[0] : strs;
    }

    /// <summary>Writes (or replaces) a scalar string attribute: variable-length UTF-8 (as h5py), or fixed-length ASCII when <paramref name="fixedLength"/> (as MATLAB's MATLAB_class).</summary>
    public void WriteAttribute(string objectPath, string name, string value, bool fixedLength = false)
    {
        ArgumentNullException.ThrowIfNull(value);
        var p = Norm(objectPath);
        if (fixedLength)
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            using var st = Hdf5Types.StringType(Math.Max(1, bytes.Length), bytes.All(b => b < 128) ? H5T_CSET_ASCII : H5T_CSET_UTF8, H5T_STR_NULLTERM);
            var buf = new byte[Math.Max(1, bytes.Length)];
            bytes.CopyTo(buf, 0);
            fixed (byte* pb = buf) WriteAttributeCore(p, name, st.Id, st.Id, [], pb);
            return;
        }
        WriteStrings(p, name, [value], []);
    }

    /// <summary>Writes (or replaces) a one-dimensional variable-length UTF-8 string array attribute.</summary>
    public void WriteAttribute(string objectPath, string name, string[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        WriteStrings(Norm(objectPath), name, values, [values.Length]);
    }

    private void WriteStrings(string p, string name, string[] values, long[] shape)
    {
        using var st = Hdf5Types.StringType(0, H5T_CSET_UTF8);
        var ptrs = new nint[values.Length];
        try
        {
            for (int i = 0; i < values.Length; i++) ptrs[i] = Marshal.StringToCoTaskMemUTF8(values[i] ?? "");
            fixed (nint* pp = ptrs) WriteAttributeCore(p, name, st.Id, st.Id, shape, pp);
        }
        finally { foreach (var q in ptrs) if (q != 0) Marshal.FreeCoTaskMem(q); }
    }

    /// <summary>Writes (or replaces) a float64 scalar attribute.</summary>
    public void WriteAttribute(string objectPath, string name, double value) => WriteAttribute(objectPath, name, new NdArray(NdType.Float64, [], new[] { value }));

    /// <summary>Writes (or replaces) an int32 scalar attribute.</summary>
    public void WriteAttribute(string objectPath, string name, int value) => WriteAttribute(objectPath, name, new NdArray(NdType.Int32, [], new[] { value }));

    /// <summary>Writes (or replaces) an int64 scalar attribute.</summary>
    public void WriteAttribute(string objectPath, string name, long value) => WriteAttribute(objectPath, name, new NdArray(NdType.Int64, [], new[] { value }));

    /// <summary>Writes (or replaces) a numeric attribute (shape [] = scalar).</summary>
    public void WriteAttribute(string objectPath, string name, NdArray value, Hdf5WriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        var p = Norm(objectPath);
        var names = (options ?? Hdf5WriteOptions.Default).ComplexMemberNames;
        using var ft = Hdf5Types.FileType(value.Type, names.Real, names.Imag);
        using var mt = Hdf5Types.MemoryType(value.Type, names.Real, names.Imag);
        fixed (byte* buf = &MemoryMarshal.GetArrayDataReference(value.Data))
            WriteAttributeCore(p, name, ft.Id, mt.Id, value.Shape.Select(x => (long)x).ToArray(), buf);
    }

    private void WriteAttributeCore(string p, string name, long fileType, long memType, long[] shape, void* buf)
    {
        RequireWritable(p);
        using var o = OpenObject(p);
        int ex = H5Aexists(o.Id, name);
        if (ex < 0) throw Error(p, $"cannot check attribute '{name}'");
        if (ex > 0 && H5Adelete(o.Id, name) < 0) throw Error(p, $"cannot replace attribute '{name}'");
        using var sp = CreateSpace(shape, p);
        using var a = H5Handle.Own(H5Acreate2(o.Id, name, fileType, sp.Id, H5P_DEFAULT, H5P_DEFAULT), H5Kind.Attribute,
            () => $"{FilePath}: {p}: cannot create attribute '{name}'", FilePath, p);
        if (H5Awrite(a.Id, memType, buf) < 0) throw Error(p, $"cannot write attribute '{name}'");
    }

    public override string ToString() => $"HDF5 file {FilePath}{(IsWritable ? " (writable)" : "")}";
}
