using System.Diagnostics;
using SarKit;

namespace SarKit.Cli;

/// <summary>
/// Phase timing of a one-shot run (issue 18, docs/performance.md): with the environment variable <c>SARKIT_TIMING=1</c>
/// every stage's start and end and the end of the command are written to stderr as
/// <c>timing: +1.234 s (cpu 2.345 s) LABEL</c>, times since the process started (before the runtime loaded, so the
/// first line also shows the start-up cost). Off by default; stdout (results, --json) is never touched.
/// </summary>
internal static class CliTiming
{
    /// <summary>True when <c>SARKIT_TIMING</c> is set to 1.</summary>
    public static readonly bool Enabled = Environment.GetEnvironmentVariable("SARKIT_TIMING") == "1";

    private static readonly object Gate = new();

    /// <summary>Writes one timing line (no-op unless <see cref="Enabled"/>).</summary>
    public static void Mark(string label)
    {
        if (!Enabled) return;
        using var p = Process.GetCurrentProcess();
        double wall = (SarKitSettings.Default.UtcNow - p.StartTime.ToUniversalTime()).TotalSeconds; // the clock of SarKitSettings
        double cpu = p.TotalProcessorTime.TotalSeconds;
        lock (Gate) Console.Error.WriteLine($"timing: +{wall:F3} s (cpu {cpu:F3} s) {label}");
    }

    /// <summary>
    /// How this process's code was compiled and which vector paths it takes (one <c>runtime:</c> line on stderr with
    /// <c>SARKIT_TIMING=1</c>): Native AOT or JIT, the <c>Vector&lt;T&gt;</c> width and whether 256/512-bit vectors and
    /// AVX-512F are used. A Native AOT image fixes these when it is compiled (IlcInstructionSet), the JIT when it starts.
    /// </summary>
    public static void Runtime()
    {
        if (!Enabled) return;
        lock (Gate) Console.Error.WriteLine("runtime: " + RuntimeDescription());
    }

    /// <summary>E.g. "native AOT, Vector&lt;T&gt; 256 bits, Vector256 accelerated, Vector512 accelerated, AVX-512F".</summary>
    internal static string RuntimeDescription() =>
#if SARKIT_AOT
        "native AOT, " +
#else
        "JIT/ReadyToRun, " +
#endif
        $"Vector<T> {System.Numerics.Vector<byte>.Count * 8} bits, " +
        $"Vector256 {(System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? "accelerated" : "not accelerated")}, " +
        $"Vector512 {(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? "accelerated" : "not accelerated")}, " +
        $"AVX-512F {(System.Runtime.Intrinsics.X86.Avx512F.IsSupported ? "yes" : "no")}, " +
        $"AVX2 {(System.Runtime.Intrinsics.X86.Avx2.IsSupported ? "yes" : "no")}";
}
