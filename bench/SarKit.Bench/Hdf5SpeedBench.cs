using System.Diagnostics;
using System.Globalization;
using SarKit.IO.Formats;
using SarKit.IO.Hdf5;

/// <summary>
/// `hdf5-speed FILE... [--dataset /E] [--rounds N] [--python PATH]`: SarKit's managed HDF5 reader against h5py in the
/// same run. Per file and round, alternating: h5py reads the dataset whole (<c>ds[()]</c>, a fresh Python process, time
/// measured inside Python around the read only, wall and CPU, and the whole process); SarKit reads it whole into one preallocated
/// buffer (<see cref="Hdf5File.ReadInto{T}"/>; wall and process CPU), inflating with System.IO.Compression and then with
/// libdeflate (the default when installed; the two reads must give the same bytes), then as the field reader does (<see cref="DatasetReader.Read"/>: tissue
/// + E channel by channel), in this process (JIT-warm after round 1). Prints the best of the rounds, the ratio h5py time / SarKit time (≥ 1: SarKit faster) and the load
/// average before every round. The page cache is warm for both (the file is read once before timing).
/// </summary>
internal static class Hdf5SpeedBench
{
    private const string PyRead = """
import sys, time, h5py, numpy as np
t0 = time.perf_counter(); c0 = time.process_time()
f = h5py.File(sys.argv[1], "r")
a = f[sys.argv[2]][()]
t1 = time.perf_counter(); c1 = time.process_time()
print(f"{t1 - t0:.6f} {c1 - c0:.6f} {a.nbytes} {float(np.abs(a.view(np.float32) if a.dtype.kind == 'c' else a).sum(dtype=np.float64)):.9g}")
""";

