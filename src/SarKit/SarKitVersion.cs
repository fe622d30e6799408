using System.Reflection;

namespace SarKit;

/// <summary>
/// The SarKit version written into every result and file (<c>sarkit_version</c>) and shown by the front ends: the
/// informational version of the core assembly, without build metadata. All assemblies share one version
/// (Directory.Build.props; the release scheme is in CHANGELOG.md). The git commit the assembly was built from is the
/// build metadata (<c>0.1.0+&lt;sha&gt;</c>, set by the .NET SDK's source-control support from the checkout).
/// </summary>
public static class SarKitVersion
{
    /// <summary>e.g. <c>"0.1.0"</c>.</summary>
    public static string Current { get; } = Split(Informational()).Version;

    /// <summary>The git commit (hexadecimal, as recorded at build time) or <c>null</c> when the build was not made from a git checkout.</summary>
    public static string? Commit { get; } = Split(Informational()).Commit;

    private static string Informational()
    {
        var asm = typeof(SarDataset).Assembly;
        return asm.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? asm.GetName().Version?.ToString(3) ?? "0";
    }

    /// <summary>Splits an informational version <c>"0.1.0+abc123…"</c> into the version and the commit (build metadata made of hexadecimal digits only, else <c>null</c>).</summary>
    internal static (string Version, string? Commit) Split(string informational)
    {
        int plus = informational.IndexOf('+');
        if (plus <= 0) return (informational, null);
        var meta = informational[(plus + 1)..];
        bool isSha = meta.Length >= 7 && meta.All(Uri.IsHexDigit);
        return (informational[..plus], isSha ? meta.ToLowerInvariant() : null);
    }
}
