using System.Diagnostics;
using System.Text.RegularExpressions;
using SarKit.Compression;
using SarKit.IO.Formats;
using SarKit.Tests.Cli;
using SarKit.Tests.Compression;
using SarKit.Workflows;

namespace SarKit.Tests.Workflows;

/// <summary>
/// Slurm job plans (<see cref="SlurmJobPlanning"/>, docs/scale-out.md): the generated scripts are parsed for their
/// array ranges and the dependency chain of submit.sh, checked with bash -n, and the VOP plan is run end to end
/// without Slurm through its run-local.sh (the same sbatch scripts, array tasks as processes).
/// </summary>
public sealed partial class SlurmJobPlanningTests
{
    internal const string Bash = "/bin/bash";

    /// <summary>`dotnet …/SarKit.Cli.dll` of this build, as the --sarkit command of a plan.</summary>
    internal static string CliCommand()
    {
        var dll = Path.Combine(Path.GetDirectoryName(typeof(SarKit.Cli.CliApp).Assembly.Location)!, "SarKit.Cli.dll");
        Assert.True(File.Exists(dll), dll);
        return $"dotnet '{dll}'";
    }

    [GeneratedRegex(@"^job_(\w+)=\$\(sbatch --parsable(?: --dependency=(afterok|afterany):\$\{job_(\w+)\})? (\S+)\)$", RegexOptions.Multiline)]
    private static partial Regex SubmitLine();

    /// <summary>(job, dependency type, depends on, script) in submission order, parsed from submit.sh.</summary>
    internal static List<(string Job, string? Type, string? On, string Script)> Chain(string workDir)
    {
        var text = File.ReadAllText(Path.Combine(workDir, "submit.sh"));
        return SubmitLine().Matches(text).Select(m => (m.Groups[1].Value, m.Groups[2].Success ? m.Groups[2].Value : null, m.Groups[3].Success ? m.Groups[3].Value : null, m.Groups[4].Value)).ToList();
    }

    /// <summary>The `#SBATCH --array=1-N` upper end of a script, or null without an array.</summary>
    internal static int? ArrayTasks(string script)
    {
        var m = Regex.Match(File.ReadAllText(script), @"^#SBATCH --array=1-(\d+)(%\d+)?$", RegexOptions.Multiline);
        return m.Success ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    internal static (int Code, string Out, string Err) Run(string file, string[] args, IDictionary<string, string>? env = null, int timeoutMs = 900_000)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var o = p.StandardOutput.ReadToEndAsync();
        if (!p.WaitForExit(timeoutMs)) { p.Kill(entireProcessTree: true); throw new TimeoutException($"{file} {string.Join(' ', args)}"); }
        return (p.ExitCode, o.Result, err.Result);
    }

    private static void AssertBashSyntax(string workDir, IEnumerable<string> scripts)
    {
        foreach (var s in scripts)
        {
            var r = Run(Bash, ["-n", Path.Combine(workDir, s)]);
            Assert.True(r.Code == 0, $"{s}: {r.Err}");
        }
    }

    private static (string Dir, string[] Q) QFiles(TempDir dir, int files, int n, int count, int seed)
    {
        var paths = new string[files];
        for (int f = 0; f < files; f++)
        {
            paths[f] = dir.File($"q{f}.h5");
            VopCliTests.WriteQ(paths[f], VopVerifierTests.RandomSet(n, count, seed + f, rank: 2), n);
        }
        return (dir.Path, paths);
    }

