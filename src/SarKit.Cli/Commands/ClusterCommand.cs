using System.CommandLine;
using System.Diagnostics;
using SarKit.Workflows;
using SarKit.Workflows.Results;

namespace SarKit.Cli.Commands;

/// <summary>
/// `sarkit cluster slurm vop|surrogate|seq-check` (writes a Slurm job plan, `--submit` runs its submit.sh) and
/// `sarkit cluster status WORKDIR` (docs/scale-out.md). Parsing and rendering only: the plan is
/// <see cref="SlurmJobPlanning"/>, the progress <see cref="ClusterStatus"/>.
/// </summary>
internal static class ClusterCommand
{
    private sealed class Common
    {
        public readonly Option<string> WorkDir = new("--workdir", "-w") { Description = "Work folder on a file system shared by the nodes (scripts, logs, state markers, outputs); created when missing.", Required = true };
        public readonly Option<string?> Sarkit = new("--sarkit") { Description = "Shell command that runs sarkit on the nodes, e.g. '/opt/sarkit/sarkit' or 'dotnet /opt/sarkit/SarKit.Cli.dll' (default: this sarkit)." };
        public readonly Option<int> Cpus = new Option<int>("--cpus-per-task") { Description = "CPUs per task (sbatch --cpus-per-task; also SARKIT_MAX_PARALLELISM of the task).", DefaultValueFactory = _ => 2 }.Range(1, 4096);
        public readonly Option<string?> Mem = new("--mem") { Description = "Memory per task (sbatch --mem, e.g. 8G; 'none' for the cluster default).", DefaultValueFactory = _ => "8G" };
        public readonly Option<string?> Time = new("--time") { Description = "Time limit per task (sbatch --time, e.g. 02:00:00)." };
        public readonly Option<string?> SlurmPartition = new("--slurm-partition") { Description = "Slurm partition (sbatch --partition)." };
        public readonly Option<string?> Account = new("--account") { Description = "Slurm account (sbatch --account)." };
        public readonly Option<int> MaxParallel = new Option<int>("--max-parallel") { Description = "Most array tasks running at once (--array=1-N%M); 0 = no limit.", DefaultValueFactory = _ => 0 }.Range(0, 1_000_000);
        public readonly Option<bool> Submit = new("--submit") { Description = "Submit the plan with sbatch (runs WORKDIR/submit.sh); otherwise only write it." };
        public readonly Option<bool> Json = new("--json") { Description = "Print one JSON object on stdout." };

        public void AddTo(Command c) { foreach (Option o in new Option[] { WorkDir, Sarkit, Cpus, Mem, Time, SlurmPartition, Account, MaxParallel, Submit, Json }) c.Add(o); }

        public SlurmPlanRequest Request(ParseResult p, string workflow) => new()
        {
            Workflow = workflow, WorkDir = p.GetValue(WorkDir)!, SarkitCommand = p.GetValue(Sarkit) ?? ThisSarkit(),
            CpusPerTask = p.GetValue(Cpus), Memory = p.GetValue(Mem) is "none" ? null : p.GetValue(Mem), TimeLimit = p.GetValue(Time),
            SlurmPartition = p.GetValue(SlurmPartition), Account = p.GetValue(Account), MaxParallelTasks = p.GetValue(MaxParallel),
        };
    }

    public static Command Create(CliIO io)
    {
        var cluster = new Command("cluster", "Scale-out: Slurm job plans for population VOPs, the surrogate dataset and batch sequence checks; their progress (docs/scale-out.md).");
        var slurm = new Command("slurm", "Write (and with --submit submit) sbatch array jobs with dependencies; every task is idempotent and its outputs atomic.");
        slurm.Add(Vop(io)); slurm.Add(Surrogate(io)); slurm.Add(SeqCheck(io));
        cluster.Add(slurm);
        cluster.Add(Status(io));
        return cluster;
    }

