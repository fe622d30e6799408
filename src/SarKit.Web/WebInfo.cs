using System.Reflection;

namespace SarKit.Web;

/// <summary>Version of the SarKit library the app runs on.</summary>
public static class WebInfo
{
    public static string Version
    {
        get
        {
            var asm = typeof(SarDataset).Assembly;
            var v = asm.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? asm.GetName().Version?.ToString(3) ?? "0";
            int plus = v.IndexOf('+');
            return plus > 0 ? v[..plus] : v;
        }
    }
}
