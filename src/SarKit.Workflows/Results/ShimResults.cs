namespace SarKit.Workflows.Results;

/// <summary>One RF shim design under one local-SAR constraint set, certified against every original 10 g Q-matrix (docs/pulse-design.md).</summary>
public sealed record ShimDesignResult
{
    /// <summary>Constraint set: "all" (every 10 g Q-matrix, row generation), "vop" (a VOP file), "mvie" (an MVIE file), "vop-seeded" (designed with a VOP file, then polished against every original 10 g Q-matrix by row generation from that design) or "cp" (the circularly polarised reference drive scaled to the limits, no optimisation).</summary>
    public required string Constraints { get; init; }
    /// <summary>Full path of the VOP (also for "vop-seeded") or MVIE file; empty for "all" and "cp".</summary>
    public required string ConstraintFile { get; init; }
    /// <summary>Local SAR matrices the design was optimised with (all and vop-seeded: the number of originals).</summary>
    [JsonUnit("")] public required int ConstraintCount { get; init; }
    /// <summary>Local SAR matrices in the inner problem at the end (row generation: the active set; otherwise the constraint count).</summary>
    [JsonUnit("")] public required int ActiveConstraints { get; init; }
    /// <summary>Normalised RMS error sqrt(Σ(|B1+| − target)²/Σ target²) over the region of interest.</summary>
    [JsonUnit("")] public required double Nrmse { get; init; }
    /// <summary>Coefficient of variation std(|B1+|)/mean(|B1+|) over the region of interest.</summary>
    [JsonUnit("")] public required double CoefficientOfVariation { get; init; }
    /// <summary>Mean |B1+| over the region of interest, µT.</summary>
    public required double MeanB1Ut { get; init; }
    /// <summary>True peak 10 g SAR of the written drive over every original Q-matrix, time-averaged with the duty cycle, W/kg.</summary>
    public required double PeakSar10gWPerKg { get; init; }
    /// <summary>Index of the original Q-matrix (averaging cube) with the peak.</summary>
    [JsonUnit("")] public required int PeakCube { get; init; }
    /// <summary>Peak 10 g SAR the constraint set predicts for the optimised drive (VOP/MVIE upper bound), time-averaged, W/kg.</summary>
    public required double ConstraintSar10gWPerKg { get; init; }
    /// <summary>Fraction of the local limit used by the true peak 10 g SAR (1 − margin).</summary>
    [JsonUnit("")] public required double LimitFractionUsed { get; init; }
    /// <summary>Global (region) SAR of the written drive, time-averaged, W/kg.</summary>
    public required double GlobalSarWPerKg { get; init; }
    /// <summary>Total incident power during the pulse (not time-averaged), W; null when the field normalisation does not define it.</summary>
    public required double? IncidentPowerW { get; init; }
    /// <summary>Incident power relative to the design with all Q-matrices (1 = same; below 1 = power the constraint set cost); null without that design.</summary>
    [JsonUnit("")] public required double? PowerRelativeToAll { get; init; }
    /// <summary>NRMSE minus the NRMSE of the design with all Q-matrices; null without that design.</summary>
    [JsonUnit("")] public required double? NrmseExcessOverAll { get; init; }
    /// <summary>Power fraction the constraint set allows in the direction of the optimised drive: true peak SAR / constraint-set SAR (1 = no power lost there).</summary>
    [JsonUnit("")] public required double DirectionPowerFraction { get; init; }
    /// <summary>True when the optimised drive satisfies the local limit on every original Q-matrix, the global limit and the power limits.</summary>
    public required bool Certified { get; init; }
    /// <summary>True when the optimised drive violated a limit on the originals and the written drive is it scaled down to the limits (labelled, not a valid design).</summary>
    public required bool ScaledToLimit { get; init; }
    /// <summary>Drive amplitudes per channel (drive unit of the dataset, peak).</summary>
    [JsonUnit("drive unit")] public required double[] Amplitude { get; init; }
    /// <summary>Drive phases per channel, degrees.</summary>
    public required double[] PhaseDeg { get; init; }
    /// <summary>Variable-exchange iterations (all starts).</summary>
    [JsonUnit("")] public required int Iterations { get; init; }
    /// <summary>Newton steps of the inner solver (all iterations).</summary>
    [JsonUnit("")] public required int NewtonSteps { get; init; }
    /// <summary>Solve time of the design (without reading files and certification), s.</summary>
    public required double SolveS { get; init; }
    /// <summary>CPU time of the solve, s (single-threaded solver; wall time on a loaded machine is longer).</summary>
    public required double SolveCpuS { get; init; }
}

