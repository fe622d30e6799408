using SarKit.Fields;
using SarKit.IO.Formats;
using SarKit.Tests.Support;
using Xunit.Abstractions;

namespace SarKit.Tests.Reference;

/// <summary>
/// B1+ of the openEMS reference (which stores E and H): μ0·H against Faraday's law applied to E, in muscle voxels whose
/// neighbours up to two voxels away are all muscle (no interface in the difference stencil). Independent fields of the same
/// simulation, so this checks the sign convention and the curl path together.
/// </summary>
public class OpenEmsB1PlusTests(ITestOutputHelper output)
{
    [SharedDataFact(Ptx8Reference.File)]
    public void CurlOfEMatchesMu0HInsideHomogeneousTissue()
    {
        var ds = DatasetFiles.Open(SharedData.Reference(Ptx8Reference.File)!);
        Assert.NotNull(ds.H);
        Assert.True(ds.FrequencyHz > 0);
        var fromH = B1PlusMap.FromH(ds.H!);
        var fromE = B1PlusMap.FromE(ds.E, ds.FrequencyHz);
        var g = ds.Grid;
        var sig = ds.Tissue.Sigma;
        var rel = new List<double>();
        double maxH = 0;
        for (int k = 2; k < g.Nz - 2; k++)
            for (int j = 2; j < g.Ny - 2; j++)
                for (int i = 2; i < g.Nx - 2; i++)
                {
                    int v = g.Index(i, j, k);
                    if (!(sig[v] > 0.5)) continue;
                    bool inner = true;
                    for (int d = -2; d <= 2 && inner; d++)
                        inner = sig[g.Index(i + d, j, k)] == sig[v] && sig[g.Index(i, j + d, k)] == sig[v] && sig[g.Index(i, j, k + d)] == sig[v];
                    if (!inner) continue;
                    for (int c = 0; c < ds.Channels; c++)
                    {
                        var a = fromH.Get(c, 0, v); var b = fromE.Get(c, 0, v);
                        maxH = Math.Max(maxH, a.Magnitude);
                        rel.Add((a - b).Magnitude / Math.Max(a.Magnitude, 1e-30));
                    }
                }
        rel.Sort();
        double median = rel[rel.Count / 2], p90 = rel[(int)(0.9 * rel.Count)];
        output.WriteLine($"{rel.Count} channel-voxels; |B1+(μ0H) − B1+(curl E)|/|B1+(μ0H)|: median {median:G3}, 90th percentile {p90:G3}");
        Assert.True(median < 0.1, $"median relative difference {median}");
        Assert.True(rel.Count > 1000);
    }
}
