using System.Text.Json;
using Microsoft.Data.Sqlite;
using SarKit.Measurement.Records;

namespace SarKit.Tests.Cli;

/// <summary>`sarkit nema pulse-energy|calorimetry FILE --record`, `sarkit nema report ID`, `sarkit records show|compare`.</summary>
public class NemaReportCliTests
{
    private static string Example(string name) => Path.Combine(Support.SharedData.RepoRoot, "examples", "nema", name);

    [Fact]
    public void PulseEnergyYamlIsRecordedAndItsReportReopenedInEveryFormat()
    {
        using var dir = new TempDir();
        var r = CliRunner.Run("nema", "pulse-energy", Example("pulse_energy_example.yaml"), "--record", "--db", dir.Path);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Recorded: id 1", r.Err);
        Assert.Contains("0.46076 W/kg", r.Out);
        Assert.Contains("Is Predicted SAR ≥ Measured SAR – Measurement uncertainty? Y", r.Out);

        var store = MeasurementRecordStore.Open(Path.Combine(dir.Path, "records.db"));
        var rec = store.Get(1)!;
        Assert.Equal("pulse-energy", rec.Method);
        Assert.Equal(File.ReadAllText(Example("pulse_energy_example.yaml")), rec.InputOriginal); // YAML verbatim
        using (var input = JsonDocument.Parse(rec.InputJson)) Assert.Equal("pulse-energy", input.RootElement.GetProperty("method").GetString());
        Assert.True(rec.HashVerifies);

        var md = CliRunner.Run("nema", "report", "1", "--db", dir.Path);
        Assert.Equal(0, md.ExitCode);
        Assert.StartsWith("# NEMA MS 8-2016 SAR report: pulse-energy method", md.Out);
        Assert.Contains("| Measured SAR | W/kg | 0.46076 (eq. 13) |", md.Out);
        Assert.Contains("- Record: id 1, created ", md.Out);
        Assert.Contains(rec.ContentSha256, md.Out);

        var html = dir.File("r1.html");
        var h = CliRunner.Run("nema", "report", "1", "--db", dir.Path, "-o", html);
        Assert.Equal(0, h.ExitCode);
        Assert.StartsWith("<!DOCTYPE html>", File.ReadAllText(html));
        Assert.Equal("", h.Out);

        var j = CliRunner.Run("nema", "report", "1", "--db", dir.Path, "--format", "json");
        Assert.Equal(0, j.ExitCode);
        using var doc = JsonDocument.Parse(j.Out);
        Assert.Equal(0.46076, doc.RootElement.GetProperty("measured_sar_w_per_kg").GetDouble(), 12);
        Assert.Equal(1, doc.RootElement.GetProperty("record_id").GetInt64());
        Assert.Equal("Y", doc.RootElement.GetProperty("verdict").GetString());
    }

    [Fact]
    public void ReportFileIsWrittenInTheFormatOfItsExtension()
    {
        using var dir = new TempDir();
        var p = dir.File("cal.html");
        var r = CliRunner.Run("nema", "calorimetry", Example("calorimetry_example.yaml"), "--report", p);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("<title>NEMA MS 8-2016 SAR report: calorimetric method", File.ReadAllText(p));
        var q = dir.File("cal.txt");
        Assert.Equal(0, CliRunner.Run("nema", "calorimetry", Example("calorimetry_example.yaml"), "--report", q, "--format", "json").ExitCode);
        using var _ = JsonDocument.Parse(File.ReadAllText(q));
        Assert.Equal(2, CliRunner.Run("nema", "calorimetry", Example("calorimetry_example.yaml"), "--format", "html").ExitCode);
    }

