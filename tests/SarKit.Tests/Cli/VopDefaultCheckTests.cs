using System.Text.Json;
using SarKit.Compression;
using SarKit.IO.Formats;
using SarKit.Tests.Compression;
using SarKit.Workflows;

namespace SarKit.Tests.Cli;

/// <summary>
/// `vop compress` by default: the CC proof for every original is the certificate; the random-drive check beside it runs
/// the automatic budget (<see cref="VopVerifierSettings.AutoDrives"/>), and the output says exactly what was checked.
/// </summary>
public class VopDefaultCheckTests
{
    [Fact]
    public void Automatic_drive_budget_is_bounded_monotone_and_within_its_limits()
    {
        int previous = int.MaxValue;
        foreach (long k in new long[] { 1, 10, 1767, 32_780, 87_533, 1_000_000, 100_000_000 })
            foreach (int n in new[] { 2, 8, 16, 32 })
            {
                int d = VopVerifierSettings.AutoDrives(k, n);
                Assert.InRange(d, VopVerifierSettings.AutoMinDrives, VopVerifierSettings.AutoMaxDrives);
                // within the budget unless held at the floor
                if (d > VopVerifierSettings.AutoMinDrives) Assert.True((double)d * k * n * n <= VopVerifierSettings.AutoBudget, $"K {k}, N {n}: {d} drives");
                // the largest count within the budget unless held at the ceiling
                if (d < VopVerifierSettings.AutoMaxDrives) Assert.True((d + 1.0) * k * n * n > VopVerifierSettings.AutoBudget, $"K {k}, N {n}: {d} drives");
                if (n == 8) { Assert.True(d <= previous); previous = d; }
            }
        Assert.Equal(VopVerifierSettings.AutoMaxDrives, VopVerifierSettings.AutoDrives(1, 2));
        Assert.Equal(VopVerifierSettings.AutoMinDrives, VopVerifierSettings.AutoDrives(100_000_000, 32));
        Assert.Equal(1234, new VopVerifierSettings(Drives: 1234).DrivesFor(32_780, 8));
        Assert.True(new VopVerifierSettings().IsAutomatic);
        Assert.Equal(VopVerifierSettings.AutoDrives(32_780, 8), new VopVerifierSettings().DrivesFor(32_780, 8));
    }

    [Fact]
    public void Compress_by_default_certifies_with_the_automatic_budget_and_says_what_it_checked()
    {
        using var dir = new TempDir();
        const int n = 4, k = 60;
        var q = VopVerifierTests.RandomSet(n, k, 31, rank: 2);
        var qPath = dir.File("q.h5");
        VopCliTests.WriteQ(qPath, q, n);

        var r = CliRunner.Run("vop", "compress", "--q", qPath, "--margin", "0.1", "-o", dir.File("a.h5"), "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        var cert = JsonDocument.Parse(r.Out).RootElement.GetProperty("certificate");
        Assert.Equal(k, cert.GetProperty("matrices_checked").GetInt64());
        Assert.Equal(VopVerifierSettings.AutoDrives(k, n), cert.GetProperty("random_drives").GetInt64());

        var text = CliRunner.Run("vop", "compress", "--q", qPath, "--margin", "0.1", "-o", dir.File("b.h5"));
        Assert.True(text.ExitCode == 0, text.Err);
        Assert.Contains($"certificate: CC proof for all {k} originals; random check: {VopVerifierSettings.AutoDrives(k, n):N0} drives (automatic budget", text.Out);

        var none = CliRunner.Run("vop", "compress", "--q", qPath, "--margin", "0.1", "-o", dir.File("c.h5"), "--drives", "0");
        Assert.True(none.ExitCode == 0, none.Err);
        Assert.Contains($"CC proof for all {k} originals; random check: not run (opt-in: --drives N)", none.Out);
        Assert.True(VopSetFiles.Read(dir.File("c.h5")).HasValidCertificate(out var why), why);

        var many = CliRunner.Run("vop", "compress", "--q", qPath, "--margin", "0.1", "-o", dir.File("d.h5"), "--drives", "5000", "--json");
        Assert.True(many.ExitCode == 0, many.Err);
        Assert.Equal(5000, JsonDocument.Parse(many.Out).RootElement.GetProperty("certificate").GetProperty("random_drives").GetInt64());
    }
}
