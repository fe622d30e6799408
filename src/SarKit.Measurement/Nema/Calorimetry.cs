namespace SarKit.Measurement.Nema;

/// <summary>Heat capacity used in equation (19): M c, or M c + M_s c_s when the shell rule applies.</summary>
/// <param name="HeatCapacityJPerK">Total heat capacity used (J/K).</param>
/// <param name="FillerJPerK">M c of the filler (J/K).</param>
/// <param name="ShellJPerK">M_s c_s of the empty shell (J/K).</param>
/// <param name="ShellIncluded">True when the shell term was added.</param>
public readonly record struct PhantomHeatCapacity(double HeatCapacityJPerK, double FillerJPerK, double ShellJPerK, bool ShellIncluded)
{
    /// <summary>Shell-to-filler ratio M_s c_s / (M c).</summary>
    public double ShellFraction => ShellJPerK / FillerJPerK;
}

/// <summary>Result of the 3.2(c) check: temperature rise at least 20 times the error of the temperature measurement system.</summary>
/// <param name="TemperatureRiseK">T_f − T_i (K).</param>
/// <param name="SensorErrorK">Error of the temperature measurement system (K).</param>
public readonly record struct TemperatureRiseCheck(double TemperatureRiseK, double SensorErrorK)
{
    /// <summary>Required minimum ratio (20).</summary>
    public const double RequiredRatio = 20.0;
    /// <summary>ΔT / sensor error.</summary>
    public double Ratio => TemperatureRiseK / SensorErrorK;
    /// <summary>Ratio ≥ 20 with a finite ratio and a sensor error &gt; 0 (a zero, negative or non-finite sensor error never passes).</summary>
    public bool Passed => SensorErrorK > 0 && double.IsFinite(Ratio) && Ratio >= RequiredRatio;
    /// <summary>The smallest acceptable temperature rise, 20 × sensor error (K).</summary>
    public double MinimumRiseK => RequiredRatio * SensorErrorK;
}

/// <summary>
/// The calorimetric method of NEMA MS 8-2016 Section 3, equations (19)–(21), the shell heat-capacity rule of 3.3,
/// the exponential cooling of Section 1.2.8 equation [2] and the 20× sensor-error requirement of 3.2(c).
/// SI units: kg, J/(kg K), K (temperature differences; °C readings may be used directly), s, W.
/// </summary>
public static class Calorimetry
{
    /// <summary>The shell is included when M_s c_s exceeds this fraction of M c (Section 3.3: "more than 10 %").</summary>
    public const double ShellRuleFraction = 0.10;

    /// <summary>Specific heat capacity of water used in the 3.2(c) note (≈ 4180 J/(kg K)).</summary>
    public const double WaterSpecificHeatJPerKgK = 4180.0;

    /// <summary>
    /// Heat capacity of phantom 3: M c, replaced by M c + M_s c_s when M_s c_s &gt; 10 % of M c (Section 3.3).
    /// With <paramref name="alwaysIncludeShell"/> the shell is included regardless (more complete, not required).
    /// </summary>
    public static PhantomHeatCapacity HeatCapacity(double fillerMassKg, double fillerSpecificHeatJPerKgK,
                                                   double shellMassKg = 0, double shellSpecificHeatJPerKgK = 0,
                                                   bool alwaysIncludeShell = false)
    {
        Guard.Positive(fillerMassKg, "filler mass M", "kg");
        Guard.Positive(fillerSpecificHeatJPerKgK, "filler specific heat c", "J/(kg K)");
        Guard.NonNegative(shellMassKg, "shell mass M_s", "kg");
        Guard.NonNegative(shellSpecificHeatJPerKgK, "shell specific heat c_s", "J/(kg K)");
        double filler = fillerMassKg * fillerSpecificHeatJPerKgK;
        double shell = shellMassKg * shellSpecificHeatJPerKgK;
        bool include = alwaysIncludeShell || shell > ShellRuleFraction * filler;
        return new(include ? filler + shell : filler, filler, shell, include);
    }

    /// <summary>Equation (19): E = M c (T_f − T_i) (J), with M c from <see cref="HeatCapacity"/>. Requires T_f ≥ T_i.</summary>
    public static double AbsorbedEnergy(PhantomHeatCapacity heatCapacity, double initialTemperature, double finalTemperature)
    {
        Guard.Finite(initialTemperature, "T_i");
        Guard.Finite(finalTemperature, "T_f");
        if (finalTemperature < initialTemperature)
            throw new SarKitInputException($"T_f = {finalTemperature} is below T_i = {initialTemperature}: the phantom must not cool during the scan (eq. 19).");
        Guard.Positive(heatCapacity.HeatCapacityJPerK, "heat capacity M c", "J/K");
        return heatCapacity.HeatCapacityJPerK * (finalTemperature - initialTemperature);
    }

