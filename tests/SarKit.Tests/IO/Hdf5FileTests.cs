using System.Globalization;
using System.Numerics;
using SarKit.IO;
using SarKit.IO.Hdf5;
using SarKit.Tests.Support;
using SarKit.IO.Arrays;

namespace SarKit.Tests.IO;

public sealed class Hdf5FileTests : IDisposable
{
    private const string Ptx8 = "openems-ptx8/ptx8_dipoles_7T.h5";
    private const string Ref62704 = "openems-ptx8/ref62704_cp.h5";
    private readonly string _dir = Directory.CreateTempSubdirectory("sarkit-h5-").FullName;

    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    private static string Fixture(string name) => Path.Combine(SharedData.RepoRoot, "tests", "SarKit.Tests", "data", "hdf5", name);

    // ---------------------------------------------------------------- reference data (known answers from h5py)

    [SharedDataFact(Ptx8)]
    public void Reads_tissue_and_coordinates_of_the_openEMS_reference()
    {
        using var f = Hdf5File.OpenRead(SharedData.Reference(Ptx8)!);
        var sigma = f.ReadDataset("/sigma");
        var rho = f.ReadDataset("rho");
        Assert.Equal(NdType.Float32, sigma.Type);
        Assert.Equal(new[] { 111, 41, 51 }, sigma.Shape);
        Assert.False(sigma.AxesReversed);
        // Expected values printed by h5py 3.x (/usr/bin/python3): sigma.astype(float64).sum(), rho sum, count(rho > 0), sigma[55,20,25].
        Assert.Equal(79237.20117782056, sigma.ToDouble().Sum(), 6);
        Assert.Equal(100704000.0, rho.ToDouble().Sum(), 3);
        Assert.Equal(100899, rho.ToDouble().Count(r => r > 0));
        Assert.Equal(0.800000011920929, ((float[])sigma.Data)[(55 * 41 + 20) * 51 + 25]);
        var x = f.ReadDataset("/x");
        Assert.Equal(NdType.Float64, x.Type);
        Assert.Equal(new[] { 51 }, x.Shape);
        Assert.Equal(-0.125, ((double[])x.Data)[0]);   // h5py: x[0]
        Assert.Equal(0.125, ((double[])x.Data)[^1]);   // h5py: x[-1]
        var w = f.ReadDataset("/cell_width_x");
        Assert.Equal(NdType.Float32, w.Type);
        Assert.Equal(0.004999999888241291, (double)((float[])w.Data)[0]);
    }

    [SharedDataFact(Ptx8)]
    public void Lists_groups_and_datasets_and_reports_chunked_complex_layout()
    {
        using var f = Hdf5File.OpenRead(SharedData.Reference(Ptx8)!);
        var root = f.List("/");
        Assert.Contains(root, e => e is { Name: "E", Kind: Hdf5ObjectKind.Dataset });
        Assert.Contains(root, e => e is { Name: "openems", Kind: Hdf5ObjectKind.Group });
        Assert.Equal(root.Select(e => e.Name).OrderBy(n => n, StringComparer.Ordinal), root.Select(e => e.Name));
        var all = f.ListRecursive();
        Assert.Contains(all, e => e.Path == "/openems/ch3/SAR10g_IEEE_C95_3" && e.Kind == Hdf5ObjectKind.Dataset);
        var info = f.GetDatasetInfo("/E");
        Assert.Equal(NdType.Complex64, info.ElementType);
        Assert.Equal(new long[] { 8, 3, 111, 41, 51 }, info.Shape);
        Assert.Equal(new long[] { 2, 1, 28, 11, 13 }, info.ChunkShape);
        Assert.Equal(NdType.Complex128, f.GetDatasetInfo("S").ElementType);
        Assert.Equal(Hdf5ObjectKind.Missing, f.GetKind("/nope/deeper"));
        Assert.False(f.Exists("/openems/ch9/SAR_local"));
        Assert.True(f.IsGroup("/openems/ch0"));
    }

