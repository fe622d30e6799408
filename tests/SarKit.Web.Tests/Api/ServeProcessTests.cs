using System.Diagnostics;
using System.Net;
using SarKit.Web.Tests.Support;

namespace SarKit.Web.Tests.Api;

/// <summary>`sarkit serve` as a real process: prints its URL, answers, and stops cleanly on SIGTERM (as on Ctrl-C).</summary>
public sealed class ServeProcessTests
{
    [Fact]
    public async Task Serve_prints_the_url_answers_and_stops_on_a_signal()
    {
        if (!OperatingSystem.IsLinux()) return;
        // the CLI's own build output (as users run it), same configuration as this test assembly
        var config = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var cli = Path.Combine(TestData.RepoRoot, "src", "SarKit.Cli", "bin", config, "net10.0", "SarKit.Cli.dll");
        Assert.True(File.Exists(cli), cli);
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { cli, "serve", "--port", "0", "--data", Path.GetDirectoryName(TestData.DemoFile)! }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = new System.Text.StringBuilder();
        p.ErrorDataReceived += (_, e) => { lock (stderr) stderr.AppendLine(e.Data); };
        p.BeginErrorReadLine();
        try
        {
            var lines = new List<string>();
            string? url = null;
            var read = Task.Run(async () =>
            {
                string? line;
                while ((line = await p.StandardOutput.ReadLineAsync()) is not null)
                {
                    lock (lines) lines.Add(line);
                    if (url is null && line.StartsWith("SarKit web app: http://127.0.0.1:", StringComparison.Ordinal)) url = line["SarKit web app: ".Length..];
                }
            });
            var until = DateTime.UtcNow.AddSeconds(120);
            while (url is null && !p.HasExited && DateTime.UtcNow < until) await Task.Delay(50);
            Assert.True(url is not null, "no URL printed: " + string.Join(" | ", lines) + " " + stderr);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
            var r = await http.GetAsync(url + "api/datasets");
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Contains(TestData.DemoName, await r.Content.ReadAsStringAsync());

            using (var kill = Process.Start("kill", ["-TERM", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await p.WaitForExitAsync(cts.Token);
            await read.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(0, p.ExitCode);
            Assert.Contains("Press Ctrl-C to stop.", lines);
            Assert.Equal("Stopped.", lines[^1]);
        }
        finally
        {
            if (!p.HasExited) p.Kill();
        }
    }
}

/// <summary>A second `sarkit serve` on a port that is taken prints one line, no ASP.NET log or stack trace, and exits 2.</summary>
public sealed class SecondInstanceTests
{
    [Fact]
    public async Task A_second_instance_on_the_same_port_prints_one_line_and_exits_2()
    {
        if (!OperatingSystem.IsLinux()) return;
        var demo = Path.GetDirectoryName(TestData.DemoFile)!;
        var first = new SarKitWebOptions { DataFolder = demo };
        first.ListenOnPort(0);
        await using var app = SarKitWebApp.Create([], first);
        await app.StartAsync();
        try
        {
            var url = SarKitWebApp.Addresses(app).First(a => a.StartsWith("http://127.0.0.1:", StringComparison.Ordinal));
            var port = new Uri(url).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var config = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
            var cli = Path.Combine(TestData.RepoRoot, "src", "SarKit.Cli", "bin", config, "net10.0", "SarKit.Cli.dll");
            Assert.True(File.Exists(cli), cli);
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { cli, "serve", "--port", port, "--data", demo }) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            try { await p.WaitForExitAsync(cts.Token); }
            finally { if (!p.HasExited) p.Kill(); }
            string err = await stderr, @out = await stdout;
            Assert.True(p.ExitCode == 2, $"exit {p.ExitCode}; stdout: {@out}; stderr: {err}");
            Assert.Equal("", @out.Trim());
            var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.True(lines.Length == 1, "expected one line on stderr, got:\n" + err);
            Assert.StartsWith("error: ", lines[0]);
            Assert.Contains(port, lines[0]);
            Assert.Contains("in use", lines[0]);
            Assert.DoesNotContain("Exception", lines[0]);
        }
        finally { await app.StopAsync(); }
    }
}
