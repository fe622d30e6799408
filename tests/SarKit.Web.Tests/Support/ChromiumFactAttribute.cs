namespace SarKit.Web.Tests.Support;

/// <summary>
/// A fact that drives the system Chromium (Debian package `chromium`, /usr/bin/chromium) with Playwright: skipped, with
/// the reason in the test report, when that browser is not installed (scripts/setup-test.sh installs it).
/// </summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string ExecutablePath = "/usr/bin/chromium";

    /// <param name="sharedReferenceFiles">files under ../shared/reference the test also needs (skipped when absent)</param>
    public ChromiumFactAttribute(params string[] sharedReferenceFiles)
    {
        if (!File.Exists(ExecutablePath))
            Skip = $"{ExecutablePath} is not installed (Debian package 'chromium'; run scripts/setup-test.sh): end-to-end browser test skipped.";
        else
            foreach (var f in sharedReferenceFiles)
                if (SharedReference.Find(f) is null) { Skip = $"../shared/reference/{f} is not available: end-to-end browser test skipped."; break; }
    }
}