    [SharedDataFact(Ptx8)]
    public void Reads_one_channel_of_E_as_a_hyperslab()
    {
        using var f = Hdf5File.OpenRead(SharedData.Reference(Ptx8)!);
        var e0 = f.ReadDataset("/E", [0, 0, 0, 0, 0], [1, 3, 111, 41, 51]);
        Assert.Equal(NdType.Complex64, e0.Type);
        Assert.Equal(new[] { 1, 3, 111, 41, 51 }, e0.Shape);
        var d = (float[])e0.Data;
        double s = 0;
        for (int i = 0; i < d.Length; i++) s += (double)d[i] * d[i];
        // h5py: (abs(f['E'][0].astype(complex128))**2).sum()
        Assert.Equal(65930997.43774943, s, 1e-9 * 65930997.43774943);
        int v = ((2 * 111 + 60) * 41 + 10) * 51 + 30; // E[0][2,60,10,30]
        Assert.Equal(1.1352907419204712, (double)d[2 * v]);       // h5py
        Assert.Equal(-0.1565798968076706, (double)d[2 * v + 1]);  // h5py

        // The same element through a minimal hyperslab, and channel 7 through ReadInto.
        var one = f.ReadDataset("/E", [7, 0, 3, 4, 5], [1, 1, 1, 1, 1]);
        var c = (float[])one.Data;
        Assert.Equal(-0.29832160472869873, (double)c[0]);  // h5py: E[7,0,3,4,5]
        Assert.Equal(-0.0965196043252945, (double)c[1]);
        var buf = new float[2 * 111 * 41 * 51];
        f.ReadInto<float>("/E", buf, [7, 0, 0, 0, 0], [1, 1, 111, 41, 51]);
        Assert.Equal(c[0], buf[2 * ((3 * 41 + 4) * 51 + 5)]);
    }

    [SharedDataFact(Ptx8)]
    public void Reads_all_channels_of_E_and_complex128_S()
    {
        using var f = Hdf5File.OpenRead(SharedData.Reference(Ptx8)!);
        var e = f.ReadDataset("/E");
        double s = 0;
        foreach (var x in (float[])e.Data) s += (double)x * x;
        Assert.Equal(515338073.4290471, s, 1e-9 * 515338073.4290471); // h5py: sum |E|^2 over all channels
        var S = f.ReadDataset("/S");
        var sd = (double[])S.Data;
        Assert.Equal(new Complex(0.16038117704383897, 0.1708976855538062), new Complex(sd[2], sd[3])); // h5py: S[0,1]
        var asDouble = new double[2 * 64];
        f.ReadInto<double>("/S", asDouble);
        Assert.Equal(sd, asDouble);
    }

    [SharedDataFact(Ptx8)]
    public void Reads_root_and_dataset_attributes()
    {
        using var f = Hdf5File.OpenRead(SharedData.Reference(Ptx8)!);
        Assert.Equal(298e6, f.ReadScalarAttribute("/", "f0_Hz"));
        var desc = f.ReadStringAttribute("/", "description");
        Assert.Equal(1497, desc.Length); // h5py: len(attrs['description'])
        Assert.StartsWith("\nAssemble the per-channel openEMS runs", desc);
        Assert.Contains("f0_Hz", f.AttributeNames("/"));
        Assert.Equal("W/kg per W incident", f.ReadStringAttribute("/openems/ch0/SAR_local", "units"));
        Assert.Equal(0.5683678228351515, f.ReadScalarAttribute("/openems/ch0/SAR_local", "dissipated_power_per_W_incident"));
        Assert.IsType<string>(f.ReadAttributeValue("/", "generator"));
    }

    [SharedDataFact(Ref62704)]
    public void Reads_the_62704_reference_arrays()
    {
        using var f = Hdf5File.OpenRead(SharedData.Reference(Ref62704)!);
        var pad = f.ReadDataset("/pad");
        Assert.Equal(NdType.Int64, pad.Type);
        Assert.Empty(pad.Shape);
        Assert.Equal(6L, ((long[])pad.Data)[0]);
        var ls = f.ReadDataset("/local_sar").ToDouble();
        Assert.Equal(5708.6722178693435, ls.Sum(), 1e-6); // h5py: local_sar.sum()
        var status = (double[])f.ReadDataset("/zanovello_status").Data;
        // h5py: counts of status 0..3
        Assert.Equal(new[] { 309798, 9918, 14642, 76339 }, Enumerable.Range(0, 4).Select(v => status.Count(s => s == v)).ToArray());
        Assert.Equal(0.22257942491344415, ((double[])f.ReadDataset("/zanovello_62704").Data).Max());
    }

