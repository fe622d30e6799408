namespace SarKit.Workflows.Results;

/// <summary>One subject's safety in the 3D evaluation (ratio = predicted / true peak 10 g SAR).</summary>
/// <param name="Subject">Subject id (family letter + seed).</param>
/// <param name="Cases">Cases of the subject (exact slices × shims).</param>
/// <param name="Under">Underestimated cases (ratio &lt; 1).</param>
/// <param name="PUnderestimation">Under / Cases.</param>
/// <param name="WorstTrueOverPredicted">Largest true/predicted of the subject's cases, dimensionless.</param>
/// <param name="MeanOverestimation">Mean of (ratio − 1) over the subject's cases, dimensionless.</param>
public sealed record Surrogate3dSubjectResult(string Subject, int Cases, int Under, double PUnderestimation, double WorstTrueOverPredicted, double MeanOverestimation);

/// <summary>Peak-SAR safety metrics of a set of 3D cases with subjects as the unit.</summary>
/// <param name="Cases">Cases (subject × slice × shim).</param>
/// <param name="Subjects">Distinct subjects.</param>
/// <param name="PUnderestimation">Fraction of cases with predicted &lt; true peak 10 g SAR.</param>
/// <param name="MeanOverestimation">Mean of (predicted/true − 1) over the cases, dimensionless (0.1 = 10 %).</param>
/// <param name="WorstTrueOverPredicted">Largest true/predicted over all cases, dimensionless.</param>
/// <param name="ShareSubjectsAnyUnder">Fraction of subjects with at least one underestimated case.</param>
/// <param name="PerSubject">Per subject.</param>
public sealed record Surrogate3dMetricsResult(int Cases, int Subjects, double PUnderestimation, double MeanOverestimation, double WorstTrueOverPredicted,
    double ShareSubjectsAnyUnder, Surrogate3dSubjectResult[] PerSubject);

/// <summary>A calibration rule evaluated on held-out subjects (no subject's cases calibrate its own factor).</summary>
/// <param name="Rule">"case_quantile" (type-7 quantile of true/predicted over the pooled calibration cases, the shipped rule) or "subject_conformal" (k-th smallest subject worst ratio, k = ⌈level·(n + 1)⌉).</param>
/// <param name="Level">Quantile q (case_quantile) or 1 − β (subject_conformal).</param>
/// <param name="Scheme">"loso" (each subject with the factor of all others) or "split" (seeded half of the subjects calibrate, the rest test).</param>
/// <param name="CalibrationSubjects">Calibration subjects per factor.</param>
/// <param name="FactorAllSubjects">The factor calibrated on all calibration subjects, dimensionless.</param>
/// <param name="FactorCi95">Subject-bootstrap 95 % interval of that factor (its own uncertainty), [low, high].</param>
/// <param name="FactorRange">Smallest and largest factor applied to a held-out subject, [min, max].</param>
/// <param name="HeldOut">Metrics of the held-out cases × their factors.</param>
/// <param name="PUnderestimationCi95">Subject-bootstrap 95 % interval of the held-out P(under), [low, high]; each subject keeps its own held-out factor, so the factors' spread is inside.</param>
/// <param name="MeanOverestimationCi95">Subject-bootstrap 95 % interval of the held-out mean overestimation, [low, high].</param>
/// <param name="AnyUnderUpper95">Clopper–Pearson 95 % upper bound of the share of subjects with any underestimated case (it also bounds the case-level P(under)).</param>
/// <param name="ConformalUpper95">subject_conformal only: 95 % upper bound of P(a new exchangeable subject has any underestimated case), Beta(n + 1 − k, k) law; null otherwise.</param>
/// <param name="ConformalAttainable">subject_conformal only: false when ⌈level·(n + 1)⌉ &gt; n (too few subjects; the largest score was used); null otherwise.</param>
public sealed record Surrogate3dCalibrationResult(string Rule, double Level, string Scheme, int CalibrationSubjects, double FactorAllSubjects, double[] FactorCi95,
    double[] FactorRange, Surrogate3dMetricsResult HeldOut, double[] PUnderestimationCi95, double[] MeanOverestimationCi95, double AnyUnderUpper95,
    double? ConformalUpper95, bool? ConformalAttainable);

/// <summary>Factor calibrated on one anatomy family, metrics on the other families (out-of-distribution in construction).</summary>
/// <param name="CalibrationFamily">Family the factor is calibrated on.</param>
/// <param name="Rule">"case_quantile" or "subject_conformal".</param>
/// <param name="CalibrationSubjects">Subjects of that family.</param>
/// <param name="Factor">The factor, dimensionless.</param>
/// <param name="Test">Metrics of the other families' cases × factor.</param>
/// <param name="AnyUnderUpper95">Clopper–Pearson 95 % upper bound of the share of test subjects with any underestimated case.</param>
public sealed record Surrogate3dFamilyTransferResult(string CalibrationFamily, string Rule, int CalibrationSubjects, double Factor, Surrogate3dMetricsResult Test, double AnyUnderUpper95);

