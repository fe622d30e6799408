using SarKit.Fields;
using SarKit.IO;
using SarKit.Sar;
using SarKit.Workflows;
using SarKit.IO.Formats;

namespace SarKit.Web;

/// <summary>
/// Memory of a dataset in the <see cref="DatasetCache"/>: an estimate from its header (<see cref="SarDatasetInfo"/>,
/// before anything is loaded) and the measured size of the built <see cref="PeakSarEvaluation"/> (its arrays). Fields are
/// complex float32 (8 bytes per component), Q-matrices N² doubles per tissue voxel and per averaging cube.
/// </summary>
public static class DatasetMemory
{
    /// <summary>Lowest density assumed for the air padding estimate (kg/m³; lung ≈ 260 is below most tissue).</summary>
    private const double RhoMinKgPerM3 = 250;

    /// <summary>
    /// Upper estimate (bytes) of what loading the dataset of <paramref name="info"/> and precomputing its maps for
    /// <paramref name="massKg"/> holds at its peak: fields, tissue, point Q-matrices, and with averaging the padded
    /// field copy of the build, the averaging cubes and their Q-matrices.
    /// </summary>
    public static long Estimate(SarDatasetInfo info, double? massKg)
    {
        var g = info.Grid;
        double v = (double)g.Nx * g.Ny * g.Nz, n = info.Channels, t = info.TissueVoxels;
        double field = v * n * 3 * 8;
        double bytes = field * (1 + (info.HasH ? 1 : 0)) + (info.HasB1Plus ? v * n * 8 : 0)
            + v * (8 + 8 + (info.HasEpsilonR ? 8 : 0) + (info.HasLabels ? 4 : 0) + info.Masks.Count)
            + t * (n * n * 8 + 4);                                 // point Q-matrices
        if (massKg is { } m)
        {
            // padding cells continue the end cells (uniform: the spacing): the narrowest end cell bounds their count
            double d = Math.Min(Math.Min(Math.Min(g.WidthX(0), g.WidthX(g.Nx - 1)), Math.Min(g.WidthY(0), g.WidthY(g.Ny - 1))), Math.Min(g.WidthZ(0), g.WidthZ(g.Nz - 1)));
            double pad = Math.Ceiling(1.5 * Math.Cbrt(m / RhoMinKgPerM3) / d);
            double vp = (g.Nx + 2 * pad) * (g.Ny + 2 * pad) * (g.Nz + 2 * pad);
            bytes += vp * n * 3 * 8                                // padded E copy while building
                + vp * (8 + 8 + 16)                                // padded tissue, per-voxel cube tables
                + t * (n * n * 8 + 80);                            // cubes (≤ tissue voxels) and their Q-matrices
        }
        return bytes >= long.MaxValue ? long.MaxValue : (long)bytes;
    }

    /// <summary>Bytes held by the arrays of a built <see cref="PeakSarEvaluation"/> (what the cache keeps).</summary>
    public static long Measure(PeakSarEvaluation maps)
    {
        var ds = maps.Dataset;
        long v = ds.Grid.VoxelCount;
        long bytes = Field(ds.E) + Field(ds.H) + Field(ds.B1Plus)
            + v * (8 + 8 + (ds.Tissue.EpsilonR is null ? 0 : 8) + (ds.Tissue.Labels is null ? 0 : 4) + ds.Tissue.Masks.Count)
            + (maps.Averaging is { } a ? (long)a.PaddedTissue.Grid.VoxelCount * (8 + 8) : 0);
        if (maps.AveragedQ is { } aq)
            bytes += aq.AllPacked.Length * 8L + aq.Count * 80L + (long)aq.Cubes.Grid.VoxelCount * 16;
        return bytes;
    }

    private static long Field(MultiChannelField? f) => f is null ? 0 : (long)f.Channels * f.Components * f.Grid.VoxelCount * 8;
}
