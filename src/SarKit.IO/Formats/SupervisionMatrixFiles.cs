using SarKit.Compression;
using SarKit.Supervision;

namespace SarKit.IO.Formats;

/// <summary>
/// <see cref="SarObservable"/>s from files: VOP files loaded with an explicit trust level (<see cref="TrustedVopSet"/>),
/// Q-matrix sets and global (whole-body, head, exposed) Q files; the in-memory rules are in <see cref="SupervisionMatrixSets"/>.
/// </summary>
public static class SupervisionMatrixFiles
{
    /// <summary>
    /// Local SAR observable from a VOP file (.h5, .mat, .npz) loaded with an explicit trust level (<see cref="TrustedVopSet"/>):
    /// the certificate must be valid; with <paramref name="trustedKeyPath"/> it must be signed by that key; with
    /// <paramref name="originalQPath"/> dominance is re-verified against those Q-matrices. The observable's name states the
    /// guarantee relied on. Null when <paramref name="vopPath"/> is null (a trusted key without a VOP set is refused). A set
    /// that is not of true SAR (surrogate-derived) is refused unless <paramref name="acceptNotTrueSar"/>.
    /// </summary>
    public static SarObservable? FromVopFile(string? vopPath, string? originalQPath, string? trustedKeyPath, SarMetric metric, bool acceptNotTrueSar = false)
    {
        if (vopPath is null)
        {
            if (trustedKeyPath is not null) throw new SarKitInputException($"--trusted-key {trustedKeyPath}: give the signed VOP set with --vops.");
            return null;
        }
        var t = TrustedVopSet.Load(vopPath, new TrustedVopSetOptions { TrustedKeyPath = trustedKeyPath, Originals = originalQPath is null ? null : [originalQPath], AcceptNotTrueSar = acceptNotTrueSar });
        return FromVops(t, metric);
    }

    /// <summary>Local SAR observable from a VOP set validated by <see cref="TrustedVopSet.Load"/>; the name carries <see cref="TrustedVopSet.Statement"/>.</summary>
    public static SarObservable FromVops(TrustedVopSet vops, SarMetric metric) =>
        new($"VOPs ({Path.GetFileName(vops.Source)}; guarantee: {vops.Statement})", metric, vops.Set.Channels, vops.Set.Packed,
            SupervisionMatrixSets.DriveUnitOf(vops.Set.Normalisation, vops.Source));

    /// <summary>Local SAR observable from all Q-matrices of a set (exact, no certificate needed).</summary>
    public static SarObservable FromQSet(QMatrixSetData q, SarMetric metric, string source) =>
        new($"all Q-matrices ({Path.GetFileName(source)})", metric, q.Channels, q.Packed, SupervisionMatrixSets.DriveUnitOf(q.Normalisation, source));

    /// <summary>Observables of a global Q file: whole_body, head, exposed (partial body).</summary>
    public static List<SarObservable> FromGlobal(string path)
    {
        var (norm, n, regions) = GlobalQFile.Read(path);
        string unit = SupervisionMatrixSets.DriveUnitOf(norm, path);
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
}
