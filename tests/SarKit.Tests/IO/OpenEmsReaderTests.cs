using System.Numerics;
using SarKit.Fields;
using SarKit.IO;
using SarKit.IO.Hdf5;
using SarKit.Tests.Support;
using SarKit.IO.Arrays;
using SarKit.IO.Formats;

namespace SarKit.Tests.IO;

public sealed class OpenEmsReaderTests : IDisposable
{
    private const string Ptx8 = "openems-ptx8/ptx8_dipoles_7T.h5";
    private readonly string _dir = Directory.CreateTempSubdirectory("sarkit-oe-").FullName;
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    private static string Fixture(string name) => Path.Combine(SharedData.RepoRoot, "tests", "SarKit.Tests", "data", "hdf5", name);

    [SharedDataFact(Ptx8)]
    public void Reference_layout_reads_into_a_dataset_whose_local_SAR_matches_openEMS()
    {
        var path = SharedData.Reference(Ptx8)!;
        Assert.Equal(DatasetLayout.OpenEmsReference, DatasetReader.Detect(path));
        var d = SarKitDatasetFile.Read(path); // dispatches to OpenEmsReferenceReader
        Assert.Equal(51, d.Grid.Nx);
        Assert.Equal(41, d.Grid.Ny);
        Assert.Equal(111, d.Grid.Nz);
        Assert.Equal(0.005, d.Grid.WidthX(0), 9);
        Assert.Equal(-0.125 - 0.0025, d.Grid.EdgesX[0], 9);
        Assert.Equal(100899, d.Tissue.TissueCount); // h5py: count(rho > 0)
        Assert.Equal(8, d.Channels);
        Assert.Equal(FieldNormalisation.PerVoltIncident, d.E.Normalisation);
        Assert.Equal(298e6, d.FrequencyHz);
        Assert.NotNull(d.H);
        Assert.Contains("openEMS", d.Provenance["generator"]);
        // h5py: E[0][2,60,10,30] = (1.1352907419204712-0.1565798968076706j)
        var v = d.E.Get(0, 2, d.Grid.Index(30, 10, 60));
        Assert.Equal(1.1352907419204712, v.Real);
        Assert.Equal(-0.1565798968076706, v.Imaginary);

        // openEMS's own local SAR of channel 3, W/kg per W incident; 1 V peak into 50 Ω is 0.01 W, so
        // SAR_per_W = 100 · σ|E|²/(2ρ) with E per 1 V (README: agreement ~4e-7).
        using var f = Hdf5File.OpenRead(path);
        var sarRef = f.ReadDataset("/openems/ch3/SAR_local").ToDouble();
        double max = sarRef.Max(), worst = 0;
        for (int n = 0; n < sarRef.Length; n++)
        {
            if (d.Tissue.Rho[n] <= 0 || sarRef[n] < 1e-3 * max) continue;
            double e2 = 0;
            for (int a = 0; a < 3; a++) e2 += d.E.Get(3, a, n).Magnitude * d.E.Get(3, a, n).Magnitude;
            double sar = 100 * d.Tissue.Sigma[n] * e2 / (2 * d.Tissue.Rho[n]);
            worst = Math.Max(worst, Math.Abs(sar / sarRef[n] - 1));
        }
        Assert.True(worst < 1e-5, $"max relative deviation from openEMS SAR_local: {worst}");
    }

    [SharedDataFact(Ptx8)]
    public void Reference_info_and_S_matrix()
    {
        var path = SharedData.Reference(Ptx8)!;
        var info = DatasetReader.ReadInfo(path);
        Assert.Equal(DatasetLayout.OpenEmsReference, info.Layout);
        Assert.Equal(8, info.Channels);
        Assert.Equal(100899, info.TissueVoxels);
        Assert.Equal(298e6, info.FrequencyHz);
        Assert.True(info.HasH);
        Assert.Equal(FieldNormalisation.PerVoltIncident, info.Normalisation);
        var s = OpenEmsReferenceReader.ReadSMatrix(path)!;
        Assert.Equal(new Complex(0.16038117704383897, 0.1708976855538062), s[0, 1]); // h5py: S[0,1]
    }

