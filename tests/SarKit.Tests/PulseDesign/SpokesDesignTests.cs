using System.Numerics;
using System.Text.Json;
using SarKit.Compression;
using SarKit.Constraints;
using SarKit.Engines;
using SarKit.IO.Formats;
using SarKit.Numerics.LinearAlgebra;
using SarKit.Tests.Cli;
using SarKit.Workflows;
using SarKit.Workflows.Results;

namespace SarKit.Tests.PulseDesign;

/// <summary>
/// Spokes / kT-points design (issue 20 item 3) on a small synthetic 4-channel dataset with H: K = 1 is the RF shim, the
/// time-averaged SAR of the written waveform is Σ_j c_j w_jᴴQw_j (checked by `pulse check` and `seq check`), every design
/// holds every limit on every original, a non-dominating set is caught.
/// </summary>
public class SpokesDesignTests
{
    private sealed class Fixture : IDisposable
    {
        public TempDir Dir { get; } = new();
        public string Data, Q, Vop;
        public Fixture()
        {
            var ds = SyntheticDatasets.Ptx(4, (14, 12, 10), 0.02, 297.2e6, false, 0, includeH: true);
            Data = Dir.File("ds.h5"); Q = Dir.File("q.h5"); Vop = Dir.File("v.h5");
            SarKitDatasetFile.Write(ds, Data);
            Assert.Equal(0, CliRunner.Run("qmatrices", "--fields", Data, "-o", Q).ExitCode);
            var v = CliRunner.Run("vop", "compress", "--q", Q, "--margin", "0.05", "-o", Vop);
            Assert.True(v.ExitCode == 0, v.Err);
        }
        public void Dispose() => Dir.Dispose();
    }

    private static readonly Lazy<Fixture> s_fixture = new(() => new Fixture());

    private static Complex[] Stacked(SpokesDesignResult d) =>
        d.SubPulses.SelectMany(s => s.Amplitude.Select((a, c) => Complex.FromPolarCoordinates(a, s.PhaseDeg[c] * Math.PI / 180))).ToArray();

    [Fact]
    public void OneHardSubPulseAtTheCentreIsTheRfShim()
    {
        var f = s_fixture.Value;
        const double tau = 1e-3, duty = 0.25, targetUt = 1.0;
        var shim = RfShimDesign.Run(new RfShimRequest
        {
            FieldsPath = f.Data, QPath = f.Q, Constraints = [$"vop={f.Vop}"], TargetUt = targetUt, DutyCycle = duty, Starts = 2, Slice = "z=0",
        });
        // θ = γ·τ·B1 in degrees: the same MLS problem scaled by a constant, with the same constraints (c = τ/TR = duty)
        double targetDeg = 360 * SarKit.Supervision.DriveCalibration.Gamma1H * tau * targetUt * 1e-6;
        var spokes = SpokesDesign.Run(new SpokesRequest
        {
            FieldsPath = f.Data, QPath = f.Q, Constraints = [$"vop={f.Vop}"], SubPulses = 1, SubPulseDurationS = tau, RepetitionTimeS = tau / duty,
            TargetFlipDeg = targetDeg, Starts = 2, Slice = "z=0",
        });
        var s = shim.Designs[0]; var p = spokes.Designs[0];
        Assert.Equal(duty, spokes.SarWeights[0], 12);
        Assert.Equal(s.Nrmse, p.Nrmse, 1e-6);
        Assert.Equal(s.PeakSar10gWPerKg, p.PeakSar10gWPerKg, 1e-5 * s.PeakSar10gWPerKg);
        Assert.Equal(s.GlobalSarWPerKg, p.GlobalSarWPerKg, 1e-5 * s.GlobalSarWPerKg);
        Assert.Equal(targetDeg / targetUt * s.MeanB1Ut, p.MeanFlipDeg, 1e-5 * p.MeanFlipDeg);
        var ws = s.Amplitude.Select((a, c) => Complex.FromPolarCoordinates(a, s.PhaseDeg[c] * Math.PI / 180)).ToArray();
        var wp = Stacked(p);
        // equal up to a common phase (MLS is invariant to it)
        Complex inner = 0; for (int c = 0; c < ws.Length; c++) inner += Complex.Conjugate(wp[c]) * ws[c];
        var ph = inner / inner.Magnitude;
        double diff = 0, norm = 0;
        for (int c = 0; c < ws.Length; c++) { diff += (ws[c] - ph * wp[c]).Magnitude * (ws[c] - ph * wp[c]).Magnitude; norm += ws[c].Magnitude * ws[c].Magnitude; }
        Assert.True(Math.Sqrt(diff / norm) < 1e-4, $"weights differ by {Math.Sqrt(diff / norm)} (relative)");
    }

