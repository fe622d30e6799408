using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using SarKit.Averaging;
using SarKit.Compression;
using SarKit.Engines;
using SarKit.IO;
using SarKit.Sar;

/// <summary>
/// VOP compression benchmark (bench/README.md, docs/vop.md): the public Orzada 8-channel set (1767 matrices) at 10 %
/// diagonal margin with Lee (straightforward baseline), Lee+Kuehne, Iterative and Hybrid (+ Eichfelder), then synthetic
/// field-engine 10 g Q-matrix sets at 20/10/5 % with VOP count, time and random-drive overestimation statistics.
/// </summary>
internal static class VopBench
{
    public const string Usage = """
        usage: dotnet run -c Release --project bench/SarKit.Bench -- vop [options]
          --orzada PATH        the public 8-channel set (default ../shared/reference/qmatrices/orzada_V_full_8ch_1767.mat)
          --synthetic LIST     field-engine 10 g Q sets, approximate matrix counts (default 1e5; 'none' to skip)
          --channels N         channels of the synthetic sets (default 8)
          --margins LIST       margins of the synthetic sets (default 0.2,0.1,0.05)
          --drives N           random drives of the overestimation report on the Orzada set (default 100000)
          --syn-drives N       random drives of the report on the synthetic sets (default 20000; the report costs
                               drives × matrices × N² flops, 1e5 drives × 1e5 matrices is minutes)
          --algorithms LIST    for the synthetic sets (default Iterative); any of Lee,LeeKuehne,Iterative,Hybrid,Eichfelder
          --threads N          degree of parallelism (default: all cores)
        """;

    public static int Run(string[] args)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        string? orzada = FindOrzada();
        var synthetic = new List<double> { 1e5 };
        var margins = new List<double> { 0.2, 0.1, 0.05 };
        var algs = new List<VopAlgorithm> { VopAlgorithm.Iterative };
        int drives = 100_000, synDrives = 20_000, channels = 8, threads = Environment.ProcessorCount;
        for (int a = 0; a < args.Length; a++)
        {
            string Next() => a + 1 < args.Length ? args[++a] : throw new ArgumentException($"option {args[a]} needs a value");
            switch (args[a])
            {
                case "--orzada": orzada = Next(); break;
                case "--synthetic": { var v = Next(); synthetic = v == "none" ? [] : v.Split(',').Select(double.Parse).ToList(); break; }
                case "--margins": margins = Next().Split(',').Select(double.Parse).ToList(); break;
                case "--drives": drives = int.Parse(Next()); break;
                case "--syn-drives": synDrives = int.Parse(Next()); break;
                case "--channels": channels = int.Parse(Next()); break;
                case "--threads": threads = int.Parse(Next()); break;
                case "--algorithms": algs = Next().Split(',').Select(Enum.Parse<VopAlgorithm>).ToList(); break;
                case "-h" or "--help": Console.WriteLine(Usage); return 0;
                default: Console.Error.WriteLine($"unknown option {args[a]}\n{Usage}"); return 2;
            }
        }
        Console.WriteLine($"SarKit VOP compression benchmark — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; {Environment.ProcessorCount} cores, threads {threads}, .NET {Environment.Version}; load average {LoadAverage()}");
        bool fail = false;
        if (orzada is not null && File.Exists(orzada))
        {
            var (q, n) = ReadOrzada(orzada);
            Console.WriteLine($"\n== Orzada public set: {q.Length / (n * n)} matrices, {n} channels, margin 10 % diagonal (Z = 0.1·SAR_wc·I), CC");
            Warmup(q, n, threads);
            double? baseT = null;
            foreach (var alg in new[] { VopAlgorithm.Lee, VopAlgorithm.LeeKuehne, VopAlgorithm.Iterative, VopAlgorithm.Hybrid, VopAlgorithm.Eichfelder })
            {
                var (set, t) = Timed(q, n, new VopCompressionOptions { Algorithm = alg, Epsilon = 0.10, MaxDegreeOfParallelism = threads });
                baseT ??= t;
                var r = OverestimationReport.Compute(q, set.Packed, n, drives, seed: 2026);
                fail |= !r.NoUnderestimation;
                Console.WriteLine($"{alg,-11} {set.Count,5} VOPs  {t,8:F3} s  speed-up vs Lee {baseT / t,6:F1}x  criterion {set.Criterion}  " +
                                  $"overestimation rel mean {r.MeanRelative:F3} p95 {r.P95Relative:F3} max {r.MaxRelative:F3}, abs/SAR_wc max {r.MaxAbsoluteOverSarWc:F4}, underestimated drives {r.UnderestimatingDrives}/{drives}");
                Console.WriteLine($"            {set.Algorithm}");
            }
            var (pp, tpp) = Timed(q, n, new VopCompressionOptions { Algorithm = VopAlgorithm.Iterative, Epsilon = 0.10, PostProcess = true, MaxDegreeOfParallelism = threads });
            var rp = OverestimationReport.Compute(q, pp.Packed, n, drives, seed: 2026);
            fail |= !rp.NoUnderestimation;
            Console.WriteLine($"Iterative+post-processing {pp.Count} VOPs {tpp:F3} s; rel mean {rp.MeanRelative:F3} p95 {rp.P95Relative:F3} max {rp.MaxRelative:F3}, abs/SAR_wc max {rp.MaxAbsoluteOverSarWc:F4}, underestimated {rp.UnderestimatingDrives}; {pp.Algorithm}");
            Console.WriteLine("reference: published MATLAB hybrid 61 VOPs at 10.13 % in 16.8 s (hardware unknown)");
        }
        else Console.WriteLine($"Orzada set not found ({orzada ?? "no path"}); skipped");

