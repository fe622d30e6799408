using System.Diagnostics;
using SarKit.Tests.Cli;

namespace SarKit.Tests.Scripts;

/// <summary>A fact that runs a shell script: skipped, with the reason, when bash is not installed.</summary>
public sealed class BashFactAttribute : FactAttribute
{
    public const string Bash = "/bin/bash";
    public BashFactAttribute()
    {
        if (!File.Exists(Bash)) Skip = $"{Bash} is not installed: the set-up script tests need bash.";
    }
}

/// <summary>
/// The failure paths of scripts/setup.sh, scripts/setup-test.sh and scripts/demo.sh (issue 17): fake commands placed
/// first on PATH (an apt-get that fails after printing noise, an id that says "not root", a sudo that needs a password,
/// a dotnet without the .NET 10 SDK) and SARKIT_SETUP_ASSUME_MISSING=1 so that every package counts as missing.
/// </summary>
public sealed class SetupScriptTests : IDisposable
{
    private readonly TempDir _dir = new();
    private string Fakes => Path.Combine(_dir.Path, "fakes");
    private string Log => _dir.File("apt.log");
    private string AptCalls => _dir.File("apt-calls");
    private static string Scripts => Path.Combine(Support.SharedData.RepoRoot, "scripts");

    public SetupScriptTests() => Directory.CreateDirectory(Fakes);
    public void Dispose() => _dir.Dispose();

    private void Fake(string name, string body)
    {
        var p = Path.Combine(Fakes, name);
        File.WriteAllText(p, "#!/bin/sh\n" + body + "\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(p, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private void FailingAptGet() =>
        Fake("apt-get", $"echo \"$*\" >> '{AptCalls}'\nfor i in 1 2 3; do echo \"APT-NOISE-OUT $i\"; echo \"APT-NOISE-ERR $i\" >&2; done\nexit 100");

    private sealed record Run(int ExitCode, string Out, string Err);

    private Run Bash(string script, params string[] args)
    {
        var psi = new ProcessStartInfo(BashFactAttribute.Bash) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(script);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["PATH"] = Fakes + ":" + Environment.GetEnvironmentVariable("PATH");
        psi.Environment["SARKIT_SETUP_ASSUME_MISSING"] = "1";
        psi.Environment["SARKIT_SETUP_LOG"] = Log;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(2))) { p.Kill(true); throw new TimeoutException($"{script} did not finish in 2 min"); }
        return new Run(p.ExitCode, stdout.Result, stderr.Result);
    }

    private static string Setup => Path.Combine(Scripts, "setup.sh");
    private static string SetupTest => Path.Combine(Scripts, "setup-test.sh");

    [BashFact]
    public void Setup_with_a_failing_apt_get_still_exits_0_with_one_line_per_package_and_apt_output_only_in_the_log()
    {
        FailingAptGet();
        Fake("id", "echo 0");   // as root: apt-get itself is run (and fails)
        var r = Bash(Setup);
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Equal("", r.Out);
        Assert.DoesNotContain("APT-NOISE", r.Err);
        Assert.Contains("APT-NOISE-OUT", File.ReadAllText(Log));
        Assert.Contains("APT-NOISE-ERR", File.ReadAllText(Log));
        Assert.Contains("setup: ok .NET SDK 10.", r.Err);
        Assert.Matches(@"setup: skip libhdf5-103-1(t64)? \(.*\): apt-get exit 100 \(see .*apt\.log\); the demo runs without it", r.Err);
        Assert.Contains("--no-install-recommends", File.ReadAllText(AptCalls));
        Assert.Matches("to install the rest: .*apt-get install -y --no-install-recommends libhdf5-103-1", r.Err);
    }

    [BashFact]
    public void Setup_without_root_and_with_a_sudo_that_needs_a_password_says_what_to_run_and_never_calls_apt_get()
    {
        FailingAptGet();
        Fake("id", "echo 1000");
        Fake("sudo", "exit 1");
        var r = Bash(Setup);
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("not root, and sudo needs a password", r.Err);
        Assert.Contains("to install the rest: sudo sh -c 'apt-get update && apt-get install -y --no-install-recommends libhdf5-103-1", r.Err);
        Assert.False(File.Exists(AptCalls), "apt-get must not be called without root");
    }

    [BashFact]
    public void Setup_without_root_and_without_sudo_says_who_must_run_what()
    {
        FailingAptGet();
        Fake("id", "echo 1000");
        // a sudo on the real PATH would be found after the fakes: only meaningful without one
        if (Environment.GetEnvironmentVariable("PATH")!.Split(':').Any(d => File.Exists(Path.Combine(d, "sudo"))))
            Fake("sudo", "exit 1");
        var r = Bash(Setup);
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Matches("not root(,)? and (no sudo|sudo needs a password)", r.Err);
        Assert.Contains("apt-get update && apt-get install -y --no-install-recommends libhdf5-103-1", r.Err);
        Assert.False(File.Exists(AptCalls));
    }

    [BashFact]
    public void Setup_checks_dotnet_first_and_stops_with_install_instructions_when_the_sdk_is_not_10()
    {
        FailingAptGet();
        Fake("dotnet", "echo '8.0.100 [/usr/share/dotnet/sdk]'");
        var r = Bash(Setup);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("the .NET 10 SDK is required", r.Err);
        Assert.Contains("8.0.100", r.Err);
        Assert.Contains("dotnet-install.sh | bash -s -- --channel 10.0", r.Err);
        Assert.Contains("apt-get install -y --no-install-recommends dotnet-sdk-10.0", r.Err);
        Assert.False(File.Exists(AptCalls), "nothing is installed before the .NET check");
    }

    [BashFact]
    public void Setup_test_skips_every_tool_visibly_when_apt_get_fails_and_exits_0()
    {
        FailingAptGet();
        var r = Bash(SetupTest);
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.DoesNotContain("APT-NOISE", r.Err + r.Out);
        foreach (var pkg in new[] { "chromium", "python3-numpy", "python3-scipy", "python3-h5py", "python3-torch", "python3-cvxopt", "octave", "postgresql" })
            Assert.Contains($"setup-test: skip {pkg} (", r.Err);
        Assert.All(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.Contains(": skip ")),
            l => Assert.EndsWith("those tests will be skipped", l));
    }

    [BashFact]
    public void Demo_script_runs_the_demo_when_every_optional_install_fails()
    {
        // a copy of the scripts beside a fake ./sarkit: demo.sh's own control flow, without building SarKit
        var root = Path.Combine(_dir.Path, "checkout");
        Directory.CreateDirectory(Path.Combine(root, "scripts"));
        foreach (var f in new[] { "demo.sh", "setup.sh", "setup-common.sh" })
            File.Copy(Path.Combine(Scripts, f), Path.Combine(root, "scripts", f));
        var sarkit = Path.Combine(root, "sarkit");
        File.WriteAllText(sarkit, "#!/bin/sh\necho \"FAKE SARKIT $*\"\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(sarkit, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        FailingAptGet();
        Fake("id", "echo 1000");
        Fake("sudo", "exit 1");
        var r = Bash(Path.Combine(root, "scripts", "demo.sh"), "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Equal("FAKE SARKIT demo --json", r.Out.Trim());
        Assert.Contains("setup: skip libhdf5", r.Err);

        FailingAptGet();
        Fake("dotnet", "exit 0");   // no SDK at all: the demo cannot run, and says why
        var r2 = Bash(Path.Combine(root, "scripts", "demo.sh"));
        Assert.Equal(1, r2.ExitCode);
        Assert.Equal("", r2.Out);
        Assert.Contains("the .NET 10 SDK is required", r2.Err);
    }
}