    /// <summary>
    /// Corrected scan time: total heating time minus the breaks (Section 3.3: "the break time must be subtracted
    /// from the total time"). Must stay &gt; 0.
    /// </summary>
    public static double ScanTime(double totalTimeS, ReadOnlySpan<double> breaksS = default)
    {
        Guard.Positive(totalTimeS, "total scan time", "s");
        double t = totalTimeS;
        for (int i = 0; i < breaksS.Length; i++) t -= Guard.NonNegative(breaksS[i], $"break[{i}]", "s");
        if (t <= 0) throw new SarKitInputException($"scan time τ = {totalTimeS} s minus breaks = {t} s: expected > 0 s.");
        return t;
    }

    /// <summary>Equation (20): P = E / τ (W), τ the scan time with breaks subtracted (<see cref="ScanTime"/>).</summary>
    public static double AveragePower(double energyJ, double scanTimeS)
    {
        Guard.NonNegative(energyJ, "E", "J");
        return energyJ / Guard.Positive(scanTimeS, "scan time τ", "s");
    }

    /// <summary>Equation (21): SAR = P / M_bod (W/kg), M_bod the equivalent mass (Section 1.2.4).</summary>
    public static double Sar(double averagePowerW, double equivalentMassKg)
    {
        Guard.NonNegative(averagePowerW, "P", "W");
        return averagePowerW / Guard.Positive(equivalentMassKg, "M_bod", "kg");
    }

    /// <summary>
    /// Post-scan cooling correction from equation [2], T(t) = T_ambient + ΔT·exp(−(t − t_s)/T_c): a temperature
    /// T_measured read a delay d = t − t_s after heating stopped corresponds to the temperature at the end of heating
    /// T_f = T_ambient + (T_measured − T_ambient) · exp(d / T_c).
    /// </summary>
    /// <param name="measuredTemperature">Temperature read after the delay.</param>
    /// <param name="ambientTemperature">T_ambient.</param>
    /// <param name="delayS">d = t − t_s ≥ 0 (s).</param>
    /// <param name="insulationTimeConstantS">T_c &gt; 0 (s); the standard suggests ≥ 35 000 s.</param>
    public static double FinalTemperatureAtEndOfHeating(double measuredTemperature, double ambientTemperature, double delayS, double insulationTimeConstantS)
    {
        Guard.Finite(measuredTemperature, "T_measured");
        Guard.Finite(ambientTemperature, "T_ambient");
        Guard.NonNegative(delayS, "measurement delay t − t_s", "s");
        Guard.Positive(insulationTimeConstantS, "insulation time constant T_c", "s");
        return ambientTemperature + (measuredTemperature - ambientTemperature) * Math.Exp(delayS / insulationTimeConstantS);
    }

    /// <summary>
    /// Heat loss during heating, derived from the same Newtonian cooling as equation [2]: with a constant heating rate r
    /// (K/s) and dT/dt = r − (T − T_ambient)/T_c, the temperature after heating for τ is
    /// T_f = T_amb + (T_i − T_amb) e^{−τ/T_c} + r T_c (1 − e^{−τ/T_c}). This returns the loss-free rise r τ that
    /// equation (19) should use. For T_i = T_amb, τ = 1 h and T_c = 35 000 s the measured rise is ≈ 5 % low (Section 1.2.8).
    /// </summary>
    public static double LossFreeTemperatureRise(double initialTemperature, double finalTemperature, double ambientTemperature,
                                                 double scanTimeS, double insulationTimeConstantS)
    {
        Guard.Finite(initialTemperature, "T_i");
        Guard.Finite(finalTemperature, "T_f");
        Guard.Finite(ambientTemperature, "T_ambient");
        Guard.Positive(scanTimeS, "scan time τ", "s");
        Guard.Positive(insulationTimeConstantS, "insulation time constant T_c", "s");
        double x = scanTimeS / insulationTimeConstantS;
        double decay = Math.Exp(-x);
        double oneMinus = -double.ExpM1(-x);
        double rate = (finalTemperature - ambientTemperature - (initialTemperature - ambientTemperature) * decay)
                      / (insulationTimeConstantS * oneMinus);
        return rate * scanTimeS;
    }

    /// <summary>Section 3.2(c): the temperature rise must be at least 20 × the error of the temperature measurement system.</summary>
    public static TemperatureRiseCheck CheckTemperatureRise(double initialTemperature, double finalTemperature, double sensorErrorK)
    {
        Guard.Finite(initialTemperature, "T_i");
        Guard.Finite(finalTemperature, "T_f");
        Guard.Positive(sensorErrorK, "temperature sensor error", "K");
        if (finalTemperature < initialTemperature)
            throw new SarKitInputException($"T_f = {finalTemperature} is below T_i = {initialTemperature} (3.2 c).");
        return new(finalTemperature - initialTemperature, sensorErrorK);
    }
}
