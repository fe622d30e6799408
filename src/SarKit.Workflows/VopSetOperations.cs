using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using SarKit.Compression;
using SarKit.Fields;
using SarKit.IO.Formats;
using SarKit.Workflows.Results;

namespace SarKit.Workflows;

/// <summary>Settings of the independent verifier (docs/vop-cli.md "Certificate").</summary>
/// <param name="Drives">
/// Random unit drives of the second check beside the convex-combination proof (0 to skip); null = automatic, a bounded
/// budget that scales with the work (<see cref="AutoDrives"/>). The CC proof for every original matrix is the certificate;
/// the random drives are an independent sanity check of it.
/// </param>
/// <param name="Seed">Seed of the random drives (results depend only on it).</param>
/// <param name="Tolerance">Tolerance relative to SAR_wc: Q counts as dominated when λ_min(Σc_jV_j − Q) ≥ −tol·SAR_wc (0 ≤ tol ≤ 1e-3).</param>
public sealed record VopVerifierSettings(int? Drives = null, int Seed = 1, double Tolerance = 1e-9)
{
    /// <summary>Multiply-add budget of the automatic random check: drives × K × N² ≤ 2·10¹⁰ (~1–3 s on 2 cores).</summary>
    public const double AutoBudget = 2e10;
    /// <summary>Fewest drives of the automatic random check (also for very large inputs).</summary>
    public const int AutoMinDrives = 1_000;
    /// <summary>Most drives of the automatic random check (the former fixed default).</summary>
    public const int AutoMaxDrives = 1_000_000;

    /// <summary>
    /// Drives of the automatic random check for <paramref name="matrices"/> originals of <paramref name="channels"/>
    /// channels: ⌊<see cref="AutoBudget"/> / (K·N²)⌋ clamped to [<see cref="AutoMinDrives"/>, <see cref="AutoMaxDrives"/>]
    /// (the check costs ≈ drives × K × N² multiply-adds; docs/vop-cli.md "Certificate").
    /// </summary>
    public static int AutoDrives(long matrices, int channels)
    {
        double work = Math.Max(1, matrices) * (double)Math.Max(1, channels) * Math.Max(1, channels);
        return (int)Math.Clamp(Math.Floor(AutoBudget / work), AutoMinDrives, AutoMaxDrives);
    }

    /// <summary>True when the drive count is chosen automatically (<see cref="Drives"/> null).</summary>
    public bool IsAutomatic => Drives is null;

    /// <summary>Random drives for <paramref name="matrices"/> originals of <paramref name="channels"/> channels.</summary>
    public int DrivesFor(long matrices, int channels) => Drives ?? AutoDrives(matrices, channels);

    /// <summary>Checks the ranges (bad input names the CLI option).</summary>
    public void Validate()
    {
        if (Drives < 0) throw new SarKitInputException($"--drives {Drives}: expected ≥ 0.");
        if (!(Tolerance >= 0) || Tolerance > 1e-3) throw new SarKitInputException($"--tolerance {Tolerance}: expected 0 ≤ tol ≤ 1e-3 (relative to SAR_wc).");
    }

    /// <summary>The verifier options with the parallelism of <paramref name="settings"/>, for <paramref name="matrices"/> originals of <paramref name="channels"/> channels.</summary>
    public VopVerifierOptions Options(SarKitSettings settings, long matrices, int channels) => new()
    {
        RandomDrives = DrivesFor(matrices, channels), Seed = Seed, RelativeTolerance = Tolerance, MaxDegreeOfParallelism = settings.MaxDegreeOfParallelism,
    };
}

/// <summary>A VOP set after a use case: the set itself, its description and the verification run now (if any).</summary>
/// <param name="Set">The VOP set (as written, when the use case writes one).</param>
/// <param name="Result">Its description (<c>--json</c> output); null when a compression failed its certificate (nothing written).</param>
/// <param name="Verification">The verification run now; null when none ran.</param>
/// <param name="Originals">Description of the original matrices used (partition included); null when none were read.</param>
public sealed record VopSetOutcome(VopSet Set, VopSetResult? Result, VopVerificationResult? Verification, string? Originals = null)
{
    /// <summary>True when no verification ran or its certificate passed.</summary>
    public bool Passed => Verification?.Certificate.Passed ?? true;
}

