using System.Collections.Concurrent;

namespace SarKit.Tests.Cli;

/// <summary>
/// <see cref="CliRunner"/> captures each CLI run's output by itself: runs on several threads at once never see each
/// other's output, and writes to the console made outside a run never land in a capture (what lets the CLI test
/// classes run in the parallel phase, docs/testing.md).
/// </summary>
public class CliRunnerTests
{
    private const string Noise = "written to the console outside any CLI run";

    [Fact]
    public void Concurrent_runs_each_capture_only_their_own_output()
    {
        var version = CliRunner.Run("--version");
        Assert.Equal(0, version.ExitCode);
        Assert.StartsWith("sarkit ", version.Out);
        Assert.Equal("", version.Err);

        var results = new ConcurrentBag<(bool Version, CliRunner.Result R)>();
        var noise = Task.Run(() =>
        {
            for (int i = 0; i < 50; i++) { Console.Out.WriteLine(Noise); Console.Error.WriteLine(Noise); Thread.Sleep(1); }
        });
        Parallel.For(0, 64, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            bool v = i % 2 == 0;
            results.Add((v, v ? CliRunner.Run("--version") : CliRunner.Run("no-such-command")));
        });
        noise.Wait();

        Assert.Equal(64, results.Count);
        foreach (var (v, r) in results)
        {
            Assert.DoesNotContain(Noise, r.Out + r.Err);
            if (v)
            {
                Assert.Equal((0, version.Out, ""), (r.ExitCode, r.Out, r.Err));
            }
            else
            {
                Assert.Equal(2, r.ExitCode);
                Assert.Equal("", r.Out);
                Assert.StartsWith("error: ", r.Err);
                Assert.DoesNotContain("sarkit 0", r.Err);
                Assert.Equal(1, r.Err.Split("Run 'sarkit --help' for usage.").Length - 1);
            }
        }
    }
}
