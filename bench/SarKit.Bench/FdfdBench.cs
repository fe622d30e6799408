using System.Diagnostics;
using System.Globalization;
using SarKit.Surrogate.Fdfd2D;

/// <summary>
/// `dotnet run -c Release --project bench/SarKit.Bench -- fdfd [--size N] [--cell-mm H] [--pml P] [--seeds K] [--repeat R]`:
/// times the 2D FDFD engine on random pelvis phantoms (assembly + banded LDLᵀ factorization, 8-channel solve,
/// field extraction). See bench/README.md.
/// </summary>
internal static class FdfdBench
{
    public static int Run(string[] args)
    {
        int size = 200, pml = 16, seeds = 3, repeat = 1; double cellMm = 2.5;
        for (int a = 0; a < args.Length; a++)
        {
            string Next() => a + 1 < args.Length ? args[++a] : throw new ArgumentException($"{args[a]} needs a value");
            switch (args[a])
            {
                case "--size": size = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--cell-mm": cellMm = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--pml": pml = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--seeds": seeds = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--repeat": repeat = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                default: Console.Error.WriteLine($"fdfd bench: unknown option {args[a]}"); return 2;
            }
        }
        var grid = new FdfdGrid2D(size, size, cellMm * 1e-3, pml);
        var solver = new FdfdSolver2D(grid, 298e6);
        Console.WriteLine($"FDFD 2D TM_z, {size}×{size} cells of {cellMm} mm + PML {pml} ({grid.TotalNx}×{grid.TotalNy} = {grid.Unknowns:N0} unknowns, half-bandwidth {grid.TotalNx}), 8 channels, {Environment.ProcessorCount} logical CPUs");
        double best = double.MaxValue;
        for (int s = 0; s < seeds; s++)
            for (int r = 0; r < repeat; r++)
            {
                var sw = Stopwatch.StartNew();
                var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
                var ph = PelvisPhantom2D.Generate(grid, s);
                double tGen = sw.Elapsed.TotalSeconds;
                var cpuF0 = Process.GetCurrentProcess().TotalProcessorTime;
                solver.Factor(ph.ToMaterials());
                double tFac = sw.Elapsed.TotalSeconds - tGen;
                double cpuFac = (Process.GetCurrentProcess().TotalProcessorTime - cpuF0).TotalSeconds;
                var f = solver.SolveEach(ph.Elements);
                double tAll = sw.Elapsed.TotalSeconds;
                double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
                best = Math.Min(best, tAll);
                Console.WriteLine($"seed {s}: phantom {tGen * 1e3:F0} ms, assemble+factor {tFac * 1e3:F0} ms (CPU {cpuFac * 1e3:F0} ms), 8-channel solve+extract {(tAll - tGen - tFac) * 1e3:F0} ms, total {tAll * 1e3:F0} ms (process CPU {cpu * 1e3:F0} ms); band storage {solver.MatrixBytes / 1048576.0:F0} MiB; |Ez| ch1 max {f[0].Ez.Max(z => z.Magnitude):G3} V/m");
            }
        Console.WriteLine($"best total {best * 1e3:F0} ms (goal < 2000 ms)");
        return 0;
    }
}
