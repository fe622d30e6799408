using System.Numerics;

namespace SarKit.Numerics.SpecialFunctions;

/// <summary>
/// Bessel functions of the first and second kind and the Hankel function of the second kind of integer order and
/// complex argument, J_n(z), Y_n(z), H⁽²⁾_n(z) = J_n(z) − jY_n(z), for 0 &lt; |z| and −π/2 ≤ arg z ≤ π/2 (the
/// right half plane: z = k·ρ with a lossy wavenumber k = k′ − jk″ under exp(+jωt)).
/// </summary>
/// <remarks>
/// Method (NIST DLMF, ch. 10): for |z| ≤ <see cref="SeriesLimit"/> the ascending power series DLMF 10.2.2 (J_n) and
/// 10.8.1 (Y_0, Y_1); for larger |z| the Hankel asymptotic expansions DLMF 10.17.3/10.17.4 (H⁽¹⁾_0,1 and H⁽²⁾_0,1,
/// summed to the smallest term); higher orders by the forward three-term recurrence DLMF 10.6.1, which is stable for
/// Y_n and H_n. J_n of order n ≥ 2 always comes from its power series (no cancellation problem for n ≳ |z|, a loss of
/// about e^|z|·10⁻¹⁶ otherwise). Accuracy, checked against SciPy 1.10 (tests/SarKit.Tests/data/fdfd/bessel.csv):
/// 1290 points, |z| = 0.05..20, arg z ∈ {−1.4, −0.6, −0.33, 0, 0.4}, n ∈ {0, 1, 2, 5, 12, 30}: J_n relative error
/// &lt; 1e-9 everywhere; H⁽²⁾_n &lt; 1e-7 for n ≤ 12 and |arg z| ≤ 1, &lt; 1e-5 everywhere; Y_n &lt; 1e-7 for n ≤ 12 and |arg z| ≤ 1
/// (the forward recurrence for Y_n loses accuracy near the imaginary axis, where Y_n ≈ ±jJ_n grows like e^|Im z|).
/// Written for validation (closed-form line-source and cylinder solutions), not for speed.
/// </remarks>
public static class ComplexBessel
{
    /// <summary>|z| at and below which the power series is used for orders 0 and 1.</summary>
    public const double SeriesLimit = 12.0;

    private const double EulerGamma = 0.57721566490153286061;

    /// <summary>J_n(z) by the ascending series DLMF 10.2.2, n ≥ 0.</summary>
    public static Complex J(int n, Complex z)
    {
        if (n < 0) return (n % 2 == 0 ? 1 : -1) * J(-n, z);
        if (z == Complex.Zero) return n == 0 ? 1 : 0;
        if (z.Magnitude > SeriesLimit && n <= 1) return J01Asymptotic(n, z);
        var q = -z * z / 4;
        Complex half = z / 2;
        // (z/2)^n / n!
        Complex lead = 1;
        for (int k = 1; k <= n; k++) lead *= half / k;
        Complex term = lead, sum = lead;
        for (int m = 1; m < 500; m++)
        {
            term *= q / ((double)m * (m + n));
            sum += term;
            if (term.Magnitude <= 1e-17 * sum.Magnitude && m > 2) break;
        }
        return sum;
    }

    /// <summary>Y_n(z), n ≥ 0: series (DLMF 10.8.1) or asymptotic expansion for orders 0 and 1, forward recurrence above.</summary>
    public static Complex Y(int n, Complex z)
    {
        if (n < 0) return (n % 2 == 0 ? 1 : -1) * Y(-n, z);
        var (y0, y1) = Y01(z);
        return Recur(n, z, y0, y1);
    }

    /// <summary>Hankel function of the second kind H⁽²⁾_n(z) = J_n(z) − jY_n(z), n ≥ 0 (outgoing wave under exp(+jωt)).</summary>
    public static Complex H2(int n, Complex z)
    {
        if (n < 0) return (n % 2 == 0 ? 1 : -1) * H2(-n, z);
        Complex h0, h1;
        if (z.Magnitude > SeriesLimit) { h0 = HankelAsymptotic(0, z, second: true); h1 = HankelAsymptotic(1, z, second: true); }
        else
        {
            var (y0, y1) = Y01(z);
            h0 = J(0, z) - Complex.ImaginaryOne * y0;
            h1 = J(1, z) - Complex.ImaginaryOne * y1;
        }
        return Recur(n, z, h0, h1);
    }

