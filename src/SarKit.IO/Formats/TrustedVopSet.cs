using SarKit.Compression;

namespace SarKit.IO.Formats;

/// <summary>What a loaded VOP set's validity rests on (docs/vop-format.md "Trust levels"); several can hold at once.</summary>
[Flags]
public enum VopGuarantee
{
    /// <summary>Nothing checked (never returned by <see cref="TrustedVopSet.Load"/>).</summary>
    None = 0,
    /// <summary>The certificate digest matches the file: detects accidental corruption only.</summary>
    Digest = 1,
    /// <summary>The digest carries a valid ECDSA P-256 signature by the trusted key: detects tampering by anyone without the private key.</summary>
    Signature = 2,
    /// <summary>Dominance was re-proven in this run against the original Q-matrices, whose SHA-256 equals the one bound in the certificate.</summary>
    ReVerified = 4,
}

/// <summary>Options of <see cref="TrustedVopSet.Load"/>.</summary>
public sealed record TrustedVopSetOptions
{
    /// <summary>Public key PEM (SubjectPublicKeyInfo, P-256): the set must carry a valid signature by it.</summary>
    public string? TrustedKeyPath { get; init; }
    /// <summary>Original Q-matrix files (<see cref="QMatrixSources.OpenMany"/>): dominance is re-verified against them.</summary>
    public IReadOnlyList<string>? Originals { get; init; }
    /// <summary>Variable of the originals in .mat/.npz inputs.</summary>
    public string? OriginalsVariable { get; init; }
    /// <summary>Verifier settings of the re-verification (default: the certificate's relative tolerance, no random drives — the CC proof is the guarantee).</summary>
    public VopVerifierOptions? Verifier { get; init; }
    /// <summary>
    /// Accept a set whose Q-matrices are not a simulation of the true SAR (<see cref="VopSarBasis.IsNotTrueSar"/>, e.g. a
    /// surrogate's predicted Q-matrices). Default false: such a set is refused (fail closed); the caller must opt in
    /// explicitly (CLI <c>--accept-surrogate-vops</c>), and the set's label then travels with every result.
    /// </summary>
    public bool AcceptNotTrueSar { get; init; }
}

/// <summary>
/// A VOP set loaded for supervision with an explicit trust level (issue 14): the file is read (.h5, .mat or .npz), its
/// certificate must be valid (<see cref="VopSet.HasValidCertificate"/>: current form, passed, 0 failed, digest matches);
/// with a trusted key its signature must verify (<see cref="VopSignature"/>); with the originals, dominance is re-proven by
/// <see cref="VopVerifier"/> (convex-combination criterion for every original matrix) and the originals' SHA-256 must equal
/// the one bound in the certificate. Any failure is a refusal (<see cref="SarKitInputException"/>, exit 2).
/// </summary>
public sealed class TrustedVopSet
{
    private TrustedVopSet(VopSet set, string source, VopGuarantee guarantees, string? signer, VopVerificationResult? reverification, string? originals)
    {
        Set = set; Source = source; Guarantees = guarantees; SignerKeySha256 = signer; Reverification = reverification; OriginalsDescription = originals;
    }

    /// <summary>The validated VOP set.</summary>
    public VopSet Set { get; }
    /// <summary>The file it came from.</summary>
    public string Source { get; }
    /// <summary>What the validity rests on.</summary>
    public VopGuarantee Guarantees { get; }
    /// <summary>Key id of the verified signer (SHA-256 of its SubjectPublicKeyInfo), or null.</summary>
    public string? SignerKeySha256 { get; }
    /// <summary>Result of the re-verification against the originals, or null.</summary>
    public VopVerificationResult? Reverification { get; }
    /// <summary>The originals re-verified against, or null.</summary>
    public string? OriginalsDescription { get; }

