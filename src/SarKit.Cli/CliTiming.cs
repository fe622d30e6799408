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
}
