namespace SarKit.Tests.Support;

/// <summary>Locates ../shared/reference (beside the repository) for tests that use independent reference data.</summary>
public static class SharedData
{
    private static readonly Lazy<string?> _root = new(() =>
    {
        var env = Environment.GetEnvironmentVariable("SARKIT_SHARED");
        if (!string.IsNullOrEmpty(env) && Directory.Exists(env)) return Path.GetFullPath(env);
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SarKit.sln")))
            {
                var shared = Path.Combine(dir.FullName, "..", "shared");
                return Directory.Exists(shared) ? Path.GetFullPath(shared) : null;
            }
            dir = dir.Parent;
        }
        return null;
    });

    /// <summary>The shared folder, or null when absent.</summary>
    public static string? Root => _root.Value;

    /// <summary>Path of a file under shared/reference, or null (with a visible skip reason) when absent.</summary>
    public static string? Reference(string relative)
    {
        if (Root is null) return null;
        var p = Path.Combine(Root, "reference", relative);
        return File.Exists(p) ? p : null;
    }

    /// <summary>Repository root (folder holding SarKit.sln).</summary>
    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SarKit.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("SarKit.sln not found above the test binaries.");
        }
    }
}
