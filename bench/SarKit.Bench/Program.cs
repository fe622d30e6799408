using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using SarKit;
using SarKit.Averaging;
using SarKit.Engines;
using SarKit.Fields;
using SarKit.Sar;

// SarKit averaging benchmark (plain Stopwatch console program). See bench/README.md.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
if (args.Length > 0 && args[0] is "mvie" or "margins" or "mvie-random" or "mvie-file") return MarginsBench.Run(args);

if (args.Length > 0 && args[0] == "vop") return VopBench.Run(args[1..]);
if (args.Length > 0 && args[0] == "vop-kernel") return VopKernelBench.Run(args[1..]);
if (args.Length > 0 && args[0] == "scaleout-qfile") return ScaleOutBench.Run(args[1..]);
if (args.Length > 0 && args[0] == "population-stages") return PopulationStagesBench.Run(args[1..]);
if (args.Length > 0 && args[0] == "hdf5-read") return Hdf5Fuzz.ReadFiles(args[1..]);
if (args.Length > 0 && args[0] == "hdf5-fuzz") return Hdf5Fuzz.Run(args[1..]);
if (args.Length > 0 && args[0] == "hdf5") return Hdf5Bench.Run(args[1..]);
if (args.Length > 0 && args[0] == "hdf5-speed") return Hdf5SpeedBench.Run(args[1..]);
if (args.Length > 0 && args[0] == "drive-kernel") return DriveKernelBench.Run(args[1..]);
if (args.Length > 0 && args[0] == "memory") return MemoryBench.Run(args[1..]);
if (args.Length > 0 && args[0] == "qstream") return QStreamBench.Run(args[1..]);
if (args.Length > 0 && args[0] == "fdfd") return FdfdBench.Run(args[1..]);
if (args.Length > 0 && args[0] == "surrogate") return SurrogateBench.Run(args[1..]);

if (args.Length > 0 && args[0] == "sar-core") return SarCoreBench.Run(args[1..]);
if (args.Length > 0 && args[0] == "supervision") return SupervisionBench.Run(args[1..]);
if (args.Length > 0 && args[0] == "wave-stream") return WaveformStreamBench.Run(args[1..]);
if (args.Length > 0 && args[0] == "disk-read") return DiskReadBench.Run(args[1..]);
if (args.Length > 0 && args[0] == "rectilinear") return RectilinearBench.Run(args[1..]);
if (args.Length > 0 && args[0] == "shim") return ShimBench.Run(args[1..]);
if (args.Length > 0 && args[0] == "spokes") return SpokesBench.Run(args[1..]);
BenchOptions opt;
try { opt = BenchOptions.Parse(args); }
catch (Exception ex) when (ex is ArgumentException or FormatException or SarKitInputException)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}
if (opt.Help) { Console.WriteLine(BenchOptions.Usage); return 0; }
return new Bench(opt).Run();

/// <summary>Command-line options of the benchmark.</summary>
internal sealed record BenchOptions
{
    public List<SizeSpec> Sizes { get; init; } = [SizeSpec.Parse("1e5"), SizeSpec.Parse("1e6"), SizeSpec.Parse("1e6t"), SizeSpec.Parse("8e6")];
    public int Channels { get; init; } = 8;
    public double MassKg { get; init; } = 0.010;
    public bool SkipBaseline { get; init; }
    /// <summary>Fixed voxel size (m); null: the body has its natural size and the voxel size follows from the voxel count.</summary>
    public double? VoxelSizeM { get; init; }
    /// <summary>The baseline runs on sizes with at most this many grid voxels.</summary>
    public double BaselineMaxGridVoxels { get; init; } = 4e6;
    public int Seed { get; init; }
    /// <summary>Each timed phase runs this many times; the fastest run is reported.</summary>
    public int Repeat { get; init; } = 3;
    public int BaselineRepeat { get; init; } = 3;
    public bool Help { get; init; }

