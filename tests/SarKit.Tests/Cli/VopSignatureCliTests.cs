using System.Numerics;
using SarKit.Compression;
using SarKit.IO;
using SarKit.Tests.Compression;
using SarKit.Tests.Supervision;
using SarKit.Tests.Support;
using Xunit;
using SarKit.IO.Formats;

namespace SarKit.Tests.Cli;

/// <summary>
/// Issue 14, class 3 through the CLI: `vop keygen|sign`, `vop verify --trusted-key`, `seq/pulse check --trusted-key` and
/// `seq/pulse check --vops … --q …` (re-verification), and the guarantee stated in the output. `pulse check` of a 3-channel
/// waveform is used (same options and code path as `seq check`); one test runs `seq check` on a 1-channel sequence.
/// </summary>
public class VopSignatureCliTests
{
    private static string WriteSeq(TempDir dir) => SeqCliTests.WriteSeq(dir);

    /// <summary>A real Q-matrix set file (QMatrixSetFile layout, as `seq check --q` reads it) of a small phantom, and its matrices.</summary>
    internal static (string Path, double[] Packed) RealQ(TempDir dir, int channels, string name)
    {
        var t = Support.TestPhantoms.Ellipsoid(8, 7, 9, 0.008, seed: 2);
        var e = Support.TestPhantoms.RandomFields(t.Grid, channels, seed: 3);
        var set = SarKit.Averaging.AveragedQMatrixSet.Compute(new SarKit.SarDataset(t, e), SarKit.Averaging.AveragingCubeSet.Build(t));
        var p = dir.File(name);
        QMatrixSetFile.Write(set, p);
        using var src = QMatrixSources.Open(p);
        var packed = new double[src.Count * channels * channels];
        src.Read(0, packed);
        return (p, packed);
    }

    private sealed class Fixture : IDisposable
    {
        public readonly TempDir Dir = new();
        public readonly string Seq, QPath, Vops, Forged, Key, Pub, OtherPub;
        public readonly VopSet Set;

        public Fixture()
        {
            Seq = WriteSeq(Dir);
            var (qp, q) = RealQ(Dir, VopCertificateTests.N, "q.h5");
            var s = VopCertificateTests.CertifiedFor(q, VopCertificateTests.N);
            Set = s;
            QPath = qp;
            Vops = Dir.File("v.h5");
            VopSetFiles.Write(s, Vops);
            // scaled by 0.1 with a recomputed, internally consistent certificate (what a bare hash cannot catch)
            var scaled = s.Packed.Select(x => 0.1 * x).ToArray();
            var f = VopCertificateTests.With(s, null, packed: scaled);
            f.Certificate = VopCertificateDigest.Seal(f, s.Certificate! with { VopSha256 = VopSet.HashMatrices(scaled) });
            Forged = Dir.File("forged.h5");
            VopSetFiles.Write(f, Forged);
            Assert.Equal(0, CliRunner.Run("vop", "keygen", "-o", Dir.File("k")).ExitCode);
            Assert.Equal(0, CliRunner.Run("vop", "keygen", "-o", Dir.File("other")).ExitCode);
            Key = Dir.File("k.private.pem"); Pub = Dir.File("k.public.pem"); OtherPub = Dir.File("other.public.pem");
        }

        /// <summary>`pulse check` of a 3-channel waveform (V): the same option set and VOP loading as `seq check` (SeqCommand.RunCheck).</summary>
        public CliRunner.Result Check(params string[] extra) =>
            CliRunner.Run(["pulse", "check", Path.Combine(Support.SharedData.RepoRoot, "tests", "SarKit.Tests", "data", "supervision", "ptx3_waveform.npz"), "--no-delay-search", .. extra]);

        public void Dispose() => Dir.Dispose();
    }

