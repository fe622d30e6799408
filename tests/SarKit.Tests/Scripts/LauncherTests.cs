using System.Diagnostics;

namespace SarKit.Tests.Scripts;

/// <summary>
/// Which build the ./sarkit launcher runs (issue 18; docs/performance.md "Native AOT"): a copy of the launcher and of
/// scripts/sarkit-builds.sh in a fake checkout, with a fake <c>dotnet</c> first on PATH, a fake installed AOT build
/// (a script in src/SarKit.Cli/bin/Release/sarkit-aot.d/ behind the sarkit-aot link, with its stamp) and fake
/// ReadyToRun and plain builds; file times are set explicitly. Each fake prints what ran, so the test sees the choice
/// without building anything: the up-to-date AOT build by default, SARKIT_BUILD=r2r|jit honoured, a stale AOT build
/// (source newer) or one stamped with another CPU never run, `serve` never sent to the AOT build, SARKIT_BUILD=aot
/// failing (exit 1, nothing run) when the AOT build cannot be made.
/// </summary>
public sealed class LauncherTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("sarkit-launcher-");
    private static readonly DateTime T0 = new(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc);
    private string Root => _root.FullName;
    private string P(string rel) => Path.Combine(Root, rel);
    private string Bin => P("src/SarKit.Cli/bin/Release");
    private string Source => P("src/SarKit.Cli/Program.cs");
    private string AotExe => Path.Combine(Bin, "sarkit-aot.d", "1", "SarKit.Cli");
    private string R2rDll => Path.Combine(Bin, "net10.0", "linux-x64", "publish", "SarKit.Cli.dll");
    private string JitDll => Path.Combine(Bin, "net10.0", "SarKit.Cli.dll");

    public LauncherTests()
    {
        Directory.CreateDirectory(P("scripts"));
        File.Copy(Path.Combine(Support.SharedData.RepoRoot, "sarkit"), P("sarkit"));
        File.Copy(Path.Combine(Support.SharedData.RepoRoot, "scripts", "sarkit-builds.sh"), P("scripts/sarkit-builds.sh"));
        Write(P("scripts/build-aot.sh"), "echo FAKE BUILD-AOT >&2\nexit 1");
        Write(P("fakes/dotnet"), "echo \"FAKE DOTNET $*\"");
        Write(Source, "// a source of the CLI", exec: false);
        Write(AotExe, "echo \"FAKE AOT $*\"");
        Write(Path.Combine(Bin, "sarkit-aot.d", "1", "sarkit-aot.stamp"), $"cpu_id={Bash("cd '" + Root + "' && here=. && . scripts/sarkit-builds.sh && sarkit_cpu_id").Out.Trim()}\n", exec: false);
        File.CreateSymbolicLink(Path.Combine(Bin, "sarkit-aot"), "sarkit-aot.d/1");
        Write(R2rDll, "", exec: false);
        Write(JitDll, "", exec: false);
        // source at T0, then the AOT build (its time = start of its publish), the ReadyToRun and the plain build
        File.SetLastWriteTimeUtc(Source, T0);
        File.SetLastWriteTimeUtc(AotExe, T0.AddMinutes(1));
        File.SetLastWriteTimeUtc(R2rDll, T0.AddMinutes(2));
        File.SetLastWriteTimeUtc(JitDll, T0.AddMinutes(2));
    }

    public void Dispose()
    {
        try { _root.Delete(recursive: true); } catch (IOException) { }
    }

    private static void Write(string path, string body, bool exec = true)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, exec ? "#!/bin/sh\n" + body + "\n" : body);
        if (exec) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private sealed record Run(int Code, string Out, string Err);

    private Run Bash(string script, Dictionary<string, string>? env = null, params string[] args)
    {
        var psi = new ProcessStartInfo(BashFactAttribute.Bash) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add("bash");
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["PATH"] = P("fakes") + ":" + Environment.GetEnvironmentVariable("PATH");
        psi.Environment.Remove("SARKIT_BUILD");
        if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var so = p.StandardOutput.ReadToEndAsync();
        var se = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(1))) { p.Kill(true); throw new TimeoutException("the launcher did not finish in 1 min"); }
        return new Run(p.ExitCode, so.Result, se.Result);
    }

    private Run Sarkit(string? build, params string[] args) =>
        Bash($"exec '{P("sarkit")}' \"$@\"", build is null ? null : new() { ["SARKIT_BUILD"] = build }, args);

    private static bool Linux => OperatingSystem.IsLinux() && Cli.ReadyToRunFactAttribute.Rid == "linux-x64";

    [BashFact]
    public void Runs_the_up_to_date_aot_build_by_default_and_honours_SARKIT_BUILD()
    {
        if (!Linux) return; // the launcher makes ReadyToRun and AOT builds on Linux only; the fakes here are for linux-x64
        var auto = Sarkit(null, "info", "x.h5", "--json");
        Assert.True(auto.Code == 0, auto.Err);
        Assert.Equal("FAKE AOT info x.h5 --json", auto.Out.Trim());
        Assert.Equal("", auto.Err);
        Assert.Equal("FAKE AOT margin cr", Sarkit("aot", "margin", "cr").Out.Trim());
        Assert.Equal($"FAKE DOTNET {R2rDll} info x.h5", Sarkit("r2r", "info", "x.h5").Out.Trim());
        Assert.Equal($"FAKE DOTNET {JitDll} info x.h5", Sarkit("jit", "info", "x.h5").Out.Trim());
        // `serve` is not in the AOT build
        Assert.Equal($"FAKE DOTNET {R2rDll} serve", Sarkit(null, "serve").Out.Trim());
        // unforced, commands outside the AOT parity self-check run the ReadyToRun build; forced, the AOT build
        Assert.Equal($"FAKE DOTNET {R2rDll} surrogate predict", Sarkit(null, "surrogate", "predict").Out.Trim());
        Assert.Equal("FAKE AOT surrogate predict", Sarkit("aot", "surrogate", "predict").Out.Trim());
        Assert.Equal("FAKE AOT vop compress", Sarkit(null, "vop", "compress").Out.Trim());
        var bad = Sarkit("fast", "info");
        Assert.Equal(2, bad.Code);
        Assert.Equal("", bad.Out);
        Assert.Contains("SARKIT_BUILD='fast'", bad.Err);
    }

    [BashFact]
    public void Never_runs_a_stale_aot_build()
    {
        if (!Linux) return;
        File.SetLastWriteTimeUtc(Source, T0.AddMinutes(1.5)); // edited after the AOT publish started, before the R2R publish
        var auto = Sarkit(null, "info");
        Assert.True(auto.Code == 0, auto.Err);
        Assert.Equal($"FAKE DOTNET {R2rDll} info", auto.Out.Trim());
        Assert.Contains("not using the Native AOT build: it is out of date", auto.Err);

        // forced: the launcher tries to build it (the fake build-aot.sh fails) and runs nothing
        var forced = Sarkit("aot", "info");
        Assert.Equal(1, forced.Code);
        Assert.Equal("", forced.Out);
        Assert.Contains("FAKE BUILD-AOT", forced.Err);
        Assert.Contains("no usable Native AOT build", forced.Err);
    }

    [BashFact]
    public void Never_runs_an_aot_build_made_on_another_cpu()
    {
        if (!Linux) return;
        File.WriteAllText(Path.Combine(Bin, "sarkit-aot.d", "1", "sarkit-aot.stamp"), "cpu_id=1\n");
        var auto = Sarkit(null, "info");
        Assert.Equal($"FAKE DOTNET {R2rDll} info", auto.Out.Trim());
        Assert.Contains("built on a CPU with other instruction sets", auto.Err);
        // no stamp (e.g. a publish copied by hand): not run either
        File.Delete(Path.Combine(Bin, "sarkit-aot.d", "1", "sarkit-aot.stamp"));
        Assert.Equal($"FAKE DOTNET {R2rDll} info", Sarkit(null, "info").Out.Trim());
    }
}
