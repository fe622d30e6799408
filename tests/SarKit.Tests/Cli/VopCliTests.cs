using System.Text.Json;
using SarKit.Cli.Commands;
using SarKit.Workflows;
using SarKit.Compression;
using SarKit.Fields;
using SarKit.IO;
using SarKit.IO.Hdf5;
using SarKit.Sar;
using SarKit.Tests.Compression;
using SarKit.Tests.Support;
using SarKit.IO.Arrays;
using SarKit.IO.Formats;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Tests.Cli;

/// <summary>
/// `sarkit vop …`. Tests marked "needs the compressor" call VopCompressor.Compress (feat/vopalgo); they fail with exit 1
/// ("internal error: NotImplementedException") until it is merged.
/// </summary>
public class VopCliTests
{
    /// <summary>Writes a minimal SarKit Q-matrix HDF5 file (docs/qmatrix-format.md: root attributes and /matrices [K, N, N]).</summary>
    internal static void WriteQ(string path, double[] packed, int n)
    {
        int k = packed.Length / (n * n);
        var full = new double[2L * k * n * n];
        for (int c = 0; c < k; c++)
        {
            var q = HermitianPacking.Unpack(packed.AsSpan(c * n * n, n * n), n);
            long o = 2L * c * n * n;
            for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) { full[o++] = q[i, j].Real; full[o++] = q[i, j].Imaginary; }
        }
        using var f = Hdf5File.Create(path);
        f.WriteAttribute("/", "sarkit_format", QMatrixSetFile.FormatId);
        f.WriteAttribute("/", "sarkit_format_version", 1);
        f.WriteAttribute("/", "kind", "point");
        f.WriteAttribute("/", "channels", n);
        f.WriteAttribute("/", "count", k);
        f.WriteAttribute("/", "normalisation", FieldNormalisation.PerVoltIncident.ToId());
        f.WriteDataset("/matrices", new NdArray(NdType.Complex128, [k, n, n], full));
    }

    private sealed class Fixture : IDisposable
    {
        public readonly TempDir Dir = new();
        public readonly int N;
        public readonly double[] Q;
        public readonly double Wc;
        public string QPath => Dir.File("q.h5");
        public Fixture(int n = 4, int count = 60, int seed = 31)
        {
            N = n;
            Q = VopVerifierTests.RandomSet(n, count, seed, rank: 2);
            Wc = VopSet.WorstCaseSar(Q, n);
            WriteQ(QPath, Q, n);
        }
        /// <summary>VOPs = originals + ε·SAR_wc·I (valid), or with the VOP of the largest matrix removed and ε ≈ 0 (broken).</summary>
        public string WriteSet(string name, bool broken = false, double eps = 0.05)
        {
            int count = Q.Length / (N * N);
            var keep = Enumerable.Range(0, count).ToArray();
            if (broken)
            {
                var lam = new double[count];
                HermitianKernels.LargestEigenvalues(Q, N, lam);
                int top = Array.IndexOf(lam, lam.Max());
                keep = keep.Where(i => i != top).ToArray();
                eps = 1e-6;
            }
            var v = VopVerifierTests.PlusMargin(VopVerifierTests.Gather(Q, keep, N * N), N, eps * Wc);
            var set = VopVerifierTests.MakeSet(v, N, Q, keep, eps);
            var p = Dir.File(name);
            VopSetFiles.Write(set, p);
            return p;
        }
        public void Dispose() => Dir.Dispose();
    }

    [Fact]
    public void VerifyStoresAPassingCertificate()
    {
        using var fx = new Fixture();
        var v = fx.WriteSet("v.h5");
        var r = CliRunner.Run("vop", "verify", v, "--q", fx.QPath, "--drives", "3000", "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        var cert = doc.RootElement.GetProperty("certificate");
        Assert.True(cert.GetProperty("valid").GetBoolean());
        Assert.Equal(60, cert.GetProperty("matrices_checked").GetInt64());
        Assert.Equal(-0.05, cert.GetProperty("largest_violation_over_sar_wc").GetDouble(), 1e-9);
        var back = VopSetFiles.Read(v);
        Assert.True(back.HasValidCertificate(out var why), why);
        Assert.Equal(3000, back.Certificate!.RandomDrives);
        Assert.DoesNotContain(fx.Dir.Files(), f => f.EndsWith(".tmp"));
        // redirected stderr: plain progress lines per stage, ending at 100 %
        Assert.Contains("verify: dominance: 100 % (60/60)", r.Err);
        Assert.Contains("verify: random drives: 100 %", r.Err);
    }

    [Theory]
    [InlineData("v.mat")]
    [InlineData("v.npz")]
    public void VerifyWorksOnMatAndNpzVopFiles(string name)
    {
        using var fx = new Fixture();
        var v = fx.WriteSet(name);
        var r = CliRunner.Run("vop", "verify", v, "--q", fx.QPath, "--drives", "1000");
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("VALID", r.Out);
        Assert.True(VopSetFiles.Read(v).HasValidCertificate(out var why), why);
    }

    [Fact]
    public void VerifyFailsForABrokenSetAndStoresTheFailedCertificate()
    {
        using var fx = new Fixture();
        var v = fx.WriteSet("v.h5", broken: true);
        var r = CliRunner.Run("vop", "verify", v, "--q", fx.QPath, "--drives", "1000");
        Assert.Equal(3, r.ExitCode); // a negative verdict on valid input, not an internal failure (exit 1 is for bugs only)
        Assert.Contains("FAILED", r.Err);
        var back = VopSetFiles.Read(v);
        Assert.NotNull(back.Certificate);
        Assert.False(back.Certificate!.Passed);
        Assert.False(back.HasValidCertificate(out _));
        Assert.True(back.Certificate.MatricesFailed >= 1);
    }

    [Fact]
    public void BadInputsExitWithTwo()
    {
        using var fx = new Fixture();
        var v = fx.WriteSet("v.h5");
        var missing = CliRunner.Run("vop", "verify", fx.Dir.File("nope.h5"), "--q", fx.QPath);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("nope.h5", missing.Err);
        var missingQ = CliRunner.Run("vop", "verify", v, "--q", fx.Dir.File("noq.h5"));
        Assert.Equal(2, missingQ.ExitCode);
        Assert.Contains("noq.h5", missingQ.Err);
        // wrong channel count
        var q5 = fx.Dir.File("q5.h5");
        WriteQ(q5, VopVerifierTests.RandomSet(5, 10, 1), 5);
        var ch = CliRunner.Run("vop", "verify", v, "--q", q5);
        Assert.Equal(2, ch.ExitCode);
        Assert.Contains("5 channels", ch.Err);
        var rep = CliRunner.Run("vop", "report", v, "--q", q5);
        Assert.Equal(2, rep.ExitCode);
        // compress argument checks happen before any work
        Assert.Equal(2, CliRunner.Run("vop", "compress", "--q", fx.QPath, "--margin", "-1", "-o", fx.Dir.File("o.h5")).ExitCode);
        Assert.Equal(2, CliRunner.Run("vop", "compress", "--q", fx.QPath, "--margin", "5%", "--partition", "3/2", "-o", fx.Dir.File("o.h5")).ExitCode);
        Assert.Equal(2, CliRunner.Run("vop", "compress", "--q", fx.QPath, "--margin", "0.05", "-o", fx.Dir.File("o.txt")).ExitCode);
        Assert.Equal(2, CliRunner.Run("vop", "compress", "--q", fx.QPath, "--margin", "0.05", "--algorithm", "magic", "-o", fx.Dir.File("o.h5")).ExitCode);
        var noCk = CliRunner.Run("vop", "compress", "--q", fx.QPath, "--margin", "0.05", "-o", fx.Dir.File("o.h5"), "--resume");
        Assert.Equal(2, noCk.ExitCode);
        Assert.Contains("checkpoint", noCk.Err);
        Assert.False(File.Exists(fx.Dir.File("o.h5")));
    }

    [Fact]
    public void ResumeWithACheckpointOfAnotherRunIsRefused()
    {
        using var fx = new Fixture();
        var o = fx.Dir.File("o.h5");
        File.WriteAllText(o + ".checkpoint.json", JsonSerializer.Serialize(new
        {
            input = "/elsewhere/q.h5", partition = (string?)null, algorithm = "iterative", margin_kind = "diagonal", margin = 0.05, target_vops = (int?)null,
            post_process = false, created_utc = "2026-11-22T00:00:00Z",
            checkpoint = new { iteration = 2, epsilon = 0.2, vop_source_indices = new[] { 1, 2 }, source_sha256 = "x", options_fingerprint = "y" },
        }));
        var r = CliRunner.Run("vop", "compress", "--q", fx.QPath, "--margin", "0.05", "-o", o, "--resume");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("another run", r.Err);
        File.WriteAllText(o + ".checkpoint.json", "{ not json");
        Assert.Equal(2, CliRunner.Run("vop", "compress", "--q", fx.QPath, "--margin", "0.05", "-o", o, "--resume").ExitCode);
    }

    [Fact]
    public void ReportShowsCertificateAndOverestimationStatistics()
    {
        using var fx = new Fixture();
        var v = fx.WriteSet("v.h5");
        var none = CliRunner.Run("vop", "report", v);
        Assert.Equal(0, none.ExitCode);
        Assert.Contains("none (run `sarkit vop verify`)", none.Out);
        Assert.Equal(0, CliRunner.Run("vop", "verify", v, "--q", fx.QPath, "--drives", "500").ExitCode);
        var r = CliRunner.Run("vop", "report", v, "--q", fx.QPath, "--drives", "4000", "--seed", "9", "--bins", "10", "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        var root = doc.RootElement;
        Assert.Equal(60, root.GetProperty("count").GetInt32());
        Assert.True(root.GetProperty("certificate").GetProperty("valid").GetBoolean());
        var o = root.GetProperty("overestimation");
        // the same statistics as the in-memory report with the same seed
        var expect = OverestimationReport.Compute(fx.Q, VopSetFiles.Read(v).Packed, fx.N, 4000, 9);
        Assert.Equal(expect.MeanRelative, o.GetProperty("mean_relative").GetDouble(), 12);
        Assert.Equal(expect.P95Relative, o.GetProperty("p95_relative").GetDouble(), 12);
        Assert.Equal(expect.MaxAbsoluteOverSarWc, o.GetProperty("max_absolute_over_sar_wc").GetDouble(), 12);
        Assert.Equal(0.05, expect.MaxAbsoluteOverSarWc, 9); // VOP = Q + 0.05·SAR_wc·I: absolute overestimation ≤ ε, reached where Q_i's VOP wins
        Assert.Equal(0, o.GetProperty("underestimating_drives").GetInt32());
        var h = o.GetProperty("relative_histogram");
        Assert.Equal(11, h.GetProperty("edges").GetArrayLength());
        Assert.Equal(4000, h.GetProperty("counts").EnumerateArray().Sum(x => x.GetInt64()));
        var table = CliRunner.Run("vop", "report", v, "--q", fx.QPath, "--drives", "1000");
        Assert.Equal(0, table.ExitCode);
        Assert.Contains("VALID", table.Out);
        Assert.Contains("Overestimation (relative)", table.Out);
    }

    [Fact]
    public void MergeRefusesUncertifiedOrMismatchedPartitions()
    {
        using var fx = new Fixture();
        var p1 = fx.WriteSet("p1.h5");
        var r = CliRunner.Run("vop", "merge", p1, "--q", fx.QPath, "--margin", "0.02", "-o", fx.Dir.File("m.h5"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("no certificate", r.Err);
        Assert.Equal(0, CliRunner.Run("vop", "verify", p1, "--q", fx.QPath, "--drives", "100").ExitCode);
        var q5 = fx.Dir.File("q5.h5");
        WriteQ(q5, VopVerifierTests.RandomSet(5, 60, 1), 5);
        var ch = CliRunner.Run("vop", "merge", p1, "--q", q5, "--margin", "0.02", "-o", fx.Dir.File("m.h5"));
        Assert.Equal(2, ch.ExitCode);
        Assert.Contains("channels", ch.Err);
        var cnt = CliRunner.Run("vop", "merge", p1, "--q", fx.QPath, fx.QPath, "--margin", "0.02", "-o", fx.Dir.File("m.h5"));
        Assert.Equal(2, cnt.ExitCode);
        Assert.Contains("cover 60", cnt.Err);
        Assert.False(File.Exists(fx.Dir.File("m.h5")));
    }

    [H5pyScipyFact]
    public void VerifyAdoptsAVopSetWrittenByScipyWithoutSarKitMetadata()
    {
        using var fx = new Fixture();
        var npz = fx.Dir.File("q.npz");
        // the originals and a VOP set (originals + 0.1·max λ_max·I) written by numpy/scipy only
        Python.Run("""
import sys, h5py, numpy as np, scipy.io
f = h5py.File(sys.argv[1], 'r'); m = f['matrices'][()]; q = m if np.iscomplexobj(m) else m['r'] + 1j * m['i']
wc = max(np.linalg.eigvalsh(x).max() for x in q)
v = q + 0.1 * wc * np.eye(q.shape[1])[None]
np.savez(sys.argv[2], matrices=q)
scipy.io.savemat(sys.argv[3], {'VOP': np.transpose(v, (1, 2, 0)), 'eps_G': 0.1})
""", fx.QPath, npz, fx.Dir.File("v.mat"));
        var r = CliRunner.Run("vop", "verify", fx.Dir.File("v.mat"), "--q", npz, "--drives", "500", "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("no SarKit source record", r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        Assert.True(doc.RootElement.GetProperty("certificate").GetProperty("valid").GetBoolean());
        var back = VopSetFiles.Read(fx.Dir.File("v.mat")); // now a v7.3 file with SarKit metadata and certificate
        Assert.True(back.HasValidCertificate(out var why), why);
        Assert.Equal(VopSet.HashMatrices(fx.Q), back.SourceSha256);
    }

    [Fact]
    public void PartitionBlocksAreContiguousAndCoverTheInput()
    {
        long total = 1767;
        long next = 0;
        for (int i = 1; i <= 7; i++)
        {
            var (first, count) = VopPartition.Range(VopPartition.Parse($"{i}/7"), total);
            Assert.Equal(next, first);
            Assert.InRange(count, total / 7, total / 7 + 1);
            next = first + count;
        }
        Assert.Equal(total, next);
        Assert.Throws<SarKitInputException>(() => VopPartition.Parse("0/3"));
        Assert.Throws<SarKitInputException>(() => VopPartition.Parse("2"));
        Assert.Equal(0.05, VopCommand.ParseMargin("5%"), 15);
    }

    [Fact]
    public void SummariseGivesSarWcAndHashOfTheInputs()
    {
        using var fx = new Fixture();
        var r = CliRunner.Run("vop", "summarise", "--q", fx.QPath, "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        Assert.Equal(fx.Wc, doc.RootElement.GetProperty("sar_wc").GetDouble());
        Assert.Equal(VopSet.HashMatrices(fx.Q), doc.RootElement.GetProperty("sha256").GetString());
        Assert.Equal(60, doc.RootElement.GetProperty("count").GetInt64());
        var two = CliRunner.Run("vop", "summarise", "--q", fx.QPath, fx.QPath, "--json");
        using var d2 = JsonDocument.Parse(two.Out);
        Assert.Equal(120, d2.RootElement.GetProperty("count").GetInt64());
        Assert.Equal(VopSet.HashMatrices(fx.Q.Concat(fx.Q).ToArray()), d2.RootElement.GetProperty("sha256").GetString());
    }

    // ---------------------------------------------------------------- needs the compressor (feat/vopalgo)

    [Fact]
    public void CompressWritesACertifiedSetAndRemovesTheCheckpoint()
    {
        using var fx = new Fixture(n: 4, count: 200, seed: 41);
        var o = fx.Dir.File("v.h5");
        var r = CliRunner.Run("vop", "compress", "--q", fx.QPath, "--margin", "0.1", "--algorithm", "lee-kuehne", "-o", o, "--drives", "2000", "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        var set = VopSetFiles.Read(o);
        Assert.True(set.HasValidCertificate(out var why), why);
        Assert.InRange(set.Count, 1, 200);
        Assert.Equal(VopSet.HashMatrices(fx.Q), set.SourceSha256);
        Assert.False(File.Exists(o + ".checkpoint.json"));
        Assert.Equal(0, CliRunner.Run("vop", "verify", o, "--q", fx.QPath, "--drives", "1000").ExitCode);
        foreach (var algo in new[] { "lee", "iterative", "hybrid", "eichfelder" })
        {
            var oa = fx.Dir.File($"v-{algo}.npz");
            var ra = CliRunner.Run("vop", "compress", "--q", fx.QPath, "--margin", "10%", "--algorithm", algo, "--margin-kind", "global", "-o", oa, "--drives", "500");
            Assert.True(ra.ExitCode == 0, algo + ": " + ra.Err);
            Assert.True(VopSetFiles.Read(oa).HasValidCertificate(out why), algo + ": " + why);
        }
    }

    [Fact]
    public void PartitionsMergeIntoASetCertifiedAgainstEveryOriginal()
    {
        using var fx = new Fixture(n: 4, count: 240, seed: 43);
        var parts = new List<string>();
        for (int i = 1; i <= 3; i++)
        {
            var p = fx.Dir.File($"p{i}.h5");
            var r = CliRunner.Run("vop", "compress", "--q", fx.QPath, "--margin", "0.03", "--partition", $"{i}/3", "--algorithm", "lee-kuehne", "-o", p, "--drives", "200");
            Assert.True(r.ExitCode == 0, r.Err);
            var s = VopSetFiles.Read(p);
            Assert.Equal(80, s.SourceCount);
            Assert.Equal(fx.Wc.ToString("R", System.Globalization.CultureInfo.InvariantCulture), s.Attributes["global_sar_wc"]);
            // the partition margin is ε·(global SAR_wc)·I
            Assert.Equal(0.03 * fx.Wc, s.Margin.Packed[0], 1e-12 * fx.Wc);
            parts.Add(p);
        }
        var m = fx.Dir.File("m.h5");
        var args = new List<string> { "vop", "merge" };
        args.AddRange(parts);
        args.AddRange(["--q", fx.QPath, "--margin", "0.02", "--algorithm", "lee-kuehne", "-o", m, "--drives", "2000", "--json"]);
        var mr = CliRunner.Run(args.ToArray());
        Assert.True(mr.ExitCode == 0, mr.Err);
        var merged = VopSetFiles.Read(m);
        Assert.True(merged.HasValidCertificate(out var why), why);
        Assert.Equal(240, merged.SourceCount);
        Assert.Equal(VopSet.HashMatrices(fx.Q), merged.SourceSha256);
        Assert.Equal(0.05, merged.Margin.Epsilon, 12); // composed bound ε_m + ε_p
        var rep = OverestimationReport.Compute(fx.Q, merged.Packed, fx.N, 5000, 1);
        Assert.True(rep.MinRelative >= -1e-12);
        Assert.True(rep.MaxAbsoluteOverSarWc <= 0.05 + 1e-9);
    }
}
