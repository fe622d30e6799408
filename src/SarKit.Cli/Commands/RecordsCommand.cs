using System.CommandLine;
using System.Globalization;
using SarKit.Measurement.Nema.Reporting;
using SarKit.Measurement.Records;
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

    internal sealed record VerifyJson(string Database, bool Intact, long Count, string? HeadSha256, long? FirstBrokenId, string? Problem);

    private static int RunVerify(CliIO io, string? db, bool json)
    {
        var s = MeasurementRecordStores.Verify(db);
        if (json) ResultJson.Write(io.Out, new VerifyJson(s.Location, s.Intact, s.Count, s.HeadSha256, s.FirstBrokenId, s.Problem));
        if (!s.Intact)
        {
            io.Err.WriteLine($"error: records database {s.Location} is DAMAGED: " +
                             $"{(s.FirstBrokenId is { } id ? $"first broken record {id}: " : "")}{s.Problem}");
            return CliApp.ExitBadInput;
        }
        if (!json)
        {
            io.Out.WriteLine($"Records intact: {s.Count} record{(s.Count == 1 ? "" : "s")} in {s.Location}");
            io.Out.WriteLine($"  chain head sha256 {s.HeadSha256}");
            io.Out.WriteLine("  (log or sign this head hash outside the database: a chain rewritten by someone with write access is only detected by comparing it)");
        }
        return CliApp.ExitOk;
    }

    private static int RunMigrate(CliIO io, string? db)
    {
        var s = MeasurementRecordStores.Migrate(db);
        s.ThrowIfDamaged();
        io.Out.WriteLine($"Migrated: {s.Count} record{(s.Count == 1 ? "" : "s")} in {s.Location} are now hash-chained");
        io.Out.WriteLine($"  chain head sha256 {s.HeadSha256}");
        io.Out.WriteLine("  (the chain vouches for these records only from now on; keep the head hash outside the database)");
        return CliApp.ExitOk;
    }

    internal sealed record RecordJson(long Id, string CreatedUtc, string Method, double SarWPerKg, string SarkitVersion,
        string ContentSha256, bool HashVerifies, string InputJson, string ResultJson, string? InputOriginal, string? ChainSha256);
    internal sealed record RecordListJson(string Database, int Count, RecordJson[] Records);
    internal sealed record DifferenceJson(string Name, string? A, string? B);
    internal sealed record CompareJson(string Database, long Id1, long Id2, double Sar1WPerKg, double Sar2WPerKg, double SarDifferenceWPerKg,
        double? SarDifferencePercent, DifferenceJson[] Differences);

    private static string Time(DateTime t) => t.ToString("O", CultureInfo.InvariantCulture);

    private static RecordJson ToJson(MeasurementRecord r) => new(r.Id, Time(r.CreatedUtc), r.Method, r.SarWPerKg, r.SarkitVersion,
        r.ContentSha256, r.HashVerifies, r.InputJson, r.ResultJson, r.InputOriginal, r.ChainSha256);

    private static MeasurementRecord Get(IMeasurementRecordStore store, long id) =>
        store.Get(id) ?? throw new SarKitInputException($"no record with id {id} in {store.Location} (see `sarkit records list`)");

    private static int RunList(CliIO io, string? db, bool json)
    {
        var store = MeasurementRecordStores.Open(db, mustExist: true);
        var all = store.List();
        if (json)
        {
            ResultJson.Write(io.Out, new RecordListJson(store.Location, all.Count, all.Select(ToJson).ToArray()));
            return CliApp.ExitOk;
        }
        var o = io.Out;
        o.WriteLine($"Measurement records: {store.Location} ({all.Count})");
        o.WriteLine($"  {"id",5}  {"created (UTC)",-20}  {"method",-13}  {"SAR W/kg",10}  {"SarKit",-8}  {"sha256",-16}  hash");
        foreach (var r in all)
            o.WriteLine($"  {r.Id,5}  {r.CreatedUtc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),-20}  {r.Method,-13}  " +
                        $"{r.SarWPerKg.ToString("0.0000", CultureInfo.InvariantCulture),10}  {r.SarkitVersion,-8}  {r.ContentSha256[..16],-16}  {(r.HashVerifies ? "ok" : "MISMATCH")}");
        return CliApp.ExitOk;
    }

    private static int RunShow(CliIO io, long id, string? db, bool json)
    {
        var store = MeasurementRecordStores.Open(db, mustExist: true);
        var r = Get(store, id);
        if (json) { ResultJson.Write(io.Out, ToJson(r)); return CliApp.ExitOk; }
        NemaReport? report = null;
        string? reportError = null;
        try { report = NemaMeasurement.ReportOf(r, CliApp.Version); }
        catch (SarKitInputException e) { reportError = e.Message; }
        var o = io.Out;
        o.WriteLine($"Record {r.Id} in {store.Location}");
        o.WriteLine($"  created (UTC)   {Time(r.CreatedUtc)}");
        o.WriteLine($"  method          {r.Method}");
        o.WriteLine($"  SAR             {r.SarWPerKg.ToString("0.00000", CultureInfo.InvariantCulture)} W/kg");
        o.WriteLine($"  SarKit          {r.SarkitVersion}");
        o.WriteLine($"  sha256          {r.ContentSha256} ({(r.HashVerifies ? "verifies" : "MISMATCH: changed after recording")})");
        if (report is null) o.WriteLine($"  report          unavailable: {reportError}");
        else
        {
            o.WriteLine($"  verdict         {NemaReport.VerdictQuestion} {report.Verdict}");
            o.WriteLine("Results (SI):");
            foreach (var (k, v) in report.Results) o.WriteLine($"  {k,-40} {v.ToString("G9", CultureInfo.InvariantCulture)}");
        }
        o.WriteLine($"Input ({(r.InputOriginal is null ? "JSON" : "YAML")}, as stored):");
        o.WriteLine(r.InputOriginal ?? r.InputJson);
        return CliApp.ExitOk;
    }

    private static int RunCompare(CliIO io, long a, long b, string? db, bool json, bool all)
    {
        var store = MeasurementRecordStores.Open(db, mustExist: true);
        var ra = Get(store, a);
        var rb = Get(store, b);
        var diffs = NemaMeasurement.Compare(NemaMeasurement.ReportOf(ra, CliApp.Version), NemaMeasurement.ReportOf(rb, CliApp.Version), onlyDifferent: !all);
        double d = rb.SarWPerKg - ra.SarWPerKg;
        double? pct = ra.SarWPerKg != 0 ? 100 * d / ra.SarWPerKg : null;
        if (json)
        {
            ResultJson.Write(io.Out, new CompareJson(store.Location, a, b, ra.SarWPerKg, rb.SarWPerKg, d, pct, diffs.Select(x => new DifferenceJson(x.Name, x.A, x.B)).ToArray()));
            return CliApp.ExitOk;
        }
        var o = io.Out;
        o.WriteLine($"Records {a} and {b} in {store.Location}");
        o.WriteLine($"  SAR  {ra.SarWPerKg.ToString("0.00000", CultureInfo.InvariantCulture)} → {rb.SarWPerKg.ToString("0.00000", CultureInfo.InvariantCulture)} W/kg " +
                    $"(Δ {d.ToString("+0.00000;-0.00000;0", CultureInfo.InvariantCulture)} W/kg{(pct is { } p ? $", {p.ToString("+0.00;-0.00;0", CultureInfo.InvariantCulture)} %" : "")})");
        o.WriteLine(all ? "All values:" : $"Differences ({diffs.Count}):");
        o.WriteLine($"  {"name",-40}  {"record " + a,-32}  record {b}");
        foreach (var x in diffs) o.WriteLine($"  {x.Name,-40}  {x.A ?? "-",-32}  {x.B ?? "-"}");
        return CliApp.ExitOk;
    }
}
