using SarKit.Compression;
using SarKit.IO.Formats;
using SarKit.Tests.Cli;
using SarKit.Tests.Compression;
using SarKit.Workflows;
using SarKit.Workflows.Results;

namespace SarKit.Tests.Workflows;

/// <summary>
/// A fact that starts a single-node Slurm cluster (scripts/slurm-test-cluster.sh): skipped, with the reason, when not
/// root on Linux or when munged/slurmctld/slurmd/sbatch are not installed (scripts/setup-test.sh installs them).
/// </summary>
public sealed class SlurmClusterFactAttribute : FactAttribute
{
    public SlurmClusterFactAttribute()
    {
        if (!OperatingSystem.IsLinux()) { Skip = "the local Slurm cluster test runs on Linux only."; return; }
        if (Environment.GetEnvironmentVariable("SARKIT_SKIP_SLURM") == "1") { Skip = "SARKIT_SKIP_SLURM=1."; return; }
        var missing = new[] { "/usr/sbin/munged", "/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/bin/sbatch", "/bin/bash" }.Where(f => !File.Exists(f)).ToArray();
        if (missing.Length > 0) { Skip = $"Slurm is not installed ({string.Join(", ", missing)} missing; apt-get install munge slurmctld slurmd slurm-client, or scripts/setup-test.sh)."; return; }
        if (Environment.UserName != "root") Skip = "the local Slurm cluster test needs root (slurmd runs the jobs).";
    }
}

/// <summary>
/// The three workflows on a real, single-node Slurm cluster (munge + slurmctld + slurmd on 127.0.0.1, started once and
/// stopped by the test): the VOP workflow (submit.sh submits summarise → compress array → merge → verify with afterok
/// dependencies; the certified result is compared with the single-machine run of the same inputs), the batch seq check
/// (one task per sequence, afterany summary table) and the surrogate dataset (one subject per task, a stub
/// run_subject.py — no openEMS — that fails on chosen attempts, so the in-task retry and the rerun of submit.sh after a
/// failed task are exercised). All three plans are submitted at once and followed with <see cref="ClusterStatus"/>.
/// Not in the "Console" collection (which runs alone, after every other test): most of its time is spent waiting for
/// Slurm jobs (child processes of slurmd), so it runs in the parallel phase; its in-process CLI calls (the plans) go
/// through <see cref="CliRunner"/>, which keeps each run's console capture apart, like SlurmJobPlanningTests.
/// </summary>
public sealed class SlurmClusterTests
{
    [SlurmClusterFact]
    [Trait("Category", "Slow")]
    public void WorkflowsRunOnOneLocalSlurmCluster()
    {
        using var dir = new TempDir();
        string script = Path.Combine(Support.SharedData.RepoRoot, "scripts", "slurm-test-cluster.sh"), cluster = dir.File("cluster");
        var env = new Dictionary<string, string> { ["SARKIT_SLURM_PORT"] = (46000 + Random.Shared.Next(0, 900) * 2).ToString(System.Globalization.CultureInfo.InvariantCulture) };
        var start = SlurmJobPlanningTests.Run(SlurmJobPlanningTests.Bash, [script, "start", cluster], env, 120_000);
        try
        {
            Assert.True(start.Code == 0, "the local Slurm cluster did not start: " + start.Err);
            env["SLURM_CONF"] = Path.Combine(cluster, "slurm.conf");
            var vop = SubmitVop(dir, env);
            var seq = SubmitSeqCheck(dir, env);
            var sur = SubmitSurrogate(dir, env);
            CheckVop(vop, Follow(vop.Wd, env), dir);
            CheckSeqCheck(seq, Follow(seq, env));
            CheckSurrogate(sur, dir, env);
        }
        finally
        {
            var stop = SlurmJobPlanningTests.Run(SlurmJobPlanningTests.Bash, [script, "stop", cluster], env, 60_000);
            Assert.True(stop.Code == 0, stop.Err);
            foreach (var pid in new[] { "slurmd.pid", "slurmctld.pid", "munge/munged.pid" }.Select(f => Path.Combine(cluster, f)).Where(File.Exists))
                Assert.False(Directory.Exists("/proc/" + File.ReadAllText(pid).Trim()), pid + ": daemon still running after stop");
        }
    }

