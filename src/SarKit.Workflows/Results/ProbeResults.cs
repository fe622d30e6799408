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
