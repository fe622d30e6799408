using System.Globalization;
using System.Text;
using SarKit.Reporting;
using SarKit.Workflows.Results;

namespace SarKit.Workflows;

/// <summary>
/// What <see cref="SlurmJobPlanning"/> plans: the workflow and its inputs, the Slurm resources of every job, and the
/// command that runs SarKit on the compute nodes.
/// </summary>
public sealed record SlurmPlanRequest
{
    /// <summary>"vop" (population VOPs: summarise → compress array → merge → verify), "surrogate" (one openEMS subject
    /// per array task) or "seq-check" (one sequence per array task, then one summary table).</summary>
    public required string Workflow { get; init; }
    /// <summary>Work folder on a file system shared by the nodes; created when missing. Scripts, logs, state markers and outputs go here.</summary>
    public required string WorkDir { get; init; }
    /// <summary>Shell command prefix that runs the sarkit CLI on a compute node, e.g. <c>/opt/sarkit/sarkit</c> or <c>dotnet /opt/sarkit/SarKit.Cli.dll</c>;
    /// written verbatim into the wrapper WORKDIR/bin/sarkit.</summary>
    public required string SarkitCommand { get; init; }

    /// <summary>vop: the original Q-matrix files, in this order (as <c>vop compress --q</c>).</summary>
    public IReadOnlyList<string> QFiles { get; init; } = [];
    /// <summary>vop: <c>--q-variable</c> for .mat/.npz inputs, or null.</summary>
    public string? QVariable { get; init; }
    /// <summary>vop: number of partitions N (array tasks 1..N); 0 = one per Q file.</summary>
    public int Partitions { get; init; }
    /// <summary>vop: partition margin ε_p, fraction of the global SAR_wc.</summary>
    public double PartitionMargin { get; init; } = 0.03;
    /// <summary>vop: merge margin ε_m, fraction of SAR_wc; the merged bound is ε_p + ε_m.</summary>
    public double MergeMargin { get; init; } = 0.02;
    /// <summary>vop: compression algorithm of the partitions and the merge.</summary>
    public string Algorithm { get; init; } = "iterative";
    /// <summary>vop: random drives of the final <c>vop verify</c> (the CC proof for every original is always done).</summary>
    public int VerifyDrives { get; init; } = 1_000_000;

    /// <summary>surrogate: subjects list (lines "FAMILY SEED", # comments), e.g. tools/surrogate3d/subjects.txt.</summary>
    public string? SubjectsFile { get; init; }
    /// <summary>surrogate: tools/surrogate3d/run_subject.py.</summary>
    public string? SubjectScript { get; init; }
    /// <summary>surrogate: output folder of the compact subject files (run_subject.py --outdir).</summary>
    public string? SurrogateOutDir { get; init; }
    /// <summary>surrogate: extra attempts of a failed subject inside its task (each resumes the finished channels).</summary>
    public int Retries { get; init; } = 2;

    /// <summary>seq-check: folder whose *.seq files are checked (not recursive, sorted by ordinal name).</summary>
    public string? SequenceFolder { get; init; }
    /// <summary>seq-check: arguments passed to every <c>sarkit seq check</c> (e.g. --vops V.h5 --global G.h5).</summary>
    public IReadOnlyList<string> CheckArguments { get; init; } = [];

    /// <summary>CPUs per task (<c>--cpus-per-task</c>).</summary>
    public int CpusPerTask { get; init; } = 2;
    /// <summary>Memory per task (<c>--mem</c>, Slurm syntax e.g. 8G), or null for the cluster default.</summary>
    public string? Memory { get; init; } = "8G";
    /// <summary>Time limit per task (<c>--time</c>, e.g. 02:00:00), or null.</summary>
    public string? TimeLimit { get; init; }
    /// <summary>Slurm partition (<c>--partition</c>), or null.</summary>
    public string? SlurmPartition { get; init; }
    /// <summary>Slurm account (<c>--account</c>), or null.</summary>
    public string? Account { get; init; }
    /// <summary>Most array tasks running at once (<c>--array=1-N%M</c>), 0 = no limit.</summary>
    public int MaxParallelTasks { get; init; }
}

