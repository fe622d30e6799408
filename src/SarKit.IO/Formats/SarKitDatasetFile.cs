using System.Globalization;
using SarKit.Fields;
using SarKit.Grid;
using SarKit.IO.Hdf5;
using SarKit.IO.Arrays;
using SarKit.Reporting;

namespace SarKit.IO.Formats;

/// <summary>How <see cref="SarKitDatasetFile.Write"/> stores a dataset.</summary>
public sealed record SarKitDatasetWriteOptions
{
    /// <summary>gzip level (1–9) for the fields, or null for uncompressed fields (fastest). Tissue maps are always compressed (gzip 4 + shuffle).</summary>
    public int? FieldGzipLevel { get; init; }
    /// <summary>Clock of the provenance <c>created_utc</c> (when the dataset has none) (default <see cref="SarKitSettings.Time"/> of <see cref="SarKitSettings.Default"/>).</summary>
    public TimeProvider? Time { get; init; }
    public static readonly SarKitDatasetWriteOptions Default = new();
}

/// <summary>
/// Reads and writes the SarKit HDF5 dataset format, version 1 (docs/dataset-format.md): grid edges, tissue maps,
/// multi-channel peak-phasor fields with their unit and normalisation, frequency and provenance.
/// <see cref="Read"/> and <see cref="ReadInfo"/> also accept the other layouts <see cref="DatasetReader"/> recognises
/// (openEMS reference layout, openEMS field dump, MATLAB v7.3).
/// </summary>
public static class SarKitDatasetFile
{
    public const string FormatId = "sarkit-dataset";
    public const int FormatVersion = 1;

    internal const string GridGroup = "/grid", TissueGroup = "/tissue", FieldsGroup = "/fields", ProvenanceGroup = "/provenance";
    internal const string EPath = "/fields/E", HPath = "/fields/H", B1Path = "/fields/B1plus";

    /// <summary>True when the open file carries the SarKit format marker (root attribute sarkit_format = "sarkit-dataset").</summary>
    public static bool IsSarKitFile(Hdf5File f)
        => f.HasAttribute("/", "sarkit_format") && SafeString(f, "/", "sarkit_format") == FormatId;

    private static string? SafeString(Hdf5File f, string obj, string name)
    {
        try { return f.ReadStringAttribute(obj, name); } catch (SarKitInputException) { return null; }
    }

    /// <summary>
    /// Reads a dataset file and validates it (shapes against the grid, required datasets, units, normalisation,
    /// <see cref="SarDataset.Validate"/>). Files in another recognised layout are read by <see cref="DatasetReader.Read"/>.
    /// Every field the file holds (E, H, B1+) is read.
    /// </summary>
    public static SarDataset Read(string path)
    {
        if (!IsSarKitFile(path)) return DatasetReader.Read(path);
        using var f = Hdf5File.OpenRead(path);
        return ReadSarKit(f).Validate();
    }

    private static bool IsSarKitFile(string path)
    {
        using var f = Hdf5File.OpenRead(path);
        return IsSarKitFile(f);
    }

    /// <summary>Grid, channels, tissue count, normalisation and frequency without loading the fields.</summary>
    public static SarDatasetInfo ReadInfo(string path)
    {
        if (!IsSarKitFile(path)) return DatasetReader.ReadInfo(path);
        using var f = Hdf5File.OpenRead(path);
        CheckVersion(f);
        var grid = ReadGrid(f);
        var rho = FieldIO.GridMap(f, "/tissue/rho", grid, "mass density, kg/m³");
        var e = FieldIO.Require(f, EPath, "E-field");
        if (e.Rank != 5) throw FieldIO.Bad(f, EPath, $"shape {FieldIO.Shape(e.Shape)}, expected [nch,3,{grid.Nz},{grid.Ny},{grid.Nx}]");
        FieldIO.CheckShape(f, e, [e.Shape[0], 3, grid.Nz, grid.Ny, grid.Nx], "E-field on the grid");
        CheckUnit(f, EPath, "V/m");
        return new SarDatasetInfo
        {
            Path = path, Layout = DatasetLayout.SarKit, Grid = grid, Channels = (int)e.Shape[0],
            TissueVoxels = rho.Count(r => r > 0), TissueMassKg = SarDatasetInfo.MassOf(grid, rho), Normalisation = ReadNormalisation(f, EPath),
            FrequencyHz = f.HasAttribute("/", "frequency_hz") ? f.ReadScalarAttribute("/", "frequency_hz") : 0,
            HasH = f.IsDataset(HPath), HasB1Plus = f.IsDataset(B1Path),
            HasEpsilonR = f.IsDataset("/tissue/eps_r"), HasLabels = f.IsDataset("/tissue/labels"),
            ChannelNames = ReadChannelNames(f, EPath, (int)e.Shape[0]) ?? Enumerable.Range(0, (int)e.Shape[0]).Select(c => $"ch{c}").ToArray(),
            Masks = f.IsGroup("/tissue/masks") ? f.List("/tissue/masks").Where(x => x.Kind == Hdf5ObjectKind.Dataset).Select(x => x.Name).ToArray() : [],
            Provenance = ReadProvenance(f), FieldType = e.TypeDescription,
        };
    }

