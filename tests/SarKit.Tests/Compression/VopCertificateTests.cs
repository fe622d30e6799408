using System.Security.Cryptography;
using SarKit.Compression;
using SarKit.Fields;
using SarKit.IO;
using SarKit.IO.Hdf5;
using SarKit.Sar;
using SarKit.Tests.Cli;
using Xunit;
using SarKit.IO.Arrays;
using SarKit.IO.Formats;

namespace SarKit.Tests.Compression;

/// <summary>
/// Issue 14, class 3: the VOP certificate binds the matrices, margin, SAR_wc, unit, counts and every certificate field
/// (canonical digest), signatures detect deliberate tampering, and re-verification against the originals detects a forged
/// certificate (docs/vop-format.md).
/// </summary>
public class VopCertificateTests
{
    internal const int N = 3;

    /// <summary>Originals (per V²), VOPs = originals + 5 % SAR_wc·I, certified by the real verifier.</summary>
    internal static (VopSet Set, double[] Q) Certified(int count = 12, int seed = 5, int n = N) =>
        (CertifiedFor(VopVerifierTests.RandomSet(n, count, seed, rank: 2), n), VopVerifierTests.RandomSet(n, count, seed, rank: 2));

    /// <summary>VOPs = <paramref name="q"/> + 5 % SAR_wc·I (per V²), certified by the real verifier against <paramref name="q"/>.</summary>
    internal static VopSet CertifiedFor(double[] q, int n)
    {
        int count = q.Length / (n * n);
        double wc = VopSet.WorstCaseSar(q, n);
        var z = new double[n * n];
        for (int i = 0; i < n; i++) z[i] = 0.05 * wc;
        var idx = Enumerable.Range(0, count).ToArray();
        var v = VopVerifierTests.PlusMargin(q, n, 0.05 * wc);
        var set = new VopSet(n, v, idx, new VopMargin(VopMarginKind.Diagonal, 0.05, z), DominanceCriterion.ConvexCombination, "test",
            count, VopSet.HashMatrices(q), wc, FieldNormalisation.PerVoltIncident);
        set.Attributes["source_file"] = "q.h5";
        using var src = new PackedQMatrixSource(q, n, "q", FieldNormalisation.PerVoltIncident);
        var r = VopVerifier.Certify(set, src, new VopVerifierOptions { RandomDrives = 200, Seed = 2 });
        Assert.True(r.Certificate.Passed, string.Join("; ", r.Problems));
        return set;
    }

    /// <summary>A set with other matrices/metadata carrying <paramref name="cert"/> unchanged (what an editor of the file produces).</summary>
    internal static VopSet With(VopSet s, VopCertificate? cert, double[]? packed = null, int[]? sourceIndex = null, VopMargin? margin = null,
        DominanceCriterion? criterion = null, string? algorithm = null, long? sourceCount = null, string? sourceSha = null, double? sarWc = null,
        FieldNormalisation? normalisation = null)
    {
        var r = new VopSet(s.Channels, packed ?? s.Packed, sourceIndex ?? s.SourceIndex, margin ?? s.Margin, criterion ?? s.Criterion, algorithm ?? s.Algorithm,
            sourceCount ?? s.SourceCount, sourceSha ?? s.SourceSha256, sarWc ?? s.SarWorstCase, normalisation ?? s.Normalisation);
        foreach (var (k, v) in s.Attributes) r.Attributes[k] = v;
        r.Certificate = cert;
        return r;
    }

    [Fact]
    public void AVerifiedSetHasAValidCurrentFormCertificate()
    {
        var (set, _) = Certified();
        Assert.True(set.HasValidCertificate(out var why), why);
        Assert.Equal(VopCertificateDigest.CurrentVersion, set.Certificate!.Version);
        Assert.Equal(64, set.Certificate.DigestSha256.Length);
        Assert.Equal(VopCertificateDigest.Compute(set, set.Certificate), set.Certificate.DigestSha256);
    }

    [Fact]
    public void ScaledVopsWithARecomputedSelfHashAreRefused()
    {
        var (set, _) = Certified();
        var scaled = set.Packed.Select(x => 0.1 * x).ToArray();
        // the attack of the issue: scale every VOP and recompute the (old) VOP hash
        var forged = With(set, set.Certificate! with { VopSha256 = VopSet.HashMatrices(scaled) }, packed: scaled);
        Assert.False(forged.HasValidCertificate(out var why));
        Assert.Contains("digest", why);
    }

