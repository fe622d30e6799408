namespace SarKit.Measurement.Uncertainty;

/// <summary>How a standard uncertainty was evaluated (NIST TN 1297 §2.3): Type A by statistics of repeated
/// observations (§3), Type B by other means (§4).</summary>
public enum EvaluationType
{
    /// <summary>Statistical analysis of series of observations (TN 1297 §3).</summary>
    A,
    /// <summary>Other means: certificates, specifications, experience (TN 1297 §4).</summary>
    B,
}

/// <summary>Assumed probability distribution of an input quantity and hence the divisor applied to its stated
/// bound (TN 1297 §4.3–4.6; GUM 4.3.7, 4.3.9; IEEE 1528 Table E.4 column e).</summary>
public enum Distribution
{
    /// <summary>Normal: u = U/k (expanded uncertainty U with coverage factor k). Also used for Type A means.</summary>
    Normal,
    /// <summary>Rectangular (uniform) on ±a: u = a/√3.</summary>
    Rectangular,
    /// <summary>Triangular on ±a: u = a/√6.</summary>
    Triangular,
    /// <summary>U-shaped (arcsine) on ±a, e.g. mismatch: u = a/√2.</summary>
    UShaped,
}

/// <summary>The unit in which a component's half-width and standard uncertainty are stated.</summary>
public enum UncertaintyScale
{
    /// <summary>Absolute, in the unit of the input quantity (or of the output for an already-scaled contribution).</summary>
    Absolute,
    /// <summary>Relative, in percent of the input estimate: u_abs = |x| · u / 100.</summary>
    RelativePercent,
}

/// <summary>
/// One input of an uncertainty budget (NIST TN 1297 §2–§4; GUM §4): the standard uncertainty u_i, stated
/// explicitly as absolute or relative (%), its evaluation type, distribution, divisor, degrees of freedom ν_i
/// (∞ for Type B unless given, TN 1297 App. B) and an optional sensitivity coefficient c_i = ∂f/∂x_i.
/// Build with <see cref="TypeA(string, ReadOnlySpan{double})"/> or the <see cref="TypeB"/> factories.
/// </summary>
/// <param name="Name">Source of uncertainty (e.g. "Accuracy of temperature sensor").</param>
/// <param name="StandardUncertainty">u_i, in the unit given by <paramref name="Scale"/>.</param>
/// <param name="Scale">Absolute (input unit) or relative (% of the estimate).</param>
/// <param name="Type">Type A or Type B evaluation.</param>
/// <param name="Distribution">Assumed distribution.</param>
/// <param name="Divisor">Divisor applied to the stated bound: √3, √6, √2, k, or √n for Type A.</param>
/// <param name="DegreesOfFreedom">ν_i; <see cref="double.PositiveInfinity"/> when the bound is taken as exact.</param>
/// <param name="Sensitivity">c_i = ∂f/∂x_i when known; null lets <see cref="UncertaintyBudget"/> compute it.</param>
/// <param name="Estimate">Input estimate x_i when the component carries it (the mean for Type A), else null.</param>
public sealed record UncertaintyComponent(
    string Name,
    double StandardUncertainty,
    UncertaintyScale Scale,
    EvaluationType Type,
    Distribution Distribution,
    double Divisor,
    double DegreesOfFreedom,
    double? Sensitivity = null,
    double? Estimate = null)
{
    /// <summary>
    /// Type A evaluation from n ≥ 2 repeated readings (TN 1297 §3, GUM 4.2): estimate = arithmetic mean,
    /// u = s/√n with the experimental standard deviation s (n − 1 denominator), ν = n − 1. Absolute scale.
    /// </summary>
    public static UncertaintyComponent TypeA(string name, ReadOnlySpan<double> readings)
    {
        int n = readings.Length;
        if (n < 2) throw new SarKitInputException($"Type A component '{name}': {n} reading(s) given; expected at least 2 repeated readings.");
        double mean = 0;
        for (int i = 0; i < n; i++)
        {
            if (!double.IsFinite(readings[i]))
                throw new SarKitInputException($"Type A component '{name}': reading [{i}] = {readings[i]} is not a finite number.");
            mean += readings[i];
        }
        mean /= n;
        double ss = 0;
        for (int i = 0; i < n; i++) { double d = readings[i] - mean; ss += d * d; }
        double s = Math.Sqrt(ss / (n - 1));
        return new UncertaintyComponent(name, s / Math.Sqrt(n), UncertaintyScale.Absolute, EvaluationType.A,
            Distribution.Normal, Math.Sqrt(n), n - 1, null, mean);
    }

    /// <summary>Type A from readings given as an array (see the span overload).</summary>
    public static UncertaintyComponent TypeA(string name, double[] readings) => TypeA(name, readings.AsSpan());

    /// <summary>Standard uncertainty in the input's unit at estimate x: u for absolute, |x|·u/100 for relative (%).</summary>
    public double AbsoluteAt(double estimate) =>
        Scale == UncertaintyScale.Absolute ? StandardUncertainty : Math.Abs(estimate) * StandardUncertainty / 100.0;

    /// <summary>Standard uncertainty in % of the estimate x: u for relative, 100·u/|x| for absolute.</summary>
    public double RelativePercentAt(double estimate)
    {
        if (Scale == UncertaintyScale.RelativePercent) return StandardUncertainty;
        if (estimate == 0) throw new SarKitInputException($"Component '{Name}': a relative uncertainty of an estimate of 0 is undefined.");
        return 100.0 * StandardUncertainty / Math.Abs(estimate);
    }

    /// <summary>This component with sensitivity coefficient c_i.</summary>
    public UncertaintyComponent WithSensitivity(double c) => this with { Sensitivity = c };

    /// <summary>This component with ν_i given (e.g. a Type B bound judged reliable to ±25 % → ν ≈ 8, GUM G.4.2).</summary>
    public UncertaintyComponent WithDegreesOfFreedom(double nu)
    {
        if (!(nu > 0)) throw new SarKitInputException($"Component '{Name}': degrees of freedom = {nu}; expected a value > 0 (or +∞).");
        return this with { DegreesOfFreedom = nu };
    }
}

