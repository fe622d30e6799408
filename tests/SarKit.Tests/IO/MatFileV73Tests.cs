using System.Diagnostics;
using System.Numerics;
using System.Text;
using SarKit.Fields;
using SarKit.IO;
using SarKit.IO.Hdf5;
using SarKit.Tests.Support;
using SarKit.IO.Arrays;
using SarKit.IO.Formats;

namespace SarKit.Tests.IO;

public sealed class MatFileV73Tests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sarkit-mat-").FullName;
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    private static string Fixture(string name) => Path.Combine(SharedData.RepoRoot, "tests", "SarKit.Tests", "data", "hdf5", name);

    [Fact]
    public void Reads_a_MATLAB_style_file_written_by_h5py_with_MATLAB_sizes()
    {
        // Fixture from tools/fixtures/make_hdf5_fixtures.py; MATLAB view: A = [1 2 3; 4 5 6], C = single([1+2i; 3-4i]),
        // L = logical([1 0 1]), s = 'hello', Z = zeros(0,3), k = int16(-7).
        var p = Fixture("matlab_v73_style.mat");
        Assert.True(MatFileV73.IsMatV73(p));
        Assert.StartsWith("MATLAB 7.3 MAT-file", MatFileV73.HeaderText(p));
        var vars = MatFileV73.List(p).ToDictionary(v => v.Name);
        Assert.Equal(new[] { 2, 3 }, vars["A"].MatlabSize);
        Assert.Equal(new[] { 0, 3 }, vars["Z"].MatlabSize);
        Assert.True(vars["C"].IsComplex);
        Assert.Equal("char", vars["s"].MatlabClass);

        var a = MatFileV73.Read(p, "A");
        Assert.True(a.AxesReversed);
        Assert.Equal(new[] { 3, 2 }, a.Shape);       // HDF5 (C) view
        Assert.Equal(new[] { 2, 3 }, a.FileShape);   // MATLAB size
        Assert.Equal(new double[] { 1, 4, 2, 5, 3, 6 }, (double[])a.Data); // A(:) column-major
        var c = MatFileV73.Read(p, "C");
        Assert.Equal(NdType.Complex64, c.Type);
        Assert.Equal(new[] { 2, 1 }, c.FileShape);
        Assert.Equal(new float[] { 1, 2, 3, -4 }, (float[])c.Data);
        var l = MatFileV73.Read(p, "L");
        Assert.Equal(NdType.Bool, l.Type);
        Assert.Equal(new[] { 1, 3 }, l.FileShape);
        Assert.Equal(new[] { true, false, true }, (bool[])l.Data);
        Assert.Equal("hello", MatFileV73.ReadString(p, "s"));
        var z = MatFileV73.Read(p, "Z");
        Assert.Equal(0, z.Count);
        Assert.Equal(new[] { 0, 3 }, z.FileShape);
        var k = MatFileV73.Read(p, "k");
        Assert.Equal(NdType.Int16, k.Type);
        Assert.Equal((short)-7, ((short[])k.Data)[0]);

        var ex = Assert.Throws<SarKitInputException>(() => MatFileV73.Read(p, "nope"));
        Assert.Contains("nope", ex.Message);
        Assert.Contains("A", ex.Message);
        ex = Assert.Throws<SarKitInputException>(() => MatFileV73.Read(p, "s"));
        Assert.Contains("char", ex.Message);
    }

    [Fact]
    public void Non_v73_files_are_rejected_with_a_hint()
    {
        var p = Path.Combine(_dir, "plain.h5");
        using (var f = Hdf5File.Create(p)) f.WriteDataset("/x", new NdArray(NdType.Float64, [1], new[] { 1.0 }));
        Assert.False(MatFileV73.IsMatV73(p));
        var ex = Assert.Throws<SarKitInputException>(() => MatFileV73.List(p));
        Assert.Contains("-v7.3", ex.Message);
    }

    private static Dictionary<string, object> Variables() => new()
    {
        ["M"] = new NdArray(NdType.Float64, [3, 2], new double[] { 1, 4, 2, 5, 3, 6 }, axesReversed: true), // MATLAB 2×3 [1 2 3; 4 5 6]
        ["map"] = new NdArray(NdType.Float32, [2, 3, 4], Enumerable.Range(0, 24).Select(i => (float)i).ToArray()), // C [nz,ny,nx] → MATLAB 4×3×2
        ["vec"] = new NdArray(NdType.Int32, [4], new[] { 1, -2, 3, -4 }),
        ["scalar"] = new NdArray(NdType.Float64, [], new[] { 298e6 }),
        ["z"] = new NdArray(NdType.Complex128, [2], new[] { 1.0, -1, 0.5, 2 }),
        ["zs"] = new NdArray(NdType.Complex64, [1, 2], new[] { 1f, 2, 3, 4 }),
        ["mask"] = new NdArray(NdType.Bool, [3], new[] { true, false, true }),
        ["u64"] = new NdArray(NdType.UInt64, [2], new ulong[] { 0, ulong.MaxValue }),
        ["empty"] = new NdArray(NdType.Float64, [3, 0], Array.Empty<double>()),
        ["name"] = "per_volt_incident µ",
        ["blank"] = "",
    };

    [Fact]
    public void Writer_round_trips_and_writes_the_v73_header()
    {
        var p = Path.Combine(_dir, "rt.mat");
        MatFileV73.Write(p, Variables());
        var head = File.ReadAllBytes(p)[..128];
        Assert.StartsWith("MATLAB 7.3 MAT-file, Platform: ", Encoding.ASCII.GetString(head, 0, 116));
        Assert.Equal(new byte[] { 0x00, 0x02, (byte)'I', (byte)'M' }, head[124..128]);
        Assert.True(MatFileV73.IsMatV73(p));
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));

        var m = MatFileV73.Read(p, "M");
        Assert.Equal(new[] { 2, 3 }, m.FileShape);
        Assert.Equal(new double[] { 1, 4, 2, 5, 3, 6 }, (double[])m.Data);
        var map = MatFileV73.Read(p, "map");
        Assert.Equal(new[] { 2, 3, 4 }, map.Shape);
        Assert.Equal(new[] { 4, 3, 2 }, map.FileShape);
        Assert.Equal(Enumerable.Range(0, 24).Select(i => (float)i), (float[])map.Data);
        Assert.Equal(new[] { 4, 1 }, MatFileV73.Read(p, "vec").FileShape); // 1-D → column
        Assert.Equal(new[] { 1, 1 }, MatFileV73.Read(p, "scalar").FileShape);
        Assert.Equal(new[] { 1.0, -1, 0.5, 2 }, (double[])MatFileV73.Read(p, "z").Data);
        Assert.Equal(NdType.Complex64, MatFileV73.Read(p, "zs").Type);
        Assert.Equal(new[] { true, false, true }, (bool[])MatFileV73.Read(p, "mask").Data);
        Assert.Equal(ulong.MaxValue, ((ulong[])MatFileV73.Read(p, "u64").Data)[1]);
        var e = MatFileV73.Read(p, "empty");
        Assert.Equal(new[] { 0, 3 }, e.FileShape);
        Assert.Equal("per_volt_incident µ", MatFileV73.ReadString(p, "name"));
        Assert.Equal("", MatFileV73.ReadString(p, "blank"));
        var classes = MatFileV73.List(p).ToDictionary(v => v.Name, v => v.MatlabClass);
        Assert.Equal("logical", classes["mask"]);
        Assert.Equal("single", classes["zs"]);
        Assert.Equal("char", classes["name"]);
        Assert.Throws<ArgumentException>(() => MatFileV73.Write(Path.Combine(_dir, "bad.mat"), new Dictionary<string, object> { ["1x"] = "a" }));
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
        Assert.False(File.Exists(Path.Combine(_dir, "bad.mat")));
    }

    [H5pyScipyFact]
    public void H5py_and_scipy_see_a_MATLAB_v73_file()
    {
        var p = Path.Combine(_dir, "py.mat");
        MatFileV73.Write(p, Variables());
        var o = Python.Run("""
            import sys, h5py, numpy as np
            from scipy.io.matlab import matfile_version
            print(matfile_version(sys.argv[1]))
            f = h5py.File(sys.argv[1], 'r')
            print(f.userblock_size, f['M'].shape, f['M'].attrs['MATLAB_class'].decode(), f['M'][...].T.tolist())
            print(f['z'].dtype.names, f['z'].attrs['MATLAB_class'].decode(), f['mask'].dtype, f['mask'].attrs['MATLAB_class'].decode())
            print(''.join(map(chr, f['name'][...].ravel())), int(f['name'].attrs['MATLAB_int_decode']))
            print(f['empty'][...].tolist(), int(f['empty'].attrs['MATLAB_empty']))
            """, p).Split('\n');
        Assert.Equal("(2, 0)", o[0]);
        Assert.Equal("512 (3, 2) double [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]", o[1]);
        Assert.Equal("('real', 'imag') double uint8 logical", o[2]);
        Assert.Equal("per_volt_incident µ 2", o[3]);
        Assert.Equal("[0, 3] 1", o[4]);
    }

    [OctaveFact]
    public void Octave_loads_the_written_file_with_MATLAB_sizes()
    {
        const string octave = OctaveFactAttribute.Exe;
        var p = Path.Combine(_dir, "oct.mat");
        MatFileV73.Write(p, Variables());
        var psi = new ProcessStartInfo(octave) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "--no-gui", "--norc", "--quiet", "--eval",
                     $"x = load('{p}'); printf('%d %d|', size(x.M)); printf('%g ', x.M(2,:)); printf('|%d %d %d|', size(x.map)); printf('%g|', x.map(2,3,1)); printf('%g %g', real(x.z(2)), imag(x.z(2)));" })
            psi.ArgumentList.Add(a);
        using var proc = Process.Start(psi)!;
        var outp = proc.StandardOutput.ReadToEnd();
        proc.WaitForExit();
        // MATLAB/Octave M(2,:) = [4 5 6]; map(i=2,j=3,k=1) = C-order [k=0, j=2, i=1] = 2·1 + ... = 0*12 + 2*4 + 1 = 9.
        Assert.Equal("2 3|4 5 6 |4 3 2|9|0.5 2", outp.Trim());
    }

    [Fact]
    public void Dataset_round_trips_through_MATLAB_variables_and_is_detected()
    {
        var d = SarKitDatasetFileTests.Sample();
        var p = Path.Combine(_dir, "ds.mat");
        MatlabDatasetFile.Write(d, p);
        Assert.Equal(DatasetLayout.MatlabV73, DatasetReader.Detect(p));
        var r = SarKitDatasetFile.Read(p);
        Assert.Equal(d.Grid, r.Grid);
        Assert.Equal(d.Tissue.Sigma, r.Tissue.Sigma);
        Assert.Equal(d.Tissue.Rho, r.Tissue.Rho);
        Assert.Equal(d.Tissue.EpsilonR, r.Tissue.EpsilonR);
        Assert.Equal(d.Tissue.Labels, r.Tissue.Labels);
        Assert.Equal(d.Tissue.Masks["body"], r.Tissue.Masks["body"]);
        Assert.Equal(d.FrequencyHz, r.FrequencyHz);
        Assert.Equal(FieldNormalisation.PerSqrtWattIncident, r.E.Normalisation);
        for (int c = 0; c < 2; c++)
            for (int a = 0; a < 3; a++)
            {
                Assert.Equal(d.E.ComponentData(c, a), r.E.ComponentData(c, a));
                Assert.Equal(d.H!.ComponentData(c, a), r.H!.ComponentData(c, a));
            }
        var info = DatasetReader.ReadInfo(p);
        Assert.Equal(2, info.Channels);
        Assert.Equal(d.Tissue.TissueCount, info.TissueVoxels);
        Assert.Contains("body", info.Masks);
        var vars = MatFileV73.List(p).ToDictionary(v => v.Name);
        var g = d.Grid;
        Assert.Equal(new[] { g.Nx, g.Ny, g.Nz, 3, 2 }, vars["E"].MatlabSize);
        Assert.Equal(new[] { g.Nx, g.Ny, g.Nz }, vars["sigma"].MatlabSize);
    }

    [Fact]
    public void One_channel_real_E_without_trailing_singleton_is_accepted()
    {
        // MATLAB saves E of size nx×ny×nz×3×1 as nx×ny×nz×3 and drops an all-zero imaginary part.
        var d = SarKitDatasetFileTests.Sample(false);
        var g = d.Grid;
        int nv = g.VoxelCount;
        var p = Path.Combine(_dir, "one.mat");
        var e = new float[3 * nv];
        for (int i = 0; i < e.Length; i++) e[i] = i * 0.5f;
        MatFileV73.Write(p, new Dictionary<string, object>
        {
            ["x"] = new NdArray(NdType.Float64, [g.Nx], Enumerable.Range(0, g.Nx).Select(g.CentreX).ToArray()),
            ["y"] = new NdArray(NdType.Float64, [g.Ny], Enumerable.Range(0, g.Ny).Select(g.CentreY).ToArray()),
            ["z"] = new NdArray(NdType.Float64, [g.Nz], Enumerable.Range(0, g.Nz).Select(g.CentreZ).ToArray()),
            ["cell_width_x"] = new NdArray(NdType.Float64, [g.Nx], Enumerable.Range(0, g.Nx).Select(g.WidthX).ToArray()),
            ["cell_width_y"] = new NdArray(NdType.Float64, [g.Ny], Enumerable.Range(0, g.Ny).Select(g.WidthY).ToArray()),
            ["cell_width_z"] = new NdArray(NdType.Float64, [g.Nz], Enumerable.Range(0, g.Nz).Select(g.WidthZ).ToArray()),
            ["sigma"] = new NdArray(NdType.Float64, [g.Nz, g.Ny, g.Nx], d.Tissue.Sigma),
            ["rho"] = new NdArray(NdType.Float64, [g.Nz, g.Ny, g.Nx], d.Tissue.Rho),
            ["E"] = new NdArray(NdType.Float32, [3, g.Nz, g.Ny, g.Nx], e),
            ["f0_Hz"] = new NdArray(NdType.Float64, [], new[] { 64e6 }),
            ["normalisation"] = "per_volt_incident",
        });
        Assert.Equal(DatasetLayout.MatlabV73, DatasetReader.Detect(p)); // not mistaken for the openEMS layout (x, y, z, sigma, rho, E)
        var r = DatasetReader.Read(p);
        Assert.Equal(1, r.Channels);
        Assert.Equal(64e6, r.FrequencyHz);
        Assert.Equal(FieldNormalisation.PerVoltIncident, r.E.Normalisation);
        Assert.Equal(new Complex(2 * nv * 0.5 + 7 * 0.5, 0), r.E.Get(0, 2, 7));
        Assert.Equal(d.Grid, r.Grid);
    }
}
