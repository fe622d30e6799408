using SarKit.Averaging;

namespace SarKit.Measurement.Probe;

/// <summary>The peak spatial-average SAR over a cube of given mass.</summary>
/// <param name="MassKg">Target mass (kg).</param>
/// <param name="SideM">Cube side L = (m/ρ)^(1/3) (m).</param>
/// <param name="AverageWPerKg">Average SAR over the cube (W/kg).</param>
/// <param name="CentreXM">Cube centre x (m).</param>
/// <param name="CentreYM">Cube centre y (m).</param>
/// <param name="TouchesBoundary">True when the best cube touches the lateral edge of the interpolated volume (the
/// maximum may lie outside the zoom scan: enlarge it).</param>
public sealed record CubeAverage(double MassKg, double SideM, double AverageWPerKg, double CentreXM, double CentreYM, bool TouchesBoundary)
{
    /// <summary>Mass in grams.</summary>
    public double MassG => MassKg * 1e3;
}

/// <summary>
/// SAR on a fine regular voxel grid below the phantom surface: voxel (i, j, k) is centred at
/// (X0 + (i + ½)h_x, Y0 + (j + ½)h_y, (k + ½)h_z) with depth d measured from the inner surface (d = 0). Peak cube
/// averages use the summed-volume table of <see cref="PrefixSum3D"/> (voxel-constant SAR; a cube face lying inside a
/// voxel takes the voxel's overlap fraction), cubes having one face on the surface (IEC/IEEE 62209-1528 / IEEE 1528
/// cube with a face on the phantom surface) and side L = (m/ρ)^(1/3) for the liquid density ρ.
/// </summary>
public sealed class SarVolume
{
    /// <summary>Voxel counts.</summary>
    public int Nx { get; }
    /// <summary>Voxel counts.</summary>
    public int Ny { get; }
    /// <summary>Voxel counts.</summary>
    public int Nz { get; }
    /// <summary>Lateral origin (m).</summary>
    public double X0 { get; }
    /// <summary>Lateral origin (m).</summary>
    public double Y0 { get; }
    /// <summary>Voxel sizes (m).</summary>
    public double Hx { get; }
    /// <summary>Voxel sizes (m).</summary>
    public double Hy { get; }
    /// <summary>Voxel sizes (m).</summary>
    public double Hz { get; }
    /// <summary>SAR per voxel (W/kg), index i + Nx·(j + Ny·k).</summary>
    public double[] Values { get; }
    private readonly PrefixSum3D _sum;

    /// <summary>Wraps voxel values.</summary>
    public SarVolume(int nx, int ny, int nz, double x0, double y0, double hx, double hy, double hz, double[] values)
    {
        if (values.Length != nx * ny * nz) throw new ArgumentException("values size mismatch");
        Nx = nx; Ny = ny; Nz = nz; X0 = x0; Y0 = y0; Hx = hx; Hy = hy; Hz = hz; Values = values;
        _sum = PrefixSum3D.Build(nx, ny, nz, values);
    }

    /// <summary>Samples <paramref name="sar"/>(x, y, d) at the voxel centres of the box [x0,x1]×[y0,y1]×[0,dMax] with step ≈ h.</summary>
    public static SarVolume Sample(Func<double, double, double, double> sar, double x0, double x1, double y0, double y1, double dMax, double h)
    {
        int nx = Math.Max(1, (int)Math.Round((x1 - x0) / h)), ny = Math.Max(1, (int)Math.Round((y1 - y0) / h)), nz = Math.Max(1, (int)Math.Round(dMax / h));
        double hx = (x1 - x0) / nx, hy = (y1 - y0) / ny, hz = dMax / nz;
        var v = new double[nx * ny * nz];
        for (int k = 0; k < nz; k++)
            for (int j = 0; j < ny; j++)
                for (int i = 0; i < nx; i++)
                    v[i + nx * (j + ny * k)] = sar(x0 + (i + 0.5) * hx, y0 + (j + 0.5) * hy, (k + 0.5) * hz);
        return new SarVolume(nx, ny, nz, x0, y0, hx, hy, hz, v);
    }

