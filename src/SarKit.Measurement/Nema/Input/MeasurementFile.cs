using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SarKit.Measurement.Nema.Input;

/// <summary>Syntax of a measurement file.</summary>
public enum MeasurementFormat
{
    /// <summary>JSON (RFC 8259; comments and trailing commas are tolerated).</summary>
    Json,
    /// <summary>YAML 1.2 (one document), mapped onto the same schema as the JSON form.</summary>
    Yaml,
}

/// <summary>
/// A measurement file loaded into its JSON form (docs/nema-ms8.md, "Measurement input files"). YAML files are converted
/// node by node (mapping → object, sequence → array, plain scalars that are numbers / true / false / null → those JSON
/// values, every other scalar and every quoted scalar → string), so both syntaxes go through the same schema and unit
/// validation. <see cref="Text"/> is the file content verbatim.
/// </summary>
/// <param name="Text">File content as read.</param>
/// <param name="Format">JSON or YAML.</param>
/// <param name="Json">The document as JSON text (identical to <see cref="Text"/> for JSON files).</param>
/// <param name="Method">Value of the top-level field <c>method</c> ("calorimetry", "pulse-energy").</param>
/// <param name="SourceFile">Path the document was read from, if any.</param>
public sealed record MeasurementDocument(string Text, MeasurementFormat Format, string Json, string Method, string? SourceFile)
{
    /// <summary>Method name of the calorimetric method (Section 3).</summary>
    public const string Calorimetry = "calorimetry";
    /// <summary>Method name of the pulse-energy method (Section 2).</summary>
    public const string PulseEnergy = "pulse-energy";
}

/// <summary>Reads JSON or YAML measurement files (by extension: .json, .yaml, .yml) into a <see cref="MeasurementDocument"/>.</summary>
public static class MeasurementFile
{
    /// <summary>Format from the file extension; anything other than .json/.yaml/.yml is a <see cref="SarKitInputException"/>.</summary>
    public static MeasurementFormat FormatOf(string path)
    {
        var ext = Path.GetExtension(path).ToLowerInvariant();
        return ext switch
        {
            ".json" => MeasurementFormat.Json,
            ".yaml" or ".yml" => MeasurementFormat.Yaml,
            _ => throw new SarKitInputException($"{path}: unknown measurement file extension '{ext}'; expected .json, .yaml or .yml.") { SourceFile = path },
        };
    }

    /// <summary>Reads <paramref name="path"/> (format by extension).</summary>
    public static MeasurementDocument Load(string path)
    {
        var format = FormatOf(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"measurement file not found: {path}", path);
        return FromText(File.ReadAllText(path), format, path);
    }

    /// <summary>Builds a document from text in the given format; <paramref name="file"/> is used in messages.</summary>
    public static MeasurementDocument FromText(string text, MeasurementFormat format, string? file = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        string json = format == MeasurementFormat.Yaml ? YamlToJson(text, file) : text;
        return new MeasurementDocument(text, format, json, ReadMethod(json, file), file);
    }

