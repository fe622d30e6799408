using SarKit.Measurement.Uncertainty;
using SarKit.Numerics.Statistics;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Measurement.Probe;

/// <summary>How the SAR below the lowest measured point is extrapolated to the phantom surface.</summary>
public enum ExtrapolationModel
{
    /// <summary>Least-squares fit of S(d) = S₀ e^(−d/a) (probe-system manual, "Data Extrapolation").</summary>
    Exponential,
    /// <summary>Least-squares polynomial in d (degree ≤ 4, the DASY-style alternative).</summary>
    Polynomial,
}

/// <summary>
/// Least-squares fit of the exponential decay S(d) = S₀·e^(−d/a) along the depth d (sensor-to-surface distance) — the
/// manual's E(z) = E₀·e^(−z/a), where the probe output is proportional to |E|², i.e. to SAR. Gauss–Newton with step
/// halving from the log-linear estimate; parameter covariance s²(JᵀJ)⁻¹ with s² = RSS/(n − 2) at the optimum
/// (standard non-linear regression), ν = n − 2.
/// </summary>
/// <param name="S0">Surface value S₀ (unit of the data).</param>
/// <param name="DecayLengthM">a (m).</param>
/// <param name="S0StdUncertainty">u(S₀).</param>
/// <param name="DecayLengthStdUncertaintyM">u(a) (m).</param>
/// <param name="Correlation">r(S₀, a).</param>
/// <param name="ResidualStd">s = √(RSS/(n − 2)).</param>
/// <param name="DegreesOfFreedom">n − 2.</param>
public sealed record ExponentialFit(double S0, double DecayLengthM, double S0StdUncertainty, double DecayLengthStdUncertaintyM,
    double Correlation, double ResidualStd, int DegreesOfFreedom)
{
    /// <summary>S(d) = S₀ e^(−d/a).</summary>
    public double Evaluate(double d) => S0 * Math.Exp(-d / DecayLengthM);

    /// <summary>Relative standard uncertainty u(S₀)/S₀.</summary>
    public double S0RelativeUncertainty => S0StdUncertainty / Math.Abs(S0);

    /// <summary>Expanded uncertainty of S₀ at 95.45 % with k = t(ν).</summary>
    public double S0Expanded => StudentT.TwoSidedQuantile(Math.Max(1, DegreesOfFreedom)) * S0StdUncertainty;

    /// <summary>Fits (d_i, s_i); needs n ≥ 3 points with distinct depths and at least two positive values.</summary>
    public static ExponentialFit Fit(ReadOnlySpan<double> d, ReadOnlySpan<double> s, string where = "decay fit")
    {
        int n = d.Length;
        if (n < 3 || s.Length != n) throw new SarKitInputException($"{where}: {n} points; an exponential fit with uncertainties needs at least 3 depths.");
        // log-linear start on positive values (weights s² approximate the least-squares weighting of ln s)
        double sw = 0, swx = 0, swy = 0, swxx = 0, swxy = 0; int pos = 0;
        for (int i = 0; i < n; i++)
        {
            if (!(s[i] > 0)) continue;
            pos++;
            double w = s[i] * s[i], ly = Math.Log(s[i]);
            sw += w; swx += w * d[i]; swy += w * ly; swxx += w * d[i] * d[i]; swxy += w * d[i] * ly;
        }
        double det = sw * swxx - swx * swx;
        if (pos < 2 || !(Math.Abs(det) > 0)) throw new SarKitInputException($"{where}: fewer than two positive values at distinct depths; cannot fit S₀·e^(−d/a).");
        double slope = (sw * swxy - swx * swy) / det, icpt = (swy - slope * swx) / sw;
        double s0 = Math.Exp(icpt), k = -slope; // k = 1/a
        double Rss(double a0, double k0, ReadOnlySpan<double> dd, ReadOnlySpan<double> ss)
        { double r = 0; for (int i = 0; i < dd.Length; i++) { double e = ss[i] - a0 * Math.Exp(-k0 * dd[i]); r += e * e; } return r; }
        double rss = Rss(s0, k, d, s);
        for (int it = 0; it < 200; it++)
        {
            double j11 = 0, j12 = 0, j22 = 0, g1 = 0, g2 = 0;
            for (int i = 0; i < n; i++)
            {
                double e = Math.Exp(-k * d[i]);
                double f1 = e, f2 = -s0 * d[i] * e, res = s[i] - s0 * e;
                j11 += f1 * f1; j12 += f1 * f2; j22 += f2 * f2; g1 += f1 * res; g2 += f2 * res;
            }
            double dt = j11 * j22 - j12 * j12;
            if (!(Math.Abs(dt) > 0)) break;
            double ds0 = (j22 * g1 - j12 * g2) / dt, dk = (j11 * g2 - j12 * g1) / dt;
            double step = 1; bool improved = false;
            for (int h = 0; h < 40; h++, step *= 0.5)
            {
                double r2 = Rss(s0 + step * ds0, k + step * dk, d, s);
                if (r2 <= rss) { s0 += step * ds0; k += step * dk; improved = rss - r2 > 1e-15 * rss; rss = r2; break; }
            }
            if (!improved || (Math.Abs(ds0) <= 1e-13 * Math.Abs(s0) && Math.Abs(dk) <= 1e-13 * Math.Abs(k) + 1e-300)) break;
        }
        if (k == 0) throw new SarKitInputException($"{where}: the data show no decay with depth (a = ∞).");
        // covariance in (S0, a) parameters: J columns ∂f/∂S0 = e, ∂f/∂a = S0 d e / a²
        double a = 1 / k;
        var jac = new double[n, 2];
        for (int i = 0; i < n; i++) { double e = Math.Exp(-d[i] / a); jac[i, 0] = e; jac[i, 1] = s0 * d[i] * e / (a * a); }
        var (_, _, inv) = LeastSquares.Solve(jac, new double[n]);
        int dof = n - 2;
        double s2 = rss / dof;
        double u0 = Math.Sqrt(s2 * inv[0, 0]), ua = Math.Sqrt(s2 * inv[1, 1]);
        double corr = u0 > 0 && ua > 0 ? s2 * inv[0, 1] / (u0 * ua) : 0;
        return new ExponentialFit(s0, a, u0, ua, corr, Math.Sqrt(s2), dof);
    }
}