    private static void CheckVersion(Hdf5File f)
    {
        if (!f.HasAttribute("/", "sarkit_format_version")) return;
        double v = f.ReadScalarAttribute("/", "sarkit_format_version");
        if (v > FormatVersion)
            throw new SarKitInputException($"{f.FilePath}: / attribute sarkit_format_version is {v}; this SarKit reads version {FormatVersion} (update SarKit).")
            { SourceFile = f.FilePath, Dataset = "/" };
    }

    internal static VoxelGrid ReadGrid(Hdf5File f)
    {
        var ex = FieldIO.Vector(f, "/grid/edges_x", "cell edges along x, m");
        var ey = FieldIO.Vector(f, "/grid/edges_y", "cell edges along y, m");
        var ez = FieldIO.Vector(f, "/grid/edges_z", "cell edges along z, m");
        try { return new VoxelGrid(ex, ey, ez); }
        catch (SarKitInputException e) when (e.SourceFile is null)
        {
            throw new SarKitInputException($"{f.FilePath}: /grid/edges_*: {e.Message}", e) { SourceFile = f.FilePath, Dataset = "/grid" };
        }
    }

    private static void CheckUnit(Hdf5File f, string dataset, string expected)
    {
        if (!f.HasAttribute(dataset, "unit"))
            throw FieldIO.Bad(f, dataset, $"attribute 'unit' is missing (expected \"{expected}\")");
        var u = f.ReadStringAttribute(dataset, "unit").Trim();
        if (!string.Equals(u, expected, StringComparison.OrdinalIgnoreCase))
            throw FieldIO.Bad(f, dataset, $"unit is \"{u}\", expected \"{expected}\"");
    }

    private static FieldNormalisation ReadNormalisation(Hdf5File f, string dataset)
        => f.HasAttribute(dataset, "normalisation")
            ? FieldNormalisationExtensions.Parse(f.ReadStringAttribute(dataset, "normalisation"), $"{f.FilePath}: {dataset} attribute 'normalisation'")
            : FieldNormalisation.Unspecified;

    private static string[]? ReadChannelNames(Hdf5File f, string dataset, int channels)
    {
        if (!f.HasAttribute(dataset, "channel_names")) return null;
        var names = f.ReadStringArrayAttribute(dataset, "channel_names");
        if (names.Length != channels) throw FieldIO.Bad(f, dataset, $"attribute 'channel_names' has {names.Length} names for {channels} channels");
        return names;
    }

    internal static Dictionary<string, string> ReadProvenance(Hdf5File f, string group = ProvenanceGroup)
    {
        var d = new Dictionary<string, string>();
        if (!f.IsGroup(group) && group != "/") return d;
        foreach (var n in f.AttributeNames(group))
        {
            d[n] = f.ReadAttributeValue(group, n) switch
            {
                string s => s,
                string[] a => string.Join("; ", a),
                NdArray x when !x.IsComplex => string.Join(", ", x.ToDouble().Select(v => v.ToString("R", CultureInfo.InvariantCulture))),
                var o => o.ToString() ?? "",
            };
        }
        return d;
    }

    private static SarDataset ReadSarKit(Hdf5File f)
    {
        var (tissue, eStored, hStored, b1Stored) = DescribeSarKit(f);
        var e = FieldIO.Read(f, eStored);
        var h = hStored is null ? null : FieldIO.Read(f, hStored);
        var b1 = b1Stored is null ? null : FieldIO.Read(f, b1Stored);
        var ds = new SarDataset(tissue, e)
        {
            H = h, B1Plus = b1, Source = f.FilePath,
            FrequencyHz = FrequencyOf(f),
        };
        foreach (var (k, v) in ReadProvenance(f)) ds.Provenance[k] = v;
        return ds;
    }

