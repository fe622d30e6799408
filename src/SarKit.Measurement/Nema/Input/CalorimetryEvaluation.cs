namespace SarKit.Measurement.Nema.Input;

/// <summary>
/// Result of evaluating a <see cref="CalorimetryInput"/> with <see cref="Calorimetry"/>: eq. (19) energy, eq. (20)
/// power, eq. (21) SAR, the eq. [2] cooling correction when its inputs are present and the 3.2(c) 20× check when the
/// sensor error is given. All values SI (K, J, W, s, W/kg).
/// </summary>
public sealed record CalorimetryEvaluation
{
    /// <summary>The input evaluated.</summary>
    public required CalorimetryInput Input { get; init; }
    /// <summary>Heat capacity used (3.3 shell rule).</summary>
    public required PhantomHeatCapacity HeatCapacity { get; init; }
    /// <summary>T_i (K).</summary>
    public required double InitialTemperatureK { get; init; }
    /// <summary>Post-RF temperature as measured (K).</summary>
    public required double MeasuredFinalTemperatureK { get; init; }
    /// <summary>T_f used in eq. (19): corrected for cooling when <see cref="CoolingCorrected"/> (K).</summary>
    public required double FinalTemperatureK { get; init; }
    /// <summary>True when the eq. [2] correction was applied.</summary>
    public required bool CoolingCorrected { get; init; }
    /// <summary>T_f − T_i (K).</summary>
    public double TemperatureRiseK => FinalTemperatureK - InitialTemperatureK;
    /// <summary>Eq. (19) absorbed energy E (J).</summary>
    public required double EnergyJ { get; init; }
    /// <summary>Scan time τ with breaks subtracted (s).</summary>
    public required double ScanTimeS { get; init; }
    /// <summary>Eq. (20) average power P (W).</summary>
    public required double PowerW { get; init; }
    /// <summary>Eq. (21) SAR = P / M_bod (W/kg).</summary>
    public required double SarWPerKg { get; init; }
    /// <summary>3.2(c) check, null without a sensor error.</summary>
    public TemperatureRiseCheck? RiseCheck { get; init; }
    /// <summary>Uncertainty budget from the file's <c>uncertainty</c> block (NIST TN 1297, Section 4.1 d/e), or null.</summary>
    public NemaBudget? Budget { get; init; }
    /// <summary>Expanded uncertainty U of the measured SAR (W/kg): from <see cref="Budget"/>, else energy_uncertainty × SAR, else null.</summary>
    public double? ExpandedUncertaintyWPerKg => Budget?.ExpandedUncertainty ?? (Input.EnergyUncertainty is { } u ? u * SarWPerKg : null);
    /// <summary>Relative expanded uncertainty in % (the form's "Uncertainty of 'Absorbed Energy by Phantom 3' determination"), or null.</summary>
    public double? RelativeUncertaintyPercent => ExpandedUncertaintyWPerKg is { } u ? 100 * u / SarWPerKg : null;
    /// <summary>Section 4.1 "Is predicted SAR ≥ measured SAR − measurement uncertainty?"; null unless both the predicted SAR and an uncertainty are given.</summary>
    public bool? PredictedCoversMeasured => Input.PredictedSarWPerKg is { } p && ExpandedUncertaintyWPerKg is { } u
        ? double.IsFinite(p) && double.IsFinite(u) && double.IsFinite(SarWPerKg) && p >= SarWPerKg - u : null;

    /// <summary>Model quantities of eqs. (19)–(21) and [2] that uncertainty components can apply to.</summary>
    public IReadOnlyList<ModelQuantity> ModelQuantities()
    {
        var i = Input;
        var list = new List<ModelQuantity>
        {
            new("T_initial", QuantityKind.Temperature, InitialTemperatureK, false, "initial phantom temperature T_i"),
            new("T_final", QuantityKind.Temperature, MeasuredFinalTemperatureK, false, "post-RF phantom temperature as measured"),
            new("heat_capacity", QuantityKind.HeatCapacity, HeatCapacity.HeatCapacityJPerK, false, "heat capacity M c (+ M_s c_s) of phantom 3"),
            new("mass", QuantityKind.Mass, i.EquivalentMass.Si, false, "equivalent mass M_bod"),
            new("scan_time", QuantityKind.Time, ScanTimeS, false, "scan time τ (breaks subtracted)"),
            new("SAR", QuantityKind.SpecificAbsorptionRate, 1, true, "direct relative effect on the measured SAR"),
        };
        if (CoolingCorrected)
        {
            list.Add(new("T_ambient", QuantityKind.Temperature, i.AmbientTemperature!.Value.Si, false, "ambient temperature of eq. [2]"));
            list.Add(new("insulation_time_constant", QuantityKind.Time, i.InsulationTimeConstant!.Value.Si, false, "insulation time constant T_c"));
            list.Add(new("measurement_delay", QuantityKind.Time, i.MeasurementDelay!.Value.Si, false, "delay of the post-RF reading"));
        }
        return list;
    }

    /// <summary>SAR of eqs. (19)–(21) with the eq. [2] correction as a function of the model quantities (no input checks: used for perturbations).</summary>
    public double ModelSar(Func<string, double> x)
    {
        double tf = x("T_final");
        if (CoolingCorrected) tf = x("T_ambient") + (tf - x("T_ambient")) * Math.Exp(x("measurement_delay") / x("insulation_time_constant"));
        return x("heat_capacity") * (tf - x("T_initial")) / x("scan_time") / x("mass") * x("SAR");
    }

    /// <summary>Evaluates <paramref name="input"/> (NEMA MS 8-2016 eqs. 19–21, [2], 3.2 c, 3.3).</summary>
    public static CalorimetryEvaluation Evaluate(CalorimetryInput input)
    {
        var hc = Calorimetry.HeatCapacity(input.PhantomMass.Si, input.SpecificHeat.Si, input.ShellMass?.Si ?? 0, input.ShellSpecificHeat?.Si ?? 0);
        double ti = input.InitialTemperature.Si, tMeas = input.FinalTemperature.Si, tf = tMeas;
        if (input.HasCoolingCorrection)
            tf = Calorimetry.FinalTemperatureAtEndOfHeating(tMeas, input.AmbientTemperature!.Value.Si, input.MeasurementDelay!.Value.Si, input.InsulationTimeConstant!.Value.Si);
        double e = Calorimetry.AbsorbedEnergy(hc, ti, tf);
        var breaks = input.Breaks.Select(b => b.Si).ToArray();
        double tau = Calorimetry.ScanTime(input.TotalTime.Si, breaks);
        double p = Calorimetry.AveragePower(e, tau);
        double sar = Calorimetry.Sar(p, input.EquivalentMass.Si);
        TemperatureRiseCheck? check = input.SensorError is { } s ? Calorimetry.CheckTemperatureRise(ti, tf, s.Si) : null;
        var r = new CalorimetryEvaluation
        {
            Input = input, HeatCapacity = hc, InitialTemperatureK = ti, MeasuredFinalTemperatureK = tMeas, FinalTemperatureK = tf,
            CoolingCorrected = input.HasCoolingCorrection, EnergyJ = e, ScanTimeS = tau, PowerW = p, SarWPerKg = sar, RiseCheck = check,
        };
        if (input.Uncertainty is { } spec)
            r = r with { Budget = NemaBudgetBuilder.Evaluate(spec, NemaBudgetBuilder.CalorimetrySources, r.ModelQuantities(), r.ModelSar, input.SourceFile) };
        return r;
    }
}