    [SharedDataFact(Ptx8)]
    public void Reference_converted_to_SarKit_format_reads_back_identically()
    {
        var src = OpenEmsReferenceReader.Read(SharedData.Reference(Ptx8)!);
        var p = Path.Combine(_dir, "ptx8.sarkit.h5");
        SarKitDatasetFile.Write(src, p);
        var back = SarKitDatasetFile.Read(p);
        Assert.Equal(src.Grid, back.Grid);
        Assert.Equal(src.Tissue.Sigma, back.Tissue.Sigma);
        for (int c = 0; c < 8; c++) for (int a = 0; a < 3; a++) Assert.Equal(src.E.ComponentData(c, a), back.E.ComponentData(c, a));
        Assert.Equal(src.FrequencyHz, back.FrequencyHz);
        Assert.Equal(FieldNormalisation.PerVoltIncident, back.E.Normalisation);
    }

    [Fact]
    public void Field_dump_on_a_non_uniform_mesh_recovers_edges_fields_and_tissue()
    {
        // Fixture written by tools/fixtures/make_hdf5_fixtures.py (h5py); the expected values are that script's formulas.
        var path = Fixture("openems_dump_nonuniform.h5");
        Assert.Equal(DatasetLayout.OpenEmsFieldDump, DatasetReader.Detect(path));
        var d = OpenEmsFieldDump.Read(path);
        double[] ex = [0.0, 0.004, 0.009, 0.015, 0.020], ey = [-0.01, -0.005, 0.002], ez = [0.0, 0.003, 0.006, 0.011];
        for (int i = 0; i < ex.Length; i++) Assert.Equal(ex[i], d.Grid.EdgesX[i], 7);
        for (int i = 0; i < ey.Length; i++) Assert.Equal(ey[i], d.Grid.EdgesY[i], 7);
        for (int i = 0; i < ez.Length; i++) Assert.Equal(ez[i], d.Grid.EdgesZ[i], 7);
        Assert.Equal(2.98e8, d.FrequencyHz);
        Assert.Equal(FieldNormalisation.Unspecified, d.Field.Normalisation);
        for (int a = 0; a < 3; a++)
            for (int k = 0; k < 3; k++)
                for (int j = 0; j < 2; j++)
                    for (int i = 0; i < 4; i++)
                    {
                        float re = (float)(100 * a + 10 * k + j + 0.1 * i);
                        var v = d.Field.Get(0, a, d.Grid.Index(i, j, k));
                        Assert.Equal(re, (float)v.Real);
                        Assert.Equal((float)(-0.5 * re), (float)v.Imaginary);
                    }
        var t = d.Tissue();
        Assert.Equal(3 * 2 * 3, t.TissueCount);
        Assert.Equal(0.5, t.Sigma[d.Grid.Index(1, 0, 0)]);
        Assert.Equal(0.0, t.Rho[d.Grid.Index(0, 1, 2)]);

        // Normalised by an incident voltage: E / u.
        var u = new Complex(2, -1);
        var n = OpenEmsFieldDump.Read(path, u);
        Assert.Equal(FieldNormalisation.PerVoltIncident, n.Field.Normalisation);
        var z = d.Field.Get(0, 1, 5) / u;
        Assert.Equal((float)z.Real, (float)n.Field.Get(0, 1, 5).Real);
        Assert.Equal((float)z.Imaginary, (float)n.Field.Get(0, 1, 5).Imaginary);

        var ds = DatasetReader.Read(path);
        Assert.Equal(1, ds.Channels);
        var multi = OpenEmsFieldDump.ReadChannels([path, path], [Complex.One, u]);
        Assert.Equal(2, multi.Channels);
        Assert.Equal(n.Field.ComponentData(0, 2), multi.ComponentData(1, 2));
        Assert.Equal(1, DatasetReader.ReadInfo(path).Channels);
    }

    [Fact]
    public void Unknown_layout_is_reported_with_what_was_found()
    {
        var p = Path.Combine(_dir, "other.h5");
        using (var f = Hdf5File.Create(p)) f.WriteDataset("/something", new SarKit.IO.NdArray(SarKit.IO.NdType.Float32, [2], new float[2]));
        var ex = Assert.Throws<SarKitInputException>(() => SarKitDatasetFile.Read(p));
        Assert.Contains("something", ex.Message);
        Assert.Contains("not a recognised dataset layout", ex.Message);
        Assert.Equal(DatasetLayout.Unknown, DatasetReader.Detect(p));
    }
}
