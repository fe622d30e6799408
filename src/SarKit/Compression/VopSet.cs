using System.Numerics;
using System.Security.Cryptography;
using SarKit.Fields;
using SarKit.Sar;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Compression;

/// <summary>Dominance criterion a VOP set was built or certified with (docs/vop-checks.md).</summary>
public enum DominanceCriterion
{
    /// <summary>Every original matrix is dominated by one VOP: V_j − Q_i ⪰ 0 (Eichfelder &amp; Gebhardt 2011).</summary>
    Single,
    /// <summary>Convex combination (Lee et al. 2012): ∃c in the simplex with Σ c_j V_j − Q_i ⪰ 0. Also safe for time-averaged SAR tr(Q W).</summary>
    ConvexCombination,
    /// <summary>CO (Gras et al. 2023): max xᴴQx s.t. xᴴV_j x ≤ 1 is ≤ 1. Proven for instantaneous (rank-1) SAR only.</summary>
    ConvexOptimization,
}

/// <summary>How the overestimation (margin) matrix Z was chosen (Orzada et al. 2021, margin options).</summary>
public enum VopMarginKind
{
    /// <summary>Z = ε·SAR_wc·I.</summary>
    Diagonal,
    /// <summary>Z = ε·S_g, S_g the sum of all Q_i scaled so that λ_max(S_g) = SAR_wc (Lee et al. 2012).</summary>
    Global,
    /// <summary>A user-given Hermitian PSD matrix (scaled by ε).</summary>
    User,
}

