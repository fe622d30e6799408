namespace SarKit.Workflows.Results;

/// <summary>Weights of one sub-pulse of a spokes / kT-points design.</summary>
/// <param name="KRadPerM">Excitation k-space position (kx, ky, kz) during the sub-pulse, rad/m.</param>
/// <param name="Amplitude">Peak drive amplitude per channel (drive unit of the dataset; the sub-pulse shape has peak 1).</param>
/// <param name="PhaseDeg">Drive phase per channel, degrees.</param>
public sealed record SpokeWeightsResult([property: JsonUnit("rad/m")] double[] KRadPerM, [property: JsonUnit("drive unit")] double[] Amplitude, double[] PhaseDeg);

/// <summary>One spokes / kT-points design under one local-SAR constraint set, certified against every original 10 g Q-matrix (docs/pulse-design.md).</summary>
public sealed record SpokesDesignResult
{
    /// <summary>Constraint set: "all" (every 10 g Q-matrix, row generation), "vop" (a VOP file), "mvie" (an MVIE file) or "vop-seeded" (designed with a VOP file, then polished against every original 10 g Q-matrix by row generation from that design).</summary>
    public required string Constraints { get; init; }
    /// <summary>Full path of the VOP (also for "vop-seeded") or MVIE file; empty for "all".</summary>
    public required string ConstraintFile { get; init; }
    /// <summary>Local SAR matrices the design was optimised with (all and vop-seeded: the number of originals).</summary>
    [JsonUnit("")] public required int ConstraintCount { get; init; }
    /// <summary>Local SAR matrices in the inner problem at the end (row generation: the active set; otherwise the constraint count).</summary>
    [JsonUnit("")] public required int ActiveConstraints { get; init; }
    /// <summary>Normalised RMS error sqrt(Σ(|θ| − θ_target)²/Σ θ_target²) of the small-tip flip angle over the region of interest.</summary>
    [JsonUnit("")] public required double Nrmse { get; init; }
    /// <summary>Coefficient of variation std(|θ|)/mean(|θ|) over the region of interest.</summary>
    [JsonUnit("")] public required double CoefficientOfVariation { get; init; }
    /// <summary>Mean small-tip flip angle |θ| over the region of interest, degrees.</summary>
    public required double MeanFlipDeg { get; init; }
    /// <summary>True peak 10 g SAR of the written pulse over every original Q-matrix, time-averaged over the repetition time (Σ_j c_j w_jᴴQw_j), W/kg.</summary>
    public required double PeakSar10gWPerKg { get; init; }
    /// <summary>Index of the original Q-matrix (averaging cube) with the peak.</summary>
    [JsonUnit("")] public required int PeakCube { get; init; }
    /// <summary>Peak 10 g SAR the constraint set predicts for the optimised pulse (VOP/MVIE upper bound), time-averaged, W/kg.</summary>
    public required double ConstraintSar10gWPerKg { get; init; }
    /// <summary>Fraction of the local limit used by the true peak 10 g SAR.</summary>
    [JsonUnit("")] public required double LimitFractionUsed { get; init; }
    /// <summary>Global (region) SAR of the written pulse, time-averaged, W/kg.</summary>
    public required double GlobalSarWPerKg { get; init; }
    /// <summary>Total incident power averaged over the repetition time, W; null when the field normalisation does not define it.</summary>
    public required double? AverageIncidentPowerW { get; init; }
    /// <summary>Time-averaged incident power relative to the design with all Q-matrices (1 = same); null without that design.</summary>
    [JsonUnit("")] public required double? PowerRelativeToAll { get; init; }
    /// <summary>NRMSE minus the NRMSE of the design with all Q-matrices; null without that design.</summary>
    [JsonUnit("")] public required double? NrmseExcessOverAll { get; init; }
    /// <summary>True when the optimised pulse satisfies the local limit on every original Q-matrix, the global limit and the power limits.</summary>
    public required bool Certified { get; init; }
    /// <summary>True when the optimised pulse violated a limit on the originals and the written pulse is it scaled down to the limits (labelled, not a valid design).</summary>
    public required bool ScaledToLimit { get; init; }
    /// <summary>Weights of every sub-pulse, in playing order.</summary>
    public required List<SpokeWeightsResult> SubPulses { get; init; }
    /// <summary>Variable-exchange iterations (all starts).</summary>
    [JsonUnit("")] public required int Iterations { get; init; }
    /// <summary>Newton steps of the inner solver (all iterations).</summary>
    [JsonUnit("")] public required int NewtonSteps { get; init; }
    /// <summary>Newton steps of the direct interior-point method on the MLS objective (0 when not used; each one costlier than an inner step).</summary>
    [JsonUnit("")] public int DirectNewtonSteps { get; init; }
    /// <summary>Solve time of the design (without reading files and certification), s.</summary>
    public required double SolveS { get; init; }
    /// <summary>CPU time of the solve, s (single-threaded solver; wall time on a loaded machine is longer).</summary>
    public required double SolveCpuS { get; init; }
}

