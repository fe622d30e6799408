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
    /// not real. Masks and labels are padded with background.
    /// </summary>
    public SarDataset PadWithAir(int voxels)
    {
        if (voxels < 0) throw new ArgumentOutOfRangeException(nameof(voxels));
        if (voxels == 0) return this;
        var g = Grid;
        double[] Ext(ReadOnlySpan<double> e)
        {
            double d0 = e[1] - e[0], d1 = e[^1] - e[^2];
            var r = new double[e.Length + 2 * voxels];
            for (int i = 0; i < voxels; i++) { r[i] = e[0] - (voxels - i) * d0; r[r.Length - 1 - i] = e[^1] + (voxels - i) * d1; }
            e.CopyTo(r.AsSpan(voxels));
            return r;
        }
        var pg = new VoxelGrid(Ext(g.EdgesX), Ext(g.EdgesY), Ext(g.EdgesZ));
        T[] Pad<T>(T[] a, int stride = 1)
        {
            var r = new T[(long)pg.VoxelCount * stride];
            for (int k = 0; k < g.Nz; k++)
                for (int j = 0; j < g.Ny; j++)
                    Array.Copy(a, (long)g.Index(0, j, k) * stride, r, (long)pg.Index(voxels, j + voxels, k + voxels) * stride, (long)g.Nx * stride);
            return r;
        }
        var t = Tissue;
        var pt = new TissueModel(pg, Pad(t.Sigma), Pad(t.Rho))
        {
            EpsilonR = t.EpsilonR is null ? null : Pad(t.EpsilonR),
            Labels = t.Labels is null ? null : Pad(t.Labels),
            LabelNames = t.LabelNames,
            Source = t.Source + $" (padded with {voxels} air voxels)",
        };
        foreach (var (name, m) in t.Masks) pt.SetMask(name, Pad(m));
        MultiChannelField? PadField(MultiChannelField? f)
        {
            if (f is null) return null;
            var r = new MultiChannelField(pg, f.Channels, f.Quantity, f.Normalisation, f.ChannelNames) { Source = f.Source };
            for (int c = 0; c < f.Channels; c++)
                for (int a = 0; a < f.Components; a++)
                    Pad(f.ComponentData(c, a), 2).CopyTo(r.ComponentData(c, a), 0);
            return r;
        }
        var d = new SarDataset(pt, PadField(E)!) { H = PadField(H), B1Plus = PadField(B1Plus), FrequencyHz = FrequencyHz, Source = Source };
        foreach (var kv in Provenance) d.Provenance[kv.Key] = kv.Value;
        d.Provenance["sarkit_padding_voxels"] = voxels.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return d;
    }

    /// <summary>Validates tissue and fields (finite, physical); returns this.</summary>
    public SarDataset Validate() { Tissue.Validate(); E.Validate(); H?.Validate(); B1Plus?.Validate(); return this; }
}