    public static int Run(string[] args)
    {
        var files = new List<string>();
        string dataset = "/E", python = "/usr/bin/python3";
        int rounds = 3;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--dataset": dataset = args[++i]; break;
                case "--rounds": rounds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--python": python = args[++i]; break;
                default: files.Add(args[i]); break;
            }
        }
        if (files.Count > 0 && files[0] == "--profile") return Profile(files[1], dataset);
        if (files.Count > 0 && files[0] == "--q") return QRead(files[1], rounds, python);
        if (files.Count > 0 && files[0] == "--inflate") return InflateSpeed(files[1], dataset, rounds, python);
        if (files.Count == 0) { Console.Error.WriteLine("usage: SarKit.Bench hdf5-speed FILE.h5... [--dataset /E] [--rounds 3] [--python /usr/bin/python3]"); return 2; }
        Console.WriteLine($"hdf5-speed: dataset {dataset}, {rounds} rounds, {Environment.ProcessorCount} cores, SARKIT_MAX_PARALLELISM={Environment.GetEnvironmentVariable("SARKIT_MAX_PARALLELISM") ?? "(unset)"}");
        Console.WriteLine($"libdeflate: {(SarKit.IO.Hdf5.Managed.LibDeflateInflater.Available ? "found" : "not found (both SarKit columns use System.IO.Compression)")}");
        Console.WriteLine("| file | size (MB) | layout | data (MB) | h5py read (s) / CPU | h5py process (s) | SarKit ReadInto, zlib-ng (s) / CPU | SarKit ReadInto, libdeflate (s) / CPU | SarKit dataset (s) | h5py/SarKit ReadInto (wall, libdeflate) | load avg |");
        Console.WriteLine("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var path in files)
        {
            File.ReadAllBytes(path).AsSpan().Clear(); // warm the page cache for both readers
            Hdf5DatasetInfo info;
            using (var f = Hdf5File.OpenRead(path)) info = f.GetDatasetInfo(dataset);
            bool complex = info.ElementType is SarKit.IO.NdType.Complex64 or SarKit.IO.NdType.Complex128;
            long values = info.Count * (complex ? 2 : 1);
            double bestPy = double.MaxValue, bestPyCpu = double.MaxValue, bestPyProc = double.MaxValue, bestInto = double.MaxValue, bestDs = double.MaxValue;
            double bestIntoCpu = double.MaxValue, bestZlib = double.MaxValue, bestZlibCpu = double.MaxValue;
            string loads = "";
            double pySum = double.NaN, sum = double.NaN;
            long pyBytes = 0;
            for (int r = 0; r < rounds; r++)
            {
                loads += (r > 0 ? " / " : "") + LoadAverage();
                var (pyRead, pyCpu, pyProc, pb, ps) = H5py(python, path, dataset);
                bestPy = Math.Min(bestPy, pyRead); bestPyCpu = Math.Min(bestPyCpu, pyCpu); bestPyProc = Math.Min(bestPyProc, pyProc); pyBytes = pb; pySum = ps;
                // inflate with System.IO.Compression (zlib-ng), then with libdeflate (the default when installed)
                SarKit.IO.Hdf5.Managed.ZlibInflateFilter.UseLibDeflate = false;
                GC.Collect(); Cpu();
                var buffer = new float[values];
                var sw = Stopwatch.StartNew();
                using (var f = Hdf5File.OpenRead(path)) f.ReadInto<float>(dataset, buffer);
                bestZlib = Math.Min(bestZlib, sw.Elapsed.TotalSeconds); bestZlibCpu = Math.Min(bestZlibCpu, Cpu());
                var zbuf = buffer;
                SarKit.IO.Hdf5.Managed.ZlibInflateFilter.UseLibDeflate = true;
                GC.Collect(); Cpu();
                buffer = new float[values];
                sw.Restart();
                using (var f = Hdf5File.OpenRead(path)) f.ReadInto<float>(dataset, buffer);
                bestInto = Math.Min(bestInto, sw.Elapsed.TotalSeconds); bestIntoCpu = Math.Min(bestIntoCpu, Cpu());
                sum = 0; foreach (var v in buffer) sum += Math.Abs(v);
                if (!System.Runtime.InteropServices.MemoryMarshal.AsBytes(buffer.AsSpan()).SequenceEqual(System.Runtime.InteropServices.MemoryMarshal.AsBytes(zbuf.AsSpan())))
                { Console.Error.WriteLine("  libdeflate and System.IO.Compression read different bytes"); return 1; }
                buffer = null; zbuf = null;
                if (dataset == "/E")
                {
                    GC.Collect();
                    sw.Restart();
                    var ds = DatasetReader.Read(path);
                    bestDs = Math.Min(bestDs, sw.Elapsed.TotalSeconds);
                    GC.KeepAlive(ds);
                }
            }
            string layout = info.ChunkShape is null ? "contiguous" : $"chunks [{string.Join(",", info.ChunkShape)}]";
            bool same = Math.Abs(sum - pySum) <= 1e-6 * Math.Abs(pySum);
            Console.WriteLine($"| {Path.GetFileName(path)} | {new FileInfo(path).Length / 1e6:F1} | {layout} | {pyBytes / 1e6:F1} | {bestPy:F3} / {bestPyCpu:F3} | {bestPyProc:F3} | {bestZlib:F3} / {bestZlibCpu:F3} | {bestInto:F3} / {bestIntoCpu:F3} | {(double.IsFinite(bestDs) && bestDs < double.MaxValue ? bestDs.ToString("F3", CultureInfo.InvariantCulture) : "-")} | {bestPy / bestInto:F2} | {loads} |");
            if (!same) { Console.Error.WriteLine($"  checksum differs: h5py {pySum:R} SarKit {sum:R}"); return 1; }
        }
        return 0;
    }

    private static (double Read, double Cpu, double Process, long Bytes, double Sum) H5py(string python, string path, string dataset)
    {
        var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c"); psi.ArgumentList.Add(PyRead); psi.ArgumentList.Add(path); psi.ArgumentList.Add(dataset);
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd(), err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        double proc = sw.Elapsed.TotalSeconds;
        if (p.ExitCode != 0) throw new InvalidOperationException($"h5py failed: {err}");
        var parts = output.Trim().Split(' ');
        return (double.Parse(parts[0], CultureInfo.InvariantCulture), double.Parse(parts[1], CultureInfo.InvariantCulture), proc,
            long.Parse(parts[2], CultureInfo.InvariantCulture), double.Parse(parts[3], CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// `hdf5-speed --q Q.h5 [--rounds N]`: a SarKit Q-matrix file (/matrices [K, N, N] complex128) read by h5py (fresh
    /// process, time inside Python around <c>f["/matrices"][()]</c>: wall and process CPU) and by SarKit in this process,
    /// alternating: the former whole-array read + packing (<c>QMatrixSetFile.ReadPackedWhole</c>) and the chunk-parallel
    /// packed read (<c>QMatrixSetFile.ReadPacked</c>), wall and CPU (all threads) each; checks both packed sets are equal
    /// bit for bit. Prints the best of the rounds and the ratios h5py / SarKit (≥ 1: SarKit faster).
    /// </summary>
    private static int QRead(string path, int rounds, string python)
    {
        const string py = """
import sys, time, h5py
t0 = time.perf_counter(); c0 = time.process_time()
f = h5py.File(sys.argv[1], "r")
a = f["/matrices"][()]
print(f"{time.perf_counter() - t0:.6f} {time.process_time() - c0:.6f} {a.nbytes}")
""";
        File.ReadAllBytes(path).AsSpan().Clear(); // warm the page cache
        double pyW = double.MaxValue, pyC = double.MaxValue, oldW = double.MaxValue, oldC = double.MaxValue, midW = double.MaxValue, midC = double.MaxValue, newW = double.MaxValue, newC = double.MaxValue;
        var loads = new List<string>();
        for (int r = 0; r < rounds; r++)
        {
            loads.Add(LoadAverage());
            var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, UseShellExecute = false };
            psi.ArgumentList.Add("-c"); psi.ArgumentList.Add(py); psi.ArgumentList.Add(path);
            using (var p = Process.Start(psi)!)
            {
                var parts = p.StandardOutput.ReadToEnd().Trim().Split(' ');
                p.WaitForExit();
                pyW = Math.Min(pyW, double.Parse(parts[0], CultureInfo.InvariantCulture));
                pyC = Math.Min(pyC, double.Parse(parts[1], CultureInfo.InvariantCulture));
            }
            GC.Collect(); Cpu();
            var sw = Stopwatch.StartNew();
            double[] a;
            SarKit.IO.Hdf5.Managed.ZlibInflateFilter.Use(native: false);
            using (var f = Hdf5File.OpenRead(path)) a = QMatrixSetFile.ReadPackedWhole(f, path).Packed;
            oldW = Math.Min(oldW, sw.Elapsed.TotalSeconds); oldC = Math.Min(oldC, Cpu());
            SarKit.IO.Hdf5.Managed.ZlibInflateFilter.Use(native: true);
            GC.Collect(); Cpu();
            sw.Restart();
            using (var f = Hdf5File.OpenRead(path)) a = QMatrixSetFile.ReadPackedWhole(f, path).Packed;
            midW = Math.Min(midW, sw.Elapsed.TotalSeconds); midC = Math.Min(midC, Cpu());
            GC.Collect(); Cpu();
            sw.Restart();
            double[] b;
            using (var f = Hdf5File.OpenRead(path)) b = QMatrixSetFile.ReadPacked(f, path).Packed;
            newW = Math.Min(newW, sw.Elapsed.TotalSeconds); newC = Math.Min(newC, Cpu());
            if (!System.Runtime.InteropServices.MemoryMarshal.AsBytes(a.AsSpan()).SequenceEqual(System.Runtime.InteropServices.MemoryMarshal.AsBytes(b.AsSpan())))
            { Console.Error.WriteLine("packed sets differ between the whole and the chunk-parallel read"); return 1; }
        }
        Console.WriteLine($"hdf5-speed --q {Path.GetFileName(path)} ({new FileInfo(path).Length / 1e6:F1} MB), best of {rounds} rounds, {Environment.ProcessorCount} cores, load {string.Join(" / ", loads)}");
        Console.WriteLine("| reader | wall s | CPU s | h5py/reader wall | h5py/reader CPU |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        Console.WriteLine($"| h5py `[()]` (complex128 array) | {pyW:F3} | {pyC:F3} | 1.00 | 1.00 |");
        Console.WriteLine($"| SarKit whole array + pack, PureHDF inflate (before) | {oldW:F3} | {oldC:F3} | {pyW / oldW:F2} | {pyC / oldC:F2} |");
        Console.WriteLine($"| SarKit whole array + pack, zlib inflate | {midW:F3} | {midC:F3} | {pyW / midW:F2} | {pyC / midC:F2} |");
        Console.WriteLine($"| SarKit chunk-parallel packed read | {newW:F3} | {newC:F3} | {pyW / newW:F2} | {pyC / newC:F2} |");
        return 0;
    }

    /// <summary>
    /// `hdf5-speed --inflate FILE [--dataset /E] [--rounds N]`: the deflate step alone on the dataset's real chunks. h5py
    /// (a fresh Python process) dumps every stored chunk (<c>read_direct_chunk</c>, no filter applied) to a temp file; this
    /// process then inflates all of them, one thread, alternating System.IO.Compression (zlib-ng) and libdeflate
    /// (<see cref="SarKit.IO.Hdf5.Managed.ZlibInflateFilter.Inflate"/>), and Python's zlib.decompress (the zlib h5py's
    /// libhdf5 uses) in the same Python process; checks both SarKit paths give the same bytes. Best of N, wall and CPU.
    /// </summary>
    private static int InflateSpeed(string path, string dataset, int rounds, string python)
    {
        const string py = """
import sys, time, zlib, struct, h5py
f = h5py.File(sys.argv[1], "r"); d = f[sys.argv[2]]
chunks = [d.id.read_direct_chunk(d.id.get_chunk_info(i).chunk_offset)[1] for i in range(d.id.get_num_chunks())]
size = d.chunks and int(__import__("numpy").prod(d.chunks)) * d.dtype.itemsize
with open(sys.argv[3], "wb") as o:
    o.write(struct.pack("<ii", len(chunks), size))
    for c in chunks: o.write(struct.pack("<i", len(c))); o.write(c)
best = 1e9
for r in range(int(sys.argv[4])):
    c0 = time.process_time()
    for c in chunks: zlib.decompress(c)
    best = min(best, time.process_time() - c0)
print(f"{best:.6f}")
""";
        var tmp = Path.GetTempFileName();
        try
        {
            var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, UseShellExecute = false };
            psi.ArgumentList.Add("-c"); psi.ArgumentList.Add(py); psi.ArgumentList.Add(path); psi.ArgumentList.Add(dataset);
            psi.ArgumentList.Add(tmp); psi.ArgumentList.Add(rounds.ToString(CultureInfo.InvariantCulture));
            double pyCpu;
            using (var p = Process.Start(psi)!)
            {
                pyCpu = double.Parse(p.StandardOutput.ReadToEnd().Trim(), CultureInfo.InvariantCulture);
                p.WaitForExit();
            }
            var bytes = File.ReadAllBytes(tmp);
            int n = BitConverter.ToInt32(bytes, 0), size = BitConverter.ToInt32(bytes, 4), at = 8;
            var chunks = new Memory<byte>[n];
            for (int i = 0; i < n; i++)
            {
                int len = BitConverter.ToInt32(bytes, at); at += 4;
                chunks[i] = bytes.AsMemory(at, len); at += len;
            }
            double zW = double.MaxValue, zC = double.MaxValue, lW = double.MaxValue, lC = double.MaxValue;
            byte[][] outZ = new byte[n][], outL = new byte[n][];
            for (int r = 0; r < rounds + 1; r++)   // round 0 warms the JIT and the page cache
            {
                foreach (bool lib in new[] { false, true })
                {
                    SarKit.IO.Hdf5.Managed.ZlibInflateFilter.UseLibDeflate = lib;
                    var o = lib ? outL : outZ;
                    GC.Collect(); Cpu();
                    var sw = Stopwatch.StartNew();
                    for (int i = 0; i < n; i++) o[i] = SarKit.IO.Hdf5.Managed.ZlibInflateFilter.Inflate(chunks[i], size);
                    double w = sw.Elapsed.TotalSeconds, c = Cpu();
                    if (r == 0) continue;
                    if (lib) { lW = Math.Min(lW, w); lC = Math.Min(lC, c); } else { zW = Math.Min(zW, w); zC = Math.Min(zC, c); }
                }
            }
            SarKit.IO.Hdf5.Managed.ZlibInflateFilter.UseLibDeflate = true;
            for (int i = 0; i < n; i++)
                if (!outZ[i].AsSpan().SequenceEqual(outL[i])) { Console.Error.WriteLine($"chunk {i}: the two inflaters differ"); return 1; }
            double mb = (double)n * size / 1e6;
            Console.WriteLine($"hdf5-speed --inflate {Path.GetFileName(path)} {dataset}: {n} chunks of {size} bytes ({mb:F1} MB inflated), best of {rounds}, one thread, load {LoadAverage()}, libdeflate {(SarKit.IO.Hdf5.Managed.LibDeflateInflater.Available ? "found" : "NOT found")}");
            Console.WriteLine("| inflater | wall s | CPU s | MB/s (CPU) |");
            Console.WriteLine("|---|---:|---:|---:|");
            Console.WriteLine($"| Python zlib.decompress (classic zlib, as libhdf5) | | {pyCpu:F3} | {mb / pyCpu:F0} |");
            Console.WriteLine($"| System.IO.Compression (zlib-ng) | {zW:F3} | {zC:F3} | {mb / zC:F0} |");
            Console.WriteLine($"| libdeflate | {lW:F3} | {lC:F3} | {mb / lC:F0} |");
            return 0;
        }
        finally { File.Delete(tmp); }
    }

    /// <summary>Times the steps of reading a [nch,3,nz,ny,nx] field: whole, per channel/component hyperslab, validation.</summary>
    private static int Profile(string path, string dataset)
    {
        using var f = Hdf5File.OpenRead(path);
        var info = f.GetDatasetInfo(dataset);
        var sh = info.Shape;
        long per = sh[2] * sh[3] * sh[4] * 2;
        var buf = new float[per];
        Cpu();
        var sw = Stopwatch.StartNew();
        for (int c = 0; c < sh[0]; c++)
            for (int a = 0; a < sh[1]; a++)
                f.ReadInto<float>(dataset, buf, [c, a, 0, 0, 0], [1, 1, sh[2], sh[3], sh[4]]);
        Console.WriteLine($"hyperslab per channel/component: {sw.Elapsed.TotalSeconds:F3} s, cpu {Cpu():F3} s ({LoadAverage()})");
        var all = new float[per * sh[0] * sh[1]];
        Cpu();
        sw.Restart();
        f.ReadInto<float>(dataset, all);
        Console.WriteLine($"whole: {sw.Elapsed.TotalSeconds:F3} s, cpu {Cpu():F3} s ({LoadAverage()})");
        Cpu();
        sw.Restart();
        var ds = DatasetReader.Read(path);
        Console.WriteLine($"DatasetReader.Read: {sw.Elapsed.TotalSeconds:F3} s, cpu {Cpu():F3} s ({LoadAverage()})");
        Cpu();
        sw.Restart();
        ds.Validate();
        Console.WriteLine($"Validate again: {sw.Elapsed.TotalSeconds:F3} s, cpu {Cpu():F3} s ({LoadAverage()})");
        return 0;
    }

    private static TimeSpan _cpu;

    /// <summary>Process CPU time (all threads) since the previous call, s.</summary>
    internal static double Cpu()
    {
        var now = Process.GetCurrentProcess().TotalProcessorTime;
        double d = (now - _cpu).TotalSeconds;
        _cpu = now;
        return d;
    }

    internal static string LoadAverage()
    {
        try { return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "?"; }
    }
}
