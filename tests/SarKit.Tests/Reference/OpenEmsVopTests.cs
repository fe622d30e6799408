using SarKit.Averaging;
using SarKit.Compression;
using SarKit.Tests.Support;
using Xunit;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Tests.Reference;

/// <summary>
/// Issue 3 validation on independent data: the IEC/IEEE 62704-1 10 g Q-matrices of the openEMS 8-channel 7 T simulation
/// are compressed, and the set must pass the independent verifier (CC criterion for every cube matrix + random drives)
/// and never underestimate the peak 10 g SAR of the reference drives.
/// </summary>
public class OpenEmsVopTests
{
    [SharedDataFact(Ptx8Reference.File)]
    public void TenGramQSetOfTheOpenEmsSimulationCompressesToACertifiedSet()
    {
        var d = Ptx8Reference.Instance.Dataset;
        var cubes = AveragingCubeSet.Build(d.Tissue, AveragingOptions.TenGram);
        var q = AveragedQMatrixSet.Compute(d, cubes);
        var packed = q.AllPacked.ToArray();
        int n = q.Channels;
        Assert.Equal(8, n);

        var set = VopCompressor.Compress(packed, n, new VopCompressionOptions { Algorithm = VopAlgorithm.LeeKuehne, Epsilon = 0.1 });
        Assert.InRange(set.Count, 1, q.Count / 10);
        using var source = new PackedQMatrixSource(packed, n);
        var result = VopVerifier.Certify(set, source, new VopVerifierOptions { RandomDrives = 20_000 });
        Assert.True(result.Certificate.Passed, string.Join("; ", result.Problems));
        Assert.Equal(q.Count, result.Certificate.MatricesChecked);
        Assert.Equal(0, result.UnderestimatingDrives);
        Assert.True(set.HasValidCertificate(out var why), why);

        // the reference drives: VOP SAR is never below the psSAR10g over all cubes, and at most 10 % of SAR_wc·|b|² above it
        foreach (var json in new[] { "openems-ptx8/ref62704_cp.json", "openems-ptx8/ref62704_randphase.json" })
        {
            var drive = Ptx8Reference.ReadDrive(json);
            var w = SarKit.Numerics.LinearAlgebra.HermitianPacking.DriveWeights(drive.Amplitudes);
            double truth = 0;
            for (int i = 0; i < q.Count; i++) truth = Math.Max(truth, SarKit.Numerics.LinearAlgebra.HermitianPacking.QuadraticForm(packed.AsSpan(i * n * n, n * n), w));
            var (vop, _) = set.PeakSar(drive.Amplitudes);
            double norm2 = 0; foreach (var b in drive.Amplitudes) norm2 += b.Magnitude * b.Magnitude;
            Assert.True(vop >= truth * (1 - 1e-12), $"{json}: VOP SAR {vop} below the cube maximum {truth}");
            Assert.True(vop <= truth + 0.1 * set.SarWorstCase * norm2 * (1 + 1e-9), $"{json}: VOP SAR {vop} exceeds the margin bound");
        }
    }
}