/// <summary>Margin (overestimation) matrix of a VOP set: kind, ε (fraction of SAR_wc) and Z itself, packed.</summary>
public sealed record VopMargin(VopMarginKind Kind, double Epsilon, double[] Packed)
{
    /// <summary>
    /// Parses a margin ε as a fraction of SAR_wc: "0.05" or "5%" (Orzada et al. 2021 state ε relative to SAR_wc).
    /// ε must lie in (0, 10]; otherwise a <see cref="SarKitInputException"/> naming <paramref name="option"/>.
    /// </summary>
    public static double ParseEpsilon(string text, string option = "--margin")
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.Trim();
        bool pct = t.EndsWith('%');
        if (pct) t = t[..^1];
        if (!double.TryParse(t, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
            throw new SarKitInputException($"{option} '{text}': expected a fraction of SAR_wc such as 0.05 or 5%.");
        if (pct) v /= 100;
        if (!(v > 0) || v > 10) throw new SarKitInputException($"{option} '{text}': ε = {v} must lie in (0, 10] (a fraction of SAR_wc; 0.05 = 5 %).");
        return v;
    }

    /// <summary>SAR_wc·I packed (<see cref="HermitianPacking"/>): with ε it gives the diagonal margin Z = ε·SAR_wc·I of the whole input.</summary>
    public static double[] DiagonalBase(int n, double sarWc)
    {
        var z = new double[n * n];
        for (int i = 0; i < n; i++) z[i] = sarWc;
        return z;
    }

    /// <summary>
    /// S_g = Σ_i Q_i scaled so that λ_max(S_g) = SAR_wc (the global margin of Lee et al. 2012, Orzada's normalisation),
    /// from the packed sum <paramref name="sum"/> of all original matrices.
    /// </summary>
    public static double[] GlobalBase(double[] sum, int n, double sarWc)
    {
        ArgumentNullException.ThrowIfNull(sum);
        double lam = HermitianKernels.LargestEigenvalue(sum, n);
        if (!(lam > 0)) throw new SarKitInputException("global margin: the sum of all Q-matrices has λ_max ≤ 0.");
        var z = new double[sum.Length];
        for (int i = 0; i < z.Length; i++) z[i] = sum[i] * sarWc / lam;
        return z;
    }
}

/// <summary>
/// Summary of an independent verification of a VOP set against its original matrices. Written by the verifier
/// (not the compressor) and carried in the VOP file; supervision refuses a set whose certificate is missing, failed,
/// or was issued for other original matrices (<see cref="SourceSha256"/>).
/// </summary>
public sealed record VopCertificate
{
    /// <summary>True when every original matrix was proven dominated under <see cref="Criterion"/> within tolerance and no sampled drive was underestimated.</summary>
    public required bool Passed { get; init; }
    /// <summary>Criterion proven for every original matrix (ConvexCombination also covers time-averaged SAR).</summary>
    public required DominanceCriterion Criterion { get; init; }
    /// <summary>Number of original matrices checked (all of them for a passing certificate).</summary>
    public required long MatricesChecked { get; init; }
    /// <summary>Number of original matrices for which dominance could not be proven.</summary>
    public required long MatricesFailed { get; init; }
    /// <summary>Largest violation max_i −λ_min(Σ c_j V_j − Q_i), in W/kg per unit drive² (≤ tolerance when passed).</summary>
    public required double LargestViolation { get; init; }
    /// <summary>Index of the original matrix with the largest violation (−1 if none).</summary>
    public long LargestViolationIndex { get; init; } = -1;
    /// <summary>Absolute tolerance used (W/kg per unit drive²), normally a small multiple of machine precision × SAR_wc.</summary>
    public required double Tolerance { get; init; }
    /// <summary>Random drives sampled as a second check (0 if none).</summary>
    public long RandomDrives { get; init; }
    /// <summary>Largest relative underestimation (max_i xᴴQ_i x − max_j xᴴV_j x)/max_i xᴴQ_i x seen over the random drives (≤ 0 when safe).</summary>
    public double RandomMaxRelativeUnderestimation { get; init; }
    /// <summary>SHA-256 of the original matrices (<see cref="VopSet.HashMatrices"/>) the certificate refers to.</summary>
    public required string SourceSha256 { get; init; }
    /// <summary>SHA-256 of the VOP matrices the certificate refers to.</summary>
    public required string VopSha256 { get; init; }
    /// <summary>Name and version of the verifier.</summary>
    public required string Verifier { get; init; }
    /// <summary>Time of the verification, UTC, whole seconds (the canonical form keeps "yyyy-MM-ddTHH:mm:ssZ").</summary>
    public required DateTime CreatedUtc { get; init; }
    /// <summary>
    /// Certificate form: 0 or 1 = the legacy self-hash of the VOP matrices only (refused since issue 14),
    /// <see cref="VopCertificateDigest.CurrentVersion"/> = the canonical digest of docs/vop-format.md "Certificate digest".
    /// </summary>
    public int Version { get; init; }
    /// <summary>SHA-256 (lower-case hex) of the canonical serialisation (<see cref="VopCertificateDigest.CanonicalBytes"/>) of the set and this certificate.</summary>
    public string DigestSha256 { get; init; } = "";
    /// <summary>Optional ECDSA P-256 signature of the digest (IEEE P1363 r‖s, base64; <see cref="VopSignature"/>), or null.</summary>
    public string? Signature { get; init; }
    /// <summary>SHA-256 (lower-case hex) of the signer's public key (SubjectPublicKeyInfo DER), or null when unsigned.</summary>
    public string? SignerKeySha256 { get; init; }
}

/// <summary>
/// A set of virtual observation points: K Hermitian PSD N×N matrices V_j (margins included) in
/// <see cref="HermitianPacking"/> layout such that max_j xᴴV_j x ≥ max_i xᴴQ_i x for every drive x (Eichfelder &amp;
/// Gebhardt 2011; Lee et al. 2012). Units are those of the original Q-matrices (W/kg per unit drive²).
/// </summary>
public sealed class VopSet
{
    public VopSet(int channels, double[] packed, int[] sourceIndex, VopMargin margin, DominanceCriterion criterion, string algorithm,
                  long sourceCount, string sourceSha256, double sarWorstCase, FieldNormalisation normalisation)
    {
        if (channels < 1) throw new ArgumentOutOfRangeException(nameof(channels));
        int nn = channels * channels;
        if (packed.Length % nn != 0) throw new ArgumentException($"packed length {packed.Length} is not a multiple of N² = {nn}", nameof(packed));
        if (sourceIndex.Length != packed.Length / nn) throw new ArgumentException("one source index per VOP is required", nameof(sourceIndex));
        if (margin.Packed.Length != nn) throw new ArgumentException("margin matrix must be N×N packed", nameof(margin));
        Channels = channels; Packed = packed; SourceIndex = sourceIndex; Margin = margin; Criterion = criterion; Algorithm = algorithm;
        SourceCount = sourceCount; SourceSha256 = sourceSha256; SarWorstCase = sarWorstCase; Normalisation = normalisation;
    }

