using SarKit.Cli;
using SarKit.IO.Formats;

namespace SarKit.Tests.Cli;

/// <summary>Console-redirecting CLI tests share one collection so they never run in parallel with each other.</summary>
[CollectionDefinition("Console", DisableParallelization = true)]
public sealed class ConsoleCollection { }

/// <summary>Runs <see cref="CliApp.Run(string[])"/> with Console.Out/Console.Error captured.</summary>
internal static class CliRunner
{
    private static readonly object Gate = new();

    public sealed record Result(int ExitCode, string Out, string Err);

    public static Result Run(params string[] args)
    {
        lock (Gate)
        {
            var (oldOut, oldErr) = (Console.Out, Console.Error);
            var (o, e) = (new StringWriter(), new StringWriter());
            Console.SetOut(o); Console.SetError(e);
            try
            {
                int code = CliApp.Run(args);
                return new Result(code, o.ToString(), e.ToString());
            }
            finally { Console.SetOut(oldOut); Console.SetError(oldErr); }
        }
    }

    /// <summary>The demo dataset in the source checkout (data/demo/ptx8_7T_demo.h5).</summary>
    public static string DemoFile => Path.Combine(Support.SharedData.RepoRoot, "data", "demo", "ptx8_7T_demo.h5");

    private static readonly Lazy<SarDataset> _demo = new(() => SarKit.IO.Formats.DatasetFiles.Open(DemoFile));
    public static SarDataset Demo => _demo.Value;
}

/// <summary>A temporary folder deleted on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sarkit-cli-" + Guid.NewGuid().ToString("N"));
    public TempDir() => Directory.CreateDirectory(Path);
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public string[] Files() => Directory.GetFiles(Path).Select(System.IO.Path.GetFileName).ToArray()!;
    public void Dispose() { try { Directory.Delete(Path, true); } catch (IOException) { } }
}
