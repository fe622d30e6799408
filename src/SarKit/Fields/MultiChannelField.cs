using System.Numerics;
using SarKit.Grid;

namespace SarKit.Fields;

/// <summary>Physical quantity of a <see cref="MultiChannelField"/>.</summary>
public enum FieldQuantity
{
    /// <summary>Electric field, peak phasor, V/m; 3 components (x, y, z).</summary>
    E,
    /// <summary>Magnetic field, peak phasor, A/m; 3 components.</summary>
    H,
    /// <summary>Transmit field B1+, peak phasor, T; 1 component.</summary>
    B1Plus,
}

/// <summary>
/// Per-channel complex vector field on a voxel grid: for channel c and component a, the field of a unit drive on
/// channel c (unit given by <see cref="Normalisation"/>). Values are complex64 (single precision) peak phasors stored
/// interleaved (re, im) in one float array per (channel, component), in the grid's linear index order, so a
/// 8e6-voxel, 16-channel E-field takes 3 GB rather than 6 GB. All arithmetic on them is done in double.
/// </summary>
public sealed class MultiChannelField
{
    private readonly float[][] _data; // [channel * Components + component] → interleaved re/im, length 2·VoxelCount

    public VoxelGrid Grid { get; }
    public int Channels { get; }
    public int Components { get; }
    public FieldQuantity Quantity { get; }
    public FieldNormalisation Normalisation { get; }
    /// <summary>Channel names (optional; defaults to "ch0", "ch1", ...).</summary>
    public string[] ChannelNames { get; }
    /// <summary>Where the field came from (file and dataset), used in error messages.</summary>
    public string Source { get; init; } = "field";

    /// <summary>Unit of the stored values ("V/m", "A/m", "T").</summary>
    public string Unit => Quantity switch { FieldQuantity.E => "V/m", FieldQuantity.H => "A/m", _ => "T" };

    /// <summary>Allocates a zero field.</summary>
    public MultiChannelField(VoxelGrid grid, int channels, FieldQuantity quantity, FieldNormalisation normalisation, string[]? channelNames = null)
    {
        Grid = grid ?? throw new ArgumentNullException(nameof(grid));
        if (channels < 1) throw new SarKitInputException($"A field needs at least one channel, got {channels}.");
        Channels = channels;
        Quantity = quantity;
        Components = quantity == FieldQuantity.B1Plus ? 1 : 3;
        Normalisation = normalisation;
        ChannelNames = channelNames ?? Enumerable.Range(0, channels).Select(c => $"ch{c}").ToArray();
        if (ChannelNames.Length != channels) throw new SarKitInputException($"{channels} channels but {ChannelNames.Length} channel names.");
        _data = new float[channels * Components][];
        for (int i = 0; i < _data.Length; i++) _data[i] = new float[2L * grid.VoxelCount];
    }

    /// <summary>Interleaved (re, im) values of one channel and component; length 2·VoxelCount. Writable.</summary>
    public float[] ComponentData(int channel, int component) => _data[channel * Components + component];

    /// <summary>Value of one channel's component at a voxel.</summary>
    public Complex Get(int channel, int component, int voxel)
    {
        var a = _data[channel * Components + component];
        return new Complex(a[2 * voxel], a[2 * voxel + 1]);
    }

    /// <summary>Sets one channel's component at a voxel (stored in single precision).</summary>
    public void Set(int channel, int component, int voxel, Complex value)
    {
        var a = _data[channel * Components + component];
        a[2 * voxel] = (float)value.Real;
        a[2 * voxel + 1] = (float)value.Imaginary;
    }

    /// <summary>
    /// Field of a drive: F(r) = Σ_c b_c F_c(r) per component, returned as interleaved complex doubles per component
    /// [component][2·voxel]. Throws when the drive's channel count or unit does not match.
    /// </summary>
    public double[][] Combine(DriveVector drive)
    {
        CheckDrive(drive);
        int nv = Grid.VoxelCount;
        var result = new double[Components][];
        for (int a = 0; a < Components; a++)
        {
            var r = new double[2 * nv];
            for (int c = 0; c < Channels; c++)
            {
                double br = drive[c].Real, bi = drive[c].Imaginary;
                if (br == 0 && bi == 0) continue;
                var src = ComponentData(c, a);
                for (int v = 0; v < nv; v++)
                {
                    double er = src[2 * v], ei = src[2 * v + 1];
                    r[2 * v] += br * er - bi * ei;
                    r[2 * v + 1] += br * ei + bi * er;
                }
            }
            result[a] = r;
        }
        return result;
    }

    /// <summary>Throws when <paramref name="drive"/> has the wrong number of channels or an incompatible unit.</summary>
    public void CheckDrive(DriveVector drive) => CheckDrive(drive, Channels, Normalisation, Source);

    /// <summary>
    /// Throws when <paramref name="drive"/> does not fit a field of <paramref name="channels"/> channels normalised
    /// <paramref name="normalisation"/> (named <paramref name="source"/> in the message), e.g. a field read channel by channel.
    /// </summary>
    public static void CheckDrive(DriveVector drive, int channels, FieldNormalisation normalisation, string source)
    {
        ArgumentNullException.ThrowIfNull(drive);
        if (drive.Channels != channels)
            throw new SarKitInputException($"Drive has {drive.Channels} channels but the field {source} has {channels}.");
        if (drive.Normalisation != FieldNormalisation.Unspecified && normalisation != FieldNormalisation.Unspecified && drive.Normalisation != normalisation)
            throw new SarKitInputException($"Drive is given in {drive.Normalisation.ToId()} but the field {source} is normalised {normalisation.ToId()}.");
    }

    /// <summary>
    /// Throws <see cref="SarKitInputException"/> at the first NaN or infinite value, naming the source, channel, component and voxel (i, j, k).
    /// </summary>
    public MultiChannelField Validate()
    {
        for (int c = 0; c < Channels; c++)
            for (int a = 0; a < Components; a++)
                CheckFinite(ComponentData(c, a), Grid, Source, Quantity, c, ChannelNames[c], a);
        return this;
    }

    /// <summary>
    /// The check of <see cref="Validate"/> for one channel and component held elsewhere (e.g. a slab read from a file and
    /// dropped afterwards): throws <see cref="SarKitInputException"/> at the first NaN or infinite value of the interleaved
    /// (re, im) <paramref name="values"/> (linear voxel order of <paramref name="grid"/>), with the same message.
    /// </summary>
    public static void CheckFinite(ReadOnlySpan<float> values, VoxelGrid grid, string source, FieldQuantity quantity, int channel, string channelName, int component)
    {
        ArgumentNullException.ThrowIfNull(grid);
        for (int n = 0; n < values.Length; n++)
        {
            if (!float.IsFinite(values[n]))
            {
                var (i, j, k) = grid.Unravel(n / 2);
                throw new SarKitInputException($"{source}: {quantity} channel {channel} ({channelName}) component {"xyz"[Math.Min(component, 2)]} at voxel (i={i}, j={j}, k={k}) is {values[n]} ({(n % 2 == 0 ? "real" : "imaginary")} part): fields must be finite.") { Dataset = quantity.ToString() };
            }
        }
    }
}