    public const string Usage = """
        usage: dotnet run -c Release --project bench/SarKit.Bench -- [options]
          --sizes LIST         comma-separated sizes; a plain number is grid voxels (1e5, 1e6, 8e6), a number with
                               suffix t is body (tissue) voxels (1e6t). Default: 1e5,1e6,1e6t,8e6
          --channels N         transmit channels (default 8)
          --mass M             averaging mass, e.g. 10g, 1g, 0.01kg (default 10g)
          --voxel-size H       fixed voxel size, e.g. 3mm, 0.003m (bare number = mm). The phantom is scaled to the
                               box. Default: natural body size (trunk 32 x 20 x 40 cm), voxel size follows from N
          --skip-baseline      do not run the straightforward per-voxel baseline
          --baseline-max N     run the baseline only on sizes with <= N grid voxels (default 4e6: 1e5, 1e6, 1e6t)
          --repeat R           run every timed phase R times and report the fastest (default 3)
          --baseline-repeat R  at most R runs of the baseline phases (default 3)
          --seed S             seed of the synthetic dataset and the drive (default 0)
        """;

    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions();
        for (int a = 0; a < args.Length; a++)
        {
            string Next() => a + 1 < args.Length ? args[++a] : throw new ArgumentException($"option {args[a]} needs a value");
            switch (args[a])
            {
                case "--sizes": o = o with { Sizes = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(SizeSpec.Parse).ToList() }; break;
                case "--channels": o = o with { Channels = int.Parse(Next(), CultureInfo.InvariantCulture) }; break;
                case "--mass": o = o with { MassKg = AveragingOptions.ParseMassKg(Next()) }; break;
                case "--voxel-size": o = o with { VoxelSizeM = ParseLengthM(Next()) }; break;
                case "--skip-baseline": o = o with { SkipBaseline = true }; break;
                case "--baseline-max": o = o with { BaselineMaxGridVoxels = double.Parse(Next(), CultureInfo.InvariantCulture) }; break;
                case "--repeat": o = o with { Repeat = int.Parse(Next(), CultureInfo.InvariantCulture) }; break;
                case "--baseline-repeat": o = o with { BaselineRepeat = int.Parse(Next(), CultureInfo.InvariantCulture) }; break;
                case "--seed": o = o with { Seed = int.Parse(Next(), CultureInfo.InvariantCulture) }; break;
                case "-h" or "--help": o = o with { Help = true }; break;
                default: throw new ArgumentException($"unknown option '{args[a]}'");
            }
        }
        if (o.Repeat < 1 || o.BaselineRepeat < 1) throw new ArgumentException("--repeat / --baseline-repeat: expected >= 1");
        if (o.Channels < 1) throw new ArgumentException($"--channels {o.Channels}: expected >= 1");
        if (o.Sizes.Count == 0) throw new ArgumentException("--sizes: no sizes given");
        return o;
    }

    private static double ParseLengthM(string text)
    {
        var t = text.Trim().ToLowerInvariant();
        double scale = 1e-3;
        if (t.EndsWith("mm")) t = t[..^2];
        else if (t.EndsWith("cm")) { scale = 1e-2; t = t[..^2]; }
        else if (t.EndsWith('m')) { scale = 1; t = t[..^1]; }
        if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)) v = double.NaN;
        if (!(v > 0) || !double.IsFinite(v)) throw new ArgumentException($"--voxel-size '{text}': expected a positive length");
        return v * scale;
    }
}

/// <summary>A requested problem size: grid voxels, or body (tissue) voxels when <see cref="Tissue"/> is set.</summary>
internal readonly record struct SizeSpec(double Count, bool Tissue, string Text)
{
    public static SizeSpec Parse(string s)
    {
        var t = s.Trim().ToLowerInvariant();
        bool tissue = t.EndsWith('t');
        if (tissue) t = t[..^1];
        if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double n))
            throw new ArgumentException($"--sizes: '{s}' is not a voxel count (e.g. 1e6 grid voxels, 1e6t body voxels)");
        if (!(n >= 1000) || n > 5e8) throw new ArgumentException($"size '{s}': expected 1e3 .. 5e8 voxels");
        return new SizeSpec(n, tissue, s.Trim());
    }

    /// <summary>Requested grid voxel count (body sizes converted with the phantom's tissue fraction of the box).</summary>
    public double GridVoxels => Tissue ? Count / Geometry.TissueFraction : Count;
}

