using System.Diagnostics;
using System.Globalization;
using Microsoft.Win32.SafeHandles;
using SarKit.IO.Formats;

/// <summary>
/// `disk-read FILE`: sequential read bandwidth of one large file, with one or several reads in flight, to tell whether the
/// waveform reader is bound by the disk or by how it issues requests (issue 18). Each variant reads the whole file once
/// (or the first --bytes) with O_DIRECT into pinned 4096-byte aligned buffers (RandomAccess.Read, as
/// <see cref="WaveformStreamFile"/> does) and, with --drop-caches (root), after `sync; echo 3 > /proc/sys/vm/drop_caches`.
/// Variants (--threads T, --chunk C):
/// <list type="bullet">
/// <item><c>striped</c>: T threads take chunk k = 0, 1, 2, … from a shared counter (chunk k at offset k·C) — what an
/// order-preserving reader with T reads in flight does;</item>
/// <item><c>split</c>: thread t reads the contiguous part t of T equal parts (T independent sequential streams, like T
/// concurrent <c>dd</c>s on parts of the file);</item>
/// <item><c>buffered</c> (--buffered): one thread, no O_DIRECT (page cache, kernel read-ahead).</item>
/// </list>
/// Rounds alternate the variants (--rounds R); prints GB/s, wall, process CPU (user + sys) and the load average per run.
/// </summary>
internal static class DiskReadBench
{
    public static int Run(string[] args)
    {
        if (args.Length == 0) { Console.Error.WriteLine("usage: disk-read FILE [--threads 1,2,4,8] [--chunk 8M] [--modes striped,split] [--rounds 1] [--bytes N] [--drop-caches] [--buffered]"); return 2; }
        string path = args[0];
        int[] threads = [1, 2, 4];
        long chunk = 8 << 20, limit = long.MaxValue;
        string[] modes = ["striped", "split"];
        int rounds = 1;
        bool drop = false, buffered = false;
        for (int i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--threads": threads = args[++i].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray(); break;
                case "--chunk": chunk = ParseBytes(args[++i]); break;
                case "--modes": modes = args[++i].Split(','); break;
                case "--rounds": rounds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--bytes": limit = ParseBytes(args[++i]); break;
                case "--drop-caches": drop = true; break;
                case "--buffered": buffered = true; break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }
        if (chunk % 4096 != 0) { Console.Error.WriteLine("--chunk must be a multiple of 4096"); return 2; }
        long length = Math.Min(new FileInfo(path).Length, limit) / 4096 * 4096;
        Console.WriteLine($"disk-read {path}: {length / 1e9:F2} GB, chunk {chunk >> 20} MiB, O_DIRECT, page cache {(drop ? "dropped before every run" : "NOT dropped")}; {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} UTC; load {Load()}");
        var variants = new List<(string Mode, int T)>();
        if (buffered) variants.Add(("buffered", 1));
        foreach (var t in threads)
            foreach (var m in modes)
                if (!(t == 1 && m == "split" && modes.Contains("striped"))) variants.Add((m, t));
        var rates = variants.ToDictionary(v => v, _ => new List<double>());
        for (int r = 0; r < rounds; r++)
            foreach (var v in variants)
            {
                if (drop) DropCaches();
                string l0 = Load();
                var c0 = Process.GetCurrentProcess().TotalProcessorTime;
                var sw = Stopwatch.StartNew();
                long got = v.Mode == "buffered" ? Buffered(path, length, chunk) : Direct(path, length, chunk, v.T, v.Mode == "split");
                double s = sw.Elapsed.TotalSeconds, cpu = (Process.GetCurrentProcess().TotalProcessorTime - c0).TotalSeconds;
                rates[v].Add(got / 1e9 / s);
                Console.WriteLine($"  round {r + 1} {v.Mode,-8} T={v.T}: {got / 1e9:F2} GB in {s:F2} s = {got / 1e9 / s:F3} GB/s, CPU {cpu:F2} s; load {l0} -> {Load()}");
            }
        Console.WriteLine("  median GB/s: " + string.Join(", ", variants.Select(v => $"{v.Mode} T={v.T} {Median(rates[v]):F3}")));
        return 0;
    }

    private static long ParseBytes(string s)
    {
        s = s.Trim();
        long mul = s[^1] switch { 'K' or 'k' => 1L << 10, 'M' or 'm' => 1L << 20, 'G' or 'g' => 1L << 30, _ => 1 };
        return (long)(double.Parse(mul == 1 ? s : s[..^1], CultureInfo.InvariantCulture) * mul);
    }

    private static void DropCaches()
    {
        using (var p = Process.Start("sync")) p?.WaitForExit();
        try { File.WriteAllText("/proc/sys/vm/drop_caches", "3"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { Console.WriteLine($"  (drop_caches refused: {e.Message})"); }
    }

    private static unsafe long Direct(string path, long length, long chunk, int threads, bool split)
    {
        long chunks = (length + chunk - 1) / chunk, next = -1, total = 0;
        var workers = new Thread[threads];
        Exception? err = null;
        for (int t = 0; t < threads; t++)
        {
            int id = t;
            workers[t] = new Thread(() =>
            {
                try
                {
                    using var h = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
                    if (!DirectIo.Enable(h)) throw new IOException("O_DIRECT refused");
                    var buf = GC.AllocateUninitializedArray<byte>((int)chunk + 4096, pinned: true);
                    int a;
                    fixed (byte* p = buf) a = (int)((4096 - ((long)p & 4095)) & 4095);
                    var span = buf.AsSpan(a, (int)chunk);
                    long mine = 0;
                    long k0 = split ? chunks * id / threads : 0, k1 = split ? chunks * (id + 1) / threads : chunks;
                    for (long k = k0; ; k++)
                    {
                        long kk = split ? k : Interlocked.Increment(ref next);
                        if (kk >= k1) break;
                        long off = kk * chunk;
                        int want = (int)Math.Min(chunk, length - off);
                        int got = 0;
                        while (got < want)
                        {
                            int r = RandomAccess.Read(h, span[got..((want + 4095) / 4096 * 4096)], off + got);
                            if (r <= 0) break;
                            got += r;
                        }
                        mine += Math.Min(got, want);
                    }
                    Interlocked.Add(ref total, mine);
                }
                catch (Exception e) { err = e; }
            }) { IsBackground = true };
            workers[t].Start();
        }
        foreach (var w in workers) w.Join();
        if (err is not null) throw err;
        return total;
    }

    private static long Buffered(string path, long length, long chunk)
    {
        using var h = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        var buf = new byte[chunk];
        long off = 0;
        while (off < length)
        {
            int r = RandomAccess.Read(h, buf.AsSpan(0, (int)Math.Min(chunk, length - off)), off);
            if (r <= 0) break;
            off += r;
        }
        return off;
    }

    private static double Median(List<double> xs) { var a = xs.OrderBy(x => x).ToArray(); return a.Length == 0 ? double.NaN : a.Length % 2 == 1 ? a[a.Length / 2] : (a[a.Length / 2 - 1] + a[a.Length / 2]) / 2; }

    private static string Load() { try { return File.ReadAllText("/proc/loadavg").Split(' ')[0]; } catch (IOException) { return "?"; } }
}
