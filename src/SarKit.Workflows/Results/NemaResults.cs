using System.Text.Json.Nodes;

namespace SarKit.Workflows.Results;

/// <summary>One input quantity of a NEMA measurement file: as written and in SI (docs/nema-ms8.md, "Measurement input files").</summary>
/// <param name="Field">Field path in the measurement file, e.g. <c>phantom_mass</c>.</param>
/// <param name="Kind">Physical kind (Mass, Temperature, Time, …).</param>
/// <param name="Value">Number as written in the file.</param>
/// <param name="Unit">Unit as written in the file.</param>
/// <param name="Si">The value in SI units.</param>
/// <param name="SiUnit">The SI unit of <paramref name="Si"/>.</param>
[JsonSharedObject("nema quantity")]
public sealed record NemaQuantityResult(string Field, string Kind, double Value, string Unit, double Si, string SiUnit);

/// <summary>NEMA MS 8-2016 3.2(c) check: the temperature rise must be at least 20 × the sensor error.</summary>
/// <param name="TemperatureRiseK">Temperature rise used (K).</param>
/// <param name="SensorErrorK">Temperature sensor error (K).</param>
/// <param name="Ratio">Rise / sensor error.</param>
/// <param name="RequiredRatio">Required ratio (20).</param>
/// <param name="Passed">True when <paramref name="Ratio"/> ≥ <paramref name="RequiredRatio"/>.</param>
public sealed record NemaRiseCheckResult(double TemperatureRiseK, double SensorErrorK, double Ratio, double RequiredRatio, bool Passed);

/// <summary>
/// Calorimetric whole-body SAR (NEMA MS 8-2016 Section 3, eqs. 19–21: SAR = M c (T_f − T_i) / (τ M_bod)), as printed by
/// <c>sarkit nema calorimetry --json</c>, returned by the web API and stored as the result of a calorimetry record.
/// </summary>
/// <param name="Method">"calorimetry".</param>
/// <param name="InputFile">Absolute path of the measurement file (CLI); null when the file came as text (web).</param>
/// <param name="InputFormat">"json" or "yaml".</param>
/// <param name="Inputs">Every input quantity, as written and in SI.</param>
/// <param name="Description">Free-text description fields as written.</param>
/// <param name="HeatCapacityJPerK">Heat capacity M c of phantom filler (and shell when included), J/K.</param>
/// <param name="FillerHeatCapacityJPerK">Heat capacity of the filler, J/K.</param>
/// <param name="ShellHeatCapacityJPerK">Heat capacity of the shell, J/K.</param>
/// <param name="ShellIncluded">Whether the shell was included (it is when above 10 % of the total).</param>
/// <param name="InitialTemperatureK">Initial temperature T_i, K.</param>
/// <param name="MeasuredFinalTemperatureK">Final temperature as measured, K.</param>
/// <param name="FinalTemperatureK">Final temperature used in eq. 19 (cooling-corrected by eq. [2] when possible), K.</param>
/// <param name="CoolingCorrected">Whether the cooling correction was applied.</param>
/// <param name="TemperatureRiseK">T_f − T_i, K.</param>
/// <param name="EnergyJ">Absorbed energy E (eq. 19), J.</param>
/// <param name="ScanTimeS">Scan time τ, s.</param>
/// <param name="PowerW">Average absorbed power P (eq. 20), W.</param>
/// <param name="SarWPerKg">Whole-body SAR (eq. 21), W/kg.</param>
/// <param name="RiseCheck">The 3.2(c) check, or null without a sensor error.</param>
/// <param name="PredictedSarWPerKg">Predicted SAR of the MR system from the file, W/kg, or null.</param>
/// <param name="EnergyUncertainty">Relative energy uncertainty as stated in the file (fraction), or null.</param>
/// <param name="ExpandedUncertaintyWPerKg">Expanded uncertainty (budget, else energy_uncertainty × SAR), W/kg, or null.</param>
/// <param name="CoverageFactor">Coverage factor k of the budget, or null without a budget.</param>
/// <param name="PredictedCoversMeasured">4.1(f) verdict: predicted ≥ measured − U; null when not determined.</param>
/// <param name="SarkitVersion">SarKit version that computed the result.</param>
/// <param name="Report">The Section 4.1 report object (NEMA report JSON form, docs/json-schemas.md).</param>
[JsonResult("sarkit nema calorimetry --json", Web = "POST /api/nema/calorimetry (field result)", Order = 500)]
public sealed record NemaCalorimetryResult(
    string Method, string? InputFile, string InputFormat, NemaQuantityResult[] Inputs, Dictionary<string, string> Description,
    double HeatCapacityJPerK, double FillerHeatCapacityJPerK, double ShellHeatCapacityJPerK, bool ShellIncluded,
    double InitialTemperatureK, double MeasuredFinalTemperatureK, double FinalTemperatureK, bool CoolingCorrected,
    double TemperatureRiseK, double EnergyJ, double ScanTimeS, double PowerW, double SarWPerKg,
    NemaRiseCheckResult? RiseCheck, double? PredictedSarWPerKg, double? EnergyUncertainty, double? ExpandedUncertaintyWPerKg, double? CoverageFactor,
    bool? PredictedCoversMeasured, string SarkitVersion, JsonNode Report);

/// <summary>One RF pulse of a pulse-energy measurement (NEMA MS 8-2016 eqs. 10–11).</summary>
/// <param name="Name">Pulse name as written.</param>
/// <param name="Shape">Pulse shape as written.</param>
/// <param name="ShapeFactor">Shape factor (dimensionless).</param>
/// <param name="DurationS">Pulse duration, s.</param>
/// <param name="Count">Pulses of this kind per TR.</param>
/// <param name="EquivalentRectangularDurationS">Duration of the equivalent rectangular pulse W_rectangle, s.</param>
/// <param name="TipAngleDeg">Tip angle in degrees, or null.</param>
public sealed record NemaPulseResult(string Name, string Shape, double ShapeFactor, double DurationS, int Count, double EquivalentRectangularDurationS, double? TipAngleDeg);

