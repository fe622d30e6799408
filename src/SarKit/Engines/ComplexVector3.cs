using System.Numerics;

namespace SarKit.Engines;

/// <summary>A complex 3-vector (phasor components x, y, z), computed in double precision.</summary>
public readonly record struct ComplexVector3(Complex X, Complex Y, Complex Z)
{
    public static ComplexVector3 Zero => default;
    public Complex this[int axis] => axis switch { 0 => X, 1 => Y, 2 => Z, _ => throw new ArgumentOutOfRangeException(nameof(axis)) };
    public static ComplexVector3 operator +(ComplexVector3 a, ComplexVector3 b) => new(a.X + b.X, a.Y + b.Y, a.Z + b.Z);
    public static ComplexVector3 operator -(ComplexVector3 a, ComplexVector3 b) => new(a.X - b.X, a.Y - b.Y, a.Z - b.Z);
    public static ComplexVector3 operator *(Complex s, ComplexVector3 a) => new(s * a.X, s * a.Y, s * a.Z);
    public static ComplexVector3 operator *(ComplexVector3 a, Complex s) => s * a;
    /// <summary>Euclidean norm √(|X|² + |Y|² + |Z|²).</summary>
    public double Norm => Math.Sqrt(Sq(X) + Sq(Y) + Sq(Z));
    private static double Sq(Complex c) => c.Real * c.Real + c.Imaginary * c.Imaginary;
    public override string ToString() => $"({X}, {Y}, {Z})";
}