    /// <summary>Side of the cube holding <paramref name="massKg"/> of liquid of density ρ: L = (m/ρ)^(1/3).</summary>
    public static double CubeSide(double massKg, double densityKgPerM3)
    {
        if (!(massKg > 0) || !(densityKgPerM3 > 0)) throw new SarKitInputException($"cube side: mass {massKg} kg, density {densityKgPerM3} kg/m³; expected both > 0.");
        return Math.Cbrt(massKg / densityKgPerM3);
    }

    /// <summary>Average over the cube of side L with its top face on the surface and lateral centre (cx, cy) in m.</summary>
    public double CubeMean(double side, double cx, double cy)
    {
        var b = new Box3((cx - X0) / Hx - 0.5 * side / Hx, (cx - X0) / Hx + 0.5 * side / Hx,
                         (cy - Y0) / Hy - 0.5 * side / Hy, (cy - Y0) / Hy + 0.5 * side / Hy, 0, side / Hz);
        return _sum.Box(b) / b.Volume;
    }

    /// <summary>
    /// The largest average over cubes of <paramref name="massKg"/> with a face on the surface, searching lateral centres
    /// on a half-voxel lattice, then refining around the best with a tenth of a voxel. Throws when the cube does not fit in
    /// the volume (zoom scan too small or too shallow).
    /// </summary>
    public CubeAverage PeakCube(double massKg, double densityKgPerM3)
    {
        double L = CubeSide(massKg, densityKgPerM3);
        double ex = Nx * Hx, ey = Ny * Hy, ez = Nz * Hz;
        const double tol = 1e-9;
        if (L > ez * (1 + 1e-9))
            throw new SarKitInputException($"the {massKg * 1e3:G4} g cube (side {L * 1e3:F2} mm) is deeper than the interpolated zoom volume ({ez * 1e3:F2} mm below the surface); extend the zoom scan in depth.");
        if (L > ex * (1 + 1e-9) || L > ey * (1 + 1e-9))
            throw new SarKitInputException($"the {massKg * 1e3:G4} g cube (side {L * 1e3:F2} mm) is wider than the zoom scan ({ex * 1e3:F2} × {ey * 1e3:F2} mm); enlarge the zoom scan.");
        double cxLo = X0 + L / 2, cxHi = X0 + ex - L / 2, cyLo = Y0 + L / 2, cyHi = Y0 + ey - L / 2;
        double best = double.NegativeInfinity, bx = cxLo, by = cyLo;
        void Scan(double xa, double xb, double ya, double yb, double sx, double sy)
        {
            int mx = Math.Max(0, (int)Math.Floor((xb - xa) / sx + 1e-9)), my = Math.Max(0, (int)Math.Floor((yb - ya) / sy + 1e-9));
            for (int b = 0; b <= my; b++)
                for (int a = 0; a <= mx; a++)
                {
                    double cx = Math.Min(xa + a * sx, xb), cy = Math.Min(ya + b * sy, yb);
                    double m = CubeMean(L, cx, cy);
                    if (m > best) { best = m; bx = cx; by = cy; }
                }
            // always include the far edges
            for (int b = 0; b <= my; b++) { double cy = Math.Min(ya + b * sy, yb); double m = CubeMean(L, xb, cy); if (m > best) { best = m; bx = xb; by = cy; } }
            for (int a = 0; a <= mx; a++) { double cx = Math.Min(xa + a * sx, xb); double m = CubeMean(L, cx, yb); if (m > best) { best = m; bx = cx; by = yb; } }
        }
        Scan(cxLo, cxHi, cyLo, cyHi, Hx / 2, Hy / 2);
        double rx = bx, ry = by;
        Scan(Math.Max(cxLo, rx - Hx / 2), Math.Min(cxHi, rx + Hx / 2), Math.Max(cyLo, ry - Hy / 2), Math.Min(cyHi, ry + Hy / 2), Hx / 10, Hy / 10);
        bool edge = bx - L / 2 - X0 <= tol * ex + 1e-12 || X0 + ex - (bx + L / 2) <= tol * ex + 1e-12
                 || by - L / 2 - Y0 <= tol * ey + 1e-12 || Y0 + ey - (by + L / 2) <= tol * ey + 1e-12;
        return new CubeAverage(massKg, L, best, bx, by, edge);
    }
}
