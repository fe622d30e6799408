using System.Numerics;
using System.Text.Json;
using SarKit.Averaging;
using SarKit.Fields;
using SarKit.Grid;
using SarKit.Sar;
using SarKit.Tests.Cli;
using SarKit.Tests.Support;
using SarKit.Workflows;
using SarKit.Workflows.Results;

namespace SarKit.Tests.Workflows;

/// <summary>
/// <see cref="PeakSarEvaluation"/> (prepared once, evaluated per drive) against the direct scalar computations, the
/// CLI and the web answer built from it, and <see cref="VoxelSlices"/>.
/// </summary>
public sealed class PeakSarEvaluationTests
{
    [Fact]
    public void Prepared_evaluation_equals_the_direct_computation()
    {
        var tissue = TestPhantoms.Ellipsoid(14, 12, 13, 0.004, seed: 3);
        var e = TestPhantoms.RandomFields(tissue.Grid, 3, seed: 5);
        var ds = new SarDataset(tissue, e);
        var maps = PeakSarEvaluation.Prepare(ds, 0.001, new PeakSarPreparation { AveragedQMatrices = true });
        Assert.NotNull(maps.AveragedQ);
        var rnd = new Random(7);
        for (int t = 0; t < 3; t++)
        {
            var drive = TestPhantoms.RandomDrive(3, rnd);
            var r = maps.Evaluate(drive);
            var local = LocalSar.Compute(tissue, e, drive);
            for (int v = 0; v < local.Length; v++) Assert.Equal(local[v], r.PointSar[v], 1e-12 * Math.Max(1, local[v]));
            Assert.Equal(LocalSar.Peak(local), (r.Result.PeakPointSarWPerKg, r.PointPeakVoxel));

            var pad = maps.Padding;
            var scalar = SpatialAverage.Compute(pad.Pad(tissue), pad.Pad(local), new AveragingOptions { TargetMassKg = 0.001 });
            var avg = pad.Crop(scalar.Map);
            for (int v = 0; v < avg.Length; v++) Assert.Equal(avg[v], r.AveragedSar![v], 1e-9 * Math.Max(1e-12, avg[v]));
            Assert.Equal(scalar.Peak, r.Result.PeakSarWPerKg, 1e-9 * scalar.Peak);
            Assert.Equal(pad.ToOriginal(scalar.PeakVoxel), r.PeakVoxel);

            // the averaged Q-matrix set gives the same psSAR (bᴴQb per cube)
            Assert.Equal(scalar.Peak, maps.AveragedQ!.PeakSar(drive).Peak, 1e-9 * scalar.Peak);

            var power = new double[local.Length];
            LocalSar.PowerDensity(tissue, e, drive, power, perVolume: false);
            Assert.Equal(power.Sum(), r.Result.AbsorbedPowerW, 1e-9 * power.Sum());
        }
        Assert.Throws<SarKitInputException>(() => maps.Evaluate(TestPhantoms.RandomDrive(2, rnd)));
    }

    [Fact]
    public void Point_only_has_no_averaged_map_and_graded_grids_are_averaged()
    {
        var tissue = TestPhantoms.Ellipsoid(8, 8, 8, 0.004, seed: 1);
        var e = TestPhantoms.RandomFields(tissue.Grid, 2, seed: 2);
        var point = PeakSarEvaluation.Prepare(new SarDataset(tissue, e), null);
        Assert.Null(point.AveragedQ);
        Assert.Null(point.Evaluate(TestPhantoms.RandomDrive(2, new Random(1))).AveragedSar);

        var g = tissue.Grid;
        var edges = g.EdgesX.ToArray(); edges[^1] += 0.002; // last x cell wider: graded
        var graded = new VoxelGrid(edges, g.EdgesY.ToArray(), g.EdgesZ.ToArray());
        var gt = new TissueModel(graded, tissue.Sigma, tissue.Rho);
        var ge = TestPhantoms.RandomFields(graded, 2, seed: 2);
        var m = PeakSarEvaluation.Prepare(new SarDataset(gt, ge), 0.01, new PeakSarPreparation { PointSarOnGradedGrid = true, AveragedQMatrices = true });
        // formerly point SAR only (graded grids were refused); since issue 19 they are averaged on the rectilinear path
        Assert.NotNull(m.AveragedQ);
        Assert.Null(m.AveragingUnavailableReason);
        Assert.True(m.Averaging!.Cubes.IsRectilinear);
        var direct = PeakSarEvaluation.Prepare(new SarDataset(gt, ge), 0.01);
        Assert.NotNull(direct.Evaluate(TestPhantoms.RandomDrive(2, new Random(1))).AveragedSar);
    }

