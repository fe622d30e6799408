using System.Numerics;
using SarKit.Fields;
using SarKit.IO;
using SarKit.IO.Arrays;
using SarKit.IO.Formats;

namespace SarKit.Tests.IO;

public class ArrayDatasetMapperTests
{
    private const int Nx = 4, Ny = 3, Nz = 2, Nch = 2;

    /// <summary>The fixture script's E(i,j,k,a,c) = (c+1)(a+1) + i + 1j·(j−k).</summary>
    private static Complex ExpectedE(int i, int j, int k, int a, int c) => new((c + 1) * (a + 1) + i, j - k);
    private static double ExpectedSigma(int i, int j, int k) => i + j + k == 0 ? 0 : 0.5 + 0.01 * i + 0.001 * j + 0.0001 * k;

    private static void CheckFixtureDataset(SarDataset ds)
    {
        var g = ds.Grid;
        Assert.Equal((Nx, Ny, Nz), (g.Nx, g.Ny, g.Nz));
        Assert.True(g.IsIsotropic());
        Assert.Equal(0.005, g.WidthX(0), 12);
        Assert.Equal(-0.01, g.EdgesX[0], 12);
        Assert.Equal(-0.0075, g.EdgesY[0], 12);
        Assert.Equal(0.0, g.EdgesZ[0], 12);
        Assert.Equal(298e6, ds.FrequencyHz);
        Assert.Equal(FieldNormalisation.PerVoltIncident, ds.E.Normalisation);
        Assert.Equal(Nch, ds.Channels);
        for (int k = 0; k < Nz; k++) for (int j = 0; j < Ny; j++) for (int i = 0; i < Nx; i++)
        {
            int v = g.Index(i, j, k);
            Assert.Equal(ExpectedSigma(i, j, k), ds.Tissue.Sigma[v], 12);
            Assert.Equal(i + j + k == 0 ? 0 : 1000, ds.Tissue.Rho[v]);
            for (int c = 0; c < Nch; c++) for (int a = 0; a < 3; a++)
                Assert.Equal(ExpectedE(i, j, k, a, c), ds.E.Get(c, a, v));
        }
    }

    [Fact]
    public void MatlabFileWithVoxelSizeAndOrigin()
    {
        var ds = ArrayDatasetMapper.Read(IoFixtures.Path("dataset_matlab.mat"));
        CheckFixtureDataset(ds);
        var head = ds.Tissue.Masks["head"];
        for (int v = 0; v < head.Length; v++) Assert.Equal(ds.Grid.Unravel(v).K == 1, head[v]);
        Assert.Equal("mat", ds.Provenance["source_format"]);
    }

    [Fact]
    public void NumpyArchiveWithCentresAndLabels()
    {
        var ds = ArrayDatasetMapper.Read(IoFixtures.Path("dataset_numpy.npz"));
        CheckFixtureDataset(ds);
        var labels = ds.Tissue.Labels!;
        for (int v = 0; v < labels.Length; v++) Assert.Equal(ds.Grid.Unravel(v).I + 1, labels[v]);
    }

    [Theory]
    [InlineData(".npz", true)]
    [InlineData(".npz", false)]
    [InlineData(".mat", true)]
    [InlineData(".mat", false)]
    public void WriteThenReadRoundTrips(string ext, bool compress)
    {
        var src = ArrayDatasetMapper.Read(IoFixtures.Path("dataset_numpy.npz"));
        src.Tissue.SetMask("body", src.Tissue.TissueMask());
        var b1 = new MultiChannelField(src.Grid, Nch, FieldQuantity.B1Plus, FieldNormalisation.PerVoltIncident);
        for (int v = 0; v < src.Grid.VoxelCount; v++) { b1.Set(0, 0, v, new Complex(v, 1)); b1.Set(1, 0, v, new Complex(-v, 2)); }
        var ds = new SarDataset(src.Tissue, src.E) { FrequencyHz = src.FrequencyHz, B1Plus = b1 };
        using var tmp = new IoFixtures.TempDir();
        var p = tmp.File("ds" + ext);
        if (ext == ".npz") ArrayDatasetMapper.WriteNpz(ds, p, compress); else ArrayDatasetMapper.WriteMat(ds, p, compress);
        var back = ArrayDatasetMapper.Read(p);
        CheckFixtureDataset(back);
        Assert.Equal(ds.Tissue.Labels, back.Tissue.Labels);
        Assert.Equal(ds.Tissue.Masks["body"], back.Tissue.Masks["body"]);
        Assert.Equal(ds.E.ChannelNames, back.E.ChannelNames);
        Assert.NotNull(back.B1Plus);
        for (int c = 0; c < Nch; c++) Assert.Equal(b1.ComponentData(c, 0), back.B1Plus!.ComponentData(c, 0));
    }