    private sealed record VopRun(string Wd, string[] Q, double[] All, int N, int Count);

    private static VopRun SubmitVop(TempDir dir, Dictionary<string, string> env)
    {
        const int n = 4, count = 100;
        var q = new[] { dir.File("q0.h5"), dir.File("q1.h5") };
        var sets = new[] { VopVerifierTests.RandomSet(n, count, 21, rank: 2), VopVerifierTests.RandomSet(n, count, 22, rank: 2) };
        for (int f = 0; f < 2; f++) VopCliTests.WriteQ(q[f], sets[f], n);
        var all = sets[0].Concat(sets[1]).ToArray();
        var wd = dir.File("work");
        var plan = CliRunner.Run("cluster", "slurm", "vop", "--q", q[0], "--q", q[1], "--partitions", "3", "--margin", "0.03", "--merge-margin", "0.02",
            "--algorithm", "lee-kuehne", "--verify-drives", "2000", "--workdir", wd, "--sarkit", SlurmJobPlanningTests.CliCommand(), "--cpus-per-task", "1", "--mem", "none");
        Assert.True(plan.ExitCode == 0, plan.Err);
        var submit = SlurmJobPlanningTests.Run(SlurmJobPlanningTests.Bash, [Path.Combine(wd, "submit.sh")], env, 60_000);
        Assert.True(submit.Code == 0, submit.Err);
        Assert.Equal(["summarise", "compress", "merge", "verify"], File.ReadAllLines(Path.Combine(wd, "jobs.txt")).Select(l => l.Split(' ')[0]));
        return new VopRun(wd, q, all, n, count);
    }

    private static void CheckVop(VopRun v, (ClusterStatusResult Status, HashSet<string> Seen) followed, TempDir dir)
    {
        var (status, seenByScheduler) = followed;
        var (wd, q, all, n, count) = v;
        Assert.True(status.Complete, string.Join("; ", status.Stages.Select(s => $"{s.Name} {s.Done}/{s.Tasks} failed {s.Failed}")) + "\n" + Logs(wd));
        Assert.NotEmpty(seenByScheduler);

        var merged = VopSetFiles.Read(Path.Combine(wd, "vops.h5"));
        Assert.True(merged.HasValidCertificate(out var why), why);
        Assert.Equal(2 * count, merged.SourceCount);
        Assert.Equal(VopSet.HashMatrices(all), merged.SourceSha256);
        Assert.Equal(0.05, merged.Margin.Epsilon, 12);

        // the local run of the same inputs: the same guarantees
        SlurmJobPlanningTests.AssertLocalRunHasTheSameGuarantees(dir, q, merged, all, n, 5);
    }

    private static string SubmitSeqCheck(TempDir dir, Dictionary<string, string> env)
    {
        // the two example sequences (pass) and a broken file (bad input, exit 2: a result, not a failed task)
        string ex = Path.Combine(Support.SharedData.RepoRoot, "examples", "seq"), folder = dir.File("seqs");
        Directory.CreateDirectory(folder);
        foreach (var f in new[] { "gre_sinc.seq", "gre_rfshims.seq" }) File.Copy(Path.Combine(ex, f), Path.Combine(folder, f));
        File.WriteAllText(Path.Combine(folder, "zz_broken.seq"), "[VERSION]\nmajor 1\n[BLOCKS]\n1 x\n");
        var wd = dir.File("seqwork");
        var plan = CliRunner.Run("cluster", "slurm", "seq-check", "--folder", folder, "--workdir", wd, "--sarkit", SlurmJobPlanningTests.CliCommand(),
            "--cpus-per-task", "1", "--mem", "none", "--", "--vops", Path.Combine(ex, "demo_vops_10g.h5"), "--calibration", Path.Combine(ex, "calibration_default_shim.json"));
        Assert.True(plan.ExitCode == 0, plan.Err);
        var submit = SlurmJobPlanningTests.Run(SlurmJobPlanningTests.Bash, [Path.Combine(wd, "submit.sh")], env, 60_000);
        Assert.True(submit.Code == 0, submit.Err);
        return wd;
    }

