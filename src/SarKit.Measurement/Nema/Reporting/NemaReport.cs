using System.Text.Json;
using System.Text.Json.Serialization;
using SarKit.Measurement.Nema.Input;

namespace SarKit.Measurement.Nema.Reporting;

/// <summary>One row of a Section 4.1 table: parameter (the standard's wording), dimension, value as text.</summary>
public sealed record ReportRow(string Parameter, string Dimension, string Value);

/// <summary>A titled table of <see cref="ReportRow"/>s (e.g. "Measurement parameter section").</summary>
public sealed record ReportSection(string Title, IReadOnlyList<ReportRow> Rows);

/// <summary>
/// A NEMA MS 8-2016 Section 4.1 SAR report as a document (docs/nema-ms8.md, "Reports"): the method (4.1 a), the
/// standard's parameter tables with dimensions (4.1 b–d), the uncertainty budget with the coverage factor (4.1 d, e), the
/// measurement devices, the comparison of predicted and measured SAR with the verdict (4.1 f), plus the inputs as written and the
/// key results in SI. Rendered by <see cref="NemaReportRenderer"/> as Markdown, self-contained HTML or JSON; the JSON form
/// round-trips (<see cref="FromJson"/>), so a stored record can be re-rendered without re-computing.
/// </summary>
public sealed record NemaReport
{
    /// <summary>The verdict question of the Section 4.1 forms.</summary>
    public const string VerdictQuestion = "Is Predicted SAR ≥ Measured SAR – Measurement uncertainty?";

    /// <summary>"NEMA MS 8-2016".</summary>
    public string Standard { get; init; } = "NEMA MS 8-2016";
    /// <summary>"pulse-energy" or "calorimetry" (4.1 a).</summary>
    public required string Method { get; init; }
    /// <summary>Report title.</summary>
    public required string Title { get; init; }
    /// <summary>Input file name (no folder), if known.</summary>
    public string? InputFile { get; init; }
    /// <summary>"json" or "yaml".</summary>
    public string? InputFormat { get; init; }
    /// <summary>SarKit version that computed the result.</summary>
    public required string SarkitVersion { get; init; }
    /// <summary>Record id when the report was re-opened from the records database.</summary>
    public long? RecordId { get; init; }
    /// <summary>Record creation time (ISO 8601 UTC) when re-opened from a record.</summary>
    public string? RecordCreatedUtc { get; init; }
    /// <summary>Record content hash (SHA-256 hex) when re-opened from a record.</summary>
    public string? RecordSha256 { get; init; }
    /// <summary>Section 4.1 tables in the standard's order.</summary>
    public required IReadOnlyList<ReportSection> Sections { get; init; }
    /// <summary>Further computed values and checks not in the form (intermediate equations, 3.2 c, eq. [1]).</summary>
    public IReadOnlyList<ReportRow> Additional { get; init; } = [];
    /// <summary>Uncertainty budget, or null when none was given.</summary>
    public NemaBudget? Budget { get; init; }
    /// <summary>The standard's sources of uncertainty for this method (Section 4.1 e), in order.</summary>
    public IReadOnlyList<string> StandardSources { get; init; } = [];
    /// <summary>Measured SAR (W/kg).</summary>
    public required double MeasuredSarWPerKg { get; init; }
    /// <summary>Predicted SAR of the MR system (W/kg), or null.</summary>
    public double? PredictedSarWPerKg { get; init; }
    /// <summary>Expanded measurement uncertainty U (W/kg), or null.</summary>
    public double? ExpandedUncertaintyWPerKg { get; init; }
    /// <summary>Coverage factor k of <see cref="ExpandedUncertaintyWPerKg"/>, or null when no budget gave one.</summary>
    public double? CoverageFactor { get; init; }
    /// <summary>"Y", "N" or "not determined" (4.1 f).</summary>
    public required string Verdict { get; init; }
    /// <summary>Measurement devices (accuracy, type, location).</summary>
    public IReadOnlyList<MeasurementDevice> Devices { get; init; } = [];
    /// <summary>Free-text notes (deviations, repeatability parameters).</summary>
    public string? Notes { get; init; }
    /// <summary>Every input quantity: field, value as written, SI value.</summary>
    public IReadOnlyList<ReportRow> Inputs { get; init; } = [];
    /// <summary>Key results in SI (snake_case names, e.g. sar_w_per_kg, p_ave_w), for comparing records.</summary>
    public IReadOnlyDictionary<string, double> Results { get; init; } = new Dictionary<string, double>();

    /// <summary>JSON options of the report form (snake_case; ±∞ written as "Infinity").</summary>
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        // compile-time metadata first (Native AOT CLI), reflection in a JIT build for anything else
        TypeInfoResolver = JsonSerializer.IsReflectionEnabledByDefault
            ? System.Text.Json.Serialization.Metadata.JsonTypeInfoResolver.Combine(NemaReportJsonContext.Default, new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver())
            : NemaReportJsonContext.Default,
    };

    /// <summary>The report as JSON (<see cref="JsonOptions"/>).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Reads a report written by <see cref="ToJson"/>.</summary>
    public static NemaReport FromJson(string json)
    {
        try { return JsonSerializer.Deserialize<NemaReport>(json, JsonOptions) ?? throw new SarKitInputException("report JSON is null"); }
        catch (JsonException e) { throw new SarKitInputException($"not a SarKit NEMA report JSON: {e.Message}", e); }
    }

    /// <summary>Verdict text for an optional boolean.</summary>
    public static string VerdictText(bool? covers) => covers is { } c ? (c ? "Y" : "N") : "not determined";
}

/// <summary>Compile-time (source-generated) JSON metadata of <see cref="NemaReport"/> (Native AOT CLI).</summary>
[JsonSerializable(typeof(NemaReport))]
internal sealed partial class NemaReportJsonContext : JsonSerializerContext;
