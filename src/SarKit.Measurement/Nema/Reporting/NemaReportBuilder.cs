using System.Globalization;
using SarKit.Measurement.Nema.Input;
using SarKit.Measurement.Uncertainty;

namespace SarKit.Measurement.Nema.Reporting;

/// <summary>Builds the Section 4.1 <see cref="NemaReport"/> of an evaluated measurement.</summary>
public static class NemaReportBuilder
{
    private const string NotGiven = "not given";

    private static string F(double v, string fmt = "G6") => v.ToString(fmt, CultureInfo.InvariantCulture);
    private static string C(double kelvin) => F(kelvin - 273.15, "0.000");

    private static IReadOnlyList<ReportRow> InputsOf(IEnumerable<Quantity> qs) =>
        qs.Select(q => new ReportRow(q.Field, Quantity.SiUnit(q.Kind), $"{q} = {F(q.Si)} {Quantity.SiUnit(q.Kind)}")).ToArray();

    /// <summary>Report of the calorimetric method (Section 4.1, calorimetry table).</summary>
    public static NemaReport Calorimetry(CalorimetryEvaluation r, string sarkitVersion, MeasurementFormat? format = null)
    {
        var i = r.Input;
        string D(string key) => i.Description.TryGetValue(key, out var v) ? v : NotGiven;
        var hc = r.HeatCapacity;
        var param = new List<ReportRow>
        {
            new("RF Waveform Description", "-", D("rf_waveform")),
            new("Repetition Time (TR)", "milliseconds", D("TR")),
            new("Echo Time (TE)", "milliseconds", D("TE")),
            new("Number of Slices", "-", D("slices")),
            new("Number of Echoes", "-", D("echoes")),
            new("Total Scan Time", "Seconds", i.Breaks.Count == 0 ? F(r.ScanTimeS) : $"{F(r.ScanTimeS)} ({F(i.TotalTime.Si)} s minus breaks of {F(i.Breaks.Sum(b => b.Si))} s)"),
            new("MR Tip Angle Employed in Study", "Degrees", D("tip_angle")),
            new("Phantom 3 Heat Capacity*", "J/K", $"{F(hc.HeatCapacityJPerK)} (M c = {F(hc.FillerJPerK)}; M_s c_s = {F(hc.ShellJPerK)}, {(hc.ShellIncluded ? "included" : "not included, ≤ 10 % of M c")})"),
            new("Phantom 3 insulation time constant*", "Seconds", i.InsulationTimeConstant is { } tc ? F(tc.Si) : NotGiven),
            new("Phantom 3 Equivalent Mass (M_bod)*", "Kg", F(i.EquivalentMass.Si)),
        };
        var result = new List<ReportRow>
        {
            new("Initial Phantom Temperature", "°C", C(r.InitialTemperatureK)),
            new("Post Phantom Temperature", "°C", C(r.MeasuredFinalTemperatureK)),
            new("Time gap of Post temperature measurement to end of rf exposure", "Seconds", i.MeasurementDelay is { } d ? F(d.Si) : NotGiven),
            new("Final Phantom Temperature (1 hour later)*", "°C", i.FinalTemperatureOneHourLater is { } h ? C(h.Si) : NotGiven),
            new("Corrected Post RF Phantom Temperature", "°C", r.CoolingCorrected ? $"{C(r.FinalTemperatureK)} (eq. [2])" : "no correction (T_ambient, measurement_delay, insulation_time_constant not given)"),
        };
        var sar = new List<ReportRow>
        {
            new("Absorbed Energy by Phantom 3", "J", $"{F(r.EnergyJ)} (eq. 19)"),
            new("Absorbed Power by Phantom 3", "W", $"{F(r.PowerW)} (eq. 20)"),
            new("Uncertainty of \"Absorbed Energy by Phantom 3\" determination.", "%", r.RelativeUncertaintyPercent is { } u
                ? $"{F(u, "0.00")} (expanded, k = {F(r.Budget?.CoverageFactor ?? double.NaN, "0.###")})".Replace("k = NaN", "as stated") : NotGiven),
            new("Measured SAR", "W/Kg", $"{F(r.SarWPerKg, "0.0000")} (eq. 21)"),
            new("Predicted WB SAR", "W/Kg", i.PredictedSarWPerKg is { } p ? F(p) : NotGiven),
            new(NemaReport.VerdictQuestion, "Y/N", NemaReport.VerdictText(r.PredictedCoversMeasured)),
        };
        var add = new List<ReportRow>
        {
            new("Ambient temperature", "°C", i.AmbientTemperature is { } a ? C(a.Si) : NotGiven),
            new("Temperature rise T_f − T_i", "K", F(r.TemperatureRiseK, "0.0000")),
            new("3.2(c) temperature rise ≥ 20 × sensor error", "-", r.RiseCheck is { } c
                ? $"{(c.Passed ? "PASS" : "FAIL")}: ratio {F(c.Ratio, "0.0")} (sensor error {F(c.SensorErrorK)} K, minimum rise {F(c.MinimumRiseK, "0.000")} K)"
                : "not checked (no sensor_error)"),
        };
        if (i.LoadingQuotients is { } lq)
            add.Add(new("Equivalent loading (1.2.3, eq. [1], ±20 %)", "-", EquivalentLoading.CheckQuotient(lq.Phantom.Si, lq.Human.Si).Criteria[0].ToString()));
        Coil(add, i.CoilCharacteristics);
        foreach (var kv in i.Description.Where(kv => kv.Key is not ("rf_waveform" or "TR" or "TE" or "slices" or "echoes" or "tip_angle")))
            add.Add(new(kv.Key, "-", kv.Value));
        var results = new Dictionary<string, double>
        {
            ["sar_w_per_kg"] = r.SarWPerKg, ["energy_j"] = r.EnergyJ, ["power_w"] = r.PowerW, ["scan_time_s"] = r.ScanTimeS,
            ["temperature_rise_k"] = r.TemperatureRiseK, ["heat_capacity_j_per_k"] = hc.HeatCapacityJPerK,
            ["final_temperature_k"] = r.FinalTemperatureK, ["equivalent_mass_kg"] = i.EquivalentMass.Si,
        };
        AddUncertaintyResults(results, r.Budget, r.ExpandedUncertaintyWPerKg, i.PredictedSarWPerKg);
        return new NemaReport
        {
            Method = MeasurementDocument.Calorimetry, Title = "NEMA MS 8-2016 SAR report: calorimetric method (Section 3)",
            InputFile = i.SourceFile is null ? null : Path.GetFileName(i.SourceFile), InputFormat = Format(format), SarkitVersion = sarkitVersion,
            Sections = [new("Measurement parameter section", param), new("Measurement result section", result), new("SAR calculation", sar)],
            Additional = add, Budget = r.Budget, StandardSources = NemaUncertaintySources.Calorimetry(),
            MeasuredSarWPerKg = r.SarWPerKg, PredictedSarWPerKg = i.PredictedSarWPerKg, ExpandedUncertaintyWPerKg = r.ExpandedUncertaintyWPerKg,
            CoverageFactor = r.Budget?.CoverageFactor, Verdict = NemaReport.VerdictText(r.PredictedCoversMeasured),
            Devices = i.Devices, Notes = i.Notes, Inputs = InputsOf(i.CoilCharacteristics is { } cq ? i.Quantities().Concat(cq.Quantities) : i.Quantities()), Results = results,
        };
    }

    /// <summary>Report of the pulse-energy method (Section 4.1 c table, phantom 1 and phantom 2).</summary>
    public static NemaReport PulseEnergy(PulseEnergyEvaluation r, string sarkitVersion, MeasurementFormat? format = null)
    {
        var m = r.Input;
        string D(string key, string fallback) => m.Description.TryGetValue(key, out var v) ? v : fallback;
        bool peak = m.PowerKind == PowerMeasurementKind.Peak;
        string kind = peak ? "peak" : "average";
        var pulses = m.Pulses;
        string tips = pulses.Any(p => p.TipAngle is not null)
            ? string.Join("; ", pulses.Where(p => p.TipAngle is not null).Select(p => $"{p.Name}: {F(p.TipAngle!.Value.Si * 180 / Math.PI, "0.##")}"))
            : D("tip_angle", NotGiven);
        var param = new List<ReportRow>
        {
            new("RF Waveform", "-", D("rf_waveform", pulses.Count == 0 ? NotGiven : string.Join("; ", pulses.Select(p => $"{p.Name}: {p.Shape}")))),
            new("Pulse Parameters", "-", D("pulse_parameters", pulses.Count == 0 ? NotGiven
                : string.Join("; ", pulses.Select(p => $"{p.Name}: Δτ = {F(p.Duration.Si * 1e6)} µs, B1rms²/B1peak² = {F(p.ShapeFactor.Si)}, {p.Count} per TR")))),
            new("Tip Angle(s)", "Degrees", tips),
        };
        if (pulses.Count == 0) param.Add(new("Equivalent Rectangular Pulse Duration (W_rectangle)", "microseconds", NotGiven));
        foreach (var p in pulses)
            param.Add(new($"Equivalent Rectangular Pulse Duration (W_rectangle): {p.Name}", "microseconds", F(p.EquivalentRectangularDurationS * 1e6)));
        param.Add(new("TR", "milliseconds", m.RepetitionTime is { } tr ? F(tr.Si * 1e3) : NotGiven));
        param.Add(new("Equivalent Mass of Phantom 2", "Kilograms", F(m.Mass.Si)));

        IEnumerable<ReportRow> Case(PulseEnergyPowerReadings rd, CoilTerminalPowers at, string cpl, double cplW, string eq)
        {
            yield return new($"P_forward ({kind})", "Watts", $"{F(at.ForwardW)} (measured {rd.Forward}, eq. 2)");
            yield return new($"P_reflected ({kind})", "Watts", $"{F(at.ReflectedW)} (measured {rd.Reflected}, eq. 3)");
            yield return new($"P_other ({kind})", "Watts", $"{F(at.OtherW)} (measured {rd.Other}, eq. 4)");
            yield return new("Flux loop value(s)", "Voltage", string.Join(", ", rd.FluxLoopVoltages.Select(v => $"{F(v.Si)} V")));
            yield return new(cpl, "Watts", $"{F(cplW)} ({eq})");
        }
        var unloaded = Case(m.Unloaded, r.UnloadedAtCoil, "P_CPL_unloaded", r.CoilLossUnloadedW, "eq. 7").ToArray();
        var loaded = Case(m.Loaded, r.LoadedAtCoil, "P_CPL_loaded", r.CoilLossLoadedW, "eq. 8").ToArray();
        var sar = new List<ReportRow>
        {
            new("Absorbed Average Power by Object/Phantom 2 (P_ave)", "W", $"{F(r.AveragePowerW)} ({(peak ? "eqs. 11–12" : "average power meter, eq. 9")})"),
            new("Measurement uncertainty", "%", r.Budget is { } b ? $"{F(b.RelativeExpandedPercent, "0.00")} (expanded, k = {F(b.CoverageFactor, "0.###")})" : NotGiven),
            new("Measured SAR", "W/kg", $"{F(r.SarWPerKg, "0.00000")} (eq. 13)"),
            new("Predicted SAR", "W/kg", m.PredictedSarWPerKg is { } ps ? F(ps) : NotGiven),
            new(NemaReport.VerdictQuestion, "Y/N", NemaReport.VerdictText(r.PredictedCoversMeasured)),
        };
        var add = new List<ReportRow>
        {
            new("Power values", "-", peak ? "peak (oscilloscope or peak power meter); P_ave from the pulse shapes and TR" : "average (RF power meter with averaging)"),
            new("α1, α_cf, α_cr, α2", "fraction", $"{F(m.Alpha1.Si)}, {F(m.AlphaCf.Si)}, {F(m.AlphaCr.Si)}, {F(m.Alpha2.Si)}"),
            new("V²_losses phantom 1 / phantom 2 (eqs. 5, 6)", "V²", $"{F(r.LossVoltageSquaredUnloaded)} / {F(r.LossVoltageSquaredLoaded)}"),
            new($"P_phantom_2 ({kind}, eq. 9)", "W", F(r.PhantomPeakPowerW)),
            new("Loading quotient P_phantom_2/(P_phantom_2 + P_CPL_loaded) (eq. [1])", "-", F(r.PhantomLoadingQuotient, "0.0000")),
        };
        if (peak) add.Add(new("Energy per TR, Σ E_i (eq. 11)", "J", F(r.EnergyPerTrJ)));
        if (r.Loading is { } l) add.Add(new("Equivalent loading (1.2.3, ±20 %)", "-", l.Criteria[0].ToString()));
        Coil(add, m.CoilCharacteristics);
        foreach (var kv in m.Description.Where(kv => kv.Key is not ("rf_waveform" or "pulse_parameters" or "tip_angle")))
            add.Add(new(kv.Key, "-", kv.Value));
        var inputs = new List<Quantity> { m.Alpha1, m.AlphaCf, m.AlphaCr, m.Alpha2 };
        foreach (var rd in new[] { m.Unloaded, m.Loaded }) { inputs.Add(rd.Forward); inputs.Add(rd.Reflected); inputs.Add(rd.Other); inputs.AddRange(rd.FluxLoopVoltages); }
        foreach (var pu in pulses) { inputs.Add(pu.ShapeFactor); inputs.Add(pu.Duration); if (pu.TipAngle is { } t) inputs.Add(t); }
        if (m.RepetitionTime is { } trq) inputs.Add(trq);
        inputs.Add(m.Mass);
        if (m.Impedance is { } z) inputs.Add(z);
        if (m.HumanLoadingQuotient is { } hq) inputs.Add(hq);
        if (m.CoilCharacteristics is { } cc) inputs.AddRange(cc.Quantities);
        var results = new Dictionary<string, double>
        {
            ["sar_w_per_kg"] = r.SarWPerKg, ["p_ave_w"] = r.AveragePowerW, ["p_phantom_2_w"] = r.PhantomPeakPowerW,
            ["p_cpl_unloaded_w"] = r.CoilLossUnloadedW, ["p_cpl_loaded_w"] = r.CoilLossLoadedW,
            ["p_forward_unloaded_w"] = r.UnloadedAtCoil.ForwardW, ["p_reflected_unloaded_w"] = r.UnloadedAtCoil.ReflectedW, ["p_other_unloaded_w"] = r.UnloadedAtCoil.OtherW,
            ["p_forward_loaded_w"] = r.LoadedAtCoil.ForwardW, ["p_reflected_loaded_w"] = r.LoadedAtCoil.ReflectedW, ["p_other_loaded_w"] = r.LoadedAtCoil.OtherW,
            ["loading_quotient"] = r.PhantomLoadingQuotient, ["mass_kg"] = m.Mass.Si,
        };
        if (peak) results["energy_per_tr_j"] = r.EnergyPerTrJ;
        AddUncertaintyResults(results, r.Budget, r.ExpandedUncertaintyWPerKg, m.PredictedSarWPerKg);
        return new NemaReport
        {
            Method = MeasurementDocument.PulseEnergy, Title = "NEMA MS 8-2016 SAR report: pulse-energy method (Section 2)",
            InputFile = m.SourceFile is null ? null : Path.GetFileName(m.SourceFile), InputFormat = Format(format), SarkitVersion = sarkitVersion,
            Sections =
            [
                new("Measurement parameter section", param),
                new($"Measurement result section: unloaded case (phantom 1), {kind} power values", unloaded),
                new($"Measurement result section: loaded case (phantom 2), {kind} power values", loaded),
                new("SAR calculation", sar),
            ],
            Additional = add, Budget = r.Budget, StandardSources = NemaUncertaintySources.PulseEnergy(),
            MeasuredSarWPerKg = r.SarWPerKg, PredictedSarWPerKg = m.PredictedSarWPerKg, ExpandedUncertaintyWPerKg = r.ExpandedUncertaintyWPerKg,
            CoverageFactor = r.Budget?.CoverageFactor, Verdict = NemaReport.VerdictText(r.PredictedCoversMeasured),
            Devices = m.Devices, Notes = m.Notes, Inputs = InputsOf(inputs), Results = results,
        };
    }

    private static void Coil(List<ReportRow> add, CoilCharacteristicsInput? coil)
    {
        if (coil is null) return;
        var check = coil.Check();
        foreach (var c in check.Criteria) add.Add(new($"Equivalent loading, {c.Name}", "-", c.ToString()));
        add.Add(new("Equivalent loading by coil characteristics (1.2.3 a–c)", "-", check.Passed ? "PASS (all criteria)" : $"FAIL ({check.Failures.Count()} criteria)"));
    }

    private static void AddUncertaintyResults(Dictionary<string, double> results, NemaBudget? b, double? u, double? predicted)
    {
        if (u is { } uu) results["expanded_uncertainty_w_per_kg"] = uu;
        if (b is not null) { results["combined_standard_uncertainty_w_per_kg"] = b.CombinedStandardUncertainty; results["coverage_factor"] = b.CoverageFactor; }
        if (predicted is { } p) results["predicted_sar_w_per_kg"] = p;
    }

    private static string? Format(MeasurementFormat? f) => f switch { MeasurementFormat.Json => "json", MeasurementFormat.Yaml => "yaml", _ => null };
}
