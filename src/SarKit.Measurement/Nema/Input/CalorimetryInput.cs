using System.Text.Json;

namespace SarKit.Measurement.Nema.Input;

/// <summary>
/// Calorimetry measurement (NEMA MS 8-2016 Section 3) as read from a measurement file, every quantity with its unit
/// (docs/nema-ms8.md, "Measurement input files"). Optional quantities are null when absent.
/// </summary>
public sealed record CalorimetryInput
{
    /// <summary>Filler mass M of phantom 3.</summary>
    public required Quantity PhantomMass { get; init; }
    /// <summary>Filler specific heat c.</summary>
    public required Quantity SpecificHeat { get; init; }
    /// <summary>Shell mass M_s (optional; Section 3.3 shell rule).</summary>
    public Quantity? ShellMass { get; init; }
    /// <summary>Shell specific heat c_s (optional, with <see cref="ShellMass"/>).</summary>
    public Quantity? ShellSpecificHeat { get; init; }
    /// <summary>Equivalent mass M_bod (Section 1.2.4), divisor of eq. (21).</summary>
    public required Quantity EquivalentMass { get; init; }
    /// <summary>Initial phantom temperature T_i.</summary>
    public required Quantity InitialTemperature { get; init; }
    /// <summary>Post-RF phantom temperature as measured.</summary>
    public required Quantity FinalTemperature { get; init; }
    /// <summary>Total heating (scan) time.</summary>
    public required Quantity TotalTime { get; init; }
    /// <summary>Breaks subtracted from the total time (Section 3.3).</summary>
    public IReadOnlyList<Quantity> Breaks { get; init; } = [];
    /// <summary>Ambient temperature (cooling correction, eq. [2]).</summary>
    public Quantity? AmbientTemperature { get; init; }
    /// <summary>Time gap between end of RF exposure and the post temperature reading.</summary>
    public Quantity? MeasurementDelay { get; init; }
    /// <summary>Insulation time constant T_c of phantom 3.</summary>
    public Quantity? InsulationTimeConstant { get; init; }
    /// <summary>Error of the temperature measurement system (3.2 c).</summary>
    public Quantity? SensorError { get; init; }
    /// <summary>Predicted whole-body SAR reported by the MR system, W/kg (optional, for the 4.1 comparison).</summary>
    public double? PredictedSarWPerKg { get; init; }
    /// <summary>Relative uncertainty of the absorbed energy (fraction, e.g. 0.05 for 5 %), optional.</summary>
    public double? EnergyUncertainty { get; init; }
    /// <summary>"Final Phantom Temperature (1 hour later)" of the Section 4.1 form (optional, reported only).</summary>
    public Quantity? FinalTemperatureOneHourLater { get; init; }
    /// <summary>Uncertainty components (NIST TN 1297 budget with the Section 4.1 e sources), optional.</summary>
    public UncertaintySpec? Uncertainty { get; init; }
    /// <summary>Measurement devices (Section 4.1: accuracy, type and location).</summary>
    public IReadOnlyList<MeasurementDevice> Devices { get; init; } = [];
    /// <summary>Coil characteristics for the alternative equivalent-loading check (Section 1.2.3 a–c), optional.</summary>
    public CoilCharacteristicsInput? CoilCharacteristics { get; init; }
    /// <summary>Loading quotients P/(P + P_CPL) of phantom 3 and of the human subject (eq. [1], e.g. from simulations), optional.</summary>
    public (Quantity Phantom, Quantity Human)? LoadingQuotients { get; init; }
    /// <summary>Free-text notes: deviations from the standard, parameters needed for repeatability (Section 4.1).</summary>
    public string? Notes { get; init; }
    /// <summary>Free-text descriptive parameters (RF waveform, TR, TE, slices, ...), reported as written.</summary>
    public IReadOnlyDictionary<string, string> Description { get; init; } = new Dictionary<string, string>();
    /// <summary>File the input was read from, if any.</summary>
    public string? SourceFile { get; init; }

    /// <summary>True when ambient temperature, delay and insulation time constant are all given.</summary>
    public bool HasCoolingCorrection => AmbientTemperature is not null && MeasurementDelay is not null && InsulationTimeConstant is not null;

