namespace SarKit.Averaging;

/// <summary>
/// A one-parameter family of cubes of physical side s (metres) attached to a voxel: centred on it (step 1) or with one face
/// on one of the voxel's faces, laterally centred, extending away from that face (step 2). Boxes are given in continuous
/// voxel-index coordinates (voxel i spans [i, i+1]).
/// <para>
/// Uniform grid (spacing dx, dy, dz): a face at physical offset d from the anchor is at index offset d/dx.
/// Rectilinear grid (<see cref="CubeAxis"/> per axis): the anchor is a physical position (the voxel's centre, or one of its
/// faces) and each face's physical position is mapped to index coordinates through the cell it lies in.
/// </para>
/// Within two consecutive breakpoints (values of s where some face crosses a cell boundary) every face's index coordinate
/// is linear in s (it stays inside one cell, where the map is linear), every voxel's weight is a product of per-axis
/// overlaps that are linear in s, so the cube mass is an exact cubic polynomial of s there — on uniform and graded grids.
/// </summary>
internal readonly struct CubeShape
{
    private readonly double _cx, _cy, _cz;   // anchor per axis: index units (uniform) or metres (rectilinear)
    private readonly sbyte _mx, _my, _mz;    // 0 = centred, +1 = grows upward from anchor, −1 = grows downward
    private readonly double _dx, _dy, _dz;   // uniform spacing (unused when rectilinear)
    private readonly CubeAxis? _ax, _ay, _az; // rectilinear axes, or null (uniform)
    private const double Eps = 1e-9;

    public CubeShape(int i, int j, int k, CubeOrientation o, double dx, double dy, double dz)
    {
        _dx = dx; _dy = dy; _dz = dz; _ax = _ay = _az = null;
        _cx = i + 0.5; _cy = j + 0.5; _cz = k + 0.5; _mx = _my = _mz = 0;
        switch (o)
        {
            case CubeOrientation.FaceMinusX: _cx = i; _mx = 1; break;
            case CubeOrientation.FacePlusX: _cx = i + 1; _mx = -1; break;
            case CubeOrientation.FaceMinusY: _cy = j; _my = 1; break;
            case CubeOrientation.FacePlusY: _cy = j + 1; _my = -1; break;
            case CubeOrientation.FaceMinusZ: _cz = k; _mz = 1; break;
            case CubeOrientation.FacePlusZ: _cz = k + 1; _mz = -1; break;
        }
    }

    /// <summary>Cube family on a rectilinear grid: anchors are physical (voxel centre = midpoint of its edges, or a face).</summary>
    public CubeShape(int i, int j, int k, CubeOrientation o, CubeAxis ax, CubeAxis ay, CubeAxis az)
    {
        _dx = _dy = _dz = double.NaN; _ax = ax; _ay = ay; _az = az;
        _cx = 0.5 * (ax.Edge(i) + ax.Edge(i + 1)); _cy = 0.5 * (ay.Edge(j) + ay.Edge(j + 1)); _cz = 0.5 * (az.Edge(k) + az.Edge(k + 1));
        _mx = _my = _mz = 0;
        switch (o)
        {
            case CubeOrientation.FaceMinusX: _cx = ax.Edge(i); _mx = 1; break;
            case CubeOrientation.FacePlusX: _cx = ax.Edge(i + 1); _mx = -1; break;
            case CubeOrientation.FaceMinusY: _cy = ay.Edge(j); _my = 1; break;
            case CubeOrientation.FacePlusY: _cy = ay.Edge(j + 1); _my = -1; break;
            case CubeOrientation.FaceMinusZ: _cz = az.Edge(k); _mz = 1; break;
            case CubeOrientation.FacePlusZ: _cz = az.Edge(k + 1); _mz = -1; break;
        }
    }

    private bool Rectilinear => _ax is not null;

    public Box3 Bounds(double s)
    {
        double x0, x1, y0, y1, z0, z1;
        if (Rectilinear)
        {
            AxisR(_ax!, _cx, _mx, s, out x0, out x1);
            AxisR(_ay!, _cy, _my, s, out y0, out y1);
            AxisR(_az!, _cz, _mz, s, out z0, out z1);
        }
        else
        {
            Axis(_cx, _mx, s / _dx, out x0, out x1);
            Axis(_cy, _my, s / _dy, out y0, out y1);
            Axis(_cz, _mz, s / _dz, out z0, out z1);
        }
        return new Box3(x0, x1, y0, y1, z0, z1);
    }

    private static void Axis(double c, int mode, double t, out double lo, out double hi)
    {
        if (mode == 0) { lo = c - 0.5 * t; hi = c + 0.5 * t; }
        else if (mode > 0) { lo = c; hi = c + t; }
        else { lo = c - t; hi = c; }
    }

    private static void AxisR(CubeAxis a, double p, int mode, double s, out double lo, out double hi)
    {
        Axis(p, mode, s, out double plo, out double phi);
        lo = mode > 0 ? a.ToIndex(p) : a.ToIndex(plo);
        hi = mode < 0 ? a.ToIndex(p) : a.ToIndex(phi);
    }

    /// <summary>Largest side worth trying: a larger cube leaves the grid on some axis.</summary>
    public double MaxSide(int nx, int ny, int nz)
    {
        if (Rectilinear) return Math.Min(_ax!.Length, Math.Min(_ay!.Length, _az!.Length));
        var unit = Bounds(1.0);
        return Math.Min(nx / (unit.X1 - unit.X0), Math.Min(ny / (unit.Y1 - unit.Y0), nz / (unit.Z1 - unit.Z0)));
    }

    /// <summary>Smallest breakpoint strictly above s.</summary>
    public double Next(double s) => Rectilinear
        ? Math.Min(NextR(_ax!, _cx, _mx, s), Math.Min(NextR(_ay!, _cy, _my, s), NextR(_az!, _cz, _mz, s)))
        : Math.Min(NextAxis(s / _dx, _mx) * _dx, Math.Min(NextAxis(s / _dy, _my) * _dy, NextAxis(s / _dz, _mz) * _dz));

    /// <summary>Largest breakpoint strictly below s, or 0.</summary>
    public double Prev(double s) => Rectilinear
        ? Math.Max(PrevR(_ax!, _cx, _mx, s), Math.Max(PrevR(_ay!, _cy, _my, s), PrevR(_az!, _cz, _mz, s)))
        : Math.Max(PrevAxis(s / _dx, _mx) * _dx, Math.Max(PrevAxis(s / _dy, _my) * _dy, PrevAxis(s / _dz, _mz) * _dz));

    // centred faces cross voxel boundaries at odd multiples of the spacing, anchored faces at every multiple
    private static double NextAxis(double t, int mode)
        => mode == 0 ? 2 * (Math.Floor((t + Eps - 1) / 2) + 1) + 1 : Math.Floor(t + Eps) + 1;

    private static double PrevAxis(double t, int mode)
    {
        double p = mode == 0 ? 2 * (Math.Ceiling((t - Eps - 1) / 2) - 1) + 1 : Math.Ceiling(t - Eps) - 1;
        return p < 1 ? 0 : p;
    }

    // Rectilinear: the side at which the upper face (p + s/2, or p + s) reaches the next edge above it, and the lower face
    // the next edge below it; a centred cube's faces move at half the rate of the side.
    private static double NextR(CubeAxis a, double p, int mode, double s)
    {
        double up = double.PositiveInfinity, down = double.PositiveInfinity;
        double f = mode == 0 ? 2 : 1;
        if (mode >= 0) up = f * (a.Edge(CubeAxis.EdgeAbove(a.ToIndex(p + s / f))) - p);
        if (mode <= 0) down = f * (p - a.Edge(CubeAxis.EdgeBelow(a.ToIndex(p - s / f))));
        return Math.Min(up, down);
    }

    private static double PrevR(CubeAxis a, double p, int mode, double s)
    {
        double up = 0, down = 0;
        double f = mode == 0 ? 2 : 1;
        if (mode >= 0) up = f * (a.Edge(CubeAxis.EdgeBelow(a.ToIndex(p + s / f))) - p);
        if (mode <= 0) down = f * (p - a.Edge(CubeAxis.EdgeAbove(a.ToIndex(p - s / f))));
        double r = Math.Max(up, down);
        return r > 0 ? r : 0;
    }

    /// <summary>True when a voxel with positive weight lies outside the grid.</summary>
    public static bool Outside(in Box3 b, int nx, int ny, int nz)
        => b.X0 < -Eps || b.Y0 < -Eps || b.Z0 < -Eps || b.X1 > nx + Eps || b.Y1 > ny + Eps || b.Z1 > nz + Eps;

    /// <summary>Index range [first, last] of voxels with positive overlap along one axis.</summary>
    public static (int First, int Last) Covered(double lo, double hi)
        => ((int)Math.Floor(lo + Eps), (int)Math.Ceiling(hi - Eps) - 1);
}
