using SarKit.Workflows.Results;

namespace SarKit.Web.Api;

/// <summary>
/// Every JSON endpoint under /api. A capability's endpoints live in one static class with
/// <c>public static void Map(RouteGroupBuilder api)</c>; adding one is one line here (docs/web.md, "Adding a page").
/// </summary>
public static class ApiRoutes
{
    public static void MapAll(WebApplication app)
    {
        var api = app.MapGroup("/api");
        api.MapGet("/about", (SarKitWebOptions o, DataFolder f, RecordsLocation r, DatasetCache cache) =>
        {
            var c = cache.Entries;
            return Results.Json(new WebAppInfoResult("SarKit", WebInfo.Version, f.Root, r.DatabasePath is not null, o.DefaultMassKg, o.MaxUploadBytes,
                new WebCacheResult(c.BudgetBytes, c.UsedBytes, c.LoadedKeys.Count, c.LoadCount, o.EffectiveMaxConcurrentRequests, o.RequestQueueLimit)), ResultJson.Options);
        });
        DatasetEndpoints.Map(api);
        SarEndpoints.Map(api);
        NemaEndpoints.Map(api);
        ProbeEndpoints.Map(api);
        RecordEndpoints.Map(api);
        VopEndpoints.Map(api);
        SupervisionEndpoints.Map(api);
        ShimEndpoints.Map(api);
        SpokesEndpoints.Map(api);
        api.Map("/{**rest}", (string? rest) =>
            Results.Json(new ApiError($"No API endpoint /api/{rest}.", 404, "not_found"), statusCode: 404));
    }
}