/// <summary>
/// Slurm job plans for the work that outgrows one machine (docs/scale-out.md): writes sbatch scripts, a
/// <c>submit.sh</c> that submits them with <c>--dependency=afterok</c>/<c>afterany</c> chains, a <c>run-local.sh</c>
/// that runs the same scripts without Slurm (array tasks as processes), a wrapper <c>bin/sarkit</c> and
/// <c>plan.json</c> (the <see cref="SlurmPlanResult"/>), every file written atomically. Nothing is submitted here.
/// <para>Every task is idempotent: it first checks whether its output exists and verifies (a partition VOP set is
/// re-proved against its block with <c>vop verify --partition i/N</c>, the merged set against every original), and
/// then does nothing; otherwise it (re)computes into a temporary file renamed over the target (sarkit's own outputs are
/// atomic, docs/vop-cli.md). Each finished task leaves <c>state/STAGE.INDEX.done</c> (or <c>.failed</c> with the exit
/// code), which <see cref="ClusterStatus"/> counts.</para>
/// <para>VOP correctness composes as in docs/vop-cli.md "Partitions and merge": each partition is certified (CC
/// criterion, Lee et al., MRM 2012) against its block, the merge against every original, and the last job runs
/// <c>vop verify</c> against every original, so the certified result has the single-machine guarantees with the
/// composed margin ε_p + ε_m.</para>
/// </summary>
public static class SlurmJobPlanning
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Builds and writes the plan; bad input is a <see cref="SarKitInputException"/> naming the option.</summary>
    public static SlurmPlanResult Run(SlurmPlanRequest r)
    {
        ArgumentNullException.ThrowIfNull(r);
        if (string.IsNullOrWhiteSpace(r.WorkDir)) throw new SarKitInputException("--workdir: a work folder is required.");
        if (string.IsNullOrWhiteSpace(r.SarkitCommand)) throw new SarKitInputException("--sarkit: the command that runs sarkit on the nodes is empty.");
        if (r.CpusPerTask < 1) throw new SarKitInputException($"--cpus-per-task {r.CpusPerTask}: must be ≥ 1.");
        if (r.MaxParallelTasks < 0) throw new SarKitInputException($"--max-parallel {r.MaxParallelTasks}: must be ≥ 0.");
        CheckSlurmWord("--mem", r.Memory); CheckSlurmWord("--time", r.TimeLimit); CheckSlurmWord("--slurm-partition", r.SlurmPartition); CheckSlurmWord("--account", r.Account);
        string wd = Path.GetFullPath(r.WorkDir);
        var plan = r.Workflow switch
        {
            "vop" => PlanVop(r, wd),
            "surrogate" => PlanSurrogate(r, wd),
            "seq-check" => PlanSeqCheck(r, wd),
            _ => throw new SarKitInputException($"workflow '{r.Workflow}': expected vop, surrogate or seq-check."),
        };
        foreach (var d in new[] { wd, Path.Combine(wd, "bin"), Path.Combine(wd, "logs"), Path.Combine(wd, "state") }) Directory.CreateDirectory(d);
        foreach (var d in plan.Folders) Directory.CreateDirectory(Path.Combine(wd, d));
        foreach (var (name, text) in plan.ExtraFiles) WriteText(Path.Combine(wd, name), text, executable: false);
        WriteText(Path.Combine(wd, "bin", "sarkit"), "#!/bin/bash\n# sarkit on the compute nodes (written by sarkit cluster slurm)\nexec " + r.SarkitCommand.Trim() + " \"$@\"\n", executable: true);
        foreach (var (job, text) in plan.Jobs) WriteText(Path.Combine(wd, job.Script), text, executable: true);
        var jobs = plan.Jobs.Select(j => j.Job).ToArray();
        WriteText(Path.Combine(wd, "submit.sh"), SubmitScript(wd, jobs), executable: true);
        WriteText(Path.Combine(wd, "run-local.sh"), LocalScript(wd, jobs), executable: true);
        var result = new SlurmPlanResult(r.Workflow, wd, jobs, Path.Combine(wd, "submit.sh"), Path.Combine(wd, "run-local.sh"), plan.Description, SarKitVersion.Current);
        WriteText(Path.Combine(wd, "plan.json"), ResultJson.Serialize(result) + "\n", executable: false);
        return result;
    }

    private sealed record Plan(List<(SlurmJobResult Job, string Text)> Jobs, List<(string Name, string Text)> ExtraFiles, string[] Folders, string Description);

    // ---------------------------------------------------------------- VOP population
    private static Plan PlanVop(SlurmPlanRequest r, string wd)
    {
        if (r.QFiles.Count == 0) throw new SarKitInputException("--q: the vop workflow needs at least one Q-matrix file.");
        var q = r.QFiles.Select(f =>
        {
            if (!File.Exists(f)) throw new SarKitInputException($"--q '{f}': file not found.") { SourceFile = f };
            return Path.GetFullPath(f);
        }).ToArray();
        int n = r.Partitions == 0 ? q.Length : r.Partitions;
        if (n < 1) throw new SarKitInputException($"--partitions {r.Partitions}: must be ≥ 1.");
        CheckMargin("--margin", r.PartitionMargin); CheckMargin("--merge-margin", r.MergeMargin);
        if (r.VerifyDrives < 0) throw new SarKitInputException($"--verify-drives {r.VerifyDrives}: must be ≥ 0.");
        if (r.Algorithm is not ("lee" or "lee-kuehne" or "iterative" or "hybrid" or "eichfelder")) throw new SarKitInputException($"--algorithm '{r.Algorithm}': expected lee, lee-kuehne, iterative, hybrid or eichfelder.");
        var qArgs = string.Join(' ', q.Select(f => "--q " + Sh(f))) + (r.QVariable is { } v ? " --q-variable " + Sh(v) : "");
        string ep = r.PartitionMargin.ToString("R", Inv), em = r.MergeMargin.ToString("R", Inv), alg = Sh(r.Algorithm);
        string nText = n.ToString(Inv);
        var jobs = new List<(SlurmJobResult, string)>();

        var summarise = new SlurmJobResult("summarise", "01-summarise.sbatch", 1, null, null, "summary.json, sar_wc.txt");
        jobs.Add((summarise, Header(r, wd, summarise, "1 streaming pass over all originals: count, channels, SAR_wc (the global margin base of every partition), SHA-256") + $$"""
            if [ -s sar_wc.txt ] && [ -s summary.json ]; then mark done "skipped: sar_wc.txt exists"; exit 0; fi
            run "$SARKIT" vop summarise {{qArgs}} --json > "summary.json.tmp.$$" || fail $?
            sar=$(tr -d ' \n' < "summary.json.tmp.$$" | sed -n 's/.*"sar_wc":\([^,}]*\).*/\1/p')
            [ -n "$sar" ] || { echo "no sar_wc in the summary" >&2; fail 1; }
            printf '%s\n' "$sar" > "sar_wc.txt.tmp.$$" && mv -f "summary.json.tmp.$$" summary.json && mv -f "sar_wc.txt.tmp.$$" sar_wc.txt || fail 1
            mark done "SAR_wc $sar"
            """));

        var compress = new SlurmJobResult("compress", "02-compress.sbatch", n, "summarise", "afterok", "parts/part_I.h5");
        jobs.Add((compress, Header(r, wd, compress, $"partition i/{nText} of the originals → certified partition VOP set (ε_p = {ep} of the global SAR_wc)") + $$"""
            out="parts/part_$i.h5"
            if [ -f "$out" ] && check_copy "$out" {{qArgs}} --partition "$i/{{nText}}" --drives 0 > "logs/compress.$i.check.txt" 2>&1; then
              mark done "skipped: $out exists and is certified against partition $i/{{nText}}"; exit 0
            fi
            args=(vop compress {{qArgs}} --partition "$i/{{nText}}" --global-sar-wc "$(cat sar_wc.txt)" --margin {{ep}} --algorithm {{alg}} --drives 0 -o "$out")
            if [ -f "$out.checkpoint.json" ]; then run "$SARKIT" "${args[@]}" --resume || run "$SARKIT" "${args[@]}" || fail $?
            else run "$SARKIT" "${args[@]}" || fail $?; fi
            mark done "compressed"
            """));

        var parts = string.Join(' ', Enumerable.Range(1, n).Select(k => $"parts/part_{k}.h5"));
        var merge = new SlurmJobResult("merge", "03-merge.sbatch", 1, "compress", "afterok", "vops.h5");
        jobs.Add((merge, Header(r, wd, merge, $"union of the {nText} certified partition sets → merged set (ε_m = {em}), certified against every original") + $$"""
            newer=1; for p in {{parts}}; do [ vops.h5 -nt "$p" ] || newer=0; done
            if [ -f vops.h5 ] && [ $newer = 1 ] && check_copy vops.h5 {{qArgs}} --drives 0 > logs/merge.check.txt 2>&1; then
              mark done "skipped: vops.h5 is newer than every partition and certified against every original"; exit 0
            fi
            run "$SARKIT" vop merge {{parts}} {{qArgs}} --margin {{em}} --algorithm {{alg}} --drives 0 -o vops.h5 || fail $?
            mark done "merged"
            """));

        var verify = new SlurmJobResult("verify", "04-verify.sbatch", 1, "merge", "afterok", "verify.json");
        jobs.Add((verify, Header(r, wd, verify, $"final certificate: CC proof for every original + {r.VerifyDrives.ToString(Inv)} random drives") + $$"""
            if [ -s verify.json ] && [ verify.json -nt vops.h5 ]; then mark done "skipped: verify.json is newer than vops.h5"; exit 0; fi
            # verify a copy; only a passed certificate replaces vops.h5 (rename), so a failed check never damages the set
            cp -p vops.h5 ".verify.$$.h5" || fail 1
            run "$SARKIT" vop verify ".verify.$$.h5" {{qArgs}} --drives {{r.VerifyDrives.ToString(Inv)}} --json > "verify.json.tmp.$$"; rc=$?
            if [ $rc -ne 0 ]; then rm -f ".verify.$$.h5"; mv -f "verify.json.tmp.$$" verify.failed.json; fail $rc; fi
            mv -f ".verify.$$.h5" vops.h5 && mv -f "verify.json.tmp.$$" verify.json || fail 1
            mark done "certified"
            """));
        return new Plan(jobs, [], ["parts"], $"VOP population: {q.Length} Q file(s) in {nText} partition(s), ε_p = {ep}, ε_m = {em} (bound ε_p + ε_m), algorithm {r.Algorithm}");
    }

    // ---------------------------------------------------------------- surrogate dataset
    private static Plan PlanSurrogate(SlurmPlanRequest r, string wd)
    {
        if (r.SubjectsFile is null || !File.Exists(r.SubjectsFile)) throw new SarKitInputException($"--subjects '{r.SubjectsFile}': file not found.") { SourceFile = r.SubjectsFile };
        if (r.SubjectScript is null || !File.Exists(r.SubjectScript)) throw new SarKitInputException($"--script '{r.SubjectScript}': run_subject.py not found.") { SourceFile = r.SubjectScript };
        if (string.IsNullOrWhiteSpace(r.SurrogateOutDir)) throw new SarKitInputException("--outdir: the surrogate workflow needs an output folder.");
        if (r.Retries is < 0 or > 100) throw new SarKitInputException($"--retries {r.Retries}: expected 0–100.");
        var lines = File.ReadAllLines(r.SubjectsFile).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();
        if (lines.Length == 0) throw new SarKitInputException($"--subjects '{r.SubjectsFile}': no subjects (lines 'FAMILY SEED').") { SourceFile = r.SubjectsFile };
        for (int k = 0; k < lines.Length; k++)
        {
            var t = lines[k].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (t.Length != 2 || t[0] is not ("A" or "B") || !long.TryParse(t[1], NumberStyles.None, Inv, out _))
                throw new SarKitInputException($"--subjects '{r.SubjectsFile}': subject {k + 1} '{lines[k]}': expected 'A|B SEED'.") { SourceFile = r.SubjectsFile };
        }
        string outDir = Path.GetFullPath(r.SurrogateOutDir), script = Path.GetFullPath(r.SubjectScript);
        var job = new SlurmJobResult("subject", "01-subject.sbatch", lines.Length, null, null, "OUTDIR/ID.json");
        var text = Header(r, wd, job, $"one subject per task: body model → 8 openEMS runs → validated compact file (resumable; {r.Retries.ToString(Inv)} retries)") + $$"""
            default_cpus={{r.CpusPerTask.ToString(Inv)}}
            read -r fam seed < <(sed -n "${i}p" subjects.txt)
            id=$(printf '%s%05d' "$fam" "$seed")
            outdir={{Sh(outDir)}}
            mkdir -p "$outdir" surrogate-work
            if [ -f "$outdir/$id.json" ]; then mark done "skipped: $id finished"; exit 0; fi
            if [ -f "$outdir/$id.failed.json" ]; then mark done "refused: $id (validation; see $outdir/$id.failed.json)"; exit 0; fi
            attempt=0; rc=1
            while [ $attempt -le {{r.Retries.ToString(Inv)}} ]; do
              attempt=$((attempt + 1))
              run /usr/bin/python3 {{Sh(script)}} --family "$fam" --seed "$seed" --workdir "$PWD/surrogate-work" --outdir "$outdir" \
                  --threads "${SLURM_CPUS_PER_TASK:-$default_cpus}" --sarkit "$SARKIT" --verbose 1; rc=$?
              case $rc in
                0) mark done "$id finished (attempt $attempt)"; exit 0 ;;
                2) mark done "refused: $id (validation; see $outdir/$id.failed.json)"; exit 0 ;;
                3) sleep 30 ;;   # busy: another process holds the subject's lock
                *) sleep 5 ;;
              esac
            done
            fail $rc
            """;
        var list = string.Join('\n', lines.Select(l => string.Join(' ', l.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)))) + "\n";
        return new Plan([(job, text)], [("subjects.txt", list)], ["surrogate-work"], $"surrogate dataset: {lines.Length} subject(s) → {outDir}, {r.Retries} retries per task, requeued on node failure");
    }

    // ---------------------------------------------------------------- batch seq check
    private static Plan PlanSeqCheck(SlurmPlanRequest r, string wd)
    {
        if (r.SequenceFolder is null || !Directory.Exists(r.SequenceFolder)) throw new SarKitInputException($"--folder '{r.SequenceFolder}': folder not found.");
        var seqs = Directory.GetFiles(r.SequenceFolder, "*.seq").Select(Path.GetFullPath).Order(StringComparer.Ordinal).ToArray();
        if (seqs.Length == 0) throw new SarKitInputException($"--folder '{r.SequenceFolder}': no *.seq files.");
        foreach (var s in seqs) if (s.Contains('\n')) throw new SarKitInputException($"--folder: file name '{s}' contains a line break.");
        string args = string.Join(' ', r.CheckArguments.Select(Sh));
        var check = new SlurmJobResult("check", "01-check.sbatch", seqs.Length, null, null, "results/NNNN-NAME.json");
        var text = Header(r, wd, check, $"sarkit seq check of sequence i of {seqs.Length.ToString(Inv)} (exit 0 pass, 3 limit exceeded, 2 bad input: all three are results)") + $$"""
            f=$(sed -n "${i}p" sequences.txt)
            name=$(printf '%04d' "$i")-$(basename "$f" .seq)
            if [ -s "results/$name.exit" ]; then mark done "skipped: $name checked"; exit 0; fi
            run "$SARKIT" seq check "$f" {{args}} --json > "results/$name.json.tmp.$$" 2> "results/$name.err"; rc=$?
            case $rc in
              0|2|3) mv -f "results/$name.json.tmp.$$" "results/$name.json" && printf '%s\n' $rc > "results/$name.exit.tmp.$$" && mv -f "results/$name.exit.tmp.$$" "results/$name.exit" || fail 1
                     mark done "$name: exit $rc" ;;
              *) rm -f "results/$name.json.tmp.$$"; fail $rc ;;
            esac
            """;
        var summary = new SlurmJobResult("summary", "02-summary.sbatch", 1, "check", "afterany", "summary.tsv");
        var sumText = Header(r, wd, summary, "one summary table of all sequences (also after failed tasks)") +
            """
            run "$SARKIT" cluster status "$PWD" --summary summary.tsv > logs/summary.status.txt || fail $?
            mark done "summary.tsv"
            """;
        return new Plan([(check, text), (summary, sumText)], [("sequences.txt", string.Join('\n', seqs) + "\n")], ["results"],
            $"seq check: {seqs.Length} sequence(s) from {Path.GetFullPath(r.SequenceFolder)}, one summary table");
    }

    // ---------------------------------------------------------------- script pieces
    private static string Header(SlurmPlanRequest r, string wd, SlurmJobResult job, string what)
    {
        var sb = new StringBuilder();
        sb.Append("#!/bin/bash\n");
        sb.Append(Inv, $"# sarkit cluster slurm: job '{job.Name}': {what}\n");
        sb.Append(Inv, $"#SBATCH --job-name=sarkit-{job.Name}\n");
        if (job.ArrayTasks > 1 || job.Name is "compress" or "subject" or "check")
            sb.Append(Inv, $"#SBATCH --array=1-{job.ArrayTasks}{(r.MaxParallelTasks > 0 ? "%" + r.MaxParallelTasks.ToString(Inv) : "")}\n");
        sb.Append(Inv, $"#SBATCH --cpus-per-task={r.CpusPerTask}\n");
        if (r.Memory is { } m) sb.Append(Inv, $"#SBATCH --mem={m}\n");
        if (r.TimeLimit is { } t) sb.Append(Inv, $"#SBATCH --time={t}\n");
        if (r.SlurmPartition is { } p) sb.Append(Inv, $"#SBATCH --partition={p}\n");
        if (r.Account is { } a) sb.Append(Inv, $"#SBATCH --account={a}\n");
        if (job.Name == "subject") sb.Append("#SBATCH --requeue\n");
        bool array = sb.ToString().Contains("#SBATCH --array", StringComparison.Ordinal);
        sb.Append(Inv, $"#SBATCH --output={wd}/logs/{job.Name}{(array ? ".%a" : "")}.out\n");
        sb.Append("set -uo pipefail\n");
        sb.Append("cd ").Append(Sh(wd)).Append(" || exit 1\n");
        sb.Append("SARKIT=\"$PWD/bin/sarkit\"\n");
        sb.Append(Inv, $"stage={job.Name}\n");
        sb.Append(array ? "i=${SLURM_ARRAY_TASK_ID:?not an array task}\n" : "i=1\n");
        sb.Append("export SARKIT_MAX_PARALLELISM=\"${SLURM_CPUS_PER_TASK:-${SARKIT_MAX_PARALLELISM:-}}\"\n");
        sb.Append("[ -n \"$SARKIT_MAX_PARALLELISM\" ] || unset SARKIT_MAX_PARALLELISM\n");
        // state marker: written to a temporary file and renamed, so status never reads a half-written marker
        sb.Append("mark() { local f=\"state/$stage.$i\"; rm -f \"$f.done\" \"$f.failed\"; printf '%s %s\\n' \"$(date -u +%FT%TZ)\" \"$2\" > \"$f.$1.tmp.$$\" && mv -f \"$f.$1.tmp.$$\" \"$f.$1\"; }\n");
        sb.Append("fail() { mark failed \"exit $1\"; exit \"$1\"; }\n");
        sb.Append("run() { echo \"+ $*\" >&2; \"$@\"; }\n");
        // vop verify stores its certificate in the file it checks: check a copy, so that a skip leaves the output (and its mtime) untouched
        sb.Append("check_copy() { local f=$1; shift; local c; c=\"$(dirname \"$f\")/.check.$$.$(basename \"$f\")\"; cp -p \"$f\" \"$c\" || return 1; run \"$SARKIT\" vop verify \"$c\" \"$@\"; local rc=$?; rm -f \"$c\"; return $rc; }\n");
        sb.Append("rm -f \"state/$stage.$i.done\" \"state/$stage.$i.failed\"\n");
        return sb.ToString();
    }

    private static string SubmitScript(string wd, SlurmJobResult[] jobs)
    {
        var sb = new StringBuilder("#!/bin/bash\n# Submits the plan (sarkit cluster slurm); prints 'NAME JOBID' lines and writes them to jobs.txt. Rerunning it resubmits; finished tasks skip.\nset -euo pipefail\n");
        sb.Append("cd ").Append(Sh(wd)).Append('\n');
        sb.Append("command -v sbatch >/dev/null || { echo 'submit.sh: sbatch not found (Slurm client not installed); run-local.sh runs the same scripts without Slurm' >&2; exit 2; }\n");
        foreach (var j in jobs)
        {
            string dep = j.DependsOn is { } d ? $" --dependency={j.DependencyType}:${{job_{Var(d)}}}" : "";
            sb.Append(Inv, $"job_{Var(j.Name)}=$(sbatch --parsable{dep} {j.Script})\njob_{Var(j.Name)}=${{job_{Var(j.Name)}%%;*}}\n");
        }
        sb.Append("{\n");
        foreach (var j in jobs) sb.Append(Inv, $"  echo \"{j.Name} ${{job_{Var(j.Name)}}}\"\n");
        sb.Append("} > \"jobs.txt.tmp.$$\"\nmv -f \"jobs.txt.tmp.$$\" jobs.txt\ncat jobs.txt\n");
        return sb.ToString();
    }

    private static string LocalScript(string wd, SlurmJobResult[] jobs)
    {
        var sb = new StringBuilder("#!/bin/bash\n# Runs the plan without Slurm: the same job scripts, array tasks as processes (PARALLEL at once, default 1),\n# stages in dependency order (afterok: stop when a task failed; afterany: go on).\nset -uo pipefail\n");
        sb.Append("cd ").Append(Sh(wd)).Append(" || exit 1\nP=${PARALLEL:-1}\nstatus=0\n");
        // each task's stdout/stderr go to logs/NAME.I.local.out (as #SBATCH --output does under Slurm)
        sb.Append("export SLURM_CPUS_PER_TASK=\"${SLURM_CPUS_PER_TASK:-1}\"\n");
        sb.Append("stage() { local script=$1 n=$2 name=$3; seq 1 \"$n\" | xargs -P \"$P\" -I{} bash -c 'SLURM_ARRAY_TASK_ID=$1 bash \"$2\" > \"logs/$3.$1.local.out\" 2>&1' _ {} \"$script\" \"$name\"; }\n");
        foreach (var j in jobs)
        {
            string cond = j.DependencyType == "afterok" ? "[ $status -eq 0 ] && " : "";
            sb.Append(Inv, $"if {cond}true; then stage {j.Script} {j.ArrayTasks} {j.Name} || status=1; fi\n");
        }
        sb.Append("exit $status\n");
        return sb.ToString();
    }

    private static string Var(string name) => name.Replace('-', '_');

    /// <summary>Single-quoted shell word.</summary>
    internal static string Sh(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static void CheckSlurmWord(string option, string? v)
    {
        if (v is not null && (v.Length == 0 || v.Any(c => char.IsWhiteSpace(c) || c is '\'' or '"' or '$' or '`' or '\\' or ';')))
            throw new SarKitInputException($"{option} '{v}': expected one Slurm word without spaces or shell characters.");
    }

    private static void CheckMargin(string option, double v)
    {
        if (!double.IsFinite(v) || v <= 0 || v >= 1) throw new SarKitInputException($"{option} {v.ToString("R", Inv)}: expected a fraction of SAR_wc in (0, 1).");
    }

    private static void WriteText(string path, string text, bool executable)
    {
        AtomicFile.WriteAtomically(path, tmp =>
        {
            File.WriteAllText(tmp, text.Replace("\r\n", "\n", StringComparison.Ordinal), new UTF8Encoding(false));
            if (executable && !OperatingSystem.IsWindows())
                File.SetUnixFileMode(tmp, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        });
    }
}
