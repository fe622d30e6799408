using System.Globalization;
using System.Text.Json;
using SarKit.Compression;
using SarKit.Engines;
using SarKit.Fields;
using SarKit.IO.Formats;
using SarKit.Tests.Cli;
using SarKit.Workflows;

namespace SarKit.Tests.PulseDesign;

/// <summary>
/// End to end on a small synthetic 4-channel dataset with H (closed-form fields of the field engine): Q-matrices, a
/// VOP set and the MVIE from the CLI, then shims under each; every design must hold every limit on every original.
/// </summary>
public class RfShimDesignTests
{
    private sealed class Fixture : IDisposable
    {
        public TempDir Dir { get; } = new();
        public string Data, Q, Vop, Mvie;
        public Fixture()
        {
            var ds = SyntheticDatasets.Ptx(4, (14, 12, 10), 0.02, 297.2e6, false, 0, includeH: true);
            Data = Dir.File("ds.h5"); Q = Dir.File("q.h5"); Vop = Dir.File("v.h5"); Mvie = Dir.File("a.h5");
            SarKitDatasetFile.Write(ds, Data);
            Assert.Equal(0, CliRunner.Run("qmatrices", "--fields", Data, "-o", Q).ExitCode);
            var v = CliRunner.Run("vop", "compress", "--q", Q, "--margin", "0.05", "-o", Vop);
            Assert.True(v.ExitCode == 0, v.Err);
            var m = CliRunner.Run("mvie", "--q", Q, "-o", Mvie, "--samples", "200");
            Assert.True(m.ExitCode == 0, m.Err);
        }
        public void Dispose() => Dir.Dispose();
    }

    private static readonly Lazy<Fixture> s_fixture = new(() => new Fixture());

    [Fact]
    public void EveryDesignHoldsEveryLimitOnTheOriginals()
    {
        var f = s_fixture.Value;
        var req = new RfShimRequest
        {
            FieldsPath = f.Data, QPath = f.Q, Constraints = ["all", $"vop={f.Vop}", $"mvie={f.Mvie}"], TargetUt = 1, LocalLimitWPerKg = 10, GlobalLimitWPerKg = 3.2,
            Starts = 3, Slice = "z=0",
        };
        var r = RfShimDesign.Run(req);
        Assert.Equal("from_h", r.B1Origin);
        Assert.Equal(4, r.Designs.Count); // all, vop, mvie, cp
        var q = QMatrixSetFile.Read(f.Q);
        foreach (var d in r.Designs)
        {
            Assert.True(d.Certified && !d.ScaledToLimit, $"{d.Constraints}: certified {d.Certified}, scaled {d.ScaledToLimit}");
            var w = d.Amplitude.Select((a, c) => System.Numerics.Complex.FromPolarCoordinates(a, d.PhaseDeg[c] * Math.PI / 180)).ToArray();
            double peak = SarKit.Constraints.ShimQcqp.Evaluate(q.Packed, 4, w).Max();   // independent re-check
            Assert.True(peak <= req.LocalLimitWPerKg, $"{d.Constraints}: {peak} W/kg");
            Assert.Equal(peak, d.PeakSar10gWPerKg, 1e-9 * peak);
            Assert.True(d.GlobalSarWPerKg <= req.GlobalLimitWPerKg);
            Assert.True(d.ConstraintSar10gWPerKg >= d.PeakSar10gWPerKg * (1 - 1e-9), $"{d.Constraints}: the set must bound the true SAR");
        }
        var all = r.Designs[0];
        Assert.True(r.Passed);
        Assert.Equal(1.0, r.Designs[0].PowerRelativeToAll!.Value, 12);
        // The shim with every matrix is at least as homogeneous as the CP drive scaled to the same limits.
        Assert.True(all.Nrmse <= r.Designs[^1].Nrmse + 1e-9, $"all {all.Nrmse} vs cp {r.Designs[^1].Nrmse}");
        Assert.NotNull(r.MviePowerFraction);
    }