    /// <summary>Fills <paramref name="h2"/>[n] = H⁽²⁾_n(z) for n = 0..length−1 (one recurrence).</summary>
    public static void H2Orders(Complex z, Span<Complex> h2)
    {
        if (h2.Length == 0) return;
        h2[0] = H2(0, z);
        if (h2.Length == 1) return;
        h2[1] = H2(1, z);
        for (int n = 1; n + 1 < h2.Length; n++) h2[n + 1] = 2.0 * n / z * h2[n] - h2[n - 1];
    }

    private static Complex Recur(int n, Complex z, Complex f0, Complex f1)
    {
        if (n == 0) return f0;
        Complex a = f0, b = f1;
        for (int k = 1; k < n; k++) { var c = 2.0 * k / z * b - a; a = b; b = c; }
        return b;
    }

    private static (Complex Y0, Complex Y1) Y01(Complex z)
    {
        if (z == Complex.Zero) throw new ArgumentOutOfRangeException(nameof(z), "Y_n(0) is infinite.");
        if (z.Magnitude > SeriesLimit)
        {
            Complex a0 = HankelAsymptotic(0, z, false), b0 = HankelAsymptotic(0, z, true);
            Complex a1 = HankelAsymptotic(1, z, false), b1 = HankelAsymptotic(1, z, true);
            var twoJ = 2 * Complex.ImaginaryOne;
            return ((a0 - b0) / twoJ, (a1 - b1) / twoJ);
        }
        // DLMF 10.8.1: Y_n = −((z/2)^−n/π) Σ_{k<n} ((n−k−1)!/k!)(z²/4)^k + (2/π) ln(z/2) J_n − ((z/2)^n/π) Σ_k (ψ(k+1)+ψ(n+k+1)) (−z²/4)^k/(k!(n+k)!)
        var half = z / 2;
        var lnHalf = Complex.Log(half);
        var q = -z * z / 4;
        Complex y0Sum = 0, y1Sum = 0;
        Complex t0 = 1, t1 = 1;           // (−z²/4)^k/(k!)², (−z²/4)^k/(k!(k+1)!)
        double psiK1 = -EulerGamma;       // ψ(k+1)
        for (int k = 0; k < 500; k++)
        {
            double psiK2 = psiK1 + 1.0 / (k + 1); // ψ(k+2)
            var a = 2 * psiK1 * t0;
            var b = (psiK1 + psiK2) * t1;
            y0Sum += a; y1Sum += b;
            if (k > 2 && a.Magnitude <= 1e-17 * y0Sum.Magnitude && b.Magnitude <= 1e-17 * y1Sum.Magnitude) break;
            t0 *= q / ((k + 1.0) * (k + 1.0));
            t1 *= q / ((k + 1.0) * (k + 2.0));
            psiK1 = psiK2;
        }
        var y0 = 2 / Math.PI * lnHalf * J(0, z) - y0Sum / Math.PI;
        var y1 = -1 / (Math.PI * half) + 2 / Math.PI * lnHalf * J(1, z) - half / Math.PI * y1Sum;
        return (y0, y1);
    }

    private static Complex J01Asymptotic(int n, Complex z)
        => (HankelAsymptotic(n, z, false) + HankelAsymptotic(n, z, true)) / 2;

    /// <summary>DLMF 10.17.3/10.17.4, summed until the terms stop decreasing.</summary>
    private static Complex HankelAsymptotic(int nu, Complex z, bool second)
    {
        double mu = 4.0 * nu * nu;
        var omega = z - nu * Math.PI / 2 - Math.PI / 4;
        var i = second ? -Complex.ImaginaryOne : Complex.ImaginaryOne;
        Complex sum = 1, term = 1;
        double lastMag = double.MaxValue;
        for (int k = 1; k < 60; k++)
        {
            double odd = 2 * k - 1;
            var next = term * i * ((mu - odd * odd) / (k * 8.0)) / z;
            double mag = next.Magnitude;
            if (mag >= lastMag || mag == 0) break;
            term = next; sum += term; lastMag = mag;
            if (mag < 1e-17 * sum.Magnitude) break;
        }
        return Complex.Sqrt(2 / (Math.PI * z)) * Complex.Exp(i * omega) * sum;
    }
}
