using SarKit.Averaging;

namespace SarKit.Tests.Averaging;

public class PrefixSumTests
{
    /// <summary>Independent weighted sum: Σ_i q_i · Π_axes overlap(voxel, box).</summary>
    internal static double Naive(double[] q, int nx, int ny, int nz, Box3 b)
    {
        double s = 0;
        for (int k = 0; k < nz; k++)
        {
            double oz = Math.Max(0, Math.Min(k + 1, b.Z1) - Math.Max(k, b.Z0));
            if (oz == 0) continue;
            for (int j = 0; j < ny; j++)
            {
                double oy = Math.Max(0, Math.Min(j + 1, b.Y1) - Math.Max(j, b.Y0));
                if (oy == 0) continue;
                for (int i = 0; i < nx; i++)
                {
                    double ox = Math.Max(0, Math.Min(i + 1, b.X1) - Math.Max(i, b.X0));
                    s += q[i + nx * (j + ny * k)] * ox * oy * oz;
                }
            }
        }
        return s;
    }

    [Fact]
    public void BoxIntegralEqualsOverlapWeightedSum()
    {
        int nx = 9, ny = 7, nz = 8;
        var rnd = new Random(3);
        var q = Enumerable.Range(0, nx * ny * nz).Select(_ => rnd.NextDouble() - 0.3).ToArray();
        var p = PrefixSum3D.Build(nx, ny, nz, q);
        for (int t = 0; t < 500; t++)
        {
            double x0 = rnd.NextDouble() * nx, x1 = x0 + rnd.NextDouble() * (nx - x0);
            double y0 = rnd.NextDouble() * ny, y1 = y0 + rnd.NextDouble() * (ny - y0);
            double z0 = rnd.NextDouble() * nz, z1 = z0 + rnd.NextDouble() * (nz - z0);
            if (t % 5 == 0) { x0 = Math.Floor(x0); y1 = Math.Ceiling(y1); } // integer faces too
            var b = new Box3(x0, x1, y0, y1, z0, z1);
            Assert.Equal(Naive(q, nx, ny, nz, b), p.Box(b), 1e-10);
        }
        Assert.Equal(q.Sum(), p.IntegerBox(0, nx, 0, ny, 0, nz), 1e-10);
    }

    [Fact]
    public void MultiComponentTableMatchesScalarTables()
    {
        int nx = 6, ny = 5, nz = 4, c = 5;
        var rnd = new Random(5);
        var q = Enumerable.Range(0, nx * ny * nz * c).Select(_ => rnd.NextDouble()).ToArray();
        var multi = PrefixSum3D.Build(nx, ny, nz, c, (v, d) => q.AsSpan(v * c, c).CopyTo(d));
        var b = new Box3(0.3, 5.2, 1.5, 4.9, 0.1, 3.3);
        var acc = new double[c];
        multi.Box(b, acc);
        for (int t = 0; t < c; t++)
        {
            var comp = Enumerable.Range(0, nx * ny * nz).Select(v => q[v * c + t]).ToArray();
            Assert.Equal(Naive(comp, nx, ny, nz, b), acc[t], 1e-10);
        }
    }
}
