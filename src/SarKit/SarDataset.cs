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

    /// <summary>
    /// A copy surrounded by <paramref name="voxels"/> layers of air (σ = 0, ρ = 0, zero fields) on every side, for grids
    /// that are uniform. IEC/IEEE 62704-1 drops averaging cubes that leave the computational domain; where a simulation
    /// box ends in air a few voxels from the body, padding lets face-centred (step 2) cubes extend into air as they would
    /// in an unbounded domain. Do not pad a model that is truncated through tissue (e.g. at the neck): there the air is
    /// not real. Masks and labels are padded with background. See <see cref="AirPadding"/> for index mapping.
    /// </summary>
    public SarDataset PadWithAir(int voxels)
    {
        if (voxels == 0) return this;
        var pad = new AirPadding(Grid, voxels);
        var d = new SarDataset(pad.Pad(Tissue), pad.Pad(E))
        {
            H = H is null ? null : pad.Pad(H),
            B1Plus = B1Plus is null ? null : pad.Pad(B1Plus),
            FrequencyHz = FrequencyHz,
            Source = Source,
        };
        foreach (var kv in Provenance) d.Provenance[kv.Key] = kv.Value;
        d.Provenance["sarkit_padding_voxels"] = voxels.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return d;
    }

    /// <summary>Validates tissue and fields (finite, physical); returns this.</summary>
    public SarDataset Validate() { Tissue.Validate(); E.Validate(); H?.Validate(); B1Plus?.Validate(); return this; }
}