    public int Channels { get; }
    /// <summary>Number of VOPs K.</summary>
    public int Count => Packed.Length / (Channels * Channels);
    /// <summary>All VOPs, packed, VOP-major (K·N² doubles).</summary>
    public double[] Packed { get; }
    /// <summary>Index of the original matrix each VOP was built on (−1 when not from one, e.g. after a merge).</summary>
    public int[] SourceIndex { get; }
    public VopMargin Margin { get; }
    /// <summary>Criterion the compressor used.</summary>
    public DominanceCriterion Criterion { get; }
    /// <summary>Algorithm name and settings, for provenance.</summary>
    public string Algorithm { get; }
    /// <summary>Number of original matrices compressed.</summary>
    public long SourceCount { get; }
    /// <summary>SHA-256 of the original matrices (<see cref="HashMatrices"/>).</summary>
    public string SourceSha256 { get; }
    /// <summary>SAR_wc = max_i λ_max(Q_i) of the original matrices (W/kg per unit drive²).</summary>
    public double SarWorstCase { get; }
    public FieldNormalisation Normalisation { get; }
    /// <summary>Independent verification result; null until verified.</summary>
    public VopCertificate? Certificate { get; set; }
    /// <summary>Free-form provenance (source file, SarKit version, timings…).</summary>
    public Dictionary<string, string> Attributes { get; } = new();

    public ReadOnlySpan<double> Matrix(int j) => Packed.AsSpan(j * Channels * Channels, Channels * Channels);

    /// <summary>max_j bᴴV_j b (W/kg for a drive in the set's unit) and the VOP index.</summary>
    public (double Sar, int Vop) PeakSar(ReadOnlySpan<Complex> drive)
    {
        if (drive.Length != Channels) throw new SarKitInputException($"Drive has {drive.Length} channels, the VOP set has {Channels}.");
        for (int c = 0; c < drive.Length; c++)
            if (!double.IsFinite(drive[c].Real) || !double.IsFinite(drive[c].Imaginary))
                throw new SarKitInputException($"Drive channel {c + 1} is {drive[c]}: a non-finite drive is refused.");
        var w = HermitianPacking.DriveWeights(drive);
        double best = double.NegativeInfinity; int at = -1;
        for (int j = 0; j < Count; j++)
        {
            double s = HermitianPacking.QuadraticForm(Matrix(j), w);
            // NaN/∞ (overflowing drive or matrix) fails closed instead of being skipped by the comparison
            if (!double.IsFinite(s)) throw new SarKitInputException($"VOP {j}: bᴴVb = {s} for the drive (overflow): refused.");
            if (s > best) { best = s; at = j; }
        }
        return (best, at);
    }

    /// <summary>Unit of the matrices as written to files: "W/kg per V^2", "W/kg per sqrt(W)^2", "W/kg per A^2" or "W/kg per 1^2" (unspecified).</summary>
    public string Unit => $"W/kg per {Normalisation.DriveUnit()}^2";

