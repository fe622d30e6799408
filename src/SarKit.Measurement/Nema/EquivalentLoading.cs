namespace SarKit.Measurement.Nema;

/// <summary>Outcome of one equivalent-loading criterion.</summary>
/// <param name="Name">Criterion, e.g. "loading quotient" or "coil 3 dB bandwidth".</param>
/// <param name="PhantomValue">Value for the phantom.</param>
/// <param name="HumanValue">Value for the representative human subject.</param>
/// <param name="Deviation">Deviation of phantom from human: relative (fraction, signed) or absolute (degrees for the phase).</param>
/// <param name="Tolerance">Allowed |deviation| (same kind as <paramref name="Deviation"/>).</param>
/// <param name="IsRelative">True when deviation and tolerance are fractions of the human value.</param>
public readonly record struct LoadingCriterion(string Name, double PhantomValue, double HumanValue, double Deviation, double Tolerance, bool IsRelative)
{
    /// <summary>|Deviation| ≤ Tolerance, both finite (a non-finite deviation or tolerance never passes).</summary>
    public bool Passed => double.IsFinite(Deviation) && double.IsFinite(Tolerance) && Math.Abs(Deviation) <= Tolerance;

    /// <summary>Tolerance − |Deviation|: positive = margin left, negative = amount by which the criterion fails.</summary>
    public double Margin => Tolerance - Math.Abs(Deviation);

    /// <inheritdoc/>
    public override string ToString() => IsRelative
        ? $"{Name}: phantom {PhantomValue:G6}, human {HumanValue:G6}, deviation {Deviation * 100:+0.00;-0.00} % (tolerance ±{Tolerance * 100:0.##} %) → {(Passed ? "pass" : "FAIL")}"
        : $"{Name}: phantom {PhantomValue:G6}, human {HumanValue:G6}, deviation {Deviation:+0.00;-0.00} (tolerance ±{Tolerance:0.##}) → {(Passed ? "pass" : "FAIL")}";
}

/// <summary>Result of an equivalent-loading check: every criterion evaluated, passed only when all pass.</summary>
public sealed record EquivalentLoadingResult(IReadOnlyList<LoadingCriterion> Criteria)
{
    /// <summary>True when there is at least one criterion and every criterion passed (an empty check never passes).</summary>
    public bool Passed => Criteria.Count > 0 && Criteria.All(c => c.Passed);

    /// <summary>The criteria that failed.</summary>
    public IEnumerable<LoadingCriterion> Failures => Criteria.Where(c => !c.Passed);
}

/// <summary>Coil characteristics used by the alternative equivalence criteria of NEMA MS 8-2016 Section 1.2.3 (a)–(c).</summary>
/// <param name="BandwidthHz">Coil 3 dB bandwidth (Hz).</param>
/// <param name="ImpedanceMagnitudeOhm">|Z| of the coil (Ω).</param>
/// <param name="ImpedancePhaseDeg">Phase of Z (degrees).</param>
/// <param name="CentreFrequencyHz">Coil centre (resonance) frequency (Hz).</param>
public readonly record struct CoilCharacteristics(double BandwidthHz, double ImpedanceMagnitudeOhm, double ImpedancePhaseDeg, double CentreFrequencyHz);

/// <summary>
/// Equivalent loading of a phantom and a human subject, NEMA MS 8-2016 Section 1.2.3.
/// </summary>
public static class EquivalentLoading
{
    /// <summary>Default tolerance on the loading quotient of equation [1] (±20 %, "e.g." in the standard).</summary>
    public const double DefaultQuotientTolerance = 0.20;
    /// <summary>Criterion (a): coil 3 dB bandwidth ±15 %.</summary>
    public const double BandwidthTolerance = 0.15;
    /// <summary>Criterion (b): coil impedance magnitude ±20 %.</summary>
    public const double ImpedanceMagnitudeTolerance = 0.20;
    /// <summary>Criterion (b): coil impedance phase ±20°.</summary>
    public const double ImpedancePhaseToleranceDeg = 20.0;
    /// <summary>Criterion (c): coil centre-frequency shift ±1 % of the centre frequency.</summary>
    public const double CentreFrequencyTolerance = 0.01;

