using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace SarKit.IO.Hdf5.Managed;

/// <summary>
/// Fast path for the commonest large read (issue 18, docs/hdf5.md "Direct chunk reads"): hyperslabs of a chunked
/// dataset whose only filter is deflate, indexed by a version-1 B-tree (data layout message version 3, as h5py and
/// libhdf5 write by default), read straight from the file into the destinations: the chunk index is walked once per
/// dataset, every chunk that meets a hyperslab is read with one positional read, inflated once into a reused buffer
/// (<see cref="ZlibInflateFilter.InflateInto"/>: libdeflate, else zlib) and its rows copied to every hyperslab it
/// meets; the chunks are shared among all cores. PureHDF's per-chunk path (B-tree lookup per chunk, fresh arrays per
/// stored and inflated chunk, the generic selection copy) is not used.
/// <para>
/// It only ever declines or gives up: <see cref="TryBuild"/> returns null for anything it does not handle exactly
/// (other layout message versions or index types, other filters, a filter skipped for a chunk, offsets other than 8
/// bytes, a base address other than 0, any inconsistency in the B-tree: wrong signature, node type or level, a key off
/// the chunk grid or outside the dataset, a duplicate chunk, a chunk outside the file, a node visited twice), and a
/// read returns false when a needed chunk is not in the index, when the needed chunks store more than one operation's
/// read budget, or when reading or inflating a chunk fails. The caller
/// then reads the same selection through PureHDF's fully checked path, which produces the values or the error a
/// file with that defect gets anyway (fail closed, same messages); only speed depends on this class.
/// Values are the same bytes: both paths copy the inflated chunk bytes of the same chunks to the same places.
/// </para>
/// </summary>
internal sealed class DirectChunkReader
{
    /// <summary>Most B-tree nodes walked for one dataset before giving up (a cyclic or absurd tree).</summary>
    private const int MaxNodes = 1 << 20;
    /// <summary>Deepest B-tree level accepted.</summary>
    private const int MaxLevel = 64;

    private readonly long[] _shape, _chunk, _grid;      // dataset shape, chunk shape, chunks per axis (elements)
    private readonly int _elementSize, _chunkBytes, _maxStored;
    private readonly bool _shuffled;                    // byte shuffle (filter 2) before deflate
    private readonly Dictionary<long, (long Address, int Size)> _chunks;

    private DirectChunkReader(long[] shape, long[] chunk, int elementSize, Dictionary<long, (long, int)> chunks, int maxStored, bool shuffled)
    {
        _shape = shape; _chunk = chunk; _elementSize = elementSize; _chunks = chunks; _maxStored = maxStored; _shuffled = shuffled;
        _grid = new long[shape.Length];
        long bytes = elementSize;
        for (int a = 0; a < shape.Length; a++) { _grid[a] = (shape[a] + chunk[a] - 1) / chunk[a]; bytes *= chunk[a]; }
        _chunkBytes = checked((int)bytes);
    }

    /// <summary>Chunks in the index (tests).</summary>
    internal int ChunkCount => _chunks.Count;

    /// <summary>
    /// Benchmarks and tests: false = always PureHDF's path (the reader before this class; the environment variable
    /// <c>SARKIT_DIRECT_CHUNKS=0</c> does the same for a whole process). Same values either way.
    /// </summary>
    internal static volatile bool Enabled = Environment.GetEnvironmentVariable("SARKIT_DIRECT_CHUNKS") != "0";

    /// <summary>Reads made through this path in this process (tests check the path is taken).</summary>
    internal static long Reads;

