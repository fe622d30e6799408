using System.Runtime.InteropServices;

namespace SarKit.IO.Hdf5.Managed;

/// <summary>
/// One-shot zlib (RFC 1950) decompression into a buffer of known size with libdeflate (E. Biggers, MIT licence; the
/// Debian package libdeflate0), loaded at run time through <see cref="NativeLibrary"/> (no build-time dependency,
/// trimming- and AOT-safe function pointers). An HDF5 deflate chunk inflates to exactly the chunk's byte size, which is
/// what libdeflate's whole-buffer API is made for: no stream state, no window copy, no per-chunk initialisation; it
/// verifies the Adler-32 checksum like zlib. When the library is absent <see cref="Available"/> is false and
/// <see cref="ZlibInflateFilter"/> inflates with System.IO.Compression instead (same bytes: both decode the same
/// DEFLATE stream, RFC 1951, and a stream is either refused by both or decoded identically).
/// </summary>
internal static unsafe class LibDeflateInflater
{
    // enum libdeflate_result (libdeflate.h)
    private const int Success = 0, BadData = 1, InsufficientSpace = 3;

    private static readonly delegate* unmanaged<nint> AllocDecompressor;
    private static readonly delegate* unmanaged<nint, void> FreeDecompressor;
    private static readonly delegate* unmanaged<nint, byte*, nuint, byte*, nuint, nuint*, nuint*, int> ZlibDecompressEx;

    [ThreadStatic] private static Decompressor? _perThread;

    static LibDeflateInflater()
    {
        if (Environment.GetEnvironmentVariable("SARKIT_LIBDEFLATE") == "0") return;   // benchmarks and tests: the managed path
        foreach (var name in new[] { "libdeflate.so.0", "libdeflate.so", "libdeflate.0.dylib", "libdeflate.dylib", "libdeflate.dll", "deflate.dll" })
        {
            if (!NativeLibrary.TryLoad(name, typeof(LibDeflateInflater).Assembly, null, out var lib)) continue;
            if (NativeLibrary.TryGetExport(lib, "libdeflate_alloc_decompressor", out var a)
                && NativeLibrary.TryGetExport(lib, "libdeflate_free_decompressor", out var f)
                && NativeLibrary.TryGetExport(lib, "libdeflate_zlib_decompress_ex", out var z))
            {
                AllocDecompressor = (delegate* unmanaged<nint>)a;
                FreeDecompressor = (delegate* unmanaged<nint, void>)f;
                ZlibDecompressEx = (delegate* unmanaged<nint, byte*, nuint, byte*, nuint, nuint*, nuint*, int>)z;
                Available = true;
                return;
            }
            NativeLibrary.Free(lib);
        }
    }

    /// <summary>True when libdeflate was found (and <c>SARKIT_LIBDEFLATE</c> is not 0).</summary>
    public static bool Available { get; }

    /// <summary>
    /// Inflates the zlib stream <paramref name="source"/> into exactly <paramref name="destination"/>.Length bytes.
    /// A stream that ends early, would produce more, is corrupt or fails its checksum raises
    /// <see cref="InvalidDataException"/> (fail closed, as <see cref="ZlibInflateFilter.Inflate"/>).
    /// </summary>
    public static void Inflate(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (!Available) throw new InvalidOperationException("libdeflate is not available.");
        var d = _perThread ??= new Decompressor();
        nuint got = 0, used = 0;
        int r;
        fixed (byte* src = source)
        fixed (byte* dst = destination)
            r = ZlibDecompressEx(d.Handle, src, (nuint)source.Length, dst, (nuint)destination.Length, &used, &got);
        GC.KeepAlive(d);
        switch (r)
        {
            case Success when got == (nuint)destination.Length: return;
            case Success: throw new InvalidDataException($"deflate: the stored chunk inflates to {got} bytes, the chunk holds {destination.Length} (truncated or corrupt chunk).");
            case InsufficientSpace: throw new InvalidDataException($"deflate: the stored chunk inflates to more than the chunk's {destination.Length} bytes (corrupt chunk).");
            case BadData: throw new InvalidDataException("deflate: the stored chunk is not a valid zlib stream or fails its Adler-32 checksum (corrupt chunk).");
            default: throw new InvalidDataException($"deflate: libdeflate refused the stored chunk (result {r}; corrupt chunk).");
        }
    }

    /// <summary>A libdeflate decompressor of one thread (not thread-safe by design), freed when the thread's reference dies.</summary>
    private sealed class Decompressor
    {
        public readonly nint Handle;
        public Decompressor()
        {
            Handle = AllocDecompressor();
            if (Handle == 0) throw new OutOfMemoryException("libdeflate_alloc_decompressor failed.");
        }
        ~Decompressor() => FreeDecompressor(Handle);
    }
}
