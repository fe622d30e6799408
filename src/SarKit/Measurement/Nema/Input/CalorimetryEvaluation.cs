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
    /// <summary>Section 4.1 "Is predicted SAR ≥ measured SAR − measurement uncertainty?"; null unless both the predicted SAR and the energy uncertainty are given.</summary>
    public bool? PredictedCoversMeasured => Input.PredictedSarWPerKg is { } p && Input.EnergyUncertainty is { } u ? p >= SarWPerKg * (1 - u) : null;

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
        return new()
        {
            Input = input, HeatCapacity = hc, InitialTemperatureK = ti, MeasuredFinalTemperatureK = tMeas, FinalTemperatureK = tf,
            CoolingCorrected = input.HasCoolingCorrection, EnergyJ = e, ScanTimeS = tau, PowerW = p, SarWPerKg = sar, RiseCheck = check,
        };
    }
}