/// <summary>Spokes / kT-points pTx pulse design(s) of <c>sarkit spokes</c>: small-tip MLS flip-angle homogeneity under certified, time-averaged 10 g SAR limits (docs/pulse-design.md).</summary>
[JsonResult("sarkit spokes --json", Web = "GET /api/spokes/job (field result)", Order = 321)]
public sealed record SpokesResult
{
    /// <summary>True when the written pulse (the first design) is certified: every limit holds on every original Q-matrix.</summary>
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
    /// <summary>Trajectory: "kt" (kT-points: centre, ±k along x, y, z), "spokes" (in-plane positions of the slice) or "given".</summary>
    public required string Trajectory { get; init; }
    /// <summary>Number of sub-pulses K.</summary>
    [JsonUnit("")] public required int SubPulseCount { get; init; }
    /// <summary>Sub-pulse shape: "hard" or "sinc".</summary>
    public required string SubPulseShape { get; init; }
    /// <summary>Sub-pulse duration, s.</summary>
    public required double SubPulseDurationS { get; init; }
    /// <summary>Time-bandwidth product of the sinc sub-pulse (unused for hard pulses).</summary>
    [JsonUnit("")] public required double TimeBandwidth { get; init; }
    /// <summary>Gap between sub-pulses (gradient blips), s.</summary>
    public required double GapS { get; init; }
    /// <summary>Total pulse length, s.</summary>
    public required double PulseLengthS { get; init; }
    /// <summary>Repetition time over which SAR and average power are averaged, s.</summary>
    public required double RepetitionTimeS { get; init; }
    /// <summary>SAR weight of each sub-pulse c_j = ∫p_j² dt / TR (the time-averaged SAR is Σ_j c_j w_jᴴQw_j).</summary>
    [JsonUnit("")] public required double[] SarWeights { get; init; }
    /// <summary>Target small-tip flip angle in the region, degrees.</summary>
    public required double TargetFlipDeg { get; init; }
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
    /// <summary>Original 10 g Q-matrices every design is certified against.</summary>
    [JsonUnit("")] public required int OriginalMatrices { get; init; }
    /// <summary>Where the originals came from (Q-matrix file, or computed from the dataset).</summary>
    public required string OriginalSource { get; init; }
    /// <summary>Drive normalisation of the dataset (drive unit of the amplitudes).</summary>
    public required string Normalisation { get; init; }
    /// <summary>The designs, the written one first.</summary>
    public required List<SpokesDesignResult> Designs { get; init; }
    /// <summary>Waveform CSV written (accepted by <c>sarkit pulse check</c>); empty when none.</summary>
    public required string WaveformFile { get; init; }
    /// <summary>Pulseq file written (one block per sub-pulse with RF_SHIMS, accepted by <c>sarkit seq check</c> with the calibration <see cref="SeqCalibration"/>); empty when none.</summary>
    public required string SeqFile { get; init; }
    /// <summary>Calibration to give <c>sarkit seq check --calibration</c> for <see cref="SeqFile"/> (1 drive unit per µT); empty when no Pulseq file was written.</summary>
    public required string SeqCalibration { get; init; }
    /// <summary>Notes (e.g. B1+ from finite differences).</summary>
    public required List<string> Warnings { get; init; }
    /// <summary>Total run time, s.</summary>
    public required double ElapsedS { get; init; }
    /// <summary>SarKit version.</summary>
    public required string SarkitVersion { get; init; }
}
