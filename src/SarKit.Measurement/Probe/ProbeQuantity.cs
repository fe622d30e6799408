using System.Globalization;
using System.Text.Json;

namespace SarKit.Measurement.Probe;

/// <summary>Physical kind of a probe-system input quantity; each kind has an explicit unit table (<see cref="ProbeQuantity"/>).</summary>
public enum ProbeQuantityKind
{
    /// <summary>Voltage, SI V.</summary>
    Voltage,
    /// <summary>Length, SI m.</summary>
    Length,
    /// <summary>Power density, SI W/m² (1 mW/cm² = 10 W/m²).</summary>
    PowerDensity,
    /// <summary>Sensor factor, SI V/(W/m²) (10.8 mV/(mW/cm²) = 1.08e-3 V/(W/m²)).</summary>
    SensorFactor,
    /// <summary>Conversion factor CF, SI (W/kg)/(W/m²) = m²/kg (1 (mW/g)/(mW/cm²) = 0.1 m²/kg).</summary>
    ConversionFactor,
    /// <summary>Electric conductivity, SI S/m.</summary>
    Conductivity,
    /// <summary>Mass density, SI kg/m³.</summary>
    Density,
    /// <summary>Time, SI s.</summary>
    Time,
    /// <summary>Temperature difference, SI K.</summary>
    TemperatureDifference,
    /// <summary>Specific heat capacity, SI J/(kg K) (1 cal/(g °C) = 4184 J/(kg K), thermochemical calorie).</summary>
    SpecificHeat,
    /// <summary>Power, SI W.</summary>
    Power,
    /// <summary>Relative uncertainty or deviation, SI fraction (5 % = 0.05).</summary>
    Relative,
    /// <summary>A pure number (relative permittivity, ConvF).</summary>
    Dimensionless,
    /// <summary>Probe sensitivity Norm, SI V/(V/m)².</summary>
    Sensitivity,
    /// <summary>Frequency, SI Hz.</summary>
    Frequency,
    /// <summary>Angle, degrees (kept in degrees).</summary>
    Angle,
    /// <summary>Mass, SI kg.</summary>
    Mass,
    /// <summary>Impedance, SI Ω.</summary>
    Impedance,
}