    [Fact]
    public void EveryDesignHoldsEveryLimitOnTheOriginalsAndTheSetBoundsTheTrueSar()
    {
        var f = s_fixture.Value;
        var req = new SpokesRequest
        {
            FieldsPath = f.Data, QPath = f.Q, Constraints = ["all", $"vop={f.Vop}"], SubPulses = 3, TargetFlipDeg = 30, RepetitionTimeS = 2e-3,
            LocalLimitWPerKg = 10, GlobalLimitWPerKg = 3.2, Starts = 2, Slice = "z=0",
        };
        var r = SpokesDesign.Run(req);
        Assert.True(r.Passed);
        var q = QMatrixSetFile.Read(f.Q);
        foreach (var d in r.Designs)
        {
            Assert.True(d.Certified && !d.ScaledToLimit, d.Constraints);
            var w = Stacked(d);
            // independent re-check: the expanded (NK)×(NK) block-diagonal quadratic form on every original
            double peak = 0;
            for (int i = 0; i < q.Count; i++)
            {
                var block = SpokesSystem.BlockDiagonal(q.Packed.AsSpan(i * 16, 16), 4, r.SarWeights);
                peak = Math.Max(peak, ShimQcqp.Quad(block, w));
            }
            Assert.True(peak <= req.LocalLimitWPerKg * (1 + 1e-12), $"{d.Constraints}: {peak} W/kg");
            Assert.Equal(peak, d.PeakSar10gWPerKg, 1e-9 * peak);
            Assert.True(d.GlobalSarWPerKg <= req.GlobalLimitWPerKg * (1 + 1e-12));
            Assert.True(d.ConstraintSar10gWPerKg >= d.PeakSar10gWPerKg * (1 - 1e-9), $"{d.Constraints}: the set must bound the true SAR");
        }
        // at least one limit binds for the all-matrices design (otherwise the target is reachable without SAR cost)
        var all = r.Designs[0];
        Assert.True(all.LimitFractionUsed > 0.999 || all.GlobalSarWPerKg > 0.999 * req.GlobalLimitWPerKg || all.Nrmse < 0.05,
            $"all: local {all.LimitFractionUsed}, global {all.GlobalSarWPerKg}, NRMSE {all.Nrmse}");
        Assert.Equal(1.0, all.PowerRelativeToAll!.Value, 12);
    }

    [Fact]
    public void WaveformAndPulseqOutputGiveTheDesignedTimeAveragedSarInTheCheckers()
    {
        var f = s_fixture.Value;
        var wave = f.Dir.File("spokes.csv"); var seq = f.Dir.File("spokes.seq");
        var cli = CliRunner.Run("spokes", "--fields", f.Data, "--q", f.Q, "-c", $"vop={f.Vop}", "-K", "3", "--shape", "sinc", "--sub-pulse-duration", "4e-4",
            "--gap", "1e-4", "--tr", "5e-3", "--target-deg", "20", "--starts", "1", "--waveform-output", wave, "--seq-output", seq, "--json");
        Assert.True(cli.ExitCode == 0, cli.Err);
        var j = JsonDocument.Parse(cli.Out).RootElement;
        double designed = j.GetProperty("designs")[0].GetProperty("peak_sar10g_w_per_kg").GetDouble();
        Assert.True(designed > 0);
        static double Local360(string json)
        {
            foreach (var l in JsonDocument.Parse(json).RootElement.GetProperty("limits").EnumerateArray())
                if (l.GetProperty("metric").GetString() == "local_head" && l.GetProperty("window_s").GetDouble() == 360) return l.GetProperty("sar_w_per_kg").GetDouble();
            throw new InvalidOperationException("no local_head 360 s limit");
        }
        // raster-exact resolution: no edge-error bound; TR divides 360 s, so the 6-min average is the per-TR average
        var pulse = CliRunner.Run("pulse", "check", wave, "--q", f.Q, "--json", "--resolution", "1e-6", "--no-delay-search");
        Assert.True(pulse.ExitCode is 0 or 3, pulse.Err);
        Assert.Equal(designed, Local360(pulse.Out), 1e-9 * designed);
        var sc = CliRunner.Run("seq", "check", seq, "--q", f.Q, "--calibration", j.GetProperty("seq_calibration").GetString()!, "--json", "--resolution", "1e-6", "--no-delay-search");
        Assert.True(sc.ExitCode is 0 or 3, sc.Err);
        Assert.Equal("verified", JsonDocument.Parse(sc.Out).RootElement.GetProperty("signature").GetString());
        // the Pulseq amplitude is written with 17 significant digits and the shape with round-trip precision
        Assert.Equal(designed, Local360(sc.Out), 1e-9 * designed);
    }

