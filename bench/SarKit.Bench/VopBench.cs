using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using SarKit.Averaging;
using SarKit.Compression;
using SarKit.Engines;
using SarKit.IO;
using SarKit.Sar;
using SarKit.IO.Formats;

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
          --channel-list LIST  synthetic sets for each of these channel counts (overrides --channels), e.g. 4,8,16
          --head               synthetic phantom with the head (scalp, skull, brain inclusions above the trunk)
          --q FILES            extra Q-matrix files (comma-separated; SarKit .h5, .mat, .npz), e.g. the openEMS 10 g set
          --verify             run VopVerifier (CC certificate, --verify-drives random drives) on every set and time it
          --verify-drives N    random drives of the verifier (default 0: the CC proofs only)
          --subsample LIST     also compress the first-level set subsampled to these counts (every k-th matrix), for
                               the matrix-count scaling at fixed voxel size
          --md                 print a markdown summary table and the fitted exponents at the end
        """;

    public static int Run(string[] args)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        string? orzada = FindOrzada();
        var synthetic = new List<double> { 1e5 };
        var margins = new List<double> { 0.2, 0.1, 0.05 };
        var algs = new List<VopAlgorithm> { VopAlgorithm.Iterative };
        int drives = 100_000, synDrives = 20_000, channels = 8, threads = Environment.ProcessorCount, verifyDrives = 0;
        List<int>? channelList = null; bool head = false, verify = false, md = false;
        var qFiles = new List<string>(); var subsample = new List<double>();
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
                case "--channel-list": channelList = Next().Split(',').Select(int.Parse).ToList(); break;
                case "--head": head = true; break;
                case "--q": qFiles.AddRange(Next().Split(',')); break;
                case "--verify": verify = true; break;
                case "--verify-drives": verifyDrives = int.Parse(Next()); break;
                case "--subsample": subsample = Next().Split(',').Select(double.Parse).ToList(); break;
                case "--md": md = true; break;
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

        var rows = new List<Row>();
        void RunSet(string name, double[] q, int n, int voxelCount)
        {
            int count = q.Length / (n * n);
            foreach (var alg in algs)
                foreach (var eps in margins)
                {
                    var (set, t, cpu, loadBefore) = TimedCpu(q, n, new VopCompressionOptions { Algorithm = alg, Epsilon = eps, MaxDegreeOfParallelism = threads });
                    string loadAfter = LoadAverage();
                    double vt = double.NaN, vcpu = double.NaN; string cert = "-"; long[]? proofs = null;
                    if (verify)
                    {
                        GC.Collect();
                        var c0 = Process.GetCurrentProcess().TotalProcessorTime;
                        var swv = Stopwatch.StartNew();
                        using var src = new PackedQMatrixSource(q, n, name);
                        var vr = VopVerifier.Verify(set, src, new VopVerifierOptions { RandomDrives = verifyDrives, MaxDegreeOfParallelism = threads });
                        vt = swv.Elapsed.TotalSeconds; vcpu = (Process.GetCurrentProcess().TotalProcessorTime - c0).TotalSeconds;
                        cert = vr.Certificate.Passed ? "passed" : "FAILED";
                        proofs = vr.CountsByProof;
                        fail |= !vr.Certificate.Passed;
                        if (!vr.Certificate.Passed) Console.WriteLine("  verifier problems: " + string.Join("; ", vr.Problems));
                    }
                    OverestimationReport? r = null; double rt = 0;
                    if (synDrives > 0)
                    {
                        var swr = Stopwatch.StartNew();
                        r = OverestimationReport.Compute(q, set.Packed, n, synDrives, seed: 7);
                        rt = swr.Elapsed.TotalSeconds;
                        fail |= !r.NoUnderestimation;
                    }
                    rows.Add(new Row(name, count, n, alg, eps, set.Count, t, cpu, vt, vcpu, cert, r, loadBefore, loadAfter));
                    Console.WriteLine($"{alg,-11} eps {eps,5:P0} {set.Count,6} VOPs {t,9:F2} s (CPU {cpu:F2} s)  verify {(verify ? $"{vt:F2} s (CPU {vcpu:F2} s) {cert}" : "-")}  " +
                                      (r is null ? "" : $"rel mean {r.MeanRelative:F3} p95 {r.P95Relative:F3} max {r.MaxRelative:F3}, abs/SAR_wc max {r.MaxAbsoluteOverSarWc:F4}, underestimated {r.UnderestimatingDrives}/{synDrives} (report {rt:F1} s) ") +
                                      $"load {loadBefore} -> {loadAfter}");
                    if (proofs is not null) Console.WriteLine("            verifier proofs: " + string.Join(", ", Enum.GetValues<VopProofKind>().Select(k => $"{k} {proofs[(int)k]}")));
                    Console.WriteLine($"            {set.Algorithm}");
                }
        }

        foreach (var file in qFiles)
        {
            var sw = Stopwatch.StartNew();
            using var src = QMatrixSources.Open(file);
            var q = src.ReadAll();
            Console.WriteLine($"\n== Q file {file}: {src.Count:N0} matrices, {src.Channels} channels (read in {sw.Elapsed.TotalSeconds:F1} s); load {LoadAverage()}");
            RunSet(Path.GetFileName(file), q, src.Channels, 0);
        }

        foreach (int ch in channelList ?? [channels])
            foreach (var size in synthetic)
            {
                var sw = Stopwatch.StartNew();
                // tissue voxels ≈ 32.5 % of the grid voxels for the trunk phantom; one 10 g cube per tissue voxel
                var ds = SyntheticDatasets.Ptx(ch, (int)Math.Round(size / 0.325), 297.2e6, head: head, seed: 0);
                var cubes = AveragingCubeSet.Build(ds.Tissue);
                var qs = AveragedQMatrixSet.Compute(ds, cubes);
                var q = qs.AllPacked.ToArray();
                int n = qs.Channels;
                var g = ds.Tissue.Grid;
                double h = (g.EdgesX[^1] - g.EdgesX[0]) / g.Nx;
                string name = $"synthetic {size:0e0} {(head ? "trunk+head" : "trunk")} {n} ch";
                Console.WriteLine($"\n== {name}: field-engine 10 g Q-matrix set, {qs.Count:N0} matrices, {n} channels, grid {g.Nx}x{g.Ny}x{g.Nz} at {h * 1e3:F2} mm (generated in {sw.Elapsed.TotalSeconds:F1} s, not counted); load {LoadAverage()}");
                ds = null; cubes = null; qs = null;
                RunSet(name, q, n, 0);
                foreach (var sub in subsample)
                {
                    int nn = n * n, total = q.Length / nn, want = (int)Math.Round(sub);
                    if (want >= total) continue;
                    var qq = new double[(long)want * nn];
                    for (int i = 0; i < want; i++) Array.Copy(q, (long)((double)i * total / want) * nn, qq, (long)i * nn, nn);
                    Console.WriteLine($"\n== {name} subsampled to {want:N0} matrices (every {total / (double)want:F1}-th)");
                    RunSet($"{name} sub {want:0e0}", qq, n, 0);
                }
            }

        if (md && rows.Count > 0) PrintSummary(rows);
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
        var (set, t, _, _) = TimedCpu(q, n, o);
        return (set, t);
    }

    private static (VopSet, double, double, string) TimedCpu(double[] q, int n, VopCompressionOptions o)
    {
        GC.Collect();
        string load = LoadAverage();
        var c0 = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var set = VopCompressor.Compress(q, n, o);
        double t = sw.Elapsed.TotalSeconds;
        return (set, t, (Process.GetCurrentProcess().TotalProcessorTime - c0).TotalSeconds, load);
    }

    private sealed record Row(string Set, int Matrices, int Channels, VopAlgorithm Alg, double Eps, int Vops, double Seconds, double Cpu,
                              double VerifySeconds, double VerifyCpu, string Certificate, OverestimationReport? Report, string LoadBefore, string LoadAfter);

    private static void PrintSummary(List<Row> rows)
    {
        Console.WriteLine("\n| set | matrices | ch | algorithm | ε | VOPs | compress wall s | CPU s | verify wall s | CPU s | certificate | rel. overest. mean / p95 / max | load 1-min before → after |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in rows)
            Console.WriteLine($"| {r.Set} | {r.Matrices:N0} | {r.Channels} | {r.Alg} | {r.Eps:P0} | {r.Vops} | {r.Seconds:F2} | {r.Cpu:F2} | {(double.IsNaN(r.VerifySeconds) ? "-" : r.VerifySeconds.ToString("F2"))} | {(double.IsNaN(r.VerifyCpu) ? "-" : r.VerifyCpu.ToString("F2"))} | {r.Certificate} | " +
                              (r.Report is null ? "-" : $"{r.Report.MeanRelative:F3} / {r.Report.P95Relative:F3} / {r.Report.MaxRelative:F3}") + $" | {r.LoadBefore.Split(' ')[0]} → {r.LoadAfter.Split(' ')[0]} |");
        // exponents: per (channels, margin, algorithm) over matrix counts; per (matrix-count class, margin) over channels
        Console.WriteLine("\nfits (least squares in log-log):");
        foreach (var grp in rows.GroupBy(r => (r.Channels, r.Eps, r.Alg)))
        {
            var pts = grp.GroupBy(r => r.Matrices).Select(g => g.First()).OrderBy(r => r.Matrices).ToList();
            if (pts.Count < 2) continue;
            Console.WriteLine($"  {grp.Key.Channels} ch, ε {grp.Key.Eps:P0}, {grp.Key.Alg}: over matrices {pts[0].Matrices:N0}..{pts[^1].Matrices:N0}: VOPs ∝ K^{Fit(pts.Select(p => (double)p.Matrices), pts.Select(p => (double)p.Vops)):F2}, compress CPU ∝ K^{Fit(pts.Select(p => (double)p.Matrices), pts.Select(p => p.Cpu)):F2}, wall ∝ K^{Fit(pts.Select(p => (double)p.Matrices), pts.Select(p => p.Seconds)):F2}");
        }
        foreach (var grp in rows.GroupBy(r => (Cls: Math.Round(Math.Log10(r.Matrices) * 2) / 2, r.Eps, r.Alg)))
        {
            var pts = grp.GroupBy(r => r.Channels).Select(g => g.First()).OrderBy(r => r.Channels).ToList();
            if (pts.Count < 2) continue;
            Console.WriteLine($"  ~10^{grp.Key.Cls} matrices, ε {grp.Key.Eps:P0}, {grp.Key.Alg}: over channels {string.Join("/", pts.Select(p => p.Channels))}: VOPs ∝ N^{Fit(pts.Select(p => (double)p.Channels), pts.Select(p => (double)p.Vops)):F2}, compress CPU ∝ N^{Fit(pts.Select(p => (double)p.Channels), pts.Select(p => p.Cpu)):F2}");
        }
    }

    private static double Fit(IEnumerable<double> x, IEnumerable<double> y)
    {
        var lx = x.Select(v => Math.Log(v)).ToArray(); var ly = y.Select(v => Math.Log(Math.Max(v, 1e-9))).ToArray();
        double mx = lx.Average(), my = ly.Average(), sxy = 0, sxx = 0;
        for (int i = 0; i < lx.Length; i++) { sxy += (lx[i] - mx) * (ly[i] - my); sxx += (lx[i] - mx) * (lx[i] - mx); }
        return sxx > 0 ? sxy / sxx : double.NaN;
    }

    internal static (double[] Packed, int N) ReadOrzada(string path)
    {
        using var src = QMatrixSources.Open(path);
        var packed = src.ReadAll();
        int n = src.Channels;
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
