using Microsoft.Data.Sqlite;
using SarKit.Measurement.Records;

namespace SarKit.Tests.Measurement.Records;

public sealed class MeasurementRecordStoreTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sarkit-records-" + Guid.NewGuid().ToString("N"));

    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    private MeasurementRecordStore NewStore() => MeasurementRecordStore.Open(Path.Combine(_dir, "sub", MeasurementRecordStore.DefaultFileName));

    [Fact]
    public void NativeSqliteLoads()
    {
        using var c = NewStore().Connect();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT sqlite_version();";
        var v = (string)cmd.ExecuteScalar()!;
        Assert.StartsWith("3.", v);
    }

    [Fact]
    public void AddGetListRoundTrip()
    {
        var store = NewStore();
        const string input = "{ \"phantom_mass\": {\"value\": 20.1, \"unit\": \"kg\"},\n  \"note\": \"µ ü — verbatim\" }\n";
        var a = store.Add("calorimetry", input, "{\"sar_w_per_kg\":3.2}", 3.208236658143487, "0.1.0");
        var b = store.Add("pulse-energy", "{}", "{\"sar_w_per_kg\":1.5}", 1.5, "0.1.0");
        Assert.Equal(a.Id + 1, b.Id);
        Assert.Equal(DateTimeKind.Utc, a.CreatedUtc.Kind);

        var reopened = MeasurementRecordStore.Open(store.DatabasePath);
        var g = reopened.Get(a.Id);
        Assert.Equal(a, g);
        Assert.Equal(input, g!.InputJson);
        Assert.Equal(3.208236658143487, g.SarWPerKg);
        Assert.Null(reopened.Get(b.Id + 100));
        Assert.Equal(new[] { a, b }, reopened.List());
    }

    [Fact]
    public void HashVerifiesAndDetectsChanges()
    {
        var r = NewStore().Add("calorimetry", "{\"a\":1}", "{\"b\":2}", 1, "0.1.0");
        Assert.True(r.HashVerifies);
        Assert.Equal(64, r.ContentSha256.Length);
        // Independent check: SHA-256 of the bytes '{"a":1}' 0x00 '{"b":2}' computed by hand-built byte array.
        var bytes = System.Text.Encoding.UTF8.GetBytes("{\"a\":1}").Append((byte)0).Concat(System.Text.Encoding.UTF8.GetBytes("{\"b\":2}")).ToArray();
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), r.ContentSha256);
        Assert.False((r with { ResultJson = "{\"b\":3}" }).HashVerifies);
        Assert.False((r with { InputJson = "{\"a\":1" , ResultJson = "}{\"b\":2}" }).HashVerifies);
    }

    [Fact]
    public void OriginalInputIsStoredAndCoveredByTheHash()
    {
        var store = NewStore();
        var r = store.Add("pulse-energy", "{\"a\":1}", "{}", 1, "0.1.0", "a: 1 # yaml\n");
        var g = store.Get(r.Id)!;
        Assert.Equal("a: 1 # yaml\n", g.InputOriginal);
        Assert.True(g.HashVerifies);
        var bytes = System.Text.Encoding.UTF8.GetBytes("{\"a\":1}\0{}\0a: 1 # yaml\n");
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), g.ContentSha256);
        Assert.False((g with { InputOriginal = "a: 2\n" }).HashVerifies);
        Assert.False((g with { InputOriginal = null }).HashVerifies);
    }

    [Fact]
    public void DatabaseOfTheFirstSchemaIsRefusedThenMigratedKeepingItsRecords()
    {
        Directory.CreateDirectory(_dir);
        var path = Path.Combine(_dir, "old.db");
        using (var c = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = $$"""
                CREATE TABLE measurement_records (id INTEGER PRIMARY KEY AUTOINCREMENT, created_utc TEXT NOT NULL, method TEXT NOT NULL,
                    input_json TEXT NOT NULL, result_json TEXT NOT NULL, sar_w_per_kg REAL NOT NULL, sarkit_version TEXT NOT NULL, content_sha256 TEXT NOT NULL);
                CREATE TRIGGER measurement_records_no_update BEFORE UPDATE ON measurement_records BEGIN SELECT RAISE(ABORT, 'x'); END;
                INSERT INTO measurement_records (created_utc, method, input_json, result_json, sar_w_per_kg, sarkit_version, content_sha256)
                VALUES ('2026-01-01T00:00:00.0000000Z', 'calorimetry', '{}', '{}', 1.5, '0.0.9', '{{MeasurementRecord.ComputeContentHash("{}", "{}")}}');
                """;
            cmd.ExecuteNonQuery();
        }
        // A store from before the hash chain is refused until it is migrated explicitly (fail closed).
        var refused = Assert.Throws<RecordStoreDamagedException>(() => MeasurementRecordStore.Open(path));
        Assert.Contains("sarkit records migrate", refused.Message);
        var migrated = MeasurementRecordStore.Migrate(path);
        Assert.True(migrated.Intact, migrated.Problem);
        Assert.Equal(1, migrated.Count);
        Assert.Throws<SarKitInputException>(() => MeasurementRecordStore.Migrate(path)); // only once
        var store = MeasurementRecordStore.Open(path);
        var old = Assert.Single(store.List());
        Assert.Null(old.InputOriginal);
        Assert.True(old.HashVerifies);
        Assert.Equal(RecordChain.GenesisHash, old.PrevSha256);
        var n = store.Add("calorimetry", "{}", "{}", 2, "0.1.0", "yaml: text\n");
        Assert.Equal("yaml: text\n", store.Get(n.Id)!.InputOriginal);
        Assert.Equal(old.ChainSha256, n.PrevSha256);
        Assert.Equal(2, store.Verify().Count);
    }

    [Fact]
    public void MigrationRefusesAStoreWithAnEditedRecord()
    {
        Directory.CreateDirectory(_dir);
        var path = Path.Combine(_dir, "old.db");
        using (var c = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = """
                CREATE TABLE measurement_records (id INTEGER PRIMARY KEY AUTOINCREMENT, created_utc TEXT NOT NULL, method TEXT NOT NULL,
                    input_json TEXT NOT NULL, result_json TEXT NOT NULL, sar_w_per_kg REAL NOT NULL, sarkit_version TEXT NOT NULL, content_sha256 TEXT NOT NULL, input_original TEXT NULL);
                INSERT INTO measurement_records (created_utc, method, input_json, result_json, sar_w_per_kg, sarkit_version, content_sha256)
                VALUES ('2026-01-01T00:00:00.0000000Z', 'calorimetry', '{"edited": true}', '{}', 1.5, '0.0.9', 'deadbeef');
                """;
            cmd.ExecuteNonQuery();
        }
        var e = Assert.Throws<SarKitInputException>(() => MeasurementRecordStore.Migrate(path));
        Assert.Contains("record 1", e.Message);
        Assert.Throws<RecordStoreDamagedException>(() => MeasurementRecordStore.Open(path)); // still refused, nothing half-migrated
    }

    [Theory]
    [InlineData("UPDATE measurement_records SET sar_w_per_kg = 0.1 WHERE id = 1;")]
    [InlineData("UPDATE measurement_records SET result_json = '{}';")]
    [InlineData("DELETE FROM measurement_records WHERE id = 1;")]
    [InlineData("DELETE FROM measurement_records;")]
    public void RawUpdateAndDeleteAreRejected(string sql)
    {
        var store = NewStore();
        var a = store.Add("calorimetry", "{}", "{}", 2.5, "0.1.0");
        using (var c = store.Connect())
        using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = sql;
            var e = Assert.Throws<SqliteException>(() => cmd.ExecuteNonQuery());
            Assert.Contains(MeasurementRecordStore.AppendOnlyMessage, e.Message);
        }
        Assert.Equal(new[] { a }, store.List());
    }

    [Fact]
    public void ConcurrentAddsGetDistinctIds()
    {
        var path = NewStore().DatabasePath;
        var ids = new long[16];
        Parallel.For(0, ids.Length, i => ids[i] = MeasurementRecordStore.Open(path).Add("calorimetry", $"{{\"n\":{i}}}", "{}", i, "0.1.0").Id);
        Assert.Equal(Enumerable.Range(1, ids.Length).Select(i => (long)i), ids.Order());
        var all = MeasurementRecordStore.Open(path).List();
        Assert.Equal(ids.Length, all.Count);
        Assert.All(all, r => Assert.True(r.HashVerifies));
    }

    [Fact]
    public void ResolveUsesFolderFileOrEnvironment()
    {
        Assert.Equal(Path.Combine(Path.GetFullPath(_dir), "records.db"), MeasurementRecordStore.ResolveDatabasePath(_dir));
        var f = Path.Combine(_dir, "my.db");
        Assert.Equal(Path.GetFullPath(f), MeasurementRecordStore.ResolveDatabasePath(f));
    }

    [Fact]
    public void NonSqliteFileIsInputError()
    {
        Directory.CreateDirectory(_dir);
        var p = Path.Combine(_dir, "bad.db");
        File.WriteAllText(p, "this is not a database, just text that is long enough to fill a header page........");
        var e = Assert.Throws<SarKitInputException>(() => MeasurementRecordStore.Open(p));
        Assert.Contains(p, e.Message);
    }
}

