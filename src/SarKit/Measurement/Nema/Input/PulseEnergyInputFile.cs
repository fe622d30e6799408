using System.Text.Json;

namespace SarKit.Measurement.Nema.Input;

/// <summary>Measured powers and flux-loop voltages of one measurement (phantom 1 "unloaded" or phantom 2 "loaded").</summary>
public sealed record PulseEnergyPowerReadings(Quantity Forward, Quantity Reflected, Quantity Other, IReadOnlyList<Quantity> FluxLoopVoltages);

/// <summary>One pulse type per TR: shape factor B1rms²/B1peak² (fraction), interval Δτ, number of such pulses in one TR.</summary>
public sealed record PulseSpec(Quantity ShapeFactor, Quantity Duration, int Count);

/// <summary>Pulse-energy measurement (NEMA MS 8-2016 Section 2.5) as read from a file, every quantity with its unit.</summary>
public sealed record PulseEnergyMeasurement
{
    /// <summary>Fractional factors α1, α_cf, α_cr, α2 (eqs. 2–4).</summary>
    public required Quantity Alpha1 { get; init; }
    /// <summary>α_cf.</summary>
    public required Quantity AlphaCf { get; init; }
    /// <summary>α_cr.</summary>
    public required Quantity AlphaCr { get; init; }
    /// <summary>α2.</summary>
    public required Quantity Alpha2 { get; init; }
    /// <summary>Phantom 1 readings (peak powers).</summary>
    public required PulseEnergyPowerReadings Unloaded { get; init; }
    /// <summary>Phantom 2 readings (peak powers).</summary>
    public required PulseEnergyPowerReadings Loaded { get; init; }
    /// <summary>Pulse types of one TR.</summary>
    public required IReadOnlyList<PulseSpec> Pulses { get; init; }
    /// <summary>TR (or total scan time for single-shot sequences), eq. (12).</summary>
    public required Quantity RepetitionTime { get; init; }
    /// <summary>Mass M of eq. (13).</summary>
    public required Quantity Mass { get; init; }
    /// <summary>Source file.</summary>
    public string? SourceFile { get; init; }
}

/// <summary>Result of eqs. (2)–(13) for a <see cref="PulseEnergyMeasurement"/>; SI units.</summary>
public sealed record PulseEnergyEvaluation(
    PulseEnergyMeasurement Input, CoilTerminalPowers UnloadedAtCoil, CoilTerminalPowers LoadedAtCoil,
    double LossVoltageSquaredUnloaded, double LossVoltageSquaredLoaded, double CoilLossUnloadedW, double CoilLossLoadedW,
    double PhantomPeakPowerW, double EnergyPerTrJ, double AveragePowerW, double SarWPerKg)
{
    /// <summary>Evaluates eqs. (2)–(13).</summary>
    public static PulseEnergyEvaluation Evaluate(PulseEnergyMeasurement m)
    {
        CoilTerminalPowers At(PulseEnergyPowerReadings r) => PulseEnergyMethod.AtCoil(r.Forward.Si, r.Reflected.Si, r.Other.Si, m.Alpha1.Si, m.AlphaCf.Si, m.AlphaCr.Si, m.Alpha2.Si);
        var u = At(m.Unloaded); var l = At(m.Loaded);
        double v1 = PulseEnergyMethod.LossVoltageSquared(m.Unloaded.FluxLoopVoltages.Select(q => q.Si).ToArray());
        double v2 = PulseEnergyMethod.LossVoltageSquared(m.Loaded.FluxLoopVoltages.Select(q => q.Si).ToArray());
        double cplU = PulseEnergyMethod.CoilLossUnloaded(u);
        double cplL = PulseEnergyMethod.CoilLossLoaded(cplU, v2, v1);
        double pPh = PulseEnergyMethod.PhantomPower(l, cplL);
        double e = m.Pulses.Sum(p => p.Count * PulseEnergyMethod.PulseEnergyFromShapeFactor(pPh, p.ShapeFactor.Si, p.Duration.Si));
        double pAve = PulseEnergyMethod.AveragePower([e], m.RepetitionTime.Si);
        return new(m, u, l, v1, v2, cplU, cplL, pPh, e, pAve, PulseEnergyMethod.Sar(pAve, m.Mass.Si));
    }
}

