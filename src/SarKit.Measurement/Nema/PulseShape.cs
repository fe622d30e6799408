namespace SarKit.Measurement.Nema;

/// <summary>
/// Pulse shape factor B1rms² / B1peak² over the pulse width, and B1rms from a sampled waveform
/// (NEMA MS 8-2016 equations (10) and (11)). The factor is 1 for a rectangular pulse and &lt; 1 otherwise.
/// </summary>
public static class PulseShape
{
    /// <summary>Rectangular (hard) pulse: B1rms²/B1peak² = 1.</summary>
    public const double Rectangular = 1.0;

    /// <summary>
    /// Unapodised sinc pulse B1(t) ∝ sin(πx)/(πx), truncated at its n-th zero crossing on each side (x ∈ [−n, n], pulse
    /// width = 2n lobe widths; n = 1 is the main lobe only, n = 2 a "3-lobe" sinc). Exact closed form:
    /// (1/2n) ∫_{−n}^{n} sinc²(x) dx = Si(2πn)/(πn), where Si is the sine integral.
    /// </summary>
    /// <param name="zeroCrossingsPerSide">n ≥ 1.</param>
    public static double Sinc(int zeroCrossingsPerSide)
    {
        if (zeroCrossingsPerSide < 1)
            throw new SarKitInputException($"sinc zero crossings per side = {zeroCrossingsPerSide}: expected an integer >= 1.");
        int n = zeroCrossingsPerSide;
        return SineIntegral(2 * Math.PI * n) / (Math.PI * n);
    }

    /// <summary>
    /// Gaussian pulse B1(t) ∝ exp(−t²/(2σ²)) truncated to |t| ≤ T/2 (peak at the centre). Exact closed form:
    /// (1/T) ∫ exp(−t²/σ²) dt = (σ √π / T) · erf(T / (2σ)).
    /// </summary>
    /// <param name="durationS">Pulse width T (s).</param>
    /// <param name="sigmaS">Standard deviation σ of the B1 envelope (s).</param>
    public static double Gaussian(double durationS, double sigmaS)
    {
        Guard.Positive(durationS, "pulse duration", "s");
        Guard.Positive(sigmaS, "Gaussian σ", "s");
        return sigmaS * Math.Sqrt(Math.PI) / durationS * Erf(durationS / (2 * sigmaS));
    }

    /// <summary>
    /// Sampled waveform with equal dwell times (e.g. from the pulse programmer or an oscilloscope): exact discrete
    /// factor Σ|b_k|² / (N · max|b_k|²). Amplitudes may be signed; only magnitudes matter.
    /// </summary>
    public static double Sampled(ReadOnlySpan<double> amplitudes)
    {
        if (amplitudes.Length == 0) throw new SarKitInputException("B1 waveform: no samples.");
        double sum = 0, peak = 0;
        for (int k = 0; k < amplitudes.Length; k++)
        {
            double b = Guard.Finite(amplitudes[k], $"B1 sample [{k}]");
            sum += b * b;
            peak = Math.Max(peak, Math.Abs(b));
        }
        if (peak == 0) throw new SarKitInputException("B1 waveform: all samples are zero; the shape factor is undefined.");
        return sum / (amplitudes.Length * peak * peak);
    }

    /// <summary>
    /// Equation (10): B1rms = sqrt(∫ B1²(t) dt / Δτ) for samples of B1 (T) at a fixed dwell time (rectangle rule, the
    /// exact integral of a piecewise-constant waveform), over an interval Δτ ≥ N · dwell (e.g. the TR; samples outside the
    /// pulse are zero).
    /// </summary>
    public static double B1Rms(ReadOnlySpan<double> b1T, double dwellS, double intervalS)
    {
        Guard.Positive(dwellS, "dwell time", "s");
        Guard.Positive(intervalS, "Δτ", "s");
        if (b1T.Length == 0) throw new SarKitInputException("B1 waveform: no samples.");
        if (b1T.Length * dwellS > intervalS * (1 + 1e-9))
            throw new SarKitInputException($"Δτ = {intervalS} s is shorter than the waveform ({b1T.Length} samples × {dwellS} s).");
        double sum = 0;
        for (int k = 0; k < b1T.Length; k++) { double b = Guard.Finite(b1T[k], $"B1 sample [{k}]"); sum += b * b; }
        return Math.Sqrt(sum * dwellS / intervalS);
    }

    /// <summary>Sine integral Si(x) = ∫_0^x sin(t)/t dt by composite Gauss–Legendre quadrature on intervals of width ≤ π/2 (relative error ~1e-15).</summary>
    internal static double SineIntegral(double x)
    {
        if (x == 0) return 0;
        if (x < 0) return -SineIntegral(-x);
        int m = (int)Math.Ceiling(x / (Math.PI / 2));
        double h = x / m, s = 0;
        for (int j = 0; j < m; j++)
        {
            double a = j * h;
            for (int q = 0; q < GlX.Length; q++)
            {
                double t = a + 0.5 * h * (1 + GlX[q]);
                s += GlW[q] * (t == 0 ? 1 : Math.Sin(t) / t);
            }
        }
        return 0.5 * h * s;
    }

    /// <summary>Error function by the same composite Gauss–Legendre rule: erf(x) = 2/√π ∫_0^x e^{−t²} dt.</summary>
    internal static double Erf(double x)
    {
        if (x < 0) return -Erf(-x);
        if (x > 6) return 1.0; // 1 − erf(6) < 3e-17
        int m = Math.Max(1, (int)Math.Ceiling(x / 0.25));
        double h = x / m, s = 0;
        for (int j = 0; j < m; j++)
        {
            double a = j * h;
            for (int q = 0; q < GlX.Length; q++)
            {
                double t = a + 0.5 * h * (1 + GlX[q]);
                s += GlW[q] * Math.Exp(-t * t);
            }
        }
        return 0.5 * h * s * 2 / Math.Sqrt(Math.PI);
    }

    // 10-point Gauss–Legendre nodes and weights on [−1, 1].
    private static readonly double[] GlX =
    [
        -0.9739065285171717, -0.8650633666889845, -0.6794095682990244, -0.4333953941292472, -0.1488743389816312,
         0.1488743389816312,  0.4333953941292472,  0.6794095682990244,  0.8650633666889845,  0.9739065285171717,
    ];
    private static readonly double[] GlW =
    [
        0.0666713443086881, 0.1494513491505806, 0.2190863625159820, 0.2692667193099963, 0.2955242247147529,
        0.2955242247147529, 0.2692667193099963, 0.2190863625159820, 0.1494513491505806, 0.0666713443086881,
    ];
}