    [Fact]
    public void VopPlanChainsSummariseCompressArrayMergeAndVerifyWithAfterok()
    {
        using var dir = new TempDir();
        var (_, q) = QFiles(dir, 2, 3, 10, 5);
        var wd = dir.File("work");
        var plan = SlurmJobPlanning.Run(new SlurmPlanRequest { Workflow = "vop", WorkDir = wd, SarkitCommand = "sarkit", QFiles = q, Partitions = 7, TimeLimit = "01:00:00", MaxParallelTasks = 3 });
        var chain = Chain(wd);
        Assert.Equal(["summarise", "compress", "merge", "verify"], chain.Select(c => c.Job));
        Assert.Equal(plan.Jobs.Select(j => j.Script), chain.Select(c => c.Script));
        // every dependency points to an earlier job and is afterok (a failed partition must stop the merge)
        for (int k = 0; k < chain.Count; k++)
        {
            if (k == 0) { Assert.Null(chain[k].On); continue; }
            Assert.Equal(chain[k - 1].Job, chain[k].On);
            Assert.Equal("afterok", chain[k].Type);
        }
        Assert.Equal(7, ArrayTasks(Path.Combine(wd, "02-compress.sbatch")));
        Assert.Contains("#SBATCH --array=1-7%3", File.ReadAllText(Path.Combine(wd, "02-compress.sbatch")));
        Assert.Null(ArrayTasks(Path.Combine(wd, "03-merge.sbatch")));
        var merge = File.ReadAllText(Path.Combine(wd, "03-merge.sbatch"));
        // the merge takes all 7 partitions and every original, in order
        Assert.Contains(string.Join(' ', Enumerable.Range(1, 7).Select(i => $"parts/part_{i}.h5")), merge);
        Assert.Contains($"--q '{q[0]}' --q '{q[1]}'", merge);
        Assert.Contains("--time=01:00:00", merge);
        var verify = File.ReadAllText(Path.Combine(wd, "04-verify.sbatch"));
        Assert.Contains("vop verify \".verify.$$.h5\"", verify);
        Assert.Contains("mv -f \".verify.$$.h5\" vops.h5", verify); // only a passed certificate replaces the set
        Assert.All(plan.Jobs, j => Assert.Contains($"#SBATCH --output={wd}/logs/{j.Name}", File.ReadAllText(Path.Combine(wd, j.Script))));
        AssertBashSyntax(wd, plan.Jobs.Select(j => j.Script).Append("submit.sh").Append("run-local.sh").Append("bin/sarkit"));
        if (!OperatingSystem.IsWindows()) Assert.True((File.GetUnixFileMode(Path.Combine(wd, "submit.sh")) & UnixFileMode.UserExecute) != 0);
        // default partitions: one per Q file
        var byFile = SlurmJobPlanning.Run(new SlurmPlanRequest { Workflow = "vop", WorkDir = dir.File("w2"), SarkitCommand = "sarkit", QFiles = q });
        Assert.Equal(2, byFile.Jobs.Single(j => j.Name == "compress").ArrayTasks);
        // nothing left behind by the atomic writes
        Assert.DoesNotContain(Directory.GetFiles(wd, "*", SearchOption.AllDirectories), f => f.Contains(".sarkit-tmp-", StringComparison.Ordinal));
    }

    [Fact]
    public void SeqCheckPlanHasOneTaskPerSequenceAndASummaryAfterany()
    {
        using var dir = new TempDir();
        var seqDir = Directory.CreateDirectory(dir.File("seqs")).FullName;
        foreach (var n in new[] { "b.seq", "a.seq", "c.seq", "notes.txt" }) File.WriteAllText(Path.Combine(seqDir, n), "");
        var wd = dir.File("work");
        var plan = SlurmJobPlanning.Run(new SlurmPlanRequest { Workflow = "seq-check", WorkDir = wd, SarkitCommand = "sarkit", SequenceFolder = seqDir, CheckArguments = ["--vops", "/x/it's.h5"] });
        var chain = Chain(wd);
        Assert.Equal([("check", null, null, "01-check.sbatch"), ("summary", "afterany", "check", "02-summary.sbatch")], chain.Select(c => (c.Job, c.Type, c.On, c.Script)));
        Assert.Equal(3, ArrayTasks(Path.Combine(wd, "01-check.sbatch")));
        Assert.Equal(new[] { "a.seq", "b.seq", "c.seq" }, File.ReadAllLines(Path.Combine(wd, "sequences.txt")).Select(Path.GetFileName));
        Assert.Contains(@"'--vops' '/x/it'\''s.h5'", File.ReadAllText(Path.Combine(wd, "01-check.sbatch")));
        AssertBashSyntax(wd, plan.Jobs.Select(j => j.Script).Append("submit.sh").Append("run-local.sh"));
    }

    [Fact]
    public void SurrogatePlanHasOneRequeueableTaskPerSubjectWithRetries()
    {
        using var dir = new TempDir();
        var subjects = dir.File("subjects.txt");
        File.WriteAllText(subjects, "# family seed\nA 1\n\nB 22\nA 3\n");
        var script = dir.File("run_subject.py"); File.WriteAllText(script, "");
        var wd = dir.File("work");
        var plan = SlurmJobPlanning.Run(new SlurmPlanRequest { Workflow = "surrogate", WorkDir = wd, SarkitCommand = "sarkit", SubjectsFile = subjects, SubjectScript = script, SurrogateOutDir = dir.File("out"), Retries = 4 });
        var job = Assert.Single(plan.Jobs);
        Assert.Equal(3, ArrayTasks(Path.Combine(wd, job.Script)));
        var text = File.ReadAllText(Path.Combine(wd, job.Script));
        Assert.Contains("#SBATCH --requeue", text);
        Assert.Contains("while [ $attempt -le 4 ]", text);
        Assert.Equal(["A 1", "B 22", "A 3"], File.ReadAllLines(Path.Combine(wd, "subjects.txt")));
        AssertBashSyntax(wd, [job.Script, "submit.sh", "run-local.sh"]);
        File.WriteAllText(subjects, "A 1\nC x\n");
        var e = Assert.Throws<SarKitInputException>(() => SlurmJobPlanning.Run(new SlurmPlanRequest { Workflow = "surrogate", WorkDir = wd, SarkitCommand = "sarkit", SubjectsFile = subjects, SubjectScript = script, SurrogateOutDir = dir.File("out") }));
        Assert.Contains("subject 2 'C x'", e.Message);
    }

