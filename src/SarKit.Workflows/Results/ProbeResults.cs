namespace SarKit.Workflows.Results;

/// <summary>Area-scan peak of a probe scan (docs/probe.md).</summary>
/// <param name="XMm">x of the peak, mm.</param>
/// <param name="YMm">y of the peak, mm.</param>
/// <param name="SarWPerKg">Interpolated area-scan peak SAR, W/kg.</param>
/// <param name="OnEdge">True when the peak lies on the edge of the area scan.</param>
public sealed record ProbeAreaPeakResult(double XMm, double YMm, double SarWPerKg, bool OnEdge);

/// <summary>Exponential surface extrapolation of the peak column: SAR(z) = S0·exp(−z/a).</summary>
/// <param name="S0WPerKg">Surface SAR S0, W/kg.</param>
/// <param name="S0StdUncertainty">Standard uncertainty of S0, W/kg.</param>
/// <param name="DecayLengthMm">Decay length a, mm.</param>
/// <param name="DecayLengthStdUncertaintyMm">Standard uncertainty of a, mm.</param>
/// <param name="DegreesOfFreedom">Degrees of freedom of the fit.</param>
public sealed record ProbeExponentialResult(double S0WPerKg, double S0StdUncertainty, double DecayLengthMm, double DecayLengthStdUncertaintyMm, int DegreesOfFreedom);

/// <summary>Polynomial surface extrapolation of the peak column.</summary>
/// <param name="S0WPerKg">Surface SAR S0, W/kg.</param>
/// <param name="S0StdUncertainty">Standard uncertainty of S0, W/kg.</param>
/// <param name="Degree">Polynomial degree.</param>
/// <param name="DegreesOfFreedom">Degrees of freedom of the fit.</param>
public sealed record ProbePolynomialResult(double S0WPerKg, double S0StdUncertainty, int Degree, int DegreesOfFreedom);

/// <summary>The zoom-scan column through the peak with both surface extrapolations.</summary>
/// <param name="XMm">x of the column, mm.</param>
/// <param name="YMm">y of the column, mm.</param>
/// <param name="Exponential">Exponential extrapolation, or null when it could not be fitted.</param>
/// <param name="Polynomial">Polynomial extrapolation, or null when it could not be fitted.</param>
public sealed record ProbePeakColumnResult(double XMm, double YMm, ProbeExponentialResult? Exponential, ProbePolynomialResult? Polynomial);

/// <summary>Peak spatial-average SAR over one cube mass.</summary>
/// <param name="MassG">Averaging mass, g.</param>
/// <param name="SideMm">Cube side, mm.</param>
/// <param name="PsSarWPerKg">Peak spatial-average SAR, W/kg.</param>
/// <param name="CentreXMm">x of the cube centre, mm.</param>
/// <param name="CentreYMm">y of the cube centre, mm.</param>
/// <param name="TouchesBoundary">True when the cube touches the zoom-scan boundary.</param>
/// <param name="ExpandedUncertaintyWPerKg">Expanded uncertainty U (k of the budget), W/kg.</param>
public sealed record ProbeCubeResult(double MassG, double SideMm, double PsSarWPerKg, double CentreXMm, double CentreYMm, bool TouchesBoundary, double ExpandedUncertaintyWPerKg);

/// <summary>Budget figures for one averaging mass (IEC/IEEE 62209-1528 layout).</summary>
/// <param name="CombinedPercent">Combined standard uncertainty, %.</param>
/// <param name="ExpandedPercent">Expanded uncertainty, %.</param>
/// <param name="EffectiveDegreesOfFreedom">Welch–Satterthwaite effective degrees of freedom; null when infinite.</param>
public sealed record ProbeMassUncertaintyResult(double CombinedPercent, double ExpandedPercent, double? EffectiveDegreesOfFreedom);

/// <summary>The uncertainty budget of a probe scan.</summary>
/// <param name="CoverageFactor">Coverage factor k.</param>
/// <param name="OneGram">1 g figures.</param>
/// <param name="TenGram">10 g figures.</param>
public sealed record ProbeScanUncertaintyResult(double CoverageFactor, ProbeMassUncertaintyResult OneGram, ProbeMassUncertaintyResult TenGram);

