using System.CommandLine;
using System.Globalization;
using SarKit.Measurement.Records;

namespace SarKit.Cli.Commands;

/// <summary>`sarkit records list [--db PATH] [--json]`: the append-only measurement records database (docs/nema-ms8.md).</summary>
internal static class RecordsCommand
{
    /// <summary>The shared `--db PATH` option: a folder holding records.db, or a .db file; default $SARKIT_RECORDS.</summary>
    public static Option<string?> DbOption() => new("--db")
    {
        Description = $"Records database: a folder holding {MeasurementRecordStore.DefaultFileName}, or a .db file (default: the folder in ${MeasurementRecordStore.EnvironmentVariable}).",
    };

    public static Command Create(CliIO io)
    {
        var records = new Command("records", "Append-only measurement records (SQLite): evaluations stored with `sarkit nema calorimetry --record`.");
        var db = DbOption();
        var json = new Option<bool>("--json") { Description = "Print one JSON object on stdout (records include input and result JSON verbatim)." };
        var list = new Command("list", "List stored records with SAR, SarKit version and whether the SHA-256 content hash verifies.") { db, json };
        list.SetAction(p => io.Guard(() => RunList(io, p.GetValue(db), p.GetValue(json))));
        records.Add(list);
        return records;
    }

    internal sealed record RecordJson(long Id, string CreatedUtc, string Method, double SarWPerKg, string SarkitVersion,
        string ContentSha256, bool HashVerifies, string InputJson, string ResultJson);
    internal sealed record RecordListJson(string Database, int Count, RecordJson[] Records);

    private static int RunList(CliIO io, string? db, bool json)
    {
        var path = MeasurementRecordStore.ResolveDatabasePath(db);
        if (!File.Exists(path)) throw new SarKitInputException($"records database not found: {path} (records are created with `sarkit nema calorimetry FILE --record --db PATH`)");
        var store = MeasurementRecordStore.Open(path);
        var all = store.List();
        if (json)
        {
            Json.Write(io.Out, new RecordListJson(store.DatabasePath, all.Count, all.Select(r => new RecordJson(
                r.Id, r.CreatedUtc.ToString("O", CultureInfo.InvariantCulture), r.Method, r.SarWPerKg, r.SarkitVersion,
                r.ContentSha256, r.HashVerifies, r.InputJson, r.ResultJson)).ToArray()));
            return CliApp.ExitOk;
        }
        var o = io.Out;
        o.WriteLine($"Measurement records: {store.DatabasePath} ({all.Count})");
        o.WriteLine($"  {"id",5}  {"created (UTC)",-20}  {"method",-13}  {"SAR W/kg",10}  {"SarKit",-8}  {"sha256",-16}  hash");
        foreach (var r in all)
            o.WriteLine($"  {r.Id,5}  {r.CreatedUtc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),-20}  {r.Method,-13}  " +
                        $"{r.SarWPerKg.ToString("0.0000", CultureInfo.InvariantCulture),10}  {r.SarkitVersion,-8}  {r.ContentSha256[..16],-16}  {(r.HashVerifies ? "ok" : "MISMATCH")}");
        return CliApp.ExitOk;
    }
}
