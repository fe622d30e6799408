using System.Numerics;
using System.Text.Json;
using SarKit.Compression;
using SarKit.Fields;
using SarKit.IO.Formats;
using SarKit.Numerics.LinearAlgebra;
using SarKit.Supervision;
using SarKit.Tests.Cli;
using SarKit.Tests.Shared;
using SarKit.Workflows;

namespace SarKit.Tests.Compression;

/// <summary>
/// Surrogate-derived VOP sets (issue 15 item 6): the "surrogate-calibrated, not certified against true SAR" label is bound
/// by the certificate digest, survives every file format, and every reader shows it instead of a plain passing certificate.
/// </summary>
public class VopSarBasisTests
{
    private const string Coverage = "calibration: SF 1.1 = q0.95 (test fixture)";

    /// <summary>Eight random 3-channel PSD matrices (<see cref="TestMatrices.RandomPsd"/>), packed.</summary>
    private static double[] RandomQ(int seed) => TestMatrices.RandomPsd(seed, n: 3, k: 8);

    private static VopSet Certified(bool surrogate, FieldNormalisation normalisation = FieldNormalisation.PerAmpere)
    {
        var (set, r) = CertifiedVopCompression.Run(RandomQ(3), 3,
            new VopCompressionOptions { Epsilon = 0.1, Normalisation = normalisation, MaxDegreeOfParallelism = 1 },
            new VopVerifierOptions { RandomDrives = 200, MaxDegreeOfParallelism = 1 }, "fixture",
            s => { if (surrogate) VopSarBasis.MarkSurrogate(s, Coverage); });
        Assert.True(r.Certificate.Passed);
        return set;
    }

    [Fact]
    public void True_sar_sets_have_no_basis_and_an_unchanged_digest()
    {
        var set = Certified(surrogate: false);
        Assert.False(VopSarBasis.IsNotTrueSar(set));
        Assert.Null(VopSarBasis.Describe(set));
        Assert.True(set.HasValidCertificate(out var why), why);
        // the digest of a set without the attribute does not depend on the new fields: free attributes stay unbound
        set.Attributes["note"] = "free provenance";
        Assert.True(set.HasValidCertificate(out why), why);
        var d = VopSetOperations.Describe("report", "x.h5", set, null, null, 0);
        Assert.Null(d.SarBasis);
        Assert.Equal("", d.Certificate!.Reason);
    }

    [Theory]
    [InlineData(".h5")]
    [InlineData(".mat")]
    [InlineData(".npz")]
    public void The_label_is_bound_by_the_digest_and_survives_the_file(string ext)
    {
        using var tmp = new TempDir();
        var set = Certified(surrogate: true);
        Assert.True(set.HasValidCertificate(out var why), why); // a valid certificate of the predicted Q-matrices
        var path = tmp.File("s" + ext);
        VopSetFiles.Write(set, path);
        var back = VopSetFiles.Read(path);
        Assert.True(back.HasValidCertificate(out why), why);
        Assert.Equal(VopSarBasis.Surrogate, back.Attributes[VopSarBasis.AttributeKey]);
        Assert.Equal(Coverage, back.Attributes[VopSarBasis.CoverageKey]);
        Assert.StartsWith(VopSarBasis.Label, VopSarBasis.Describe(back));
        Assert.Contains(Coverage, VopSarBasis.Describe(back));

        // stripping the label (or editing the coverage) breaks the certificate: it can never pass as a true-SAR set
        var stripped = VopSetFiles.Read(path);
        stripped.Attributes.Remove(VopSarBasis.AttributeKey);
        stripped.Attributes.Remove(VopSarBasis.CoverageKey);
        Assert.False(stripped.HasValidCertificate(out why));
        Assert.Contains("digest", why);
        var edited = VopSetFiles.Read(path);
        edited.Attributes[VopSarBasis.CoverageKey] = "calibration: certified against true SAR";
        Assert.False(edited.HasValidCertificate(out _));
        // and supervision refuses the stripped file
        var strippedPath = tmp.File("stripped" + ext);
        VopSetFiles.Write(stripped, strippedPath);
        Assert.Throws<SarKitInputException>(() => TrustedVopSet.Load(strippedPath));
    }

