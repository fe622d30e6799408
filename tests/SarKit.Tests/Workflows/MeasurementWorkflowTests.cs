using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using SarKit.Cli;
using SarKit.Measurement.Nema.Input;
using SarKit.Measurement.Records;
using SarKit.Tests.Cli;
using SarKit.Workflows.Measurement;
using SarKit.Workflows.Results;

namespace SarKit.Tests.Workflows;

/// <summary>The measurement use cases called directly: one record schema from the CLI and the web path, old camelCase records, the injected clock.</summary>
public sealed class MeasurementWorkflowTests
{
    private static string Probe(string name) => Path.Combine(Support.SharedData.RepoRoot, "examples", "probe", name);
    private static string Nema(string name) => Path.Combine(Support.SharedData.RepoRoot, "examples", "nema", name);

    [Fact]
    public void Probe_scan_recorded_via_the_cli_and_via_the_web_path_stores_the_same_payload()
    {
        using var d = new TempDir();
        var db = d.File("records.db");
        var cli = CliRunner.Run("scan", "process", Probe("scan_example.csv"), "--calibration", Probe("calibration.json"), "--liquid", Probe("liquid.json"), "--record", "--db", db);
        Assert.True(cli.ExitCode == CliApp.ExitCheckFailed, cli.Err); // the example scan (psSAR 1 g 1.96 W/kg) exceeds the 1.6 W/kg 1 g limits of the default table: verdict exit 3 (issue 17)

        // the web path: POST /api/probe/scan builds its request with ProbeScan.FromTexts from the body's texts
        var web = ProbeScan.Run(ProbeScan.FromTexts(File.ReadAllText(Probe("scan_example.csv")), File.ReadAllText(Probe("calibration.json")),
            File.ReadAllText(Probe("liquid.json")), null, null, null, null, null, CliApp.Version) with { RecordTo = db });
        Assert.NotNull(web.Recorded);
        Assert.Equal(2, web.Recorded!.Id);

        var records = MeasurementRecordStore.Open(db).List();
        Assert.Equal(2, records.Count);
        var (a, b) = (records[0], records[1]);
        Assert.Equal(ProbeScan.Method, a.Method);
        Assert.Equal(a.Method, b.Method);
        Assert.Equal(a.InputJson, b.InputJson);
        Assert.Equal(a.ResultJson, b.ResultJson);
        Assert.Equal(a.SarWPerKg, b.SarWPerKg);
        Assert.Equal(a.ContentSha256, b.ContentSha256);
        Assert.Equal(web.Evaluation.Result.PeakSar(1), b.SarWPerKg);

        // one snake_case schema, without machine-local paths
        using var result = JsonDocument.Parse(b.ResultJson);
        Assert.Equal(JsonValueKind.Null, result.RootElement.GetProperty("scan_file").ValueKind);
        Assert.Equal(b.SarWPerKg, result.RootElement.GetProperty("cubes")[0].GetProperty("ps_sar_w_per_kg").GetDouble());
        var input = JsonSerializer.Deserialize<ProbeScanRecordInput>(b.InputJson, ResultJson.Options)!;
        Assert.Equal(File.ReadAllText(Probe("scan_example.csv")), input.ScanCsv);
        Assert.Null(input.DcLog);
    }

    [Fact]
    public void Probe_scan_json_of_the_use_case_equals_the_cli_output()
    {
        var cli = CliRunner.Run("scan", "process", Probe("scan_example.csv"), "--calibration", Probe("calibration.json"), "--liquid", Probe("liquid.json"), "--json");
        Assert.True(cli.ExitCode == CliApp.ExitCheckFailed, cli.Err); // the example scan (psSAR 1 g 1.96 W/kg) exceeds the 1.6 W/kg 1 g limits of the default table: verdict exit 3 (issue 17)
        var run = ProbeScan.Run(ProbeScan.FromFiles(Probe("scan_example.csv"), Probe("calibration.json"), Probe("liquid.json"), null, null, null, CliApp.Version));
        Assert.Equal(cli.Out.TrimEnd(), ResultJson.Serialize(run.Result));
    }

    [Fact]
    public void Old_camelCase_web_records_are_still_listed_and_shown()
    {
        using var d = new TempDir();
        var db = d.File("records.db");
        var store = MeasurementRecordStore.Open(db);
        var text = File.ReadAllText(Nema("calorimetry_example.json"));
        var expected = NemaEvaluation.Run(new NemaEvaluationRequest { Document = MeasurementFile.FromText(text, MeasurementFormat.Json), SarkitVersion = "0.9.0" });
        // as the web app stored them before the unified schema: camelCase results without a report
        store.Add("calorimetry", text, "{\"method\":\"calorimetry\",\"sarWPerKg\":" + expected.Calorimetry!.SarWPerKg.ToString("R", System.Globalization.CultureInfo.InvariantCulture) + ",\"sarkitVersion\":\"0.9.0\"}",
            expected.Calorimetry.SarWPerKg, "0.9.0");
        store.Add("probe-scan", "{\"scanCsv\":\"x\",\"calibration\":\"c\",\"liquid\":\"l\"}", "{\"method\":\"probe-scan\",\"psSar1gWPerKg\":1.96,\"allWithinLimits\":false}", 1.96, "0.9.0");

        var list = RecordKeeping.List(db);
        Assert.Equal(2, list.Count);
        Assert.Equal(["calorimetry", "probe-scan"], list.Records.Select(r => r.Method));
        Assert.All(list.Records, r => Assert.True(r.HashVerifies));

        var nema = RecordKeeping.Show(db, 1, CliApp.Version);
        Assert.NotNull(nema.Report); // re-evaluated from the stored input: the old record holds no report
        Assert.Equal(expected.Calorimetry.SarWPerKg, nema.Report!.MeasuredSarWPerKg, 12);
        Assert.Contains("Re-evaluated from the stored input", nema.Report.Notes);
        Assert.Contains("sarWPerKg", nema.Result.ResultJson);

        var probe = RecordKeeping.Show(db, 2, CliApp.Version);
        Assert.Null(probe.Report);
        Assert.NotNull(probe.ReportError);
        Assert.Equal(1.96, probe.Result.SarWPerKg);
        Assert.Contains("psSar1gWPerKg", probe.Result.ResultJson);

        var shown = CliRunner.Run("records", "show", "2", "--db", db);
        Assert.True(shown.ExitCode == 0, shown.Err);
        Assert.Contains("method          probe-scan", shown.Out);
        Assert.Contains("\"scanCsv\":\"x\"", shown.Out);
    }

