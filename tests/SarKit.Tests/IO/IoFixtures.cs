using System.Diagnostics;
using SarKit.Tests.Support;

namespace SarKit.Tests.IO;

/// <summary>Paths of the committed fixtures (tests/SarKit.Tests/data/io, made by tools/fixtures/make_io_fixtures.py) and a scratch folder.</summary>
internal static class IoFixtures
{
    public static string Path(string name) => System.IO.Path.Combine(SharedData.RepoRoot, "tests", "SarKit.Tests", "data", "io", name);

    /// <summary>a[i,j,k] = 100 i + 10 j + k + 0.5 for shape (2,3,4) (the script's cube()).</summary>
    public static double Cube(int i, int j, int k) => 100 * i + 10 * j + k + 0.5;

    /// <summary>A fresh temporary folder, deleted on dispose.</summary>
    public sealed class TempDir : IDisposable
    {
        public TempDir() { Dir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sarkit-io-" + Guid.NewGuid().ToString("N")); Directory.CreateDirectory(Dir); }
        public string Dir { get; }
        public string File(string name) => System.IO.Path.Combine(Dir, name);
        public void Dispose() { try { Directory.Delete(Dir, true); } catch (IOException) { } }
    }

    private static readonly Lazy<bool> _scipy = new(() => RunPython("import numpy, scipy.io", out _) == 0);

    /// <summary>True when /usr/bin/python3 with numpy and scipy is available.</summary>
    public static bool HasScipy => File.Exists("/usr/bin/python3") && _scipy.Value;

    /// <summary>Runs /usr/bin/python3 -c <paramref name="code"/>; returns the exit code and stdout+stderr.</summary>
    public static int RunPython(string code, out string output)
    {
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(code);
        using var p = Process.Start(psi)!;
        var so = p.StandardOutput.ReadToEndAsync();
        var se = p.StandardError.ReadToEnd();
        p.WaitForExit();
        output = so.Result + se;
        return p.ExitCode;
    }
}

/// <summary>A fact that needs /usr/bin/python3 with numpy and scipy; skipped with a visible reason otherwise.</summary>
public sealed class ScipyFactAttribute : FactAttribute
{
    public ScipyFactAttribute()
    {
        if (!IoFixtures.HasScipy) Skip = "/usr/bin/python3 with numpy and scipy is not available.";
    }
}