    private static Command Vop(CliIO io)
    {
        var c = new Common();
        var q = new Option<string[]>("--q") { Description = "Original Q-matrix file(s), e.g. one per body model (repeatable; concatenated in this order).", Required = true, AllowMultipleArgumentsPerToken = true };
        var qv = new Option<string?>("--q-variable") { Description = "Variable/member holding the matrices in .mat/.npz inputs." };
        var parts = new Option<int>("--partitions") { Description = "Partitions N = compress array tasks (contiguous blocks of the concatenated input; default: one per --q file).", DefaultValueFactory = _ => 0 }.Range(0, 1_000_000);
        var margin = new Option<string>("--margin") { Description = "Partition margin ε_p (fraction or %, of the global SAR_wc).", DefaultValueFactory = _ => "0.03" };
        var mergeMargin = new Option<string>("--merge-margin") { Description = "Merge margin ε_m; the certified bound is ε_p + ε_m.", DefaultValueFactory = _ => "0.02" };
        var algo = new Option<string>("--algorithm") { Description = "lee | lee-kuehne | iterative | hybrid | eichfelder.", DefaultValueFactory = _ => "iterative" };
        var drives = new Option<int>("--verify-drives") { Description = "Random drives of the final vop verify (the CC proof for every original always runs).", DefaultValueFactory = _ => 1_000_000 }.Range(0, 10_000_000);
        var cmd = new Command("vop", "Population VOPs: summarise (global SAR_wc) → compress (array, one partition per task) → merge (afterok) → verify against every original (afterok).") { q, qv, parts, margin, mergeMargin, algo, drives };
        c.AddTo(cmd);
        cmd.SetAction(p => io.Guard(() => Plan(io, p, c, c.Request(p, "vop") with
        {
            QFiles = p.GetValue(q)!, QVariable = p.GetValue(qv), Partitions = p.GetValue(parts), PartitionMargin = VopCommand.ParseMargin(p.GetValue(margin)!),
            MergeMargin = VopCommand.ParseMargin(p.GetValue(mergeMargin)!), Algorithm = p.GetValue(algo)!, VerifyDrives = p.GetValue(drives),
        })));
        return cmd;
    }

    private static Command Surrogate(CliIO io)
    {
        var c = new Common();
        var subjects = new Option<string>("--subjects") { Description = "Subjects list, lines 'FAMILY SEED' (e.g. tools/surrogate3d/subjects.txt); one array task per subject.", Required = true };
        var script = new Option<string>("--script") { Description = "tools/surrogate3d/run_subject.py of a SarKit checkout (needs Debian's openems, python3-openems, python3-h5py on the nodes).", Required = true };
        var outdir = new Option<string>("--outdir") { Description = "Output folder of the compact subject files (<id>.h5 + <id>.json).", Required = true };
        var retries = new Option<int>("--retries") { Description = "Extra attempts of a failed subject inside its task (each resumes the finished channels); the job is also --requeue'd on node failure.", DefaultValueFactory = _ => 2 }.Range(0, 100);
        var cmd = new Command("surrogate", "3D surrogate dataset: one openEMS subject per array task (run_subject.py), resumable, failed tasks retried.") { subjects, script, outdir, retries };
        c.AddTo(cmd);
        cmd.SetAction(p => io.Guard(() => Plan(io, p, c, c.Request(p, "surrogate") with
        {
            SubjectsFile = p.GetValue(subjects), SubjectScript = p.GetValue(script), SurrogateOutDir = p.GetValue(outdir), Retries = p.GetValue(retries),
        })));
        return cmd;
    }

    private static Command SeqCheck(CliIO io)
    {
        var c = new Common();
        var folder = new Option<string>("--folder") { Description = "Folder of Pulseq .seq files (one array task each).", Required = true };
        var args = new Argument<string[]>("SEQ-CHECK-ARGS") { Description = "Arguments for every `sarkit seq check` after `--`, e.g. -- --vops V.h5 --global G.h5 --calibration '1 V/uT'.", Arity = ArgumentArity.ZeroOrMore };
        var cmd = new Command("seq-check", "Batch `seq check` over a folder of sequences, then one summary table (summary.tsv, afterany).") { folder, args };
        c.AddTo(cmd);
        cmd.SetAction(p => io.Guard(() => Plan(io, p, c, c.Request(p, "seq-check") with
        {
            SequenceFolder = p.GetValue(folder), CheckArguments = p.GetValue(args) ?? [],
        })));
        return cmd;
    }

