using System.Diagnostics;
using System.Text.Json;
using SarKit.Fuzz.Mutation;
using SarKit.Fuzz.Seeds;

namespace SarKit.Fuzz.InProcess;

/// <summary>One line of the worker's results file.</summary>
public sealed record WorkerResult(int Index, string Seed, string Mutation, string Outcome, string? Exception, string? Message, double Seconds);

/// <summary>
/// The in-process layer: calls a reader directly on mutants, case after case, in this process. Only
/// <see cref="SarKitInputException"/> may escape a reader. Before each case the index is written to a progress file, so
/// that a native crash of the process is attributed to its case by the parent (<see cref="InProcessFuzzer"/>); a case
/// exceeding the time limit ends the process (exit 99) after its result was written.
/// </summary>
public static class InProcessWorker
{
    public const int ExitTimeout = 99;

    public static int Run(FuzzSettings s, SeedCorpus corpus, string group, int from, int to, string resultsFile, string progressFile)
    {
        var seeds = corpus.Group(group).ToList();
        string work = Path.Combine(s.OutputDir, "work", "inproc-" + group);
        Directory.CreateDirectory(work);
        using var results = new StreamWriter(resultsFile, append: true) { AutoFlush = true };
        for (int i = from; i < to; i++)
        {
            File.WriteAllText(progressFile, i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var (seed, m) = Case(s, seeds, group, i, work);
            string path = Path.Combine(work, $"case-{i}-{seed.FileName}");
            File.WriteAllBytes(path, m.Bytes);
            var companions = seed.Companions.Select(c => (From: c, To: Path.ChangeExtension(path, Path.GetExtension(c)))).ToList();
            foreach (var (src, dst) in companions) File.Copy(src, dst, true);
            var sw = Stopwatch.StartNew();
            var task = Task.Run(() => Parsers.Parse(group, path));
            bool done;
            try { done = task.Wait(TimeSpan.FromSeconds(s.InProcessTimeoutSeconds)); }
            catch (AggregateException) { done = true; }
            sw.Stop();
            WorkerResult r;
            if (!done) r = new(i, seed.FileName, m.Name, "timeout", null, null, sw.Elapsed.TotalSeconds);
            else if (task.Exception?.InnerException is { } e)
                r = e is SarKitInputException
                    ? new(i, seed.FileName, m.Name, "refused", e.GetType().Name, Trim(e.Message), sw.Elapsed.TotalSeconds)
                    : new(i, seed.FileName, m.Name, "exception", e.GetType().FullName, Trim(e.Message) + " @ " + Frame(e), sw.Elapsed.TotalSeconds);
            else r = new(i, seed.FileName, m.Name, "ok", null, null, sw.Elapsed.TotalSeconds);
            results.WriteLine(JsonSerializer.Serialize(r));
            // a hung reader thread cannot be stopped, and a native library's exit handlers may wait for it: end hard
            if (!done) { results.Flush(); results.Dispose(); System.Diagnostics.Process.GetCurrentProcess().Kill(); }
            try { File.Delete(path); foreach (var (_, dst) in companions) File.Delete(dst); } catch (IOException) { }
        }
        return 0;
    }

    /// <summary>The deterministic mutant of case <paramref name="i"/> (the same in the worker and in the parent that saves failures).</summary>
    public static (Seed Seed, Mutant Mutant) Case(FuzzSettings s, IReadOnlyList<Seed> seeds, string group, int i, string work)
    {
        var seed = seeds[i % seeds.Count];
        if (i < seeds.Count) return (seed, new Mutant("none (seed)", File.ReadAllBytes(seed.Path)));
        var rng = new Random(s.CaseSeed("inproc/" + group, i));
        return (seed, Mutators.Mutate(seed, rng, work));
    }

    /// <summary>The innermost SarKit stack frame (else the first one): where the reader let the exception escape.</summary>
    private static string Frame(Exception e)
    {
        var frames = (e.StackTrace ?? "").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        return Trim(frames.FirstOrDefault(l => l.StartsWith("at SarKit.")) ?? frames.FirstOrDefault() ?? "");
    }

    private static string Trim(string s) { s = s.Replace('\n', ' '); return s.Length > 300 ? s[..300] + "…" : s; }
}
