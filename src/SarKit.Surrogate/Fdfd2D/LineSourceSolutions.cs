using System.Numerics;
using SarKit.Numerics.SpecialFunctions;
using SarKit.Engines;

namespace SarKit.Surrogate.Fdfd2D;

/// <summary>
/// Closed-form TM_z fields of an infinite z-directed line current I (A), exp(+jωt), used to validate
/// <see cref="FdfdSolver2D"/>: (1) in a homogeneous lossy medium; (2) outside (or inside) a homogeneous circular
/// dielectric cylinder centred on the origin, by the cylindrical-wave series.
/// </summary>
/// <remarks>
/// (1) E_z = −(ωμ0 I/4)·H⁽²⁾_0(kR), R = |r − r′|, k = ω√(μ0 ε_c) with Im k ≤ 0 (Balanis, <i>Advanced Engineering
/// Electromagnetics</i>, §11.3); H_x = −∂_yE_z/(jωμ0), H_y = ∂_xE_z/(jωμ0), i.e.
/// H_x = −(kI/4j)H⁽²⁾_1(kR)(y − y′)/R, H_y = (kI/4j)H⁽²⁾_1(kR)(x − x′)/R.
/// (2) Source at (ρ′, φ′) outside a cylinder of radius a (wavenumber k1 inside, k0 outside). With C = −ωμ0I/4,
/// outside E_z = C[H⁽²⁾_0(k0R) + Σ_n a_n H⁽²⁾_n(k0ρ) e^{jn(φ−φ′)}], inside E_z = C Σ_n b_n J_n(k1ρ) e^{jn(φ−φ′)}, with
/// a_n = H⁽²⁾_n(k0ρ′)·[k1J′_n(k1a)J_n(k0a) − k0J′_n(k0a)J_n(k1a)] / [k0H′_n(k0a)J_n(k1a) − k1J′_n(k1a)H_n(k0a)],
/// b_n = [J_n(k0a)H⁽²⁾_n(k0ρ′) + a_n H⁽²⁾_n(k0a)]/J_n(k1a) (continuity of E_z and H_φ at ρ = a, addition theorem
/// H⁽²⁾_0(k|r − r′|) = Σ J_n(kρ)H⁽²⁾_n(kρ′)e^{jn(φ−φ′)} for ρ &lt; ρ′; Harrington, <i>Time-Harmonic Electromagnetic
/// Fields</i>, §5.8). Terms n and −n are equal, so the sum is taken as n = 0 plus 2·Σ_{n≥1} cos(n(φ−φ′)).
/// </remarks>
public static class LineSourceSolutions
{
    /// <summary>(E_z, H_x, H_y) at (x, y) of a line current <paramref name="currentA"/> at (x0, y0) in a homogeneous medium.</summary>
    public static (Complex Ez, Complex Hx, Complex Hy) Homogeneous(HomogeneousMedium medium, double frequencyHz, double currentA,
        double x0, double y0, double x, double y)
    {
        double w = HomogeneousMedium.AngularFrequency(frequencyHz);
        var k = medium.Wavenumber(frequencyHz);
        double dx = x - x0, dy = y - y0, R = Math.Sqrt(dx * dx + dy * dy);
        if (R == 0) throw new ArgumentException("The field point coincides with the line source.");
        var kr = k * R;
        var ez = -w * medium.Mu * currentA / 4 * ComplexBessel.H2(0, kr);
        var g = k * currentA / (4 * Complex.ImaginaryOne) * ComplexBessel.H2(1, kr) / R;
        return (ez, -g * dy, g * dx);
    }

    /// <summary>
    /// E_z(x, y) of a line current at (x0, y0) (outside the cylinder) next to a circular cylinder of radius
    /// <paramref name="radius"/> centred on the origin, made of <paramref name="inside"/>, in <paramref name="outside"/>;
    /// <paramref name="terms"/> = highest order n kept. The series coefficients are computed once; the returned
    /// function evaluates the field at any point other than the source.
    /// </summary>
    public static Func<double, double, Complex> Cylinder(HomogeneousMedium inside, HomogeneousMedium outside, double radius, double frequencyHz, double currentA,
        double x0, double y0, int terms = 50)
    {
        double w = HomogeneousMedium.AngularFrequency(frequencyHz);
        var k0 = outside.Wavenumber(frequencyHz); var k1 = inside.Wavenumber(frequencyHz);
        double rhoS = Math.Sqrt(x0 * x0 + y0 * y0), phiS = Math.Atan2(y0, x0);
        if (rhoS <= radius) throw new ArgumentException("The line source must be outside the cylinder.");
        var C = -w * HomogeneousMedium.Mu0 * currentA / 4;
        int N = terms + 2;
        var h0a = new Complex[N + 1]; var h0s = new Complex[N + 1];
        ComplexBessel.H2Orders(k0 * radius, h0a);
        ComplexBessel.H2Orders(k0 * rhoS, h0s);
        var j0a = new Complex[N + 1]; var j1a = new Complex[N + 1];
        for (int n = 0; n <= N; n++) { j0a[n] = ComplexBessel.J(n, k0 * radius); j1a[n] = ComplexBessel.J(n, k1 * radius); }
        static Complex D(Complex[] f, int n) => n == 0 ? -f[1] : (f[n - 1] - f[n + 1]) / 2;
        var an = new Complex[terms + 1]; var bn = new Complex[terms + 1];
        for (int n = 0; n <= terms; n++)
        {
            var num = k1 * D(j1a, n) * j0a[n] - k0 * D(j0a, n) * j1a[n];
            var den = k0 * D(h0a, n) * j1a[n] - k1 * D(j1a, n) * h0a[n];
            an[n] = h0s[n] * num / den;
            bn[n] = (j0a[n] * h0s[n] + an[n] * h0a[n]) / j1a[n];
        }
        var hr = new Complex[terms + 1];
        return (x, y) =>
        {
            double rho = Math.Sqrt(x * x + y * y), phi = Math.Atan2(y, x);
            Complex sum = 0;
            if (rho < radius)
            {
                for (int n = 0; n <= terms; n++) sum += (n == 0 ? 1 : 2 * Math.Cos(n * (phi - phiS))) * bn[n] * ComplexBessel.J(n, k1 * rho);
                return C * sum;
            }
            lock (hr)
            {
                ComplexBessel.H2Orders(k0 * rho, hr);
                for (int n = 0; n <= terms; n++) sum += (n == 0 ? 1 : 2 * Math.Cos(n * (phi - phiS))) * an[n] * hr[n];
            }
            double dx = x - x0, dy = y - y0;
            return C * (ComplexBessel.H2(0, k0 * Math.Sqrt(dx * dx + dy * dy)) + sum);
        };
    }
}
