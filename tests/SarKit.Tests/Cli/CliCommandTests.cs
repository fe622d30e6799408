using System.Numerics;
using System.Text.Json;
using SarKit.Averaging;
using SarKit.Fields;
using SarKit.IO;
using SarKit.IO.Hdf5;
using SarKit.Sar;
using SarKit.IO.Arrays;
using SarKit.IO.Formats;

namespace SarKit.Tests.Cli;

public class CliCommandTests
{
    private const string Drive = "1@0,0.5@30,1@-60,0.8@90,1@120,0.3@180,1@-150,0.9@10";

    private static JsonElement ParseJson(string stdout)
    {
        using var doc = JsonDocument.Parse(stdout); // exactly one JSON value, nothing else on stdout
        return doc.RootElement.Clone();
    }

    private static DriveVector TestDrive => DriveVector.Parse(Drive, FieldNormalisation.PerVoltIncident);

    [Fact]
    public void VersionPrintsTheLibraryVersion()
    {
        var r = CliRunner.Run("--version");
        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith("sarkit " + typeof(SarDataset).Assembly.GetName().Version!.ToString(3), r.Out.Trim());
    }

    [Fact]
    public void InfoOnTheDemoFileShowsGridChannelsTissueAndMasks()
    {
        var r = CliRunner.Run("info", CliRunner.DemoFile);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.Err);
        Assert.Contains("42 × 32 × 43", r.Out);
        Assert.Contains("per_volt_incident", r.Out);
        Assert.Contains("38,540", r.Out);
        Assert.Contains("body", r.Out);
        Assert.Contains("298 MHz", r.Out);

