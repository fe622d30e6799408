namespace SarKit.Measurement.Nema;

/// <summary>
/// Powers at the input terminals of the RF body coil (W): forward, reflected and "other" (e.g. the power
/// leaving a second port / load), as produced by NEMA MS 8-2016 equations (2)–(4). Peak or time-averaged
/// values, as long as all three are of the same kind.
/// </summary>
public sealed record CoilTerminalPowers
{
    /// <summary>Creates the record; all powers must be finite and ≥ 0 W.</summary>
    public CoilTerminalPowers(double forwardW, double reflectedW, double otherW = 0)
    {
        ForwardW = Guard.NonNegative(forwardW, "P_forward", "W");
        ReflectedW = Guard.NonNegative(reflectedW, "P_reflected", "W");
        OtherW = Guard.NonNegative(otherW, "P_other", "W");
    }

    /// <summary>P_forward at the coil terminals (W).</summary>
    public double ForwardW { get; }
    /// <summary>P_reflected at the coil terminals (W).</summary>
    public double ReflectedW { get; }
    /// <summary>P_other at the coil terminals (W).</summary>
    public double OtherW { get; }

    /// <summary>Net power into the coil, P_forward − P_reflected − P_other (W).</summary>
    public double NetW => ForwardW - ReflectedW - OtherW;
}

/// <summary>One RF pulse (or pulse type) of a sequence for equation (11): peak power absorbed by phantom 2,
/// B1rms and B1peak over the interval Δτ of interest (pulse width or TR).</summary>
/// <param name="PeakPhantomPowerW">P_phantom_2,i from equation (9), W.</param>
/// <param name="B1RmsT">B1rms,i from equation (10), T.</param>
/// <param name="B1PeakT">B1peak,i, T.</param>
/// <param name="IntervalS">Δτ_i, s.</param>
public readonly record struct PulseEnergyInput(double PeakPhantomPowerW, double B1RmsT, double B1PeakT, double IntervalS);

/// <summary>
/// The pulse-energy method of NEMA MS 8-2016 Section 2.5, equations (1)–(13), as small pure functions.
/// SI units throughout (V, Ω, W, J, s, T, kg). Fractional factors α are power ratios in (0, 1]; use
/// <see cref="Decibel.LossToFraction"/> to convert losses given in dB.
/// </summary>
public static class PulseEnergyMethod
{
    /// <summary>Equation (1): peak power at the oscilloscope, P_p = V_pp² / (8 Z0).</summary>
    /// <param name="peakToPeakVoltageV">V_pp, measured peak-to-peak voltage (V).</param>
    /// <param name="impedanceOhm">Z0, characteristic impedance of the line and oscilloscope input (Ω), default 50.</param>
    public static double PeakPowerFromPeakToPeakVoltage(double peakToPeakVoltageV, double impedanceOhm = 50.0)
    {
        Guard.NonNegative(peakToPeakVoltageV, "V_pp", "V");
        Guard.Positive(impedanceOhm, "Z0", "Ω");
        return peakToPeakVoltageV * peakToPeakVoltageV / (8.0 * impedanceOhm);
    }

    /// <summary>Equation (2): forward power at the coil terminals, P_forward = P_fm α1 / α_cf.</summary>
    /// <param name="measuredForwardW">P_fm, forward power at the oscilloscope / power meter (W).</param>
    /// <param name="alpha1">α1, fractional transmission of the line between directional coupler and coil (0, 1].</param>
    /// <param name="alphaCf">α_cf, fractional forward coupling factor of the directional coupler (0, 1].</param>
    public static double ForwardPowerAtCoil(double measuredForwardW, double alpha1, double alphaCf)
    {
        Guard.NonNegative(measuredForwardW, "P_fm", "W");
        return measuredForwardW * Guard.Fraction(alpha1, "α1") / Guard.Fraction(alphaCf, "α_cf");
    }

