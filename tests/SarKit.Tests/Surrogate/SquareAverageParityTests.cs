using SarKit.IO;
using SarKit.IO.Arrays;
using SarKit.Surrogate;
using SarKit.Tests.Cli;
using SarKit.Tests.Support;
using Xunit.Abstractions;

namespace SarKit.Tests.Surrogate;

/// <summary>
/// The 2D-adapted 10 g average exists three times: <see cref="SquareMassAverage2D"/> (C#, the datasets and the C#
/// evaluation), surrogate/sarkit_surrogate/averaging.py (numpy, the Python evaluation) and torch_averaging.py (the
/// differentiable loss of the per-channel model). One fixture — random density with air holes, bodies with an air
/// border, homogeneous tissue, 1 × 1, 1 × n and n × 1 maps, all air, isolated cells whose squares grow to the map size,
/// two target masses, random SAR (also in air, where it must not count) — averaged by all three must agree.
/// </summary>
/// <remarks>
/// <para>Tolerances (float64 unit roundoff u = 1.1e-16):</para>
/// <para>· half-widths: equal (integers; numpy evaluates the C# mass expression (2n+1)·h·(h·h)·Σρ in the same order).</para>
/// <para>· numpy vs C#: relative 1e-12 (observed 0: numpy builds the prefix tables and divides in the C# order).</para>
/// <para>· torch float64 vs C#: relative 1e-12 (≈ 10⁴ u). torch sums each square directly (conv2d) while C# takes
/// four-corner differences of prefix sums, whose rounding is ≲ 4u × (map sum) / (square sum); for these maps (≤ 64 × 48
/// cells, squares ≥ 9 × 9 at 2.5 mm, ρ·SAR within 2.5 decades) that is ≲ 1e-12 in the worst case and 2e-14 observed in
/// practice, while any algorithmic difference (another square, a lost edge or air cell) moves results by ≳ 1e-3.
/// The relative criterion needs a bounded SAR range: where a square's SAR is ≪ the map's, the prefix-sum cancellation
/// grows (an absolute floor would then be needed); physical maps and these fixtures stay within it.</para>
/// <para>· torch float32 (as in training: planes, ρ and SAR float32) vs C#: relative 1e-5 — float32 u = 6e-8 on the
/// inputs and on sums of ≤ (2n+1)² terms (observed 8e-7; docs/surrogate.md).</para>
/// <para>Air cells are exactly 0 in all of them.</para>
/// </remarks>
public class SquareAverageParityTests(ITestOutputHelper output)
{
    private sealed record Case(string Name, int Nx, int Ny, double H, double MassKg, double[] Rho, double[] Sar);

    [PythonFact("numpy", "torch")]
    public void Csharp_numpy_and_torch_2D_10g_averages_agree()
    {
        using var tmp = new TempDir();
        var cases = Fixture();
        foreach (var c in cases)
        {
            var avg = new SquareMassAverage2D(c.Nx, c.Ny, c.H, c.Rho, c.MassKg);
            var res = new double[c.Nx * c.Ny];
            avg.Average(c.Sar, res);
            int[] shape = [c.Ny, c.Nx];   // index i + nx·j = row j, column i: numpy [ny, nx]
            NpzArchive.Write(tmp.File($"case_{c.Name}.npz"), new Dictionary<string, NdArray>
            {
                ["rho"] = new(NdType.Float64, shape, c.Rho), ["sar"] = new(NdType.Float64, shape, c.Sar),
                ["h"] = new(NdType.Float64, [1], new[] { c.H }), ["mass_kg"] = new(NdType.Float64, [1], new[] { c.MassKg }),
                ["hw_cs"] = new(NdType.Int32, shape, avg.HalfWidth), ["avg_cs"] = new(NdType.Float64, shape, res),
            });
        }
        string surrogate = Path.Combine(SharedData.RepoRoot, "surrogate");
        var (code, text) = PythonFactAttribute.Run(["-m", "tests.square_average_parity", tmp.Path], TimeSpan.FromMinutes(3), surrogate);
        output.WriteLine(text);
        Assert.True(code == 0, text);

        double worstNp = 0, worstT64 = 0, worstT32 = 0; int tissue = 0, widthsSeen = 0;
        foreach (var c in cases)
        {
            using var cs = NpzArchive.Open(tmp.File($"case_{c.Name}.npz"));
            using var py = NpzArchive.Open(tmp.File($"py_{c.Name}.npz"));
            var hwCs = (int[])cs.Read("hw_cs").Data;
            var hwNp = (int[])py.Read("hw_np").Data;
            Assert.Equal(hwCs, hwNp);
            widthsSeen += hwCs.Where(n => n >= 0).Distinct().Count();
            var reference = cs.Read("avg_cs").ToDouble();
            var np = py.Read("avg_np").ToDouble();
            var t64 = py.Read("avg_t64").ToDouble();
            var t32 = py.Read("avg_t32").ToDouble();
            for (int k = 0; k < reference.Length; k++)
            {
                if (hwCs[k] < 0)
                {
                    Assert.True(reference[k] == 0 && np[k] == 0 && t64[k] == 0 && t32[k] == 0, $"{c.Name}: air cell {k} not 0");
                    continue;
                }
                tissue++;
                Assert.True(reference[k] > 0, $"{c.Name}: tissue cell {k} averaged to {reference[k]}");
                worstNp = Math.Max(worstNp, Relative(np[k], reference[k]));
                worstT64 = Math.Max(worstT64, Relative(t64[k], reference[k]));
                worstT32 = Math.Max(worstT32, Relative(t32[k], reference[k]));
            }
        }
        output.WriteLine($"{cases.Count} cases, {tissue} tissue cells, {widthsSeen} (case, half-width) squares; largest relative difference to C#: " +
                         $"numpy {worstNp:G3}, torch float64 {worstT64:G3}, torch float32 {worstT32:G3}");
        Assert.True(tissue > 3500, $"only {tissue} tissue cells compared");
        Assert.True(worstNp <= 1e-12, $"numpy vs C#: {worstNp:G3} > 1e-12");
        Assert.True(worstT64 <= 1e-12, $"torch float64 vs C#: {worstT64:G3} > 1e-12");
        Assert.True(worstT32 <= 1e-5, $"torch float32 vs C#: {worstT32:G3} > 1e-5");
    }

