using System.Diagnostics;
using System.Globalization;
using SarKit.Sar;
using SarKit.Compression.Algorithms;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Compression;

/// <summary>
/// Compresses Hermitian PSD local-SAR matrices into a VOP set (docs/vop.md). The result carries no certificate: the
/// independent verifier (<c>VopVerifier</c>) issues it.
/// </summary>
public static class VopCompressor
{
    /// <summary>
    /// Compresses <paramref name="packed"/> (K·N² doubles, <see cref="HermitianPacking"/>) with <paramref name="options"/>:
    /// <list type="bullet">
    /// <item><see cref="VopAlgorithm.Eichfelder"/>: clustering, single-VOP criterion (Eichfelder &amp; Gebhardt, MRM 2011).</item>
    /// <item><see cref="VopAlgorithm.Lee"/> / <see cref="VopAlgorithm.LeeKuehne"/>: one pass at ε, CC criterion (Lee et al., MRM 2012), with Kuehne's drop (ISMRM 2017).</item>
    /// <item><see cref="VopAlgorithm.Iterative"/>: Orzada et al. (MRM 2021) shrinking margin ε₀ → ε with VOPs kept as seeds, optional target count.</item>
    /// <item><see cref="VopAlgorithm.Hybrid"/>: as Iterative, CO criterion (Gras et al., TMI 2023) above <see cref="VopCompressionOptions.HybridSwitchVops"/> VOPs (Orzada et al. 2024), every CO drop re-checked with CC.</item>
    /// </list>
    /// Returned VOPs include their margin Z (ε·SAR_wc·I, ε·S_g or ε·user). Every returned set dominates every input
    /// matrix under the returned <see cref="VopSet.Criterion"/> (CC: a combination proven by a Cholesky factorisation
    /// during compression; Single: one VOP per matrix). <see cref="VopCompressionOptions.PostProcess"/> then applies
    /// Orzada's per-VOP margins (MRM 2021;86:2853), which keep the CC criterion (CC algorithms only; ignored for Eichfelder).
    /// </summary>
    /// <exception cref="SarKitInputException">Bad sizes, non-finite values, bad options or a checkpoint of another input/settings.</exception>
    public static VopSet Compress(double[] packed, int n, VopCompressionOptions options,
                                  IProgress<VopCompressionProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(packed);
        ArgumentNullException.ThrowIfNull(options);
        Validate(packed, n, options);
        var sw = Stopwatch.StartNew();
        string hash = VopSet.HashMatrices(packed);
        var ctx = new CompressionContext(packed, n, options.MaxDegreeOfParallelism, cancellationToken, progress);
        if (!(ctx.SarWc > 0)) throw new SarKitInputException($"VOP compression: SAR_wc = max_i λ_max(Q_i) = {ctx.SarWc:G6}; expected > 0 (all Q-matrices are zero?).");
        var zUnit = MarginMatrix.Unit(options.MarginKind, ctx, options.UserMarginPacked);
        string fingerprint = IterativeDriver.Fingerprint(options, n, ctx.SarWc);
        if (options.ResumeFrom is { } cp)
        {
            if (cp.SourceSha256 != hash) throw new SarKitInputException("VOP compression: the checkpoint to resume from belongs to other Q-matrices (source SHA-256 differs).");
            if (cp.OptionsFingerprint != fingerprint) throw new SarKitInputException($"VOP compression: the checkpoint was written with other settings ({cp.OptionsFingerprint}); now {fingerprint}.");
            foreach (var s in cp.VopSourceIndices)
                if (s < 0 || s >= ctx.Count) throw new SarKitInputException($"VOP compression: checkpoint VOP source index {s} is outside 0..{ctx.Count - 1}.");
        }

        int[] sources; double[] vops; double eps = options.Epsilon; DominanceCriterion criterion; string detail;
        var ci = CultureInfo.InvariantCulture;
        switch (options.Algorithm)
        {
            case VopAlgorithm.Eichfelder:
                (sources, vops) = new EichfelderClustering(ctx).Run(eps);
                criterion = DominanceCriterion.Single;
                detail = string.Create(ci, $"Eichfelder-Gebhardt clustering, eps={eps:G6}");
                break;
            case VopAlgorithm.Lee or VopAlgorithm.LeeKuehne:
            {
                var d = new IterativeDriver(ctx, options, zUnit);
                bool kuehne = options.Algorithm == VopAlgorithm.LeeKuehne;
                var level = d.Level(0, eps, [], kuehne, hybrid: false);
                (sources, vops) = (level.Sources, level.Vops);
                criterion = DominanceCriterion.ConvexCombination;
                detail = string.Create(ci, $"Lee{(kuehne ? "+Kuehne" : "")}, CC, eps={eps:G6}; {Describe(level)}");
                break;
            }
            case VopAlgorithm.Iterative or VopAlgorithm.Hybrid:
            {
                var d = new IterativeDriver(ctx, options, zUnit);
                bool hybrid = options.Algorithm == VopAlgorithm.Hybrid;
                var level = d.Iterative(hybrid, fingerprint, hash);
                (sources, vops, eps) = (level.Sources, level.Vops, level.Epsilon);
                // CO drops are re-checked with CC (repair, default), so the set is CC-dominating; without repair only CO holds
                criterion = hybrid && level.UsedCo && !options.HybridCcRepair ? DominanceCriterion.ConvexOptimization : DominanceCriterion.ConvexCombination;
                detail = FormattableString.Invariant($"{(hybrid ? $"Orzada hybrid CC/CO (switch {options.HybridSwitchVops}, {(options.HybridCcRepair ? "CO drops re-checked with CC" : "CO drops NOT re-checked")})" : "Orzada iterative Lee+Kuehne")}, ") +
                         FormattableString.Invariant($"eps0={Math.Max(options.InitialEpsilon, options.Epsilon):G6}, R={options.ShrinkFactor:G6}, target={options.TargetVops?.ToString(ci) ?? "-"}; levels: ") +
                         string.Join(", ", d.Levels.Select(l => FormattableString.Invariant($"eps {l.Epsilon:G4} -> {l.Sources.Length} VOPs ({l.Seconds:F2} s{(l.UsedCo ? ", CO used" : "")})")));
                break;
            }
            default: throw new SarKitInputException($"VOP compression: unknown algorithm {options.Algorithm}.");
        }

        // Eichfelder's per-cluster margins satisfy 0 ⪯ Z_k ⪯ ε·SAR_wc·I: the diagonal margin is their common bound
        bool eichfelder = options.Algorithm == VopAlgorithm.Eichfelder;
        var z = MarginMatrix.Scaled(eichfelder ? MarginMatrix.Unit(VopMarginKind.Diagonal, ctx, null) : zUnit, eps);
        var margin = new VopMargin(eichfelder ? VopMarginKind.Diagonal : options.MarginKind, eps, z);
        if (options.PostProcess && criterion == DominanceCriterion.ConvexCombination)
        {
            var pp = new VopPostProcessor(ctx).Run(sources, vops, z);
            vops = pp.Vops;
            detail += string.Create(ci, $"; post-processed (per-VOP margins, largest λ_max(Z_j)/SAR_wc = {pp.LargestMarginOverSarWc:G4}, {pp.Raised} raises)");
        }
        var set = new VopSet(n, vops, sources, margin, criterion, detail, ctx.Count, hash, ctx.SarWc, options.Normalisation);
        set.Attributes["compression_seconds"] = sw.Elapsed.TotalSeconds.ToString("G6", ci);
        set.Attributes["algorithm"] = options.Algorithm.ToString();
        set.Attributes["epsilon_requested"] = options.Epsilon.ToString("R", ci);
        if (options.PostProcess) set.Attributes["post_processed"] = (criterion == DominanceCriterion.ConvexCombination).ToString();
        return set;
    }

