namespace SarKit.Measurement.Nema;

/// <summary>Input checks shared by the NEMA MS 8-2016 equations; every failure names the quantity and the value.</summary>
internal static class Guard
{
    public static double Finite(double v, string name)
    {
        if (!double.IsFinite(v)) throw new SarKitInputException($"{name} = {v} is not a finite number.");
        return v;
    }

    public static double Positive(double v, string name, string unit)
    {
        Finite(v, name);
        if (v <= 0) throw new SarKitInputException($"{name} = {v} {unit}: expected a value > 0.");
        return v;
    }

    public static double NonNegative(double v, string name, string unit)
    {
        Finite(v, name);
        if (v < 0) throw new SarKitInputException($"{name} = {v} {unit}: expected a value >= 0.");
        return v;
    }

    /// <summary>A fractional power factor (attenuation or coupling), 0 &lt; α ≤ 1.</summary>
    public static double Fraction(double v, string name)
    {
        Finite(v, name);
        if (v <= 0 || v > 1)
            throw new SarKitInputException($"{name} = {v}: expected a fractional power factor in (0, 1] (a loss; use Decibel.LossToFraction for dB).");
        return v;
    }
}
