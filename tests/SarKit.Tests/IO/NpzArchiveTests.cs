using SarKit.IO;
using SarKit.IO.Arrays;

namespace SarKit.Tests.IO;

public class NpzArchiveTests
{
    [Theory]
    [InlineData("arrays_deflated.npz")]
    [InlineData("arrays_stored.npz")]
    public void NumpyArchivesListAndReadMembers(string file)
    {
        using var z = NpzArchive.Open(IoFixtures.Path(file));
        Assert.Equal(["cube", "z", "labels", "flags", "name"], z.Names);
        var cube = z.Get("cube");
        Assert.Equal([2, 3, 4], cube.Shape); // header only so far
        var c = (double[])z.Read("cube").Data;
        Assert.Equal(IoFixtures.Cube(1, 2, 3), c[23]);
        Assert.Equal(IoFixtures.Cube(0, 1, 2), c[6]);
        var zz = (float[])z.Read("z").Data;
        for (int n = 0; n < 6; n++) { Assert.Equal(n + 1f, zz[2 * n]); Assert.Equal(-0.25f * n, zz[2 * n + 1]); }
        Assert.Equal([0, 1, 2, 3, 4, 5], (int[])z.Read("labels").Data);
        Assert.Equal(new[] { true, false }, (bool[])z.Read("flags").Data);
        Assert.Equal("hello", z.Get("name").ReadText());
        Assert.Equal([0.0, 1, 2, 3, 4, 5], z.Get("labels").ReadReal<double>());
        var ex = Assert.Throws<SarKitInputException>(() => z.Get("nope"));
        Assert.Contains("cube", ex.Message);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void WriterRoundTrips(bool compress)
    {
        using var tmp = new IoFixtures.TempDir();
        var p = tmp.File("a.npz");
        var big = new NdArray(NdType.Complex64, [3, 50000], Enumerable.Range(0, 300000).Select(x => (float)Math.Sin(x)).ToArray());
        using (var w = NpzWriter.Create(p, compress))
        {
            w.Add("big", big);
            w.Add("i", new NdArray(NdType.Int64, [2], new[] { -1L, 1L }));
            w.AddText("s", "per_sqrt_watt_incident");
            w.Commit();
        }
        using var z = NpzArchive.Open(p);
        Assert.Equal(["big", "i", "s"], z.Names);
        Assert.Equal((float[])big.Data, (float[])z.Read("big").Data);
        Assert.Equal(new[] { -1L, 1L }, (long[])z.Read("i").Data);
        Assert.Equal("per_sqrt_watt_incident", z.Get("s").ReadText());
    }

    [ScipyFact]
    public void NumpyReadsNpyAndNpzWeWrite()
    {
        using var tmp = new IoFixtures.TempDir();
        var npy = tmp.File("a.npy");
        NpyFile.Write(npy, new NdArray(NdType.Complex128, [2, 3], Enumerable.Range(0, 12).Select(x => (double)x).ToArray()));
        var fnpy = tmp.File("f.npy");
        NpyFile.Write(fnpy, new NdArray(NdType.Float32, [3, 2], new float[] { 0, 1, 2, 3, 4, 5 }, axesReversed: true), fortranOrderWhenReversed: true);
        var npz = tmp.File("a.npz");
        var stored = tmp.File("s.npz");
        NpzArchive.Write(stored, [new("x", new NdArray(NdType.Float64, [3], new[] { 1.0, 2, 3 }))], compress: false);
        using (var w = NpzWriter.Create(npz))
        {
            w.Add("u", new NdArray(NdType.UInt16, [2], new ushort[] { 1, 65535 }));
            w.Add("b", new NdArray(NdType.Bool, [2], new[] { false, true }));
            w.AddText("t", "hé");
            w.Commit();
        }
        var code = $$"""
            import numpy as np
            a = np.load({{MatFileTests.Py(npy)}})
            assert a.dtype == np.complex128 and a.shape == (2, 3), (a.dtype, a.shape)
            assert (a.ravel() == np.arange(0, 12, 2) + 1j * np.arange(1, 12, 2)).all(), a
            f = np.load({{MatFileTests.Py(fnpy)}})
            assert f.shape == (2, 3) and f.flags['F_CONTIGUOUS'] and f[1, 0] == 1 and f[0, 1] == 2, f
            z = np.load({{MatFileTests.Py(npz)}})
            assert sorted(z.files) == ['b', 't', 'u'], z.files
            assert z['u'].dtype == np.uint16 and list(z['u']) == [1, 65535]
            assert z['b'].dtype == bool and list(z['b']) == [False, True]
            assert str(z['t']) == 'hé', z['t']
            import zipfile
            assert [i.compress_type for i in zipfile.ZipFile({{MatFileTests.Py(npz)}}).infolist()] == [8, 8, 8]
            assert [i.compress_type for i in zipfile.ZipFile({{MatFileTests.Py(stored)}}).infolist()] == [0]
            assert list(np.load({{MatFileTests.Py(stored)}})['x']) == [1, 2, 3]
            print('OK')
            """;
        int rc = IoFixtures.RunPython(code, out var output);
        Assert.True(rc == 0 && output.Contains("OK"), output);
    }
}
