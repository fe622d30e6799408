using System.Diagnostics;
using System.Globalization;
using SarKit.Averaging;
using SarKit.Engines;
using SarKit.Fields;
using SarKit.Grid;
using SarKit.IO.Formats;

/// <summary>
/// `qstream --dims NX,NY,NZ [--voxel 2mm] [--channels 16] [--mass 10g] [-o FILE.h5]`: the streamed 10 g Q field
/// (<see cref="AveragedQMatrixSet.Stream"/>) of a synthetic body: an elliptic cylinder of muscle with a fat layer filling
/// the grid's x-y cross-section and its whole z extent (less 2 voxels at each end), fields of a 16-channel dipole/loop
/// array computed one z-plane at a time by the built-in engine (<see cref="DipoleArrayEngine"/>), so neither the field nor
/// the Q set is ever held. Prints steps with peak RSS, and a JSON line (voxels, tissue voxels, cubes, window planes and
/// bytes, peak RSS, CPU and wall time, load). Without -o the matrices are summed (checksum) instead of written.
/// </summary>
internal static class QStreamBench
{
    public static int Run(string[] args)
    {
        int nx = 200, ny = 110, nz = 45, channels = 16;
        double h = 0.002, mass = 0.010;
        string? output = null;
        for (int i = 0; i < args.Length; i++)
            switch (args[i])
            {
                case "--dims": var d = args[++i].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray(); (nx, ny, nz) = (d[0], d[1], d[2]); break;
                case "--voxel": h = double.Parse(args[++i].Replace("mm", ""), CultureInfo.InvariantCulture) * 1e-3; break;
                case "--channels": channels = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--mass": mass = AveragingOptions.ParseMassKg(args[++i]); break;
                case "-o": output = args[++i]; break;
                default: Console.Error.WriteLine($"qstream: unknown argument {args[i]}"); return 2;
            }
        var sw = Stopwatch.StartNew();
        var total = Stopwatch.StartNew();
        using var proc = Process.GetCurrentProcess();
        void Step(string what)
        {
            proc.Refresh();
            Console.WriteLine($"{what,-26} live {GC.GetTotalMemory(false) / 1048576.0,8:F1} MiB   peak RSS {proc.PeakWorkingSet64 / 1048576.0,8:F1} MiB   {sw.Elapsed.TotalSeconds,7:F2} s");
            sw.Restart();
        }

        var grid = VoxelGrid.Uniform(nx, ny, nz, h, (-0.5 * nx * h, -0.5 * ny * h, -0.5 * nz * h));
        var tissues = TissueSet.At(297.2e6);
        double a = 0.5 * nx * h - 3 * h, b = 0.5 * ny * h - 3 * h, c = 0.5 * nz * h - 2 * h;
        var tissue = new VoxelPhantom(grid)
        {
            Shape = PhantomBodyShape.EllipticCylinder, BodyCentre = (0, 0, 0), BodySemiAxes = (a, b, c), FatThickness = 0.015, Tissues = tissues,
        }.Build();
        var engine = new DipoleArrayEngine(HomogeneousMedium.Of(tissues.Muscle, "muscle"), 297.2e6);
        double loop = 0.05 / engine.Wavenumber.Magnitude;
        for (int n = 0; n < channels; n++)
        {
            // rings of 8 elements around the body, spread along z; positions on voxel corners (never at a voxel centre)
            double phi = 2 * Math.PI * (n % 8) / 8 + 0.1 * (n / 8);
            double z = -c + 2 * c * (n / 8 + 0.5) / ((channels + 7) / 8);
            var pos = (Corner(grid.EdgesX, 1.2 * a * Math.Cos(phi)), Corner(grid.EdgesY, 1.2 * b * Math.Sin(phi)), Corner(grid.EdgesZ, z));
            engine.AddChannel(n % 2 == 0 ? PointSource.ElectricDipole(pos, (0, 0, 1), 0.05) : PointSource.MagneticDipole(pos, (-Math.Cos(phi), -Math.Sin(phi), 0), loop));
        }
        Step("tissue model");
        var padding = new AirPadding(grid, AirPadding.Needed(tissue, mass));
        var padded = padding.Pad(tissue);
        tissue = null!;
        var cubes = AveragingCubeSet.Build(padded, new AveragingOptions { TargetMassKg = mass });
        Step("averaging cubes");
        var planes = new EnginePlanes(engine, grid, padding);
        double checksum = 0;
        AveragedQMatrixSet.StreamPlan plan = null!;
        int n2 = channels * channels;
        if (output is null)
            plan = AveragedQMatrixSet.Stream(padded, cubes, planes, (c0, k, packed) => { foreach (var x in packed) checksum += x; });
        else
            QMatrixSetFile.WriteStreamed(cubes, channels, FieldNormalisation.PerAmpere, output, sink => plan = AveragedQMatrixSet.Stream(padded, cubes, planes, sink));
        Step(output is null ? "streamed Q field (summed)" : "streamed Q field (written)");
        proc.Refresh();
        int tissueVoxels = padded.Rho.Count(r => r > 0);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"voxels\":{grid.VoxelCount},\"dims\":[{nx},{ny},{nz}],\"channels\":{channels},\"tissue_voxels\":{tissueVoxels},\"cubes\":{cubes.CubeCount}," +
            $"\"window_planes\":{plan.WindowPlanes},\"window_mib\":{plan.WindowBytes / 1048576.0:F1},\"peak_rss_mib\":{proc.PeakWorkingSet64 / 1048576.0:F1}," +
            $"\"cpu_s\":{proc.TotalProcessorTime.TotalSeconds:F2},\"wall_s\":{total.Elapsed.TotalSeconds:F2},\"load\":{File.ReadAllText("/proc/loadavg").Split(' ')[0]},\"checksum\":{checksum:R}}}"));
        return 0;
    }

    private static double Corner(ReadOnlySpan<double> edges, double v)
    {
        double best = edges[0];
        foreach (var e in edges) if (Math.Abs(e - v) < Math.Abs(best - v)) best = e;
        return best;
    }

    /// <summary>E of one z-plane at a time from the engine (a one-plane grid), addressed by padded-grid voxels.</summary>
    private sealed class EnginePlanes(DipoleArrayEngine engine, VoxelGrid grid, AirPadding padding) : IPointQPlanes
    {
        private MultiChannelField? _plane;
        private int _k = -1;
        public int Channels => engine.Channels.Count;
        public FieldNormalisation Normalisation => FieldNormalisation.PerAmpere;

        public void LoadPlane(int k)
        {
            int ko = k - padding.Cells;
            _plane = null; _k = ko;
            if (ko < 0 || ko >= grid.Nz) return;
            var g = VoxelGrid.Uniform(grid.Nx, grid.Ny, 1, grid.WidthX(0), (grid.EdgesX[0], grid.EdgesY[0], grid.EdgesZ[ko]));
            _plane = engine.Compute(g).E;
        }

        public void PointMatrix(int voxel, double factor, Span<double> dest, Span<double> scratch)
        {
            int v = padding.ToOriginal(voxel);
            var (i, j, k) = grid.Unravel(v);
            if (_plane is null || k != _k) throw new InvalidOperationException($"voxel {voxel} is not in the loaded plane {_k}");
            SarKit.Sar.QMatrixField.PointMatrix(_plane, i + grid.Nx * j, factor, dest, scratch);
        }
    }
}