    [Fact]
    public void KeygenWritesPemKeysAndRefusesToOverwrite()
    {
        using var fx = new Fixture();
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(fx.Key));
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", File.ReadAllText(fx.Pub));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(fx.Key));
        var again = CliRunner.Run("vop", "keygen", "-o", fx.Dir.File("k"));
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("exists", again.Err);
    }

    [Theory]
    [InlineData("s.h5")]
    [InlineData("s.mat")]
    [InlineData("s.npz")]
    public void SignedSetPassesWithTheTrustedKeyAndIsRefusedWithAnotherOrWhenTampered(string name)
    {
        using var fx = new Fixture();
        var signed = fx.Dir.File(name);
        var sign = CliRunner.Run("vop", "sign", "--key", fx.Key, fx.Vops, "-o", signed);
        Assert.True(sign.ExitCode == 0, sign.Err);
        Assert.True(VopSignature.Verify(VopSetFiles.Read(signed), VopSignature.LoadPublicKey(fx.Pub), out var why), why);

        var ok = fx.Check("--vops", signed, "--trusted-key", fx.Pub);
        Assert.True(ok.ExitCode is 0 or 3, ok.Err);
        Assert.Contains("signature", ok.Out);

        var wrong = fx.Check("--vops", signed, "--trusted-key", fx.OtherPub);
        Assert.Equal(2, wrong.ExitCode);
        Assert.Contains("another key", wrong.Err);

        var unsigned = fx.Check("--vops", fx.Vops, "--trusted-key", fx.Pub);
        Assert.Equal(2, unsigned.ExitCode);
        Assert.Contains("not signed", unsigned.Err);

        // tampered after signing, with the digest recomputed: only the signature catches it
        var s = VopSetFiles.Read(signed);
        var scaled = s.Packed.Select(x => 0.1 * x).ToArray();
        var t = VopCertificateTests.With(s, null, packed: scaled);
        var sealedCert = VopCertificateDigest.Seal(t, s.Certificate! with { VopSha256 = VopSet.HashMatrices(scaled) });
        t.Certificate = sealedCert with { Signature = s.Certificate!.Signature, SignerKeySha256 = s.Certificate.SignerKeySha256 };
        var tp = fx.Dir.File("t" + Path.GetExtension(name));
        VopSetFiles.Write(t, tp);
        var tampered = fx.Check("--vops", tp, "--trusted-key", fx.Pub);
        Assert.Equal(2, tampered.ExitCode);
        Assert.Contains("signature", tampered.Err);
    }

    [Fact]
    public void SeqCheckStatesTheGuaranteeAndReVerifiesWithQ()
    {
        using var fx = new Fixture();
        var plain = fx.Check("--vops", fx.Vops);
        Assert.True(plain.ExitCode is 0 or 3, plain.Err);
        Assert.Contains("certificate digest only", plain.Out);

        var reverified = fx.Check("--vops", fx.Vops, "--q", fx.QPath);
        Assert.True(reverified.ExitCode is 0 or 3, reverified.Err);
        Assert.Contains("re-verified", reverified.Out);

        // the forged set (VOPs scaled by 0.1, digest recomputed) is only caught by re-verification or a signature
        var forgedPlain = fx.Check("--vops", fx.Forged);
        Assert.True(forgedPlain.ExitCode is 0 or 3, forgedPlain.Err);
        var forgedQ = fx.Check("--vops", fx.Forged, "--q", fx.QPath);
        Assert.Equal(2, forgedQ.ExitCode);
        Assert.Contains("FAILED", forgedQ.Err);
        Assert.Equal(2, fx.Check("--vops", fx.Forged, "--trusted-key", fx.Pub).ExitCode);
        Assert.Equal(2, fx.Check("--q", fx.QPath, "--trusted-key", fx.Pub).ExitCode); // a key without --vops
    }

    [Fact]
    public void SeqCheckOfAOneChannelSequenceRefusesTheForgedSetWithQAndStatesTheGuarantee()
    {
        using var dir = new TempDir();
        var seq = WriteSeq(dir);
        var (qPath, q) = RealQ(dir, 1, "q1.h5");
        var s = VopCertificateTests.CertifiedFor(q, 1);
        var vp = dir.File("v1.h5");
        VopSetFiles.Write(s, vp);
        var scaled = s.Packed.Select(x => 0.1 * x).ToArray();
        var f = VopCertificateTests.With(s, null, packed: scaled);
        f.Certificate = VopCertificateDigest.Seal(f, s.Certificate! with { VopSha256 = VopSet.HashMatrices(scaled) });
        var fp = dir.File("f1.h5");
        VopSetFiles.Write(f, fp);
        string[] Args(params string[] extra) => ["seq", "check", seq, "--calibration", "4 V/uT", "--no-delay-search", .. extra];
        var honest = CliRunner.Run(Args("--vops", vp, "--q", qPath));
        Assert.True(honest.ExitCode is 0 or 3, honest.Err);
        Assert.Contains("re-verified", honest.Out);
        var digestOnly = CliRunner.Run(Args("--vops", fp));
        Assert.True(digestOnly.ExitCode is 0 or 3, digestOnly.Err);
        Assert.Contains("certificate digest only", digestOnly.Out);
        var refused = CliRunner.Run(Args("--vops", fp, "--q", qPath));
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("FAILED", refused.Err);
    }

    [Fact]
    public void SeqCheckRefusesAnOldFormCertificateAndVopVerifyReCertifiesIt()
    {
        using var fx = new Fixture();
        var legacy = VopCertificateTests.With(fx.Set, fx.Set.Certificate! with { Version = 1, DigestSha256 = "" });
        var lp = fx.Dir.File("legacy.h5");
        VopSetFiles.Write(legacy, lp);
        var r = fx.Check("--vops", lp);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("sarkit vop verify", r.Err);
        var v = CliRunner.Run("vop", "verify", lp, "--q", fx.QPath, "--drives", "100");
        Assert.True(v.ExitCode == 0, v.Err);
        Assert.True(VopSetFiles.Read(lp).HasValidCertificate(out var why), why);
        Assert.True(fx.Check("--vops", lp).ExitCode is 0 or 3);
    }

    [Fact]
    public void VopVerifyWithTrustedKeyChecksTheSignatureAndDoesNotRewrite()
    {
        using var fx = new Fixture();
        var signed = fx.Dir.File("s.h5");
        Assert.Equal(0, CliRunner.Run("vop", "sign", "--key", fx.Key, fx.Vops, "-o", signed).ExitCode);
        var before = File.ReadAllBytes(signed);
        var ok = CliRunner.Run("vop", "verify", signed, "--q", fx.QPath, "--drives", "100", "--trusted-key", fx.Pub);
        Assert.True(ok.ExitCode == 0, ok.Err);
        Assert.Contains("signature", ok.Out);
        Assert.Equal(before, File.ReadAllBytes(signed));
        Assert.Equal(2, CliRunner.Run("vop", "verify", signed, "--q", fx.QPath, "--drives", "100", "--trusted-key", fx.OtherPub).ExitCode);
        Assert.Equal(2, CliRunner.Run("vop", "verify", fx.Vops, "--q", fx.QPath, "--drives", "100", "--trusted-key", fx.Pub).ExitCode);
        // signing needs the private key and a valid certificate
        Assert.Equal(2, CliRunner.Run("vop", "sign", "--key", fx.Pub, fx.Vops, "-o", fx.Dir.File("x.h5")).ExitCode);
        var legacy = VopCertificateTests.With(fx.Set, fx.Set.Certificate! with { Version = 1, DigestSha256 = "" });
        var lp = fx.Dir.File("legacy.h5");
        VopSetFiles.Write(legacy, lp);
        Assert.Equal(2, CliRunner.Run("vop", "sign", "--key", fx.Key, lp).ExitCode);
    }
}
