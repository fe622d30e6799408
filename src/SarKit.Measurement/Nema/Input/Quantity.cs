using System.Globalization;
using System.Text.Json;

namespace SarKit.Measurement.Nema.Input;

/// <summary>Physical kind of a measurement-file quantity; each kind has its own explicit unit table (<see cref="QuantityParser"/>).</summary>
public enum QuantityKind
{
    /// <summary>Mass, SI kg.</summary>
    Mass,
    /// <summary>Absolute temperature, SI K (°C readings are converted: K = °C + 273.15).</summary>
    Temperature,
    /// <summary>Temperature difference, SI K (1 °C difference = 1 K).</summary>
    TemperatureDifference,
    /// <summary>Time, SI s.</summary>
    Time,
    /// <summary>Power, SI W.</summary>
    Power,
    /// <summary>Energy, SI J.</summary>
    Energy,
    /// <summary>Specific heat capacity, SI J/(kg K).</summary>
    SpecificHeat,
    /// <summary>Power attenuation: a fraction in (0, 1] or a positive loss in dB (NEMA MS 8 fractional factors α).</summary>
    Attenuation,
    /// <summary>Specific absorption rate, SI W/kg.</summary>
    SpecificAbsorptionRate,
    /// <summary>Voltage, SI V.</summary>
    Voltage,
    /// <summary>Relative (fractional) uncertainty, SI fraction (5 % = 0.05).</summary>
    RelativeUncertainty,
    /// <summary>Plane angle (tip angle), SI rad; reported in degrees.</summary>
    Angle,
    /// <summary>Impedance (Z0 of eq. 1), SI Ω.</summary>
    Impedance,
    /// <summary>Heat capacity (M c), SI J/K.</summary>
    HeatCapacity,
    /// <summary>A dimensionless fraction in [0, 1] (e.g. the loading quotient of eq. [1]).</summary>
    Fraction,
    /// <summary>Magnetic flux density (B1), SI T.</summary>
    FluxDensity,
    /// <summary>Frequency, SI Hz.</summary>
    Frequency,
}

/// <summary>A value converted to SI together with what the file said (value and unit as written).</summary>
/// <param name="Field">Field name in the input file.</param>
/// <param name="Kind">Quantity kind.</param>
/// <param name="Si">Value in SI units (kg, K, s, W, J, J/(kg K), attenuation as a power fraction).</param>
/// <param name="Value">Value as written in the file.</param>
/// <param name="Unit">Unit as written in the file.</param>
public readonly record struct Quantity(string Field, QuantityKind Kind, double Si, double Value, string Unit)
{
    /// <summary>SI unit symbol of <paramref name="kind"/>.</summary>
    public static string SiUnit(QuantityKind kind) => kind switch
    {
        QuantityKind.Mass => "kg",
        QuantityKind.Temperature or QuantityKind.TemperatureDifference => "K",
        QuantityKind.Time => "s",
        QuantityKind.Power => "W",
        QuantityKind.Energy => "J",
        QuantityKind.SpecificHeat => "J/(kg K)",
        QuantityKind.Attenuation or QuantityKind.RelativeUncertainty => "1",
        QuantityKind.SpecificAbsorptionRate => "W/kg",
        QuantityKind.Voltage => "V",
        QuantityKind.Angle => "rad",
        QuantityKind.Impedance => "Ω",
        QuantityKind.HeatCapacity => "J/K",
        QuantityKind.Fraction => "1",
        QuantityKind.FluxDensity => "T",
        QuantityKind.Frequency => "Hz",
        _ => "?",
    };

    /// <summary>"20.1 kg" as written.</summary>
    public override string ToString() => $"{Value.ToString("R", CultureInfo.InvariantCulture)} {Unit}";
}

