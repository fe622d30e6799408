using SarKit.IO.Hdf5;
using SarKit.IO.Arrays;

namespace SarKit.IO.Formats;

/// <summary>
/// Opens a dataset file whatever its HDF5 layout: the SarKit format (docs/dataset-format.md), the openEMS reference
/// layout, a raw openEMS field dump, or a MATLAB v7.3 MAT-file with the SarKit variables (docs/hdf5.md).
/// </summary>
public static class DatasetReader
{
    /// <summary>Recognises the layout of an open HDF5 file from its markers and dataset names.</summary>
    public static DatasetLayout Detect(Hdf5File f)
    {
        if (SarKitDatasetFile.IsSarKitFile(f)) return DatasetLayout.SarKit;
        if (MatFileV73.IsMatV73(f.FilePath) && MatlabDatasetFile.HasDatasetVariables(f)) return DatasetLayout.MatlabV73;
        if (OpenEmsReferenceReader.IsReferenceLayout(f)) return DatasetLayout.OpenEmsReference;
        if (OpenEmsFieldDump.IsFieldDump(f)) return DatasetLayout.OpenEmsFieldDump;
        return DatasetLayout.Unknown;
    }

    /// <summary>Recognises the layout of a file.</summary>
    public static DatasetLayout Detect(string path)
    {
        using var f = Hdf5File.OpenRead(path);
        return Detect(f);
    }

    /// <summary>
    /// Reads and validates the dataset in <paramref name="path"/>, dispatching on its layout; every field the file holds
    /// (E, H, B1+) is read and checked finite.
    /// </summary>
    public static SarDataset Read(string path)
    {
        var layout = Detect(path);
        return layout switch
        {
            DatasetLayout.SarKit => SarKitDatasetFile.Read(path),
            DatasetLayout.OpenEmsReference => OpenEmsReferenceReader.Read(path),
            DatasetLayout.OpenEmsFieldDump => OpenEmsFieldDump.ReadDataset(path),
            DatasetLayout.MatlabV73 => MatlabDatasetFile.Read(path),
            _ => throw Unknown(path),
        };
    }

    /// <summary>Summary of the dataset in <paramref name="path"/> without loading its fields.</summary>
    public static SarDatasetInfo ReadInfo(string path)
    {
        var layout = Detect(path);
        return layout switch
        {
            DatasetLayout.SarKit => SarKitDatasetFile.ReadInfo(path),
            DatasetLayout.OpenEmsReference => OpenEmsReferenceReader.ReadInfo(path),
            DatasetLayout.OpenEmsFieldDump => OpenEmsFieldDump.ReadInfo(path),
            DatasetLayout.MatlabV73 => MatlabDatasetFile.ReadInfo(path),
            _ => throw Unknown(path),
        };
    }

    private static SarKitInputException Unknown(string path)
    {
        using var f = Hdf5File.OpenRead(path);
        var names = f.List("/").Select(e => e.Name + (e.Kind == Hdf5ObjectKind.Group ? "/" : "")).Take(20);
        return new SarKitInputException(
            $"{f.FilePath}: not a recognised dataset layout (found {string.Join(", ", names)}). Expected the SarKit format " +
            "(root attribute sarkit_format, /grid, /tissue, /fields/E), the openEMS reference layout (/x, /y, /z, /sigma, /rho, /E), " +
            "an openEMS field dump (/Mesh, /FieldData/FD) or a MATLAB v7.3 file with sigma, rho and E.") { SourceFile = f.FilePath };
    }
}
