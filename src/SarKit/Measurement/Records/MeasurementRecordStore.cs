using System.Globalization;
using Microsoft.Data.Sqlite;

namespace SarKit.Measurement.Records;

/// <summary>
/// Append-only store of <see cref="MeasurementRecord"/>s in an embedded SQLite database file (default name
/// <see cref="DefaultFileName"/>; docs/nema-ms8.md, "Measurement records"). There is no update or delete API, and the
/// schema has triggers that abort any UPDATE or DELETE on the table, so raw SQL cannot change stored records either.
/// </summary>
public sealed class MeasurementRecordStore : IMeasurementRecordStore
{
    /// <summary>File name of the database inside a records folder.</summary>
    public const string DefaultFileName = "records.db";

    /// <summary>Environment variable naming the records folder when none is given.</summary>
    public const string EnvironmentVariable = "SARKIT_RECORDS";

    /// <summary>Message of the SQLite error raised by the append-only triggers.</summary>
    public const string AppendOnlyMessage = "measurement records are append-only";

    private const string Schema = $"""
        CREATE TABLE IF NOT EXISTS measurement_records (
            id             INTEGER PRIMARY KEY AUTOINCREMENT,
            created_utc    TEXT    NOT NULL,
            method         TEXT    NOT NULL,
            input_json     TEXT    NOT NULL,
            result_json    TEXT    NOT NULL,
            sar_w_per_kg   REAL    NOT NULL,
            sarkit_version TEXT    NOT NULL,
            content_sha256 TEXT    NOT NULL,
            input_original TEXT    NULL
        );
        CREATE TRIGGER IF NOT EXISTS measurement_records_no_update BEFORE UPDATE ON measurement_records
        BEGIN SELECT RAISE(ABORT, '{AppendOnlyMessage}'); END;
        CREATE TRIGGER IF NOT EXISTS measurement_records_no_delete BEFORE DELETE ON measurement_records
        BEGIN SELECT RAISE(ABORT, '{AppendOnlyMessage}'); END;
        """;

    private const string Columns = "id, created_utc, method, input_json, result_json, sar_w_per_kg, sarkit_version, content_sha256, input_original";

    /// <summary>Full path of the database file.</summary>
    public string DatabasePath { get; }

    /// <inheritdoc/>
    public string Location => DatabasePath;

    private string ConnectionString => new SqliteConnectionStringBuilder
    {
        DataSource = DatabasePath, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false,
    }.ToString();

    private MeasurementRecordStore(string databasePath) => DatabasePath = databasePath;

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

    /// <summary>Opens (creating folder, file and schema if missing) the store at the database file <paramref name="databasePath"/>.</summary>
    public static MeasurementRecordStore Open(string databasePath)
    {
        var full = Path.GetFullPath(databasePath);
        if (Directory.Exists(full))
            throw new SarKitInputException($"records database {full}: is a folder; expected a database file (use {DefaultFileName} inside it)");
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var store = new MeasurementRecordStore(full);
        try
        {
            using var c = store.Connect();
            using var cmd = c.CreateCommand();
            cmd.CommandText = Schema;
            cmd.ExecuteNonQuery();
            // Databases created before input_original existed get the column (ALTER TABLE is not blocked by the row triggers).
            cmd.CommandText = "SELECT COUNT(*) FROM pragma_table_info('measurement_records') WHERE name = 'input_original';";
            if ((long)cmd.ExecuteScalar()! == 0)
            {
                cmd.CommandText = "ALTER TABLE measurement_records ADD COLUMN input_original TEXT NULL;";
                cmd.ExecuteNonQuery();
            }
        }
        catch (SqliteException e)
        {
            throw new SarKitInputException($"records database {full}: cannot open or initialise ({e.Message}); expected a SarKit records SQLite file", e);
        }
        return store;
    }

    /// <summary>Opens a new connection to the database (for tests and tools; the append-only triggers still apply).</summary>
    public SqliteConnection Connect()
    {
        var c = new SqliteConnection(ConnectionString);
        c.Open();
        return c;
    }

    /// <summary>Appends a record; the store assigns id, UTC time and the content hash (<see cref="MeasurementRecord.ComputeContentHash"/>).</summary>
    public MeasurementRecord Add(string method, string inputJson, string resultJson, double sarWPerKg, string sarkitVersion, string? inputOriginal = null)
    {
        MeasurementRecord.CheckNew(method, inputJson, resultJson, sarWPerKg, sarkitVersion);
        var created = DateTime.UtcNow;
        var hash = MeasurementRecord.ComputeContentHash(inputJson, resultJson, inputOriginal);
        using var c = Connect();
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            INSERT INTO measurement_records (created_utc, method, input_json, result_json, sar_w_per_kg, sarkit_version, content_sha256, input_original)
            VALUES ($created, $method, $input, $result, $sar, $version, $hash, $original);
            SELECT last_insert_rowid();
            """;
        cmd.Parameters.AddWithValue("$created", created.ToString("O", CultureInfo.InvariantCulture));
        cmd.Parameters.AddWithValue("$method", method);
        cmd.Parameters.AddWithValue("$input", inputJson);
        cmd.Parameters.AddWithValue("$result", resultJson);
        cmd.Parameters.AddWithValue("$sar", sarWPerKg);
        cmd.Parameters.AddWithValue("$version", sarkitVersion);
        cmd.Parameters.AddWithValue("$hash", hash);
        cmd.Parameters.AddWithValue("$original", (object?)inputOriginal ?? DBNull.Value);
        long id = (long)cmd.ExecuteScalar()!;
        return new MeasurementRecord(id, created, method, inputJson, resultJson, sarWPerKg, sarkitVersion, hash, inputOriginal);
    }

    /// <summary>The record with <paramref name="id"/>, or null when there is none.</summary>
    public MeasurementRecord? Get(long id)
    {
        using var c = Connect();
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT {Columns} FROM measurement_records WHERE id = $id;";
        cmd.Parameters.AddWithValue("$id", id);
        using var r = cmd.ExecuteReader();
        return r.Read() ? ReadRecord(r) : null;
    }

    /// <summary>All records in id order.</summary>
    public IReadOnlyList<MeasurementRecord> List()
    {
        using var c = Connect();
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT {Columns} FROM measurement_records ORDER BY id;";
        using var r = cmd.ExecuteReader();
        var list = new List<MeasurementRecord>();
        while (r.Read()) list.Add(ReadRecord(r));
        return list;
    }

    private static MeasurementRecord ReadRecord(SqliteDataReader r) => new(
        r.GetInt64(0),
        DateTime.Parse(r.GetString(1), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
        r.GetString(2), r.GetString(3), r.GetString(4), r.GetDouble(5), r.GetString(6), r.GetString(7), r.IsDBNull(8) ? null : r.GetString(8));
}
