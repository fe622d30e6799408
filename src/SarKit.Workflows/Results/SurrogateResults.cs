namespace SarKit.Workflows.Results;

/// <summary>
/// Direct-model prediction (unet, cgan) of one slice (<see cref="SarKit.Workflows.SurrogatePrediction"/>;
/// docs/surrogate.md "Inference in C#").
/// </summary>
/// <param name="InputFile">Absolute path of the B1⁺ input file.</param>
/// <param name="Model">Absolute path of model.onnx.</param>
/// <param name="Target">What the model predicts: "sar" (point SAR) or "sar10g" (2D-adapted 10 g SAR).</param>
/// <param name="Ny">Cells along y.</param>
/// <param name="Nx">Cells along x.</param>
/// <param name="MeanB1AbsUt">⟨|B1⁺|⟩ over the body, µT.</param>
/// <param name="PeakSarWPerKg">Peak predicted SAR, W/kg.</param>
/// <param name="PeakIndex">Cell of the peak, [j, i] (0-based row, column).</param>
/// <param name="SafetyFactor">Calibrated safety factor from config.json (<c>safety_factor</c>; 1 when absent), dimensionless.</param>
/// <param name="ConservativePeakSarWPerKg">Peak SAR × safety factor, W/kg.</param>
/// <param name="ReferencePeakSarWPerKg">Reference peak of the model's target from a dataset shard, W/kg; null for other inputs.</param>
/// <param name="InferenceMs">Wall time of input preparation, inference and rescaling, ms.</param>
/// <param name="OutputFile">Absolute path of the written maps (.npz: sar, sar_normalised); null without <c>-o</c>.</param>
/// <param name="SarkitVersion">SarKit version that computed the result.</param>
/// <param name="SarBasis">What every SAR figure here is: "surrogate-calibrated, not certified against true SAR", followed by the calibration's
/// coverage (safety factor and quantile, the 2D FDFD synthetic data it was calibrated on, the P(under) target and the held-out bound).</param>
[JsonResult("sarkit surrogate predict --json", Order = 450)]
public sealed record SurrogatePredictResult(string InputFile, string Model, string Target, int Ny, int Nx, double MeanB1AbsUt, double PeakSarWPerKg,
    int[] PeakIndex, double SafetyFactor, double ConservativePeakSarWPerKg, double? ReferencePeakSarWPerKg, double InferenceMs, string? OutputFile, string SarkitVersion, string SarBasis);

/// <summary>
/// The VOP set written by the per-channel prediction (<c>--vops-out</c>): surrogate-calibrated, not certified against true SAR
/// (its certificate covers SF × the predicted 2D 10 g Q-matrices only; docs/vop-format.md "SAR basis").
/// </summary>
/// <param name="File">Absolute path of the VOP file (SarKit HDF5 VOP format, docs/vop-format.md; or .mat/.npz).</param>
/// <param name="Count">Number of VOPs.</param>
/// <param name="QMatrices">Number of 2D 10 g Q-matrices (tissue cells) compressed.</param>
/// <param name="MarginEpsilon">Diagonal margin ε as a fraction of SAR_wc, dimensionless.</param>
/// <param name="SarWc">SAR_wc of the scaled Q-matrices (largest eigenvalue over all cells), W/kg per unit drive².</param>
/// <param name="SafetyFactor">Factor SF the Q-matrices were multiplied by, dimensionless.</param>
/// <param name="Normalisation">Drive unit of the input B1⁺ maps (per_ampere, per_volt_incident, per_sqrt_watt_incident, per_sqrt_watt_accepted).</param>
/// <param name="Certified">True when the independent verifier proved that the VOPs dominate SF × the <i>predicted</i> Q-matrices (the file is
/// written only then); not a certificate against true SAR (see <c>sar_basis</c>).</param>
/// <param name="SarBasis">The label stored in the file (attributes <c>sar_basis</c>, <c>sar_basis_coverage</c>, bound by the certificate digest):
/// "surrogate-calibrated, not certified against true SAR (calibration: …)".</param>
public sealed record SurrogateVopsResult(string File, int Count, int QMatrices, double MarginEpsilon, double SarWc, double SafetyFactor, string Normalisation, bool Certified,
    string SarBasis);

