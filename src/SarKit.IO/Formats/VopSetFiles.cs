using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using SarKit.Compression;
using SarKit.Fields;
using SarKit.Sar;
using SarKit.IO.Arrays;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.IO.Formats;

/// <summary>
/// VOP sets in the three file layouts of docs/vop-cli.md ("VOP files"), chosen by extension:
/// <list type="bullet">
/// <item><c>.h5</c>/<c>.hdf5</c>: the SarKit HDF5 layout (<see cref="VopSetFile"/>, docs/vop-format.md).</item>
/// <item><c>.mat</c>: MATLAB v7.3 in the layout of the public MATLAB VOP tools (Orzada et al.): <c>VOP</c> complex double
/// N×N×K (margins included), <c>Sglobal</c> the margin base matrix N×N (Z = eps_G·Sglobal), <c>eps_G</c>, <c>VOPID</c> 1×K
/// (1-based index of the original matrix, 0 for none), plus <c>sarkit_metadata</c> (char, JSON: provenance and certificate).
/// Reading also accepts v5/v7 files and files without <c>sarkit_metadata</c> (a set imported from MATLAB: no source
/// hash, no certificate).</item>
/// <item><c>.npz</c>: <c>vops</c> complex128 [K, N, N], <c>margin</c> complex128 [N, N] (Z), <c>global_matrix</c> [N, N]
/// (= Z/ε), <c>source_index</c> int32 [K], <c>compression_margin</c> float64 ε and <c>metadata</c> (JSON text).</item>
/// </list>
/// All writes go to a temporary file renamed over the target. Values round-trip exactly (float64, the packed form takes the
/// diagonal and the upper triangle), so the certificate's VOP hash stays valid.
/// </summary>
public static class VopSetFiles
{
    /// <summary>File layout from the extension (.h5/.hdf5, .mat, .npz).</summary>
    public static string Kind(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".h5" or ".hdf5" => "hdf5",
        ".mat" => "mat",
        ".npz" => "npz",
        _ => throw new SarKitInputException($"{path}: unknown VOP file type '{Path.GetExtension(path)}' (use .h5, .mat or .npz).") { SourceFile = path },
    };

    /// <summary>
    /// Writes <paramref name="set"/> in the layout chosen by the extension; the file's <c>created_utc</c> is read from
    /// <paramref name="time"/> (default <see cref="SarKitSettings.Time"/> of <see cref="SarKitSettings.Default"/>).
    /// </summary>
    public static void Write(VopSet set, string path, TimeProvider? time = null)
    {
        switch (Kind(path))
        {
            case "hdf5": VopSetFile.Write(set, path, time); break;
            case "mat": WriteMat(set, path, time); break;
            default: WriteNpz(set, path, time); break;
        }
    }

    /// <summary>Reads a VOP set written by <see cref="Write"/> (or a MATLAB/NumPy VOP file in the same layout).</summary>
    public static VopSet Read(string path)
    {
        if (!File.Exists(path)) throw new SarKitInputException($"{path}: VOP file not found.") { SourceFile = path };
        return Kind(path) switch
        {
            "hdf5" => VopSetFile.Read(path),
            "mat" => ReadMat(path),
            _ => ReadNpz(path),
        };
    }

    // ------------------------------------------------------------------ MATLAB

    /// <summary>Writes the MATLAB v7.3 layout (see the class remarks); time stamps from <paramref name="time"/> (default <see cref="SarKitSettings.Default"/>).</summary>
    public static void WriteMat(VopSet set, string path, TimeProvider? time = null)
    {
        int n = set.Channels, k = set.Count;
        double eps = set.Margin.Epsilon;
        var vars = new List<KeyValuePair<string, object>>
        {
            new("VOP", FullComplex(set.Packed, n, k, transpose: true, 1.0)),
            new("Sglobal", Squeeze(FullComplex(set.Margin.Packed, n, 1, transpose: true, eps > 0 ? 1 / eps : 1))),
            new("eps_G", new NdArray(NdType.Float64, [], new[] { eps })),
            new("VOPID", new NdArray(NdType.Float64, [k, 1], set.SourceIndex.Select(i => i >= 0 ? i + 1.0 : 0.0).ToArray())),
            new("sarkit_margin", Squeeze(FullComplex(set.Margin.Packed, n, 1, transpose: true, 1.0))),
            new("sarkit_metadata", MetadataJson(set, time)),
        };
        MatFileV73.Write(path, vars, Hdf5.Hdf5WriteOptions.Compressed, time);
    }

