using System.Numerics;

namespace SarKit.Engines;

/// <summary>Kind of an elementary radiator of a <see cref="DipoleArrayEngine"/>.</summary>
public enum PointSourceKind
{
    /// <summary>Short (Hertzian) electric dipole: current I on a length l ≪ λ, moment I·l [A·m] along its direction.</summary>
    ElectricDipole,
    /// <summary>Small current loop (magnetic dipole): current I around an area A ≪ λ², moment I·A [A·m²] along its normal
    /// (right-hand rule with the current's circulation).</summary>
    MagneticDipole,
}

/// <summary>
/// One elementary radiator: an electric dipole of length <see cref="Size"/> = l [m] or a small loop of area
/// <see cref="Size"/> = A [m²], at <see cref="Position"/> (metres), oriented along the unit vector
/// <see cref="Direction"/> (dipole axis or loop normal), carrying <see cref="Weight"/> ampere (peak, complex) per
/// 1 A of its channel's drive. Its moment per ampere of drive is Weight·Size·Direction.
/// </summary>
public sealed record PointSource
{
    public PointSourceKind Kind { get; }
    /// <summary>Position (m).</summary>
    public (double X, double Y, double Z) Position { get; }
    /// <summary>Unit direction: dipole axis or loop normal (normalised on construction).</summary>
    public (double X, double Y, double Z) Direction { get; }
    /// <summary>Dipole length l [m] or loop area A [m²].</summary>
    public double Size { get; }
    /// <summary>Complex current of this element per 1 A of channel drive (default 1).</summary>
    public Complex Weight { get; }

    public PointSource(PointSourceKind kind, (double X, double Y, double Z) position, (double X, double Y, double Z) direction, double size, Complex? weight = null)
    {
        if (!Enum.IsDefined(kind)) throw new SarKitInputException($"Unknown point source kind {(int)kind}.");
        if (!double.IsFinite(position.X) || !double.IsFinite(position.Y) || !double.IsFinite(position.Z))
            throw new SarKitInputException($"Point source position {position} m must be finite.");
        double n = Math.Sqrt(direction.X * direction.X + direction.Y * direction.Y + direction.Z * direction.Z);
        if (!double.IsFinite(n) || n == 0) throw new SarKitInputException($"Point source direction {direction} must be a finite non-zero vector.");
        if (!double.IsFinite(size) || size <= 0) throw new SarKitInputException($"Point source {(kind == PointSourceKind.ElectricDipole ? "length" : "area")} {size} must be finite and > 0.");
        var w = weight ?? Complex.One;
        if (!double.IsFinite(w.Real) || !double.IsFinite(w.Imaginary)) throw new SarKitInputException($"Point source weight {w} must be finite.");
        Kind = kind; Position = position; Direction = (direction.X / n, direction.Y / n, direction.Z / n); Size = size; Weight = w;
    }

    /// <summary>Short electric dipole of length <paramref name="lengthM"/> along <paramref name="axis"/>.</summary>
    public static PointSource ElectricDipole((double X, double Y, double Z) position, (double X, double Y, double Z) axis, double lengthM, Complex? weight = null)
        => new(PointSourceKind.ElectricDipole, position, axis, lengthM, weight);

    /// <summary>Small loop of area <paramref name="areaM2"/> with normal <paramref name="normal"/>.</summary>
    public static PointSource MagneticDipole((double X, double Y, double Z) position, (double X, double Y, double Z) normal, double areaM2, Complex? weight = null)
        => new(PointSourceKind.MagneticDipole, position, normal, areaM2, weight);

    public override string ToString() => FormattableString.Invariant(
        $"{(Kind == PointSourceKind.ElectricDipole ? "dipole" : "loop")} at ({Position.X:G6}, {Position.Y:G6}, {Position.Z:G6}) m dir ({Direction.X:G4}, {Direction.Y:G4}, {Direction.Z:G4}) {(Kind == PointSourceKind.ElectricDipole ? "l" : "A")}={Size:G4} w={Weight.Real:G4}{(Weight.Imaginary >= 0 ? "+" : "")}{Weight.Imaginary:G4}j");
}
