using Ort = Microsoft.ML.OnnxRuntime;

namespace SarKit.Surrogate.Onnx;

/// <summary>
/// The ONNX Runtime SarKit runs surrogate models with: the official NuGet package Microsoft.ML.OnnxRuntime (pinned in
/// src/SarKit.Surrogate/SarKit.Surrogate.csproj; MIT), whose managed API loads the native library the package ships
/// (runtimes/&lt;rid&gt;/native/libonnxruntime.so on linux-x64, copied beside the application by the build).
/// </summary>
public static class OnnxRuntime
{
    /// <summary>The Microsoft.ML.OnnxRuntime package version SarKit is built and tested against.</summary>
    public const string PinnedVersion = "1.32.0";

    private static readonly Lazy<(string? Version, string? Error)> Probe = new(() =>
    {
        try { return (Ort.OrtEnv.Instance().GetVersionString(), null); }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or EntryPointNotFoundException or BadImageFormatException or Ort.OnnxRuntimeException)
        {
            return (null, $"the ONNX Runtime native library of the Microsoft.ML.OnnxRuntime {PinnedVersion} package could not be loaded " +
                $"(expected in runtimes/<rid>/native beside the SarKit assemblies; reinstall or rebuild SarKit): {e.GetBaseException().Message}");
        }
    });

    /// <summary>True when the native library loads (always, in a build for a platform the package supports).</summary>
    public static bool IsAvailable() => Probe.Value.Version is not null;

    /// <summary>Version string the loaded native library reports; throws <see cref="SarKitInputException"/> when it cannot be loaded.</summary>
    public static string Version => Probe.Value.Version ?? throw new SarKitInputException(Probe.Value.Error!);

    /// <summary>Why the library cannot be loaded; null when it can.</summary>
    public static string? UnavailableReason => Probe.Value.Error;
}

/// <summary>An error reported by ONNX Runtime (bad model file, input that does not match the model's signature, …).</summary>
public sealed class OnnxRuntimeException : SarKitInputException
{
    public OnnxRuntimeException(string message) : base(message) { }
    public OnnxRuntimeException(string message, Exception inner) : base(message, inner) { }
}