/// <summary>psSAR against one limit of the limits table.</summary>
/// <param name="Id">Limit id.</param>
/// <param name="Regime">Regulatory regime.</param>
/// <param name="Applies">What the limit applies to (e.g. head and trunk).</param>
/// <param name="MassG">Averaging mass, g.</param>
/// <param name="LimitWPerKg">Limit, W/kg.</param>
/// <param name="PeakSarWPerKg">Measured psSAR for that mass, W/kg.</param>
/// <param name="MarginWPerKg">Limit − psSAR, W/kg.</param>
/// <param name="ExpandedUncertaintyWPerKg">Expanded uncertainty U of the psSAR, W/kg.</param>
/// <param name="WithinLimit">psSAR ≤ limit.</param>
/// <param name="MarginCoversUncertainty">Margin ≥ U.</param>
/// <param name="Source">Where the limit comes from (standard/regulation).</param>
public sealed record ProbeLimitResult(string Id, string Regime, string Applies, double MassG, double LimitWPerKg, double PeakSarWPerKg, double MarginWPerKg,
    double ExpandedUncertaintyWPerKg, bool WithinLimit, bool MarginCoversUncertainty, string Source);

/// <summary>
/// One processed E-field probe scan (docs/probe.md: area scan → peak → zoom scan → extrapolation → psSAR 1 g / 10 g,
/// uncertainty budget, limits), as printed by <c>sarkit scan process --json</c>, returned by <c>POST /api/probe/scan</c>
/// (field <c>result</c>) and stored as the result of a probe-scan record (there with <c>scan_file</c>, <c>report</c>,
/// <c>area_png</c> and <c>decay_png</c> null: a record keeps the input texts, not paths of one machine).
/// </summary>
/// <param name="Method">"probe-scan".</param>
/// <param name="ScanFile">Absolute path of the scan file (CLI); null for the web and in records.</param>
/// <param name="Date">Measurement date YYYY-MM-DD.</param>
/// <param name="ProbeSerial">Probe serial number of the calibration.</param>
/// <param name="SarPath">"cf" (Pd_tot·CF/SF) or "convf" (σE²/ρ).</param>
/// <param name="Extrapolation">"exponential" or "polynomial" (the model used for every zoom column).</param>
/// <param name="DcOffsetsMv">DC offsets used per channel, mV.</param>
/// <param name="AreaPeak">Area-scan peak.</param>
/// <param name="PeakColumn">Peak column with both extrapolations.</param>
/// <param name="Cubes">psSAR per averaging mass.</param>
/// <param name="SeedOneCm3IntegralWPerKg">The probe manual's 1 cm³ integral, W/kg, or null.</param>
/// <param name="Uncertainty">Uncertainty budget figures.</param>
/// <param name="Limits">psSAR against every limit.</param>
/// <param name="Notes">Processing notes and warnings.</param>
/// <param name="Report">Path of the written report (CLI --report), else null.</param>
/// <param name="AreaPng">Path of the area-scan picture (CLI --report), else null.</param>
/// <param name="DecayPng">Path of the decay picture (CLI --report), else null.</param>
/// <param name="SarkitVersion">SarKit version that computed the result.</param>
[JsonResult("sarkit scan process --json", Web = "POST /api/probe/scan (field result)", Order = 510)]
public sealed record ProbeScanResult(
    string Method, string? ScanFile, string Date, string ProbeSerial, string SarPath, string Extrapolation, double[] DcOffsetsMv,
    ProbeAreaPeakResult AreaPeak, ProbePeakColumnResult PeakColumn, ProbeCubeResult[] Cubes, double? SeedOneCm3IntegralWPerKg,
    ProbeScanUncertaintyResult Uncertainty, ProbeLimitResult[] Limits, string[] Notes, string? Report, string? AreaPng, string? DecayPng,
    string SarkitVersion);

/// <summary>The input of a probe-scan record: every file as text, so that the record alone reproduces the evaluation.</summary>
/// <param name="ScanCsv">The scan CSV verbatim.</param>
/// <param name="Calibration">The calibration file verbatim.</param>
/// <param name="Liquid">The liquid properties file verbatim.</param>
/// <param name="DcLog">The DC-offset log verbatim, or null.</param>
/// <param name="Date">The measurement date as given (null: from the scan file or the day of evaluation).</param>
/// <param name="Path">The SAR path as given ("cf", "convf" or null).</param>
/// <param name="Extrapolation">The extrapolation as given ("exponential", "polynomial" or null).</param>
/// <param name="Limits">The limits table verbatim, or null for the built-in one.</param>
/// <param name="Budget">The uncertainty template verbatim, or null for the built-in one.</param>
[JsonResult("probe-scan record input", Order = 511)]
public sealed record ProbeScanRecordInput(string ScanCsv, string Calibration, string Liquid, string? DcLog, string? Date, string? Path,
    string? Extrapolation, string? Limits, string? Budget);