/// <summary>
/// Per-channel-model prediction of one slice: e_n per channel, SAR maps of one shim and optionally the certified VOP
/// set of SF × the predicted 2D 10 g Q-matrices (<see cref="SarKit.Workflows.SurrogatePrediction"/>; docs/cli.md).
/// SAR values are per unit drive amplitude.
/// </summary>
/// <param name="InputFile">Absolute path of the B1⁺ input file.</param>
/// <param name="Model">Absolute path of model.onnx.</param>
/// <param name="Channels">Transmit channels C of the model.</param>
/// <param name="Ny">Cells along y.</param>
/// <param name="Nx">Cells along x.</param>
/// <param name="CellSizeM">Cell side used for the 10 g average, m; null when no 10 g map or VOP set was computed.</param>
/// <param name="Phases">The shim's phases per channel, rad (unit amplitudes); null without a shim.</param>
/// <param name="PeakSarWPerKg">Peak point SAR of the shim, W/kg; null without a shim.</param>
/// <param name="PeakSarIndex">Cell of the point-SAR peak, [j, i]; null without a shim.</param>
/// <param name="PeakSar10gWPerKg">Peak 2D-adapted 10 g SAR of the shim, W/kg; null without a shim.</param>
/// <param name="PeakSar10gIndex">Cell of the 10 g peak, [j, i]; null without a shim.</param>
/// <param name="SafetyFactor">Calibrated safety factor SF from config.json (q95 of true/predicted peak on the validation subjects), dimensionless.</param>
/// <param name="SafetyFactorMetric">The peak metric SF was calibrated on ("sar10g" or "sar").</param>
/// <param name="ConservativePeakSar10gWPerKg">SF × the peak 10 g SAR, W/kg; null without a shim.</param>
/// <param name="ReferencePeakSarWPerKg">Dataset shard's reference peak point SAR of the shim, W/kg; null otherwise.</param>
/// <param name="ReferencePeakSar10gWPerKg">Dataset shard's reference peak 10 g SAR of the shim, W/kg; null otherwise.</param>
/// <param name="InferenceMs">Wall time from the start to the end of the inference (input reading included), ms.</param>
/// <param name="OutputFile">Absolute path of the written maps (.npz: e_channels, sar, sar10g, phases); null without <c>-o</c>.</param>
/// <param name="Vops">The surrogate-calibrated VOP set (compression certified against the predicted Q-matrices only); null without <c>--vops-out</c>.</param>
/// <param name="ElapsedS">Wall time of the whole prediction, s.</param>
/// <param name="SarkitVersion">SarKit version that computed the result.</param>
/// <param name="SarBasis">What every SAR figure here is: "surrogate-calibrated, not certified against true SAR", followed by the calibration's
/// coverage (safety factor and quantile, the 2D FDFD synthetic data it was calibrated on, the P(under) target and the held-out bound).</param>
[JsonResult("sarkit surrogate predict --json (per-channel model)", Order = 451)]
public sealed record SurrogatePerChannelPredictResult(string InputFile, string Model, int Channels, int Ny, int Nx, double? CellSizeM, double[]? Phases,
    double? PeakSarWPerKg, int[]? PeakSarIndex, double? PeakSar10gWPerKg, int[]? PeakSar10gIndex, double SafetyFactor, string SafetyFactorMetric,
    double? ConservativePeakSar10gWPerKg, double? ReferencePeakSarWPerKg, double? ReferencePeakSar10gWPerKg, double InferenceMs, string? OutputFile,
    SurrogateVopsResult? Vops, double ElapsedS, string SarkitVersion, string SarBasis);

