using System.Numerics;
using SarKit.Fields;
using SarKit.Grid;
using SarKit.IO;
using SarKit.IO.Hdf5;
using SarKit.Tests.Support;
using SarKit.IO.Arrays;
using SarKit.IO.Formats;

namespace SarKit.Tests.IO;

public sealed class SarKitDatasetFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sarkit-ds-").FullName;
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    /// <summary>A small non-uniform 2-channel dataset with every optional part.</summary>
    internal static SarDataset Sample(bool withOptional = true)
    {
        var grid = new VoxelGrid([0, 0.01, 0.025, 0.03, 0.05], [-0.01, 0, 0.01, 0.02], [0, 0.005, 0.01]);
        int nv = grid.VoxelCount;
        var sigma = new double[nv];
        var rho = new double[nv];
        for (int v = 1; v < nv; v++) { rho[v] = v % 5 == 0 ? 0 : 900 + v; sigma[v] = rho[v] > 0 ? 0.1 * (v % 7) : 0; }
        var tissue = new TissueModel(grid, sigma, rho) { Source = "sample" };
        if (withOptional)
        {
            tissue = new TissueModel(grid, sigma, rho)
            {
                EpsilonR = Enumerable.Range(0, nv).Select(v => 1.0 + v).ToArray(),
                Labels = Enumerable.Range(0, nv).Select(v => rho[v] > 0 ? 1 + v % 3 : 0).ToArray(),
                LabelNames = new Dictionary<int, string> { [0] = "air", [1] = "muscle", [3] = "fat µ" },
            };
            tissue.SetMask("body", rho.Select(r => r > 0).ToArray());
            tissue.SetMask("head", Enumerable.Range(0, nv).Select(v => v < 6).ToArray());
        }
        var e = new MultiChannelField(grid, 2, FieldQuantity.E, FieldNormalisation.PerSqrtWattIncident, ["tx0", "tx1"]);
        var h = new MultiChannelField(grid, 2, FieldQuantity.H, FieldNormalisation.PerSqrtWattIncident, ["tx0", "tx1"]);
        var b = new MultiChannelField(grid, 2, FieldQuantity.B1Plus, FieldNormalisation.PerSqrtWattIncident, ["tx0", "tx1"]);
        for (int c = 0; c < 2; c++)
            for (int v = 0; v < nv; v++)
            {
                for (int a = 0; a < 3; a++)
                {
                    e.Set(c, a, v, new Complex(c + 0.5 * a + 0.01 * v, -v * 0.25 + c));
                    h.Set(c, a, v, new Complex(1e-3 * v, 2e-3 * a));
                }
                b.Set(c, 0, v, new Complex(1e-7 * v, -1e-7 * c));
            }
        var ds = withOptional
            ? new SarDataset(tissue, e) { H = h, B1Plus = b, FrequencyHz = 297.2e6 }
            : new SarDataset(tissue, e) { FrequencyHz = 128e6 };
        ds.Provenance["description"] = "unit-test sample";
        ds.Provenance["simulator"] = "none";
        return ds;
    }

    private static void AssertSameField(MultiChannelField a, MultiChannelField b)
    {
        Assert.Equal(a.Channels, b.Channels);
        Assert.Equal(a.Components, b.Components);
        Assert.Equal(a.Quantity, b.Quantity);
        Assert.Equal(a.Normalisation, b.Normalisation);
        Assert.Equal(a.ChannelNames, b.ChannelNames);
        for (int c = 0; c < a.Channels; c++)
            for (int k = 0; k < a.Components; k++)
                Assert.Equal(a.ComponentData(c, k), b.ComponentData(c, k));
    }

    [Fact]
    public void Full_dataset_round_trips_exactly()
    {
        var d = Sample();
        var p = Path.Combine(_dir, "full.h5");
        SarKitDatasetFile.Write(d, p);
        var r = SarKitDatasetFile.Read(p);
        Assert.Equal(d.Grid, r.Grid);
        Assert.Equal(d.Grid.EdgesX.ToArray(), r.Grid.EdgesX.ToArray());
        Assert.Equal(d.Tissue.Sigma, r.Tissue.Sigma);
        Assert.Equal(d.Tissue.Rho, r.Tissue.Rho);
        Assert.Equal(d.Tissue.EpsilonR, r.Tissue.EpsilonR);
        Assert.Equal(d.Tissue.Labels, r.Tissue.Labels);
        Assert.Equal(d.Tissue.LabelNames!.OrderBy(x => x.Key), r.Tissue.LabelNames!.OrderBy(x => x.Key));
        Assert.Equal(d.Tissue.Masks["body"], r.Tissue.Masks["body"]);
        Assert.Equal(d.Tissue.Masks["head"], r.Tissue.Masks["head"]);
        AssertSameField(d.E, r.E);
        AssertSameField(d.H!, r.H!);
        AssertSameField(d.B1Plus!, r.B1Plus!);
        Assert.Equal(297.2e6, r.FrequencyHz);
        Assert.Equal("unit-test sample", r.Provenance["description"]);
        Assert.StartsWith("SarKit", r.Provenance["generator"]);
        Assert.True(r.Provenance.ContainsKey("created_utc"));
        Assert.Equal(p, r.Source);
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    [Fact]
    public void Minimal_dataset_round_trips_with_compressed_fields_and_info_is_cheap_summary()
    {
        var d = Sample(withOptional: false);
        var p = Path.Combine(_dir, "min.h5");
        SarKitDatasetFile.Write(d, p, new SarKitDatasetWriteOptions { FieldGzipLevel = 5 });
        var r = SarKitDatasetFile.Read(p);
        AssertSameField(d.E, r.E);
        Assert.Null(r.H);
        Assert.Null(r.B1Plus);
        Assert.Null(r.Tissue.Labels);
        var info = SarKitDatasetFile.ReadInfo(p);
        Assert.Equal(DatasetLayout.SarKit, info.Layout);
        Assert.Equal(d.Grid, info.Grid);
        Assert.Equal(2, info.Channels);
        Assert.Equal(d.Tissue.TissueCount, info.TissueVoxels);
        Assert.Equal(FieldNormalisation.PerSqrtWattIncident, info.Normalisation);
        Assert.Equal(128e6, info.FrequencyHz);
        Assert.Equal(new[] { "tx0", "tx1" }, info.ChannelNames);
        Assert.False(info.HasH);
        Assert.Equal(DatasetLayout.SarKit, DatasetReader.Detect(p));
        using var f = Hdf5File.OpenRead(p);
        Assert.NotNull(f.GetDatasetInfo("/fields/E").ChunkShape);
    }

    [Fact]
    public void Write_replaces_the_target_and_a_failed_write_leaves_it_untouched()
    {
        var p = Path.Combine(_dir, "t.h5");
        SarKitDatasetFile.Write(Sample(false), p);
        SarKitDatasetFile.Write(Sample(true), p); // overwrite
        Assert.NotNull(SarKitDatasetFile.Read(p).H);
        var before = File.ReadAllBytes(p);
        var bad = Sample(false);
        bad.E.Set(1, 2, 3, new Complex(double.NaN, 0));
        Assert.Throws<SarKitInputException>(() => SarKitDatasetFile.Write(bad, p));
        Assert.Equal(before, File.ReadAllBytes(p));
        Assert.Single(Directory.GetFiles(_dir));
    }

    /// <summary>Writes a valid file, lets <paramref name="spoil"/> rewrite it with one thing broken, and returns the read error.</summary>
    private SarKitInputException ReadError(Action<Hdf5File, SarDataset> spoil, params string[] skip)
    {
        var d = Sample(false);
        var p = Path.Combine(_dir, $"bad{Guid.NewGuid():N}.h5");
        using (var f = Hdf5File.Create(p))
        {
            var g = d.Grid;
            f.WriteAttribute("/", "sarkit_format", "sarkit-dataset");
            f.WriteAttribute("/", "sarkit_format_version", 1);
            if (!skip.Contains("edges_x")) f.WriteDataset("/grid/edges_x", new NdArray(NdType.Float64, [g.Nx + 1], g.EdgesX.ToArray()));
            f.WriteDataset("/grid/edges_y", new NdArray(NdType.Float64, [g.Ny + 1], g.EdgesY.ToArray()));
            f.WriteDataset("/grid/edges_z", new NdArray(NdType.Float64, [g.Nz + 1], g.EdgesZ.ToArray()));
            if (!skip.Contains("sigma")) f.WriteDataset("/tissue/sigma", new NdArray(NdType.Float64, [g.Nz, g.Ny, g.Nx], d.Tissue.Sigma));
            if (!skip.Contains("rho")) f.WriteDataset("/tissue/rho", new NdArray(NdType.Float64, [g.Nz, g.Ny, g.Nx], d.Tissue.Rho));
            if (!skip.Contains("E"))
            {
                FieldIO.WriteField(f, "/fields/E", d.E, Hdf5WriteOptions.Default);
                if (!skip.Contains("unit")) f.WriteAttribute("/fields/E", "unit", "V/m");
                f.WriteAttribute("/fields/E", "normalisation", "per_volt_incident");
            }
            spoil(f, d);
        }
        var ex = Assert.Throws<SarKitInputException>(() => SarKitDatasetFile.Read(p));
        Assert.Contains(p, ex.Message);
        return ex;
    }

    [Fact]
    public void Read_errors_name_file_dataset_and_expectation()
    {
        var g = Sample(false).Grid;
        var ex = ReadError((f, d) => { }, "E");
        Assert.Contains("/fields/E", ex.Message);
        Assert.Contains("missing", ex.Message);

        ex = ReadError((f, d) => { }, "rho");
        Assert.Contains("/tissue/rho", ex.Message);

        ex = ReadError((f, d) => f.WriteDataset("/tissue/rho", new NdArray(NdType.Float64, [g.Nz, g.Nx, g.Ny], d.Tissue.Rho)), "rho");
        Assert.Contains($"[{g.Nz},{g.Nx},{g.Ny}]", ex.Message);
        Assert.Contains($"[{g.Nz},{g.Ny},{g.Nx}]", ex.Message);

        ex = ReadError((f, d) => f.WriteAttribute("/fields/E", "unit", "mV/m"));
        Assert.Contains("mV/m", ex.Message);
        Assert.Contains("V/m", ex.Message);

        ex = ReadError((f, d) => { }, "unit");
        Assert.Contains("unit", ex.Message);

        ex = ReadError((f, d) => f.WriteAttribute("/fields/E", "normalisation", "per_furlong"));
        Assert.Contains("per_furlong", ex.Message);

        ex = ReadError((f, d) => f.WriteDataset("/grid/edges_x", new NdArray(NdType.Float64, [3], new[] { 0.0, 0.02, 0.01 })), "edges_x");
        Assert.Contains("/grid", ex.Message);

        ex = ReadError((f, d) => f.WriteAttribute("/", "sarkit_format_version", 7));
        Assert.Contains("version", ex.Message);

        // Physical validation (σ > 0 where ρ = 0) names the voxel.
        ex = ReadError((f, d) =>
        {
            var s = (double[])d.Tissue.Sigma.Clone();
            s[0] = 1;
            f.WriteDataset("/tissue/sigma", new NdArray(NdType.Float64, [g.Nz, g.Ny, g.Nx], s));
        }, "sigma");
        Assert.Contains("i=0, j=0, k=0", ex.Message);
    }

    [H5pyFact]
    public void H5py_reads_a_SarKit_dataset_as_documented()
    {
        var d = Sample();
        var p = Path.Combine(_dir, "py.h5");
        SarKitDatasetFile.Write(d, p);
        var o = Python.Run("""
            import sys, h5py
            f = h5py.File(sys.argv[1], 'r')
            E = f['fields/E']
            print(E.dtype, E.shape, E.attrs['unit'], E.attrs['normalisation'], list(E.attrs['channel_names']))
            print(repr(complex(E[1, 2, 1, 2, 3])))
            print(f['tissue/sigma'].shape, f.attrs['sarkit_format'], int(f.attrs['sarkit_format_version']), float(f.attrs['frequency_hz']))
            print(f['fields/B1plus'].shape, f['tissue/masks/body'].dtype, list(f['tissue/labels'].attrs['names']))
            """, p).Split('\n');
        var g = d.Grid;
        Assert.Equal($"complex64 (2, 3, {g.Nz}, {g.Ny}, {g.Nx}) V/m per_sqrt_watt_incident ['tx0', 'tx1']", o[0]);
        var v = d.E.Get(1, 2, g.Index(3, 2, 1));
        Assert.Equal(new Complex(v.Real, v.Imaginary), ParseComplex(o[1]));
        Assert.Equal($"({g.Nz}, {g.Ny}, {g.Nx}) sarkit-dataset 1 297200000.0", o[2]);
        Assert.Equal($"(2, {g.Nz}, {g.Ny}, {g.Nx}) uint8 ['air', 'muscle', '', 'fat µ']", o[3]);
    }

    private static Complex ParseComplex(string s)
    {
        s = s.Trim().TrimStart('(').TrimEnd(')').TrimEnd('j');
        int k = s.LastIndexOfAny(['+', '-']);
        return new Complex(double.Parse(s[..k], System.Globalization.CultureInfo.InvariantCulture), double.Parse(s[k..], System.Globalization.CultureInfo.InvariantCulture));
    }
}
