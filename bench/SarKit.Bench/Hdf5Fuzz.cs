using System.Diagnostics;
using SarKit;
using SarKit.IO;
using SarKit.IO.Hdf5;
using SarKit.IO.Formats;

/// <summary>
/// `hdf5-fuzz SEED COUNT FILE`: mutates FILE COUNT times (byte flips biased to the metadata, 64-bit fields near HDF5
/// structure signatures set to large values, truncations) and reads every mutant completely in this process. Prints the
/// outcome counts; exit 1 when any mutant raised something other than <see cref="SarKitInputException"/>. A crash or
/// hang shows as the process dying or not finishing (run it under `timeout`).
/// </summary>
internal static class Hdf5Fuzz
{
    private static readonly byte[][] Signatures = ["TREE"u8.ToArray(), "HEAP"u8.ToArray(), "SNOD"u8.ToArray(), "OHDR"u8.ToArray(), "OCHK"u8.ToArray(),
        "BTHD"u8.ToArray(), "BTIN"u8.ToArray(), "BTLF"u8.ToArray(), "FRHP"u8.ToArray(), "FHDB"u8.ToArray(), "FHIB"u8.ToArray(), "GCOL"u8.ToArray(),
        "FAHD"u8.ToArray(), "FADB"u8.ToArray(), "EAHD"u8.ToArray(), "EAIB"u8.ToArray(), "EADB"u8.ToArray(), [0x89, 0x48, 0x44, 0x46]];

    public static int Run(string[] args)
    {
        int seed = int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture);
        int count = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
        var seedBytes = args[2] == "sample" ? Sample() : File.ReadAllBytes(args[2]);
        var anchors = new List<int>();
        foreach (var sig in Signatures)
            for (int i = 0; i + sig.Length <= seedBytes.Length; i++)
                if (seedBytes.AsSpan(i, sig.Length).SequenceEqual(sig)) anchors.Add(i);
        var rng = new Random(seed);
        var tmp = Path.Combine(Path.GetTempPath(), $"sarkit-h5fuzz-{Environment.ProcessId}.h5");
        int ok = 0, refused = 0, other = 0;
        double slowest = 0;
        long mostAllocated = 0;
        try
        {
            for (int k = 0; k < count; k++)
            {
                var b = (byte[])seedBytes.Clone();
                int kind = rng.Next(4);
                if (kind == 0) b = b[..rng.Next(1, b.Length)];
                else
                {
                    int flips = rng.Next(1, 9);
                    for (int f = 0; f < flips; f++)
                    {
                        int at = kind == 1 || anchors.Count == 0 ? rng.Next(Math.Min(b.Length, 1 << 16))
                               : Math.Min(b.Length - 8, anchors[rng.Next(anchors.Count)] + rng.Next(4, 64));
                        if (kind == 3) BitConverter.GetBytes(rng.Next(3) switch { 0 => ulong.MaxValue, 1 => (ulong)rng.NextInt64(), _ => (ulong)rng.Next(1 << 20) }).CopyTo(b, at);
                        else b[at] ^= (byte)rng.Next(1, 256);
                    }
                }
                File.WriteAllBytes(tmp, b);
                var sw = Stopwatch.StartNew();
                long alloc0 = GC.GetTotalAllocatedBytes(false);
                string outcome;
                try { ReadEverything(tmp); ok++; outcome = "read"; }
                catch (SarKitInputException e) { refused++; outcome = e.Message; }
                catch (Exception e) { other++; outcome = $"{e.GetType().Name}: {e.Message}"; Console.WriteLine($"mutant {k} (kind {kind}): {outcome}"); }
                double t = sw.Elapsed.TotalSeconds;
                long alloc = GC.GetTotalAllocatedBytes(false) - alloc0;
                slowest = Math.Max(slowest, t);
                mostAllocated = Math.Max(mostAllocated, alloc);
                if (t > 2 || alloc > 256L << 20)
                {
                    Console.WriteLine($"mutant {k} (kind {kind}): {t:F1} s, {alloc >> 20} MiB allocated: {outcome}");
                    if (Environment.GetEnvironmentVariable("SARKIT_FUZZ_KEEP") is { Length: > 0 } keep) File.Copy(tmp, Path.Combine(keep, $"mutant-{seed}-{k}.h5"), true);
                }
            }
        }
        finally { File.Delete(tmp); }
        Console.WriteLine($"{count} mutants of {Path.GetFileName(args[2])} (seed {seed}): {ok} read, {refused} refused (SarKitInputException), {other} other exceptions; slowest {slowest:F2} s; most allocated by one mutant {mostAllocated >> 20} MiB");
        return other == 0 ? 0 : 1;
    }

    /// <summary>A small 2-channel SarKit dataset (8×6×5 voxels, gzip-compressed chunked fields, masks, labels) written by SarKit.</summary>
    private static byte[] Sample()
    {
        var grid = new SarKit.Grid.VoxelGrid(Enumerable.Range(0, 9).Select(i => 0.004 * i).ToArray(), Enumerable.Range(0, 7).Select(i => 0.004 * i).ToArray(), Enumerable.Range(0, 6).Select(i => 0.005 * i).ToArray());
        int nv = grid.VoxelCount;
        var rho = Enumerable.Range(0, nv).Select(v => v % 5 == 0 ? 0.0 : 1000 + v).ToArray();
        var sigma = rho.Select((r, v) => r > 0 ? 0.1 * (v % 7) : 0).ToArray();
        var tissue = new SarKit.Grid.TissueModel(grid, sigma, rho) { EpsilonR = rho.Select(r => r > 0 ? 50.0 : 1).ToArray(), Labels = rho.Select(r => r > 0 ? 1 : 0).ToArray() };
        tissue.SetMask("body", rho.Select(r => r > 0).ToArray());
        var e = new SarKit.Fields.MultiChannelField(grid, 2, SarKit.Fields.FieldQuantity.E, SarKit.Fields.FieldNormalisation.PerSqrtWattIncident, ["tx0", "tx1"]);
        for (int c = 0; c < 2; c++) for (int v = 0; v < nv; v++) for (int a = 0; a < 3; a++) e.Set(c, a, v, new System.Numerics.Complex(c + 0.5 * a + 0.01 * v, -0.25 * v));
        var ds = new SarDataset(tissue, e) { FrequencyHz = 297.2e6 };
        var p = Path.Combine(Path.GetTempPath(), $"sarkit-h5fuzz-seed-{Environment.ProcessId}.h5");
        SarKitDatasetFile.Write(ds, p, new SarKitDatasetWriteOptions { FieldGzipLevel = 4 });
        try { return File.ReadAllBytes(p); } finally { File.Delete(p); }
    }

    /// <summary>`hdf5-read FILE...`: reads every file completely through <see cref="Hdf5File.OpenRead"/> and prints the outcome.</summary>
    public static int ReadFiles(string[] files)
    {
        foreach (var f in files)
        {
            var sw = Stopwatch.StartNew();
            try { ReadEverything(f); Console.WriteLine($"{f}: read ({sw.Elapsed.TotalSeconds:F2} s)"); }
            catch (SarKitInputException e)
            {
                Console.WriteLine($"{f}: refused ({sw.Elapsed.TotalSeconds:F2} s): {e.Message}");
                if (Environment.GetEnvironmentVariable("SARKIT_FUZZ_STACK") is { Length: > 0 }) Console.WriteLine(e.InnerException?.ToString());
            }
        }
        return 0;
    }

    private static void ReadEverything(string path) => Hdf5File.VerifyReadable(path);
}
