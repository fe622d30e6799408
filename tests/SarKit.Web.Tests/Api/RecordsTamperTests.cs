using System.Net;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using SarKit.Measurement.Records;
using SarKit.Web.Tests.Support;

namespace SarKit.Web.Tests.Api;

/// <summary>
/// The records endpoints on a tampered store (issue 14, class 7): an error naming the broken record, never an empty or
/// partial list. Uses its own server and records file because it damages it.
/// </summary>
public sealed class RecordsTamperTests : IDisposable
{
    private readonly SarKitWebFactory _factory = new();
    private readonly HttpClient _http;

    public RecordsTamperTests() => _http = _factory.CreateClient();

    public void Dispose() { _http.Dispose(); _factory.Dispose(); }

    private async Task<JsonElement> Json(HttpResponseMessage r, HttpStatusCode expected)
    {
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == expected, $"HTTP {(int)r.StatusCode}, expected {(int)expected}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private void Tamper(string sql)
    {
        using var c = new SqliteConnection($"Data Source={_factory.RecordsDb};Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "DROP TRIGGER measurement_records_no_update; DROP TRIGGER measurement_records_no_delete; " + sql +
                          "; CREATE TRIGGER measurement_records_no_update BEFORE UPDATE ON measurement_records BEGIN SELECT RAISE(ABORT, 'x'); END;" +
                          " CREATE TRIGGER measurement_records_no_delete BEFORE DELETE ON measurement_records BEGIN SELECT RAISE(ABORT, 'x'); END;";
        cmd.ExecuteNonQuery();
    }

    [Fact]
    public async Task Intact_store_verifies_and_a_tampered_one_is_an_error_not_a_list()
    {
        var store = MeasurementRecordStore.Open(_factory.RecordsDb);
        store.Add("calorimetry", "{}", "{\"sar_w_per_kg\":3.2}", 3.2, "0.1.0");
        store.Add("calorimetry", "{}", "{\"sar_w_per_kg\":3.3}", 3.3, "0.1.0");
        var ok = await Json(await _http.GetAsync("/api/records/verify"), HttpStatusCode.OK);
        Assert.True(ok.GetProperty("intact").GetBoolean());
        Assert.Equal(2, ok.GetProperty("count").GetInt64());
        Assert.Equal(store.Verify().HeadSha256, ok.GetProperty("head_sha256").GetString());
        Assert.Equal(2, (await Json(await _http.GetAsync("/api/records"), HttpStatusCode.OK)).GetProperty("count").GetInt32());

        Tamper("UPDATE measurement_records SET sar_w_per_kg = 0.1 WHERE id = 1");
        var list = await Json(await _http.GetAsync("/api/records"), HttpStatusCode.Conflict);
        Assert.Equal("records_damaged", list.GetProperty("kind").GetString());
        Assert.Contains("record 1", list.GetProperty("error").GetString());
        Assert.False(list.TryGetProperty("records", out _));
        var one = await Json(await _http.GetAsync("/api/records/2"), HttpStatusCode.Conflict);
        Assert.Contains("record 1", one.GetProperty("error").GetString());
        var v = await Json(await _http.GetAsync("/api/records/verify"), HttpStatusCode.Conflict);
        Assert.False(v.GetProperty("intact").GetBoolean());
        Assert.Equal(1, v.GetProperty("first_broken_id").GetInt64());
    }

    [Fact]
    public async Task Truncated_store_is_an_error_not_an_empty_list()
    {
        var store = MeasurementRecordStore.Open(_factory.RecordsDb);
        store.Add("calorimetry", "{}", "{}", 3.2, "0.1.0");
        Tamper("DELETE FROM measurement_records");
        var list = await Json(await _http.GetAsync("/api/records"), HttpStatusCode.Conflict);
        Assert.Contains("the metadata says 1 records but the table holds 0", list.GetProperty("error").GetString());
        var post = await _http.PostAsync("/api/nema/calorimetry?record=true",
            new StringContent(File.ReadAllText(Path.Combine(TestData.RepoRoot, "examples", "nema", "calorimetry_example.json"))));
        Assert.False(post.IsSuccessStatusCode);
        using var c = OpenReadOnly();
        using var count = new SqliteCommand("SELECT COUNT(*) FROM measurement_records", c);
        Assert.Equal(0L, (long)count.ExecuteScalar()!);
    }

    private SqliteConnection OpenReadOnly()
    {
        var c = new SqliteConnection($"Data Source={_factory.RecordsDb};Pooling=False;Mode=ReadOnly");
        c.Open();
        return c;
    }
}
