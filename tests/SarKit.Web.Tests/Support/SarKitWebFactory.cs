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
    public string RecordsDb => Path.Combine(Path.GetDirectoryName(DataFolder)!, "records", "records.db");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("SarKit:DataFolder", DataFolder);
        builder.UseSetting("SarKit:MaxUploadBytes", UploadLimit.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("SarKit:Records", RecordsDb);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        TestData.DeleteDataFolder(DataFolder);
    }
}