    private static string Describe(LevelResult l)
        => string.Create(CultureInfo.InvariantCulture,
            $"{l.Sources.Length} VOPs, {l.Stats.CcTests} CC tests, {l.Stats.Evaluations} eigen-evaluations, {l.Stats.Undecided} undecided, {l.Stats.KuehneScans} Kuehne scans dropping {l.Stats.KuehneDropped}, {l.Stats.FloorDropped} below the margin floor");

    private static void Validate(double[] packed, int n, VopCompressionOptions o)
    {
        if (n < 1 || n > 256) throw new SarKitInputException($"VOP compression: channel count N = {n}; expected 1..256.");
        int nn = n * n;
        if (packed.Length == 0 || packed.Length % nn != 0)
            throw new SarKitInputException($"VOP compression: {packed.Length} packed doubles is not a positive multiple of N² = {nn} (N = {n}).");
        for (int i = 0; i < packed.Length; i++)
            if (!double.IsFinite(packed[i])) throw new SarKitInputException($"VOP compression: Q-matrix {i / nn}, packed element {i % nn} is {packed[i]}; expected a finite value.");
        if (!(o.Epsilon > 0) || !double.IsFinite(o.Epsilon)) throw new SarKitInputException($"VOP compression: margin ε = {o.Epsilon}; expected > 0 (fraction of SAR_wc).");
        if (o.Algorithm is VopAlgorithm.Iterative or VopAlgorithm.Hybrid)
        {
            if (!(o.ShrinkFactor > 0 && o.ShrinkFactor < 1)) throw new SarKitInputException($"VOP compression: shrink factor R = {o.ShrinkFactor}; expected 0 < R < 1.");
            if (!(o.InitialEpsilon > 0) || !double.IsFinite(o.InitialEpsilon)) throw new SarKitInputException($"VOP compression: initial margin ε₀ = {o.InitialEpsilon}; expected > 0.");
            if (o.TargetVops is < 1) throw new SarKitInputException($"VOP compression: target VOP count {o.TargetVops}; expected ≥ 1.");
        }
        if (o.HybridSwitchVops < 1) throw new SarKitInputException($"VOP compression: hybrid switch {o.HybridSwitchVops}; expected ≥ 1.");
        if (o.MaxDegreeOfParallelism < 1) throw new SarKitInputException($"VOP compression: MaxDegreeOfParallelism = {o.MaxDegreeOfParallelism}; expected ≥ 1.");
        if (o.ResumeFrom is not null && o.Algorithm is not (VopAlgorithm.Iterative or VopAlgorithm.Hybrid))
            throw new SarKitInputException("VOP compression: resuming from a checkpoint needs the Iterative or Hybrid algorithm.");
    }
}