    /// <summary>
    /// True when <see cref="Certificate"/> exists in the current form, passed with no failed matrix, covers every original
    /// matrix, and its canonical digest (<see cref="VopCertificateDigest"/>) matches this set's matrices, margin, SAR_wc,
    /// unit, counts and certificate fields. A digest detects accidental corruption only: anyone can recompute it, so
    /// deliberate tampering needs a signature (<see cref="VopSignature"/>) or a re-verification against the originals
    /// (<c>SarKit.IO.Formats.TrustedVopSet</c>; docs/vop-format.md).
    /// </summary>
    public bool HasValidCertificate(out string reason)
    {
        var c = Certificate;
        if (c is null) { reason = "the VOP set has no certificate (run `sarkit vop verify`)"; return false; }
        if (c.Version < VopCertificateDigest.CurrentVersion || string.IsNullOrEmpty(c.DigestSha256))
        {
            reason = $"the VOP set carries a certificate of the old form {Math.Max(1, c.Version)} (a hash of the VOP matrices only, which does not bind SAR_wc, margin, unit or counts); " +
                     "re-run `sarkit vop verify VOPS --q ORIGINALS` to re-certify it against the original Q-matrices";
            return false;
        }
        if (c.Version > VopCertificateDigest.CurrentVersion) { reason = $"the certificate has form {c.Version}, newer than this SarKit understands ({VopCertificateDigest.CurrentVersion})"; return false; }
        if (!c.Passed) { reason = $"the VOP set's certificate failed ({c.MatricesFailed} of {c.MatricesChecked} matrices not dominated, largest violation {c.LargestViolation:G4})"; return false; }
        if (c.MatricesFailed != 0) { reason = $"the certificate records {c.MatricesFailed} failed matrices (matrices_failed must be 0)"; return false; }
        if (c.SourceSha256 != SourceSha256) { reason = "the certificate refers to other original matrices (source hash differs)"; return false; }
        if (c.VopSha256 != HashMatrices(Packed)) { reason = "the certificate refers to other VOP matrices (VOP hash differs)"; return false; }
        var digest = VopCertificateDigest.Compute(this, c);
        if (!string.Equals(digest, c.DigestSha256, StringComparison.Ordinal))
        {
            reason = $"the certificate digest does not match the file (stored {Short(c.DigestSha256)}, computed {Short(digest)}): the VOP matrices, margin, SAR_wc, unit, counts or certificate fields changed after certification";
            return false;
        }
        if (c.MatricesChecked != SourceCount || c.MatricesChecked < 1) { reason = $"the certificate checked {c.MatricesChecked} matrices, the set records {SourceCount} originals"; return false; }
        if (c.Criterion != DominanceCriterion.ConvexCombination) { reason = $"the certificate proves criterion {c.Criterion}; supervision accepts only the convex-combination proof of VopVerifier"; return false; }
        if (!(SarWorstCase > 0) || !double.IsFinite(SarWorstCase)) { reason = $"sar_wc = {SarWorstCase}, expected a positive finite number"; return false; }
        if (!(c.Tolerance >= 0) || !(c.Tolerance <= 1e-3 * SarWorstCase)) { reason = $"certificate tolerance {c.Tolerance} is not in [0, 1e-3·SAR_wc]"; return false; }
        if (!(c.LargestViolation <= c.Tolerance)) { reason = $"largest violation {c.LargestViolation} exceeds the tolerance {c.Tolerance}"; return false; }
        if (!(Margin.Epsilon >= 0) || !double.IsFinite(Margin.Epsilon)) { reason = $"margin_epsilon = {Margin.Epsilon}, expected a finite number ≥ 0"; return false; }
        foreach (var x in Packed) if (!double.IsFinite(x)) { reason = "a VOP matrix holds a non-finite value"; return false; }
        if (Count < 1) { reason = "the VOP set is empty"; return false; }
        reason = ""; return true;
    }

    private static string Short(string h) => string.IsNullOrEmpty(h) ? "(none)" : h[..Math.Min(12, h.Length)] + "…";

    /// <summary>SHA-256 (lower-case hex) of packed matrices as little-endian float64, the identity used in certificates.</summary>
    public static string HashMatrices(ReadOnlySpan<double> packed)
    {
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(packed);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("big-endian hosts are not supported");
        return Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();
    }

    /// <summary>SAR_wc = max_i λ_max(Q_i) over packed matrices.</summary>
    public static double WorstCaseSar(ReadOnlySpan<double> packed, int n)
    {
        int count = packed.Length / (n * n);
        var lam = new double[count];
        HermitianKernels.LargestEigenvalues(packed, n, lam);
        double m = 0; foreach (var l in lam) m = Math.Max(m, l);
        return m;
    }
}
