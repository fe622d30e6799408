namespace SarKit.Compression;

/// <summary>
/// Compresses Hermitian PSD local-SAR matrices into a VOP set (docs/vop.md). The result carries no certificate: the
/// independent verifier (<c>VopVerifier</c>) issues it.
/// </summary>
public static class VopCompressor
{
    /// <summary>Compresses <paramref name="packed"/> (K·N² doubles, <see cref="Sar.HermitianPacking"/>) with <paramref name="options"/>.</summary>
    public static VopSet Compress(double[] packed, int n, VopCompressionOptions options,
                                  IProgress<VopCompressionProgress>? progress = null, CancellationToken cancellationToken = default)
        => throw new NotImplementedException("VOP compression is being implemented on feat/vopalgo.");
}