    /// <summary>A small valid array set in NumPy order, editable per test.</summary>
    private static Dictionary<string, NdArray> Valid()
    {
        int nv = Nx * Ny * Nz;
        var e = new float[2 * Nch * 3 * nv];
        for (int n = 0; n < e.Length; n++) e[n] = n % 7;
        return new()
        {
            ["sigma"] = new(NdType.Float64, [Nz, Ny, Nx], Enumerable.Repeat(0.5, nv).ToArray()),
            ["rho"] = new(NdType.Float64, [Nz, Ny, Nx], Enumerable.Repeat(1000.0, nv).ToArray()),
            ["E"] = new(NdType.Complex64, [Nch, 3, Nz, Ny, Nx], e),
            ["voxel_size"] = new(NdType.Float64, [], new[] { 0.002 }),
        };
    }

    private static SarKitInputException Fails(Dictionary<string, NdArray> arrays, string ext = ".npz")
    {
        using var tmp = new IoFixtures.TempDir();
        var p = tmp.File("bad" + ext);
        if (ext == ".npz") NpzArchive.Write(p, arrays); else MatFile.Write(p, arrays);
        var ex = Assert.Throws<SarKitInputException>(() => ArrayDatasetMapper.Read(p));
        Assert.Contains("bad" + ext, ex.Message);
        return ex;
    }

    [Fact]
    public void ValidSetReads()
    {
        using var tmp = new IoFixtures.TempDir();
        var p = tmp.File("ok.npz");
        NpzArchive.Write(p, Valid());
        var ds = ArrayDatasetMapper.Read(p);
        Assert.Equal(FieldNormalisation.Unspecified, ds.E.Normalisation);
        Assert.Equal(0.002, ds.Grid.WidthZ(0), 15);
    }

    [Fact]
    public void MissingVariablesAreNamed()
    {
        var a = Valid(); a.Remove("E");
        Assert.Contains("'E'", Fails(a).Message);
        a = Valid(); a.Remove("voxel_size");
        Assert.Contains("edges_x", Fails(a).Message);
    }

    [Fact]
    public void MismatchedShapesAreExplained()
    {
        var a = Valid();
        a["rho"] = new(NdType.Float64, [Nz, Ny, Nx + 1], new double[Nz * Ny * (Nx + 1)]);
        var ex = Fails(a);
        Assert.Contains("'rho'", ex.Message);
        Assert.Contains("[nz,ny,nx] = [2,3,4]", ex.Message);

        a = Valid();
        a["E"] = new(NdType.Complex64, [Nch, 2, Nz, Ny, Nx], new float[2 * Nch * 2 * Nx * Ny * Nz]);
        Assert.Contains("[nch,3,nz,ny,nx]", Fails(a).Message);

        // A NumPy user who wrote MATLAB axis order in C order gets a hint.
        a = Valid();
        a["E"] = new(NdType.Complex64, [Nx, Ny, Nz, 3, Nch], new float[2 * Nch * 3 * Nx * Ny * Nz]);
        Assert.Contains("transpose", Fails(a).Message);

        a = Valid();
        a["edges_x"] = new(NdType.Float64, [3], new double[] { 0, 1, 2 });
        Assert.Contains("'edges_x'", Fails(a).Message);

        // MATLAB view: expectation stated in MATLAB order.
        a = Valid();
        a["rho"] = new(NdType.Float64, [Nz, Ny, Nx - 1], new double[Nz * Ny * (Nx - 1)]);
        var mex = Fails(a, ".mat");
        Assert.Contains("[3,3,2] (column-major)", mex.Message);
        Assert.Contains("[nx,ny,nz] = [4,3,2]", mex.Message);
    }

    [Fact]
    public void NonFiniteValuesAndBadNormalisationAreRejected()
    {
        var a = Valid();
        ((double[])a["sigma"].Data)[5] = double.NaN;
        Assert.Contains("sigma", Fails(a).Message);

        a = Valid();
        ((float[])a["E"].Data)[7] = float.PositiveInfinity;
        Assert.Contains("E channel 0", Fails(a).Message);

        using var tmp = new IoFixtures.TempDir();
        var p = tmp.File("bad.npz");
        using (var w = NpzWriter.Create(p))
        {
            foreach (var (k, v) in Valid()) w.Add(k, v);
            w.AddText("normalisation", "per_banana");
            w.Commit();
        }
        Assert.Contains("per_banana", Assert.Throws<SarKitInputException>(() => ArrayDatasetMapper.Read(p)).Message);
    }