    /// <summary>Reads a MATLAB VOP file (v7.3 or v5/v7): VOP N×N×K required; Sglobal, eps_G, VOPID, sarkit_metadata optional.</summary>
    public static VopSet ReadMat(string path)
    {
        if (MatFileV73.IsMatV73(path))
        {
            var names = MatFileV73.List(path).Select(v => v.Name).ToHashSet();
            return FromArrays(path, name => names.Contains(name) ? MatFileV73.Read(path, name) : null,
                name => names.Contains(name) ? MatFileV73.ReadString(path, name) : null, string.Join(", ", names), colMajor: true);
        }
        using var m = MatFile.Open(path);
        return FromArrays(path, name => m.Find(name) is { IsText: false } a ? a.Read() : null,
            name => m.Find(name) is { IsText: true } a ? a.ReadText() : null, string.Join(", ", m.Names), colMajor: true);
    }

    // ------------------------------------------------------------------ NumPy

    /// <summary>Writes the .npz layout (see the class remarks); <c>created_utc</c> from <paramref name="time"/> (default <see cref="SarKitSettings.Default"/>).</summary>
    public static void WriteNpz(VopSet set, string path, TimeProvider? time = null)
    {
        int n = set.Channels, k = set.Count;
        double eps = set.Margin.Epsilon;
        using var w = NpzWriter.Create(path);
        w.Add("vops", FullComplex(set.Packed, n, k, transpose: false, 1.0));
        w.Add("margin", Squeeze(FullComplex(set.Margin.Packed, n, 1, transpose: false, 1.0)));
        w.Add("global_matrix", Squeeze(FullComplex(set.Margin.Packed, n, 1, transpose: false, eps > 0 ? 1 / eps : 1)));
        w.Add("source_index", new NdArray(NdType.Int32, [k], set.SourceIndex.ToArray()));
        w.Add("compression_margin", new NdArray(NdType.Float64, [], new[] { eps }));
        w.AddText("metadata", MetadataJson(set, time));
        w.Commit();
    }

    /// <summary>Reads an .npz VOP file: vops [K, N, N] required; margin, source_index, compression_margin, metadata optional.</summary>
    public static VopSet ReadNpz(string path)
    {
        using var z = NpzArchive.Open(path);
        return FromArrays(path, name => z.Find(name) is { IsText: false } a ? a.Read() : null,
            name => z.Find(name) is { IsText: true } a ? a.ReadText() : null, string.Join(", ", z.Names), colMajor: false);
    }

    // ------------------------------------------------------------------ shared

    private static NdArray Squeeze(NdArray a) => new(a.Type, a.Shape[1..], a.Data);

    /// <summary>
    /// Full complex [k, N, N] array of the packed matrices times <paramref name="scale"/>; with <paramref name="transpose"/>
    /// element [c, a, b] holds M(b, a), so that MATLAB, reading the C-order [K, N, N] dataset column-major, sees M(a, b) at (a, b, c).
    /// </summary>
    internal static NdArray FullComplex(ReadOnlySpan<double> packed, int n, int k, bool transpose = false, double scale = 1)
    {
        var full = new double[(long)k * n * n * 2];
        for (int c = 0; c < k; c++)
        {
            var q = HermitianPacking.Unpack(packed.Slice(c * n * n, n * n), n);
            long o = (long)c * n * n * 2;
            for (int a = 0; a < n; a++)
                for (int b = 0; b < n; b++)
                {
                    var v = transpose ? q[b, a] : q[a, b];
                    full[o++] = v.Real * scale; full[o++] = v.Imaginary * scale;
                }
        }
        return new NdArray(NdType.Complex128, [k, n, n], full);
    }