/// <summary>Web response of a probe scan: the result, the report (Markdown and HTML), its two pictures and the record, if one was added.</summary>
/// <param name="Result">The evaluation (same object as <c>sarkit scan process --json</c>).</param>
/// <param name="ReportMarkdown">The report as Markdown (pictures named scan_area.png and scan_decay.png).</param>
/// <param name="ReportHtml">The report as self-contained HTML.</param>
/// <param name="AreaPngDataUri">The area-scan picture as a data: URI.</param>
/// <param name="DecayPngDataUri">The decay picture as a data: URI.</param>
/// <param name="Record">The record added with <c>?record=true</c>, else null.</param>
[JsonResult("POST /api/probe/scan", Web = "POST /api/probe/scan", Order = 512)]
public sealed record ProbeScanResponse(ProbeScanResult Result, string ReportMarkdown, string ReportHtml, string AreaPngDataUri, string DecayPngDataUri, RecordedResult? Record);

/// <summary>
/// The probe calibration as reported by <c>sarkit probe calibrate</c> (manual units; the calibration file itself holds
/// SI values): the probe-system manual's free-space calibration in a TEM cell, AS_i = SF·S·cos²θ_i/(V_max,i − DC_i).
/// </summary>
/// <param name="ProbeSerial">Probe serial number.</param>
/// <param name="Geometry">Sensor geometry id (e.g. "i-beam").</param>
/// <param name="AnglesDeg">Angle θ_i of each channel to the TEM-cell field, degrees.</param>
/// <param name="SensorFactorMvPerMwPerCm2">Sensor factor SF, mV/(mW/cm²).</param>
/// <param name="TemPowerDensityMwPerCm2">TEM-cell power density S used, mW/cm².</param>
/// <param name="DcOffsetsMv">DC offset DC_i per channel at calibration, mV.</param>
/// <param name="VMaxMv">Maximum output V_max,i per channel over the rotation, mV.</param>
/// <param name="AmplifierSettings">Amplifier setting AS_i per channel (dimensionless).</param>
/// <param name="ProbeOffsetMm">Distance of the sensor centre from the probe tip, mm.</param>
/// <param name="CalibrationDate">Calibration date YYYY-MM-DD.</param>
/// <param name="ValidUntil">Last day of validity YYYY-MM-DD.</param>
/// <param name="ConversionFactorMwPerGPerMwPerCm2">Conversion factor CF, (mW/g)/(mW/cm²); null until <c>sarkit probe cf</c>.</param>
public sealed record ProbeCalibrationValuesResult(string ProbeSerial, string Geometry, double[] AnglesDeg, double SensorFactorMvPerMwPerCm2,
    double TemPowerDensityMwPerCm2, double[] DcOffsetsMv, double[] VMaxMv, double[] AmplifierSettings, double ProbeOffsetMm, string CalibrationDate,
    string ValidUntil, double? ConversionFactorMwPerGPerMwPerCm2);

/// <summary>
/// A free-space probe calibration from TEM-cell rotation data (docs/probe.md, <c>sarkit probe calibrate</c>):
/// AS_i = SF·S·cos²θ_i/(V_max,i − DC_i) with the validity dates of the new calibration file.
/// </summary>
/// <param name="Method">"probe-tem-calibration".</param>
/// <param name="InputFile">Absolute path of the TEM-cell input file; null for an input that was not a file.</param>
/// <param name="Calibration">The calibration (manual units).</param>
/// <param name="TemCellPowerDensityMwPerCm2">Power density of the TEM cell from its input power and septum spacing, mW/cm²; null without cell data.</param>
/// <param name="Notes">Warnings for the operator (cell power density disagreeing with the stated one, rotation not covering 360°).</param>
/// <param name="OutputFile">Absolute path of the calibration file written (--out), else null.</param>
/// <param name="SarkitVersion">SarKit version that computed the result.</param>
[JsonResult("sarkit probe calibrate --json", Order = 504)]
public sealed record ProbeTemCalibrationResult(string Method, string? InputFile, ProbeCalibrationValuesResult Calibration, double? TemCellPowerDensityMwPerCm2,
    string[] Notes, string? OutputFile, string SarkitVersion);

