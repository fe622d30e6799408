using System.Globalization;

namespace SarKit.Fuzz;

/// <summary>
/// Run parameters of the fuzz suite. CI uses the defaults (fixed seed, bounded case counts); a longer run sets them through
/// environment variables (<c>SARKIT_FUZZ_*</c>) or the console entry's options (docs/reliability/fuzz.md).
/// </summary>
public sealed record FuzzSettings
{
    /// <summary>Master seed: every seed file, mutation and case depends only on it (printed with every summary).</summary>
    public int Seed { get; init; } = 20261207;
    /// <summary>Child-process (CLI) cases per target group.</summary>
    public int CliCasesPerGroup { get; init; } = 16;
    /// <summary>In-process parser cases per format group.</summary>
    public int InProcessCasesPerGroup { get; init; } = 150;
    /// <summary>Invariant: wall-clock limit of one CLI run (s); the child is killed beyond it.</summary>
    public double TimeoutSeconds { get; init; } = 60;
    /// <summary>Invariant: peak resident memory of one run (bytes); the child is killed beyond it.</summary>
    public long MaxRssBytes { get; init; } = 2L << 30;
    /// <summary>Time limit of one in-process parser case (s).</summary>
    public double InProcessTimeoutSeconds { get; init; } = 20;
    /// <summary>Optional wall-clock budget of a whole group (s, 0 = none): cases stop early (reported) when it is used up.</summary>
    public double GroupBudgetSeconds { get; init; }
    /// <summary>Parallel child processes.</summary>
    public int Parallelism { get; init; } = Math.Clamp(Environment.ProcessorCount, 1, 4);
    /// <summary>Folder that receives failing cases (input, command, outcome) and the summaries.</summary>
    public string OutputRoot { get; init; } = "";

    public string OutputDir => string.IsNullOrEmpty(OutputRoot) ? Path.Combine(Path.GetTempPath(), $"sarkit-fuzz-{Seed}") : OutputRoot;

    /// <summary>Defaults overridden by SARKIT_FUZZ_SEED, SARKIT_FUZZ_CASES (CLI cases per group), SARKIT_FUZZ_INPROC_CASES,
    /// SARKIT_FUZZ_TIMEOUT_S, SARKIT_FUZZ_BUDGET_S (per group), SARKIT_FUZZ_PARALLEL, SARKIT_FUZZ_OUT.</summary>
    public static FuzzSettings FromEnvironment()
    {
        var s = new FuzzSettings();
        static string? Env(string n) => Environment.GetEnvironmentVariable(n) is { Length: > 0 } v ? v : null;
        if (Env("SARKIT_FUZZ_SEED") is { } seed) s = s with { Seed = int.Parse(seed, CultureInfo.InvariantCulture) };
        if (Env("SARKIT_FUZZ_CASES") is { } c) s = s with { CliCasesPerGroup = int.Parse(c, CultureInfo.InvariantCulture) };
        if (Env("SARKIT_FUZZ_INPROC_CASES") is { } ic) s = s with { InProcessCasesPerGroup = int.Parse(ic, CultureInfo.InvariantCulture) };
        if (Env("SARKIT_FUZZ_TIMEOUT_S") is { } t) s = s with { TimeoutSeconds = double.Parse(t, CultureInfo.InvariantCulture) };
        if (Env("SARKIT_FUZZ_BUDGET_S") is { } b) s = s with { GroupBudgetSeconds = double.Parse(b, CultureInfo.InvariantCulture) };
        if (Env("SARKIT_FUZZ_PARALLEL") is { } p) s = s with { Parallelism = Math.Max(1, int.Parse(p, CultureInfo.InvariantCulture)) };
        if (Env("SARKIT_FUZZ_OUT") is { } o) s = s with { OutputRoot = o };
        return s;
    }

    /// <summary>A deterministic 32-bit seed for (master seed, group, case index).</summary>
    public int CaseSeed(string group, int index)
    {
        unchecked
        {
            uint h = 2166136261;
            foreach (char ch in group) h = (h ^ ch) * 16777619;
            ulong x = ((ulong)(uint)Seed << 32) ^ h ^ ((ulong)(uint)index * 0x9E3779B97F4A7C15UL);
            x ^= x >> 33; x *= 0xff51afd7ed558ccdUL; x ^= x >> 33; x *= 0xc4ceb9fe1a85ec53UL; x ^= x >> 33;
            return (int)(x & 0x7fffffff);
        }
    }
}
