using System.Globalization;
using SarKit.Fuzz;
using SarKit.Fuzz.Cli;
using SarKit.Fuzz.InProcess;
using SarKit.Fuzz.Report;
using SarKit.Fuzz.Seeds;

// Console entry of the fuzz suite (docs/reliability/fuzz.md):
//   dotnet tests/SarKit.Fuzz/bin/Release/net10.0/SarKit.Fuzz.dll all --cases 200 --inproc-cases 5000 --seed 7
//   … cli --target seq --cases 500        … inproc --group npz --cases 20000
// Exit code: 0 when no case broke an invariant, 1 otherwise (the summary names the failing classes and reproducers).
var inv = CultureInfo.InvariantCulture;
string mode = args.Length > 0 && !args[0].StartsWith("--") ? args[0] : "all";
var opt = new Dictionary<string, string>();
for (int i = mode == "all" && (args.Length == 0 || args[0].StartsWith("--")) ? 0 : 1; i + 1 < args.Length; i += 2) opt[args[i].TrimStart('-')] = args[i + 1];
if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine("usage: SarKit.Fuzz [all|cli|inproc] [--seed S] [--cases N (CLI per target)] [--inproc-cases N (per group)] [--target T] [--group G] [--from I --to J]\n" +
                      "                   [--timeout S] [--budget S (per target)] [--parallel P] [--out DIR]   (defaults: SARKIT_FUZZ_* variables)");
    return 0;
}
var s = FuzzSettings.FromEnvironment();
if (opt.TryGetValue("seed", out var v)) s = s with { Seed = int.Parse(v, inv) };
if (opt.TryGetValue("cases", out v)) s = s with { CliCasesPerGroup = int.Parse(v, inv), InProcessCasesPerGroup = mode == "inproc" ? int.Parse(v, inv) : s.InProcessCasesPerGroup };
if (opt.TryGetValue("inproc-cases", out v)) s = s with { InProcessCasesPerGroup = int.Parse(v, inv) };
if (opt.TryGetValue("timeout", out v)) s = s with { TimeoutSeconds = double.Parse(v, inv) };
if (opt.TryGetValue("case-timeout", out v)) s = s with { InProcessTimeoutSeconds = double.Parse(v, inv) };
if (opt.TryGetValue("budget", out v)) s = s with { GroupBudgetSeconds = double.Parse(v, inv) };
if (opt.TryGetValue("parallel", out v)) s = s with { Parallelism = int.Parse(v, inv) };
if (opt.TryGetValue("out", out v)) s = s with { OutputRoot = v };

string corpusDir = opt.TryGetValue("corpus", out v) ? v : Path.Combine(s.OutputDir, "seeds");
if (mode == "inproc-worker")
    return InProcessWorker.Run(s, SeedCorpus.Load(corpusDir), opt["group"], int.Parse(opt["from"], inv), int.Parse(opt["to"], inv), opt["results"], opt["progress"]);

Console.WriteLine($"SarKit fuzz: seed {s.Seed}, output {s.OutputDir}");
var corpus = SeedCorpus.LoadOrBuild(corpusDir);
var summary = new FuzzSummary(s.OutputDir, s.Seed);
if (mode is "all" or "cli")
{
    var cli = new CliFuzzer(s, corpus, summary);
    foreach (var t in CliTargets.All(corpus).Where(t => !opt.TryGetValue("target", out var n) || n == t.Name))
    {
        Console.WriteLine($"cli {t.Name}: {s.CliCasesPerGroup} cases");
        cli.Run(t, s.CliCasesPerGroup);
    }
    if (!opt.TryGetValue("target", out var tn) || tn == "options") cli.RunOptions(CliTargets.Options(corpus), s.CliCasesPerGroup * 2);
}
if (mode is "all" or "inproc")
{
    var ip = new InProcessFuzzer(s, corpus, summary, corpusDir);
    foreach (var g in Parsers.Groups.Where(g => !opt.TryGetValue("group", out var n) || n == g))
    {
        Console.WriteLine($"inproc {g}: {s.InProcessCasesPerGroup} cases");
        if (opt.TryGetValue("from", out var f)) ip.Run(g, int.Parse(opt["to"], inv), int.Parse(f, inv)); else ip.Run(g, s.InProcessCasesPerGroup);
    }
}
summary.WriteFiles("summary-" + mode);
Console.WriteLine(summary.Table());
Console.WriteLine(summary.FailureClasses());
return summary.Failures.Any() ? 1 : 0;