    /// <summary>Equation (3): reflected power at the coil terminals, P_reflected = P_rm / (α1 α_cr).</summary>
    /// <param name="measuredReflectedW">P_rm, reflected power at the oscilloscope / power meter (W).</param>
    /// <param name="alpha1">α1, fractional transmission of the line between directional coupler and coil.</param>
    /// <param name="alphaCr">α_cr, fractional reverse coupling factor of the directional coupler.</param>
    public static double ReflectedPowerAtCoil(double measuredReflectedW, double alpha1, double alphaCr)
    {
        Guard.NonNegative(measuredReflectedW, "P_rm", "W");
        return measuredReflectedW / (Guard.Fraction(alpha1, "α1") * Guard.Fraction(alphaCr, "α_cr"));
    }

    /// <summary>
    /// Equation (4): "other" power at the coil, P_other = P_m / α2. The standard writes P_rm in the numerator;
    /// here the argument is the power measured on the "other" path (for which α2 is the fractional factor).
    /// </summary>
    public static double OtherPowerAtCoil(double measuredOtherW, double alpha2)
    {
        Guard.NonNegative(measuredOtherW, "P_other,measured", "W");
        return measuredOtherW / Guard.Fraction(alpha2, "α2");
    }

    /// <summary>Equations (2)–(4) together: measured powers and fractional factors → powers at the coil terminals.</summary>
    public static CoilTerminalPowers AtCoil(double measuredForwardW, double measuredReflectedW, double measuredOtherW,
                                            double alpha1, double alphaCf, double alphaCr, double alpha2)
        => new(ForwardPowerAtCoil(measuredForwardW, alpha1, alphaCf),
               ReflectedPowerAtCoil(measuredReflectedW, alpha1, alphaCr),
               measuredOtherW == 0 ? 0 : OtherPowerAtCoil(measuredOtherW, alpha2));

    /// <summary>
    /// Equations (5) and (6): V²_losses = Σ V²_flux_loop,i over all flux loops (one loop: equation (5)).
    /// The standard assumes all loops have the same sensitivity.
    /// </summary>
    /// <param name="fluxLoopPeakVoltagesV">Peak voltages of the flux loops (V), at least one.</param>
    public static double LossVoltageSquared(ReadOnlySpan<double> fluxLoopPeakVoltagesV)
    {
        if (fluxLoopPeakVoltagesV.Length == 0)
            throw new SarKitInputException("V_flux_loop: at least one flux-loop voltage is needed for equations (5)/(6).");
        double s = 0;
        for (int i = 0; i < fluxLoopPeakVoltagesV.Length; i++)
        {
            double v = Guard.NonNegative(fluxLoopPeakVoltagesV[i], $"V_flux_loop[{i}]", "V");
            s += v * v;
        }
        return s;
    }

    /// <summary>Equation (7): coil loss with phantom 1, P_CPL_unloaded = P_forward − P_reflected − P_other (must be &gt; 0).</summary>
    public static double CoilLossUnloaded(CoilTerminalPowers unloaded)
    {
        ArgumentNullException.ThrowIfNull(unloaded);
        double p = unloaded.NetW;
        if (!(p > 0))
            throw new SarKitInputException($"P_CPL_unloaded = {p} W (eq. 7, forward {unloaded.ForwardW} − reflected {unloaded.ReflectedW} − other {unloaded.OtherW}): expected > 0 W.");
        return p;
    }

    /// <summary>Equation (8): coil loss with phantom 2, P_CPL_loaded = P_CPL_unloaded · V²_losses,2 / V²_losses,1.</summary>
    /// <param name="coilLossUnloadedW">P_CPL_unloaded from equation (7), W.</param>
    /// <param name="lossVoltageSquaredLoaded">V²_losses,2 (phantom 2) from equation (5)/(6), V².</param>
    /// <param name="lossVoltageSquaredUnloaded">V²_losses,1 (phantom 1) from equation (5)/(6), V².</param>
    public static double CoilLossLoaded(double coilLossUnloadedW, double lossVoltageSquaredLoaded, double lossVoltageSquaredUnloaded)
    {
        Guard.Positive(coilLossUnloadedW, "P_CPL_unloaded", "W");
        Guard.NonNegative(lossVoltageSquaredLoaded, "V²_losses,2", "V²");
        Guard.Positive(lossVoltageSquaredUnloaded, "V²_losses,1", "V²");
        return coilLossUnloadedW * (lossVoltageSquaredLoaded / lossVoltageSquaredUnloaded);
    }

