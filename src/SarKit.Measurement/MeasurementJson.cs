using System.Text.Json;

namespace SarKit.Measurement;

/// <summary>
/// Strict parsing of the JSON measurement and probe input files (docs/nema-ms8.md, docs/probe.md,
/// docs/reliability/records-and-measurement.md): comments and trailing commas are tolerated, but nesting deeper than
/// <see cref="MaxDepth"/>, a duplicate key in any object, and a number that is not a finite binary64 value (e.g. 1e400)
/// anywhere in the document are refused with a <see cref="SarKitInputException"/> naming the file and the JSON path.
/// </summary>
public static class MeasurementJson
{
    /// <summary>Maximum nesting depth of a measurement file (JSON and YAML).</summary>
    public const int MaxDepth = 64;

    private static readonly JsonDocumentOptions Options = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = MaxDepth };

    /// <summary>Parses and checks <paramref name="json"/>; <paramref name="source"/> (and <paramref name="file"/>) name it in messages.</summary>
    public static JsonDocument Parse(string json, string source, string? file = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json, Options); }
        catch (JsonException e)
        {
            string why = e.Message.Contains("depth", StringComparison.OrdinalIgnoreCase) ? $"nesting deeper than {MaxDepth} levels ({e.Message})" : e.Message;
            throw new SarKitInputException($"{source}: not valid JSON: {why}", e) { SourceFile = file };
        }
        try { Check(doc.RootElement, "", source, file); }
        catch { doc.Dispose(); throw; }
        return doc;
    }

    private static void Check(JsonElement e, string path, string source, string? file)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var p in e.EnumerateObject())
                {
                    string child = path.Length == 0 ? p.Name : $"{path}.{p.Name}";
                    if (!seen.Add(p.Name))
                        throw new SarKitInputException($"{source}: duplicate key '{child}' (each field may appear once).") { SourceFile = file };
                    Check(p.Value, child, source, file);
                }
                break;
            case JsonValueKind.Array:
                int i = 0;
                foreach (var x in e.EnumerateArray()) Check(x, $"{path}[{i++}]", source, file);
                break;
            case JsonValueKind.Number:
                if (!e.TryGetDouble(out double d) || !double.IsFinite(d))
                    throw new SarKitInputException($"{source}: field '{path}' = {e.GetRawText()}: not a finite number.") { SourceFile = file };
                break;
        }
    }
}
