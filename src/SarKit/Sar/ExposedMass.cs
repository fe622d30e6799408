using SarKit.Fields;
using SarKit.Grid;

namespace SarKit.Sar;

/// <summary>
/// Exposed patient mass for partial-body SAR (IEC 60601-2-33: the mass of the body inside the volume of the RF
/// transmit coil), and the matching exposed-region mask. Two definitions are offered; state which one a result uses.
/// </summary>
public static class ExposedMass
{
    /// <summary>
    /// Tissue mass [kg] between the planes z = <paramref name="zMinM"/> and z = <paramref name="zMaxM"/> (the coil's
    /// axial extent), counting boundary voxels by their overlapping fraction; <paramref name="mask"/> receives the
    /// voxels with any overlap.
    /// </summary>
    public static double InsideZRange(TissueModel tissue, double zMinM, double zMaxM, out bool[] mask)
    {
        if (!(zMaxM > zMinM)) throw new SarKitInputException($"Exposed region: z range [{zMinM}, {zMaxM}] m is empty.");
        var g = tissue.Grid;
        mask = new bool[g.VoxelCount];
        double m = 0;
        for (int k = 0; k < g.Nz; k++)
        {
            double lo = g.EdgesZ[k], hi = g.EdgesZ[k + 1];
            double f = Math.Max(0, Math.Min(hi, zMaxM) - Math.Max(lo, zMinM)) / (hi - lo);
            if (f <= 0) continue;
            for (int j = 0; j < g.Ny; j++)
                for (int i = 0; i < g.Nx; i++)
                {
                    int v = g.Index(i, j, k);
                    if (tissue.Rho[v] <= 0) continue;
                    mask[v] = true;
                    m += f * tissue.Rho[v] * g.VoxelVolume(i, j, k);
                }
        }
        return m;
    }

    /// <summary>
    /// Tissue mass [kg] where the channel-summed field energy Σ_c |E_c|² is at least <paramref name="fraction"/> of its
    /// maximum over the tissue (a drive-independent field-extent criterion; e.g. 0.01 = within −20 dB of the peak).
    /// A heuristic for simulated data without a coil geometry; a larger fraction gives a smaller exposed mass and so a
    /// larger (more conservative) partial-body SAR.
    /// </summary>
    public static double FromFieldExtent(TissueModel tissue, MultiChannelField e, double fraction, out bool[] mask)
    {
        if (!(fraction > 0 && fraction < 1)) throw new SarKitInputException($"Exposed region: field fraction {fraction} must be in (0, 1).");
        var g = tissue.Grid;
        var energy = new double[g.VoxelCount];
        for (int c = 0; c < e.Channels; c++)
            for (int a = 0; a < e.Components; a++)
            {
                var d = e.ComponentData(c, a);
                for (int v = 0; v < energy.Length; v++) energy[v] += (double)d[2 * v] * d[2 * v] + (double)d[2 * v + 1] * d[2 * v + 1];
            }
        double max = 0;
        for (int v = 0; v < energy.Length; v++) if (tissue.Rho[v] > 0) max = Math.Max(max, energy[v]);
        mask = new bool[g.VoxelCount];
        double m = 0;
        for (int v = 0; v < energy.Length; v++)
            if (tissue.Rho[v] > 0 && energy[v] >= fraction * max) { mask[v] = true; m += tissue.Rho[v] * g.VoxelVolume(v); }
        return m;
    }
}
