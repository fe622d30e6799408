using System.Text.Json;

namespace SarKit.Measurement.Nema.Input;

/// <summary>Kind of power values measured (Section 2.5 ii; Section 4.1 c): peak (oscilloscope or peak power meter) or
/// time-averaged (RF power meter with averaging).</summary>
public enum PowerMeasurementKind
{
    /// <summary>Peak powers: eqs. (10)–(12) turn P_phantom_2 into the average power with the pulse shapes and TR.</summary>
    Peak,
    /// <summary>Average powers: P_phantom_2 of eq. (9) is already P_ave ("skip this step", 2.5 vii).</summary>
    Average,
}

/// <summary>Measured powers and flux-loop voltages of one measurement (phantom 1 "unloaded" or phantom 2 "loaded").
/// Powers given as oscilloscope peak-to-peak voltages (unit "Vpp"/"mVpp") are converted with eq. (1) and carry
/// the unit as written.</summary>
public sealed record PulseEnergyPowerReadings(Quantity Forward, Quantity Reflected, Quantity Other, IReadOnlyList<Quantity> FluxLoopVoltages);

/// <summary>One pulse type per TR: shape factor B1rms²/B1peak² (fraction), interval Δτ, number of such pulses in one TR.</summary>
/// <param name="ShapeFactor">B1rms²/B1peak² over <paramref name="Duration"/> (eq. 11).</param>
/// <param name="Duration">Δτ (pulse width).</param>
/// <param name="Count">Pulses of this type per TR.</param>
public sealed record PulseSpec(Quantity ShapeFactor, Quantity Duration, int Count)
{
    /// <summary>Name of the pulse type (e.g. "excitation"), or "pulse i".</summary>
    public string Name { get; init; } = "";
    /// <summary>How the shape factor was obtained: "given", "rect", "sinc, n = 2", "gaussian, σ = …", "samples (N)", "B1rms/B1peak".</summary>
    public string Shape { get; init; } = "given";
    /// <summary>Tip angle of this pulse type (optional; Section 4.1 c "Tip Angle(s)").</summary>
    public Quantity? TipAngle { get; init; }
    /// <summary>Equivalent rectangular pulse duration W_rectangle = ∫B1² dt / B1peak² = shape factor × Δτ (s) (Section 4.1 c).</summary>
    public double EquivalentRectangularDurationS => ShapeFactor.Si * Duration.Si;
}

/// <summary>Pulse-energy measurement (NEMA MS 8-2016 Section 2.5) as read from a file, every quantity with its unit.</summary>
public sealed record PulseEnergyMeasurement
{
    /// <summary>Fractional factors α1, α_cf, α_cr, α2 (eqs. 2–4).</summary>
    public required Quantity Alpha1 { get; init; }
    /// <summary>α_cf.</summary>
    public required Quantity AlphaCf { get; init; }
    /// <summary>α_cr.</summary>
    public required Quantity AlphaCr { get; init; }
    /// <summary>α2.</summary>
    public required Quantity Alpha2 { get; init; }
    /// <summary>Phantom 1 readings.</summary>
    public required PulseEnergyPowerReadings Unloaded { get; init; }
    /// <summary>Phantom 2 readings.</summary>
    public required PulseEnergyPowerReadings Loaded { get; init; }
    /// <summary>Pulse types of one TR (required for peak powers; optional, reported only, for average powers).</summary>
    public required IReadOnlyList<PulseSpec> Pulses { get; init; }
    /// <summary>TR (or total scan time for single-shot sequences), eq. (12); required for peak powers.</summary>
    public Quantity? RepetitionTime { get; init; }
    /// <summary>Mass M of eq. (13) (M_bod of phantom 2, or the subject's registered weight).</summary>
    public required Quantity Mass { get; init; }
    /// <summary>Peak (default) or average power values.</summary>
    public PowerMeasurementKind PowerKind { get; init; } = PowerMeasurementKind.Peak;
    /// <summary>Z0 of eq. (1), required when any power is given as a peak-to-peak voltage.</summary>
    public Quantity? Impedance { get; init; }
    /// <summary>Predicted whole-body SAR displayed by the MR system (W/kg), optional.</summary>
    public double? PredictedSarWPerKg { get; init; }
    /// <summary>P_human/(P_human + P_CPL_human) of eq. [1] for the equivalent-loading check (optional).</summary>
    public Quantity? HumanLoadingQuotient { get; init; }
    /// <summary>Uncertainty components (optional).</summary>
    public UncertaintySpec? Uncertainty { get; init; }
    /// <summary>Coil characteristics for the alternative equivalent-loading check (Section 1.2.3 a–c), optional.</summary>
    public CoilCharacteristicsInput? CoilCharacteristics { get; init; }
    /// <summary>Measurement devices (Section 4.1).</summary>
    public IReadOnlyList<MeasurementDevice> Devices { get; init; } = [];
    /// <summary>Free-text notes (deviations, repeatability parameters).</summary>
    public string? Notes { get; init; }
    /// <summary>Descriptive parameters reported as written (rf_waveform, pulse_parameters, tip_angle, sequence, ...).</summary>
    public IReadOnlyDictionary<string, string> Description { get; init; } = new Dictionary<string, string>();
    /// <summary>Source file.</summary>
    public string? SourceFile { get; init; }
}

