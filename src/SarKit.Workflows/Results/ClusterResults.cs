namespace SarKit.Workflows.Results;

/// <summary>A Slurm job plan written by <see cref="SlurmJobPlanning"/> (also stored as WORKDIR/plan.json; docs/scale-out.md).</summary>
/// <param name="Workflow">vop, surrogate or seq-check.</param>
/// <param name="WorkDir">Absolute work folder holding the scripts, logs, state markers and outputs.</param>
/// <param name="Jobs">The jobs in submission order.</param>
/// <param name="SubmitScript">Script that submits every job with its dependency (sbatch --parsable), writing jobs.txt.</param>
/// <param name="LocalScript">Script that runs the same job scripts without Slurm (array tasks as processes).</param>
/// <param name="Description">One line: inputs, tasks, margins.</param>
/// <param name="SarkitVersion">SarKit version that wrote the plan.</param>
[JsonResult("sarkit cluster slurm --json", Order = 900)]
public sealed record SlurmPlanResult(string Workflow, string WorkDir, SlurmJobResult[] Jobs, string SubmitScript, string LocalScript, string Description, string SarkitVersion);

/// <summary>One sbatch job of a plan.</summary>
/// <param name="Name">Stage name (summarise, compress, merge, verify, subject, check, summary); state markers are state/NAME.INDEX.done|failed.</param>
/// <param name="Script">sbatch script, relative to the work folder.</param>
/// <param name="ArrayTasks">Array tasks 1..N (1 for a single job).</param>
/// <param name="DependsOn">Stage this job waits for, or null.</param>
/// <param name="DependencyType">afterok (all tasks of the stage succeeded) or afterany (they ended); null without a dependency.</param>
/// <param name="Output">The stage's output, relative to the work folder (I = task index).</param>
public sealed record SlurmJobResult(string Name, string Script, [property: JsonUnit("tasks")] int ArrayTasks, string? DependsOn, string? DependencyType, string Output);

/// <summary>Progress of a planned workflow, from its files and, when present, squeue/sacct (<see cref="ClusterStatus"/>).</summary>
/// <param name="WorkDir">Work folder.</param>
/// <param name="Workflow">vop, surrogate or seq-check.</param>
/// <param name="Stages">Per job: tasks done, failed and pending.</param>
/// <param name="Complete">True when every task of every stage is done.</param>
/// <param name="Scheduler">Lines "JOBID STATE" from squeue (pending, running) and sacct (finished) for the submitted jobs (jobs.txt); empty when not submitted or the tools are absent.</param>
/// <param name="Sequences">seq-check: one row per sequence (the summary table); null for other workflows.</param>
/// <param name="SummaryFile">The summary table written (--summary), or null.</param>
[JsonResult("sarkit cluster status --json", Order = 901)]
public sealed record ClusterStatusResult(string WorkDir, string Workflow, ClusterStageStatusResult[] Stages, bool Complete, string[] Scheduler, SequenceSummaryRowResult[]? Sequences, string? SummaryFile);

/// <summary>Progress of one stage.</summary>
/// <param name="Name">Stage name.</param>
/// <param name="Tasks">Array tasks of the stage.</param>
/// <param name="Done">Tasks with a done marker (computed, or skipped because their output exists and verifies).</param>
/// <param name="Failed">Tasks whose last attempt failed (marker state/NAME.I.failed).</param>
/// <param name="Pending">Tasks without a marker (not started, running, or killed).</param>
/// <param name="FailedTasks">Indices of the failed tasks (1-based).</param>
public sealed record ClusterStageStatusResult(string Name, [property: JsonUnit("tasks")] int Tasks, [property: JsonUnit("tasks")] int Done, [property: JsonUnit("tasks")] int Failed, [property: JsonUnit("tasks")] int Pending, int[] FailedTasks);

/// <summary>One sequence of a batch seq check.</summary>
/// <param name="Index">Task index (1-based, order of sequences.txt).</param>
/// <param name="Sequence">The .seq file.</param>
/// <param name="Status">pass, FAIL (a limit exceeded), bad-input (exit 2, see results/NAME.err), failed (internal error or killed) or pending.</param>
/// <param name="ExitCode">Exit code of sarkit seq check, or null when not finished.</param>
/// <param name="BindingMetric">Metric of the binding limit (largest ratio), or null.</param>
/// <param name="BindingWindowS">Averaging window of the binding limit, s; or null.</param>
/// <param name="BindingRatio">SAR / limit of the binding limit (≤ 1 passes); or null.</param>
/// <param name="MaxScaleFactor">Largest compliant RF amplitude scale; or null.</param>
/// <param name="MinimumAddedDelayS">Smallest silence per repetition that makes every limit pass, s; or null.</param>
public sealed record SequenceSummaryRowResult(int Index, string Sequence, string Status, int? ExitCode, string? BindingMetric, double? BindingWindowS, double? BindingRatio, double? MaxScaleFactor, double? MinimumAddedDelayS);
