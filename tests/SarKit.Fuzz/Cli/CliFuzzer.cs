using System.Diagnostics;
using System.Text.RegularExpressions;
using SarKit.Fuzz.Mutation;
using SarKit.Fuzz.Report;
using SarKit.Fuzz.Seeds;

namespace SarKit.Fuzz.Cli;

/// <summary>
/// Runs the built CLI as a child process on mutants of the seeds of one target and checks the invariants of issue 14:
/// exit code ∈ {0, 2, 3}, no signal, ≤ timeout, ≤ RSS limit, no "internal error", no stack trace, and no PASS verdict
/// when the mutant injected a non-finite/overflowing value, deleted rows of a declared-length file, changed signed
/// content or tampered a certified set.
/// </summary>
public sealed partial class CliFuzzer(FuzzSettings settings, SeedCorpus corpus, FuzzSummary summary)
{
    /// <summary>SarKit.Cli.dll: SARKIT_FUZZ_CLI, else src/SarKit.Cli/bin/&lt;configuration of this assembly&gt;/net10.0, else beside this assembly.</summary>
    public static string CliDll(string repoRoot)
    {
        if (Environment.GetEnvironmentVariable("SARKIT_FUZZ_CLI") is { Length: > 0 } env) return env;
        string here = AppContext.BaseDirectory;
        string config = here.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}") ? "Debug" : "Release";
        string built = Path.Combine(repoRoot, "src", "SarKit.Cli", "bin", config, "net10.0", "SarKit.Cli.dll");
        if (File.Exists(built)) return built;
        string beside = Path.Combine(here, "SarKit.Cli.dll");
        if (File.Exists(beside)) return beside;
        throw new FileNotFoundException($"SarKit.Cli.dll not found ({built}); build src/SarKit.Cli first.");
    }

    private readonly string _dll = CliDll(corpus.RepoRoot);

    [GeneratedRegex(@"^\s+at [\w.<>`|]+.*\(.*\)", RegexOptions.Multiline)]
    private static partial Regex StackFrame();

    /// <summary>Runs <paramref name="cases"/> cases of a target (the first ones are the unmutated seeds: the baseline).</summary>
    public void Run(CliTarget target, int cases)
    {
        var seeds = target.SeedGroups.SelectMany(corpus.Group).ToList();
        if (seeds.Count == 0) throw new InvalidOperationException($"no seeds for {target.Name}");
        var jobs = new List<(Seed Seed, CliCommand Cmd, int Index)>();
        int baseline = target.Name == "vop-tamper" ? 0 : seeds.Count * target.Commands.Length;
        for (int i = 0; i < baseline + cases; i++)
        {
            var seed = seeds[i % seeds.Count];
            var cmd = target.Commands[(i / seeds.Count) % target.Commands.Length];
            jobs.Add((seed, cmd, i));
        }
        var sw = Stopwatch.StartNew();
        Parallel.ForEach(jobs, new ParallelOptions { MaxDegreeOfParallelism = settings.Parallelism }, job =>
        {
            if (settings.GroupBudgetSeconds > 0 && sw.Elapsed.TotalSeconds > settings.GroupBudgetSeconds) return;
            RunOne(target, job.Seed, job.Cmd, job.Index, job.Index < baseline);
        });
    }

    private void RunOne(CliTarget target, Seed seed, CliCommand cmd, int index, bool isBaseline)
    {
        var rng = new Random(settings.CaseSeed("cli/" + target.Name, index));
        string caseDir = Path.Combine(settings.OutputDir, "work", target.Name, $"{index:D5}");
        if (Directory.Exists(caseDir)) Directory.Delete(caseDir, true);
        Directory.CreateDirectory(caseDir);
        Mutant m;
        if (isBaseline) m = new Mutant("none (seed)", File.ReadAllBytes(seed.Path));
        else if (target.Name == "vop-tamper")
            m = (index % 3) switch
            {
                0 => new Mutant("tamper-scale0.1+rehash", File.ReadAllBytes(corpus["vops2_scaled.h5"]), Mutant.Tampered),
                1 => new Mutant("tamper-drop-peak-vop+rehash", File.ReadAllBytes(corpus["vops2_dropped.h5"]), Mutant.Tampered),
                _ => Mutators.Mutate(seed, rng, caseDir),
            };
        else m = Mutators.Mutate(seed, rng, caseDir);
        string input = Path.Combine(caseDir, seed.FileName);
        File.WriteAllBytes(input, m.Bytes);
        string outDir = Path.Combine(caseDir, "out");
        Directory.CreateDirectory(outDir);
        var args = Expand(cmd, seed, input, outDir, caseDir);
        var env = new Dictionary<string, string>
        {
            ["DOTNET_GCHeapHardLimit"] = "0x" + settings.MaxRssBytes.ToString("X"), // the managed heap fails with OutOfMemoryException instead of taking the machine
            ["TMPDIR"] = caseDir, ["SARKIT_RECORDS"] = Path.Combine(caseDir, "default-records.db"), ["NO_COLOR"] = "1",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1",
        };
        var o = ChildProcess.Run("dotnet", [_dll, .. args], caseDir, settings.TimeoutSeconds, settings.MaxRssBytes, env);
        var violations = new List<string>();
        string outcome = o.TimedOut ? "timeout" : o.RssExceeded ? "rss" : o.Signalled ? $"crash (exit {o.ExitCode})" : $"exit {o.ExitCode}";
        if (o.TimedOut) violations.Add($"timeout: > {settings.TimeoutSeconds:F0} s");
        if (o.RssExceeded) violations.Add($"memory: RSS > {settings.MaxRssBytes >> 20} MB");
        if (o.Signalled) violations.Add($"crash: killed by signal (exit code {o.ExitCode})");
        bool oom = o.Stderr.Contains("OutOfMemoryException");
        if (oom) violations.Add("memory: OutOfMemoryException (managed heap limit reached)");
        bool internalError = o.Stderr.Contains("internal error", StringComparison.OrdinalIgnoreCase);
        if (internalError && !oom) violations.Add("internal error: " + FirstLine(o.Stderr, "internal error"));
        if (StackFrame().IsMatch(o.Stderr) || o.Stderr.Contains("Unhandled exception")) violations.Add("stack trace on stderr");
        if (!o.TimedOut && !o.RssExceeded && !o.Signalled && o.ExitCode is not (0 or 2 or 3) && !internalError && !oom
            && !(o.ExitCode == 1 && cmd.Exit1IsVerdict))
            violations.Add($"exit {o.ExitCode}: {FirstLine(o.Stderr, "error")}");
        bool pass = !o.TimedOut && !o.RssExceeded && o.ExitCode == 0 && cmd.Verdict switch
        {
            VerdictKind.Exit0 => true,
            VerdictKind.PassText => Regex.IsMatch(o.Stdout, @"\bPASS\b"),
            _ => false,
        };
        string? forbidden = m.PassForbidden;
        // a command that re-proves its verdict from unmutated originals (vop verify of a mutated VOP file) certifies the
        // set as read: only non-finite or overflowing values must still never pass
        if (cmd.ReprovesFromOriginals && forbidden is not (Mutant.NonFinite or Mutant.Overflow)) forbidden = null;
        // A mutation may touch only bytes the command never reads (another dataset or zip member, free space, an unused
        // field): a PASS is then sound. It is a violation only when the result differs from the seed's (same command,
        // same paths, stdout compared byte for byte).
        // (not for signed content: a signature must refuse every change, read or not)
        if (pass && forbidden is not (null or Mutant.SignedChanged) && SameResultAsSeed(cmd, seed, input, outDir, caseDir, o.Stdout, env))
            forbidden = null;
        if (pass && forbidden is not null) violations.Add($"PASS on broken input: {forbidden}");
        if (isBaseline && cmd.Verdict != VerdictKind.None && o.ExitCode is not (0 or 3)) violations.Add($"seed baseline not evaluated: exit {o.ExitCode}: {FirstLine(o.Stderr, "error")}");
        string repro = "dotnet " + Quote(_dll) + " " + string.Join(' ', args.Select(Quote));
        var c = new FuzzCase("cli", target.Name, seed.Group, index, m.Name, cmd.Name, outcome, o.ExitCode, o.Seconds, o.PeakRssBytes, violations, repro) { Detail = FirstLine(o.Stderr, "error") };
        if (c.Failed)
        {
            string saved = summary.SaveFailure(c, m.Bytes, seed.FileName, o.Stdout, o.Stderr);
            // the reproducer refers to the saved copy of the input (the work folder is removed)
            c = c with { Reproducer = repro.Replace(Quote(input), Quote(Path.Combine(saved, seed.FileName))).Replace(caseDir, saved) };
            File.WriteAllText(Path.Combine(saved, "command.txt"), c.Reproducer + "\n");
            if (seed.FileName.EndsWith(".checkpoint.json")) File.WriteAllBytes(Path.Combine(saved, seed.FileName), m.Bytes);
        }
        summary.Add(c);
        if (!c.Failed) try { Directory.Delete(caseDir, true); } catch (IOException) { }
    }

    /// <summary>
    /// Runs the same command line on the unmutated seed, written to the same path (so that paths and line wrapping are
    /// identical), and compares stdout with the mutant's; the mutant's bytes are put back afterwards.
    /// </summary>
    private bool SameResultAsSeed(CliCommand cmd, Seed seed, string input, string outDir, string caseDir, string mutantStdout, Dictionary<string, string> env)
    {
        var mutant = File.ReadAllBytes(input);
        try
        {
            File.Copy(seed.Path, input, true);
            if (Directory.Exists(outDir)) Directory.Delete(outDir, true);
            Directory.CreateDirectory(outDir);
            var args = Expand(cmd, seed, input, outDir, caseDir);
            var r = ChildProcess.Run("dotnet", [_dll, .. args], caseDir, settings.TimeoutSeconds, settings.MaxRssBytes, env);
            return r.ExitCode == 0 && ComparableOutput(r.Stdout) == ComparableOutput(mutantStdout);
        }
        finally { File.WriteAllBytes(input, mutant); }
    }

    /// <summary>
    /// Output with run times removed ("0.47 s", "12 ms", elapsed fields) and table padding collapsed, so that two runs on
    /// inputs that read the same values compare equal; every other character (numbers, verdicts, names) must agree.
    /// </summary>
    internal static string ComparableOutput(string stdout)
    {
        var s = Regex.Replace(stdout, @"""(elapsed|seconds|time)[a-z_]*""\s*:\s*[-0-9.eE+]+", "\"$1\": T");
        s = Regex.Replace(s, @"\b\d+(\.\d+)?([eE][-+]?\d+)?\s?(s|ms|µs)\b", "T");
        s = Regex.Replace(s, @"[─━┌┐└┘├┤┬┴┼│┃╭╮╰╯]+", " ");
        return Regex.Replace(s, @"\s+", " ").Trim();
    }

    private List<string> Expand(CliCommand cmd, Seed seed, string input, string outDir, string caseDir)
    {
        var a = new List<string>();
        foreach (var x in cmd.Args)
        {
            switch (x)
            {
                case "{VOPCHECK}":
                    a.AddRange(seed.Group switch
                    {
                        "vop1" => ["seq", "check", corpus["rect.seq"], "--vops", input, "--calibration", corpus.Calibration["rect"]],
                        "vop2" => ["seq", "check", corpus["shim.seq"], "--vops", input, "--calibration", corpus.Calibration["shim"]],
                        _ => ["pulse", "check", corpus["waveform.npz"], "--vops", input],
                    });
                    break;
                case "{NEMA}":
                    a.AddRange(["nema", seed.Group == "nema-calorimetry" ? "calorimetry" : "pulse-energy"]);
                    break;
                case "{PROBE}":
                    a.AddRange(seed.Group switch
                    {
                        "probe-tem" => ["probe", "calibrate", input],
                        "probe-liquid" => ["liquid", "check", input],
                        "probe-heat" => ["liquid", "heat-capacity", input],
                        "probe-cf" => ["probe", "cf", input, "--calibration", corpus["calibration.json"]],
                        "probe-calibration" => ["scan", "process", corpus["scan_example.csv"], "--calibration", input, "--liquid", corpus["liquid.json"]],
                        _ => ["scan", "process", input, "--calibration", corpus["calibration.json"], "--liquid", corpus["liquid.json"]],
                    });
                    break;
                case var copy when copy.StartsWith("{COPY:", StringComparison.Ordinal):
                    // a corpus file the command rewrites (vop verify stores its certificate): a fresh private copy per run,
                    // so that no case changes the shared seed corpus
                    string name = copy[6..^1], dest = Path.Combine(caseDir, "copy-" + name);
                    File.Copy(corpus[name], dest, true);
                    a.Add(dest);
                    break;
                default:
                    a.Add(x.Replace("{F}", input).Replace("{OUT}", outDir).Replace("{DIR}", caseDir));
                    break;
            }
        }
        return a;
    }

    /// <summary>Runs <paramref name="max"/> numeric-option cases (unmutated files, bad option values), spread evenly over the list.</summary>
    public void RunOptions(IReadOnlyList<(string Name, string[] Args, VerdictKind Verdict)> cases, int max)
    {
        max = Math.Min(max, cases.Count);
        var sel = Enumerable.Range(0, max).Select(i => (c: cases[(int)((long)i * cases.Count / max)], i: (int)((long)i * cases.Count / max))).ToList();
        Parallel.ForEach(sel, new ParallelOptions { MaxDegreeOfParallelism = settings.Parallelism }, x =>
        {
            var (c, i) = x;
            string caseDir = Path.Combine(settings.OutputDir, "work", "options", $"{i:D5}");
            Directory.CreateDirectory(Path.Combine(caseDir, "out"));
            var args = c.Args.Select(a =>
            {
                if (!a.StartsWith("{COPY:", StringComparison.Ordinal)) return a.Replace("{OUT}", Path.Combine(caseDir, "out"));
                string dest = Path.Combine(caseDir, "copy-" + a[6..^1]); // private copy of a file the command rewrites
                File.Copy(corpus[a[6..^1]], dest, true);
                return dest;
            }).ToList();
            var o = ChildProcess.Run("dotnet", [_dll, .. args], caseDir, settings.TimeoutSeconds, settings.MaxRssBytes,
                new Dictionary<string, string> { ["DOTNET_GCHeapHardLimit"] = "0x" + settings.MaxRssBytes.ToString("X"), ["TMPDIR"] = caseDir });
            var v = new List<string>();
            string outcome = o.TimedOut ? "timeout" : o.RssExceeded ? "rss" : o.Signalled ? $"crash (exit {o.ExitCode})" : $"exit {o.ExitCode}";
            if (o.TimedOut) v.Add($"timeout: > {settings.TimeoutSeconds:F0} s");
            if (o.RssExceeded || o.Stderr.Contains("OutOfMemoryException")) v.Add("memory: over the limit");
            if (o.Signalled) v.Add($"crash: exit code {o.ExitCode}");
            if (o.Stderr.Contains("internal error")) v.Add("internal error: " + FirstLine(o.Stderr, "internal error"));
            else if (!o.TimedOut && !o.RssExceeded && !o.Signalled && o.ExitCode is not (0 or 2 or 3) && !(o.ExitCode == 1 && c.Name.StartsWith("vop ")))
                v.Add($"exit {o.ExitCode}"); // vop verify/compress: exit 1 = certificate failed (documented verdict)
            if (StackFrame().IsMatch(o.Stderr)) v.Add("stack trace on stderr");
            string value = c.Args.Last();
            bool nonFinite = args.Any(a => a.Contains("NaN") || a.Contains("Infinity"));
            if (c.Verdict == VerdictKind.Exit0 && o.ExitCode == 0 && nonFinite) v.Add("PASS on broken input: non-finite option value");
            string repro = "dotnet " + Quote(_dll) + " " + string.Join(' ', args.Select(Quote));
            var fc = new FuzzCase("cli", "options", c.Name, i, "value=" + BadValue(c.Args), c.Name, outcome, o.ExitCode, o.Seconds, o.PeakRssBytes, v, repro);
            if (fc.Failed) summary.SaveFailure(fc, [], "none", o.Stdout, o.Stderr);
            summary.Add(fc);
            if (!fc.Failed) try { Directory.Delete(caseDir, true); } catch (IOException) { }
        });
    }

    private static string BadValue(string[] args)
    {
        string[] bad = ["NaN", "Infinity", "1e308", "1e-320", "1e6kg", "99999999999", "abc"];
        foreach (var a in args.Reverse()) foreach (var b in bad) if (a.Contains(b)) return b == "Infinity" && a.Contains("-Infinity") ? "-Infinity" : b;
        var last = args[^1]; return last.Length == 0 ? "(empty)" : last.Replace(" V/uT", "");
    }

    private static string FirstLine(string s, string containing)
    {
        var l = s.Split('\n').FirstOrDefault(x => x.Contains(containing, StringComparison.OrdinalIgnoreCase)) ?? s.Split('\n').FirstOrDefault() ?? "";
        l = l.Trim();
        return l.Length > 200 ? l[..200] + "…" : l;
    }

    public static string Quote(string s) => s.Length > 0 && s.All(ch => char.IsLetterOrDigit(ch) || "-_./=@,:%+".Contains(ch)) ? s : "'" + s.Replace("'", "'\\''") + "'";
}
