using System.Diagnostics;
using SarKit.Averaging;
using SarKit.IO.Formats;
using SarKit.Workflows;

/// <summary>
/// `memory FILE [--mass 10g] [--q]`: the steps of `sarkit sar --mass M -d cp` (and with --q of `sarkit qmatrices`) in
/// one process, printing after each step the live managed heap (after a full collection), the process peak RSS so far
/// and the step's wall time, to find what holds memory. Peak RSS of the real CLI: /usr/bin/time -v (docs/performance.md).
/// </summary>
internal static class MemoryBench
{
    public static int Run(string[] args)
    {
        string path = args[0];
        double mass = 0.010;
        bool q = false;
        for (int i = 1; i < args.Length; i++)
        {
            if (args[i] == "--mass") mass = AveragingOptions.ParseMassKg(args[++i]);
            else if (args[i] == "--q") q = true;
        }
        var sw = Stopwatch.StartNew();
        void Step(string what)
        {
            long live = GC.GetTotalMemory(forceFullCollection: true);
            using var p = Process.GetCurrentProcess();
            Console.WriteLine($"{what,-28} live {live / 1048576.0,8:F1} MiB   peak RSS {p.PeakWorkingSet64 / 1048576.0,8:F1} MiB   {sw.Elapsed.TotalSeconds,6:F2} s");
            sw.Restart();
        }
        Step("start");
        var ds = DatasetFiles.Open(path);
        Step("dataset read");
        var prepared = PeakSarEvaluation.Prepare(ds, mass, new PeakSarPreparation());
        Step("averaging prepared");
        if (q)
        {
            var set = prepared.Averaging!.QSet(null);
            Step("averaged Q set");
            GC.KeepAlive(set);
        }
        else
        {
            var outcome = prepared.Evaluate(DriveText.Cp(ds.Channels, ds.E.Normalisation));
            Step("drive evaluated");
            Console.WriteLine($"psSAR = {outcome.Result.PeakSarWPerKg:R}");
        }
        GC.KeepAlive(prepared);
        return 0;
    }
}
