using System.Diagnostics;
using SarKit.IO;
using SarKit.IO.Hdf5;
using SarKit.IO.Arrays;

/// <summary>
/// `hdf5 FILE...`: reads every dataset and attribute of each file completely, through the managed reader
/// (<see cref="Hdf5File.OpenRead"/>, PureHDF) and through the native libhdf5 reader used before issue 14, checks that both
/// return the same values, and prints the best of 3 wall-clock times and MB/s (bytes of decoded array data per second).
/// </summary>
internal static class Hdf5Bench
{
    public static int Run(string[] files)
    {
        if (files.Length == 0) { Console.Error.WriteLine("usage: SarKit.Bench hdf5 FILE.h5 [FILE.h5 ...]"); return 2; }
        Console.WriteLine("| file | size (MB) | data read (MB) | libhdf5 (s) | PureHDF (s) | libhdf5 (MB/s) | PureHDF (MB/s) | ratio | same values |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var path in files)
        {
            var (tn, bytes, hn) = Best(() => Hdf5File.OpenReadNative(path));
            var (tm, _, hm) = Best(() => Hdf5File.OpenRead(path));
            double mb = bytes / 1e6;
            Console.WriteLine($"| {Path.GetFileName(path)} | {new FileInfo(path).Length / 1e6:F1} | {mb:F1} | {tn:F3} | {tm:F3} | {mb / tn:F0} | {mb / tm:F0} | {tm / tn:F2} | {(hn == hm ? "yes" : "NO")} |");
            Console.WriteLine($"  largest (bytes read by one operation - 1 MiB) / file length so far: {SarKit.IO.Hdf5.Managed.GuardedFileStream.LargestOperationRatio:F3}");
            if (hn != hm) return 1;
        }
        return 0;
    }

    private static (double Seconds, long Bytes, long Hash) Best(Func<Hdf5File> open)
    {
        double best = double.MaxValue;
        long bytes = 0, hash = 0;
        for (int r = 0; r < 3; r++)
        {
            var sw = Stopwatch.StartNew();
            (bytes, hash) = ReadAll(open);
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }
        return (best, bytes, hash);
    }

    private static (long Bytes, long Hash) ReadAll(Func<Hdf5File> open)
    {
        using var f = open();
        long bytes = 0, hash = 17;
        foreach (var e in f.ListRecursive("/").Prepend(new Hdf5Entry("", "/", Hdf5ObjectKind.Group)))
        {
            foreach (var a in f.AttributeNames(e.Path))
                hash = hash * 31 + f.ReadAttributeValue(e.Path, a) switch { NdArray x => Hash(x), string s => s.GetHashCode(StringComparison.Ordinal), string[] s => s.Length, _ => 0 };
            if (e.Kind != Hdf5ObjectKind.Dataset) continue;
            var info = f.GetDatasetInfo(e.Path);
            if (info.IsString) { hash = hash * 31 + f.ReadStrings(e.Path).Length; continue; }
            if (info.ElementType is null) continue;
            var arr = f.ReadDataset(e.Path);
            bytes += Buffer.ByteLength(arr.Data);
            hash = hash * 31 + Hash(arr);
        }
        return (bytes, hash);
    }

    /// <summary>FNV-1a over the array's bytes, 8 bytes at a time.</summary>
    private static long Hash(NdArray a)
    {
        var b = new byte[Buffer.ByteLength(a.Data)];
        Buffer.BlockCopy(a.Data, 0, b, 0, b.Length);
        ulong h = 14695981039346656037UL;
        var words = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(b.AsSpan());
        foreach (var w in words) h = (h ^ w) * 1099511628211UL;
        for (int i = words.Length * 8; i < b.Length; i++) h = (h ^ b[i]) * 1099511628211UL;
        return (long)h;
    }
}
