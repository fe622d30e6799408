using SarKit.Grid;

namespace SarKit.IO.Formats;

/// <summary>
/// One entry point for every dataset file SarKit reads: HDF5 files (SarKit layout, openEMS reference layout, openEMS
/// field dumps, MATLAB v7.3; docs/dataset-format.md, docs/hdf5.md) are recognised by the HDF5 signature (at offset 0 or
/// after a user block, as in MATLAB v7.3 files) and read by <see cref="DatasetReader"/>; NumPy .npz archives and MATLAB
/// v5/v7 MAT-files (docs/array-formats.md) are read by <see cref="ArrayDatasetMapper"/>.
/// </summary>
public static class DatasetFiles
{
    private static ReadOnlySpan<byte> Hdf5Signature => [0x89, (byte)'H', (byte)'D', (byte)'F', 0x0d, 0x0a, 0x1a, 0x0a];

    /// <summary>
    /// True when the file carries the HDF5 format signature at offset 0, 512, 1024, 2048, … (HDF5 1.x file format
    /// specification, "Format Signature": the superblock may follow a user block of 2ⁿ·512 bytes).
    /// </summary>
    public static bool IsHdf5(string path)
    {
        if (!File.Exists(path)) return false;
        using var s = File.OpenRead(path);
        Span<byte> head = stackalloc byte[8];
        for (long offset = 0; offset + 8 <= s.Length; offset = offset == 0 ? 512 : offset * 2)
        {
            s.Position = offset;
            if (s.ReadAtLeast(head, 8, throwOnEndOfStream: false) < 8) return false;
            if (head.SequenceEqual(Hdf5Signature)) return true;
        }
        return false;
    }

    /// <summary>Throws a <see cref="SarKitInputException"/> naming the path when the file does not exist.</summary>
    public static void RequireExisting(string path, string what = "dataset file")
    {
        if (Directory.Exists(path)) throw new SarKitInputException($"{path}: is a folder, expected a {what}.") { SourceFile = path };
        if (!File.Exists(path)) throw new SarKitInputException($"{path}: {what} not found.") { SourceFile = path };
    }

    /// <summary>
    /// Reads and validates the dataset in any supported format (chosen by HDF5 signature, then extension/content);
    /// every field the file holds (E, H, B1+) is read and checked finite. To sum a drive's field channel by channel
    /// instead of holding every channel, see <see cref="DatasetFieldStream"/>.
    /// </summary>
    public static SarDataset Open(string path)
    {
        RequireExisting(path);
        return IsHdf5(path) ? DatasetReader.Read(path) : ArrayDatasetMapper.Read(path);
    }

    /// <summary>
    /// Summary of a dataset file. For HDF5 layouts the fields are not loaded (<see cref="DatasetReader.ReadInfo"/>);
    /// .npz and v5 MAT-files have no cheap summary, so they are read in full.
    /// </summary>
    public static SarDatasetInfo ReadInfo(string path)
    {
        RequireExisting(path);
        if (IsHdf5(path)) return DatasetReader.ReadInfo(path);
        var ds = ArrayDatasetMapper.Read(path);
        var layout = Path.GetExtension(path).Equals(".mat", StringComparison.OrdinalIgnoreCase) ? DatasetLayout.MatlabV5 : DatasetLayout.NumpyNpz;
        return Describe(ds, path, layout);
    }

    /// <summary>Summary of a dataset already in memory.</summary>
    public static SarDatasetInfo Describe(SarDataset ds, string path, DatasetLayout layout)
    {
        var t = ds.Tissue;
        return new SarDatasetInfo
        {
            Path = path, Layout = layout, Grid = ds.Grid, Channels = ds.Channels, TissueVoxels = t.TissueCount,
            TissueMassKg = t.Mass(), Normalisation = ds.E.Normalisation, FrequencyHz = ds.FrequencyHz,
            HasH = ds.H is not null, HasB1Plus = ds.B1Plus is not null, HasEpsilonR = t.EpsilonR is not null,
            HasLabels = t.Labels is not null, ChannelNames = ds.E.ChannelNames, Masks = t.Masks.Keys.ToArray(),
            Provenance = new Dictionary<string, string>(ds.Provenance), FieldType = "complex64",
        };
    }
}
