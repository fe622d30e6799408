using System.Globalization;
using System.Text.Json;
using SarKit.Fuzz.Cli;
using SarKit.Fuzz.Report;
using SarKit.Fuzz.Seeds;

namespace SarKit.Fuzz.InProcess;

/// <summary>
/// Parent side of the in-process layer: runs <see cref="InProcessWorker"/> in a child process (<c>SarKit.Fuzz.dll
/// inproc-worker</c>) for a group's case range, restarting after a crash or timeout at the next case, and records every case.
/// </summary>
public sealed class InProcessFuzzer(FuzzSettings settings, SeedCorpus corpus, FuzzSummary summary, string corpusDir)
{
    private static string WorkerDll => Path.Combine(AppContext.BaseDirectory, "SarKit.Fuzz.dll");

    public void Run(string group, int cases, int first = 0)
    {
        var seeds = corpus.Group(group).ToList();
        if (seeds.Count == 0) throw new InvalidOperationException("no seeds for " + group);
        cases = Math.Max(cases, seeds.Count);
        string dir = Path.Combine(settings.OutputDir, "work", "inproc-" + group);
        Directory.CreateDirectory(dir);
        string results = Path.Combine(dir, "results.jsonl"), progress = Path.Combine(dir, "progress.txt");
        File.Delete(results);
        int next = first, restarts = 0;
        var done = new Dictionary<int, WorkerResult>();
        while (next < cases && restarts < 200)
        {
            if (File.Exists(progress)) File.Delete(progress);
            string[] args = [WorkerDll, "inproc-worker", "--corpus", corpusDir, "--group", group, "--from", next.ToString(CultureInfo.InvariantCulture),
                "--to", cases.ToString(CultureInfo.InvariantCulture), "--seed", settings.Seed.ToString(CultureInfo.InvariantCulture), "--out", settings.OutputDir,
                "--results", results, "--progress", progress, "--case-timeout", settings.InProcessTimeoutSeconds.ToString(CultureInfo.InvariantCulture)];
            double budget = (cases - next) * 2.0 + settings.InProcessTimeoutSeconds + 120; // backstop only: the worker ends itself on a slow case
            var o = ChildProcess.Run("dotnet", args, dir, budget, settings.MaxRssBytes,
                new Dictionary<string, string> { ["DOTNET_GCHeapHardLimit"] = "0x" + settings.MaxRssBytes.ToString("X"), ["TMPDIR"] = dir });
            foreach (var line in File.Exists(results) ? File.ReadAllLines(results) : [])
                if (line.Length > 0 && JsonSerializer.Deserialize<WorkerResult>(line) is { } r) done[r.Index] = r;
            File.Delete(results);
            if (o.ExitCode == 0 && !o.TimedOut && !o.RssExceeded) break;
            int at = File.Exists(progress) && int.TryParse(File.ReadAllText(progress), out var p) ? p : next;
            if (!done.ContainsKey(at))
            {
                string outcome = o.RssExceeded || o.Stderr.Contains("OutOfMemoryException") ? "rss" : o.TimedOut ? "timeout" : o.Signalled ? $"crash (exit {o.ExitCode})" : $"crash (exit {o.ExitCode})";
                var (seed, m) = InProcessWorker.Case(settings, seeds, group, at, dir);
                done[at] = new WorkerResult(at, seed.FileName, m.Name, outcome, null, FirstLines(o.Stderr), o.Seconds);
            }
            next = at + 1; restarts++;
        }
        foreach (var r in done.Values.OrderBy(r => r.Index)) Record(group, seeds, r, dir);
    }

    private void Record(string group, IReadOnlyList<Seed> seeds, WorkerResult r, string dir)
    {
        var v = new List<string>();
        switch (r.Outcome)
        {
            case "exception": v.Add($"unexpected exception {r.Exception}"); break;
            case "timeout": v.Add($"timeout: > {settings.InProcessTimeoutSeconds:F0} s"); break;
            case "rss": v.Add("memory: over the limit"); break;
            case var x when x.StartsWith("crash"): v.Add($"crash: worker process died ({x})"); break;
        }
        string repro = $"dotnet {CliFuzzer.Quote(WorkerDll)} inproc --group {group} --from {r.Index} --to {r.Index + 1} --seed {settings.Seed} --out {CliFuzzer.Quote(settings.OutputDir)}";
        var c = new FuzzCase("inproc", group, group, r.Index, r.Mutation, "parse", r.Outcome == "refused" ? "refused" : r.Outcome, 0, r.Seconds, 0, v, repro) { Detail = r.Message };
        if (c.Failed)
        {
            var (seed, m) = InProcessWorker.Case(settings, seeds, group, r.Index, dir);
            summary.SaveFailure(c with { Violations = [.. v, $"{r.Exception}: {r.Message}"] }, m.Bytes, seed.FileName, "", r.Message ?? "");
        }
        summary.Add(c);
    }

    private static string FirstLines(string s) => string.Join(" | ", s.Split('\n').Where(l => l.Trim().Length > 0).Take(3));
}