/// <summary>
/// Unscaled geometry of <see cref="SyntheticDatasets.Ptx(SyntheticPtxOptions)"/> without head (from its documentation):
/// elliptic-cylinder trunk 0.16 × 0.10 m semi-axes, half-length 0.20 m; box = coil ellipse (trunk + 0.04 m) + 0.02 m margin.
/// Used only to choose grid dimensions and to convert body voxel counts to grid voxel counts.
/// </summary>
internal static class Geometry
{
    public const double Lx = 2 * (0.16 + 0.04 + 0.02), Ly = 2 * (0.10 + 0.04 + 0.02), Lz = 2 * 0.20 + 2 * 0.02;
    public static double BoxVolume => Lx * Ly * Lz;
    public static double TrunkVolume => Math.PI * 0.16 * 0.10 * 2 * 0.20;
    public static double TissueFraction => TrunkVolume / BoxVolume;

    /// <summary>Grid dimensions with the natural aspect ratio and about <paramref name="n"/> voxels.</summary>
    public static (int, int, int) Dims(double n)
    {
        double f = Math.Cbrt(n / BoxVolume); // voxels per metre
        return (Math.Max(1, (int)Math.Round(Lx * f)), Math.Max(1, (int)Math.Round(Ly * f)), Math.Max(1, (int)Math.Round(Lz * f)));
    }
}

/// <summary>Figures of one size.</summary>
internal sealed class SizeResult
{
    public required SizeSpec Spec;
    public int Nx, Ny, Nz, GridVoxels, TissueVoxels, Cubes, ValidCubes;
    public double VoxelSizeM, BodyScale;
    public double TBuildStep1Used, TBaseStep1Used;
    public string TBuildSpread = "", TQSpread = "", TBaseBuildSpread = "";
    public double TGen, TBuild, TQ, TLocal, TCubeAvg, TMap;
    public double TQTotal => TBuild + TQ;
    public double TScalar => TBuild + TCubeAvg + TMap;
    public double? TBaseBuild, TBaseAvg, TBaseMap;
    public double? TBaseline => TBaseBuild + TBaseAvg + TBaseMap;
    /// <summary>Fastest SarKit scalar map (cube set + SpatialAverage.Compute) among the runs interleaved with the baseline.</summary>
    public double? TScalarPaired;
    public List<double>? PairedRatios;
    public double? Ratio => TBaseline / TScalarPaired;
    public double Peak, PeakFromQ, QTableGB, QSetGB;
    public long PeakWorkingSet, PeakWsQFirst, ManagedLive, Allocated;
    public bool PeakResetWorked;
    public string LoadBefore = "", LoadAfter = "";
    // baseline agreement
    public int? StatusMismatches; public int? BaselineCubes;
    public double? PeakRelDiff, MapMaxRelDiff, MapMaxDiffOverPeak, CubeMaxRelDiff;
}

internal sealed class Bench(BenchOptions o)
{
    private readonly List<SizeResult> _results = [];
    private long _allocated;

    public int Run()
    {
        Console.WriteLine($"SarKit averaging benchmark — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Console.WriteLine($"machine: {Environment.ProcessorCount} logical cores, {Environment.OSVersion}, .NET {Environment.Version}, " +
                          $"{(Debugger.IsAttached ? "debugger attached" : "no debugger")}, {BuildConfig()}, server GC={System.Runtime.GCSettings.IsServerGC}");
        Console.WriteLine($"load average at start: {LoadAverage()}");
        Console.WriteLine($"channels {o.Channels}, mass {o.MassKg * 1e3:G4} g, " +
                          (o.VoxelSizeM is { } h ? $"fixed voxel size {h * 1e3:G4} mm (phantom scaled to the box)" : "natural body size (trunk 32 × 20 × 40 cm), voxel size follows from the voxel count") +
                          $", baseline {(o.SkipBaseline ? "skipped" : $"on sizes ≤ {o.BaselineMaxGridVoxels:G3} grid voxels")}");
        Console.WriteLine();

        Console.Write("warm-up (JIT and tiered compilation, 2 × small dataset) ... ");
        var sw = Stopwatch.StartNew();
        for (int w = 0; w < 2; w++)
        {
            RunSize(new SizeSpec(30_000, false, "warm-up"), baseline: !o.SkipBaseline, quiet: true);
            Thread.Sleep(300); // let the background tier-1 compilations finish
        }
        Console.WriteLine($"{sw.Elapsed.TotalSeconds:F1} s");
        Console.WriteLine();

        foreach (var spec in o.Sizes.OrderBy(s => s.GridVoxels))
        {
            bool baseline = !o.SkipBaseline && spec.GridVoxels <= o.BaselineMaxGridVoxels * 1.0001;
            _results.Add(RunSize(spec, baseline, quiet: false));
        }
        PrintSummary();
        return _results.Any(r => r.StatusMismatches > 0 || r.PeakRelDiff > 1e-9 || Math.Abs(r.PeakFromQ / r.Peak - 1) > 1e-9) ? 1 : 0;
    }

