using Npgsql;
using SarKit.Measurement.Records;
using SarKit.Tests.Support;

namespace SarKit.Tests.Measurement.Records;

/// <summary>The PostgreSQL record store against a real server (skipped unless SARKIT_TEST_POSTGRES is set). Each test uses
/// its own schema (search_path) so runs do not see each other's records.</summary>
public sealed class PostgresRecordStoreTests : IDisposable
{
    private readonly string _schema = "sarkit_test_" + Guid.NewGuid().ToString("N")[..12];
    private string? _cs;

    private string ConnectionString()
    {
        if (_cs is not null) return _cs;
        var b = new NpgsqlConnectionStringBuilder(PostgresMeasurementRecordStore.ToNpgsql(PostgresFactAttribute.ConnectionString!));
        using (var c = new NpgsqlConnection(b.ConnectionString))
        {
            c.Open();
            using var cmd = new NpgsqlCommand($"CREATE SCHEMA {_schema};", c);
            cmd.ExecuteNonQuery();
        }
        b.SearchPath = _schema;
        return _cs = b.ConnectionString;
    }

    public void Dispose()
    {
        if (_cs is null) return;
        using var c = new NpgsqlConnection(_cs);
        c.Open();
        using var cmd = new NpgsqlCommand($"DROP SCHEMA {_schema} CASCADE;", c);
        cmd.ExecuteNonQuery();
    }

    [PostgresFact]
    public void AddGetListRoundTripAndHash()
    {
        var store = PostgresMeasurementRecordStore.Open(ConnectionString());
        var a = store.Add("calorimetry", "{\"a\": \"µ\"}", "{\"sar_w_per_kg\": 3.2}", 3.2, "0.1.0");
        var b = store.Add("pulse-energy", "{}", "{}", 0.46, "0.1.0", "method: pulse-energy\n# yaml\n");
        Assert.Equal(a.Id + 1, b.Id);
        var again = PostgresMeasurementRecordStore.Open(ConnectionString()); // schema creation is idempotent
        Assert.Equal(a, again.Get(a.Id));
        Assert.Equal(b, again.Get(b.Id));
        Assert.Equal(new[] { a, b }, again.List());
        Assert.True(again.Get(b.Id)!.HashVerifies);
        Assert.Null(again.Get(b.Id + 10));
    }

    [PostgresFact]
    public void UpdateDeleteAndTruncateAreRejected()
    {
        var store = PostgresMeasurementRecordStore.Open(ConnectionString());
        var a = store.Add("calorimetry", "{}", "{}", 2.5, "0.1.0");
        foreach (var sql in new[] { "UPDATE measurement_records SET sar_w_per_kg = 0.1;", "DELETE FROM measurement_records;", "TRUNCATE measurement_records;" })
        {
            using var c = store.Connect();
            using var cmd = new NpgsqlCommand(sql, c);
            var e = Assert.Throws<PostgresException>(() => cmd.ExecuteNonQuery());
            Assert.Contains(MeasurementRecordStore.AppendOnlyMessage, e.Message);
        }
        Assert.Equal(new[] { a }, store.List());
    }

    private PostgresMeasurementRecordStore ThreeRecords()
    {
        var store = PostgresMeasurementRecordStore.Open(ConnectionString());
        store.Add("calorimetry", "{\"a\": 1}", "{}", 3.2, "0.1.0");
        store.Add("calorimetry", "{\"a\": 2}", "{}", 3.3, "0.1.0", "a: 2\n");
        store.Add("calorimetry", "{\"a\": 3}", "{}", 3.4, "0.1.0");
        return store;
    }

    /// <summary>Runs <paramref name="sql"/> with every user trigger of the tables disabled (as the superuser can), then re-enables them.</summary>
    private void Tamper(string sql, bool reenable = true)
    {
        using var c = new NpgsqlConnection(ConnectionString());
        c.Open();
        using var cmd = new NpgsqlCommand("ALTER TABLE measurement_records DISABLE TRIGGER USER; ALTER TABLE measurement_records_chain DISABLE TRIGGER USER; " + sql +
            (reenable ? "; ALTER TABLE measurement_records ENABLE TRIGGER USER; ALTER TABLE measurement_records_chain ENABLE TRIGGER USER;" : ""), c);
        cmd.ExecuteNonQuery();
    }