    [SharedDataFact(Ptx8)]
    public void Errors_name_file_and_dataset()
    {
        var path = SharedData.Reference(Ptx8)!;
        using var f = Hdf5File.OpenRead(path);
        var ex = Assert.Throws<SarKitInputException>(() => f.ReadDataset("/tissue/sigma"));
        Assert.Contains(path, ex.Message);
        Assert.Contains("/tissue/sigma", ex.Message);
        Assert.Equal("/tissue/sigma", ex.Dataset);
        ex = Assert.Throws<SarKitInputException>(() => f.ReadDataset("/E", [8, 0, 0, 0, 0], [1, 3, 111, 41, 51]));
        Assert.Contains("axis 0", ex.Message);
        ex = Assert.Throws<SarKitInputException>(() => f.ReadStringAttribute("/", "f0_Hz"));
        Assert.Contains("f0_Hz", ex.Message);
        ex = Assert.Throws<SarKitInputException>(() => f.ReadScalarAttribute("/", "missing_attr"));
        Assert.Contains("missing_attr", ex.Message);
        Assert.Throws<SarKitInputException>(() => f.ReadDataset("/openems"));
    }

    [Fact]
    public void Opening_a_non_HDF5_or_missing_file_is_an_input_error()
    {
        var p = Path.Combine(_dir, "not.h5");
        File.WriteAllText(p, "hello");
        var ex = Assert.Throws<SarKitInputException>(() => Hdf5File.OpenRead(p));
        Assert.Contains("not an HDF5 file", ex.Message);
        ex = Assert.Throws<SarKitInputException>(() => Hdf5File.OpenRead(Path.Combine(_dir, "absent.h5")));
        Assert.Contains("not found", ex.Message);
    }

    // ---------------------------------------------------------------- fixture written by h5py (committed)

    [Fact]
    public void Reads_every_type_written_by_h5py()
    {
        using var f = Hdf5File.OpenRead(Fixture("h5py_types.h5"));
        var expected = Enumerable.Range(0, 24).ToArray();
        foreach (var (name, type, offset) in new[]
                 {
                     ("int8", NdType.Int8, -5), ("uint8", NdType.UInt8, 0), ("int16", NdType.Int16, -5), ("uint16", NdType.UInt16, 0),
                     ("int32", NdType.Int32, -5), ("uint32", NdType.UInt32, 0), ("int64", NdType.Int64, -5), ("uint64", NdType.UInt64, 0),
                     ("float32", NdType.Float32, -5), ("float64", NdType.Float64, -5),
                 })
        {
            var a = f.ReadDataset("/types/" + name);
            Assert.Equal(type, a.Type);
            Assert.Equal(new[] { 2, 3, 4 }, a.Shape);
            Assert.Equal(expected.Select(v => (double)(v + offset)), a.ToDouble());
        }
        var c = f.ReadDataset("/types/complex64");
        Assert.Equal(NdType.Complex64, c.Type);
        var cd = (float[])c.Data;
        for (int i = 0; i < 24; i++) { Assert.Equal(i, cd[2 * i]); Assert.Equal(i * 0.5f - 3, cd[2 * i + 1]); }
        var ri = f.ReadDataset("/types/complex_real_imag");
        Assert.Equal(NdType.Complex128, ri.Type);
        Assert.Equal(new double[] { 1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6, -6.5 }, (double[])ri.Data);
        var b = f.ReadDataset("/types/bool");
        Assert.Equal(NdType.Bool, b.Type);
        Assert.Equal(new[] { true, false, true, true }, (bool[])b.Data);
        Assert.Equal(2.5, ((double[])f.ReadDataset("/scalar").Data)[0]);
        var gz = f.ReadDataset("/chunked_gzip", [3, 2, 0], [2, 1, 10]);
        Assert.Equal(Enumerable.Range(320, 10).Concat(Enumerable.Range(420, 10)).Select(v => (float)v), (float[])gz.Data);
        Assert.Equal(new[] { "alpha", "beta", "γ" }, f.ReadStrings("/strings_vlen"));
        Assert.Equal(new[] { "ab", "cde" }, f.ReadStrings("/strings_fixed"));
    }

