using System.Text.Json.Serialization;

namespace SarKit.Workflows.Results;

/// <summary>One IEC 60601-2-33 limit of a sequence or pulse check (docs/supervision.md).</summary>
/// <param name="Metric">SAR metric id: <c>local_head</c>, <c>local_trunk</c>, <c>local_extremity</c>, <c>whole_body</c>, <c>head</c> or <c>partial_body</c>.</param>
/// <param name="WindowS">Averaging window of the limit, s (10 s short-term, 360 s six-minute).</param>
/// <param name="LimitWPerKg">Limit value, W/kg.</param>
/// <param name="Source">Where the limit comes from (limit table entry, or <c>user</c> for <c>--limit</c>).</param>
/// <param name="Evaluated">False when no matrices for the limit's metric were given (reported, not failed).</param>
/// <param name="SarWPerKg">Worst-window SAR, W/kg: the segment-model maximum plus <c>edge_error_bound_w_per_kg</c> (an upper bound of per-sample integration); null when not evaluated or undefined.</param>
/// <param name="Ratio">SAR / limit (≤ 1 passes); null when not evaluated or undefined.</param>
/// <param name="Passed">True when not evaluated, or evaluated with a finite SAR and ratio ≤ 1 (fails closed on NaN/∞).</param>
/// <param name="WorstWindowEndS">End time of the worst window, s; null when not evaluated.</param>
/// <param name="Matrices">Name of the matrix set used (null when not evaluated).</param>
/// <param name="MatrixIndex">0-based index of the matrix (VOP, Q-matrix) attaining the worst window.</param>
/// <param name="EdgeErrorBoundWPerKg">Edge-error bound B = max_j 2·max_g e_{j,g}/T already included in <c>sar_w_per_kg</c>, W/kg (the exact per-sample value is in [SAR − 2B, SAR]); null when not evaluated.</param>
public sealed record SarLimitOutcomeResult(string Metric, double WindowS, double LimitWPerKg, string Source, bool Evaluated, double? SarWPerKg, double? Ratio,
    bool Passed, double? WorstWindowEndS, string? Matrices, int MatrixIndex, double? EdgeErrorBoundWPerKg);

/// <summary>A matrix set checked by a sequence or pulse check (VOPs, Q-matrices, region Q or a B1 calibration).</summary>
/// <param name="Name">Description of the set; for VOPs it states the guarantee relied on (certificate, signature, re-verification).</param>
/// <param name="Metric">SAR metric id the set evaluates (see <see cref="SarLimitOutcomeResult.Metric"/>).</param>
/// <param name="Count">Number of matrices.</param>
/// <param name="Channels">Transmit channels N (matrices are N × N).</param>
/// <param name="DriveUnit">Drive unit u: the matrices give W/kg per u² (<c>V</c>, <c>sqrt(W)</c>, <c>A</c>, <c>uT</c>).</param>
/// <param name="MassKg">Region mass, kg (global Q regions); null otherwise.</param>
public sealed record SarMatrixSetResult(string Name, string Metric, int Count, int Channels, string DriveUnit, double? MassKg);

/// <summary>SAR over the sequence for one metric and window length: the value of the window ending at each time.</summary>
/// <param name="Metric">SAR metric id.</param>
/// <param name="Matrices">Name of the matrix set.</param>
/// <param name="WindowS">Window length, s.</param>
/// <param name="TEndS">Window-end times, s.</param>
/// <param name="SarWPerKg">Window SAR at each end time, W/kg (edge-error bound included).</param>
/// <param name="EdgeErrorBoundWPerKg">Edge-error bound included in every value, W/kg.</param>
/// <param name="LimitsWPerKg">The limits with this metric and window, W/kg (dashed lines of the plot).</param>
public sealed record SarTimelineResult(string Metric, string Matrices, double WindowS, double[] TEndS, double[] SarWPerKg, double EdgeErrorBoundWPerKg, double[] LimitsWPerKg);