    [Fact]
    public void BadInputsAreRefusedNamingTheOption()
    {
        using var dir = new TempDir();
        var (_, q) = QFiles(dir, 1, 3, 5, 1);
        SlurmPlanRequest R(string wf = "vop") => new() { Workflow = wf, WorkDir = dir.File("w"), SarkitCommand = "sarkit", QFiles = q, Partitions = 2 };
        Assert.Contains("workflow 'mpi'", Assert.Throws<SarKitInputException>(() => SlurmJobPlanning.Run(R("mpi"))).Message);
        Assert.Contains("--q", Assert.Throws<SarKitInputException>(() => SlurmJobPlanning.Run(R() with { QFiles = [dir.File("none.h5")] })).Message);
        Assert.Contains("--margin", Assert.Throws<SarKitInputException>(() => SlurmJobPlanning.Run(R() with { PartitionMargin = double.NaN })).Message);
        Assert.Contains("--merge-margin", Assert.Throws<SarKitInputException>(() => SlurmJobPlanning.Run(R() with { MergeMargin = 1.5 })).Message);
        Assert.Contains("--mem", Assert.Throws<SarKitInputException>(() => SlurmJobPlanning.Run(R() with { Memory = "8G; rm -rf /" })).Message);
        Assert.Contains("--algorithm", Assert.Throws<SarKitInputException>(() => SlurmJobPlanning.Run(R() with { Algorithm = "x" })).Message);
        Assert.Contains("--folder", Assert.Throws<SarKitInputException>(() => SlurmJobPlanning.Run(R("seq-check") with { SequenceFolder = dir.File("nope") })).Message);
        Assert.False(Directory.Exists(dir.File("w")), "nothing is written for refused input");
        Assert.Contains("plan.json", Assert.Throws<SarKitInputException>(() => ClusterStatus.Run(new ClusterStatusRequest { WorkDir = dir.Path })).Message);
    }