    private static VopSet FromArrays(string path, Func<string, NdArray?> num, Func<string, string?> text, string names, bool colMajor)
    {
        string vname = colMajor ? "VOP" : "vops";
        var v = num(vname) ?? (colMajor ? num("VOPs") : num("VOP"))
            ?? throw new SarKitInputException($"{path}: no VOP array '{vname}' (variables: {names}).") { SourceFile = path, Dataset = vname };
        var shape = v.AxesReversed ? v.FileShape : v.Shape;
        int n, k;
        if (shape.Length == 2 && shape[0] == shape[1]) { n = shape[0]; k = 1; }
        else if (shape.Length == 3 && v.AxesReversed && shape[0] == shape[1]) { n = shape[0]; k = shape[2]; }
        else if (shape.Length == 3 && !v.AxesReversed && shape[1] == shape[2]) { n = shape[1]; k = shape[0]; }
        else throw new SarKitInputException($"{path}: {vname} has shape [{string.Join(",", shape)}], expected {(v.AxesReversed ? "N×N×K" : "[K, N, N]")}.") { SourceFile = path, Dataset = vname };
        double tol = v.Type is NdType.Complex64 or NdType.Float32 ? 1e-6 : 1e-9;
        var packed = new double[(long)k * n * n];
        QMatrixSources.PackFull(v.ToComplexInterleaved(), n, k, v.AxesReversed, tol, packed, path, vname, 0);

        Metadata? meta = null;
        var json = text(colMajor ? "sarkit_metadata" : "metadata");
        if (!string.IsNullOrWhiteSpace(json))
        {
            try { meta = JsonSerializer.Deserialize<Metadata>(json, JsonOptions); }
            catch (JsonException e) { throw new SarKitInputException($"{path}: metadata is not valid JSON: {e.Message}", e) { SourceFile = path }; }
        }
        double eps = meta?.MarginEpsilon ?? ScalarOrNull(num(colMajor ? "eps_G" : "compression_margin")) ?? 0;
        var margin = new double[n * n];
        // .mat: the exact margin Z (sarkit_margin, written by SarKit) when present, else Z = eps_G·Sglobal (MATLAB tools)
        var exactZ = colMajor ? num("sarkit_margin") : null;
        var zArr = exactZ ?? (colMajor ? num("Sglobal") : num("margin"));
        if (zArr is not null)
        {
            string zName = exactZ is not null ? "sarkit_margin" : colMajor ? "Sglobal" : "margin";
            if (zArr.Count != (long)n * n) throw new SarKitInputException($"{path}: margin matrix {zName} has {zArr.Count} elements, expected {n}×{n}.") { SourceFile = path, Dataset = zName };
            QMatrixSources.PackFull(zArr.ToComplexInterleaved(), n, 1, zArr.AxesReversed, tol, margin, path, zName, 0);
            if (colMajor && exactZ is null && eps > 0) for (int t = 0; t < margin.Length; t++) margin[t] *= eps;
        }
        int[] src;
        var idx = num(colMajor ? "VOPID" : "source_index");
        if (idx is not null && idx.Count == k)
            src = idx.ToDouble().Select(x => colMajor ? (int)x - 1 : (int)x).Select(x => x < 0 ? -1 : x).ToArray();
        else src = Enumerable.Repeat(-1, k).ToArray();

        var set = new VopSet(n, packed, src,
            new VopMargin(meta?.MarginKind is { } mk ? VopSetFile.ParseMarginKind(mk, path) : VopMarginKind.User, eps, margin),
            meta?.Criterion is { } cr ? VopSetFile.ParseCriterion(cr, path) : DominanceCriterion.ConvexCombination,
            meta?.Algorithm ?? $"imported from {Path.GetFileName(path)}",
            meta?.SourceCount ?? 0, meta?.SourceSha256 ?? "", meta?.SarWc ?? double.NaN,
            meta?.Normalisation is { } nm ? FieldNormalisationExtensions.Parse(nm, path) : FieldNormalisation.Unspecified);
        if (meta is not null) VopSetFile.CheckDeclared(path, set, meta.Channels, meta.Count, meta.Unit);
        if (meta?.Attributes is { } attrs) foreach (var (key, value) in attrs) set.Attributes[key] = value;
        if (meta?.Certificate is { } c) set.Certificate = c.ToCertificate(path);
        return set;
    }

