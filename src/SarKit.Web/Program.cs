using SarKit;
using SarKit.Web;

/// <summary>
/// Standalone entry point: <c>dotnet SarKit.Web.dll [--data DIR] [--port P] [--urls URL;…] [--public] [--records PATH]</c>;
/// without those flags the settings come from configuration (section "SarKit", e.g. SarKit__DataFolder). The usual way
/// to start the app is <c>sarkit serve</c>.
/// </summary>
public partial class Program
{
    public static int Main(string[] args)
    {
        try
        {
            // our flags → explicit settings; anything else (e.g. --environment from a test host) → host configuration
            var options = ServeArguments.IsServeCommandLine(args) ? ServeArguments.Parse(args) : null;
            var app = SarKitWebApp.Create(options is null ? args : [], options);
            SarKitWebApp.Start(app);
            SarKitWebApp.WarmUp(app);
            foreach (var a in SarKitWebApp.Addresses(app)) Console.WriteLine($"SarKit web app: {a}/");
            app.WaitForShutdown();
            return 0;
        }
        catch (SarKitInputException e) { Console.Error.WriteLine($"error: {e.Message}"); return 2; }
    }
}
