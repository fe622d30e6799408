using System.Globalization;
using SarKit.Compression;
using SarKit.Fields;
using SarKit.IO.Formats;
using SarKit.Workflows.Results;

namespace SarKit.Workflows;

/// <summary>What <see cref="VopCompression.Compress"/> compresses and how (options of <c>sarkit vop compress</c>, docs/vop-cli.md).</summary>
public sealed record VopCompressionRequest
{
    /// <summary>Original Q-matrix files (.h5 streamed, .mat, .npz), concatenated in this order.</summary>
    public required IReadOnlyList<string> Q { get; init; }
    /// <summary>Variable/member holding the matrices in .mat/.npz inputs (null: the reader's default names).</summary>
    public string? QVariable { get; init; }
    /// <summary>Final margin ε, fraction of SAR_wc (<see cref="VopMargin.ParseEpsilon"/>).</summary>
    public required double Epsilon { get; init; }
    /// <summary>Iterative/hybrid: stop shrinking the margin at this many VOPs.</summary>
    public int? TargetVops { get; init; }
    /// <summary>Compression algorithm.</summary>
    public VopAlgorithm Algorithm { get; init; } = VopAlgorithm.Iterative;
    /// <summary>Margin kind: <see cref="VopMarginKind.Diagonal"/> (ε·SAR_wc·I) or <see cref="VopMarginKind.Global"/> (ε·S_g).</summary>
    public VopMarginKind MarginKind { get; init; } = VopMarginKind.Diagonal;
    /// <summary>Run the post-processing step (per-VOP margins, Orzada et al. 2021).</summary>
    public bool PostProcess { get; init; }
    /// <summary>Compress only block i of N of the input (scale-out; merge with <see cref="VopCompression.Merge"/>).</summary>
    public VopPartition? Partition { get; init; }
    /// <summary>With a partition: SAR_wc of the whole input (W/kg per unit²), if known; otherwise it is computed by streaming the whole input once.</summary>
    public double? GlobalSarWc { get; init; }
    /// <summary>Output VOP file (.h5, .mat or .npz); its checkpoint OUTPUT.checkpoint.json is kept beside it while running.</summary>
    public required string Output { get; init; }
    /// <summary>Continue an interrupted run from OUTPUT.checkpoint.json (<see cref="VopCheckpointFile"/>).</summary>
    public bool Resume { get; init; }
    /// <summary>Settings of the independent verifier (default: CC proof for every original + the automatic random-drive budget, <see cref="VopVerifierSettings.AutoDrives"/>).</summary>
    public VopVerifierSettings Verifier { get; init; } = new();
}

/// <summary>What <see cref="VopCompression.Merge"/> merges (options of <c>sarkit vop merge</c>).</summary>
public sealed record VopMergeRequest
{
    /// <summary>Certified partition VOP files (from <c>vop compress --partition i/N</c>).</summary>
    public required IReadOnlyList<string> Parts { get; init; }
    /// <summary>All original Q-matrix files, in the order they were partitioned.</summary>
    public required IReadOnlyList<string> Q { get; init; }
    /// <summary>Variable/member holding the matrices in .mat/.npz inputs.</summary>
    public string? QVariable { get; init; }
    /// <summary>Margin ε_m of the merge step, fraction of the global SAR_wc; the merged bound is ε_m + max ε_p.</summary>
    public required double Epsilon { get; init; }
    /// <summary>Iterative/hybrid: stop shrinking the merge margin at this many VOPs.</summary>
    public int? TargetVops { get; init; }
    /// <summary>Compression algorithm of the merge step.</summary>
    public VopAlgorithm Algorithm { get; init; } = VopAlgorithm.Iterative;
    /// <summary>Margin kind of the merge step (global: S_g of all original matrices).</summary>
    public VopMarginKind MarginKind { get; init; } = VopMarginKind.Diagonal;
    /// <summary>Output VOP file (.h5, .mat or .npz).</summary>
    public required string Output { get; init; }
    /// <summary>Settings of the independent verifier (default: CC proof for every original + the automatic random-drive budget, <see cref="VopVerifierSettings.AutoDrives"/>).</summary>
    public VopVerifierSettings Verifier { get; init; } = new();
}

/// <summary>A certified compression of in-memory matrices (<see cref="VopCompression.CompressPacked"/>).</summary>
/// <param name="Set">The VOP set with its certificate attached.</param>
/// <param name="Verification">The verifier's result (<see cref="VopVerificationResult.Certificate"/> passed or not).</param>
/// <param name="Overestimation">Overestimation over random unit drives against the same matrices; null when not asked for.</param>
/// <param name="Seconds">Run time of compression, verification and overestimation, s.</param>
public sealed record CertifiedVops(VopSet Set, VopVerificationResult Verification, OverestimationReport? Overestimation, double Seconds);