    [Fact]
    public void MatlabSingleChannelAndSingleSliceDropTrailingDimensions()
    {
        // MATLAB drops trailing singleton dimensions: nz = 1 sigma is [nx,ny]; one channel E is [nx,ny,nz,3].
        using var tmp = new IoFixtures.TempDir();
        var p = tmp.File("one.mat");
        int nv = Nx * Ny;
        var arrays = new Dictionary<string, NdArray>
        {
            ["sigma"] = new(NdType.Float64, [Ny, Nx], Enumerable.Repeat(0.5, nv).ToArray()),
            ["rho"] = new(NdType.Float64, [Ny, Nx], Enumerable.Repeat(1000.0, nv).ToArray()),
            ["E"] = new(NdType.Complex128, [3, 1, Ny, Nx], Enumerable.Range(0, 6 * nv).Select(x => (double)x).ToArray()),
            ["voxel_size"] = new(NdType.Float64, [3], new[] { 0.001, 0.002, 0.003 }),
        };
        MatFile.Write(p, arrays);
        var ds = ArrayDatasetMapper.Read(p);
        Assert.Equal((Nx, Ny, 1), (ds.Grid.Nx, ds.Grid.Ny, ds.Grid.Nz));
        Assert.Equal(1, ds.Channels);
        Assert.Equal(0.003, ds.Grid.WidthZ(0), 15);
        Assert.Equal(new Complex(2 * (nv + 5), 2 * (nv + 5) + 1), ds.E.Get(0, 1, 5));
    }

    [ScipyFact]
    public void ScipySeesMatlabOrderInOurDatasetMat()
    {
        var ds = ArrayDatasetMapper.Read(IoFixtures.Path("dataset_numpy.npz"));
        using var tmp = new IoFixtures.TempDir();
        var p = tmp.File("ds.mat");
        ArrayDatasetMapper.WriteMat(ds, p);
        var code = $$"""
            import numpy as np, scipy.io as sio
            m = sio.loadmat({{MatFileTests.Py(p)}})
            E = m['E']; assert E.shape == (4, 3, 2, 3, 2) and E.dtype == np.complex64, (E.shape, E.dtype)
            i, j, k = np.meshgrid(range(4), range(3), range(2), indexing='ij')
            for a in range(3):
                for c in range(2):
                    assert (E[:, :, :, a, c] == (c + 1) * (a + 1) + i + 1j * (j - k)).all(), (a, c)
            assert m['sigma'].shape == (4, 3, 2) and abs(m['sigma'][3, 2, 1] - (0.5 + 0.03 + 0.002 + 0.0001)) < 1e-12
            assert m['edges_x'].shape == (5, 1) and m['frequency_hz'][0, 0] == 298e6
            assert m['normalisation'][0] == 'per_volt_incident'
            print('OK')
            """;
        int rc = IoFixtures.RunPython(code, out var output);
        Assert.True(rc == 0 && output.Contains("OK"), output);
    }
}

public class ArrayDatasetMapperMemoryTests
{
    /// <summary>
    /// Reading streams E straight into the field arrays: the bytes allocated while reading stay below the dataset's own
    /// size plus a fixed few MB of buffers (an extra full copy of E would exceed the bound).
    /// </summary>
    [Theory]
    [InlineData(".npz")]
    [InlineData(".mat")]
    public void ReadingAllocatesNoExtraFullCopyOfE(string ext)
    {
        var grid = SarKit.Grid.VoxelGrid.Uniform(100, 80, 25, 0.002); // 200 000 voxels
        int nv = grid.VoxelCount, nch = 4;
        var tissue = new SarKit.Grid.TissueModel(grid, Enumerable.Repeat(0.5, nv).ToArray(), Enumerable.Repeat(1000.0, nv).ToArray());
        var e = new MultiChannelField(grid, nch, FieldQuantity.E, FieldNormalisation.PerVoltIncident);
        for (int c = 0; c < nch; c++) for (int a = 0; a < 3; a++) { var d = e.ComponentData(c, a); for (int n = 0; n < d.Length; n++) d[n] = (n % 97) * 0.01f + c; }
        var ds = new SarDataset(tissue, e);
        using var tmp = new IoFixtures.TempDir();
        var p = tmp.File("big" + ext);
        if (ext == ".npz") ArrayDatasetMapper.WriteNpz(ds, p, compress: false); else ArrayDatasetMapper.WriteMat(ds, p, compress: false);

        ArrayDatasetMapper.Read(p); // warm up (JIT, pools)
        long before = GC.GetAllocatedBytesForCurrentThread();
        var back = ArrayDatasetMapper.Read(p);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        long eBytes = 2L * 4 * nv * 3 * nch, tissueBytes = 2L * 8 * nv;
        Assert.True(allocated < eBytes + tissueBytes + (6 << 20), $"allocated {allocated / 1e6:F1} MB for E {eBytes / 1e6:F1} MB + tissue {tissueBytes / 1e6:F1} MB");
        Assert.Equal(e.ComponentData(3, 2), back.E.ComponentData(3, 2));
    }
}