/// <summary>
/// Parses {"value": v, "unit": "u"} objects with an explicit unit table per <see cref="QuantityKind"/>. An unknown
/// unit, a unit of another kind, a missing unit or a non-numeric value is a <see cref="SarKitInputException"/> naming
/// the file, the field and the unit; there is never a default unit.
/// </summary>
public static class QuantityParser
{
    // unit → (scale, offset): SI = value * scale + offset
    private static readonly Dictionary<QuantityKind, Dictionary<string, (double Scale, double Offset)>> Units = new()
    {
        [QuantityKind.Mass] = new(StringComparer.Ordinal) { ["kg"] = (1, 0), ["g"] = (1e-3, 0) },
        [QuantityKind.Temperature] = new(StringComparer.Ordinal) { ["K"] = (1, 0), ["degC"] = (1, 273.15), ["°C"] = (1, 273.15) },
        [QuantityKind.TemperatureDifference] = new(StringComparer.Ordinal) { ["K"] = (1, 0), ["mK"] = (1e-3, 0), ["degC"] = (1, 0), ["°C"] = (1, 0) },
        [QuantityKind.Time] = new(StringComparer.Ordinal) { ["s"] = (1, 0), ["ms"] = (1e-3, 0), ["min"] = (60, 0), ["h"] = (3600, 0) },
        [QuantityKind.Power] = new(StringComparer.Ordinal) { ["W"] = (1, 0), ["mW"] = (1e-3, 0), ["kW"] = (1e3, 0) },
        [QuantityKind.Energy] = new(StringComparer.Ordinal) { ["J"] = (1, 0), ["kJ"] = (1e3, 0) },
        [QuantityKind.SpecificHeat] = new(StringComparer.Ordinal) { ["J/(kg K)"] = (1, 0), ["J/(g K)"] = (1e3, 0), ["kJ/(kg K)"] = (1e3, 0) },
        [QuantityKind.Attenuation] = new(StringComparer.Ordinal) { ["fraction"] = (1, 0), ["dB"] = (double.NaN, 0) },
        [QuantityKind.SpecificAbsorptionRate] = new(StringComparer.Ordinal) { ["W/kg"] = (1, 0), ["mW/kg"] = (1e-3, 0), ["mW/g"] = (1, 0) },
        [QuantityKind.Voltage] = new(StringComparer.Ordinal) { ["V"] = (1, 0), ["mV"] = (1e-3, 0) },
        [QuantityKind.RelativeUncertainty] = new(StringComparer.Ordinal) { ["fraction"] = (1, 0), ["%"] = (1e-2, 0) },
        [QuantityKind.Angle] = new(StringComparer.Ordinal) { ["deg"] = (Math.PI / 180, 0), ["°"] = (Math.PI / 180, 0), ["rad"] = (1, 0) },
        [QuantityKind.Impedance] = new(StringComparer.Ordinal) { ["Ω"] = (1, 0), ["ohm"] = (1, 0) },
        [QuantityKind.HeatCapacity] = new(StringComparer.Ordinal) { ["J/K"] = (1, 0), ["kJ/K"] = (1e3, 0) },
        [QuantityKind.Fraction] = new(StringComparer.Ordinal) { ["fraction"] = (1, 0), ["%"] = (1e-2, 0) },
        [QuantityKind.Frequency] = new(StringComparer.Ordinal) { ["Hz"] = (1, 0), ["kHz"] = (1e3, 0), ["MHz"] = (1e6, 0) },
        [QuantityKind.FluxDensity] = new(StringComparer.Ordinal) { ["T"] = (1, 0), ["mT"] = (1e-3, 0), ["uT"] = (1e-6, 0), ["µT"] = (1e-6, 0) },
    };

    /// <summary>Units accepted for <paramref name="kind"/>.</summary>
    public static IReadOnlyCollection<string> AcceptedUnits(QuantityKind kind) => Units[kind].Keys;

    /// <summary>
    /// Physical range of a quantity in SI (docs/reliability/records-and-measurement.md): deliberately generous bounds
    /// that no real MR measurement reaches, so that an absurd value (1e308, a sign error, an overflow) is refused naming
    /// the field instead of turning into an infinite, zero or negative result. <c>Open</c> excludes the minimum.
    /// </summary>
    public static (double Min, double Max, bool Open) PhysicalRange(QuantityKind kind) => kind switch
    {
        QuantityKind.Mass => (0, 1e4, true),                     // kg: a phantom or patient, not 10 t
        QuantityKind.Temperature => (0, 1000, true),             // K
        QuantityKind.TemperatureDifference => (-1000, 1000, false),
        QuantityKind.Time => (0, 1e7, false),                    // s: ≤ 116 days
        QuantityKind.Power => (0, 1e7, false),                   // W: ≤ 10 MW
        QuantityKind.Energy => (0, 1e10, false),                 // J
        QuantityKind.SpecificHeat => (0, 1e5, true),             // J/(kg K)
        QuantityKind.Attenuation => (0, 1, true),
        QuantityKind.SpecificAbsorptionRate => (0, 1e4, false),  // W/kg
        QuantityKind.Voltage => (-1e5, 1e5, false),              // V
        QuantityKind.RelativeUncertainty => (0, 10, false),      // ≤ 1000 %
        QuantityKind.Angle => (-100, 100, false),                // rad
        QuantityKind.Impedance => (0, 1e6, true),                // Ω
        QuantityKind.HeatCapacity => (0, 1e9, true),             // J/K
        QuantityKind.Fraction => (0, 1, false),
        QuantityKind.FluxDensity => (-100, 100, false),          // T
        QuantityKind.Frequency => (0, 1e12, true),               // Hz
        _ => (double.MinValue, double.MaxValue, false),
    };

