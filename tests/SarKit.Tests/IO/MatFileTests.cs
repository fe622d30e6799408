using System.Numerics;
using SarKit.IO;
using SarKit.Tests.Support;
using SarKit.IO.Arrays;

namespace SarKit.Tests.IO;

public class MatFileTests
{
    [SharedDataFact("qmatrices/orzada_V_full_8ch_1767.mat")]
    public void OrzadaQMatricesAreHermitianPsdAndMatchScipy()
    {
        using var m = MatFile.Open(SharedData.Reference("qmatrices/orzada_V_full_8ch_1767.mat")!);
        var v = m.Get("matrices");
        Assert.Equal(MatClass.Single, v.Class);
        Assert.Equal([8, 8, 1767], v.MatlabDims);
        var a = v.Read();
        Assert.Equal(NdType.Complex64, a.Type);
        Assert.Equal([1767, 8, 8], a.Shape);
        Assert.True(a.AxesReversed);
        var d = (float[])a.Data;
        // MATLAB matrices(r, c, k) (1-based r+1, c+1, k+1) is C element [k][c][r].
        Complex Q(int r, int c, int k) { long n = ((long)k * 8 + c) * 8 + r; return new Complex(d[2 * n], d[2 * n + 1]); }

        for (int k = 0; k < 1767; k++)
        {
            double scale = 0;
            for (int r = 0; r < 8; r++) scale = Math.Max(scale, Q(r, r, k).Real);
            for (int r = 0; r < 8; r++)
            {
                Assert.True(Q(r, r, k).Real >= 0, $"diagonal ({r},{r}) of matrix {k} is negative");
                for (int c = 0; c < 8; c++)
                    Assert.True((Q(r, c, k) - Complex.Conjugate(Q(c, r, k))).Magnitude <= 1e-6 * scale, $"matrix {k} not Hermitian at ({r},{c})");
            }
        }

        // Values printed by /usr/bin/python3 with scipy 1.10.1: m = scipy.io.loadmat(file)['matrices'] (0-based m[r, c, k]).
        AssertClose(new Complex(0.0020971322, -7.0318545e-13), Q(0, 0, 0));
        AssertClose(new Complex(0.0008922873, 0.0006654587), Q(1, 0, 0));
        AssertClose(new Complex(0.0008922872, -0.0006654587), Q(0, 1, 0));
        AssertClose(new Complex(0.00023913763, 0.00019506988), Q(2, 5, 100));
        AssertClose(new Complex(0.004613023, 0.0064427895), Q(7, 3, 1766));
        // m.astype(complex128).sum() = (746.1603565955947-3.995953586047492e-07j); np.abs(m).sum() = 5574.607535107431
        Complex sum = 0; double abs = 0;
        for (long n = 0; n < d.Length / 2; n++) { var z = new Complex(d[2 * n], d[2 * n + 1]); sum += z; abs += z.Magnitude; }
        Assert.Equal(746.1603565955947, sum.Real, 1e-9 * 746);
        Assert.Equal(5574.607535107431, abs, 1e-9 * 5574);
        // trace of the first matrix: (0.06247424881439656+1.18e-13j)
        Complex tr = 0; for (int r = 0; r < 8; r++) tr += Q(r, r, 0);
        Assert.Equal(0.06247424881439656, tr.Real, 1e-12);
    }

    private static void AssertClose(Complex expected, Complex actual)
    {
        double tol = 1e-6 * Math.Max(expected.Magnitude, 1e-30);
        Assert.True((expected - actual).Magnitude <= tol, $"expected {expected}, got {actual}");
    }

    [Theory]
    [InlineData("scipy_v5.mat")]
    [InlineData("scipy_v7_compressed.mat")]
    public void ScipyWrittenFilesReadWithMatlabShapesAndValues(string file)
    {
        using var m = MatFile.Open(IoFixtures.Path(file));
        Assert.False(m.BigEndian);

        var d = m.Get("d");
        Assert.Equal([2, 3, 4], d.MatlabDims);
        var da = d.Read();
        Assert.Equal([4, 3, 2], da.Shape);
        Assert.True(da.AxesReversed);
        var dv = (double[])da.Data;
        for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 4; k++)
            Assert.Equal(IoFixtures.Cube(i, j, k), dv[(k * 3 + j) * 2 + i]);

        var s = m.Read("s"); // complex single 3x2, s(i,j) = (n+1) - 0.25i·n with n = 2i + j
        Assert.Equal(NdType.Complex64, s.Type);
        Assert.Equal([2, 3], s.Shape);
        var sv = (float[])s.Data;
        for (int i = 0; i < 3; i++) for (int j = 0; j < 2; j++)
        {
            int n = i * 2 + j, c = j * 3 + i;
            Assert.Equal(n + 1f, sv[2 * c]); Assert.Equal(-0.25f * n, sv[2 * c + 1]);
        }