/// <summary>Reads pulse-energy measurement files (JSON; docs/nema-ms8.md).</summary>
public static class PulseEnergyInputFile
{
    /// <summary>Reads and validates <paramref name="path"/>.</summary>
    public static PulseEnergyMeasurement Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"measurement file not found: {path}", path);
        return Parse(File.ReadAllText(path), path);
    }

    private sealed class Obj(JsonElement e, string where, string src, string? file)
    {
        private readonly HashSet<string> _used = new(StringComparer.Ordinal);
        public JsonElement Get(string k)
        {
            _used.Add(k);
            if (!e.TryGetProperty(k, out var v)) throw new SarKitInputException($"{src}: missing required field '{where}{k}'.") { SourceFile = file };
            return v;
        }
        public Quantity Q(string k, QuantityKind kind) => QuantityParser.Parse(Get(k), where + k, kind, src);
        public void NoOthers()
        {
            foreach (var p in e.EnumerateObject())
                if (!_used.Contains(p.Name)) throw new SarKitInputException($"{src}: unknown field '{where}{p.Name}'; expected: {string.Join(", ", _used)}.") { SourceFile = file };
        }
    }

    /// <summary>Parses JSON text; <paramref name="file"/> is used in messages.</summary>
    public static PulseEnergyMeasurement Parse(string json, string? file = null)
    {
        string src = file ?? "<input>";
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }); }
        catch (JsonException e) { throw new SarKitInputException($"{src}: not valid JSON: {e.Message}", e) { SourceFile = file }; }
        using (doc)
        {
            var rootEl = doc.RootElement;
            if (rootEl.ValueKind != JsonValueKind.Object) throw new SarKitInputException($"{src}: expected a JSON object at the top level.") { SourceFile = file };
            var root = new Obj(rootEl, "", src, file);
            var method = root.Get("method");
            if (method.ValueKind != JsonValueKind.String || method.GetString() != "pulse-energy")
                throw new SarKitInputException($"{src}: field 'method' is {method.GetRawText()}; this reader handles \"pulse-energy\".") { SourceFile = file };
            Obj Sub(Obj parent, string k, string prefix)
            {
                var el = parent.Get(k);
                if (el.ValueKind != JsonValueKind.Object) throw new SarKitInputException($"{src}: field '{prefix}{k}': expected an object.") { SourceFile = file };
                return new Obj(el, $"{prefix}{k}.", src, file);
            }
            JsonElement.ArrayEnumerator Arr(Obj o, string k, string name)
            {
                var el = o.Get(k);
                if (el.ValueKind != JsonValueKind.Array || el.GetArrayLength() == 0) throw new SarKitInputException($"{src}: field '{name}': expected a non-empty array.") { SourceFile = file };
                return el.EnumerateArray();
            }
            PulseEnergyPowerReadings Readings(string k)
            {
                var o = Sub(root, k, "");
                var v = Arr(o, "flux_loop_voltages", $"{k}.flux_loop_voltages").Select((e, i) => QuantityParser.Parse(e, $"{k}.flux_loop_voltages[{i}]", QuantityKind.Voltage, src)).ToArray();
                var r = new PulseEnergyPowerReadings(o.Q("P_forward", QuantityKind.Power), o.Q("P_reflected", QuantityKind.Power), o.Q("P_other", QuantityKind.Power), v);
                o.NoOthers();
                return r;
            }
            var pulses = new List<PulseSpec>();
            int i = 0;
            foreach (var pe in Arr(root, "pulses", "pulses"))
            {
                if (pe.ValueKind != JsonValueKind.Object) throw new SarKitInputException($"{src}: field 'pulses[{i}]': expected an object.") { SourceFile = file };
                var o = new Obj(pe, $"pulses[{i}].", src, file);
                var sf = o.Q("shape_factor", QuantityKind.Attenuation);
                var d = o.Q("duration", QuantityKind.Time);
                var c = o.Get("count");
                if (c.ValueKind != JsonValueKind.Number || !c.TryGetInt32(out int n) || n < 1)
                    throw new SarKitInputException($"{src}: field 'pulses[{i}].count' = {c.GetRawText()}: expected an integer >= 1.") { SourceFile = file };
                o.NoOthers();
                pulses.Add(new(sf, d, n)); i++;
            }
            var m = new PulseEnergyMeasurement
            {
                Alpha1 = root.Q("alpha1", QuantityKind.Attenuation), AlphaCf = root.Q("alpha_cf", QuantityKind.Attenuation),
                AlphaCr = root.Q("alpha_cr", QuantityKind.Attenuation), Alpha2 = root.Q("alpha2", QuantityKind.Attenuation),
                Unloaded = Readings("unloaded"), Loaded = Readings("loaded"), Pulses = pulses,
                RepetitionTime = root.Q("TR", QuantityKind.Time), Mass = root.Q("mass", QuantityKind.Mass), SourceFile = file,
            };
            root.NoOthers();
            return m;
        }
    }
}
