using SarKit.Measurement.Uncertainty;

namespace SarKit.Measurement.Probe;

/// <summary>
/// Tissue-simulating liquid of a scan: conductivity σ (S/m), relative permittivity ε_r and density ρ (kg/m³), each with
/// its relative standard uncertainty (fraction; 0 when not given), and optional targets (docs/probe.md, "Liquid").
/// </summary>
public sealed record LiquidProperties
{
    /// <summary>Liquid name.</summary>
    public required string Name { get; init; }
    /// <summary>Measurement date.</summary>
    public DateOnly? Date { get; init; }
    /// <summary>Frequency of the dielectric measurement (Hz), NaN if not given.</summary>
    public double FrequencyHz { get; init; } = double.NaN;
    /// <summary>σ (S/m).</summary>
    public required double ConductivitySPerM { get; init; }
    /// <summary>Relative standard uncertainty of σ.</summary>
    public double ConductivityRelU { get; init; }
    /// <summary>ε_r.</summary>
    public required double RelativePermittivity { get; init; }
    /// <summary>Relative standard uncertainty of ε_r.</summary>
    public double PermittivityRelU { get; init; }
    /// <summary>ρ (kg/m³).</summary>
    public required double DensityKgPerM3 { get; init; }
    /// <summary>Relative standard uncertainty of ρ.</summary>
    public double DensityRelU { get; init; }
    /// <summary>Target σ (S/m), NaN if not given.</summary>
    public double TargetConductivitySPerM { get; init; } = double.NaN;
    /// <summary>Target ε_r, NaN if not given.</summary>
    public double TargetPermittivity { get; init; } = double.NaN;
    /// <summary>Specific heat (J/(kg K)), NaN if not given.</summary>
    public double SpecificHeatJPerKgK { get; init; } = double.NaN;

    /// <summary>(σ − σ_target)/σ_target, NaN without target.</summary>
    public double ConductivityDeviation => (ConductivitySPerM - TargetConductivitySPerM) / TargetConductivitySPerM;
    /// <summary>(ε_r − ε_target)/ε_target, NaN without target.</summary>
    public double PermittivityDeviation => (RelativePermittivity - TargetPermittivity) / TargetPermittivity;

    /// <summary>Method tag of the file.</summary>
    public const string Method = "liquid-properties";

    /// <summary>Reads a liquid file.</summary>
    public static LiquidProperties Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"liquid file not found: {path}", path);
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses liquid JSON (docs/probe.md).</summary>
    public static LiquidProperties Parse(string json, string source)
    {
        using var doc = ProbeJsonObject.ParseDocument(json, source);
        var o = new ProbeJsonObject(doc.RootElement, source,
        [
            "method", "liquid", "date", "frequency", "conductivity", "conductivity_uncertainty", "relative_permittivity", "permittivity_uncertainty",
            "density", "density_uncertainty", "target_conductivity", "target_permittivity", "specific_heat", "description",
        ]);
        if (o.String("method") != Method) throw new SarKitInputException($"{source}: field 'method' is '{o.String("method")}'; expected \"{Method}\".") { SourceFile = source };
        var l = new LiquidProperties
        {
            Name = o.String("liquid"), Date = o.OptDate("date"),
            FrequencyHz = o.OptScalar("frequency", ProbeQuantityKind.Frequency) ?? double.NaN,
            ConductivitySPerM = o.Scalar("conductivity", ProbeQuantityKind.Conductivity),
            ConductivityRelU = o.OptScalar("conductivity_uncertainty", ProbeQuantityKind.Relative) ?? 0,
            RelativePermittivity = o.Scalar("relative_permittivity", ProbeQuantityKind.Dimensionless),
            PermittivityRelU = o.OptScalar("permittivity_uncertainty", ProbeQuantityKind.Relative) ?? 0,
            DensityKgPerM3 = o.Scalar("density", ProbeQuantityKind.Density),
            DensityRelU = o.OptScalar("density_uncertainty", ProbeQuantityKind.Relative) ?? 0,
            TargetConductivitySPerM = o.OptScalar("target_conductivity", ProbeQuantityKind.Conductivity) ?? double.NaN,
            TargetPermittivity = o.OptScalar("target_permittivity", ProbeQuantityKind.Dimensionless) ?? double.NaN,
            SpecificHeatJPerKgK = o.OptScalar("specific_heat", ProbeQuantityKind.SpecificHeat) ?? double.NaN,
        };
        if (!(l.ConductivitySPerM > 0)) throw new SarKitInputException($"{source}: conductivity = {l.ConductivitySPerM} S/m; expected > 0.") { SourceFile = source };
        if (!(l.RelativePermittivity >= 1)) throw new SarKitInputException($"{source}: relative_permittivity = {l.RelativePermittivity}; expected >= 1.") { SourceFile = source };
        if (!(l.DensityKgPerM3 > 0)) throw new SarKitInputException($"{source}: density = {l.DensityKgPerM3} kg/m³; expected > 0.") { SourceFile = source };
        return l;
    }
}