    [Fact]
    public void Slices_pick_the_right_voxels()
    {
        var g = VoxelGrid.Uniform(3, 4, 5, 0.001);
        var map = Enumerable.Range(0, g.VoxelCount).Select(v => (double)v).ToArray();
        var s = VoxelSlices.Through(map, g, 1, 2, 3);
        Assert.Equal((SliceNormal.X, 4, 5), (s[0].Normal, s[0].Width, s[0].Height));
        Assert.Equal((SliceNormal.Y, 3, 5), (s[1].Normal, s[1].Width, s[1].Height));
        Assert.Equal((SliceNormal.Z, 3, 4), (s[2].Normal, s[2].Width, s[2].Height));
        for (int k = 0; k < 5; k++)
            for (int j = 0; j < 4; j++) Assert.Equal(g.Index(1, j, k), s[0].Values[k * 4 + j]);
        for (int k = 0; k < 5; k++)
            for (int i = 0; i < 3; i++) Assert.Equal(g.Index(i, 2, k), s[1].Values[k * 3 + i]);
        for (int j = 0; j < 4; j++)
            for (int i = 0; i < 3; i++) Assert.Equal(g.Index(i, j, 3), s[2].Values[j * 3 + i]);
        Assert.Throws<SarKitInputException>(() => VoxelSlices.Extract(map, g, SliceNormal.Z, 5));
    }

    [Fact]
    public void Scaling_the_drive_by_two_scales_every_sar_by_four()
    {
        var tissue = TestPhantoms.Ellipsoid(12, 11, 10, 0.004, seed: 4);
        var e = TestPhantoms.RandomFields(tissue.Grid, 3, seed: 6);
        var prepared = PeakSarEvaluation.Prepare(new SarDataset(tissue, e), 0.001);
        var b = TestPhantoms.RandomDrive(3, new Random(9));
        var b2 = new DriveVector(b.Amplitudes.ToArray().Select(x => 2 * x), b.Normalisation);
        var r1 = prepared.Evaluate(b).Result;
        var r2 = prepared.Evaluate(b2).Result;
        Assert.Equal(4 * r1.PeakSarWPerKg, r2.PeakSarWPerKg, 1e-12 * r2.PeakSarWPerKg);
        Assert.Equal(4 * r1.PeakPointSarWPerKg, r2.PeakPointSarWPerKg, 1e-12 * r2.PeakPointSarWPerKg);
        Assert.Equal(4 * r1.WholeBodySarWPerKg, r2.WholeBodySarWPerKg, 1e-12 * r2.WholeBodySarWPerKg);
        Assert.Equal(4 * r1.AbsorbedPowerW, r2.AbsorbedPowerW, 1e-12 * r2.AbsorbedPowerW);
        Assert.Equal(r1.PeakVoxelIndex, r2.PeakVoxelIndex);
        Assert.Equal(r1.PeakCube, r2.PeakCube);
    }

    [Fact]
    public void Region_peak_lies_inside_the_region_and_an_empty_region_is_refused()
    {
        var ds = CliRunner.Demo;
        var prepared = PeakSarEvaluation.Prepare(ds, null);
        var cp = DriveText.Cp(ds.Channels, ds.E.Normalisation);
        var body = prepared.Evaluate(cp, "body").Result;
        var whole = prepared.Evaluate(cp).Result;
        Assert.Equal("body", body.Region);
        Assert.True(body.PeakSarWPerKg <= whole.PeakSarWPerKg);
        var mask = ds.Tissue.TissueMask("body");
        var p = body.PeakVoxelIndex;
        Assert.True(mask[ds.Grid.Index(p.I, p.J, p.K)]);
        Assert.Throws<SarKitInputException>(() => prepared.Evaluate(cp, "no-such-mask"));
    }

    [Fact]
    public void Cli_json_equals_the_workflow_result_serialised()
    {
        using var dir = new TempDir();
        var output = dir.File("maps.npz");
        var cli = CliRunner.Run("sar", "--fields", CliRunner.DemoFile, "--drive", "cp", "--mass", "10g", "-o", output, "--json");
        Assert.Equal(0, cli.ExitCode);
        var r = PeakSarEvaluation.Run(new PeakSarRequest { FieldsPath = CliRunner.DemoFile, Drive = "cp", MassKg = 0.010 }).Result;
        var fromCli = JsonDocument.Parse(cli.Out).RootElement;
        Assert.Equal(Path.GetFullPath(output), fromCli.GetProperty("output_file").GetString());
        // everything but the output file and the wall time is the same text; region sums (RegionQ: a parallel
        // reduction whose summation order varies between runs) agree to rounding
        var c = JsonSerializerRoundTrip(fromCli);
        Assert.Equal(ResultJson.Serialize(Comparable(r)), ResultJson.Serialize(Comparable(c)));
        Assert.Equal(r.WholeBodySarWPerKg, c.WholeBodySarWPerKg, 1e-12 * r.WholeBodySarWPerKg);
        Assert.Equal(r.WholeBodyMassKg, c.WholeBodyMassKg, 1e-12 * r.WholeBodyMassKg);
        Assert.Equal(r.AbsorbedPowerW, c.AbsorbedPowerW, 1e-12 * r.AbsorbedPowerW);
        Assert.True(File.Exists(output));
    }