    [Fact]
    public void StatusCountsMarkersAndAsksTheSchedulerAboutTheSubmittedJobs()
    {
        using var dir = new TempDir();
        var (_, q) = QFiles(dir, 1, 3, 5, 1);
        var wd = dir.File("w");
        SlurmJobPlanning.Run(new SlurmPlanRequest { Workflow = "vop", WorkDir = wd, SarkitCommand = "sarkit", QFiles = q, Partitions = 4 });
        File.WriteAllText(Path.Combine(wd, "state", "summarise.1.done"), "x");
        File.WriteAllText(Path.Combine(wd, "state", "compress.1.done"), "x");
        File.WriteAllText(Path.Combine(wd, "state", "compress.3.failed"), "exit 1");
        File.WriteAllText(Path.Combine(wd, "jobs.txt"), "summarise 101\ncompress 102\nmerge 103\nverify 104\n");
        var calls = new List<string>();
        var s = ClusterStatus.Run(new ClusterStatusRequest
        {
            WorkDir = wd,
            RunTool = (tool, args) => { calls.Add(tool + " " + string.Join(' ', args)); return tool == "squeue" ? "102_2 RUNNING\n103 PENDING\n" : "101|COMPLETED\n102|FAILED\n"; },
        });
        Assert.False(s.Complete);
        var c = s.Stages.Single(x => x.Name == "compress");
        Assert.Equal((4, 1, 1, 2), (c.Tasks, c.Done, c.Failed, c.Pending));
        Assert.Equal([3], c.FailedTasks);
        Assert.Equal(1, s.Stages.Single(x => x.Name == "summarise").Done);
        Assert.Contains(calls, x => x.StartsWith("squeue -h -j 101,102,103,104", StringComparison.Ordinal));
        Assert.Equal(["102_2 RUNNING", "103 PENDING", "101 COMPLETED", "102 FAILED"], s.Scheduler);
    }
    /// <summary>
    /// The VOP plan run end to end without Slurm (run-local.sh: the sbatch scripts themselves, array tasks as
    /// processes): the merged set is certified against every original, with the composed margin ε_p + ε_m = 5 %, like
    /// the single-machine `vop compress --margin 0.05` of the same inputs; a rerun skips every task (verified outputs)
    /// and leaves the result unchanged.
    /// </summary>
    [Fact]
    [Trait("Category", "Slow")]
    public void VopPlanRunsLocallyToASetCertifiedAgainstEveryOriginalAndRerunsIdempotently()
    {
        using var dir = new TempDir();
        const int n = 4, count = 120;
        var (_, q) = QFiles(dir, 2, n, count, 11);
        var all = q.SelectMany(f => VopVerifierTests.RandomSet(n, count, 11 + Array.IndexOf(q, f), rank: 2)).ToArray();
        var wd = dir.File("work");
        var plan = CliRunner.Run("cluster", "slurm", "vop", "--q", q[0], "--q", q[1], "--partitions", "3", "--margin", "0.03", "--merge-margin", "0.02",
            "--algorithm", "lee-kuehne", "--verify-drives", "2000", "--workdir", wd, "--sarkit", CliCommand(), "--cpus-per-task", "1");
        Assert.True(plan.ExitCode == 0, plan.Err);
        var env = new Dictionary<string, string> { ["PARALLEL"] = "2" };
        var run = Run(Bash, [Path.Combine(wd, "run-local.sh")], env);
        Assert.True(run.Code == 0, run.Err + string.Join("\n", Directory.GetFiles(Path.Combine(wd, "logs")).Select(f => f + ": " + File.ReadAllText(f))));
        var merged = VopSetFiles.Read(Path.Combine(wd, "vops.h5"));
        Assert.True(merged.HasValidCertificate(out var why), why);
        Assert.Equal(2 * count, merged.SourceCount);
        Assert.Equal(VopSet.HashMatrices(all), merged.SourceSha256);
        Assert.Equal(0.05, merged.Margin.Epsilon, 12);
        Assert.True(File.Exists(Path.Combine(wd, "verify.json")));
        var status = ClusterStatus.Run(new ClusterStatusRequest { WorkDir = wd, QueryScheduler = false });
        Assert.True(status.Complete, string.Join("; ", status.Stages.Select(s => $"{s.Name} {s.Done}/{s.Tasks}")));

        // the single-machine run of the same inputs: the same guarantees (certified against every original, ε = 5 %)
        var one = AssertLocalRunHasTheSameGuarantees(dir, q, merged, all, n, 3);
        Assert.Equal(one.Margin.Epsilon, merged.Margin.Epsilon, 12);

        // rerun: every task finds its output verified and skips; the result is unchanged
        var vopHash = VopSet.HashMatrices(merged.Packed);
        run = Run(Bash, [Path.Combine(wd, "run-local.sh")], env);
        Assert.True(run.Code == 0, run.Err);
        foreach (var marker in Directory.GetFiles(Path.Combine(wd, "state"), "*.done"))
            Assert.Contains("skipped", File.ReadAllText(marker));
        Assert.Equal(vopHash, VopSet.HashMatrices(VopSetFiles.Read(Path.Combine(wd, "vops.h5")).Packed));
    }
    /// <summary>
    /// The single-machine `vop compress --margin 0.05` of the same inputs: certified, the same originals (hash), and for
    /// both it and <paramref name="merged"/> no random drive underestimated and the absolute overestimation ≤ 5 % of SAR_wc.
    /// </summary>
    internal static VopSet AssertLocalRunHasTheSameGuarantees(TempDir dir, string[] q, VopSet merged, double[] all, int n, int seed)
    {
        var local = dir.File("local.h5");
        var lr = CliRunner.Run("vop", "compress", "--q", q[0], "--q", q[1], "--margin", "0.05", "--algorithm", "lee-kuehne", "--drives", "2000", "-o", local);
        Assert.True(lr.ExitCode == 0, lr.Err);
        var one = VopSetFiles.Read(local);
        Assert.True(one.HasValidCertificate(out var why), why);
        Assert.Equal(one.SourceSha256, merged.SourceSha256);
        foreach (var set in new[] { merged, one })
        {
            var rep = OverestimationReport.Compute(all, set.Packed, n, 5000, seed);
            Assert.True(rep.MinRelative >= -1e-12, "no drive underestimated");
            Assert.True(rep.MaxAbsoluteOverSarWc <= 0.05 + 1e-9, $"absolute overestimation {rep.MaxAbsoluteOverSarWc} ≤ ε_p + ε_m");
        }
        return one;
    }
}
