using System.Diagnostics;
using System.Text;

namespace SarKit.Fuzz.Cli;

/// <summary>What one child process did.</summary>
public sealed record ProcessOutcome(int ExitCode, bool TimedOut, bool RssExceeded, long PeakRssBytes, double Seconds, string Stdout, string Stderr)
{
    /// <summary>Killed by a signal (exit code ≥ 128 or negative) without being killed by the harness.</summary>
    public bool Signalled => !TimedOut && !RssExceeded && (ExitCode >= 128 || ExitCode < 0);
}

/// <summary>Runs a program with a wall-clock limit and resident-memory polling (/proc/&lt;pid&gt;/status VmHWM/VmRSS).</summary>
public static class ChildProcess
{
    public static ProcessOutcome Run(string file, IEnumerable<string> args, string workDir, double timeoutSeconds, long maxRssBytes,
        IReadOnlyDictionary<string, string>? env = null, int maxCapture = 64 * 1024)
    {
        var psi = new ProcessStartInfo(file) { WorkingDirectory = workDir, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (env is not null) foreach (var kv in env) psi.Environment[kv.Key] = kv.Value;
        var sw = Stopwatch.StartNew();
        using var p = new Process { StartInfo = psi };
        var (o, e) = (new StringBuilder(), new StringBuilder());
        p.OutputDataReceived += (_, d) => { if (d.Data is not null) lock (o) if (o.Length < maxCapture) o.AppendLine(d.Data); };
        p.ErrorDataReceived += (_, d) => { if (d.Data is not null) lock (e) if (e.Length < maxCapture) e.AppendLine(d.Data); };
        p.Start();
        p.StandardInput.Close();
        p.BeginOutputReadLine(); p.BeginErrorReadLine();
        long peak = 0; bool timedOut = false, rss = false;
        while (!p.WaitForExit(25))
        {
            peak = Math.Max(peak, ReadRss(p.Id));
            if (peak > maxRssBytes) { rss = true; Kill(p); break; }
            if (sw.Elapsed.TotalSeconds > timeoutSeconds) { timedOut = true; Kill(p); break; }
        }
        p.WaitForExit();
        sw.Stop();
        string so, se; lock (o) so = o.ToString(); lock (e) se = e.ToString();
        return new ProcessOutcome(p.ExitCode, timedOut, rss, peak, sw.Elapsed.TotalSeconds, so, se);
    }

    private static void Kill(Process p) { try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } catch (System.ComponentModel.Win32Exception) { } }

    /// <summary>max(VmHWM, VmRSS) in bytes, 0 when the process is gone or /proc is unavailable.</summary>
    public static long ReadRss(int pid)
    {
        try
        {
            long best = 0;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith("VmHWM:") || line.StartsWith("VmRSS:"))
                {
                    var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (parts.Length >= 2 && long.TryParse(parts[1], out var kb)) best = Math.Max(best, kb * 1024);
                }
            return best;
        }
        catch (IOException) { return 0; }
        catch (UnauthorizedAccessException) { return 0; }
    }
}
