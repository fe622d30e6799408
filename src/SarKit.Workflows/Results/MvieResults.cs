namespace SarKit.Workflows.Results;

/// <summary>Power lost by the MVIE constraint over random unit drives (<c>sarkit mvie</c>; docs/mvie.md).</summary>
/// <param name="Samples">Random unit drives.</param>
/// <param name="Max">Largest allowed-power fraction (MVIE vs all matrices).</param>
/// <param name="Mean">Mean allowed-power fraction.</param>
/// <param name="Min">Smallest allowed-power fraction.</param>
/// <param name="SqrtNBound">Outer bound 1/N of the fraction.</param>
/// <param name="SqrtNBoundHolds">True when every sample respects the bound.</param>
public sealed record MviePowerResult(int Samples, double Max, double Mean, double Min, double SqrtNBound, bool SqrtNBoundHolds);

/// <summary>The maximum-volume inscribed ellipsoid SAR constraint A ⪰ Q_i ∀i (<c>sarkit mvie</c>; docs/mvie.md).</summary>
[JsonResult("sarkit mvie --json", Order = 310)]
public sealed record MvieConstructionResult
{
    /// <summary>Full path of the Q-matrix file.</summary>
    public required string InputFile { get; init; }
    /// <summary>Full path of the MVIE file written.</summary>
    public required string OutputFile { get; init; }
    /// <summary>Number of Q-matrices.</summary>
    public required int Count { get; init; }
    /// <summary>Transmit channels N.</summary>
    public required int Channels { get; init; }
    /// <summary>log det A.</summary>
    public required double LogDet { get; init; }
    /// <summary>Certificate max_i λ_max(A⁻¹Q_i) (≤ 1 passes).</summary>
    public required double CertificateMaxRatio { get; init; }
    /// <summary>True when the certificate holds.</summary>
    public required bool CertificatePassed { get; init; }
    /// <summary>Scale applied to A so that the certificate holds.</summary>
    public required double CertificateScale { get; init; }
    /// <summary>Cholesky failures of the dominance check.</summary>
    public required long DominanceFailures { get; init; }
    /// <summary>SAR_wc = max_i λ_max(Q_i), W/kg per drive unit².</summary>
    public required double SarWorstCase { get; init; }
    /// <summary>λ_max(A), W/kg per drive unit².</summary>
    public required double LambdaMaxA { get; init; }
    /// <summary>Regularisation used, in words.</summary>
    public required string Regularisation { get; init; }
    /// <summary>Power floor A ⪰ floor·I, W/kg per drive unit² (0 without one).</summary>
    public required double PowerFloor { get; init; }
    /// <summary>True when the intersection of the constraints was unbounded (floor added).</summary>
    public required bool Unbounded { get; init; }
    /// <summary>Contact matrices of the solution.</summary>
    public required int Contacts { get; init; }
    /// <summary>Active-set rounds.</summary>
    public required int Rounds { get; init; }
    /// <summary>Newton steps.</summary>
    public required int NewtonSteps { get; init; }
    /// <summary>Final active-set size.</summary>
    public required int ActiveSetSize { get; init; }
    /// <summary>Evaluations against all matrices.</summary>
    public required long FullEvaluations { get; init; }
    /// <summary>Power-loss statistics; null with <c>--samples 0</c>.</summary>
    public required MviePowerResult? PowerFraction { get; init; }
    /// <summary>Unit of the Q-matrices (from the file; empty when not stored).</summary>
    public required string Unit { get; init; }
    /// <summary>Solver run time, s.</summary>
    public required double ElapsedS { get; init; }
    /// <summary>SarKit version.</summary>
    public required string SarkitVersion { get; init; }
}