/// <summary>
/// Pulse-energy whole-body SAR (NEMA MS 8-2016 Section 2.5, eqs. 1–13: SAR = P_ave / M), as printed by
/// <c>sarkit nema pulse-energy --json</c>, returned by the web API and stored as the result of a pulse-energy record.
/// </summary>
/// <param name="Method">"pulse-energy".</param>
/// <param name="InputFile">Absolute path of the measurement file (CLI); null when the file came as text (web).</param>
/// <param name="InputFormat">"json" or "yaml".</param>
/// <param name="PowerMeasurement">"peak" or "average" power readings.</param>
/// <param name="UnloadedAtCoilW">Phantom 1: [forward, reflected, other] power at the coil terminals, W.</param>
/// <param name="LoadedAtCoilW">Phantom 2: [forward, reflected, other] power at the coil terminals, W.</param>
/// <param name="LossVoltageSquaredUnloaded">V²_losses of phantom 1 (eq. 5), V².</param>
/// <param name="LossVoltageSquaredLoaded">V²_losses of phantom 2 (eq. 6), V².</param>
/// <param name="CoilLossUnloadedW">P_CPL_unloaded (eq. 7), W.</param>
/// <param name="CoilLossLoadedW">P_CPL_loaded (eq. 8), W.</param>
/// <param name="PhantomPeakPowerW">P_phantom_2 (eq. 9), W (an average power for average readings).</param>
/// <param name="EnergyPerTrJ">Σ E_i per TR (eq. 11), J; null for average readings without TR.</param>
/// <param name="RepetitionTimeS">Repetition time TR, s, or null when absent.</param>
/// <param name="AveragePowerW">P_ave (eq. 12), W.</param>
/// <param name="MassKg">Phantom mass M, kg.</param>
/// <param name="SarWPerKg">Whole-body SAR (eq. 13), W/kg.</param>
/// <param name="Pulses">The pulses of the sequence.</param>
/// <param name="LoadingQuotient">Phantom loading quotient (eq. [1]).</param>
/// <param name="EquivalentLoadingPassed">Equivalent-loading check; null without human_loading_quotient.</param>
/// <param name="PredictedSarWPerKg">Predicted SAR from the file, W/kg, or null.</param>
/// <param name="ExpandedUncertaintyWPerKg">Expanded uncertainty of the budget, W/kg, or null.</param>
/// <param name="CoverageFactor">Coverage factor k of the budget, or null.</param>
/// <param name="PredictedCoversMeasured">4.1(f) verdict: predicted ≥ measured − U; null when not determined.</param>
/// <param name="SarkitVersion">SarKit version that computed the result.</param>
/// <param name="Report">The Section 4.1 report object (NEMA report JSON form, docs/json-schemas.md).</param>
[JsonResult("sarkit nema pulse-energy --json", Web = "POST /api/nema/pulse-energy (field result)", Order = 501)]
public sealed record NemaPulseEnergyResult(string Method, string? InputFile, string InputFormat, string PowerMeasurement, double[] UnloadedAtCoilW, double[] LoadedAtCoilW,
    double LossVoltageSquaredUnloaded, double LossVoltageSquaredLoaded, double CoilLossUnloadedW, double CoilLossLoadedW,
    double PhantomPeakPowerW, double? EnergyPerTrJ, double? RepetitionTimeS, double AveragePowerW, double MassKg, double SarWPerKg,
    NemaPulseResult[] Pulses, double LoadingQuotient, bool? EquivalentLoadingPassed, double? PredictedSarWPerKg, double? ExpandedUncertaintyWPerKg,
    double? CoverageFactor, bool? PredictedCoversMeasured, string SarkitVersion, JsonNode Report);

/// <summary>Where an evaluation was appended to the measurement records (docs/nema-ms8.md, "Measurement records").</summary>
/// <param name="Id">Record id.</param>
/// <param name="ContentSha256">The record's content hash (hex SHA-256).</param>
/// <param name="Database">Store location (SQLite path or PostgreSQL host/database without credentials).</param>
[JsonSharedObject("recorded")]
public sealed record RecordedResult(long Id, string ContentSha256, string Database);

/// <summary>Web response of a calorimetry evaluation: the result, its Section 4.1 report as Markdown and the record, if one was added.</summary>
/// <param name="Result">The evaluation (same object as <c>sarkit nema calorimetry --json</c>).</param>
/// <param name="ReportMarkdown">The Section 4.1 report as Markdown.</param>
/// <param name="Record">The record added with <c>?record=true</c>, else null.</param>
[JsonResult("POST /api/nema/calorimetry", Web = "POST /api/nema/calorimetry", Order = 502)]
public sealed record NemaCalorimetryResponse(NemaCalorimetryResult Result, string ReportMarkdown, RecordedResult? Record);

/// <summary>Web response of a pulse-energy evaluation: the result, its Section 4.1 report as Markdown and the record, if one was added.</summary>
/// <param name="Result">The evaluation (same object as <c>sarkit nema pulse-energy --json</c>).</param>
/// <param name="ReportMarkdown">The Section 4.1 report as Markdown.</param>
/// <param name="Record">The record added with <c>?record=true</c>, else null.</param>
[JsonResult("POST /api/nema/pulse-energy", Web = "POST /api/nema/pulse-energy", Order = 503)]
public sealed record NemaPulseEnergyResponse(NemaPulseEnergyResult Result, string ReportMarkdown, RecordedResult? Record);
