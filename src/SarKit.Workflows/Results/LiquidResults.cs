namespace SarKit.Workflows.Results;

/// <summary>
/// Specific heat of a tissue-simulating liquid by the water-comparison method (docs/probe.md, <c>sarkit liquid
/// heat-capacity</c>): C_s = C_w·ΔT_w/ΔT_s with its GUM uncertainty budget.
/// </summary>
/// <param name="Method">"liquid-heat-capacity" (also stored as the result of a liquid-heat-capacity record).</param>
/// <param name="InputFile">Absolute path of the measurement file; null for an input that was not a file.</param>
/// <param name="Liquid">Name of the liquid.</param>
/// <param name="Date">Measurement date YYYY-MM-DD, or null.</param>
/// <param name="SpecificHeatJPerKgK">Specific heat C_s of the liquid, J/(kg K).</param>
/// <param name="StandardUncertaintyJPerKgK">Combined standard uncertainty u_c of C_s, J/(kg K).</param>
/// <param name="CoverageFactor">Coverage factor k.</param>
/// <param name="ExpandedUncertaintyJPerKgK">Expanded uncertainty U = k·u_c, J/(kg K).</param>
/// <param name="RatioAfterStirring">ΔT_w/ΔT_s after stirring.</param>
/// <param name="RatioAtEndOfHeating">ΔT_w/ΔT_s at the end of heating; null when not measured.</param>
/// <param name="Notes">Remarks and warnings (agreement of the two ratios).</param>
/// <param name="SarkitVersion">SarKit version that computed the result.</param>
[JsonResult("sarkit liquid heat-capacity --json", Order = 507)]
public sealed record LiquidHeatCapacityResult(string Method, string? InputFile, string Liquid, string? Date, double SpecificHeatJPerKgK,
    double StandardUncertaintyJPerKgK, double CoverageFactor, double ExpandedUncertaintyJPerKgK, double RatioAfterStirring, double? RatioAtEndOfHeating,
    string[] Notes, string SarkitVersion);

/// <summary>
/// Dielectric and density check of a tissue-simulating liquid (docs/probe.md, <c>sarkit liquid check</c>): the measured
/// σ, ε_r and ρ with their relative uncertainties and the deviation from the targets, (measured − target)/target.
/// </summary>
/// <param name="Method">"liquid-properties" (also stored as the result of a liquid-check record).</param>
/// <param name="InputFile">Absolute path of the liquid properties file; null for an input that was not a file.</param>
/// <param name="Liquid">Name of the liquid.</param>
/// <param name="ConductivitySPerM">Conductivity σ, S/m.</param>
/// <param name="ConductivityRelU">Relative standard uncertainty of σ (fraction).</param>
/// <param name="RelativePermittivity">Relative permittivity ε_r.</param>
/// <param name="PermittivityRelU">Relative standard uncertainty of ε_r (fraction).</param>
/// <param name="DensityKgPerM3">Density ρ, kg/m³.</param>
/// <param name="DensityRelU">Relative standard uncertainty of ρ (fraction).</param>
/// <param name="ConductivityDeviation">(σ − σ_target)/σ_target (fraction); null without a target.</param>
/// <param name="PermittivityDeviation">(ε_r − ε_r,target)/ε_r,target (fraction); null without a target.</param>
/// <param name="SarkitVersion">SarKit version that computed the result.</param>
[JsonResult("sarkit liquid check --json", Order = 508)]
public sealed record LiquidCheckResult(string Method, string? InputFile, string Liquid, double ConductivitySPerM, double ConductivityRelU,
    double RelativePermittivity, double PermittivityRelU, double DensityKgPerM3, double DensityRelU, double? ConductivityDeviation,
    double? PermittivityDeviation, string SarkitVersion);
