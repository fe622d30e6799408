using System.Numerics;
using SarKit.Engines;

namespace SarKit.Tests.Engines;

/// <summary>Independent helpers for the engine tests (spherical unit vectors, finite differences).</summary>
internal static class FieldTestHelpers
{
    public static (double X, double Y, double Z) Spherical(double r, double theta, double phi)
        => (r * Math.Sin(theta) * Math.Cos(phi), r * Math.Sin(theta) * Math.Sin(phi), r * Math.Cos(theta));

    /// <summary>Vector from spherical components (Ar r̂ + Aθ θ̂ + Aφ φ̂) at (θ, φ).</summary>
    public static ComplexVector3 FromSpherical(Complex ar, Complex at, Complex ap, double theta, double phi)
    {
        double st = Math.Sin(theta), ct = Math.Cos(theta), sp = Math.Sin(phi), cp = Math.Cos(phi);
        return new ComplexVector3(
            ar * st * cp + at * ct * cp - ap * sp,
            ar * st * sp + at * ct * sp + ap * cp,
            ar * ct - at * st);
    }

    /// <summary>Jacobian J[a][b] = ∂F_a/∂x_b by central differences of step h.</summary>
    public static Complex[,] Jacobian(Func<(double X, double Y, double Z), ComplexVector3> f, (double X, double Y, double Z) p, double h)
    {
        var j = new Complex[3, 3];
        for (int b = 0; b < 3; b++)
        {
            var plus = b switch { 0 => (p.X + h, p.Y, p.Z), 1 => (p.X, p.Y + h, p.Z), _ => (p.X, p.Y, p.Z + h) };
            var minus = b switch { 0 => (p.X - h, p.Y, p.Z), 1 => (p.X, p.Y - h, p.Z), _ => (p.X, p.Y, p.Z - h) };
            var fp = f(plus); var fm = f(minus);
            for (int a = 0; a < 3; a++) j[a, b] = (fp[a] - fm[a]) / (2 * h);
        }
        return j;
    }

    public static ComplexVector3 Curl(Complex[,] j) => new(j[2, 1] - j[1, 2], j[0, 2] - j[2, 0], j[1, 0] - j[0, 1]);
    public static Complex Divergence(Complex[,] j) => j[0, 0] + j[1, 1] + j[2, 2];

    public static ComplexVector3 Rotate(double[,] r, ComplexVector3 v) => new(
        r[0, 0] * v.X + r[0, 1] * v.Y + r[0, 2] * v.Z,
        r[1, 0] * v.X + r[1, 1] * v.Y + r[1, 2] * v.Z,
        r[2, 0] * v.X + r[2, 1] * v.Y + r[2, 2] * v.Z);

    public static (double X, double Y, double Z) Rotate(double[,] r, (double X, double Y, double Z) v) => (
        r[0, 0] * v.X + r[0, 1] * v.Y + r[0, 2] * v.Z,
        r[1, 0] * v.X + r[1, 1] * v.Y + r[1, 2] * v.Z,
        r[2, 0] * v.X + r[2, 1] * v.Y + r[2, 2] * v.Z);

    /// <summary>Rotation matrix from Euler angles (z-y-z).</summary>
    public static double[,] RotationZyz(double a, double b, double c)
    {
        static double[,] Rz(double t) => new[,] { { Math.Cos(t), -Math.Sin(t), 0 }, { Math.Sin(t), Math.Cos(t), 0 }, { 0, 0, 1 } };
        static double[,] Ry(double t) => new[,] { { Math.Cos(t), 0, Math.Sin(t) }, { 0, 1, 0 }, { -Math.Sin(t), 0, Math.Cos(t) } };
        return Mul(Rz(a), Mul(Ry(b), Rz(c)));
    }

    private static double[,] Mul(double[,] a, double[,] b)
    {
        var m = new double[3, 3];
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 3; k++) m[i, j] += a[i, k] * b[k, j];
        return m;
    }
}