    private SizeResult RunSize(SizeSpec spec, bool baseline, bool quiet)
    {
        void Log(string s) { if (!quiet) Console.WriteLine(s); }
        var avgOptions = new AveragingOptions { TargetMassKg = o.MassKg };
        var r = new SizeResult { Spec = spec };
        Log($"=== size {spec.Text} ({(spec.Tissue ? $"~{spec.Count:G3} body voxels ⇒ ~{spec.GridVoxels:G3} grid voxels" : $"~{spec.Count:G3} grid voxels")})");

        // ---- dataset (not part of the figures)
        var sw = Stopwatch.StartNew();
        SarDataset ds = o.VoxelSizeM is { } h
            ? SyntheticDatasets.Ptx(o.Channels, Geometry.Dims(spec.GridVoxels), h, 297.2e6, head: false, seed: o.Seed)
            : SyntheticDatasets.Ptx(o.Channels, (int)Math.Round(spec.GridVoxels), 297.2e6, head: false, seed: o.Seed);
        r.TGen = sw.Elapsed.TotalSeconds;
        var grid = ds.Grid; var tissue = ds.Tissue;
        (r.Nx, r.Ny, r.Nz, r.GridVoxels) = (grid.Nx, grid.Ny, grid.Nz, grid.VoxelCount);
        r.VoxelSizeM = grid.WidthX(0);
        r.BodyScale = Math.Min(grid.Nx * r.VoxelSizeM / Geometry.Lx, Math.Min(grid.Ny * r.VoxelSizeM / Geometry.Ly, grid.Nz * r.VoxelSizeM / Geometry.Lz));
        if (o.VoxelSizeM is null) r.BodyScale = 1;
        r.TissueVoxels = tissue.Rho.Count(x => x > 0);
        Log($"grid {r.Nx}×{r.Ny}×{r.Nz} = {r.GridVoxels:N0} voxels of {r.VoxelSizeM * 1e3:F3} mm, body scale {r.BodyScale:F3}, " +
            $"tissue voxels {r.TissueVoxels:N0} ({100.0 * r.TissueVoxels / r.GridVoxels:F1} %); dataset generated in {r.TGen:F1} s (not counted)");

        Collect();
        r.PeakResetWorked = ResetPeakWorkingSet();
        _allocated = 0;
        r.LoadBefore = LoadAverage();

        // ---- SarKit: cube set, Q-matrix set
        int reps = quiet ? 1 : o.Repeat;
        var clocks = new List<PhaseClock>();
        var cubes = Timed(reps, () => { var c = new PhaseClock(); clocks.Add(c); return AveragingCubeSet.Build(tissue, avgOptions, c); },
                          out r.TBuild, out r.TBuildSpread, out int bestBuild);
        r.TBuildStep1Used = clocks[bestBuild].FirstAtLeast(0.85);
        r.Cubes = cubes.CubeCount; r.ValidCubes = cubes.ValidCubeCount;
        var (va, us, un, _) = cubes.StatusCounts();
        Log($"cube set: {r.TBuild,8:F3} s {r.TBuildSpread}  {r.Cubes:N0} cubes ({r.ValidCubes:N0} valid step-1, {r.Cubes - r.ValidCubes:N0} step-2), " +
            $"voxels VALID {va:N0} / USED {us:N0} / UNUSED {un:N0}, without cube {cubes.VoxelsWithoutCube:N0}");
        Log($"          phases: tables + step 1 + USED marking {r.TBuildStep1Used:F3} s, step 2 + assembly {r.TBuild - r.TBuildStep1Used:F3} s");

        AveragedQMatrixSet? qset = null;
        Collect();
        bool qReset = ResetPeakWorkingSet();
        qset = Timed(reps, () => { qset = null; return AveragedQMatrixSet.Compute(ds, cubes); }, out r.TQ, out r.TQSpread, out _,
                     after: i => { if (i == 0 && qReset) r.PeakWsQFirst = PeakWorkingSet(); });
        r.PeakWorkingSet = PeakWorkingSet(); // before the diagnostic replica below
        int n2 = o.Channels * o.Channels;
        long nodes = (long)(grid.Nx + 1) * (grid.Ny + 1) * (grid.Nz + 1);
        int tile = (int)Math.Clamp((4L << 30) / (nodes * 8), 1, n2);
        r.QTableGB = nodes * 8.0 * Math.Min(tile, n2) / 1e9;
        r.QSetGB = (double)r.Cubes * n2 * 8 / 1e9;
        Log($"Q set:    {r.TQ,8:F3} s {r.TQSpread}  {o.Channels} channels, {n2} reals per cube ({r.QSetGB:F2} GB), summed-volume table ≤ {r.QTableGB:F2} GB (cropped to the tissue bounding box) in ≤ {(n2 + tile - 1) / tile} tile(s)");
        Log($"10 g Q-matrix field (cube set + Q set): {r.TQTotal:F3} s");

        // ---- scalar map of one drive
        var rnd = new Random(o.Seed + 1);
        var drive = new DriveVector(Enumerable.Range(0, o.Channels).Select(_ => Complex.FromPolarCoordinates(1, 2 * Math.PI * rnd.NextDouble())));
        sw.Restart();
        var localSar = LocalSar.Compute(tissue, ds.E, drive);
        r.TLocal = sw.Elapsed.TotalSeconds;
        // = SpatialAverage.Compute(tissue, localSar, options, cubes), timed per piece
        var cubeValues = Timed(reps, () => cubes.CubeAverages(localSar, tissue.Rho), out r.TCubeAvg, out _, out _);
        var res = Timed(reps, () => SpatialAverage.Finish(cubes, cubeValues, localSar), out r.TMap, out _, out _);
        r.Peak = res.Peak;
        Log($"scalar:   local SAR {r.TLocal:F3} s (not counted); cube averages {r.TCubeAvg:F3} s; voxel map + peak {r.TMap:F3} s; " +
            $"scalar 10 g map (cube set + averages + map) {r.TScalar:F3} s; psSAR {r.Peak:G8} W/kg per unit drive²");

        r.PeakFromQ = qset.PeakSar(drive).Peak;
        Log($"check:    psSAR from the Q set {r.PeakFromQ:G8} (rel. diff {Math.Abs(r.PeakFromQ / r.Peak - 1):E2})");

        r.PeakWorkingSet = Math.Max(r.PeakWorkingSet, PeakWorkingSet());
        r.ManagedLive = GC.GetTotalMemory(true);
        r.Allocated = _allocated; // SarKit phases (cube set, Q set, cube averages, map), fastest runs
        Log($"memory:   peak working set {r.PeakWorkingSet / 1e9:F2} GB{(r.PeakResetWorked ? " (this size, all repeats)" : " (whole process so far)")}, " +
            $"{(r.PeakWsQFirst > 0 ? $"{r.PeakWsQFirst / 1e9:F2} GB during the first Q-set run (dataset + cube set + Q set), " : "")}" +
            $"managed heap {r.ManagedLive / 1e9:F2} GB live at end (dataset + cube set + Q set + maps), {r.Allocated / 1e9:F2} GB allocated by one run of the SarKit phases (cube set, Q set, averages, map)");
        qset = null;

        // ---- baseline: same algorithm, every box integrated by looping over its voxels
        if (baseline)
        {
            // Paired, interleaved end-to-end runs (SarKit scalar map, then baseline), so both sides see the same machine load.
            int breps = Math.Min(reps, o.BaselineRepeat);
            AveragingCubeSet slow = null!; double[] slowValues = null!; AveragedSarResult slowRes = null!;
            double bestFast = double.PositiveInfinity, bestSlow = double.PositiveInfinity;
            var pairs = new List<(double Fast, double Slow)>();
            for (int i = 0; i < breps; i++)
            {
                Collect();
                var swf = Stopwatch.StartNew();
                var fc = AveragingCubeSet.Build(tissue, avgOptions);
                var fr = SpatialAverage.Compute(tissue, localSar, avgOptions, fc);
                double tf = swf.Elapsed.TotalSeconds;
                GC.KeepAlive(fr); fc = null; fr = null;
                Collect();
                var clock = new PhaseClock();
                var sws = Stopwatch.StartNew();
                slow = AveragingCubeSet.Build(tissue, avgOptions, clock, directSums: true);
                double t1 = sws.Elapsed.TotalSeconds;
                double vol = slow.VoxelSizeX * slow.VoxelSizeY * slow.VoxelSizeZ;
                var power = new double[localSar.Length];
                for (int v = 0; v < power.Length; v++) power[v] = tissue.Rho[v] > 0 ? localSar[v] * tissue.Rho[v] * vol : 0;
                slowValues = slow.CubeAverages(power, directSums: true);
                double t2 = sws.Elapsed.TotalSeconds;
                slowRes = SpatialAverage.Finish(slow, slowValues, localSar);
                double t3 = sws.Elapsed.TotalSeconds;
                pairs.Add((tf, t3));
                bestFast = Math.Min(bestFast, tf);
                if (t3 < bestSlow)
                {
                    bestSlow = t3;
                    r.TBaseBuild = t1; r.TBaseAvg = t2 - t1; r.TBaseMap = t3 - t2; r.TBaseStep1Used = clock.FirstAtLeast(0.85);
                }
            }
            r.TScalarPaired = bestFast;
            r.PairedRatios = pairs.Select(p => p.Slow / p.Fast).ToList();
            r.TBaseBuildSpread = "[pairs SarKit/baseline " + string.Join(", ", pairs.Select(p => $"{p.Fast:F3}/{p.Slow:F3}")) + "]";

            r.BaselineCubes = slow.CubeCount;
            int mismatch = 0;
            for (int v = 0; v < cubes.Status.Length; v++) if (cubes.Status[v] != slow.Status[v]) mismatch++;
            r.StatusMismatches = mismatch;
            r.PeakRelDiff = Math.Abs(slowRes.Peak - res.Peak) / res.Peak;
            double maxRel = 0, maxAbs = 0;
            for (int v = 0; v < res.Map.Length; v++)
            {
                double a = res.Map[v], b = slowRes.Map[v], d = Math.Abs(a - b), m = Math.Max(Math.Abs(a), Math.Abs(b));
                if (m > 0) maxRel = Math.Max(maxRel, d / m);
                maxAbs = Math.Max(maxAbs, d);
            }
            r.MapMaxRelDiff = maxRel; r.MapMaxDiffOverPeak = maxAbs / res.Peak;
            if (slow.CubeCount == cubes.CubeCount)
            {
                double mc = 0;
                for (int c = 0; c < cubeValues.Length; c++)
                {
                    double m = Math.Max(Math.Abs(cubeValues[c]), Math.Abs(slowValues[c]));
                    if (m > 0) mc = Math.Max(mc, Math.Abs(cubeValues[c] - slowValues[c]) / m);
                }
                r.CubeMaxRelDiff = mc;
            }
            Log($"baseline: cube set {r.TBaseBuild:F3} s (step 1 + USED {r.TBaseStep1Used:F3} s, step 2 + assembly {r.TBaseBuild - r.TBaseStep1Used:F3} s); cube averages {r.TBaseAvg:F3} s; voxel map {r.TBaseMap:F3} s; total {r.TBaseline:F3} s");
            Log($"ratio:    interleaved end-to-end runs {r.TBaseBuildSpread}; fastest baseline / fastest SarKit = {r.TBaseline:F3} / {r.TScalarPaired:F3} = {r.Ratio:F1}×, " +
                $"per-pair ratios {string.Join(", ", r.PairedRatios!.Select(x => x.ToString("F1")))}");
            Log($"agreement: cubes {slow.CubeCount:N0} vs {cubes.CubeCount:N0}, status mismatches {mismatch}, psSAR rel. diff {r.PeakRelDiff:E2}, " +
                $"map max rel. diff {r.MapMaxRelDiff:E2} (max |diff| / psSAR {r.MapMaxDiffOverPeak:E2}), cube averages max rel. diff {(r.CubeMaxRelDiff is { } x ? x.ToString("E2") : "n/a")}");
        }
        r.LoadAfter = LoadAverage();
        Log($"load average: before {r.LoadBefore}; after {r.LoadAfter}");
        Log("");
        return r;
    }

