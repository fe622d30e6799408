using SarKit.Fields;
using SarKit.Grid;

namespace SarKit.Sar;

/// <summary>
/// Absorbed power and mass of a region for one drive whose field is already summed (<see cref="DriveFieldSum"/>):
/// P = Σ_{v∈region} σ_v |E(v)|² V_v / 2 and M = Σ_v ρ_v V_v over the tissue voxels (ρ &gt; 0) of the region, so that
/// P / M is the region's SAR (whole-body or head SAR, IEC 60601-2-33 definitions). It is the value
/// bᴴ Q_region b of <see cref="RegionQ"/> for the same drive without the N × N matrix, i.e. without holding all channels
/// at once; the two differ only by rounding (the matrix form adds N² products per voxel, this one |Σ b_c E_c|²).
/// The mass is the same bits as <see cref="RegionQ.MassKg"/> (same terms, same order).
/// </summary>
public sealed record RegionPower(string Name, double PowerW, double MassKg, int Voxels)
{
    /// <summary>Region SAR, W/kg: absorbed power / mass.</summary>
    public double Sar => PowerW / MassKg;

    /// <summary>
    /// Sums the region of the tissue voxels inside <paramref name="mask"/> (all tissue when null); threads from
    /// <paramref name="settings"/>, which do not change a bit of the result (one partial sum per z plane, added in plane
    /// order). A region without tissue is refused (as by <see cref="RegionQ.Compute"/>).
    /// </summary>
    public static RegionPower Compute(string name, TissueModel tissue, DriveFieldSum e, bool[]? mask = null, SarKitSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(tissue);
        ArgumentNullException.ThrowIfNull(e);
        e.RequireComplete();
        var grid = tissue.Grid;
        if (!grid.Equals(e.Grid)) throw new SarKitInputException($"Tissue grid ({grid}) and field grid ({e.Grid}) differ.");
        var planePower = new double[grid.Nz];
        var planeMass = new double[grid.Nz];
        var planeCount = new int[grid.Nz];
        Parallel.For(0, grid.Nz, (settings ?? SarKitSettings.Default).ParallelOptions(), k =>
        {
            double p = 0, m = 0; int c = 0;
            for (int j = 0; j < grid.Ny; j++)
                for (int i = 0; i < grid.Nx; i++)
                {
                    int v = grid.Index(i, j, k);
                    if (tissue.Rho[v] <= 0 || (mask is not null && !mask[v])) continue;
                    double vol = grid.VoxelVolume(i, j, k);
                    p += 0.5 * tissue.Sigma[v] * vol * e.MagnitudeSquared(v);
                    m += tissue.Rho[v] * vol; c++;
                }
            planePower[k] = p; planeMass[k] = m; planeCount[k] = c;
        });
        double power = 0, mass = 0; int count = 0;
        for (int k = 0; k < grid.Nz; k++)
        {
            if (planeCount[k] == 0) continue;
            power += planePower[k]; mass += planeMass[k]; count += planeCount[k];
        }
        if (mass <= 0) throw new SarKitInputException($"Region '{name}' contains no tissue (mass 0).");
        if (!double.IsFinite(power))
            throw new SarKitInputException($"Absorbed power of the drive in region '{name}' overflows ({power}): the drive amplitudes or the fields of {e.Source} are too large.");
        return new RegionPower(name, power, mass, count);
    }
}
