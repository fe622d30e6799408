using System.Text.Json;
using SarKit.Compression;
using SarKit.IO.Formats;
using SarKit.Supervision;
using SarKit.Tests.Cli;
using SarKit.Tests.Supervision;
using SarKit.Workflows;
using SarKit.Workflows.Results;

namespace SarKit.Tests.Workflows;

/// <summary>
/// The sequence and pulse check use cases called directly: the CLI's JSON is their result serialised, the web app's
/// way of calling them (uploaded text, matrices in memory, one calibration factor) gives the CLI's verdicts, and they
/// refuse non-finite input themselves.
/// </summary>
public class SequenceCheckTests
{
    private static string Data(string name) => Path.Combine(Support.SharedData.RepoRoot, "tests", "SarKit.Tests", "data", "supervision", name);

    private sealed class Collect : IProgress<string>
    {
        public readonly List<string> Lines = [];
        public void Report(string value) => Lines.Add(value);
    }

    private static (string Seq, string Vops, VopSet Set) Files(TempDir dir)
    {
        var seq = SeqCliTests.WriteSeq(dir);
        var set = SupervisionMatrices.Certified(1, [0.5, 0.8], [0.5, 0.8]);
        var vops = dir.File("vops.h5");
        VopSetFile.Write(set, vops);
        return (seq, vops, set);
    }

    [Fact]
    public void Seq_check_json_of_the_cli_is_the_workflow_result_serialised()
    {
        using var dir = new TempDir();
        var (seq, vops, _) = Files(dir);
        foreach (var cal in new[] { "4 V/uT", "40 V/uT" })
        {
            var cli = CliRunner.Run("seq", "check", seq, "--vops", vops, "--calibration", cal, "--json");
            var warnings = new Collect();
            var outcome = SequenceCheck.Run(new SequenceCheckRequest { SequencePath = seq, Check = new SarCheckOptions { VopsPath = vops, Calibration = cal } }, warnings);
            Assert.Equal(outcome.Passed ? 0 : 3, cli.ExitCode);
            Assert.Equal(ResultJson.Serialize(outcome.Result), cli.Out.TrimEnd('\r', '\n'));
            Assert.Null(outcome.Result.Timeline);
            Assert.DoesNotContain("\"timeline\"", cli.Out);
            // the test file is unsigned: the workflow reports it, the CLI prints the same line on stderr
            Assert.Equal("absent", outcome.Result.Signature);
            var w = Assert.Single(warnings.Lines);
            Assert.Contains("no [SIGNATURE]", w);
            Assert.Contains(w, cli.Err);
            Assert.Equal(warnings.Lines, outcome.Warnings);
        }
    }

    [Fact]
    public void Pulse_check_json_of_the_cli_is_the_workflow_result_serialised()
    {
        using var dir = new TempDir();
        var set = SupervisionMatrices.Certified(3, SupervisionMatrices.RandomPsd(3, 4, 5, 0.05), SupervisionMatrices.RandomPsd(3, 4, 5, 0.05));
        var vops = dir.File("vops3.h5");
        VopSetFile.Write(set, vops);
        var cli = CliRunner.Run("pulse", "check", Data("ptx3_waveform.npz"), "--vops", vops, "--mode", "first", "--json");
        var outcome = PulseCheck.Run(new PulseCheckRequest { WaveformPath = Data("ptx3_waveform.npz"), Check = new SarCheckOptions { VopsPath = vops, Mode = "first" } });
        Assert.Equal(outcome.Passed ? 0 : 3, cli.ExitCode);
        Assert.Equal(ResultJson.Serialize(outcome.Result), cli.Out.TrimEnd('\r', '\n'));
        Assert.Null(outcome.Result.Signature);
        Assert.Empty(outcome.Result.SoftDelayHints);
        Assert.Equal("first", outcome.Result.Mode);
    }

