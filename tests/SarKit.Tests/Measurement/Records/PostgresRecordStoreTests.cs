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
