using SarKit.Averaging;
using SarKit.Fields;
using SarKit.IO;
using SarKit.IO.Hdf5;
using SarKit.Sar;
using SarKit.Tests.Support;
using Xunit.Abstractions;
using SarKit.IO.Formats;

namespace SarKit.Tests.Reference;

/// <summary>The built-in openEMS demo dataset (data/demo) through the public readers and the SAR pipeline.</summary>
public class DemoDataTests(ITestOutputHelper output)
{
    private static string DemoPath => Path.Combine(SharedData.RepoRoot, "data", "demo", "ptx8_7T_demo.h5");
    private static readonly Lazy<SarDataset> Demo = new(() => DatasetReader.Read(DemoPath));

    [Fact]
    public void PointSarMatchesOpenEmsOwnLocalSarForEveryChannel()
    {
        var d = Demo.Value;
        Assert.Equal(8, d.Channels);
        Assert.Equal(FieldNormalisation.PerVoltIncident, d.E.Normalisation);
        using var f = Hdf5File.OpenRead(DemoPath);
        var reference = f.ReadDataset("/reference/openems_local_sar").ToDouble(); // W/kg per (1 V peak incident)², [8, nz, ny, nx]
        int nv = d.Grid.VoxelCount;
        for (int c = 0; c < 8; c++)
        {
            var drive = new DriveVector(Enumerable.Range(0, 8).Select(k => k == c ? System.Numerics.Complex.One : 0), FieldNormalisation.PerVoltIncident);
            var sar = LocalSar.Compute(d.Tissue, d.E, drive);
            double peak = 0, worst = 0;
            for (int v = 0; v < nv; v++) peak = Math.Max(peak, reference[c * nv + v]);
            for (int v = 0; v < nv; v++)
            {
                double r = reference[c * nv + v];
                if (d.Tissue.Rho[v] > 0 && r > 1e-6 * peak) worst = Math.Max(worst, Math.Abs(sar[v] - r) / r);
            }
            output.WriteLine($"ch{c}: max relative difference {worst:E2}");
            Assert.True(worst < 1e-5, $"channel {c}: {worst:E3}");
        }
    }

    [Fact]
    public void TenGramPipelineOnPaddedDemoIsConsistent()
    {
        var d = Demo.Value.PadWithAir(4);
        var cubes = AveragingCubeSet.Build(d.Tissue, AveragingOptions.TenGram);
        var counts = cubes.StatusCounts();
        Assert.Equal(d.Tissue.TissueCount, counts.Valid + counts.Used + counts.Unused);
        Assert.Equal(0, cubes.VoxelsWithoutCube);
        var q = AveragedQMatrixSet.Compute(d, cubes);
        var rnd = new Random(3);
        for (int t = 0; t < 4; t++)
        {
            var drive = TestPhantoms.RandomDrive(8, rnd);
            var local = LocalSar.Compute(d.Tissue, d.E, drive);
            var avg = SpatialAverage.Compute(d.Tissue, local, cubes: cubes);
            Assert.True(avg.Peak < local.Max());       // averaging smooths the peak
            Assert.True(avg.Peak > 0);
            Assert.Equal(avg.Peak, q.PeakSar(drive).Peak, 1e-9 * avg.Peak);
            var wb = RegionQ.Compute("body", d.Tissue, d.E).Sar(drive);
            Assert.True(wb < avg.Peak);                // whole-body average below the 10 g peak
        }
    }
}
