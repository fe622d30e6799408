using SarKit.Workflows;
using SarKit.Workflows.Results;

namespace SarKit.Web.Api;

/// <summary>
/// GET /api/datasets (files in the data folder, each with its read error or null; <see cref="DatasetListing"/>,
/// <see cref="DatasetListResult"/>) and GET /api/datasets/info?path=… (<see cref="DatasetDescription"/>: the same
/// <see cref="DatasetDescriptionResult"/> as <c>sarkit info --json</c>, with <c>input_file</c> the path inside the data folder).
/// </summary>
public static class DatasetEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/datasets", (DataFolder folder, DatasetListing listing) =>
            Results.Text(ResultJson.Serialize(new DatasetListResult(folder.Root, listing.List().ToArray())), "application/json")).RequireRateLimiting(HeavyWork.Policy);

        api.MapGet("/datasets/info", (string? path, DataFolder folder) =>
        {
            var full = folder.Resolve(path);
            var info = DatasetGuard.Read(path!, () => DatasetDescription.Describe(full));
            return Results.Text(ResultJson.Serialize(info with { InputFile = path! }), "application/json");
        }).RequireRateLimiting(HeavyWork.Policy);
    }
}