    [Fact]
    public void Web_and_cli_verdicts_agree_on_the_same_seq()
    {
        using var dir = new TempDir();
        var (seq, vops, set) = Files(dir);
        var text = File.ReadAllText(seq);
        bool sawPass = false, sawFail = false;
        foreach (double k in new[] { 0.1, 4.0, 40.0 })
        {
            var cli = CliRunner.Run("seq", "check", seq, "--vops", vops, "--calibration", $"{k.ToString(System.Globalization.CultureInfo.InvariantCulture)} V/uT", "--json");
            Assert.True(cli.ExitCode is 0 or 3, cli.Err);
            using var doc = JsonDocument.Parse(cli.Out);
            var c = doc.RootElement;
            // as POST /api/seq/check calls it: the uploaded text, the VOP set in memory, one factor for every channel, a timeline
            var web = SequenceCheck.Run(new SequenceCheckRequest
            {
                SequenceText = text, SequenceName = "rect.seq",
                Check = new SarCheckOptions
                {
                    Matrices = [SupervisionMatrixSets.FromVops(set, SarMetric.LocalHead, "web VOPs")], UniformCalibrationPerMicroTesla = k,
                    Names = SarCheckOptionNames.Web, TimelinePoints = 400, IncludeTimeline = true,
                },
            }).Result;
            Assert.Equal(c.GetProperty("passed").GetBoolean(), web.Passed);
            Assert.Equal(c.GetProperty("passed").GetBoolean() ? 0 : 3, cli.ExitCode);
            if (web.Passed) sawPass = true; else sawFail = true;
            var limits = c.GetProperty("limits").EnumerateArray().ToArray();
            Assert.Equal(limits.Length, web.Limits.Length);
            for (int i = 0; i < limits.Length; i++)
            {
                Assert.Equal(limits[i].GetProperty("metric").GetString(), web.Limits[i].Metric);
                Assert.Equal(limits[i].GetProperty("passed").GetBoolean(), web.Limits[i].Passed);
                Assert.Equal(limits[i].GetProperty("evaluated").GetBoolean(), web.Limits[i].Evaluated);
                if (web.Limits[i].SarWPerKg is { } sar) Assert.Equal(limits[i].GetProperty("sar_w_per_kg").GetDouble(), sar, sar * 1e-12);
            }
            Assert.Equal(c.GetProperty("binding").GetProperty("metric").GetString(), web.Binding!.Metric);
            Assert.Equal(c.GetProperty("max_scale_factor").GetDouble(), web.MaxScaleFactor!.Value, 1e-12);
            if (web.ShortestRepetitionS is { } tr) Assert.Equal(c.GetProperty("shortest_repetition_s").GetDouble(), tr, tr * 1e-9);
            else Assert.Equal(JsonValueKind.Null, c.GetProperty("shortest_repetition_s").ValueKind);
            Assert.Equal("rect.seq", web.Source);
            Assert.Equal(c.GetProperty("signature").GetString(), web.Signature);
            // the web answer has the timelines (CLI: --timeline files), each with its limits
            Assert.Equal(2, web.Timeline!.Length);
            Assert.All(web.Timeline, t => { Assert.Equal(400, t.TEndS.Length); Assert.Single(t.LimitsWPerKg); });
            var node = ResultJson.ToNode(web);
            Assert.NotNull(node["timeline"]![0]!["t_end_s"]);
        }
        Assert.True(sawPass && sawFail, "the calibrations should give both verdicts");
    }

