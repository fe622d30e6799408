using SarKit.Fields;
using SarKit.Grid;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Sar;

/// <summary>
/// Region-averaged Q-matrix, e.g. whole-body or head: Q_region = (1/M) Σ_{v∈region} m_v Q(v) = (1/(2M)) Σ_v σ_v V_v E(v)ᴴE(v),
/// so that bᴴQ_region b = absorbed power in the region / region mass = whole-body (or head) SAR of drive b (IEC 60601-2-33 definitions).
/// </summary>
public sealed class RegionQ
{
    public required string Name { get; init; }
    /// <summary>Packed Hermitian matrix (see <see cref="HermitianPacking"/>), W/kg per unit².</summary>
    public required double[] Packed { get; init; }
    public required int Channels { get; init; }
    /// <summary>Tissue mass of the region, kg.</summary>
    public required double MassKg { get; init; }
    /// <summary>Number of tissue voxels in the region.</summary>
    public required int Voxels { get; init; }

    /// <summary>Region SAR for a drive (W/kg).</summary>
    public double Sar(DriveVector drive) => HermitianPacking.QuadraticForm(Packed, HermitianPacking.DriveWeights(drive.Amplitudes));

    /// <summary>Absorbed power in the region for a drive (W) = SAR × mass.</summary>
    public double AbsorbedPower(DriveVector drive) => Sar(drive) * MassKg;

    /// <summary>
    /// Computes the region Q of the tissue voxels inside <paramref name="mask"/> (all tissue when null); threads from
    /// <paramref name="settings"/> (default <see cref="SarKitSettings.Default"/>), which do not change a bit of the result.
    /// </summary>
    public static RegionQ Compute(string name, TissueModel tissue, MultiChannelField e, bool[]? mask = null, SarKitSettings? settings = null)
    {
        var grid = tissue.Grid;
        int n = e.Channels, n2 = n * n;
        // One partial sum per z slab, added in slab order afterwards: the result is the same bits for any thread count
        // and any scheduling (a reduction in thread-finish order made the last digits vary from run to run).
        var slabSum = new double[grid.Nz][];
        var slabMass = new double[grid.Nz];
        var slabCount = new int[grid.Nz];
        Parallel.For(0, grid.Nz, (settings ?? SarKitSettings.Default).ParallelOptions(), () => (tmp: new double[n2], scratch: new double[2 * n]), (k, _, st) =>
        {
            double[]? sum = null; double m = 0; int c = 0;
            for (int j = 0; j < grid.Ny; j++)
                for (int i = 0; i < grid.Nx; i++)
                {
                    int v = grid.Index(i, j, k);
                    if (tissue.Rho[v] <= 0 || (mask is not null && !mask[v])) continue;
                    double vol = grid.VoxelVolume(i, j, k);
                    QMatrixField.PointMatrix(e, v, 0.5 * tissue.Sigma[v] * vol, st.tmp, st.scratch);
                    sum ??= new double[n2];
                    for (int t = 0; t < n2; t++) sum[t] += st.tmp[t];
                    m += tissue.Rho[v] * vol; c++;
                }
            slabSum[k] = sum!; slabMass[k] = m; slabCount[k] = c;
            return st;
        }, _ => { });
        var acc = new double[n2];
        double mass = 0; int count = 0;
        for (int k = 0; k < grid.Nz; k++)
        {
            if (slabSum[k] is not { } s) continue;
            for (int t = 0; t < n2; t++) acc[t] += s[t];
            mass += slabMass[k]; count += slabCount[k];
        }
        if (mass <= 0) throw new SarKitInputException($"Region '{name}' contains no tissue (mass 0).");
        for (int t = 0; t < n2; t++) acc[t] /= mass;
        return new RegionQ { Name = name, Packed = acc, Channels = n, MassKg = mass, Voxels = count };
    }
}
