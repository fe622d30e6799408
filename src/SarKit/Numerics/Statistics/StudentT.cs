namespace SarKit.Numerics.Statistics;

/// <summary>
/// Two-sided Student t quantiles for coverage factors (NIST TN 1297 App. B, Table B.1; GUM Annex G, Table G.2):
/// t_p(ν) with P(|T| ≤ t) = p. Computed from P(|T| &gt; t) = I_{ν/(ν+t²)}(ν/2, 1/2) (regularized incomplete beta
/// function, continued fraction) by bisection; ν = ∞ uses the normal distribution, P(|Z| ≤ z) = P(1/2, z²/2)
/// (regularized lower incomplete gamma function).
/// </summary>
public static class StudentT
{
    /// <summary>Coverage probability of ±2σ of a normal distribution, 95.45 % (exactly erf(√2)), so that k = 2 at ν = ∞.</summary>
    public const double TwoSigmaCoverage = 0.95449973610364158;

    /// <summary>Degrees of freedom above which the normal limit is used.</summary>
    public const double NormalLimit = 1e7;

    /// <summary>Two-sided quantile t_p(ν): P(|T| ≤ t) = p, ν &gt; 0 (non-integer allowed, +∞ → normal).</summary>
    public static double TwoSidedQuantile(double nu, double p = TwoSigmaCoverage)
    {
        if (!(p > 0 && p < 1)) throw new SarKitInputException($"Coverage probability p = {p}; expected a value in (0, 1).");
        if (!(nu > 0)) throw new SarKitInputException($"Degrees of freedom ν = {nu}; expected a value > 0 (or +∞).");
        double tail = 1 - p;
        Func<double, double> twoSidedTail = nu >= NormalLimit
            ? z => 1 - LowerGammaRegularized(0.5, 0.5 * z * z)
            : t => IncompleteBetaRegularized(nu / (nu + t * t), 0.5 * nu, 0.5);
        double lo = 0, hi = 1;
        while (twoSidedTail(hi) > tail)
        {
            lo = hi; hi *= 2;
            if (hi > 1e300) throw new SarKitInputException($"t quantile for ν = {nu}, p = {p} is out of range.");
        }
        for (int i = 0; i < 2000 && hi - lo > 1e-15 * hi; i++)
        {
            double mid = 0.5 * (lo + hi);
            if (twoSidedTail(mid) > tail) lo = mid; else hi = mid;
        }
        return 0.5 * (lo + hi);
    }

    /// <summary>Two-sided tail probability P(|T| &gt; t) for ν degrees of freedom.</summary>
    public static double TwoSidedTail(double t, double nu) =>
        nu >= NormalLimit ? 1 - LowerGammaRegularized(0.5, 0.5 * t * t)
                          : IncompleteBetaRegularized(nu / (nu + t * t), 0.5 * nu, 0.5);

    /// <summary>ln Γ(x), x &gt; 0: recurrence up to x ≥ 15, then the Stirling series.</summary>
    public static double LogGamma(double x)
    {
        double shift = 0;
        while (x < 15) { shift -= Math.Log(x); x += 1; }
        double inv = 1 / x, inv2 = inv * inv;
        double series = inv * (1.0 / 12 - inv2 * (1.0 / 360 - inv2 * (1.0 / 1260 - inv2 * (1.0 / 1680 - inv2 / 1188))));
        return shift + (x - 0.5) * Math.Log(x) - x + 0.5 * Math.Log(2 * Math.PI) + series;
    }

    /// <summary>Regularized incomplete beta I_x(a, b), by the continued fraction (modified Lentz) with the
    /// symmetry I_x(a,b) = 1 − I_{1−x}(b,a) where it converges faster.</summary>
    public static double IncompleteBetaRegularized(double x, double a, double b)
    {
        if (x <= 0) return 0;
        if (x >= 1) return 1;
        double lnFront = LogGamma(a + b) - LogGamma(a) - LogGamma(b) + a * Math.Log(x) + b * Math.Log(1 - x);
        if (x < (a + 1) / (a + b + 2))
            return Math.Exp(lnFront) * BetaContinuedFraction(x, a, b) / a;
        return 1 - Math.Exp(lnFront) * BetaContinuedFraction(1 - x, b, a) / b;
    }

    private static double BetaContinuedFraction(double x, double a, double b)
    {
        const double tiny = 1e-300;
        double c = 1, d = 1 - (a + b) * x / (a + 1);
        if (Math.Abs(d) < tiny) d = tiny;
        d = 1 / d;
        double f = d;
        for (int m = 1; m <= 10000; m++)
        {
            // even step: d_{2m} = m(b−m)x / ((a+2m−1)(a+2m))
            double num = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
            d = 1 + num * d; if (Math.Abs(d) < tiny) d = tiny; d = 1 / d;
            c = 1 + num / c; if (Math.Abs(c) < tiny) c = tiny;
            f *= d * c;
            // odd step: d_{2m+1} = −(a+m)(a+b+m)x / ((a+2m)(a+2m+1))
            num = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
            d = 1 + num * d; if (Math.Abs(d) < tiny) d = tiny; d = 1 / d;
            c = 1 + num / c; if (Math.Abs(c) < tiny) c = tiny;
            double delta = d * c;
            f *= delta;
            if (Math.Abs(delta - 1) < 1e-16) break;
        }
        return f;
    }

    /// <summary>Regularized lower incomplete gamma P(a, x): power series for x &lt; a + 1, else 1 − continued fraction.</summary>
    public static double LowerGammaRegularized(double a, double x)
    {
        if (x <= 0) return 0;
        double lnFront = a * Math.Log(x) - x - LogGamma(a);
        if (x < a + 1)
        {
            double term = 1 / a, sum = term;
            for (int n = 1; n < 100000; n++)
            {
                term *= x / (a + n);
                sum += term;
                if (Math.Abs(term) < Math.Abs(sum) * 1e-17) break;
            }
            return sum * Math.Exp(lnFront);
        }
        // Upper tail Q(a,x) by the Lentz continued fraction x + 1 − a − 1·(1−a)/(x + 3 − a − ...)
        const double tiny = 1e-300;
        double bb = x + 1 - a, c = 1 / tiny, d = 1 / bb, h = d;
        for (int i = 1; i < 100000; i++)
        {
            double an = -i * (i - a);
            bb += 2;
            d = an * d + bb; if (Math.Abs(d) < tiny) d = tiny;
            c = bb + an / c; if (Math.Abs(c) < tiny) c = tiny;
            d = 1 / d;
            double delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < 1e-16) break;
        }
        return 1 - Math.Exp(lnFront) * h;
    }
}
