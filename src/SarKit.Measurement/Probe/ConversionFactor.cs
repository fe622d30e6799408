namespace SarKit.Measurement.Probe;

/// <summary>One exposure of the temperature-rise experiment: temperature rise ΔT over exposure Δt at the thermistor, and
/// the E-field probe output ΔV_t (total output Pd_tot, V) at the same location and power.</summary>
/// <param name="TemperatureRiseK">ΔT (K).</param>
/// <param name="ExposureTimeS">Δt (s), typically 30 s.</param>
/// <param name="ProbeOutputV">ΔV_t (V).</param>
/// <param name="InputPowerW">RF power into the dipole (W), informational (NaN when not given).</param>
public readonly record struct TemperatureRiseTrial(double TemperatureRiseK, double ExposureTimeS, double ProbeOutputV, double InputPowerW = double.NaN);

/// <summary>Result of the conversion-factor determination.</summary>
/// <param name="SpecificHeatJPerKgK">c of the liquid.</param>
/// <param name="TrialSarWPerKg">SAR_t of each trial (eq. 1).</param>
/// <param name="TrialCfSi">CF of each trial, m²/kg.</param>
/// <param name="CfSi">CF, m²/kg: the seed formula for one trial, the least-squares slope through the origin for several.</param>
/// <param name="CfRelativeStdUncertainty">Type A relative standard uncertainty of CF from the spread of the trials (NaN for one trial).</param>
/// <param name="DegreesOfFreedom">n − 1 of that Type A evaluation.</param>
public sealed record ConversionFactorResult(double SpecificHeatJPerKgK, double[] TrialSarWPerKg, double[] TrialCfSi,
    double CfSi, double CfRelativeStdUncertainty, double DegreesOfFreedom)
{
    /// <summary>CF in the manual's unit (mW/g)/(mW/cm²).</summary>
    public double CfManual => ProbeUnits.ConversionFactorManual(CfSi);
}

/// <summary>
/// The SAR conversion factor from the temperature-rise experiment (probe-system manual, "SAR from Temperature Measurement"
/// and "Determination of SAR Conversion Factor"): SAR_t·Δt = c·ΔT (eq. 1), so SAR_t = c ΔT/Δt; CF = SAR_t/ΔV_t × SF.
/// Worked example: c = 2.7 J/(g °C), ΔT = 0.0163 °C, Δt = 30 s → SAR_t = 1.47 mW/g; ΔV_t = 28.5 mV →
/// CF = 1.47/28.5 × 10.8 = 0.56 (mW/g)/(mW/cm²). With several power levels CF = SF · Σ SAR_k ΔV_k / Σ ΔV_k² (least squares
/// through the origin), which equals the single-trial formula for one trial.
/// </summary>
public static class ConversionFactor
{
    /// <summary>SAR from the initial temperature slope, SAR = c ΔT/Δt (eq. 1), W/kg.</summary>
    public static double SarFromTemperatureRise(double specificHeatJPerKgK, double temperatureRiseK, double exposureTimeS)
    {
        if (!(specificHeatJPerKgK > 0) || !double.IsFinite(specificHeatJPerKgK)) throw new SarKitInputException($"specific heat c = {specificHeatJPerKgK} J/(kg K): expected a finite value > 0.");
        if (!(temperatureRiseK > 0) || !double.IsFinite(temperatureRiseK)) throw new SarKitInputException($"temperature rise ΔT = {temperatureRiseK} K: expected a finite value > 0.");
        if (!(exposureTimeS > 0) || !double.IsFinite(exposureTimeS)) throw new SarKitInputException($"exposure time Δt = {exposureTimeS} s: expected a finite value > 0.");
        return specificHeatJPerKgK * temperatureRiseK / exposureTimeS;
    }

    /// <summary>CF = SAR_t/ΔV_t × SF (SI: W/kg ÷ V × V/(W/m²) = m²/kg).</summary>
    public static double FromSar(double sarWPerKg, double probeOutputV, double sensorFactorVPerWPerM2)
    {
        if (!(probeOutputV > 0) || !double.IsFinite(probeOutputV)) throw new SarKitInputException($"probe output ΔV_t = {probeOutputV} V: expected a finite value > 0.");
        return sarWPerKg / probeOutputV * sensorFactorVPerWPerM2;
    }

    /// <summary>Evaluates all trials (see the class summary).</summary>
    public static ConversionFactorResult Evaluate(double specificHeatJPerKgK, IReadOnlyList<TemperatureRiseTrial> trials, double sensorFactorVPerWPerM2)
    {
        if (trials.Count == 0) throw new SarKitInputException("conversion factor: no temperature-rise trials given.");
        int n = trials.Count;
        var sar = new double[n]; var cf = new double[n];
        double sxy = 0, sxx = 0;
        for (int k = 0; k < n; k++)
        {
            var t = trials[k];
            try
            {
                sar[k] = SarFromTemperatureRise(specificHeatJPerKgK, t.TemperatureRiseK, t.ExposureTimeS);
                cf[k] = FromSar(sar[k], t.ProbeOutputV, sensorFactorVPerWPerM2);
            }
            catch (SarKitInputException e) { throw new SarKitInputException($"trial {k}: {e.Message}", e); }
            sxy += sar[k] * t.ProbeOutputV; sxx += t.ProbeOutputV * t.ProbeOutputV;
        }
        double cfAll = n == 1 ? cf[0] : sensorFactorVPerWPerM2 * sxy / sxx;
        double rel = double.NaN;
        if (n >= 2)
        {
            double mean = cf.Average(), ss = 0;
            foreach (var c in cf) ss += (c - mean) * (c - mean);
            rel = Math.Sqrt(ss / (n - 1)) / Math.Sqrt(n) / cfAll;
        }
        return new ConversionFactorResult(specificHeatJPerKgK, sar, cf, cfAll, rel, n - 1);
    }
}
