using Npgsql;

namespace SarKit.Measurement.Records;

/// <summary>
/// Append-only, hash-chained <see cref="MeasurementRecord"/> store on a PostgreSQL server (Npgsql; docs/nema-ms8.md,
/// "Measurement records"), for a lab that keeps its records centrally. Same tables and semantics as the SQLite store:
/// table <c>measurement_records</c> (id from an identity column, never reused; gaps are allowed), row triggers BEFORE
/// UPDATE OR DELETE plus a statement trigger BEFORE TRUNCATE that raise "measurement records are append-only", and the
/// <see cref="RecordChain"/> with its metadata table <c>measurement_records_chain</c>, so that changes made after dropping
/// the triggers (a superuser can) are detected. Tables are created only when neither exists.
/// </summary>
public sealed class PostgresMeasurementRecordStore : IMeasurementRecordStore
{
    private const string Function = $"""
        CREATE OR REPLACE FUNCTION measurement_records_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '{MeasurementRecordStore.AppendOnlyMessage}'; END $$;
        """;

    private const string RecordTriggers = """
        CREATE OR REPLACE TRIGGER measurement_records_no_update_delete BEFORE UPDATE OR DELETE ON measurement_records
            FOR EACH ROW EXECUTE FUNCTION measurement_records_append_only();
        CREATE OR REPLACE TRIGGER measurement_records_no_truncate BEFORE TRUNCATE ON measurement_records
            FOR EACH STATEMENT EXECUTE FUNCTION measurement_records_append_only();
        """;

    private const string ChainTable = """
        CREATE TABLE measurement_records_chain (
            singleton    INTEGER PRIMARY KEY CHECK (singleton = 1),
            format       TEXT    NOT NULL,
            record_count BIGINT  NOT NULL,
            head_sha256  TEXT    NOT NULL
        );
        CREATE TRIGGER measurement_records_chain_no_delete BEFORE DELETE ON measurement_records_chain
            FOR EACH ROW EXECUTE FUNCTION measurement_records_append_only();
        CREATE TRIGGER measurement_records_chain_no_truncate BEFORE TRUNCATE ON measurement_records_chain
            FOR EACH STATEMENT EXECUTE FUNCTION measurement_records_append_only();
        """;

    private const string Schema = $"""
        CREATE TABLE measurement_records (
            id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            created_utc    TIMESTAMPTZ      NOT NULL,
            method         TEXT             NOT NULL,
            input_json     TEXT             NOT NULL,
            result_json    TEXT             NOT NULL,
            sar_w_per_kg   DOUBLE PRECISION NOT NULL,
            sarkit_version TEXT             NOT NULL,
            content_sha256 TEXT             NOT NULL,
            input_original TEXT             NULL,
            prev_sha256    TEXT             NOT NULL,
            chain_sha256   TEXT             NOT NULL
        );
        {Function}
        {RecordTriggers}
        {ChainTable}
        """;

    /// <summary>Triggers a chained PostgreSQL store must have, by table.</summary>
    private static readonly (string Table, string Trigger)[] Triggers =
    [
        ("measurement_records", "measurement_records_no_update_delete"), ("measurement_records", "measurement_records_no_truncate"),
        ("measurement_records_chain", "measurement_records_chain_no_delete"), ("measurement_records_chain", "measurement_records_chain_no_truncate"),
    ];

    private readonly string _connectionString;

    /// <inheritdoc/>
    public string Location { get; }

    /// <summary>The clock the creation time of new records is read from.</summary>
    public TimeProvider Time { get; private init; } = TimeProvider.System;

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

    /// <summary>
    /// Connects to the database of <paramref name="connectionString"/> (Npgsql key=value form or a postgresql:// URI),
    /// creating tables, function and triggers when neither table exists, and verifies the store (<see cref="Verify"/>):
    /// a damaged or pre-chain store throws <see cref="RecordStoreDamagedException"/>.
    /// </summary>
    public static PostgresMeasurementRecordStore Open(string connectionString, TimeProvider? time = null)
    {
        var store = Attach(connectionString, time: time);
        store.Verify().ThrowIfDamaged();
        return store;
    }