    [Fact]
    public void Reads_h5py_attributes_of_every_kind()
    {
        using var f = Hdf5File.OpenRead(Fixture("h5py_types.h5"));
        Assert.Equal("hello µ", f.ReadStringAttribute("/", "vlen_str"));
        Assert.Equal("fixed", f.ReadStringAttribute("/", "fixed_str"));
        Assert.Equal(new[] { "x", "yy", "zzz" }, f.ReadStringArrayAttribute("/", "vlen_str_array"));
        Assert.Equal(new[] { "one", "three" }, f.ReadStringArrayAttribute("/", "fixed_str_array"));
        Assert.Equal(-7, f.ReadScalarAttribute("/", "int_scalar"));
        Assert.Equal(new[] { 1.5, 2.5, 3.5 }, f.ReadAttribute("/", "float_array").ToDouble());
        var u = f.ReadAttribute("/", "uint16_array_2d");
        Assert.Equal(NdType.UInt16, u.Type);
        Assert.Equal(new[] { 2, 3 }, u.Shape);
        Assert.Equal("group attribute", f.ReadStringAttribute("/types", "note"));
        Assert.Equal(new[] { "fixed_str", "fixed_str_array", "float_array", "int_scalar", "uint16_array_2d", "vlen_str", "vlen_str_array" },
            f.AttributeNames("/"));
        Assert.IsType<string[]>(f.ReadAttributeValue("/", "fixed_str_array"));
        Assert.IsType<NdArray>(f.ReadAttributeValue("/", "int_scalar"));
    }

    // ---------------------------------------------------------------- writer round trips

    private static NdArray Sample(NdType t, int[] shape)
    {
        int n = shape.Aggregate(1, (a, b) => a * b);
        Array data = t switch
        {
            NdType.Bool => Enumerable.Range(0, n).Select(i => i % 3 == 0).ToArray(),
            NdType.Int8 => Enumerable.Range(0, n).Select(i => (sbyte)(i - 60)).ToArray(),
            NdType.UInt8 => Enumerable.Range(0, n).Select(i => (byte)(i * 7)).ToArray(),
            NdType.Int16 => Enumerable.Range(0, n).Select(i => (short)(i * -300)).ToArray(),
            NdType.UInt16 => Enumerable.Range(0, n).Select(i => (ushort)(i * 500)).ToArray(),
            NdType.Int32 => Enumerable.Range(0, n).Select(i => i * -100000).ToArray(),
            NdType.UInt32 => Enumerable.Range(0, n).Select(i => (uint)i * 4000000u).ToArray(),
            NdType.Int64 => Enumerable.Range(0, n).Select(i => i * -10000000000L).ToArray(),
            NdType.UInt64 => Enumerable.Range(0, n).Select(i => (ulong)i * 10000000000000UL).ToArray(),
            NdType.Float32 => Enumerable.Range(0, n).Select(i => i * 0.25f - 1e-3f).ToArray(),
            NdType.Float64 => Enumerable.Range(0, n).Select(i => Math.PI * i).ToArray(),
            NdType.Complex64 => Enumerable.Range(0, 2 * n).Select(i => (i % 2 == 0 ? 1 : -1) * i * 0.5f).ToArray(),
            NdType.Complex128 => Enumerable.Range(0, 2 * n).Select(i => Math.E * i * (i % 2 == 0 ? 1 : -1)).ToArray(),
            _ => throw new ArgumentOutOfRangeException(nameof(t)),
        };
        return new NdArray(t, shape, data);
    }