    /// <summary>Equation [1], one side: loading quotient P / (P + P_CPL), the fraction of the net coil input power absorbed by the load.</summary>
    /// <param name="absorbedPowerW">Power absorbed by the phantom or the human, W (&gt; 0).</param>
    /// <param name="coilLossW">Coil power loss P_CPL with that load, W (≥ 0).</param>
    public static double LoadingQuotient(double absorbedPowerW, double coilLossW)
    {
        Guard.Positive(absorbedPowerW, "P_phantom/P_human", "W");
        Guard.NonNegative(coilLossW, "P_CPL", "W");
        return absorbedPowerW / (absorbedPowerW + coilLossW);
    }

    /// <summary>
    /// Equation [1]: P_phantom_2/(P_phantom_2 + P_CPL_phantom_2) ≈ P_human/(P_human + P_CPL_human) within ±tolerance
    /// (relative to the human quotient).
    /// </summary>
    public static EquivalentLoadingResult CheckQuotient(double phantomQuotient, double humanQuotient, double tolerance = DefaultQuotientTolerance)
    {
        CheckQuotientValue(phantomQuotient, "phantom loading quotient");
        CheckQuotientValue(humanQuotient, "human loading quotient");
        Guard.Positive(tolerance, "tolerance", "");
        return new([Relative("loading quotient P/(P+P_CPL) [eq. 1]", phantomQuotient, humanQuotient, tolerance)]);
    }

    /// <summary>Alternative criteria (a)–(c) of Section 1.2.3: bandwidth ±15 %, |Z| ±20 % and phase ±20°, centre frequency ±1 %. All must pass.</summary>
    public static EquivalentLoadingResult CheckCoilCharacteristics(CoilCharacteristics phantom, CoilCharacteristics human)
    {
        Validate(phantom, "phantom");
        Validate(human, "human");
        double dPhase = WrapDegrees(phantom.ImpedancePhaseDeg - human.ImpedancePhaseDeg);
        return new(
        [
            Relative("coil 3 dB bandwidth [1.2.3 a]", phantom.BandwidthHz, human.BandwidthHz, BandwidthTolerance),
            Relative("coil impedance magnitude [1.2.3 b]", phantom.ImpedanceMagnitudeOhm, human.ImpedanceMagnitudeOhm, ImpedanceMagnitudeTolerance),
            new LoadingCriterion("coil impedance phase [1.2.3 b] (degrees)", phantom.ImpedancePhaseDeg, human.ImpedancePhaseDeg, dPhase, ImpedancePhaseToleranceDeg, false),
            Relative("coil centre frequency shift [1.2.3 c]", phantom.CentreFrequencyHz, human.CentreFrequencyHz, CentreFrequencyTolerance),
        ]);
    }

    private static LoadingCriterion Relative(string name, double phantom, double human, double tol)
        => new(name, phantom, human, (phantom - human) / human, tol, true);

    private static double WrapDegrees(double d)
    {
        d %= 360.0;
        if (d > 180) d -= 360;
        else if (d <= -180) d += 360;
        return d;
    }

    private static void CheckQuotientValue(double q, string name)
    {
        Guard.Finite(q, name);
        if (q <= 0 || q > 1) throw new SarKitInputException($"{name} = {q}: expected a fraction in (0, 1].");
    }

    private static void Validate(CoilCharacteristics c, string who)
    {
        Guard.Positive(c.BandwidthHz, $"{who} coil 3 dB bandwidth", "Hz");
        Guard.Positive(c.ImpedanceMagnitudeOhm, $"{who} coil |Z|", "Ω");
        Guard.Finite(c.ImpedancePhaseDeg, $"{who} coil impedance phase [deg]");
        Guard.Positive(c.CentreFrequencyHz, $"{who} coil centre frequency", "Hz");
    }
}
