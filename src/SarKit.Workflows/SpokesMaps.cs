using System.Numerics;
using SarKit.Constraints;
using SarKit.Fields;
using SarKit.Grid;
using SarKit.Supervision;
using SarKit.Workflows.Results;

namespace SarKit.Workflows;

/// <summary>
/// Flip-angle maps of a spokes / kT-points result (<see cref="SpokesDesign"/>) on one z layer, for the web page: the
/// small-tip flip angle |θ(r)| = |γ Σ_j a_j e^{i k_j·r} Σ_n B1+_n(r) w_{n,j}| (<see cref="SpokesSystem.SystemMatrix"/>,
/// the same B1+ maps, convention, sub-pulse areas and k positions the design used) summed over the sub-pulses, for the
/// written design ("after") and for a circularly polarised reference ("before"): the CP drive
/// (<see cref="DriveText.Cp"/>) as one sub-pulse of the design's shape at k = 0, at the amplitude that best fits the target
/// flip angle on the layer (magnitude least squares), scaled down to every limit of the result when that amplitude
/// exceeds one: time-averaged local 10 g SAR on every averaged Q-matrix, global SAR, per-channel peak and average power.
/// Both rows report their true peak 10 g SAR over the averaged Q-matrices, time-averaged over TR, and the IEC/IEEE 62704-1
/// 10 g SAR map of the pulse time-averaged over TR (the point SAR Σ_j c_j SAR(w_j), c_j = ∫p²dt/TR, averaged once with the
/// prepared cubes, as the RF shim page's SAR map; <see cref="PeakSarEvaluation.Evaluate"/> for one drive).
/// </summary>
public static class SpokesMaps
{
    private const double RfRasterS = 1e-6;

    /// <summary>
    /// The layer maps of <paramref name="spokes"/> at z index <paramref name="zIndex"/>; <paramref name="prepared"/> must be the
    /// same dataset with 10 g averaged Q-matrices (the originals the design was certified against).
    /// </summary>
    public static SpokesLayerMapsResult Layer(PeakSarEvaluation prepared, SpokesResult spokes, int zIndex, B1RotationSense sense, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        ArgumentNullException.ThrowIfNull(spokes);
        var ds = prepared.Dataset;
        var g = ds.Grid;
        int n = ds.Channels;
        if (zIndex < 0 || zIndex >= g.Nz) throw new SarKitInputException($"zIndex = {zIndex}: expected a layer 0 … {g.Nz - 1}.");
        var aq = prepared.AveragedQ ?? throw new SarKitInputException($"{ds.Source}: no averaged Q-matrices ({prepared.AveragingUnavailableReason}).");
        if (aq.Count != spokes.OriginalMatrices)
            throw new ArgumentException($"The result was certified against {spokes.OriginalMatrices} matrices, the prepared dataset has {aq.Count}.", nameof(spokes));
        if (spokes.Designs.Count == 0) throw new ArgumentException("The spokes result has no design.", nameof(spokes));
        var (b1, _) = B1PlusMap.For(ds, sense);
        var tissue = ds.Tissue.TissueMask();
        var voxels = new List<int>();
        for (int j = 0; j < g.Ny; j++) for (int i = 0; i < g.Nx; i++) if (tissue[g.Index(i, j, zIndex)]) voxels.Add(g.Index(i, j, zIndex));
        if (voxels.Count == 0) throw new SarKitInputException($"zIndex = {zIndex}: the layer contains no tissue voxel.");
        var b1t = new Complex[voxels.Count * n];
        var pos = new (double X, double Y, double Z)[voxels.Count];
        for (int r = 0; r < voxels.Count; r++)
        {
            pos[r] = g.Centre(voxels[r]);
            for (int c = 0; c < n; c++) b1t[r * n + c] = b1.Get(c, 0, voxels[r]);
        }
        var pulse = SubPulse.Create(spokes.SubPulseShape == "sinc" ? SubPulseShape.Sinc : SubPulseShape.Hard, spokes.SubPulseDurationS, RfRasterS, spokes.TimeBandwidth);
        double scale = 360 * DriveCalibration.Gamma1H; // degrees per (T·s), as in the design
        var target = Enumerable.Repeat(spokes.TargetFlipDeg, voxels.Count).ToArray();

        // after: the written design, every sub-pulse at its k position
        var d = spokes.Designs[0];
        int kk = d.SubPulses.Count;
        var w = new Complex[n * kk];
        for (int j = 0; j < kk; j++)
            for (int c = 0; c < n; c++) w[j * n + c] = Complex.FromPolarCoordinates(d.SubPulses[j].Amplitude[c], d.SubPulses[j].PhaseDeg[c] * Math.PI / 180);
        var kpos = d.SubPulses.Select(s => (s.KRadPerM[0], s.KRadPerM[1], s.KRadPerM[2])).ToArray();
        var aAfter = SpokesSystem.SystemMatrix(b1t, n, pos, kpos, Enumerable.Repeat(pulse.Area, kk).ToArray(), scale);
        cancellation.ThrowIfCancellationRequested();
        var after = Drive(prepared, d.Constraints, w, aAfter, spokes.SarWeights, target, aq.AllPacked, n, voxels, g, zIndex, cancellation);

        // before: CP as one sub-pulse at k = 0, best-fit amplitude within every limit of the result
        var cp = DriveText.Cp(n, ds.E.Normalisation).Amplitudes.ToArray();
        var aCp = SpokesSystem.SystemMatrix(b1t, n, pos, [(0, 0, 0)], [pulse.Area], scale);
        double[] c1 = [spokes.SarWeights[0]];
        var z = new Complex[voxels.Count];
        RfShimSolver.MlsObjective(aCp, n, target, cp, 0, z);
        double num = 0, den = 0;
        for (int r = 0; r < z.Length; r++) { num += target[r] * z[r].Magnitude; den += z[r].Magnitude * z[r].Magnitude; }
        double best = den > 0 ? num / den : 0;
        double worst = SpokesSystem.Evaluate(aq.AllPacked, n, cp, c1).Max() / spokes.LocalLimitWPerKg; // per unit amplitude²
        if (spokes.GlobalLimitWPerKg > 0)
        {
            bool[]? mask = ds.Tissue.Masks.TryGetValue(spokes.GlobalRegion, out var m) ? m : null;
            var gq = Sar.RegionQ.Compute(spokes.GlobalRegion, ds.Tissue, ds.E, mask);
            worst = Math.Max(worst, SpokesSystem.Evaluate(gq.Packed, n, cp, c1)[0] / spokes.GlobalLimitWPerKg);
        }
        if (PulseDesignRequest.PowerPerDriveUnitSquared(ds.E.Normalisation) is { } kappa)
            for (int c = 0; c < n; c++)
            {
                double p = kappa * (cp[c].Magnitude * cp[c].Magnitude);
                double peakLimit = spokes.ChannelPeakPowersW?[c] ?? spokes.ChannelPeakPowerW, averageLimit = spokes.ChannelAveragePowersW?[c] ?? spokes.ChannelAveragePowerW;
                if (peakLimit > 0) worst = Math.Max(worst, p / peakLimit);
                if (averageLimit > 0) worst = Math.Max(worst, c1[0] * p / averageLimit);
            }
        double alpha = Math.Min(best, worst > 0 ? Math.Sqrt(1 / worst) * (1 - 1e-9) : best);
        var before = Drive(prepared, "cp", cp.Select(x => x * alpha).ToArray(), aCp, c1, target, aq.AllPacked, n, voxels, g, zIndex, cancellation);
        var result = new SpokesLayerMapsResult(zIndex, g.CentreZ(zIndex), voxels.Count, before, after);
        ResultJson.RequireFinite(result);
        return result;
    }

