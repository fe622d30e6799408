using System.Diagnostics;
using SarKit.Tests.Support;

namespace SarKit.Tests.Docs;

/// <summary>
/// The code of docs/python.md and docs/matlab.md runs as written: the page's python (or matlab) blocks are joined into one
/// script and run in a temporary folder by /usr/bin/python3 (numpy + h5py) or GNU Octave, with SARKIT naming the real
/// `sarkit` program (this build's SarKit.Cli.dll). The scripts assert known answers themselves; a non-zero exit fails.
/// </summary>
public class DocCodeTests
{
    /// <summary>`dotnet …/SarKit.Cli.dll` of this build (the test project builds the CLI project, same configuration).</summary>
    private static string SarkitCommand()
    {
        var here = AppContext.BaseDirectory;
        string config = here.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        var dll = Path.Combine(SharedData.RepoRoot, "src", "SarKit.Cli", "bin", config, "net10.0", "SarKit.Cli.dll");
        Assert.True(File.Exists(dll), $"{dll} not found: build src/SarKit.Cli ({config}) first");
        return $"dotnet {dll}";
    }

    private static string Script(string page, string language)
    {
        var blocks = MarkdownCode.Blocks(page).Where(b => b.Language == language).ToList();
        Assert.True(blocks.Count >= 3, $"{page}: expected the {language} blocks of the walk-through, found {blocks.Count}");
        return string.Concat(blocks.Select(b => b.Text));
    }

    private static (int Code, string Out, string Err) Run(string exe, string workDir, params string[] args)
    {
        var psi = new ProcessStartInfo(exe) { WorkingDirectory = workDir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["SARKIT"] = SarkitCommand();
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5))) { p.Kill(entireProcessTree: true); throw new TimeoutException($"{exe} did not finish in 5 min"); }
        return (p.ExitCode, output, err.Result);
    }

    [H5pyFact]
    public void ThePythonPageRunsAsWritten()
    {
        using var dir = new Cli.TempDir();
        var script = Path.Combine(dir.Path, "python_md.py");
        File.WriteAllText(script, Script("docs/python.md", "python"));
        var (code, o, e) = Run(Python.Exe, dir.Path, script);
        Assert.True(code == 0, $"docs/python.md: exit {code}\n{o}\n{e}");
        Assert.Contains("VOPs; certificate passed", o);
        Assert.True(File.Exists(dir.File("maps.h5")) && File.Exists(dir.File("vops.h5")));
    }

    [OctaveFact]
    public void TheMatlabPageRunsInOctaveAsWritten()
    {
        using var dir = new Cli.TempDir();
        var script = Path.Combine(dir.Path, "matlab_md.m");
        File.WriteAllText(script, Script("docs/matlab.md", "matlab"));
        var exe = File.Exists("/usr/bin/octave-cli") ? "/usr/bin/octave-cli" : OctaveFactAttribute.Exe;
        var (code, o, e) = Run(exe, dir.Path, "--no-gui", "--quiet", "--norc", script);
        Assert.True(code == 0, $"docs/matlab.md: exit {code}\n{o}\n{e}");
        Assert.Contains("Q-matrices ->", o);
        Assert.True(File.Exists(dir.File("maps.mat")));
    }
}
