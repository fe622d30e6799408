using System.Globalization;
using SarKit.Measurement.Records;

namespace SarKit.Web.Api;

/// <summary>Where the measurement records database is (configured --records, else $SARKIT_RECORDS), or null.</summary>
public sealed class RecordsLocation(SarKitWebOptions options)
{
    /// <summary>Database file path, or null when none is configured.</summary>
    public string? DatabasePath { get; } = Resolve(options.Records);

    private static string? Resolve(string? configured)
    {
        try { return MeasurementRecordStore.ResolveDatabasePath(configured); }
        catch (SarKitInputException) { return null; }
    }

    /// <summary>The database path; throws <see cref="SarKitInputException"/> when none is configured.</summary>
    public string Require() => DatabasePath ?? throw new SarKitInputException(
        $"No records database configured: start the app with --records DIR (or set {MeasurementRecordStore.EnvironmentVariable}).");
}

/// <summary>
/// GET /api/records (list), GET /api/records/{id} (with input and result JSON) and GET /api/records/verify. The whole hash
/// chain is verified on every request: a damaged store is an error response (409, code "records_damaged") naming the first
/// broken record, never an empty or partial list.
/// </summary>
public static class RecordEndpoints
{
    public sealed record RecordSummaryJson(long Id, string CreatedUtc, string Method, double SarWPerKg, string SarkitVersion, string ContentSha256, bool HashVerifies);
    public sealed record RecordListJson(bool Configured, string? Database, bool Exists, int Count, RecordSummaryJson[] Records);
    public sealed record RecordJson(long Id, string CreatedUtc, string Method, double SarWPerKg, string SarkitVersion, string ContentSha256, bool HashVerifies, string InputJson, string ResultJson);
    public sealed record VerifyJson(string Database, bool Intact, long Count, string? HeadSha256, long? FirstBrokenId, string? Problem);

    /// <summary>HTTP status of a damaged store.</summary>
    public const int DamagedStatus = 409;

    private static IResult Damaged(RecordStoreDamagedException e) => Results.Json(new ApiError(e.Message, DamagedStatus, "records_damaged"), statusCode: DamagedStatus);

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/records", (RecordsLocation loc) =>
        {
            if (loc.DatabasePath is null) return Results.Json(new RecordListJson(false, null, false, 0, []));
            if (!File.Exists(loc.DatabasePath)) return Results.Json(new RecordListJson(true, loc.DatabasePath, false, 0, []));
            IReadOnlyList<MeasurementRecord> all;
            try { all = MeasurementRecordStore.Open(loc.DatabasePath).List(); }
            catch (RecordStoreDamagedException e) { return Damaged(e); }
            return Results.Json(new RecordListJson(true, loc.DatabasePath, true, all.Count, all.Select(r => new RecordSummaryJson(
                r.Id, Time(r.CreatedUtc), r.Method, r.SarWPerKg, r.SarkitVersion, r.ContentSha256, r.HashVerifies)).ToArray()));
        });

        api.MapGet("/records/{id:long}", (long id, RecordsLocation loc) =>
        {
            var path = loc.Require();
            if (!File.Exists(path)) throw new SarKitInputException($"Records database {path} does not exist yet.");
            MeasurementRecord? r;
            try { r = MeasurementRecordStore.Open(path).Get(id); }
            catch (RecordStoreDamagedException e) { return Damaged(e); }
            return r is null
                ? Results.Json(new ApiError($"No record with id {id}.", 404, "not_found"), statusCode: 404)
                : Results.Json(new RecordJson(r.Id, Time(r.CreatedUtc), r.Method, r.SarWPerKg, r.SarkitVersion, r.ContentSha256, r.HashVerifies, r.InputJson, r.ResultJson));
        });

        api.MapGet("/records/verify", (RecordsLocation loc) =>
        {
            var path = loc.Require();
            if (!File.Exists(path)) throw new SarKitInputException($"Records database {path} does not exist yet.");
            var s = MeasurementRecordStore.Attach(path, create: false).Verify();
            return Results.Json(new VerifyJson(s.Location, s.Intact, s.Count, s.HeadSha256, s.FirstBrokenId, s.Problem), statusCode: s.Intact ? 200 : DamagedStatus);
        });
    }

    private static string Time(DateTime t) => t.ToString("O", CultureInfo.InvariantCulture);
}
