using Spectre.Console;
using SarKit.Workflows;

namespace SarKit.Cli;

/// <summary>
/// Draws a use case's <see cref="StageReport"/> progress as one bar per stage on stderr when stderr is a terminal and
/// JSON output is off (like <see cref="CliIO.WithProgress{T}"/>); otherwise the use case gets no progress sink.
/// </summary>
internal static class WorkflowProgress
{
    public static T Run<T>(CliIO io, bool json, Func<IProgress<StageReport>?, T> work)
    {
        bool tty = ReferenceEquals(io.Err, Console.Error) && !Console.IsErrorRedirected;
        if (json || !tty) return work(CliTiming.Enabled ? new Timing() : null);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(io.Err), Ansi = AnsiSupport.Detect, ColorSystem = ColorSystemSupport.Detect, Interactive = InteractionSupport.Yes,
        });
        T result = default!;
        console.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx => result = work(new Bars(ctx)));
        return result;
    }

    /// <summary>SARKIT_TIMING=1 without bars: one timing line when a stage starts (<see cref="CliTiming"/>).</summary>
    private sealed class Timing : IProgress<StageReport>
    {
        private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
        public void Report(StageReport value)
        {
            lock (_seen) if (_seen.Add(value.Stage)) CliTiming.Mark($"start {value.Stage}");
        }
    }

    private sealed class Bars(ProgressContext ctx) : IProgress<StageReport>
    {
        private readonly Dictionary<string, ProgressTask> _tasks = new(StringComparer.Ordinal);
        public void Report(StageReport value)
        {
            lock (_tasks)
            {
                if (!_tasks.TryGetValue(value.Stage, out var t)) _tasks[value.Stage] = t = ctx.AddTask(Markup.Escape(value.Stage), maxValue: 1.0);
                if (double.IsFinite(value.Fraction)) t.Value = Math.Clamp(value.Fraction, 0, 1);
            }
        }
    }
}