    [Fact]
    public void VopSeededPolishIsCertifiedAndNoWorseThanTheVopDesign()
    {
        // vop-seeded: the VOP design polished against every original by row generation from that design. The VOP design is
        // feasible for the originals and each exchange step cannot increase the objective, so its NRMSE is no worse; it is
        // optimised and certified against the originals (its own SAR = the true SAR, up to the limit).
        var f = s_fixture.Value;
        var req = new RfShimRequest
        {
            FieldsPath = f.Data, QPath = f.Q, Constraints = [$"vop={f.Vop}", $"vop-seeded={f.Vop}", "all"], TargetUt = 1, LocalLimitWPerKg = 10, GlobalLimitWPerKg = 3.2,
            Starts = 3, Slice = "z=0",
        };
        var r = RfShimDesign.Run(req);
        var vop = r.Designs[0]; var seeded = r.Designs[1];
        Assert.Equal("vop-seeded", seeded.Constraints);
        Assert.True(seeded.Certified && !seeded.ScaledToLimit);
        var q = QMatrixSetFile.Read(f.Q);
        Assert.Equal(q.Count, seeded.ConstraintCount);
        var w = seeded.Amplitude.Select((a, c) => System.Numerics.Complex.FromPolarCoordinates(a, seeded.PhaseDeg[c] * Math.PI / 180)).ToArray();
        double peak = SarKit.Constraints.ShimQcqp.Evaluate(q.Packed, 4, w).Max();
        Assert.True(peak <= req.LocalLimitWPerKg, $"{peak} W/kg");
        Assert.Equal(peak, seeded.ConstraintSar10gWPerKg, 1e-9 * peak);
        Assert.True(seeded.Nrmse <= vop.Nrmse + 1e-7, $"vop-seeded {seeded.Nrmse} vs vop {vop.Nrmse}");
    }

    /// <summary>
    /// Writes a 4-channel "VOP set" = half of the three first originals of <paramref name="qPath"/>: it bounds nothing, so a
    /// design made with it breaks the limit on the originals (the certification must catch it).
    /// </summary>
    internal static void WriteNonDominatingVops(string qPath, string path)
    {
        var q = QMatrixSetFile.Read(qPath);
        int nn = 16;
        var packed = q.Packed.AsSpan(0, 3 * nn).ToArray().Select(x => x * 0.5).ToArray();
        var bad = new VopSet(4, packed, [0, 1, 2], new VopMargin(VopMarginKind.Diagonal, 0, new double[nn]), DominanceCriterion.Single, "test", q.Count,
            VopSet.HashMatrices(q.Packed), 1, q.Normalisation);
        VopSetFile.Write(bad, path);
    }

    [Fact]
    public void ANonDominatingSetIsCaughtScaledAndFails()
    {
        var f = s_fixture.Value;
        var path = f.Dir.File("bad.h5");
        WriteNonDominatingVops(f.Q, path);
        var drive = f.Dir.File("drive.json");
        var cli = CliRunner.Run("shim", "--fields", f.Data, "--q", f.Q, "-c", $"vop={path}", "--target-ut", "5", "--global-limit", "0", "--starts", "2", "-o", drive, "--json");
        Assert.Equal(3, cli.ExitCode);
        var j = JsonDocument.Parse(cli.Out).RootElement;
        Assert.False(j.GetProperty("passed").GetBoolean());
        var d0 = j.GetProperty("designs")[0];
        Assert.True(d0.GetProperty("scaled_to_limit").GetBoolean());
        Assert.False(d0.GetProperty("certified").GetBoolean());
        // the drive written is the scaled one and `sarkit sar` agrees it is within the limit
        var sar = CliRunner.Run("sar", "--fields", f.Data, "--drive", drive, "--json");
        Assert.True(sar.ExitCode == 0, sar.Err);
        double peak = JsonDocument.Parse(sar.Out).RootElement.GetProperty("peak_sar_w_per_kg").GetDouble();
        Assert.True(peak <= 10 * (1 + 1e-6), $"sarkit sar: {peak} W/kg");
        Assert.Equal(d0.GetProperty("peak_sar10g_w_per_kg").GetDouble(), peak, 1e-5 * peak);
    }

    [Fact]
    public void WaveformIsAcceptedByPulseCheck()
    {
        var f = s_fixture.Value;
        var wave = f.Dir.File("shim.csv");
        var cli = CliRunner.Run("shim", "--fields", f.Data, "--q", f.Q, "-c", $"vop={f.Vop}", "--starts", "1", "--duty-cycle", "0.1", "--waveform-output", wave, "--json");
        Assert.True(cli.ExitCode == 0, cli.Err);
        var pulse = CliRunner.Run("pulse", "check", wave, "--q", f.Q, "--json");
        Assert.True(pulse.ExitCode is 0 or 3, pulse.Err); // ran on valid input (the IEC limits it checks are its own)
        Assert.Contains("\"passed\"", pulse.Out);
    }

    [Fact]
    public void BadInputIsRefused()
    {
        var f = s_fixture.Value;
        Assert.Equal(2, CliRunner.Run("shim", "--fields", f.Data, "--q", f.Q, "-c", "nonsense").ExitCode);
        Assert.Equal(2, CliRunner.Run("shim", "--fields", f.Data, "--q", f.Q, "--slice", "z=9999").ExitCode);
        Assert.Equal(2, CliRunner.Run("shim", "--fields", f.Data, "--q", f.Q, "--duty-cycle", "0").ExitCode);
        Assert.Equal(2, CliRunner.Run("shim", "--fields", f.Data, "--q", f.Q, "-c", "vop=/no/such/file.h5").ExitCode);
    }
}
