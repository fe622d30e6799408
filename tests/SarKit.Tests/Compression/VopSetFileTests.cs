using System.Numerics;
using SarKit.Compression;
using SarKit.Fields;
using SarKit.IO;
using SarKit.Sar;
using Xunit;
using SarKit.IO.Formats;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Tests.Compression;

public class VopSetFileTests
{
    private static double[] RandomPsd(int n, int k, int seed)
    {
        var rng = new Random(seed);
        var packed = new double[k * n * n];
        for (int c = 0; c < k; c++)
        {
            var a = new Complex[n, n];
            for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) a[i, j] = new Complex(rng.NextDouble() - 0.5, rng.NextDouble() - 0.5);
            var q = new Complex[n, n];
            for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) { Complex s = 0; for (int l = 0; l < n; l++) s += a[i, l] * Complex.Conjugate(a[j, l]); q[i, j] = s; }
            HermitianPacking.Pack(q).CopyTo(packed.AsSpan(c * n * n));
        }
        return packed;
    }

    [Fact]
    public void RoundTripKeepsMatricesProvenanceAndCertificate()
    {
        int n = 4, k = 3;
        var vops = RandomPsd(n, k, 1);
        var orig = RandomPsd(n, 10, 2);
        var z = new double[n * n]; for (int i = 0; i < n; i++) z[i] = 0.1;
        var set = new VopSet(n, vops, [5, 1, 7], new VopMargin(VopMarginKind.Diagonal, 0.05, z), DominanceCriterion.ConvexCombination,
            "test", 10, VopSet.HashMatrices(orig), VopSet.WorstCaseSar(orig, n), FieldNormalisation.PerVoltIncident);
        set.Attributes["source_file"] = "q.h5";
        set.Certificate = VopCertificateDigest.Seal(set, new VopCertificate
        {
            Passed = true, Criterion = DominanceCriterion.ConvexCombination, MatricesChecked = 10, MatricesFailed = 0, LargestViolation = -1e-3,
            Tolerance = 1e-12, SourceSha256 = set.SourceSha256, VopSha256 = VopSet.HashMatrices(vops), Verifier = "unit", CreatedUtc = new DateTime(2026, 11, 22, 1, 2, 3, DateTimeKind.Utc),
            RandomDrives = 1000, RandomMaxRelativeUnderestimation = -0.01, LargestViolationIndex = 4,
        });
        var dir = Directory.CreateTempSubdirectory("vopfile");
        try
        {
            var path = Path.Combine(dir.FullName, "v.h5");
            VopSetFile.Write(set, path);
            var back = VopSetFile.Read(path);
            Assert.Equal(n, back.Channels);
            Assert.Equal(k, back.Count);
            for (int i = 0; i < vops.Length; i++) Assert.Equal(vops[i], back.Packed[i], 14);
            Assert.Equal(z, back.Margin.Packed);
            Assert.Equal([5, 1, 7], back.SourceIndex);
            Assert.Equal(set.SourceSha256, back.SourceSha256);
            Assert.Equal(set.SarWorstCase, back.SarWorstCase);
            Assert.Equal("q.h5", back.Attributes["source_file"]);
            Assert.Equal(set.Certificate, back.Certificate);
            Assert.True(back.HasValidCertificate(out var why), why);
            back.Packed[0] += 1e-6; // any change to the VOPs invalidates the certificate
            Assert.False(back.HasValidCertificate(out why));
            Assert.Contains("VOP hash", why);
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public void RejectsOtherFiles()
    {
        var dir = Directory.CreateTempSubdirectory("vopfile");
        try
        {
            var p = Path.Combine(dir.FullName, "x.h5");
            using (var f = SarKit.IO.Hdf5.Hdf5File.Create(p)) f.WriteAttribute("/", "sarkit_format", "something");
            var e = Assert.Throws<SarKitInputException>(() => VopSetFile.Read(p));
            Assert.Contains("not a SarKit VOP file", e.Message);
        }
        finally { dir.Delete(true); }
    }
}
