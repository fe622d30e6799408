using System.Text.Json;
using SarKit.Constraints;
using SarKit.IO;
using SarKit.IO.Formats;

namespace SarKit.Tests.Cli;

public class MarginCliTests
{
    private static JsonElement ParseJson(string stdout)
    {
        using var doc = JsonDocument.Parse(stdout);
        return doc.RootElement.Clone();
    }

    private static string SmallDataset(TempDir dir)
    {
        var path = dir.File("small.h5");
        SarKitDatasetFile.Write(Margins.EFieldMarginTests.Small(4, 3), path);
        return path;
    }

    [Fact]
    public void CrPrintsSeedValues()
    {
        var r = CliRunner.Run("margin", "cr", "--r", "20");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("C_20 = 1.867", r.Out);
        var j = ParseJson(CliRunner.Run("margin", "cr", "--r", "2", "--json").Out);
        Assert.Equal(1 / Math.Sqrt(Math.PI), j.GetProperty("cr").GetDouble(), 10);
        Assert.Equal(2, CliRunner.Run("margin", "cr", "--r", "0").ExitCode);
    }

    [Fact]
    public void QeWritesProtectedSetThatMvieReduces()
    {
        using var dir = new TempDir();
        var ds = SmallDataset(dir);
        var qe = dir.File("qe.h5");
        var r = CliRunner.Run("margin", "qe", "--fields", ds, "--sigma-e", "15%", "--k", "3", "--r", "2", "-o", qe, "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        var j = ParseJson(r.Out);
        Assert.True(j.GetProperty("relative_increase").GetDouble() > 0);
        Assert.True(j.GetProperty("sigma_e_relative").GetBoolean());
        var set = QMatrixSetFile.Read(qe);
        Assert.Equal(4, set.Channels);
        Assert.Contains("Ferrand", set.Attributes["efield_margin"]);
        Assert.Equal(j.GetProperty("protected_peak_sar").GetDouble(), set.PeakSar(new SarKit.Fields.DriveVector(
            j.GetProperty("drive").GetProperty("amplitude").EnumerateArray().Zip(j.GetProperty("drive").GetProperty("phase_deg").EnumerateArray(),
                (a, p) => System.Numerics.Complex.FromPolarCoordinates(a.GetDouble(), p.GetDouble() * Math.PI / 180)))).Peak, 1e-6 * j.GetProperty("protected_peak_sar").GetDouble());

        var a = dir.File("a.h5");
        var m = CliRunner.Run("mvie", "--q", qe, "-o", a, "--samples", "200", "--json");
        Assert.True(m.ExitCode == 0, m.Err);
        var mj = ParseJson(m.Out);
        Assert.True(mj.GetProperty("certificate_passed").GetBoolean());
        Assert.True(mj.GetProperty("power_fraction").GetProperty("sqrt_n_bound_holds").GetBoolean());
        var file = MvieFile.Read(a);
        Assert.Equal(4, file.Channels);
        Assert.True(file.CertificatePassed);
        // the certificate in the file holds for every matrix of the input (independent recomputation)
        var (kmax, _) = MvieSolver.Certificate(set.Packed, 4, set.Count, file.Packed);
        Assert.True(kmax <= 1);
        Assert.Equal(mj.GetProperty("log_det").GetDouble(), file.LogDet, 12);
    }

    [Fact]
    public void QeAppliesMarginToVopFile()
    {
        using var dir = new TempDir();
        var ds = SmallDataset(dir);
        var qfile = dir.File("q.h5");
        Assert.Equal(0, CliRunner.Run("qmatrices", "--fields", ds, "-o", qfile).ExitCode);
        var q = QMatrixSetFile.Read(qfile);
        int n = q.Channels, n2 = n * n;
        var vops = new SarKit.Compression.VopSet(n, q.Packed, Enumerable.Range(0, q.Count).ToArray(),
            new SarKit.Compression.VopMargin(SarKit.Compression.VopMarginKind.Diagonal, 0, new double[n2]), SarKit.Compression.DominanceCriterion.Single,
            "identity", q.Count, SarKit.Compression.VopSet.HashMatrices(q.Packed), SarKit.Compression.VopSet.WorstCaseSar(q.Packed, n), q.Normalisation);
        var vin = dir.File("vops.h5"); var vout = dir.File("vops_qe.h5");
        VopSetFile.Write(vops, vin);
        var r = CliRunner.Run("margin", "qe", "--fields", ds, "--sigma-e", "10%", "-o", dir.File("qe.h5"), "--vops", vin, "--vops-output", vout, "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        double beta = ParseJson(r.Out).GetProperty("vop_margin_beta").GetDouble();
        Assert.True(beta > 0);
        var t = VopSetFile.Read(vout);
        Assert.Equal(vops.Count, t.Count);
        for (int i = 0; i < n; i++) Assert.Equal(vops.Packed[i] + beta, t.Packed[i], 1e-12 * t.Packed[i]);
        Assert.Equal(2, CliRunner.Run("margin", "qe", "--fields", ds, "--sigma-e", "10%", "-o", dir.File("qe2.h5"), "--vops", vin).ExitCode);
    }

    [Fact]
    public void ValidateReportsProbabilityNextToTarget()
    {
        using var dir = new TempDir();
        var ds = SmallDataset(dir);
        // 8 000 pooled trials: "within" needs ≤ 4 exceedances (Wilson upper bound ≤ 0.135 %), so a margin with an exceedance
        // probability of 1e-4 passes with probability 0.9986 and one at twice the target (0.27 %) with 5e-6 (binomial); at
        // 4 000 trials one exceedance already failed it (probability 0.33 for a correct margin at 1e-4)
        var r = CliRunner.Run("margin", "validate", "--fields", ds, "--sigma-e", "15%", "--trials", "2000", "--random-drives", "2", "--drive", "cp", "--json");
        Assert.True(r.ExitCode == 0, r.Err + r.Out);
        var j = ParseJson(r.Out);
        Assert.Equal(4 * 2000, j.GetProperty("trials").GetInt64());
        // within the target only when the upper confidence bound is at or below it
        Assert.True(j.GetProperty("ci_high").GetDouble() <= j.GetProperty("target").GetDouble());
        Assert.False(j.GetProperty("exceeds_target").GetBoolean());
        Assert.Equal(0, j.GetProperty("error_block_voxels").GetInt32());
        Assert.Equal(0.001349898, j.GetProperty("target").GetDouble(), 8);
        Assert.True(j.GetProperty("within_target").GetBoolean());
        var t = CliRunner.Run("margin", "validate", "--fields", ds, "--sigma-e", "0.5", "--trials", "100", "--random-drives", "1", "--distribution", "laplace");
        // 200 trials cannot show 0.135 %: no PASS (exit 3), whatever the exceedance count
        Assert.True(t.ExitCode == 3, t.Err);
        Assert.Contains("target 1 − Φ(k)", t.Out);
        // 100 trials × 2 drives cannot show 0.135 % (upper bound ≥ 1.9 % even without an exceedance)
        Assert.DoesNotContain("within the target", t.Out);
        var b = CliRunner.Run("margin", "validate", "--fields", ds, "--sigma-e", "15%", "--trials", "200", "--random-drives", "1", "--error-block", "1", "--json");
        Assert.True(b.ExitCode == 3, b.Err);
        Assert.Equal(1, ParseJson(b.Out).GetProperty("error_block_voxels").GetInt32());
    }

    [Fact]
    public void BadInputsExitWith2()
    {
        using var dir = new TempDir();
        var ds = SmallDataset(dir);
        Assert.Equal(2, CliRunner.Run("margin", "qe", "--fields", ds, "--sigma-e", "abc", "-o", dir.File("x.h5")).ExitCode);
        Assert.Equal(2, CliRunner.Run("margin", "qe", "--fields", ds, "--sigma-e", "10%", "-o", dir.File("x.npz")).ExitCode);
        Assert.Equal(2, CliRunner.Run("margin", "validate", "--fields", ds, "--sigma-e", "10%", "--distribution", "cauchy").ExitCode);
        Assert.Equal(2, CliRunner.Run("mvie", "--q", dir.File("missing.h5"), "-o", dir.File("a.h5")).ExitCode);
        Assert.Equal(2, CliRunner.Run("mvie", "--q", ds, "-o", dir.File("a.h5")).ExitCode); // a dataset, not a Q-matrix file
        Assert.DoesNotContain(dir.Files(), f => f is "x.h5" or "x.npz" or "a.h5");
    }
}