    /// <summary>Equation (9): P_phantom_2 = P_forward − P_reflected − P_other − P_CPL_loaded (must be &gt; 0).</summary>
    public static double PhantomPower(CoilTerminalPowers loaded, double coilLossLoadedW)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        Guard.NonNegative(coilLossLoadedW, "P_CPL_loaded", "W");
        double p = loaded.NetW - coilLossLoadedW;
        if (!(p > 0))
            throw new SarKitInputException($"P_phantom_2 = {p} W (eq. 9, net {loaded.NetW} W − P_CPL_loaded {coilLossLoadedW} W): expected > 0 W.");
        return p;
    }

    /// <summary>Equation (11): energy of pulse i, E_i = P_phantom_2,i · (B1rms,i² / B1peak,i²) · Δτ_i (J).</summary>
    public static double PulseEnergy(double peakPhantomPowerW, double b1RmsT, double b1PeakT, double intervalS)
    {
        Guard.NonNegative(peakPhantomPowerW, "P_phantom_2", "W");
        Guard.NonNegative(b1RmsT, "B1rms", "T");
        Guard.Positive(b1PeakT, "B1peak", "T");
        Guard.Positive(intervalS, "Δτ", "s");
        if (b1RmsT > b1PeakT * (1 + 1e-12))
            throw new SarKitInputException($"B1rms = {b1RmsT} T exceeds B1peak = {b1PeakT} T: an rms cannot exceed the peak (eq. 11).");
        double r = b1RmsT / b1PeakT;
        return peakPhantomPowerW * r * r * intervalS;
    }

    /// <summary>Equation (11) with a precomputed shape factor B1rms²/B1peak² (see <see cref="PulseShape"/>).</summary>
    public static double PulseEnergyFromShapeFactor(double peakPhantomPowerW, double shapeFactor, double intervalS)
    {
        Guard.NonNegative(peakPhantomPowerW, "P_phantom_2", "W");
        Guard.Finite(shapeFactor, "B1rms²/B1peak²");
        if (shapeFactor <= 0 || shapeFactor > 1)
            throw new SarKitInputException($"pulse shape factor B1rms²/B1peak² = {shapeFactor}: expected a value in (0, 1].");
        Guard.Positive(intervalS, "Δτ", "s");
        return peakPhantomPowerW * shapeFactor * intervalS;
    }

    /// <summary>Equation (11) for one <see cref="PulseEnergyInput"/>.</summary>
    public static double PulseEnergy(PulseEnergyInput pulse)
        => PulseEnergy(pulse.PeakPhantomPowerW, pulse.B1RmsT, pulse.B1PeakT, pulse.IntervalS);

    /// <summary>
    /// Equation (12): P_ave = Σ E_i / TR (W). The printed equation shows "i" in the denominator; the text defines the
    /// divisor as the repetition time TR, or the total scan time when TR is undefined (single-shot sequences).
    /// </summary>
    /// <param name="pulseEnergiesJ">Energies E_i of all RF pulses in one TR (or in the whole scan), J.</param>
    /// <param name="repetitionTimeS">TR, or the total scan time, s (&gt; 0).</param>
    public static double AveragePower(ReadOnlySpan<double> pulseEnergiesJ, double repetitionTimeS)
    {
        Guard.Positive(repetitionTimeS, "TR", "s");
        double s = 0;
        for (int i = 0; i < pulseEnergiesJ.Length; i++) s += Guard.NonNegative(pulseEnergiesJ[i], $"E[{i}]", "J");
        return s / repetitionTimeS;
    }

    /// <summary>Equations (11) and (12) for a list of pulses in one TR.</summary>
    public static double AveragePower(ReadOnlySpan<PulseEnergyInput> pulses, double repetitionTimeS)
    {
        Guard.Positive(repetitionTimeS, "TR", "s");
        double s = 0;
        foreach (var p in pulses) s += PulseEnergy(p);
        return s / repetitionTimeS;
    }

    /// <summary>Equation (13): SAR = P_ave / M (W/kg); M is the equivalent mass M_bod of the phantom or the subject's mass.</summary>
    public static double Sar(double averagePowerW, double massKg)
    {
        Guard.NonNegative(averagePowerW, "P_ave", "W");
        return averagePowerW / Guard.Positive(massKg, "M", "kg");
    }
}
