using SarKit.Fields;
using SarKit.Grid;
using SarKit.IO.Hdf5;
using SarKit.IO.Arrays;
using SarKit.Reporting;

namespace SarKit.IO.Formats;

/// <summary>Reading and writing grid-shaped arrays and multi-channel fields through <see cref="Hdf5File"/>, with shape checks that name the file and dataset.</summary>
internal static class FieldIO
{
    public static string Shape(IEnumerable<long> s) => "[" + string.Join(",", s) + "]";

    public static SarKitInputException Bad(Hdf5File f, string dataset, string message)
        => new($"{f.FilePath}: {dataset}: {message}") { SourceFile = f.FilePath, Dataset = dataset };

    /// <summary>Info of a required dataset; throws naming file and dataset when missing or not a dataset.</summary>
    public static Hdf5DatasetInfo Require(Hdf5File f, string dataset, string what)
    {
        var k = f.GetKind(dataset);
        if (k == Hdf5ObjectKind.Missing) throw Bad(f, dataset, $"required dataset is missing ({what})");
        if (k != Hdf5ObjectKind.Dataset) throw Bad(f, dataset, $"is a {k.ToString().ToLowerInvariant()}, expected a dataset ({what})");
        return f.GetDatasetInfo(dataset);
    }

    /// <summary>Reads a 1-D real dataset as double.</summary>
    public static double[] Vector(Hdf5File f, string dataset, string what, int? length = null)
    {
        var info = Require(f, dataset, what);
        if (info.Rank != 1 && !(info.Rank == 2 && (info.Shape[0] == 1 || info.Shape[1] == 1)))
            throw Bad(f, dataset, $"shape {Shape(info.Shape)}, expected a vector ({what})");
        if (info.ElementType is null || info.ElementType is NdType.Complex64 or NdType.Complex128 or NdType.Bool)
            throw Bad(f, dataset, $"type {info.TypeDescription}, expected real numbers ({what})");
        if (length is { } n && info.Count != n) throw Bad(f, dataset, $"{info.Count} values, expected {n} ({what})");
        var r = new double[info.Count];
        f.ReadInto<double>(dataset, r);
        return r;
    }

    /// <summary>Reads a real [nz,ny,nx] map (any real type) as double in voxel order.</summary>
    public static double[] GridMap(Hdf5File f, string dataset, VoxelGrid g, string what)
    {
        var info = Require(f, dataset, what);
        CheckShape(f, info, [g.Nz, g.Ny, g.Nx], what);
        if (info.ElementType is null || info.ElementType is NdType.Complex64 or NdType.Complex128)
            throw Bad(f, dataset, $"type {info.TypeDescription}, expected real numbers ({what})");
        if (info.ElementType == NdType.Bool) return f.ReadDataset(dataset).ToDouble();
        var r = new double[g.VoxelCount];
        f.ReadInto<double>(dataset, r);
        return r;
    }

    /// <summary>
    /// Checks a dataset's shape. Leading axes of length 1 may be missing from the file (MATLAB drops trailing singleton
    /// dimensions, which are the leading HDF5 axes), e.g. a one-channel E [1,3,nz,ny,nx] stored as [3,nz,ny,nx].
    /// </summary>
    public static void CheckShape(Hdf5File f, Hdf5DatasetInfo info, long[] expected, string what)
    {
        if (!SameBarLeadingOnes(info.Shape, expected))
            throw Bad(f, info.Path, $"shape {Shape(info.Shape)} does not match the expected {Shape(expected)} ({what})");
    }

    public static bool SameBarLeadingOnes(long[] actual, long[] expected)
    {
        int drop = expected.Length - actual.Length;
        if (drop < 0) return false;
        for (int i = 0; i < drop; i++) if (expected[i] != 1) return false;
        return expected.AsSpan(drop).SequenceEqual(actual);
    }

    /// <summary>
    /// Where and how a multi-channel field is stored: [nch, ncomp, nz, ny, nx] (ncomp = 3) or [nch, nz, ny, nx] (B1+),
    /// leading axes of length 1 possibly dropped, complex (or real when allowed). <see cref="Slab"/> gives the hyperslab of
    /// one channel and component.
    /// </summary>
    internal sealed record StoredField(string Dataset, VoxelGrid Grid, FieldQuantity Quantity, FieldNormalisation Normalisation,
        int Channels, string[]? ChannelNames, bool Complex, int DroppedAxes, string Source, int ChannelsPerChunk)
    {
        public int Components => Quantity == FieldQuantity.B1Plus ? 1 : 3;

        public (long[] Start, long[] Count) Slab(int channel, int component)
        {
            bool vector = Components == 3;
            long[] start = vector ? [channel, component, 0, 0, 0] : [channel, 0, 0, 0];
            long[] count = vector ? [1, 1, Grid.Nz, Grid.Ny, Grid.Nx] : [1, Grid.Nz, Grid.Ny, Grid.Nx];
            return (start[DroppedAxes..], count[DroppedAxes..]);
        }
    }

