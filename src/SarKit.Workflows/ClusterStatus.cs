using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using SarKit.Reporting;
using SarKit.Workflows.Results;

namespace SarKit.Workflows;

/// <summary>What <see cref="ClusterStatus"/> reads.</summary>
public sealed record ClusterStatusRequest
{
    /// <summary>Work folder of a plan (holds plan.json from <see cref="SlurmJobPlanning"/>).</summary>
    public required string WorkDir { get; init; }
    /// <summary>seq-check: write the summary table (tab-separated, one row per sequence) here, atomically; or null.</summary>
    public string? SummaryPath { get; init; }
    /// <summary>Ask squeue/sacct about the submitted jobs (jobs.txt) when they are installed.</summary>
    public bool QueryScheduler { get; init; } = true;
    /// <summary>Runs a scheduler tool (name, arguments) and returns its stdout, or null when it is absent or fails; default: runs it from PATH.</summary>
    public Func<string, string[], string?>? RunTool { get; init; }
}

/// <summary>
/// Progress of a workflow planned by <see cref="SlurmJobPlanning"/>, read from its files: per stage the tasks with a
/// done or failed marker (state/STAGE.I.done|failed, written atomically by the job scripts), plus the scheduler's view
/// (squeue for queued and running jobs, sacct for finished ones) when the jobs were submitted and the tools exist.
/// For seq-check it also builds the summary table from results/*.json (the <c>seq check --json</c> objects).
/// </summary>
public static class ClusterStatus
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Reads the status; a folder without plan.json is a <see cref="SarKitInputException"/>.</summary>
    public static ClusterStatusResult Run(ClusterStatusRequest r)
    {
        ArgumentNullException.ThrowIfNull(r);
        string wd = Path.GetFullPath(r.WorkDir);
        string planPath = Path.Combine(wd, "plan.json");
        if (!File.Exists(planPath)) throw new SarKitInputException($"'{r.WorkDir}': no plan.json (not a folder written by sarkit cluster slurm).") { SourceFile = planPath };
        string workflow;
        var stages = new List<ClusterStageStatusResult>();
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(planPath));
            workflow = doc.RootElement.GetProperty("workflow").GetString() ?? "";
            foreach (var j in doc.RootElement.GetProperty("jobs").EnumerateArray())
            {
                string name = j.GetProperty("name").GetString()!;
                int n = j.GetProperty("array_tasks").GetInt32();
                int done = 0; var failed = new List<int>();
                for (int i = 1; i <= n; i++)
                {
                    string m = Path.Combine(wd, "state", $"{name}.{i.ToString(Inv)}");
                    if (File.Exists(m + ".done")) done++;
                    else if (File.Exists(m + ".failed")) failed.Add(i);
                }
                stages.Add(new ClusterStageStatusResult(name, n, done, failed.Count, n - done - failed.Count, [.. failed]));
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new SarKitInputException($"'{planPath}': not a plan of sarkit cluster slurm ({e.Message}).") { SourceFile = planPath };
        }
        var scheduler = r.QueryScheduler ? Scheduler(wd, r.RunTool ?? RunFromPath) : [];
        SequenceSummaryRowResult[]? rows = workflow == "seq-check" ? SequenceRows(wd) : null;
        string? summary = null;
        if (r.SummaryPath is { } sp)
        {
            if (rows is null) throw new SarKitInputException($"--summary: only the seq-check workflow has a summary table (this is '{workflow}').");
            summary = Path.GetFullPath(sp);
            AtomicFile.WriteAtomically(summary, tmp => File.WriteAllText(tmp, SummaryTable(rows), new UTF8Encoding(false)));
        }
        return new ClusterStatusResult(wd, workflow, [.. stages], stages.All(s => s.Done == s.Tasks), scheduler, rows, summary);
    }

    /// <summary>The summary table: a header and one tab-separated row per sequence.</summary>
    public static string SummaryTable(IEnumerable<SequenceSummaryRowResult> rows)
    {
        var sb = new StringBuilder("index\tsequence\tstatus\texit_code\tbinding_metric\tbinding_window_s\tbinding_ratio\tmax_scale_factor\tminimum_added_delay_s\n");
        static string F(double? v) => v is { } x ? x.ToString("G6", Inv) : "";
        foreach (var s in rows)
            sb.Append(Inv, $"{s.Index}\t{s.Sequence}\t{s.Status}\t{s.ExitCode?.ToString(Inv)}\t{s.BindingMetric}\t{F(s.BindingWindowS)}\t{F(s.BindingRatio)}\t{F(s.MaxScaleFactor)}\t{F(s.MinimumAddedDelayS)}\n");
        return sb.ToString();
    }

    private static SequenceSummaryRowResult[] SequenceRows(string wd)
    {
        var listPath = Path.Combine(wd, "sequences.txt");
        if (!File.Exists(listPath)) return [];
        var seqs = File.ReadAllLines(listPath).Where(l => l.Length > 0).ToArray();
        var rows = new SequenceSummaryRowResult[seqs.Length];
        for (int k = 0; k < seqs.Length; k++)
        {
            int i = k + 1;
            string name = $"{i.ToString("D4", Inv)}-{Path.GetFileNameWithoutExtension(seqs[k])}";
            string exitPath = Path.Combine(wd, "results", name + ".exit"), jsonPath = Path.Combine(wd, "results", name + ".json");
            int? exit = File.Exists(exitPath) && int.TryParse(File.ReadAllText(exitPath).Trim(), NumberStyles.Integer, Inv, out var e) ? e : null;
            string status = exit switch
            {
                0 => "pass", 3 => "FAIL", 2 => "bad-input", null => File.Exists(Path.Combine(wd, "state", $"check.{i.ToString(Inv)}.failed")) ? "failed" : "pending", _ => "failed",
            };
            string? metric = null; double? window = null, ratio = null, scale = null, delay = null;
            if (exit is 0 or 3 && File.Exists(jsonPath))
            {
                try
                {
                    using var doc = JsonDocument.Parse(File.ReadAllText(jsonPath));
                    var root = doc.RootElement;
                    if (root.TryGetProperty("binding", out var b) && b.ValueKind == JsonValueKind.Object)
                    {
                        metric = b.TryGetProperty("metric", out var m) ? m.GetString() : null;
                        window = Num(b, "window_s"); ratio = Num(b, "ratio");
                    }
                    scale = Num(root, "max_scale_factor"); delay = Num(root, "minimum_added_delay_s");
                }
                catch (JsonException) { status = "failed"; }
            }
            rows[k] = new SequenceSummaryRowResult(i, seqs[k], status, exit, metric, window, ratio, scale, delay);
        }
        return rows;
    }

    private static double? Num(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) && double.IsFinite(d) ? d : null;

    private static string[] Scheduler(string wd, Func<string, string[], string?> run)
    {
        var jobsPath = Path.Combine(wd, "jobs.txt");
        if (!File.Exists(jobsPath)) return [];
        var ids = File.ReadAllLines(jobsPath).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(t => t.Length == 2 && t[1].All(char.IsAsciiDigit)).Select(t => t[1]).ToArray();
        if (ids.Length == 0) return [];
        string list = string.Join(',', ids);
        var lines = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        if (run("squeue", ["-h", "-j", list, "-o", "%i %T"]) is { } sq)
            foreach (var l in sq.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                if (seen.Add(l.Split(' ')[0])) lines.Add(l);
        if (run("sacct", ["-n", "-X", "-P", "-j", list, "-o", "JobID,State"]) is { } sa)
            foreach (var l in sa.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var t = l.Split('|');
                if (t.Length >= 2 && seen.Add(t[0])) lines.Add(t[0] + " " + t[1]);
            }
        return [.. lines];
    }

    private static string? RunFromPath(string tool, string[] args)
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);
        if (path is null) return null;
        try
        {
            var psi = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in args) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            var err = p.StandardError.ReadToEndAsync();
            string o = p.StandardOutput.ReadToEnd();
            if (!p.WaitForExit(30_000)) { try { p.Kill(); } catch (InvalidOperationException) { } return null; }
            _ = err.Result;
            return p.ExitCode == 0 ? o : null;
        }
        catch (System.ComponentModel.Win32Exception) { return null; }
    }
}