/// <summary>
/// Quantities of the probe-system input files: {"value": v, "unit": "u"} (scalars) and {"values": [..], "unit": "u"}
/// (per-channel arrays), converted to SI with an explicit unit table per kind — the same rules as the NEMA measurement
/// files (<see cref="Nema.Input.QuantityParser"/>): no default unit, an unknown unit is an error naming file and field.
/// </summary>
public static class ProbeQuantity
{
    private static readonly Dictionary<ProbeQuantityKind, Dictionary<string, double>> Units = new()
    {
        [ProbeQuantityKind.Voltage] = new(StringComparer.Ordinal) { ["V"] = 1, ["mV"] = 1e-3, ["uV"] = 1e-6, ["µV"] = 1e-6 },
        [ProbeQuantityKind.Length] = new(StringComparer.Ordinal) { ["m"] = 1, ["cm"] = 1e-2, ["mm"] = 1e-3 },
        [ProbeQuantityKind.PowerDensity] = new(StringComparer.Ordinal) { ["W/m2"] = 1, ["W/m²"] = 1, ["mW/cm2"] = 10, ["mW/cm²"] = 10 },
        [ProbeQuantityKind.SensorFactor] = new(StringComparer.Ordinal) { ["V/(W/m2)"] = 1, ["mV/(mW/cm2)"] = 1e-4, ["mV/(mW/cm²)"] = 1e-4, ["V/(mW/cm2)"] = 0.1, ["V/(mW/cm²)"] = 0.1 },
        [ProbeQuantityKind.ConversionFactor] = new(StringComparer.Ordinal) { ["m2/kg"] = 1, ["(W/kg)/(W/m2)"] = 1, ["(mW/g)/(mW/cm2)"] = 0.1, ["(mW/g)/(mW/cm²)"] = 0.1 },
        [ProbeQuantityKind.Conductivity] = new(StringComparer.Ordinal) { ["S/m"] = 1, ["mS/cm"] = 0.1 },
        [ProbeQuantityKind.Density] = new(StringComparer.Ordinal) { ["kg/m3"] = 1, ["kg/m³"] = 1, ["g/cm3"] = 1000, ["g/cm³"] = 1000 },
        [ProbeQuantityKind.Time] = new(StringComparer.Ordinal) { ["s"] = 1, ["ms"] = 1e-3, ["min"] = 60 },
        [ProbeQuantityKind.TemperatureDifference] = new(StringComparer.Ordinal) { ["K"] = 1, ["mK"] = 1e-3, ["degC"] = 1, ["°C"] = 1 },
        [ProbeQuantityKind.SpecificHeat] = new(StringComparer.Ordinal) { ["J/(kg K)"] = 1, ["J/(g K)"] = 1e3, ["J/(g degC)"] = 1e3, ["kJ/(kg K)"] = 1e3, ["cal/(g K)"] = 4184, ["cal/(g degC)"] = 4184 },
        [ProbeQuantityKind.Power] = new(StringComparer.Ordinal) { ["W"] = 1, ["mW"] = 1e-3 },
        [ProbeQuantityKind.Relative] = new(StringComparer.Ordinal) { ["fraction"] = 1, ["%"] = 1e-2 },
        [ProbeQuantityKind.Dimensionless] = new(StringComparer.Ordinal) { ["1"] = 1 },
        [ProbeQuantityKind.Sensitivity] = new(StringComparer.Ordinal) { ["V/(V/m)2"] = 1, ["uV/(V/m)2"] = 1e-6, ["µV/(V/m)²"] = 1e-6 },
        [ProbeQuantityKind.Frequency] = new(StringComparer.Ordinal) { ["Hz"] = 1, ["kHz"] = 1e3, ["MHz"] = 1e6, ["GHz"] = 1e9 },
        [ProbeQuantityKind.Angle] = new(StringComparer.Ordinal) { ["deg"] = 1 },
        [ProbeQuantityKind.Mass] = new(StringComparer.Ordinal) { ["kg"] = 1, ["g"] = 1e-3 },
        [ProbeQuantityKind.Impedance] = new(StringComparer.Ordinal) { ["Ohm"] = 1, ["Ω"] = 1 },
    };

    /// <summary>Units accepted for <paramref name="kind"/>.</summary>
    public static IReadOnlyCollection<string> AcceptedUnits(ProbeQuantityKind kind) => Units[kind].Keys;

    private static double Scale(ProbeQuantityKind kind, string unit, string where)
    {
        if (Units[kind].TryGetValue(unit, out var s)) return s;
        throw new SarKitInputException($"{where}: unknown unit '{unit}' for a {kind}; expected one of: {string.Join(", ", Units[kind].Keys)}.");
    }

    /// <summary>
    /// Physical range of a probe quantity in SI (docs/reliability/records-and-measurement.md): generous bounds no real
    /// measurement reaches, so that 1e308, an overflow or a sign error is refused naming the field. <c>Open</c> excludes the minimum.
    /// </summary>
    public static (double Min, double Max, bool Open) PhysicalRange(ProbeQuantityKind kind) => kind switch
    {
        ProbeQuantityKind.Voltage => (-1e5, 1e5, false),                 // V
        ProbeQuantityKind.Length => (-100, 100, false),                  // m
        ProbeQuantityKind.PowerDensity => (0, 1e9, false),               // W/m²
        ProbeQuantityKind.SensorFactor => (0, 1e3, true),                // V/(W/m²)
        ProbeQuantityKind.ConversionFactor => (0, 1e3, true),            // m²/kg
        ProbeQuantityKind.Conductivity => (0, 1e8, false),               // S/m
        ProbeQuantityKind.Density => (0, 1e5, true),                     // kg/m³
        ProbeQuantityKind.Time => (0, 1e7, false),                       // s
        ProbeQuantityKind.TemperatureDifference => (-1000, 1000, false), // K
        ProbeQuantityKind.SpecificHeat => (0, 1e5, true),                // J/(kg K)
        ProbeQuantityKind.Power => (0, 1e7, false),                      // W
        ProbeQuantityKind.Relative => (-100, 100, false),                // fraction
        ProbeQuantityKind.Dimensionless => (-1e6, 1e6, false),
        ProbeQuantityKind.Sensitivity => (0, 1, true),                   // V/(V/m)²
        ProbeQuantityKind.Frequency => (0, 1e12, true),                  // Hz
        ProbeQuantityKind.Angle => (-3600, 3600, false),                 // deg
        ProbeQuantityKind.Mass => (0, 1e4, true),                        // kg
        ProbeQuantityKind.Impedance => (0, 1e6, true),                   // Ω
        _ => (double.MinValue, double.MaxValue, false),
    };

