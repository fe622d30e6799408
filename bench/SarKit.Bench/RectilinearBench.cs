using System.Diagnostics;
using SarKit.Averaging;
using SarKit.Engines;
using SarKit.Grid;
using SarKit.Sar;

/// <summary>
/// IEC/IEEE 62704-1 averaging on rectilinear grids vs uniform grids of the same voxel count (issue 19):
/// `dotnet run -c Release --project bench/SarKit.Bench -- rectilinear [voxels] [repeat]`.
/// Three runs on the same synthetic body model (voxel count N): the uniform path; the rectilinear path forced on the same
/// uniform grid (same cubes, so the difference is the cost of the per-axis maps); and a genuinely graded grid of the same
/// N (cell widths varying ±40 % smoothly along every axis). Times are the fastest of the repeats (cube set build and
/// one scalar average); the load average is printed because the machine is shared.
/// </summary>
internal static class RectilinearBench
{
    public static int Run(string[] args)
    {
        int n = args.Length > 0 ? (int)double.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000;
        int repeat = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 3;
        var ds = SyntheticDatasets.Ptx(8, n, 297.2e6, head: false, seed: 1);
        var t = ds.Tissue; var g = t.Grid;
        var local = LocalSar.Compute(t, ds.E, new SarKit.Fields.DriveVector(Enumerable.Repeat(new System.Numerics.Complex(1, 0), ds.Channels), ds.E.Normalisation));
        // graded grid of the same voxel count: widths h·(1 + 0.4 sin(…)), same tissue arrays (the body is stretched)
        double[] Graded(ReadOnlySpan<double> e, double phase)
        {
            var r = new double[e.Length]; r[0] = e[0];
            double h = e[1] - e[0];
            for (int i = 1; i < e.Length; i++) r[i] = r[i - 1] + h * (1 + 0.4 * Math.Sin(0.15 * i + phase));
            return r;
        }
        var gg = new VoxelGrid(Graded(g.EdgesX, 0.3), Graded(g.EdgesY, 1.1), Graded(g.EdgesZ, 2.0));
        var tg = new TissueModel(gg, t.Sigma, t.Rho);
        Console.WriteLine($"grid {g.Nx}×{g.Ny}×{g.Nz} = {g.VoxelCount:N0} voxels of {g.WidthX(0) * 1e3:F2} mm, {t.Rho.Count(x => x > 0):N0} tissue; load {Load()}");
        var rows = new (string Name, TissueModel T, bool Force)[] { ("uniform path", t, false), ("rectilinear path, same uniform grid", t, true), ("rectilinear path, graded grid", tg, false) };
        double baseBuild = 0, baseAvg = 0;
        foreach (var (name, tm, force) in rows)
        {
            double best = double.MaxValue, bestAvg = double.MaxValue; AveragingCubeSet cubes = null!; double peak = 0;
            for (int r = 0; r < repeat; r++)
            {
                var sw = Stopwatch.StartNew();
                cubes = AveragingCubeSet.Build(tm, AveragingOptions.TenGram, null, directSums: false, forceRectilinear: force);
                best = Math.Min(best, sw.Elapsed.TotalSeconds);
                sw.Restart();
                var res = SpatialAverage.Compute(tm, local, AveragingOptions.TenGram, cubes);
                bestAvg = Math.Min(bestAvg, sw.Elapsed.TotalSeconds);
                peak = res.Peak;
            }
            if (baseBuild == 0) { baseBuild = best; baseAvg = bestAvg; }
            var (va, us, un, _) = cubes.StatusCounts();
            Console.WriteLine($"{name,-38} build {best,7:F3} s ({best / baseBuild:F2}×)  average {bestAvg,6:F3} s ({bestAvg / baseAvg:F2}×)  " +
                              $"{cubes.CubeCount:N0} cubes, valid {va:N0} used {us:N0} unused {un:N0}, psSAR {peak:G6}; load {Load()}");
        }
        return 0;
    }

    private static string Load()
    {
        try { return File.ReadAllText("/proc/loadavg").Split(' ')[0]; } catch (IOException) { return "?"; }
    }
}
