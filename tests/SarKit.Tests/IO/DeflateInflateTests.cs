using System.IO.Compression;
using System.Runtime.InteropServices;
using SarKit.IO;
using SarKit.IO.Hdf5;
using SarKit.IO.Hdf5.Managed;

namespace SarKit.Tests.IO;

/// <summary>
/// The HDF5 deflate filter's two inflaters (<see cref="ZlibInflateFilter"/>): libdeflate's one-shot decompression
/// (<see cref="LibDeflateInflater"/>, used when the library is installed) and System.IO.Compression give the same bytes
/// (the bytes compressed), and both refuse, as <see cref="InvalidDataException"/>, a stream that is corrupt, fails its
/// checksum, is truncated, or inflates to fewer or more bytes than the chunk holds (fail closed: never zeros or a
/// partial chunk). A gzip-chunked complex64 field written by libhdf5 reads the values written through either path.
/// </summary>
// Serial ("Console" collection): one test switches the process-wide ZlibInflateFilter.UseLibDeflate.
[Collection("Console")]
public sealed class DeflateInflateTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sarkit-inflate-").FullName;

    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    /// <summary>Compressible bytes: float32 values of a smooth field with a little noise (like a chunk of E).</summary>
    private static byte[] FieldBytes(int floats, int seed)
    {
        var rng = new Random(seed);
        var v = new float[floats];
        for (int i = 0; i < floats; i++) v[i] = MathF.Round(MathF.Sin(i * 0.01f) * 100f, 2) + (rng.Next(8) == 0 ? rng.NextSingle() : 0f);
        return MemoryMarshal.AsBytes(v.AsSpan()).ToArray();
    }

    private static byte[] Zlib(byte[] data, CompressionLevel level)
    {
        using var ms = new MemoryStream();
        using (var z = new ZLibStream(ms, level)) z.Write(data);
        return ms.ToArray();
    }

    /// <summary>Runs <paramref name="read"/> once with libdeflate allowed and once with System.IO.Compression only.</summary>
    private static (T LibDeflate, T Managed) BothPaths<T>(Func<T> read)
    {
        var a = read();
        try
        {
            ZlibInflateFilter.UseLibDeflate = false;
            return (a, read());
        }
        finally { ZlibInflateFilter.UseLibDeflate = true; }
    }

    [Fact]
    public void Libdeflate_is_used_exactly_when_the_library_is_installed()
    {
        bool installed = false;
        foreach (var name in new[] { "libdeflate.so.0", "libdeflate.so", "libdeflate.0.dylib", "libdeflate.dylib", "libdeflate.dll", "deflate.dll" })
            if (NativeLibrary.TryLoad(name, out var h)) { installed = true; NativeLibrary.Free(h); break; }
        Assert.Equal(installed && Environment.GetEnvironmentVariable("SARKIT_LIBDEFLATE") != "0", LibDeflateInflater.Available);
    }

    [Theory]
    [InlineData(1, CompressionLevel.Fastest)]
    [InlineData(16016, CompressionLevel.Optimal)]     // a 64 kB chunk of complex64 values
    [InlineData(100_000, CompressionLevel.SmallestSize)]
    [InlineData(100_000, CompressionLevel.NoCompression)]   // stored blocks
    public void Both_inflaters_give_the_bytes_compressed(int floats, CompressionLevel level)
    {
        var data = FieldBytes(floats, floats);
        var z = Zlib(data, level);
        var (lib, managed) = BothPaths(() => ZlibInflateFilter.Inflate(z.AsMemory(), data.Length));
        Assert.True(data.AsSpan().SequenceEqual(lib), "libdeflate path: bytes differ from the bytes compressed");
        Assert.True(data.AsSpan().SequenceEqual(managed), "System.IO.Compression path: bytes differ from the bytes compressed");
    }

    public static TheoryData<string> Corruptions => new() { "checksum", "middle", "truncated", "short", "long", "header", "empty" };

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void Both_inflaters_refuse_a_corrupt_or_wrong_size_stream(string corruption)
    {
        var data = FieldBytes(16016, 7);
        var z = Zlib(data, CompressionLevel.Optimal);
        int size = data.Length;
        switch (corruption)
        {
            case "checksum": z[^1] ^= 0x5a; break;                  // Adler-32 of the inflated bytes
            case "middle": for (int i = z.Length / 2; i < z.Length / 2 + 8; i++) z[i] ^= 0xff; break;
            case "truncated": z = z[..(z.Length - 12)]; break;     // the end of the DEFLATE data and the checksum missing
            case "short": size += 1; break;                         // the chunk would hold one byte more than the stream gives
            case "long": size -= 1; break;                          // the stream gives one byte more than the chunk holds
            case "header": z[0] = 0x09; break;                      // not a zlib header (CM ≠ 8)
            case "empty": z = []; break;
        }
        var (lib, managed) = BothPaths(() => Record.Exception(() => ZlibInflateFilter.Inflate(z.AsMemory(), size)));
        Assert.IsType<InvalidDataException>(lib);
        Assert.IsType<InvalidDataException>(managed);
    }

    [Fact]
    public void Gzip_chunked_complex_field_reads_the_values_written_through_both_inflaters()
    {
        // [channels, components, z, y, x] complex64 in chunks like an openEMS export: two channels deep, partial edge chunks
        const int nch = 3, nz = 9, ny = 11, nx = 13, nv = nz * ny * nx;
        var p = Path.Combine(_dir, "e.h5");
        var written = new float[2L * nch * 3 * nv];
        for (int i = 0; i < written.Length; i++) written[i] = MathF.Sin(i * 0.37f) * (1 + i % 17) - (i % 5 == 0 ? 1e-30f : 0f);
        using (var f = Hdf5File.Create(p))
            f.WriteDataset("/E", new NdArray(NdType.Complex64, [nch, 3, nz, ny, nx], written), new Hdf5WriteOptions { GzipLevel = 6, ChunkShape = [2, 1, 4, 5, 13] });
        var (lib, managed) = BothPaths(() =>
        {
            var a = new float[written.Length];
            using var f = Hdf5File.OpenRead(p);
            f.ReadInto<float>("/E", a);
            return a;
        });
        Assert.True(written.AsSpan().SequenceEqual(lib), "libdeflate path: values differ from those written");
        Assert.True(written.AsSpan().SequenceEqual(managed), "System.IO.Compression path: values differ from those written");
    }

    [Fact]
    public void A_corrupt_chunk_in_a_file_is_an_input_error_naming_the_file_and_dataset()
    {
        const int n = 4096;
        var p = Path.Combine(_dir, "bad.h5");
        var v = new double[n];
        for (int i = 0; i < n; i++) v[i] = Math.Cos(i * 0.001);
        using (var f = Hdf5File.Create(p))
            f.WriteDataset("/sigma", new NdArray(NdType.Float64, [n], v), new Hdf5WriteOptions { GzipLevel = 6, ChunkShape = [n] });
        // the chunk's zlib stream ends with the Adler-32 of the chunk: find the stream (header 0x78) and damage its middle
        var bytes = File.ReadAllBytes(p);
        int start = -1;
        for (int i = 0; i + 1 < bytes.Length; i++)
            if (bytes[i] == 0x78 && (bytes[i] << 8 | bytes[i + 1]) % 31 == 0 && bytes[i + 1] is 0x9c or 0x5e or 0x01 or 0xda) { start = i; break; }
        Assert.True(start >= 0, "no zlib stream found in the file");
        for (int i = start + 40; i < start + 60; i++) bytes[i] ^= 0xa5;
        File.WriteAllBytes(p, bytes);
        var (lib, managed) = BothPaths(() => Record.Exception(() =>
        {
            using var f = Hdf5File.OpenRead(p);
            var a = new double[n];
            f.ReadInto<double>("/sigma", a);
        }));
        foreach (var e in new[] { lib, managed })
        {
            var input = Assert.IsType<SarKitInputException>(e);
            Assert.Contains("bad.h5", input.Message);
            Assert.Contains("/sigma", input.Message);
        }
    }
}
