using SarKit.Grid;

namespace SarKit.Fields;

/// <summary>
/// The E-field of one drive, E(r) = Σ_c b_c E_c(r) (complex peak phasors, IEC/IEEE 62704-1 local SAR definition),
/// accumulated channel by channel in double precision, so that the per-channel fields never have to be in memory at
/// once: a reader hands over channel c's components (<see cref="Add"/>) and drops them. Holds 3 × 16 bytes per voxel
/// (instead of channels × 24 bytes of complex64 channel fields). The channels of each component must come in order
/// 0, 1, …, N − 1: the sums are then formed in the same order, with the same operations, as <see cref="Sar.LocalSar"/>
/// forms them from a <see cref="MultiChannelField"/>, so every point SAR is the same bits.
/// </summary>
public sealed class DriveFieldSum
{
    private const int VectorComponents = 3;
    private readonly double[][] _sum; // [component] → interleaved (re, im) of the drive's field, length 2·VoxelCount
    private readonly int[] _next;     // [component] → the channel expected next

    /// <summary>Starts an empty sum (all channels still to come) of <paramref name="drive"/> on <paramref name="grid"/>.</summary>
    public DriveFieldSum(VoxelGrid grid, DriveVector drive, string source = "field")
    {
        Grid = grid ?? throw new ArgumentNullException(nameof(grid));
        Drive = drive ?? throw new ArgumentNullException(nameof(drive));
        Source = source;
        _sum = new double[VectorComponents][];
        for (int a = 0; a < VectorComponents; a++) _sum[a] = new double[2L * grid.VoxelCount];
        _next = new int[VectorComponents];
    }

    /// <summary>The voxel grid.</summary>
    public VoxelGrid Grid { get; }
    /// <summary>The drive b (one complex amplitude per channel).</summary>
    public DriveVector Drive { get; }
    /// <summary>Where the channel fields come from (file and dataset), for error messages.</summary>
    public string Source { get; }
    /// <summary>True when every channel of every component has been added.</summary>
    public bool IsComplete => _next.All(n => n == Drive.Channels);

    /// <summary>
    /// Adds b_c E_c of channel <paramref name="channel"/>, component <paramref name="component"/> (0 = x, 1 = y, 2 = z):
    /// <paramref name="values"/> interleaved (re, im) per voxel, linear voxel order, single precision as stored.
    /// Channels must come in order per component (a sum in another order would differ in the last bits).
    /// </summary>
    public void Add(int channel, int component, ReadOnlySpan<float> values)
    {
        if ((uint)component >= VectorComponents) throw new ArgumentOutOfRangeException(nameof(component), component, "E has components 0, 1, 2.");
        if (channel != _next[component])
            throw new InvalidOperationException($"{Source}: channel {channel} of component {component} given, channel {_next[component]} expected (channels are added in order).");
        var s = _sum[component];
        if (values.Length != s.Length) throw new ArgumentException($"{Source}: {values.Length} values for {Grid.VoxelCount} voxels (expected {s.Length}, interleaved re, im).", nameof(values));
        var b = Drive[channel];
        double br = b.Real, bi = b.Imaginary;
        for (int n = 0; n < s.Length; n += 2)
        {
            double er = values[n], ei = values[n + 1];
            s[n] += br * er - bi * ei;
            s[n + 1] += br * ei + bi * er;
        }
        _next[component]++;
    }

    /// <summary>
    /// |E(v)|² = Σ_a (Re² + Im²) over the components x, y, z of voxel <paramref name="voxel"/>, in the order of
    /// <see cref="Sar.LocalSar.PowerDensity"/>. Meaningful once the sum is complete (<see cref="RequireComplete"/>).
    /// </summary>
    public double MagnitudeSquared(int voxel)
    {
        double e2 = 0;
        for (int a = 0; a < VectorComponents; a++)
        {
            double re = _sum[a][2 * voxel], im = _sum[a][2 * voxel + 1];
            e2 += re * re + im * im;
        }
        return e2;
    }

    /// <summary>Throws <see cref="InvalidOperationException"/> unless every channel of every component has been added.</summary>
    public void RequireComplete()
    {
        if (!IsComplete)
            throw new InvalidOperationException($"{Source}: the drive's field is incomplete (channels added per component: {string.Join(", ", _next)} of {Drive.Channels}).");
    }
}
