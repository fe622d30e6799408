using SarKit.IO;
using SarKit.IO.Hdf5;
using SarKit.IO.Hdf5.Managed;

namespace SarKit.Tests.IO;

/// <summary>
/// Reads of deflate-compressed chunked selections of at least <see cref="ManagedHdf5Reader.ParallelMinBytes"/> are cut at
/// chunk boundaries and decompressed by several readers at once (when SarKitSettings allows more than one thread): every
/// value must land where a sequential read puts it, for aligned and unaligned starts and for chunks that span several
/// channels, and a chunk that was never written must still be refused.
/// </summary>
public sealed class Hdf5ParallelReadTests : IDisposable
{
    private const int Nch = 4, Nz = 32, Ny = 40, Nx = 50, Nv = Nz * Ny * Nx;
    private readonly string _dir = Directory.CreateTempSubdirectory("sarkit-h5par-").FullName;

    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    private static float Re(int c, int a, int v) => 100000f * c + 10000f * a + v % 9973;
    private static float Im(int c, int a, int v) => -(v % 7919) - 0.5f * a;

    private string Write(string name, long[] chunks, int channelsWritten = Nch)
    {
        var p = Path.Combine(_dir, name);
        using var f = Hdf5File.Create(p);
        f.CreateDataset("/E", NdType.Complex64, [Nch, 3, Nz, Ny, Nx], new Hdf5WriteOptions { GzipLevel = 1, Shuffle = true, ChunkShape = chunks });
        var buf = new float[2 * Nv];
        for (int c = 0; c < channelsWritten; c++)
            for (int a = 0; a < 3; a++)
            {
                for (int v = 0; v < Nv; v++) { buf[2 * v] = Re(c, a, v); buf[2 * v + 1] = Im(c, a, v); }
                f.WriteHyperslab<float>("/E", buf, [c, a, 0, 0, 0], [1, 1, Nz, Ny, Nx]);
            }
        return p;
    }

    private static void AssertValues(ReadOnlySpan<float> data, int c0, int channels)
    {
        for (int c = 0; c < channels; c++)
            for (int a = 0; a < 3; a++)
                for (int v = 0; v < Nv; v++)
                {
                    long i = 2L * (((long)c * 3 + a) * Nv + v);
                    if (data[(int)i] != Re(c0 + c, a, v) || data[(int)i + 1] != Im(c0 + c, a, v))
                        Assert.Fail($"channel {c0 + c} component {a} voxel {v}: ({data[(int)i]}, {data[(int)i + 1]}), expected ({Re(c0 + c, a, v)}, {Im(c0 + c, a, v)})");
                }
    }

    [Theory]
    [InlineData(1, 1, 8)]   // one chunk row per channel and component
    [InlineData(2, 1, 5)]   // chunks span two channels; 5 does not divide nz = 32
    public void Whole_and_partial_reads_put_every_value_in_place(int chunkChannels, int chunkComponents, int chunkZ)
    {
        var p = Write($"c{chunkChannels}{chunkComponents}{chunkZ}.h5", [chunkChannels, chunkComponents, chunkZ, Ny / 2, Nx]);
        Assert.True(2L * Nch * 3 * Nv * sizeof(float) >= ManagedHdf5Reader.ParallelMinBytes);
        using var f = Hdf5File.OpenRead(p);
        var all = new float[2L * Nch * 3 * Nv];
        f.ReadInto<float>("/E", all);
        AssertValues(all, 0, Nch);
        // unaligned start on the split axis (channels 1..3)
        var part = new float[2L * 3 * 3 * Nv];
        f.ReadInto<float>("/E", part, [1, 0, 0, 0, 0], [3, 3, Nz, Ny, Nx]);
        AssertValues(part, 1, 3);
        // the NdArray path and a conversion to double
        var arr = (float[])f.ReadDataset("/E").Data;
        AssertValues(arr, 0, Nch);
        var d = new double[2L * Nch * 3 * Nv];
        f.ReadInto<double>("/E", d);
        Assert.Equal(Re(3, 2, Nv - 1), d[^2]);
        Assert.Equal(Im(3, 2, Nv - 1), d[^1]);
        // channel by channel afterwards (the chunk cache of the worker readers is reused)
        var one = new float[2 * Nv];
        for (int c = 0; c < Nch; c++)
            for (int a = 0; a < 3; a++)
            {
                f.ReadInto<float>("/E", one, [c, a, 0, 0, 0], [1, 1, Nz, Ny, Nx]);
                Assert.Equal(Re(c, a, 1234), one[2 * 1234]);
                Assert.Equal(Im(c, a, Nv - 1), one[^1]);
            }
    }

