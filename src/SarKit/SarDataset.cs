using SarKit.Fields;
using SarKit.Grid;

namespace SarKit;

/// <summary>
/// Everything a local-SAR computation needs, as one object: the grid, the tissue model, the per-channel E-fields
/// (and optionally H and B1+), and free-form provenance (simulator, frequency, who made it and how).
/// This is what the SarKit HDF5 dataset layout stores (see docs/dataset-format.md).
/// </summary>
public sealed class SarDataset
{
    public SarDataset(TissueModel tissue, MultiChannelField e)
    {
        Tissue = tissue ?? throw new ArgumentNullException(nameof(tissue));
        E = e ?? throw new ArgumentNullException(nameof(e));
        if (e.Quantity != FieldQuantity.E) throw new ArgumentException("E must be an electric field.", nameof(e));
        if (!tissue.Grid.Equals(e.Grid)) throw new SarKitInputException($"Tissue grid ({tissue.Grid}) and E-field grid ({e.Grid}) differ.");
    }

    public VoxelGrid Grid => Tissue.Grid;
    public TissueModel Tissue { get; }
    public MultiChannelField E { get; }
    public MultiChannelField? H { get; init; }
    public MultiChannelField? B1Plus { get; init; }
    /// <summary>Operating frequency in Hz (0 when unknown).</summary>
    public double FrequencyHz { get; init; }
    /// <summary>Provenance key/values (e.g. "generator", "description", "created_utc", "source_file").</summary>
    public Dictionary<string, string> Provenance { get; } = new();
    /// <summary>Where the dataset was read from.</summary>
    public string Source { get; init; } = "dataset";

    public int Channels => E.Channels;

    /// <summary>Validates tissue and fields (finite, physical); returns this.</summary>
    public SarDataset Validate() { Tissue.Validate(); E.Validate(); H?.Validate(); B1Plus?.Validate(); return this; }
}