    [Fact]
    public void ANonDominatingSetIsCaughtScaledAndFails()
    {
        var f = s_fixture.Value;
        var path = f.Dir.File("bad-spokes.h5");
        RfShimDesignTests.WriteNonDominatingVops(f.Q, path);
        var wave = f.Dir.File("bad.csv");
        var cli = CliRunner.Run("spokes", "--fields", f.Data, "--q", f.Q, "-c", $"vop={path}", "-K", "2", "--target-deg", "60", "--tr", "1e-3", "--global-limit", "0",
            "--starts", "1", "--waveform-output", wave, "--json");
        Assert.Equal(3, cli.ExitCode);
        var d0 = JsonDocument.Parse(cli.Out).RootElement.GetProperty("designs")[0];
        Assert.True(d0.GetProperty("scaled_to_limit").GetBoolean());
        Assert.False(d0.GetProperty("certified").GetBoolean());
        Assert.Contains("SCALED", File.ReadAllText(wave));
        var pulse = CliRunner.Run("pulse", "check", wave, "--q", f.Q, "--json", "--resolution", "1e-6", "--no-delay-search", "--limit", "local_head:360:1000");
        double sar = 0;
        foreach (var l in JsonDocument.Parse(pulse.Out).RootElement.GetProperty("limits").EnumerateArray())
            if (l.GetProperty("metric").GetString() == "local_head" && l.GetProperty("window_s").GetDouble() == 360) sar = Math.Max(sar, l.GetProperty("sar_w_per_kg").GetDouble());
        Assert.True(sar <= 10 * (1 + 1e-9), $"pulse check: {sar} W/kg");
    }

    [Fact]
    public void TheContinuationStartIsNeverWorseThanOneSubPulse()
    {
        // The first start of K = 3 begins at the K = 1 design (sub-pulse 1 at the k-space centre, the others zero), which is
        // feasible with the same objective; exchanges never increase it, so NRMSE(K = 3) ≤ NRMSE(K = 1) under the same limits.
        var f = s_fixture.Value;
        SpokesRequest Req(int k) => new()
        {
            FieldsPath = f.Data, QPath = f.Q, Constraints = [$"vop={f.Vop}"], SubPulses = k, TargetFlipDeg = 30, RepetitionTimeS = 2e-3, Starts = 1, Slice = "z=0", StartFromShim = true,
        };
        var one = SpokesDesign.Run(Req(1)).Designs[0];
        var three = SpokesDesign.Run(Req(3)).Designs[0];
        Assert.True(three.Nrmse <= one.Nrmse + 1e-6, $"K = 3 NRMSE {three.Nrmse} > K = 1 NRMSE {one.Nrmse}");
        Assert.True(three.Certified && one.Certified);
    }

    [Fact]
    public void SharedOptionsAreCheckedForBothCommands()
    {
        var f = s_fixture.Value;
        foreach (var cmd in new[] { "shim", "spokes" })
        {
            Assert.Equal(2, CliRunner.Run(cmd, "--fields", f.Data, "--q", f.Q, "--exchange-tolerance", "0.5").ExitCode);
            Assert.Equal(2, CliRunner.Run(cmd, "--fields", f.Data, "--q", f.Q, "--limit", "0").ExitCode);
            Assert.Equal(2, CliRunner.Run(cmd, "--fields", f.Data, "--q", f.Q, "-c", "mvie=/no/such/file.h5").ExitCode);
        }
        Assert.Throws<SarKitInputException>(() => SpokesDesign.Run(new SpokesRequest { FieldsPath = f.Data, QPath = f.Q, ExchangeTolerance = double.NaN }));
        Assert.Throws<SarKitInputException>(() => RfShimDesign.Run(new RfShimRequest { FieldsPath = f.Data, QPath = f.Q, Starts = 0 }));
    }

