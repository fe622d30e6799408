using SarKit.Cli;
using SarKit.IO.Formats;

namespace SarKit.Tests.Cli;

/// <summary>
/// The serial collection: its classes run one at a time, after every other test (xUnit runs collections with
/// parallelization disabled last). Only for tests that change process-wide state or measure process-wide quantities
/// (e.g. <c>Hdf5CorruptFileTests</c>: an environment variable read by every HDF5 read, and the process's total
/// allocated bytes); capturing the CLI's console does not need it (<see cref="CliRunner"/>).
/// </summary>
[CollectionDefinition("Console", DisableParallelization = true)]
public sealed class ConsoleCollection { }

/// <summary>
/// Runs <see cref="CliApp.Run(string[])"/> with Console.Out/Console.Error captured, concurrently with other tests and
/// other CLI runs: the process's console writers are replaced once by writers that forward each write to the capture
/// of the CLI run whose execution context makes it (an <see cref="AsyncLocal{T}"/>, which flows into the tasks and
/// threads the run starts), and to the original console otherwise.
/// </summary>
internal static class CliRunner
{
    private static readonly AsyncLocal<Capture?> Current = new();
    private static readonly Lazy<bool> Installed = new(() =>
    {
        Console.SetOut(new RoutingWriter(Console.Out, c => c.Out));
        Console.SetError(new RoutingWriter(Console.Error, c => c.Err));
        return true;
    }, LazyThreadSafetyMode.ExecutionAndPublication);

    public sealed record Result(int ExitCode, string Out, string Err);

    private sealed class Capture
    {
        public StringWriter Out { get; } = new();
        public StringWriter Err { get; } = new();
    }

    public static Result Run(params string[] args)
    {
        _ = Installed.Value;
        var capture = new Capture();
        var previous = Current.Value;
        Current.Value = capture;
        try
        {
            int code = CliApp.Run(args);
            lock (capture.Out) lock (capture.Err)
                return new Result(code, capture.Out.ToString(), capture.Err.ToString());
        }
        finally { Current.Value = previous; }
    }

    /// <summary>Forwards every write to the current CLI run's capture, or to the original writer outside a run.</summary>
    private sealed class RoutingWriter(TextWriter original, Func<Capture, StringWriter> pick) : TextWriter
    {
        private TextWriter Target => Current.Value is { } c ? pick(c) : original;
        public override System.Text.Encoding Encoding => original.Encoding;
        public override IFormatProvider FormatProvider => original.FormatProvider;
        public override string NewLine { get => original.NewLine; set { } }
        // one lock per target: a run's worker threads may write at the same time (StringWriter is not thread-safe)
        private void Locked(Action<TextWriter> write) { var t = Target; lock (t) write(t); }
        public override void Write(char value) => Locked(t => t.Write(value));
        public override void Write(string? value) => Locked(t => t.Write(value));
        public override void Write(char[] buffer, int index, int count) => Locked(t => t.Write(buffer, index, count));
        public override void Write(ReadOnlySpan<char> buffer) { var s = buffer.ToString(); Locked(t => t.Write(s)); }
        public override void WriteLine() => Locked(t => t.WriteLine());
        public override void WriteLine(string? value) => Locked(t => t.WriteLine(value));
        public override void WriteLine(ReadOnlySpan<char> buffer) { var s = buffer.ToString(); Locked(t => t.WriteLine(s)); }
        public override void Flush() => Locked(t => t.Flush());
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
