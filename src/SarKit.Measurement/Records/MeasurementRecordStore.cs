using System.Globalization;
using Microsoft.Data.Sqlite;

namespace SarKit.Measurement.Records;

/// <summary>
/// Append-only, hash-chained store of <see cref="MeasurementRecord"/>s in an embedded SQLite database file (default name
/// <see cref="DefaultFileName"/>; docs/nema-ms8.md, "Measurement records"). There is no update or delete API, the schema
/// has triggers that abort any UPDATE or DELETE on the table, and every record is linked into a <see cref="RecordChain"/>
/// whose count and head are kept in the table <c>measurement_records_chain</c>. A new file is created atomically with the
/// full schema; an existing file is only used when its schema, chain and metadata verify (a damaged store, a file that is
/// not a records database, and a store from before the chain are refused; the latter is converted by <see cref="Migrate"/>).
/// </summary>
public sealed class MeasurementRecordStore : IMeasurementRecordStore
{
    /// <summary>File name of the database inside a records folder.</summary>
    public const string DefaultFileName = "records.db";

    /// <summary>Environment variable naming the records folder when none is given.</summary>
    public const string EnvironmentVariable = "SARKIT_RECORDS";

    /// <summary>Message of the SQLite error raised by the append-only triggers.</summary>
    public const string AppendOnlyMessage = "measurement records are append-only";

    /// <summary>Names of the append-only triggers a chained SQLite store must have.</summary>
    internal static readonly string[] Triggers = ["measurement_records_no_update", "measurement_records_no_delete", "measurement_records_chain_no_delete"];

    private const string Triggers1 = $"""
        CREATE TRIGGER IF NOT EXISTS measurement_records_no_update BEFORE UPDATE ON measurement_records
        BEGIN SELECT RAISE(ABORT, '{AppendOnlyMessage}'); END;
        CREATE TRIGGER IF NOT EXISTS measurement_records_no_delete BEFORE DELETE ON measurement_records
        BEGIN SELECT RAISE(ABORT, '{AppendOnlyMessage}'); END;
        """;

    private const string ChainTable = $"""
        CREATE TABLE measurement_records_chain (
            singleton    INTEGER PRIMARY KEY CHECK (singleton = 1),
            format       TEXT    NOT NULL,
            record_count INTEGER NOT NULL,
            head_sha256  TEXT    NOT NULL
        );
        CREATE TRIGGER measurement_records_chain_no_delete BEFORE DELETE ON measurement_records_chain
        BEGIN SELECT RAISE(ABORT, '{AppendOnlyMessage}'); END;
        """;

    private const string Schema = $"""
        CREATE TABLE measurement_records (
            id             INTEGER PRIMARY KEY AUTOINCREMENT,
            created_utc    TEXT    NOT NULL,
            method         TEXT    NOT NULL,
            input_json     TEXT    NOT NULL,
            result_json    TEXT    NOT NULL,
            sar_w_per_kg   REAL    NOT NULL,
            sarkit_version TEXT    NOT NULL,
            content_sha256 TEXT    NOT NULL,
            input_original TEXT    NULL,
            prev_sha256    TEXT    NOT NULL,
            chain_sha256   TEXT    NOT NULL
        );
        {Triggers1}
        {ChainTable}
        """;

    /// <summary>Full path of the database file.</summary>
    public string DatabasePath { get; }

    /// <inheritdoc/>
    public string Location => DatabasePath;

    private string ConnectionString => new SqliteConnectionStringBuilder
    {
        DataSource = DatabasePath, Mode = SqliteOpenMode.ReadWrite, Pooling = false,
    }.ToString();

    /// <summary>The clock the creation time of new records is read from.</summary>
    public TimeProvider Time { get; }

    private MeasurementRecordStore(string databasePath, TimeProvider? time)
    {
        DatabasePath = databasePath;
        Time = time ?? TimeProvider.System;
    }

