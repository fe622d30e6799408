using System.Diagnostics;
using Spectre.Console;

namespace SarKit.Cli;

/// <summary>
/// Console plumbing of one CLI run: stdout for results (tables or one JSON object), stderr for errors and progress bars.
/// Progress bars are drawn only when stderr is a terminal and JSON output is off.
/// </summary>
internal sealed class CliIO(TextWriter stdout, TextWriter stderr)
{
    public TextWriter Out { get; } = stdout;
    public TextWriter Err { get; } = stderr;

    private bool OutIsConsole => ReferenceEquals(Out, Console.Out) && !Console.IsOutputRedirected;
    private bool ErrIsConsole => ReferenceEquals(Err, Console.Error) && !Console.IsErrorRedirected;

    /// <summary>Spectre console writing to stdout (ANSI only on a terminal; wide fixed width otherwise).</summary>
    public IAnsiConsole Stdout()
    {
        bool tty = OutIsConsole;
        var c = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Out),
            Ansi = tty ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = tty ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        if (!tty) c.Profile.Width = 140;
        return c;
    }

    /// <summary>Runs <paramref name="work"/> with a progress bar on stderr when allowed, else silently.</summary>
    public T WithProgress<T>(bool json, string label, Func<IProgress<double>?, T> work)
    {
        if (json || !ErrIsConsole) return work(null);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Err), Ansi = AnsiSupport.Detect, ColorSystem = ColorSystemSupport.Detect, Interactive = InteractionSupport.Yes,
        });
        T result = default!;
        console.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(label), maxValue: 1.0);
                result = work(new TaskProgress(task));
                task.Value = 1.0;
            });
        return result;
    }

    private sealed class TaskProgress(ProgressTask task) : IProgress<double>
    {
        public void Report(double value) { if (double.IsFinite(value)) task.Value = Math.Clamp(value, 0, 1); }
    }

    /// <summary>Maps an exception to an exit code and writes one line to stderr.</summary>
    public int Fail(Exception e)
    {
        switch (e)
        {
            case SarKitInputException:
                Err.WriteLine($"error: {e.Message}");
                return CliApp.ExitBadInput;
            case FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException:
                Err.WriteLine($"error: {e.Message}");
                return CliApp.ExitBadInput;
            default:
                Err.WriteLine($"internal error: {e.GetType().Name}: {e.Message}");
                Debug.WriteLine(e);
                return CliApp.ExitInternal;
        }
    }

    /// <summary>Runs a command body, mapping exceptions to exit codes.</summary>
    public int Guard(Func<int> body)
    {
        try { return body(); }
        catch (Exception e) { return Fail(e); }
    }
}