        var j = ParseJson(CliRunner.Run("info", CliRunner.DemoFile, "--json").Out);
        Assert.Equal(8, j.GetProperty("channels").GetInt32());
        Assert.Equal(38540, j.GetProperty("tissue_voxels").GetInt32());
        Assert.Equal(CliRunner.Demo.Tissue.Mass(), j.GetProperty("tissue_mass_kg").GetDouble(), 1e-9);
        Assert.Equal("sarkit", j.GetProperty("layout").GetString());
        Assert.Equal("V", j.GetProperty("drive_unit").GetString());
        var g = j.GetProperty("grid");
        Assert.Equal(42, g.GetProperty("nx").GetInt32());
        Assert.True(g.GetProperty("uniform").GetBoolean());
        Assert.Equal(0.005, g.GetProperty("spacing_m").GetProperty("x").GetDouble(), 1e-12);
        Assert.Equal(-0.105, g.GetProperty("extent_m").GetProperty("x")[0].GetDouble(), 1e-9);
        Assert.Equal(["air", "muscle", "fat"], j.GetProperty("label_names").EnumerateArray().Select(x => x.GetString()!).ToArray());
        Assert.Equal(["body"], j.GetProperty("masks").EnumerateArray().Select(x => x.GetString()!).ToArray());
    }

    [Fact]
    public void SarJsonPointPeakEqualsTheLibrary()
    {
        var r = CliRunner.Run("sar", "--fields", CliRunner.DemoFile, "--drive", Drive, "--mass", "point", "--json");
        Assert.Equal(0, r.ExitCode);
        var j = ParseJson(r.Out);
        var ds = CliRunner.Demo;
        var local = LocalSar.Compute(ds.Tissue, ds.E, TestDrive);
        var (peak, at) = LocalSar.Peak(local);
        Assert.Equal(peak, j.GetProperty("peak_sar_w_per_kg").GetDouble(), peak * 1e-12);
        var (i, jj, k) = ds.Grid.Unravel(at);
        var idx = j.GetProperty("peak_voxel_index");
        Assert.Equal((i, jj, k), (idx.GetProperty("i").GetInt32(), idx.GetProperty("j").GetInt32(), idx.GetProperty("k").GetInt32()));
        var (x, y, z) = ds.Grid.Centre(at);
        var loc = j.GetProperty("peak_location_m");
        Assert.Equal(x, loc.GetProperty("x").GetDouble(), 1e-12);
        Assert.Equal(y, loc.GetProperty("y").GetDouble(), 1e-12);
        Assert.Equal(z, loc.GetProperty("z").GetDouble(), 1e-12);
        Assert.Equal(JsonValueKind.Null, j.GetProperty("mass_kg").ValueKind);
        Assert.Equal("point", j.GetProperty("method").GetString());
        Assert.Equal("V", j.GetProperty("drive").GetProperty("unit").GetString());
        Assert.Equal(-60, j.GetProperty("drive").GetProperty("phase_deg")[2].GetDouble(), 1e-9);
        Assert.Equal(180, j.GetProperty("drive").GetProperty("phase_deg")[5].GetDouble(), 1e-9);
        var wb = RegionQ.Compute("body", ds.Tissue, ds.E, ds.Tissue.Masks["body"]);
        Assert.Equal(wb.Sar(TestDrive), j.GetProperty("whole_body_sar_w_per_kg").GetDouble(), 1e-12 * wb.Sar(TestDrive));
        // absorbed power = Σ σ|E|²V/2 over tissue
        var p = new double[local.Length];
        LocalSar.PowerDensity(ds.Tissue, ds.E, TestDrive, p, perVolume: false);
        Assert.Equal(p.Sum(), j.GetProperty("absorbed_power_w").GetDouble(), 1e-9 * p.Sum());
        Assert.Equal(JsonValueKind.Null, j.GetProperty("head_sar_w_per_kg").ValueKind);
        Assert.Equal(CliApp_Version(), j.GetProperty("sarkit_version").GetString());
    }

    private static string CliApp_Version() => SarKit.Cli.CliApp.Version;

    [Fact]
    public void Sar10gPeakEqualsSpatialAverageOnTheAirPaddedModel()
    {
        var r = CliRunner.Run("sar", "-f", CliRunner.DemoFile, "-d", Drive, "--mass", "10g", "--json");
        Assert.Equal(0, r.ExitCode);
        var j = ParseJson(r.Out);
        var ds = CliRunner.Demo;
        var pad = new SarKit.Fields.AirPadding(ds.Grid, SarKit.Fields.AirPadding.Needed(ds.Tissue, 0.010));
        Assert.Equal(6, pad.Cells); // demo data: 1 air cell stored, 7 wanted for 10 g at 900 kg/m³ and 5 mm
        Assert.Equal(pad.Cells, j.GetProperty("air_padding_voxels").GetInt32());
        var local = LocalSar.Compute(ds.Tissue, ds.E, TestDrive);
        var res = SpatialAverage.Compute(pad.Pad(ds.Tissue), pad.Pad(local), AveragingOptions.TenGram);
        Assert.Equal(res.Peak, j.GetProperty("peak_sar_w_per_kg").GetDouble(), res.Peak * 1e-12);
        Assert.Equal(0.010, j.GetProperty("mass_kg").GetDouble());
        Assert.Equal("IEC/IEEE 62704-1", j.GetProperty("method").GetString());
        var (i, jj, k) = ds.Grid.Unravel(pad.ToOriginal(res.PeakVoxel));
        var idx = j.GetProperty("peak_voxel_index");
        Assert.Equal((i, jj, k), (idx.GetProperty("i").GetInt32(), idx.GetProperty("j").GetInt32(), idx.GetProperty("k").GetInt32()));
        var status = pad.Crop(res.Status);
        var s = j.GetProperty("status_counts");
        Assert.Equal(status.Count(x => x == VoxelStatus.Valid), s.GetProperty("valid").GetInt32());
        Assert.Equal(status.Count(x => x == VoxelStatus.Used), s.GetProperty("used").GetInt32());
        Assert.Equal(status.Count(x => x == VoxelStatus.Unused), s.GetProperty("unused").GetInt32());
        Assert.Equal(ds.Grid.VoxelCount - 38540, s.GetProperty("background").GetInt32());
        Assert.Equal(res.Cubes.VoxelsWithoutCube, s.GetProperty("without_cube").GetInt32());
        var cube = j.GetProperty("peak_cube");
        Assert.Equal(0.010, cube.GetProperty("mass_kg").GetDouble(), 1e-9);
        Assert.True(cube.GetProperty("side_m").GetDouble() > 0.015 && cube.GetProperty("side_m").GetDouble() < 0.03);
    }

    [Fact]
    public void SarWithoutPaddingEqualsSpatialAverageOfTheStoredGrid()
    {
        var j = ParseJson(CliRunner.Run("sar", "-f", CliRunner.DemoFile, "-d", Drive, "--mass", "1g", "--pad", "0", "--json").Out);
        var res = SpatialAverage.Compute(CliRunner.Demo, TestDrive, AveragingOptions.OneGram);
        Assert.Equal(res.Peak, j.GetProperty("peak_sar_w_per_kg").GetDouble(), res.Peak * 1e-12);
        Assert.Equal(0, j.GetProperty("air_padding_voxels").GetInt32());
        Assert.Equal(res.Cubes.StatusCounts().Valid, j.GetProperty("status_counts").GetProperty("valid").GetInt32());
    }

    [Fact]
    public void SarTableOutputNamesPeakAndWholeBody()
    {
        var r = CliRunner.Run("sar", "-f", CliRunner.DemoFile, "-d", "cp", "-m", "point");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Peak point SAR", r.Out);
        Assert.Contains("Whole-body SAR", r.Out);
        Assert.Contains("0.0249256", r.Out); // CP peak (docs/demo-data.md: 0.312 W/kg per W at 0.08 W)
    }

    [Theory]
    [InlineData(".h5")]
    [InlineData(".npz")]
    public void SarWritesMapsWithUnits(string ext)
    {
        using var tmp = new TempDir();
        var outFile = tmp.File("maps" + ext);
        var r = CliRunner.Run("sar", "-f", CliRunner.DemoFile, "-d", Drive, "-o", outFile, "--json");
        Assert.Equal(0, r.ExitCode);
        double peak = ParseJson(r.Out).GetProperty("peak_sar_w_per_kg").GetDouble();
        Assert.Equal(["maps" + ext], tmp.Files());
        var g = CliRunner.Demo.Grid;
        if (ext == ".h5")
        {
            using var f = Hdf5File.OpenRead(outFile);
            var avg = f.ReadDataset("/averaged_sar");
            Assert.Equal([g.Nz, g.Ny, g.Nx], avg.Shape);
            Assert.Equal(peak, avg.ToDouble().Max());
            Assert.Equal("W/kg", f.ReadStringAttribute("/averaged_sar", "unit"));
            Assert.Equal("W/kg", f.ReadStringAttribute("/point_sar", "unit"));
            var local = LocalSar.Compute(CliRunner.Demo.Tissue, CliRunner.Demo.E, TestDrive);
            Assert.Equal(local, f.ReadDataset("/point_sar").ToDouble());
            Assert.Equal(3.0, f.ReadDataset("/status").ToDouble().Max());
        }
        else
        {
            using var z = NpzArchive.Open(outFile);
            Assert.Equal(peak, z.Read("averaged_sar").ToDouble().Max());
            Assert.Equal([g.Nz, g.Ny, g.Nx], z.Read("status").Shape);
            Assert.Contains("sar_unit", z.Names);
        }
    }

    [Fact]
    public void SarReadsNpzLikeHdf5()
    {
        using var tmp = new TempDir();
        var npz = tmp.File("demo.npz");
        ArrayDatasetMapper.WriteNpz(CliRunner.Demo, npz);
        var a = ParseJson(CliRunner.Run("sar", "-f", npz, "-d", Drive, "-m", "point", "--json").Out);
        var b = ParseJson(CliRunner.Run("sar", "-f", CliRunner.DemoFile, "-d", Drive, "-m", "point", "--json").Out);
        Assert.Equal(b.GetProperty("peak_sar_w_per_kg").GetDouble(), a.GetProperty("peak_sar_w_per_kg").GetDouble());
        var info = ParseJson(CliRunner.Run("info", npz, "--json").Out);
        Assert.Equal("npz", info.GetProperty("format").GetString());
        Assert.Equal(38540, info.GetProperty("tissue_voxels").GetInt32());
    }

    [Theory]
    [InlineData("demo73.mat")]  // MATLAB v7.3: 512-byte MATLAB header, then HDF5
    [InlineData("demo5.mat")]   // MATLAB v5/v7 Level 5
    public void SarAndInfoReadMatFiles(string name)
    {
        using var tmp = new TempDir();
        var mat = tmp.File(name);
        if (name == "demo73.mat") MatlabDatasetFile.Write(CliRunner.Demo, mat);
        else ArrayDatasetMapper.WriteMat(CliRunner.Demo, mat);
        Assert.Equal(name == "demo73.mat", DatasetFiles.IsHdf5(mat));
        var a = ParseJson(CliRunner.Run("sar", "-f", mat, "-d", Drive, "-m", "point", "--json").Out);
        var local = LocalSar.Compute(CliRunner.Demo.Tissue, CliRunner.Demo.E, TestDrive);
        Assert.Equal(local.Max(), a.GetProperty("peak_sar_w_per_kg").GetDouble(), 1e-12 * local.Max());
        var info = ParseJson(CliRunner.Run("info", mat, "--json").Out);
        Assert.Equal(name == "demo73.mat" ? "matlab-v7.3" : "matlab-v5", info.GetProperty("layout").GetString());
        Assert.Equal(8, info.GetProperty("channels").GetInt32());
        Assert.Equal(CliRunner.Demo.Tissue.Mass(), info.GetProperty("tissue_mass_kg").GetDouble(), 1e-9);
    }

    [Fact]
    public void HeadMaskGivesHeadSarAndRegionPeak()
    {
        using var tmp = new TempDir();
        var src = CliRunner.Demo;
        var tissue = new SarKit.Grid.TissueModel(src.Grid, src.Tissue.Sigma, src.Tissue.Rho) { Source = "copy" };
        foreach (var (k, m) in src.Tissue.Masks) tissue.SetMask(k, m);
        var ds = new SarDataset(tissue, src.E) { FrequencyHz = src.FrequencyHz };
        var g = ds.Grid;
        var head = new bool[g.VoxelCount];
        for (int v = 0; v < head.Length; v++) head[v] = ds.Tissue.Rho[v] > 0 && g.Centre(v).Z > 0.05;
        ds.Tissue.SetMask("head", head);
        var npz = tmp.File("withhead.npz");
        ArrayDatasetMapper.WriteNpz(ds, npz);
        var j = ParseJson(CliRunner.Run("sar", "-f", npz, "-d", Drive, "-m", "point", "--region", "head", "--json").Out);
        var local = LocalSar.Compute(ds.Tissue, ds.E, TestDrive);
        double headPeak = local.Where((_, v) => head[v]).Max();
        Assert.Equal(headPeak, j.GetProperty("peak_sar_w_per_kg").GetDouble(), 1e-12 * headPeak);
        Assert.True(headPeak < local.Max());
        Assert.True(g.Centre(g.Index(0, 0, j.GetProperty("peak_voxel_index").GetProperty("k").GetInt32())).Z > 0.05);
        Assert.Equal("head", j.GetProperty("region").GetString());
        double headSar = RegionQ.Compute("head", ds.Tissue, ds.E, head).Sar(TestDrive);
        Assert.Equal(headSar, j.GetProperty("head_sar_w_per_kg").GetDouble(), 1e-12 * headSar);
    }

    [Fact]
    public void DriveFromJsonFileAndCp()
    {
        using var tmp = new TempDir();
        var file = tmp.File("drive.json");
        var d = TestDrive;
        File.WriteAllText(file, JsonSerializer.Serialize(new
        {
            amplitude = d.Amplitudes.ToArray().Select(x => x.Magnitude),
            phase_deg = d.Amplitudes.ToArray().Select(x => x.Phase * 180 / Math.PI),
            unit = "per_volt_incident",
        }));
        var a = ParseJson(CliRunner.Run("sar", "-f", CliRunner.DemoFile, "-d", file, "-m", "point", "--json").Out);
        var local = LocalSar.Compute(CliRunner.Demo.Tissue, CliRunner.Demo.E, d);
        Assert.Equal(local.Max(), a.GetProperty("peak_sar_w_per_kg").GetDouble(), 1e-12 * local.Max());

        var cp = ParseJson(CliRunner.Run("sar", "-f", CliRunner.DemoFile, "-d", "cp", "-m", "point", "--json").Out);
        var cpDrive = new DriveVector(Enumerable.Range(0, 8).Select(c => Complex.FromPolarCoordinates(1, -2 * Math.PI * c / 8)), FieldNormalisation.PerVoltIncident);
        var cpLocal = LocalSar.Compute(CliRunner.Demo.Tissue, CliRunner.Demo.E, cpDrive);
        Assert.Equal(cpLocal.Max(), cp.GetProperty("peak_sar_w_per_kg").GetDouble(), 1e-12 * cpLocal.Max());
        Assert.Equal(0.08, cp.GetProperty("incident_power_w").GetDouble(), 1e-12);
    }

    [Fact]
    public void QMatricesFilePeakEqualsSar10g()
    {
        using var tmp = new TempDir();
        var outFile = tmp.File("q10g.h5");
        var r = CliRunner.Run("qmatrices", "--fields", CliRunner.DemoFile, "--mass", "10g", "-o", outFile, "--json");
        Assert.Equal(0, r.ExitCode);
        var j = ParseJson(r.Out);
        var q = QMatrixSetFile.Read(outFile);
        Assert.Equal(j.GetProperty("count").GetInt32(), q.Count);
        Assert.Equal(8, q.Channels);
        Assert.Equal(Path.GetFullPath(CliRunner.DemoFile), q.Attributes["source_file"]);
        var s = ParseJson(CliRunner.Run("sar", "-f", CliRunner.DemoFile, "-d", Drive, "-m", "10g", "--json").Out);
        double scalar = s.GetProperty("peak_sar_w_per_kg").GetDouble();
        Assert.Equal(scalar, q.PeakSar(TestDrive).Peak, 1e-9 * scalar);
        Assert.Equal(["q10g.h5"], tmp.Files());
    }

    [Fact]
    public void QMatricesPointWritesOneMatrixPerTissueVoxel()
    {
        using var tmp = new TempDir();
        var outFile = tmp.File("qpoint.h5");
        var r = CliRunner.Run("qmatrices", "-f", CliRunner.DemoFile, "-m", "point", "-o", outFile);
        Assert.Equal(0, r.ExitCode);
        var q = QMatrixSetFile.Read(outFile);
        Assert.Equal(38540, q.Count);
        Assert.Equal("point", q.Kind);
        var local = LocalSar.Compute(CliRunner.Demo.Tissue, CliRunner.Demo.E, TestDrive);
        Assert.Equal(local.Max(), q.PeakSar(TestDrive).Peak, 1e-9 * local.Max());
    }

    [Fact]
    public void DemoJsonPassesAllChecks()
    {
        var r = CliRunner.Run("demo", "--json", "--random-drives", "2");
        Assert.True(r.ExitCode == 0, r.Err + r.Out);
        var j = ParseJson(r.Out);
        Assert.True(j.GetProperty("all_checks_pass").GetBoolean());
        Assert.Equal(8, j.GetProperty("channels").GetArrayLength());
        Assert.True(j.GetProperty("checks")[0].GetProperty("value").GetDouble() < 1e-5);
        Assert.True(j.GetProperty("qmatrices").GetProperty("count").GetInt32() > 0);
        Assert.Equal(0.001, j.GetProperty("cp").GetProperty("one_gram").GetProperty("mass_kg").GetDouble());
        var vops = j.GetProperty("vops");
        Assert.True(vops.GetProperty("certificate_passed").GetBoolean());
        Assert.InRange(vops.GetProperty("count").GetInt32(), 1, j.GetProperty("qmatrices").GetProperty("count").GetInt32() / 10);
        Assert.Equal(j.GetProperty("qmatrices").GetProperty("count").GetInt32(), vops.GetProperty("matrices_checked").GetInt64());
        Assert.True(vops.GetProperty("random_max_relative_underestimation").GetDouble() <= 0);
        Assert.Equal(3, j.GetProperty("checks").GetArrayLength());
        Assert.True(j.GetProperty("checks")[2].GetProperty("pass").GetBoolean());
    }
}
