using System.CommandLine;
using System.Globalization;
using SarKit.Measurement.Nema.Reporting;
using SarKit.Measurement.Records;
using SarKit.Workflows.Measurement;
using SarKit.Workflows.Results;

namespace SarKit.Cli.Commands;

/// <summary>`sarkit records list|show|compare|verify|migrate [--db LOC] [--json]`: the append-only, hash-chained measurement
/// records database (docs/nema-ms8.md, "Measurement records"). Every command refuses a damaged store (exit 2).</summary>
internal static class RecordsCommand
{
    /// <summary>The shared `--db LOC` option: a folder holding records.db, a .db file, or a PostgreSQL connection; default $SARKIT_RECORDS.</summary>
    public static Option<string?> DbOption() => new("--db")
    {
        Description = $"Records database: a folder holding {MeasurementRecordStore.DefaultFileName}, a .db file (SQLite), or a PostgreSQL connection " +
                      $"(postgresql://user:password@host/db or Host=...;Database=...) (default: ${MeasurementRecordStore.EnvironmentVariable}).",
    };

    public static Command Create(CliIO io)
    {
        var records = new Command("records", "Append-only measurement records (SQLite or PostgreSQL): evaluations stored with `sarkit nema calorimetry|pulse-energy --record`.");
        {
            var db = DbOption();
            var json = new Option<bool>("--json") { Description = "Print one JSON object on stdout (records include input and result JSON verbatim)." };
            var list = new Command("list", "List stored records with SAR, SarKit version and content hash (the whole hash chain is verified first).") { db, json };
            list.SetAction(p => io.Guard(() => RunList(io, p.GetValue(db), p.GetValue(json))));
            records.Add(list);
        }
        {
            var db = DbOption();
            var json = new Option<bool>("--json") { Description = "Print the record as one JSON object." };
            var id = new Argument<long>("ID") { Description = "Record id." }.Positive();
            var show = new Command("show", "Show one record: metadata, hash check, key results and the input as stored.") { id, db, json };
            show.SetAction(p => io.Guard(() => RunShow(io, p.GetValue(id), p.GetValue(db), p.GetValue(json))));
            records.Add(show);
        }
        {
            var db = DbOption();
            var json = new Option<bool>("--json") { Description = "Print the comparison as one JSON object." };
            var all = new Option<bool>("--all") { Description = "List equal values too (default: only differences)." };
            var a = new Argument<long>("ID1") { Description = "First record id." }.Positive();
            var b = new Argument<long>("ID2") { Description = "Second record id." }.Positive();
            var cmp = new Command("compare", "Compare two records: results (SI), verdict and inputs that differ.") { a, b, db, json, all };
            cmp.SetAction(p => io.Guard(() => RunCompare(io, p.GetValue(a), p.GetValue(b), p.GetValue(db), p.GetValue(json), p.GetValue(all))));
            records.Add(cmp);
        }
        {
            var db = DbOption();
            var json = new Option<bool>("--json") { Description = "Print the verification result as one JSON object." };
            var verify = new Command("verify", "Verify schema, every record's hash chain and the metadata; prints the count and the chain head hash " +
                                               "(keep it outside the database: only that detects a rewritten chain). Exit 0 intact, 2 damaged.") { db, json };
            verify.SetAction(p => io.Guard(() => RunVerify(io, p.GetValue(db), p.GetValue(json))));
            records.Add(verify);
        }
        {
            var db = DbOption();
            var migrate = new Command("migrate", "Convert a store created before the hash chain: checks every content hash, links the records in id order " +
                                                 "and prints the new chain head. The chain vouches for the records only from the migration on.") { db };
            migrate.SetAction(p => io.Guard(() => RunMigrate(io, p.GetValue(db))));
            records.Add(migrate);
        }
        return records;
    }

    /// <summary>The records location of `--db` (else $SARKIT_RECORDS) for a use case that records; <see cref="MeasurementRecordStores.Validate"/> checks it.</summary>
    internal static string Location(string? db) =>
        !string.IsNullOrWhiteSpace(db) ? db : Environment.GetEnvironmentVariable(MeasurementRecordStore.EnvironmentVariable) ?? "";

    private static int RunVerify(CliIO io, string? db, bool json)
    {
        var s = RecordKeeping.Verify(db);
        if (json) ResultJson.Write(io.Out, s);
        if (!s.Intact)
        {
            io.Err.WriteLine($"error: records database {s.Database} is DAMAGED: " +
                             $"{(s.FirstBrokenId is { } id ? $"first broken record {id}: " : "")}{s.Problem}");
            return CliApp.ExitBadInput;
        }
        if (!json)
        {
            io.Out.WriteLine($"Records intact: {s.Count} record{(s.Count == 1 ? "" : "s")} in {s.Database}");
            io.Out.WriteLine($"  chain head sha256 {s.HeadSha256}");
            io.Out.WriteLine("  (log or sign this head hash outside the database: a chain rewritten by someone with write access is only detected by comparing it)");
        }
        return CliApp.ExitOk;
    }