    /// <summary>
    /// Resolves the database file: <paramref name="location"/> if given, else the folder in the environment variable
    /// <see cref="EnvironmentVariable"/>. A location ending in ".db" is the database file itself; anything else is a folder
    /// holding <see cref="DefaultFileName"/>. Throws <see cref="SarKitInputException"/> when neither is set.
    /// </summary>
    public static string ResolveDatabasePath(string? location)
    {
        if (string.IsNullOrWhiteSpace(location)) location = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(location))
            throw new SarKitInputException($"no records location: give --db PATH (a folder, or a .db file) or set the environment variable {EnvironmentVariable} to a folder");
        var full = Path.GetFullPath(location);
        return full.EndsWith(".db", StringComparison.OrdinalIgnoreCase) ? full : Path.Combine(full, DefaultFileName);
    }

    /// <summary>
    /// Opens the store at the database file <paramref name="databasePath"/>, creating folder and file (atomically, with the
    /// full schema) when the file does not exist. An existing file must verify (<see cref="Verify"/>): otherwise
    /// <see cref="RecordStoreDamagedException"/> (damaged or pre-chain store) or <see cref="SarKitInputException"/> (not a
    /// records database) is thrown; an existing file is never re-initialised. New records are time-stamped from
    /// <paramref name="time"/> (default <see cref="TimeProvider.System"/>).
    /// </summary>
    public static MeasurementRecordStore Open(string databasePath, TimeProvider? time = null)
    {
        var store = Attach(databasePath, create: true, time);
        store.Verify().ThrowIfDamaged();
        return store;
    }

    /// <summary>
    /// The store at <paramref name="databasePath"/> without verifying it (for <see cref="Verify"/> and <see cref="Migrate"/>);
    /// with <paramref name="create"/> a missing file is created with the schema, otherwise it is a <see cref="SarKitInputException"/>.
    /// </summary>
    public static MeasurementRecordStore Attach(string databasePath, bool create, TimeProvider? time = null)
    {
        var full = Path.GetFullPath(databasePath);
        if (Directory.Exists(full))
            throw new SarKitInputException($"records database {full}: is a folder; expected a database file (use {DefaultFileName} inside it)");
        var store = new MeasurementRecordStore(full, time);
        if (!File.Exists(full))
        {
            if (!create) throw new SarKitInputException($"records database not found: {full} (records are created with `sarkit nema calorimetry|pulse-energy FILE --record --db PATH`)");
            store.CreateNew();
        }
        return store;
    }

    /// <summary>Creates the database with its schema in a temporary file beside it and moves it into place (never over an existing file).</summary>
    private void CreateNew()
    {
        var dir = Path.GetDirectoryName(DatabasePath)!;
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(dir, $".{Path.GetFileName(DatabasePath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = tmp, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString()))
            {
                c.Open();
                using var tx = c.BeginTransaction();
                using var cmd = c.CreateCommand();
                cmd.Transaction = tx;
                cmd.CommandText = Schema + "INSERT INTO measurement_records_chain (singleton, format, record_count, head_sha256) VALUES (1, $format, 0, $head);";
                cmd.Parameters.AddWithValue("$format", RecordChain.Format);
                cmd.Parameters.AddWithValue("$head", RecordChain.GenesisHash);
                cmd.ExecuteNonQuery();
                tx.Commit();
            }
            try { File.Move(tmp, DatabasePath, overwrite: false); }
            catch (IOException) when (File.Exists(DatabasePath)) { } // created concurrently by another process: use that one
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    /// <summary>Opens a new connection to the database (for tests and tools; the append-only triggers still apply).</summary>
    public SqliteConnection Connect()
    {
        var c = new SqliteConnection(ConnectionString);
        c.Open();
        return c;
    }

    private SarKitInputException NotADatabase(Exception e) =>
        new($"records database {DatabasePath}: cannot be read as SQLite ({e.Message}); expected a SarKit records SQLite file", e);

    /// <summary>
    /// Verifies the store: schema (both tables, every column, the append-only triggers), every record
    /// (<see cref="RecordChain.Verify"/>) and the metadata, read in one transaction. A file that is not SQLite is a
    /// <see cref="SarKitInputException"/>; every kind of damage is returned as a status naming it.
    /// </summary>
    public RecordChainStatus Verify()
    {
        try
        {
            using var c = Connect();
            using var tx = c.BeginTransaction(deferred: true);
            if (SchemaProblem(c, tx) is { } problem) return RecordChainStatus.Broken(DatabasePath, null, problem);
            var (count, head) = ReadMetadata(c, tx);
            return RecordChain.Verify(DatabasePath, ReadRows(c, tx), count, head);
        }
        catch (RecordStoreDamagedException e) { return e.Status; }
        catch (SqliteException e) { throw NotADatabase(e); }
    }

    private static List<string> Names(SqliteConnection c, SqliteTransaction tx, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        using var r = cmd.ExecuteReader();
        var names = new List<string>();
        while (r.Read()) names.Add(r.GetString(0));
        return names;
    }

    /// <summary>What is wrong with the schema, or null. A pre-chain store gets the message asking for <c>records migrate</c>.</summary>
    private string? SchemaProblem(SqliteConnection c, SqliteTransaction tx)
    {
        var tables = Names(c, tx, "SELECT name FROM sqlite_master WHERE type = 'table';");
        bool records = tables.Contains("measurement_records"), chain = tables.Contains("measurement_records_chain");
        if (!records && !chain)
            return $"it has no measurement_records tables: it is not a SarKit records database, or its tables were dropped (SarKit never re-initialises an existing file; use a new path for a new store)";
        if (!chain)
        {
            var cols = Names(c, tx, "SELECT name FROM pragma_table_info('measurement_records');");
            if (!cols.Contains("chain_sha256"))
                return MigrationNeeded(DatabasePath);
            return "the metadata table measurement_records_chain is missing (dropped)";
        }
        if (!records) return "the table measurement_records is missing (dropped) while its chain metadata exists";
        var columns = Names(c, tx, "SELECT name FROM pragma_table_info('measurement_records');");
        if (RecordRows.ColumnNames.FirstOrDefault(n => !columns.Contains(n)) is { } missing)
            return $"column measurement_records.{missing} is missing";
        var triggers = Names(c, tx, "SELECT name FROM sqlite_master WHERE type = 'trigger';");
        if (Triggers.FirstOrDefault(t => !triggers.Contains(t)) is { } gone)
            return $"the append-only trigger {gone} is missing (dropped)";
        return null;
    }

    /// <summary>The refusal message for a store created before the hash chain.</summary>
    internal static string MigrationNeeded(string location) =>
        $"it was created before records were hash-chained; check it and convert it explicitly with `sarkit records migrate --db {location}` (records are not migrated automatically)";

    private (long Count, string Head) ReadMetadata(SqliteConnection c, SqliteTransaction tx)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT format, record_count, head_sha256 FROM measurement_records_chain;";
        using var r = cmd.ExecuteReader();
        if (!r.Read()) throw new RecordStoreDamagedException(RecordChainStatus.Broken(DatabasePath, null, "the metadata row of measurement_records_chain is missing"));
        var format = r.GetValue(0) as string;
        var countValue = r.GetValue(1);
        var head = r.GetValue(2) as string;
        if (r.Read() || format != RecordChain.Format || countValue is not long count || head is null)
            throw new RecordStoreDamagedException(RecordChainStatus.Broken(DatabasePath, null, $"the metadata table measurement_records_chain is not one row of format {RecordChain.Format}"));
        return (count, head);
    }

    private static IEnumerable<RecordRow> ReadRows(SqliteConnection c, SqliteTransaction tx)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = $"SELECT {RecordRows.Columns} FROM measurement_records ORDER BY id;";
        using var r = cmd.ExecuteReader();
        while (r.Read()) yield return RecordRows.Read(r);
    }

    /// <summary>
    /// Appends a record in one IMMEDIATE transaction: verifies schema, chain and metadata (refusing a damaged store), assigns the next id and the UTC time, seals the record into the chain (<see cref="RecordChain.Seal"/>) and updates
    /// the metadata.
    /// </summary>
    public MeasurementRecord Add(string method, string inputJson, string resultJson, double sarWPerKg, string sarkitVersion, string? inputOriginal = null)
    {
        MeasurementRecord.CheckNew(method, inputJson, resultJson, sarWPerKg, sarkitVersion);
        try
        {
            using var c = Connect();
            using var tx = c.BeginTransaction(deferred: false);
            if (SchemaProblem(c, tx) is { } problem) throw new RecordStoreDamagedException(RecordChainStatus.Broken(DatabasePath, null, problem));
            var (count, head) = ReadMetadata(c, tx);
            // The whole chain is verified inside the write transaction: nothing is appended to a damaged store.
            RecordChain.Verify(DatabasePath, ReadRows(c, tx), count, head).ThrowIfDamaged();
            using var cmd = c.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = """
                SELECT MAX(COALESCE((SELECT MAX(id) FROM measurement_records), 0),
                           COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'measurement_records'), 0));
                """;
            long lastId = (long)cmd.ExecuteScalar()!;
            var rec = RecordChain.Seal(new MeasurementRecord(lastId + 1, Now(Time), method, inputJson, resultJson, sarWPerKg, sarkitVersion, "", inputOriginal), head);
            cmd.CommandText = $"""
                INSERT INTO measurement_records ({RecordRows.Columns})
                VALUES ($id, $created, $method, $input, $result, $sar, $version, $hash, $original, $prev, $chain);
                UPDATE measurement_records_chain SET record_count = record_count + 1, head_sha256 = $chain WHERE singleton = 1;
                """;
            cmd.Parameters.AddWithValue("$id", rec.Id);
            cmd.Parameters.AddWithValue("$created", RecordChain.TimeText(rec.CreatedUtc));
            cmd.Parameters.AddWithValue("$method", method);
            cmd.Parameters.AddWithValue("$input", inputJson);
            cmd.Parameters.AddWithValue("$result", resultJson);
            cmd.Parameters.AddWithValue("$sar", sarWPerKg);
            cmd.Parameters.AddWithValue("$version", sarkitVersion);
            cmd.Parameters.AddWithValue("$hash", rec.ContentSha256);
            cmd.Parameters.AddWithValue("$original", (object?)inputOriginal ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$prev", rec.PrevSha256);
            cmd.Parameters.AddWithValue("$chain", rec.ChainSha256);
            cmd.ExecuteNonQuery();
            tx.Commit();
            return rec;
        }
        catch (SqliteException e) { throw NotADatabase(e); }
    }

    /// <summary>The current UTC time of <paramref name="time"/> at the resolution both stores keep (microseconds, as PostgreSQL does).</summary>
    internal static DateTime Now(TimeProvider time)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return new DateTime(now.Ticks - now.Ticks % 10, DateTimeKind.Utc);
    }

    /// <summary>The record with <paramref name="id"/>, or null when there is none; the whole store is verified first.</summary>
    public MeasurementRecord? Get(long id) => List().FirstOrDefault(r => r.Id == id);

    /// <summary>All records in id order, after verifying the whole store (throws <see cref="RecordStoreDamagedException"/> if damaged).</summary>
    public IReadOnlyList<MeasurementRecord> List()
    {
        try
        {
            using var c = Connect();
            using var tx = c.BeginTransaction(deferred: true);
            if (SchemaProblem(c, tx) is { } problem) throw new RecordStoreDamagedException(RecordChainStatus.Broken(DatabasePath, null, problem));
            var (count, head) = ReadMetadata(c, tx);
            var rows = ReadRows(c, tx).ToList();
            RecordChain.Verify(DatabasePath, rows, count, head).ThrowIfDamaged();
            return rows.Select(r => r.Record!).ToList();
        }
        catch (SqliteException e) { throw NotADatabase(e); }
    }

    /// <summary>
    /// Converts a store created before the hash chain (<c>sarkit records migrate</c>): in one transaction, checks every
    /// record's content hash (refusing the migration at the first mismatch), adds the chain columns, links the existing
    /// records in id order, creates the metadata table and restores the append-only triggers. Returns the verified status.
    /// The chain vouches for the records only from the migration on: edits made before it cannot be detected.
    /// </summary>
    public static RecordChainStatus Migrate(string databasePath)
    {
        var store = Attach(databasePath, create: false);
        try
        {
            using (var c = store.Connect())
            {
                using var tx = c.BeginTransaction(deferred: false);
                var tables = Names(c, tx, "SELECT name FROM sqlite_master WHERE type = 'table';");
                if (tables.Contains("measurement_records_chain"))
                    throw new SarKitInputException($"records database {store.DatabasePath}: is already hash-chained; nothing to migrate (use `sarkit records verify`)");
                if (!tables.Contains("measurement_records"))
                    throw new SarKitInputException($"records database {store.DatabasePath}: has no measurement_records table; not a SarKit records database");
                using var cmd = c.CreateCommand();
                cmd.Transaction = tx;
                var cols = Names(c, tx, "SELECT name FROM pragma_table_info('measurement_records');");
                foreach (var col in new[] { "input_original", "prev_sha256", "chain_sha256" })
                    if (!cols.Contains(col)) { cmd.CommandText = $"ALTER TABLE measurement_records ADD COLUMN {col} TEXT NULL;"; cmd.ExecuteNonQuery(); }
                var rows = ReadRows(c, tx).ToList();
                cmd.CommandText = "DROP TRIGGER IF EXISTS measurement_records_no_update;";
                cmd.ExecuteNonQuery();
                string prev = RecordChain.GenesisHash;
                cmd.CommandText = "UPDATE measurement_records SET prev_sha256 = $prev, chain_sha256 = $chain WHERE id = $id;";
                var pPrev = cmd.Parameters.Add("$prev", SqliteType.Text);
                var pChain = cmd.Parameters.Add("$chain", SqliteType.Text);
                var pId = cmd.Parameters.Add("$id", SqliteType.Integer);
                foreach (var row in rows)
                {
                    if (row.ReadError is { } err) throw new SarKitInputException($"records database {store.DatabasePath}: record {row.Id} cannot be read ({err}); not migrated");
                    var r = row.Record!;
                    if (!r.HashVerifies) throw new SarKitInputException($"records database {store.DatabasePath}: record {r.Id}: content_sha256 does not match its texts (changed after recording); not migrated");
                    if (!double.IsFinite(r.SarWPerKg)) throw new SarKitInputException($"records database {store.DatabasePath}: record {r.Id}: sar_w_per_kg is not finite; not migrated");
                    var sealedRec = RecordChain.Seal(r, prev);
                    pPrev.Value = prev; pChain.Value = sealedRec.ChainSha256; pId.Value = r.Id;
                    cmd.ExecuteNonQuery();
                    prev = sealedRec.ChainSha256!;
                }
                cmd.Parameters.Clear();
                cmd.CommandText = Triggers1 + ChainTable + "INSERT INTO measurement_records_chain (singleton, format, record_count, head_sha256) VALUES (1, $format, $count, $head);";
                cmd.Parameters.AddWithValue("$format", RecordChain.Format);
                cmd.Parameters.AddWithValue("$count", rows.Count);
                cmd.Parameters.AddWithValue("$head", prev);
                cmd.ExecuteNonQuery();
                tx.Commit();
            }
            return store.Verify();
        }
        catch (SqliteException e) { throw store.NotADatabase(e); }
    }
}