/// <summary>A subject's worst case over shim phases (<c>--worst-shims</c>): max over φ of max over its slices of true/predicted peak 10 g SAR.</summary>
/// <param name="Subject">Subject id.</param>
/// <param name="Family">Anatomy family.</param>
/// <param name="WorstTrueOverPredicted">Largest raw true/predicted found by the seeded random + pattern search, dimensionless (a lower bound of the true maximum).</param>
/// <param name="Slice">Slab slice where it occurs.</param>
/// <param name="PhasesRad">Phases of that shim, rad (channel 1 = 0, unit amplitudes).</param>
/// <param name="Evaluations">Objective evaluations used (each: the subject's 3D 10 g map and a prediction per slice).</param>
/// <param name="RandomCasesWorst">Largest true/predicted among the subject's random evaluation shims, dimensionless.</param>
/// <param name="HeldOutFactor">case_quantile factor applied to this subject in the held-out calibration (calibrated without it), dimensionless.</param>
/// <param name="HeldOutCalibratedWorst">WorstTrueOverPredicted / HeldOutFactor: above 1 means the calibrated surrogate underestimates this subject at its worst shim, dimensionless.</param>
public sealed record Surrogate3dWorstShimResult(string Subject, string Family, double WorstTrueOverPredicted, int Slice, double[] PhasesRad, int Evaluations,
    double RandomCasesWorst, double HeldOutFactor, double HeldOutCalibratedWorst);

/// <summary>One model in the 3D evaluation.</summary>
/// <param name="Name">Model name (its folder).</param>
/// <param name="Kind">unet, cgan or perchannel.</param>
/// <param name="ModelFile">Absolute path of model.onnx.</param>
/// <param name="ShippedSafetyFactor">safety_factor of its config.json (shipped 2D models: q95 on 2D FDFD validation subjects; 1 when the config has none), dimensionless.</param>
/// <param name="Raw">Raw metrics (factor 1), all subjects.</param>
/// <param name="WithShippedFactor">Metrics with the shipped 2D safety factor, all subjects.</param>
/// <param name="RawByFamily">Raw metrics per anatomy family.</param>
/// <param name="MatchedFactor">Factor at which the pooled P(under) equals the paper's raw 13 % (q0.87 of true/predicted), dimensionless.</param>
/// <param name="MatchedMeanOverestimation">Mean overestimation at that factor, dimensionless (paper, raw: 0.15).</param>
/// <param name="Tradeoff">P(under) and mean overestimation of the predictions × factor, factor 0.50 … 3.00.</param>
/// <param name="Calibrations">Held-out calibrations (case_quantile, subject_conformal).</param>
/// <param name="FamilyTransfers">Calibration on one family, test on the others (when there are two families).</param>
/// <param name="WorstOverShims">Per subject worst case over shim phases; null without <c>--worst-shims</c>.</param>
public sealed record Surrogate3dModelResult(string Name, string Kind, string ModelFile, double ShippedSafetyFactor, Surrogate3dMetricsResult Raw,
    Surrogate3dMetricsResult WithShippedFactor, Dictionary<string, Surrogate3dMetricsResult> RawByFamily, double MatchedFactor, double MatchedMeanOverestimation,
    SurrogateTradeoffResult[] Tradeoff, Surrogate3dCalibrationResult[] Calibrations, Surrogate3dFamilyTransferResult[] FamilyTransfers,
    Surrogate3dWorstShimResult[]? WorstOverShims);

/// <summary>
/// Surrogates evaluated on 3D openEMS subjects (<see cref="SarKit.Workflows.Surrogate3dEvaluation"/>; docs/surrogate.md
/// "3D evaluation"): true = slice peak of the whole-model IEC/IEEE 62704-1 10 g SAR, predicted = the model's 10 g peak
/// of that slice; both normalised by ⟨|B1⁺|⟩² of the slice.
/// </summary>
/// <param name="Label">What every number is: data, array, generator, subject count, models.</param>
/// <param name="Data">Absolute path of the dataset folder.</param>
/// <param name="Subjects">Subject ids evaluated.</param>
/// <param name="Families">Anatomy family of each subject.</param>
/// <param name="SlicesPerSubject">Exact slab slices used per subject.</param>
/// <param name="Shims">Random shims per subject (w_1 = 1, w_n = e^{jφ_n}).</param>
/// <param name="Seed">Master seed of the shims.</param>
/// <param name="Cases">Cases (subject × slice × shim).</param>
/// <param name="CalibrationScheme">"loso" or "split".</param>
/// <param name="FovOffset">Training-grid [column, row] of the slab's cell [0, 0] (exact 5 mm embedding, no resampling).</param>
/// <param name="Models">Per model.</param>
/// <param name="CasesFile">Absolute path of the cases CSV; null without <c>--cases</c>.</param>
/// <param name="Plots">Plot files (SVG and PNG); null without <c>--plots</c>.</param>
/// <param name="Caveat">Limits of the numbers in one sentence (subject count, interval width).</param>
/// <param name="ElapsedS">Wall time, s.</param>
/// <param name="SarkitVersion">SarKit version that computed the result.</param>
[JsonResult("sarkit surrogate evaluate --data3d --json", Order = 455)]
public sealed record Surrogate3dEvaluateResult(string Label, string Data, string[] Subjects, string[] Families, int[] SlicesPerSubject, int Shims, int Seed, int Cases,
    string CalibrationScheme, int[] FovOffset, Surrogate3dModelResult[] Models, string? CasesFile, string[]? Plots, string Caveat, double ElapsedS, string SarkitVersion);