    [Fact]
    public void BadInputIsRefused()
    {
        var f = s_fixture.Value;
        Assert.Equal(2, CliRunner.Run("spokes", "--fields", f.Data, "--q", f.Q, "-K", "5", "--tr", "1e-3").ExitCode);             // TR shorter than the pulse
        Assert.Equal(2, CliRunner.Run("spokes", "--fields", f.Data, "--q", f.Q, "-K", "2", "--k", "0,0,0").ExitCode);             // 1 position for 2 sub-pulses
        Assert.Equal(2, CliRunner.Run("spokes", "--fields", f.Data, "--q", f.Q, "-K", "1", "--k", "0,0,x").ExitCode);
        Assert.Equal(2, CliRunner.Run("spokes", "--fields", f.Data, "--q", f.Q, "-K", "8").ExitCode);                              // default kT trajectory has 7
        Assert.Equal(2, CliRunner.Run("spokes", "--fields", f.Data, "--q", f.Q, "--target-deg", "0").ExitCode);
        Assert.Equal(2, CliRunner.Run("spokes", "--fields", f.Data, "--q", f.Q, "--sub-pulse-duration", "2.55e-4", "--seq-output", f.Dir.File("x.seq")).ExitCode);
        Assert.Equal(2, CliRunner.Run("spokes", "--fields", f.Data, "--q", f.Q, "-c", "vop=/no/such/file.h5").ExitCode);
        Assert.Equal(2, CliRunner.Run("spokes", "--fields", f.Data, "--q", f.Q, "--trajectory", "spiral").ExitCode);
        var seeded = CliRunner.Run("spokes", "--fields", f.Data, "--q", f.Q, "-c", "vop-seeded=" + f.Q); // a Q-matrix file is not a VOP file
        Assert.Equal(2, seeded.ExitCode);
        Assert.Equal(2, CliRunner.Run("spokes", "--fields", f.Data, "--q", f.Q, "-c", "vop-seeded=/no/such/file.h5").ExitCode);
    }

    [Fact]
    public void VopSeededSpokesAreCertifiedOnEveryOriginalAndNoWorseThanTheVopDesign()
    {
        // vop-seeded: the VOP design (same starts as the "vop" row) polished against every original by row generation from that
        // design. The VOP design is feasible for the originals and no exchange or direct step increases the MLS objective, so
        // the NRMSE cannot be worse; the polish is optimised against the originals, so its set's SAR is the true SAR and it
        // may use the headroom the VOP margin cut away. A polish that broke a limit, lost the VOP design or ignored the
        // originals would fail here. The target binds the SAR limit (30° at TR 2 ms), so the polish has something to do.
        var f = s_fixture.Value;
        var req = new SpokesRequest
        {
            FieldsPath = f.Data, QPath = f.Q, Constraints = [$"vop={f.Vop}", $"vop-seeded={f.Vop}", "all"], SubPulses = 3, TargetFlipDeg = 30,
            RepetitionTimeS = 2e-3, LocalLimitWPerKg = 10, GlobalLimitWPerKg = 3.2, Starts = 2, Slice = "z=0",
        };
        var r = SpokesDesign.Run(req);
        var vop = r.Designs[0]; var seeded = r.Designs[1]; var all = r.Designs[2];
        Assert.Equal("vop-seeded", seeded.Constraints);
        Assert.EndsWith("v.h5", seeded.ConstraintFile);
        var q = QMatrixSetFile.Read(f.Q);
        Assert.Equal(q.Count, seeded.ConstraintCount);
        Assert.True(seeded.Certified && !seeded.ScaledToLimit);
        // independent re-check on every original with the expanded (NK)×(NK) block-diagonal forms
        var w = Stacked(seeded);
        double peak = 0;
        for (int i = 0; i < q.Count; i++) peak = Math.Max(peak, ShimQcqp.Quad(SpokesSystem.BlockDiagonal(q.Packed.AsSpan(i * 16, 16), 4, r.SarWeights), w));
        Assert.True(peak <= req.LocalLimitWPerKg * (1 + 1e-12), $"{peak} W/kg");
        Assert.Equal(peak, seeded.PeakSar10gWPerKg, 1e-9 * peak);
        Assert.Equal(peak, seeded.ConstraintSar10gWPerKg, 1e-9 * peak); // optimised against the originals: its set's SAR is the true SAR
        Assert.True(seeded.GlobalSarWPerKg <= req.GlobalLimitWPerKg * (1 + 1e-12));
        Assert.True(vop.Certified && !vop.ScaledToLimit);
        Assert.True(seeded.Nrmse <= vop.Nrmse * (1 + 1e-7), $"vop-seeded {seeded.Nrmse} vs vop {vop.Nrmse}");
        Assert.Equal(seeded.Nrmse - all.Nrmse, seeded.NrmseExcessOverAll!.Value, 12);
        // the VOP design leaves headroom on the originals (the margin); the polish is not the VOP design unchanged
        Assert.True(vop.LimitFractionUsed < 0.999, $"VOP design uses {vop.LimitFractionUsed} of the limit: the margin costs nothing here, the test is void");
        Assert.True(seeded.Nrmse < vop.Nrmse * (1 - 1e-4), $"vop-seeded {seeded.Nrmse} vs vop {vop.Nrmse}: the polish changed nothing");
    }
}

