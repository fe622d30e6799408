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

/// <summary>GET /api/records (list, hash verified) and GET /api/records/{id} (with input and result JSON).</summary>
public static class RecordEndpoints
{
    public sealed record RecordSummaryJson(long Id, string CreatedUtc, string Method, double SarWPerKg, string SarkitVersion, string ContentSha256, bool HashVerifies);
    public sealed record RecordListJson(bool Configured, string? Database, bool Exists, int Count, RecordSummaryJson[] Records);
    public sealed record RecordJson(long Id, string CreatedUtc, string Method, double SarWPerKg, string SarkitVersion, string ContentSha256, bool HashVerifies, string InputJson, string ResultJson);

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/records", (RecordsLocation loc) =>
        {
            if (loc.DatabasePath is null) return Results.Json(new RecordListJson(false, null, false, 0, []));
            if (!File.Exists(loc.DatabasePath)) return Results.Json(new RecordListJson(true, loc.DatabasePath, false, 0, []));
            var all = MeasurementRecordStore.Open(loc.DatabasePath).List();
            return Results.Json(new RecordListJson(true, loc.DatabasePath, true, all.Count, all.Select(r => new RecordSummaryJson(
                r.Id, Time(r.CreatedUtc), r.Method, r.SarWPerKg, r.SarkitVersion, r.ContentSha256, r.HashVerifies)).ToArray()));
        });

        api.MapGet("/records/{id:long}", (long id, RecordsLocation loc) =>
        {
            var path = loc.Require();
            if (!File.Exists(path)) throw new SarKitInputException($"Records database {path} does not exist yet.");
            var r = MeasurementRecordStore.Open(path).Get(id);
            return r is null
                ? Results.Json(new ApiError($"No record with id {id}.", 404, "not_found"), statusCode: 404)
                : Results.Json(new RecordJson(r.Id, Time(r.CreatedUtc), r.Method, r.SarWPerKg, r.SarkitVersion, r.ContentSha256, r.HashVerifies, r.InputJson, r.ResultJson));
        });
    }

    private static string Time(DateTime t) => t.ToString("O", CultureInfo.InvariantCulture);
}
