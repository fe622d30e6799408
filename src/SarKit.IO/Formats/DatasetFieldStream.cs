using SarKit.Fields;
using SarKit.Grid;
using SarKit.IO.Hdf5;

namespace SarKit.IO.Formats;

/// <summary>
/// A dataset opened for one pass over its fields: the tissue model is read and validated when opening, the fields are
/// read by <see cref="ReadDrive"/> one channel at a time and dropped after use, so that a drive's field
/// (<see cref="DriveFieldSum"/>) is formed without the per-channel fields ever being whole in memory. Every field the
/// file holds (E, and H and B1+ when present) is still read and checked finite, channel by channel, with the messages of
/// <see cref="SarDataset.Validate"/> (fail closed: a file with a non-finite value anywhere is refused).
/// The SarKit layout and the openEMS reference layout are streamed from the HDF5 file; the other layouts
/// (<see cref="DatasetFiles.Open"/>) are read whole and handed over from memory.
/// </summary>
public sealed class DatasetFieldStream : IDisposable
{
    private Hdf5File? _file;
    private readonly FieldIO.StoredField? _e, _h, _b1;
    private SarDataset? _memory;

    private DatasetFieldStream(TissueModel tissue, string source, double frequencyHz, int channels, string[] names, FieldNormalisation n, string fieldSource)
    {
        Tissue = tissue; Source = source; FrequencyHz = frequencyHz; Channels = channels; ChannelNames = names; Normalisation = n; FieldSource = fieldSource;
    }

    private DatasetFieldStream(Hdf5File f, TissueModel tissue, FieldIO.StoredField e, FieldIO.StoredField? h, FieldIO.StoredField? b1, string source, double frequencyHz)
        : this(tissue.Validate(), source, frequencyHz, e.Channels, e.ChannelNames ?? Enumerable.Range(0, e.Channels).Select(c => $"ch{c}").ToArray(), e.Normalisation, e.Source)
    {
        _file = f; _e = e; _h = h; _b1 = b1;
    }

    private DatasetFieldStream(SarDataset ds)
        : this(ds.Tissue, ds.Source, ds.FrequencyHz, ds.Channels, ds.E.ChannelNames, ds.E.Normalisation, ds.E.Source)
    {
        _memory = ds;
    }

    /// <summary>The tissue model (validated).</summary>
    public TissueModel Tissue { get; }
    /// <summary>The voxel grid.</summary>
    public VoxelGrid Grid => Tissue.Grid;
    /// <summary>Where the dataset was read from (as <see cref="SarDataset.Source"/>).</summary>
    public string Source { get; }
    /// <summary>Where the E-field is read from (as <see cref="MultiChannelField.Source"/>).</summary>
    public string FieldSource { get; }
    /// <summary>Operating frequency, Hz (0 when unknown).</summary>
    public double FrequencyHz { get; }
    /// <summary>Transmit channels of E.</summary>
    public int Channels { get; }
    /// <summary>Channel names of E.</summary>
    public string[] ChannelNames { get; }
    /// <summary>Normalisation (drive unit) of E.</summary>
    public FieldNormalisation Normalisation { get; }

    /// <summary>
    /// Opens <paramref name="path"/> (any layout <see cref="DatasetFiles.Open"/> reads) and reads and validates its tissue
    /// model; the shapes, units and normalisations of its fields are checked, their values are read by <see cref="ReadDrive"/>.
    /// </summary>
    public static DatasetFieldStream Open(string path)
    {
        DatasetFiles.RequireExisting(path);
        if (!DatasetFiles.IsHdf5(path)) return new DatasetFieldStream(DatasetFiles.Open(path));
        var f = Hdf5File.OpenRead(path);
        try
        {
            switch (DatasetReader.Detect(f))
            {
                case DatasetLayout.SarKit:
                {
                    var (tissue, e, h, b1) = SarKitDatasetFile.DescribeSarKit(f);
                    return new DatasetFieldStream(f, tissue, e, h, b1, f.FilePath, SarKitDatasetFile.FrequencyOf(f));
                }
                case DatasetLayout.OpenEmsReference:
                {
                    var (tissue, e, h) = OpenEmsReferenceReader.Describe(f);
                    return new DatasetFieldStream(f, tissue, e, h, null, path, OpenEmsReferenceReader.FrequencyOf(f));
                }
                default:
                    f.Dispose();
                    return new DatasetFieldStream(DatasetFiles.Open(path));
            }
        }
        catch
        {
            f.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads E channel by channel into <paramref name="sum"/> (a sum of a drive on this dataset's grid, nothing added yet),
    /// each channel checked finite before it is added, then reads H and B1+ (when the file has them) channel by channel,
    /// checks them finite and drops them. Holds one group of channels at a time (the channels of one HDF5 chunk, at least
    /// one): 24 bytes per voxel and channel of the group. Once only: the stream is closed afterwards.
    /// </summary>
    public void ReadDrive(DriveFieldSum sum, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(sum);
        if (!sum.Grid.Equals(Grid)) throw new ArgumentException($"{Source}: the sum's grid ({sum.Grid}) is not the dataset's ({Grid}).", nameof(sum));
        MultiChannelField.CheckDrive(sum.Drive, Channels, Normalisation, FieldSource);
        try
        {
            if (_memory is { } ds)
            {
                for (int c = 0; c < ds.Channels; c++)
                    for (int a = 0; a < ds.E.Components; a++)
                        sum.Add(c, a, ds.E.ComponentData(c, a)); // validated when read (DatasetFiles.Open)
                return;
            }
            var f = _file ?? throw new InvalidOperationException($"{Source}: the fields have been read already.");
            float[][]? buffers = null;
            Stream(f, _e!, ref buffers, (c, a, v) => sum.Add(c, a, v), cancellation);
            if (_h is { } h) Stream(f, h, ref buffers, null, cancellation);
            if (_b1 is { } b1) Stream(f, b1, ref buffers, null, cancellation);
        }
        finally
        {
            Dispose();
        }
        sum.RequireComplete();
    }

    private delegate void ChannelSink(int channel, int component, ReadOnlySpan<float> values);

    private void Stream(Hdf5File f, FieldIO.StoredField s, ref float[][]? buffers, ChannelSink? sink, CancellationToken cancellation)
    {
        int group = s.ChannelsPerChunk, per = s.Components;
        int need = group * per;
        if (buffers is null || buffers.Length < need)
        {
            var b = new float[need][];
            for (int i = 0; i < need; i++) b[i] = buffers is not null && i < buffers.Length ? buffers[i] : new float[2L * Grid.VoxelCount];
            buffers = b;
        }
        var names = s.ChannelNames ?? ChannelNames;
        for (int from = 0; from < s.Channels; from += group)
        {
            cancellation.ThrowIfCancellationRequested();
            int to = Math.Min(s.Channels, from + group);
            var destinations = new List<Memory<float>>();
            for (int i = 0; i < (to - from) * per; i++) destinations.Add(buffers[i]);
            FieldIO.ReadSlabs(f, s, from, to, destinations);
            for (int c = from; c < to; c++)
                for (int a = 0; a < per; a++)
                {
                    var values = buffers[(c - from) * per + a];
                    MultiChannelField.CheckFinite(values, Grid, s.Source, s.Quantity, c, names[c], a);
                    sink?.Invoke(c, a, values);
                }
        }
    }

    /// <summary>Closes the file (and drops a dataset read whole).</summary>
    public void Dispose()
    {
        _file?.Dispose();
        _file = null;
        _memory = null;
    }
}