        var cz = m.Read("cz");
        Assert.Equal(NdType.Complex128, cz.Type);
        var czv = (double[])cz.Data;
        for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 2; k++)
        {
            int n = (i * 3 + j) * 2 + k, c = (k * 3 + j) * 2 + i;
            Assert.Equal(n + 1.0, czv[2 * c]); Assert.Equal(-0.25 * n, czv[2 * c + 1]);
        }

        Assert.Equal(new short[] { -32768, -1, 0, 1, 32767 }, (short[])m.Read("i16").Data);
        Assert.Equal([1, 5], m.Get("i16").MatlabDims);
        Assert.Equal(new byte[] { 0, 200, 255 }, (byte[])m.Read("u8").Data);
        Assert.Equal(new[] { long.MinValue, long.MaxValue }, (long[])m.Read("i64").Data);
        var lg = m.Read("lg");
        Assert.Equal(NdType.Bool, lg.Type);
        Assert.Equal(new[] { true, false, false, true }, (bool[])lg.Data);
        Assert.Equal(2.98e8, m.Get("f").ReadScalar());
        Assert.Equal("hello", m.Get("txt").ReadText());

        foreach (var skipped in new[] { "st", "ce", "sp" })
        {
            Assert.Null(m.Find(skipped));
            Assert.Contains(m.Warnings, w => w.Contains($"'{skipped}'"));
        }
        var ex = Assert.Throws<SarKitInputException>(() => m.Get("st"));
        Assert.Contains("struct", ex.Message);
    }

    [Theory]
    [InlineData("handmade_be.mat", true)]
    [InlineData("handmade_le_compressed.mat", false)]
    public void StorageTypesSmallElementsAndBothEndiannesses(string file, bool bigEndian)
    {
        using var m = MatFile.Open(IoFixtures.Path(file));
        Assert.Equal(bigEndian, m.BigEndian);
        Assert.Empty(m.Warnings);

        var a = m.Read("dbl_as_u8"); // class double stored as miUINT8; m(r,c) = r + 2c
        Assert.Equal(NdType.Float64, a.Type);
        Assert.Equal([3, 2], a.Shape);
        Assert.Equal([0.0, 1, 2, 3, 4, 5], (double[])a.Data);

        Assert.Equal(7.0, m.Get("one").ReadScalar()); // small data element

        var c = m.Read("cplx"); // single complex, real miINT16, imaginary miINT8
        Assert.Equal(NdType.Complex64, c.Type);
        Assert.Equal([-300f, -1, 0, 2, 300, -3], (float[])c.Data);

        var i = m.Read("i32_as_i16");
        Assert.Equal(NdType.Int32, i.Type);
        Assert.Equal([-1, 2, -3, 4], (int[])i.Data);

        Assert.Equal(new[] { true, false, false, true }, (bool[])m.Read("mask").Data);
        Assert.Equal("Hi", m.Get("word").ReadText());

        // Streaming interface: real and imaginary parts arrive as separate parts, converted to double.
        var re = new double[3]; var im = new double[3];
        m.Get("cplx").ReadChunks<double>((first, v, n, part) =>
        {
            var dst = part == ValuePart.Real ? re : im;
            for (int q = 0; q < n; q++) dst[first + q] = v[q];
        });
        Assert.Equal([-300.0, 0, 300], re);
        Assert.Equal([-1.0, 2, -3], im);
    }

    private static NdArray[] Samples() =>
    [
        new(NdType.Float64, [4, 3, 2], Enumerable.Range(0, 24).Select(x => x * 1.5 - 3).ToArray()),
        new(NdType.Float32, [5], new float[] { 1, 2, 3, 4, 5 }),
        new(NdType.Complex64, [2, 3], Enumerable.Range(0, 12).Select(x => (float)(x * 0.5 - 1)).ToArray()),
        new(NdType.Complex128, [3], new double[] { 1, -1, 2, -2, 3, -3 }),
        new(NdType.Int8, [2], new sbyte[] { -128, 127 }), new(NdType.UInt8, [2], new byte[] { 0, 255 }),
        new(NdType.Int16, [3], new short[] { -1, 0, 1 }), new(NdType.UInt16, [1], new ushort[] { 65535 }),
        new(NdType.Int32, [2], new[] { int.MinValue, int.MaxValue }), new(NdType.UInt32, [1], new[] { uint.MaxValue }),
        new(NdType.Int64, [2], new[] { long.MinValue, 5L }), new(NdType.UInt64, [1], new[] { ulong.MaxValue }),
        new(NdType.Bool, [2, 2], new[] { true, false, true, true }),
        new(NdType.Float64, [], new double[] { 298e6 }),
        new(NdType.Float64, [0, 2], Array.Empty<double>()),
    ];

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void WriterRoundTripsEveryClass(bool compress)
    {
        using var tmp = new IoFixtures.TempDir();
        var p = tmp.File("rt.mat");
        var samples = Samples();
        using (var w = MatWriter.Create(p, compress))
        {
            for (int n = 0; n < samples.Length; n++) w.Add($"v{n}", samples[n]);
            w.AddText("note", "per_volt_incident ✓");
            w.Commit();
        }
        using var m = MatFile.Open(p);
        Assert.Empty(m.Warnings);
        for (int n = 0; n < samples.Length; n++)
        {
            var a = samples[n];
            var b = m.Read($"v{n}");
            Assert.Equal(a.Type, b.Type);
            Assert.Equal(a.Data.Cast<object>(), b.Data.Cast<object>());
            Assert.Equal(MatWriter.MatlabDims(a.Shape), m.Get($"v{n}").MatlabDims);
            Assert.True(b.AxesReversed);
        }
        Assert.Equal("per_volt_incident ✓", m.Get("note").ReadText());
        Assert.Equal([4, 3, 2], m.Read("v0").Shape); // C shape preserved: MATLAB size [2,3,4]
    }

    [Fact]
    public void WriterRejectsBadNamesAndLeavesNoFileWithoutCommit()
    {
        using var tmp = new IoFixtures.TempDir();
        var p = tmp.File("x.mat");
        using (var w = MatWriter.Create(p))
        {
            var a = new NdArray(NdType.Float64, [1], new double[] { 1 });
            foreach (var bad in new[] { "1abc", "a-b", "", "_x", new string('a', 64) })
                Assert.Throws<SarKitInputException>(() => w.Add(bad, a));
            w.Add("ok", a);
            Assert.Throws<SarKitInputException>(() => w.Add("ok", a));
        }
        Assert.False(File.Exists(p));
        Assert.Empty(Directory.GetFiles(tmp.Dir));
    }

    [Fact]
    public void NonMatFilesAndTruncationGiveInputErrors()
    {
        using var tmp = new IoFixtures.TempDir();
        var p = tmp.File("a.mat");
        File.WriteAllBytes(p, new byte[200]);
        Assert.Throws<SarKitInputException>(() => MatFile.Open(p));
        var full = File.ReadAllBytes(IoFixtures.Path("scipy_v5.mat"));
        File.WriteAllBytes(p, full[..400]);
        using var m = MatFile.Open(p); // the cut element is reported, earlier variables stay readable
        Assert.Contains(m.Warnings, w => w.Contains("truncated"));
    }

    [ScipyFact]
    public void ScipyReadsFilesWeWrite()
    {
        using var tmp = new IoFixtures.TempDir();
        foreach (bool compress in new[] { true, false })
        {
            var p = tmp.File($"w{compress}.mat");
            using (var w = MatWriter.Create(p, compress))
            {
                w.Add("d", new NdArray(NdType.Float64, [4, 3, 2], Enumerable.Range(0, 24).Select(x => (double)x).ToArray()));
                w.Add("z", new NdArray(NdType.Complex64, [2], new float[] { 1, 2, 3, -4 }));
                w.Add("b", new NdArray(NdType.Bool, [3], new[] { true, false, true }));
                w.Add("i", new NdArray(NdType.Int16, [2], new short[] { -5, 6 }));
                w.AddText("t", "hello");
                w.Commit();
            }
            var code = $$"""
                import numpy as np, scipy.io as sio
                m = sio.loadmat({{Py(p)}}, mat_dtype=False)
                d = m['d']; assert d.shape == (2, 3, 4) and d.dtype == np.float64, (d.shape, d.dtype)
                # C-order [4,3,2] data 0..23 == MATLAB [2,3,4] column-major: d[i,j,k] = i + 2j + 6k
                i, j, k = np.meshgrid(range(2), range(3), range(4), indexing='ij')
                assert (d == i + 2*j + 6*k).all()
                z = m['z']; assert z.shape == (2, 1) and z.dtype == np.complex64 and (z[:, 0] == [1+2j, 3-4j]).all(), z
                b = sio.loadmat({{Py(p)}}, mat_dtype=True)['b']  # scipy returns logical as uint8 unless mat_dtype
                assert b.dtype == bool and (b[:, 0] == [True, False, True]).all(), b
                assert m['i'].dtype == np.int16 and (m['i'][:, 0] == [-5, 6]).all()
                assert m['t'][0] == 'hello', m['t']
                print('OK')
                """;
            int rc = IoFixtures.RunPython(code, out var output);
            Assert.True(rc == 0 && output.Contains("OK"), output);
        }
    }

    internal static string Py(string path) => "r'" + path.Replace("'", "\\'") + "'";
}
