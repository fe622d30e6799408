using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using SarKit.Compression;
using SarKit.Numerics.LinearAlgebra;

/// <summary>
/// The Hermitian eigenvalue kernels on the VOP compression hot path (bench/README.md "vop-kernel"): λ_max
/// (Householder tridiagonalisation + QL), all eigenvalues, λ_max with eigenvector (Jacobi), each over the public Orzada
/// 8-channel set and over random PSD sets of 16 and 32 channels, then one single-threaded iterative VOP compression of the
/// Orzada set at 10 %. Single-threaded, process CPU time, best of --repeat runs; meant to compare two builds run
/// alternately on the same machine (e.g. before and after a kernel change), not as an absolute figure.
/// </summary>
internal static class VopKernelBench
{
    public const string Usage = """
        usage: dotnet run -c Release --project bench/SarKit.Bench -- vop-kernel [options]
          --orzada PATH   the public 8-channel set (default ../shared/reference/qmatrices/orzada_V_full_8ch_1767.mat)
          --repeat N      runs per workload, the fastest is reported (default 5)
          --min-cpu S     each run repeats its workload until it used at least S CPU seconds (default 0.3)
          --no-compress   skip the VOP compression workload
        """;

    public static int Run(string[] args)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        string orzada = "/work/shared/reference/qmatrices/orzada_V_full_8ch_1767.mat";
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            var p = Path.Combine(d.FullName, "shared", "reference", "qmatrices", "orzada_V_full_8ch_1767.mat");
            if (File.Exists(p)) { orzada = p; break; }
        }
        int repeat = 5; double minCpu = 0.3; bool compress = true;
        for (int a = 0; a < args.Length; a++)
        {
            string Next() => a + 1 < args.Length ? args[++a] : throw new ArgumentException($"option {args[a]} needs a value");
            switch (args[a])
            {
                case "--orzada": orzada = Next(); break;
                case "--repeat": repeat = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--min-cpu": minCpu = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--no-compress": compress = false; break;
                case "-h" or "--help": Console.WriteLine(Usage); return 0;
                default: Console.Error.WriteLine($"unknown option {args[a]}\n{Usage}"); return 2;
            }
        }
        var (qOrz, nOrz) = VopBench.ReadOrzada(orzada);
        var sets = new List<(string Name, double[] Q, int N)> { ("orzada", qOrz, nOrz), ("random16", RandomPsd(16, 400, 1), 16), ("random32", RandomPsd(32, 100, 2), 32) };
        Console.WriteLine($"vop-kernel: {Environment.ProcessorCount} cores, 1 thread, .NET {Environment.Version}; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        double checksum = 0;
        foreach (var (name, q, n) in sets)
        {
            int nn = n * n, count = q.Length / nn;
            var ws = new HermitianWorkspace(n);
            var vals = new double[n];
            var vec = new Complex[n];
            Report(name, "lambda_max", n, count, repeat, minCpu, () => { double s = 0; for (int k = 0; k < count; k++) s += HermitianKernels.LargestEigenvalue(q.AsSpan(k * nn, nn), n, ws); checksum += s; });
            Report(name, "eigenvalues", n, count, repeat, minCpu, () => { for (int k = 0; k < count; k++) { HermitianKernels.Eigenvalues(q.AsSpan(k * nn, nn), n, vals, ws); checksum += vals[n - 1]; } });
            Report(name, "lambda_max+vector", n, count, repeat, minCpu, () => { double s = 0; for (int k = 0; k < count; k++) s += HermitianKernels.LargestEigen(q.AsSpan(k * nn, nn), n, vec, ws); checksum += s; });
        }
        if (compress)
        {
            var o = new VopCompressionOptions { Algorithm = VopAlgorithm.Iterative, Epsilon = 0.1, MaxDegreeOfParallelism = 1 };
            int vops = 0;
            Report("orzada", "compress_iterative_10pct", nOrz, qOrz.Length / (nOrz * nOrz), repeat, 0, () => vops = VopCompressor.Compress(qOrz, nOrz, o).Count);
            Console.WriteLine($"  (compression: {vops} VOPs)");
        }
        Console.WriteLine($"checksum {checksum:G6}");
        return 0;
    }

    /// <summary>Best-of-repeat CPU time per matrix of one workload, printed as one line.</summary>
    private static void Report(string set, string kernel, int n, int count, int repeat, double minCpu, Action work)
    {
        work(); // warm-up (JIT tiers)
        double best = double.PositiveInfinity;
        for (int r = 0; r < repeat; r++)
        {
            var proc = Process.GetCurrentProcess();
            var c0 = proc.TotalProcessorTime;
            int iters = 0;
            double cpu;
            do { work(); iters++; proc.Refresh(); cpu = (proc.TotalProcessorTime - c0).TotalSeconds; } while (cpu < minCpu);
            best = Math.Min(best, cpu / iters);
        }
        Console.WriteLine($"{set,-9} {kernel,-25} n={n,-3} matrices={count,-5} {best / count * 1e9,12:F0} ns/matrix CPU  ({best * 1e3:F2} ms per pass)");
    }

    private static double[] RandomPsd(int n, int count, int seed)
    {
        var rng = new Random(seed);
        var res = new double[count * n * n];
        var q = new Complex[n, n];
        for (int m = 0; m < count; m++)
        {
            Array.Clear(q);
            for (int r = 0; r < 3; r++)
            {
                var v = Enumerable.Range(0, n).Select(_ => new Complex(rng.NextDouble() - 0.5, rng.NextDouble() - 0.5)).ToArray();
                for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) q[i, j] += v[i] * Complex.Conjugate(v[j]);
            }
            HermitianPacking.Pack(q).CopyTo(res.AsSpan(m * n * n));
        }
        return res;
    }
}