/// <summary>Result of the water-comparison heat-capacity measurement.</summary>
/// <param name="SpecificHeatJPerKgK">C_s (J/(kg K)).</param>
/// <param name="Budget">Uncertainty budget of C_s (C_w, ΔT_w, ΔT_s).</param>
/// <param name="RatioAtEndOfHeating">ΔT_w/ΔT_s from the end-of-heating readings (NaN when not given).</param>
/// <param name="RatioAfterStirring">ΔT_w/ΔT_s from the readings after stirring (the one used).</param>
/// <param name="Notes">Remarks (ratio consistency).</param>
public sealed record HeatCapacityResult(double SpecificHeatJPerKgK, UncertaintyResult Budget, double RatioAtEndOfHeating, double RatioAfterStirring, IReadOnlyList<string> Notes);

/// <summary>
/// Heat capacity of the simulated tissue by comparison with water (probe-system manual, "Determining the Heat Capacity
/// of Simulated Tissue"): equal masses heated by the same source for the same time absorb the same energy, so
/// C_w ΔT_w = C_s ΔT_s and C_s = C_w ΔT_w / ΔT_s, with C_w = 1 cal/(g °C) = 4184 J/(kg K) to about 1 %.
/// The manual asks that the ratio be the same at the end of heating and after stirring (uniform heating).
/// </summary>
public static class HeatCapacity
{
    /// <summary>C_w = 1 cal/(g °C) (thermochemical calorie), J/(kg K).</summary>
    public const double WaterJPerKgK = 4184.0;

    /// <summary>The manual's "~1 %" for C_w, taken as a rectangular half-width.</summary>
    public const double WaterRelativeHalfWidth = 0.01;

    /// <summary>C_s = C_w ΔT_w/ΔT_s.</summary>
    public static double Solution(double waterJPerKgK, double deltaTWaterK, double deltaTSolutionK)
    {
        if (!(deltaTWaterK > 0) || !double.IsFinite(deltaTWaterK)) throw new SarKitInputException($"ΔT_w = {deltaTWaterK} K: expected a finite value > 0.");
        if (!(deltaTSolutionK > 0) || !double.IsFinite(deltaTSolutionK)) throw new SarKitInputException($"ΔT_s = {deltaTSolutionK} K: expected a finite value > 0.");
        if (!(waterJPerKgK > 0)) throw new SarKitInputException($"C_w = {waterJPerKgK} J/(kg K): expected > 0.");
        return waterJPerKgK * deltaTWaterK / deltaTSolutionK;
    }

