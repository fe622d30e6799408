using System.Numerics;
using SarKit.Engines;
using SarKit.Surrogate.Fdfd2D;
using Xunit.Abstractions;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Tests.Engines.Fdfd2D;

public class FdfdSolver2DTests(ITestOutputHelper output)
{
    private const double F = 298e6;
    private static readonly HomogeneousMedium Muscle = HomogeneousMedium.Of(TissueSet.At298MHz.Muscle, "muscle");

    /// <summary>Relative L2 error of E_z against a reference over cells at least <paramref name="minR"/> from the source.</summary>
    internal static double EzError(FdfdGrid2D g, FdfdChannelField f, Func<double, double, Complex> reference, double x0, double y0, double minR)
    {
        double num = 0, den = 0;
        for (int j = 0; j < g.Ny; j++)
            for (int i = 0; i < g.Nx; i++)
            {
                double x = g.X(i), y = g.Y(j);
                if (Math.Sqrt((x - x0) * (x - x0) + (y - y0) * (y - y0)) < minR) continue;
                var r = reference(x, y);
                num += (f.Ez[i + g.Nx * j] - r).Magnitude * (f.Ez[i + g.Nx * j] - r).Magnitude;
                den += r.Magnitude * r.Magnitude;
            }
        return Math.Sqrt(num / den);
    }

    private double HomogeneousError(double h, HomogeneousMedium medium, int pml = 16)
    {
        double size = 0.16;
        int n = (int)Math.Round(size / h) | 1; // odd: a cell centre at the origin
        var g = new FdfdGrid2D(n, n, h, pml);
        var s = new FdfdSolver2D(g, F);
        s.Factor(FdfdMaterials2D.Uniform(g, medium.EpsilonR, medium.Sigma));
        var f = s.SolveEach([new LineSource2D(0, 0)])[0];
        double e = EzError(g, f, (x, y) => LineSourceSolutions.Homogeneous(medium, F, 1, 0, 0, x, y).Ez, 0, 0, 0.02);
        output.WriteLine($"{medium.Name}: h = {h * 1e3} mm, {n}² cells + PML {pml}: E_z rel. L2 error (r ≥ 2 cm) = {e:E3}");
        return e;
    }

    [Fact]
    public void Line_source_in_muscle_matches_Hankel_solution_and_converges_at_second_order()
    {
        double e10 = HomogeneousError(0.010, Muscle), e5 = HomogeneousError(0.005, Muscle), e25 = HomogeneousError(0.0025, Muscle);
        Assert.True(e5 < 0.02, $"5 mm error {e5}");
        Assert.True(e25 < 0.006, $"2.5 mm error {e25}");
        Assert.True(e10 / e5 > 3 && e5 / e25 > 3, $"convergence ratios {e10 / e5:F2}, {e5 / e25:F2} (expect ≈ 4)");
    }

    [Fact]
    public void Line_source_in_air_is_absorbed_by_the_PML()
    {
        double e = HomogeneousError(0.005, HomogeneousMedium.Vacuum);
        Assert.True(e < 0.02, $"vacuum error {e}");
    }

    [Fact]
    public void Line_source_next_to_muscle_cylinder_matches_series_solution()
    {
        double a = 0.05, xs = -0.075;
        var errs = new List<double>();
        foreach (double h in new[] { 0.005, 0.0025 })
        {
            int n = (int)Math.Round(0.2 / h) | 1;
            var g = new FdfdGrid2D(n, n, h, 16);
            var eps = new double[g.CellCount]; var sig = new double[g.CellCount];
            for (int j = 0; j < n; j++)
                for (int i = 0; i < n; i++)
                {
                    bool inside = g.X(i) * g.X(i) + g.Y(j) * g.Y(j) < a * a;
                    eps[i + n * j] = inside ? Muscle.EpsilonR : 1; sig[i + n * j] = inside ? Muscle.Sigma : 0;
                }
            var s = new FdfdSolver2D(g, F);
            s.Factor(new FdfdMaterials2D(g, eps, sig));
            var f = s.SolveEach([new LineSource2D(xs, 0)])[0];
            // inside the cylinder (away from the staircased surface) and the whole grid outside 2 cm of the source
            var exact = LineSourceSolutions.Cylinder(Muscle, HomogeneousMedium.Vacuum, a, F, 1, xs, 0);
            double eIn = EzError(g, f, (x, y) => x * x + y * y < (a - 0.01) * (a - 0.01)
                ? exact(x, y) : f.Ez[g.CellOf(x, y).I + n * g.CellOf(x, y).J], xs, 0, 0.02);
            double eAll = EzError(g, f, exact, xs, 0, 0.02);
            output.WriteLine($"cylinder a = 5 cm muscle in vacuum, source 2.5 cm from the surface: h = {h * 1e3} mm: E_z rel. L2 error inside (ρ < 4 cm) {eIn:E3}, whole grid {eAll:E3}");
            errs.Add(eAll);
        }
        Assert.True(errs[0] < 0.05 && errs[1] < 0.03, string.Join(", ", errs));
    }

