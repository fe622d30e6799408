namespace SarKit.Web.Tests.Support;

/// <summary>
/// A fact that drives the system Chromium (Debian package `chromium`, /usr/bin/chromium) with Playwright: skipped, with
/// the reason in the test report, when that browser is not installed (scripts/setup.sh installs it).
/// </summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string ExecutablePath = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(ExecutablePath))
            Skip = $"{ExecutablePath} is not installed (Debian package 'chromium'; run scripts/setup.sh): end-to-end browser test skipped.";
    }
}