    [Fact]
    public void ShowAndCompareRecords()
    {
        using var dir = new TempDir();
        Assert.Equal(0, CliRunner.Run("nema", "pulse-energy", Example("pulse_energy_example.json"), "--db", dir.Path).ExitCode);
        Assert.Equal(0, CliRunner.Run("nema", "pulse-energy", Example("pulse_energy_oscilloscope.json"), "--db", dir.Path).ExitCode);
        Assert.Equal(0, CliRunner.Run("nema", "calorimetry", Example("calorimetry_example.json"), "--db", dir.Path).ExitCode);

        var s = CliRunner.Run("records", "show", "2", "--db", dir.Path);
        Assert.Equal(0, s.ExitCode);
        Assert.Contains("2.73201 W/kg", s.Out);
        Assert.Contains("verifies", s.Out);
        Assert.Contains("\"Vpp\"", s.Out); // input as stored

        var c = CliRunner.Run("records", "compare", "1", "2", "--db", dir.Path, "--json");
        Assert.Equal(0, c.ExitCode);
        using var doc = JsonDocument.Parse(c.Out);
        Assert.Equal(2.732012926181404 - 0.46076, doc.RootElement.GetProperty("sar_difference_w_per_kg").GetDouble(), 9);
        var names = doc.RootElement.GetProperty("differences").EnumerateArray().Select(d => d.GetProperty("name").GetString()).ToArray();
        Assert.Contains("sar_w_per_kg", names);
        Assert.Contains("input mass", names);
        Assert.DoesNotContain("method", names);

        var t = CliRunner.Run("records", "compare", "1", "3", "--db", dir.Path);
        Assert.Equal(0, t.ExitCode);
        Assert.Contains("method", t.Out);

        Assert.Equal(2, CliRunner.Run("records", "show", "9", "--db", dir.Path).ExitCode);
        var missing = CliRunner.Run("nema", "report", "9", "--db", dir.Path);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("no record with id 9", missing.Err);
    }

    [Fact]
    public void RecordWithoutStoredReportIsReEvaluatedAndChangedRecordIsFlagged()
    {
        using var dir = new TempDir();
        var store = MeasurementRecordStore.Open(dir.File("records.db"));
        // A record as the first SarKit versions wrote it: result JSON without "report".
        store.Add("calorimetry", File.ReadAllText(Example("calorimetry_example.json")), "{\"sar_w_per_kg\": 3.208236658143487}", 3.208236658143487, "0.0.9");
        var r = CliRunner.Run("nema", "report", "1", "--db", dir.Path);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Re-evaluated from the stored input", r.Out);
        Assert.Contains("| Measured SAR | W/Kg | 3.2082 (eq. 21) |", r.Out);

        using (var c = store.Connect())
        {
            using var cmd = c.CreateCommand();
            cmd.CommandText = "DROP TRIGGER measurement_records_no_update; UPDATE measurement_records SET result_json = '{\"sar_w_per_kg\": 1.0}'; " +
                              "CREATE TRIGGER measurement_records_no_update BEFORE UPDATE ON measurement_records BEGIN SELECT RAISE(ABORT, 'x'); END;";
            cmd.ExecuteNonQuery();
        }
        // With the hash chain (issue 14) a changed record makes the whole store refused (exit 2 naming the record),
        // instead of being shown with a MISMATCH flag.
        r = CliRunner.Run("nema", "report", "1", "--db", dir.Path);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("record 1: content_sha256 does not match", r.Err);
        var show = CliRunner.Run("records", "show", "1", "--db", dir.Path);
        Assert.Equal(2, show.ExitCode);
        Assert.Contains("damaged", show.Err);
        Assert.Throws<RecordStoreDamagedException>(() => store.Add("calorimetry", "{}", "{}", 1, "0.0.9"));
        // The report of a record whose hash does not verify still carries the warning (library level).
        var changed = MeasurementRecordStore.Open(dir.File("other.db"));
        var rec = changed.Add("calorimetry", File.ReadAllText(Example("calorimetry_example.json")), "{\"sar_w_per_kg\": 3.208236658143487}", 3.208236658143487, "0.0.9");
        var md = SarKit.Measurement.Nema.Reporting.NemaReportRenderer.Markdown(SarKit.Measurement.Nema.Reporting.NemaMeasurement.ReportOf(rec with { ResultJson = "{\"sar_w_per_kg\": 1.0}" }, "0.1.0"));
        Assert.Contains("WARNING: the record's content hash does not verify", md);
        changed.Add("calorimetry", "{}", "{}", 1, "0.0.9"); // a record whose input cannot be evaluated any more
        show = CliRunner.Run("records", "show", "2", "--db", dir.File("other.db"));
        Assert.Equal(0, show.ExitCode);
        Assert.Contains("report          unavailable:", show.Out);
        SqliteConnection.ClearAllPools();
    }

