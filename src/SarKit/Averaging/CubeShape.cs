namespace SarKit.Averaging;

/// <summary>
/// A one-parameter family of cubes of physical side s (metres) attached to a voxel: centred on it (step 1) or with one face
/// on one of the voxel's faces, laterally centred, extending away from that face (step 2). Coordinates are continuous voxel
/// indices (voxel i spans [i, i+1]) on a uniform grid with spacing (dx, dy, dz).
/// Within two consecutive breakpoints (values of s where some face crosses a voxel boundary) every voxel's weight is a
/// product of per-axis overlaps that are linear in s, so the cube mass is an exact cubic polynomial of s there.
/// </summary>
internal readonly struct CubeShape
{
    private readonly double _cx, _cy, _cz;   // anchor per axis (centre or face position), index units
    private readonly sbyte _mx, _my, _mz;    // 0 = centred, +1 = grows upward from anchor, −1 = grows downward
    private readonly double _dx, _dy, _dz;
    private const double Eps = 1e-9;

    public CubeShape(int i, int j, int k, CubeOrientation o, double dx, double dy, double dz)
    {
        _dx = dx; _dy = dy; _dz = dz;
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

    public Box3 Bounds(double s)
    {
        Axis(_cx, _mx, s / _dx, out double x0, out double x1);
        Axis(_cy, _my, s / _dy, out double y0, out double y1);
        Axis(_cz, _mz, s / _dz, out double z0, out double z1);
        return new Box3(x0, x1, y0, y1, z0, z1);
    }

    private static void Axis(double c, int mode, double t, out double lo, out double hi)
    {
        if (mode == 0) { lo = c - 0.5 * t; hi = c + 0.5 * t; }
        else if (mode > 0) { lo = c; hi = c + t; }
        else { lo = c - t; hi = c; }
    }

    /// <summary>Smallest breakpoint strictly above s.</summary>
    public double Next(double s) => Math.Min(NextAxis(s / _dx, _mx) * _dx, Math.Min(NextAxis(s / _dy, _my) * _dy, NextAxis(s / _dz, _mz) * _dz));

    /// <summary>Largest breakpoint strictly below s, or 0.</summary>
    public double Prev(double s) => Math.Max(PrevAxis(s / _dx, _mx) * _dx, Math.Max(PrevAxis(s / _dy, _my) * _dy, PrevAxis(s / _dz, _mz) * _dz));

    // centred faces cross voxel boundaries at odd multiples of the spacing, anchored faces at every multiple
    private static double NextAxis(double t, int mode)
        => mode == 0 ? 2 * (Math.Floor((t + Eps - 1) / 2) + 1) + 1 : Math.Floor(t + Eps) + 1;

    private static double PrevAxis(double t, int mode)
    {
        double p = mode == 0 ? 2 * (Math.Ceiling((t - Eps - 1) / 2) - 1) + 1 : Math.Ceiling(t - Eps) - 1;
        return p < 1 ? 0 : p;
    }

    /// <summary>True when a voxel with positive weight lies outside the grid.</summary>
    public static bool Outside(in Box3 b, int nx, int ny, int nz)
        => b.X0 < -Eps || b.Y0 < -Eps || b.Z0 < -Eps || b.X1 > nx + Eps || b.Y1 > ny + Eps || b.Z1 > nz + Eps;

    /// <summary>Index range [first, last] of voxels with positive overlap along one axis.</summary>
    public static (int First, int Last) Covered(double lo, double hi)
        => ((int)Math.Floor(lo + Eps), (int)Math.Ceiling(hi - Eps) - 1);
}
