using SarKit.Fields;
using SarKit.IO.Formats;
using SarKit.IO.Hdf5;
using SarKit.Workflows.Results;

namespace SarKit.Workflows;

/// <summary>
/// What a dataset file holds (<c>sarkit info</c>, web <c>GET /api/datasets/info</c>): grid, channels, normalisation,
/// tissue, masks, fields and provenance, read from the header (<see cref="DatasetFiles.ReadInfo"/>) without loading
/// the fields where the format allows.
/// </summary>
public static class DatasetDescription
{
    /// <summary>Describes the dataset file at <paramref name="path"/> (<c>input_file</c> is its absolute path).</summary>
    public static DatasetDescriptionResult Describe(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var info = DatasetFiles.ReadInfo(path);
        bool hdf5 = DatasetFiles.IsHdf5(path);
        return new DatasetDescriptionResult
        {
            InputFile = Path.GetFullPath(path),
            Format = hdf5 ? "hdf5" : info.Layout == DatasetLayout.MatlabV5 ? "mat-v5" : "npz",
            Layout = LayoutId(info.Layout),
            Grid = GridResult.Of(info.Grid),
            Channels = info.Channels,
            ChannelNames = info.ChannelNames.ToArray(),
            Normalisation = info.Normalisation.ToId(),
            DriveUnit = info.Normalisation.DriveUnit(),
            FrequencyHz = ResultJson.Num(info.FrequencyHz),
            TissueVoxels = info.TissueVoxels,
            TissueMassKg = ResultJson.Num(info.TissueMassKg),
            Masks = info.Masks.ToArray(),
            HasLabels = info.HasLabels,
            LabelNames = info.HasLabels && info.Layout == DatasetLayout.SarKit ? LabelNames(path) : null,
            HasEpsR = info.HasEpsilonR,
            Fields = new[] { "E" }.Concat(info.HasH ? ["H"] : []).Concat(info.HasB1Plus ? ["B1plus"] : []).ToArray(),
            FieldType = info.FieldType,
            Provenance = new SortedDictionary<string, string>(info.Provenance.ToDictionary(), StringComparer.Ordinal),
            SarkitVersion = SarKitVersion.Current,
        };
    }

    /// <summary>The layout's id in results (<c>sarkit</c>, <c>openems-reference</c>, …).</summary>
    public static string LayoutId(DatasetLayout layout) => layout switch
    {
        DatasetLayout.SarKit => "sarkit",
        DatasetLayout.OpenEmsReference => "openems-reference",
        DatasetLayout.OpenEmsFieldDump => "openems-field-dump",
        DatasetLayout.MatlabV73 => "matlab-v7.3",
        DatasetLayout.MatlabV5 => "matlab-v5",
        DatasetLayout.NumpyNpz => "npz",
        _ => "unknown",
    };

    private static string[]? LabelNames(string path)
    {
        try
        {
            using var f = Hdf5File.OpenRead(path);
            return f.HasAttribute("/tissue/labels", "names") ? f.ReadStringArrayAttribute("/tissue/labels", "names") : null;
        }
        catch (SarKitInputException) { return null; }
    }
}
