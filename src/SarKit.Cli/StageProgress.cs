using System.Diagnostics;
using Spectre.Console;

namespace SarKit.Cli;

/// <summary>
/// Progress of a multi-stage command on stderr: Spectre progress bars with elapsed time and ETA when stderr is a terminal,
/// otherwise plain lines ("stage: 40 % (800/2000) detail, 12 s, ETA 18 s") at most every 2 s per stage plus each stage's
/// first and last report. Thread-safe: reports may come from worker threads.
/// </summary>
internal sealed class StageProgress
{
    private readonly object _gate = new();
    private readonly ProgressContext? _ctx;
    private readonly TextWriter? _plain;
    private readonly Dictionary<string, (ProgressTask? Task, Stopwatch Clock, double LastPrint, bool Done)> _stages = new();

    private StageProgress(ProgressContext? ctx, TextWriter? plain) { _ctx = ctx; _plain = plain; }

    /// <summary>Runs <paramref name="work"/> with progress on <paramref name="io"/>'s stderr.</summary>
    public static T Run<T>(CliIO io, Func<StageProgress, T> work)
    {
        bool tty = ReferenceEquals(io.Err, Console.Error) && !Console.IsErrorRedirected;
        if (!tty) return work(new StageProgress(null, io.Err));
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(io.Err), Ansi = AnsiSupport.Detect, ColorSystem = ColorSystemSupport.Detect, Interactive = InteractionSupport.Yes,
        });
        T result = default!;
        console.Progress().AutoClear(false).HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx => { result = work(new StageProgress(ctx, null)); });
        return result;
    }

    /// <summary>Reports <paramref name="done"/> of <paramref name="total"/> for a stage (created on first report).</summary>
    public void Report(string stage, double done, double total, string detail = "")
    {
        lock (_gate)
        {
            if (!_stages.TryGetValue(stage, out var s))
            {
                s = (_ctx?.AddTask(Markup.Escape(stage), maxValue: Math.Max(total, 1e-300)), Stopwatch.StartNew(), double.NegativeInfinity, false);
            }
            double frac = total > 0 ? Math.Clamp(done / total, 0, 1) : 0;
            if (s.Done && frac < 1) s = (s.Task, s.Clock, double.NegativeInfinity, false); // the stage starts another round (next iteration)
            if (s.Task is { } t)
            {
                t.MaxValue = Math.Max(total, 1e-300);
                t.Value = Math.Min(done, total);
                t.Description = Markup.Escape(detail.Length > 0 ? $"{stage} ({detail})" : stage);
            }
            else if (_plain is not null && !s.Done)
            {
                double now = s.Clock.Elapsed.TotalSeconds;
                bool last = frac >= 1;
                if (last || now - s.LastPrint >= 2 || double.IsNegativeInfinity(s.LastPrint))
                {
                    string eta = frac > 0 && !last ? $", ETA {Seconds(now * (1 - frac) / frac)}" : "";
                    _plain.WriteLine($"{stage}: {frac * 100:F0} % ({done:G6}/{total:G6}){(detail.Length > 0 ? " " + detail : "")}, {Seconds(now)}{eta}");
                    s.LastPrint = now;
                }
                if (last) s.Done = true;
            }
            _stages[stage] = s;
        }
    }

    /// <summary>Marks a stage complete.</summary>
    public void Complete(string stage, string detail = "")
    {
        double total;
        lock (_gate) total = _stages.TryGetValue(stage, out var s) && s.Task is { } t ? t.MaxValue : 1;
        Report(stage, total, total, detail);
    }

    /// <summary>A one-line message between the bars (plain mode: a line on stderr).</summary>
    public void Message(string text)
    {
        lock (_gate)
        {
            if (_ctx is not null) { var t = _ctx.AddTask(Markup.Escape(text), maxValue: 1); t.Value = 1; }
            else _plain?.WriteLine(text);
        }
    }

    private static string Seconds(double s) => s < 120 ? $"{s:F0} s" : s < 7200 ? $"{s / 60:F1} min" : $"{s / 3600:F1} h";
}
