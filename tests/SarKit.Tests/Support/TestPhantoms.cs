using SarKit.Fields;
using SarKit.Grid;

namespace SarKit.Tests.Support;

/// <summary>Small synthetic tissue models and fields for unit tests (no physics: random but reproducible).</summary>
public static class TestPhantoms
{
    /// <summary>A rectangular tissue block of the given size (voxels) with an air margin, density ρ.</summary>
    public static TissueModel Block(int bx, int by, int bz, int margin, double d, double rho = 1000, double sigma = 0.5)
    {
        var g = VoxelGrid.Uniform(bx + 2 * margin, by + 2 * margin, bz + 2 * margin, d);
        var s = new double[g.VoxelCount]; var r = new double[g.VoxelCount];
        for (int k = margin; k < margin + bz; k++)
            for (int j = margin; j < margin + by; j++)
                for (int i = margin; i < margin + bx; i++) { int v = g.Index(i, j, k); s[v] = sigma; r[v] = rho; }
        return new TissueModel(g, s, r) { Source = "test block" };
    }

    /// <summary>An ellipsoid of two tissues (random per-voxel density jitter) inside an air box.</summary>
    public static TissueModel Ellipsoid(int nx, int ny, int nz, double d, int seed, double jitter = 0.2)
    {
        var g = VoxelGrid.Uniform(nx, ny, nz, d);
        var rnd = new Random(seed);
        var s = new double[g.VoxelCount]; var r = new double[g.VoxelCount];
        double ax = (nx - 4) / 2.0, ay = (ny - 4) / 2.0, az = (nz - 4) / 2.0;
        for (int k = 0; k < nz; k++)
            for (int j = 0; j < ny; j++)
                for (int i = 0; i < nx; i++)
                {
                    double x = (i + 0.5 - nx / 2.0) / ax, y = (j + 0.5 - ny / 2.0) / ay, z = (k + 0.5 - nz / 2.0) / az;
                    double q = x * x + y * y + z * z;
                    if (q > 1) continue;
                    int v = g.Index(i, j, k);
                    bool fat = q > 0.6;
                    r[v] = (fat ? 900 : 1050) * (1 + jitter * (rnd.NextDouble() - 0.5));
                    s[v] = fat ? 0.05 : 0.8 * (1 + jitter * (rnd.NextDouble() - 0.5));
                }
        return new TissueModel(g, s, r) { Source = "test ellipsoid" };
    }

    /// <summary>Random smooth-ish complex E fields per channel (V/m per V).</summary>
    public static MultiChannelField RandomFields(VoxelGrid g, int channels, int seed)
    {
        var f = new MultiChannelField(g, channels, FieldQuantity.E, FieldNormalisation.PerVoltIncident) { Source = "random test field" };
        var rnd = new Random(seed);
        for (int c = 0; c < channels; c++)
        {
            // each channel: a few random plane-wave-like modulations plus noise
            var kx = rnd.NextDouble() * 0.5; var ky = rnd.NextDouble() * 0.5; var kz = rnd.NextDouble() * 0.5; var ph = rnd.NextDouble() * 6;
            for (int a = 0; a < 3; a++)
            {
                var d = f.ComponentData(c, a);
                double amp = 1 + rnd.NextDouble();
                for (int v = 0; v < g.VoxelCount; v++)
                {
                    var (i, j, k) = g.Unravel(v);
                    double arg = kx * i + ky * j + kz * k + ph + a;
                    d[2 * v] = (float)(amp * Math.Cos(arg) + 0.3 * (rnd.NextDouble() - 0.5));
                    d[2 * v + 1] = (float)(amp * Math.Sin(arg) + 0.3 * (rnd.NextDouble() - 0.5));
                }
            }
        }
        return f;
    }

    public static DriveVector RandomDrive(int channels, Random rnd)
        => new(Enumerable.Range(0, channels).Select(_ => System.Numerics.Complex.FromPolarCoordinates(0.2 + rnd.NextDouble(), rnd.NextDouble() * 2 * Math.PI)), FieldNormalisation.PerVoltIncident);
}
