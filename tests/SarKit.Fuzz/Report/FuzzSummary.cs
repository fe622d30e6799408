using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace SarKit.Fuzz.Report;

/// <summary>Collects cases, saves failing ones (input + command + outcome) and prints the figures table (format × outcome).</summary>
public sealed class FuzzSummary(string outputDir, int seed)
{
    private readonly ConcurrentBag<FuzzCase> _cases = new();
    public string OutputDir { get; } = outputDir;
    public int Seed { get; } = seed;
    public IReadOnlyList<FuzzCase> Cases => _cases.OrderBy(c => c.Target).ThenBy(c => c.Index).ToList();
    public IEnumerable<FuzzCase> Failures => Cases.Where(c => c.Failed);

    public void Add(FuzzCase c) => _cases.Add(c);

    /// <summary>Saves a failing case: the mutated input, the one-line reproducer and the outcome.</summary>
    public string SaveFailure(FuzzCase c, byte[] input, string inputName, string stdout, string stderr)
    {
        string dir = Path.Combine(OutputDir, "failures", Safe(c.Layer + "-" + c.Target), $"{c.Index:D5}");
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, inputName), input);
        File.WriteAllText(Path.Combine(dir, "command.txt"), c.Reproducer + "\n");
        File.WriteAllText(Path.Combine(dir, "outcome.txt"),
            $"target {c.Target}\nformat {c.Format}\nmutation {c.Mutation}\ncommand {c.Command}\noutcome {c.Outcome}\nexit {c.ExitCode}\nseconds {c.Seconds:F2}\npeak_rss_mb {c.PeakRssBytes / 1048576.0:F0}\n" +
            $"violations:\n  {string.Join("\n  ", c.Violations)}\n--- stdout\n{Head(stdout)}\n--- stderr\n{Head(stderr)}\n");
        return dir;
    }

    private static string Head(string s) => s.Length > 8000 ? s[..8000] + "\n…" : s;
    private static string Safe(string s) => string.Concat(s.Select(ch => char.IsLetterOrDigit(ch) || ch is '-' or '_' ? ch : '_'));

    /// <summary>Markdown table: per target and format, outcome counts, violations, max RSS and max time.</summary>
    public string Table(string? target = null)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine($"seed {Seed}; failing cases saved under {Path.Combine(OutputDir, "failures")}");
        sb.AppendLine("| layer | target | format | cases | exit 0 / read | exit 2 | exit 3 | exit 1 | refused (in-proc) | timeouts | crashes | over RSS | PASS on broken input | failing cases | max RSS MB | max s |");
        sb.AppendLine("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var g in Cases.Where(c => target is null || c.Target == target).GroupBy(c => (c.Layer, c.Target, c.Format)).OrderBy(g => g.Key))
        {
            int N(Func<FuzzCase, bool> f) => g.Count(f);
            sb.AppendLine(string.Join(" | ", new[]
            {
                "", g.Key.Layer, g.Key.Target, g.Key.Format, g.Count().ToString(inv),
                N(c => c.Outcome is "exit 0" or "ok").ToString(inv), N(c => c.Outcome == "exit 2").ToString(inv), N(c => c.Outcome == "exit 3").ToString(inv),
                N(c => c.Outcome == "exit 1").ToString(inv), N(c => c.Outcome == "refused").ToString(inv), N(c => c.Outcome == "timeout").ToString(inv),
                N(c => c.Outcome.StartsWith("crash")).ToString(inv), N(c => c.Outcome == "rss").ToString(inv),
                N(c => c.Violations.Any(v => v.StartsWith("PASS"))).ToString(inv), N(c => c.Failed).ToString(inv),
                (g.Max(c => c.PeakRssBytes) / 1048576.0).ToString("F0", inv), g.Max(c => c.Seconds).ToString("F2", inv), "",
            }).Trim());
        }
        return sb.ToString();
    }

    /// <summary>Failures grouped by (target, command, violation class, mutation kind), each with one reproducer.</summary>
    public string FailureClasses(string? target = null, int maxGroups = 60)
    {
        var sb = new StringBuilder();
        var groups = Failures.Where(c => target is null || c.Target == target)
            .SelectMany(c => c.Violations.Select(v => (Key: (c.Layer, c.Target, c.Command, Violation: Class(v), Kind: MutationKind(c.Mutation)), Case: c)))
            .GroupBy(x => x.Key).OrderByDescending(g => g.Count()).ToList();
        foreach (var g in groups.Take(maxGroups))
        {
            var first = g.First().Case;
            sb.AppendLine($"- [{g.Key.Layer}/{g.Key.Target}] {g.Key.Command} × {g.Key.Kind}: {g.Key.Violation} ({g.Count()} cases; e.g. {first.Format} {first.Mutation})");
            sb.AppendLine($"    repro: {first.Reproducer}");
        }
        if (groups.Count > maxGroups) sb.AppendLine($"- … {groups.Count - maxGroups} more classes (see {OutputDir})");
        return sb.ToString();
    }

    private static string Class(string v)
    {
        int colon = v.IndexOf(':');
        return colon > 0 && !v.StartsWith("PASS") ? v[..colon] : v;
    }

    public static string MutationKind(string m)
    {
        if (m.StartsWith("value=")) return m;
        int i = m.IndexOfAny(['@', '[', ':', '=', '(']);
        string k = i > 0 ? m[..i] : m;
        return string.Concat(k.Where(ch => !char.IsDigit(ch)) ) is { Length: > 0 } s ? s : m;
    }

    public void WriteFiles(string name)
    {
        Directory.CreateDirectory(OutputDir);
        File.WriteAllText(Path.Combine(OutputDir, name + ".md"), Table() + "\n" + FailureClasses(null, 500));
        File.WriteAllText(Path.Combine(OutputDir, name + ".json"), JsonSerializer.Serialize(Cases, new JsonSerializerOptions { WriteIndented = true }));
    }
}
