using System.Globalization;
using System.Text;
using SarKit.Plotting;
using SarKit.Reporting;
using SarKit.IO.Formats;

namespace SarKit.Measurement.Probe;

/// <summary>
/// The report of one processed scan (docs/probe.md, "Report"): calibration and liquid used, the area-scan heat map
/// (PNG), the decay curve of the peak column with the exponential and polynomial fits (PNG), psSAR 1 g / 10 g,
/// the manual's 1 cm³ integral, the uncertainty budget in the IEC/IEEE 62209-1528 layout and the comparison with the
/// limits (expanded uncertainty beside the margin). Markdown, or HTML when the file name ends in .html/.htm.
/// </summary>
public static class ScanReport
{
    /// <summary>Signed percentage with one decimal, "+0.0" for values that round to zero.</summary>
    private static string S(double v) => double.IsFinite(v) ? (Math.Round(v, 1) + 0.0).ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture) : "–";
    private static string F(double v, string f = "G4") => double.IsFinite(v) ? v.ToString(f, CultureInfo.InvariantCulture) : "–";
    private static string Mm(double m) => F(m * 1e3, "0.0##");

    /// <summary>Image file names written next to <paramref name="reportPath"/>.</summary>
    public static (string Area, string Decay) ImagePaths(string reportPath)
    {
        var full = Path.GetFullPath(reportPath);
        var stem = Path.Combine(Path.GetDirectoryName(full)!, Path.GetFileNameWithoutExtension(full));
        return (stem + "_area.png", stem + "_decay.png");
    }

    /// <summary>
    /// The area-scan heat map: interpolated SAR at the probe-tip height over x and y in mm, colour bar in W/kg from 0 to
    /// the largest value, a cross at the interpolated peak. A non-finite SAR value is refused (no picture hides it).
    /// </summary>
    public static HeatMap AreaImage(ScanResult r)
    {
        var a = r.Area;
        int nx = a.FineXs.Length, ny = a.FineYs.Length;
        double xs = (a.FineXs[^1] - a.FineXs[0]) * 1e3, ys = (a.FineYs[^1] - a.FineYs[0]) * 1e3;
        const int width = 640;
        var map = new HeatMap
        {
            Title = $"Area scan SAR at probe tip z = {Mm(a.ZM)} mm",
            XLabel = "x (mm)", YLabel = "y (mm)", ColourBarLabel = "SAR (W/kg)",
            Values = a.FineSar, Nx = nx, Ny = ny,
            XFirst = a.FineXs[0] * 1e3, XLast = a.FineXs[^1] * 1e3, YFirst = a.FineYs[0] * 1e3, YLast = a.FineYs[^1] * 1e3,
            Width = width, Height = HeatMap.FittingHeight(width, Math.Max(xs, 1e-9), Math.Max(ys, 1e-9)),
        };
        map.Markers.Add(new MapMarker($"interpolated peak {F(a.PeakWPerKg, "0.000")} W/kg", a.PeakXM * 1e3, a.PeakYM * 1e3));
        return map;
    }

    /// <summary>
    /// The decay plot of the peak column: measured SAR (open squares) against sensor depth d in mm, the exponential fit
    /// over 0…1.05·d_max, the polynomial fit within the measured range, and a dashed line at the first measured depth.
    /// </summary>
    public static LinePlot DecayImage(ScanResult r)
    {
        var c = r.PeakColumn;
        double xMax = c.DepthsM[^1] * 1.05;
        var plot = new LinePlot
        {
            Title = $"SAR against depth, peak column at x = {Mm(c.XM)} mm, y = {Mm(c.YM)} mm",
            XLabel = "sensor depth d below the surface (mm)", YLabel = "SAR (W/kg)",
            Width = 760, Height = 440, XRange = (0, xMax * 1e3), LegendInside = true,
        };
        double[] Grid(double hi) => Enumerable.Range(0, 201).Select(k => hi * k / 200).ToArray();
        if (c.Exponential is { } e)
        {
            var d = Grid(xMax);
            plot.Series.Add(new LineSeries($"exponential fit, S₀ = {F(e.S0, "0.000")} W/kg", d.Select(v => v * 1e3).ToArray(), d.Select(e.Evaluate).ToArray(), "#d62728", LineWidth: 2.5f));
        }
        if (c.Polynomial is { } p)
        {
            var d = Grid(c.DepthsM[^1]);
            plot.Series.Add(new LineSeries($"polynomial fit (degree {p.Degree}), S₀ = {F(p.S0, "0.000")} W/kg", d.Select(v => v * 1e3).ToArray(), d.Select(p.Evaluate).ToArray(), "#1f77b4", Dashed: true));
        }
        plot.Series.Add(new LineSeries("measured", c.DepthsM.Select(v => v * 1e3).ToArray(), c.Sar, "#000000", Style: SeriesStyle.Points));
        plot.VLines.Add(new VLine($"first measured depth {Mm(r.Calibration.ProbeOffsetM + r.ZoomGrid.Zs[0])} mm", (r.Calibration.ProbeOffsetM + r.ZoomGrid.Zs[0]) * 1e3, "#7f7f7f"));
        return plot;
    }

    /// <summary>Builds the report document.</summary>
    public static ReportDocument Build(ScanResult r, ProbeBudgetResult budget, IReadOnlyList<LimitComparison> limits, string areaFile, string decayFile, string sarkitVersion)
    {
        var cal = r.Calibration; var l = r.Liquid;
        var d = new ReportDocument("SAR measurement report (E-field probe)");
        d.P($"Scan file: `{Path.GetFileName(r.Scan.Source)}`; measurement date {r.Options.Date:yyyy-MM-dd}; SarKit {sarkitVersion}.");
        if (r.Scan.Metadata.Count > 0) d.List(r.Scan.Metadata.Select(kv => $"{kv.Key}: {kv.Value}"));
        d.H(2, "Result");
        d.Tab(["Quantity", "Value"],
            r.Cubes.Select(c => new[] { $"Peak spatial-average SAR, {F(c.MassG)} g cube (side {Mm(c.SideM)} mm)", $"{F(c.AverageWPerKg, "0.000")} W/kg ± {F(budget.ExpandedFractionFor(c.MassG) * c.AverageWPerKg, "0.000")} W/kg (U, k = {F(budget.CoverageFactor)})" })
            .Concat(r.SeedIntegral is { } s ? [[ $"Manual's 1 cm² × 1 cm integral (ρ·1 cm³ = {F(s.MassKg * 1e3)} g)", $"{F(s.SarWPerKg, "0.000")} W/kg" ]] : Array.Empty<string[]>())
            .Append(["Area-scan peak (interpolated)", $"{F(r.Area.PeakWPerKg, "0.000")} W/kg at x = {Mm(r.Area.PeakXM)} mm, y = {Mm(r.Area.PeakYM)} mm (probe tip z = {Mm(r.Area.ZM)} mm)"]));
        d.H(2, "Limits");
        d.P("psSAR against the limits table; the expanded uncertainty U (k = 2) is shown beside the margin. Compliance per the measurement standards compares psSAR with the limit; the last column says whether the margin also covers U.");
        d.Tab(["Limit", "Applies", "Mass", "Limit W/kg", "psSAR W/kg", "Margin W/kg", "U W/kg", "psSAR/limit", "Within limit", "Margin ≥ U", "Source"],
            limits.Select(c => new[] { c.Limit.Regime, c.Limit.Applies, $"{F(c.Limit.MassG)} g", F(c.Limit.LimitWPerKg), F(c.PeakSarWPerKg, "0.000"), F(c.MarginWPerKg, "0.000"),
                F(c.ExpandedUncertaintyWPerKg, "0.000"), F(c.Ratio, "0.000"), c.WithinLimit ? "yes" : "NO", c.MarginCoversUncertainty ? "yes" : "no", c.Limit.Source }));
        d.H(2, "Probe calibration");
        d.Tab(["Item", "Value"],
        [
            ["Probe", $"{cal.ProbeSerial} ({ProbeGeometries.Id(cal.Geometry)}, θ = {string.Join(", ", cal.AnglesDeg.Select(a => F(a)))}°)"],
            ["Calibration date / valid until", $"{cal.CalibrationDate:yyyy-MM-dd} / {cal.ValidUntil:yyyy-MM-dd}"],
            ["Sensor factor", $"{F(ProbeUnits.SensorFactorMvPerMwPerCm2(cal.SensorFactorSi))} mV/(mW/cm²)"],
            ["Amplifier settings AS₁..₃", string.Join(", ", cal.AmplifierSettings.Select(a => F(a, "0.0000")))],
            ["Conversion factor CF", cal.ConversionFactorSi is double cf ? $"{F(ProbeUnits.ConversionFactorManual(cf), "0.000")} (mW/g)/(mW/cm²)" + (cal.CfDate is DateOnly cd ? $" ({cd:yyyy-MM-dd})" : "") : "not determined"],
            ["SAR path", r.Path == SarPath.ConversionFactor ? "SAR = Pd_tot·CF/Sensor_Factor, Pd_tot = Σ(V_n − DC_n)·AS_n" : "SAR = σ·Σ(V_n − DC_n)/(Norm_n·ConvF)/ρ"],
            ["DC offsets subtracted", string.Join(", ", r.DcOffsetsV.Select(v => F(v * 1e3, "0.000"))) + " mV"],
            ["Probe offset (sensor centre to tip)", $"{Mm(cal.ProbeOffsetM)} mm; sensor depth d = z + offset"],
        ]);
        d.H(2, "Liquid");
        d.Tab(["Property", "Value", "Standard uncertainty", "Target", "Deviation"],
        [
            ["Conductivity σ", $"{F(l.ConductivitySPerM, "0.000")} S/m", $"{F(100 * l.ConductivityRelU, "0.0")} %", double.IsFinite(l.TargetConductivitySPerM) ? $"{F(l.TargetConductivitySPerM, "0.000")} S/m" : "–", $"{S(100 * l.ConductivityDeviation)} %"],
            ["Relative permittivity ε_r", F(l.RelativePermittivity, "0.00"), $"{F(100 * l.PermittivityRelU, "0.0")} %", F(l.TargetPermittivity, "0.00"), $"{S(100 * l.PermittivityDeviation)} %"],
            ["Density ρ", $"{F(l.DensityKgPerM3, "0")} kg/m³", $"{F(100 * l.DensityRelU, "0.0")} %", "–", "–"],
        ]);
        d.H(2, "Area scan");
        var a = r.Area;
        d.P($"{a.Xs.Length} × {a.Ys.Length} points, x {Mm(a.Xs[0])}…{Mm(a.Xs[^1])} mm, y {Mm(a.Ys[0])}…{Mm(a.Ys[^1])} mm, probe tip z = {Mm(a.ZM)} mm; bicubic (natural spline) interpolation to {Mm(r.Options.AreaStepM)} mm.");
        d.Img(Path.GetFileName(areaFile), "area scan heat map",
            $"Area scan SAR, linear colour scale from 0 to the largest interpolated value (colour bar in W/kg); x {Mm(a.FineXs[0])}…{Mm(a.FineXs[^1])} mm, y {Mm(a.FineYs[0])}…{Mm(a.FineYs[^1])} mm; cross = interpolated peak ({F(a.PeakWPerKg, "0.000")} W/kg).");
        d.H(2, "Zoom scan and extrapolation");
        var z = r.ZoomGrid; var pc = r.PeakColumn;
        d.P($"{z.Xs.Length} × {z.Ys.Length} × {z.Zs.Length} points, x {Mm(z.Xs[0])}…{Mm(z.Xs[^1])} mm, y {Mm(z.Ys[0])}…{Mm(z.Ys[^1])} mm, probe tip z = {string.Join(", ", z.Zs.Select(Mm))} mm. " +
            $"Every column extrapolated to the surface with the {r.Options.Extrapolation.ToString().ToLowerInvariant()} model, interpolated to {Mm(r.Volume.Hx)} × {Mm(r.Volume.Hy)} × {Mm(r.Volume.Hz)} mm voxels.");
        d.P($"Peak column x = {Mm(pc.XM)} mm, y = {Mm(pc.YM)} mm: the two extrapolations side by side.");
        var rows = new List<string[]>();
        if (pc.Exponential is { } e)
            rows.Add(["Exponential S₀·e^(−d/a)", $"{F(e.S0, "0.0000")} ± {F(e.S0StdUncertainty, "0.0000")}", $"a = {F(e.DecayLengthM * 1e3, "0.00")} ± {F(e.DecayLengthStdUncertaintyM * 1e3, "0.00")} mm", F(e.ResidualStd, "0.0000"), e.DegreesOfFreedom.ToString(CultureInfo.InvariantCulture)]);
        if (pc.Polynomial is { } p)
            rows.Add([$"Polynomial, degree {p.Degree}", $"{F(p.S0, "0.0000")} ± {F(p.S0StdUncertainty, "0.0000")}", "–", F(p.ResidualStd, "0.0000"), p.DegreesOfFreedom.ToString(CultureInfo.InvariantCulture)]);
        d.Tab(["Model", "Surface SAR W/kg (± u)", "Decay length", "Residual s W/kg", "ν"], rows);
        if (pc.Exponential is { } e2 && pc.Polynomial is { } p2)
            d.P($"Difference polynomial − exponential at the surface: {F(Math.Round(100 * (p2.S0 / e2.S0 - 1), 2) + 0.0, "+0.00;-0.00;0.00")} %.");
        d.Img(Path.GetFileName(decayFile), "decay curve",
            $"SAR against sensor depth d (0…{Mm(pc.DepthsM[^1] * 1.05)} mm): measured points (open squares), exponential fit (red), polynomial fit (dashed blue, within the measured range), dashed grey line = first measured depth.");
        d.H(2, "Uncertainty budget (IEC/IEEE 62209-1528 layout)");
        d.Tab(["Group", "Source", "Tol. ± %", "Distribution", "Divisor", "c_i (1 g)", "c_i (10 g)", "u_i (1 g) %", "u_i (10 g) %", "ν_i", "Note"],
            budget.Rows.Select(b => new[] { b.Row.Group, b.Row.Source, F(b.TolerancePercent, "0.00"), b.Row.Distribution.ToString(), F(b.Row.Divisor, "0.###"),
                F(b.Row.C1g, "0.##"), F(b.Row.C10g, "0.##"), F(b.U1gPercent, "0.00"), F(b.U10gPercent, "0.00"), double.IsFinite(b.DegreesOfFreedom) ? F(b.DegreesOfFreedom) : "∞", b.Note ?? "" })
            .Append(["", "Combined standard uncertainty (RSS)", "", "", "", "", "", F(budget.Combined1gPercent, "0.00"), F(budget.Combined10gPercent, "0.00"), $"ν_eff {F(budget.Engine1g.EffectiveDegreesOfFreedom, "0")} / {F(budget.Engine10g.EffectiveDegreesOfFreedom, "0")}", ""])
            .Append(["", $"Expanded uncertainty (k = {F(budget.CoverageFactor)})", "", "", "", "", "", F(budget.Expanded1gPercent, "0.00"), F(budget.Expanded10gPercent, "0.00"), "", ""]));
        d.P($"For comparison, k = t₉₅.₄₅(ν_eff) would be {F(budget.Engine1g.CoverageFactor, "0.000")} (1 g) and {F(budget.Engine10g.CoverageFactor, "0.000")} (10 g).");
        d.H(2, "Notes");
        d.List(r.Notes.Count > 0 ? r.Notes : ["none"]);
        return d;
    }

    /// <summary>Writes the two PNG files and the report (each atomically); Markdown unless the name ends in .html/.htm.</summary>
    public static (string Report, string Area, string Decay) Write(string reportPath, ScanResult r, ProbeBudgetResult budget, IReadOnlyList<LimitComparison> limits, string sarkitVersion)
    {
        var (area, decay) = ImagePaths(reportPath);
        var doc = Build(r, budget, limits, area, decay, sarkitVersion);
        bool html = reportPath.EndsWith(".html", StringComparison.OrdinalIgnoreCase) || reportPath.EndsWith(".htm", StringComparison.OrdinalIgnoreCase);
        var text = html ? doc.ToHtml() : doc.ToMarkdown();
        AreaImage(r).Write(area); DecayImage(r).Write(decay);
        AtomicFile.WriteAtomically(reportPath, tmp => File.WriteAllText(tmp, text, new UTF8Encoding(false)));
        return (Path.GetFullPath(reportPath), area, decay);
    }
}
