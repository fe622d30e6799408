using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace SarKit.Workflows.Results;

/// <summary>
/// The one JSON policy of SarKit results, shared by the CLI (<c>--json</c>), the web API and the records store:
/// snake_case names, strict numbers, and no NaN/±∞ anywhere (docs/json-schemas.md).
/// </summary>
public static class ResultJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.Strict,
        // compile-time metadata first (Native AOT has no reflection-emitted serialisers); a JIT build falls back to
        // reflection for a type not listed there, with the same contract
        TypeInfoResolver = JsonSerializer.IsReflectionEnabledByDefault
            ? JsonTypeInfoResolver.Combine(ResultJsonContext.Default, new DefaultJsonTypeInfoResolver())
            : ResultJsonContext.Default,
    };

    /// <summary>
    /// Writes <paramref name="value"/> as one JSON object. A NaN or ±∞ anywhere in it is refused before anything is
    /// written (<see cref="RequireFinite{T}"/>): JSON has no such numbers, and a non-finite result means an input drove
    /// the computation out of range.
    /// </summary>
    public static void Write<T>(TextWriter w, T value)
    {
        RequireFinite(value);
        w.WriteLine(JsonSerializer.Serialize(value, Options));
    }

    /// <summary>The JSON text of <paramref name="value"/>, refusing NaN/±∞ like <see cref="Write{T}"/>.</summary>
    public static string Serialize<T>(T value)
    {
        RequireFinite(value);
        return JsonSerializer.Serialize(value, Options);
    }

    /// <summary>The JSON node of <paramref name="value"/>, refusing NaN/±∞ like <see cref="Write{T}"/>.</summary>
    public static JsonNode ToNode<T>(T value)
    {
        RequireFinite(value);
        return JsonSerializer.SerializeToNode(value, Options)!;
    }

    private const string NonFiniteMark = "\u0001non-finite:";

    private static readonly JsonSerializerOptions MarkOptions = new(Options) { Converters = { new MarkDouble(), new MarkFloat() } };

    /// <summary>
    /// Throws <see cref="SarKitInputException"/> naming the first field (JSON path, e.g. $.peak.sar_w_per_kg) of
    /// <paramref name="value"/> that holds NaN or ±∞. Results that may legitimately be undefined are declared as
    /// nullable and set through <see cref="Num"/> (null) by the command, with a status field saying why.
    /// </summary>
    public static void RequireFinite<T>(T value)
    {
        var node = JsonSerializer.SerializeToNode(value, MarkOptions);
        if (FirstMarked(node) is { } bad)
        {
            var v = bad.GetValue<string>()[NonFiniteMark.Length..];
            throw new SarKitInputException($"result {bad.GetPath()} is {v}: a computed value overflowed or is undefined, so the inputs (magnitudes, option values) are out of range; nothing was written.");
        }
    }

    private static JsonNode? FirstMarked(JsonNode? n)
    {
        switch (n)
        {
            case JsonObject o: foreach (var (_, c) in o) if (FirstMarked(c) is { } r) return r; return null;
            case JsonArray a: foreach (var c in a) if (FirstMarked(c) is { } r) return r; return null;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String && v.GetValue<string>().StartsWith(NonFiniteMark, StringComparison.Ordinal): return v;
            default: return null;
        }
    }

    private sealed class MarkDouble : JsonConverter<double>
    {
        public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetDouble();
        public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
        {
            if (double.IsFinite(value)) writer.WriteNumberValue(value);
            else writer.WriteStringValue(NonFiniteMark + value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private sealed class MarkFloat : JsonConverter<float>
    {
        public override float Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetSingle();
        public override void Write(Utf8JsonWriter writer, float value, JsonSerializerOptions options)
        {
            if (float.IsFinite(value)) writer.WriteNumberValue(value);
            else writer.WriteStringValue(NonFiniteMark + value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    /// <summary>null for NaN/∞ (JSON has no such numbers).</summary>
    public static double? Num(double v) => double.IsFinite(v) ? v : null;
}
