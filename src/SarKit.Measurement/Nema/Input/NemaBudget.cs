using System.Globalization;
using SarKit.Measurement.Uncertainty;

namespace SarKit.Measurement.Nema.Input;

/// <summary>
/// An input quantity of a method's measurement model y = SAR(x) that an uncertainty component can apply to.
/// </summary>
/// <param name="Name">Name used in <c>applies_to</c>, e.g. "T_final", "alpha_cf", "mass".</param>
/// <param name="Kind">Kind of the underlying quantity (units accepted for absolute bounds and readings).</param>
/// <param name="Estimate">Estimate x in SI; 1 for a multiplicative factor.</param>
/// <param name="IsFactor">True for a multiplicative correction factor on a group of values (only relative bounds, in %, or readings).</param>
/// <param name="Description">What the quantity is.</param>
public sealed record ModelQuantity(string Name, QuantityKind Kind, double Estimate, bool IsFactor, string Description);

/// <summary>One of the standard's listed sources of uncertainty (Section 4.1 e) with a short id and its default model quantities.</summary>
public sealed record StandardSource(string Id, string Name, IReadOnlyList<string> DefaultAppliesTo);

/// <summary>One row of an evaluated NEMA uncertainty budget (one component applied to one model quantity).</summary>
/// <param name="Source">Source name (the standard's wording for standard sources).</param>
/// <param name="Quantity">Model quantity.</param>
/// <param name="Type">"A" or "B".</param>
/// <param name="Distribution">normal, rectangular, triangular, u-shaped.</param>
/// <param name="Bound">Bound or readings as written (e.g. "0.1 K rectangular", "2 % normal k=2", "5 readings (W)").</param>
/// <param name="Estimate">x_i (SI).</param>
/// <param name="StandardUncertainty">u(x_i) in SI.</param>
/// <param name="SiUnit">SI unit of x_i.</param>
/// <param name="Sensitivity">c_i = ∂SAR/∂x_i (W/kg per SI unit), by central differences.</param>
/// <param name="ContributionWPerKg">|c_i| u(x_i) (W/kg).</param>
/// <param name="DegreesOfFreedom">ν_i (∞ as +Infinity).</param>
/// <param name="VariancePercent">Share of u_c² (%).</param>
public sealed record NemaBudgetRow(string Source, string Quantity, string Type, string Distribution, string Bound, double Estimate,
    double StandardUncertainty, string SiUnit, double Sensitivity, double ContributionWPerKg, double DegreesOfFreedom, double VariancePercent);

/// <summary>
/// An evaluated uncertainty budget of a NEMA MS 8 SAR measurement (NIST TN 1297: law of propagation, Welch–Satterthwaite
/// ν_eff, k = t_95.45(ν_eff) unless a fixed k is given), with the standard's source list pre-filled: sources of Section
/// 4.1 e without a component are listed in <see cref="NotAssessed"/>.
/// </summary>
public sealed record NemaBudget
{
    /// <summary>Measured SAR y (W/kg).</summary>
    public required double SarWPerKg { get; init; }
    /// <summary>Combined standard uncertainty u_c (W/kg).</summary>
    public required double CombinedStandardUncertainty { get; init; }
    /// <summary>Effective degrees of freedom (Welch–Satterthwaite), +∞ when all ν_i are ∞.</summary>
    public required double EffectiveDegreesOfFreedom { get; init; }
    /// <summary>Coverage factor k used.</summary>
    public required double CoverageFactor { get; init; }
    /// <summary>True when k was fixed in the file; false when k = t_p(ν_eff).</summary>
    public required bool CoverageFactorFixed { get; init; }
    /// <summary>Coverage probability p for k from the t distribution (95.45 %).</summary>
    public required double CoverageProbability { get; init; }
    /// <summary>Rows in file order.</summary>
    public required IReadOnlyList<NemaBudgetRow> Rows { get; init; }
    /// <summary>Standard sources (Section 4.1 e) without any component in the file.</summary>
    public required IReadOnlyList<string> NotAssessed { get; init; }
    /// <summary>Expanded uncertainty U = k u_c (W/kg).</summary>
    public double ExpandedUncertainty => CoverageFactor * CombinedStandardUncertainty;
    /// <summary>U / SAR in % (the report's "Measurement uncertainty %").</summary>
    public double RelativeExpandedPercent => 100 * ExpandedUncertainty / SarWPerKg;
}

