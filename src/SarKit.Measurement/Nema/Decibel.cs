namespace SarKit.Measurement.Nema;

/// <summary>
/// Explicit conversions between power ratios in decibels and the fractional power factors α used by
/// NEMA MS 8-2016 equations (2)–(4). A loss (attenuation or coupling) is given as a positive number of dB
/// and maps to a fraction α = 10^(−dB/10) in (0, 1].
/// </summary>
public static class Decibel
{
    /// <summary>Fraction α = 10^(−L/10) for a power loss L ≥ 0 dB (e.g. cable attenuation 0.5 dB → 0.891; coupler 40 dB → 1e-4).</summary>
    /// <exception cref="SarKitInputException">L is negative (a gain where a loss is expected) or not finite.</exception>
    public static double LossToFraction(double lossDb, string quantity = "loss")
    {
        Guard.Finite(lossDb, quantity + " [dB]");
        if (lossDb < 0)
            throw new SarKitInputException($"{quantity} = {lossDb} dB: a loss (attenuation or coupling factor) must be >= 0 dB; give the magnitude of the loss.");
        return Math.Pow(10.0, -lossDb / 10.0);
    }

    /// <summary>Loss L = −10 log10(α) in dB for a fractional power factor 0 &lt; α ≤ 1.</summary>
    public static double FractionToLoss(double fraction, string quantity = "fraction")
    {
        Guard.Fraction(fraction, quantity);
        return -10.0 * Math.Log10(fraction);
    }

    /// <summary>Power ratio 10^(dB/10) for a signed level in dB (no sign restriction).</summary>
    public static double ToPowerRatio(double db) => Math.Pow(10.0, Guard.Finite(db, "level [dB]") / 10.0);

    /// <summary>Level 10 log10(ratio) in dB for a power ratio &gt; 0.</summary>
    public static double FromPowerRatio(double ratio) => 10.0 * Math.Log10(Guard.Positive(ratio, "power ratio", ""));
}
