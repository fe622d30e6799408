namespace SarKit.Workflows;

/// <summary>Progress of a multi-stage use case: the stage's label (e.g. "Reading dataset") and its completed fraction in [0, 1].</summary>
public readonly record struct StageReport(string Stage, double Fraction);

/// <summary>Helpers for reporting <see cref="StageReport"/> progress.</summary>
public static class StageReports
{
    /// <summary>An <see cref="IProgress{T}"/> of fractions for one stage of <paramref name="progress"/> (null when there is nothing to report to).</summary>
    public static IProgress<double>? For(this IProgress<StageReport>? progress, string stage)
        => progress is null ? null : new StageFraction(progress, stage);

    /// <summary>Runs <paramref name="work"/> as stage <paramref name="stage"/>: reports 0, lets it report fractions, then 1.</summary>
    public static T Run<T>(this IProgress<StageReport>? progress, string stage, Func<IProgress<double>?, T> work)
    {
        var p = progress.For(stage);
        p?.Report(0);
        var r = work(p);
        p?.Report(1);
        return r;
    }

    private sealed class StageFraction(IProgress<StageReport> inner, string stage) : IProgress<double>
    {
        public void Report(double value) { if (double.IsFinite(value)) inner.Report(new StageReport(stage, Math.Clamp(value, 0, 1))); }
    }
}