/// <summary>Builds <see cref="NemaBudget"/>s from the <c>uncertainty</c> block of a measurement file and a method's model.</summary>
public static class NemaBudgetBuilder
{
    /// <summary>Calorimetry sources of Section 4.1 e with ids and default model quantities.</summary>
    public static readonly IReadOnlyList<StandardSource> CalorimetrySources = Zip(NemaUncertaintySources.Calorimetry(),
        [("temperature_sensor", ["T_initial", "T_final"]), ("insulation_time_constant", ["insulation_time_constant"]),
         ("heat_capacity", ["heat_capacity"]), ("ambient_temperature", ["T_ambient"]), ("M_bod", ["mass"])]);

    /// <summary>Pulse-energy sources of Section 4.1 e with ids and default model quantities.</summary>
    public static readonly IReadOnlyList<StandardSource> PulseEnergySources = Zip(NemaUncertaintySources.PulseEnergy(),
        [("attenuation_values", ["alpha1", "alpha_cf", "alpha_cr", "alpha2"]), ("inserted_electrical_length", ["SAR"]),
         ("coupler_directivity", ["alpha_cf", "alpha_cr"]),
         ("power_measurement", ["P_forward_unloaded", "P_reflected_unloaded", "P_other_unloaded", "P_forward_loaded", "P_reflected_loaded", "P_other_loaded"]),
         ("current_sensors", ["flux_loop_unloaded", "flux_loop_loaded"]), ("current_sensor_placement", ["coil_loss"]), ("M_bod", ["mass"])]);

    private static StandardSource[] Zip(IReadOnlyList<string> names, (string Id, string[] To)[] map)
        => names.Select((n, i) => new StandardSource(map[i].Id, n, map[i].To)).ToArray();

    /// <summary>
    /// Evaluates the budget. <paramref name="sar"/> computes SAR from a lookup of model-quantity values; each component
    /// row gets its own model input whose deviation from the estimate is added to the quantity it applies to.
    /// </summary>
    public static NemaBudget Evaluate(UncertaintySpec spec, IReadOnlyList<StandardSource> sources, IReadOnlyList<ModelQuantity> quantities,
        Func<Func<string, double>, double> sar, string? file)
    {
        string src = file ?? "<input>";
        var byName = quantities.ToDictionary(q => q.Name, StringComparer.Ordinal);
        var slots = new List<(UncertaintyInput In, StandardSource? Std, ModelQuantity Q, UncertaintyComponent C, string Bound)>();
        foreach (var c in spec.Components)
        {
            var std = sources.FirstOrDefault(s => string.Equals(s.Id, c.Source, StringComparison.OrdinalIgnoreCase)
                                                  || string.Equals(Normal(s.Name), Normal(c.Source), StringComparison.OrdinalIgnoreCase));
            var targets = c.AppliesTo.Count > 0 ? c.AppliesTo : std?.DefaultAppliesTo
                ?? throw new SarKitInputException($"{src}: field '{c.Field}.applies_to' is required for the source \"{c.Source}\", which is not one of the standard's sources ({string.Join(", ", sources.Select(s => s.Id))}); expected one or more of: {string.Join(", ", quantities.Select(q => q.Name))}.") { SourceFile = file };
            foreach (var t in targets)
            {
                if (!byName.TryGetValue(t, out var q))
                    throw new SarKitInputException($"{src}: field '{c.Field}.applies_to': unknown model quantity '{t}'; expected one of: {string.Join(", ", quantities.Select(x => x.Name))}.") { SourceFile = file };
                var (comp, bound) = Component(c, q, std?.Name ?? c.Source, src, file);
                slots.Add((c, std, q, comp, bound));
            }
        }
        if (slots.Count == 0) throw new SarKitInputException($"{src}: field 'uncertainty.components': no components.") { SourceFile = file };
        var baseValue = quantities.ToDictionary(q => q.Name, q => q.Estimate, StringComparer.Ordinal);
        var est = slots.Select(s => s.Q.Estimate).ToArray();
        double Model(double[] x)
        {
            var v = new Dictionary<string, double>(baseValue, StringComparer.Ordinal);
            for (int i = 0; i < x.Length; i++) v[slots[i].Q.Name] += x[i] - est[i];
            return sar(n => v[n]);
        }
        var result = UncertaintyBudget.Evaluate(Model, est, slots.Select(s => s.C).ToArray());
        double k = spec.CoverageFactor ?? result.CoverageFactor;
        var rows = slots.Select((s, i) =>
        {
            var r = result.Rows[i];
            return new NemaBudgetRow(s.Std?.Name ?? s.In.Source, s.Q.Name, s.C.Type.ToString(), DistName(s.C.Distribution), s.Bound,
                r.Estimate, r.StandardUncertainty, s.Q.IsFactor ? "1" : Quantity.SiUnit(s.Q.Kind), r.Sensitivity, r.Contribution, r.DegreesOfFreedom, r.VariancePercent);
        }).ToArray();
        var used = slots.Where(s => s.Std is not null).Select(s => s.Std!.Id).ToHashSet();
        return new NemaBudget
        {
            SarWPerKg = result.Value, CombinedStandardUncertainty = result.CombinedStandardUncertainty,
            EffectiveDegreesOfFreedom = result.EffectiveDegreesOfFreedom, CoverageFactor = k, CoverageFactorFixed = spec.CoverageFactor is not null,
            CoverageProbability = result.CoverageProbability, Rows = rows,
            NotAssessed = sources.Where(s => !used.Contains(s.Id)).Select(s => s.Name).ToArray(),
        };
    }