/// <summary>The result stored by a probe-calibration record (method "probe-calibration", input: the TEM-cell file verbatim).</summary>
/// <param name="Calibration">The calibration (manual units).</param>
/// <param name="CalibrationFile">The calibration file written, verbatim (JSON text, SI units).</param>
/// <param name="Notes">Warnings for the operator.</param>
[JsonResult("probe-calibration record result", Order = 513)]
public sealed record ProbeCalibrationRecordResult(ProbeCalibrationValuesResult Calibration, string CalibrationFile, string[] Notes);

/// <summary>
/// The SAR conversion factor from the temperature-rise experiment (docs/probe.md, <c>sarkit probe cf</c>; probe-system
/// manual): SAR_t = c·ΔT/Δt (from SAR_t·Δt = c·ΔT) and CF = SAR_t/ΔV_t × SF; with several trials the least-squares
/// fit through the origin, CF = SF·Σ SAR_k ΔV_k / Σ ΔV_k².
/// </summary>
/// <param name="Method">"probe-conversion-factor".</param>
/// <param name="InputFile">Absolute path of the experiment file; null for an input that was not a file.</param>
/// <param name="Calibration">Absolute path of the probe's calibration file; null for a calibration that was not a file.</param>
/// <param name="ProbeSerial">Probe serial number.</param>
/// <param name="SpecificHeatJPerKgK">Specific heat c of the liquid, J/(kg K).</param>
/// <param name="TrialSarWPerKg">SAR_t of each trial, W/kg (= mW/g).</param>
/// <param name="TrialCfMwPerGPerMwPerCm2">CF of each trial alone, (mW/g)/(mW/cm²).</param>
/// <param name="CfMwPerGPerMwPerCm2">Conversion factor CF, (mW/g)/(mW/cm²).</param>
/// <param name="CfSiM2PerKg">Conversion factor CF in SI units, m²/kg.</param>
/// <param name="CfRelativeStdUncertainty">Type A relative standard uncertainty of CF (fraction); null for one trial.</param>
/// <param name="OutputFile">Absolute path of the calibration file written with CF (--out), else null.</param>
/// <param name="SarkitVersion">SarKit version that computed the result.</param>
[JsonResult("sarkit probe cf --json", Order = 505)]
public sealed record ProbeConversionFactorResult(string Method, string? InputFile, string? Calibration, string ProbeSerial, double SpecificHeatJPerKgK,
    double[] TrialSarWPerKg, double[] TrialCfMwPerGPerMwPerCm2, double CfMwPerGPerMwPerCm2, double CfSiM2PerKg, double? CfRelativeStdUncertainty,
    string? OutputFile, string SarkitVersion);

/// <summary>The result stored by a probe-conversion-factor record (input: the experiment file verbatim).</summary>
/// <param name="Result">The conversion factor (same object as <c>sarkit probe cf --json</c>).</param>
/// <param name="CalibrationFile">The calibration file with CF, verbatim (JSON text, SI units).</param>
[JsonResult("probe-conversion-factor record result", Order = 514)]
public sealed record ProbeConversionFactorRecordResult(ProbeConversionFactorResult Result, string CalibrationFile);

/// <summary>
/// The daily DC-offset log checked against the calibration's DC offsets (docs/probe.md, <c>sarkit probe dc-log</c>;
/// probe-system manual: amplifier batteries are monitored through a daily log of the DC offsets): a drift
/// |DC − DC_cal| beyond the threshold on any channel is a warning.
/// </summary>
/// <param name="Method">"probe-dc-log" (also stored as the result of a probe-dc-log record).</param>
/// <param name="InputFile">Absolute path of the log file; null for an input that was not a file.</param>
/// <param name="ProbeSerial">Probe serial number.</param>
/// <param name="Entries">Number of log entries (days).</param>
/// <param name="DriftThresholdMv">Warning threshold on |DC − DC_cal|, mV.</param>
/// <param name="Warnings">Drift warnings, one text per day and channel beyond the threshold.</param>
/// <param name="SarkitVersion">SarKit version that computed the result.</param>
[JsonResult("sarkit probe dc-log --json", Order = 506)]
public sealed record ProbeDcLogResult(string Method, string? InputFile, string ProbeSerial, int Entries, double DriftThresholdMv, string[] Warnings,
    string SarkitVersion);
