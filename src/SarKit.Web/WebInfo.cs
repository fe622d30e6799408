
namespace SarKit.Web;

/// <summary>Version of the SarKit library the app runs on.</summary>
public static class WebInfo
{
    /// <summary><see cref="SarKitVersion.Current"/>.</summary>
    public static string Version => SarKitVersion.Current;
}
