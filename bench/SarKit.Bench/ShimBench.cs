using System.Globalization;
using SarKit.Constraints;
using SarKit.Workflows;

/// <summary>
/// `shim FILE --q Q.h5 [-c SPEC]… [--variants reference,fast,…] [--starts N] [--target-ut T] [--limit L]`: RF shim designs
/// (<see cref="RfShimDesign"/>, the same path as <c>sarkit shim</c>) with several solver variants in one process, so the
/// before/after ratio is measured under the same machine load. Variants: <c>reference</c> (the first version: scalar
/// barrier, exchange tolerance 1e-7), <c>fast</c> (the defaults: stacked SIMD barrier with O(m) line search and a
/// duality-gap check, pruned row generation), <c>fast-tol1e-5</c> (fast with exchange tolerance 1e-5), <c>legacy-rowgen</c>
/// (fast kernels with the first row generation: no tolerance, no dropping, 200 added per round, VOP sets in the barrier),
/// <c>fast-addK</c>, <c>fast-afterN</c>, <c>fast-rgaboveM</c> (fast with PrunedAddedPerRound K, DropAfterSolves N,
/// RowGenerationAbove M).
/// Prints one line per design and variant (NRMSE, true peak 10 g SAR, exchange iterations, Newton steps, solve CPU and
/// wall time) and, per design, the CPU ratio of each variant to the first; the load average before and after.
/// </summary>
internal static class ShimBench
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static int Run(string[] args)
    {
        if (args.Length < 1) { Console.Error.WriteLine("usage: shim FILE [--q Q.h5] [-c all|vop=V.h5|vop-seeded=V.h5|mvie=A.h5]… [--variants reference,fast,fast-tol1e-5] [--starts 5] [--target-ut 1.5] [--limit 10]"); return 2; }
        string file = args[0];
        string? qPath = null;
        var specs = new List<string>();
        var variants = new List<string> { "reference", "fast" };
        int starts = 5; double target = 1.5, limit = 10;
        for (int i = 1; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--q": qPath = Next(); break;
                case "-c": specs.Add(Next()); break;
                case "--variants": variants = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList(); break;
                case "--starts": starts = int.Parse(Next(), Inv); break;
                case "--target-ut": target = double.Parse(Next(), Inv); break;
                case "--limit": limit = double.Parse(Next(), Inv); break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }
        if (specs.Count == 0) specs.Add("all");
        Console.WriteLine($"load average before: {LoadAverage()}");
        var cpu = new Dictionary<(string, string), double>();
        foreach (var v in variants)
        {
            var solver = v switch
            {
                "reference" => new RfShimOptions { Starts = starts, WarmStartBarrier = false, Inner = new ShimQcqpOptions { ReferenceKernels = true } },
                "fast" => new RfShimOptions { Starts = starts },
                "legacy-rowgen" => new RfShimOptions { Starts = starts, Inner = new ShimQcqpOptions { PrunedRowGeneration = false }, RowGenerationAbove = int.MaxValue },
                _ when v.StartsWith("fast-tol", StringComparison.Ordinal) => new RfShimOptions { Starts = starts, RelativeTolerance = double.Parse(v["fast-tol".Length..], Inv) },
                _ when v.StartsWith("fast-add", StringComparison.Ordinal) => new RfShimOptions { Starts = starts, Inner = new ShimQcqpOptions { PrunedAddedPerRound = int.Parse(v["fast-add".Length..], Inv) } },
                _ when v.StartsWith("fast-after", StringComparison.Ordinal) => new RfShimOptions { Starts = starts, Inner = new ShimQcqpOptions { DropAfterSolves = int.Parse(v["fast-after".Length..], Inv) } },
                _ when v.StartsWith("fast-rgabove", StringComparison.Ordinal) => new RfShimOptions { Starts = starts, RowGenerationAbove = int.Parse(v["fast-rgabove".Length..], Inv) },
                _ => throw new ArgumentException($"unknown variant {v}"),
            };
            var r = RfShimDesign.Run(new RfShimRequest { FieldsPath = file, QPath = qPath, Constraints = specs, TargetUt = target, LocalLimitWPerKg = limit, Solver = solver });
            foreach (var d in r.Designs.Where(d => d.Constraints != "cp"))
            {
                string key = d.Constraints + (d.ConstraintFile.Length > 0 ? ":" + Path.GetFileName(d.ConstraintFile) : "");
                cpu[(key, v)] = d.SolveCpuS;
                Console.WriteLine(string.Create(Inv, $"{v,-14} {key,-28} count {d.ConstraintCount,7} active {d.ActiveConstraints,5} NRMSE {d.Nrmse:F5} peak10g {d.PeakSar10gWPerKg:F3} W/kg certified {d.Certified} iterations {d.Iterations,5} newton {d.NewtonSteps,7} cpu {d.SolveCpuS:F3} s wall {d.SolveS:F3} s"));
            }
        }
        foreach (var key in cpu.Keys.Select(k => k.Item1).Distinct())
            foreach (var v in variants.Skip(1))
                if (cpu.TryGetValue((key, variants[0]), out var a) && cpu.TryGetValue((key, v), out var b))
                    Console.WriteLine(string.Create(Inv, $"ratio CPU {variants[0]}/{v} {key}: {a / Math.Max(b, 1e-9):F2}"));
        Console.WriteLine($"load average after: {LoadAverage()}");
        return 0;
    }

    internal static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";
}
