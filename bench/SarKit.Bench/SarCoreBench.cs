using System.Diagnostics;
using System.Globalization;
using SarKit.IO.Formats;
using SarKit.Workflows;

/// <summary>
/// `sar-core FILE DRIVE [--repeat N]`: the IEC/IEEE 62704-1 10 g evaluation of one drive inside one process, as the
/// anchor bench (bench/anchors.py) compares it with the C code: the dataset is read once (timed apart), then
/// <see cref="PeakSarEvaluation.Prepare"/> (air padding, averaging cubes) + <see cref="PeakSarEvaluation.Evaluate"/>
/// (local SAR, cube averages, voxel map, peak) run N times. Call 1 is the core in a fresh process (JIT or
/// ReadyToRun code), later calls are warm. Prints one JSON line: read_s, core_s and core_cpu_s (wall and process CPU
/// time of every call), ps_sar.
/// </summary>
internal static class SarCoreBench
{
    public static int Run(string[] args)
    {
        if (args.Length < 2) { Console.Error.WriteLine("usage: sar-core FILE DRIVE [--repeat N]"); return 2; }
        int repeat = 3;
        for (int i = 2; i < args.Length; i++)
            if (args[i] == "--repeat" && i + 1 < args.Length) repeat = int.Parse(args[++i], CultureInfo.InvariantCulture);
        var sw = Stopwatch.StartNew();
        var ds = DatasetFiles.Open(args[0]);
        var drive = DriveText.Parse(args[1], ds);
        double read = sw.Elapsed.TotalSeconds;
        var core = new List<double>();
        var cpu = new List<double>();
        using var self = Process.GetCurrentProcess();
        double ps = double.NaN;
        for (int r = 0; r < repeat; r++)
        {
            sw.Restart();
            self.Refresh();
            var c0 = self.TotalProcessorTime;
            var ev = PeakSarEvaluation.Prepare(ds, 0.010);
            var outcome = ev.Evaluate(drive);
            core.Add(sw.Elapsed.TotalSeconds);
            self.Refresh();
            cpu.Add((self.TotalProcessorTime - c0).TotalSeconds);
            ps = outcome.Result.PeakSarWPerKg;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"read_s\": {read:R}, \"core_s\": [{Join(core)}], \"core_cpu_s\": [{Join(cpu)}], \"ps_sar\": {ps:R}}}"));
        return 0;
    }

    private static string Join(List<double> v) => string.Join(", ", v.Select(c => c.ToString("R", CultureInfo.InvariantCulture)));
}
