using System.Diagnostics;
using System.Globalization;
using SarKit.Compression;
using SarKit.Engines;

/// <summary>
/// `population-stages`: CPU time per matrix of each stage of the population VOP workflow (docs/scale-out.md "Population
/// VOPs") on the synthetic 16-channel population (docs/population.md), one thread: generation (regeneration of the
/// originals), λ_max of every matrix, compression (iterative, CC) and certification (CC proof of every original, against
/// in-memory originals and streamed/regenerated ones) — each with the margin-floor shortcuts (<see cref="MarginFloor"/>)
/// and without them (baseline, exact paths only), in the same run, printing the ratio. CPU = the process's user + sys
/// time (Process.TotalProcessorTime), so the figures hold on a loaded machine; the load average is printed beside them.
///   dotnet bench/SarKit.Bench/bin/Release/net10.0/SarKit.Bench.dll population-stages [--count 10000] [--first 0] [--margin 0.05] [--seed 1]
/// </summary>
internal static class PopulationStagesBench
{
    public static int Run(string[] args)
    {
        long count = 10_000, first = 0; double margin = 0.05; long seed = 1;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--count": count = (long)double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--first": first = (long)double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--margin": margin = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--seed": seed = long.Parse(Next(), CultureInfo.InvariantCulture); break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }
        var ci = CultureInfo.InvariantCulture;
        var spec = new SyntheticPopulationSpec { Count = first + count, Channels = 16, Seed = seed };
        using var pop = new SyntheticPopulation(spec, "bench population", maxDegreeOfParallelism: 1);
        int n = pop.Channels;
        Console.WriteLine(string.Create(ci, $"population-stages: {count} matrices from index {first}, 16 channels, seed {seed}, margin {margin}, 1 thread; load average {File.ReadAllText("/proc/loadavg").Trim()}"));
        Console.WriteLine("| stage | CPU s | µs per matrix | with floor / baseline | note |");
        Console.WriteLine("|---|---|---|---|---|");

        double[] q = [];
        double gen = Cpu(() => q = pop.ReadRange(first, count));
        Row("generation", gen, null, "regenerate the originals (every pass over them pays this)");
        var lam = new double[count];
        double lmax = Cpu(() => SarKit.Numerics.LinearAlgebra.HermitianKernels.LargestEigenvalues(q, n, lam));
        Row("λ_max of every matrix", lmax, null, "");
        int under = 0;
        double wc = lam.Max();
        foreach (var l in lam) if (l <= margin * wc) under++;
        Console.WriteLine(string.Create(ci, $"|  λ_max ≤ ε·SAR_wc | | | | {under} of {count} ({100.0 * under / count:F1} %) |"));

        var opts = new VopCompressionOptions { Epsilon = margin, MaxDegreeOfParallelism = 1 };
        VopSet? set = null, setBase = null;
        MarginFloor.Enabled = false; VopVerifier.Shortcuts = false;
        double cBase = Cpu(() => setBase = VopCompressor.Compress(q, n, opts));
        MarginFloor.Enabled = true; VopVerifier.Shortcuts = true;
        double cNew = Cpu(() => set = VopCompressor.Compress(q, n, opts));
        Row("compress (iterative, CC)", cNew, cBase, $"{set!.Count} VOPs (baseline {setBase!.Count})");

        var vo = new VopVerifierOptions { RandomDrives = 0, MaxDegreeOfParallelism = 1 };
        VopVerificationResult? r = null, rb = null;
        using var mem = new PackedQMatrixSource(q, n);
        MarginFloor.Enabled = false; VopVerifier.Shortcuts = false;
        double vBase = Cpu(() => rb = VopVerifier.Verify(set, mem, vo));
        MarginFloor.Enabled = true; VopVerifier.Shortcuts = true;
        double vNew = Cpu(() => r = VopVerifier.Verify(set, mem, vo));
        Row("certify (in memory)", vNew, vBase, $"passed {r!.Certificate.Passed} (baseline {rb!.Certificate.Passed}); largest violation {r.Certificate.LargestViolation:G3} (baseline {rb.Certificate.LargestViolation:G3}); SAR_wc equal {r.SarWorstCase == rb.SarWorstCase}");
        var stream = new SyntheticPopulation(spec, "bench population", maxDegreeOfParallelism: 1);
        if (first == 0)
        {
            double vs = Cpu(() => r = VopVerifier.Verify(set, stream, vo));
            Row("certify (regenerated)", vs, null, $"passed {r!.Certificate.Passed}: one pass of `vop verify`/merge certificate");
        }
        Console.WriteLine(string.Create(ci, $"load average after: {File.ReadAllText("/proc/loadavg").Trim()}"));
        return 0;

        void Row(string stage, double cpu, double? baseCpu, string note) =>
            Console.WriteLine(string.Create(ci, $"| {stage} | {cpu:F2} | {1e6 * cpu / count:F1} | {(baseCpu is { } b ? $"{cpu / b:F2} (baseline {b:F2} s)" : "")} | {note} |"));
    }

    private static double Cpu(Action a)
    {
        var p = Process.GetCurrentProcess();
        p.Refresh();
        var t0 = p.TotalProcessorTime;
        a();
        p.Refresh();
        return (p.TotalProcessorTime - t0).TotalSeconds;
    }
}
