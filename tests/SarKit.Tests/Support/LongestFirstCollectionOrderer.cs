using Xunit.Abstractions;

[assembly: TestCollectionOrderer("SarKit.Tests.Support.LongestFirstCollectionOrderer", "SarKit.Tests")]

namespace SarKit.Tests.Support;

/// <summary>
/// Starts the longest test classes first (longest-processing-time-first list scheduling, docs/testing.md). xUnit 2 runs
/// at most <c>maxParallelThreads</c> collections at a time and starts them in the order this orderer returns; its
/// default order is random, so a 5-minute class could start when everything else is done and run alone on one core.
/// <see cref="Longest"/> lists the classes with the largest sum of test durations in a quiet-machine run of the whole
/// project (regenerate with tests/tools/trx_summary.py --classes), longest first; every other collection follows in
/// ordinal order of its name (stable between runs). The order never changes what a test checks: a stale list only
/// costs time, and <c>LongestFirstCollectionOrdererTests</c> fails when a listed class no longer exists.
/// </summary>
public sealed class LongestFirstCollectionOrderer : ITestCollectionOrderer
{
    private const string Prefix = "Test collection for ";

    /// <summary>Full names of the longest test classes, longest first (lead's clean-clone run of 2026-12-07 18:41, class sums of test durations).</summary>
    internal static readonly string[] Longest =
    [
        "SarKit.Tests.Surrogate.SurrogateEvaluationCrossCheckTests",
        "SarKit.Tests.Margins.MarginValidationSpatialTests",
        "SarKit.Tests.Surrogate.ShippedSurrogateFreshCasesTests",
        "SarKit.Tests.Cli.ReadyToRunParityTests",
        "SarKit.Tests.Surrogate.Surrogate3dDatasetTests",
        "SarKit.Tests.Margins.MarginValidationTests",
        "SarKit.Tests.Surrogate.SurrogatePythonTests",
        "SarKit.Tests.Surrogate.BodyModelTests",
        "SarKit.Tests.Docs.DocCodeTests",
        "SarKit.Tests.Compression.VopCompressorTests",
        "SarKit.Tests.Workflows.SlurmClusterTests",
        "SarKit.Tests.Averaging.RectilinearAveragingTests",
        "SarKit.Tests.Reference.OpenEmsReferenceTests",
        "SarKit.Tests.Scripts.SetupScriptTests",
        "SarKit.Tests.PulseDesign.RfShimDesignTests",
        "SarKit.Tests.Reference.OpenEmsVopTests",
        "SarKit.Tests.Cli.MarginCliTests",
        "SarKit.Tests.Cli.CliCommandTests",
        "SarKit.Tests.Constraints.ShimRowGenerationTests",
        "SarKit.Tests.Reference.OpenEmsB1PlusTests",
        "SarKit.Tests.Workflows.SlurmJobPlanningTests",
        "SarKit.Tests.Docs.DocumentedCommandsTests",
        "SarKit.Tests.Surrogate.SquareAverageParityTests",
        "SarKit.Tests.Constraints.RfShimSolverTests",
        "SarKit.Tests.Surrogate.Surrogate3dEvaluationTests",
    ];

    /// <summary>The class a per-class collection was made for ("Test collection for NS.Class"), else the collection's name.</summary>
    internal static string ClassOf(ITestCollection collection) =>
        collection.DisplayName.StartsWith(Prefix, StringComparison.Ordinal) ? collection.DisplayName[Prefix.Length..] : collection.DisplayName;

    /// <summary>Rank of a class in <see cref="Longest"/>, or <see cref="int.MaxValue"/> when not listed.</summary>
    internal static int Rank(string className)
    {
        int i = Array.IndexOf(Longest, className);
        return i < 0 ? int.MaxValue : i;
    }

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections.OrderBy(c => Rank(ClassOf(c))).ThenBy(c => c.DisplayName, StringComparer.Ordinal).ToList();
}