    private static SpokesLayerDriveResult Drive(PeakSarEvaluation prepared, string constraints, Complex[] w, Complex[] a, double[] sarWeights, double[] target,
        ReadOnlySpan<double> originals, int n, List<int> voxels, VoxelGrid g, int zIndex, CancellationToken cancellation)
    {
        // time-averaged 10 g SAR map: the point SAR averaged over TR, Σ_j c_j SAR_point(w_j) (linear in each sub-pulse's
        // outer product), then the IEC/IEEE 62704-1 average once (the average of a sum, not a sum of averaged maps, whose
        // voxel assignment takes maxima)
        var ds = prepared.Dataset;
        var point = new double[g.VoxelCount];
        for (int j = 0; j < sarWeights.Length; j++)
        {
            cancellation.ThrowIfCancellationRequested();
            var local = Sar.LocalSar.Compute(ds.Tissue, ds.E, new DriveVector(w.AsSpan(j * n, n).ToArray(), ds.E.Normalisation));
            for (int v = 0; v < point.Length; v++) point[v] += sarWeights[j] * local[v];
        }
        var avg = prepared.Averaging!.Average(point);
        var sarMap = prepared.Padding.Crop(avg.Map);
        double layerMax = 0, mapPeak = 0;
        for (int v = 0; v < sarMap.Length; v++) mapPeak = Math.Max(mapPeak, sarMap[v]);
        for (int j = 0; j < g.Ny; j++) for (int i = 0; i < g.Nx; i++) layerMax = Math.Max(layerMax, sarMap[g.Index(i, j, zIndex)]);
        var sarSlice = VoxelSlices.Extract(sarMap, g, SliceNormal.Z, zIndex);

        var z = new Complex[voxels.Count];
        RfShimSolver.MlsObjective(a, w.Length, target, w, 0, z);
        var flip = new double[g.VoxelCount];
        double max = 0, sum = 0;
        for (int r = 0; r < voxels.Count; r++) { double f = z[r].Magnitude; flip[voxels[r]] = f; max = Math.Max(max, f); sum += f; }
        var s = VoxelSlices.Extract(flip, g, SliceNormal.Z, zIndex);
        return new SpokesLayerDriveResult(constraints, w.Length / n, w.Select(x => x.Magnitude).ToArray(), w.Select(x => x.Phase * 180 / Math.PI).ToArray(),
            new SliceResult("z", s.Index, s.Width, s.Height, ["x", "y"], s.Values), max, sum / voxels.Count,
            RfShimSolver.Nrmse(a, w.Length, target, w), SpokesSystem.Evaluate(originals, n, w, sarWeights).Max(),
            new SliceResult("z", sarSlice.Index, sarSlice.Width, sarSlice.Height, ["x", "y"], sarSlice.Values), layerMax, mapPeak);
    }
}
