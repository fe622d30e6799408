using SarKit.Fields;

namespace SarKit.Compression;

/// <summary>VOP compression algorithms (docs/vop.md).</summary>
public enum VopAlgorithm
{
    /// <summary>Eichfelder &amp; Gebhardt 2011 clustering (single-VOP criterion), baseline.</summary>
    Eichfelder,
    /// <summary>Lee et al. 2012, CC criterion, one pass at the final margin, no Kuehne speed-up (reference baseline).</summary>
    Lee,
    /// <summary>Lee with Kuehne's (ISMRM 2017) reuse of the found convex combination to drop many matrices at once.</summary>
    LeeKuehne,
    /// <summary>Orzada et al. 2021 iterative driver over Lee + Kuehne: shrinking margin, VOPs kept as seeds, optional target count.</summary>
    Iterative,
    /// <summary>Orzada et al. 2024 hybrid: CC + Kuehne while the VOP count is small, then CO.</summary>
    Hybrid,
}

/// <summary>Settings of <see cref="VopCompressor"/>. Margins are fractions of SAR_wc = max_i λ_max(Q_i).</summary>
public sealed record VopCompressionOptions
{
    public VopAlgorithm Algorithm { get; init; } = VopAlgorithm.Iterative;
    public VopMarginKind MarginKind { get; init; } = VopMarginKind.Diagonal;
    /// <summary>Final margin ε: Z = ε·SAR_wc·I (diagonal), ε·S_g (global) or ε·user matrix.</summary>
    public double Epsilon { get; init; } = 0.05;
    /// <summary>Packed Hermitian PSD matrix for <see cref="VopMarginKind.User"/>.</summary>
    public double[]? UserMarginPacked { get; init; }
    /// <summary>Iterative/hybrid: stop shrinking the margin once this many VOPs are reached (the margin then is whatever was reached, never below <see cref="Epsilon"/>).</summary>
    public int? TargetVops { get; init; }
    /// <summary>Iterative/hybrid: starting margin ε₀ (Orzada: 0.1–0.4).</summary>
    public double InitialEpsilon { get; init; } = 0.4;
    /// <summary>Iterative/hybrid: margin factor per iteration R (Orzada's example 0.5^(1/3)).</summary>
    public double ShrinkFactor { get; init; } = 0.7937005259840998;
    /// <summary>Hybrid: switch from CC to CO above this VOP count (Orzada 2024 code default 50).</summary>
    public int HybridSwitchVops { get; init; } = 50;
    /// <summary>
    /// Hybrid: re-test every matrix that the (local, unproven) CO test dropped with the CC criterion and add it as a VOP
    /// when CC cannot prove it, so that the returned set is CC-dominating (default). Without it the set is only CO
    /// (locally) dominated and its <see cref="VopSet.Criterion"/> is <see cref="DominanceCriterion.ConvexOptimization"/>.
    /// </summary>
    public bool HybridCcRepair { get; init; } = true;
    /// <summary>Run Orzada's post-processing (per-VOP margins) at the end.</summary>
    public bool PostProcess { get; init; }
    /// <summary>Drive normalisation of the input matrices, carried into the VOP set.</summary>
    public FieldNormalisation Normalisation { get; init; } = FieldNormalisation.Unspecified;
    /// <summary>Worker threads (default <see cref="SarKitSettings.MaxDegreeOfParallelism"/> of <see cref="SarKitSettings.Default"/>).</summary>
    public int MaxDegreeOfParallelism { get; init; } = SarKitSettings.Default.MaxDegreeOfParallelism;
    /// <summary>Resume an interrupted run from this checkpoint (must match the input hash and options).</summary>
    public VopCompressionCheckpoint? ResumeFrom { get; init; }
    /// <summary>Called after every completed iteration with a checkpoint that can be saved and resumed from.</summary>
    public Action<VopCompressionCheckpoint>? OnCheckpoint { get; init; }
}

/// <summary>Progress report of a running compression.</summary>
public sealed record VopCompressionProgress(string Stage, int Iteration, double Epsilon, long Processed, long Total, int Vops);

/// <summary>State after a completed iteration of the iterative driver: enough to resume.</summary>
public sealed record VopCompressionCheckpoint
{
    public required int Iteration { get; init; }
    /// <summary>Margin ε of the completed iteration.</summary>
    public required double Epsilon { get; init; }
    /// <summary>Indices (into the input) of the matrices that are VOPs after the iteration.</summary>
    public required int[] VopSourceIndices { get; init; }
    /// <summary><see cref="VopSet.HashMatrices"/> of the input.</summary>
    public required string SourceSha256 { get; init; }
    /// <summary>Algorithm/margin settings the checkpoint belongs to (resuming with other settings is refused).</summary>
    public required string OptionsFingerprint { get; init; }
}