/// <summary>Known answers of the spokes system matrix, the block-diagonal SAR form and the sub-pulse shapes.</summary>
public class SpokesSystemTests
{
    [Fact]
    public void TimeAveragedSarEqualsTheSampledWaveformIntegral()
    {
        var rng = new Random(3);
        int n = 3, kk = 3;
        var a = new Complex[n, n];
        // random Hermitian PSD Q = BᴴB
        var b = new Complex[n, n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) b[i, j] = new Complex(rng.NextDouble() - 0.5, rng.NextDouble() - 0.5);
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) for (int k = 0; k < n; k++) a[i, j] += Complex.Conjugate(b[k, i]) * b[k, j];
        var q = HermitianPacking.Pack(a);
        var w = Enumerable.Range(0, n * kk).Select(_ => new Complex(rng.NextDouble() - 0.5, rng.NextDouble() - 0.5)).ToArray();
        var pulse = SubPulse.Create(SubPulseShape.Sinc, 3e-4, 1e-6, 3);
        double tr = 5e-3;
        var c = Enumerable.Repeat(pulse.Energy / tr, kk).ToArray();
        // direct: Σ_t x_tᴴ Q x_t Δt / TR over the played samples x_t = w_j p(t)
        double direct = 0;
        for (int j = 0; j < kk; j++)
            foreach (var p in pulse.Samples)
            {
                var x = Enumerable.Range(0, n).Select(i => w[j * n + i] * p).ToArray();
                Complex s = 0;
                for (int i = 0; i < n; i++) for (int k = 0; k < n; k++) s += Complex.Conjugate(x[i]) * a[i, k] * x[k];
                direct += s.Real * pulse.RasterS / tr;
            }
        double viaSum = SpokesSystem.Evaluate(q, n, w, c)[0];
        double viaBlock = ShimQcqp.Quad(SpokesSystem.BlockDiagonal(q, n, c), w);
        Assert.Equal(direct, viaSum, 1e-12 * direct);
        Assert.Equal(direct, viaBlock, 1e-12 * direct);
    }

    [Fact]
    public void SystemMatrixCarriesTheKSpacePhaseAndTheArea()
    {
        int n = 2;
        var b1 = new Complex[] { new(1, 0), new(0, 2), new(3, 1), new(-1, 1) }; // 2 voxels × 2 channels
        var pos = new (double, double, double)[] { (0, 0, 0), (0.01, -0.02, 0.03) };
        var k = new (double, double, double)[] { (0, 0, 0), (10, 20, 30) };
        var a = SpokesSystem.SystemMatrix(b1, n, pos, k, [2e-4, 1e-4], 5);
        // voxel 1, sub-pulse 2, channel 2: 5·1e-4·e^{i(0.1 − 0.4 + 0.9)}·B1
        var expected = 5 * 1e-4 * Complex.FromPolarCoordinates(1, 0.1 - 0.4 + 0.9) * b1[3];
        Assert.Equal(expected.Real, a[1 * 4 + 1 * n + 1].Real, 15);
        Assert.Equal(expected.Imaginary, a[1 * 4 + 1 * n + 1].Imaginary, 15);
        Assert.Equal(5 * 2e-4 * b1[1], a[0 * 4 + 0 * n + 1]);
    }

    [Fact]
    public void ShapesHaveUnitPeakAndTheirAreaAndEnergy()
    {
        var hard = SubPulse.Create(SubPulseShape.Hard, 2e-4, 1e-6);
        Assert.Equal(200, hard.Samples.Length);
        Assert.Equal(2e-4, hard.Area, 15); Assert.Equal(2e-4, hard.Energy, 15);
        var sinc = SubPulse.Create(SubPulseShape.Sinc, 1e-3, 1e-6, 4);
        Assert.Equal(1.0, sinc.Samples.Max(Math.Abs), 12);
        Assert.Contains(sinc.Samples, x => x < 0); // side lobes
        Assert.True(sinc.Area > 0 && sinc.Area < 1e-3 && sinc.Energy > 0 && sinc.Energy < 1e-3);
        // symmetric about the centre
        for (int i = 0; i < 500; i++) Assert.Equal(sinc.Samples[i], sinc.Samples[999 - i], 12);
        Assert.Throws<SarKitInputException>(() => SubPulse.Create(SubPulseShape.Hard, 0, 1e-6));
    }
}