/// <summary>Result of eqs. (2)–(13) for a <see cref="PulseEnergyMeasurement"/>; SI units.</summary>
public sealed record PulseEnergyEvaluation(
    PulseEnergyMeasurement Input, CoilTerminalPowers UnloadedAtCoil, CoilTerminalPowers LoadedAtCoil,
    double LossVoltageSquaredUnloaded, double LossVoltageSquaredLoaded, double CoilLossUnloadedW, double CoilLossLoadedW,
    double PhantomPeakPowerW, double EnergyPerTrJ, double AveragePowerW, double SarWPerKg)
{
    /// <summary>Uncertainty budget (null without an <c>uncertainty</c> block).</summary>
    public NemaBudget? Budget { get; init; }
    /// <summary>Equivalent-loading check of eq. [1] against the human quotient, when given.</summary>
    public EquivalentLoadingResult? Loading { get; init; }
    /// <summary>Loading quotient of phantom 2, P_phantom_2/(P_phantom_2 + P_CPL_loaded) (eq. [1]).</summary>
    public double PhantomLoadingQuotient => PhantomPeakPowerW / (PhantomPeakPowerW + CoilLossLoadedW);
    /// <summary>Expanded uncertainty U (W/kg), or null.</summary>
    public double? ExpandedUncertaintyWPerKg => Budget?.ExpandedUncertainty;
    /// <summary>"Is predicted SAR ≥ measured SAR − measurement uncertainty?" (Section 4.1 c), null without predicted SAR or budget.</summary>
    public bool? PredictedCoversMeasured => Input.PredictedSarWPerKg is { } p && Budget is { } b
        ? double.IsFinite(p) && double.IsFinite(b.ExpandedUncertainty) && double.IsFinite(SarWPerKg) && p >= SarWPerKg - b.ExpandedUncertainty : null;

    /// <summary>Evaluates eqs. (2)–(13) (and the budget and loading check when their inputs are present).</summary>
    public static PulseEnergyEvaluation Evaluate(PulseEnergyMeasurement m)
    {
        CoilTerminalPowers At(PulseEnergyPowerReadings r) => PulseEnergyMethod.AtCoil(r.Forward.Si, r.Reflected.Si, r.Other.Si, m.Alpha1.Si, m.AlphaCf.Si, m.AlphaCr.Si, m.Alpha2.Si);
        var u = At(m.Unloaded); var l = At(m.Loaded);
        double v1 = PulseEnergyMethod.LossVoltageSquared(m.Unloaded.FluxLoopVoltages.Select(q => q.Si).ToArray());
        double v2 = PulseEnergyMethod.LossVoltageSquared(m.Loaded.FluxLoopVoltages.Select(q => q.Si).ToArray());
        double cplU = PulseEnergyMethod.CoilLossUnloaded(u);
        double cplL = PulseEnergyMethod.CoilLossLoaded(cplU, v2, v1);
        double pPh = PulseEnergyMethod.PhantomPower(l, cplL);
        double e, pAve;
        if (m.PowerKind == PowerMeasurementKind.Peak)
        {
            e = m.Pulses.Sum(p => p.Count * PulseEnergyMethod.PulseEnergyFromShapeFactor(pPh, p.ShapeFactor.Si, p.Duration.Si));
            pAve = PulseEnergyMethod.AveragePower([e], m.RepetitionTime!.Value.Si);
        }
        else
        {
            pAve = pPh;
            e = m.RepetitionTime is { } tr ? pAve * tr.Si : double.NaN;
        }
        var r = new PulseEnergyEvaluation(m, u, l, v1, v2, cplU, cplL, pPh, e, pAve, PulseEnergyMethod.Sar(pAve, m.Mass.Si));
        if (m.HumanLoadingQuotient is { } h)
            r = r with { Loading = EquivalentLoading.CheckQuotient(r.PhantomLoadingQuotient, h.Si) };
        if (m.Uncertainty is { } spec)
            r = r with { Budget = NemaBudgetBuilder.Evaluate(spec, NemaBudgetBuilder.PulseEnergySources, r.ModelQuantities(), r.ModelSar, m.SourceFile) };
        return r;
    }

    private static readonly string[] Readings = ["P_forward_unloaded", "P_reflected_unloaded", "P_other_unloaded", "P_forward_loaded", "P_reflected_loaded", "P_other_loaded"];

    /// <summary>Model quantities of eqs. (2)–(13) that uncertainty components can apply to.</summary>
    public IReadOnlyList<ModelQuantity> ModelQuantities()
    {
        var m = Input;
        var list = new List<ModelQuantity>
        {
            new("alpha1", QuantityKind.Attenuation, m.Alpha1.Si, false, "α1, line between coupler and coil"),
            new("alpha_cf", QuantityKind.Attenuation, m.AlphaCf.Si, false, "α_cf, forward coupling"),
            new("alpha_cr", QuantityKind.Attenuation, m.AlphaCr.Si, false, "α_cr, reverse coupling"),
            new("alpha2", QuantityKind.Attenuation, m.Alpha2.Si, false, "α2, path to the dummy load"),
            new("P_forward_unloaded", QuantityKind.Power, m.Unloaded.Forward.Si, false, "measured forward power, phantom 1"),
            new("P_reflected_unloaded", QuantityKind.Power, m.Unloaded.Reflected.Si, false, "measured reflected power, phantom 1"),
            new("P_other_unloaded", QuantityKind.Power, m.Unloaded.Other.Si, false, "measured other power, phantom 1"),
            new("P_forward_loaded", QuantityKind.Power, m.Loaded.Forward.Si, false, "measured forward power, phantom 2"),
            new("P_reflected_loaded", QuantityKind.Power, m.Loaded.Reflected.Si, false, "measured reflected power, phantom 2"),
            new("P_other_loaded", QuantityKind.Power, m.Loaded.Other.Si, false, "measured other power, phantom 2"),
            new("power_readings", QuantityKind.Power, 1, true, "common factor on all six measured powers (meter calibration)"),
            new("flux_loop_unloaded", QuantityKind.Voltage, 1, true, "factor on the phantom 1 flux-loop voltages"),
            new("flux_loop_loaded", QuantityKind.Voltage, 1, true, "factor on the phantom 2 flux-loop voltages"),
            new("coil_loss", QuantityKind.Power, 1, true, "factor on P_CPL_loaded (eq. 8)"),
            new("mass", QuantityKind.Mass, m.Mass.Si, false, "mass M of eq. (13)"),
            new("SAR", QuantityKind.SpecificAbsorptionRate, 1, true, "direct relative effect on the measured SAR"),
        };
        if (m.PowerKind == PowerMeasurementKind.Peak)
        {
            list.Add(new("TR", QuantityKind.Time, m.RepetitionTime!.Value.Si, false, "TR (or total scan time) of eq. (12)"));
            list.Add(new("shape_factor", QuantityKind.Fraction, 1, true, "factor on all B1rms²/B1peak² shape factors (eq. 11)"));
        }
        return list;
    }

    /// <summary>SAR of eqs. (2)–(13) as a function of the model quantities (plain arithmetic, no range checks: used for perturbations).</summary>
    public double ModelSar(Func<string, double> x)
    {
        double a1 = x("alpha1"), acf = x("alpha_cf"), acr = x("alpha_cr"), a2 = x("alpha2"), f = x("power_readings");
        double Net(string sfx)
        {
            double fwd = f * x("P_forward_" + sfx) * a1 / acf, refl = f * x("P_reflected_" + sfx) / (a1 * acr), oth = f * x("P_other_" + sfx);
            return fwd - refl - (oth == 0 ? 0 : oth / a2);
        }
        double fu = x("flux_loop_unloaded"), fl = x("flux_loop_loaded");
        double cplU = Net("unloaded");
        double cplL = cplU * (fl * fl * LossVoltageSquaredLoaded) / (fu * fu * LossVoltageSquaredUnloaded) * x("coil_loss");
        double pPh = Net("loaded") - cplL;
        double pAve = pPh;
        if (Input.PowerKind == PowerMeasurementKind.Peak)
        {
            double w = Input.Pulses.Sum(p => p.Count * p.ShapeFactor.Si * p.Duration.Si);
            pAve = pPh * w * x("shape_factor") / x("TR");
        }
        return pAve / x("mass") * x("SAR");
    }
}

