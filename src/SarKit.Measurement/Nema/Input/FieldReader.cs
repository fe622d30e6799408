using System.Text.Json;

namespace SarKit.Measurement.Nema.Input;

/// <summary>
/// Reads the fields of one JSON object of a measurement file, tracking which were read so that unknown fields can be
/// rejected; every error names the file and the dotted field path.
/// </summary>
internal sealed class FieldReader
{
    private readonly JsonElement _e;
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);
    public string Prefix { get; }
    public string Src { get; }
    public string? File { get; }

    public FieldReader(JsonElement e, string prefix, string src, string? file)
    {
        _e = e; Prefix = prefix; Src = src; File = file;
        if (e.ValueKind != JsonValueKind.Object)
            throw Error($"field '{prefix.TrimEnd('.')}': expected an object, found {e.ValueKind}.");
    }

    public SarKitInputException Error(string message) => new($"{Src}: {message}") { SourceFile = File };

    public string Path(string k) => Prefix + k;

    public bool Has(string k) { _known.Add(k); return _e.TryGetProperty(k, out _); }

    public JsonElement Get(string k)
    {
        _known.Add(k);
        if (!_e.TryGetProperty(k, out var v)) throw Error($"missing required field '{Path(k)}'.");
        return v;
    }

    public JsonElement? Opt(string k)
    {
        _known.Add(k);
        return _e.TryGetProperty(k, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;
    }

    public Quantity Q(string k, QuantityKind kind) => QuantityParser.Parse(Get(k), Path(k), kind, Src);

    public Quantity? OptQ(string k, QuantityKind kind) => Opt(k) is { } v ? QuantityParser.Parse(v, Path(k), kind, Src) : null;

    public string Str(string k) => AsString(Get(k), Path(k));

    public string? OptStr(string k) => Opt(k) is { } v ? AsString(v, Path(k)) : null;

    public string AsString(JsonElement v, string path) => v.ValueKind == JsonValueKind.String
        ? v.GetString()!
        : throw Error($"field '{path}': expected a string, found {v.GetRawText()}.");

    public FieldReader Sub(string k) => new(Get(k), Path(k) + ".", Src, File);

    public JsonElement[] Array(string k, bool nonEmpty = true) => AsArray(Get(k), Path(k), nonEmpty);

    public JsonElement[] AsArray(JsonElement v, string path, bool nonEmpty = true)
    {
        if (v.ValueKind != JsonValueKind.Array || (nonEmpty && v.GetArrayLength() == 0))
            throw Error($"field '{path}': expected a {(nonEmpty ? "non-empty " : "")}array.");
        return v.EnumerateArray().ToArray();
    }

    public int PositiveInt(string k)
    {
        var c = Get(k);
        if (c.ValueKind != JsonValueKind.Number || !c.TryGetInt32(out int n) || n < 1)
            throw Error($"field '{Path(k)}' = {c.GetRawText()}: expected an integer >= 1.");
        return n;
    }

    public double Number(JsonElement v, string path)
    {
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out double d) || !double.IsFinite(d))
            throw Error($"field '{path}' = {v.GetRawText()}: expected a finite number.");
        return d;
    }

    public Dictionary<string, string> StringMap(string k)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Opt(k) is not { } v) return d;
        if (v.ValueKind != JsonValueKind.Object) throw Error($"field '{Path(k)}': expected an object of strings.");
        foreach (var p in v.EnumerateObject())
            d[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
        return d;
    }

    /// <summary>Throws for any field not read (or probed) so far, listing the expected ones.</summary>
    public void NoOthers()
    {
        foreach (var p in _e.EnumerateObject())
            if (!_known.Contains(p.Name))
                throw Error($"unknown field '{Path(p.Name)}'; expected: {string.Join(", ", _known)}.");
    }
}
