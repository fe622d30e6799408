using SarKit.Compression;
using SarKit.Fields;
using SarKit.IO;

namespace SarKit.Supervision;

/// <summary>
/// Turns VOP sets, full Q-matrix sets and region Q files into <see cref="SarObservable"/>s, failing closed: a VOP set
/// without a valid certificate (<see cref="VopSet.HasValidCertificate"/>) or matrices without a known drive unit are refused.
/// </summary>
public static class SupervisionMatrixSets
{
    /// <summary>Drive unit of a normalisation; refuses <see cref="FieldNormalisation.Unspecified"/>.</summary>
    public static string DriveUnitOf(FieldNormalisation n, string source) => n == FieldNormalisation.Unspecified
        ? throw new SarKitInputException($"{source}: the matrices have no drive normalisation (unit unknown); SAR supervision needs W/kg per V², √W² or A².")
        : DriveUnits.Normalise(n.DriveUnit(), source);

    /// <summary>Local SAR observable from a certified VOP set; throws when the certificate is missing, failed or does not match.</summary>
    public static SarObservable FromVops(VopSet vops, SarMetric metric, string source)
    {
        if (!vops.HasValidCertificate(out var why))
            throw new SarKitInputException($"{source}: refusing an uncertified VOP set: {why}.") { SourceFile = source };
        return new SarObservable($"VOPs ({Path.GetFileName(source)})", metric, vops.Channels, vops.Packed, DriveUnitOf(vops.Normalisation, source));
    }

    /// <summary>
    /// Local SAR observable from a VOP file (.h5, .mat, .npz) loaded with an explicit trust level (<see cref="TrustedVopSet"/>):
    /// the certificate must be valid; with <paramref name="trustedKeyPath"/> it must be signed by that key; with
    /// <paramref name="originalQPath"/> dominance is re-verified against those Q-matrices. The observable's name states the
    /// guarantee relied on. Null when <paramref name="vopPath"/> is null (a trusted key without a VOP set is refused).
    /// </summary>
    public static SarObservable? FromVopFile(string? vopPath, string? originalQPath, string? trustedKeyPath, SarMetric metric)
    {
        if (vopPath is null)
        {
            if (trustedKeyPath is not null) throw new SarKitInputException($"--trusted-key {trustedKeyPath}: give the signed VOP set with --vops.");
            return null;
        }
        var t = TrustedVopSet.Load(vopPath, new TrustedVopSetOptions { TrustedKeyPath = trustedKeyPath, Originals = originalQPath is null ? null : [originalQPath] });
        return FromVops(t, metric);
    }

    /// <summary>Local SAR observable from a VOP set validated by <see cref="TrustedVopSet.Load"/>; the name carries <see cref="TrustedVopSet.Statement"/>.</summary>
    public static SarObservable FromVops(TrustedVopSet vops, SarMetric metric) =>
        new($"VOPs ({Path.GetFileName(vops.Source)}; guarantee: {vops.Statement})", metric, vops.Set.Channels, vops.Set.Packed,
            DriveUnitOf(vops.Set.Normalisation, vops.Source));

    /// <summary>Local SAR observable from all Q-matrices of a set (exact, no certificate needed).</summary>
    public static SarObservable FromQSet(QMatrixSetData q, SarMetric metric, string source) =>
        new($"all Q-matrices ({Path.GetFileName(source)})", metric, q.Channels, q.Packed, DriveUnitOf(q.Normalisation, source));

    /// <summary>Observables of a global Q file: whole_body, head, exposed (partial body).</summary>
    public static List<SarObservable> FromGlobal(string path)
    {
        var (norm, n, regions) = GlobalQFile.Read(path);
        string unit = DriveUnitOf(norm, path);
        var res = new List<SarObservable>();
        foreach (var r in regions)
        {
            var metric = r.Region.ToLowerInvariant() switch
            {
                "whole_body" or "body" => SarMetric.WholeBody,
                "head" => SarMetric.Head,
                "exposed" or "partial_body" => SarMetric.PartialBody,
                _ => throw new SarKitInputException($"{path}: unknown region '{r.Region}' (expected whole_body, head or exposed).") { SourceFile = path },
            };
            res.Add(new SarObservable($"{r.Region} Q ({Path.GetFileName(path)})", metric, n, r.Packed, unit, r.MassKg));
        }
        return res;
    }

    /// <summary>Single-channel B1-to-SAR calibration k (W/kg per µT²) as a 1×1 matrix in µT.</summary>
    public static SarObservable FromB1Calibration(SarMetric metric, double wPerKgPerMicroTesla2)
    {
        if (!(wPerKgPerMicroTesla2 >= 0) || !double.IsFinite(wPerKgPerMicroTesla2))
            throw new SarKitInputException($"B1-to-SAR calibration for {metric.Id()} = {wPerKgPerMicroTesla2} W/kg/µT² must be a non-negative number.");
        return new SarObservable($"B1 calibration {metric.Id()}", metric, 1, [wPerKgPerMicroTesla2], "uT");
    }
}