    /// <summary>
    /// Checks the type and shape of a multi-channel field (see <see cref="StoredField"/>) against the grid, the expected
    /// channel count and the channel names, without reading its values.
    /// </summary>
    internal static StoredField Describe(Hdf5File f, string dataset, VoxelGrid g, FieldQuantity q, FieldNormalisation n,
        string[]? channelNames = null, int? expectedChannels = null, bool allowReal = false)
    {
        var info = Require(f, dataset, q.ToString());
        bool vector = q != FieldQuantity.B1Plus;
        bool complex = info.ElementType is NdType.Complex64 or NdType.Complex128;
        bool realOk = allowReal && info.ElementType is NdType.Float32 or NdType.Float64;
        if (!complex && !realOk)
            throw Bad(f, dataset, $"type {info.TypeDescription}, expected complex (compound {{r,i}} of float32/float64)");
        int rank = vector ? 5 : 4;
        if (info.Rank > rank || info.Rank < 1)
            throw Bad(f, dataset, $"shape {Shape(info.Shape)}, expected {(vector ? "[nch,3,nz,ny,nx]" : "[nch,nz,ny,nx]")} = {(vector ? "[nch,3," : "[nch,")}{g.Nz},{g.Ny},{g.Nx}]");
        long nch = info.Rank == rank ? info.Shape[0] : 1;
        long[] expected = vector ? [nch, 3, g.Nz, g.Ny, g.Nx] : [nch, g.Nz, g.Ny, g.Nx];
        CheckShape(f, info, expected, $"{q} on the grid {g}");
        if (nch < 1) throw Bad(f, dataset, "no channels");
        if (expectedChannels is { } ec && ec != nch) throw Bad(f, dataset, $"{nch} channels, but the E-field has {ec}");
        if (channelNames is not null && channelNames.Length != nch)
            throw Bad(f, dataset, $"{channelNames.Length} channel names for {nch} channels");
        int perChunk = info.ChunkShape is { } cs && info.Rank == rank ? (int)Math.Clamp(cs[0], 1, nch) : 1;
        return new StoredField(dataset, g, q, n, (int)nch, channelNames, complex, rank - info.Rank, $"{f.FilePath}:{dataset}", perChunk);
    }

    /// <summary>
    /// Reads a multi-channel field stored as [nch, ncomp, nz, ny, nx] (ncomp = 3) or [nch, nz, ny, nx] (B1+) complex,
    /// channel by channel and component by component straight into the field's arrays (hyperslab reads).
    /// </summary>
    public static MultiChannelField ReadField(Hdf5File f, string dataset, VoxelGrid g, FieldQuantity q, FieldNormalisation n,
        string[]? channelNames = null, int? expectedChannels = null, bool allowReal = false)
        => Read(f, Describe(f, dataset, g, q, n, channelNames, expectedChannels, allowReal));

    /// <summary>Reads the whole of a described field (<see cref="Describe"/>) into a new <see cref="MultiChannelField"/>.</summary>
    internal static MultiChannelField Read(Hdf5File f, StoredField s)
    {
        var field = new MultiChannelField(s.Grid, s.Channels, s.Quantity, s.Normalisation, s.ChannelNames) { Source = s.Source };
        var destinations = new List<Memory<float>>();
        for (int c = 0; c < s.Channels; c++)
            for (int a = 0; a < s.Components; a++)
                destinations.Add(field.ComponentData(c, a));
        ReadSlabs(f, s, 0, s.Channels, destinations);
        return field;
    }

    /// <summary>
    /// Reads channels [<paramref name="from"/>, <paramref name="to"/>) of a stored field, every component, into the
    /// <paramref name="destinations"/> (channel-major, then component; 2·voxels values each):
    /// complex data straight into them, inflated on all cores (<see cref="Hdf5File.ReadSlabsInto{T}"/>); real data (MATLAB
    /// drops the imaginary part when it is all zero) spread into (re, 0) pairs.
    /// </summary>
    internal static void ReadSlabs(Hdf5File f, StoredField s, int from, int to, IReadOnlyList<Memory<float>> destinations)
    {
        var slabs = new List<Hdf5Slab<float>>();
        float[]? realBuffer = null;
        int d = 0;
        for (int c = from; c < to; c++)
            for (int a = 0; a < s.Components; a++)
            {
                var (start, count) = s.Slab(c, a);
                var dst = destinations[d++];
                if (s.Complex) { slabs.Add(new Hdf5Slab<float>(start, count, dst)); continue; }
                realBuffer ??= new float[s.Grid.VoxelCount];
                f.ReadInto<float>(s.Dataset, realBuffer, start, count);
                var span = dst.Span;
                for (int v = 0; v < realBuffer.Length; v++) { span[2 * v] = realBuffer[v]; span[2 * v + 1] = 0; }
            }
        if (slabs.Count > 0) f.ReadSlabsInto(s.Dataset, slabs);
    }

    /// <summary>Writes a field as complex64 [nch,3,nz,ny,nx] (or [nch,nz,ny,nx] for B1+), one hyperslab per channel and component.</summary>
    public static void WriteField(Hdf5File f, string dataset, MultiChannelField field, Hdf5WriteOptions options)
    {
        var g = field.Grid;
        bool vector = field.Components == 3;
        long[] shape = vector ? [field.Channels, 3, g.Nz, g.Ny, g.Nx] : [field.Channels, g.Nz, g.Ny, g.Nx];
        f.CreateDataset(dataset, NdType.Complex64, shape, options);
        for (int c = 0; c < field.Channels; c++)
            for (int a = 0; a < field.Components; a++)
            {
                long[] start = vector ? [c, a, 0, 0, 0] : [c, 0, 0, 0];
                long[] count = vector ? [1, 1, g.Nz, g.Ny, g.Nx] : [1, g.Nz, g.Ny, g.Nx];
                f.WriteHyperslab<float>(dataset, field.ComponentData(c, a), start, count);
            }
    }
}