    [Fact]
    public void Nema_record_is_time_stamped_by_the_injected_clock_and_stores_the_cli_json()
    {
        using var d = new TempDir();
        var db = d.File("records.db");
        var clock = new FakeTimeProvider(new DateTimeOffset(2031, 5, 6, 7, 8, 9, TimeSpan.Zero));
        var settings = new SarKitSettings { Time = clock };
        var path = Nema("calorimetry_example.json");
        var outcome = NemaEvaluation.Run(new NemaEvaluationRequest
        {
            Document = MeasurementFile.Load(path), ExpectedMethod = MeasurementDocument.Calorimetry, InputFile = Path.GetFullPath(path),
            RecordTo = db, SarkitVersion = CliApp.Version,
        }, settings);
        clock.Advance(TimeSpan.FromHours(1));
        var rec = MeasurementRecordStore.Open(db, clock).Add("probe-dc-log", "{}", "{}", 0, "x");

        var all = RecordKeeping.List(db);
        Assert.Equal("2031-05-06T07:08:09.0000000Z", all.Records[0].CreatedUtc);
        Assert.Equal("2031-05-06T08:08:09.0000000Z", all.Records[1].CreatedUtc);
        Assert.Equal(rec.Id, all.Records[1].Id);
        Assert.Equal(outcome.Json, all.Records[0].ResultJson);
        Assert.Equal(outcome.Recorded!.ContentSha256, all.Records[0].ContentSha256);

        var cli = CliRunner.Run("nema", "calorimetry", path, "--json");
        Assert.True(cli.ExitCode == 0, cli.Err);
        Assert.Equal(cli.Out.TrimEnd(), outcome.Json);
    }

    [Fact]
    public void Probe_scan_date_defaults_to_today_of_the_injected_clock()
    {
        var lines = File.ReadAllLines(Probe("scan_example.csv")).Where(l => !l.StartsWith("# date:", StringComparison.Ordinal));
        var calibration = File.ReadAllText(Probe("calibration.json"));
        var settings = new SarKitSettings { Time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 24, 23, 59, 0, TimeSpan.Zero)) };
        var run = ProbeScan.Run(ProbeScan.FromTexts(string.Join('\n', lines), calibration, File.ReadAllText(Probe("liquid.json")), null, null, null, null, null, "t"), settings);
        Assert.Equal("2026-12-24", run.Result.Date);
    }

    [Fact]
    public void Web_request_with_a_missing_text_names_the_field_and_a_bad_record_location_fails_before_evaluating()
    {
        var e = Assert.Throws<SarKitInputException>(() => ProbeScan.FromTexts(null, "c", "l", null, null, null, null, null, "t"));
        Assert.Contains("scan_csv", e.Message);
        using var d = new TempDir();
        File.WriteAllText(d.File("records.db"), "not a database");
        var req = ProbeScan.FromFiles(Probe("scan_example.csv"), Probe("calibration.json"), Probe("liquid.json"), null, null, null, "t") with { RecordTo = d.File("records.db") };
        Assert.Throws<SarKitInputException>(() => ProbeScan.Run(req));
        Assert.Equal("not a database", File.ReadAllText(d.File("records.db")));
    }

    [Fact]
    public void Verify_and_compare_give_the_cli_result_types()
    {
        using var d = new TempDir();
        var db = d.File("records.db");
        foreach (var f in new[] { "calorimetry_example.json", "calorimetry_example.json" })
            NemaEvaluation.Run(new NemaEvaluationRequest { Document = MeasurementFile.Load(Nema(f)), RecordTo = db, SarkitVersion = "t" });
        var v = RecordKeeping.Verify(db);
        Assert.True(v.Intact);
        Assert.Equal(2, v.Count);
        var c = RecordKeeping.Compare(db, 1, 2, all: false, "t");
        Assert.Equal(0, c.SarDifferenceWPerKg, 12);
        var cli = CliRunner.Run("records", "compare", "1", "2", "--db", db, "--json");
        Assert.True(cli.ExitCode == 0, cli.Err);
        Assert.Equal(cli.Out.TrimEnd(), ResultJson.Serialize(c));
    }
}