    /// <summary>
    /// The chunk index of a dataset, or null when this path does not apply (see the class remarks). <paramref name="layout"/>
    /// is PureHDF's parsed data layout message; <paramref name="filterIds"/> the dataset's filter pipeline.
    /// </summary>
    public static DirectChunkReader? TryBuild(SafeHandleReader file, object? layout, int[] filterIds, long[] shape, long[] chunk, int elementSize)
    {
        try
        {
            bool shuffled = filterIds is [2, 1];
            if (!(filterIds is [1] || shuffled) || layout is null || shape.Length == 0 || shape.Length != chunk.Length) return null;
            if (layout.GetType().Name != "DataLayoutMessage3" || Convert.ToInt32(PureHdfInternals.Member(layout, "Version"), System.Globalization.CultureInfo.InvariantCulture) != 3) return null;
            var props = PureHdfInternals.Member(layout, "Properties");
            if (props is null || props.GetType().Name != "ChunkedStoragePropertyDescription3") return null;
            var dims = (uint[])PureHdfInternals.Member(props, "DimensionSizes")!;
            ulong root = (ulong)PureHdfInternals.Member(props, "Address")!;
            if (dims.Length != shape.Length + 1 || dims[^1] != elementSize) return null;
            for (int a = 0; a < shape.Length; a++) if (dims[a] != chunk[a]) return null;
            if (!file.OffsetsAre8Bytes || root >= (ulong)file.Length) return null;
            return Walk(file, (long)root, shape, chunk, elementSize, shuffled);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return null;   // anything unexpected: PureHDF's path
        }
    }