    [Fact]
    public void Fixture_covers_edges_masks_growth_to_the_map_size_and_several_widths()
    {
        // What the parity test relies on, checked without Python.
        var cases = Fixture();
        foreach (var name in new[] { "single_cell", "row_9x1", "column_1x11", "all_air", "isolated_cells" })
            Assert.Contains(cases, c => c.Name == name);
        var single = cases.Single(c => c.Name == "single_cell");
        var avg = new SquareMassAverage2D(1, 1, single.H, single.Rho, single.MassKg);
        Assert.Equal(avg.MaxHalfWidth, avg.HalfWidth[0]);   // 1 cell never holds 10 g: the square grows to the limit
        var res = new double[1];
        avg.Average(single.Sar, res);
        Assert.Equal(single.Sar[0], res[0], 15);
        int widths = 0, air = 0;
        foreach (var c in cases)
        {
            var a = new SquareMassAverage2D(c.Nx, c.Ny, c.H, c.Rho, c.MassKg);
            widths += a.HalfWidth.Where(n => n >= 0).Distinct().Count();
            air += a.HalfWidth.Count(n => n < 0);
        }
        Assert.True(widths >= 20, $"{widths} distinct (case, half-width) squares");
        Assert.True(air >= 500, $"{air} air cells");
    }

    private static double Relative(double a, double b) => a == b ? 0 : Math.Abs(a - b) / Math.Max(Math.Abs(a), Math.Abs(b));

    /// <summary>Deterministic fixture (seeded): SAR uniform in [0.02, 5) W/kg everywhere (air too), ρ in kg/m³.</summary>
    private static List<Case> Fixture()
    {
        var rng = new Random(2016);
        var list = new List<Case>();
        double[] Sar(int n) { var s = new double[n]; for (int k = 0; k < n; k++) s[k] = 0.02 + 4.98 * rng.NextDouble(); return s; }
        double Tissue() => 300 + 900 * rng.NextDouble();
        void Add(string name, int nx, int ny, double h, Func<int, int, double> rho, double mass = 0.010)
        {
            var r = new double[nx * ny];
            for (int j = 0; j < ny; j++) for (int i = 0; i < nx; i++) r[i + nx * j] = rho(i, j);
            list.Add(new Case(name, nx, ny, h, mass, r, Sar(nx * ny)));
        }
        bool InEllipse(int i, int j, int nx, int ny, double margin)
        {
            double x = (i + 0.5 - nx / 2.0) / (nx / 2.0 - margin), y = (j + 0.5 - ny / 2.0) / (ny / 2.0 - margin);
            return x * x + y * y <= 1;
        }

        Add("single_cell", 1, 1, 0.005, (_, _) => 1000);
        Add("row_9x1", 9, 1, 0.005, (i, _) => i == 3 ? 0 : Tissue());
        Add("column_1x11", 1, 11, 0.004, (_, j) => j is 0 or 7 ? 0 : Tissue());
        Add("homogeneous_21x21", 21, 21, 0.0025, (_, _) => 1000);
        Add("random_holes_16x16", 16, 16, 0.005, (_, _) => rng.NextDouble() < 0.25 ? 0 : Tissue());
        Add("body_33x27", 33, 27, 0.005, (i, j) => !InEllipse(i, j, 33, 27, 2) || rng.NextDouble() < 0.05 ? 0 : Tissue());
        Add("body_64x48", 64, 48, 0.0025, (i, j) => !InEllipse(i, j, 64, 48, 3) ? 0 : InEllipse(i, j, 30, 20, 4) && i > 20 ? 0 : Tissue());
        Add("body_40x40_1g", 40, 40, 0.0025, (i, j) => !InEllipse(i, j, 40, 40, 1) || rng.NextDouble() < 0.1 ? 0 : Tissue(), mass: 0.001);
        Add("isolated_cells", 12, 10, 0.005, (i, j) => (i * 7 + j * 3) % 17 == 0 ? Tissue() : 0);
        Add("all_air", 5, 4, 0.005, (_, _) => 0);
        return list;
    }
}
