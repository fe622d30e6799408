using System.Globalization;
using System.Numerics;
using SarKit.Surrogate.Fdfd2D;
using SarKit.Tests.Support;
using SarKit.Numerics.SpecialFunctions;

namespace SarKit.Tests.Engines.Fdfd2D;

public class ComplexBesselTests
{
    private static string Fixture => Path.Combine(SharedData.RepoRoot, "tests", "SarKit.Tests", "data", "fdfd", "bessel.csv");

    private static IEnumerable<(Complex Z, int N, Complex J, Complex Y, Complex H2)> Rows()
    {
        foreach (var line in File.ReadLines(Fixture).Skip(1))
        {
            var f = line.Split(',').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            yield return (new Complex(f[0], f[1]), (int)f[2], new Complex(f[3], f[4]), new Complex(f[5], f[6]), new Complex(f[7], f[8]));
        }
    }

    private static double Rel(Complex a, Complex b) => (a - b).Magnitude / Math.Max(b.Magnitude, 1e-300);

    [Fact]
    public void Matches_scipy_for_complex_arguments()
    {
        int count = 0;
        double worstJ = 0, worstY = 0, worstH = 0, worstHigh = 0;
        foreach (var (z, n, j, y, h) in Rows())
        {
            count++;
            // Y_n by forward recurrence loses accuracy near the imaginary axis (|arg z| > 1) and for n > |z| when Im z is large: compared for n ≤ 12, |arg z| ≤ 1 only.
            // J_n below 1e-200 is underflow territory for the reference: skip those relative comparisons.
            if (j.Magnitude > 1e-200) worstJ = Math.Max(worstJ, Rel(ComplexBessel.J(n, z), j));
            if (y.Magnitude < 1e200 && Math.Abs(z.Phase) <= 1.0 && n <= 12) worstY = Math.Max(worstY, Rel(ComplexBessel.Y(n, z), y));
            if (h.Magnitude < 1e200) { double e = Rel(ComplexBessel.H2(n, z), h); if (n <= 12 && Math.Abs(z.Phase) <= 1.0) worstH = Math.Max(worstH, e); else worstHigh = Math.Max(worstHigh, e); }
        }
        Assert.True(count > 1000);
        Assert.True(worstJ < 1e-9, $"J worst relative error {worstJ:E2}");
        Assert.True(worstY < 1e-7, $"Y worst relative error {worstY:E2}");
        Assert.True(worstH < 1e-7, $"H2 (n ≤ 12) worst relative error {worstH:E2}");
        Assert.True(worstHigh < 1e-5, $"H2 (all) worst relative error {worstHigh:E2}");
    }

    [Fact]
    public void Recurrence_of_H2Orders_matches_single_evaluations()
    {
        var z = new Complex(3.3, -1.1);
        var h = new Complex[20];
        ComplexBessel.H2Orders(z, h);
        for (int n = 0; n < 20; n++) Assert.True(Rel(h[n], ComplexBessel.H2(n, z)) < 1e-12);
    }
}