    /// <summary>One line naming the guarantee the set is trusted on, for reports (docs/vop-format.md "Trust levels").</summary>
    public string Statement
    {
        get
        {
            var parts = new List<string>();
            // a surrogate-derived set is never presented as a true-SAR guarantee (docs/vop-format.md "SAR basis")
            var basis = VopSarBasis.Describe(Set) is { } b ? $"{b}; the guarantee below covers the surrogate's predicted Q-matrices only: " : "";
            if (Guarantees.HasFlag(VopGuarantee.ReVerified))
                parts.Add($"dominance re-verified against {OriginalsDescription} ({Reverification!.Certificate.MatricesChecked} matrices, CC proof; source SHA-256 matches the certificate)");
            if (Guarantees.HasFlag(VopGuarantee.Signature))
                parts.Add($"ECDSA P-256 signature by trusted key {SignerKeySha256![..16]}… verified");
            if (parts.Count == 0)
                return basis + "certificate digest only (detects accidental corruption, not deliberate tampering; give --trusted-key or --q for more)";
            return basis + string.Join(" + ", parts);
        }
    }

    /// <summary>Loads and validates <paramref name="path"/>; throws <see cref="SarKitInputException"/> when any requested check fails.</summary>
    public static TrustedVopSet Load(string path, TrustedVopSetOptions? options = null, IProgress<VopVerificationProgress>? progress = null,
                                     CancellationToken cancellationToken = default)
    {
        var o = options ?? new TrustedVopSetOptions();
        var set = VopSetFiles.Read(path);
        if (!set.HasValidCertificate(out var why))
            throw new SarKitInputException($"{path}: refusing an uncertified VOP set: {why}.") { SourceFile = path };
        if (VopSarBasis.IsNotTrueSar(set) && !o.AcceptNotTrueSar)
            throw new SarKitInputException($"{path}: refusing the VOP set: attribute '{VopSarBasis.AttributeKey}' = '{set.Attributes[VopSarBasis.AttributeKey]}': {VopSarBasis.Describe(set)}. " +
                "Supervision against it needs an explicit --accept-surrogate-vops.") { SourceFile = path };
        var g = VopGuarantee.Digest;
        string? signer = null;
        if (o.TrustedKeyPath is { } kp)
        {
            using var key = VopSignature.LoadPublicKey(kp);
            if (!VopSignature.Verify(set, key, out var sigWhy))
                throw new SarKitInputException($"{path}: refusing the VOP set: --trusted-key {kp}: {sigWhy}.") { SourceFile = path };
            g |= VopGuarantee.Signature;
            signer = VopSignature.KeyId(key);
        }
        VopVerificationResult? r = null;
        string? desc = null;
        if (o.Originals is { Count: > 0 } qs)
        {
            using var src = QMatrixSources.OpenMany(qs, o.OriginalsVariable);
            desc = src.Description;
            r = Reverify(set, src, path, o.Verifier, progress, cancellationToken);
            g |= VopGuarantee.ReVerified;
        }
        return new TrustedVopSet(set, path, g, signer, r, desc);
    }

    /// <summary>
    /// Re-proves dominance of a set with a valid certificate against <paramref name="originals"/> and checks that their SHA-256
    /// and count are the ones bound in the certificate; throws <see cref="SarKitInputException"/> otherwise.
    /// </summary>
    public static VopVerificationResult Reverify(VopSet set, IQMatrixSource originals, string source, VopVerifierOptions? options = null,
                                                 IProgress<VopVerificationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var c = set.Certificate ?? throw new SarKitInputException($"{source}: the VOP set has no certificate.") { SourceFile = source };
        if (originals.Channels != set.Channels)
            throw new SarKitInputException($"{originals.Description}: the Q-matrices have {originals.Channels} channels, the VOP set {source} has {set.Channels}.") { SourceFile = originals.Description };
        var opts = options ?? new VopVerifierOptions
        {
            RandomDrives = 0,
            RelativeTolerance = set.SarWorstCase > 0 && c.Tolerance >= 0 ? c.Tolerance / set.SarWorstCase : 1e-9,
        };
        var r = VopVerifier.Verify(set, originals, opts, progress, cancellationToken);
        if (r.SourceSha256 != c.SourceSha256)
            throw new SarKitInputException($"{source}: the original Q-matrices {originals.Description} (SHA-256 {r.SourceSha256[..12]}…) are not the set bound in the certificate ({(c.SourceSha256.Length >= 12 ? c.SourceSha256[..12] : c.SourceSha256)}…).") { SourceFile = source };
        if (!r.Certificate.Passed || r.Certificate.MatricesFailed != 0)
            throw new SarKitInputException($"{source}: re-verification against {originals.Description} FAILED: {string.Join(" ", r.Problems)}") { SourceFile = source };
        return r;
    }
}
