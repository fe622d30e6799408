using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Compression;

/// <summary>
/// Compression of in-memory Q-matrices followed by the independent certificate against the same matrices
/// (<see cref="VopCompressor.Compress"/> then <see cref="VopVerifier.Certify"/>; docs/vop-cli.md "Certificate"): the step
/// shared by `sarkit vop compress` and `sarkit surrogate predict --vops-out`. The caller writes the set
/// (<c>SarKit.IO.Formats.VopSetFiles.Write</c>) only when <see cref="VopVerificationResult.Certificate"/> passed.
/// </summary>
public static class CertifiedVopCompression
{
    /// <summary>Compresses <paramref name="packed"/> (K·N², <see cref="SarKit.Numerics.LinearAlgebra.HermitianPacking"/>) and certifies the result against it.</summary>
    /// <param name="packed">The original matrices.</param>
    /// <param name="n">Channels N.</param>
    /// <param name="compression">Compressor settings (algorithm, margin, normalisation).</param>
    /// <param name="verifier">Verifier settings (tolerance, random drives).</param>
    /// <param name="description">Name of the originals in messages.</param>
    /// <param name="annotate">Called with the compressed set before it is certified (attributes; the certificate covers the matrices, not the attributes).</param>
    /// <param name="compressProgress">Progress of the compression.</param>
    /// <param name="verifyProgress">Progress of the verification.</param>
    /// <param name="cancellationToken">Cancels either step.</param>
    /// <returns>The set with <see cref="VopSet.Certificate"/> attached, and the verification details.</returns>
    public static (VopSet Set, VopVerificationResult Verification) Run(double[] packed, int n, VopCompressionOptions compression, VopVerifierOptions verifier,
        string description = "memory", Action<VopSet>? annotate = null, IProgress<VopCompressionProgress>? compressProgress = null,
        IProgress<VopVerificationProgress>? verifyProgress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(compression);
        ArgumentNullException.ThrowIfNull(verifier);
        var set = VopCompressor.Compress(packed, n, compression, compressProgress, cancellationToken);
        annotate?.Invoke(set);
        var originals = new PackedQMatrixSource(packed, n, description, compression.Normalisation);
        var r = VopVerifier.Certify(set, originals, verifier, verifyProgress, cancellationToken);
        return (set, r);
    }
}
