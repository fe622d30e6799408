using System.Diagnostics;

namespace SarKit.Tests.Support;

/// <summary>
/// A fact that runs Debian's /usr/bin/python3 with h5py (an independent HDF5 reader/writer); skipped with a visible reason
/// when /usr/bin/python3 or h5py is absent.
/// </summary>
public sealed class H5pyFactAttribute : FactAttribute
{
    public H5pyFactAttribute()
    {
        if (!Python.HasH5py) Skip = "/usr/bin/python3 with h5py is not available (apt-get install python3-h5py).";
    }
}

/// <summary>A fact that needs Debian's /usr/bin/python3 with both h5py and scipy; skipped with a visible reason otherwise.</summary>
public sealed class H5pyScipyFactAttribute : FactAttribute
{
    public H5pyScipyFactAttribute()
    {
        if (!Python.HasH5py || !SarKit.Tests.IO.IoFixtures.HasScipy)
            Skip = "/usr/bin/python3 with h5py and scipy is not available (apt-get install python3-h5py python3-scipy).";
    }
}

/// <summary>Runs /usr/bin/python3 (never a pyenv python) with a script on stdin.</summary>
public static class Python
{
    public const string Exe = "/usr/bin/python3";

    private static readonly Lazy<bool> _h5py = new(() =>
    {
        if (!File.Exists(Exe)) return false;
        try { return Run("import h5py, numpy; print('ok')").Trim() == "ok"; }
        catch { return false; }
    });

    public static bool HasH5py => _h5py.Value;

    /// <summary>Runs <paramref name="script"/>; returns stdout, throws with stderr on a non-zero exit.</summary>
    public static string Run(string script, params string[] args)
    {
        var psi = new ProcessStartInfo(Exe) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-");
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        p.StandardInput.Write(script);
        p.StandardInput.Close();
        var errTask = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"python3 failed ({p.ExitCode}): {errTask.Result}");
        return output;
    }
}

/// <summary>A fact that runs GNU Octave (/usr/bin/octave) as an independent reader; skipped visibly when it is absent.</summary>
public sealed class OctaveFactAttribute : FactAttribute
{
    public const string Exe = "/usr/bin/octave";
    public OctaveFactAttribute()
    {
        if (!File.Exists(Exe)) Skip = "/usr/bin/octave is not available (apt-get install octave).";
    }
}
