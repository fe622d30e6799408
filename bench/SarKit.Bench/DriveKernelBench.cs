using System.Diagnostics;
using System.Globalization;
using SarKit.Compression;
using SarKit.IO.Formats;

/// <summary>
/// `drive-kernel [--q FILE] [--blocks N] [--rounds R]`: the random-drive kernel of the VOP check
/// (<c>OverestimationReport.MaxForms</c>, issue 18) against the former one (<c>MaxFormsPlain</c>: one matrix at a time,
/// separate multiply and add) on one thread: N blocks of 64 random unit drives × every matrix of the set (default the public
/// Orzada 1767 set), no early exit. Prints the best of R rounds (thread CPU time), the forms per second, the ratio, and the
/// largest relative difference of the per-drive maxima between the kernels.
/// </summary>
internal static class DriveKernelBench
{
    public static int Run(string[] args)
    {
        string q = "../shared/reference/qmatrices/orzada_V_full_8ch_1767.mat";
        int blocks = 200, rounds = 5;
        for (int i = 0; i < args.Length; i++)
            switch (args[i])
            {
                case "--q": q = args[++i]; break;
                case "--blocks": blocks = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--rounds": rounds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        using var src = QMatrixSources.Open(q);
        int n = src.Channels, nn = n * n, k = (int)src.Count, B = OverestimationReport.Block;
        var packed = src.ReadAll();
        var b = new double[2 * n];
        var wts = new double[blocks][];
        for (int blk = 0; blk < blocks; blk++)
        {
            wts[blk] = new double[B * nn];
            var rng = new Random(OverestimationReport.BlockSeed(1, blk));
            for (int d = 0; d < B; d++) OverestimationReport.FillRandomUnitDriveWeights(rng, n, b, wts[blk], d);
        }
        var maxA = new double[blocks * B]; var maxB = new double[blocks * B]; var tmp = new double[B];
        double bestPlain = double.MaxValue, bestNew = double.MaxValue, maxRel = 0;
        for (int r = 0; r < rounds; r++)
        {
            var c0 = Cpu();
            for (int blk = 0; blk < blocks; blk++) { OverestimationReport.MaxFormsPlain(packed, 0, k, nn, wts[blk], tmp); tmp.CopyTo(maxA, blk * B); }
            var c1 = Cpu();
            for (int blk = 0; blk < blocks; blk++) { OverestimationReport.MaxForms(packed, 0, k, nn, wts[blk], tmp); tmp.CopyTo(maxB, blk * B); }
            var c2 = Cpu();
            bestPlain = Math.Min(bestPlain, c1 - c0); bestNew = Math.Min(bestNew, c2 - c1);
        }
        for (int d = 0; d < maxA.Length; d++) maxRel = Math.Max(maxRel, Math.Abs(maxA[d] - maxB[d]) / Math.Abs(maxA[d]));
        double forms = (double)blocks * B * k;
        Console.WriteLine($"drive-kernel: {Path.GetFileName(q)} ({k} matrices, N = {n}), {blocks} blocks × {B} drives, best of {rounds}, one thread, load {Hdf5SpeedBench.LoadAverage()}");
        Console.WriteLine($"| kernel | CPU s | forms/s | ratio |");
        Console.WriteLine($"|---|---:|---:|---:|");
        Console.WriteLine($"| plain (before): one matrix, multiply + add | {bestPlain:F3} | {forms / bestPlain:G3} | 1.00 |");
        Console.WriteLine($"| two matrices per weight load, FMA | {bestNew:F3} | {forms / bestNew:G3} | {bestPlain / bestNew:F2} |");
        Console.WriteLine($"largest relative difference of the per-drive maxima: {maxRel:G3}");
        return 0;
    }

    /// <summary>CPU time of the calling thread (s), from /proc/thread-self/stat would be coarse; use the process time on one thread.</summary>
    private static double Cpu() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
}