    /// <summary>Walks the version-1 B-tree of raw data chunks (HDF5 file format spec III.A.1, node type 1).</summary>
    private static DirectChunkReader? Walk(SafeHandleReader file, long root, long[] shape, long[] chunk, int elementSize, bool shuffled)
    {
        int rank = shape.Length, keyBytes = 8 + 8 * (rank + 1), entryBytes = keyBytes + 8;
        long total = 1;
        var grid = new long[rank];
        for (int a = 0; a < rank; a++) { grid[a] = (shape[a] + chunk[a] - 1) / chunk[a]; total = checked(total * grid[a]); }
        var chunks = new Dictionary<long, (long, int)>();
        var visited = new HashSet<long>();
        var stack = new Stack<(long Address, int Level)>();
        stack.Push((root, -1));
        int maxStored = 0;
        var header = new byte[24];
        while (stack.Count > 0)
        {
            var (address, expectLevel) = stack.Pop();
            if (!visited.Add(address) || visited.Count > MaxNodes) return null;
            if (!file.ReadExactly(address, header)) return null;
            if (header[0] != (byte)'T' || header[1] != (byte)'R' || header[2] != (byte)'E' || header[3] != (byte)'E' || header[4] != 1) return null;
            int level = header[5], used = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(6));
            if (level > MaxLevel || (expectLevel >= 0 && level != expectLevel) || used == 0) return null;
            var body = new byte[(long)used * entryBytes + keyBytes];
            if (!file.ReadExactly(address + 24, body)) return null;
            for (int i = 0; i < used; i++)
            {
                var key = body.AsSpan(i * entryBytes, keyBytes);
                long child = (long)BinaryPrimitives.ReadUInt64LittleEndian(body.AsSpan(i * entryBytes + keyBytes));
                if (child < 0 || child >= file.Length) return null;
                if (level > 0) { stack.Push((child, level - 1)); continue; }
                uint size = BinaryPrimitives.ReadUInt32LittleEndian(key), mask = BinaryPrimitives.ReadUInt32LittleEndian(key[4..]);
                if (mask != 0 || size == 0 || size > int.MaxValue || child > file.Length - size) return null;
                long linear = 0;
                for (int a = 0; a < rank; a++)
                {
                    ulong off = BinaryPrimitives.ReadUInt64LittleEndian(key[(8 + 8 * a)..]);
                    if (off >= (ulong)shape[a] || off % (ulong)chunk[a] != 0) return null;
                    linear = linear * grid[a] + (long)(off / (ulong)chunk[a]);
                }
                if (BinaryPrimitives.ReadUInt64LittleEndian(key[(8 + 8 * rank)..]) != 0) return null;
                if (!chunks.TryAdd(linear, (child, (int)size))) return null;
                maxStored = Math.Max(maxStored, (int)size);
            }
            if (chunks.Count > total) return null;
        }
        return new DirectChunkReader(shape, chunk, elementSize, chunks, maxStored, shuffled);
    }

    /// <summary>One hyperslab to fill: start and count per axis, destination (C order over count, element size bytes each).</summary>
    public readonly record struct Target(long[] Start, long[] Count, nint Destination, long Bytes);

    /// <summary>
    /// Fills every target (validated by the caller: inside the dataset, destination of exactly count × element size bytes)
    /// from the chunks that meet it, on up to <paramref name="threads"/> threads. False when a needed chunk is not in the
    /// index, the needed chunks store more than <paramref name="budgetBytes"/> in all, or a chunk cannot be read or inflated (the caller reads through PureHDF instead; destinations may hold
    /// partial data then and are overwritten).
    /// </summary>
    public unsafe bool TryRead(SafeHandleReader file, IReadOnlyList<Target> targets, int threads, long budgetBytes)
    {
        int rank = _shape.Length;
        // chunk → the targets it meets, in order of first appearance
        var order = new List<long>();
        var meets = new Dictionary<long, List<int>>();
        var lo = new long[rank];
        var hi = new long[rank];
        var at = new long[rank];
        for (int t = 0; t < targets.Count; t++)
        {
            var (start, count) = (targets[t].Start, targets[t].Count);
            bool empty = false;
            for (int a = 0; a < rank; a++)
            {
                if (count[a] == 0) { empty = true; break; }
                lo[a] = start[a] / _chunk[a];
                hi[a] = (start[a] + count[a] - 1) / _chunk[a];
            }
            if (empty) continue;
            Array.Copy(lo, at, rank);
            while (true)
            {
                long linear = 0;
                for (int a = 0; a < rank; a++) linear = linear * _grid[a] + at[a];
                if (!_chunks.ContainsKey(linear)) return false;
                if (!meets.TryGetValue(linear, out var list)) { meets[linear] = list = []; order.Add(linear); }
                list.Add(t);
                int d = rank - 1;
                while (d >= 0 && ++at[d] > hi[d]) { at[d] = lo[d]; d--; }
                if (d < 0) break;
            }
        }
        if (order.Count == 0) return true;
        // the read budget of one operation (GuardedFileStream.OperationBudgetBytes): a hostile index whose chunks all
        // point at one large region is left to PureHDF's budgeted path instead of being read again and again
        long storedBytes = 0;
        foreach (long linear in order) storedBytes += _chunks[linear].Size;
        if (storedBytes > budgetBytes) return false;
        int workers = Math.Max(1, Math.Min(threads, order.Count));
        int next = -1, failed = 0;
        void Work()
        {
            var stored = ArrayPool<byte>.Shared.Rent(_maxStored);
            var inflated = ArrayPool<byte>.Shared.Rent(_chunkBytes);
            var unshuffled = _shuffled ? ArrayPool<byte>.Shared.Rent(_chunkBytes) : null;
            var origin = new long[rank];
            try
            {
                int i;
                while (Volatile.Read(ref failed) == 0 && (i = Interlocked.Increment(ref next)) < order.Count)
                {
                    long linear = order[i];
                    var (address, size) = _chunks[linear];
                    if (!file.ReadExactly(address, stored.AsSpan(0, size))) { Volatile.Write(ref failed, 1); return; }
                    ZlibInflateFilter.InflateInto(stored.AsSpan(0, size), inflated.AsSpan(0, _chunkBytes));
                    var values = inflated;
                    if (unshuffled is not null) { Unshuffle(inflated, unshuffled, _chunkBytes, _elementSize); values = unshuffled; }
                    long rest = linear;
                    for (int a = rank - 1; a >= 0; a--) { origin[a] = rest % _grid[a] * _chunk[a]; rest /= _grid[a]; }
                    foreach (int t in meets[linear]) Copy(values, origin, targets[t]);
                }
            }
            catch (Exception e) when (e is InvalidDataException or IOException or Hdf5StructureException)
            {
                Volatile.Write(ref failed, 1);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(stored);
                ArrayPool<byte>.Shared.Return(inflated);
                if (unshuffled is not null) ArrayPool<byte>.Shared.Return(unshuffled);
            }
        }
        if (workers == 1) Work();
        else Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, _ => Work());
        if (failed != 0) return false;
        Interlocked.Increment(ref Reads);
        return true;
    }

    /// <summary>
    /// Undoes the HDF5 shuffle filter (H5Z_filter_shuffle): the stored chunk holds byte 0 of every element, then byte 1
    /// of every element, and so on; a trailing part shorter than one element is stored as is.
    /// </summary>
    private static void Unshuffle(byte[] shuffled, byte[] output, int bytes, int size)
    {
        int n = bytes / size;
        for (int b = 0; b < size; b++)
        {
            int from = b * n;
            for (int i = 0; i < n; i++) output[i * size + b] = shuffled[from + i];
        }
        for (int r = n * size; r < bytes; r++) output[r] = shuffled[r];
    }

    /// <summary>Copies the part of the inflated chunk at <paramref name="origin"/> that lies in <paramref name="t"/>, row by row along the last axis.</summary>
    private unsafe void Copy(byte[] chunk, long[] origin, Target t)
    {
        int rank = _shape.Length;
        Span<long> lo = stackalloc long[rank], hi = stackalloc long[rank], idx = stackalloc long[rank];
        for (int a = 0; a < rank; a++)
        {
            lo[a] = Math.Max(origin[a], t.Start[a]);
            hi[a] = Math.Min(Math.Min(origin[a] + _chunk[a], _shape[a]), t.Start[a] + t.Count[a]);
            if (lo[a] >= hi[a]) return;
            idx[a] = lo[a];
        }
        int row = checked((int)((hi[rank - 1] - lo[rank - 1]) * _elementSize));
        byte* dst = (byte*)t.Destination;
        fixed (byte* src = chunk)
        {
            while (true)
            {
                long so = 0, dof = 0;
                for (int a = 0; a < rank; a++)
                {
                    so = so * _chunk[a] + (idx[a] - origin[a]);
                    dof = dof * t.Count[a] + (idx[a] - t.Start[a]);
                }
                long dstByte = dof * _elementSize;
                if (dstByte < 0 || dstByte + row > t.Bytes) throw new InvalidOperationException("direct chunk read: destination overrun");
                Buffer.MemoryCopy(src + so * _elementSize, dst + dstByte, t.Bytes - dstByte, row);
                int d = rank - 2;
                while (d >= 0 && ++idx[d] >= hi[d]) { idx[d] = lo[d]; d--; }
                if (d < 0) break;
            }
        }
    }
}

