namespace SarKit.Web.Tests.Support;

/// <summary>Locates the repository's demo dataset (data/demo/ptx8_7T_demo.h5, docs/demo-data.md).</summary>
public static class TestData
{
    public const string DemoName = "ptx8_7T_demo.h5";

    public static string DemoFile
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var p = Path.Combine(dir.FullName, "data", "demo", DemoName);
                if (File.Exists(p)) return p;
            }
            throw new FileNotFoundException($"data/demo/{DemoName} not found above {AppContext.BaseDirectory}");
        }
    }

    /// <summary>Repository root (the folder holding SarKit.sln).</summary>
    public static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "SarKit.sln"))) return dir.FullName;
            throw new DirectoryNotFoundException("SarKit.sln not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>
    /// A fresh data folder for one test class: a copy of the demo dataset, a subfolder, and links that lead out of the
    /// folder (a file link and a folder link to the repository's data/demo), which the app must refuse.
    /// </summary>
    public static string MakeDataFolder()
    {
        var root = Path.Combine(Path.GetTempPath(), "sarkit-web-tests-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path.Combine(root, "data", "sub"));
        var data = Path.Combine(root, "data");
        File.Copy(DemoFile, Path.Combine(data, DemoName));
        File.WriteAllText(Path.Combine(root, "outside.h5"), "not inside the data folder");
        File.CreateSymbolicLink(Path.Combine(data, "escape.h5"), Path.Combine(root, "outside.h5"));
        Directory.CreateSymbolicLink(Path.Combine(data, "linkdir"), Path.GetDirectoryName(DemoFile)!);
        File.CreateSymbolicLink(Path.Combine(data, "sub", "inside-link.h5"), Path.Combine(data, DemoName));
        return data;
    }

    public static void DeleteDataFolder(string data)
    {
        try { Directory.Delete(Path.GetDirectoryName(data)!, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