    /// <summary>Connects (creating the schema when neither table exists) without verifying the chain (for <see cref="Verify"/> and <see cref="Migrate"/>).</summary>
    public static PostgresMeasurementRecordStore Attach(string connectionString, bool create = true, TimeProvider? time = null)
    {
        string cs = ToNpgsql(connectionString);
        NpgsqlConnectionStringBuilder b;
        try { b = new NpgsqlConnectionStringBuilder(cs); }
        catch (ArgumentException e) { throw new SarKitInputException($"records database: not a valid PostgreSQL connection string ({e.Message})", e); }
        string location = $"postgresql://{b.Host}{(b.Port != 5432 ? ":" + b.Port : "")}/{b.Database ?? b.Username}";
        var store = new PostgresMeasurementRecordStore(cs, location) { Time = time ?? TimeProvider.System };
        if (!create) return store;
        try
        {
            using var c = store.Connect();
            using var tx = c.BeginTransaction();
            using (var lk = new NpgsqlCommand("SELECT pg_advisory_xact_lock(7267317011);", c, tx)) lk.ExecuteNonQuery(); // serialise concurrent schema set-up
            var (records, chain) = Tables(c, tx);
            if (!records && !chain)
            {
                using var cmd = new NpgsqlCommand(Schema + "INSERT INTO measurement_records_chain (singleton, format, record_count, head_sha256) VALUES (1, @format, 0, @head);", c, tx);
                cmd.Parameters.AddWithValue("format", RecordChain.Format);
                cmd.Parameters.AddWithValue("head", RecordChain.GenesisHash);
                cmd.ExecuteNonQuery();
            }
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

    private static (bool Records, bool Chain) Tables(NpgsqlConnection c, NpgsqlTransaction tx)
    {
        using var cmd = new NpgsqlCommand("SELECT to_regclass('measurement_records') IS NOT NULL, to_regclass('measurement_records_chain') IS NOT NULL;", c, tx);
        using var r = cmd.ExecuteReader();
        r.Read();
        return (r.GetBoolean(0), r.GetBoolean(1));
    }

    private static List<string> Names(NpgsqlConnection c, NpgsqlTransaction tx, string sql)
    {
        using var cmd = new NpgsqlCommand(sql, c, tx);
        using var r = cmd.ExecuteReader();
        var names = new List<string>();
        while (r.Read()) names.Add(r.GetString(0));
        return names;
    }

    private static List<string> ColumnsOf(NpgsqlConnection c, NpgsqlTransaction tx) =>
        Names(c, tx, "SELECT attname::text FROM pg_attribute WHERE attrelid = to_regclass('measurement_records') AND attnum > 0 AND NOT attisdropped;");

    private string? SchemaProblem(NpgsqlConnection c, NpgsqlTransaction tx)
    {
        var (records, chain) = Tables(c, tx);
        if (!records && !chain) return "it has no measurement_records tables";
        if (!chain)
            return ColumnsOf(c, tx).Contains("chain_sha256")
                ? "the metadata table measurement_records_chain is missing (dropped)"
                : MeasurementRecordStore.MigrationNeeded(Location);
        if (!records) return "the table measurement_records is missing (dropped) while its chain metadata exists";
        var columns = ColumnsOf(c, tx);
        if (RecordRows.ColumnNames.FirstOrDefault(n => !columns.Contains(n)) is { } missing)
            return $"column measurement_records.{missing} is missing";
        var triggers = Names(c, tx, """
            SELECT t.tgrelid::regclass::text || '/' || t.tgname::text FROM pg_trigger t
            WHERE t.tgrelid IN (to_regclass('measurement_records'), to_regclass('measurement_records_chain')) AND NOT t.tgisinternal AND t.tgenabled <> 'D';
            """);
        foreach (var (table, trigger) in Triggers)
            if (!triggers.Any(t => t.EndsWith("/" + trigger, StringComparison.Ordinal)))
                return $"the append-only trigger {trigger} on {table} is missing or disabled";
        return null;
    }

    private (long Count, string Head) ReadMetadata(NpgsqlConnection c, NpgsqlTransaction tx, bool forUpdate)
    {
        using var cmd = new NpgsqlCommand($"SELECT format, record_count, head_sha256 FROM measurement_records_chain{(forUpdate ? " FOR UPDATE" : "")};", c, tx);
        using var r = cmd.ExecuteReader();
        if (!r.Read()) throw new RecordStoreDamagedException(RecordChainStatus.Broken(Location, null, "the metadata row of measurement_records_chain is missing"));
        var format = r.GetValue(0) as string;
        var countValue = r.GetValue(1);
        var head = r.GetValue(2) as string;
        if (r.Read() || format != RecordChain.Format || countValue is not long count || head is null)
            throw new RecordStoreDamagedException(RecordChainStatus.Broken(Location, null, $"the metadata table measurement_records_chain is not one row of format {RecordChain.Format}"));
        return (count, head);
    }

    private static IEnumerable<RecordRow> ReadRows(NpgsqlConnection c, NpgsqlTransaction tx)
    {
        using var cmd = new NpgsqlCommand($"SELECT {RecordRows.Columns} FROM measurement_records ORDER BY id;", c, tx);
        using var r = cmd.ExecuteReader();
        while (r.Read()) yield return RecordRows.Read(r);
    }

    private SarKitInputException Unreachable(NpgsqlException e) => new($"records database {Location}: cannot connect or read ({e.Message})", e);

    /// <inheritdoc/>
    public RecordChainStatus Verify()
    {
        try
        {
            using var c = Connect();
            using var tx = c.BeginTransaction(System.Data.IsolationLevel.RepeatableRead);
            if (SchemaProblem(c, tx) is { } problem) return RecordChainStatus.Broken(Location, null, problem);
            var (count, head) = ReadMetadata(c, tx, forUpdate: false);
            return RecordChain.Verify(Location, ReadRows(c, tx), count, head);
        }
        catch (RecordStoreDamagedException e) { return e.Status; }
        catch (NpgsqlException e) { throw Unreachable(e); }
    }

    /// <summary>Appends a record in one transaction that locks the metadata row, verifies schema, chain and metadata, seals the
    /// record into the chain (<see cref="RecordChain.Seal"/>) and updates the metadata.</summary>
    public MeasurementRecord Add(string method, string inputJson, string resultJson, double sarWPerKg, string sarkitVersion, string? inputOriginal = null)
    {
        MeasurementRecord.CheckNew(method, inputJson, resultJson, sarWPerKg, sarkitVersion);
        try
        {
            using var c = Connect();
            using var tx = c.BeginTransaction();
            if (SchemaProblem(c, tx) is { } problem) throw new RecordStoreDamagedException(RecordChainStatus.Broken(Location, null, problem));
            var (count, head) = ReadMetadata(c, tx, forUpdate: true); // the row lock serialises appenders
            // The whole chain is verified inside the write transaction: nothing is appended to a damaged store.
            RecordChain.Verify(Location, ReadRows(c, tx).ToList(), count, head).ThrowIfDamaged();
            long id;
            using (var q = new NpgsqlCommand("SELECT nextval(pg_get_serial_sequence('measurement_records', 'id'));", c, tx))
                id = (long)q.ExecuteScalar()!;
            var rec = RecordChain.Seal(new MeasurementRecord(id, MeasurementRecordStore.Now(Time), method, inputJson, resultJson, sarWPerKg, sarkitVersion, "", inputOriginal), head);
            using var cmd = new NpgsqlCommand($"""
                INSERT INTO measurement_records ({RecordRows.Columns}) OVERRIDING SYSTEM VALUE
                VALUES (@id, @created, @method, @input, @result, @sar, @version, @hash, @original, @prev, @chain);
                UPDATE measurement_records_chain SET record_count = record_count + 1, head_sha256 = @chain WHERE singleton = 1;
                """, c, tx);
            cmd.Parameters.AddWithValue("id", rec.Id);
            cmd.Parameters.AddWithValue("created", rec.CreatedUtc);
            cmd.Parameters.AddWithValue("method", method);
            cmd.Parameters.AddWithValue("input", inputJson);
            cmd.Parameters.AddWithValue("result", resultJson);
            cmd.Parameters.AddWithValue("sar", sarWPerKg);
            cmd.Parameters.AddWithValue("version", sarkitVersion);
            cmd.Parameters.AddWithValue("hash", rec.ContentSha256);
            cmd.Parameters.Add(new NpgsqlParameter("original", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)inputOriginal ?? DBNull.Value });
            cmd.Parameters.AddWithValue("prev", rec.PrevSha256!);
            cmd.Parameters.AddWithValue("chain", rec.ChainSha256!);
            cmd.ExecuteNonQuery();
            tx.Commit();
            return rec;
        }
        catch (NpgsqlException e) { throw Unreachable(e); }
    }

    /// <inheritdoc/>
    public MeasurementRecord? Get(long id) => List().FirstOrDefault(r => r.Id == id);

    /// <inheritdoc/>
    public IReadOnlyList<MeasurementRecord> List()
    {
        try
        {
            using var c = Connect();
            using var tx = c.BeginTransaction(System.Data.IsolationLevel.RepeatableRead);
            if (SchemaProblem(c, tx) is { } problem) throw new RecordStoreDamagedException(RecordChainStatus.Broken(Location, null, problem));
            var (count, head) = ReadMetadata(c, tx, forUpdate: false);
            var rows = ReadRows(c, tx).ToList();
            RecordChain.Verify(Location, rows, count, head).ThrowIfDamaged();
            return rows.Select(r => r.Record!).ToList();
        }
        catch (NpgsqlException e) { throw Unreachable(e); }
    }

    /// <summary>
    /// Converts a store created before the hash chain (<c>sarkit records migrate</c>), in one transaction: checks every
    /// content hash, adds the chain columns, links the records in id order (with the row trigger disabled inside the
    /// transaction), creates the metadata table and triggers. The chain vouches for the records only from the migration on.
    /// </summary>
    public static RecordChainStatus Migrate(string connectionString)
    {
        var store = Attach(connectionString, create: false);
        try
        {
            using (var c = store.Connect())
            {
                using var tx = c.BeginTransaction();
                using (var lk = new NpgsqlCommand("SELECT pg_advisory_xact_lock(7267317011);", c, tx)) lk.ExecuteNonQuery();
                var (records, chain) = Tables(c, tx);
                if (chain) throw new SarKitInputException($"records database {store.Location}: is already hash-chained; nothing to migrate (use `sarkit records verify`)");
                if (!records) throw new SarKitInputException($"records database {store.Location}: has no measurement_records table; not a SarKit records database");
                void Exec(string sql) { using var x = new NpgsqlCommand(sql, c, tx); x.ExecuteNonQuery(); }
                Exec("""
                    ALTER TABLE measurement_records ADD COLUMN IF NOT EXISTS input_original TEXT NULL;
                    ALTER TABLE measurement_records ADD COLUMN IF NOT EXISTS prev_sha256 TEXT NULL;
                    ALTER TABLE measurement_records ADD COLUMN IF NOT EXISTS chain_sha256 TEXT NULL;
                    """);
                Exec(Function + "DROP TRIGGER IF EXISTS measurement_records_no_update_delete ON measurement_records;");
                var rows = ReadRows(c, tx).ToList();
                string prev = RecordChain.GenesisHash;
                foreach (var row in rows)
                {
                    if (row.ReadError is { } err) throw new SarKitInputException($"records database {store.Location}: record {row.Id} cannot be read ({err}); not migrated");
                    var r = row.Record!;
                    if (!r.HashVerifies) throw new SarKitInputException($"records database {store.Location}: record {r.Id}: content_sha256 does not match its texts (changed after recording); not migrated");
                    if (!double.IsFinite(r.SarWPerKg)) throw new SarKitInputException($"records database {store.Location}: record {r.Id}: sar_w_per_kg is not finite; not migrated");
                    // Timestamps are kept at microsecond resolution by PostgreSQL, which is what was read back.
                    var s = RecordChain.Seal(r, prev);
                    using var u = new NpgsqlCommand("UPDATE measurement_records SET prev_sha256 = @prev, chain_sha256 = @chain WHERE id = @id;", c, tx);
                    u.Parameters.AddWithValue("prev", prev);
                    u.Parameters.AddWithValue("chain", s.ChainSha256!);
                    u.Parameters.AddWithValue("id", r.Id);
                    u.ExecuteNonQuery();
                    prev = s.ChainSha256!;
                }
                using var m = new NpgsqlCommand(RecordTriggers + ChainTable +
                    "INSERT INTO measurement_records_chain (singleton, format, record_count, head_sha256) VALUES (1, @format, @count, @head);", c, tx);
                m.Parameters.AddWithValue("format", RecordChain.Format);
                m.Parameters.AddWithValue("count", (long)rows.Count);
                m.Parameters.AddWithValue("head", prev);
                m.ExecuteNonQuery();
                tx.Commit();
            }
            return store.Verify();
        }
        catch (NpgsqlException e) { throw store.Unreachable(e); }
    }
}

/// <summary>Opens the record store named by a location: a PostgreSQL connection string or URI, else an SQLite folder or .db file.</summary>
public static class MeasurementRecordStores
{
    /// <summary>
    /// Opens the store at <paramref name="location"/> (or the environment variable <see cref="MeasurementRecordStore.EnvironmentVariable"/>):
    /// a PostgreSQL connection (<see cref="PostgresMeasurementRecordStore.IsConnectionString"/>), else an SQLite folder or .db file
    /// (<see cref="MeasurementRecordStore.ResolveDatabasePath"/>). With <paramref name="mustExist"/> a missing SQLite file is a
    /// <see cref="SarKitInputException"/> instead of being created. New records are time-stamped from <paramref name="time"/>
    /// (default <see cref="TimeProvider.System"/>).
    /// </summary>
    public static IMeasurementRecordStore Open(string? location, bool mustExist = false, TimeProvider? time = null)
    {
        if (string.IsNullOrWhiteSpace(location)) location = Environment.GetEnvironmentVariable(MeasurementRecordStore.EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(location) && PostgresMeasurementRecordStore.IsConnectionString(location))
            return PostgresMeasurementRecordStore.Open(location, time);
        var path = MeasurementRecordStore.ResolveDatabasePath(location);
        if (mustExist && !File.Exists(path))
            throw new SarKitInputException($"records database not found: {path} (records are created with `sarkit nema calorimetry|pulse-energy FILE --record --db PATH`)");
        return MeasurementRecordStore.Open(path, time);
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
        var path = MeasurementRecordStore.ResolveDatabasePath(location);
        if (File.Exists(path)) MeasurementRecordStore.Open(path); // an existing store must verify before anything is computed or written
    }

