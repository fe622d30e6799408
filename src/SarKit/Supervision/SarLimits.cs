using System.Globalization;
using System.Text.Json;

namespace SarKit.Supervision;

/// <summary>IEC 60601-2-33 operating mode.</summary>
public enum OperatingMode { Normal, FirstLevel }

/// <summary>One limit: SAR of <paramref name="Metric"/> averaged over any window of <paramref name="WindowSeconds"/> must not exceed <paramref name="LimitWPerKg"/>.</summary>
/// <param name="Metric">SAR quantity.</param>
/// <param name="WindowSeconds">Averaging window, s.</param>
/// <param name="LimitWPerKg">Limit, W/kg.</param>
/// <param name="Source">Where the limit comes from (edition and mode, or "user").</param>
public sealed record SarLimit(SarMetric Metric, double WindowSeconds, double LimitWPerKg, string Source)
{
    public override string ToString() => $"{Metric.Id()} {WindowSeconds.ToString("G", CultureInfo.InvariantCulture)} s ≤ {LimitWPerKg.ToString("G4", CultureInfo.InvariantCulture)} W/kg ({Source})";

    /// <summary>Parses a user limit "metric:window_s:W/kg", e.g. "local_head:10:15".</summary>
    public static SarLimit ParseUser(string text)
    {
        var p = text.Split(':');
        if (p.Length != 3 || !double.TryParse(p[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var w) || !(w > 0) || !double.IsFinite(w)
            || !double.TryParse(p[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var l) || !(l > 0) || !double.IsFinite(l))
            throw new SarKitInputException($"--limit '{text}': expected 'metric:window_s:W/kg' with positive numbers, e.g. 'local_head:10:15'.");
        return new SarLimit(SarMetricNames.Parse(p[0], $"--limit '{text}'"), w, l, "user");
    }
}

/// <summary>
/// The editable IEC 60601-2-33 limit table (src/SarKit/Supervision/Limits/iec60601-2-33.json, embedded; or a user file of
/// the same layout). For an edition and mode it yields the 6-min limits and the short-term limits (factor × the 6-min
/// value over the short window), with partial-body limit clamp(intercept − slope·R, min, max), R = exposed mass / patient
/// mass (Normal 10 − 8R in [2, 10], First Level 10 − 6R in [4, 10]).
/// </summary>
public sealed class SarLimitTable
{
    private readonly JsonElement _root;
    private readonly JsonDocument _doc;
    public string Source { get; }

    private SarLimitTable(JsonDocument doc, string source) { _doc = doc; _root = doc.RootElement; Source = source; }

    /// <summary>The table shipped with SarKit.</summary>
    public static SarLimitTable Default()
    {
        using var s = typeof(SarLimitTable).Assembly.GetManifestResourceStream("SarKit.Supervision.Limits.iec60601-2-33.json")
            ?? throw new InvalidOperationException("embedded limit table missing");
        return new SarLimitTable(JsonDocument.Parse(s), "iec60601-2-33.json (built in)");
    }

    /// <summary>Loads a table from a JSON file.</summary>
    public static SarLimitTable Load(string path)
    {
        if (!File.Exists(path)) throw new SarKitInputException($"{path}: limit table not found.") { SourceFile = path };
        try { return new SarLimitTable(JsonDocument.Parse(File.ReadAllText(path)), path); }
        catch (JsonException e) { throw new SarKitInputException($"{path}: limit table is not valid JSON: {e.Message}", e) { SourceFile = path }; }
    }

    /// <summary>Edition identifiers in the table.</summary>
    public IEnumerable<string> Editions => _root.GetProperty("editions").EnumerateArray().Select(e => e.GetProperty("edition").GetString()!);

    /// <summary>
    /// Limits for one edition and mode. Metrics: whole body, head, partial body (only when <paramref name="exposedMassRatio"/>
    /// is given), and the local limit of <paramref name="localRegion"/>; each for the long window and the short window.
    /// </summary>
    public IReadOnlyList<SarLimit> Limits(string? edition, OperatingMode mode, double? exposedMassRatio, SarMetric localRegion = SarMetric.LocalHead, double? shortTermFactor = null)
    {
        try { return LimitsCore(edition, mode, exposedMassRatio, localRegion, shortTermFactor); }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException)
        {
            throw new SarKitInputException($"{Source}: limit table does not have the documented layout ({e.Message}).", e) { SourceFile = Source };
        }
    }

    private IReadOnlyList<SarLimit> LimitsCore(string? edition, OperatingMode mode, double? exposedMassRatio, SarMetric localRegion, double? shortTermFactor)
    {
        var ed = FindEdition(edition);
        string edName = ed.GetProperty("edition").GetString()!;
        double longW = Num(ed, "long_window_s"), shortW = Num(ed, "short_window_s");
        double factor = shortTermFactor ?? Num(ed, "short_term_factor");
        if (!(factor > 0) || !double.IsFinite(factor)) throw new SarKitInputException($"{Source}: short-term factor {factor} must be a positive number.");
        if (!(shortW > 0) || !(longW > 0)) throw new SarKitInputException($"{Source}: window lengths {shortW} s and {longW} s must be positive.") { SourceFile = Source };
        string modeKey = mode == OperatingMode.Normal ? "normal" : "first";
        if (!ed.GetProperty("modes").TryGetProperty(modeKey, out var m))
            throw new SarKitInputException($"{Source}: edition {edName} has no mode '{modeKey}'.") { SourceFile = Source };
        string src = $"IEC 60601-2-33 Ed. {edName}, {(mode == OperatingMode.Normal ? "Normal" : "First Level")} mode";
        var list = new List<(SarMetric, double)> { (SarMetric.WholeBody, Num(m, "whole_body")), (SarMetric.Head, Num(m, "head")) };
        if (exposedMassRatio is { } r)
        {
            if (!(r > 0 && r <= 1)) throw new SarKitInputException($"exposed mass ratio R = {r} must be in (0, 1].");
            var pb = m.GetProperty("partial_body");
            list.Add((SarMetric.PartialBody, Math.Clamp(Num(pb, "intercept") - Num(pb, "slope") * r, Num(pb, "min"), Num(pb, "max"))));
        }
        if (!localRegion.IsLocal()) throw new ArgumentException("local region must be a local metric", nameof(localRegion));
        list.Add((localRegion, Num(m, localRegion.Id())));
        var res = new List<SarLimit>();
        foreach (var (metric, v) in list)
        {
            // fail closed: a limit ≤ 0 or ∞ (or one made infinite by the short-term factor) would make the check meaningless
            if (!(v > 0) || !double.IsFinite(factor * v))
                throw new SarKitInputException($"{Source}: limit of {metric.Id()} = {v} W/kg (× short-term factor {factor}) must be a positive finite number.") { SourceFile = Source };
            res.Add(new SarLimit(metric, longW, v, src));
            res.Add(new SarLimit(metric, shortW, factor * v, src + $", short term ×{factor.ToString("G", CultureInfo.InvariantCulture)}"));
        }
        return res;
    }

    private JsonElement FindEdition(string? edition)
    {
        edition ??= _root.TryGetProperty("default_edition", out var d) ? d.GetString() : null;
        foreach (var e in _root.GetProperty("editions").EnumerateArray())
        {
            if (edition is null || e.GetProperty("edition").GetString() == edition) return e;
            if (e.TryGetProperty("aliases", out var a) && a.EnumerateArray().Any(x => x.GetString() == edition)) return e;
        }
        throw new SarKitInputException($"{Source}: edition '{edition}' not in the limit table (available: {string.Join(", ", Editions)}).");
    }

    private double Num(JsonElement e, string key)
    {
        if (!e.TryGetProperty(key, out var v) || v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out var d) || !double.IsFinite(d))
            throw new SarKitInputException($"{Source}: limit table entry '{key}' is missing or not a finite number.") { SourceFile = Source };
        return d;
    }
}