    /// <summary>One slab per channel and component (how FieldIO reads a field), in parallel: every value in place.</summary>
    private static List<Hdf5Slab<float>> Slabs(float[][] dst) =>
        Enumerable.Range(0, Nch * 3).Select(i => new Hdf5Slab<float>([i / 3, i % 3, 0, 0, 0], [1, 1, Nz, Ny, Nx], dst[i])).ToList();

    [Theory]
    [InlineData(1, 1, 8)]
    [InlineData(2, 1, 5)]   // chunks span two channels: both slabs of a chunk go to one worker
    [InlineData(2, 3, 32)]  // a chunk holds two channels and all three components
    public void Slab_reads_put_every_value_where_sequential_reads_put_it(int chunkChannels, int chunkComponents, int chunkZ)
    {
        var p = Write($"s{chunkChannels}{chunkComponents}{chunkZ}.h5", [chunkChannels, chunkComponents, chunkZ, Ny / 2, Nx]);
        using var f = Hdf5File.OpenRead(p);
        var dst = Enumerable.Range(0, Nch * 3).Select(_ => new float[2 * Nv]).ToArray();
        Assert.True(dst.Sum(d => (long)d.Length * sizeof(float)) >= ManagedHdf5Reader.ParallelMinBytes);
        f.ReadSlabsInto("/E", Slabs(dst));
        var one = new float[2 * Nv];
        for (int i = 0; i < Nch * 3; i++)
        {
            f.ReadInto<float>("/E", one, [i / 3, i % 3, 0, 0, 0], [1, 1, Nz, Ny, Nx]);
            Assert.True(one.AsSpan().SequenceEqual(dst[i]), $"slab {i} (channel {i / 3}, component {i % 3}) differs from its sequential read");
            Assert.Equal(Re(i / 3, i % 3, 4321), dst[i][2 * 4321]);
        }
        // the native libhdf5 reader (sequential) agrees as well
        using var n = Hdf5File.OpenReadNative(p);
        var dn = Enumerable.Range(0, Nch * 3).Select(_ => new float[2 * Nv]).ToArray();
        n.ReadSlabsInto("/E", Slabs(dn));
        for (int i = 0; i < Nch * 3; i++) Assert.True(dn[i].AsSpan().SequenceEqual(dst[i]), $"slab {i}: native and managed reads differ");
    }

    [Fact]
    public void A_chunk_never_written_is_refused_in_a_slab_read_and_a_wrong_destination_named()
    {
        var p = Write("missing-slabs.h5", [1, 1, 8, Ny, Nx], channelsWritten: Nch - 1);
        using var f = Hdf5File.OpenRead(p);
        var dst = Enumerable.Range(0, Nch * 3).Select(_ => new float[2 * Nv]).ToArray();
        var e = Assert.Throws<SarKitInputException>(() => f.ReadSlabsInto("/E", Slabs(dst)));
        Assert.Contains("is not stored in the file", e.Message);
        Assert.Contains(p, e.Message);
        var small = Slabs(dst);
        small[5] = small[5] with { Destination = new float[2 * Nv - 2] };
        var a = Assert.Throws<ArgumentException>(() => f.ReadSlabsInto("/E", small.Take(Nch * 3 - 3).ToList()));
        Assert.Contains("destination holds", a.Message);
    }

    [Fact]
    public void A_chunk_never_written_is_refused_in_a_large_read()
    {
        var p = Write("missing.h5", [1, 1, 8, Ny, Nx], channelsWritten: Nch - 1);
        using var f = Hdf5File.OpenRead(p);
        var all = new float[2L * Nch * 3 * Nv];
        var e = Assert.Throws<SarKitInputException>(() => f.ReadInto<float>("/E", all));
        Assert.Contains("is not stored in the file", e.Message);
        Assert.Contains(p, e.Message);
        // the file stays usable: the written channels read
        var part = new float[2L * (Nch - 1) * 3 * Nv];
        f.ReadInto<float>("/E", part, [0, 0, 0, 0, 0], [Nch - 1, 3, Nz, Ny, Nx]);
        AssertValues(part, 0, Nch - 1);
    }
}