/// <summary>
/// Least-squares polynomial S(d) = Σ c_k (d/d_max)^k of degree p (default min(4, n − 2)): the polynomial alternative to
/// the exponential extrapolation, evaluated at d = 0 (value c₀ with u(c₀) = s √[(AᵀA)⁻¹]₀₀).
/// </summary>
/// <param name="Coefficients">c_k in the scaled variable t = d/<paramref name="ScaleM"/>.</param>
/// <param name="ScaleM">d_max (m).</param>
/// <param name="S0StdUncertainty">u(S(0)).</param>
/// <param name="ResidualStd">s = √(RSS/(n − p − 1)) (0 when n = p + 1).</param>
/// <param name="DegreesOfFreedom">n − p − 1.</param>
public sealed record PolynomialFit(double[] Coefficients, double ScaleM, double S0StdUncertainty, double ResidualStd, int DegreesOfFreedom)
{
    /// <summary>Degree p.</summary>
    public int Degree => Coefficients.Length - 1;
    /// <summary>S(0) = c₀.</summary>
    public double S0 => Coefficients[0];

    /// <summary>S(d) by Horner's rule.</summary>
    public double Evaluate(double d)
    {
        double t = d / ScaleM, r = 0;
        for (int k = Coefficients.Length - 1; k >= 0; k--) r = r * t + Coefficients[k];
        return r;
    }

    /// <summary>Fits degree min(<paramref name="maxDegree"/>, n − 2) (at least 1).</summary>
    public static PolynomialFit Fit(ReadOnlySpan<double> d, ReadOnlySpan<double> s, int maxDegree = 4, string where = "polynomial fit")
    {
        int n = d.Length;
        if (n < 3) throw new SarKitInputException($"{where}: {n} points; the polynomial extrapolation needs at least 3 depths.");
        int p = Math.Max(1, Math.Min(maxDegree, n - 2));
        double scale = 0; for (int i = 0; i < n; i++) scale = Math.Max(scale, Math.Abs(d[i]));
        if (!(scale > 0)) throw new SarKitInputException($"{where}: all depths are zero.");
        var a = new double[n, p + 1]; var b = new double[n];
        for (int i = 0; i < n; i++) { double t = d[i] / scale, v = 1; for (int k = 0; k <= p; k++) { a[i, k] = v; v *= t; } b[i] = s[i]; }
        var (x, rss, inv) = LeastSquares.Solve(a, b);
        int dof = n - p - 1;
        double sd = dof > 0 ? Math.Sqrt(rss / dof) : 0;
        return new PolynomialFit(x, scale, sd * Math.Sqrt(inv[0, 0]), sd, dof);
    }
}