/// <summary>Reads a store written by SarKit with an independent tool: Debian's /usr/bin/python3 (sqlite3 + hashlib).</summary>
public sealed class MeasurementRecordStorePythonTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sarkit-records-py-" + Guid.NewGuid().ToString("N"));

    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    [Fact]
    public void PythonSqliteSeesRecordRecomputesHashAndCannotModify()
    {
        if (!File.Exists("/usr/bin/python3")) return; // independent check needs Debian's python3
        var store = MeasurementRecordStore.Open(Path.Combine(_dir, "records.db"));
        var rec = store.Add("calorimetry", "{\"x\": \"ü\"}\n", "{\"sar_w_per_kg\": 2.5}", 2.5, "0.1.0");
        var code = $$"""
            import sqlite3, hashlib
            c = sqlite3.connect({{System.Text.Json.JsonSerializer.Serialize(store.DatabasePath)}})
            i, inp, res, sar, h = c.execute("SELECT id, input_json, result_json, sar_w_per_kg, content_sha256 FROM measurement_records").fetchone()
            print("hash", hashlib.sha256(inp.encode() + b"\0" + res.encode()).hexdigest() == h, i, sar)
            for sql in ("UPDATE measurement_records SET sar_w_per_kg = 0", "DELETE FROM measurement_records"):
                try:
                    c.execute(sql); c.commit(); print("modified")
                except sqlite3.DatabaseError as e:
                    print("rejected", e)
            """;
        int rc = SarKit.Tests.IO.IoFixtures.RunPython(code, out var output);
        Assert.True(rc == 0, output);
        Assert.Contains($"hash True {rec.Id} 2.5", output);
        Assert.DoesNotContain("modified", output);
        Assert.Equal(2, output.Split("rejected measurement records are append-only").Length - 1);
        Assert.Equal(new[] { rec }, store.List());
    }
}
