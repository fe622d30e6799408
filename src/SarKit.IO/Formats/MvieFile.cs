using System.Globalization;
using System.Numerics;
using SarKit.Constraints;
using SarKit.Fields;
using SarKit.IO.Hdf5;
using SarKit.Sar;
using SarKit.IO.Arrays;
using SarKit.Numerics.LinearAlgebra;
using SarKit.Reporting;

namespace SarKit.IO.Formats;

/// <summary>An MVIE matrix read back from <see cref="MvieFile"/>.</summary>
public sealed record MvieFileData(int Channels, double[] Packed, double LogDet, double CertificateMaxRatio, bool CertificatePassed, string Regularisation,
                                  double PowerFloor, FieldNormalisation Normalisation, IReadOnlyDictionary<string, string> Attributes);

/// <summary>
/// HDF5 file of a single MVIE SAR matrix (docs/mvie.md): /matrix complex128 [N, N] (row i, column j = A_ij, W/kg per drive
/// unit²), root attributes sarkit_format = "sarkit-mvie", channels, unit, normalisation, log_det, certificate_max_ratio
/// (max_i λ_max(A⁻¹Q_i) over every source matrix), certificate_passed, certificate_scale, dominance_failures, regularisation,
/// power_floor, source count and hash, power-fraction statistics and the solver statistics.
/// </summary>
public static class MvieFile
{
    public const string FormatId = "sarkit-mvie";

    /// <summary>Writes the result (temporary file, then rename); <c>created_utc</c> from <paramref name="time"/> (default <see cref="SarKitSettings.Time"/> of <see cref="SarKitSettings.Default"/>).</summary>
    public static void Write(string path, MvieResult r, FieldNormalisation normalisation, MviePowerLoss? loss, IReadOnlyDictionary<string, string>? attributes = null,
                             TimeProvider? time = null)
    {
        var now = (time ?? SarKitSettings.Default.Time).GetUtcNow().UtcDateTime;
        int n = r.Channels;
        AtomicFile.WriteAtomically(path, tmp =>
        {
            using var f = Hdf5File.Create(tmp);
            f.WriteAttribute("/", "sarkit_format", FormatId);
            f.WriteAttribute("/", "sarkit_format_version", 1);
            f.WriteAttribute("/", "channels", n);
            f.WriteAttribute("/", "normalisation", normalisation.ToId());
            f.WriteAttribute("/", "unit", $"W/kg per {normalisation.DriveUnit()}^2");
            f.WriteAttribute("/", "meaning", "single SAR constraint x^H A x <= limit implying x^H Q_i x <= limit for every source matrix (A >= Q_i)");
            f.WriteAttribute("/", "log_det", r.LogDet);
            f.WriteAttribute("/", "certificate_max_ratio", r.CertificateMaxRatio);
            f.WriteAttribute("/", "certificate_argmax", r.CertificateArgMax);
            f.WriteAttribute("/", "certificate_passed", r.CertificatePassed ? 1 : 0);
            f.WriteAttribute("/", "certificate_scale", r.CertificateScale);
            f.WriteAttribute("/", "dominance_failures", r.DominanceFailures);
            f.WriteAttribute("/", "regularisation", r.Regularisation);
            f.WriteAttribute("/", "power_floor", r.PowerFloor);
            f.WriteAttribute("/", "unbounded", r.Unbounded ? 1 : 0);
            f.WriteAttribute("/", "source_count", r.Count);
            f.WriteAttribute("/", "sar_worst_case", r.SarWorstCase);
            f.WriteAttribute("/", "contacts", r.ContactCount);
            f.WriteAttribute("/", "method", r.Method);
            f.WriteAttribute("/", "sarkit_version", SarKitVersion.Current);
            f.WriteAttribute("/", "created_utc", now.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
            if (loss is not null)
            {
                f.WriteAttribute("/", "power_fraction_samples", loss.Samples);
                f.WriteAttribute("/", "power_fraction_max", loss.MaxFraction);
                f.WriteAttribute("/", "power_fraction_mean", loss.MeanFraction);
                f.WriteAttribute("/", "power_fraction_min", loss.MinFraction);
                f.WriteAttribute("/", "sqrt_n_outer_bound_holds", loss.OuterBoundHolds ? 1 : 0);
            }
            if (attributes is not null) foreach (var kv in attributes) f.WriteAttribute("/", kv.Key, kv.Value);
            var a = HermitianPacking.Unpack(r.Packed, n);
            var full = new double[2 * n * n];
            for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) { full[2 * (i * n + j)] = a[i, j].Real; full[2 * (i * n + j) + 1] = a[i, j].Imaginary; }
            f.WriteDataset("/matrix", new NdArray(NdType.Complex128, [n, n], full));
        });
    }

    /// <summary>Reads an MVIE file; checks format, shape and Hermitian symmetry.</summary>
    public static MvieFileData Read(string path)
    {
        using var f = Hdf5File.OpenRead(path);
        if (!f.HasAttribute("/", "sarkit_format") || f.ReadStringAttribute("/", "sarkit_format") != FormatId)
            throw new SarKitInputException($"{path}: not a SarKit MVIE file (root attribute sarkit_format is not '{FormatId}').") { SourceFile = path };
        var m = f.ReadDataset("/matrix");
        if (m.Rank != 2 || m.Shape[0] != m.Shape[1])
            throw new SarKitInputException($"{path}: /matrix has shape [{string.Join(",", m.Shape)}], expected [N, N].") { SourceFile = path, Dataset = "/matrix" };
        int n = m.Shape[0];
        var z = m.ToComplexInterleaved();
        var q = new Complex[n, n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) q[i, j] = new Complex(z[2 * (i * n + j)], z[2 * (i * n + j) + 1]);
        for (int i = 0; i < n; i++) for (int j = i; j < n; j++)
            if ((q[i, j] - Complex.Conjugate(q[j, i])).Magnitude > 1e-9 * q[0, 0].Magnitude + 1e-300)
                throw new SarKitInputException($"{path}: /matrix is not Hermitian at [{i},{j}].") { SourceFile = path, Dataset = "/matrix" };
        var attrs = new Dictionary<string, string>();
        foreach (var a in f.AttributeNames("/")) attrs[a] = Convert.ToString(f.ReadAttributeValue("/", a), CultureInfo.InvariantCulture) ?? "";
        return new MvieFileData(n, HermitianPacking.Pack(q), f.ReadScalarAttribute("/", "log_det"), f.ReadScalarAttribute("/", "certificate_max_ratio"),
            f.ReadScalarAttribute("/", "certificate_passed") != 0, f.ReadStringAttribute("/", "regularisation"), f.ReadScalarAttribute("/", "power_floor"),
            FieldNormalisationExtensions.Parse(f.ReadStringAttribute("/", "normalisation"), path), attrs);
    }
}
