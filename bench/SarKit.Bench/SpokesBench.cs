using System.Globalization;
using SarKit.Constraints;
using SarKit.Workflows;

/// <summary>
/// `spokes FILE --q Q.h5 [-c all|vop=V.h5|vop-seeded=V.h5|mvie=A.h5]… [-K 5] [--tr 2e-3] [--target-deg 10] [--starts 5] [--variants baseline,block,block-cont,block-extrap,fast,fast-cont,direct,direct-extrap] [--direct-growth 30] [--direct-gap 1e-8] [--direct-start-gap 1]`:
/// spokes / kT-points designs (<see cref="SpokesDesign"/>, the same path as <c>sarkit spokes</c>) with several solver
/// variants in one process, so the before/after ratio is measured under the same machine load. Variants: <c>baseline</c>
/// (the first version: dense inner kernels, first start at target phase 0), <c>block</c> (block-diagonal kernels only),
/// <c>block-cont</c> (and the first start from the sub-pulse-1 shim), <c>block-extrap</c> (block kernels and phase
/// extrapolation; the default before the direct method), <c>fast</c> (the defaults: direct MLS method, block kernels and
/// extrapolation), <c>fast-cont</c> (the defaults and the continuation start), <c>direct</c> (block kernels and the direct MLS
/// method with the --direct-* settings), <c>direct-extrap</c> (and extrapolation); --starts sets the starts. Prints per design and variant NRMSE, true peak 10 g SAR, exchanges, Newton steps, solve CPU and
/// wall time, then the CPU and wall ratios of each variant to the first, and the load average before and after.
/// </summary>
internal static class SpokesBench
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static int Run(string[] args)
    {
        if (args.Length < 1) { Console.Error.WriteLine("usage: spokes FILE [--q Q.h5] [-c all|vop=V.h5|vop-seeded=V.h5|mvie=A.h5]… [-K 5] [--tr 2e-3] [--target-deg 10] [--starts 5] [--variants baseline,block,block-cont,block-extrap,fast,fast-cont,direct,direct-extrap] [--direct-growth G] [--direct-gap TOL] [--direct-start-gap F]"); return 2; }
        string file = args[0];
        string? qPath = null;
        var specs = new List<string>();
        var variants = new List<string> { "baseline", "fast" };
        int starts = 5, k = 5; double tr = 2e-3, target = 10;
        var direct = new MlsNewtonOptions();
        for (int i = 1; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--q": qPath = Next(); break;
                case "-c": specs.Add(Next()); break;
                case "-K": k = int.Parse(Next(), Inv); break;
                case "--tr": tr = double.Parse(Next(), Inv); break;
                case "--target-deg": target = double.Parse(Next(), Inv); break;
                case "--starts": starts = int.Parse(Next(), Inv); break;
                case "--direct-growth": direct = direct with { BarrierGrowth = double.Parse(Next(), Inv) }; break;
                case "--direct-gap": direct = direct with { GapTolerance = double.Parse(Next(), Inv) }; break;
                case "--direct-start-gap": direct = direct with { InitialGapFraction = double.Parse(Next(), Inv) }; break;
                case "--variants": variants = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList(); break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }
        if (specs.Count == 0) specs.Add("all");
        Console.WriteLine($"load average before: {ShimBench.LoadAverage()}");
        var cpu = new Dictionary<(string, string), (double Cpu, double Wall)>();
        foreach (var v in variants)
        {
            var basic = new RfShimOptions { Starts = starts };
            var block = basic with { Inner = new ShimQcqpOptions { DiagonalBlocks = k } };
            var (solver, fromShim, st) = v switch
            {
                "baseline" => (basic, false, starts),
                "block" => (block, false, starts),
                "block-cont" => (block, true, starts),
                "block-extrap" => (block with { PhaseExtrapolation = true }, false, starts),
                "fast" => ((RfShimOptions?)null, false, starts),
                "fast-cont" => (null, true, starts),
                "direct" => (block with { DirectNewton = direct }, false, starts),
                "direct-extrap" => (block with { DirectNewton = direct, PhaseExtrapolation = true }, false, starts),
                _ => throw new ArgumentException($"unknown variant {v}"),
            };
            var r = SpokesDesign.Run(new SpokesRequest
            {
                FieldsPath = file, QPath = qPath, Constraints = specs, SubPulses = k, RepetitionTimeS = tr, TargetFlipDeg = target,
                Starts = st, Solver = solver, StartFromShim = fromShim,
            });
            foreach (var d in r.Designs)
            {
                string key = d.Constraints + (d.ConstraintFile.Length > 0 ? ":" + Path.GetFileName(d.ConstraintFile) : "");
                cpu[(key, v)] = (d.SolveCpuS, d.SolveS);
                Console.WriteLine(string.Create(Inv, $"{v,-12} K {k} {key,-24} count {d.ConstraintCount,7} active {d.ActiveConstraints,5} NRMSE {d.Nrmse:F5} peak10g {d.PeakSar10gWPerKg:F3} W/kg set {d.ConstraintSar10gWPerKg:F3} certified {d.Certified} exchanges {d.Iterations,5} newton {d.NewtonSteps,7} direct {d.DirectNewtonSteps,5} cpu {d.SolveCpuS:F2} s wall {d.SolveS:F2} s"));
            }
        }
        foreach (var key in cpu.Keys.Select(x => x.Item1).Distinct())
            foreach (var v in variants.Skip(1))
                if (cpu.TryGetValue((key, variants[0]), out var a) && cpu.TryGetValue((key, v), out var b))
                    Console.WriteLine(string.Create(Inv, $"ratio {variants[0]}/{v} {key}: CPU {a.Cpu / Math.Max(b.Cpu, 1e-9):F2} wall {a.Wall / Math.Max(b.Wall, 1e-9):F2}"));
        Console.WriteLine($"load average after: {ShimBench.LoadAverage()}");
        return 0;
    }
}