    /// <summary>Every quantity present, in file order of the schema.</summary>
    public IEnumerable<Quantity> Quantities()
    {
        yield return PhantomMass; yield return SpecificHeat;
        if (ShellMass is { } a) yield return a;
        if (ShellSpecificHeat is { } b) yield return b;
        yield return EquivalentMass; yield return InitialTemperature; yield return FinalTemperature; yield return TotalTime;
        foreach (var q in Breaks) yield return q;
        if (AmbientTemperature is { } c) yield return c;
        if (MeasurementDelay is { } d) yield return d;
        if (InsulationTimeConstant is { } e) yield return e;
        if (SensorError is { } f) yield return f;
        if (FinalTemperatureOneHourLater is { } g) yield return g;
    }
}

/// <summary>Reads calorimetry measurement files (JSON or YAML) into <see cref="CalorimetryInput"/>.</summary>
public static class CalorimetryInputFile
{
    private static readonly Dictionary<string, QuantityKind> QuantityFields = new(StringComparer.Ordinal)
    {
        ["phantom_mass"] = QuantityKind.Mass,
        ["specific_heat"] = QuantityKind.SpecificHeat,
        ["shell_mass"] = QuantityKind.Mass,
        ["shell_specific_heat"] = QuantityKind.SpecificHeat,
        ["equivalent_mass"] = QuantityKind.Mass,
        ["T_initial"] = QuantityKind.Temperature,
        ["T_final"] = QuantityKind.Temperature,
        ["total_time"] = QuantityKind.Time,
        ["T_ambient"] = QuantityKind.Temperature,
        ["measurement_delay"] = QuantityKind.Time,
        ["insulation_time_constant"] = QuantityKind.Time,
        ["sensor_error"] = QuantityKind.TemperatureDifference,
        ["T_final_1h"] = QuantityKind.Temperature,
    };

    private static readonly string[] Required = ["phantom_mass", "specific_heat", "equivalent_mass", "T_initial", "T_final", "total_time"];

    /// <summary>Reads and validates <paramref name="path"/> (.json, .yaml or .yml).</summary>
    public static CalorimetryInput Read(string path) => Parse(MeasurementFile.Load(path));

    /// <summary>Validates a loaded <see cref="MeasurementDocument"/>.</summary>
    public static CalorimetryInput Parse(MeasurementDocument doc) => Parse(doc.Json, doc.SourceFile);

