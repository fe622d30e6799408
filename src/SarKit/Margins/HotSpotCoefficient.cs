namespace SarKit.Margins;

/// <summary>
/// C_r = E[max of r independent standard normal variables]
///     = r ∫ x φ(x) Φ(x)^{r−1} dx  (Ferrand, Luong, Amadon, Boulant, "Mathematical tools to define SAR margins for phased
/// array coil in-vivo applications given E-field uncertainties", ISMRM; C_2 = 0.56, C_20 = 1.87 there): the expected excess
/// of the maximum SAR error over r uncorrelated hot spots, in units of the largest standard deviation.
/// </summary>
public static class HotSpotCoefficient
{
    /// <summary>
    /// C_r by composite 10-point Gauss–Legendre quadrature on [−12, 14] (0.05-wide panels; the integrand outside is
    /// below 1e-30 for r ≤ 10⁹). Φ(x) = (1 + erf(x/√2))/2. C_1 = 0, C_2 = 1/√π exactly.
    /// </summary>
    public static double Cr(int r)
    {
        if (r < 1) throw new SarKitInputException($"C_r: r = {r} hot spots; expected r ≥ 1.");
        if (r == 1) return 0;
        const double lo = -12, hi = 14, h = 0.05;
        int panels = (int)Math.Round((hi - lo) / h);
        double s = 0, norm = 1 / Math.Sqrt(2 * Math.PI);
        for (int p = 0; p < panels; p++)
        {
            double a = lo + p * h;
            for (int q = 0; q < GlX.Length; q++)
            {
                double x = a + 0.5 * h * (1 + GlX[q]);
                double phi = norm * Math.Exp(-0.5 * x * x);
                double cdf = NormalCdf(x);
                double pw = cdf <= 0 ? 0 : Math.Exp((r - 1) * Math.Log(cdf));
                s += GlW[q] * x * phi * pw;
            }
        }
        return r * 0.5 * h * s;
    }

    /// <summary>Standard normal CDF Φ(x); for x &lt; 0 via the upper tail Q(−x) so that small values keep relative accuracy.</summary>
    public static double NormalCdf(double x) => x < 0 ? NormalUpperTail(-x) : 1 - NormalUpperTail(x);

    /// <summary>Upper tail Q(x) = 1 − Φ(x) for x ≥ 0: Gauss–Legendre on [x, x+40] of φ (relative accuracy ~1e-14).</summary>
    public static double NormalUpperTail(double x)
    {
        if (x < 0) return 1 - NormalUpperTail(-x);
        if (x > 38) return 0;
        // ∫_x^∞ φ(t) dt = φ(x) ∫_0^∞ exp(−x u − u²/2) du; the inner integrand decays within ~ min(1/x, 1)·40
        double width = Math.Min(12.0, 40.0 / Math.Max(x, 1e-3));
        int panels = 48;
        double hh = width / panels, s = 0;
        for (int p = 0; p < panels; p++)
        {
            double a = p * hh;
            for (int q = 0; q < GlX.Length; q++)
            {
                double u = a + 0.5 * hh * (1 + GlX[q]);
                s += GlW[q] * Math.Exp(-x * u - 0.5 * u * u);
            }
        }
        return Math.Exp(-0.5 * x * x) / Math.Sqrt(2 * Math.PI) * 0.5 * hh * s;
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