    private static void CheckSeqCheck(string wd, (ClusterStatusResult Status, HashSet<string> Seen) followed)
    {
        var status = followed.Status;
        Assert.True(status.Complete, string.Join("; ", status.Stages.Select(s => $"{s.Name} {s.Done}/{s.Tasks} failed {s.Failed}")) + "\n" + Logs(wd));
        Assert.Equal(3, status.Stages.Single(s => s.Name == "check").Done);
        var rows = status.Sequences!;
        Assert.Equal(["gre_rfshims.seq", "gre_sinc.seq", "zz_broken.seq"], rows.Select(r => Path.GetFileName(r.Sequence)));
        Assert.All(rows.Take(2), r => { Assert.Equal("pass", r.Status); Assert.Equal(0, r.ExitCode); Assert.NotNull(r.BindingRatio); Assert.InRange(r.BindingRatio!.Value, 0, 1); });
        Assert.Equal(2, rows[2].ExitCode);
        // the summary job (afterany) wrote the same table
        var tsv = File.ReadAllLines(Path.Combine(wd, "summary.tsv"));
        Assert.Equal(4, tsv.Length);
        Assert.Contains("zz_broken.seq", tsv[3]);
    }

    /// <summary>Stub of tools/surrogate3d/run_subject.py (same arguments): attempt k of subject ID fails while k ≤ FAILS[ID].</summary>
    private const string StubSubject = """
        import argparse, json, os, sys
        p = argparse.ArgumentParser()
        for a in ("--family", "--seed", "--workdir", "--outdir", "--threads", "--sarkit", "--verbose"): p.add_argument(a)
        a = p.parse_args()
        sid = "%s%05d" % (a.family, int(a.seed))
        fails = {"A00001": 0, "B00002": 1, "A00003": 2}[sid]
        marker = os.path.join(a.workdir, sid + ".attempts")
        k = (int(open(marker).read()) if os.path.exists(marker) else 0) + 1
        open(marker, "w").write(str(k))
        if k <= fails:
            print("stub: simulated crash of %s, attempt %d" % (sid, k), file=sys.stderr); sys.exit(1)
        tmp = os.path.join(a.outdir, sid + ".json.tmp")
        json.dump({"id": sid, "attempts": k, "threads": int(a.threads), "stub": "no body model, no openEMS"}, open(tmp, "w"))
        os.replace(tmp, os.path.join(a.outdir, sid + ".json"))
        """;

    private static (string Wd, string Out) SubmitSurrogate(TempDir dir, Dictionary<string, string> env)
    {
        string stub = dir.File("run_subject_stub.py"), subjects = dir.File("subjects.txt"), wd = dir.File("s3dwork"), outDir = dir.File("s3d");
        File.WriteAllText(stub, StubSubject);
        File.WriteAllText(subjects, "# family seed\nA 1\nB 2\nA 3\n");
        var plan = CliRunner.Run("cluster", "slurm", "surrogate", "--subjects", subjects, "--script", stub, "--outdir", outDir, "--workdir", wd,
            "--retries", "1", "--sarkit", SlurmJobPlanningTests.CliCommand(), "--cpus-per-task", "1", "--mem", "none");
        Assert.True(plan.ExitCode == 0, plan.Err);
        var submit = SlurmJobPlanningTests.Run(SlurmJobPlanningTests.Bash, [Path.Combine(wd, "submit.sh")], env, 60_000);
        Assert.True(submit.Code == 0, submit.Err);
        return (wd, outDir);
    }