/// <summary>Reads pulse-energy measurement files (JSON or YAML; docs/nema-ms8.md).</summary>
public static class PulseEnergyInputFile
{
    /// <summary>Reads and validates <paramref name="path"/> (.json, .yaml or .yml).</summary>
    public static PulseEnergyMeasurement Read(string path) => Parse(MeasurementFile.Load(path));

    /// <summary>Validates a loaded <see cref="MeasurementDocument"/>.</summary>
    public static PulseEnergyMeasurement Parse(MeasurementDocument doc) => Parse(doc.Json, doc.SourceFile);

    /// <summary>Parses JSON text; <paramref name="file"/> is used in messages.</summary>
    public static PulseEnergyMeasurement Parse(string json, string? file = null)
    {
        string src = file ?? "<input>";
        JsonDocument doc;
        try { doc = MeasurementJson.Parse(json, src, file); }
        catch (JsonException e) { throw new SarKitInputException($"{src}: not valid JSON: {e.Message}", e) { SourceFile = file }; }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new SarKitInputException($"{src}: expected an object at the top level.") { SourceFile = file };
            var root = new FieldReader(doc.RootElement, "", src, file);
            var method = root.Get("method");
            if (method.ValueKind != JsonValueKind.String || method.GetString() != MeasurementDocument.PulseEnergy)
                throw root.Error($"field 'method' is {method.GetRawText()}; this reader handles \"pulse-energy\".");
            var kind = PowerMeasurementKind.Peak;
            if (root.OptStr("power_measurement") is { } pm)
                kind = pm switch
                {
                    "peak" => PowerMeasurementKind.Peak,
                    "average" => PowerMeasurementKind.Average,
                    _ => throw root.Error($"field 'power_measurement' = \"{pm}\": expected \"peak\" or \"average\"."),
                };
            var z0 = root.OptQ("Z0", QuantityKind.Impedance);
            if (z0 is { } z && !(z.Si > 0)) throw root.Error($"field 'Z0' = {z}: expected a value > 0.");

            Quantity Power(FieldReader o, string k)
            {
                var el = o.Get(k);
                if (el.ValueKind == JsonValueKind.Object && el.TryGetProperty("unit", out var u) && u.ValueKind == JsonValueKind.String && u.GetString() is "Vpp" or "mVpp")
                {
                    // Eq. (1): oscilloscope peak-to-peak voltage → peak power P_p = V_pp² / (8 Z0).
                    var v = QuantityParser.Parse(el, o.Path(k), QuantityKind.Voltage, src, voltageSuffix: "pp");
                    if (z0 is null) throw o.Error($"field '{o.Path(k)}' is a peak-to-peak voltage ({v}); eq. (1) needs the field 'Z0' (e.g. {{\"value\": 50, \"unit\": \"ohm\"}}).");
                    if (kind != PowerMeasurementKind.Peak) throw o.Error($"field '{o.Path(k)}': a peak-to-peak voltage gives a peak power, but 'power_measurement' is \"average\".");
                    return v with { Kind = QuantityKind.Power, Si = PulseEnergyMethod.PeakPowerFromPeakToPeakVoltage(v.Si, z0.Value.Si) };
                }
                return QuantityParser.Parse(el, o.Path(k), QuantityKind.Power, src);
            }

            PulseEnergyPowerReadings ReadingsOf(string k)
            {
                var o = root.Sub(k);
                var fl = o.Array("flux_loop_voltages").Select((e, i) => QuantityParser.Parse(e, o.Path($"flux_loop_voltages[{i}]"), QuantityKind.Voltage, src)).ToArray();
                var r = new PulseEnergyPowerReadings(Power(o, "P_forward"), Power(o, "P_reflected"), Power(o, "P_other"), fl);
                o.NoOthers();
                return r;
            }

            var pulses = new List<PulseSpec>();
            if (kind == PowerMeasurementKind.Peak || root.Has("pulses"))
            {
                var items = root.Array("pulses");
                for (int i = 0; i < items.Length; i++) pulses.Add(Pulse(new FieldReader(items[i], $"pulses[{i}].", src, file), i));
            }
            Quantity? tr = kind == PowerMeasurementKind.Peak ? root.Q("TR", QuantityKind.Time) : root.OptQ("TR", QuantityKind.Time);
            if (tr is { } t && !(t.Si > 0)) throw root.Error($"field 'TR' = {t}: expected a time > 0.");
            double? predicted = root.OptQ("predicted_sar", QuantityKind.SpecificAbsorptionRate)?.Si;
            var m = new PulseEnergyMeasurement
            {
                Alpha1 = root.Q("alpha1", QuantityKind.Attenuation), AlphaCf = root.Q("alpha_cf", QuantityKind.Attenuation),
                AlphaCr = root.Q("alpha_cr", QuantityKind.Attenuation), Alpha2 = root.Q("alpha2", QuantityKind.Attenuation),
                Unloaded = ReadingsOf("unloaded"), Loaded = ReadingsOf("loaded"), Pulses = pulses,
                RepetitionTime = tr, Mass = root.Q("mass", QuantityKind.Mass), PowerKind = kind, Impedance = z0,
                PredictedSarWPerKg = predicted, HumanLoadingQuotient = root.OptQ("human_loading_quotient", QuantityKind.Fraction),
                Uncertainty = MeasurementExtras.Uncertainty(root), Devices = MeasurementExtras.Devices(root), CoilCharacteristics = MeasurementExtras.Coil(root),
                Notes = root.OptStr("notes"), Description = root.StringMap("description"), SourceFile = file,
            };
            if (m.HumanLoadingQuotient is { } h && !(h.Si > 0)) throw root.Error($"field 'human_loading_quotient' = {h}: expected a fraction in (0, 1].");
            root.NoOthers();
            return m;
        }
    }

    private static PulseSpec Pulse(FieldReader o, int i)
    {
        var d = o.Q("duration", QuantityKind.Time);
        if (!(d.Si > 0)) throw o.Error($"field '{o.Path("duration")}' = {d}: expected a time > 0.");
        int count = o.PositiveInt("count");
        string name = o.OptStr("name") ?? $"pulse {i + 1}";
        var tip = o.OptQ("tip_angle", QuantityKind.Angle);
        bool hasFactor = o.Has("shape_factor"), hasShape = o.Has("shape"), hasB1 = o.Has("B1rms") || o.Has("B1peak");
        if ((hasFactor ? 1 : 0) + (hasShape ? 1 : 0) + (hasB1 ? 1 : 0) != 1)
            throw o.Error($"field '{o.Prefix.TrimEnd('.')}': give exactly one of 'shape_factor' (B1rms²/B1peak²), 'shape' (rect, sinc, gaussian, samples) or 'B1rms' + 'B1peak'.");
        Quantity sf;
        string shape;
        if (hasFactor)
        {
            sf = o.Q("shape_factor", QuantityKind.Fraction);
            shape = "given";
        }
        else if (hasB1)
        {
            var rms = o.Q("B1rms", QuantityKind.FluxDensity);
            var peak = o.Q("B1peak", QuantityKind.FluxDensity);
            if (!(peak.Si > 0)) throw o.Error($"field '{o.Path("B1peak")}' = {peak}: expected a value > 0.");
            if (rms.Si < 0 || rms.Si > peak.Si * (1 + 1e-12)) throw o.Error($"field '{o.Path("B1rms")}' = {rms}: expected 0 ≤ B1rms ≤ B1peak = {peak}.");
            double r = rms.Si / peak.Si;
            sf = new Quantity(o.Path("shape_factor"), QuantityKind.Fraction, r * r, r * r, "fraction");
            shape = $"B1rms {rms} / B1peak {peak}";
        }
        else
        {
            var s = o.Sub("shape");
            string type = s.Str("type");
            double f;
            switch (type)
            {
                case "rect":
                    f = PulseShape.Rectangular; shape = "rect"; break;
                case "sinc":
                    int n = s.PositiveInt("zero_crossings_per_side");
                    f = PulseShape.Sinc(n); shape = $"sinc, {n} zero crossing(s) per side"; break;
                case "gaussian":
                    var sigma = s.Q("sigma", QuantityKind.Time);
                    if (!(sigma.Si > 0)) throw s.Error($"field '{s.Path("sigma")}' = {sigma}: expected a time > 0.");
                    f = PulseShape.Gaussian(d.Si, sigma.Si); shape = $"gaussian, σ = {sigma}"; break;
                case "samples":
                    var amps = s.Array("amplitudes").Select((e, j) => s.Number(e, s.Path($"amplitudes[{j}]"))).ToArray();
                    if (amps.All(a => a == 0)) throw s.Error($"field '{s.Path("amplitudes")}': all samples are zero; the shape factor is undefined.");
                    f = PulseShape.Sampled(amps); shape = $"samples ({amps.Length})"; break;
                default:
                    throw s.Error($"field '{s.Path("type")}' = \"{type}\": expected rect, sinc, gaussian or samples.");
            }
            s.NoOthers();
            sf = new Quantity(o.Path("shape_factor"), QuantityKind.Fraction, f, f, "fraction");
        }
        if (!(sf.Si > 0)) throw o.Error($"field '{o.Path("shape_factor")}' = {sf}: expected a shape factor B1rms²/B1peak² in (0, 1].");
        o.NoOthers();
        return new PulseSpec(sf, d, count) { Name = name, Shape = shape, TipAngle = tip };
    }
}
