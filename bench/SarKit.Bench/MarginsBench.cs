using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using SarKit.Averaging;
using SarKit.Constraints;
using SarKit.Engines;
using SarKit.Margins;
using SarKit.Sar;

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
                var padded = ds.PadWithAir(SarKit.Grid.AirPadding.Needed(ds.Tissue, 0.010));
                sw.Restart();
                var cubes = AveragingCubeSet.Build(padded.Tissue, new AveragingOptions { TargetMassKg = 0.010 });
                double tCubes = sw.Elapsed.TotalSeconds;
                sw.Restart();
                var qset = AveragedQMatrixSet.Compute(padded, cubes);
                double tAvg = sw.Elapsed.TotalSeconds;
                var model = new FieldUncertaintyModel { SigmaE = 0.15, Relative = true, K = 3, R = 2 };
                sw.Restart();
                var (vox, pm) = EFieldMargin.PointMargins(padded.Tissue, padded.E, model);
                double tPoint = sw.Elapsed.TotalSeconds;
                sw.Restart();
                var qe = EFieldMargin.Averaged(padded, cubes, model, includeQ: false);
                double tQeAvg = sw.Elapsed.TotalSeconds;
                Console.WriteLine($"cube set {tCubes:F2} s; 10 g averaged Q ({qset.Count:N0} cubes, {n} ch) {tAvg:F2} s; point Q_e ({vox.Length:N0} tissue voxels) {tPoint:F2} s; 10 g averaged Q_e {tQeAvg:F2} s");
                var drive = new SarKit.Fields.DriveVector(Enumerable.Range(0, n).Select(c => Complex.FromPolarCoordinates(1, 2 * Math.PI * c / n)));
                var prot = AveragedQMatrixSet.FromPacked(cubes, n, qset.AllPacked.ToArray().Zip(qe.AllPacked.ToArray(), (a, b) => a + b).ToArray(), qset.Normalisation);
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
        Console.WriteLine($"  MVIE {label}: {sw.Elapsed.TotalSeconds:F2} s wall, {cpu:F2} s CPU (load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}); phases {string.Join(", ", r.PhaseSeconds.Select(kv => $"{kv.Key} {kv.Value:F2}"))}; rounds {r.Rounds}, Newton steps {r.NewtonSteps}, active {r.ActiveSetSize}, contacts {r.ContactCount}, full evaluations {r.FullEvaluations:N0}; log det {r.LogDet:F6}; certificate {r.CertificateMaxRatio:F9} (scale {r.CertificateScale:G6}, failures {r.DominanceFailures}); λ_max(A)/SAR_wc {SarKit.Compression.HermitianKernels.LargestEigenvalue(r.Packed, n) / r.SarWorstCase:F3}; {r.Regularisation}");
        return r;
    }

    internal static (AveragedQMatrixSet, SarKit.Grid.VoxelGrid) Matrices(int n, int targetCubes, int seed)
    {
        // the number of 10 g cubes ≈ tissue voxels: the trunk takes ~ 35 % of the grid box
        var ds = SyntheticDatasets.Ptx(new SyntheticPtxOptions { Channels = n, ApproxVoxels = (int)(targetCubes / 0.27), Seed = seed });
        var padded = ds.PadWithAir(SarKit.Grid.AirPadding.Needed(ds.Tissue, 0.010));
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