    private static void CheckSurrogate((string Wd, string Out) s, TempDir dir, Dictionary<string, string> env)
    {
        // first submission: subject 1 done at once, subject 2 done by the in-task retry, subject 3 fails both attempts
        var (status, seen) = Follow(s.Wd, env, st => st.Stages.All(x => x.Pending == 0));
        Assert.NotEmpty(seen);
        var stage = status.Stages.Single();
        Assert.False(status.Complete);
        Assert.Equal(2, stage.Done);
        Assert.Equal([3], stage.FailedTasks);
        Assert.Contains("attempt 2", File.ReadAllText(Path.Combine(s.Wd, "state", "subject.2.done")));
        Assert.False(File.Exists(Path.Combine(s.Out, "A00003.json")));
        // rerun of submit.sh: finished subjects are skipped, the failed one is retried and now finishes (the old failure
        // marker stays until the task starts again, so follow until complete or a failure marker rewritten after the
        // resubmission: compared with the marker's own time before it, not with the clock, because the first
        // submission may have written it moments before this line)
        string FailedMarker(int t) => Path.Combine(s.Wd, "state", $"subject.{t}.failed");
        var before = Enumerable.Range(1, 3).ToDictionary(t => t, t => File.Exists(FailedMarker(t)) ? File.GetLastWriteTimeUtc(FailedMarker(t)) : DateTime.MinValue);
        var again = SlurmJobPlanningTests.Run(SlurmJobPlanningTests.Bash, [Path.Combine(s.Wd, "submit.sh")], env, 60_000);
        Assert.True(again.Code == 0, again.Err);
        (status, _) = Follow(s.Wd, env, st => st.Stages.Any(x => x.FailedTasks.Any(t => File.Exists(FailedMarker(t)) && File.GetLastWriteTimeUtc(FailedMarker(t)) > before[t])));
        Assert.True(status.Complete, string.Join("; ", status.Stages.Select(x => $"{x.Name} {x.Done}/{x.Tasks} failed {x.Failed}")) + "\n" + Logs(s.Wd));
        Assert.Contains("skipped", File.ReadAllText(Path.Combine(s.Wd, "state", "subject.1.done")));
        foreach (var (id, attempts) in new[] { ("A00001", 1), ("B00002", 2), ("A00003", 3) })
            Assert.Contains($"\"attempts\": {attempts}", File.ReadAllText(Path.Combine(s.Out, id + ".json")));
    }

    /// <summary>Polls <see cref="ClusterStatus"/> (with squeue/sacct) until complete, or <paramref name="stop"/> holds
    /// (default: a task failed; afterok chains stop there); 20 min at most.</summary>
    private static (ClusterStatusResult Status, HashSet<string> Seen) Follow(string wd, Dictionary<string, string> env, Func<ClusterStatusResult, bool>? stop = null)
    {
        string? Tool(string tool, string[] args)
        {
            var r = SlurmJobPlanningTests.Run("/usr/bin/" + tool, args, env, 30_000);
            return r.Code == 0 ? r.Out : null;
        }
        var seenByScheduler = new HashSet<string>();
        ClusterStatusResult status;
        var deadline = DateTime.UtcNow.AddMinutes(20);
        while (true)
        {
            status = ClusterStatus.Run(new ClusterStatusRequest { WorkDir = wd, RunTool = Tool });
            foreach (var l in status.Scheduler) seenByScheduler.Add(l);
            bool settled = stop is null ? status.Stages.Any(s => s.Failed > 0) : stop(status);
            if (status.Complete || settled || DateTime.UtcNow > deadline) break;
            Thread.Sleep(2000);
        }
        return (status, seenByScheduler);
    }

    private static string Logs(string wd) =>
        string.Join("\n", Directory.GetFiles(Path.Combine(wd, "logs")).Select(f => f + ": " + string.Join("\n", File.ReadAllLines(f).TakeLast(15))));
}