    internal static double FrequencyOf(Hdf5File f) => f.HasAttribute("/", "frequency_hz") ? f.ReadScalarAttribute("/", "frequency_hz") : 0;

    /// <summary>
    /// The tissue model (read, not yet validated) and the stored fields of a SarKit file, their units, normalisations,
    /// channel names and shapes checked, their values not read.
    /// </summary>
    internal static (TissueModel Tissue, FieldIO.StoredField E, FieldIO.StoredField? H, FieldIO.StoredField? B1Plus) DescribeSarKit(Hdf5File f)
    {
        CheckVersion(f);
        var grid = ReadGrid(f);
        var sigma = FieldIO.GridMap(f, "/tissue/sigma", grid, "conductivity, S/m");
        var rho = FieldIO.GridMap(f, "/tissue/rho", grid, "mass density, kg/m³");
        var tissue = new TissueModel(grid, sigma, rho)
        {
            Source = $"{f.FilePath}:/tissue",
            EpsilonR = f.IsDataset("/tissue/eps_r") ? FieldIO.GridMap(f, "/tissue/eps_r", grid, "relative permittivity") : null,
            Labels = f.IsDataset("/tissue/labels") ? ReadLabels(f, grid) : null,
            LabelNames = f.IsDataset("/tissue/labels") && f.HasAttribute("/tissue/labels", "names") ? LabelNames(f.ReadStringArrayAttribute("/tissue/labels", "names")) : null,
        };
        if (f.IsGroup("/tissue/masks"))
            foreach (var m in f.List("/tissue/masks").Where(x => x.Kind == Hdf5ObjectKind.Dataset))
            {
                var v = FieldIO.GridMap(f, m.Path, grid, $"mask '{m.Name}'");
                tissue.SetMask(m.Name, v.Select(x => x != 0).ToArray());
            }

        CheckUnit(f, EPath, "V/m");
        var eInfo = FieldIO.Require(f, EPath, "E-field");
        int nch = eInfo.Rank > 0 ? (int)eInfo.Shape[0] : 0;
        var e = FieldIO.Describe(f, EPath, grid, FieldQuantity.E, ReadNormalisation(f, EPath), eInfo.Rank == 5 ? ReadChannelNames(f, EPath, nch) : null);
        var names = e.ChannelNames ?? Enumerable.Range(0, e.Channels).Select(c => $"ch{c}").ToArray();
        FieldIO.StoredField? h = null, b1 = null;
        if (f.IsDataset(HPath))
        {
            CheckUnit(f, HPath, "A/m");
            h = FieldIO.Describe(f, HPath, grid, FieldQuantity.H, ReadNormalisation(f, HPath), names, e.Channels);
        }
        if (f.IsDataset(B1Path))
        {
            CheckUnit(f, B1Path, "T");
            b1 = FieldIO.Describe(f, B1Path, grid, FieldQuantity.B1Plus, ReadNormalisation(f, B1Path), names, e.Channels);
        }
        return (tissue, e, h, b1);
    }

    private static int[] ReadLabels(Hdf5File f, VoxelGrid grid)
    {
        var info = FieldIO.Require(f, "/tissue/labels", "tissue labels");
        FieldIO.CheckShape(f, info, [grid.Nz, grid.Ny, grid.Nx], "tissue labels");
        if (info.ElementType is not (NdType.Int8 or NdType.UInt8 or NdType.Int16 or NdType.UInt16 or NdType.Int32 or NdType.UInt32 or NdType.Int64 or NdType.UInt64))
            throw FieldIO.Bad(f, "/tissue/labels", $"type {info.TypeDescription}, expected integers");
        var r = new int[grid.VoxelCount];
        f.ReadInto<int>("/tissue/labels", r);
        return r;
    }

    private static Dictionary<int, string> LabelNames(string[] names)
    {
        var d = new Dictionary<int, string>();
        for (int i = 0; i < names.Length; i++) if (names[i].Length > 0) d[i] = names[i];
        return d;
    }

