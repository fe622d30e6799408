using Npgsql;

namespace SarKit.Measurement.Records;

/// <summary>
/// Append-only <see cref="MeasurementRecord"/> store on a PostgreSQL server (Npgsql; docs/nema-ms8.md, "Measurement
/// records"), for a lab that keeps its records centrally. Same table and semantics as the SQLite store: table
/// <c>measurement_records</c> (id from an identity column, never reused), and row triggers BEFORE UPDATE OR DELETE plus a
/// statement trigger BEFORE TRUNCATE that raise "measurement records are append-only", so raw SQL cannot change records
/// either (a superuser can still drop the triggers; the content hash then still detects edited rows).
/// </summary>
public sealed class PostgresMeasurementRecordStore : IMeasurementRecordStore
{
    private const string Schema = $"""
        CREATE TABLE IF NOT EXISTS measurement_records (
            id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            created_utc    TIMESTAMPTZ      NOT NULL,
            method         TEXT             NOT NULL,
            input_json     TEXT             NOT NULL,
            result_json    TEXT             NOT NULL,
            sar_w_per_kg   DOUBLE PRECISION NOT NULL,
            sarkit_version TEXT             NOT NULL,
            content_sha256 TEXT             NOT NULL,
            input_original TEXT             NULL
        );
        CREATE OR REPLACE FUNCTION measurement_records_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '{MeasurementRecordStore.AppendOnlyMessage}'; END $$;
        CREATE OR REPLACE TRIGGER measurement_records_no_update_delete BEFORE UPDATE OR DELETE ON measurement_records
            FOR EACH ROW EXECUTE FUNCTION measurement_records_append_only();
        CREATE OR REPLACE TRIGGER measurement_records_no_truncate BEFORE TRUNCATE ON measurement_records
            FOR EACH STATEMENT EXECUTE FUNCTION measurement_records_append_only();
        """;

    private const string Columns = "id, created_utc, method, input_json, result_json, sar_w_per_kg, sarkit_version, content_sha256, input_original";

    private readonly string _connectionString;

    /// <inheritdoc/>
    public string Location { get; }

    private PostgresMeasurementRecordStore(string connectionString, string location)
    {
        _connectionString = connectionString;
        Location = location;
    }