    private void AssertRefused(string expected)
    {
        var s = MeasurementRecordStores.Verify(ConnectionString());
        Assert.False(s.Intact);
        Assert.Contains(expected, s.Problem);
        Assert.Throws<RecordStoreDamagedException>(() => PostgresMeasurementRecordStore.Open(ConnectionString()));
    }

    [PostgresFact]
    public void IntactChainVerifies()
    {
        var store = ThreeRecords();
        var s = store.Verify();
        Assert.True(s.Intact, s.Problem);
        Assert.Equal(3, s.Count);
        Assert.Equal(store.List()[^1].ChainSha256, s.HeadSha256);
    }

    [PostgresTheory]
    [InlineData("created_utc = created_utc + interval '1 microsecond'")]
    [InlineData("method = 'pulse-energy'")]
    [InlineData("input_json = '{}'")]
    [InlineData("result_json = '{\"x\": 1}'")]
    [InlineData("sar_w_per_kg = 0.1")]
    [InlineData("sar_w_per_kg = 'NaN'")]
    [InlineData("sarkit_version = '9'")]
    [InlineData("content_sha256 = 'x'")]
    [InlineData("input_original = NULL")]
    [InlineData("prev_sha256 = '0000000000000000000000000000000000000000000000000000000000000000'")]
    [InlineData("chain_sha256 = '0000000000000000000000000000000000000000000000000000000000000000'")]
    public void EditOfAnyColumnIsDetected(string set)
    {
        ThreeRecords();
        Tamper($"UPDATE measurement_records SET {set} WHERE id = 2");
        Assert.Equal(2, MeasurementRecordStores.Verify(ConnectionString()).FirstBrokenId);
        AssertRefused("record 2");
    }

    [PostgresFact]
    public void DeletedTruncatedAndForgedRowsAreDetected()
    {
        ThreeRecords();
        Tamper("DELETE FROM measurement_records WHERE id = 3");
        AssertRefused("the metadata says 3 records but the table holds 2");
        Tamper("DELETE FROM measurement_records WHERE id = 1");
        AssertRefused("record 2: is the first record");
        Tamper("TRUNCATE measurement_records");
        AssertRefused("the metadata says 3 records but the table holds 0");
        Assert.Throws<RecordStoreDamagedException>(() => MeasurementRecordStores.Open(ConnectionString()));
    }

    [PostgresFact]
    public void ForgedRowIsDetected()
    {
        var store = ThreeRecords();
        var last = store.List()[^1];
        var f = RecordChain.Seal(last with { Id = 4, SarWPerKg = 0.5 }, last.ChainSha256!);
        Tamper($"INSERT INTO measurement_records ({string.Join(", ", "id, created_utc, method, input_json, result_json, sar_w_per_kg, sarkit_version, content_sha256, input_original, prev_sha256, chain_sha256")}) OVERRIDING SYSTEM VALUE " +
               $"VALUES (4, '{RecordChain.TimeText(f.CreatedUtc)}', 'calorimetry', '{f.InputJson}', '{f.ResultJson}', 0.5, '0.1.0', '{f.ContentSha256}', NULL, '{f.PrevSha256}', '{f.ChainSha256}')");
        AssertRefused("the metadata says 3 records but the table holds 4");
    }

    [PostgresFact]
    public void DroppedOrDisabledTriggersTableAndMetadataAreDetectedAndNotRecreated()
    {
        ThreeRecords();
        Tamper("", reenable: false);
        AssertRefused("is missing or disabled");
        Tamper("");
        Assert.True(MeasurementRecordStores.Verify(ConnectionString()).Intact);
        Tamper("DROP TABLE measurement_records", reenable: false);
        AssertRefused("measurement_records is missing (dropped)");
        Assert.Throws<RecordStoreDamagedException>(() => MeasurementRecordStores.Open(ConnectionString()));
        AssertRefused("measurement_records is missing (dropped)"); // still not re-created
    }

