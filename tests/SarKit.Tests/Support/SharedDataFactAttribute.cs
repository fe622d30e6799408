namespace SarKit.Tests.Support;

/// <summary>
/// A fact that needs files under ../shared/reference: skipped (visibly, with the reason in the test report) when any is absent.
/// </summary>
public sealed class SharedDataFactAttribute : FactAttribute
{
    public SharedDataFactAttribute(params string[] referenceFiles)
    {
        foreach (var f in referenceFiles)
            if (SharedData.Reference(f) is null)
            {
                Skip = $"../shared/reference/{f} is not available (run beside the shared folder or set SARKIT_SHARED).";
                break;
            }
    }
}
