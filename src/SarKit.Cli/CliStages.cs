using SarKit.Workflows;

namespace SarKit.Cli;

/// <summary>The stages of a use case as progress bars on stderr (<see cref="CliIO.WithProgress{T}"/>; none with --json or when stderr is not a terminal).</summary>
internal sealed class CliStages(CliIO io, bool json) : IWorkflowStages
{
    public T Run<T>(string label, Func<IProgress<double>?, T> work)
    {
        CliTiming.Mark($"start {label}");
        var r = io.WithProgress(json, label, work);
        CliTiming.Mark($"end {label}");
        return r;
    }
}
