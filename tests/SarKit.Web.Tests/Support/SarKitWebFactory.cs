using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace SarKit.Web.Tests.Support;

/// <summary>
/// The web app in an in-memory test server (Microsoft.AspNetCore.Mvc.Testing) on a fresh data folder
/// (<see cref="TestData.MakeDataFolder"/>), a 64 KiB upload limit and a records database in the temp folder.
/// Shared by the tests of a class so the demo's Q-matrices are computed once.
/// </summary>
public sealed class SarKitWebFactory : WebApplicationFactory<Program>
{
    public const long UploadLimit = 64 * 1024;
    public string DataFolder { get; } = TestData.MakeDataFolder();
    /// <summary>Further configuration settings (e.g. "SarKit:CacheBudgetBytes"), applied when the server is first used.</summary>
    public Dictionary<string, string> Settings { get; } = new();
    public string RecordsDb => Path.Combine(Path.GetDirectoryName(DataFolder)!, "records", "records.db");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("SarKit:DataFolder", DataFolder);
        builder.UseSetting("SarKit:MaxUploadBytes", UploadLimit.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("SarKit:Records", RecordsDb);
        foreach (var (k, v) in Settings) builder.UseSetting(k, v);
    }

    /// <summary>Same-origin headers every state-changing request of the front end sends (docs/web.md, "Safety").</summary>
    public const string Origin = "http://localhost";

    /// <summary>Clients of the tests act like the app's own page: same Origin and the anti-CSRF request header.</summary>
    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        client.DefaultRequestHeaders.Add("Origin", Origin);
        client.DefaultRequestHeaders.Add(CsrfGuard.HeaderName, "1");
    }

    /// <summary>A client without the same-origin headers (a plain HTTP client or another site's page).</summary>
    public HttpClient CreateBareClient()
    {
        var c = CreateClient();
        c.DefaultRequestHeaders.Remove("Origin");
        c.DefaultRequestHeaders.Remove(CsrfGuard.HeaderName);
        return c;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        TestData.DeleteDataFolder(DataFolder);
    }
}