    [Fact]
    public void Magnetic_field_and_B1_match_closed_form_in_muscle()
    {
        double h = 0.0025;
        var g = new FdfdGrid2D(65, 65, h, 16);
        var s = new FdfdSolver2D(g, F);
        s.Factor(FdfdMaterials2D.Uniform(g, Muscle.EpsilonR, Muscle.Sigma));
        var f = s.SolveEach([new LineSource2D(0, 0)])[0];
        double num = 0, den = 0;
        for (int j = 0; j < g.Ny; j++)
            for (int i = 0; i < g.Nx; i++)
            {
                double x = g.X(i), y = g.Y(j);
                if (x * x + y * y < 0.02 * 0.02) continue;
                var (_, hx, hy) = LineSourceSolutions.Homogeneous(Muscle, F, 1, 0, 0, x, y);
                var bRef = HomogeneousMedium.Mu0 * (hx + Complex.ImaginaryOne * hy) / 2;
                var d = f.B1Plus(i + g.Nx * j) - bRef;
                num += d.Magnitude * d.Magnitude; den += bRef.Magnitude * bRef.Magnitude;
            }
        double e = Math.Sqrt(num / den);
        output.WriteLine($"B1+ rel. L2 error in muscle, h = 2.5 mm: {e:E3}");
        Assert.True(e < 0.01, $"{e}");
    }

    [Fact]
    public void Counter_clockwise_rotating_drive_gives_B1_plus_and_no_B1_minus_at_the_centre()
    {
        var g = new FdfdGrid2D(61, 61, 0.005, 12);
        var s = new FdfdSolver2D(g, F);
        s.Factor(FdfdMaterials2D.Uniform(g, 1, 0));
        var src = new List<LineSource2D>();
        var ccw = new List<LineSource2D>();
        for (int n = 0; n < 8; n++)
        {
            double th = 2 * Math.PI * n / 8;
            src.Add(new LineSource2D(0.1 * Math.Cos(th), 0.1 * Math.Sin(th)));
        }
        var fields = s.SolveEach(src);
        int c = 30 + 61 * 30;
        Complex bp = 0, bm = 0, bpCw = 0;
        for (int n = 0; n < 8; n++)
        {
            double th = 2 * Math.PI * n / 8;
            var w = Complex.FromPolarCoordinates(1, -th);   // current phase lags with angle: maximum moves x → y (ccw)
            bp += w * fields[n].B1Plus(c); bm += Complex.Conjugate(w) * fields[n].B1Minus(c) ;
            bpCw += Complex.Conjugate(w) * fields[n].B1Plus(c);
        }
        // B1⁻ (a receive quantity) combines with the conjugate weights: μ0(Hx − jHy)*/2 of the same ccw drive
        Complex bmSame = 0;
        for (int n = 0; n < 8; n++) bmSame += Complex.FromPolarCoordinates(1, -2 * Math.PI * n / 8) * Complex.Conjugate(fields[n].B1Minus(c));
        output.WriteLine($"ccw drive: |B1+| = {bp.Magnitude:E3} T, |B1-| = {bmSame.Magnitude:E3} T; cw drive |B1+| = {bpCw.Magnitude:E3} T");
        Assert.True(bmSame.Magnitude < 1e-6 * bp.Magnitude);
        Assert.True(bpCw.Magnitude < 1e-6 * bp.Magnitude);
    }

    [Fact]
    public void Banded_LDLT_solves_a_small_complex_symmetric_system()
    {
        var rng = new Random(3);
        int n = 30, b = 4;
        var ldl = new BandedComplexSymmetricLdl(n, b);
        var dense = new Complex[n, n];
        for (int i = 0; i < n; i++)
            for (int j = i; j <= Math.Min(n - 1, i + b); j++)
            {
                var v = new Complex(rng.NextDouble() - 0.5, rng.NextDouble() - 0.5) + (i == j ? new Complex(3, 1) : 0);
                ldl.Add(i, j, v); dense[i, j] = v; dense[j, i] = v;
            }
        var xTrue = new Complex[n * 2];
        for (int i = 0; i < xTrue.Length; i++) xTrue[i] = new Complex(rng.NextDouble(), rng.NextDouble());
        var rhs = new Complex[n * 2];
        for (int i = 0; i < n; i++) for (int r = 0; r < 2; r++) for (int j = 0; j < n; j++) rhs[i * 2 + r] += dense[i, j] * xTrue[j * 2 + r];
        ldl.Factor();
        ldl.Solve(rhs, 2);
        for (int i = 0; i < rhs.Length; i++) Assert.True((rhs[i] - xTrue[i]).Magnitude < 1e-10);
    }
}
