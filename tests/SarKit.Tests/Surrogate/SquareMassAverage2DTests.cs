using SarKit.Surrogate;

namespace SarKit.Tests.Surrogate;

public class SquareMassAverage2DTests
{
    [Fact]
    public void Homogeneous_water_uses_the_smallest_odd_square_reaching_10_g()
    {
        int n = 41; double h = 0.0025;
        var rho = Enumerable.Repeat(1000.0, n * n).ToArray();
        var avg = new SquareMassAverage2D(n, n, h, rho);
        // side 21.54 mm exact; 9 cells = 22.5 mm (11.4 g) is the first odd square with ≥ 10 g, 7 cells = 17.5 mm (5.4 g) is not
        Assert.Equal(4, avg.HalfWidth[20 + n * 20]);
        // near an edge the square grows to collect the mass
        Assert.True(avg.HalfWidth[0] > 4);
    }

    [Fact]
    public void Uniform_SAR_is_unchanged_and_a_linear_ramp_averages_to_its_centre_value_inside()
    {
        int n = 41; double h = 0.0025;
        var rho = new double[n * n];
        for (int j = 5; j < 36; j++) for (int i = 5; i < 36; i++) rho[i + n * j] = 1050;
        var avg = new SquareMassAverage2D(n, n, h, rho);
        var sar = new double[n * n]; var res = new double[n * n];
        for (int c = 0; c < sar.Length; c++) sar[c] = rho[c] > 0 ? 2.5 : 0;
        avg.Average(sar, res);
        for (int c = 0; c < sar.Length; c++) Assert.Equal(rho[c] > 0 ? 2.5 : 0, res[c], 12);
        for (int j = 0; j < n; j++) for (int i = 0; i < n; i++) sar[i + n * j] = rho[i + n * j] > 0 ? 1 + 0.1 * i : 0;
        avg.Average(sar, res);
        Assert.Equal(1 + 0.1 * 20, res[20 + n * 20], 12);
        // peak of the average never exceeds the peak of the point SAR
        Assert.True(res.Max() <= sar.Max() + 1e-12);
    }
}
