using System.Numerics;
using System.Runtime.CompilerServices;

namespace SarKit.Engines;

/// <summary>Medium constants shared by all sources: k = Kr − j·Ki, 1/|k|².</summary>
internal readonly struct MediumConstants
{
    public readonly double Kr, Ki, InvK2, OmegaMu;
    public readonly Complex K;
    public MediumConstants(HomogeneousMedium medium, double frequencyHz)
    {
        K = medium.Wavenumber(frequencyHz);
        Kr = K.Real; Ki = -K.Imaginary;
        InvK2 = 1.0 / (Kr * Kr + Ki * Ki);
        OmegaMu = HomogeneousMedium.AngularFrequency(frequencyHz) * medium.Mu;
    }
}

/// <summary>
/// One source reduced to what the kernel needs: position, unit direction, and two complex coefficients
/// (per 1 A of drive): <c>Dip</c> multiplies the dipolar term g·[C1 û − C2 (û·r̂) r̂] and <c>Cross</c> the
/// term g·C3 (û × r̂). For an electric dipole (moment p = w·l): Dip = −jωμp → E, Cross = jkp → H.
/// For a magnetic dipole (moment m = w·A): Dip = k²m → H, Cross = ωμkm → E.
/// </summary>
internal readonly struct SourceTerm
{
    public readonly double Px, Py, Pz, Ux, Uy, Uz;
    public readonly double DipRe, DipIm, CrossRe, CrossIm;
    /// <summary>Offset (0 = E, 6 = H) in a 12-double accumulator where the dipolar term goes; the cross term goes to the other.</summary>
    public readonly int DipOffset;

    public SourceTerm(PointSource s, in MediumConstants m)
    {
        (Px, Py, Pz) = s.Position;
        (Ux, Uy, Uz) = s.Direction;
        Complex moment = s.Weight * s.Size;
        Complex dip, cross;
        if (s.Kind == PointSourceKind.ElectricDipole)
        {
            dip = new Complex(0, -m.OmegaMu) * moment;      // −jωμ p
            cross = Complex.ImaginaryOne * m.K * moment;   // j k p
            DipOffset = 0;
        }
        else
        {
            dip = m.K * m.K * moment;                      // k² m
            cross = m.OmegaMu * m.K * moment;              // ωμ k m
            DipOffset = 6;
        }
        DipRe = dip.Real; DipIm = dip.Imaginary; CrossRe = cross.Real; CrossIm = cross.Imaginary;
    }
}

/// <summary>
/// Closed-form fields of point sources in a homogeneous medium (exp(+jωt)), see docs/field-engine.md:
/// g = e^{−jkR}/(4πR), A = 1/(jkR), C1 = 1 + A + A², C2 = 1 + 3A + 3A², C3 = 1 + A;
/// electric dipole p: E = −jωμ p g [C1 û − C2 (û·r̂) r̂], H = jk p g C3 (û × r̂);
/// magnetic dipole m: H = k² m g [C1 n̂ − C2 (n̂·r̂) r̂], E = ωμ k m g C3 (n̂ × r̂)
/// (Balanis, Antenna Theory, 3rd ed., §4.2 and §5.2, written for arbitrary orientation).
/// </summary>
internal static class DipoleKernel
{
    private const double InvFourPi = 1.0 / (4 * Math.PI);

    /// <summary>
    /// Adds the fields of source <paramref name="s"/> at (x, y, z) to <paramref name="acc"/>[0..12):
    /// Ex re, Ex im, Ey re, Ey im, Ez re, Ez im, Hx re, ..., Hz im. Returns the distance R to the source.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Add(in SourceTerm s, in MediumConstants m, double x, double y, double z, Span<double> acc)
    {
        double dx = x - s.Px, dy = y - s.Py, dz = z - s.Pz;
        double r = Math.Sqrt(dx * dx + dy * dy + dz * dz);
        double invR = 1.0 / r;
        double rx = dx * invR, ry = dy * invR, rz = dz * invR;

        // g = e^{−jkR}/(4πR) with k = kr − j ki: e^{−ki R}(cos kr R − j sin kr R)/(4πR)
        var (sn, cs) = Math.SinCos(m.Kr * r);
        double amp = Math.Exp(-m.Ki * r) * invR * InvFourPi;
        double gRe = amp * cs, gIm = -amp * sn;

        // A = 1/(jkR) = (ki − j kr)/(|k|² R); B = A²
        double aRe = m.Ki * m.InvK2 * invR, aIm = -m.Kr * m.InvK2 * invR;
        double bRe = aRe * aRe - aIm * aIm, bIm = 2 * aRe * aIm;
        double c1Re = 1 + aRe + bRe, c1Im = aIm + bIm;
        double c2Re = 1 + 3 * (aRe + bRe), c2Im = 3 * (aIm + bIm);
        double c3Re = 1 + aRe, c3Im = aIm;

        // G_i = g·C_i
        double g1Re = gRe * c1Re - gIm * c1Im, g1Im = gRe * c1Im + gIm * c1Re;
        double g2Re = gRe * c2Re - gIm * c2Im, g2Im = gRe * c2Im + gIm * c2Re;
        double g3Re = gRe * c3Re - gIm * c3Im, g3Im = gRe * c3Im + gIm * c3Re;

        double ud = s.Ux * rx + s.Uy * ry + s.Uz * rz;
        // P = Dip·G1, Q = Dip·G2·(û·r̂), S = Cross·G3
        double pRe = s.DipRe * g1Re - s.DipIm * g1Im, pIm = s.DipRe * g1Im + s.DipIm * g1Re;
        double qRe = (s.DipRe * g2Re - s.DipIm * g2Im) * ud, qIm = (s.DipRe * g2Im + s.DipIm * g2Re) * ud;
        double tRe = s.CrossRe * g3Re - s.CrossIm * g3Im, tIm = s.CrossRe * g3Im + s.CrossIm * g3Re;

        // û × r̂
        double cx = s.Uy * rz - s.Uz * ry, cy = s.Uz * rx - s.Ux * rz, cz = s.Ux * ry - s.Uy * rx;

        int d = s.DipOffset, c = 6 - d;
        acc[d] += pRe * s.Ux - qRe * rx; acc[d + 1] += pIm * s.Ux - qIm * rx;
        acc[d + 2] += pRe * s.Uy - qRe * ry; acc[d + 3] += pIm * s.Uy - qIm * ry;
        acc[d + 4] += pRe * s.Uz - qRe * rz; acc[d + 5] += pIm * s.Uz - qIm * rz;
        acc[c] += tRe * cx; acc[c + 1] += tIm * cx;
        acc[c + 2] += tRe * cy; acc[c + 3] += tIm * cy;
        acc[c + 4] += tRe * cz; acc[c + 5] += tIm * cz;
        return r;
    }
}
