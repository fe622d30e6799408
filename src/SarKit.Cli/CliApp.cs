using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;
using SarKit.Cli.Commands;

namespace SarKit.Cli;

/// <summary>
/// The `sarkit` command tree (docs/cli.md). Exit codes: 0 success, 2 bad input (<see cref="SarKitInputException"/>,
/// command-line parse errors, missing files), 1 internal failure (any other exception, reported as "internal error: …").
/// </summary>
public static class CliApp
{
    public const int ExitOk = 0, ExitInternal = 1, ExitBadInput = 2;
    /// <summary>A check ran on valid input and its verdict is negative: a SAR limit exceeded (`seq check`, `pulse check`) or a VOP set that fails verification (`vop verify`).</summary>
    public const int ExitCheckFailed = 3;

    /// <summary>SarKit version (informational version of the library assembly).</summary>
    public static string Version => SarKitVersion.Current;

    /// <summary>`sarkit --version`: e.g. "sarkit 0.1.0 (commit 4a88717…)", or "(commit unknown: not built from a git checkout)".</summary>
    internal static string VersionLine() =>
        $"sarkit {Version} ({(SarKitVersion.Commit is { } c ? "commit " + c : "commit unknown: not built from a git checkout")})";

    /// <summary>Runs the command line with the process's console writers; returns the exit code (never exits the process).</summary>
    public static int Run(string[] args)
    {
        CliTiming.Mark("main");
        CliTiming.Runtime();
        int code = Run(args, Console.Out, Console.Error);
        CliTiming.Mark($"exit {code}");
        return code;
    }

    /// <summary>Runs the command line writing results to <paramref name="stdout"/> and diagnostics to <paramref name="stderr"/>.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var io = new CliIO(stdout, stderr);
        try
        {
            if (args.Length == 1 && args[0] is "--version" or "-V")
            {
                stdout.WriteLine(VersionLine());
                return ExitOk;
            }
            var root = Build(io);
            var parse = root.Parse(args);
            if (parse.Action is ParseErrorAction || (parse.Errors.Count > 0 && parse.Action is not CommandLineAction { ClearsParseErrors: true }))
            {
                foreach (var e in parse.Errors) stderr.WriteLine($"error: {e.Message}");
                var cmd = string.Join(' ', new[] { "sarkit" }.Concat(CommandPath(parse)));
                stderr.WriteLine($"Run '{cmd} --help' for usage.");
                return ExitBadInput;
            }
            return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) { return io.Fail(e); }
    }

    private static IEnumerable<string> CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var r = parse.CommandResult; r is not null && r.Parent is not null; r = r.Parent as System.CommandLine.Parsing.CommandResult)
            names.Insert(0, r.Command.Name);
        return names;
    }

    private static RootCommand Build(CliIO io)
    {
        var root = new RootCommand("SarKit: specific absorption rate (SAR) toolkit for RF safety (MRI parallel transmit, wireless).\n" +
                                   "Exit codes: 0 success, 1 internal failure, 2 bad input, 3 check failed (SAR limit exceeded, VOP set not certified).");
        root.Add(InfoCommand.Create(io));
        root.Add(SarCommand.Create(io));
        root.Add(QMatricesCommand.Create(io));
        root.Add(DemoCommand.Create(io));
        root.Add(NemaCommand.Create(io));
        root.Add(RecordsCommand.Create(io));
        root.Add(VopCommand.Create(io));
        root.Add(ProbeCommand.Create(io));
        root.Add(ProbeCommand.CreateLiquid(io));
        root.Add(ProbeCommand.CreateScan(io));
        root.Add(SurrogateCommand.Create(io));
        root.Add(MarginCommand.Create(io));
        root.Add(MvieCommand.Create(io));
        root.Add(ShimCommand.Create(io));
        root.Add(SpokesCommand.Create(io));
        root.Add(SeqCommand.Create(io));
        root.Add(SeqCommand.CreatePulse(io));
        root.Add(ClusterCommand.Create(io));
#if !SARKIT_AOT
        root.Add(ServeCommand.Create(io));
#endif
        return root;
    }
}