    private static int RunMigrate(CliIO io, string? db)
    {
        var s = RecordKeeping.Migrate(db);
        io.Out.WriteLine($"Migrated: {s.Count} record{(s.Count == 1 ? "" : "s")} in {s.Database} are now hash-chained");
        io.Out.WriteLine($"  chain head sha256 {s.HeadSha256}");
        io.Out.WriteLine("  (the chain vouches for these records only from now on; keep the head hash outside the database)");
        return CliApp.ExitOk;
    }

    private static int RunList(CliIO io, string? db, bool json)
    {
        var list = RecordKeeping.List(db);
        if (json)
        {
            ResultJson.Write(io.Out, list);
            return CliApp.ExitOk;
        }
        var o = io.Out;
        o.WriteLine($"Measurement records: {list.Database} ({list.Count})");
        o.WriteLine($"  {"id",5}  {"created (UTC)",-20}  {"method",-13}  {"SAR W/kg",10}  {"SarKit",-8}  {"sha256",-16}  hash");
        foreach (var r in list.Records)
            o.WriteLine($"  {r.Id,5}  {r.CreatedUtc[..19].Replace('T', ' '),-20}  {r.Method,-13}  " +
                        $"{r.SarWPerKg.ToString("0.0000", CultureInfo.InvariantCulture),10}  {r.SarkitVersion,-8}  {r.ContentSha256[..16],-16}  {(r.HashVerifies ? "ok" : "MISMATCH")}");
        return CliApp.ExitOk;
    }

    private static int RunShow(CliIO io, long id, string? db, bool json)
    {
        var v = RecordKeeping.Show(db, id, CliApp.Version);
        if (json) { ResultJson.Write(io.Out, v.Result); return CliApp.ExitOk; }
        var r = v.Result;
        var o = io.Out;
        o.WriteLine($"Record {r.Id} in {v.Location}");
        o.WriteLine($"  created (UTC)   {r.CreatedUtc}");
        o.WriteLine($"  method          {r.Method}");
        o.WriteLine($"  SAR             {r.SarWPerKg.ToString("0.00000", CultureInfo.InvariantCulture)} W/kg");
        o.WriteLine($"  SarKit          {r.SarkitVersion}");
        o.WriteLine($"  sha256          {r.ContentSha256} ({(r.HashVerifies ? "verifies" : "MISMATCH: changed after recording")})");
        if (v.Report is not { } report) o.WriteLine($"  report          unavailable: {v.ReportError}");
        else
        {
            o.WriteLine($"  verdict         {NemaReport.VerdictQuestion} {report.Verdict}");
            o.WriteLine("Results (SI):");
            foreach (var (k, val) in report.Results) o.WriteLine($"  {k,-40} {val.ToString("G9", CultureInfo.InvariantCulture)}");
        }
        o.WriteLine($"Input ({(r.InputOriginal is null ? "JSON" : "YAML")}, as stored):");
        o.WriteLine(r.InputOriginal ?? r.InputJson);
        return CliApp.ExitOk;
    }

    private static int RunCompare(CliIO io, long a, long b, string? db, bool json, bool all)
    {
        var c = RecordKeeping.Compare(db, a, b, all, CliApp.Version);
        if (json)
        {
            ResultJson.Write(io.Out, c);
            return CliApp.ExitOk;
        }
        var o = io.Out;
        o.WriteLine($"Records {a} and {b} in {c.Database}");
        o.WriteLine($"  SAR  {c.Sar1WPerKg.ToString("0.00000", CultureInfo.InvariantCulture)} → {c.Sar2WPerKg.ToString("0.00000", CultureInfo.InvariantCulture)} W/kg " +
                    $"(Δ {c.SarDifferenceWPerKg.ToString("+0.00000;-0.00000;0", CultureInfo.InvariantCulture)} W/kg{(c.SarDifferencePercent is { } p ? $", {p.ToString("+0.00;-0.00;0", CultureInfo.InvariantCulture)} %" : "")})");
        o.WriteLine(all ? "All values:" : $"Differences ({c.Differences.Length}):");
        o.WriteLine($"  {"name",-40}  {"record " + a,-32}  record {b}");
        foreach (var x in c.Differences) o.WriteLine($"  {x.Name,-40}  {x.A ?? "-",-32}  {x.B ?? "-"}");
        return CliApp.ExitOk;
    }
}
