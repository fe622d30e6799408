using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using SarKit.Averaging;
using SarKit.Constraints;
using SarKit.Engines;
using SarKit.Margins;
using SarKit.Sar;
using SarKit.Fields;
using SarKit.Numerics.LinearAlgebra;

/// <summary>
/// `mvie` / `margins` / `mvie-random` modes of the benchmark (bench/README.md): MVIE of averaged Q-matrix sets from the
/// synthetic field engine, and Q_e versus the 10 g averaging time.
/// </summary>
internal static class MarginsBench
{
    public static int Run(string[] args)
    {
        string mode = args[0];
        var kv = new Dictionary<string, string>();
        for (int i = 1; i + 1 < args.Length; i += 2) kv[args[i].TrimStart('-')] = args[i + 1];
        double Get(string k, double d) => kv.TryGetValue(k, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : d;
        switch (mode)
        {
            case "mvie-file":
            {
                // `mvie-file --q Q.h5 --repeat N`: the MVIE of a Q-matrix file (as `sarkit mvie`), phases per run
                var set = SarKit.IO.Formats.QMatrixSetFile.Read(kv["q"]);
                for (int r = 0; r < (int)Get("repeat", 2); r++) Solve(set.Packed, set.Channels, $"{set.Count} × {set.Channels} ({Path.GetFileName(kv["q"])}), run {r + 1}");
                return 0;
            }
            case "mvie-random":
            {
                int n = (int)Get("channels", 8), count = (int)Get("count", 200);
                var q = RandomPsd(count, n, (int)Get("seed", 3));
                Solve(q, n, $"random {count} × {n}");
                return 0;
            }
            case "mvie":
            {
                // 10 g matrices from the field engine: target count via the voxel count
                foreach (var (n, target) in new[] { ((int)Get("channels", 8), (int)Get("count", 100_000)), ((int)Get("channels2", 2), (int)Get("count2", 400_000)) })
                {
                    var sw = Stopwatch.StartNew();
                    var (set, grid) = Matrices(n, target, (int)Get("seed", 0));
                    Console.WriteLine($"[{n} ch] averaged Q-matrices: {set.Count:N0} cubes on {grid} in {sw.Elapsed.TotalSeconds:F1} s");
                    var packed = set.AllPacked.ToArray();
                    var res = Solve(packed, n, $"{set.Count} × {n} (10 g)");
                    var pl = MviePowerLoss.Sample(packed, n, res.Packed, (int)Get("samples", 2000), 1);
                    Console.WriteLine($"  power fraction over {pl.Samples} random unit drives: max {pl.MaxFraction:F3}, mean {pl.MeanFraction:F3}, min {pl.MinFraction:F3} (√N bound: ≥ {1.0 / n:F3}, holds: {pl.OuterBoundHolds}) in {pl.ElapsedSeconds:F1} s");
                }
                return 0;
            }
            case "margins":
            {
                int n = (int)Get("channels", 8);
                double voxels = Get("voxels", 1e6);
                var sw = Stopwatch.StartNew();
                var ds = SyntheticDatasets.Ptx(new SyntheticPtxOptions { Channels = n, ApproxVoxels = (int)voxels });
                Console.WriteLine($"dataset {ds.Grid} ({ds.Grid.VoxelCount:N0} voxels, {ds.Tissue.TissueCount:N0} tissue) in {sw.Elapsed.TotalSeconds:F1} s");
                var padded = ds.PadWithAir(SarKit.Fields.AirPadding.Needed(ds.Tissue, 0.010));
                int repeat = (int)Get("repeat", 2);
                (double Wall, double Cpu, T Value) Time<T>(Func<T> f)
                {
                    double bw = double.MaxValue, bc = 0; T v = default!;
                    for (int r = 0; r < repeat; r++)
                    {
                        var c0 = Process.GetCurrentProcess().TotalProcessorTime; var s0 = Stopwatch.StartNew();
                        v = f();
                        double w = s0.Elapsed.TotalSeconds, c = (Process.GetCurrentProcess().TotalProcessorTime - c0).TotalSeconds;
                        if (w < bw) { bw = w; bc = c; }
                    }
                    return (bw, bc, v);
                }
                var (cw, cc, cubes) = Time(() => AveragingCubeSet.Build(padded.Tissue, new AveragingOptions { TargetMassKg = 0.010 }));
                var (aw, ac, qset) = Time(() => AveragedQMatrixSet.Compute(padded, cubes));
                var model = new FieldUncertaintyModel { SigmaE = 0.15, Relative = true, K = 3, R = 2 };
                var (mw, mc, mean) = Time(() => EFieldMargin.MeanFieldMagnitude(padded.Tissue, padded.E));
                var abs = model with { SigmaE = 0.15 * mean, Relative = false };
                var (pw, pc, pm) = Time(() => EFieldMargin.PointMargins(padded.Tissue, padded.E, abs));
                var (ew, ec, qe) = Time(() => EFieldMargin.Averaged(padded, cubes, abs, includeQ: false));
                var (bw2, bc2, prot) = Time(() => EFieldMargin.Averaged(padded, cubes, abs, includeQ: true));
                Console.WriteLine($"load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}; best of {repeat}, wall / CPU s:");
                Console.WriteLine($"  cube set {cw:F2} / {cc:F2}; 10 g averaged Q ({qset.Count:N0} cubes, {n} ch) {aw:F2} / {ac:F2}");
                Console.WriteLine($"  mean |E| (relative σ_e) {mw:F2} / {mc:F2}; point Q_e ({pm.Voxels.Length:N0} tissue voxels) {pw:F2} / {pc:F2}");
                Console.WriteLine($"  10 g averaged Q_e alone {ew:F2} / {ec:F2}; 10 g averaged Q + Q_e in one pass {bw2:F2} / {bc2:F2}");
                var drive = new SarKit.Fields.DriveVector(Enumerable.Range(0, n).Select(c => Complex.FromPolarCoordinates(1, 2 * Math.PI * c / n)));
                                var inc = EFieldMargin.Increase(qset, prot, drive);
                Console.WriteLine($"CP-like drive: psSAR {inc.PeakSar:G4} → {inc.ProtectedPeakSar:G4} W/kg per unit² (+{100 * inc.RelativeIncrease:F1} %)");
                return 0;
            }
        }
        return 2;
    }

    private static MvieResult Solve(double[] q, int n, string label)
    {
        var sw = Stopwatch.StartNew();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var r = MvieSolver.Solve(q, n);
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
        Console.WriteLine($"  MVIE {label}: {sw.Elapsed.TotalSeconds:F2} s wall, {cpu:F2} s CPU (load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}); phases {string.Join(", ", r.PhaseSeconds.Select(kv => $"{kv.Key} {kv.Value:F2}"))}; rounds {r.Rounds}, Newton steps {r.NewtonSteps}, active {r.ActiveSetSize}, contacts {r.ContactCount}, full evaluations {r.FullEvaluations:N0}; log det {r.LogDet:F6}; certificate {r.CertificateMaxRatio:F9} (scale {r.CertificateScale:G6}, failures {r.DominanceFailures}); λ_max(A)/SAR_wc {SarKit.Numerics.LinearAlgebra.HermitianKernels.LargestEigenvalue(r.Packed, n) / r.SarWorstCase:F3}; {r.Regularisation}");
        return r;
    }

    internal static (AveragedQMatrixSet, SarKit.Grid.VoxelGrid) Matrices(int n, int targetCubes, int seed)
    {
        // the number of 10 g cubes ≈ tissue voxels: the trunk takes ~ 35 % of the grid box
        var ds = SyntheticDatasets.Ptx(new SyntheticPtxOptions { Channels = n, ApproxVoxels = (int)(targetCubes / 0.27), Seed = seed });
        var padded = ds.PadWithAir(SarKit.Fields.AirPadding.Needed(ds.Tissue, 0.010));
        var cubes = AveragingCubeSet.Build(padded.Tissue, new AveragingOptions { TargetMassKg = 0.010 });
        return (AveragedQMatrixSet.Compute(padded, cubes), padded.Grid);
    }

    internal static double[] RandomPsd(int count, int n, int seed)
    {
        var rng = new Random(seed);
        var all = new double[count * n * n];
        for (int c = 0; c < count; c++)
        {
            var q = new Complex[n, n];
            for (int k = 0; k < n; k++)
            {
                var v = new Complex[n];
                for (int i = 0; i < n; i++) v[i] = new Complex(rng.NextDouble() - 0.5, rng.NextDouble() - 0.5) * (1 + 2 * rng.NextDouble());
                for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) q[i, j] += v[i] * Complex.Conjugate(v[j]);
            }
            HermitianPacking.Pack(q).CopyTo(all.AsSpan(c * n * n, n * n));
        }
        return all;
    }
}