    private static int Plan(CliIO io, ParseResult p, Common c, SlurmPlanRequest request)
    {
        var plan = SlurmJobPlanning.Run(request);
        bool json = p.GetValue(c.Json);
        if (!json)
        {
            io.Out.WriteLine($"plan: {plan.Description}");
            foreach (var j in plan.Jobs)
                io.Out.WriteLine($"  {j.Name,-10} {j.Script,-22} {(j.ArrayTasks > 1 ? $"array 1-{j.ArrayTasks}" : "1 task"),-14} {(j.DependsOn is { } d ? $"{j.DependencyType}:{d}" : "")}");
            io.Out.WriteLine($"wrote {plan.WorkDir}: submit.sh (sbatch), run-local.sh (no Slurm), plan.json; progress: sarkit cluster status {plan.WorkDir}");
        }
        if (!p.GetValue(c.Submit)) { if (json) ResultJson.Write(io.Out, plan); return CliApp.ExitOk; }
        var psi = new ProcessStartInfo("/bin/bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(plan.SubmitScript);
        using var proc = Process.Start(psi) ?? throw new InvalidOperationException("cannot start /bin/bash");
        var err = proc.StandardError.ReadToEndAsync();
        string output = proc.StandardOutput.ReadToEnd();
        proc.WaitForExit();
        io.Err.Write(err.Result);
        if (proc.ExitCode != 0)
        {
            io.Err.WriteLine($"error: submit.sh exited with {proc.ExitCode} (plan kept in {plan.WorkDir}; fix and rerun {plan.SubmitScript}).");
            return CliApp.ExitBadInput;
        }
        if (json) ResultJson.Write(io.Out, plan);
        else io.Out.Write("submitted:\n" + string.Join("", output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => "  " + l + "\n")));
        return CliApp.ExitOk;
    }

    private static Command Status(CliIO io)
    {
        var dir = new Argument<string>("WORKDIR") { Description = "Work folder of a plan (plan.json)." };
        var summary = new Option<string?>("--summary") { Description = "seq-check: write the summary table (tab-separated) here, atomically." };
        var noScheduler = new Option<bool>("--no-scheduler") { Description = "Do not ask squeue/sacct (files only)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object on stdout." };
        var cmd = new Command("status", "Progress of a planned workflow: tasks done/failed/pending per stage (state markers), squeue/sacct when present; seq-check: the summary table.") { dir, summary, noScheduler, json };
        cmd.SetAction(p => io.Guard(() =>
        {
            var r = ClusterStatus.Run(new ClusterStatusRequest { WorkDir = p.GetValue(dir)!, SummaryPath = p.GetValue(summary), QueryScheduler = !p.GetValue(noScheduler) });
            if (p.GetValue(json)) { ResultJson.Write(io.Out, r); return CliApp.ExitOk; }
            io.Out.WriteLine($"{r.Workflow} in {r.WorkDir}: {(r.Complete ? "complete" : "not complete")}");
            foreach (var s in r.Stages)
                io.Out.WriteLine($"  {s.Name,-10} {s.Done}/{s.Tasks} done, {s.Failed} failed, {s.Pending} pending{(s.FailedTasks.Length > 0 ? " (failed tasks: " + string.Join(',', s.FailedTasks.Take(20)) + (s.FailedTasks.Length > 20 ? ",…" : "") + ")" : "")}");
            foreach (var l in r.Scheduler) io.Out.WriteLine($"  slurm: {l}");
            if (r.Sequences is { } rows) io.Out.Write(ClusterStatus.SummaryTable(rows));
            if (r.SummaryFile is { } f) io.Out.WriteLine($"wrote {f}");
            return CliApp.ExitOk;
        }));
        return cmd;
    }

    /// <summary>The command that runs this sarkit: the apphost, or `dotnet SarKit.Cli.dll` when started through dotnet.</summary>
    private static string ThisSarkit()
    {
        var exe = Environment.ProcessPath ?? throw new SarKitInputException("--sarkit: cannot tell how this sarkit was started; give the command.");
        var entry = System.Reflection.Assembly.GetEntryAssembly()?.Location;
        if (Path.GetFileNameWithoutExtension(exe) == "dotnet")
        {
            if (string.IsNullOrEmpty(entry) || !entry.EndsWith("SarKit.Cli.dll", StringComparison.Ordinal))
                throw new SarKitInputException("--sarkit: not started as the sarkit CLI; give the command that runs sarkit on the nodes.");
            return Sh(exe) + " " + Sh(entry);
        }
        return Sh(exe);
    }

    private static string Sh(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
