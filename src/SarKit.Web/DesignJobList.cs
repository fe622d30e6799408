using System.Diagnostics;
using SarKit.IO.Formats;
using SarKit.Workflows;

namespace SarKit.Web;

/// <summary>
/// The bookkeeping of one kind of background pulse-design job (<see cref="ShimJobs"/>, <see cref="SpokesJobs"/>): ids,
/// progress, cancellation and the answer states. At most <see cref="MaxPending"/> unfinished jobs at once (further
/// starts are refused), the eight most recent finished ones are kept, older finished ones forgotten.
/// </summary>
/// <param name="what">The jobs in words, for the "busy" message (e.g. "RF shim").</param>
public sealed class DesignJobList<TInput, TOutput>(string what)
{
    /// <summary>Unfinished jobs allowed at once (further starts get 503).</summary>
    public const int MaxPending = 4;
    private const int Kept = 8;

    private readonly object _gate = new();
    private readonly LinkedList<Job> _jobs = new();

    /// <summary>One job: its input, its task, progress and cancellation.</summary>
    public sealed class Job : IProgress<StageReport>
    {
        public required string Id { get; init; }
        public required TInput Input { get; init; }
        public Task<TOutput> Task { get; internal set; } = null!;
        public CancellationTokenSource Cancellation { get; } = new();
        internal readonly Stopwatch Clock = Stopwatch.StartNew();
        private volatile string _stage = "waiting for another design job to finish";
        /// <summary>Current stage in words.</summary>
        public string Stage { get => _stage; set => _stage = value; }
        /// <summary>Completed fraction of the stage.</summary>
        public double Fraction { get; set; }
        internal double FinishedS;
        /// <summary>Stage reports of a use case.</summary>
        public void Report(StageReport value) { Stage = value.Stage; Fraction = value.Fraction; }
    }

    /// <summary>The state of a job as the API reports it.</summary>
    /// <param name="Id">Job id.</param>
    /// <param name="State">"running", "done", "failed" or "cancelled".</param>
    /// <param name="ElapsedS">Time since the job started (until it ended), s.</param>
    /// <param name="Stage">Current stage while running; null otherwise.</param>
    /// <param name="StageFraction">Completed fraction of the stage, 0 … 1.</param>
    /// <param name="Output">The output when done.</param>
    /// <param name="Error">Why the job failed (or "cancelled"); null otherwise.</param>
    /// <param name="ErrorStatus">400 bad input, 422 unreadable file or over the memory budget, 500 internal; null unless failed.</param>
    public sealed record Snapshot(string Id, string State, double ElapsedS, string? Stage, double StageFraction, TOutput? Output, string? Error, int? ErrorStatus);

    /// <summary>Starts <paramref name="run"/> for <paramref name="input"/> on the thread pool; <see cref="InvalidOperationException"/> when <see cref="MaxPending"/> are unfinished.</summary>
    public Snapshot Start(TInput input, Func<Job, Task<TOutput>> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var job = new Job { Id = Guid.NewGuid().ToString("N")[..16], Input = input };
        lock (_gate)
        {
            if (_jobs.Count(j => !j.Task.IsCompleted) >= MaxPending)
                throw new InvalidOperationException($"{MaxPending} {what} jobs are already running or waiting; try again when one has finished.");
            job.Task = System.Threading.Tasks.Task.Run(async () =>
            {
                try { return await run(job); }
                finally { job.FinishedS = job.Clock.Elapsed.TotalSeconds; }
            });
            _jobs.AddFirst(job);
            var node = _jobs.Last;
            while (_jobs.Count > Kept && node is not null)
            {
                var prev = node.Previous;
                if (node.Value.Task.IsCompleted) _jobs.Remove(node);
                node = prev;
            }
        }
        return State(job);
    }

    /// <summary>The state of a job; null when unknown (or forgotten).</summary>
    public Snapshot? Poll(string? id) => Find(id) is { } j ? State(j) : null;

    /// <summary>Requests cancellation of a job; its state becomes "cancelled" when it stops. Null when unknown.</summary>
    public Snapshot? Cancel(string? id)
    {
        if (Find(id) is not { } j) return null;
        if (!j.Task.IsCompleted) j.Cancellation.Cancel();
        return State(j);
    }

    /// <summary>The output of a finished job; default when unknown or not done.</summary>
    public TOutput? OutputOf(string? id) => Find(id) is { Task.IsCompletedSuccessfully: true } j ? j.Task.Result : default;

    private Job? Find(string? id)
    {
        if (string.IsNullOrEmpty(id)) return null;
        lock (_gate) return _jobs.FirstOrDefault(j => j.Id == id);
    }

    private static Snapshot State(Job job)
    {
        var t = job.Task;
        double el = t.IsCompleted ? job.FinishedS : job.Clock.Elapsed.TotalSeconds;
        if (t.IsCompletedSuccessfully) return new(job.Id, "done", el, null, 1, t.Result, null, null);
        if (t.IsCanceled || (t.IsFaulted && t.Exception!.GetBaseException() is OperationCanceledException))
            return new(job.Id, "cancelled", el, null, 0, default, "cancelled", null);
        if (t.IsFaulted)
        {
            var e = t.Exception!.GetBaseException();
            int status = e switch { SarKitInputException => 400, DatasetUnreadableException or CacheBudgetExceededException => 422, _ => 500 };
            return new(job.Id, "failed", el, null, 0, default, status == 500 ? $"internal error: {e.GetType().Name}: {e.Message.Split('\n')[0]}" : e.Message, status);
        }
        return new(job.Id, "running", el, job.Stage, Math.Clamp(job.Fraction, 0, 1), default, null, null);
    }
}
