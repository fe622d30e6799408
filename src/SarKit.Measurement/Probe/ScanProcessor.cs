using SarKit.Numerics.Interpolation;

namespace SarKit.Measurement.Probe;

/// <summary>Settings of <see cref="ScanProcessor"/>.</summary>
public sealed record ScanProcessingOptions
{
    /// <summary>Date of the measurement (checked against the calibration validity).</summary>
    public required DateOnly Date { get; init; }
    /// <summary>SAR path; null = the manual's CF path when the calibration has CF, else ConvF.</summary>
    public SarPath? Path { get; init; }
    /// <summary>Model used to extrapolate every zoom column to the surface (both are always reported for the peak column).</summary>
    public ExtrapolationModel Extrapolation { get; init; } = ExtrapolationModel.Exponential;
    /// <summary>Maximum polynomial degree.</summary>
    public int PolynomialDegree { get; init; } = 4;
    /// <summary>Area-scan interpolation step (m), 1 mm.</summary>
    public double AreaStepM { get; init; } = 1e-3;
    /// <summary>Voxel size of the interpolated zoom volume (m), 0.5 mm.</summary>
    public double VolumeStepM { get; init; } = 0.5e-3;
    /// <summary>Averaging masses (kg), 1 g and 10 g.</summary>
    public IReadOnlyList<double> MassesKg { get; init; } = [1e-3, 10e-3];
    /// <summary>DC offsets of the day (V) when a log entry exists; null = the calibration's.</summary>
    public double[]? DcOffsetsV { get; init; }
    /// <summary>Where <see cref="DcOffsetsV"/> came from (report text).</summary>
    public string? DcSource { get; init; }
}

/// <summary>The area scan: grid, per-point SAR, interpolated map and peak.</summary>
public sealed record AreaScanResult(double[] Xs, double[] Ys, double ZM, double[] Sar, double[] FineXs, double[] FineYs, double[] FineSar,
    double PeakXM, double PeakYM, double PeakWPerKg, bool PeakOnEdge);

/// <summary>The decay along the zoom column with the highest SAR: measured depths (sensor distance) and SAR, both fits.</summary>
public sealed record DecayColumn(double XM, double YM, double[] DepthsM, double[] Sar, ExponentialFit? Exponential, PolynomialFit? Polynomial);

/// <summary>The manual's 1 cm² × 1 cm integral ("Data Interpolation and Gram Averaging"): SAR ≈ (1/L)∫₀^L S₀e^(−z/a)dz =
/// S₀(a/L)(1 − e^(−L/a)) with L = 1 cm over the peak column, the field taken uniform over the 1 cm² (an upper bound for a
/// peaked field); the volume 1 cm³ holds ρ·1 cm³ of liquid (1 g only for ρ = 1000 kg/m³).</summary>
public sealed record SeedGramIntegral(double SarWPerKg, double SideM, double MassKg, double S0WPerKg, double DecayLengthM);

/// <summary>Everything <see cref="ScanProcessor.Process"/> derives from a scan.</summary>
public sealed record ScanResult
{
    /// <summary>Scan file.</summary>
    public required ScanFile Scan { get; init; }
    /// <summary>Calibration used.</summary>
    public required ProbeCalibration Calibration { get; init; }
    /// <summary>Liquid.</summary>
    public required LiquidProperties Liquid { get; init; }
    /// <summary>Options.</summary>
    public required ScanProcessingOptions Options { get; init; }
    /// <summary>Path used.</summary>
    public required SarPath Path { get; init; }
    /// <summary>DC offsets subtracted (V).</summary>
    public required double[] DcOffsetsV { get; init; }
    /// <summary>Area scan.</summary>
    public required AreaScanResult Area { get; init; }
    /// <summary>Zoom grid (tip distances z; sensor depth = z + probe offset).</summary>
    public required ScanGrid ZoomGrid { get; init; }
    /// <summary>Zoom SAR per node [k·ny·nx + j·nx + i].</summary>
    public required double[] ZoomSar { get; init; }
    /// <summary>Peak column decay with both fits.</summary>
    public required DecayColumn PeakColumn { get; init; }
    /// <summary>Interpolated volume.</summary>
    public required SarVolume Volume { get; init; }
    /// <summary>Peak cube averages per mass.</summary>
    public required IReadOnlyList<CubeAverage> Cubes { get; init; }
    /// <summary>Seed 1 cm³ integral (null without an exponential fit of the peak column).</summary>
    public SeedGramIntegral? SeedIntegral { get; init; }
    /// <summary>Warnings and remarks.</summary>
    public required IReadOnlyList<string> Notes { get; init; }