    [Fact]
    public void Every_type_round_trips_through_writer_and_reader()
    {
        var p = Path.Combine(_dir, "types.h5");
        var types = Enum.GetValues<NdType>();
        using (var f = Hdf5File.Create(p))
        {
            foreach (var t in types)
            {
                f.WriteDataset($"/plain/{t}", Sample(t, [3, 4, 5]));
                f.WriteDataset($"/gzip/{t}", Sample(t, [3, 4, 5]), new Hdf5WriteOptions { GzipLevel = 6, Shuffle = true, ChunkShape = [1, 4, 5] });
            }
            f.WriteDataset("/scalar", new NdArray(NdType.Float64, [], new[] { 42.0 }));
            f.WriteDataset("/complex_matlab", Sample(NdType.Complex128, [2, 2]), new Hdf5WriteOptions { ComplexMemberNames = ("real", "imag") });
        }
        using (var f = Hdf5File.OpenRead(p))
        {
            foreach (var t in types)
                foreach (var g in new[] { "plain", "gzip" })
                {
                    var a = f.ReadDataset($"/{g}/{t}");
                    var e = Sample(t, [3, 4, 5]);
                    Assert.Equal(t, a.Type);
                    Assert.Equal(e.Shape, a.Shape);
                    Assert.Equal(e.Data.Cast<object>(), a.Data.Cast<object>());
                }
            Assert.Equal(new long[] { 1, 4, 5 }, f.GetDatasetInfo("/gzip/Float32").ChunkShape);
            Assert.Null(f.GetDatasetInfo("/plain/Float32").ChunkShape);
            Assert.Empty(f.ReadDataset("/scalar").Shape);
            Assert.Contains("{real,imag}", f.GetDatasetInfo("/complex_matlab").TypeDescription);
            Assert.Equal(Sample(NdType.Complex128, [2, 2]).Data.Cast<object>(), f.ReadDataset("/complex_matlab").Data.Cast<object>());
        }
    }

    [Fact]
    public void Hyperslab_writes_fill_a_channel_field_and_read_back()
    {
        var p = Path.Combine(_dir, "slabs.h5");
        const int nch = 3, nz = 4, ny = 5, nx = 6, nv = nz * ny * nx;
        using (var f = Hdf5File.Create(p))
        {
            f.CreateDataset("/fields/E", NdType.Complex64, [nch, 3, nz, ny, nx], Hdf5WriteOptions.Compressed);
            for (int c = 0; c < nch; c++)
                for (int a = 0; a < 3; a++)
                {
                    var buf = new float[2 * nv];
                    for (int v = 0; v < nv; v++) { buf[2 * v] = 1000 * c + 100 * a + v; buf[2 * v + 1] = -v; }
                    f.WriteHyperslab<float>("/fields/E", buf, [c, a, 0, 0, 0], [1, 1, nz, ny, nx]);
                }
            Assert.Equal(new long[] { nch, 3, nz, ny, nx }, f.GetDatasetInfo("/fields/E").ChunkShape); // small: one chunk
        }
        using (var f = Hdf5File.OpenRead(p))
        {
            var all = (float[])f.ReadDataset("/fields/E").Data;
            for (int c = 0; c < nch; c++)
                for (int a = 0; a < 3; a++)
                    for (int v = 0; v < nv; v++)
                    {
                        int i = ((c * 3 + a) * nv + v) * 2;
                        Assert.Equal(1000 * c + 100 * a + v, all[i]);
                        Assert.Equal(-v, all[i + 1]);
                    }
            var d = new double[2 * nv];
            f.ReadInto<double>("/fields/E", d, [2, 1, 0, 0, 0], [1, 1, nz, ny, nx]);
            Assert.Equal(2100 + 7, d[14]);
        }
    }