/// <summary>Peak-SAR metrics of a set of cases (ratio = predicted / true peak; docs/surrogate.md "Evaluation in C#").</summary>
/// <param name="Cases">Number of cases.</param>
/// <param name="MeanOverestimation">Mean of (ratio − 1) over the cases, dimensionless (0.1 = 10 %).</param>
/// <param name="PUnderestimation">Fraction of cases with ratio &lt; 1.</param>
/// <param name="PUnderestimationCi95">Wilson 95 % interval of <c>p_underestimation</c>, [low, high].</param>
/// <param name="Sf95">Factor that brings 95 % of the cases to ratio ≥ 1, dimensionless.</param>
/// <param name="Sf100">Factor that brings every case to ratio ≥ 1, dimensionless.</param>
/// <param name="RatioQuantiles">Quantiles of the ratio: {"0.05", "0.5", "0.95"}.</param>
/// <param name="MeanOverestimationCi95">Subject-bootstrap 95 % interval of <c>mean_overestimation</c>, [low, high]; null in <c>val_raw</c>.</param>
/// <param name="PUnderestimationCi95Subjects">Subject-bootstrap 95 % interval of <c>p_underestimation</c>, [low, high]; null in <c>val_raw</c>.</param>
public sealed record SurrogatePeakMetricsResult(int Cases, double MeanOverestimation, double PUnderestimation, double[] PUnderestimationCi95, double Sf95, double Sf100,
    Dictionary<string, double> RatioQuantiles, double[]? MeanOverestimationCi95, double[]? PUnderestimationCi95Subjects);

/// <summary>One point of the test trade-off: the raw predictions × <c>factor</c>.</summary>
/// <param name="Factor">Multiplier of the raw predictions (0.90, 0.95, …, 2.00), dimensionless.</param>
/// <param name="PUnderestimation">Fraction of test cases underestimated at this factor.</param>
/// <param name="MeanOverestimation">Mean overestimation at this factor, dimensionless.</param>
public sealed record SurrogateTradeoffResult(double Factor, double PUnderestimation, double MeanOverestimation);

/// <summary>One method and metric of the evaluation: safety factor and metrics (layout of surrogate/train.py's report.json).</summary>
/// <param name="SafetyFactor">SF = the calibration quantile of true/predicted on the validation cases, dimensionless.</param>
/// <param name="ValRaw">Metrics of the raw predictions on the validation cases.</param>
/// <param name="TestRaw">Metrics of the raw predictions on the test cases.</param>
/// <param name="TestCalibrated">Metrics of predicted × SF on the test cases.</param>
/// <param name="TestTradeoff">Test metrics of the raw predictions × factor, factor 0.90 … 2.00.</param>
public sealed record SurrogateCalibratedResult(double SafetyFactor, SurrogatePeakMetricsResult ValRaw, SurrogatePeakMetricsResult TestRaw,
    SurrogatePeakMetricsResult TestCalibrated, SurrogateTradeoffResult[] TestTradeoff);

/// <summary>The calibration split of the evaluation.</summary>
/// <param name="Split">Split the safety factors are calibrated on ("val").</param>
/// <param name="Quantile">Calibration quantile (type 7) of true/predicted peak.</param>
/// <param name="Cases">Calibration cases (subjects × stored shims).</param>
/// <param name="Subjects">Calibration subjects.</param>
public sealed record SurrogateCalibrationResult(string Split, double Quantile, int Cases, int Subjects);

/// <summary>The population VOP worst-case baseline of the evaluation.</summary>
/// <param name="Subjects">Dataset indices of the training subjects the VOPs were built from.</param>
/// <param name="Count">Number of VOPs.</param>
/// <param name="Matrices">Number of 2D 10 g Q-matrices compressed.</param>
/// <param name="Margin">Compression margin ε, fraction of SAR_wc.</param>
/// <param name="SarWcWPerKg">SAR_wc of the Q-matrices, W/kg per A².</param>
/// <param name="Certified">True when the set carries a valid certificate.</param>
/// <param name="Loaded">True when read from <c>--vops</c> instead of built.</param>
/// <param name="Seconds">Build (or read) time, s.</param>
/// <param name="File">Absolute path of the VOP cache file; null without <c>--vops</c>.</param>
public sealed record SurrogateVopBaselineResult(int[] Subjects, int Count, long Matrices, double Margin, double SarWcWPerKg, bool Certified, bool Loaded, double Seconds, string? File);