    [Fact]
    public void An_unknown_basis_is_not_taken_for_true_sar()
    {
        var set = Certified(surrogate: false);
        set.Attributes[VopSarBasis.AttributeKey] = "something-else";
        Assert.True(VopSarBasis.IsNotTrueSar(set));
        Assert.Contains("not certified against true SAR", VopSarBasis.Describe(set));
        Assert.Contains("coverage not stated", VopSarBasis.Describe(set));
    }

    [Fact]
    public void Every_reader_states_the_label_instead_of_a_plain_valid_certificate()
    {
        using var tmp = new TempDir();
        var set = Certified(surrogate: true);
        var path = tmp.File("s.h5");
        VopSetFiles.Write(set, path);

        // library description (vop report/verify --json, web)
        var d = VopSetOperations.Describe("report", path, set, null, null, 0);
        Assert.StartsWith(VopSarBasis.Label, d.SarBasis);
        Assert.True(d.Certificate!.Valid);
        Assert.Contains("predicted Q-matrices only", d.Certificate.Reason);
        Assert.Contains("not certified against true SAR", d.Certificate.Reason);
        var page = VopSetOperations.DescribeForPage("file", "s.h5", path, set, null, null, null, null, 0);
        Assert.Contains("NOT a true-SAR certificate", page.CertificateNote);
        Assert.DoesNotContain("valid: passed", page.CertificateNote);

        // supervision: the trust statement and the observable's name carry the label
        var t = TrustedVopSet.Load(path, new TrustedVopSetOptions { AcceptNotTrueSar = true });
        Assert.StartsWith(VopSarBasis.Label, t.Statement);
        Assert.Contains(VopSarBasis.Label, SupervisionMatrixFiles.FromVops(t, SarMetric.LocalTrunk).Name);
        Assert.Contains(VopSarBasis.Label, SupervisionMatrixSets.FromVops(set, SarMetric.LocalTrunk, path, acceptNotTrueSar: true).Name);

        // CLI: vop report (table and --json)
        var r = CliRunner.Run("vop", "report", path);
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("not certified against true SAR", r.Out);
        Assert.Contains("SAR basis", r.Out);
        Assert.DoesNotMatch(@"Certificate\s*│\s*VALID\s*│", r.Out);
        var j = CliRunner.Run("vop", "report", path, "--json");
        Assert.True(j.ExitCode == 0, j.Err);
        var root = JsonDocument.Parse(j.Out).RootElement;
        Assert.StartsWith(VopSarBasis.Label, root.GetProperty("sar_basis").GetString());
        Assert.Contains("not certified against true SAR", root.GetProperty("certificate").GetProperty("reason").GetString());
    }

    [Fact]
    public void Supervision_refuses_a_surrogate_set_unless_the_user_accepts_it_explicitly()
    {
        using var tmp = new TempDir();
        var set = Certified(surrogate: true, FieldNormalisation.PerVoltIncident);
        var path = tmp.File("s.h5");
        VopSetFiles.Write(set, path);

        var e = Assert.Throws<SarKitInputException>(() => TrustedVopSet.Load(path));
        Assert.Contains(VopSarBasis.AttributeKey, e.Message);
        Assert.Contains("--accept-surrogate-vops", e.Message);
        Assert.Throws<SarKitInputException>(() => SupervisionMatrixSets.FromVops(set, SarMetric.LocalTrunk, path));
        // a set of true SAR is unaffected by the option
        var plain = Certified(surrogate: false, FieldNormalisation.PerVoltIncident);
        Assert.DoesNotContain(VopSarBasis.Label, SupervisionMatrixSets.FromVops(plain, SarMetric.LocalTrunk, "plain").Name);

        var waveform = Path.Combine(Support.SharedData.RepoRoot, "tests", "SarKit.Tests", "data", "supervision", "ptx3_waveform.npz");
        var refused = CliRunner.Run("pulse", "check", waveform, "--vops", path, "--mode", "first", "--json");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("--accept-surrogate-vops", refused.Err);
        var accepted = CliRunner.Run("pulse", "check", waveform, "--vops", path, "--mode", "first", "--json", "--accept-surrogate-vops");
        Assert.True(accepted.ExitCode is 0 or 3, accepted.Err);
        Assert.Contains(VopSarBasis.Label, accepted.Out);
    }
}
