using System.CommandLine;
using System.Globalization;
using SarKit.Constraints;
using SarKit.Workflows;
using SarKit.Workflows.Results;
using Spectre.Console;

namespace SarKit.Cli.Commands;

/// <summary>`sarkit spokes`: spokes / kT-points pTx pulse under certified, time-averaged 10 g SAR limits (docs/pulse-design.md).</summary>
internal static class SpokesCommand
{
    public static Command Create(CliIO io)
    {
        var shared = new PulseDesignOptions("Local SAR constraint set(s), one design each, the first is written: all (every 10 g matrix, row generation), vop=FILE, vop-seeded=FILE (VOP design polished against every 10 g matrix), mvie=FILE.");
        var k = new Option<int>("--sub-pulses", "-K") { Description = "Number of sub-pulses (spokes / kT-points); 1 = RF shim.", DefaultValueFactory = _ => 3 }.Range(1, 64);
        var traj = new Option<string>("--trajectory") { Description = "Default k-space positions: kt (centre, +x, −x, +y, −y, +z, −z) or spokes (centre, ± the slice's in-plane axes, ± their diagonal).", DefaultValueFactory = _ => "kt" };
        traj.AcceptOnlyFromAmong("kt", "spokes");
        var kstep = new Option<double?>("--k-step") { Description = "Step of the default positions, rad/m (default 2π / largest extent of the region)." }.Range(0, 1e6);
        var kpos = new Option<string?>("--k") { Description = "Explicit k-space positions in rad/m, one per sub-pulse: 'kx,ky,kz;kx,ky,kz;…'." };
        var shape = new Option<string>("--shape") { Description = "Sub-pulse shape: hard or sinc (Hanning-windowed).", DefaultValueFactory = _ => "hard" };
        shape.AcceptOnlyFromAmong("hard", "sinc");
        var dur = new Option<double>("--sub-pulse-duration") { Description = "Sub-pulse duration, s (1 µs raster; a multiple of 10 µs with --seq-output).", DefaultValueFactory = _ => 0.2e-3 }.Range(1e-6, 1);
        var tbw = new Option<double>("--tbw") { Description = "Time-bandwidth product of the sinc.", DefaultValueFactory = _ => 4 }.Range(0, 100, minExclusive: true);
        var gap = new Option<double>("--gap") { Description = "Gap between sub-pulses (gradient blips), s.", DefaultValueFactory = _ => 0.1e-3 }.Range(0, 1);
        var tr = new Option<double>("--tr") { Description = "Repetition time, s: SAR and average power are averaged over it.", DefaultValueFactory = _ => 10e-3 }.Range(0, 1e4, minExclusive: true);
        var target = new Option<double>("--target-deg") { Description = "Target small-tip flip angle in the region, degrees.", DefaultValueFactory = _ => 10 }.Range(0, 90, minExclusive: true);
        var waveOut = new Option<string?>("--waveform-output") { Description = "Write the first design as a multi-channel waveform CSV, period = TR (sarkit pulse check)." };
        var seqOut = new Option<string?>("--seq-output") { Description = "Write the first design as a Pulseq file with RF_SHIMS (sarkit seq check --calibration '1 V/uT')." };
        var cmd = new Command("spokes", "Spokes / kT-points pTx pulse (small-tip MLS flip angle) under time-averaged local 10 g SAR (all matrices, VOPs or MVIE), global SAR and channel power limits; every design certified against all original 10 g matrices. Exit 3 when the written design needed scaling to meet a limit.")
            { k, traj, kstep, kpos, shape, dur, tbw, gap, tr, target, waveOut, seqOut };
        shared.AddTo(cmd);
        cmd.SetAction(p => io.Guard(() =>
        {
            bool js = p.GetValue(shared.Json);
            var request = shared.Apply(p, new SpokesRequest
            {
                FieldsPath = shared.FieldsPath(p),
                SubPulses = p.GetValue(k), Trajectory = p.GetValue(traj)!, KStepRadPerM = p.GetValue(kstep), KPositions = ParseK(p.GetValue(kpos)),
                Shape = p.GetValue(shape) == "sinc" ? SubPulseShape.Sinc : SubPulseShape.Hard, SubPulseDurationS = p.GetValue(dur), TimeBandwidth = p.GetValue(tbw),
                GapS = p.GetValue(gap), RepetitionTimeS = p.GetValue(tr), TargetFlipDeg = p.GetValue(target),
                WaveformOutput = p.GetValue(waveOut), SeqOutput = p.GetValue(seqOut),
            });
            var r = WorkflowProgress.Run(io, js, pr => SpokesDesign.Run(request, SarKitSettings.Default, pr));
            int code = r.Passed ? CliApp.ExitOk : CliApp.ExitCheckFailed;
            if (js) { ResultJson.Write(io.Out, r); return code; }
            string G(double v) => v.ToString("G4", CultureInfo.InvariantCulture);
            var info = new Table().AddColumn("Quantity").AddColumn("Value");
            void Row(string a, string b) => info.AddRow(new Text(a), new Text(b));
            Row("Dataset", r.InputFile);
            Row("B1+", $"{r.B1Origin}, {r.B1Convention}");
            Row("Region", $"{r.Roi}: {r.RoiVoxels} voxels, target {G(r.TargetFlipDeg)}°");
            Row("Pulse", $"{r.SubPulseCount} × {r.SubPulseShape} {G(r.SubPulseDurationS * 1e3)} ms ({r.Trajectory}), gap {G(r.GapS * 1e3)} ms, length {G(r.PulseLengthS * 1e3)} ms, TR {G(r.RepetitionTimeS * 1e3)} ms");
            Row("Limits", $"local 10 g {G(r.LocalLimitWPerKg)} W/kg, global ({r.GlobalRegion}) {(r.GlobalLimitWPerKg > 0 ? G(r.GlobalLimitWPerKg) + " W/kg" : "none")}, channel peak {PulseDesignOptions.PowerLimitText(r.ChannelPeakPowerW, r.ChannelPeakPowersW)}, channel average {PulseDesignOptions.PowerLimitText(r.ChannelAveragePowerW, r.ChannelAveragePowersW)} (time averages over TR)");
            Row("Certified against", $"{r.OriginalMatrices:N0} original 10 g Q-matrices ({r.OriginalSource})");
            if (r.WaveformFile.Length > 0) Row("Waveform written", r.WaveformFile);
            if (r.SeqFile.Length > 0) Row("Pulseq written", $"{r.SeqFile} (seq check --calibration '{r.SeqCalibration}')");
            io.Stdout().Write(info);
            var t = new Table().AddColumn("Constraints").AddColumn("Count").AddColumn("NRMSE").AddColumn("mean flip °").AddColumn("true peak 10 g W/kg")
                .AddColumn("set's SAR W/kg").AddColumn("global W/kg").AddColumn("power vs all").AddColumn("solve CPU s").AddColumn("verdict");
            foreach (var d in r.Designs)
                t.AddRow(d.Constraints, d.ConstraintCount.ToString("N0", CultureInfo.InvariantCulture), d.Nrmse.ToString("F4", CultureInfo.InvariantCulture), G(d.MeanFlipDeg),
                    G(d.PeakSar10gWPerKg), G(d.ConstraintSar10gWPerKg), G(d.GlobalSarWPerKg), d.PowerRelativeToAll is { } pr ? pr.ToString("F3", CultureInfo.InvariantCulture) : "-",
                    d.SolveCpuS.ToString("F2", CultureInfo.InvariantCulture), d.ScaledToLimit ? "SCALED (violated)" : d.Certified ? "certified" : "FAIL");
            io.Stdout().Write(t);
            foreach (var w in r.Warnings) io.Err.WriteLine($"warning: {w}");
            io.Out.WriteLine(r.Passed ? "PASS: the written pulse meets every limit on every original 10 g Q-matrix." : "FAIL: the optimised pulse violated a limit on the original matrices; the pulse written is scaled down to the limits.");
            return code;
        }));
        return cmd;
    }

    private static List<(double X, double Y, double Z)>? ParseK(string? text)
    {
        if (text is null) return null;
        var list = new List<(double, double, double)>();
        foreach (var part in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var v = part.Split(',', StringSplitOptions.TrimEntries);
            var d = new double[3];
            if (v.Length != 3 || !v.Select((s, i) => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out d[i]) && double.IsFinite(d[i])).All(b => b))
                throw new SarKitInputException($"--k '{text}': '{part}' is not 'kx,ky,kz' with three finite numbers (rad/m).");
            list.Add((d[0], d[1], d[2]));
        }
        if (list.Count == 0) throw new SarKitInputException($"--k '{text}': no positions.");
        return list;
    }
}
