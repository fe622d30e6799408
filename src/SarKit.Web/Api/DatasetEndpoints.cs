using SarKit.Fields;
using SarKit.Grid;
using SarKit.IO;
using SarKit.IO.Formats;

namespace SarKit.Web.Api;

/// <summary>GET /api/datasets (files in the data folder, each with its read error or null; <see cref="DatasetListing"/>) and GET /api/datasets/info?path=… (grid, tissue, channels).</summary>
public static class DatasetEndpoints
{
    public sealed record DatasetListJson(string DataFolder, DatasetEntry[] Datasets);
    public sealed record AxisJson(int Count, double MinM, double MaxM, double MinWidthM, double MaxWidthM);
    public sealed record GridJson(int Nx, int Ny, int Nz, bool Uniform, AxisJson X, AxisJson Y, AxisJson Z, string Text);
    public sealed record DatasetInfoJson(
        string Path, string Layout, GridJson Grid, int Channels, string[] ChannelNames, string Normalisation, string DriveUnit,
        double FrequencyHz, int TissueVoxels, double? TissueMassKg, bool HasH, bool HasB1Plus, bool HasEpsilonR, bool HasLabels,
        string[] Masks, string FieldType, Dictionary<string, string> Provenance);

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/datasets", (DataFolder folder, DatasetListing listing) =>
            Results.Json(new DatasetListJson(folder.Root, listing.List().ToArray()))).RequireRateLimiting(HeavyWork.Policy);

        api.MapGet("/datasets/info", (string? path, DataFolder folder) =>
        {
            var full = folder.Resolve(path);
            var info = DatasetGuard.Read(path!, () => DatasetFiles.ReadInfo(full));
            return Results.Json(Describe(path!, info));
        }).RequireRateLimiting(HeavyWork.Policy);
    }

    internal static GridJson Grid(VoxelGrid g)
    {
        static AxisJson Axis(ReadOnlySpan<double> e)
        {
            double lo = double.MaxValue, hi = 0;
            for (int i = 0; i + 1 < e.Length; i++) { double w = e[i + 1] - e[i]; lo = Math.Min(lo, w); hi = Math.Max(hi, w); }
            return new AxisJson(e.Length - 1, e[0], e[^1], lo, hi);
        }
        return new GridJson(g.Nx, g.Ny, g.Nz, g.IsUniform(1e-6), Axis(g.EdgesX), Axis(g.EdgesY), Axis(g.EdgesZ), g.ToString());
    }

    internal static DatasetInfoJson Describe(string path, SarDatasetInfo i) => new(
        path, i.Layout.ToString(), Grid(i.Grid), i.Channels,
        i.ChannelNames.Count == i.Channels ? i.ChannelNames.ToArray() : Enumerable.Range(0, i.Channels).Select(c => $"ch{c}").ToArray(),
        i.Normalisation.ToId(), i.Normalisation.DriveUnit(), i.FrequencyHz, i.TissueVoxels,
        double.IsFinite(i.TissueMassKg) ? i.TissueMassKg : null, i.HasH, i.HasB1Plus, i.HasEpsilonR, i.HasLabels,
        i.Masks.ToArray(), i.FieldType, new Dictionary<string, string>(i.Provenance));
}
