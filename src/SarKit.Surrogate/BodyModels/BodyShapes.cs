namespace SarKit.Surrogate.BodyModels;

/// <summary>A 3-vector in metres (body frame: x left→right, y posterior→anterior, z feet→head).</summary>
internal readonly record struct V3(double X, double Y, double Z)
{
    public static V3 operator +(V3 a, V3 b) => new(a.X + b.X, a.Y + b.Y, a.Z + b.Z);
    public static V3 operator -(V3 a, V3 b) => new(a.X - b.X, a.Y - b.Y, a.Z - b.Z);
    public static V3 operator *(double s, V3 a) => new(s * a.X, s * a.Y, s * a.Z);
    public double Dot(V3 b) => X * b.X + Y * b.Y + Z * b.Z;
    public double Norm => Math.Sqrt(Dot(this));
}

/// <summary>
/// A solid with an approximate signed depth (m): &gt; 0 inside (distance to the surface, approximately), ≤ 0 outside.
/// </summary>
internal interface ISolid
{
    double Depth(V3 p);
}

/// <summary>Rotation about the x, y and z axes (radians, applied z·y·x to local coordinates).</summary>
internal readonly record struct Rotation(double Rx, double Ry, double Rz)
{
    /// <summary>World offset → local frame (inverse rotation).</summary>
    public V3 ToLocal(V3 d)
    {
        // inverse of R = Rz·Ry·Rx is Rxᵀ·Ryᵀ·Rzᵀ
        double c = Math.Cos(Rz), s = Math.Sin(Rz);
        var a = new V3(c * d.X + s * d.Y, -s * d.X + c * d.Y, d.Z);
        c = Math.Cos(Ry); s = Math.Sin(Ry);
        a = new V3(c * a.X - s * a.Z, a.Y, s * a.X + c * a.Z);
        c = Math.Cos(Rx); s = Math.Sin(Rx);
        return new V3(a.X, c * a.Y + s * a.Z, -s * a.Y + c * a.Z);
    }
}

/// <summary>Ellipsoid (optionally rotated): depth ≈ (1 − F)/|∇F| with F the normalised radius.</summary>
internal sealed record Ellipsoid(V3 Centre, V3 Semi, Rotation Rot = default) : ISolid
{
    public double Depth(V3 p)
    {
        var l = Rot.ToLocal(p - Centre);
        double u = l.X / Semi.X, v = l.Y / Semi.Y, w = l.Z / Semi.Z;
        double f = Math.Sqrt(u * u + v * v + w * w);
        if (f < 1e-9) return Math.Min(Semi.X, Math.Min(Semi.Y, Semi.Z));
        double gx = u / Semi.X, gy = v / Semi.Y, gz = w / Semi.Z;
        double g = Math.Sqrt(gx * gx + gy * gy + gz * gz) / f;
        return Math.Min((1 - f) / g, Math.Min(Semi.X, Math.Min(Semi.Y, Semi.Z)));
    }
}

/// <summary>Superellipsoid |x/a|^n + |y/b|^n + |z/c|^n ≤ 1 (rotated); depth along the ray from the centre (radial construction).</summary>
internal sealed record SuperEllipsoid(V3 Centre, V3 Semi, double Exponent, Rotation Rot = default) : ISolid
{
    public double Depth(V3 p)
    {
        var l = Rot.ToLocal(p - Centre);
        double r = l.Norm;
        double n = Exponent;
        double f = Math.Pow(Math.Pow(Math.Abs(l.X / Semi.X), n) + Math.Pow(Math.Abs(l.Y / Semi.Y), n) + Math.Pow(Math.Abs(l.Z / Semi.Z), n), 1 / n);
        if (f < 1e-9) return Math.Min(Semi.X, Math.Min(Semi.Y, Semi.Z));
        return Math.Min(r / f - r, Math.Min(Semi.X, Math.Min(Semi.Y, Semi.Z)));   // boundary radius along the ray minus r
    }
}

/// <summary>Tube of radius <see cref="Radius"/> around a polyline (capsule chain); exact depth.</summary>
internal sealed record Tube(V3[] Points, double Radius) : ISolid
{
    public double Depth(V3 p) => Radius - Distance(p);

    public double Distance(V3 p)
    {
        double best = double.PositiveInfinity;
        for (int i = 0; i + 1 < Points.Length; i++)
        {
            var a = Points[i]; var ab = Points[i + 1] - a;
            double t = Math.Clamp((p - a).Dot(ab) / Math.Max(ab.Dot(ab), 1e-18), 0, 1);
            best = Math.Min(best, (p - (a + t * ab)).Norm);
        }
        return best;
    }

    /// <summary>Point at fraction <paramref name="t"/> ∈ [0, 1] of the polyline's length.</summary>
    public V3 At(double t)
    {
        double total = 0;
        for (int i = 0; i + 1 < Points.Length; i++) total += (Points[i + 1] - Points[i]).Norm;
        double s = Math.Clamp(t, 0, 1) * total;
        for (int i = 0; i + 1 < Points.Length; i++)
        {
            double len = (Points[i + 1] - Points[i]).Norm;
            if (s <= len || i + 2 == Points.Length) return Points[i] + (len > 0 ? s / len : 0) * (Points[i + 1] - Points[i]);
            s -= len;
        }
        return Points[^1];
    }
}

/// <summary>Segment of a thick cylindrical shell about an axis parallel to z (family B iliac wings).</summary>
internal sealed record ShellSegment(double Cx, double Cy, double Radius, double HalfThickness, double Phi0, double Phi1, double Z0, double Z1) : ISolid
{
    public double Depth(V3 p)
    {
        double dx = p.X - Cx, dy = p.Y - Cy, r = Math.Sqrt(dx * dx + dy * dy);
        double phi = Math.Atan2(dy, dx);
        double mid = 0.5 * (Phi0 + Phi1), half = 0.5 * (Phi1 - Phi0);
        double dphi = Math.Abs(Math.IEEERemainder(phi - mid, 2 * Math.PI));
        double radial = HalfThickness - Math.Abs(r - Radius);
        double angular = (half - dphi) * Radius;
        double axial = Math.Min(p.Z - Z0, Z1 - p.Z);
        return Math.Min(radial, Math.Min(angular, axial));
    }
}

/// <summary>Union of solids: the deepest member.</summary>
internal sealed record Union(IReadOnlyList<ISolid> Parts) : ISolid
{
    public double Depth(V3 p)
    {
        double d = double.NegativeInfinity;
        foreach (var s in Parts) d = Math.Max(d, s.Depth(p));
        return d;
    }
}

/// <summary>Intersection of solids: the shallowest member.</summary>
internal sealed record Intersection(IReadOnlyList<ISolid> Parts) : ISolid
{
    public double Depth(V3 p)
    {
        double d = double.PositiveInfinity;
        foreach (var s in Parts) d = Math.Min(d, s.Depth(p));
        return d;
    }
}

/// <summary>Half-space n·(p − p0) ≤ 0 (n unit); depth −n·(p − p0).</summary>
internal sealed record HalfSpace(V3 Point, V3 Normal) : ISolid
{
    public double Depth(V3 p) => -(p - Point).Dot(Normal);
}

/// <summary>A solid seen through a rigid transform about a pivot (pelvic tilt, roll): depth of the inverse-transformed point.</summary>
internal sealed record Transformed(ISolid Inner, V3 Pivot, Rotation Rot) : ISolid
{
    public double Depth(V3 p) => Inner.Depth(Pivot + Rot.ToLocal(p - Pivot));
}
