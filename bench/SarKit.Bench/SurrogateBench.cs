using System.Diagnostics;
using System.Globalization;
using SarKit;
using SarKit.Compression;
using SarKit.IO;
using SarKit.Surrogate;
using SarKit.IO.Arrays;

/// <summary>
/// `dotnet run -c Release --project bench/SarKit.Bench -- surrogate [modelsDir] [--runs R] [--drives D]`: C# inference time
/// per slice of the shipped surrogate models (models/surrogate/{unet,cgan,perchannel}) on an input of their training grid
/// (so the network runs on the training window), median and p90 of R runs after one warm-up, with 1 and 2 ONNX Runtime
/// threads; then the per-channel → 2D 10 g Q-matrices → certified VOP pipeline for one subject. See bench/README.md.
/// </summary>
internal static class SurrogateBench
{
    public static int Run(string[] args)
    {
        string dir = Path.Combine(FindRepoRoot(), "models", "surrogate");
        int runs = 30, drives = 10_000;
        for (int a = 0; a < args.Length; a++)
        {
            string Next() => a + 1 < args.Length ? args[++a] : throw new ArgumentException($"{args[a]} needs a value");
            switch (args[a])
            {
                case "--runs": runs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--drives": drives = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                default:
                    if (args[a].StartsWith('-')) { Console.Error.WriteLine($"surrogate bench: unknown option {args[a]}"); return 2; }
                    dir = args[a]; break;
            }
        }
        string Model(string kind) => Path.Combine(dir, kind, "model.onnx");
        if (!File.Exists(Model("perchannel"))) { Console.Error.WriteLine($"surrogate bench: no {Model("perchannel")}"); return 2; }
        using var probe = new PerChannelSurrogate(Model("perchannel"), 1);
        var grid = probe.Grid ?? throw new SarKitInputException($"{Model("perchannel")}: config.json has no grid.");
        if (grid.Nx != grid.Ny) throw new SarKitInputException("surrogate bench: the dataset builder makes square grids only.");
        // one subject on the models' training grid (not timed)
        var tmp = Path.Combine(Path.GetTempPath(), "sarkit-surrbench-" + Guid.NewGuid().ToString("N"));
        try
        {
            new SurrogateDatasetBuilder(new SurrogateDatasetOptions { Subjects = 1, ShimsPerSubject = 1, Seed = 7, GridCells = grid.Nx, CellSize = grid.CellSizeM, ValidationFraction = 0, TestFraction = 0 }).Build(tmp);
            using var z = NpzArchive.Open(Path.Combine(tmp, "subject_00000.npz"));
            float[] F(string k) => (float[])z.Read(k).Data;
            int nx = grid.Nx, ny = grid.Ny, n = nx * ny;
            var bc = F("b1_channels"); var bs = F("b1_shim"); var mask = (byte[])z.Read("mask").Data; var water = F("water"); var fat = F("fat");
            var rho = F("rho").Select(v => (double)v).ToArray();
            var direct = new SurrogateInput(nx, ny, bs[..n], bs[n..(2 * n)], mask, water, fat);
            Console.WriteLine($"Surrogate inference, {ny}×{nx} input, window {probe.Crop?.ToString() ?? "(whole input)"}, {Environment.ProcessorCount} logical CPUs, load {Load()}");
            Console.WriteLine($"{"model",-12} {"params",9} {"threads",7} {"median ms",10} {"p90 ms",8}");
            foreach (var kind in new[] { "unet", "cgan", "perchannel" })
            {
                if (!File.Exists(Model(kind))) { Console.WriteLine($"{kind,-12} (missing)"); continue; }
                string pars = ConfigInt(Path.Combine(dir, kind, "config.json"), "parameters");
                foreach (int threads in new[] { 1, 2 })
                {
                    Func<object> run;
                    IDisposable owner;
                    if (kind == "perchannel") { var m = new PerChannelSurrogate(Model(kind), threads); owner = m; run = () => m.Predict(nx, ny, bc, mask, water, fat); }
                    else { var m = new SurrogatePredictor(Model(kind), threads); owner = m; run = () => m.Predict(direct); }
                    using (owner)
                    {
                        run();  // warm-up
                        var t = new double[runs];
                        for (int r = 0; r < runs; r++) { var sw = Stopwatch.StartNew(); run(); t[r] = sw.Elapsed.TotalMilliseconds; }
                        Array.Sort(t);
                        Console.WriteLine($"{kind,-12} {pars,9} {threads,7} {Quantile(t, 0.5),10:F1} {Quantile(t, 0.9),8:F1}");
                    }
                }
            }
            // per-channel → 10 g Q → certified VOPs for the subject (2 threads)
            using var pc = new PerChannelSurrogate(Model("perchannel"), 2);
            pc.Predict(nx, ny, bc, mask, water, fat);
            var total = Stopwatch.StartNew();
            var pred = pc.Predict(nx, ny, bc, mask, water, fat);
            double tPred = total.Elapsed.TotalMilliseconds;
            var avg = new SquareMassAverage2D(nx, ny, grid.CellSizeM, rho);
            var sw2 = Stopwatch.StartNew();
            var (q, cells) = SurrogateVops.ScaledQMatrices(pred, avg, pc.SafetyFactor);
            double tQ = sw2.Elapsed.TotalMilliseconds;
            sw2.Restart();
            var set = VopCompressor.Compress(q, pred.Channels, new VopCompressionOptions { MaxDegreeOfParallelism = 2 });
            double tC = sw2.Elapsed.TotalMilliseconds;
            sw2.Restart();
            var ver = VopVerifier.Certify(set, new PackedQMatrixSource(q, pred.Channels), new VopVerifierOptions { RandomDrives = drives, MaxDegreeOfParallelism = 2 });
            double tV = sw2.Elapsed.TotalMilliseconds;
            Console.WriteLine();
            Console.WriteLine($"Per-channel → 2D 10 g Q → VOPs, one subject ({cells.Length} tissue cells, 8 channels, iterative, ε = 0.05, verifier {drives:N0} random drives, 2 threads):");
            Console.WriteLine($"  predict e_n {tPred,8:F1} ms | 10 g averaging + Q {tQ,8:F1} ms | compress {tC,8:F1} ms ({set.Count} VOPs) | certify {tV,8:F1} ms ({(ver.Certificate.Passed ? "passed" : "FAILED")}) | total {total.Elapsed.TotalMilliseconds,8:F1} ms");
            Console.WriteLine($"load after: {Load()}");
            return ver.Certificate.Passed ? 0 : 1;
        }
        finally { try { Directory.Delete(tmp, true); } catch (IOException) { } }
    }

    private static double Quantile(double[] sorted, double q)
    {
        double h = (sorted.Length - 1) * q; int lo = (int)Math.Floor(h), hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    private static string ConfigInt(string path, string key)
    {
        try
        {
            using var d = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
            return d.RootElement.TryGetProperty(key, out var v) ? v.ToString() : "?";
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException) { return "?"; }
    }

    private static string Load() => File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    private static string FindRepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "SarKit.sln"))) return d.FullName;
        return Directory.GetCurrentDirectory();
    }
}