    private void PrintSummary()
    {
        Console.WriteLine($"=== summary (times in seconds, fastest of {o.Repeat} runs per phase (baseline: {Math.Min(o.Repeat, o.BaselineRepeat)}); Q field = cube set + Q set; scalar = cube set + cube averages + voxel map)");
        Console.WriteLine("| size | grid | voxel mm | grid voxels | tissue voxels | cubes | cube set | Q set | Q field | scalar | baseline | ratio | peak WS GB | peak WS 1st Q run GB | managed GB |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in _results)
            Console.WriteLine($"| {r.Spec.Text} | {r.Nx}×{r.Ny}×{r.Nz} | {r.VoxelSizeM * 1e3:F2} | {r.GridVoxels:N0} | {r.TissueVoxels:N0} | {r.Cubes:N0} | {r.TBuild:F2} | {r.TQ:F2} | {r.TQTotal:F2} | " +
                              $"{r.TScalar:F2} | {(r.TBaseline is { } b ? b.ToString("F2") : "—")} | {(r.Ratio is { } q ? $"{q:F1}×" : "—")} | {r.PeakWorkingSet / 1e9:F2} | {r.PeakWsQFirst / 1e9:F2} | {r.ManagedLive / 1e9:F2} |");
        Console.WriteLine();
        var ordered = _results.OrderBy(r => r.TissueVoxels).ToList();
        if (ordered.Count >= 2)
        {
            Console.WriteLine("scaling exponent p of time ∝ N^p (N = tissue voxels; p between consecutive sizes, and least-squares over all sizes)");
            Report("cube set", r => r.TBuild);
            Report("Q set", r => r.TQ);
            Report("Q field", r => r.TQTotal);
            Report("scalar", r => r.TScalar);
            Report("baseline", r => r.TBaseline);
            Console.WriteLine();
        }
        foreach (var r in _results.Where(r => r.TissueVoxels > 7e5 && r.TissueVoxels < 1.4e6))
            Console.WriteLine($"goal check: {o.Channels}-channel {o.MassKg * 1e3:G3} g Q-matrix field of a {r.TissueVoxels:N0}-tissue-voxel body ({r.GridVoxels:N0} grid voxels, {r.VoxelSizeM * 1e3:F2} mm): " +
                              $"{r.TQTotal:F2} s on {Environment.ProcessorCount} cores (goal < 10 s) — {(r.TQTotal < 10 ? "met" : "NOT met")}");
        foreach (var r in _results.Where(r => r.TBaseline is not null))
            Console.WriteLine($"goal check: scalar map {r.Spec.Text}: baseline/SarKit = {r.Ratio:F1}× ({r.VoxelSizeM * 1e3:F2} mm voxels, {CubeEdgeVoxels(r):F1} voxels per {o.MassKg * 1e3:G3} g cube edge; goal ≥ 10×) — {(r.Ratio >= 10 ? "met" : "NOT met")}; " +
                              $"statuses {(r.StatusMismatches == 0 ? "identical" : $"{r.StatusMismatches} mismatches")}, psSAR rel. diff {r.PeakRelDiff:E1}");
        Console.WriteLine($"load average at end: {LoadAverage()}");

        void Report(string name, Func<SizeResult, double?> t)
        {
            var pts = ordered.Where(r => t(r) is > 0).Select(r => (N: (double)r.TissueVoxels, T: t(r)!.Value)).ToList();
            if (pts.Count < 2) return;
            var parts = new List<string>();
            for (int i = 1; i < pts.Count; i++)
                parts.Add($"{pts[i - 1].N:G2}→{pts[i].N:G2}: {Math.Log(pts[i].T / pts[i - 1].T) / Math.Log(pts[i].N / pts[i - 1].N):F2}");
            double mx = pts.Average(p => Math.Log(p.N)), my = pts.Average(p => Math.Log(p.T));
            double slope = pts.Sum(p => (Math.Log(p.N) - mx) * (Math.Log(p.T) - my)) / pts.Sum(p => (Math.Log(p.N) - mx) * (Math.Log(p.N) - mx));
            Console.WriteLine($"  {name,-9} {string.Join(";  ", parts)};  fit p = {slope:F2}");
        }
    }

    /// <summary>Runs <paramref name="f"/> <paramref name="reps"/> times; <paramref name="best"/> = fastest run (s), <paramref name="spread"/> = all runs as text, <paramref name="bestRun"/> = its index; returns the last run's result.</summary>
    /// <remarks>A full garbage collection runs before each run (not timed), so memory figures reflect one run; the
    /// managed bytes allocated by the fastest run are added to <see cref="_allocated"/>.</remarks>
    private T Timed<T>(int reps, Func<T> f, out double best, out string spread, out int bestRun, Action<int>? after = null)
    {
        best = double.PositiveInfinity; bestRun = 0;
        T last = default!;
        var all = new List<double>();
        long bestAlloc = 0;
        for (int i = 0; i < reps; i++)
        {
            if (reps > 1) Collect();
            long a0 = GC.GetTotalAllocatedBytes(true);
            var sw = Stopwatch.StartNew();
            var x = f();
            double t = sw.Elapsed.TotalSeconds;
            long alloc = GC.GetTotalAllocatedBytes(true) - a0;
            after?.Invoke(i);
            all.Add(t);
            if (t < best) { best = t; bestRun = i; bestAlloc = alloc; }
            last = x; x = default!;
        }
        _allocated += bestAlloc;
        spread = reps > 1 ? "[runs " + string.Join(", ", all.Select(t => t.ToString("F3"))) + "]" : "";
        return last; // every run computes the same result; only the last one is kept alive
    }

    /// <summary>Edge of a cube of the target mass in muscle-like tissue (1000 kg/m³ nominal), in voxels.</summary>
    private double CubeEdgeVoxels(SizeResult r) => Math.Cbrt(o.MassKg / 1000.0) / r.VoxelSizeM;

    private static void Collect()
    {
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    /// <summary>Resets the kernel's peak resident set (VmHWM) of this process (Linux ≥ 4.0: write 5 to /proc/self/clear_refs).</summary>
    private static bool ResetPeakWorkingSet()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); return true; }
        catch (Exception) { return false; }
    }

    private static long PeakWorkingSet()
    {
        using var p = Process.GetCurrentProcess();
        return p.PeakWorkingSet64;
    }

    private static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (Exception) { return "n/a"; }
    }

    private static string BuildConfig()
    {
#if DEBUG
        return "DEBUG build (numbers not representative)";
#else
        return "Release build";
#endif
    }
}

/// <summary>Synchronous progress sink that records when each progress value was reported (phase timing without touching the library).</summary>
internal sealed class PhaseClock : IProgress<double>
{
    private readonly Stopwatch _sw = Stopwatch.StartNew();
    private readonly List<(double Value, double Seconds)> _marks = [];
    public void Report(double value) { lock (_marks) _marks.Add((value, _sw.Elapsed.TotalSeconds)); }
    /// <summary>Seconds until the first report ≥ <paramref name="value"/> (NaN if none).</summary>
    public double FirstAtLeast(double value)
    {
        lock (_marks) foreach (var m in _marks) if (m.Value >= value - 1e-12) return m.Seconds;
        return double.NaN;
    }
}
