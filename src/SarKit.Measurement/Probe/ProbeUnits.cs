namespace SarKit.Measurement.Probe;

/// <summary>
/// Units and constants of the E-field probe system (docs/probe.md; the probe-system manual, Appendix B "Note on Units
/// and Various Calibration Factors"). SarKit keeps SI inside: voltages in V, power density in W/m², the sensor factor in
/// V/(W/m²), the conversion factor CF in (W/kg)/(W/m²) = m²/kg. The manual's units are used only at the edges and
/// are named in identifiers: 1 mW/cm² = 10 W/m², 1 mW/g = 1 W/kg.
/// </summary>
public static class ProbeUnits
{
    /// <summary>W/m² per mW/cm² (1 mW/cm² = 10⁻³ W / 10⁻⁴ m²).</summary>
    public const double WPerM2PerMwPerCm2 = 10.0;

    /// <summary>Impedance of free space η₀ = μ₀c ≈ 376.730 Ω (CODATA 2018: μ₀ = 1.25663706212e-6 N/A², c = 299 792 458 m/s).</summary>
    public const double FreeSpaceImpedanceOhm = 1.25663706212e-6 * 299792458.0;

    /// <summary>The manual's sensor factor, 10.8 mV/(mW/cm²) ("an arbitrary value", Appendix A/B).</summary>
    public const double ManualSensorFactorMvPerMwPerCm2 = 10.8;

    /// <summary>Sensor factor in SI, V/(W/m²), from mV/(mW/cm²): 10.8 mV/(mW/cm²) = 1.08e-3 V/(W/m²).</summary>
    public static double SensorFactorSi(double mvPerMwPerCm2) => mvPerMwPerCm2 * 1e-3 / WPerM2PerMwPerCm2;

    /// <summary>Sensor factor from SI V/(W/m²) to mV/(mW/cm²).</summary>
    public static double SensorFactorMvPerMwPerCm2(double si) => si * 1e3 * WPerM2PerMwPerCm2;

    /// <summary>Conversion factor CF from the manual's (mW/g)/(mW/cm²) to SI (W/kg)/(W/m²) = m²/kg (÷ 10).</summary>
    public static double ConversionFactorSi(double mwPerGPerMwPerCm2) => mwPerGPerMwPerCm2 / WPerM2PerMwPerCm2;

    /// <summary>Conversion factor CF from SI m²/kg to the manual's (mW/g)/(mW/cm²) (× 10).</summary>
    public static double ConversionFactorManual(double si) => si * WPerM2PerMwPerCm2;

    /// <summary>
    /// RMS electric field of a plane wave of power density S: E = √(S·η₀) (V/m). 1 mW/cm² = 10 W/m² gives
    /// E = √(10 × 376.73) = 61.38 V/m = 0.614 V/cm and E² = 0.377 V²/cm², the manual's TEM-cell numbers (Appendix B).
    /// </summary>
    public static double PlaneWaveField(double powerDensityWPerM2)
    {
        if (!(powerDensityWPerM2 >= 0) || !double.IsFinite(powerDensityWPerM2))
            throw new SarKitInputException($"power density = {powerDensityWPerM2} W/m²: expected a finite value >= 0.");
        return Math.Sqrt(powerDensityWPerM2 * FreeSpaceImpedanceOhm);
    }

    /// <summary>Plane-wave power density S = E²/η₀ (W/m²) of an RMS field E (V/m).</summary>
    public static double PlaneWavePowerDensity(double fieldVPerM) => fieldVPerM * fieldVPerM / FreeSpaceImpedanceOhm;
}

/// <summary>
/// The TEM (Crawford) cell of the free-space calibration: in the fundamental TEM mode the field between septum and outer
/// wall is E = √(P·Z₀)/b (RMS, V/m) for input power P, cell impedance Z₀ (normally 50 Ω) and septum-to-wall spacing b;
/// the equivalent plane-wave power density is S = E²/η₀ (docs/probe.md). Example: the manual's IFI CC-110 needs 271 mW
/// for 1 mW/cm², which this model reproduces with b ≈ 6.0 cm.
/// </summary>
/// <param name="ImpedanceOhm">Characteristic impedance Z₀ (Ω).</param>
/// <param name="SeptumSpacingM">Septum-to-wall spacing b (m).</param>
public readonly record struct TemCell(double ImpedanceOhm, double SeptumSpacingM)
{
    private void Check()
    {
        if (!(ImpedanceOhm > 0) || !double.IsFinite(ImpedanceOhm)) throw new SarKitInputException($"TEM cell impedance = {ImpedanceOhm} Ω: expected a finite value > 0.");
        if (!(SeptumSpacingM > 0) || !double.IsFinite(SeptumSpacingM)) throw new SarKitInputException($"TEM cell septum spacing = {SeptumSpacingM} m: expected a finite value > 0.");
    }

    /// <summary>Field E = √(P Z₀)/b (V/m) for input power P (W).</summary>
    public double Field(double inputPowerW)
    {
        Check();
        if (!(inputPowerW >= 0) || !double.IsFinite(inputPowerW)) throw new SarKitInputException($"TEM cell input power = {inputPowerW} W: expected a finite value >= 0.");
        return Math.Sqrt(inputPowerW * ImpedanceOhm) / SeptumSpacingM;
    }

    /// <summary>Equivalent power density S = E²/η₀ (W/m²) for input power P (W).</summary>
    public double PowerDensity(double inputPowerW) => ProbeUnits.PlaneWavePowerDensity(Field(inputPowerW));

    /// <summary>Input power P = S η₀ b² / Z₀ (W) that gives power density S (W/m²).</summary>
    public double InputPowerFor(double powerDensityWPerM2)
    {
        Check();
        double e = ProbeUnits.PlaneWaveField(powerDensityWPerM2);
        return e * e * SeptumSpacingM * SeptumSpacingM / ImpedanceOhm;
    }
}
