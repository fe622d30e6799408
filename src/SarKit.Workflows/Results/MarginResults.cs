namespace SarKit.Workflows.Results;

/// <summary>The hot-spot coefficient C_r = E[max of r standard normals] (<c>sarkit margin cr</c>; docs/margins.md).</summary>
/// <param name="R">Number of uncorrelated hot spots r.</param>
/// <param name="Cr">C_r = r∫xφ(x)Φ(x)^(r−1)dx (dimensionless).</param>
/// <param name="K">Number of standard deviations k.</param>
/// <param name="KPlusCr">k + C_r.</param>
/// <param name="GaussianTail">One-sided Gaussian tail 1 − Φ(k).</param>
/// <param name="SarkitVersion">SarKit version.</param>
[JsonResult("sarkit margin cr --json", Order = 300)]
public sealed record MarginCrResult(int R, double Cr, double K, double KPlusCr, double GaussianTail, string SarkitVersion);

/// <summary>The E-field uncertainty margin Q + Q_e averaged over every IEC/IEEE 62704-1 cube (<c>sarkit margin qe</c>; docs/margins.md).</summary>
[JsonResult("sarkit margin qe --json", Order = 301)]
public sealed record MarginQeResult
{
    /// <summary>Full path of the dataset file.</summary>
    public required string InputFile { get; init; }
    /// <summary>Full path of the Q-matrix file written.</summary>
    public required string OutputFile { get; init; }
    /// <summary>What was written: "Q + Q_e" or "Q_e only".</summary>
    public required string Content { get; init; }
    /// <summary>Averaging mass, kg.</summary>
    public required double MassKg { get; init; }
    /// <summary>Number of averaged matrices (cubes).</summary>
    public required int Count { get; init; }
    /// <summary>Transmit channels N.</summary>
    public required int Channels { get; init; }
    /// <summary>σ_e as given: V/m per drive unit, or a fraction of the mean |E| when <see cref="SigmaERelative"/>.</summary>
    public required double SigmaE { get; init; }
    /// <summary>True when σ_e was given relative to the mean |E| over tissue.</summary>
    public required bool SigmaERelative { get; init; }
    /// <summary>σ_e in V/m per drive unit.</summary>
    public required double SigmaEAbsolute { get; init; }
    /// <summary>Mean |E| over tissue, V/m per drive unit.</summary>
    public required double MeanFieldMagnitude { get; init; }
    /// <summary>Standard deviations k.</summary>
    public required double K { get; init; }
    /// <summary>Uncorrelated hot spots r.</summary>
    public required int R { get; init; }
    /// <summary>C_r of <see cref="R"/>.</summary>
    public required double Cr { get; init; }
    /// <summary>True when the expectation term 3σ/(2ρ)σ_e²·I is included.</summary>
    public required bool Expectation { get; init; }
    /// <summary>K_e form: "hermitian" or "seed".</summary>
    public required string Form { get; init; }
    /// <summary>Drive of the reported SAR increase (as in <c>sar</c>).</summary>
    public required DriveResult Drive { get; init; }
    /// <summary>psSAR of the drive from Q, W/kg (per drive unit² of the dataset).</summary>
    public required double PeakSar { get; init; }
    /// <summary>psSAR of the drive from Q + Q_e, W/kg.</summary>
    public required double ProtectedPeakSar { get; init; }
    /// <summary>Relative increase protected/peak − 1.</summary>
    public required double RelativeIncrease { get; init; }
    /// <summary>Unit of the SAR values, e.g. "W/kg per V^2".</summary>
    public required string Unit { get; init; }
    /// <summary>Run time, s.</summary>
    public required double ElapsedS { get; init; }
    /// <summary>SarKit version.</summary>
    public required string SarkitVersion { get; init; }
    /// <summary>Full path of the VOP file written with the margin (V_j + β·I); null without <c>--vops</c>.</summary>
    public string? VopsOutput { get; init; }
    /// <summary>β = max λ_max(Q_e) added to every VOP, W/kg per drive unit²; null without <c>--vops</c>.</summary>
    public double? VopMarginBeta { get; init; }
}

/// <summary>Monte-Carlo result of one drive (<c>sarkit margin validate</c>).</summary>
/// <param name="Label">Drive label (focus, given, random n).</param>
/// <param name="PeakSar">psSAR from Q, W/kg.</param>
/// <param name="ProtectedPeakSar">psSAR from Q + Q_e, W/kg.</param>
/// <param name="Trials">Error draws.</param>
/// <param name="Exceedances">Draws whose true psSAR exceeded the protected psSAR.</param>
/// <param name="ExceedancesWithoutMargin">Draws whose true psSAR exceeded the psSAR from Q.</param>
/// <param name="MaxTrueOverProtected">Largest true/protected psSAR ratio.</param>
/// <param name="MeanTrueOverNominal">Mean true/nominal psSAR ratio.</param>
public sealed record MarginDriveResult(string Label, double PeakSar, double ProtectedPeakSar, int Trials, int Exceedances, int ExceedancesWithoutMargin, double MaxTrueOverProtected, double MeanTrueOverNominal);

/// <summary>Monte-Carlo validation of the E-field uncertainty margin (<c>sarkit margin validate</c>; docs/margins.md).</summary>
[JsonResult("sarkit margin validate --json", Order = 302)]
public sealed record MarginValidateResult
{
    /// <summary>Full path of the dataset file.</summary>
    public required string InputFile { get; init; }
    /// <summary>Margin model description.</summary>
    public required string Margin { get; init; }
    /// <summary>σ_e in V/m per drive unit.</summary>
    public required double SigmaEAbsolute { get; init; }
    /// <summary>Error distribution: gaussian, studentt or laplace.</summary>
    public required string Distribution { get; init; }
    /// <summary>Kurtosis of the error distribution.</summary>
    public required double Kurtosis { get; init; }
    /// <summary>Trials pooled over all drives.</summary>
    public required long Trials { get; init; }
    /// <summary>Pooled exceedances of the protected psSAR.</summary>
    public required long Exceedances { get; init; }
    /// <summary>Exceedance probability.</summary>
    public required double Probability { get; init; }
    /// <summary>Lower end of the confidence interval of the probability.</summary>
    public required double CiLow { get; init; }
    /// <summary>Upper end of the confidence interval of the probability.</summary>
    public required double CiHigh { get; init; }
    /// <summary>Confidence level of the interval (fraction).</summary>
    public required double Confidence { get; init; }
    /// <summary>Target probability 1 − Φ(k).</summary>
    public required double Target { get; init; }
    /// <summary>Distribution-free Cantelli bound.</summary>
    public required double CantelliBound { get; init; }
    /// <summary>True when ci_high ≤ target: the exceedance probability is shown to be at most the target (false also
    /// when too few trials were run to show it).</summary>
    public required bool WithinTarget { get; init; }
    /// <summary>True when ci_low &gt; target: the exceedance probability is shown to be above the target.</summary>
    public required bool ExceedsTarget { get; init; }
    /// <summary>Spatial structure of the errors: 0 one error vector per channel for the whole body (fully correlated);
    /// b ≥ 1 independent errors per block of b × b × b voxels.</summary>
    public required int ErrorBlockVoxels { get; init; }
    /// <summary>Exceedance probability without the margin.</summary>
    public required double ProbabilityWithoutMargin { get; init; }
    /// <summary>Per-drive results.</summary>
    public required MarginDriveResult[] Drives { get; init; }
    /// <summary>Run time, s.</summary>
    public required double ElapsedS { get; init; }
    /// <summary>SarKit version.</summary>
    public required string SarkitVersion { get; init; }
}
