namespace SarKit.Workflows;

/// <summary>
/// Runs the named stages of a use case (reading, averaging, solving …) so that a front end can show each with its
/// progress (the CLI: a progress bar per stage on a terminal). Without one (null) a use case runs every stage with no
/// progress.
/// </summary>
public interface IWorkflowStages
{
    /// <summary>Runs <paramref name="work"/> as the stage <paramref name="label"/>, handing it the stage's progress (fraction 0..1) or null.</summary>
    T Run<T>(string label, Func<IProgress<double>?, T> work);
}

/// <summary>Helpers for <see cref="IWorkflowStages"/>.</summary>
public static class WorkflowStages
{
    /// <summary>Runs a stage on <paramref name="stages"/>, or directly without progress when it is null.</summary>
    public static T Stage<T>(this IWorkflowStages? stages, string label, Func<IProgress<double>?, T> work) =>
        stages is null ? work(null) : stages.Run(label, work);
}