    private static double Checked(double value, double si, string unit, ProbeQuantityKind kind, string where)
    {
        var (min, max, open) = PhysicalRange(kind);
        if (double.IsFinite(si) && (open ? si > min : si >= min) && si <= max) return si;
        throw new SarKitInputException($"{where}: {Num(value)} {unit} is outside the physical range of a {kind} " +
            $"({(open ? "(" : "[")}{min.ToString("G", CultureInfo.InvariantCulture)}, {max.ToString("G", CultureInfo.InvariantCulture)}] in SI).");
    }

    /// <summary>Value of <paramref name="unit"/> in SI (range-checked: <see cref="PhysicalRange"/>).</summary>
    public static double ToSi(double value, string unit, ProbeQuantityKind kind, string where = "value") => Checked(value, value * Scale(kind, unit, where), unit, kind, where);

    /// <summary>Parses {"value": number, "unit": "u"} to SI (range-checked: <see cref="PhysicalRange"/>).</summary>
    public static double Scalar(JsonElement e, ProbeQuantityKind kind, string where)
    {
        var (vals, unit) = Read(e, kind, where, array: false);
        return Checked(vals[0], vals[0] * Scale(kind, unit, where), unit, kind, where);
    }

    /// <summary>Parses {"values": [numbers], "unit": "u"} to SI, checking the count when <paramref name="count"/> ≥ 0.</summary>
    public static double[] Array(JsonElement e, ProbeQuantityKind kind, string where, int count = -1)
    {
        var (vals, unit) = Read(e, kind, where, array: true);
        if (count >= 0 && vals.Length != count)
            throw new SarKitInputException($"{where}: {vals.Length} values; expected {count} (one per channel).");
        double s = Scale(kind, unit, where);
        for (int i = 0; i < vals.Length; i++) vals[i] = Checked(vals[i], vals[i] * s, unit, kind, $"{where}: values[{i}]");
        return vals;
    }

    private static (double[] Values, string Unit) Read(JsonElement e, ProbeQuantityKind kind, string where, bool array)
    {
        string key = array ? "values" : "value";
        string shape = array ? "{\"values\": [numbers], \"unit\": \"...\"}" : "{\"value\": number, \"unit\": \"...\"}";
        if (e.ValueKind != JsonValueKind.Object) throw new SarKitInputException($"{where}: expected an object {shape}, found {e.ValueKind}.");
        double[]? vals = null; string? unit = null;
        foreach (var p in e.EnumerateObject())
        {
            if (p.Name == key)
            {
                if (array)
                {
                    if (p.Value.ValueKind != JsonValueKind.Array) throw new SarKitInputException($"{where}: 'values' must be an array of numbers.");
                    vals = p.Value.EnumerateArray().Select((x, i) => x.ValueKind == JsonValueKind.Number && x.TryGetDouble(out var d) && double.IsFinite(d)
                        ? d : throw new SarKitInputException($"{where}: values[{i}] = {x.GetRawText()} is not a finite number.")).ToArray();
                }
                else
                {
                    if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetDouble(out var d) || !double.IsFinite(d))
                        throw new SarKitInputException($"{where}: 'value' must be a finite number, found {p.Value.GetRawText()}.");
                    vals = [d];
                }
            }
            else if (p.Name == "unit")
            {
                if (p.Value.ValueKind != JsonValueKind.String) throw new SarKitInputException($"{where}: 'unit' must be a string.");
                unit = p.Value.GetString();
            }
            else throw new SarKitInputException($"{where}: unexpected key '{p.Name}'; expected {shape}.");
        }
        if (vals is null) throw new SarKitInputException($"{where}: missing '{key}'.");
        if (unit is null) throw new SarKitInputException($"{where}: missing 'unit' (no default unit; expected one of: {string.Join(", ", Units[kind].Keys)}).");
        return (vals, unit);
    }

    /// <summary>Formats a number invariantly with round-trip precision.</summary>
    public static string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>Reads one JSON input file of the probe system: field access with messages naming the file and the field.</summary>
internal sealed class ProbeJsonObject
{
    private readonly Dictionary<string, JsonElement> _fields = new(StringComparer.Ordinal);
    public string Source { get; }

    public ProbeJsonObject(JsonElement obj, string source, IEnumerable<string> allowed)
    {
        Source = source;
        if (obj.ValueKind != JsonValueKind.Object) throw new SarKitInputException($"{source}: expected a JSON object.") { SourceFile = source };
        var ok = new HashSet<string>(allowed, StringComparer.Ordinal);
        foreach (var p in obj.EnumerateObject())
        {
            if (!ok.Contains(p.Name))
                throw new SarKitInputException($"{source}: unknown field '{p.Name}'; expected: {string.Join(", ", ok)}.") { SourceFile = source };
            _fields[p.Name] = p.Value;
        }
    }

    public static JsonDocument ParseDocument(string json, string source)
    {
        return MeasurementJson.Parse(json, source, source);
    }

    public bool Has(string name) => _fields.ContainsKey(name);
    private string W(string name) => $"{Source}: field '{name}'";

    public JsonElement Get(string name) => _fields.TryGetValue(name, out var e) ? e
        : throw new SarKitInputException($"{Source}: missing required field '{name}'.") { SourceFile = Source };

    public double Scalar(string name, ProbeQuantityKind kind) => Wrap(() => ProbeQuantity.Scalar(Get(name), kind, W(name)));
    public double? OptScalar(string name, ProbeQuantityKind kind) => Has(name) ? Scalar(name, kind) : null;
    public double[] Array(string name, ProbeQuantityKind kind, int count = -1) => Wrap(() => ProbeQuantity.Array(Get(name), kind, W(name), count));

    public string String(string name)
    {
        var e = Get(name);
        if (e.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(e.GetString()))
            throw new SarKitInputException($"{W(name)}: expected a non-empty string, found {e.GetRawText()}.") { SourceFile = Source };
        return e.GetString()!;
    }

    public string? OptString(string name) => Has(name) ? String(name) : null;

    public DateOnly Date(string name)
    {
        var s = String(name);
        if (!DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
            throw new SarKitInputException($"{W(name)}: '{s}' is not a date; expected YYYY-MM-DD.") { SourceFile = Source };
        return d;
    }

    public DateOnly? OptDate(string name) => Has(name) ? Date(name) : null;

    public double Number(string name)
    {
        var e = Get(name);
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetDouble(out var d) || !double.IsFinite(d))
            throw new SarKitInputException($"{W(name)}: expected a finite number, found {e.GetRawText()}.") { SourceFile = Source };
        return d;
    }

    /// <summary>A plain number that must lie in its physical range [<paramref name="min"/>, <paramref name="max"/>] (or
    /// (min, max] with <paramref name="minOpen"/>); otherwise an error naming the field and the range.</summary>
    public double Number(string name, double min, double max, bool minOpen = false)
    {
        double d = Number(name);
        if ((minOpen ? d > min : d >= min) && d <= max) return d;
        throw new SarKitInputException($"{W(name)} = {ProbeQuantity.Num(d)}: outside its physical range {(minOpen ? "(" : "[")}{ProbeQuantity.Num(min)}, {ProbeQuantity.Num(max)}].") { SourceFile = Source };
    }

    private T Wrap<T>(Func<T> f)
    {
        try { return f(); }
        catch (SarKitInputException e) when (e.SourceFile is null) { throw new SarKitInputException(e.Message, e) { SourceFile = Source }; }
    }
}
