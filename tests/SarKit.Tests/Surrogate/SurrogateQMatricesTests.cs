using System.Numerics;
using SarKit.Sar;
using SarKit.Surrogate;
using Xunit;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Tests.Surrogate;

public class SurrogateQMatricesTests
{
    [Fact]
    public void QuadraticFormOfAveragedMatricesEqualsAveragedPointSarOfEveryShim()
    {
        int nx = 23, ny = 17, n = 4;
        var rng = new Random(3);
        var rho = new double[nx * ny];
        for (int j = 3; j < 14; j++) for (int i = 2; i < 20; i++) rho[i + nx * j] = 900 + 300 * rng.NextDouble();
        var e = new Complex[n][];
        for (int k = 0; k < n; k++)
        {
            e[k] = new Complex[nx * ny];
            for (int c = 0; c < e[k].Length; c++) if (rho[c] > 0) e[k][c] = new Complex(rng.NextDouble() - 0.5, rng.NextDouble() - 0.5);
        }
        var avg = new SquareMassAverage2D(nx, ny, 0.005, rho);
        var (packed, cells) = SurrogateQMatrices.MassAveraged(avg, e);
        Assert.Equal(rho.Count(r => r > 0), cells.Length);
        var pred = new PerChannelPrediction(nx, ny, e, e);
        for (int trial = 0; trial < 5; trial++)
        {
            var w = Enumerable.Range(0, n).Select(_ => Complex.FromPolarCoordinates(0.5 + rng.NextDouble(), 2 * Math.PI * rng.NextDouble())).ToArray();
            var point = pred.PointSar(w);
            var expect = new double[nx * ny];
            avg.Average(point, expect);
            var weights = HermitianPacking.DriveWeights(w);
            for (int q = 0; q < cells.Length; q++)
            {
                double s = 0;
                for (int k = 0; k < n * n; k++) s += weights[k] * packed[q * n * n + k];
                Assert.Equal(expect[cells[q]], s, 1e-12 * Math.Max(1, expect[cells[q]]));
            }
        }
    }
}