    [Fact]
    public void WrongMethodAndPhysicsErrorsAreBadInput()
    {
        using var dir = new TempDir();
        var r = CliRunner.Run("nema", "calorimetry", Example("pulse_energy_example.yaml"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("use `sarkit nema pulse-energy", r.Err);

        // Calorimetry: T_f < T_i while heating is a clear error naming both temperatures.
        var p = dir.File("cool.yaml");
        File.WriteAllText(p, File.ReadAllText(Example("calorimetry_example.yaml")).Replace("T_final: { value: 22.10, unit: degC }", "T_final: { value: 21.10, unit: degC }"));
        r = CliRunner.Run("nema", "calorimetry", p);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("is below T_i", r.Err);
        Assert.Equal("", r.Out);
    }
}

/// <summary>The CLI against a PostgreSQL records database (skipped unless SARKIT_TEST_POSTGRES is set).</summary>
public sealed class NemaPostgresCliTests : IDisposable
{
    private readonly string _schema = "sarkit_cli_" + Guid.NewGuid().ToString("N")[..12];
    private string? _cs;

    private string ConnectionString()
    {
        if (_cs is not null) return _cs;
        var b = new Npgsql.NpgsqlConnectionStringBuilder(PostgresMeasurementRecordStore.ToNpgsql(Support.PostgresFactAttribute.ConnectionString!));
        using (var c = new Npgsql.NpgsqlConnection(b.ConnectionString))
        {
            c.Open();
            using var cmd = new Npgsql.NpgsqlCommand($"CREATE SCHEMA {_schema};", c);
            cmd.ExecuteNonQuery();
        }
        b.SearchPath = _schema;
        return _cs = b.ConnectionString;
    }

    public void Dispose()
    {
        if (_cs is null) return;
        using var c = new Npgsql.NpgsqlConnection(_cs);
        c.Open();
        using var cmd = new Npgsql.NpgsqlCommand($"DROP SCHEMA {_schema} CASCADE;", c);
        cmd.ExecuteNonQuery();
    }

    [Support.PostgresFact]
    public void ProbeAndLiquidRecordsGoToPostgresToo()
    {
        var cs = ConnectionString();
        var ex = Path.Combine(Support.SharedData.RepoRoot, "examples", "probe", "heat_capacity.json");
        var r = CliRunner.Run("liquid", "heat-capacity", ex, "--record", "--db", cs);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Recorded: id 1 (liquid-heat-capacity) in postgresql://", r.Err);
        var l = CliRunner.Run("records", "list", "--db", cs, "--json");
        Assert.Equal(0, l.ExitCode);
        using var doc = JsonDocument.Parse(l.Out);
        Assert.Equal("liquid-heat-capacity", doc.RootElement.GetProperty("records")[0].GetProperty("method").GetString());
        Assert.True(doc.RootElement.GetProperty("records")[0].GetProperty("hash_verifies").GetBoolean());
    }

    [Support.PostgresFact]
    public void RecordListAndReportOnPostgres()
    {
        var cs = ConnectionString();
        var ex = Path.Combine(Support.SharedData.RepoRoot, "examples", "nema", "calorimetry_example.yaml");
        var r = CliRunner.Run("nema", "calorimetry", ex, "--db", cs);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Recorded: id 1 in postgresql://", r.Err);
        var l = CliRunner.Run("records", "list", "--db", cs, "--json");
        Assert.Equal(0, l.ExitCode);
        using var doc = JsonDocument.Parse(l.Out);
        Assert.Equal(1, doc.RootElement.GetProperty("count").GetInt32());
        Assert.True(doc.RootElement.GetProperty("records")[0].GetProperty("hash_verifies").GetBoolean());
        var rep = CliRunner.Run("nema", "report", "1", "--db", cs);
        Assert.Equal(0, rep.ExitCode);
        Assert.Contains("| Measured SAR | W/Kg | 3.2082 (eq. 21) |", rep.Out);
    }
}