/// <summary>
/// Certified VOP compression (docs/vop-cli.md): Q-matrix sets → VOP set (<see cref="VopCompressor"/>, Orzada et al. 2021
/// iterative, Lee et al. 2012, Eichfelder &amp; Gebhardt 2011) → independent certificate against every original matrix
/// (<see cref="VopVerifier"/>), written only when it passes. One path for <c>sarkit vop compress</c> (files, partitions,
/// checkpoint/resume), <c>sarkit vop merge</c> (union of certified partitions, composed margin ε_m + max ε_p) and the
/// web app's compression jobs (<see cref="CompressPacked"/>). Parallelism and time come from <see cref="SarKitSettings"/>.
/// </summary>
public static class VopCompression
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The algorithm of its CLI id (lee, lee-kuehne, iterative, hybrid, eichfelder).</summary>
    public static VopAlgorithm ParseAlgorithm(string s) => s switch
    {
        "lee" => VopAlgorithm.Lee,
        "lee-kuehne" => VopAlgorithm.LeeKuehne,
        "iterative" => VopAlgorithm.Iterative,
        "hybrid" => VopAlgorithm.Hybrid,
        "eichfelder" => VopAlgorithm.Eichfelder,
        _ => throw new SarKitInputException($"--algorithm {s}: expected lee, lee-kuehne, iterative, hybrid or eichfelder."),
    };

    /// <summary>The CLI id of an algorithm (inverse of <see cref="ParseAlgorithm"/>).</summary>
    public static string AlgorithmId(VopAlgorithm a) => a switch
    {
        VopAlgorithm.Lee => "lee",
        VopAlgorithm.LeeKuehne => "lee-kuehne",
        VopAlgorithm.Iterative => "iterative",
        VopAlgorithm.Hybrid => "hybrid",
        VopAlgorithm.Eichfelder => "eichfelder",
        _ => throw new ArgumentOutOfRangeException(nameof(a), a, "unknown VOP algorithm"),
    };

    /// <summary>The margin kind of its CLI id: diagonal or global.</summary>
    public static VopMarginKind ParseMarginKind(string s) => s switch
    {
        "diagonal" => VopMarginKind.Diagonal,
        "global" => VopMarginKind.Global,
        _ => throw new SarKitInputException($"--margin-kind {s}: expected diagonal or global."),
    };

    private static string MarginKindId(VopMarginKind k) => k switch
    {
        VopMarginKind.Diagonal => "diagonal",
        VopMarginKind.Global => "global",
        _ => throw new SarKitInputException($"margin kind {k}: expected diagonal or global."),
    };

    // ------------------------------------------------------------------ compress

    /// <summary>
    /// Compresses the matrices of <paramref name="request"/> (or its partition) into a VOP set, certifies it against the
    /// same matrices and writes it with its certificate to <see cref="VopCompressionRequest.Output"/> only when the
    /// certificate passed (<see cref="VopSetOutcome.Passed"/>; otherwise nothing is written and the checkpoint is kept).
    /// With a partition the margin base is that of the whole input (SAR_wc·I, or S_g for the global margin), so the
    /// partition sets can be merged. A checkpoint is written after every iteration; <see cref="VopCompressionRequest.Resume"/>
    /// continues from it and gives the same set as an uninterrupted run.
    /// </summary>
    public static VopSetOutcome Compress(VopCompressionRequest request, SarKitSettings? settings = null, IProgress<VopProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        settings ??= SarKitSettings.Default;
        var a = request;
        long t0 = settings.Time.GetTimestamp();
        double eps = a.Epsilon;
        if (!(double.IsFinite(eps) && eps > 0 && eps <= 10)) throw new SarKitInputException($"--margin {eps}: ε must lie in (0, 10] (a fraction of SAR_wc; 0.05 = 5 %).");
        CheckOutput(a.Output);
        a.Verifier.Validate();
        if (a.TargetVops is < 1) throw new SarKitInputException($"--target-vops {a.TargetVops}: expected ≥ 1.");
        string algoId = AlgorithmId(a.Algorithm), kindId = MarginKindId(a.MarginKind);
        string input = string.Join(";", a.Q.Select(Path.GetFullPath));
        string? partText = a.Partition?.ToString();
        string ckPath = VopCheckpointFile.PathFor(a.Output);
        VopCompressionCheckpoint? resumeFrom = null;
        if (a.Resume)
        {
            if (!File.Exists(ckPath)) throw new SarKitInputException($"--resume: no checkpoint {ckPath} (nothing to resume; run without --resume).") { SourceFile = ckPath };
            var f = VopCheckpointFile.Read(ckPath);
            if (f.Input != input || f.Partition != partText || f.Algorithm != algoId || f.MarginKind != kindId || f.Margin != eps
                || f.TargetVops != a.TargetVops || f.PostProcess != a.PostProcess)
                throw new SarKitInputException($"{ckPath}: the checkpoint belongs to another run (input {f.Input}, partition {f.Partition ?? "none"}, algorithm {f.Algorithm}, margin {f.Margin} {f.MarginKind}); use the same options or remove it.") { SourceFile = ckPath };
            f.ValidateState(ckPath);
            resumeFrom = f.Checkpoint;
        }
        using var src = QMatrixSources.OpenMany(a.Q, a.QVariable);
        var part = a.Partition;
        var (first, count) = VopPartition.Range(part, src.Count);
        if (count < 1) throw new SarKitInputException($"--partition {partText}: the block of {src.Description} ({src.Count} matrices) is empty.");

        double[]? userMargin = null;
        double? globalWc = a.GlobalSarWc;
        if (part is not null && (globalWc is null || a.MarginKind == VopMarginKind.Global))
        {
            var s = src.Summarise(VopSetOperations.Stage(progress, "global SAR_wc (whole input)", src.Count), cancellationToken);
            globalWc = a.GlobalSarWc ?? s.SarWorstCase;
            if (a.MarginKind == VopMarginKind.Global) userMargin = VopMargin.GlobalBase(s.Sum, src.Channels, globalWc.Value);
        }
        if (part is not null)
        {
            if (!(globalWc > 0)) throw new SarKitInputException($"--global-sar-wc {globalWc}: expected a positive SAR_wc.");
            userMargin ??= VopMargin.DiagonalBase(src.Channels, globalWc!.Value);
        }
        var packed = src.ReadRange(first, count);
        var opts = new VopCompressionOptions
        {
            Algorithm = a.Algorithm,
            MarginKind = userMargin is null ? a.MarginKind : VopMarginKind.User,
            UserMarginPacked = userMargin,
            Epsilon = eps,
            TargetVops = a.TargetVops,
            PostProcess = a.PostProcess,
            Normalisation = src.Normalisation,
            MaxDegreeOfParallelism = settings.MaxDegreeOfParallelism,
            ResumeFrom = resumeFrom,
            OnCheckpoint = ck => new VopCheckpointFile(input, partText, algoId, kindId, eps, a.TargetVops, a.PostProcess,
                VopCheckpointFile.Stamp(settings.UtcNow), ck).Write(ckPath),
        };
        if (resumeFrom is not null)
            progress?.Report(new VopProgress("", 0, 1, Message: $"resuming from {ckPath}: iteration {resumeFrom.Iteration}, ε = {resumeFrom.Epsilon:G4}, {resumeFrom.VopSourceIndices.Length} VOPs"));
        var (vset, vr) = CertifiedVopCompression.Run(packed, src.Channels, opts, a.Verifier.Options(settings, count, src.Channels), src.Description, set =>
        {
            set.Attributes["source_file"] = input;
            set.Attributes["margin_base"] = kindId;
            if (part is not null)
            {
                set.Attributes["partition"] = partText!;
                set.Attributes["partition_first"] = first.ToString(Inv);
                set.Attributes["partition_count"] = count.ToString(Inv);
                set.Attributes["global_sar_wc"] = globalWc!.Value.ToString("R", Inv);
            }
            set.Attributes["compress_seconds"] = settings.Time.GetElapsedTime(t0).TotalSeconds.ToString("F2", Inv);
        }, VopSetOperations.Compressing(progress), VopSetOperations.Verifying(progress), cancellationToken);
        if (!vr.Certificate.Passed) return new VopSetOutcome(vset, null, vr, src.Description);
        VopSetFiles.Write(vset, a.Output);
        try { File.Delete(ckPath); } catch (IOException) { }
        return new VopSetOutcome(vset, VopSetOperations.Describe("compress", Path.GetFullPath(a.Output), vset, vr, null, settings.Time.GetElapsedTime(t0).TotalSeconds), vr, src.Description);
    }

    // ------------------------------------------------------------------ merge

    /// <summary>
    /// Compresses the union of certified partition VOP sets with margin ε_m (base: SAR_wc·I or S_g of ALL originals) and
    /// certifies the merged set against every original matrix (streamed). Each merged VOP is a partition VOP + Z_m and
    /// each partition VOP an original + Z_p, so the merged set carries the composed margin Z_m + max_p Z_p, ε_m + max ε_p.
    /// Written only when its certificate passed.
    /// </summary>
    public static VopSetOutcome Merge(VopMergeRequest request, SarKitSettings? settings = null, IProgress<VopProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        settings ??= SarKitSettings.Default;
        var a = request;
        long t0 = settings.Time.GetTimestamp();
        double eps = a.Epsilon;
        if (!(double.IsFinite(eps) && eps > 0 && eps <= 10)) throw new SarKitInputException($"--margin {eps}: ε must lie in (0, 10] (a fraction of SAR_wc; 0.05 = 5 %).");
        CheckOutput(a.Output);
        a.Verifier.Validate();
        if (a.Parts.Count < 1) throw new SarKitInputException("merge: no partition VOP files given.");
        var sets = new List<VopSet>();
        foreach (var p in a.Parts)
        {
            VopSetFiles.Kind(p);
            var s = VopSetFiles.Read(p);
            if (!s.HasValidCertificate(out var why))
                throw new SarKitInputException($"{p}: {why}; merge only certified partition sets (`sarkit vop verify {p} --q … --partition i/N`).") { SourceFile = p };
            if (sets.Count > 0 && s.Channels != sets[0].Channels)
                throw new SarKitInputException($"{p}: {s.Channels} channels, but {a.Parts[0]} has {sets[0].Channels}.") { SourceFile = p };
            sets.Add(s);
        }
        int n = sets[0].Channels, nn = n * n;
        using var src = QMatrixSources.OpenMany(a.Q, a.QVariable);
        if (src.Channels != n) throw new SarKitInputException($"{src.Description}: the Q-matrices have {src.Channels} channels, the partition VOP sets have {n}.") { SourceFile = src.Description };
        long partsTotal = sets.Sum(s => s.SourceCount);
        if (partsTotal != src.Count)
            throw new SarKitInputException($"the partitions cover {partsTotal} original matrices ({string.Join(" + ", sets.Select(s => s.SourceCount))}), the --q inputs hold {src.Count}.");

        var union = new double[sets.Sum(s => (long)s.Packed.Length)];
        var unionSource = new List<int>();
        long off = 0;
        foreach (var s in sets)
        {
            s.Packed.CopyTo(union, off); off += s.Packed.Length;
            long firstIdx = s.Attributes.TryGetValue("partition_first", out var pf) && long.TryParse(pf, Inv, out var v) ? v : -1;
            foreach (var si in s.SourceIndex) unionSource.Add(firstIdx >= 0 && si >= 0 && firstIdx + si <= int.MaxValue ? (int)(firstIdx + si) : -1);
        }
        var pmax = sets.MaxBy(s => s.Margin.Epsilon)!;

        var (sha, wc, sum) = src.Summarise(VopSetOperations.Stage(progress, "reading originals (hash, SAR_wc)", src.Count), cancellationToken);
        var baseZ = a.MarginKind == VopMarginKind.Global ? VopMargin.GlobalBase(sum, n, wc) : VopMargin.DiagonalBase(n, wc);
        var opts = new VopCompressionOptions
        {
            Algorithm = a.Algorithm, MarginKind = VopMarginKind.User, UserMarginPacked = baseZ, Epsilon = eps, TargetVops = a.TargetVops,
            Normalisation = sets[0].Normalisation, MaxDegreeOfParallelism = settings.MaxDegreeOfParallelism,
        };
        var c = VopCompressor.Compress(union, n, opts, VopSetOperations.Compressing(progress), cancellationToken);
        // composed margin: every merged VOP is (a partition VOP) + Z_m and every partition VOP is (an original) + Z_p
        var zTotal = new double[nn];
        for (int t = 0; t < nn; t++) zTotal[t] = c.Margin.Packed[t] + pmax.Margin.Packed[t];
        var srcIdx = c.SourceIndex.Select(i => i >= 0 && i < unionSource.Count ? unionSource[i] : -1).ToArray();
        var m = VopSetOperations.Rewrap(c, sha, src.Count, wc, c.Packed, srcIdx, new VopMargin(a.MarginKind, eps + pmax.Margin.Epsilon, zTotal),
            $"merge of {sets.Count} partitions ({c.Algorithm})");
        m.Certificate = null;
        m.Attributes["source_file"] = string.Join(";", a.Q.Select(Path.GetFullPath));
        m.Attributes["merged_parts"] = string.Join(";", a.Parts.Select(Path.GetFullPath));
        m.Attributes["merge_margin_epsilon"] = eps.ToString("R", Inv);
        m.Attributes["partition_margin_epsilon_max"] = pmax.Margin.Epsilon.ToString("R", Inv);
        m.Attributes["union_vops"] = (union.Length / nn).ToString(Inv);
        var r = VopVerifier.Certify(m, src, a.Verifier.Options(settings, src.Count, n), VopSetOperations.Verifying(progress), cancellationToken);
        if (!r.Certificate.Passed) return new VopSetOutcome(m, null, r, src.Description);
        VopSetFiles.Write(m, a.Output);
        return new VopSetOutcome(m, VopSetOperations.Describe("merge", Path.GetFullPath(a.Output), m, r, null, settings.Time.GetElapsedTime(t0).TotalSeconds), r, src.Description);
    }

    // ------------------------------------------------------------------ in memory (web app, surrogate)

    /// <summary>
    /// Compresses in-memory matrices (<paramref name="packed"/>, K·N² <see cref="Numerics.LinearAlgebra.HermitianPacking"/>)
    /// with the defaults of <see cref="VopCompressionOptions"/> (iterative, diagonal margin ε·SAR_wc·I) and certifies the
    /// set against them (<see cref="CertifiedVopCompression.Run"/>); with <paramref name="overestimationDrives"/> &gt; 0 also
    /// the overestimation histogram against them. Nothing is written: the caller keeps or writes the set (only when
    /// <see cref="VopVerificationResult.Certificate"/> passed).
    /// </summary>
    /// <param name="packed">The original matrices.</param>
    /// <param name="n">Channels N.</param>
    /// <param name="normalisation">Field normalisation of the matrices.</param>
    /// <param name="epsilon">Margin ε, fraction of SAR_wc, (0, 10].</param>
    /// <param name="description">Name of the originals in messages.</param>
    /// <param name="annotate">Called with the compressed set before it is certified (attributes).</param>
    /// <param name="verifier">Verifier settings (random drives, seed, tolerance).</param>
    /// <param name="overestimationDrives">Random unit drives of the overestimation report (0: none).</param>
    /// <param name="histogramBins">Bins of its histograms.</param>
    /// <param name="settings">Parallelism and clock.</param>
    /// <param name="progress">Stages of the run.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    public static CertifiedVops CompressPacked(double[] packed, int n, FieldNormalisation normalisation, double epsilon, string description, Action<VopSet>? annotate,
        VopVerifierSettings verifier, int overestimationDrives = 0, int histogramBins = 40, SarKitSettings? settings = null, IProgress<VopProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(packed);
        ArgumentNullException.ThrowIfNull(verifier);
        settings ??= SarKitSettings.Default;
        long t0 = settings.Time.GetTimestamp();
        if (!(double.IsFinite(epsilon) && epsilon > 0 && epsilon <= 10)) throw new SarKitInputException($"margin {epsilon}: ε must lie in (0, 10] (a fraction of SAR_wc).");
        verifier.Validate();
        var opts = new VopCompressionOptions { Epsilon = epsilon, Normalisation = normalisation, MaxDegreeOfParallelism = settings.MaxDegreeOfParallelism };
        var (set, ver) = CertifiedVopCompression.Run(packed, n, opts, verifier.Options(settings, packed.Length / ((long)n * n), n), description, annotate,
            VopSetOperations.Compressing(progress), VopSetOperations.Verifying(progress), cancellationToken);
        OverestimationReport? over = null;
        if (overestimationDrives > 0)
        {
            using var src = new PackedQMatrixSource(packed, n, description, normalisation);
            over = OverestimationReport.Compute(src, set.Packed, n, new OverestimationOptions { Drives = overestimationDrives, Bins = histogramBins, SarWorstCase = ver.SarWorstCase },
                VopSetOperations.Stage(progress, "overestimation histogram", 1), cancellationToken);
        }
        return new CertifiedVops(set, ver, over, settings.Time.GetElapsedTime(t0).TotalSeconds);
    }

    private static void CheckOutput(string output)
    {
        VopSetFiles.Kind(output);
        var dir = Path.GetDirectoryName(Path.GetFullPath(output))!;
        if (!Directory.Exists(dir)) throw new SarKitInputException($"--output '{output}': the folder {dir} does not exist.") { SourceFile = output };
    }
}