    [Fact]
    public void ADroppedVopWithARecomputedSelfHashIsRefused()
    {
        var (set, _) = Certified();
        int nn = N * N;
        var fewer = set.Packed[nn..];
        var forged = With(set, set.Certificate! with { VopSha256 = VopSet.HashMatrices(fewer) }, packed: fewer, sourceIndex: set.SourceIndex[1..]);
        Assert.False(forged.HasValidCertificate(out _));
    }

    public static TheoryData<string> SetFields => new()
    {
        "sar_wc", "margin_epsilon", "margin_kind", "margin_matrix", "normalisation_unit", "source_count", "source_sha256", "criterion",
        "algorithm", "source_index", "one_vop_value",
    };

    [Theory]
    [MemberData(nameof(SetFields))]
    public void AnyChangeOfTheSetAfterCertificationIsRefused(string field)
    {
        var (s, _) = Certified();
        var c = s.Certificate!;
        var z2 = (double[])s.Margin.Packed.Clone(); z2[N] += 1e-3;
        var v2 = (double[])s.Packed.Clone(); v2[5] = BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(v2[5]) ^ 1);
        var t = field switch
        {
            "sar_wc" => With(s, c, sarWc: s.SarWorstCase * 10),
            "margin_epsilon" => With(s, c, margin: s.Margin with { Epsilon = 0.5 }),
            "margin_kind" => With(s, c, margin: s.Margin with { Kind = VopMarginKind.Global }),
            "margin_matrix" => With(s, c, margin: s.Margin with { Packed = z2 }),
            "normalisation_unit" => With(s, c, normalisation: FieldNormalisation.PerAmpere),
            "source_count" => With(s, c, sourceCount: s.SourceCount - 1),
            // both the set's and the certificate's source hash changed consistently
            "source_sha256" => With(s, c with { SourceSha256 = new string('0', 64) }, sourceSha: new string('0', 64)),
            "criterion" => With(s, c, criterion: DominanceCriterion.Single),
            "algorithm" => With(s, c, algorithm: "other"),
            "source_index" => With(s, c, sourceIndex: s.SourceIndex.Select(i => i + 1).ToArray()),
            "one_vop_value" => With(s, c with { VopSha256 = VopSet.HashMatrices(v2) }, packed: v2),
            _ => throw new ArgumentException(field),
        };
        Assert.True(s.HasValidCertificate(out var why0), why0);
        Assert.False(t.HasValidCertificate(out var why), field);
        Assert.False(string.IsNullOrEmpty(why));
    }

    public static TheoryData<string> CertificateFields => new()
    {
        "matrices_checked", "largest_violation", "largest_violation_index", "tolerance", "random_drives", "random_max_relative_underestimation",
        "verifier", "created_utc", "criterion", "digest", "version",
    };

    [Theory]
    [MemberData(nameof(CertificateFields))]
    public void AnyChangeOfACertificateFieldIsRefused(string field)
    {
        var (s, _) = Certified();
        var c = s.Certificate!;
        var c2 = field switch
        {
            "matrices_checked" => c with { MatricesChecked = c.MatricesChecked + 1 },
            "largest_violation" => c with { LargestViolation = c.LargestViolation * 0.5 },
            "largest_violation_index" => c with { LargestViolationIndex = c.LargestViolationIndex + 1 },
            "tolerance" => c with { Tolerance = c.Tolerance * 2 },
            "random_drives" => c with { RandomDrives = c.RandomDrives + 1 },
            "random_max_relative_underestimation" => c with { RandomMaxRelativeUnderestimation = c.RandomMaxRelativeUnderestimation - 1e-3 },
            "verifier" => c with { Verifier = "someone else" },
            "created_utc" => c with { CreatedUtc = c.CreatedUtc.AddSeconds(1) },
            "criterion" => c with { Criterion = DominanceCriterion.Single },
            "digest" => c with { DigestSha256 = new string('a', 64) },
            "version" => c with { Version = 1 },
            _ => throw new ArgumentException(field),
        };
        Assert.False(With(s, c2).HasValidCertificate(out _), field);
    }

    [Fact]
    public void FailedCountsOrAFailedVerdictAreRefusedEvenWithACorrectDigest()
    {
        var (s, _) = Certified();
        var c = s.Certificate!;
        var failed = With(s, null);
        failed.Certificate = VopCertificateDigest.Seal(failed, c with { MatricesFailed = 1 });
        Assert.False(failed.HasValidCertificate(out var why));
        Assert.Contains("failed", why);
        var notPassed = With(s, null);
        notPassed.Certificate = VopCertificateDigest.Seal(notPassed, c with { Passed = false });
        Assert.False(notPassed.HasValidCertificate(out why));
        var partial = With(s, null);
        partial.Certificate = VopCertificateDigest.Seal(partial, c with { MatricesChecked = c.MatricesChecked - 1 });
        Assert.False(partial.HasValidCertificate(out _));
        var violated = With(s, null);
        violated.Certificate = VopCertificateDigest.Seal(violated, c with { LargestViolation = 10 * c.Tolerance + 1 });
        Assert.False(violated.HasValidCertificate(out _));
    }

    [Fact]
    public void AnOldFormCertificateIsRefusedWithTheReVerifyAdvice()
    {
        var (s, _) = Certified();
        var legacy = With(s, s.Certificate! with { Version = 1, DigestSha256 = "" });
        Assert.False(legacy.HasValidCertificate(out var why));
        Assert.Contains("sarkit vop verify", why);
        Assert.Contains("old form", why);
    }

    [Theory]
    [InlineData("v.h5")]
    [InlineData("v.mat")]
    [InlineData("v.npz")]
    public void CertificateAndSignatureRoundTripInEveryLayout(string name)
    {
        using var dir = new TempDir();
        var (s, _) = Certified();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        s.Certificate = VopSignature.Sign(s, key);
        var p = dir.File(name);
        VopSetFiles.Write(s, p);
        var back = VopSetFiles.Read(p);
        Assert.Equal(s.Certificate, back.Certificate);
        Assert.True(back.HasValidCertificate(out var why), why);
        Assert.True(VopSignature.Verify(back, key, out why), why);
        Assert.Equal(s.Margin.Packed, back.Margin.Packed); // exact, also in .mat (sarkit_margin)
    }

    [Fact]
    public void ASignatureDetectsAnyChangeEvenWithARecomputedDigest()
    {
        var (s, _) = Certified();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        s.Certificate = VopSignature.Sign(s, key);
        Assert.True(VopSignature.Verify(s, key, out var why), why);

        // an attacker edits a value and recomputes the digest but cannot sign it
        var scaled = s.Packed.Select(x => 0.1 * x).ToArray();
        var forged = With(s, null, packed: scaled);
        var resealed = VopCertificateDigest.Seal(forged, s.Certificate! with { VopSha256 = VopSet.HashMatrices(scaled) });
        forged.Certificate = resealed with { Signature = s.Certificate.Signature, SignerKeySha256 = s.Certificate.SignerKeySha256 };
        Assert.True(forged.HasValidCertificate(out why), why); // the digest alone cannot tell (documented limit)
        Assert.False(VopSignature.Verify(forged, key, out why));
        Assert.Contains("signature", why);

        // one flipped bit anywhere in the canonical serialisation breaks the signature
        var c = VopCertificateDigest.CanonicalBytes(s, s.Certificate!);
        var sig = Convert.FromBase64String(s.Certificate!.Signature!);
        Assert.True(key.VerifyData(c, sig, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        for (int i = 0; i < c.Length; i++)
        {
            c[i] ^= 0x01;
            Assert.False(key.VerifyData(c, sig, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation), $"byte {i}");
            c[i] ^= 0x01;
        }
        // and one flipped bit of the signature itself
        sig[10] ^= 0x04;
        var badSig = With(s, s.Certificate with { Signature = Convert.ToBase64String(sig) });
        Assert.False(VopSignature.Verify(badSig, key, out _));
    }

    [Fact]
    public void WrongKeyAndUnsignedSetsAreRefused()
    {
        var (s, _) = Certified();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Assert.False(VopSignature.Verify(s, key, out var why));
        Assert.Contains("not signed", why);
        s.Certificate = VopSignature.Sign(s, key);
        Assert.False(VopSignature.Verify(s, other, out why));
        Assert.Contains("another key", why);
    }

    [Fact]
    public void SigningAnInvalidCertificateIsRefused()
    {
        var (s, _) = Certified();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var bad = With(s, s.Certificate, sarWc: 2 * s.SarWorstCase);
        Assert.Throws<SarKitInputException>(() => VopSignature.Sign(bad, key));
    }

    [Fact]
    public void ReVerificationCatchesAForgedCertificateAndOtherOriginals()
    {
        using var dir = new TempDir();
        var (s, q) = Certified();
        var qPath = dir.File("q.h5");
        SarKit.Tests.Cli.VopCliTests.WriteQ(qPath, q, N);
        // a forged, internally consistent certificate for VOPs that do not dominate the originals
        var scaled = s.Packed.Select(x => 0.5 * x).ToArray();
        var forged = With(s, null, packed: scaled);
        forged.Certificate = VopCertificateDigest.Seal(forged, s.Certificate! with { VopSha256 = VopSet.HashMatrices(scaled) });
        Assert.True(forged.HasValidCertificate(out var why), why);
        var fp = dir.File("forged.h5");
        VopSetFiles.Write(forged, fp);

        var digestOnly = TrustedVopSet.Load(fp);
        Assert.Equal(VopGuarantee.Digest, digestOnly.Guarantees);
        Assert.Contains("digest only", digestOnly.Statement);
        var e = Assert.Throws<SarKitInputException>(() => TrustedVopSet.Load(fp, new TrustedVopSetOptions { Originals = [qPath] }));
        Assert.Contains("FAILED", e.Message);

        // the honest set re-verifies; against other originals it is refused (hash bound in the certificate)
        var hp = dir.File("honest.h5");
        VopSetFiles.Write(s, hp);
        var ok = TrustedVopSet.Load(hp, new TrustedVopSetOptions { Originals = [qPath] });
        Assert.True(ok.Guarantees.HasFlag(VopGuarantee.ReVerified));
        Assert.Contains("re-verified", ok.Statement);
        var q2 = (double[])q.Clone();
        q2[0] *= 1.0000001;
        var q2Path = dir.File("q2.h5");
        SarKit.Tests.Cli.VopCliTests.WriteQ(q2Path, q2, N);
        e = Assert.Throws<SarKitInputException>(() => TrustedVopSet.Load(hp, new TrustedVopSetOptions { Originals = [q2Path] }));
        Assert.Contains("not the set bound", e.Message);
    }

    /// <summary>Copy of a VOP HDF5 file with one attribute (of "/" or "/certificate") replaced: a file edited with h5py.</summary>
    internal static void CopyWithAttribute(string src, string dst, string obj, string name, object value)
    {
        using var f = Hdf5File.OpenRead(src);
        using var g = Hdf5File.Create(dst);
        foreach (var d in new[] { "/vops", "/margin", "/source_index" }) g.WriteDataset(d, f.ReadDataset(d));
        foreach (var o in new[] { "/", "/certificate" })
        {
            if (o != "/") { if (!f.Exists(o)) continue; g.CreateGroup(o); }
            var names = f.AttributeNames(o).ToList();
            if (o == obj && !names.Contains(name)) names.Add(name);
            foreach (var a in names)
            {
                object v = o == obj && a == name ? value : f.ReadAttributeValue(o, a);
                switch (v)
                {
                    case string sv: g.WriteAttribute(o, a, sv); break;
                    case double dv: g.WriteAttribute(o, a, dv); break;
                    case long lv: g.WriteAttribute(o, a, lv); break;
                    case NdArray nv: g.WriteAttribute(o, a, nv); break;
                    default: throw new ArgumentException($"{a}: {v.GetType()}");
                }
            }
        }
    }

    [Theory]
    [InlineData("/", "sar_wc", "x10")]
    [InlineData("/", "margin_epsilon", "x10")]
    [InlineData("/", "margin_kind", "global")]
    [InlineData("/", "unit", "W/kg per A^2")]
    [InlineData("/", "normalisation", "per_ampere")]
    [InlineData("/", "source_count", "+1")]
    [InlineData("/", "criterion", "single")]
    [InlineData("/", "count", "+1")]
    [InlineData("/certificate", "matrices_failed", "+1")]
    [InlineData("/certificate", "matrices_checked", "+1")]
    [InlineData("/certificate", "passed", "0")]
    [InlineData("/certificate", "tolerance", "x10")]
    [InlineData("/certificate", "largest_violation", "x10")]
    [InlineData("/certificate", "verifier", "forged")]
    [InlineData("/certificate", "created_utc", "2020-01-01T00:00:00Z")]
    [InlineData("/certificate", "certificate_version", "1")]
    [InlineData("/certificate", "digest_sha256", "0000000000000000000000000000000000000000000000000000000000000000")]
    public void EditingOneHdf5AttributeMakesTheFileRefused(string obj, string name, string change)
    {
        using var dir = new TempDir();
        var (s, _) = Certified();
        var p = dir.File("v.h5");
        VopSetFiles.Write(s, p);
        var control = dir.File("control.h5");
        object old;
        using (var f = Hdf5File.OpenRead(p)) old = f.ReadAttributeValue(obj, name);
        object v = change switch
        {
            "x10" => ((NdArray)old).ToDouble()[0] * 10,
            "+1" => (long)((NdArray)old).ToDouble()[0] + 1,
            "0" => 0L,
            "1" => 1L,
            _ => change,
        };
        CopyWithAttribute(p, control, obj, name, old);
        CopyWithAttribute(p, dir.File("t.h5"), obj, name, v);
        Assert.True(VopSetFiles.Read(control).HasValidCertificate(out var why0), why0); // the copy itself is faithful
        bool refused;
        try { refused = !VopSetFiles.Read(dir.File("t.h5")).HasValidCertificate(out _); }
        catch (SarKitInputException) { refused = true; }
        Assert.True(refused, $"{obj} {name} {change}");
    }
}

/// <summary>
/// docs/vop-format.md "Certificate digest" re-implemented from the text only (field list and encoding), so that the
/// library and the specification a third party reads cannot drift apart.
/// </summary>
public class VopCertificateSpecTests
{
    private static void Field(List<byte> c, char type, string name, byte[] value)
    {
        c.Add((byte)type); c.Add((byte)name.Length); c.AddRange(System.Text.Encoding.ASCII.GetBytes(name)); c.AddRange(value);
    }
    private static byte[] I(long v) => BitConverter.GetBytes(v);
    private static byte[] F(double v) => BitConverter.GetBytes(v);
    private static byte[] S(string v) { var b = System.Text.Encoding.UTF8.GetBytes(v); return [.. BitConverter.GetBytes((uint)b.Length), .. b]; }
    private static byte[] H(byte[] data) => SHA256.HashData(data);
    private static byte[] Doubles(double[] v) => v.SelectMany(BitConverter.GetBytes).ToArray();

    [Fact]
    public void TheDigestFollowsTheDocumentedCanonicalSerialisation()
    {
        var (s, _) = VopCertificateTests.Certified();
        var c = s.Certificate!;
        var b = new List<byte>(System.Text.Encoding.ASCII.GetBytes("SARKIT-VOP-CERT"));
        Field(b, 'i', "certificate_version", I(2));
        Field(b, 's', "format", S("sarkit-vops"));
        Field(b, 'i', "channels", I(s.Channels));
        Field(b, 'i', "count", I(s.Count));
        Field(b, 'h', "vops_sha256", H(Doubles(s.Packed)));
        Field(b, 'h', "source_index_sha256", H(s.SourceIndex.SelectMany(BitConverter.GetBytes).ToArray()));
        Field(b, 's', "criterion", S("cc"));
        Field(b, 's', "algorithm", S(s.Algorithm));
        Field(b, 's', "margin_kind", S("diagonal"));
        Field(b, 'f', "margin_epsilon", F(s.Margin.Epsilon));
        Field(b, 'h', "margin_sha256", H(Doubles(s.Margin.Packed)));
        Field(b, 's', "normalisation", S("per_volt_incident"));
        Field(b, 's', "unit", S("W/kg per V^2"));
        Field(b, 'f', "sar_wc", F(s.SarWorstCase));
        Field(b, 'i', "source_count", I(s.SourceCount));
        Field(b, 's', "source_sha256", S(s.SourceSha256));
        Field(b, 'i', "passed", I(1));
        Field(b, 's', "certificate_criterion", S("cc"));
        Field(b, 'i', "matrices_checked", I(c.MatricesChecked));
        Field(b, 'i', "matrices_failed", I(c.MatricesFailed));
        Field(b, 'f', "largest_violation", F(c.LargestViolation));
        Field(b, 'i', "largest_violation_index", I(c.LargestViolationIndex));
        Field(b, 'f', "tolerance", F(c.Tolerance));
        Field(b, 'i', "random_drives", I(c.RandomDrives));
        Field(b, 'f', "random_max_relative_underestimation", F(c.RandomMaxRelativeUnderestimation));
        Field(b, 's', "certificate_source_sha256", S(c.SourceSha256));
        Field(b, 's', "certificate_vop_sha256", S(c.VopSha256));
        Field(b, 's', "verifier", S(c.Verifier));
        Field(b, 's', "created_utc", S(c.CreatedUtc.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(b.ToArray(), VopCertificateDigest.CanonicalBytes(s, c));
        Assert.Equal(Convert.ToHexString(SHA256.HashData(b.ToArray())).ToLowerInvariant(), c.DigestSha256);
    }
}