    private static double? ScalarOrNull(NdArray? a) => a is { Count: 1, IsComplex: false } ? a.ToDouble()[0] : null;

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        // compile-time metadata first (Native AOT CLI; IoJsonContext), reflection in a JIT build for anything else
        TypeInfoResolver = IoJsonContext.Resolver,
    };

    /// <summary>
    /// The JSON metadata of .mat/.npz VOP files (the root attributes and /certificate of the HDF5 layout); <c>created_utc</c>
    /// is the time of <paramref name="time"/> (default <see cref="SarKitSettings.Time"/> of <see cref="SarKitSettings.Default"/>).
    /// </summary>
    public static string MetadataJson(VopSet set, TimeProvider? time = null) => JsonSerializer.Serialize(new Metadata
    {
        Format = VopSetFile.FormatId, FormatVersion = VopSetFile.FormatVersion, Channels = set.Channels, Count = set.Count,
        Criterion = VopSetFile.CriterionId(set.Criterion), Algorithm = set.Algorithm,
        MarginKind = set.Margin.Kind.ToString().ToLowerInvariant(), MarginEpsilon = set.Margin.Epsilon,
        SourceCount = set.SourceCount, SourceSha256 = set.SourceSha256, VopSha256 = VopSet.HashMatrices(set.Packed),
        SarWc = set.SarWorstCase, Normalisation = set.Normalisation.ToId(), Unit = $"W/kg per {set.Normalisation.DriveUnit()}^2",
        SarkitVersion = SarKitVersion.Current,
        CreatedUtc = (time ?? SarKitSettings.Default.Time).GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        Attributes = set.Attributes.Count > 0 ? new Dictionary<string, string>(set.Attributes) : null,
        Certificate = set.Certificate is { } c ? CertificateJson.From(c) : null,
    }, JsonOptions);

    internal sealed class Metadata
    {
        public string? Format { get; set; }
        public int FormatVersion { get; set; }
        public long? Channels { get; set; }
        public long? Count { get; set; }
        public string? Criterion { get; set; }
        public string? Algorithm { get; set; }
        public string? MarginKind { get; set; }
        public double? MarginEpsilon { get; set; }
        public long? SourceCount { get; set; }
        public string? SourceSha256 { get; set; }
        public string? VopSha256 { get; set; }
        public double? SarWc { get; set; }
        public string? Normalisation { get; set; }
        public string? Unit { get; set; }
        public string? SarkitVersion { get; set; }
        public string? CreatedUtc { get; set; }
        public Dictionary<string, string>? Attributes { get; set; }
        public CertificateJson? Certificate { get; set; }
    }

    internal sealed class CertificateJson
    {
        public bool Passed { get; set; }
        public string Criterion { get; set; } = "";
        public long MatricesChecked { get; set; }
        public long MatricesFailed { get; set; }
        public double LargestViolation { get; set; }
        public long LargestViolationIndex { get; set; }
        public double Tolerance { get; set; }
        public long RandomDrives { get; set; }
        public double RandomMaxRelativeUnderestimation { get; set; }
        public string SourceSha256 { get; set; } = "";
        public string VopSha256 { get; set; } = "";
        public string Verifier { get; set; } = "";
        public DateTime CreatedUtc { get; set; }
        public int? CertificateVersion { get; set; }
        public string? DigestSha256 { get; set; }
        public string? Signature { get; set; }
        public string? SignatureAlgorithm { get; set; }
        public string? SignerKeySha256 { get; set; }

        public static CertificateJson From(VopCertificate c) => new()
        {
            Passed = c.Passed, Criterion = VopSetFile.CriterionId(c.Criterion), MatricesChecked = c.MatricesChecked, MatricesFailed = c.MatricesFailed,
            LargestViolation = c.LargestViolation, LargestViolationIndex = c.LargestViolationIndex, Tolerance = c.Tolerance, RandomDrives = c.RandomDrives,
            RandomMaxRelativeUnderestimation = c.RandomMaxRelativeUnderestimation, SourceSha256 = c.SourceSha256, VopSha256 = c.VopSha256,
            Verifier = c.Verifier, CreatedUtc = c.CreatedUtc, CertificateVersion = c.Version, DigestSha256 = c.DigestSha256,
            Signature = c.Signature, SignatureAlgorithm = c.Signature is null ? null : VopSignature.Algorithm, SignerKeySha256 = c.SignerKeySha256,
        };

        public VopCertificate ToCertificate(string path) => new()
        {
            Passed = Passed, Criterion = VopSetFile.ParseCriterion(Criterion, path), MatricesChecked = MatricesChecked, MatricesFailed = MatricesFailed,
            LargestViolation = LargestViolation, LargestViolationIndex = LargestViolationIndex, Tolerance = Tolerance, RandomDrives = RandomDrives,
            RandomMaxRelativeUnderestimation = RandomMaxRelativeUnderestimation, SourceSha256 = SourceSha256, VopSha256 = VopSha256,
            Verifier = Verifier, CreatedUtc = DateTime.SpecifyKind(CreatedUtc, DateTimeKind.Utc),
            Version = Math.Max(0, CertificateVersion ?? 1), DigestSha256 = DigestSha256 ?? "", Signature = Signature, SignerKeySha256 = SignerKeySha256,
        };
    }
}