    [Fact]
    public void Attributes_round_trip_and_can_be_replaced()
    {
        var p = Path.Combine(_dir, "attrs.h5");
        using (var f = Hdf5File.Create(p))
        {
            f.CreateGroup("/a/b");
            f.CreateGroup("/a/b"); // idempotent
            f.WriteDataset("/a/b/d", Sample(NdType.Float32, [2]));
            f.WriteAttribute("/", "s", "first");
            f.WriteAttribute("/", "s", "ünïcödé"); // replaces
            f.WriteAttribute("/", "fixed", "double", fixedLength: true);
            f.WriteAttribute("/a", "names", new[] { "skin", "", "fat µ" });
            f.WriteAttribute("/a/b", "pi", Math.PI);
            f.WriteAttribute("/a/b", "n", 7);
            f.WriteAttribute("/a/b", "big", 1L << 40);
            f.WriteAttribute("/a/b/d", "arr", Sample(NdType.Complex64, [2, 2]));
            Assert.Throws<SarKitInputException>(() => f.WriteDataset("/a/b/d", Sample(NdType.Float32, [2])));
            Assert.Throws<SarKitInputException>(() => f.CreateGroup("/a/b/d"));
        }
        using (var f = Hdf5File.OpenRead(p))
        {
            Assert.Equal("ünïcödé", f.ReadStringAttribute("/", "s"));
            Assert.Equal("double", f.ReadStringAttribute("/", "fixed"));
            Assert.Equal(new[] { "skin", "", "fat µ" }, f.ReadStringArrayAttribute("/a", "names"));
            Assert.Equal(Math.PI, f.ReadScalarAttribute("/a/b", "pi"));
            Assert.Equal(NdType.Int32, f.ReadAttribute("/a/b", "n").Type);
            Assert.Equal((double)(1L << 40), f.ReadScalarAttribute("/a/b", "big"));
            Assert.Equal(Sample(NdType.Complex64, [2, 2]).Data.Cast<object>(), f.ReadAttribute("/a/b/d", "arr").Data.Cast<object>());
            Assert.True(f.HasAttribute("/a/b/d", "arr"));
            Assert.False(f.HasAttribute("/a/b/d", "nope"));
            Assert.False(f.HasAttribute("/missing", "nope"));
            Assert.Throws<InvalidOperationException>(() => f.WriteAttribute("/", "x", 1.0));
        }
    }

    [Fact]
    public void Auto_chunk_keeps_trailing_axes_whole()
    {
        Assert.Equal(new long[] { 1, 1, 62, 41, 51 }, Hdf5File.AutoChunk([8, 3, 111, 41, 51], 8));
        Assert.Equal(new long[] { 10 }, Hdf5File.AutoChunk([10], 8));
    }

    [H5pyFact]
    public void H5py_reads_a_file_SarKit_wrote()
    {
        var p = Path.Combine(_dir, "for_h5py.h5");
        using (var f = Hdf5File.Create(p))
        {
            f.WriteDataset("/c64", Sample(NdType.Complex64, [2, 3]), Hdf5WriteOptions.Compressed);
            f.WriteDataset("/grp/b", Sample(NdType.Bool, [4]));
            f.WriteDataset("/grp/u16", Sample(NdType.UInt16, [5]));
            f.WriteAttribute("/", "title", "SarKit µ");
            f.WriteAttribute("/grp", "names", new[] { "a", "bb" });
            f.WriteAttribute("/grp", "freq", 298e6);
        }
        var outp = Python.Run("""
            import sys, h5py, numpy as np
            f = h5py.File(sys.argv[1], 'r')
            c = f['c64'][...]
            print(c.dtype, c.shape, repr(complex(c[1, 2])))
            print(f['grp/b'].dtype, list(f['grp/b'][...]))
            print(f['grp/u16'].dtype, int(f['grp/u16'][...].sum()))
            print(f.attrs['title'])
            print(list(f['grp'].attrs['names']), float(f['grp'].attrs['freq']))
            """, p).Split('\n');
        var e = Sample(NdType.Complex64, [2, 3]);
        var ed = (float[])e.Data;
        Assert.Equal($"complex64 (2, 3) ({ed[10].ToString("R", CultureInfo.InvariantCulture)}{ed[11].ToString("R", CultureInfo.InvariantCulture)}j)", outp[0]);
        Assert.Equal("bool [True, False, False, True]", outp[1]);
        Assert.Equal($"uint16 {Enumerable.Range(0, 5).Sum(i => (ushort)(i * 500))}", outp[2]);
        Assert.Equal("SarKit µ", outp[3]);
        Assert.Equal("['a', 'bb'] 298000000.0", outp[4]);
    }
}