    private static PeakSarResult Comparable(PeakSarResult r) => r with
    {
        ElapsedS = 0, OutputFile = null, WholeBodySarWPerKg = 0, WholeBodyMassKg = 0, AbsorbedPowerW = 0, HeadSarWPerKg = r.HeadSarWPerKg is null ? null : 0,
    };

    private static PeakSarResult JsonSerializerRoundTrip(JsonElement e) => e.Deserialize<PeakSarResult>(ResultJson.Options)!;

    [Fact]
    public void Web_slices_peak_equals_the_cli_peak_for_the_same_drive()
    {
        var ds = CliRunner.Demo;
        double[] amp = Enumerable.Repeat(1.0, ds.Channels).ToArray();
        double[] phase = Enumerable.Range(0, ds.Channels).Select(c => 30.0 * c).ToArray();
        var drive = DriveText.FromAmplitudePhase(amp, phase, ds);
        var web = PeakSarEvaluation.Prepare(ds, 0.010, new PeakSarPreparation { PointSarOnGradedGrid = true });
        var slices = web.Slices(web.Evaluate(drive), "demo.h5", null, 1.0);
        string text = string.Join(",", amp.Select((a, c) => FormattableString.Invariant($"{a}@{phase[c]}")));
        var cli = CliRunner.Run("sar", "--fields", CliRunner.DemoFile, "--drive", text, "--mass", "10g", "--json");
        Assert.Equal(0, cli.ExitCode);
        var j = JsonDocument.Parse(cli.Out).RootElement;
        double cliPeak = j.GetProperty("peak_sar_w_per_kg").GetDouble();
        Assert.Equal(cliPeak, slices.Averaged!.PeakWPerKg, 1e-12 * cliPeak);
        Assert.Equal(cliPeak, slices.Sar.PeakSarWPerKg, 1e-12 * cliPeak);
        Assert.Equal(j.GetProperty("peak_point_sar_w_per_kg").GetDouble(), slices.Point.PeakWPerKg, 1e-12 * slices.Point.PeakWPerKg);
        var idx = j.GetProperty("peak_voxel_index");
        Assert.Equal(new VoxelIndexResult(idx.GetProperty("i").GetInt32(), idx.GetProperty("j").GetInt32(), idx.GetProperty("k").GetInt32()), slices.Averaged.PeakVoxel);
        Assert.Equal("demo.h5", slices.Sar.InputFile);
        // the web answer is snake_case and finite
        var node = ResultJson.ToNode(slices);
        Assert.NotNull(node["tissue_average_sar_w_per_kg"]);
        Assert.NotNull(node["averaged"]!["peak_w_per_kg"]);
    }

    [Fact]
    public void Drive_text_parses_cp_lists_and_refuses_wrong_channel_counts()
    {
        var ds = CliRunner.Demo;
        var cp = DriveText.Parse(" CP ", ds);
        Assert.Equal(ds.Channels, cp.Channels);
        Assert.Equal(-45, ResultParts.PhaseDeg(cp.Amplitudes[1]), 9);
        var list = DriveText.Parse(string.Join(",", Enumerable.Repeat("1@0", ds.Channels)), ds);
        Assert.All(list.Amplitudes.ToArray(), b => Assert.Equal(Complex.One, b));
        var e = Assert.Throws<SarKitInputException>(() => DriveText.Parse("1@0,1@0", ds, "--drive"));
        Assert.StartsWith("--drive: 2 channel value(s) given", e.Message);
        Assert.Throws<SarKitInputException>(() => DriveText.Parse("missing.json", ds));
        Assert.Throws<SarKitInputException>(() => DriveText.FromAmplitudePhase([1.0], null, ds));
        Assert.Throws<SarKitInputException>(() => DriveText.FromAmplitudePhase(Enumerable.Repeat(-1.0, ds.Channels).ToArray(), null, ds));
    }

    [Fact]
    public void Run_refuses_a_bad_output_before_reading_and_reports_its_stages()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<SarKitInputException>(() => PeakSarEvaluation.Run(new PeakSarRequest { FieldsPath = "nothere.h5", Drive = "cp", OutputPath = dir.File("maps.txt") }));
        Assert.Contains("unsupported extension", e.Message);
        var stages = new List<string>();
        var progress = new SyncProgress(s => { lock (stages) if (!stages.Contains(s.Stage)) stages.Add(s.Stage); });
        PeakSarEvaluation.Run(new PeakSarRequest { FieldsPath = CliRunner.DemoFile, Drive = "cp", MassKg = 0.010 }, progress: progress);
        Assert.Equal(["Reading dataset", "Averaging cubes (10 g)", "Evaluating the drive"], stages);
    }

    private sealed class SyncProgress(Action<StageReport> report) : IProgress<StageReport>
    {
        public void Report(StageReport value) => report(value);
    }
}