        foreach (var size in synthetic)
        {
            var sw = Stopwatch.StartNew();
            // tissue voxels ≈ 32.5 % of the grid voxels for this phantom; one 10 g cube per tissue voxel
            var ds = SyntheticDatasets.Ptx(channels, (int)Math.Round(size / 0.325), 297.2e6, head: false, seed: 0);
            var cubes = AveragingCubeSet.Build(ds.Tissue);
            var qs = AveragedQMatrixSet.Compute(ds, cubes);
            var q = qs.AllPacked.ToArray();
            int n = qs.Channels;
            Console.WriteLine($"\n== synthetic field-engine 10 g Q-matrix set: {qs.Count:N0} matrices, {n} channels (generated in {sw.Elapsed.TotalSeconds:F1} s, not counted); load {LoadAverage()}");
            foreach (var alg in algs)
                foreach (var eps in margins)
                {
                    var (set, t) = Timed(q, n, new VopCompressionOptions { Algorithm = alg, Epsilon = eps, MaxDegreeOfParallelism = threads });
                    var swr = Stopwatch.StartNew();
                    var r = OverestimationReport.Compute(q, set.Packed, n, synDrives, seed: 7);
                    fail |= !r.NoUnderestimation;
                    Console.WriteLine($"{alg,-11} eps {eps,5:P0} {set.Count,6} VOPs {t,9:F2} s  rel mean {r.MeanRelative:F3} p95 {r.P95Relative:F3} max {r.MaxRelative:F3}, abs/SAR_wc max {r.MaxAbsoluteOverSarWc:F4}, underestimated {r.UnderestimatingDrives}/{synDrives} (report {swr.Elapsed.TotalSeconds:F1} s, load {LoadAverage()})");
                    Console.WriteLine($"            {set.Algorithm}");
                }
        }
        Console.WriteLine($"\nload average at end: {LoadAverage()}");
        return fail ? 1 : 0;
    }

    private static void Warmup(double[] q, int n, int threads)
    {
        int nn = n * n, k = Math.Min(300, q.Length / nn);
        var small = q.AsSpan(0, k * nn).ToArray();
        foreach (var alg in Enum.GetValues<VopAlgorithm>())
            VopCompressor.Compress(small, n, new VopCompressionOptions { Algorithm = alg, Epsilon = 0.1, MaxDegreeOfParallelism = threads });
    }

    private static (VopSet, double) Timed(double[] q, int n, VopCompressionOptions o)
    {
        GC.Collect();
        var sw = Stopwatch.StartNew();
        var set = VopCompressor.Compress(q, n, o);
        return (set, sw.Elapsed.TotalSeconds);
    }

    internal static (double[] Packed, int N) ReadOrzada(string path)
    {
        using var mf = MatFile.Open(path);
        var a = mf.Get("matrices").Read();
        var data = (float[])a.Data;
        const int n = 8; int count = a.Shape[0];
        var packed = new double[count * n * n];
        for (int k = 0; k < count; k++)
        {
            var m = new Complex[n, n];
            for (int r = 0; r < n; r++)
                for (int c = 0; c < n; c++) { long idx = ((long)k * n + c) * n + r; m[r, c] = new Complex(data[2 * idx], data[2 * idx + 1]); }
            HermitianPacking.Pack(m).CopyTo(packed, k * n * n);
        }
        return (packed, n);
    }

    private static string? FindOrzada()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            var p = Path.Combine(d.FullName, "shared", "reference", "qmatrices", "orzada_V_full_8ch_1767.mat");
            if (File.Exists(p)) return p;
        }
        return "/work/shared/reference/qmatrices/orzada_V_full_8ch_1767.mat";
    }

    private static string LoadAverage()
    {
        try { return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); } catch { return "?"; }
    }
}
