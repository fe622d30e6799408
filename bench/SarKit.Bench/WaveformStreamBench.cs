using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using SarKit.IO.Formats;
using SarKit.Numerics.LinearAlgebra;
using SarKit.Supervision;

/// <summary>
/// `wave-stream`: throughput of the exact streamed window check (StreamedWindowSar) for a non-periodic 8-channel waveform
/// at 1 µs: (1) generates a .npy complex64 file of --seconds (default 60; written block by block, not committed), (2) reads it
/// once sequentially (disk or page-cache speed), (3) runs the check end-to-end from the file, (4) runs it on the same waveform
/// generated in memory (compute only). Prints "x real time" (waveform seconds / wall seconds) and the load average.
/// Waveform: TR 10 ms, a 2 ms dynamic-pTx pulse per TR whose amplitude and phases change every TR (never periodic).
/// </summary>
internal static class WaveformStreamBench
{
    public static int Run(string[] args)
    {
        double seconds = 60, dt = 1e-6;
        int channels = 8, vops = 60, block = StreamedWindowSar.DefaultBlockSamples;
        string dir = Path.GetTempPath();
        bool keep = false, numpy = false;
        string? abFile = null;
        int abReps = 2;
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            double D() => double.Parse(args[++i], CultureInfo.InvariantCulture);
            switch (a)
            {
                case "--seconds": seconds = D(); break;
                case "--channels": channels = (int)D(); break;
                case "--vops": vops = (int)D(); break;
                case "--block": block = (int)D(); break;
                case "--dir": dir = args[++i]; break;
                case "--keep": keep = true; break;
                case "--numpy": numpy = true; break;
                case "--ab": abFile = args[++i]; break;
                case "--reps": abReps = (int)D(); break;
                default: Console.Error.WriteLine($"unknown option {a}; options: --seconds --channels --vops --block --dir --keep --numpy --ab FILE.npy [--reps R]"); return 2;
            }
        }
        if (abFile is not null) return FusedVersusPlanar(abFile, vops, block, abReps);
        long samples = (long)Math.Round(seconds / dt);
        var path = Path.Combine(dir, $"sarkit-wave-bench-{channels}ch-{seconds}s.npy");
        var q = RandomPsd(channels, vops, new Random(7), 1e-3);
        var obs = new SarObservable("vops", SarMetric.LocalHead, channels, q, "V");
        var qWb = RandomPsd(channels, 1, new Random(8), 1e-5);
        var wb = new SarObservable("whole_body", SarMetric.WholeBody, channels, qWb, "V");
        (SarObservable, double[])[] jobs = [(obs, [10, 360]), (wb, [10, 360])];
        var ones = Enumerable.Repeat(Complex.One, channels).ToArray();
        Console.WriteLine($"wave-stream: {channels} channels, {seconds} s at {dt * 1e6} µs ({samples:N0} samples), {vops} VOPs + 1 whole-body Q, windows 10 s and 360 s, block {block}; load average {Load()}");

        var sw = Stopwatch.StartNew();
        if (!File.Exists(path) || !File.Exists(WaveformStreamFile.SidecarPath(path)))
        {
            using var wr = WaveformStreamFile.Create(path, channels, samples, "V", dt);
            var gen = new Generator(channels, samples, dt);
            var re = new double[channels * 65536]; var im = new double[re.Length];
            for (long s = 0; s < samples; s += 65536)
            {
                int c = (int)Math.Min(65536, samples - s);
                gen.Fill(s, c, re, im);
                wr.Append(re, im, c);
            }
            wr.Complete();
            Console.WriteLine($"  wrote {new FileInfo(path).Length / 1e9:F2} GB in {sw.Elapsed.TotalSeconds:F1} s");
        }
        else Console.WriteLine($"  reusing {path} ({new FileInfo(path).Length / 1e9:F2} GB)");

