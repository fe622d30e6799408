using System.Text.Json;
using SarKit.Measurement.Records;

namespace SarKit.Tests.Cli;

public class RecordsCliTests
{
    private static string Example => Path.Combine(Support.SharedData.RepoRoot, "examples", "nema", "calorimetry_example.json");

    [Fact]
    public void CalorimetryRecordThenListShowsIt()
    {
        using var dir = new TempDir();
        var r = CliRunner.Run("nema", "calorimetry", Example, "--db", dir.Path, "--record", "--json");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Recorded: id 1", r.Err);
        using (var evaluated = JsonDocument.Parse(r.Out)) // stdout stays one JSON object
            Assert.Equal("calorimetry", evaluated.RootElement.GetProperty("method").GetString());
        Assert.Equal(0, CliRunner.Run("nema", "calorimetry", Example, "--db", dir.Path, "--record").ExitCode);

        var l = CliRunner.Run("records", "list", "--db", dir.Path, "--json");
        Assert.Equal(0, l.ExitCode);
        using var doc = JsonDocument.Parse(l.Out);
        var recs = doc.RootElement.GetProperty("records");
        Assert.Equal(2, recs.GetArrayLength());
        var first = recs[0];
        Assert.Equal(1, first.GetProperty("id").GetInt64());
        Assert.Equal("calorimetry", first.GetProperty("method").GetString());
        Assert.Equal(3.208236658143487, first.GetProperty("sar_w_per_kg").GetDouble(), 1e-9);
        Assert.True(first.GetProperty("hash_verifies").GetBoolean());
        Assert.Equal(File.ReadAllText(Example), first.GetProperty("input_json").GetString());
        using var result = JsonDocument.Parse(first.GetProperty("result_json").GetString()!);
        Assert.Equal(3.208236658143487, result.RootElement.GetProperty("sar_w_per_kg").GetDouble(), 1e-9);
        Assert.Equal(Path.Combine(dir.Path, "records.db"), doc.RootElement.GetProperty("database").GetString());

        var t = CliRunner.Run("records", "list", "--db", dir.Path);
        Assert.Equal(0, t.ExitCode);
        Assert.Contains("3.2082", t.Out);
        Assert.Contains(" ok", t.Out);
    }

    [Fact]
    public void WithoutRecordNothingIsStored()
    {
        var r = CliRunner.Run("nema", "calorimetry", Example);
        Assert.Equal(0, r.ExitCode);
        Assert.DoesNotContain("Recorded", r.Err);
    }

    [Fact]
    public void RecordWithoutLocationIsBadInput()
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(MeasurementRecordStore.EnvironmentVariable))) return; // a configured machine has a location
        var r = CliRunner.Run("nema", "calorimetry", Example, "--record");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(MeasurementRecordStore.EnvironmentVariable, r.Err);
    }

    [Fact]
    public void ListOfMissingDatabaseIsBadInput()
    {
        using var dir = new TempDir();
        var l = CliRunner.Run("records", "list", "--db", dir.Path);
        Assert.Equal(2, l.ExitCode);
        Assert.Contains("records.db", l.Err);
        Assert.Empty(dir.Files());
    }
}
