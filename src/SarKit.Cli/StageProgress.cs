using System.Diagnostics;
using Spectre.Console;

namespace SarKit.Cli;

/// <summary>
/// Progress of a multi-stage command on stderr: Spectre progress bars with elapsed time and ETA when stderr is a terminal,
/// otherwise plain lines ("stage: 40 % (800/2000) detail, 12 s, ETA 18 s") at most every 2 s per stage plus each stage's
/// first and last report. The bars fit the terminal: the bar width and the room for the stage text come from its width
/// (<see cref="Layout"/>; at 80 columns a 22-character bar), longer stage texts are cut with "…", so no line wraps.
/// Thread-safe: reports may come from worker threads.
/// </summary>
internal sealed class StageProgress
{
    private readonly object _gate = new();
    private readonly ProgressContext? _ctx;
    private readonly TextWriter? _plain;
    private readonly Dictionary<string, (ProgressTask? Task, Stopwatch Clock, double LastPrint, bool Done)> _stages = new();

    private readonly int _descriptionWidth = int.MaxValue;

    private StageProgress(ProgressContext? ctx, TextWriter? plain, int descriptionWidth = int.MaxValue)
    {
        _ctx = ctx; _plain = plain; _descriptionWidth = descriptionWidth;
    }

    /// <summary>Widths of the fixed columns: percentage "100%", elapsed and remaining time "00:00:00".</summary>
    internal const int FixedColumns = 4 + 8 + 8;
    /// <summary>Room allowed for the gaps between the five columns (Spectre pads 1; 2 each leaves a margin).</summary>
    internal const int Gaps = 4 * 2;

    /// <summary>
    /// Column widths for a terminal of <paramref name="terminalWidth"/> columns (≤ 0: 80): the bar takes 45 % of what the
    /// fixed columns and gaps leave (10 … 40 characters), the stage text the rest (at least 8); one column stays free so
    /// the cursor never wraps. 80 columns: text 29, bar 22.
    /// </summary>
    internal static (int Description, int Bar) Layout(int terminalWidth)
    {
        int w = terminalWidth > 0 ? terminalWidth : 80;
        int room = w - 1 - FixedColumns - Gaps;
        int bar = Math.Clamp(room * 9 / 20, 10, 40);
        return (Math.Max(8, room - bar), bar);
    }

    /// <summary><paramref name="text"/> cut to <paramref name="width"/> characters (the last one "…").</summary>
    internal static string Fit(string text, int width) =>
        text.Length <= width ? text : width <= 1 ? "…"[..Math.Max(0, width)] : string.Concat(text.AsSpan(0, width - 1), "…");

    /// <summary>Runs <paramref name="work"/> with progress on <paramref name="io"/>'s stderr.</summary>
    public static T Run<T>(CliIO io, Func<StageProgress, T> work)
    {
        bool tty = ReferenceEquals(io.Err, Console.Error) && !Console.IsErrorRedirected;
        if (!tty) return work(new StageProgress(null, io.Err));
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(io.Err), Ansi = AnsiSupport.Detect, ColorSystem = ColorSystemSupport.Detect, Interactive = InteractionSupport.Yes,
        });
        return RunOn(console, work);
    }

    /// <summary>Runs <paramref name="work"/> with progress bars on <paramref name="console"/>, laid out for its width.</summary>
    internal static T RunOn<T>(IAnsiConsole console, Func<StageProgress, T> work)
    {
        var (description, bar) = Layout(console.Profile.Width);
        T result = default!;
        console.Progress().AutoClear(false).HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = bar }, new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx => { result = work(new StageProgress(ctx, null, description)); });
        return result;
    }

    /// <summary>Reports <paramref name="done"/> of <paramref name="total"/> for a stage (created on first report).</summary>
    public void Report(string stage, double done, double total, string detail = "")
    {
        lock (_gate)
        {
            if (!_stages.TryGetValue(stage, out var s))
            {
                s = (_ctx?.AddTask(Markup.Escape(Fit(stage, _descriptionWidth)), maxValue: Math.Max(total, 1e-300)), Stopwatch.StartNew(), double.NegativeInfinity, false);
                CliTiming.Mark($"start {stage}");
            }
            double frac = total > 0 ? Math.Clamp(done / total, 0, 1) : 0;
            if (s.Done && frac < 1) s = (s.Task, s.Clock, double.NegativeInfinity, false); // the stage starts another round (next iteration)
            if (s.Task is { } t)
            {
                t.MaxValue = Math.Max(total, 1e-300);
                t.Value = Math.Min(done, total);
                t.Description = Markup.Escape(Fit(detail.Length > 0 ? $"{stage} ({detail})" : stage, _descriptionWidth));
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
                if (last) { s.Done = true; CliTiming.Mark($"end {stage} {detail}"); }
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
            if (_ctx is not null) { var t = _ctx.AddTask(Markup.Escape(Fit(text, _descriptionWidth)), maxValue: 1); t.Value = 1; }
            else _plain?.WriteLine(text);
        }
    }

    private static string Seconds(double s) => s < 120 ? $"{s:F0} s" : s < 7200 ? $"{s / 60:F1} min" : $"{s / 3600:F1} h";
}
