using System.Numerics;
using SarKit.Fields;
using SarKit.Grid;
using SarKit.Workflows.Results;

namespace SarKit.Workflows;

/// <summary>
/// Maps of an RF shim result (<see cref="RfShimDesign"/>) on one z layer, for the web page: |B1+| = |Σ_n w_n B1+_n|
/// (<see cref="B1PlusMap"/>, the same maps and convention the design used) and the IEC/IEEE 62704-1 10 g SAR of the
/// drive (<see cref="PeakSarEvaluation.Evaluate"/>, the SAR viewer's pipeline) for the circularly polarised reference
/// (the result's "cp" row, scaled to the limits) and for the written design (the first row). Pulse values (duty cycle 1).
/// </summary>
public static class RfShimMaps
{
    /// <summary>The layer maps of <paramref name="shim"/> at z index <paramref name="zIndex"/>; <paramref name="prepared"/> must be the same dataset with 10 g averaging.</summary>
    public static ShimLayerMapsResult Layer(PeakSarEvaluation prepared, RfShimResult shim, int zIndex, B1RotationSense sense, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        ArgumentNullException.ThrowIfNull(shim);
        var ds = prepared.Dataset;
        var g = ds.Grid;
        if (zIndex < 0 || zIndex >= g.Nz) throw new SarKitInputException($"zIndex = {zIndex}: expected a layer 0 … {g.Nz - 1}.");
        if (prepared.Averaging is null) throw new SarKitInputException($"{ds.Source}: no averaging prepared ({prepared.AveragingUnavailableReason}).");
        if (shim.Designs.Count < 2 || shim.Designs[^1].Constraints != "cp") throw new ArgumentException("The shim result has no design and CP rows.", nameof(shim));
        var (b1, origin) = B1PlusMap.For(ds, sense);
        var tissue = ds.Tissue.TissueMask();
        int roi = 0;
        for (int j = 0; j < g.Ny; j++) for (int i = 0; i < g.Nx; i++) if (tissue[g.Index(i, j, zIndex)]) roi++;
        if (roi == 0) throw new SarKitInputException($"zIndex = {zIndex}: the layer contains no tissue voxel.");
        ShimLayerDriveResult One(ShimDesignResult d)
        {
            cancellation.ThrowIfCancellationRequested();
            var w = d.Amplitude.Select((a, c) => Complex.FromPolarCoordinates(a, d.PhaseDeg[c] * Math.PI / 180)).ToArray();
            var mag = new double[g.VoxelCount];
            double max = 0, sum = 0;
            for (int j = 0; j < g.Ny; j++)
                for (int i = 0; i < g.Nx; i++)
                {
                    int v = g.Index(i, j, zIndex);
                    if (!tissue[v]) continue;
                    Complex s = 0;
                    for (int c = 0; c < w.Length; c++) s += w[c] * b1.Get(c, 0, v);
                    double m = s.Magnitude * 1e6;
                    mag[v] = m; max = Math.Max(max, m); sum += m;
                }
            var outcome = prepared.Evaluate(new DriveVector(w, ds.E.Normalisation), null, cancellation);
            var sar = outcome.AveragedSar!;
            var b1Slice = VoxelSlices.Extract(mag, g, SliceNormal.Z, zIndex);
            var sarSlice = VoxelSlices.Extract(sar, g, SliceNormal.Z, zIndex);
            double layerMax = 0;
            for (int j = 0; j < g.Ny; j++) for (int i = 0; i < g.Nx; i++) layerMax = Math.Max(layerMax, sar[g.Index(i, j, zIndex)]);
            return new ShimLayerDriveResult(d.Constraints, d.Amplitude, d.PhaseDeg, Slice(b1Slice), max, sum / roi, Slice(sarSlice), layerMax, outcome.Result.PeakSarWPerKg);
        }
        var result = new ShimLayerMapsResult(zIndex, g.CentreZ(zIndex), roi,
            origin switch { B1PlusMap.Origin.Stored => "stored", B1PlusMap.Origin.FromH => "from_h", _ => "from_curl_e" },
            One(shim.Designs[^1]), One(shim.Designs[0]));
        ResultJson.RequireFinite(result);
        return result;
    }

    /// <summary>The slice string of <see cref="PulseDesignRequest.Slice"/> that selects z layer <paramref name="zIndex"/> (its centre, mm, round-trip precision).</summary>
    public static string SliceText(VoxelGrid grid, int zIndex)
    {
        ArgumentNullException.ThrowIfNull(grid);
        if (zIndex < 0 || zIndex >= grid.Nz) throw new SarKitInputException($"zIndex = {zIndex}: expected a layer 0 … {grid.Nz - 1}.");
        return "z=" + (grid.CentreZ(zIndex) * 1000).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
    }

    private static SliceResult Slice(VoxelSlice s) => new("z", s.Index, s.Width, s.Height, ["x", "y"], s.Values);
}