    internal static readonly JsonDocumentOptions JsonOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    private static string ReadMethod(string json, string? file)
    {
        string src = file ?? "<input>";
        JsonDocument doc;
        try { doc = MeasurementJson.Parse(json, src, file); }
        catch (JsonException e) { throw new SarKitInputException($"{src}: not valid JSON: {e.Message}", e) { SourceFile = file }; }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new SarKitInputException($"{src}: expected an object (mapping) at the top level.") { SourceFile = file };
            if (!doc.RootElement.TryGetProperty("method", out var m))
                throw new SarKitInputException($"{src}: missing field 'method' (expected \"{MeasurementDocument.Calorimetry}\" or \"{MeasurementDocument.PulseEnergy}\").") { SourceFile = file };
            if (m.ValueKind != JsonValueKind.String || m.GetString() is not (MeasurementDocument.Calorimetry or MeasurementDocument.PulseEnergy))
                throw new SarKitInputException($"{src}: field 'method' is {m.GetRawText()}; expected \"{MeasurementDocument.Calorimetry}\" or \"{MeasurementDocument.PulseEnergy}\".") { SourceFile = file };
            return m.GetString()!;
        }
    }

    /// <summary>
    /// Converts one YAML document to JSON text (see <see cref="MeasurementDocument"/> for the scalar rules). Syntax
    /// errors, several documents, non-scalar or duplicate mapping keys raise <see cref="SarKitInputException"/> with the line.
    /// </summary>
    public static string YamlToJson(string yaml, string? file = null)
    {
        string src = file ?? "<input>";
        CheckStructure(yaml, src, file);
        var stream = new YamlStream();
        try { stream.Load(new StringReader(yaml)); }
        catch (YamlException e)
        {
            throw new SarKitInputException($"{src}: not valid YAML at line {e.Start.Line}, column {e.Start.Column}: {Inner(e).Message}", e) { SourceFile = file };
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // The representation model reports some syntax errors and duplicate keys without a position: locate the
            // error with a plain parser pass, which throws YamlException with line and column for syntax errors.
            var parser = new Parser(new StringReader(yaml));
            long line = 0;
            try { while (parser.MoveNext()) line = parser.Current?.End.Line ?? line; }
            catch (YamlException y)
            {
                throw new SarKitInputException($"{src}: not valid YAML at line {y.Start.Line}, column {y.Start.Column}: {Inner(y).Message}", y) { SourceFile = file };
            }
            catch (Exception) { }
            throw new SarKitInputException($"{src}: not valid YAML after line {line}: {(e is ArgumentException ? "a mapping has a duplicate key" : "unbalanced brackets or bad indentation")} ({e.Message}).", e) { SourceFile = file };
        }
        if (stream.Documents.Count != 1)
            throw new SarKitInputException($"{src}: expected exactly one YAML document, found {stream.Documents.Count}.") { SourceFile = file };
        var node = Convert(stream.Documents[0].RootNode, "", src, file);
        return node?.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) ?? "null";
    }

    /// <summary>
    /// A streaming pass over the YAML events before anything is built: aliases (<c>*name</c>) are refused (a measurement
    /// file never needs them, and expanding them is what makes a 700-byte "billion laughs" file take gigabytes), and
    /// nesting deeper than <see cref="MeasurementJson.MaxDepth"/> is refused (the tree builders recurse). Syntax errors are
    /// left to the loader, which reports them with their position.
    /// </summary>
    private static void CheckStructure(string yaml, string src, string? file)
    {
        var parser = new Parser(new StringReader(yaml));
        int depth = 0;
        try
        {
            while (parser.MoveNext())
            {
                switch (parser.Current)
                {
                    case YamlDotNet.Core.Events.AnchorAlias a:
                        throw new SarKitInputException($"{src}: line {a.Start.Line}: YAML alias '*{a.Value}' is not allowed in a measurement file (write the value out).") { SourceFile = file };
                    case YamlDotNet.Core.Events.MappingStart or YamlDotNet.Core.Events.SequenceStart:
                        if (++depth > MeasurementJson.MaxDepth)
                            throw new SarKitInputException($"{src}: line {parser.Current.Start.Line}: nesting deeper than {MeasurementJson.MaxDepth} levels.") { SourceFile = file };
                        break;
                    case YamlDotNet.Core.Events.MappingEnd or YamlDotNet.Core.Events.SequenceEnd:
                        depth--;
                        break;
                }
            }
        }
        catch (Exception e) when (e is YamlException or InvalidOperationException or ArgumentException) { } // syntax errors: reported with their position by the loader below
    }

    private static Exception Inner(Exception e) => e.InnerException is YamlException y ? Inner(y) : e;

    private static JsonNode? Convert(YamlNode n, string path, string src, string? file)
    {
        switch (n)
        {
            case YamlMappingNode map:
                var o = new JsonObject();
                foreach (var (k, v) in map.Children)
                {
                    if (k is not YamlScalarNode ks || ks.Value is null)
                        throw new SarKitInputException($"{src}: line {k.Start.Line}: mapping key of '{path}' is not a plain string.") { SourceFile = file };
                    string name = ks.Value;
                    string child = path.Length == 0 ? name : $"{path}.{name}";
                    if (o.ContainsKey(name))
                        throw new SarKitInputException($"{src}: line {k.Start.Line}: duplicate key '{child}'.") { SourceFile = file };
                    o[name] = Convert(v, child, src, file);
                }
                return o;
            case YamlSequenceNode seq:
                var a = new JsonArray();
                int i = 0;
                foreach (var item in seq.Children) a.Add(Convert(item, $"{path}[{i++}]", src, file));
                return a;
            case YamlScalarNode s:
                return Scalar(s);
            default:
                throw new SarKitInputException($"{src}: line {n.Start.Line}: unsupported YAML node at '{path}'.") { SourceFile = file };
        }
    }

    private static JsonNode? Scalar(YamlScalarNode s)
    {
        string v = s.Value ?? "";
        string tag = s.Tag.IsEmpty ? "" : s.Tag.Value;
        if (tag == "tag:yaml.org,2002:str" || s.Style != YamlDotNet.Core.ScalarStyle.Plain) return JsonValue.Create(v);
        if (v is "" or "~" or "null" or "Null" or "NULL") return null;
        if (v is "true" or "True" or "TRUE") return JsonValue.Create(true);
        if (v is "false" or "False" or "FALSE") return JsonValue.Create(false);
        if (LooksNumeric(v) && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d))
            return JsonValue.Create(d);
        return JsonValue.Create(v);
    }

    // YAML 1.2 core-schema numbers: optional sign, digits with optional fraction and exponent (no .inf/.nan, hex, octal).
    private static bool LooksNumeric(string v)
    {
        int i = 0;
        if (i < v.Length && (v[i] == '-' || v[i] == '+')) i++;
        bool digits = false;
        while (i < v.Length && char.IsAsciiDigit(v[i])) { i++; digits = true; }
        if (i < v.Length && v[i] == '.') { i++; while (i < v.Length && char.IsAsciiDigit(v[i])) { i++; digits = true; } }
        if (!digits) return false;
        if (i < v.Length && (v[i] == 'e' || v[i] == 'E'))
        {
            i++;
            if (i < v.Length && (v[i] == '-' || v[i] == '+')) i++;
            bool exp = false;
            while (i < v.Length && char.IsAsciiDigit(v[i])) { i++; exp = true; }
            if (!exp) return false;
        }
        return i == v.Length;
    }
}
