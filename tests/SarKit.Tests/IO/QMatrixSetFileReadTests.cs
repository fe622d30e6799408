using SarKit.IO;
using SarKit.IO.Formats;
using SarKit.IO.Hdf5;
using SarKit.IO.Hdf5.Managed;

namespace SarKit.Tests.IO;

/// <summary>
/// The chunk-parallel packed read of a Q-matrix file (<see cref="QMatrixSetFile.ReadPacked"/>, issue 18) gives the packed
/// set of the former whole-array read bit for bit, for gzip + shuffle files of several chunks with a partial last chunk and
/// for contiguous files; deflate runs on System.IO.Compression (<see cref="ZlibInflateFilter"/>), which gives the bytes of
/// PureHDF's own inflater; a corrupt chunk is an input error naming the file and /matrices.
/// In the serial "Console" collection: <c>Native_zlib_inflate_gives_the_bytes_of_the_PureHDF_inflater</c> swaps the
/// process-wide PureHDF filter registry (<see cref="ZlibInflateFilter.Use"/>), which empties it for a moment; an HDF5 read
/// in a test running in parallel then found no deflate filter (CI, 2026-12-07).
/// </summary>
[Collection("Console")]
public sealed class QMatrixSetFileReadTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sarkit-qread-").FullName;

    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    /// <summary>count random Hermitian n×n matrices as complex128 [count, n, n] (interleaved re, im), exact conjugate symmetry.</summary>
    private static double[] RandomHermitian(int count, int n, int seed)
    {
        var rng = new Random(seed);
        var z = new double[2 * count * n * n];
        for (int c = 0; c < count; c++)
            for (int i = 0; i < n; i++)
                for (int j = i; j < n; j++)
                {
                    double re = rng.NextDouble() * Math.Pow(10, rng.Next(-6, 3)), im = i == j ? 0 : rng.NextDouble() - 0.5;
                    int a = 2 * ((c * n + i) * n + j), b = 2 * ((c * n + j) * n + i);
                    z[a] = re; z[a + 1] = im; z[b] = re; z[b + 1] = -im;
                }
        return z;
    }

    private string Write(string name, double[] z, int count, int n, Hdf5WriteOptions options)
    {
        var p = Path.Combine(_dir, name);
        using var f = Hdf5File.Create(p);
        f.WriteDataset("/matrices", new NdArray(NdType.Complex128, [count, n, n], z), options);
        return p;
    }

    private static (double[] Whole, double[] Parallel) ReadBoth(string p)
    {
        using var f = Hdf5File.OpenRead(p);
        var whole = QMatrixSetFile.ReadPackedWhole(f, p).Packed;
        var par = QMatrixSetFile.ReadPacked(f, p).Packed;
        return (whole, par);
    }

    [Theory]
    [InlineData(1000, 8, 64)]   // 16 chunks, the last one partial (40 of 64 matrices)
    [InlineData(77, 3, 10)]     // odd channel count, partial last chunk of 7
    [InlineData(5, 8, 1024)]    // one chunk larger than the dataset
    public void Gzip_shuffle_file_reads_bit_identical_to_the_whole_array_read(int count, int n, int chunkRows)
    {
        var z = RandomHermitian(count, n, count + n);
        var p = Write($"gz{count}_{n}.h5", z, count, n, new Hdf5WriteOptions { GzipLevel = 4, Shuffle = true, ChunkShape = [chunkRows, n, n] });
        long calls = Interlocked.Read(ref ZlibInflateFilter.Calls);
        var (whole, par) = ReadBoth(p);
        Assert.True(Interlocked.Read(ref ZlibInflateFilter.Calls) > calls, "System.IO.Compression inflater was not used");
        Assert.Equal(count * n * n, par.Length);
        Assert.True(whole.AsSpan().SequenceEqual(par), "packed sets differ");
        // and equal to the packing of the values written
        var expected = new double[count * n * n];
        QMatrixSources.PackFull(z, n, count, columnMajor: false, relTol: 1e-9, expected, p, "/matrices", 0);
        Assert.True(expected.AsSpan().SequenceEqual(par), "packed set differs from the values written");
    }

    [Fact]
    public void Contiguous_file_reads_bit_identical_to_the_whole_array_read()
    {
        const int count = 9000, n = 4;   // 3 blocks of 4096 matrices, the last partial
        var z = RandomHermitian(count, n, 3);
        var p = Write("contig.h5", z, count, n, Hdf5WriteOptions.Default);
        var (whole, par) = ReadBoth(p);
        Assert.True(whole.AsSpan().SequenceEqual(par));
    }

    [Fact]
    public void Native_zlib_inflate_gives_the_bytes_of_the_PureHDF_inflater()
    {
        const int count = 300, n = 8;
        var p = Write("cmp.h5", RandomHermitian(count, n, 4), count, n, new Hdf5WriteOptions { GzipLevel = 6, Shuffle = true, ChunkShape = [50, n, n] });
        double[] before;
        try
        {
            ZlibInflateFilter.Use(native: false);
            using var f = Hdf5File.OpenRead(p);
            before = QMatrixSetFile.ReadPackedWhole(f, p).Packed;
        }
        finally { ZlibInflateFilter.Use(native: true); }
        var (_, par) = ReadBoth(p);
        Assert.True(before.AsSpan().SequenceEqual(par));
    }

    [Fact]
    public void Not_hermitian_matrix_reports_the_lowest_index()
    {
        const int count = 600, n = 4;
        var z = RandomHermitian(count, n, 5);
        foreach (var bad in new[] { 530, 123 }) z[2 * ((bad * n + 0) * n + 1)] += 1;   // Q[0,1] ≠ conj(Q[1,0])
        var p = Write("nh.h5", z, count, n, new Hdf5WriteOptions { GzipLevel = 1, Shuffle = true, ChunkShape = [40, n, n] });
        using var f = Hdf5File.OpenRead(p);
        var ex = Assert.Throws<SarKitInputException>(() => QMatrixSetFile.ReadPacked(f, p));
        Assert.Contains("matrix 123 ", ex.Message);
    }

    [Fact]
    public void Corrupt_chunk_is_an_input_error_naming_file_and_dataset()
    {
        const int count = 2000, n = 8;
        var p = Write("bad.h5", RandomHermitian(count, n, 6), count, n, new Hdf5WriteOptions { GzipLevel = 4, Shuffle = true, ChunkShape = [256, n, n] });
        var bytes = File.ReadAllBytes(p);
        // the zlib header of a level-4 stream (RFC 1950: CMF 0x78, FLG 0x5E) starts every stored chunk; damage the 3rd chunk's data
        var starts = new List<int>();
        for (int i = 2048; i + 1 < bytes.Length; i++) if (bytes[i] == 0x78 && bytes[i + 1] == 0x5E) starts.Add(i);
        Assert.True(starts.Count >= 3);
        int at = starts[starts.Count / 2];
        for (int i = at + 200; i < at + 264; i++) bytes[i] ^= 0xA5;
        File.WriteAllBytes(p, bytes);
        using var f = Hdf5File.OpenRead(p);
        var ex = Assert.Throws<SarKitInputException>(() => QMatrixSetFile.ReadPacked(f, p));
        Assert.Equal(p, ex.SourceFile);
        Assert.Equal("/matrices", ex.Dataset);
        Assert.Contains(p, ex.Message);
    }
}
