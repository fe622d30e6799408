using System.Globalization;
using System.Text.Json;
using SarKit.Compression;
using SarKit.Engines;

namespace SarKit.IO.Formats;

/// <summary>
/// A synthetic population as a Q-matrix input (docs/population.md): a small JSON file
/// <c>{"format": "sarkit-synthetic-population", "count": 10000000, "channels": 16, "seed": 1,
/// "matrices_per_subject": 100000, "frequency_hz": 297.2e6, "scatter": 0.5}</c> that every VOP command opens like a
/// Q-matrix file (<see cref="QMatrixSources.Open"/>); the matrices are generated on demand by
/// <see cref="SyntheticPopulation"/>, so a partition task generates only its block and the merge and the verifier
/// regenerate every original.
/// </summary>
public static class PopulationSpecFile
{
    /// <summary>Value of the <c>format</c> field.</summary>
    public const string Format = "sarkit-synthetic-population";

    /// <summary>True when <paramref name="path"/> is a JSON file whose first non-blank character is '{' (cheap sniff).</summary>
    public static bool Looks(string path)
    {
        using var f = File.OpenRead(path);
        var buf = new byte[64];
        int k = f.ReadAtLeast(buf, buf.Length, throwOnEndOfStream: false);
        for (int i = 0; i < k; i++)
        {
            if (buf[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or 0xEF or 0xBB or 0xBF) continue;
            return buf[i] == (byte)'{';
        }
        return false;
    }

    /// <summary>Reads and validates the spec; errors name the file and the field.</summary>
    public static SyntheticPopulationSpec Read(string path)
    {
        if (new FileInfo(path).Length > 1 << 20) throw new SarKitInputException($"{path}: a population spec is a small JSON file; this one is over 1 MB.") { SourceFile = path };
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllText(path)); }
        catch (JsonException e) { throw new SarKitInputException($"{path}: not valid JSON ({e.Message}).") { SourceFile = path }; }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new SarKitInputException($"{path}: expected a JSON object.") { SourceFile = path };
            string? format = root.TryGetProperty("format", out var fe) && fe.ValueKind == JsonValueKind.String ? fe.GetString() : null;
            if (format != Format) throw new SarKitInputException($"{path}: field 'format' = '{format}'; expected '{Format}'.") { SourceFile = path };
            var known = new HashSet<string> { "format", "count", "channels", "seed", "matrices_per_subject", "frequency_hz", "scatter", "comment" };
            foreach (var p in root.EnumerateObject())
                if (!known.Contains(p.Name)) throw new SarKitInputException($"{path}: unknown field '{p.Name}' (known: {string.Join(", ", known)}).") { SourceFile = path };
            var d = new SyntheticPopulationSpec();
            var spec = new SyntheticPopulationSpec
            {
                Count = Long(root, "count", null, path),
                Channels = (int)Long(root, "channels", d.Channels, path),
                Seed = Long(root, "seed", 0, path),
                MatricesPerSubject = (int)Math.Clamp(Long(root, "matrices_per_subject", d.MatricesPerSubject, path), int.MinValue, int.MaxValue),
                FrequencyHz = Double(root, "frequency_hz", d.FrequencyHz, path),
                Scatter = Double(root, "scatter", d.Scatter, path),
            };
            spec.Validate(path);
            return spec;
        }
    }

    /// <summary>Opens the spec as a Q-matrix source.</summary>
    public static IQMatrixSource Open(string path) => new SyntheticPopulation(Read(path), path);

    /// <summary>Writes a spec file atomically (temporary file + rename).</summary>
    public static void Write(string path, SyntheticPopulationSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate(path);
        var inv = CultureInfo.InvariantCulture;
        var text = string.Create(inv, $$"""
            {"format": "{{Format}}", "count": {{spec.Count}}, "channels": {{spec.Channels}}, "seed": {{spec.Seed}}, "matrices_per_subject": {{spec.MatricesPerSubject}}, "frequency_hz": {{spec.FrequencyHz:R}}, "scatter": {{spec.Scatter:R}}}

            """);
        var tmp = path + ".tmp." + Environment.ProcessId.ToString(inv);
        File.WriteAllText(tmp, text);
        File.Move(tmp, path, overwrite: true);
    }

    private static long Long(JsonElement root, string name, long? dflt, string path)
    {
        if (!root.TryGetProperty(name, out var e))
            return dflt ?? throw new SarKitInputException($"{path}: field '{name}' is missing.") { SourceFile = path };
        if (e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out var v)) return v;
        if (e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out var dv) && dv == Math.Floor(dv) && Math.Abs(dv) < 9e15) return (long)dv;
        throw new SarKitInputException($"{path}: field '{name}' = {e.GetRawText()}; expected an integer.") { SourceFile = path };
    }

    private static double Double(JsonElement root, string name, double dflt, string path)
    {
        if (!root.TryGetProperty(name, out var e)) return dflt;
        if (e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out var v) && double.IsFinite(v)) return v;
        throw new SarKitInputException($"{path}: field '{name}' = {e.GetRawText()}; expected a finite number.") { SourceFile = path };
    }
}
