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
/// The VOP workflow on a real, single-node Slurm cluster (munge + slurmctld + slurmd on 127.0.0.1, started and stopped
/// by the test): submit.sh submits summarise → compress array → merge → verify with afterok dependencies; the
/// certified result is compared with the single-machine run of the same inputs.
/// </summary>
[Collection("Console")]
public sealed class SlurmClusterTests
{
    [SlurmClusterFact]
    [Trait("Category", "Slow")]
    public void VopWorkflowRunsOnALocalSlurmClusterCertifiedAgainstEveryOriginal()
    {
        using var dir = new TempDir();
        const int n = 4, count = 100;
        var q = new[] { dir.File("q0.h5"), dir.File("q1.h5") };
        var sets = new[] { VopVerifierTests.RandomSet(n, count, 21, rank: 2), VopVerifierTests.RandomSet(n, count, 22, rank: 2) };
        for (int f = 0; f < 2; f++) VopCliTests.WriteQ(q[f], sets[f], n);
        var all = sets[0].Concat(sets[1]).ToArray();
        string script = Path.Combine(Support.SharedData.RepoRoot, "scripts", "slurm-test-cluster.sh"), cluster = dir.File("cluster");
        var env = new Dictionary<string, string> { ["SARKIT_SLURM_PORT"] = (46000 + Random.Shared.Next(0, 900) * 2).ToString(System.Globalization.CultureInfo.InvariantCulture) };
        var start = SlurmJobPlanningTests.Run(SlurmJobPlanningTests.Bash, [script, "start", cluster], env, 120_000);
        try
        {
            Assert.True(start.Code == 0, "the local Slurm cluster did not start: " + start.Err);
            env["SLURM_CONF"] = Path.Combine(cluster, "slurm.conf");
            var wd = dir.File("work");
            var plan = CliRunner.Run("cluster", "slurm", "vop", "--q", q[0], "--q", q[1], "--partitions", "3", "--margin", "0.03", "--merge-margin", "0.02",
                "--algorithm", "lee-kuehne", "--verify-drives", "2000", "--workdir", wd, "--sarkit", SlurmJobPlanningTests.CliCommand(), "--cpus-per-task", "1", "--mem", "none");
            Assert.True(plan.ExitCode == 0, plan.Err);
            var submit = SlurmJobPlanningTests.Run(SlurmJobPlanningTests.Bash, [Path.Combine(wd, "submit.sh")], env, 60_000);
            Assert.True(submit.Code == 0, submit.Err);
            Assert.Equal(["summarise", "compress", "merge", "verify"], File.ReadAllLines(Path.Combine(wd, "jobs.txt")).Select(l => l.Split(' ')[0]));

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
                // afterok: a failed task leaves its dependants pending for ever, so stop at the first failure
                if (status.Complete || status.Stages.Any(s => s.Failed > 0) || DateTime.UtcNow > deadline) break;
                Thread.Sleep(2000);
            }
            Assert.True(status.Complete, string.Join("; ", status.Stages.Select(s => $"{s.Name} {s.Done}/{s.Tasks} failed {s.Failed}")) + "\n" + Logs(wd));
            Assert.NotEmpty(seenByScheduler);

            var merged = VopSetFiles.Read(Path.Combine(wd, "vops.h5"));
            Assert.True(merged.HasValidCertificate(out var why), why);
            Assert.Equal(2 * count, merged.SourceCount);
            Assert.Equal(VopSet.HashMatrices(all), merged.SourceSha256);
            Assert.Equal(0.05, merged.Margin.Epsilon, 12);

            // the local run of the same inputs: the same guarantees
            var local = dir.File("local.h5");
            var lr = CliRunner.Run("vop", "compress", "--q", q[0], "--q", q[1], "--margin", "0.05", "--algorithm", "lee-kuehne", "--drives", "2000", "-o", local);
            Assert.True(lr.ExitCode == 0, lr.Err);
            var one = VopSetFiles.Read(local);
            Assert.True(one.HasValidCertificate(out why), why);
            Assert.Equal(one.SourceSha256, merged.SourceSha256);
            foreach (var set in new[] { merged, one })
            {
                var rep = OverestimationReport.Compute(all, set.Packed, n, 5000, 5);
                Assert.True(rep.MinRelative >= -1e-12, "no drive underestimated");
                Assert.True(rep.MaxAbsoluteOverSarWc <= 0.05 + 1e-9, $"absolute overestimation {rep.MaxAbsoluteOverSarWc} ≤ ε_p + ε_m");
            }
        }
        finally
        {
            var stop = SlurmJobPlanningTests.Run(SlurmJobPlanningTests.Bash, [script, "stop", cluster], env, 60_000);
            Assert.True(stop.Code == 0, stop.Err);
            foreach (var pid in new[] { "slurmd.pid", "slurmctld.pid", "munge/munged.pid" }.Select(f => Path.Combine(cluster, f)).Where(File.Exists))
                Assert.False(Directory.Exists("/proc/" + File.ReadAllText(pid).Trim()), pid + ": daemon still running after stop");
        }
    }

    private static string Logs(string wd) =>
        string.Join("\n", Directory.GetFiles(Path.Combine(wd, "logs")).Select(f => f + ": " + string.Join("\n", File.ReadAllLines(f).TakeLast(15))));
}