    internal static string DistName(Distribution d) => d switch
    {
        Distribution.Normal => "normal", Distribution.Rectangular => "rectangular", Distribution.Triangular => "triangular",
        Distribution.UShaped => "u-shaped", _ => d.ToString(),
    };

    private static string Normal(string s) => s.Replace("\u201c", "\"").Replace("\u201d", "\"").Replace("α", "alpha").Trim();

    private static string F(double v) => v.ToString("G6", CultureInfo.InvariantCulture);

    private static (UncertaintyComponent, string) Component(UncertaintyInput c, ModelQuantity q, string name, string src, string? file)
    {
        string rowName = $"{name} [{q.Name}]";
        string where = $"{src}: field '{c.Field}'";
        if (c.Readings is { } readings)
        {
            // Type A: the readings are repeated observations of the quantity; u = s/√n relative to their mean, ν = n − 1.
            var si = readings.Select((v, j) => QuantityParser.FromValue($"{c.Field}.readings.values[{j}]", q.Kind, v, c.BoundUnit, src).Si).ToArray();
            var a = UncertaintyComponent.TypeA(rowName, si);
            double mean = a.Estimate!.Value;
            if (mean == 0) throw new SarKitInputException($"{where}: the mean of the readings is 0; a relative Type A uncertainty is undefined.") { SourceFile = file };
            double rel = a.StandardUncertainty / Math.Abs(mean);
            var comp = new UncertaintyComponent(rowName, Math.Abs(q.Estimate) * rel, UncertaintyScale.Absolute, EvaluationType.A,
                Distribution.Normal, Math.Sqrt(si.Length), Math.Min(c.DegreesOfFreedom, si.Length - 1));
            return (comp, $"{si.Length} readings ({c.BoundUnit}), s/√n = {F(100 * rel)} % of the mean");
        }
        double half;
        string bound;
        if (c.BoundUnit == "%" && q.Kind == QuantityKind.Temperature)
            throw new SarKitInputException($"{where}: a bound on the temperature '{q.Name}' must be a temperature difference (K, mK, degC), not '%'.") { SourceFile = file };
        if (c.BoundUnit == "%")
        {
            half = Math.Abs(q.Estimate) * c.BoundValue / 100; bound = $"{F(c.BoundValue)} %";
        }
        else if (q.IsFactor)
            throw new SarKitInputException($"{where}: model quantity '{q.Name}' ({q.Description}) takes a relative bound in '%' (or readings); found unit '{c.BoundUnit}'.") { SourceFile = file };
        else if (q.Kind == QuantityKind.Attenuation && c.BoundUnit == "dB")
        {
            half = Math.Abs(q.Estimate) * (Math.Pow(10, c.BoundValue / 10) - 1); bound = $"{F(c.BoundValue)} dB";
        }
        else if (q.Kind == QuantityKind.Attenuation && c.BoundUnit == "fraction")
        {
            half = c.BoundValue; bound = $"{F(c.BoundValue)} (fraction)";
        }
        else
        {
            var kind = q.Kind == QuantityKind.Temperature ? QuantityKind.TemperatureDifference : q.Kind;
            half = QuantityParser.FromValue($"{c.Field}.bound", kind, c.BoundValue, c.BoundUnit, src).Si;
            bound = $"{F(c.BoundValue)} {c.BoundUnit}";
        }
        var scale = UncertaintyScale.Absolute;
        var comp2 = c.Distribution switch
        {
            Distribution.Normal => TypeB.Normal(rowName, half, c.K, scale, c.DegreesOfFreedom),
            Distribution.Rectangular => TypeB.Rectangular(rowName, half, scale, c.DegreesOfFreedom),
            Distribution.Triangular => TypeB.Triangular(rowName, half, scale, c.DegreesOfFreedom),
            _ => TypeB.UShaped(rowName, half, scale, c.DegreesOfFreedom),
        };
        bound += c.Distribution == Distribution.Normal ? $", U at k = {F(c.K)}" : ", half-width";
        return (comp2, bound);
    }
}