/// <summary>MVIE random-direction power statistics (seed Table 2) against the originals used here, for comparison with the power actually lost.</summary>
/// <param name="Samples">Random unit drives (complex unit sphere, seed 1).</param>
/// <param name="Mean">Mean allowed-power fraction (MVIE vs all matrices).</param>
/// <param name="Min">Smallest fraction.</param>
/// <param name="Max">Largest fraction.</param>
public sealed record ShimMviePowerResult([property: JsonUnit("")] int Samples, [property: JsonUnit("")] double Mean, [property: JsonUnit("")] double Min, [property: JsonUnit("")] double Max);

/// <summary>RF shim design(s) of <c>sarkit shim</c>: MLS homogeneity in a region under certified 10 g SAR limits (docs/pulse-design.md).</summary>
[JsonResult("sarkit shim --json", Web = "GET /api/shim/job (field result)", Order = 320)]
public sealed record RfShimResult
{
    /// <summary>True when the written drive (the first design) is certified: every limit holds on every original Q-matrix.</summary>
    public required bool Passed { get; init; }
    /// <summary>Full path of the dataset.</summary>
    public required string InputFile { get; init; }
    /// <summary>Where B1+ came from: "stored", "from_h" (μ0 H) or "from_curl_e" (Faraday, finite differences).</summary>
    public required string B1Origin { get; init; }
    /// <summary>Rotation sense of B1+: "counterclockwise" ((Bx + iBy)/2, e^{+iωt}) or "clockwise".</summary>
    public required string B1Convention { get; init; }
    /// <summary>Region of interest, in words (slice or mask, intersected with tissue).</summary>
    public required string Roi { get; init; }
    /// <summary>Voxels in the region of interest.</summary>
    [JsonUnit("voxels")] public required int RoiVoxels { get; init; }
    /// <summary>Target |B1+|, µT.</summary>
    public required double TargetUt { get; init; }
    /// <summary>Local (10 g) SAR limit, time-averaged, W/kg.</summary>
    public required double LocalLimitWPerKg { get; init; }
    /// <summary>Global SAR limit over <see cref="GlobalRegion"/>, time-averaged, W/kg (0: none).</summary>
    public required double GlobalLimitWPerKg { get; init; }
    /// <summary>Region of the global SAR (mask name, or "tissue").</summary>
    public required string GlobalRegion { get; init; }
    /// <summary>Per-channel peak incident power limit, W (0: none).</summary>
    public required double ChannelPeakPowerW { get; init; }
    /// <summary>Per-channel time-averaged incident power limit, W (0: none).</summary>
    public required double ChannelAveragePowerW { get; init; }
    /// <summary>Peak incident power limit of each channel, W (0: none), when given per channel (then <see cref="ChannelPeakPowerW"/> is 0); null: one value for every channel.</summary>
    [JsonUnit("W")] public required double[]? ChannelPeakPowersW { get; init; }
    /// <summary>Time-averaged incident power limit of each channel, W (0: none), when given per channel (then <see cref="ChannelAveragePowerW"/> is 0); null: one value for every channel.</summary>
    [JsonUnit("W")] public required double[]? ChannelAveragePowersW { get; init; }
    /// <summary>Fraction of time the shim is transmitted; SAR and average power are the pulse values times this.</summary>
    [JsonUnit("")] public required double DutyCycle { get; init; }
    /// <summary>Original 10 g Q-matrices every design is certified against.</summary>
    [JsonUnit("")] public required int OriginalMatrices { get; init; }
    /// <summary>Where the originals came from (Q-matrix file, or computed from the dataset).</summary>
    public required string OriginalSource { get; init; }
    /// <summary>Drive normalisation of the dataset (drive unit of the amplitudes).</summary>
    public required string Normalisation { get; init; }
    /// <summary>The designs, the written one first; a "cp" reference row last.</summary>
    public required List<ShimDesignResult> Designs { get; init; }
    /// <summary>MVIE random-direction power statistics (500 random unit drives against the originals); null without an MVIE design.</summary>
    public required ShimMviePowerResult? MviePowerFraction { get; init; }
    /// <summary>Drive JSON written (accepted by <c>sarkit sar --drive</c>); empty when none.</summary>
    public required string DriveFile { get; init; }
    /// <summary>Waveform CSV written (accepted by <c>sarkit pulse check</c>); empty when none.</summary>
    public required string WaveformFile { get; init; }
    /// <summary>Notes (e.g. a VOP set issued for other originals, B1+ from finite differences).</summary>
    public required List<string> Warnings { get; init; }
    /// <summary>Total run time, s.</summary>
    public required double ElapsedS { get; init; }
    /// <summary>SarKit version.</summary>
    public required string SarkitVersion { get; init; }
}
