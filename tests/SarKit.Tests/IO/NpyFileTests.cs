using SarKit.IO;
using SarKit.IO.Arrays;

namespace SarKit.Tests.IO;

public class NpyFileTests
{
    private static NdArray Read(string name) => NpyFile.Read(IoFixtures.Path(name));

    [Fact]
    public void COrderFloat64MatchesNumpyValues()
    {
        var a = Read("f8_c_2x3x4.npy");
        Assert.Equal(NdType.Float64, a.Type);
        Assert.Equal([2, 3, 4], a.Shape);
        Assert.False(a.AxesReversed);
        var d = (double[])a.Data;
        for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 4; k++)
            Assert.Equal(IoFixtures.Cube(i, j, k), d[(i * 3 + j) * 4 + k]);
    }

    [Theory]
    [InlineData("f4_fortran_2x3x4.npy", NdType.Float32)]
    [InlineData("v3_f8_fortran_2x3x4.npy", NdType.Float64)]
    public void FortranOrderIsExposedReversedWithoutMovingData(string file, NdType type)
    {
        var a = Read(file);
        Assert.Equal(type, a.Type);
        Assert.True(a.AxesReversed);
        Assert.Equal([4, 3, 2], a.Shape);
        Assert.Equal([2, 3, 4], a.FileShape);
        var d = a.ToDouble();
        // NumPy a[i,j,k] lives at C index [k][j][i] of the reversed shape.
        for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 4; k++)
            Assert.Equal(IoFixtures.Cube(i, j, k), d[(k * 3 + j) * 2 + i]);
    }

    [Fact]
    public void Version2HeaderIsRead()
    {
        var a = Read("v2_f4_2x3x4.npy");
        Assert.Equal(NdType.Float32, a.Type);
        Assert.Equal([2, 3, 4], a.Shape);
        Assert.Equal((float)IoFixtures.Cube(1, 2, 3), ((float[])a.Data)[23]);
    }

    [Fact]
    public void BigEndianValuesAreSwapped()
    {
        var c = Read("c8_be_3x2.npy");
        Assert.Equal(NdType.Complex64, c.Type);
        Assert.Equal([3, 2], c.Shape);
        var z = (float[])c.Data;
        for (int n = 0; n < 6; n++) { Assert.Equal(n + 1f, z[2 * n]); Assert.Equal(-0.25f * n, z[2 * n + 1]); }

        Assert.Equal(new short[] { -32768, -1, 0, 1, 32767 }, (short[])Read("i2_be.npy").Data);
        Assert.Equal(new[] { int.MinValue, int.MaxValue, 7 }, (int[])Read("i4_be.npy").Data);
        Assert.Equal(new ulong[] { 0, ulong.MaxValue }, (ulong[])Read("u8_be.npy").Data);
        var f = (double[])Read("f8_be_2x2.npy").Data;
        Assert.Equal([1.5, -2.25, 1e300, -0.0], f);
        Assert.True(double.IsNegative(f[3]));
    }

    [Fact]
    public void IntegerBoolAndComplexDtypes()
    {
        Assert.Equal(new sbyte[] { -128, -1, 0, 127 }, (sbyte[])Read("i1.npy").Data);
        Assert.Equal(new byte[] { 0, 1, 255 }, (byte[])Read("u1.npy").Data);
        Assert.Equal(new ushort[] { 0, 65535 }, (ushort[])Read("u2.npy").Data);
        Assert.Equal(new uint[] { 0, uint.MaxValue }, (uint[])Read("u4.npy").Data);
        Assert.Equal(new[] { long.MinValue, long.MaxValue, -5 }, (long[])Read("i8.npy").Data);
        Assert.Equal(new[] { true, false, true }, (bool[])Read("b1.npy").Data);
        var c = Read("c16_le_3.npy");
        Assert.Equal(NdType.Complex128, c.Type);
        Assert.Equal([1, 2, -3.5, 0, 0, -1e-300], (double[])c.Data);
        var s = Read("scalar_f8.npy");
        Assert.Empty(s.Shape);
        Assert.Equal(2.98e8, ((double[])s.Data)[0]);
    }

    [Fact]
    public void TextArraysReadAsStrings()
    {
        var t = NpyFile.Open(IoFixtures.Path("text_U.npy"));
        Assert.True(t.IsText);
        Assert.Equal("per_volt_incident", t.ReadText());
        Assert.Throws<SarKitInputException>(() => t.Read());
    }

    [Theory]
    [InlineData("object.npy", "|O")]
    [InlineData("structured.npy", "structured")]
    public void ObjectAndStructuredArraysAreRejectedNamingFileAndDescr(string file, string expected)
    {
        var ex = Assert.Throws<SarKitInputException>(() => Read(file));
        Assert.Contains(file, ex.Message);
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void NotAnNpyFileAndTruncatedDataGiveInputErrors()
    {
        using var tmp = new IoFixtures.TempDir();
        var bad = tmp.File("bad.npy");
        File.WriteAllText(bad, "hello world, not numpy");
        Assert.Contains("not a NumPy", Assert.Throws<SarKitInputException>(() => NpyFile.Read(bad)).Message);

        var full = File.ReadAllBytes(IoFixtures.Path("f8_c_2x3x4.npy"));
        var cut = tmp.File("cut.npy");
        File.WriteAllBytes(cut, full[..^16]);
        var ex = Assert.Throws<SarKitInputException>(() => NpyFile.Read(cut));
        Assert.Contains("cut.npy", ex.Message);
    }

    [Fact]
    public void RoundTripAllTypesAndFortranOption()
    {
        using var tmp = new IoFixtures.TempDir();
        var arrays = new NdArray[]
        {
            new(NdType.Float64, [2, 3], new double[] { 1, -2, 3.5, double.MaxValue, double.Epsilon, -0.0 }),
            new(NdType.Float32, [3], new float[] { 1, 2, 3 }),
            new(NdType.Complex64, [2], new float[] { 1, -1, 2, -2 }),
            new(NdType.Complex128, [1, 1], new double[] { 3, 4 }),
            new(NdType.Int8, [2], new sbyte[] { -1, 1 }), new(NdType.UInt8, [2], new byte[] { 0, 255 }),
            new(NdType.Int16, [1], new short[] { -7 }), new(NdType.UInt16, [1], new ushort[] { 7 }),
            new(NdType.Int32, [1], new[] { -70000 }), new(NdType.UInt32, [1], new uint[] { 4000000000 }),
            new(NdType.Int64, [1], new[] { long.MinValue }), new(NdType.UInt64, [1], new[] { ulong.MaxValue }),
            new(NdType.Bool, [2, 2], new[] { true, false, false, true }),
            new(NdType.Float64, [], new double[] { 42 }),
            new(NdType.Float64, [0, 3], Array.Empty<double>()),
        };
        foreach (var a in arrays)
        {
            var p = tmp.File("rt.npy");
            NpyFile.Write(p, a);
            var b = NpyFile.Read(p);
            Assert.Equal(a.Type, b.Type);
            Assert.Equal(a.Shape, b.Shape);
            Assert.False(b.AxesReversed);
            Assert.Equal(a.Data.Cast<object>(), b.Data.Cast<object>());
        }
        // A reversed (MATLAB-order) array: C order by default, Fortran order on request; same memory either way.
        var m = new NdArray(NdType.Float64, [3, 2], new double[] { 1, 2, 3, 4, 5, 6 }, axesReversed: true);
        var pc = tmp.File("c.npy"); var pf = tmp.File("f.npy");
        NpyFile.Write(pc, m);
        NpyFile.Write(pf, m, fortranOrderWhenReversed: true);
        var c = NpyFile.Read(pc); var f = NpyFile.Read(pf);
        Assert.Equal([3, 2], c.Shape); Assert.False(c.AxesReversed);
        Assert.Equal([3, 2], f.Shape); Assert.True(f.AxesReversed); Assert.Equal([2, 3], f.FileShape);
        Assert.Equal((double[])m.Data, (double[])f.Data);
    }

    [Fact]
    public void HeaderIsPaddedTo64BytesAndVersion2WhenLong()
    {
        using var tmp = new IoFixtures.TempDir();
        var p = tmp.File("a.npy");
        NpyFile.Write(p, new NdArray(NdType.Float32, [5], new float[5]));
        var bytes = File.ReadAllBytes(p);
        Assert.Equal(1, bytes[6]);
        Assert.Equal(0, (bytes.Length - 20) % 64);
        Assert.Equal((byte)'\n', bytes[bytes.Length - 21]);
        using var s = File.OpenRead(p);
        var h = NpyFile.ReadHeader(s, p);
        Assert.Equal(0, h.HeaderBytes % 64);
        Assert.Equal("<f4", h.Descr);
    }
}