/// <summary>Files written by <see cref="VopSetOperations.Keygen"/>.</summary>
/// <param name="PrivateKeyPath">Full path of the private key PEM (PKCS#8, mode 0600).</param>
/// <param name="PublicKeyPath">Full path of the public key PEM (SubjectPublicKeyInfo).</param>
/// <param name="KeyId">SHA-256 of the public key (hex).</param>
public sealed record VopKeyPair(string PrivateKeyPath, string PublicKeyPath, string KeyId);

/// <summary>A signed VOP file (<see cref="VopSetOperations.Sign"/>).</summary>
/// <param name="Path">The file written.</param>
/// <param name="DigestSha256">The certificate digest signed.</param>
/// <param name="SignerKeySha256">SHA-256 of the signer's public key.</param>
public sealed record VopSignedFile(string Path, string DigestSha256, string? SignerKeySha256);

/// <summary>
/// The use cases of VOP files other than compression (docs/vop-cli.md, docs/vop-format.md): <c>sarkit vop verify</c>
/// (independent certificate, <see cref="VopVerifier.Certify"/>; with a trusted key the signature first,
/// <see cref="TrustedVopSet.Reverify"/>), <c>report</c> (<see cref="OverestimationReport"/>), <c>summarise</c>,
/// <c>keygen</c> and <c>sign</c> (ECDSA P-256, <see cref="VopSignature"/>), and the description of a set
/// (<see cref="Describe"/>) that the CLI prints and the web app shows.
/// </summary>
public static class VopSetOperations
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>SarKit version (<see cref="SarKitVersion.Current"/>).</summary>
    public static string SarkitVersion => SarKitVersion.Current;

    // ------------------------------------------------------------------ verify

    /// <summary>
    /// Verifies the VOP file <paramref name="path"/> against its originals (CC criterion for every matrix + random drives)
    /// and stores the certificate in the file, passed or not (<see cref="VopSetOutcome.Passed"/>). A set without SarKit
    /// source record (imported from MATLAB/NumPy) adopts the given originals.
    /// </summary>
    public static VopSetOutcome Verify(string path, IReadOnlyList<string> q, string? qVariable, VopPartition? partition, VopVerifierSettings verifier,
        SarKitSettings? settings = null, IProgress<VopProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        settings ??= SarKitSettings.Default;
        long t0 = settings.Time.GetTimestamp();
        VopSetFiles.Kind(path);
        verifier.Validate();
        var set = VopSetFiles.Read(path);
        using var all = QMatrixSources.OpenMany(q, qVariable);
        using var src = VopPartition.Slice(all, partition);
        CheckChannels(set, src, path);
        if (string.IsNullOrEmpty(set.SourceSha256) || !(set.SarWorstCase > 0))
        {
            // a set imported from MATLAB/NumPy without SarKit metadata: adopt the given originals
            var (sha, wc, _) = src.Summarise(Stage(progress, "reading originals", src.Count), cancellationToken);
            set = Rewrap(set, sha, src.Count, wc);
            progress?.Report(new VopProgress("", 0, 1, Message: $"{path} has no SarKit source record; verifying against the given originals ({src.Count} matrices, SAR_wc {wc:G6})."));
        }
        var r = VopVerifier.Certify(set, src, verifier.Options(settings, src.Count, src.Channels), Verifying(progress), cancellationToken);
        VopSetFiles.Write(set, path);
        return new VopSetOutcome(set, Describe("verify", Path.GetFullPath(path), set, r, null, settings.Time.GetElapsedTime(t0).TotalSeconds), r);
    }

    /// <summary>
    /// <c>vop verify --trusted-key</c>: the file's certificate must be valid and signed by the key (else bad input);
    /// dominance is then re-proven against the originals, whose SHA-256 must be the one bound in the certificate. The
    /// file is not modified.
    /// </summary>
    public static VopSetOutcome VerifySigned(string path, string trustedKeyPath, IReadOnlyList<string> q, string? qVariable, VopPartition? partition,
        VopVerifierSettings verifier, SarKitSettings? settings = null, IProgress<VopProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        settings ??= SarKitSettings.Default;
        long t0 = settings.Time.GetTimestamp();
        VopSetFiles.Kind(path);
        verifier.Validate();
        var set = VopSetFiles.Read(path);
        using (var key = VopSignature.LoadPublicKey(trustedKeyPath))
            if (!VopSignature.Verify(set, key, out var why))
                throw new SarKitInputException($"{path}: refusing the VOP set: --trusted-key {trustedKeyPath}: {why}.") { SourceFile = path };
        using var all = QMatrixSources.OpenMany(q, qVariable);
        using var src = VopPartition.Slice(all, partition);
        CheckChannels(set, src, path);
        var r = TrustedVopSet.Reverify(set, src, path, verifier.Options(settings, src.Count, src.Channels), Verifying(progress), cancellationToken);
        return new VopSetOutcome(set, Describe("verify", Path.GetFullPath(path), set, r, null, settings.Time.GetElapsedTime(t0).TotalSeconds), r, src.Description);
    }

    // ------------------------------------------------------------------ report

    /// <summary>
    /// Describes the VOP file <paramref name="path"/>; with originals <paramref name="q"/> also the relative and absolute
    /// overestimation over <paramref name="drives"/> random unit drives (<see cref="OverestimationReport"/>).
    /// </summary>
    public static VopSetOutcome Report(string path, IReadOnlyList<string> q, string? qVariable, VopPartition? partition, int drives, int seed, int bins,
        SarKitSettings? settings = null, IProgress<VopProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        settings ??= SarKitSettings.Default;
        long t0 = settings.Time.GetTimestamp();
        VopSetFiles.Kind(path);
        var set = VopSetFiles.Read(path);
        OverestimationReport? rep = null;
        if (q.Count > 0)
        {
            if (drives < 1) throw new SarKitInputException($"--drives {drives}: expected ≥ 1.");
            if (bins < 1) throw new SarKitInputException($"--bins {bins}: expected ≥ 1.");
            using var all = QMatrixSources.OpenMany(q, qVariable);
            using var src = VopPartition.Slice(all, partition);
            CheckChannels(set, src, path);
            rep = OverestimationReport.Compute(src, set.Packed, set.Channels, new OverestimationOptions { Drives = drives, Seed = seed, Bins = bins },
                Stage(progress, "random drives", 1), cancellationToken);
        }
        return new VopSetOutcome(set, Describe("report", Path.GetFullPath(path), set, null, rep, settings.Time.GetElapsedTime(t0).TotalSeconds), null);
    }

    // ------------------------------------------------------------------ summarise

    /// <summary>Streams Q-matrix inputs once: count, channels, SAR_wc (for <c>--global-sar-wc</c> of partitioned runs) and SHA-256.</summary>
    public static VopSummaryResult Summarise(IReadOnlyList<string> q, string? qVariable, SarKitSettings? settings = null, IProgress<VopProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        settings ??= SarKitSettings.Default;
        long t0 = settings.Time.GetTimestamp();
        using var src = QMatrixSources.OpenMany(q, qVariable);
        var (sha, wc, _) = src.Summarise(Stage(progress, "reading", src.Count), cancellationToken);
        var r = new VopSummaryResult(src.Description, src.Channels, src.Count, wc, sha, FieldNormalisationExtensions.ToId(src.Normalisation),
            settings.Time.GetElapsedTime(t0).TotalSeconds, SarkitVersion);
        ResultJson.RequireFinite(r); // tables too: no non-finite result is shown as a number
        return r;
    }

    // ------------------------------------------------------------------ keygen, sign

    /// <summary>
    /// Creates an ECDSA P-256 key pair for signing VOP certificates (docs/vop-format.md "Signature"): PREFIX.private.pem
    /// (PKCS#8, mode 0600) and PREFIX.public.pem. Existing files are never overwritten.
    /// </summary>
    public static VopKeyPair Keygen(string prefix)
    {
        string priv = prefix + ".private.pem", pub = prefix + ".public.pem";
        foreach (var f in new[] { priv, pub })
            if (File.Exists(f)) throw new SarKitInputException($"--output {prefix}: {f} exists; refusing to overwrite a key.") { SourceFile = f };
        var (privatePem, publicPem) = VopSignature.GenerateKeyPair();
        VopSignature.WritePem(priv, privatePem, secret: true);
        VopSignature.WritePem(pub, publicPem, secret: false);
        return new VopKeyPair(Path.GetFullPath(priv), Path.GetFullPath(pub), VopSignature.KeyIdOf(pub));
    }

    /// <summary>
    /// Signs the certificate digest of the VOP file <paramref name="path"/> with the private key PEM <paramref name="keyPath"/>
    /// and writes the signed set to <paramref name="output"/> (default: rewrites <paramref name="path"/> atomically); the
    /// written signature is read back and verified with the key's public half.
    /// </summary>
    public static VopSignedFile Sign(string path, string keyPath, string? output = null)
    {
        string outPath = output ?? path;
        VopSetFiles.Kind(path);
        VopSetFiles.Kind(outPath);
        var set = VopSetFiles.Read(path);
        using var k = VopSignature.LoadPrivateKey(keyPath);
        set.Certificate = VopSignature.Sign(set, k, path);
        VopSetFiles.Write(set, outPath);
        // read back: the stored signature must verify with the key's public half
        using (var pub = ECDsa.Create(k.ExportParameters(false)))
            if (!VopSignature.Verify(VopSetFiles.Read(outPath), pub, out var why))
                throw new InvalidOperationException($"{outPath}: the signature written does not verify: {why}");
        return new VopSignedFile(outPath, set.Certificate.DigestSha256, set.Certificate.SignerKeySha256);
    }

    // ------------------------------------------------------------------ description

    /// <summary>
    /// The description of <paramref name="set"/> (<see cref="VopSetResult"/>), with the verification <paramref name="verification"/>
    /// and overestimation <paramref name="overestimation"/> of this run when given. Refuses NaN/±∞ (<see cref="ResultJson.RequireFinite{T}"/>).
    /// </summary>
    public static VopSetResult Describe(string command, string file, VopSet set, VopVerificationResult? verification, OverestimationReport? overestimation, double elapsedS)
    {
        ArgumentNullException.ThrowIfNull(set);
        VopCertificateResult? cert = null;
        if (set.Certificate is { } c)
        {
            bool valid = set.HasValidCertificate(out var why);
            if (valid && VopSarBasis.Describe(set) is { } basis) why = $"valid for the surrogate's predicted Q-matrices only: {basis}";
            cert = new VopCertificateResult(valid, why, c.Passed, VopSetFile.CriterionId(c.Criterion), c.MatricesChecked, c.MatricesFailed, ResultJson.Num(c.LargestViolation),
                set.SarWorstCase > 0 ? ResultJson.Num(c.LargestViolation / set.SarWorstCase) : null, c.LargestViolationIndex, c.Tolerance, c.RandomDrives,
                ResultJson.Num(c.RandomMaxRelativeUnderestimation), c.Verifier, c.CreatedUtc.ToString("yyyy-MM-ddTHH:mm:ssZ", Inv), c.Version, c.DigestSha256,
                !string.IsNullOrEmpty(c.Signature), c.SignerKeySha256);
        }
        var ver = verification is null ? null : new VopVerificationDetailsResult(verification.FailedIndices, verification.UnderestimatingDrives, verification.Problems.ToArray(),
            Enum.GetValues<VopProofKind>().ToDictionary(k => k.ToString(), k => verification.Count(k)));
        var rep = overestimation;
        var over = rep is null ? null : new VopOverestimationResult(rep.Drives, rep.Seed, rep.OriginalMatrices, rep.SarWorstCase, rep.MeanRelative, rep.P95Relative, rep.MaxRelative,
            rep.MinRelative, rep.MeanAbsoluteOverSarWc, rep.MaxAbsoluteOverSarWc, rep.UnderestimatingDrives,
            rep.RelativeHistogram is { } rh ? new HistogramResult(rh.Edges, rh.Counts) : null, rep.AbsoluteHistogram is { } ah ? new HistogramResult(ah.Edges, ah.Counts) : null);
        var j = new VopSetResult(command, file, set.Channels, set.Count, VopSetFile.CriterionId(set.Criterion), set.Algorithm,
            set.Margin.Kind.ToString().ToLowerInvariant(), set.Margin.Epsilon, set.SourceCount, set.SourceSha256, ResultJson.Num(set.SarWorstCase),
            FieldNormalisationExtensions.ToId(set.Normalisation), new Dictionary<string, string>(set.Attributes), cert, ver, over, elapsedS, SarkitVersion, VopSarBasis.Describe(set));
        ResultJson.RequireFinite(j); // tables too: no non-finite result is shown as a number
        return j;
    }

    /// <summary>
    /// The web page's view of <paramref name="set"/>: <see cref="Describe"/> plus the certificate note, the drive unit and
    /// whether the originals are the chosen dataset's matrices.
    /// </summary>
    public static VopPageResult DescribeForPage(string source, string name, string file, VopSet set, VopVerificationResult? verification, OverestimationReport? overestimation,
        string? overestimationAgainst, bool? sourceMatchesDataset, double elapsedS)
    {
        var d = Describe(source == "compressed" ? "compress" : "report", file, set, verification, overestimation, elapsedS);
        bool valid = set.HasValidCertificate(out var why);
        return new VopPageResult(source, name, d, valid,
            valid && VopSarBasis.Describe(set) is { } basis ? $"valid for the surrogate's predicted Q-matrices only, NOT a true-SAR certificate: {basis}" :
            valid ? "valid: passed with 0 failed matrices, and its digest binds these VOPs, margin, SAR_wc, unit and originals (a digest detects accidental corruption, not tampering; see docs/vop-format.md)" : why,
            set.Certificate?.VopSha256, set.Normalisation.DriveUnit(), sourceMatchesDataset, overestimation is null ? null : overestimationAgainst);
    }

    // ------------------------------------------------------------------ helpers shared with VopCompression

    internal static void CheckChannels(VopSet set, IQMatrixSource src, string path)
    {
        if (src.Channels != set.Channels)
            throw new SarKitInputException($"{src.Description}: the Q-matrices have {src.Channels} channels, the VOP set {path} has {set.Channels}.") { SourceFile = src.Description };
    }

    internal static VopSet Rewrap(VopSet s, string sha, long count, double wc, double[]? packed = null, int[]? srcIndex = null, VopMargin? margin = null, string? algorithm = null)
    {
        var r = new VopSet(s.Channels, packed ?? s.Packed, srcIndex ?? s.SourceIndex, margin ?? s.Margin, s.Criterion, algorithm ?? s.Algorithm, count, sha, wc, s.Normalisation);
        foreach (var (k, v) in s.Attributes) r.Attributes[k] = v;
        r.Certificate = s.Certificate;
        return r;
    }

    /// <summary>A fraction (0..1) reported as <paramref name="total"/> units of <paramref name="stage"/>.</summary>
    internal static IProgress<double>? Stage(IProgress<VopProgress>? p, string stage, double total) =>
        p is null ? null : new Relay<double>(v => p.Report(new VopProgress(stage, v * total, total)));

    internal static IProgress<VopCompressionProgress>? Compressing(IProgress<VopProgress>? p) =>
        p is null ? null : new Relay<VopCompressionProgress>(v => p.Report(new VopProgress($"compress: {v.Stage}", v.Processed, Math.Max(1, v.Total),
            $"iteration {v.Iteration}, ε = {v.Epsilon:G3}, {v.Vops} VOPs")));

    internal static IProgress<VopVerificationProgress>? Verifying(IProgress<VopProgress>? p) =>
        p is null ? null : new Relay<VopVerificationProgress>(v => p.Report(new VopProgress($"verify: {v.Stage}", v.Processed, Math.Max(1, v.Total),
            v.Failed > 0 ? $"{v.Failed} failed" : "")));

    // synchronous (no SynchronizationContext capture as with Progress<T>): reports arrive in order on the reporting thread
    private sealed class Relay<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