    /// <summary>
    /// Writes <paramref name="dataset"/> in the SarKit format (docs/dataset-format.md) to <paramref name="path"/>, through a
    /// temporary file in the same folder that is renamed over the target when complete. The dataset is validated first.
    /// </summary>
    public static void Write(SarDataset dataset, string path, SarKitDatasetWriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        dataset.Validate();
        options ??= SarKitDatasetWriteOptions.Default;
        AtomicFile.WriteAtomically(path, tmp =>
        {
            using var f = Hdf5File.Create(tmp);
            WriteContent(f, dataset, options);
        });
    }

    private static void WriteContent(Hdf5File f, SarDataset d, SarKitDatasetWriteOptions o)
    {
        var g = d.Grid;
        var map = Hdf5WriteOptions.Compressed;
        var fieldOpt = o.FieldGzipLevel is { } lvl ? new Hdf5WriteOptions { GzipLevel = lvl, Shuffle = true } : Hdf5WriteOptions.Default;
        int[] shape3 = [g.Nz, g.Ny, g.Nx];

        f.WriteAttribute("/", "sarkit_format", FormatId);
        f.WriteAttribute("/", "sarkit_format_version", FormatVersion);
        f.WriteAttribute("/", "frequency_hz", d.FrequencyHz);

        f.WriteDataset("/grid/edges_x", new NdArray(NdType.Float64, [g.Nx + 1], g.EdgesX.ToArray()));
        f.WriteDataset("/grid/edges_y", new NdArray(NdType.Float64, [g.Ny + 1], g.EdgesY.ToArray()));
        f.WriteDataset("/grid/edges_z", new NdArray(NdType.Float64, [g.Nz + 1], g.EdgesZ.ToArray()));
        foreach (var (n, unit) in new[] { ("/grid/edges_x", "m"), ("/grid/edges_y", "m"), ("/grid/edges_z", "m") }) f.WriteAttribute(n, "unit", unit);

        var t = d.Tissue;
        f.WriteDataset("/tissue/sigma", new NdArray(NdType.Float64, shape3, t.Sigma), map);
        f.WriteAttribute("/tissue/sigma", "unit", "S/m");
        f.WriteDataset("/tissue/rho", new NdArray(NdType.Float64, shape3, t.Rho), map);
        f.WriteAttribute("/tissue/rho", "unit", "kg/m^3");
        if (t.EpsilonR is { } eps) f.WriteDataset("/tissue/eps_r", new NdArray(NdType.Float64, shape3, eps), map);
        if (t.Labels is { } labels)
        {
            f.WriteDataset("/tissue/labels", new NdArray(NdType.Int32, shape3, labels), map);
            if (t.LabelNames is { Count: > 0 } ln && ln.Keys.All(k => k >= 0 && k < 1_000_000))
            {
                var names = new string[ln.Keys.Max() + 1];
                for (int i = 0; i < names.Length; i++) names[i] = ln.TryGetValue(i, out var s) ? s : "";
                f.WriteAttribute("/tissue/labels", "names", names);
            }
        }
        foreach (var (name, mask) in t.Masks)
            f.WriteDataset($"/tissue/masks/{name}", new NdArray(NdType.UInt8, shape3, mask.Select(b => b ? (byte)1 : (byte)0).ToArray()), map);

        WriteFieldWithAttrs(f, EPath, d.E, fieldOpt);
        if (d.H is { } h) WriteFieldWithAttrs(f, HPath, h, fieldOpt);
        if (d.B1Plus is { } b1) WriteFieldWithAttrs(f, B1Path, b1, fieldOpt);

        f.CreateGroup(ProvenanceGroup);
        var prov = new Dictionary<string, string>(d.Provenance);
        prov.TryAdd("generator", $"SarKit {SarKitVersion.Current}");
        prov.TryAdd("created_utc", (o.Time ?? SarKitSettings.Default.Time).GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
        if (d.Source != "dataset") prov.TryAdd("source_files", d.Source);
        foreach (var (k, v) in prov) f.WriteAttribute(ProvenanceGroup, k, v);
    }

    private static void WriteFieldWithAttrs(Hdf5File f, string path, MultiChannelField field, Hdf5WriteOptions o)
    {
        FieldIO.WriteField(f, path, field, o);
        f.WriteAttribute(path, "unit", field.Unit);
        f.WriteAttribute(path, "normalisation", field.Normalisation.ToId());
        f.WriteAttribute(path, "channel_names", field.ChannelNames);
    }
}
