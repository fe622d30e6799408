using SarKit.Fields;
using SarKit.Grid;

namespace SarKit.IO.Formats;

/// <summary>Which HDF5 layout a dataset file uses.</summary>
public enum DatasetLayout
{
    /// <summary>Not recognised.</summary>
    Unknown,
    /// <summary>The SarKit dataset format (docs/dataset-format.md).</summary>
    SarKit,
    /// <summary>The assembled openEMS multi-channel layout of the reference data (/x,/y,/z, /sigma, /rho, /E [nch,3,nz,ny,nx]).</summary>
    OpenEmsReference,
    /// <summary>A raw openEMS HDF5 field dump (/Mesh, /FieldData/FD/f0_real|f0_imag, /CellData), one channel.</summary>
    OpenEmsFieldDump,
    /// <summary>A MATLAB v7.3 MAT-file (HDF5 with a 512-byte MATLAB header) holding the SarKit MATLAB variables (docs/hdf5.md).</summary>
    MatlabV73,
    /// <summary>A NumPy .npz archive with the SarKit array names (docs/array-formats.md).</summary>
    NumpyNpz,
    /// <summary>A MATLAB v5/v7 (Level 5) MAT-file with the SarKit variable names (docs/array-formats.md).</summary>
    MatlabV5,
}

/// <summary>
/// Cheap summary of a dataset file (grid, channels, tissue voxel count, normalisation, frequency) read without loading
/// the fields (see <see cref="SarKitDatasetFile.ReadInfo"/>).
/// </summary>
public sealed record SarDatasetInfo
{
    public required string Path { get; init; }
    public required DatasetLayout Layout { get; init; }
    public required VoxelGrid Grid { get; init; }
    public required int Channels { get; init; }
    /// <summary>Number of voxels with ρ &gt; 0.</summary>
    public required int TissueVoxels { get; init; }
    public required FieldNormalisation Normalisation { get; init; }
    /// <summary>Operating frequency in Hz (0 when unknown).</summary>
    public double FrequencyHz { get; init; }
    public bool HasH { get; init; }
    public bool HasB1Plus { get; init; }
    public bool HasEpsilonR { get; init; }
    public bool HasLabels { get; init; }
    public IReadOnlyList<string> ChannelNames { get; init; } = [];
    public IReadOnlyList<string> Masks { get; init; } = [];
    public IReadOnlyDictionary<string, string> Provenance { get; init; } = new Dictionary<string, string>();
    /// <summary>Total tissue mass Σ ρ·V over voxels with ρ &gt; 0, kg (NaN when the file has no density).</summary>
    public double TissueMassKg { get; init; } = double.NaN;
    /// <summary>On-disk element type of the E-field (e.g. "complex64 {r,i}").</summary>
    public string FieldType { get; init; } = "";

    public override string ToString() =>
        $"{Path}: {Layout}, grid {Grid}, {Channels} channels ({Normalisation.ToId()}), {TissueVoxels} tissue voxels, " +
        $"f = {FrequencyHz / 1e6:G6} MHz{(HasH ? ", H" : "")}{(HasB1Plus ? ", B1+" : "")}";

    /// <summary>Σ ρ·V over the voxels with ρ &gt; 0 (kg), for a density map in linear voxel order.</summary>
    public static double MassOf(VoxelGrid grid, ReadOnlySpan<double> rho)
    {
        double m = 0;
        for (int v = 0; v < rho.Length; v++) if (rho[v] > 0) m += rho[v] * grid.VoxelVolume(v);
        return m;
    }
}
