namespace SarKit.Web.Tests.Support;

/// <summary>Files under ../shared/reference (beside the repository, or $SARKIT_SHARED), as in SarKit.Tests' SharedData.</summary>
public static class SharedReference
{
    public static string? Find(string relative)
    {
        var env = Environment.GetEnvironmentVariable("SARKIT_SHARED");
        string? root = !string.IsNullOrEmpty(env) && Directory.Exists(env) ? env : null;
        if (root is null)
        {
            var shared = Path.Combine(TestData.RepoRoot, "..", "shared");
            if (Directory.Exists(shared)) root = shared;
        }
        if (root is null) return null;
        var p = Path.GetFullPath(Path.Combine(root, "reference", relative));
        return File.Exists(p) ? p : null;
    }
}

/// <summary>A fact that needs files under ../shared/reference: skipped with a visible reason when one is absent.</summary>
public sealed class SharedReferenceFactAttribute : FactAttribute
{
    public SharedReferenceFactAttribute(params string[] files)
    {
        foreach (var f in files)
            if (SharedReference.Find(f) is null) { Skip = $"../shared/reference/{f} is not available (run beside the shared folder or set SARKIT_SHARED)."; break; }
    }
}
