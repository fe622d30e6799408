using System.IO.Compression;
using PureHDF.Filters;

namespace SarKit.IO.Hdf5.Managed;

/// <summary>
/// The HDF5 deflate filter (id 1) for reading: libdeflate's one-shot zlib decompression when the library is installed
/// (<see cref="LibDeflateInflater"/>, issue 18: measured in docs/performance.md), else .NET's System.IO.Compression
/// (native zlib-ng), both instead of PureHDF's managed inflater (a SharpZipLib port, about 3× slower per byte here). A stored chunk is a zlib stream (RFC 1950,
/// as libhdf5's H5Z_filter_deflate writes it); its inflated size must be exactly the chunk's byte size: a stream that
/// ends early or would produce more is refused (fail closed: the rest of a short chunk would read as zeros, and a
/// longer one is not a chunk of this dataset), so inflating can never allocate more than one chunk. Corrupt data raises
/// <see cref="InvalidDataException"/>, which the reader's guard turns into a <see cref="SarKitInputException"/> naming
/// the file and dataset. Registered once per process by <see cref="ManagedHdf5Reader"/>; read-only (SarKit writes with libhdf5).
/// </summary>
internal sealed class ZlibInflateFilter : IH5Filter
{
    public ushort FilterId => 1;
    public string Name => "deflate (System.IO.Compression)";

    private static int _registered;

    /// <summary>Replaces PureHDF's deflate filter for this process (idempotent, thread-safe).</summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 0) H5Filter.Register(new ZlibInflateFilter());
    }

    /// <summary>Benchmarks only: true = this filter, false = PureHDF's default filters (the reader before issue 18).</summary>
    internal static void Use(bool native)
    {
        H5Filter.ResetRegistrations();
        if (native) H5Filter.Register(new ZlibInflateFilter());
        Volatile.Write(ref _registered, 1);
    }

    public Memory<byte> Filter(FilterInfo info)
    {
        if (!info.Flags.HasFlag(H5FilterFlags.Decompress))
            throw new NotSupportedException("SarKit's HDF5 deflate filter only reads (files are written by libhdf5).");
        Interlocked.Increment(ref Calls);
        return Inflate(info.Buffer, info.ChunkSize);
    }

    /// <summary>Chunks inflated by this filter in this process (tests check it is the one PureHDF calls).</summary>
    internal static long Calls;

    /// <summary>
    /// Benchmarks and tests: false = always System.IO.Compression, even with libdeflate installed (the same bytes; the
    /// environment variable <c>SARKIT_LIBDEFLATE=0</c> does the same for a whole process).
    /// </summary>
    internal static volatile bool UseLibDeflate = true;

    /// <summary>
    /// Streaming readers (<see cref="Formats.WaveformHdf5StreamFile"/>) on their own threads: the next inflated chunk goes into
    /// this array when its length is the chunk's (instead of a fresh array: a 6-minute waveform is ~10⁴ chunks of 1 MiB, and
    /// fresh large arrays cost a page fault per 4 kB), and silent chunks are recognised (<see cref="ZeroChunks"/>).
    /// </summary>
    [ThreadStatic] internal static byte[]? NextOutput;

    /// <summary>
    /// Per thread, when set: stored deflate streams already inflated on this thread to all-zero chunks, with that chunk's
    /// size. A stream whose bytes equal one of them is not inflated again: inflating is a deterministic function of the
    /// stored bytes (RFC 1950/1951), so identical bytes give the identical, already verified (size, Adler-32) all-zero
    /// chunk, which is returned as one shared read-only array. Real pTx waveforms are silent between pulses, so most of
    /// their chunks are such identical streams. At most 8 distinct streams of at most 64 kB are kept.
    /// </summary>
    [ThreadStatic] internal static List<(byte[] Stored, byte[] Zeros)>? ZeroChunks;

    /// <summary>Chunks served from <see cref="ZeroChunks"/> on this thread (tests).</summary>
    [ThreadStatic] internal static long ZeroChunkHits;

    /// <summary>Inflates one zlib stream of exactly <paramref name="size"/> bytes.</summary>
    internal static byte[] Inflate(Memory<byte> source, int size)
    {
        var zc = ZeroChunks;
        if (zc is not null)
        {
            var src = source.Span;
            foreach (var (stored, zeros) in zc)
                if (zeros.Length == size && src.SequenceEqual(stored)) { ZeroChunkHits++; return zeros; }
        }
        byte[]? next = NextOutput;
        NextOutput = null;
        var output = InflateCore(source, size, next is not null && next.Length == size ? next : null);
        if (zc is not null && zc.Count < 8 && source.Length <= 65536 && !output.AsSpan().ContainsAnyExcept((byte)0))
            zc.Add((source.ToArray(), output == next ? (byte[])output.Clone() : output));
        return output;
    }

    private static byte[] InflateCore(Memory<byte> source, int size, byte[]? into)
    {
        if (size < 0) throw new InvalidDataException($"deflate: chunk size {size} is invalid.");
        var output = into ?? GC.AllocateUninitializedArray<byte>(size);
        InflateInto(source.Span, output);
        return output;
    }

    /// <summary>
    /// Inflates one zlib stream into exactly <paramref name="destination"/>.Length bytes (libdeflate when available, else
    /// System.IO.Compression); a stream that ends early or would produce more raises <see cref="InvalidDataException"/>.
    /// </summary>
    internal static unsafe void InflateInto(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        int size = destination.Length;
        if (source.IsEmpty) throw new InvalidDataException("deflate: the stored chunk is empty (corrupt chunk).");   // also: no null pointer below
        if (UseLibDeflate && LibDeflateInflater.Available)
        {
            LibDeflateInflater.Inflate(source, destination);
            return;
        }
        fixed (byte* src = source)
        {
            using var ms = new UnmanagedMemoryStream(src, source.Length);
            using var z = new ZLibStream(ms, CompressionMode.Decompress);
            int got = 0;
            while (got < size)
            {
                int r = z.Read(destination[got..]);
                if (r == 0) throw new InvalidDataException($"deflate: the stored chunk inflates to {got} bytes, the chunk holds {size} (truncated or corrupt chunk).");
                got += r;
            }
            Span<byte> one = stackalloc byte[1];
            if (z.Read(one) != 0) throw new InvalidDataException($"deflate: the stored chunk inflates to more than the chunk's {size} bytes (corrupt chunk).");
        }
    }

    public uint[] GetParameters(uint[] chunkDimensions, uint typeSize, Dictionary<string, object>? options)
        => throw new NotSupportedException("SarKit's HDF5 deflate filter only reads.");
}