/// <summary>Peak-SAR safety of a trained surrogate on a dataset (<see cref="SarKit.Workflows.SurrogateEvaluation"/>; docs/surrogate.md "Evaluation in C#").</summary>
/// <param name="Data">Absolute path of the dataset folder.</param>
/// <param name="ModelFile">Absolute path of model.onnx.</param>
/// <param name="ModelKind">"perchannel", "unet" or "cgan".</param>
/// <param name="Metrics">Peak metrics evaluated: ["sar", "sar10g"] or the direct model's target.</param>
/// <param name="MethodNames">Methods compared: ["model", "generic", "constant"] + "vop".</param>
/// <param name="Calibration">The calibration split.</param>
/// <param name="TestCases">Test cases (subjects × stored shims).</param>
/// <param name="TestSubjects">Test subjects.</param>
/// <param name="GenericSubject">Dataset index of the generic fixed phantom (training subject with the median body-cell count).</param>
/// <param name="Constant">Constant baseline per metric, W/kg per µT².</param>
/// <param name="ConstantDefinition">How the constant baseline is defined.</param>
/// <param name="Vop">The VOP worst-case baseline; null without it.</param>
/// <param name="Methods">Per method and metric: safety factor and metrics ({method: {metric: …}}).</param>
/// <param name="CasesFile">Absolute path of the cases CSV; null without <c>--cases</c>.</param>
/// <param name="Plots">Histogram files written (SVG and PNG per metric); null without <c>--plots</c>.</param>
/// <param name="ElapsedS">Wall time of the evaluation, s.</param>
/// <param name="StageSeconds">Wall time per stage, s.</param>
/// <param name="SarkitVersion">SarKit version that computed the result.</param>
[JsonResult("sarkit surrogate evaluate --json", Order = 452)]
public sealed record SurrogateEvaluateResult(string Data, string ModelFile, string ModelKind, string[] Metrics, string[] MethodNames, SurrogateCalibrationResult Calibration,
    int TestCases, int TestSubjects, int GenericSubject, Dictionary<string, double> Constant, string ConstantDefinition, SurrogateVopBaselineResult? Vop,
    Dictionary<string, Dictionary<string, SurrogateCalibratedResult>> Methods, string? CasesFile, string[]? Plots, double ElapsedS,
    Dictionary<string, double> StageSeconds, string SarkitVersion);

/// <summary>A generated surrogate training dataset (<see cref="SarKit.Workflows.SurrogateDatasetGeneration"/>; the dataset itself: docs/surrogate.md).</summary>
/// <param name="OutputDir">Absolute path of the dataset folder.</param>
/// <param name="Manifest">Absolute path of manifest.json.</param>
/// <param name="Subjects">Number of subjects (random phantoms).</param>
/// <param name="ShimsPerSubject">Random phase settings per subject.</param>
/// <param name="GridCells">Cells per side of the square grid.</param>
/// <param name="CellSizeM">Cell side, m.</param>
/// <param name="Splits">Subjects per split: {"train", "val", "test"}.</param>
/// <param name="ElapsedS">Wall time of the generation, s.</param>
/// <param name="SarkitVersion">SarKit version that generated the dataset.</param>
[JsonResult("sarkit surrogate dataset --json", Order = 453)]
public sealed record SurrogateDatasetResult(string OutputDir, string Manifest, int Subjects, int ShimsPerSubject, int GridCells, double CellSizeM,
    Dictionary<string, int> Splits, double ElapsedS, string SarkitVersion);
