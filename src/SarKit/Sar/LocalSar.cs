using SarKit.Fields;
using SarKit.Grid;

namespace SarKit.Sar;

/// <summary>
/// Point (unaveraged) SAR of a drive: SAR(r) = σ(r)·|E(r)|² / (2ρ(r)), E = Σ_c b_c E_c a peak phasor
/// (IEC/IEEE 62704-1 local SAR definition). Background voxels (ρ = 0) get 0.
/// </summary>
public static class LocalSar
{
    /// <summary>Point SAR map in W/kg (per the square of the drive unit) for a drive, linear voxel order.</summary>
    public static double[] Compute(TissueModel tissue, MultiChannelField e, DriveVector drive)
    {
        e.CheckDrive(drive);
        var sar = new double[tissue.Grid.VoxelCount];
        var power = new double[sar.Length];
        PowerDensity(tissue, e, drive, power, perVolume: true);
        for (int v = 0; v < sar.Length; v++) sar[v] = tissue.Rho[v] > 0 ? power[v] / tissue.Rho[v] : 0;
        return sar;
    }

    /// <summary>
    /// Absorbed power density σ|E|²/2 [W/m³] per voxel (or, with <paramref name="perVolume"/> = false, absorbed power
    /// σ|E|²V/2 [W] per voxel, i.e. mass × local SAR). Written into <paramref name="result"/>.
    /// </summary>
    public static void PowerDensity(TissueModel tissue, MultiChannelField e, DriveVector drive, double[] result, bool perVolume)
    {
        e.CheckDrive(drive);
        if (!tissue.Grid.Equals(e.Grid)) throw new SarKitInputException($"Tissue grid ({tissue.Grid}) and field grid ({e.Grid}) differ.");
        var grid = tissue.Grid;
        int nx = grid.Nx, ny = grid.Ny, nz = grid.Nz, nc = e.Channels;
        var b = drive.Amplitudes.ToArray();
        Parallel.For(0, nz, k =>
        {
            for (int j = 0; j < ny; j++)
            {
                int row = nx * (j + ny * k);
                double ayz = grid.WidthY(j) * grid.WidthZ(k);
                for (int i = 0; i < nx; i++)
                {
                    int v = row + i;
                    double s = tissue.Sigma[v];
                    if (s == 0) { result[v] = 0; continue; }
                    double e2 = 0;
                    for (int a = 0; a < 3; a++)
                    {
                        double re = 0, im = 0;
                        for (int c = 0; c < nc; c++)
                        {
                            var d = e.ComponentData(c, a);
                            double er = d[2 * v], ei = d[2 * v + 1];
                            re += b[c].Real * er - b[c].Imaginary * ei;
                            im += b[c].Real * ei + b[c].Imaginary * er;
                        }
                        e2 += re * re + im * im;
                    }
                    double p = 0.5 * s * e2;
                    result[v] = perVolume ? p : p * ayz * grid.WidthX(i);
                }
            }
        });
        RequireFinitePower(result, grid, drive, e.Source);
    }

    /// <summary>
    /// Point SAR of the drive whose field <paramref name="e"/> holds, summed channel by channel while reading
    /// (<see cref="DriveFieldSum"/>): the same values, bit for bit, as <see cref="Compute(TissueModel, MultiChannelField, DriveVector)"/>
    /// on the per-channel fields, with the same overflow refusal.
    /// </summary>
    public static double[] Compute(TissueModel tissue, DriveFieldSum e)
    {
        ArgumentNullException.ThrowIfNull(tissue);
        ArgumentNullException.ThrowIfNull(e);
        e.RequireComplete();
        if (!tissue.Grid.Equals(e.Grid)) throw new SarKitInputException($"Tissue grid ({tissue.Grid}) and field grid ({e.Grid}) differ.");
        var sar = new double[tissue.Grid.VoxelCount];
        Parallel.For(0, tissue.Grid.Nz, k =>
        {
            int plane = tissue.Grid.Nx * tissue.Grid.Ny, from = plane * k;
            for (int v = from; v < from + plane; v++)
            {
                double s = tissue.Sigma[v];
                sar[v] = s == 0 ? 0 : 0.5 * s * e.MagnitudeSquared(v); // power density σ|E|²/2, W/m³
            }
        });
        RequireFinitePower(sar, tissue.Grid, e.Drive, e.Source);
        for (int v = 0; v < sar.Length; v++) sar[v] = tissue.Rho[v] > 0 ? sar[v] / tissue.Rho[v] : 0;
        return sar;
    }

    // Overflow fails closed: fields and σ are finite (validated), so a non-finite power comes from drive amplitudes
    // (or fields) too large for double arithmetic. The total is checked too, so that every partial sum used by the
    // averaging (prefix sums of non-negative values) is finite as well.
    private static void RequireFinitePower(double[] power, VoxelGrid grid, DriveVector drive, string source)
    {
        double total = 0;
        for (int v = 0; v < power.Length; v++) total += power[v];
        if (!double.IsFinite(total))
        {
            int bad = Array.FindIndex(power, x => !double.IsFinite(x));
            string at = bad >= 0 ? $" at voxel {grid.Unravel(bad)} ({power[bad]})" : $" in total ({total})";
            throw new SarKitInputException($"Absorbed power of the drive overflows{at}: the drive amplitudes (largest |b| = {drive.Amplitudes.ToArray().Max(x => x.Magnitude):G6}) or the fields of {source} are too large.");
        }
    }

    /// <summary>
    /// Largest value of a map and its linear voxel index (first occurrence). A NaN or ±∞ anywhere fails closed
    /// (<see cref="SarKitInputException"/>): a non-finite SAR comes from non-finite or overflowing input and is never a result.
    /// </summary>
    public static (double Value, int Index) Peak(ReadOnlySpan<double> map)
    {
        double best = double.NegativeInfinity; int at = -1;
        for (int i = 0; i < map.Length; i++)
        {
            if (!double.IsFinite(map[i])) throw new SarKitInputException($"SAR map has {map[i]} at voxel {i}: a non-finite SAR (non-finite or overflowing input) is refused.");
            if (map[i] > best) { best = map[i]; at = i; }
        }
        return (best, at);
    }
}