/// <summary>Positional reads of an open HDF5 file (thread-safe: pread), bounded by the file's length at opening.</summary>
internal sealed class SafeHandleReader
{
    private readonly Microsoft.Win32.SafeHandles.SafeFileHandle _handle;

    public SafeHandleReader(Microsoft.Win32.SafeHandles.SafeFileHandle handle, long length)
    {
        _handle = handle;
        Length = length;
        OffsetsAre8Bytes = SuperblockFits();
    }

    /// <summary>File length at opening (bytes).</summary>
    public long Length { get; }

    /// <summary>True when the superblock at offset 0 declares 8-byte file addresses and base address 0 (what <see cref="DirectChunkReader"/> reads).</summary>
    public bool OffsetsAre8Bytes { get; }

    /// <summary>Reads exactly <paramref name="buffer"/>.Length bytes at <paramref name="offset"/>; false when that lies outside the file or the file ends early.</summary>
    public bool ReadExactly(long offset, Span<byte> buffer)
    {
        if (offset < 0 || offset > Length - buffer.Length) return false;
        while (buffer.Length > 0)
        {
            int n = RandomAccess.Read(_handle, buffer, offset);
            if (n <= 0) return false;
            buffer = buffer[n..];
            offset += n;
        }
        return true;
    }

    /// <summary>
    /// HDF5 file format spec II.A: superblock versions 0 and 1 keep the size of offsets at byte 13 and the base address at
    /// byte 24 or 28, versions 2 and 3 at byte 9 and 12.
    /// </summary>
    private bool SuperblockFits()
    {
        Span<byte> s = stackalloc byte[40];
        if (!ReadExactly(0, s)) return false;
        ReadOnlySpan<byte> sig = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
        if (!s[..8].SequenceEqual(sig)) return false;
        int offsets, baseAt;
        switch (s[8])
        {
            case 0: offsets = s[13]; baseAt = 24; break;
            case 1: offsets = s[13]; baseAt = 28; break;
            case 2 or 3: offsets = s[9]; baseAt = 12; break;
            default: return false;
        }
        return offsets == 8 && BinaryPrimitives.ReadUInt64LittleEndian(s[baseAt..]) == 0;
    }
}