    /// <summary>Converts <paramref name="value"/> in <paramref name="unit"/> to SI; throws naming <paramref name="field"/> for an unknown unit.</summary>
    public static Quantity FromValue(string field, QuantityKind kind, double value, string unit, string? file = null)
    {
        string where = file is null ? $"field '{field}'" : $"{file}: field '{field}'";
        if (!double.IsFinite(value)) throw new SarKitInputException($"{where}: value {value} is not a finite number.") { SourceFile = file };
        if (!Units[kind].TryGetValue(unit, out var u))
        {
            string other = Units.Where(p => p.Key != kind && p.Value.ContainsKey(unit)).Select(p => p.Key.ToString()).FirstOrDefault() is { } k
                ? $" ('{unit}' is a {k} unit)" : "";
            throw new SarKitInputException($"{where}: unknown unit '{unit}' for a {kind}{other}; expected one of: {string.Join(", ", Units[kind].Keys)}.") { SourceFile = file };
        }
        double si;
        if (kind == QuantityKind.Attenuation)
        {
            try { si = unit == "dB" ? Decibel.LossToFraction(value, field) : Guard.Fraction(value, field); }
            catch (SarKitInputException x) { throw new SarKitInputException($"{where}: {value} {unit}: {x.Message}", x) { SourceFile = file }; }
        }
        else si = value * u.Scale + u.Offset;
        if (!double.IsFinite(si))
            throw new SarKitInputException($"{where}: {value} {unit} overflows in SI ({si} {Quantity.SiUnit(kind)}).") { SourceFile = file };
        var (min, max, open) = PhysicalRange(kind);
        if (!(open ? si > min : si >= min) || !(si <= max))
            throw new SarKitInputException($"{where}: {value.ToString("R", CultureInfo.InvariantCulture)} {unit} is outside the physical range of a {kind} " +
                $"({(open ? "(" : "[")}{min.ToString("G", CultureInfo.InvariantCulture)}, {max.ToString("G", CultureInfo.InvariantCulture)}] {Quantity.SiUnit(kind)}).") { SourceFile = file };
        if (kind == QuantityKind.Fraction && (si < 0 || si > 1))
            throw new SarKitInputException($"{where}: {value} {unit}: expected a fraction in [0, 1].") { SourceFile = file };
        if (kind == QuantityKind.RelativeUncertainty && si < 0)
            throw new SarKitInputException($"{where}: {value} {unit}: expected a value >= 0.") { SourceFile = file };
        if (kind == QuantityKind.Temperature && si <= 0)
            throw new SarKitInputException($"{where}: {value} {unit} is at or below absolute zero.") { SourceFile = file };
        return new(field, kind, si, value, unit);
    }

    /// <summary>Parses {"value": number, "unit": "string"}. With <paramref name="voltageSuffix"/> (e.g. "pp") a unit
    /// "Vpp" is looked up as "V" and kept as written.</summary>
    public static Quantity Parse(JsonElement e, string field, QuantityKind kind, string? file = null, string? voltageSuffix = null)
    {
        string where = file is null ? $"field '{field}'" : $"{file}: field '{field}'";
        if (e.ValueKind != JsonValueKind.Object)
            throw new SarKitInputException($"{where}: expected an object {{\"value\": number, \"unit\": \"{Quantity.SiUnit(kind)}\"}}, found {e.ValueKind}.") { SourceFile = file };
        double value = double.NaN; string? unit = null;
        foreach (var p in e.EnumerateObject())
        {
            switch (p.Name)
            {
                case "value":
                    if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetDouble(out value))
                        throw new SarKitInputException($"{where}: 'value' must be a number, found {p.Value.GetRawText()}.") { SourceFile = file };
                    break;
                case "unit":
                    if (p.Value.ValueKind != JsonValueKind.String)
                        throw new SarKitInputException($"{where}: 'unit' must be a string, found {p.Value.GetRawText()}.") { SourceFile = file };
                    unit = p.Value.GetString();
                    break;
                default:
                    throw new SarKitInputException($"{where}: unexpected key '{p.Name}' (expected 'value' and 'unit').") { SourceFile = file };
            }
        }
        if (double.IsNaN(value)) throw new SarKitInputException($"{where}: missing 'value'.") { SourceFile = file };
        if (unit is null) throw new SarKitInputException($"{where}: missing 'unit' (no default unit; expected one of: {string.Join(", ", Units[kind].Keys)}).") { SourceFile = file };
        string lookup = voltageSuffix is not null && unit.EndsWith(voltageSuffix, StringComparison.Ordinal) ? unit[..^voltageSuffix.Length] : unit;
        try { return FromValue(field, kind, value, lookup, file) with { Unit = unit }; }
        catch (SarKitInputException x) when (!x.Message.Contains($"'{field}'", StringComparison.Ordinal))
        { throw new SarKitInputException($"{where}: {x.Message}", x) { SourceFile = file }; }
    }
}