/// <summary>
/// Sequence (Pulseq) or multi-channel pulse SAR check against IEC 60601-2-33: every limit's worst window, the binding
/// limit, the largest compliant RF scale and the shortest compliant repetition (docs/supervision.md). Exit code 3 of the
/// CLI when a limit is exceeded.
/// </summary>
/// <param name="Source">The sequence or waveform file (web: the uploaded file name).</param>
/// <param name="PeriodS">Schedule period, s (the sequence duration, or the pulse repetition time).</param>
/// <param name="RfEvents">RF pulses placed in one period.</param>
/// <param name="DistinctRfEvents">Distinct RF pulse templates (RF event × shim).</param>
/// <param name="Channels">Transmit channels.</param>
/// <param name="Repetition"><c>steady</c> (repeated forever) or <c>once</c> (played once, silence around).</param>
/// <param name="Mode">IEC operating mode: <c>normal</c> or <c>first</c> (first level).</param>
/// <param name="ExposedMassRatio">Exposed mass / patient mass R of the partial-body limit; null without a partial-body region.</param>
/// <param name="LimitTable">The limit table used (built-in IEC 60601-2-33 table or the <c>--limits</c> file).</param>
/// <param name="Matrices">The matrix sets checked.</param>
/// <param name="Limits">Every limit, in table order.</param>
/// <param name="Passed">True when at least one limit was evaluated and every evaluated limit passes with finite values (fail closed).</param>
/// <param name="Binding">The evaluated limit with the largest ratio (a non-finite value binds first); null when none was evaluated.</param>
/// <param name="MaxScaleFactor">Largest compliant RF amplitude scale √(limit/SAR) of the binding limit (SAR ∝ scale²); null when unbounded (no RF).</param>
/// <param name="MinimumAddedDelayS">Smallest silence added per repetition that makes every limit pass, s (0 when it passes); null when no delay suffices or the search was skipped.</param>
/// <param name="ShortestRepetitionS">Repetition length plus <c>minimum_added_delay_s</c>, s; null like it.</param>
/// <param name="SoftDelayHints">Hints of the Pulseq <c>DELAYS</c> soft delays used by blocks (nominal durations are checked); empty for a pulse check.</param>
/// <param name="Signature"><c>verified</c> or <c>absent</c> for the Pulseq <c>[SIGNATURE]</c> (a mismatch is refused, exit 2); null for a pulse check.</param>
/// <param name="Timeline">Web only (omitted by the CLI, which writes <c>--timeline</c> files): SAR per window end for every metric and window length.</param>
[JsonResult("sarkit seq check --json, sarkit pulse check --json", Web = "POST /api/seq/check", Order = 400)]
public sealed record SequenceCheckResult(string Source, double PeriodS, int RfEvents, int DistinctRfEvents, int Channels, string Repetition, string Mode,
    double? ExposedMassRatio, string LimitTable, SarMatrixSetResult[] Matrices, SarLimitOutcomeResult[] Limits, bool Passed, SarLimitOutcomeResult? Binding,
    double? MaxScaleFactor, double? MinimumAddedDelayS, double? ShortestRepetitionS, string[] SoftDelayHints, string? Signature,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] SarTimelineResult[]? Timeline = null);

/// <summary>Pulseq sequence information: rasters, blocks, RF events, RF_SHIMS, RF energy and B1.</summary>
/// <param name="Source">The .seq file.</param>
/// <param name="Version">Pulseq file version, e.g. <c>1.5.0</c>.</param>
/// <param name="DurationS">Total duration (sum of block durations), s.</param>
/// <param name="Blocks">Number of blocks.</param>
/// <param name="RfBlocks">Blocks with an RF event.</param>
/// <param name="RfEvents">Distinct RF events.</param>
/// <param name="Shapes">Shapes.</param>
/// <param name="RfRasterS">RF raster time, s.</param>
/// <param name="BlockRasterS">Block duration raster, s.</param>
/// <param name="ShimmedBlocks">RF blocks with an RF_SHIMS row.</param>
/// <param name="ShimChannels">Channels of the RF_SHIMS rows; null without RF_SHIMS.</param>
/// <param name="SoftDelayBlocks">Blocks with a DELAYS (soft delay) extension.</param>
/// <param name="SoftDelayHints">Distinct soft delay hints.</param>
/// <param name="Extensions">Declared extension names.</param>
/// <param name="RfEnergyHz2S">RF energy Σ|s|²Δt over all RF blocks, Hz²·s.</param>
/// <param name="PeakB1UT">Peak B1, µT.</param>
/// <param name="B1RmsUT">B1rms over the sequence duration, µT.</param>
/// <param name="RfDutyCycle">RF-on time / duration.</param>
/// <param name="FlipAngleMaxDeg">Largest flip angle 360°·|Σ s|·Δt, degrees.</param>
/// <param name="Signature"><c>verified</c> or <c>absent</c> for the Pulseq <c>[SIGNATURE]</c> (a mismatch is refused).</param>
[JsonResult("sarkit seq info --json", Order = 401)]
public sealed record SequenceInfoResult(string Source, string Version, double DurationS, int Blocks, int RfBlocks, int RfEvents, int Shapes, double RfRasterS,
    double BlockRasterS, int ShimmedBlocks, int? ShimChannels, int SoftDelayBlocks, string[] SoftDelayHints, string[] Extensions, double RfEnergyHz2S,
    double PeakB1UT, double B1RmsUT, double RfDutyCycle, double FlipAngleMaxDeg, string Signature);

/// <summary>Defaults of the web sequence-check page.</summary>
/// <param name="CalibrationVPerMicroTesla">Default drive calibration, V peak incident per µT of Pulseq B1 on every channel (CP shim).</param>
/// <param name="MarginPercent">Default VOP compression margin, % of the largest local SAR.</param>
/// <param name="Mode">Default IEC operating mode.</param>
/// <param name="LocalRegion">Default local SAR limit region.</param>
/// <param name="Matrices">Matrix choices: <c>q</c> (all averaged Q-matrices) and <c>vop</c> (certified VOP set).</param>
/// <param name="TimelinePoints">Window-end times per timeline.</param>
[JsonResult("GET /api/seq/defaults", Web = "GET /api/seq/defaults", Order = 402)]
public sealed record SequenceCheckDefaultsResult(double CalibrationVPerMicroTesla, double MarginPercent, string Mode, string LocalRegion, string[] Matrices, int TimelinePoints);