    /// <summary>True when <paramref name="location"/> names a PostgreSQL database: a postgres:// or postgresql:// URI, or
    /// an Npgsql key=value connection string with a Host.</summary>
    public static bool IsConnectionString(string location)
    {
        if (location.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || location.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
            return true;
        return location.Contains('=') && location.Split(';').Any(p => p.Trim().StartsWith("host", StringComparison.OrdinalIgnoreCase) && p.Contains('='));
    }

    /// <summary>
    /// Converts a postgresql://user:password@host:port/database?key=value URI to an Npgsql connection string; a key=value
    /// string is returned as is. Query keys are passed through (e.g. sslmode=require → SSL Mode=Require).
    /// </summary>
    public static string ToNpgsql(string location)
    {
        if (!location.Contains("://")) return location;
        Uri uri;
        try { uri = new Uri(location); }
        catch (UriFormatException e) { throw new SarKitInputException($"records database: not a valid PostgreSQL URI ({e.Message}); expected postgresql://user:password@host:port/database", e); }
        var b = new NpgsqlConnectionStringBuilder { Host = uri.Host };
        if (uri.Port > 0) b.Port = uri.Port;
        var db = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (db.Length > 0) b.Database = db;
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            b.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2) b.Password = Uri.UnescapeDataString(parts[1]);
        }
        foreach (var kv in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var p = kv.Split('=', 2);
            string key = Uri.UnescapeDataString(p[0]) switch { "sslmode" => "SSL Mode", "application_name" => "Application Name", var k => k };
            try { b[key] = p.Length == 2 ? Uri.UnescapeDataString(p[1]) : ""; }
            catch (ArgumentException e) { throw new SarKitInputException($"records database: unsupported PostgreSQL URI option '{p[0]}' ({e.Message})", e); }
        }
        return b.ConnectionString;
    }

    /// <summary>Connects (creating table, function and triggers if missing) to the database of <paramref name="connectionString"/>
    /// (Npgsql key=value form or a postgresql:// URI).</summary>
    public static PostgresMeasurementRecordStore Open(string connectionString)
    {
        string cs = ToNpgsql(connectionString);
        NpgsqlConnectionStringBuilder b;
        try { b = new NpgsqlConnectionStringBuilder(cs); }
        catch (ArgumentException e) { throw new SarKitInputException($"records database: not a valid PostgreSQL connection string ({e.Message})", e); }
        string location = $"postgresql://{b.Host}{(b.Port != 5432 ? ":" + b.Port : "")}/{b.Database ?? b.Username}";
        var store = new PostgresMeasurementRecordStore(cs, location);
        try
        {
            using var c = store.Connect();
            using var tx = c.BeginTransaction();
            using (var lk = new NpgsqlCommand("SELECT pg_advisory_xact_lock(7267317011);", c, tx)) lk.ExecuteNonQuery(); // serialise concurrent schema set-up
            using (var cmd = new NpgsqlCommand(Schema, c, tx)) cmd.ExecuteNonQuery();
            tx.Commit();
        }
        catch (NpgsqlException e)
        {
            throw new SarKitInputException($"records database {location}: cannot connect or initialise ({e.Message})", e);
        }
        return store;
    }

    /// <summary>Opens a new connection (for tests and tools; the append-only triggers still apply).</summary>
    public NpgsqlConnection Connect()
    {
        var c = new NpgsqlConnection(_connectionString);
        c.Open();
        return c;
    }

    /// <inheritdoc/>
    public MeasurementRecord Add(string method, string inputJson, string resultJson, double sarWPerKg, string sarkitVersion, string? inputOriginal = null)
    {
        MeasurementRecord.CheckNew(method, inputJson, resultJson, sarWPerKg, sarkitVersion);
        // PostgreSQL keeps microseconds: truncate so that the returned record equals the stored one.
        var now = DateTime.UtcNow;
        var created = new DateTime(now.Ticks - now.Ticks % 10, DateTimeKind.Utc);
        var hash = MeasurementRecord.ComputeContentHash(inputJson, resultJson, inputOriginal);
        using var c = Connect();
        using var cmd = new NpgsqlCommand("""
            INSERT INTO measurement_records (created_utc, method, input_json, result_json, sar_w_per_kg, sarkit_version, content_sha256, input_original)
            VALUES (@created, @method, @input, @result, @sar, @version, @hash, @original) RETURNING id;
            """, c);
        cmd.Parameters.AddWithValue("created", created);
        cmd.Parameters.AddWithValue("method", method);
        cmd.Parameters.AddWithValue("input", inputJson);
        cmd.Parameters.AddWithValue("result", resultJson);
        cmd.Parameters.AddWithValue("sar", sarWPerKg);
        cmd.Parameters.AddWithValue("version", sarkitVersion);
        cmd.Parameters.AddWithValue("hash", hash);
        cmd.Parameters.Add(new NpgsqlParameter("original", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)inputOriginal ?? DBNull.Value });
        long id = (long)cmd.ExecuteScalar()!;
        return new MeasurementRecord(id, created, method, inputJson, resultJson, sarWPerKg, sarkitVersion, hash, inputOriginal);
    }

    /// <inheritdoc/>
    public MeasurementRecord? Get(long id)
    {
        using var c = Connect();
        using var cmd = new NpgsqlCommand($"SELECT {Columns} FROM measurement_records WHERE id = @id;", c);
        cmd.Parameters.AddWithValue("id", id);
        using var r = cmd.ExecuteReader();
        return r.Read() ? ReadRecord(r) : null;
    }

    /// <inheritdoc/>
    public IReadOnlyList<MeasurementRecord> List()
    {
        using var c = Connect();
        using var cmd = new NpgsqlCommand($"SELECT {Columns} FROM measurement_records ORDER BY id;", c);
        using var r = cmd.ExecuteReader();
        var list = new List<MeasurementRecord>();
        while (r.Read()) list.Add(ReadRecord(r));
        return list;
    }

    private static MeasurementRecord ReadRecord(NpgsqlDataReader r) => new(
        r.GetInt64(0), DateTime.SpecifyKind(r.GetDateTime(1).ToUniversalTime(), DateTimeKind.Utc),
        r.GetString(2), r.GetString(3), r.GetString(4), r.GetDouble(5), r.GetString(6), r.GetString(7), r.IsDBNull(8) ? null : r.GetString(8));
}

/// <summary>Opens the record store named by a location: a PostgreSQL connection string or URI, else an SQLite folder or .db file.</summary>
public static class MeasurementRecordStores
{
    /// <summary>
    /// Opens the store at <paramref name="location"/> (or the environment variable <see cref="MeasurementRecordStore.EnvironmentVariable"/>):
    /// a PostgreSQL connection (<see cref="PostgresMeasurementRecordStore.IsConnectionString"/>), else an SQLite folder or .db file
    /// (<see cref="MeasurementRecordStore.ResolveDatabasePath"/>). With <paramref name="mustExist"/> a missing SQLite file is a
    /// <see cref="SarKitInputException"/> instead of being created.
    /// </summary>
    public static IMeasurementRecordStore Open(string? location, bool mustExist = false)
    {
        if (string.IsNullOrWhiteSpace(location)) location = Environment.GetEnvironmentVariable(MeasurementRecordStore.EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(location) && PostgresMeasurementRecordStore.IsConnectionString(location))
            return PostgresMeasurementRecordStore.Open(location);
        var path = MeasurementRecordStore.ResolveDatabasePath(location);
        if (mustExist && !File.Exists(path))
            throw new SarKitInputException($"records database not found: {path} (records are created with `sarkit nema calorimetry|pulse-energy FILE --record --db PATH`)");
        return MeasurementRecordStore.Open(path);
    }

    /// <summary>Checks that a location can be resolved (without opening anything), so that commands fail before writing.</summary>
    public static void Validate(string? location)
    {
        if (string.IsNullOrWhiteSpace(location)) location = Environment.GetEnvironmentVariable(MeasurementRecordStore.EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(location) && PostgresMeasurementRecordStore.IsConnectionString(location))
        {
            var cs = PostgresMeasurementRecordStore.ToNpgsql(location);
            try { _ = new NpgsqlConnectionStringBuilder(cs); }
            catch (ArgumentException e) { throw new SarKitInputException($"records database: not a valid PostgreSQL connection string ({e.Message})", e); }
            return;
        }
        MeasurementRecordStore.ResolveDatabasePath(location);
    }
}
