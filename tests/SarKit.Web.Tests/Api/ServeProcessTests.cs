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