        // sequential read speed of the file (page cache if it fits in memory: stated, not hidden)
        sw.Restart();
        long bytes = 0;
        using (var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan))
        {
            var buf = new byte[1 << 22];
            int r;
            while ((r = fs.Read(buf)) > 0) bytes += r;
        }
        double readS = sw.Elapsed.TotalSeconds;
        Console.WriteLine($"  sequential read: {bytes / 1e9:F2} GB in {readS:F2} s = {bytes / 1e9 / readS:F2} GB/s ({seconds / readS:F1}x real time for reading alone); load {Load()}");

        var file = WaveformStreamFile.Open(path);
        var sarkit = new List<(double Wall, double Cpu, StreamedWindowSarResult Res)>();
        for (int rep = 0; rep < 2; rep++)
        {
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            sw.Restart();
            var res = StreamedWindowSar.Evaluate(file, ones, jobs, RepetitionMode.Once, block);
            double wall = sw.Elapsed.TotalSeconds, cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
            var st = res.Statistics;
            sarkit.Add((wall, cpu, res));
            Console.WriteLine($"  end-to-end from file: {wall:F2} s wall, {cpu:F2} s CPU = {seconds / wall:F1}x real time (wall), {seconds / cpu:F1}x per CPU-second; " +
                $"refined {st.RefinedBlocks} of {st.Blocks * 4} block-window-sets, {st.SamplesRead / (double)st.Samples:F2}x samples read; load {Load()}");
            var ph = st.Phases;
            Console.WriteLine($"    phases (wall s): read+convert {ph.ReadSeconds:F2} (evaluating thread waited {ph.WaitSeconds:F2}, read-ahead {ph.ReadAhead}), correlation {ph.CorrelationSeconds:F2}, bounds {ph.BoundSeconds:F2}, lag reads {ph.LagReadSeconds:F2}, refinement {ph.RefineSeconds:F2}");
            foreach (var w in res.Windows) Console.WriteLine($"    {w.Metric} {w.WindowSeconds} s: {w.MaxSar:G8} W/kg at {w.WorstWindowEndSeconds:F6} s (matrix {w.MatrixIndex}, ε {w.EdgeErrorBound:G3}, {w.MatricesEvaluated} matrices refined)");
        }
        {
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            sw.Restart();
            var res = StreamedWindowSar.Evaluate(new Generator(channels, samples, dt), ones, jobs, RepetitionMode.Once, block);
            double wall = sw.Elapsed.TotalSeconds, cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
            Console.WriteLine($"  compute only (waveform generated in memory): {wall:F2} s wall, {cpu:F2} s CPU = {seconds / wall:F1}x real time; load {Load()}");
        }
        // correlation alone (the floor of any method that reads every sample once)
        {
            var gen = new Generator(channels, samples, dt);
            var re = new double[channels * block]; var im = new double[re.Length];
            var w = new double[channels * channels];
            double genS = 0;
            sw.Restart();
            for (long s = 0; s < samples; s += block)
            {
                int c = (int)Math.Min(block, samples - s);
                var t0 = sw.Elapsed.TotalSeconds;
                gen.Fill(s, c, re, im);
                genS += sw.Elapsed.TotalSeconds - t0;
                RfCorrelation.Accumulate(re, im, channels, c, c, dt, w);
            }
            double corr = sw.Elapsed.TotalSeconds - genS;
            Console.WriteLine($"  correlation R = Σ x xᴴ Δt alone: {corr:F2} s = {seconds / corr:F1}x real time; load {Load()}");
        }
        if (numpy) NumpyComparison(path, dir, channels, q, qWb, seconds, sarkit);
        if (!keep) { File.Delete(path); File.Delete(WaveformStreamFile.SidecarPath(path)); }
        return 0;
    }

    /// <summary>
    /// Runs the vectorised numpy baseline (bench/anchors/numpy_supervision.py, /usr/bin/python3) on the same file and matrices,
    /// alternating with SarKit runs, checks that the maxima agree (SarKit reported ≥ numpy − 1e-9 relative and within 2ε + 1e-9
    /// relative above) and prints the SarKit/numpy ratios of wall and CPU time with the load average.
    /// </summary>
    private static void NumpyComparison(string path, string dir, int n, double[] q, double[] qWb, double seconds, List<(double Wall, double Cpu, StreamedWindowSarResult Res)> sarkit)
    {
        string qv = Path.Combine(dir, "sarkit-wave-bench-vops.npy"), qw = Path.Combine(dir, "sarkit-wave-bench-wb.npy");
        WriteComplexQ(qv, q, n); WriteComplexQ(qw, qWb, n);
        string script = Path.Combine(FindRepoRoot(), "bench", "anchors", "numpy_supervision.py");
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { script, path, "--q", $"vops={qv}:10,360", "--q", $"whole_body={qw}:10,360" }) psi.ArgumentList.Add(a);
        var sw = Stopwatch.StartNew();
        using var pr = Process.Start(psi)!;
        string stdout = pr.StandardOutput.ReadToEnd(), stderr = pr.StandardError.ReadToEnd();
        pr.WaitForExit();
        double wallProc = sw.Elapsed.TotalSeconds;
        if (pr.ExitCode != 0) { Console.WriteLine($"  numpy baseline failed (exit {pr.ExitCode}): {stderr}"); return; }
        using var doc = System.Text.Json.JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        double npWall = root.GetProperty("wall_s").GetDouble(), npCpu = root.GetProperty("cpu_s").GetDouble();
        Console.WriteLine($"  numpy baseline (numpy {root.GetProperty("numpy").GetString()}): {npWall:F2} s wall ({wallProc:F2} s for the whole python process), {npCpu:F2} s CPU = {seconds / npWall:F2}x real time (wall), {seconds / npCpu:F2}x per CPU-second; load {Load()}");
        // one more SarKit run after the baseline (alternating), then the medians
        var file = WaveformStreamFile.Open(path);
        var ones = Enumerable.Repeat(Complex.One, n).ToArray();
        var obs = new SarObservable("vops", SarMetric.LocalHead, n, q, "V");
        var wb = new SarObservable("whole_body", SarMetric.WholeBody, n, qWb, "V");
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        sw.Restart();
        var res = StreamedWindowSar.Evaluate(file, ones, [(obs, [10, 360]), (wb, [10, 360])], RepetitionMode.Once);
        sarkit.Add((sw.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds, res));
        bool agree = true;
        int i = 0;
        foreach (var w in root.GetProperty("windows").EnumerateArray())
        {
            var s = res.Windows[i++];
            double v = w.GetProperty("max_sar_w_per_kg").GetDouble();
            bool ok = s.MaxSar >= v * (1 - 1e-9) && s.MaxSar <= v * (1 + 1e-9) + 2 * s.EdgeErrorBound;
            agree &= ok;
            Console.WriteLine($"    {w.GetProperty("name").GetString()} {w.GetProperty("window_s").GetDouble()} s: numpy {v:G10} W/kg (matrix {w.GetProperty("matrix").GetInt32()}, ends {w.GetProperty("worst_window_end_s").GetDouble():F6} s), SarKit {s.MaxSar:G10} (matrix {s.MatrixIndex}, ends {s.WorstWindowEndSeconds:F6} s), relative difference {(s.MaxSar - v) / v:E2} {(ok ? "ok" : "DISAGREE")}");
        }
        double wMed = Median(sarkit.Select(x => x.Wall)), cMed = Median(sarkit.Select(x => x.Cpu));
        Console.WriteLine($"  ratio SarKit/numpy ({sarkit.Count} SarKit runs, median; 1 numpy run): wall {wMed / npWall:F3}, CPU {cMed / npCpu:F3} (SarKit {seconds / wMed:F1}x real time wall, {seconds / cMed:F1}x per CPU-second); results {(agree ? "agree" : "DISAGREE")}; load {Load()}");
        File.Delete(qv); File.Delete(qw);
    }

    /// <summary>
    /// `wave-stream --ab FILE.npy`: the head pass fused (block correlations straight from the interleaved complex64 bytes,
    /// chunked read-ahead) against the planar path (the same file through a wrapper that hides the fused reader: read,
    /// deinterleave to planar doubles, SIMD dot products), alternating, same matrices as the bench; prints CPU and wall per run,
    /// the phases, the median CPU ratio planar/fused and the load average. Warm page cache unless the caller dropped it.
    /// </summary>
    private static int FusedVersusPlanar(string path, int vops, int block, int reps)
    {
        var file = WaveformStreamFile.Open(path);
        int n = file.Channels;
        var obs = new SarObservable("vops", SarMetric.LocalHead, n, RandomPsd(n, vops, new Random(7), 1e-3), "V");
        var wb = new SarObservable("whole_body", SarMetric.WholeBody, n, RandomPsd(n, 1, new Random(8), 1e-5), "V");
        (SarObservable, double[])[] jobs = [(obs, [10, 360]), (wb, [10, 360])];
        var ones = Enumerable.Repeat(Complex.One, n).ToArray();
        Console.WriteLine($"wave-stream --ab: {path}, {n} channels, {file.DurationSeconds:F1} s, {vops} VOPs + 1 whole-body Q, windows 10 s and 360 s, block {block}; load average {Load()}");
        var cpu = new Dictionary<string, List<double>> { ["fused"] = [], ["planar"] = [] };
        double[]? first = null;
        for (int r = 0; r < reps; r++)
            foreach (var (name, src) in new (string, IWaveformSampleSource)[] { ("planar", new PlanarOnly(file)), ("fused", file) })
            {
                var c0 = Process.GetCurrentProcess().TotalProcessorTime;
                var sw = Stopwatch.StartNew();
                var res = StreamedWindowSar.Evaluate(src, ones, jobs, RepetitionMode.Once, block);
                double wall = sw.Elapsed.TotalSeconds, c = (Process.GetCurrentProcess().TotalProcessorTime - c0).TotalSeconds;
                cpu[name].Add(c);
                var st = res.Statistics; var ph = st.Phases;
                Console.WriteLine($"  {name,-6}: {c:F2} s CPU, {wall:F2} s wall = {file.DurationSeconds / c:F1}x real time per CPU-second, {file.DurationSeconds / wall:F1}x wall; " +
                    $"phases (wall s) read {ph.ReadSeconds:F2}, correlation {ph.CorrelationSeconds:F2}, bounds {ph.BoundSeconds:F2}, lag reads {ph.LagReadSeconds:F2}, refinement {ph.RefineSeconds:F2}; refined {st.RefinedBlocks}, {st.SamplesRead / (double)st.Samples:F2}x samples read; load {Load()}");
                var v = res.Windows.Select(w => w.MaxSar).ToArray();
                if (first is null) first = v;
                else for (int k = 0; k < v.Length; k++)
                        if (Math.Abs(v[k] - first[k]) > 2 * (res.Windows[k].EdgeErrorBound + 1e-12 * first[k]))
                            Console.WriteLine($"    DISAGREE: window {k}: {v[k]:G17} vs {first[k]:G17}");
            }
        Console.WriteLine($"  median CPU: planar {Median(cpu["planar"]):F2} s, fused {Median(cpu["fused"]):F2} s, ratio planar/fused {Median(cpu["planar"]) / Median(cpu["fused"]):F2}; load {Load()}");
        return 0;
    }

    /// <summary>Hides <see cref="IWaveformCorrelationReader"/> so that <see cref="StreamedWindowSar"/> takes the planar path.</summary>
    private sealed class PlanarOnly(IWaveformSampleSource inner) : IWaveformSampleSource
    {
        public string Source => inner.Source;
        public int Channels => inner.Channels;
        public long Samples => inner.Samples;
        public double RasterSeconds => inner.RasterSeconds;
        public string Unit => inner.Unit;
        public IWaveformReader OpenReader() => new Reader(inner.OpenReader());
        private sealed class Reader(IWaveformReader r) : IWaveformReader
        {
            public void Read(long start, int count, Span<double> re, Span<double> im) => r.Read(start, count, re, im);
            public void Dispose() => r.Dispose();
        }
    }

    private static double Median(IEnumerable<double> xs) { var a = xs.OrderBy(x => x).ToArray(); return a.Length % 2 == 1 ? a[a.Length / 2] : (a[a.Length / 2 - 1] + a[a.Length / 2]) / 2; }

    private static void WriteComplexQ(string file, double[] packed, int n)
    {
        int k = packed.Length / (n * n);
        var data = new double[2 * k * n * n];
        for (int j = 0; j < k; j++)
        {
            var m = HermitianPacking.Unpack(packed.AsSpan(j * n * n, n * n), n);
            for (int r = 0; r < n; r++) for (int c = 0; c < n; c++) { data[2 * ((j * n + r) * n + c)] = m[r, c].Real; data[2 * ((j * n + r) * n + c) + 1] = m[r, c].Imaginary; }
        }
        SarKit.IO.Arrays.NpyFile.Write(file, new SarKit.IO.NdArray(SarKit.IO.NdType.Complex128, [k, n, n], data));
    }

    private static string FindRepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "bench", "anchors", "numpy_supervision.py"))) return d.FullName;
        return Directory.GetCurrentDirectory();
    }

    private static string Load() { try { return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); } catch (IOException) { return "?"; } }

    private static double[] RandomPsd(int n, int k, Random rng, double scale)
    {
        var all = new double[k * n * n];
        for (int j = 0; j < k; j++)
        {
            var m = new Complex[n, n];
            for (int r = 0; r < 3; r++)
            {
                var v = new Complex[n];
                for (int i = 0; i < n; i++) v[i] = new Complex(rng.NextDouble() - 0.5, rng.NextDouble() - 0.5);
                for (int a = 0; a < n; a++) for (int b = 0; b < n; b++) m[a, b] += v[a] * Complex.Conjugate(v[b]) * scale;
            }
            HermitianPacking.Pack(m).CopyTo(all.AsSpan(j * n * n));
        }
        return all;
    }

    /// <summary>Deterministic non-periodic waveform: TR 10 ms, 2 ms pulse with per-TR amplitude and channel phases.</summary>
    private sealed class Generator(int n, long samples, double dt) : IWaveformSampleSource
    {
        public string Source => "generated";
        public int Channels => n;
        public long Samples => samples;
        public double RasterSeconds => dt;
        public string Unit => "V";
        public IWaveformReader OpenReader() => new Reader(this);

        public void Fill(long start, int count, Span<double> re, Span<double> im)
        {
            long tr = (long)Math.Round(0.01 / dt), pulse = (long)Math.Round(0.002 / dt);
            for (int c = 0; c < n; c++)
                for (int i = 0; i < count; i++)
                {
                    long s = start + i, k = s / tr, o = s % tr;
                    if (o >= pulse) { re[c * count + i] = 0; im[c * count + i] = 0; continue; }
                    // amplitude and phase change every TR (hash of k): not periodic
                    ulong h = (ulong)(k * 2654435761L + c * 40503L);
                    double amp = 20 + 10 * ((h >> 7) % 1000) / 1000.0;
                    double env = Math.Sin(Math.PI * o / pulse);
                    double ph = 2 * Math.PI * (((h >> 17) % 360) / 360.0) + 0.002 * o;
                    re[c * count + i] = amp * env * Math.Cos(ph); im[c * count + i] = amp * env * Math.Sin(ph);
                }
        }

        private sealed class Reader(Generator g) : IWaveformReader
        {
            public void Read(long start, int count, Span<double> re, Span<double> im) => g.Fill(start, count, re, im);
            public void Dispose() { }
        }
    }
}
