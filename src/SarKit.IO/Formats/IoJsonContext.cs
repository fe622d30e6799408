using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace SarKit.IO.Formats;

/// <summary>
/// Compile-time (source-generated) System.Text.Json metadata of the JSON that SarKit.IO writes and reads (VOP file
/// metadata, <c>vop compress</c> checkpoints, waveform sidecars), so that a Native AOT CLI needs no reflection-emitted
/// serialisers. Each file type keeps its own <see cref="JsonSerializerOptions"/> (naming, number handling); only the
/// metadata source changes.
/// </summary>
[JsonSerializable(typeof(VopSetFiles.Metadata))]
[JsonSerializable(typeof(VopCheckpointFile))]
[JsonSerializable(typeof(Dictionary<string, object>))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(double))]
internal sealed partial class IoJsonContext : JsonSerializerContext
{
    /// <summary>This context, then reflection for any other type when the runtime allows reflection (a JIT build).</summary>
    internal static IJsonTypeInfoResolver Resolver => JsonSerializer.IsReflectionEnabledByDefault
        ? JsonTypeInfoResolver.Combine(Default, new DefaultJsonTypeInfoResolver())
        : Default;
}
