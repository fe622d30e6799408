using System.Diagnostics;
using System.Globalization;
using SarKit.Averaging;
using SarKit.Engines;
using SarKit.IO.Formats;
using SarKit.Sar;

/// <summary>
/// `scaleout-qfile`: writes a synthetic 10 g Q-matrix file (SarKit HDF5) for the scale-out measurements of
/// docs/scale-out.md (tools/scaleout/measure.sh runs the Slurm plan's scripts on it, timing every task):
/// <c>SyntheticDatasets.Ptx(channels, ≈count/0.325 grid voxels, 297.2 MHz)</c>, one IEC/IEEE 62704-1 10 g cube per
/// tissue voxel, as in the `vop --synthetic` benchmark (docs/vop.md "Measured at scale").
///   dotnet run --project bench/SarKit.Bench -c Release -- scaleout-qfile --synthetic 1e5 --channels 8 [--head] [--seed 0] -o q.h5
/// </summary>
internal static class ScaleOutBench
{
    public static int Run(string[] args)
    {
        double size = 1e5; int ch = 8, seed = 0; bool head = false; string? output = null;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--synthetic": size = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--channels": ch = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--seed": seed = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--head": head = true; break;
                case "-o": output = Next(); break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }
        if (output is null) { Console.Error.WriteLine("-o q.h5 is required"); return 2; }
        var sw = Stopwatch.StartNew();
        var ds = SyntheticDatasets.Ptx(ch, (int)Math.Round(size / 0.325), 297.2e6, head: head, seed: seed);
        var cubes = AveragingCubeSet.Build(ds.Tissue);
        var qs = AveragedQMatrixSet.Compute(ds, cubes);
        QMatrixSetFile.Write(qs, output, sourceFile: $"synthetic {size:0e0} {(head ? "trunk+head" : "trunk")} {ch} ch seed {seed}");
        Console.WriteLine($"wrote {output}: {qs.Count} matrices, {qs.Channels} channels ({sw.Elapsed.TotalSeconds:F1} s)");
        return 0;
    }
}
