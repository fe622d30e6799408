using System.Globalization;
using System.Numerics;
using SarKit.Compression;
using SarKit.Fields;
using SarKit.IO.Hdf5;
using SarKit.Sar;
using SarKit.IO.Arrays;
using SarKit.Reporting;

namespace SarKit.IO.Formats;

/// <summary>
/// Reads and writes VOP sets in the SarKit HDF5 layout (docs/vop-format.md): the VOPs as a complex [K, N, N] array, the
/// margin matrix, the index of the original matrix each VOP came from, and the provenance and certificate as root
/// attributes. Writes go to a temporary file that is renamed over the target.
/// </summary>
public static class VopSetFile
{
    public const string FormatId = "sarkit-vops";
    public const int FormatVersion = 1;

    /// <summary>Writes <paramref name="set"/> to <paramref name="path"/> (HDF5; temporary file, then rename); <c>created_utc</c> from <paramref name="time"/> (default <see cref="SarKitSettings.Time"/> of <see cref="SarKitSettings.Default"/>).</summary>
    public static void Write(VopSet set, string path, TimeProvider? time = null)
    {
        var now = (time ?? SarKitSettings.Default.Time).GetUtcNow().UtcDateTime;
        int n = set.Channels, k = set.Count;
        AtomicFile.WriteAtomically(path, tmp =>
        {
            using var f = Hdf5File.Create(tmp);
            f.WriteAttribute("/", "sarkit_format", FormatId);
            f.WriteAttribute("/", "sarkit_format_version", FormatVersion);
            f.WriteAttribute("/", "channels", n);
            f.WriteAttribute("/", "count", k);
            f.WriteAttribute("/", "criterion", CriterionId(set.Criterion));
            f.WriteAttribute("/", "algorithm", set.Algorithm);
            f.WriteAttribute("/", "margin_kind", set.Margin.Kind.ToString().ToLowerInvariant());
            f.WriteAttribute("/", "margin_epsilon", set.Margin.Epsilon);
            f.WriteAttribute("/", "source_count", set.SourceCount);
            f.WriteAttribute("/", "source_sha256", set.SourceSha256);
            f.WriteAttribute("/", "vop_sha256", VopSet.HashMatrices(set.Packed));
            f.WriteAttribute("/", "sar_wc", set.SarWorstCase);
            f.WriteAttribute("/", "normalisation", set.Normalisation.ToId());
            f.WriteAttribute("/", "unit", $"W/kg per {set.Normalisation.DriveUnit()}^2");
            f.WriteAttribute("/", "sarkit_version", SarKitVersion.Current);
            f.WriteAttribute("/", "created_utc", now.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
            foreach (var (key, value) in set.Attributes) f.WriteAttribute("/", "attr_" + key, value);
            f.WriteDataset("/vops", VopSetFiles.FullComplex(set.Packed, n, k), Hdf5WriteOptions.Compressed);
            var mz = VopSetFiles.FullComplex(set.Margin.Packed, n, 1);
            f.WriteDataset("/margin", new NdArray(NdType.Complex128, [n, n], (double[])mz.Data));
            f.WriteDataset("/source_index", new NdArray(NdType.Int32, [k], set.SourceIndex.ToArray()));
            if (set.Certificate is { } c)
            {
                f.CreateGroup("/certificate");
                f.WriteAttribute("/certificate", "passed", c.Passed ? 1 : 0);
                f.WriteAttribute("/certificate", "criterion", CriterionId(c.Criterion));
                f.WriteAttribute("/certificate", "matrices_checked", c.MatricesChecked);
                f.WriteAttribute("/certificate", "matrices_failed", c.MatricesFailed);
                f.WriteAttribute("/certificate", "largest_violation", c.LargestViolation);
                f.WriteAttribute("/certificate", "largest_violation_index", c.LargestViolationIndex);
                f.WriteAttribute("/certificate", "tolerance", c.Tolerance);
                f.WriteAttribute("/certificate", "random_drives", c.RandomDrives);
                f.WriteAttribute("/certificate", "random_max_relative_underestimation", c.RandomMaxRelativeUnderestimation);
                f.WriteAttribute("/certificate", "source_sha256", c.SourceSha256);
                f.WriteAttribute("/certificate", "vop_sha256", c.VopSha256);
                f.WriteAttribute("/certificate", "verifier", c.Verifier);
                f.WriteAttribute("/certificate", "created_utc", c.CreatedUtc.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
                f.WriteAttribute("/certificate", "certificate_version", c.Version);
                f.WriteAttribute("/certificate", "digest_sha256", c.DigestSha256);
                if (c.Signature is { } sig)
                {
                    f.WriteAttribute("/certificate", "signature", sig);
                    f.WriteAttribute("/certificate", "signature_algorithm", VopSignature.Algorithm);
                    f.WriteAttribute("/certificate", "signer_key_sha256", c.SignerKeySha256 ?? "");
                }
            }
        });
    }

    /// <summary>Reads a VOP file written by <see cref="Write"/>; checks shapes and that every VOP is Hermitian.</summary>
    public static VopSet Read(string path)
    {
        if (!File.Exists(path)) throw new SarKitInputException($"{path}: VOP file not found.") { SourceFile = path };
        using var f = Hdf5File.OpenRead(path);
        if (!f.HasAttribute("/", "sarkit_format") || f.ReadStringAttribute("/", "sarkit_format") != FormatId)
            throw new SarKitInputException($"{path}: not a SarKit VOP file (root attribute sarkit_format is not '{FormatId}').") { SourceFile = path };
        var v = f.ReadDataset("/vops");
        if (v.Rank != 3 || v.Shape[1] != v.Shape[2])
            throw new SarKitInputException($"{path}: /vops has shape [{string.Join(",", v.Shape)}], expected [K, N, N].") { SourceFile = path, Dataset = "/vops" };
        int k = v.Shape[0], n = v.Shape[1];
        var packed = Pack(v.ToComplexInterleaved(), n, k, path, "/vops");
        var m = f.ReadDataset("/margin");
        if (m.Rank != 2 || m.Shape[0] != n || m.Shape[1] != n)
            throw new SarKitInputException($"{path}: /margin has shape [{string.Join(",", m.Shape)}], expected [{n}, {n}].") { SourceFile = path, Dataset = "/margin" };
        var margin = Pack(m.ToComplexInterleaved(), n, 1, path, "/margin");
        var src = f.ReadDataset("/source_index").ToDouble().Select(x => (int)x).ToArray();
        if (src.Length != k) throw new SarKitInputException($"{path}: /source_index has {src.Length} entries, expected {k}.") { SourceFile = path, Dataset = "/source_index" };
        var set = new VopSet(n, packed, src,
            new VopMargin(ParseMarginKind(f.ReadStringAttribute("/", "margin_kind"), path), f.ReadScalarAttribute("/", "margin_epsilon"), margin),
            ParseCriterion(f.ReadStringAttribute("/", "criterion"), path), f.ReadStringAttribute("/", "algorithm"),
            ReadInteger(f, "/", "source_count", path), f.ReadStringAttribute("/", "source_sha256"), f.ReadScalarAttribute("/", "sar_wc"),
            FieldNormalisationExtensions.Parse(f.ReadStringAttribute("/", "normalisation"), path));
        CheckDeclared(path, set, f.HasAttribute("/", "channels") ? ReadInteger(f, "/", "channels", path) : null,
            f.HasAttribute("/", "count") ? ReadInteger(f, "/", "count", path) : null, f.HasAttribute("/", "unit") ? f.ReadStringAttribute("/", "unit") : null);
        foreach (var a in f.AttributeNames("/"))
            if (a.StartsWith("attr_", StringComparison.Ordinal)) set.Attributes[a[5..]] = f.ReadStringAttribute("/", a);
        if (f.Exists("/certificate"))
        {
            const string c = "/certificate";
            long passed = ReadInteger(f, c, "passed", path);
            if (passed is not (0 or 1)) throw new SarKitInputException($"{path}: /certificate attribute 'passed' = {passed}, expected 0 or 1.") { SourceFile = path, Dataset = c };
            set.Certificate = new VopCertificate
            {
                Passed = passed == 1,
                Criterion = ParseCriterion(f.ReadStringAttribute(c, "criterion"), path),
                MatricesChecked = ReadInteger(f, c, "matrices_checked", path),
                MatricesFailed = ReadInteger(f, c, "matrices_failed", path),
                LargestViolation = f.ReadScalarAttribute(c, "largest_violation"),
                LargestViolationIndex = ReadInteger(f, c, "largest_violation_index", path),
                Tolerance = f.ReadScalarAttribute(c, "tolerance"),
                RandomDrives = ReadInteger(f, c, "random_drives", path),
                RandomMaxRelativeUnderestimation = f.ReadScalarAttribute(c, "random_max_relative_underestimation"),
                SourceSha256 = f.ReadStringAttribute(c, "source_sha256"),
                VopSha256 = f.ReadStringAttribute(c, "vop_sha256"),
                Verifier = f.ReadStringAttribute(c, "verifier"),
                CreatedUtc = ParseTime(f.ReadStringAttribute(c, "created_utc"), path),
                Version = f.HasAttribute(c, "certificate_version") ? (int)Math.Clamp(ReadInteger(f, c, "certificate_version", path), 0, int.MaxValue) : 1,
                DigestSha256 = f.HasAttribute(c, "digest_sha256") ? f.ReadStringAttribute(c, "digest_sha256") : "",
                Signature = f.HasAttribute(c, "signature") ? f.ReadStringAttribute(c, "signature") : null,
                SignerKeySha256 = f.HasAttribute(c, "signer_key_sha256") ? f.ReadStringAttribute(c, "signer_key_sha256") : null,
            };
        }
        return set;
    }

    /// <summary>
    /// Refuses a file whose declared channel count, VOP count or unit disagree with its arrays and normalisation (the unit
    /// is derived from the normalisation, <see cref="VopSet.Unit"/>, and bound in the certificate digest through it).
    /// </summary>
    internal static void CheckDeclared(string path, VopSet set, long? channels, long? count, string? unit)
    {
        if (channels is { } n && n != set.Channels)
            throw new SarKitInputException($"{path}: 'channels' = {n}, but the VOP matrices are {set.Channels}×{set.Channels}.") { SourceFile = path };
        if (count is { } k && k != set.Count)
            throw new SarKitInputException($"{path}: 'count' = {k}, but the file holds {set.Count} VOPs.") { SourceFile = path };
        if (unit is not null && unit != set.Unit)
            throw new SarKitInputException($"{path}: 'unit' = '{unit}' does not match the normalisation '{set.Normalisation.ToId()}' (expected '{set.Unit}').") { SourceFile = path };
    }

    /// <summary>A numeric attribute that must hold one integer (refuses NaN, fractions and values beyond ±2⁵³).</summary>
    private static long ReadInteger(Hdf5File f, string obj, string name, string path)
    {
        double v = f.ReadScalarAttribute(obj, name);
        if (!double.IsFinite(v) || v != Math.Floor(v) || Math.Abs(v) > 9007199254740992.0)
            throw new SarKitInputException($"{path}: {obj} attribute '{name}' = {v}, expected an integer.") { SourceFile = path, Dataset = obj };
        return (long)v;
    }

    internal static DateTime ParseTime(string s, string path)
    {
        if (!DateTime.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t))
            throw new SarKitInputException($"{path}: certificate created_utc '{s}' is not a UTC time (yyyy-MM-ddTHH:mm:ssZ).") { SourceFile = path };
        return DateTime.SpecifyKind(t, DateTimeKind.Utc);
    }

    public static string CriterionId(DominanceCriterion c) => c switch
    {
        DominanceCriterion.Single => "single",
        DominanceCriterion.ConvexCombination => "cc",
        DominanceCriterion.ConvexOptimization => "co",
        _ => throw new ArgumentOutOfRangeException(nameof(c)),
    };

    public static DominanceCriterion ParseCriterion(string s, string? file = null) => s.ToLowerInvariant() switch
    {
        "single" => DominanceCriterion.Single,
        "cc" => DominanceCriterion.ConvexCombination,
        "co" => DominanceCriterion.ConvexOptimization,
        _ => throw new SarKitInputException($"{file}: unknown dominance criterion '{s}' (expected single, cc or co).") { SourceFile = file },
    };

    public static VopMarginKind ParseMarginKind(string s, string? file = null) => s.ToLowerInvariant() switch
    {
        "diagonal" => VopMarginKind.Diagonal,
        "global" => VopMarginKind.Global,
        "user" => VopMarginKind.User,
        _ => throw new SarKitInputException($"{file}: unknown margin kind '{s}' (expected diagonal, global or user).") { SourceFile = file },
    };

    private static double[] Pack(double[] interleaved, int n, int k, string path, string dataset)
    {
        var packed = new double[(long)k * n * n];
        QMatrixSources.PackFull(interleaved, n, k, columnMajor: false, relTol: 1e-9, packed, path, dataset, 0);
        return packed;
    }
}
