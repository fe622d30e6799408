using System.Reflection;

namespace SarKit;

/// <summary>
/// The SarKit version written into every result and file (<c>sarkit_version</c>) and shown by the front ends: the
/// informational version of the core assembly, without build metadata. All assemblies share one version
/// (Directory.Build.props).
/// </summary>
public static class SarKitVersion
{
    /// <summary>e.g. <c>"0.1.0"</c>.</summary>
    public static string Current { get; } = Read();

    private static string Read()
    {
        var asm = typeof(SarDataset).Assembly;
        var v = asm.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? asm.GetName().Version?.ToString(3) ?? "0";
        int plus = v.IndexOf('+');
        return plus > 0 ? v[..plus] : v;
    }
}
