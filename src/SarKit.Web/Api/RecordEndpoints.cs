using SarKit.Measurement.Records;
using SarKit.Workflows.Measurement;
using SarKit.Workflows.Results;

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
/// GET /api/records (list), GET /api/records/{id} (with input and result JSON) and GET /api/records/verify, through the
/// <see cref="RecordKeeping"/> use cases and the same snake_case result types as <c>sarkit records</c>. The whole hash
/// chain is verified on every request: a damaged store is an error response (409, code "records_damaged") naming the
/// first broken record, never an empty or partial list.
/// </summary>
public static class RecordEndpoints
{
    /// <summary>HTTP status of a damaged store.</summary>
    public const int DamagedStatus = 409;

    private static IResult Damaged(RecordStoreDamagedException e) => Results.Json(new ApiError(e.Message, DamagedStatus, "records_damaged"), statusCode: DamagedStatus);

    private static IResult Json<T>(T value, int status = 200) => Results.Text(ResultJson.Serialize(value), "application/json", statusCode: status);

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/records", (RecordsLocation loc) =>
        {
            try { return Json(RecordKeeping.Index(loc.DatabasePath)); }
            catch (RecordStoreDamagedException e) { return Damaged(e); }
        });

        api.MapGet("/records/{id:long}", (long id, RecordsLocation loc) =>
        {
            var path = loc.Require();
            RecordResult? r;
            try { r = RecordKeeping.Find(path, id); }
            catch (RecordStoreDamagedException e) { return Damaged(e); }
            return r is null
                ? Results.Json(new ApiError($"No record with id {id}.", 404, "not_found"), statusCode: 404)
                : Json(r);
        });

        api.MapGet("/records/verify", (RecordsLocation loc) =>
        {
            var s = RecordKeeping.VerifyFile(loc.Require());
            return Json(s, s.Intact ? 200 : DamagedStatus);
        });
    }
}