    /// <summary>
    /// Verifies the store at <paramref name="location"/> (<c>sarkit records verify</c>) without creating anything: a missing
    /// SQLite file or an unreachable server is a <see cref="SarKitInputException"/>; damage is returned as a status.
    /// </summary>
    public static RecordChainStatus Verify(string? location)
    {
        if (string.IsNullOrWhiteSpace(location)) location = Environment.GetEnvironmentVariable(MeasurementRecordStore.EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(location) && PostgresMeasurementRecordStore.IsConnectionString(location))
            return PostgresMeasurementRecordStore.Attach(location, create: false).Verify();
        return MeasurementRecordStore.Attach(MeasurementRecordStore.ResolveDatabasePath(location), create: false).Verify();
    }

    /// <summary>Converts a store created before the hash chain (<c>sarkit records migrate</c>); see <see cref="MeasurementRecordStore.Migrate"/>.</summary>
    public static RecordChainStatus Migrate(string? location)
    {
        if (string.IsNullOrWhiteSpace(location)) location = Environment.GetEnvironmentVariable(MeasurementRecordStore.EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(location) && PostgresMeasurementRecordStore.IsConnectionString(location))
            return PostgresMeasurementRecordStore.Migrate(location);
        return MeasurementRecordStore.Migrate(MeasurementRecordStore.ResolveDatabasePath(location));
    }
}