    [Fact]
    public void Non_finite_input_is_refused_by_the_workflow_itself()
    {
        using var dir = new TempDir();
        var (seq, vops, set) = Files(dir);
        SarCheckOutcome Seq(SarCheckOptions o, double? larmor = null) => SequenceCheck.Run(new SequenceCheckRequest { SequencePath = seq, LarmorHz = larmor, Check = o });
        var vopObs = SupervisionMatrixSets.FromVops(set, SarMetric.LocalHead, "mem");
        foreach (double bad in new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity })
        {
            Assert.Throws<SarKitInputException>(() => Seq(new SarCheckOptions { Matrices = [vopObs], UniformCalibrationPerMicroTesla = bad }));
            Assert.Throws<SarKitInputException>(() => Seq(new SarCheckOptions { VopsPath = vops, Calibration = "4 V/uT", WeightKg = bad }));
            Assert.Throws<SarKitInputException>(() => Seq(new SarCheckOptions { VopsPath = vops, Calibration = "4 V/uT", ExposedRatio = bad }));
            Assert.Throws<SarKitInputException>(() => Seq(new SarCheckOptions { VopsPath = vops, Calibration = "4 V/uT", ShortTermFactor = bad }));
            Assert.Throws<SarKitInputException>(() => Seq(new SarCheckOptions { VopsPath = vops, Calibration = "4 V/uT", ResolutionSeconds = bad }));
            Assert.Throws<SarKitInputException>(() => Seq(new SarCheckOptions { VopsPath = vops, Calibration = "4 V/uT" }, larmor: bad));
            // a matrix set in memory with a NaN cannot be built (SarObservable refuses it), so it never reaches a check
            Assert.Throws<SarKitInputException>(() => Seq(new SarCheckOptions { Matrices = [new SarObservable("nan", SarMetric.LocalHead, 1, [bad], "V")], Calibration = "4 V/uT" }));
            Assert.Throws<SarKitInputException>(() => Seq(new SarCheckOptions { VopsPath = vops, Calibration = $"{bad.ToString(System.Globalization.CultureInfo.InvariantCulture)} V/uT" }));
            Assert.Throws<SarKitInputException>(() => PulseCheck.Run(new PulseCheckRequest { WaveformPath = Data("ptx3_waveform.npz"), RepetitionSeconds = bad }));
        }
        // the same request with finite values is accepted
        Assert.True(Seq(new SarCheckOptions { Matrices = [vopObs], UniformCalibrationPerMicroTesla = 0.1 }).Passed);
    }

    [Fact]
    public void Refusals_name_the_field_of_the_caller()
    {
        using var dir = new TempDir();
        var (seq, vops, _) = Files(dir);
        var cli = Assert.Throws<SarKitInputException>(() => SequenceCheck.Run(new SequenceCheckRequest { SequencePath = seq, Check = new SarCheckOptions { VopsPath = vops, Calibration = "4 V/uT", Repeat = "twice" } }));
        Assert.StartsWith("--repeat 'twice'", cli.Message);
        var web = Assert.Throws<SarKitInputException>(() => new SarCheckOptions { Mode = "fast", Names = SarCheckOptionNames.Web }.OperatingMode());
        Assert.StartsWith("mode 'fast'", web.Message);
        Assert.Contains("--missing-shim", Assert.Throws<SarKitInputException>(() => SequenceCheck.Run(new SequenceCheckRequest { SequencePath = seq, MissingShim = "maybe" })).Message);
        Assert.Contains("give matrices", Assert.Throws<SarKitInputException>(() => SequenceCheck.Run(new SequenceCheckRequest { SequencePath = seq })).Message);
        Assert.Contains("empty", Assert.Throws<SarKitInputException>(() => SequenceCheck.Run(new SequenceCheckRequest { SequenceText = " " })).Message);
        Assert.Contains("--plot", Assert.Throws<SarKitInputException>(() => SequenceCheck.Run(new SequenceCheckRequest
            { SequencePath = seq, Check = new SarCheckOptions { VopsPath = vops, Calibration = "4 V/uT", PlotPath = dir.File("x.gif") } })).Message);
    }

    [Fact]
    public void Timeline_files_are_written_by_the_workflow()
    {
        using var dir = new TempDir();
        var (seq, vops, _) = Files(dir);
        var json = dir.File("tl.json"); var csv = dir.File("tl.csv"); var svg = dir.File("tl.svg");
        var o = new SarCheckOptions { VopsPath = vops, Calibration = "4 V/uT", TimelinePath = json, PlotPath = svg, TimelinePoints = 20 };
        var outcome = SequenceCheck.Run(new SequenceCheckRequest { SequencePath = seq, Check = o });
        SequenceSarTimelineCheck(outcome, json);
        SequenceCheck.Run(new SequenceCheckRequest { SequencePath = seq, Check = o with { TimelinePath = csv, PlotPath = null } });
        var lines = File.ReadAllLines(csv);
        Assert.Equal(SequenceTimelineFiles.CsvHeader, lines[0]);
        Assert.Equal(1 + 2 * 20, lines.Length);
        Assert.Equal("svg", System.Xml.Linq.XDocument.Load(svg).Root!.Name.LocalName);
        // a timeline name of another kind is refused after the check, like `--timeline x.txt`
        Assert.Contains("--timeline", Assert.Throws<SarKitInputException>(() => SequenceCheck.Run(new SequenceCheckRequest
            { SequencePath = seq, Check = o with { TimelinePath = dir.File("x.txt"), PlotPath = null } })).Message);
    }

    private static void SequenceSarTimelineCheck(SarCheckOutcome outcome, string json)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var rows = doc.RootElement.EnumerateArray().ToArray();
        Assert.Equal(2, rows.Length);
        foreach (var r in rows)
        {
            Assert.Equal(["metric", "matrices", "window_s", "t_end_s", "sar_w_per_kg", "edge_error_bound_w_per_kg"], r.EnumerateObject().Select(p => p.Name).ToArray());
            Assert.Equal(20, r.GetProperty("t_end_s").GetArrayLength());
        }
        var w = outcome.Report.Windows.First(x => x.Timeline is not null);
        Assert.Equal(w.Timeline!, rows[0].GetProperty("sar_w_per_kg").EnumerateArray().Select(x => x.GetDouble()).ToArray());
    }

    [Support.SharedDataFact("pulseq/pypulseq_simple_mprage150.seq")]
    public void Seq_info_json_of_the_cli_is_the_workflow_result_serialised()
    {
        var path = Support.SharedData.Reference("pulseq/pypulseq_simple_mprage150.seq")!;
        var cli = CliRunner.Run("seq", "info", path, "--json");
        Assert.Equal(0, cli.ExitCode);
        var info = SequenceInfo.Run(path);
        Assert.Equal(ResultJson.Serialize(info), cli.Out.TrimEnd('\r', '\n'));
        Assert.True(info.RfEnergyHz2S > 0);
    }
}
