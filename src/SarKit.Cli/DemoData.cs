namespace SarKit.Cli;

/// <summary>
/// Finds the built-in demo dataset (docs/demo-data.md). From a source checkout (a folder above the program holding
/// SarKit.sln and data/demo/) it is data/demo/ of that checkout, never a copy in the build output; when SarKit is
/// installed as a .NET tool it is the copy packaged beside the program (demo/).
/// </summary>
internal static class DemoData
{
    public const string FileName = "ptx8_7T_demo.h5";

    public static string Locate() => Locate(AppContext.BaseDirectory);

    /// <summary>The demo dataset for a program in <paramref name="programDir"/>: the checkout's data/demo, else the packaged demo/.</summary>
    internal static string Locate(string programDir)
    {
        for (var dir = new DirectoryInfo(programDir); dir is not null; dir = dir.Parent)
        {
            var p = Path.Combine(dir.FullName, "data", "demo", FileName);
            if (File.Exists(Path.Combine(dir.FullName, "SarKit.sln")) && File.Exists(p)) return p;
        }
        var packaged = Path.Combine(programDir, "demo", FileName);
        if (File.Exists(packaged)) return packaged;
        throw new SarKitInputException($"Demo dataset {FileName} not found: neither data/demo/ of a SarKit source checkout above {programDir} " +
                                       $"nor the copy installed with the sarkit tool ({packaged}).");
    }
}
