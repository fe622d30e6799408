using System.Globalization;
using SarKit.Measurement.Nema.Reporting;
using SarKit.Measurement.Records;
using SarKit.Workflows.Results;

namespace SarKit.Workflows.Measurement;

/// <summary>One record opened by <see cref="RecordKeeping.Show"/>: the record, its result object and, for NEMA records, the Section 4.1 report.</summary>
/// <param name="Location">Store location.</param>
/// <param name="Record">The stored record.</param>
/// <param name="Result">The record as a result object (texts verbatim).</param>
/// <param name="Report">The NEMA report (stored at record time, or re-evaluated from the input for records without one), or null.</param>
/// <param name="ReportError">Why there is no report (e.g. a probe record), or null.</param>
public sealed record RecordView(string Location, MeasurementRecord Record, RecordResult Result, NemaReport? Report, string? ReportError);

/// <summary>
/// Use cases on the append-only, hash-chained measurement records (docs/nema-ms8.md, "Measurement records"): list, show,
/// compare, verify, migrate and the report of a record. Every call opens the store read-only in effect (nothing is
/// created for reading: a missing SQLite file is a <see cref="SarKitInputException"/>) and the whole chain is verified
/// first, so a damaged store is refused (<see cref="RecordStoreDamagedException"/>). Records of both result schemas are
/// read: the snake_case <see cref="ResultJson"/> payloads written by the CLI and, since the unified schema, by the web
/// app, and the camelCase payloads the web app wrote before (listed and shown verbatim; a NEMA record without a stored
/// report is re-evaluated from its input by <see cref="NemaMeasurement.ReportOf"/>).
/// </summary>
public static class RecordKeeping
{
    /// <summary>ISO 8601 round-trip text of a UTC time.</summary>
    public static string Time(DateTime t) => t.ToString("O", CultureInfo.InvariantCulture);

    /// <summary>The result object of one record (texts verbatim).</summary>
    public static RecordResult ToResult(MeasurementRecord r) => new(r.Id, Time(r.CreatedUtc), r.Method, r.SarWPerKg, r.SarkitVersion,
        r.ContentSha256, r.HashVerifies, r.InputJson, r.ResultJson, r.InputOriginal, r.ChainSha256);

    private static IMeasurementRecordStore OpenExisting(string? location) => MeasurementRecordStores.Open(location, mustExist: true);

    private static MeasurementRecord Get(IMeasurementRecordStore store, long id) =>
        store.Get(id) ?? throw new SarKitInputException($"no record with id {id} in {store.Location} (see `sarkit records list`)");

    /// <summary>All records of the store at <paramref name="location"/> (null: $SARKIT_RECORDS).</summary>
    public static RecordListResult List(string? location)
    {
        var store = OpenExisting(location);
        var all = store.List();
        return new RecordListResult(store.Location, all.Count, all.Select(ToResult).ToArray());
    }

    /// <summary>The web app's list: configured or not, existing or not, records without their texts.</summary>
    public static RecordIndexResult Index(string? databasePath)
    {
        if (databasePath is null) return new RecordIndexResult(false, null, false, 0, []);
        if (!File.Exists(databasePath)) return new RecordIndexResult(true, databasePath, false, 0, []);
        var all = MeasurementRecordStore.Open(databasePath).List();
        return new RecordIndexResult(true, databasePath, true, all.Count, all.Select(r => new RecordSummaryResult(
            r.Id, Time(r.CreatedUtc), r.Method, r.SarWPerKg, r.SarkitVersion, r.ContentSha256, r.HashVerifies)).ToArray());
    }

    /// <summary>One record with its report (NEMA records) or the reason there is none.</summary>
    public static RecordView Show(string? location, long id, string sarkitVersion)
    {
        var store = OpenExisting(location);
        var r = Get(store, id);
        NemaReport? report = null;
        string? reportError = null;
        try { report = NemaMeasurement.ReportOf(r, sarkitVersion); }
        catch (SarKitInputException e) { reportError = e.Message; }
        return new RecordView(store.Location, r, ToResult(r), report, reportError);
    }

    /// <summary>The record with <paramref name="id"/> of the SQLite file <paramref name="databasePath"/>, or null (web).</summary>
    public static RecordResult? Find(string databasePath, long id)
    {
        if (!File.Exists(databasePath)) throw new SarKitInputException($"Records database {databasePath} does not exist yet.");
        return MeasurementRecordStore.Open(databasePath).Get(id) is { } r ? ToResult(r) : null;
    }

    /// <summary>
    /// The Section 4.1 report of a stored NEMA record, as stored at record time (<c>sarkit nema report ID</c>); the flag
    /// says whether the record's content hash verifies.
    /// </summary>
    public static (NemaReport Report, bool HashVerifies) Report(string? location, long id, string sarkitVersion)
    {
        var store = OpenExisting(location);
        var rec = Get(store, id);
        return (NemaMeasurement.ReportOf(rec, sarkitVersion), rec.HashVerifies);
    }

    /// <summary>Compares two NEMA records: results in SI, verdict and inputs (only differences unless <paramref name="all"/>).</summary>
    public static RecordCompareResult Compare(string? location, long a, long b, bool all, string sarkitVersion)
    {
        var store = OpenExisting(location);
        var ra = Get(store, a);
        var rb = Get(store, b);
        var diffs = NemaMeasurement.Compare(NemaMeasurement.ReportOf(ra, sarkitVersion), NemaMeasurement.ReportOf(rb, sarkitVersion), onlyDifferent: !all);
        double d = rb.SarWPerKg - ra.SarWPerKg;
        double? pct = ra.SarWPerKg != 0 ? 100 * d / ra.SarWPerKg : null;
        return new RecordCompareResult(store.Location, a, b, ra.SarWPerKg, rb.SarWPerKg, d, pct, diffs.Select(x => new RecordDifferenceResult(x.Name, x.A, x.B)).ToArray());
    }

    /// <summary>Verifies the store at <paramref name="location"/> without creating anything (damage is a result, not an exception).</summary>
    public static RecordVerifyResult Verify(string? location) => ToResult(MeasurementRecordStores.Verify(location));

    /// <summary>Verifies the SQLite file <paramref name="databasePath"/> (web).</summary>
    public static RecordVerifyResult VerifyFile(string databasePath)
    {
        if (!File.Exists(databasePath)) throw new SarKitInputException($"Records database {databasePath} does not exist yet.");
        return ToResult(MeasurementRecordStore.Attach(databasePath, create: false).Verify());
    }

    /// <summary>Converts a store created before the hash chain; throws <see cref="RecordStoreDamagedException"/> when the result does not verify.</summary>
    public static RecordVerifyResult Migrate(string? location)
    {
        var s = MeasurementRecordStores.Migrate(location);
        s.ThrowIfDamaged();
        return ToResult(s);
    }

    private static RecordVerifyResult ToResult(RecordChainStatus s) => new(s.Location, s.Intact, s.Count, s.HeadSha256, s.FirstBrokenId, s.Problem);
}
