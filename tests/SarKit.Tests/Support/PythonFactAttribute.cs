using System.Diagnostics;

namespace SarKit.Tests.Support;

/// <summary>
/// A fact that needs /usr/bin/python3 able to import the given modules (e.g. "numpy", "torch"): skipped, with the
/// reason in the test report, when it cannot (no Python, or a module missing).
/// </summary>
public sealed class PythonFactAttribute : FactAttribute
{
    public const string Python = "/usr/bin/python3";
    private static readonly Dictionary<string, bool> Cache = new();

    public PythonFactAttribute(params string[] modules)
    {
        foreach (var m in modules)
            if (!CanImport(m)) { Skip = $"{Python} cannot import {m} (install the Debian package python3-{m} to run this test)."; break; }
    }

    public static bool CanImport(string module)
    {
        lock (Cache)
        {
            if (Cache.TryGetValue(module, out var ok)) return ok;
            ok = false;
            if (File.Exists(Python))
            {
                try
                {
                    var r = Run(["-c", $"import {module}"], TimeSpan.FromSeconds(60));
                    ok = r.ExitCode == 0;
                }
                catch (Exception) { ok = false; }
            }
            return Cache[module] = ok;
        }
    }

    /// <summary>Runs /usr/bin/python3 with arguments; returns exit code and combined output (killed after the timeout).</summary>
    public static (int ExitCode, string Output) Run(IEnumerable<string> args, TimeSpan timeout, string? workingDirectory = null)
    {
        var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (workingDirectory is not null) psi.WorkingDirectory = workingDirectory;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout)) { p.Kill(entireProcessTree: true); return (-1, "timeout"); }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }
}