    [PostgresFact]
    public void PreChainStoreIsRefusedThenMigrated()
    {
        using (var c = new NpgsqlConnection(ConnectionString()))
        {
            c.Open();
            using var cmd = new NpgsqlCommand($$"""
                CREATE TABLE measurement_records (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, created_utc TIMESTAMPTZ NOT NULL, method TEXT NOT NULL,
                    input_json TEXT NOT NULL, result_json TEXT NOT NULL, sar_w_per_kg DOUBLE PRECISION NOT NULL, sarkit_version TEXT NOT NULL,
                    content_sha256 TEXT NOT NULL, input_original TEXT NULL);
                INSERT INTO measurement_records (created_utc, method, input_json, result_json, sar_w_per_kg, sarkit_version, content_sha256)
                VALUES ('2026-01-01T00:00:00.123456Z', 'calorimetry', '{}', '{}', 1.5, '0.0.9', '{{MeasurementRecord.ComputeContentHash("{}", "{}")}}');
                """, c);
            cmd.ExecuteNonQuery();
        }
        var e = Assert.Throws<RecordStoreDamagedException>(() => PostgresMeasurementRecordStore.Open(ConnectionString()));
        Assert.Contains("records migrate", e.Message);
        var m = MeasurementRecordStores.Migrate(ConnectionString());
        Assert.True(m.Intact, m.Problem);
        Assert.Equal(1, m.Count);
        var store = PostgresMeasurementRecordStore.Open(ConnectionString());
        var n = store.Add("calorimetry", "{}", "{}", 2, "0.1.0");
        Assert.Equal(m.HeadSha256, n.PrevSha256);
        Assert.Equal(2, store.Verify().Count);
    }

    [PostgresFact]
    public void FactoryOpensPostgresFromConnectionString()
    {
        var s = MeasurementRecordStores.Open(ConnectionString());
        Assert.IsType<PostgresMeasurementRecordStore>(s);
        Assert.StartsWith("postgresql://", s.Location);
        Assert.DoesNotContain("assword", s.Location);
    }
}

/// <summary>Connection-string handling that needs no server.</summary>
public class PostgresConnectionStringTests
{
    [Theory]
    [InlineData("postgresql://lab:s3cret@db.example:5433/sar?sslmode=require", true)]
    [InlineData("postgres://db/sar", true)]
    [InlineData("Host=db;Database=sar;Username=lab", true)]
    [InlineData("/var/lib/sarkit/records.db", false)]
    [InlineData("records", false)]
    public void RecognisesConnectionStrings(string location, bool isPostgres)
        => Assert.Equal(isPostgres, PostgresMeasurementRecordStore.IsConnectionString(location));

    [Fact]
    public void UriIsConvertedToNpgsqlKeys()
    {
        var b = new NpgsqlConnectionStringBuilder(PostgresMeasurementRecordStore.ToNpgsql("postgresql://lab:s%40cret@db.example:5433/sar?sslmode=require"));
        Assert.Equal("db.example", b.Host);
        Assert.Equal(5433, b.Port);
        Assert.Equal("sar", b.Database);
        Assert.Equal("lab", b.Username);
        Assert.Equal("s@cret", b.Password);
        Assert.Equal(SslMode.Require, b.SslMode);
    }

    [Fact]
    public void UnreachableServerIsInputErrorWithoutPassword()
    {
        var e = Assert.Throws<SarKitInputException>(() => MeasurementRecordStores.Open("Host=127.0.0.1;Port=1;Username=x;Password=topsecret;Database=none;Timeout=2"));
        Assert.Contains("postgresql://127.0.0.1:1/none", e.Message);
        Assert.DoesNotContain("topsecret", e.Message);
    }
}