    /// <summary>
    /// Evaluates C_s with its budget (GUM law of propagation via <see cref="UncertaintyBudget.Evaluate"/>): C_w rectangular
    /// ±<paramref name="waterRelHalfWidth"/>, each ΔT with standard uncertainty <paramref name="temperatureStdUncertaintyK"/>.
    /// </summary>
    public static HeatCapacityResult Evaluate(double deltaTWaterK, double deltaTSolutionK, double temperatureStdUncertaintyK = 0,
        double waterJPerKgK = WaterJPerKgK, double waterRelHalfWidth = WaterRelativeHalfWidth,
        double deltaTWaterEndOfHeatingK = double.NaN, double deltaTSolutionEndOfHeatingK = double.NaN)
    {
        double cs = Solution(waterJPerKgK, deltaTWaterK, deltaTSolutionK);
        var comps = new[]
        {
            TypeB.Rectangular("Heat capacity of water C_w", 100 * waterRelHalfWidth, UncertaintyScale.RelativePercent),
            new UncertaintyComponent("Temperature rise of water ΔT_w", temperatureStdUncertaintyK, UncertaintyScale.Absolute, EvaluationType.B, Distribution.Normal, 1, double.PositiveInfinity),
            new UncertaintyComponent("Temperature rise of solution ΔT_s", temperatureStdUncertaintyK, UncertaintyScale.Absolute, EvaluationType.B, Distribution.Normal, 1, double.PositiveInfinity),
        };
        var budget = UncertaintyBudget.Evaluate(x => x[0] * x[1] / x[2], [waterJPerKgK, deltaTWaterK, deltaTSolutionK], comps,
            [deltaTWaterK / deltaTSolutionK, waterJPerKgK / deltaTSolutionK, -waterJPerKgK * deltaTWaterK / (deltaTSolutionK * deltaTSolutionK)]);
        var notes = new List<string>();
        double rEnd = double.NaN, rStir = deltaTWaterK / deltaTSolutionK;
        if (double.IsFinite(deltaTWaterEndOfHeatingK) && double.IsFinite(deltaTSolutionEndOfHeatingK))
        {
            rEnd = Solution(1, deltaTWaterEndOfHeatingK, deltaTSolutionEndOfHeatingK);
            // u of a ratio of two rises each with u_T: u_r = √((u/ΔT_w)² + (u/ΔT_s)²)
            double ur = Math.Sqrt(Math.Pow(temperatureStdUncertaintyK / deltaTWaterK, 2) + Math.Pow(temperatureStdUncertaintyK / deltaTSolutionK, 2));
            double diff = Math.Abs(rEnd / rStir - 1);
            notes.Add(diff <= 2 * Math.Sqrt(2) * ur
                ? $"ratio ΔT_w/ΔT_s at end of heating {rEnd:G5} and after stirring {rStir:G5} agree within the thermometer uncertainty ({100 * diff:F2} %)."
                : $"warning: ratio ΔT_w/ΔT_s at end of heating {rEnd:G5} differs from that after stirring {rStir:G5} by {100 * diff:F2} % (more than the thermometer uncertainty allows): the liquids were not heated uniformly; repeat the measurement.");
        }
        return new HeatCapacityResult(cs, budget, rEnd, rStir, notes);
    }

    /// <summary>Method tag of the heat-capacity input file.</summary>
    public const string Method = "liquid-heat-capacity";

    /// <summary>Reads and evaluates a heat-capacity file (docs/probe.md, `sarkit liquid heat-capacity`).</summary>
    public static (string Liquid, DateOnly? Date, HeatCapacityResult Result) ReadFile(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"heat-capacity input file not found: {path}", path);
        return ParseFile(File.ReadAllText(path), path);
    }

    /// <summary>Parses and evaluates heat-capacity JSON.</summary>
    public static (string Liquid, DateOnly? Date, HeatCapacityResult Result) ParseFile(string json, string source)
    {
        using var doc = ProbeJsonObject.ParseDocument(json, source);
        var o = new ProbeJsonObject(doc.RootElement, source,
        [
            "method", "liquid", "date", "water_heat_capacity", "water_heat_capacity_tolerance", "delta_T_water", "delta_T_solution",
            "delta_T_water_end_of_heating", "delta_T_solution_end_of_heating", "temperature_uncertainty", "heating_time", "description",
        ]);
        if (o.String("method") != Method) throw new SarKitInputException($"{source}: field 'method' is '{o.String("method")}'; expected \"{Method}\".") { SourceFile = source };
        try
        {
            // Informational, but still a measured value: it must be a positive, physical duration.
            if (o.OptScalar("heating_time", ProbeQuantityKind.Time) is { } ht && !(ht > 0))
                throw new SarKitInputException($"{source}: field 'heating_time' = {ProbeQuantity.Num(ht)} s: expected a duration > 0.") { SourceFile = source };
            var r = Evaluate(o.Scalar("delta_T_water", ProbeQuantityKind.TemperatureDifference), o.Scalar("delta_T_solution", ProbeQuantityKind.TemperatureDifference),
                o.OptScalar("temperature_uncertainty", ProbeQuantityKind.TemperatureDifference) ?? 0,
                o.OptScalar("water_heat_capacity", ProbeQuantityKind.SpecificHeat) ?? WaterJPerKgK,
                o.OptScalar("water_heat_capacity_tolerance", ProbeQuantityKind.Relative) ?? WaterRelativeHalfWidth,
                o.OptScalar("delta_T_water_end_of_heating", ProbeQuantityKind.TemperatureDifference) ?? double.NaN,
                o.OptScalar("delta_T_solution_end_of_heating", ProbeQuantityKind.TemperatureDifference) ?? double.NaN);
            return (o.String("liquid"), o.OptDate("date"), r);
        }
        catch (SarKitInputException e) when (e.SourceFile is null) { throw new SarKitInputException($"{source}: {e.Message}", e) { SourceFile = source }; }
    }
}
