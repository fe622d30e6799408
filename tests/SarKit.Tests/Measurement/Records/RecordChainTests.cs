using Microsoft.Data.Sqlite;
using SarKit.Measurement.Records;
using SarKit.Tests.Cli;

namespace SarKit.Tests.Measurement.Records;

/// <summary>
/// Tamper evidence of the SQLite record store (issue 14, class 7): with the append-only triggers dropped, every edited
/// column, deleted, forged or truncated row and dropped table is detected by <c>records verify</c> (exit 2 naming the
/// first broken record), and every other command refuses the store instead of reading or re-initialising it.
/// </summary>
public sealed class RecordChainTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sarkit-chain-" + Guid.NewGuid().ToString("N"));
    private string DbPath => Path.Combine(_dir, MeasurementRecordStore.DefaultFileName);

    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    private static string Example => Path.Combine(Support.SharedData.RepoRoot, "examples", "nema", "calorimetry_example.json");

    /// <summary>A store of three records through the CLI (real calorimetry evaluations, so show/compare work), the middle one with YAML original.</summary>
    private MeasurementRecordStore ThreeRecords()
    {
        var store = MeasurementRecordStore.Open(DbPath);
        var text = File.ReadAllText(Example);
        store.Add("calorimetry", text, "{\"sar_w_per_kg\":3.2}", 3.2, "0.1.0");
        store.Add("calorimetry", text, "{\"sar_w_per_kg\":3.3}", 3.3, "0.1.0", "phantom: yaml\n");
        store.Add("calorimetry", text, "{\"sar_w_per_kg\":3.4}", 3.4, "0.1.0");
        return store;
    }

    /// <summary>Drops every append-only trigger (as a user with write access could) and runs <paramref name="sql"/>.</summary>
    private void Tamper(string sql)
    {
        using var c = new SqliteConnection($"Data Source={DbPath};Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = string.Concat(MeasurementRecordStore.Triggers.Select(t => $"DROP TRIGGER IF EXISTS {t};")) + sql;
        cmd.ExecuteNonQuery();
    }

    /// <summary>Re-creates the triggers after tampering so that only the chain can notice (the schema check would otherwise fire first).</summary>
    private void RestoreTriggers() => Tamper($"""
        CREATE TRIGGER measurement_records_no_update BEFORE UPDATE ON measurement_records BEGIN SELECT RAISE(ABORT, 'x'); END;
        CREATE TRIGGER measurement_records_no_delete BEFORE DELETE ON measurement_records BEGIN SELECT RAISE(ABORT, 'x'); END;
        CREATE TRIGGER measurement_records_chain_no_delete BEFORE DELETE ON measurement_records_chain BEGIN SELECT RAISE(ABORT, 'x'); END;
        """);

    /// <summary>Every command refuses the store: open/list/get/add throw, CLI verify/list/show/compare/append exit 2.</summary>
    private void AssertRefused(string expected)
    {
        var s = MeasurementRecordStores.Verify(DbPath);
        Assert.False(s.Intact);
        Assert.Contains(expected, s.Problem);
        Assert.Throws<RecordStoreDamagedException>(() => MeasurementRecordStore.Open(DbPath));
        var v = CliRunner.Run("records", "verify", "--db", DbPath);
        Assert.Equal(2, v.ExitCode);
        Assert.Contains("DAMAGED", v.Err);
        Assert.Contains(expected, v.Err);
        foreach (var args in new[] { new[] { "records", "list" }, ["records", "show", "1"], ["records", "compare", "1", "3"],
                                     ["nema", "calorimetry", Example, "--record"], ["nema", "report", "1"] })
        {
            var r = CliRunner.Run([.. args, "--db", DbPath]);
            Assert.True(r.ExitCode == 2, $"{string.Join(' ', args)}: exit {r.ExitCode}\n{r.Out}\n{r.Err}");
            Assert.Contains("damaged", r.Err);
        }
    }

    [Fact]
    public void IntactStoreVerifiesWithCountAndHead()
    {
        var store = ThreeRecords();
        var all = store.List();
        var s = store.Verify();
        Assert.True(s.Intact, s.Problem);
        Assert.Equal(3, s.Count);
        Assert.Equal(all[^1].ChainSha256, s.HeadSha256);
        Assert.Equal(RecordChain.GenesisHash, all[0].PrevSha256);
        Assert.Equal(all[0].ChainSha256, all[1].PrevSha256);
        var v = CliRunner.Run("records", "verify", "--db", DbPath);
        Assert.Equal(0, v.ExitCode);
        Assert.Contains("Records intact: 3 records", v.Out);
        Assert.Contains(s.HeadSha256!, v.Out);
        Assert.Equal(0, CliRunner.Run("records", "list", "--db", DbPath).ExitCode);
    }

    [Fact]
    public void ChainHashIsSha256OfTheDocumentedCanonicalText()
    {
        var r = MeasurementRecordStore.Open(DbPath).Add("calorimetry", "{\"a\":\"µ\"}", "{}", 2.5, "0.1.0");
        // Independent construction of the documented layout (RecordChain.Canonical): name SP byte-length LF value LF.
        string F(string name, string? v) => $"{name} {(v is null ? "-" : System.Text.Encoding.UTF8.GetByteCount(v).ToString())}\n{v}\n";
        var text = "sarkit-records-chain-v1\n" + F("id", "1") + F("created_utc", r.CreatedUtc.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'")) +
                   F("method", "calorimetry") + F("input_json", "{\"a\":\"µ\"}") + F("result_json", "{}") + F("sar_w_per_kg", "4004000000000000") +
                   F("sarkit_version", "0.1.0") + F("content_sha256", r.ContentSha256) + F("input_original", null) + F("prev_sha256", new string('0', 64));
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text))), r.ChainSha256);
    }

    [Theory]
    [InlineData("created_utc = '2020-01-01T00:00:00.0000000Z'")]
    [InlineData("created_utc = '2020-01-01T00:00:00Z'")]
    [InlineData("method = 'pulse-energy'")]
    [InlineData("input_json = '{}'")]
    [InlineData("result_json = '{\"sar_w_per_kg\":0.1}'")]
    [InlineData("sar_w_per_kg = 0.1")]
    [InlineData("sar_w_per_kg = 3.3000000000000003")]
    [InlineData("sar_w_per_kg = 9e999")]
    [InlineData("sar_w_per_kg = 'low'")]
    [InlineData("sarkit_version = '9.9.9'")]
    [InlineData("content_sha256 = '0000000000000000000000000000000000000000000000000000000000000000'")]
    [InlineData("input_original = NULL")]
    [InlineData("input_original = 'phantom: other\n'")]
    [InlineData("prev_sha256 = '0000000000000000000000000000000000000000000000000000000000000000'")]
    [InlineData("chain_sha256 = '0000000000000000000000000000000000000000000000000000000000000000'")]
    public void EditOfAnyColumnIsDetectedAtThatRecord(string set)
    {
        ThreeRecords();
        Tamper($"UPDATE measurement_records SET {set} WHERE id = 2;");
        RestoreTriggers();
        var s = MeasurementRecordStores.Verify(DbPath);
        Assert.False(s.Intact);
        Assert.Equal(2, s.FirstBrokenId);
        Assert.StartsWith("record 2:", s.Problem);
        AssertRefused("record 2");
    }

    [Fact]
    public void EditedIdIsDetected()
    {
        ThreeRecords();
        Tamper("UPDATE measurement_records SET id = 7 WHERE id = 2;");
        RestoreTriggers();
        Assert.False(MeasurementRecordStores.Verify(DbPath).Intact);
        AssertRefused("record 3");
    }

    [Fact]
    public void RecomputedContentHashIsStillDetectedByTheChain()
    {
        ThreeRecords();
        var h = MeasurementRecord.ComputeContentHash("{}", "{\"sar_w_per_kg\":0.1}");
        Tamper($"UPDATE measurement_records SET input_json = '{{}}', result_json = '{{\"sar_w_per_kg\":0.1}}', input_original = NULL, content_sha256 = '{h}' WHERE id = 2;");
        RestoreTriggers();
        var s = MeasurementRecordStores.Verify(DbPath);
        Assert.Equal(2, s.FirstBrokenId);
        Assert.Contains("chain_sha256 does not match", s.Problem);
    }

    [Fact]
    public void DeletedMiddleRowIsDetectedAtTheNextRecord()
    {
        ThreeRecords();
        Tamper("DELETE FROM measurement_records WHERE id = 2;");
        RestoreTriggers();
        Assert.Equal(3, MeasurementRecordStores.Verify(DbPath).FirstBrokenId);
        AssertRefused("record 3: prev_sha256 does not match");
    }

    [Fact]
    public void DeletedLastRowIsDetectedByTheMetadata()
    {
        ThreeRecords();
        Tamper("DELETE FROM measurement_records WHERE id = 3;");
        RestoreTriggers();
        AssertRefused("the metadata says 3 records but the table holds 2");
    }

    [Fact]
    public void DeletedFirstRowIsDetected()
    {
        ThreeRecords();
        Tamper("DELETE FROM measurement_records WHERE id = 1;");
        RestoreTriggers();
        AssertRefused("record 2: is the first record");
    }

    [Fact]
    public void ForgedRowsAreDetected()
    {
        var store = ThreeRecords();
        var all = store.List();
        // A forged row appended with a correct link but without updating the metadata.
        var forged = RecordChain.Seal(all[^1] with { Id = 4, SarWPerKg = 0.5 }, all[^1].ChainSha256!);
        Insert(forged);
        AssertRefused("the metadata says 3 records but the table holds 4");
    }

    [Fact]
    public void ForgedRowBeforeTheFirstIsDetected()
    {
        var store = ThreeRecords();
        var first = store.List()[0];
        Insert(RecordChain.Seal(first with { Id = 0, SarWPerKg = 0.5 }, RecordChain.GenesisHash));
        AssertRefused("record 1: prev_sha256 does not match");
    }

    [Fact]
    public void ARewrittenChainVerifiesButItsHeadDiffersFromTheLoggedOne()
    {
        // Threat-model limit (docs/reliability/records-and-measurement.md): someone who recomputes chain and metadata is
        // only caught by comparing the head with a copy kept outside the database.
        var store = ThreeRecords();
        var loggedHead = store.Verify().HeadSha256;
        var all = store.List();
        var forged = RecordChain.Seal(all[^1] with { Id = 4, SarWPerKg = 0.5 }, all[^1].ChainSha256!);
        Insert(forged);
        Tamper($"UPDATE measurement_records_chain SET record_count = 4, head_sha256 = '{forged.ChainSha256}';");
        RestoreTriggers();
        var s = MeasurementRecordStores.Verify(DbPath);
        Assert.True(s.Intact);
        Assert.NotEqual(loggedHead, s.HeadSha256);
    }

    private void Insert(MeasurementRecord r) => Tamper($"""
        INSERT INTO measurement_records ({string.Join(", ", "id, created_utc, method, input_json, result_json, sar_w_per_kg, sarkit_version, content_sha256, input_original, prev_sha256, chain_sha256")})
        VALUES ({r.Id}, '{RecordChain.TimeText(r.CreatedUtc)}', '{r.Method}', '{r.InputJson.Replace("'", "''")}', '{r.ResultJson}', {r.SarWPerKg.ToString("R", System.Globalization.CultureInfo.InvariantCulture)},
                '{r.SarkitVersion}', '{r.ContentSha256}', {(r.InputOriginal is null ? "NULL" : $"'{r.InputOriginal}'")}, '{r.PrevSha256}', '{r.ChainSha256}');
        """ + RestoreTriggersSql);

    private const string RestoreTriggersSql = """
        CREATE TRIGGER measurement_records_no_update BEFORE UPDATE ON measurement_records BEGIN SELECT RAISE(ABORT, 'x'); END;
        CREATE TRIGGER measurement_records_no_delete BEFORE DELETE ON measurement_records BEGIN SELECT RAISE(ABORT, 'x'); END;
        CREATE TRIGGER measurement_records_chain_no_delete BEFORE DELETE ON measurement_records_chain BEGIN SELECT RAISE(ABORT, 'x'); END;
        """;

    [Fact]
    public void DroppedTriggersAloneAreSchemaDamage()
    {
        ThreeRecords();
        Tamper("");
        AssertRefused("trigger measurement_records_no_update is missing");
    }

    [Fact]
    public void TruncatedTableIsDetectedAndNotReinitialised()
    {
        ThreeRecords();
        Tamper("DELETE FROM measurement_records;");
        RestoreTriggers();
        AssertRefused("the metadata says 3 records but the table holds 0");
        Assert.Throws<RecordStoreDamagedException>(() => MeasurementRecordStores.Open(DbPath).Add("calorimetry", "{}", "{}", 1, "0.1.0"));
    }

    [Fact]
    public void DroppedTableIsDetectedAndNotRecreated()
    {
        ThreeRecords();
        Tamper("DROP TABLE measurement_records;");
        AssertRefused("measurement_records is missing (dropped)");
        using var c = new SqliteConnection($"Data Source={DbPath};Pooling=False;Mode=ReadOnly");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE name = 'measurement_records';";
        Assert.Equal(0L, (long)cmd.ExecuteScalar()!);
    }

    [Fact]
    public void DroppedMetadataIsDetected()
    {
        ThreeRecords();
        Tamper("DROP TABLE measurement_records_chain;");
        AssertRefused("measurement_records_chain is missing");
    }

    [Fact]
    public void BothTablesDroppedIsRefusedNotReinitialised()
    {
        ThreeRecords();
        Tamper("DROP TABLE measurement_records_chain; DROP TABLE measurement_records;");
        AssertRefused("no measurement_records tables");
    }

    [Fact]
    public void EmptyExistingFileIsRefused()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllBytes(DbPath, []);
        Assert.Throws<RecordStoreDamagedException>(() => MeasurementRecordStore.Open(DbPath));
        Assert.Empty(File.ReadAllBytes(DbPath));
        Assert.Equal(2, CliRunner.Run("records", "verify", "--db", DbPath).ExitCode);
    }

    [Fact]
    public void NewStoreIsCreatedAtomicallyWithNoLeftovers()
    {
        MeasurementRecordStore.Open(DbPath).Add("calorimetry", "{}", "{}", 1, "0.1.0");
        Assert.Equal([MeasurementRecordStore.DefaultFileName], Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public void VerifyOfMissingStoreIsBadInputAndCreatesNothing()
    {
        var v = CliRunner.Run("records", "verify", "--db", DbPath);
        Assert.Equal(2, v.ExitCode);
        Assert.Contains("not found", v.Err);
        Assert.False(File.Exists(DbPath));
    }

    [Fact]
    public void VerifyJsonReportsHead()
    {
        var store = ThreeRecords();
        var v = CliRunner.Run("records", "verify", "--db", DbPath, "--json");
        Assert.Equal(0, v.ExitCode);
        using var doc = System.Text.Json.JsonDocument.Parse(v.Out);
        Assert.True(doc.RootElement.GetProperty("intact").GetBoolean());
        Assert.Equal(3, doc.RootElement.GetProperty("count").GetInt64());
        Assert.Equal(store.Verify().HeadSha256, doc.RootElement.GetProperty("head_sha256").GetString());
    }
}
