using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using SarKit.Compression;
using SarKit.Reporting;

namespace SarKit.IO.Formats;

/// <summary>
/// The checkpoint of a running <c>sarkit vop compress</c> (docs/vop-cli.md "Resume"): OUTPUT.checkpoint.json, one
/// snake_case JSON object with the identity of the run (inputs, partition, algorithm, margin) and the state of the last
/// completed iteration (<see cref="VopCompressionCheckpoint"/>). Written atomically after every iteration; a resumed run
/// must have the same identity, and every field is validated before use (a damaged or hand-edited checkpoint is bad
/// input naming the field, never a crash).
/// </summary>
/// <param name="Input">The input files, full paths joined by ';'.</param>
/// <param name="Partition">Partition "i/N", or null for the whole input.</param>
/// <param name="Algorithm">Algorithm id (lee, lee-kuehne, iterative, hybrid, eichfelder).</param>
/// <param name="MarginKind">Margin kind id (diagonal, global).</param>
/// <param name="Margin">Final margin ε, fraction of SAR_wc.</param>
/// <param name="TargetVops">Target number of VOPs, or null.</param>
/// <param name="PostProcess">Whether the post-processing step runs.</param>
/// <param name="CreatedUtc">Time the checkpoint was written, UTC (yyyy-MM-ddTHH:mm:ssZ).</param>
/// <param name="Checkpoint">State of the last completed iteration.</param>
public sealed record VopCheckpointFile(string Input, string? Partition, string Algorithm, string MarginKind, double Margin, int? TargetVops, bool PostProcess,
    string CreatedUtc, VopCompressionCheckpoint Checkpoint)
{
    // the JSON policy of SarKit results (snake_case, indented, strict numbers), which this file has always used
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.Strict,
        // compile-time metadata first (Native AOT CLI; IoJsonContext), reflection in a JIT build for anything else
        TypeInfoResolver = IoJsonContext.Resolver,
    };

    /// <summary>The checkpoint path of an output VOP file: OUTPUT.checkpoint.json.</summary>
    public static string PathFor(string output) => output + ".checkpoint.json";

    /// <summary>The UTC time stamp form of <see cref="CreatedUtc"/>.</summary>
    public static string Stamp(DateTimeOffset utc) => utc.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    /// <summary>Writes the checkpoint atomically (a crash leaves the previous one).</summary>
    public void Write(string path)
    {
        var text = JsonSerializer.Serialize(this, Json);
        AtomicOutput.Write(path, tmp => File.WriteAllText(tmp, text));
    }

    /// <summary>Reads a checkpoint and validates the fields of the run identity (<see cref="ValidateState"/> checks the rest).</summary>
    public static VopCheckpointFile Read(string path)
    {
        VopCheckpointFile? f;
        try { f = JsonSerializer.Deserialize<VopCheckpointFile>(File.ReadAllText(path), Json); }
        catch (JsonException e) { throw new SarKitInputException($"{path}: not a valid checkpoint: {e.Message}", e) { SourceFile = path }; }
        if (f?.Checkpoint is null) throw new SarKitInputException($"{path}: not a valid checkpoint (no 'checkpoint' object).") { SourceFile = path };
        f.Validate(path, inner: false);
        return f;
    }

    /// <summary>Validates the state of the run (<see cref="Checkpoint"/>): iteration, ε, VOP indices, hashes.</summary>
    public void ValidateState(string path) => Validate(path, inner: true);

    private void Validate(string path, bool inner)
    {
        SarKitInputException Bad(string field, object? value, string expected)
            => new($"{path}: checkpoint field '{field}' is {(value is null ? "missing or null" : Convert.ToString(value, CultureInfo.InvariantCulture))}; expected {expected}. Remove the checkpoint to start afresh.") { SourceFile = path, Dataset = field };
        if (string.IsNullOrEmpty(Input)) throw Bad("input", Input, "the input file list");
        if (string.IsNullOrEmpty(Algorithm)) throw Bad("algorithm", Algorithm, "an algorithm name");
        if (string.IsNullOrEmpty(MarginKind)) throw Bad("margin_kind", MarginKind, "diagonal or global");
        if (!(double.IsFinite(Margin) && Margin > 0)) throw Bad("margin", Margin, "a finite margin > 0");
        if (TargetVops is < 1) throw Bad("target_vops", TargetVops, "null or ≥ 1");
        if (string.IsNullOrEmpty(CreatedUtc)) throw Bad("created_utc", CreatedUtc, "a UTC time stamp");
        if (!inner) return; // the run identity is compared next; the state of the run after that
        var c = Checkpoint;
        if (c.Iteration < 0) throw Bad("checkpoint.iteration", c.Iteration, "≥ 0");
        if (!(double.IsFinite(c.Epsilon) && c.Epsilon > 0)) throw Bad("checkpoint.epsilon", c.Epsilon, "a finite ε > 0");
        if (c.VopSourceIndices is null) throw Bad("checkpoint.vop_source_indices", null, "an array of matrix indices");
        for (int i = 0; i < c.VopSourceIndices.Length; i++)
            if (c.VopSourceIndices[i] < 0) throw Bad($"checkpoint.vop_source_indices[{i}]", c.VopSourceIndices[i], "an index ≥ 0");
        if (c.VopSourceIndices.Distinct().Count() != c.VopSourceIndices.Length) throw Bad("checkpoint.vop_source_indices", "a list with repeated indices", "distinct indices");
        if (c.SourceSha256 is not { Length: 64 } h || !h.All(char.IsAsciiHexDigit)) throw Bad("checkpoint.source_sha256", c.SourceSha256, "64 hexadecimal digits");
        if (string.IsNullOrEmpty(c.OptionsFingerprint)) throw Bad("checkpoint.options_fingerprint", c.OptionsFingerprint, "the settings fingerprint");
    }
}
