using System.Diagnostics;

namespace SarKit.Tests.Support;

/// <summary>
/// A fact that needs Debian's python3-cvxopt (/usr/bin/python3 -c "import cvxopt"): skipped visibly when it is absent.
/// </summary>
public sealed class CvxoptFactAttribute : FactAttribute
{
    private static readonly Lazy<bool> s_available = new(() => Cvxopt.Run("-c \"import cvxopt\"", out _) == 0);

    public CvxoptFactAttribute()
    {
        if (!s_available.Value) Skip = "python3-cvxopt is not installed (/usr/bin/python3 -c \"import cvxopt\" failed; apt-get install python3-cvxopt).";
    }
}

internal static class Cvxopt
{
    public static int Run(string args, out string stdout)
    {
        stdout = "";
        if (!File.Exists("/usr/bin/python3")) return -1;
        try
        {
            using var p = Process.Start(new ProcessStartInfo("/usr/bin/python3", args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })!;
            stdout = p.StandardOutput.ReadToEnd();
            p.StandardError.ReadToEnd();
            if (!p.WaitForExit(120_000)) { p.Kill(); return -1; }
            return p.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception) { return -1; }
    }

    /// <summary>tools/fixtures/ in the repository (walks up from the test assembly).</summary>
    public static string Script(string name)
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            var f = Path.Combine(d.FullName, "tools", "fixtures", name);
            if (File.Exists(f)) return f;
        }
        throw new FileNotFoundException($"tools/fixtures/{name} not found above {AppContext.BaseDirectory}");
    }
}
