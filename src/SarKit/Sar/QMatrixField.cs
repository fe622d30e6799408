using SarKit.Fields;
using SarKit.Grid;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Sar;

/// <summary>
/// Point Q-matrices Q(r) = σ(r)/(2ρ(r)) · E(r)ᴴE(r) of the tissue voxels, where E(r) is the 3×N matrix whose column c is
/// channel c's E-field: local SAR of drive b is bᴴQ(r)b [W/kg per unit²]. Hermitian PSD, stored packed
/// (<see cref="HermitianPacking"/>: N² doubles per voxel) for the tissue voxels only, in linear voxel order.
/// </summary>
public sealed class QMatrixField
{
    private readonly double[] _packed;

    public int Channels { get; }
    public VoxelGrid Grid { get; }
    /// <summary>Linear voxel index of each stored matrix.</summary>
    public int[] VoxelIndices { get; }
    public int Count => VoxelIndices.Length;
    public FieldNormalisation Normalisation { get; }

    private QMatrixField(VoxelGrid grid, int channels, int[] voxels, double[] packed, FieldNormalisation n)
    { Grid = grid; Channels = channels; VoxelIndices = voxels; _packed = packed; Normalisation = n; }

    /// <summary>Packed matrix of stored entry <paramref name="entry"/> (N² doubles).</summary>
    public ReadOnlySpan<double> Packed(int entry) => _packed.AsSpan(entry * Channels * Channels, Channels * Channels);

    /// <summary>All packed matrices, entry-major.</summary>
    public ReadOnlySpan<double> AllPacked => _packed;

    /// <summary>Computes the point Q-matrices of all tissue voxels (or those in <paramref name="mask"/>).</summary>
    public static QMatrixField Compute(TissueModel tissue, MultiChannelField e, bool[]? mask = null)
    {
        var voxels = new List<int>();
        for (int v = 0; v < tissue.Rho.Length; v++)
            if (tissue.Rho[v] > 0 && (mask is null || mask[v])) voxels.Add(v);
        int n = e.Channels, n2 = n * n;
        var idx = voxels.ToArray();
        var packed = new double[(long)idx.Length * n2];
        Parallel.For(0, idx.Length, () => new double[2 * n], (t, _, ev) =>
        {
            int v = idx[t];
            double f = tissue.Sigma[v] / (2 * tissue.Rho[v]);
            PointMatrix(e, v, f, packed.AsSpan(t * n2, n2), ev);
            return ev;
        }, _ => { });
        return new QMatrixField(tissue.Grid, idx, packed, e.Normalisation) ;
    }

    private QMatrixField(VoxelGrid grid, int[] voxels, double[] packed, FieldNormalisation n)
        : this(grid, (int)Math.Round(Math.Sqrt(packed.Length / Math.Max(1, voxels.Length))), voxels, packed, n) { }

    /// <summary>
    /// Writes factor·E(v)ᴴE(v) packed into <paramref name="dest"/> (N² doubles); <paramref name="scratch"/> holds 2N doubles.
    /// </summary>
    internal static void PointMatrix(MultiChannelField e, int v, double factor, Span<double> dest, Span<double> scratch)
    {
        int n = e.Channels;
        dest.Clear();
        for (int a = 0; a < 3; a++)
        {
            for (int c = 0; c < n; c++)
            {
                var d = e.ComponentData(c, a);
                scratch[2 * c] = d[2 * v];
                scratch[2 * c + 1] = d[2 * v + 1];
            }
            for (int i = 0; i < n; i++) dest[i] += scratch[2 * i] * scratch[2 * i] + scratch[2 * i + 1] * scratch[2 * i + 1];
            int o = n;
            for (int i = 0; i < n; i++)
            {
                double ar = scratch[2 * i], ai = scratch[2 * i + 1];
                for (int j = i + 1; j < n; j++)
                {
                    double br = scratch[2 * j], bi = scratch[2 * j + 1];
                    // conj(a)·b = (ar br + ai bi) + i (ar bi − ai br)
                    dest[o++] += ar * br + ai * bi;
                    dest[o++] += ar * bi - ai * br;
                }
            }
        }
        for (int k = 0; k < dest.Length; k++) dest[k] *= factor;
    }

    /// <summary>Point SAR bᴴQb of every stored voxel for a drive.</summary>
    public double[] Sar(DriveVector drive)
    {
        if (drive.Channels != Channels) throw new SarKitInputException($"Drive has {drive.Channels} channels, Q-matrices have {Channels}.");
        var w = HermitianPacking.DriveWeights(drive.Amplitudes);
        var r = new double[Count];
        int n2 = Channels * Channels;
        Parallel.For(0, Count, t => r[t] = HermitianPacking.QuadraticForm(_packed.AsSpan(t * n2, n2), w));
        return r;
    }
}