    /// <summary>Parses JSON text; <paramref name="file"/> is used in error messages.</summary>
    public static CalorimetryInput Parse(string json, string? file = null)
    {
        string src = file ?? "<input>";
        JsonDocument doc;
        try { doc = MeasurementJson.Parse(json, src, file); }
        catch (JsonException e) { throw new SarKitInputException($"{src}: not valid JSON: {e.Message}", e) { SourceFile = file }; }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new SarKitInputException($"{src}: expected a JSON object at the top level.") { SourceFile = file };
            var rr = new FieldReader(root, "", src, file);
            var devices = MeasurementExtras.Devices(rr);
            var uspec = MeasurementExtras.Uncertainty(rr);
            string? notes = rr.OptStr("notes");
            var coil = MeasurementExtras.Coil(rr);
            (Quantity, Quantity)? quotients = null;
            if (rr.Opt("loading_quotients") is not null)
            {
                var lq = rr.Sub("loading_quotients");
                var qp = lq.Q("phantom", QuantityKind.Fraction);
                var qh = lq.Q("human", QuantityKind.Fraction);
                lq.NoOthers();
                foreach (var x in new[] { qp, qh })
                    if (!(x.Si > 0)) throw lq.Error($"field 'loading_quotients.{x.Field.Split('.')[^1]}' = {x}: expected a fraction in (0, 1].");
                quotients = (qp, qh);
            }
            var q = new Dictionary<string, Quantity>(StringComparer.Ordinal);
            var breaks = new List<Quantity>();
            var desc = new Dictionary<string, string>(StringComparer.Ordinal);
            string? method = null; double? predicted = null, unc = null;
            foreach (var p in root.EnumerateObject())
            {
                if (QuantityFields.TryGetValue(p.Name, out var kind)) { q[p.Name] = QuantityParser.Parse(p.Value, p.Name, kind, src); continue; }
                switch (p.Name)
                {
                    case "devices" or "uncertainty" or "notes" or "coil_characteristics" or "loading_quotients": break;
                    case "method": method = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText(); break;
                    case "breaks":
                        if (p.Value.ValueKind != JsonValueKind.Array) throw new SarKitInputException($"{src}: field 'breaks': expected an array of {{\"value\", \"unit\"}} times.") { SourceFile = file };
                        int i = 0;
                        foreach (var b in p.Value.EnumerateArray()) breaks.Add(QuantityParser.Parse(b, $"breaks[{i++}]", QuantityKind.Time, src));
                        break;
                    case "predicted_sar":
                        predicted = QuantityParser.Parse(p.Value, p.Name, QuantityKind.SpecificAbsorptionRate, src).Si; break;
                    case "energy_uncertainty":
                        unc = QuantityParser.Parse(p.Value, p.Name, QuantityKind.RelativeUncertainty, src).Si; break;
                    case "description":
                        if (p.Value.ValueKind != JsonValueKind.Object) throw new SarKitInputException($"{src}: field 'description': expected an object of strings.") { SourceFile = file };
                        foreach (var d in p.Value.EnumerateObject()) desc[d.Name] = d.Value.ValueKind == JsonValueKind.String ? d.Value.GetString()! : d.Value.GetRawText();
                        break;
                    default:
                        throw new SarKitInputException($"{src}: unknown field '{p.Name}'; expected: method, {string.Join(", ", QuantityFields.Keys)}, breaks, predicted_sar, energy_uncertainty, uncertainty, devices, notes, coil_characteristics, loading_quotients, description.") { SourceFile = file };
                }
            }
            if (method is null) throw new SarKitInputException($"{src}: missing field 'method' (expected \"calorimetry\").") { SourceFile = file };
            if (method != "calorimetry") throw new SarKitInputException($"{src}: field 'method' is \"{method}\"; this reader handles \"calorimetry\".") { SourceFile = file };
            foreach (var r in Required)
                if (!q.ContainsKey(r)) throw new SarKitInputException($"{src}: missing required field '{r}' ({{\"value\": ..., \"unit\": \"{Quantity.SiUnit(QuantityFields[r])}\"}}).") { SourceFile = file };
            if (q.ContainsKey("shell_mass") != q.ContainsKey("shell_specific_heat"))
                throw new SarKitInputException($"{src}: 'shell_mass' and 'shell_specific_heat' must be given together.") { SourceFile = file };
            int cooling = new[] { "T_ambient", "measurement_delay", "insulation_time_constant" }.Count(q.ContainsKey);
            if (cooling is 1 or 2)
                throw new SarKitInputException($"{src}: the cooling correction needs all of 'T_ambient', 'measurement_delay', 'insulation_time_constant' (or none).") { SourceFile = file };
            if (unc is not null && uspec is not null)
                throw new SarKitInputException($"{src}: give either 'energy_uncertainty' (a stated relative uncertainty) or an 'uncertainty' budget, not both.") { SourceFile = file };
            Quantity? Opt(string k) => q.TryGetValue(k, out var v) ? v : null;
            return new CalorimetryInput
            {
                PhantomMass = q["phantom_mass"], SpecificHeat = q["specific_heat"],
                ShellMass = Opt("shell_mass"), ShellSpecificHeat = Opt("shell_specific_heat"),
                EquivalentMass = q["equivalent_mass"], InitialTemperature = q["T_initial"], FinalTemperature = q["T_final"],
                TotalTime = q["total_time"], Breaks = breaks,
                AmbientTemperature = Opt("T_ambient"), MeasurementDelay = Opt("measurement_delay"), InsulationTimeConstant = Opt("insulation_time_constant"),
                SensorError = Opt("sensor_error"), PredictedSarWPerKg = predicted, EnergyUncertainty = unc,
                FinalTemperatureOneHourLater = Opt("T_final_1h"), Uncertainty = uspec, Devices = devices, Notes = notes, CoilCharacteristics = coil, LoadingQuotients = quotients,
                Description = desc, SourceFile = file,
            };
        }
    }
}
