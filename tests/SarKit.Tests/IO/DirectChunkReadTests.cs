using SarKit.IO;
using SarKit.IO.Hdf5;
using SarKit.IO.Hdf5.Managed;

namespace SarKit.Tests.IO;

/// <summary>
/// <see cref="DirectChunkReader"/> (deflate-only or shuffle + deflate chunked datasets read straight from the chunk
/// index): the same bytes as PureHDF's path and as libhdf5 for whole, partial and slab reads with edge chunks, the path
/// really taken where it applies, not taken where it does not (a converting read), and a missing or corrupt chunk still refused
/// with PureHDF's message. Serial (Console collection): it switches the process-wide <see cref="DirectChunkReader.Enabled"/>.
/// </summary>
[Collection("Console")]
public sealed class DirectChunkReadTests : IDisposable
{
    private const int Nch = 3, Nz = 23, Ny = 17, Nx = 29, Nv = Nz * Ny * Nx;
    private readonly string _dir = Directory.CreateTempSubdirectory("sarkit-h5direct-").FullName;

    public void Dispose()
    {
        DirectChunkReader.Enabled = true;
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private static float Re(int c, int a, int v) => 1000f * c + 100f * a + MathF.Sin(v) * (v % 97);
    private static float Im(int c, int a, int v) => -(v % 7919) - 0.25f * a + c;

    private string Write(string name, long[] chunks, bool shuffle, int channelsWritten = Nch)
    {
        var p = Path.Combine(_dir, name);
        using var f = Hdf5File.Create(p);
        f.CreateDataset("/E", NdType.Complex64, [Nch, 3, Nz, Ny, Nx], new Hdf5WriteOptions { GzipLevel = 4, Shuffle = shuffle, ChunkShape = chunks });
        var buf = new float[2 * Nv];
        for (int c = 0; c < channelsWritten; c++)
            for (int a = 0; a < 3; a++)
            {
                for (int v = 0; v < Nv; v++) { buf[2 * v] = Re(c, a, v); buf[2 * v + 1] = Im(c, a, v); }
                f.WriteHyperslab<float>("/E", buf, [c, a, 0, 0, 0], [1, 1, Nz, Ny, Nx]);
            }
        var rho = new float[Nv];
        for (int v = 0; v < Nv; v++) rho[v] = v % 13 == 0 ? 0 : 900 + v % 211;
        f.CreateDataset("/rho", NdType.Float32, [Nz, Ny, Nx], new Hdf5WriteOptions { GzipLevel = 1, Shuffle = shuffle, ChunkShape = [7, 5, 11] });
        f.WriteHyperslab<float>("/rho", rho, [0, 0, 0], [Nz, Ny, Nx]);
        return p;
    }

    private static List<Hdf5Slab<float>> Slabs(float[][] dst) =>
        Enumerable.Range(0, dst.Length).Select(i => new Hdf5Slab<float>([i / 3, i % 3, 0, 0, 0], [1, 1, Nz, Ny, Nx], dst[i])).ToList();

    /// <summary>Everything a caller reads: slab by slab (FieldIO), whole, an unaligned box, a float32 map.</summary>
    private static (float[][] Slabs, float[] Whole, float[] Box, float[] Rho) ReadAll(string p)
    {
        using var f = Hdf5File.OpenRead(p);
        var slabs = Enumerable.Range(0, Nch * 3).Select(_ => new float[2 * Nv]).ToArray();
        f.ReadSlabsInto("/E", Slabs(slabs));
        var whole = new float[2L * Nch * 3 * Nv];
        f.ReadInto<float>("/E", whole);
        var box = new float[2 * 2 * 2 * 9 * 10 * 11];
        f.ReadInto<float>("/E", box, [1, 1, 3, 4, 5], [2, 2, 9, 10, 11]);
        var rho = new float[Nv];
        f.ReadInto<float>("/rho", rho);
        return (slabs, whole, box, rho);
    }

    [Theory]
    [InlineData(false, 2, 1, 5, 4, 13)]   // edge chunks on every grid axis (23, 17, 29 are not multiples)
    [InlineData(true, 2, 1, 5, 4, 13)]    // shuffle + deflate
    [InlineData(false, 1, 3, 23, 17, 29)] // one chunk per channel
    [InlineData(true, 3, 3, 8, 6, 7)]
    public void Direct_reads_give_the_bytes_of_PureHDF_and_libhdf5(bool shuffle, int cc, int ca, int cz, int cy, int cx)
    {
        var p = Write($"d{shuffle}{cc}{ca}{cz}{cy}{cx}.h5", [cc, ca, cz, cy, cx], shuffle);
        long before = Interlocked.Read(ref DirectChunkReader.Reads);
        var direct = ReadAll(p);
        Assert.True(Interlocked.Read(ref DirectChunkReader.Reads) >= before + 4, "the direct chunk path was not taken");
        DirectChunkReader.Enabled = false;
        long off = Interlocked.Read(ref DirectChunkReader.Reads);
        var pure = ReadAll(p);
        Assert.Equal(off, Interlocked.Read(ref DirectChunkReader.Reads));
        DirectChunkReader.Enabled = true;
        for (int i = 0; i < Nch * 3; i++) Assert.True(direct.Slabs[i].AsSpan().SequenceEqual(pure.Slabs[i]), $"slab {i} differs from PureHDF's read");
        Assert.True(direct.Whole.AsSpan().SequenceEqual(pure.Whole), "whole read differs");
        Assert.True(direct.Box.AsSpan().SequenceEqual(pure.Box), "box read differs");
        Assert.True(direct.Rho.AsSpan().SequenceEqual(pure.Rho), "float32 read differs");
        Assert.Equal(Re(2, 1, Nv - 1), direct.Slabs[7][^2]);
        Assert.Equal(Im(2, 1, Nv - 1), direct.Slabs[7][^1]);
        using var n = Hdf5File.OpenReadNative(p);
        var whole = new float[2L * Nch * 3 * Nv];
        n.ReadInto<float>("/E", whole);
        Assert.True(direct.Whole.AsSpan().SequenceEqual(whole), "whole read differs from libhdf5");
    }

    [Fact]
    public void A_converting_read_is_left_to_PureHDF_with_the_same_values()
    {
        var p = Write("convert.h5", [1, 1, 5, 4, 13], shuffle: true);
        using var f = Hdf5File.OpenRead(p);
        long before = Interlocked.Read(ref DirectChunkReader.Reads);
        var rho = new double[Nv];
        f.ReadInto<double>("/rho", rho);
        var e = new double[2L * Nch * 3 * Nv];
        f.ReadInto<double>("/E", e);
        Assert.Equal(before, Interlocked.Read(ref DirectChunkReader.Reads));
        Assert.Equal(900 + 778 % 211, rho[778]);
        Assert.Equal(Re(1, 2, 777), e[2 * ((1 * 3 + 2) * Nv + 777)]);
    }

    [Fact]
    public void A_missing_chunk_is_refused_with_PureHDF_s_message()
    {
        var p = Write("missing.h5", [1, 1, 5, 4, 13], shuffle: false, channelsWritten: Nch - 1);
        using var f = Hdf5File.OpenRead(p);
        var dst = Enumerable.Range(0, Nch * 3).Select(_ => new float[2 * Nv]).ToArray();
        var e = Assert.Throws<SarKitInputException>(() => f.ReadSlabsInto("/E", Slabs(dst)));
        Assert.Contains("is not stored in the file", e.Message);
        Assert.Contains(p, e.Message);
        // the written channels still read through the direct path
        long before = Interlocked.Read(ref DirectChunkReader.Reads);
        var part = new float[2L * (Nch - 1) * 3 * Nv];
        f.ReadInto<float>("/E", part, [0, 0, 0, 0, 0], [Nch - 1, 3, Nz, Ny, Nx]);
        Assert.Equal(before + 1, Interlocked.Read(ref DirectChunkReader.Reads));
        Assert.Equal(Im(1, 2, Nv - 1), part[^1]);
    }

    [Fact]
    public void A_corrupt_chunk_is_refused_as_before()
    {
        var p = Write("corrupt.h5", [1, 1, 23, 17, 29], shuffle: false);
        // flip bytes in the middle of the file (inside some chunk's deflate stream)
        var bytes = File.ReadAllBytes(p);
        for (int i = bytes.Length / 2; i < bytes.Length / 2 + 64; i++) bytes[i] ^= 0x5a;
        File.WriteAllBytes(p, bytes);
        using var f = Hdf5File.OpenRead(p);
        var all = new float[2L * Nch * 3 * Nv];
        var e = Assert.Throws<SarKitInputException>(() => f.ReadInto<float>("/E", all));
        Assert.Contains(p, e.Message);
        Assert.Contains("/E", e.Message);
    }
}
