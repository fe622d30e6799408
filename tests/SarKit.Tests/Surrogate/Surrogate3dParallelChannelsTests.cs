using System.Globalization;
using SarKit.Surrogate.BodyModels;
using SarKit.Tests.Cli;
using SarKit.Tests.Support;
using Xunit.Abstractions;

namespace SarKit.Tests.Surrogate;

/// <summary>The channel scheduler of tools/surrogate3d/run_subject.py (--parallel-channels, docs/surrogate3d-dataset.md
/// "Resumability"): at most N channel runs at a time, every channel run once and renamed from chK.partial to chK after
/// its port data exists; a failed channel stops new starts (exit 1) and a rerun does only what is missing. openEMS is
/// replaced by a stand-in channel process (the driver starts channels as `sys.executable run_subject.py ... --channel K`),
/// so this tests the scheduling, not the physics.</summary>
public class Surrogate3dParallelChannelsTests(ITestOutputHelper output)
{
    private static string RunSubject => Path.Combine(SharedData.RepoRoot, "tools", "surrogate3d", "run_subject.py");

    private static string Setup(TempDir tmp)
    {
        string sub = Path.Combine(tmp.Path, "wd", "A00090");
        Directory.CreateDirectory(sub);
        BodyModelGenerator.Generate(AnatomyFamily.A, 90).Write(Path.Combine(sub, "model.npz"));
        // stand-in channel run: logs start/end, writes the port data into chK.partial (fails for channel $FAIL_CH)
        string fake = tmp.File("fake-channel.sh");
        File.WriteAllText(fake, """
            #!/bin/bash
            ch=""; wd=""; while [ $# -gt 0 ]; do case "$1" in --channel) ch=$2; shift;; --workdir) wd=$2; shift;; esac; shift; done
            echo "start $ch" >> "$TRACE"
            if [ "$ch" = "${FAIL_CH:-none}" ]; then echo "end $ch" >> "$TRACE"; exit 1; fi
            sleep 2
            echo '{}' > "$wd/A00090/ch$ch.partial/ports_f0.json"
            echo "end $ch" >> "$TRACE"
            """.Replace("\r", ""));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        // driver: run_subject's main with sys.executable = the stand-in; the assembly after the runs fails (no dumps)
        File.WriteAllText(tmp.File("drive.py"), $$"""
            import os, runpy, sys
            sys.argv = ["run_subject.py", "--family", "A", "--seed", "90", "--workdir", {{Py(tmp.File("wd"))}},
                        "--outdir", {{Py(tmp.File("out"))}}, "--threads", "1", "--parallel-channels", "2"]
            sys.executable = {{Py(fake)}}
            try:
                runpy.run_path({{Py(RunSubject)}}, run_name="__main__")
            except SystemExit as e:
                print("EXIT", e.code)
            except KeyError:
                print("EXIT assembly")      # all channels done; the stand-in wrote no fields
            """);
        return sub;
    }

    private static string Py(string s) => "r'" + s + "'";

    private (string Text, List<(string Kind, int Ch)> Trace) Drive(TempDir tmp, string? failChannel)
    {
        string trace = tmp.File("trace");
        File.Delete(trace);
        var psi = new System.Diagnostics.ProcessStartInfo(PythonFactAttribute.Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(tmp.File("drive.py"));
        psi.Environment["TRACE"] = trace;
        if (failChannel is not null) psi.Environment["FAIL_CH"] = failChannel;
        using var p = System.Diagnostics.Process.Start(psi)!;
        var so = p.StandardOutput.ReadToEndAsync();
        var se = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(3)), "driver did not finish");
        string text = so.Result + se.Result;
        output.WriteLine(text);
        var lines = File.Exists(trace) ? File.ReadAllLines(trace) : [];
        return (text, lines.Select(l => l.Split(' ')).Select(a => (a[0], int.Parse(a[1], CultureInfo.InvariantCulture))).ToList());
    }

    private static int MaxConcurrent(List<(string Kind, int Ch)> trace)
    {
        int now = 0, max = 0;
        foreach (var (kind, _) in trace) { now += kind == "start" ? 1 : -1; max = Math.Max(max, now); }
        return max;
    }

    [PythonFact("numpy", "h5py")]
    public void Every_channel_runs_once_at_most_two_at_a_time()
    {
        using var tmp = new TempDir();
        string sub = Setup(tmp);
        var (text, trace) = Drive(tmp, null);
        Assert.Contains("EXIT assembly", text);
        Assert.Equal(Enumerable.Range(0, 8), trace.Where(t => t.Kind == "start").Select(t => t.Ch).Order());
        Assert.Equal(2, MaxConcurrent(trace));
        for (int ch = 0; ch < 8; ch++)
        {
            Assert.True(File.Exists(Path.Combine(sub, $"ch{ch}", "ports_f0.json")), $"ch{ch}");
            Assert.False(Directory.Exists(Path.Combine(sub, $"ch{ch}.partial")), $"ch{ch}.partial");
        }
    }

    [PythonFact("numpy", "h5py")]
    public void A_failed_channel_stops_new_starts_and_a_rerun_does_only_what_is_missing()
    {
        using var tmp = new TempDir();
        string sub = Setup(tmp);
        var (text, trace) = Drive(tmp, "3");
        Assert.Contains("EXIT 1", text);
        Assert.Contains("ch3: openEMS run failed", text);
        var started = trace.Where(t => t.Kind == "start").Select(t => t.Ch).ToList();
        // channels start in order, two at a time; channel 3 fails at once (beside channel 2), so at most the run that
        // replaced a channel finishing meanwhile starts after it, never channels 5-7
        Assert.Equal(Enumerable.Range(0, started.Count), started.Order());
        Assert.True(started.Count is >= 4 and <= 5, string.Join(",", started));
        Assert.True(MaxConcurrent(trace) <= 2);
        Assert.True(Directory.Exists(Path.Combine(sub, "ch3.partial")));
        Assert.False(File.Exists(Path.Combine(sub, "ch3", "ports_f0.json")));
        var done = Enumerable.Range(0, 8).Where(ch => File.Exists(Path.Combine(sub, $"ch{ch}", "ports_f0.json"))).ToList();
        Assert.Equal(started.Where(ch => ch != 3).Order(), done);   // the others that ran were kept

        var (text2, trace2) = Drive(tmp, null);
        Assert.Contains("EXIT assembly", text2);
        Assert.Equal(Enumerable.Range(0, 8).Except(done), trace2.Where(t => t.Kind == "start").Select(t => t.Ch).Order());
        Assert.True(MaxConcurrent(trace2) <= 2);
    }
}
