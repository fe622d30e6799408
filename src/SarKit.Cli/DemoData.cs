namespace SarKit.Cli;

/// <summary>Finds the built-in demo dataset (docs/demo-data.md): beside the CLI (demo/…), else in the source checkout (data/demo/…).</summary>
internal static class DemoData
{
    public const string FileName = "ptx8_7T_demo.h5";

    public static string Locate()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "demo", FileName);
        if (File.Exists(beside)) return beside;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var p = Path.Combine(dir.FullName, "data", "demo", FileName);
            if (File.Exists(p)) return p;
        }
        throw new SarKitInputException($"Demo dataset {FileName} not found beside the program ({beside}) or under data/demo/ of a source checkout.");
    }
}