    /// <summary>psSAR of the cube of <paramref name="massG"/> grams (NaN if not computed).</summary>
    public double PeakSar(double massG) => Cubes.FirstOrDefault(c => Math.Abs(c.MassG - massG) < 1e-9)?.AverageWPerKg ?? double.NaN;
}

/// <summary>
/// The measurement processing chain (docs/probe.md): readings → E_n = V_n − DC_n → SAR per point (CF or ConvF path) →
/// area scan interpolated (bicubic natural splines) and its peak → zoom scan: every (x, y) column extrapolated to the
/// surface (sensor depth d = z_tip + probe offset) by the exponential fit (or the polynomial), then interpolated in
/// depth (natural spline of ln SAR through the surface value and the measured points; of SAR itself when a value is
/// ≤ 0) and laterally (bicubic) onto a fine voxel grid → peak cube averages for 1 g and 10 g with cube side (m/ρ)^(1/3).
/// Refuses scans whose calibration is expired, missing or lacking CF.
/// </summary>
public static class ScanProcessor
{
    /// <summary>Processes a scan.</summary>
    public static ScanResult Process(ScanFile scan, ProbeCalibration cal, LiquidProperties liquid, ScanProcessingOptions opt, string calibrationSource = "calibration")
    {
        var notes = new List<string>();
        string src = scan.Source;
        if (scan.Metadata.TryGetValue("probe_serial", out var serial) && serial != cal.ProbeSerial)
            throw new SarKitInputException($"{src}: scan made with probe '{serial}' but {calibrationSource} is for probe '{cal.ProbeSerial}'.") { SourceFile = src };
        var path = opt.Path ?? (cal.ConversionFactorSi is not null ? SarPath.ConversionFactor : cal.Sensitivity is not null ? SarPath.ConvF : SarPath.ConversionFactor);
        cal.CheckUsableOn(opt.Date, needCf: path == SarPath.ConversionFactor, calibrationSource);
        var dc = opt.DcOffsetsV ?? cal.DcOffsetsV;
        notes.Add(opt.DcOffsetsV is null ? "DC offsets: the calibration's (no DC-log entry for the scan date)." : $"DC offsets: {opt.DcSource ?? "given"}.");
        var readout = new ProbeReadout(cal, dc, path, liquid);

        var pts = scan.Points;
        var areaIdx = Enumerable.Range(0, pts.Count).Where(i => pts[i].Kind == ScanKind.Area).ToList();
        var zoomIdx = Enumerable.Range(0, pts.Count).Where(i => pts[i].Kind == ScanKind.Zoom).ToList();
        if (areaIdx.Count == 0) throw new SarKitInputException($"{src}: no area-scan points (scan = area).") { SourceFile = src };
        if (zoomIdx.Count == 0) throw new SarKitInputException($"{src}: no zoom-scan points (scan = zoom).") { SourceFile = src };
        var sar = new double[pts.Count];
        for (int i = 0; i < pts.Count; i++) sar[i] = readout.Sar(pts[i], src);

        // area scan
        var ag = ScanGrid.Build(pts, areaIdx, src, "area scan");
        if (ag.Zs.Length != 1) throw new SarKitInputException($"{src}: area scan at {ag.Zs.Length} heights; expected one height (z).") { SourceFile = src };
        if (ag.Xs.Length < 2 || ag.Ys.Length < 2) throw new SarKitInputException($"{src}: area scan is {ag.Xs.Length}×{ag.Ys.Length} points; expected at least 2×2.") { SourceFile = src };
        var aSar = ag.Index.Select(i => sar[i]).ToArray();
        var fx = GridInterpolation.Nodes(ag.Xs[0], ag.Xs[^1], opt.AreaStepM);
        var fy = GridInterpolation.Nodes(ag.Ys[0], ag.Ys[^1], opt.AreaStepM);
        var fine = GridInterpolation.Bicubic(ag.Xs, ag.Ys, aSar, fx, fy);
        int pk = 0; for (int i = 1; i < fine.Length; i++) if (fine[i] > fine[pk]) pk = i;
        double px = fx[pk % fx.Length], py = fy[pk / fx.Length];
        bool edge = pk % fx.Length == 0 || pk % fx.Length == fx.Length - 1 || pk / fx.Length == 0 || pk / fx.Length == fy.Length - 1;
        if (edge) notes.Add($"warning: the area-scan maximum lies on the edge of the scanned area (x = {px * 1e3:F1}, y = {py * 1e3:F1} mm); the true peak may be outside it.");
        var area = new AreaScanResult(ag.Xs, ag.Ys, ag.Zs[0], aSar, fx, fy, fine, px, py, fine[pk], edge);

        // zoom scan
        var zg = ScanGrid.Build(pts, zoomIdx, src, "zoom scan");
        int nx = zg.Xs.Length, ny = zg.Ys.Length, nz = zg.Zs.Length;
        if (nz < 3) throw new SarKitInputException($"{src}: zoom scan has {nz} heights; the extrapolation to the surface needs at least 3.") { SourceFile = src };
        if (nx < 2 || ny < 2) throw new SarKitInputException($"{src}: zoom scan is {nx}×{ny} columns; expected at least 2×2.") { SourceFile = src };
        if (px < zg.Xs[0] - 1e-9 || px > zg.Xs[^1] + 1e-9 || py < zg.Ys[0] - 1e-9 || py > zg.Ys[^1] + 1e-9)
            notes.Add($"warning: the area-scan peak (x = {px * 1e3:F1}, y = {py * 1e3:F1} mm) is outside the zoom scan.");
        var zSar = zg.Index.Select(i => sar[i]).ToArray();
        var depth = zg.Zs.Select(z => z + cal.ProbeOffsetM).ToArray();
        double dMax = depth[^1];
        int nxF = Math.Max(1, (int)Math.Round((zg.Xs[^1] - zg.Xs[0]) / opt.VolumeStepM));
        int nyF = Math.Max(1, (int)Math.Round((zg.Ys[^1] - zg.Ys[0]) / opt.VolumeStepM));
        int nzF = Math.Max(1, (int)Math.Round(dMax / opt.VolumeStepM));
        double hx = (zg.Xs[^1] - zg.Xs[0]) / nxF, hy = (zg.Ys[^1] - zg.Ys[0]) / nyF, hz = dMax / nzF;
        // per column: profile at the fine depth centres
        var prof = new double[nx * ny * nzF];
        var col = new double[nz];
        int fallbacks = 0;
        DecayColumn? peakCol = null; double peakFirst = double.NegativeInfinity;
        for (int j = 0; j < ny; j++)
            for (int i = 0; i < nx; i++)
            {
                for (int k = 0; k < nz; k++) col[k] = zSar[k * ny * nx + j * nx + i];
                ExponentialFit? ef = null; PolynomialFit? pf = null;
                try { ef = ExponentialFit.Fit(depth, col); } catch (SarKitInputException) { }
                try { pf = PolynomialFit.Fit(depth, col, opt.PolynomialDegree); } catch (SarKitInputException) { }
                if (col[0] > peakFirst) { peakFirst = col[0]; peakCol = new DecayColumn(zg.Xs[i], zg.Ys[j], (double[])depth.Clone(), (double[])col.Clone(), ef, pf); }
                double s0 = opt.Extrapolation == ExtrapolationModel.Exponential ? ef?.S0 ?? pf?.S0 ?? col[0] : pf?.S0 ?? ef?.S0 ?? col[0];
                if ((opt.Extrapolation == ExtrapolationModel.Exponential ? ef : (object?)pf) is null) fallbacks++;
                if (!double.IsFinite(s0) || s0 < 0) { s0 = Math.Max(0, col[0]); fallbacks++; }
                var nodes = new double[nz + 1]; var vals = new double[nz + 1];
                nodes[0] = 0; vals[0] = s0;
                bool positive = s0 > 0;
                for (int k = 0; k < nz; k++) { nodes[k + 1] = depth[k]; vals[k + 1] = col[k]; positive &= col[k] > 0; }
                if (depth[0] <= 0) { nodes = nodes[1..]; vals = vals[1..]; }
                if (positive) for (int k = 0; k < vals.Length; k++) vals[k] = Math.Log(vals[k]);
                var sp = new NaturalCubicSpline(nodes, vals);
                for (int k = 0; k < nzF; k++)
                {
                    double v = sp.Evaluate((k + 0.5) * hz);
                    prof[(k * ny + j) * nx + i] = positive ? Math.Exp(v) : Math.Max(0, v);
                }
            }
        if (fallbacks > 0) notes.Add($"warning: {fallbacks} zoom column(s) could not be fitted with the {opt.Extrapolation} model; the other model or the nearest measured value was used there.");
        var xq = Enumerable.Range(0, nxF).Select(i => zg.Xs[0] + (i + 0.5) * hx).ToArray();
        var yq = Enumerable.Range(0, nyF).Select(j => zg.Ys[0] + (j + 0.5) * hy).ToArray();
        var vol = new double[nxF * nyF * nzF];
        for (int k = 0; k < nzF; k++)
        {
            var layer = GridInterpolation.Bicubic(zg.Xs, zg.Ys, prof.AsSpan(k * ny * nx, ny * nx), xq, yq);
            for (int n = 0; n < layer.Length; n++) vol[k * nxF * nyF + n] = Math.Max(0, layer[n]);
        }
        var volume = new SarVolume(nxF, nyF, nzF, zg.Xs[0], zg.Ys[0], hx, hy, hz, vol);
        var cubes = new List<CubeAverage>();
        foreach (var m in opt.MassesKg)
        {
            CubeAverage c;
            try { c = volume.PeakCube(m, liquid.DensityKgPerM3); }
            catch (SarKitInputException e) { throw new SarKitInputException($"{src}: {e.Message}", e) { SourceFile = src }; }
            if (c.TouchesBoundary) notes.Add($"warning: the peak {c.MassG:G4} g cube touches the edge of the zoom scan; the maximum may lie outside it.");
            cubes.Add(c);
        }
        SeedGramIntegral? seed = null;
        if (peakCol!.Exponential is { } pe && pe.DecayLengthM > 0)
        {
            const double L = 0.01;
            seed = new SeedGramIntegral(pe.S0 * pe.DecayLengthM / L * (1 - Math.Exp(-L / pe.DecayLengthM)), L, liquid.DensityKgPerM3 * L * L * L, pe.S0, pe.DecayLengthM);
        }
        if (double.IsFinite(liquid.TargetConductivitySPerM) && Math.Abs(liquid.ConductivityDeviation) > 0.05)
            notes.Add($"warning: liquid conductivity deviates {Math.Round(100 * liquid.ConductivityDeviation, 1) + 0.0:+0.0;-0.0;0.0} % from its target (more than ±5 %).");
        if (double.IsFinite(liquid.TargetPermittivity) && Math.Abs(liquid.PermittivityDeviation) > 0.05)
            notes.Add($"warning: liquid permittivity deviates {Math.Round(100 * liquid.PermittivityDeviation, 1) + 0.0:+0.0;-0.0;0.0} % from its target (more than ±5 %).");
        return new ScanResult
        {
            Scan = scan, Calibration = cal, Liquid = liquid, Options = opt, Path = path, DcOffsetsV = dc, Area = area,
            ZoomGrid = zg, ZoomSar = zSar, PeakColumn = peakCol, Volume = volume, Cubes = cubes, SeedIntegral = seed, Notes = notes,
        };
    }

    /// <summary>Values for the budget rows with a "from" key, from this result (standard uncertainty in %, ν).</summary>
    public static Dictionary<string, (double Percent, double Nu)> MeasuredUncertainties(ScanResult r)
    {
        var d = new Dictionary<string, (double, double)>(StringComparer.Ordinal);
        if (r.PeakColumn.Exponential is { } e) d["extrapolation_fit"] = (100 * e.S0RelativeUncertainty, Math.Max(1, e.DegreesOfFreedom));
        if (r.Liquid.ConductivityRelU > 0) d["liquid_conductivity"] = (100 * r.Liquid.ConductivityRelU, double.PositiveInfinity);
        if (r.Liquid.PermittivityRelU > 0) d["liquid_permittivity"] = (100 * r.Liquid.PermittivityRelU, double.PositiveInfinity);
        if (r.Path == SarPath.ConversionFactor && r.Calibration.CfRelativeStdUncertainty is double u) d["cf_trials"] = (100 * u, double.PositiveInfinity);
        return d;
    }
}