/// <summary>
/// Type B evaluations (NIST TN 1297 §4; GUM 4.3): the stated bound or expanded uncertainty divided by the divisor
/// of its distribution. ν = ∞ unless given. The scale (absolute in the input's unit, or relative in %) is stated
/// explicitly on every call and carried by the component.
/// </summary>
public static class TypeB
{
    /// <summary>Divisor of the rectangular distribution, √3 (TN 1297 §4.6).</summary>
    public static readonly double RectangularDivisor = Math.Sqrt(3);
    /// <summary>Divisor of the triangular distribution, √6 (TN 1297 §4.5 note).</summary>
    public static readonly double TriangularDivisor = Math.Sqrt(6);
    /// <summary>Divisor of the U-shaped (arcsine) distribution, √2 (GUM; IEEE 1528 Table E.4).</summary>
    public static readonly double UShapedDivisor = Math.Sqrt(2);

    /// <summary>Rectangular on ±a: u = a/√3.</summary>
    public static UncertaintyComponent Rectangular(string name, double halfWidth, UncertaintyScale scale,
        double degreesOfFreedom = double.PositiveInfinity) =>
        Make(name, halfWidth, RectangularDivisor, Distribution.Rectangular, scale, degreesOfFreedom, "half-width a");

    /// <summary>Triangular on ±a: u = a/√6.</summary>
    public static UncertaintyComponent Triangular(string name, double halfWidth, UncertaintyScale scale,
        double degreesOfFreedom = double.PositiveInfinity) =>
        Make(name, halfWidth, TriangularDivisor, Distribution.Triangular, scale, degreesOfFreedom, "half-width a");

    /// <summary>U-shaped (arcsine) on ±a: u = a/√2.</summary>
    public static UncertaintyComponent UShaped(string name, double halfWidth, UncertaintyScale scale,
        double degreesOfFreedom = double.PositiveInfinity) =>
        Make(name, halfWidth, UShapedDivisor, Distribution.UShaped, scale, degreesOfFreedom, "half-width a");

    /// <summary>Normal with a quoted expanded uncertainty U and its coverage factor k (TN 1297 §4.2): u = U/k
    /// (k = 1 for a quoted standard uncertainty, 1.960 for 95 %, 2.576 for 99 %, §4.3).</summary>
    public static UncertaintyComponent Normal(string name, double expandedU, double k, UncertaintyScale scale,
        double degreesOfFreedom = double.PositiveInfinity)
    {
        if (!(k > 0) || !double.IsFinite(k)) throw new SarKitInputException($"Type B component '{name}': coverage factor k = {k}; expected a finite value > 0.");
        return Make(name, expandedU, k, Distribution.Normal, scale, degreesOfFreedom, "expanded uncertainty U");
    }

    private static UncertaintyComponent Make(string name, double bound, double divisor, Distribution d,
        UncertaintyScale scale, double nu, string what)
    {
        if (!double.IsFinite(bound) || bound < 0)
            throw new SarKitInputException($"Type B component '{name}': {what} = {bound}; expected a finite value >= 0.");
        if (!(nu > 0)) throw new SarKitInputException($"Type B component '{name}': degrees of freedom = {nu}; expected a value > 0 (or +∞).");
        return new UncertaintyComponent(name, bound / divisor, scale, EvaluationType.B, d, divisor, nu);
    }
}
