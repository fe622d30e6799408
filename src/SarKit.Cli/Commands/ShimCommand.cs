using System.CommandLine;
using System.Globalization;
using SarKit.Workflows;
using SarKit.Workflows.Results;
using Spectre.Console;

namespace SarKit.Cli.Commands;

/// <summary>`sarkit shim`: RF shim (one spoke) by magnitude least squares under certified 10 g SAR limits (docs/pulse-design.md).</summary>
internal static class ShimCommand
{
    public static Command Create(CliIO io)
    {
        var shared = new PulseDesignOptions("Local SAR constraint set(s), one design each, the first is written: all (every 10 g matrix, row generation), vop=FILE, vop-seeded=FILE (VOP design polished against every 10 g matrix), mvie=FILE.");
        var target = new Option<double>("--target-ut") { Description = "Target |B1+| in the region, µT.", DefaultValueFactory = _ => 1.0 }.Range(0, 1e4, minExclusive: true);
        var duty = new Option<double>("--duty-cycle") { Description = "Fraction of time the shim is transmitted, (0, 1].", DefaultValueFactory = _ => 1 }.Range(0, 1, minExclusive: true);
        var driveOut = new Option<string?>("--drive-output", "-o") { Description = "Write the first design as a drive JSON file (sarkit sar --drive FILE)." };
        var waveOut = new Option<string?>("--waveform-output") { Description = "Write the first design as a block-pulse waveform CSV repeated every duration/duty (sarkit pulse check)." };
        var dur = new Option<double>("--pulse-duration") { Description = "Block pulse duration of --waveform-output, s.", DefaultValueFactory = _ => 1e-3 }.Range(1e-5, 10);
        var cmd = new Command("shim", "RF shim (one spoke): magnitude least squares of |Σ w_n B1+_n| to a target in a region, under local 10 g SAR (all matrices, VOPs or MVIE), global SAR and channel power limits; every design certified against all original 10 g matrices. Exit 3 when the written design needed scaling to meet a limit.")
            { target, duty, driveOut, waveOut, dur };
        shared.AddTo(cmd);
        cmd.SetAction(p => io.Guard(() =>
        {
            bool js = p.GetValue(shared.Json);
            var request = shared.Apply(p, new RfShimRequest
            {
                FieldsPath = shared.FieldsPath(p), TargetUt = p.GetValue(target), DutyCycle = p.GetValue(duty),
                DriveOutput = p.GetValue(driveOut), WaveformOutput = p.GetValue(waveOut), PulseDurationS = p.GetValue(dur),
            });
            var r = WorkflowProgress.Run(io, js, pr => RfShimDesign.Run(request, SarKitSettings.Default, pr));
            int code = r.Passed ? CliApp.ExitOk : CliApp.ExitCheckFailed;
            if (js) { ResultJson.Write(io.Out, r); return code; }
            string G(double v) => v.ToString("G4", CultureInfo.InvariantCulture);
            var info = new Table().AddColumn("Quantity").AddColumn("Value");
            void Row(string a, string b) => info.AddRow(new Text(a), new Text(b));
            Row("Dataset", r.InputFile);
            Row("B1+", $"{r.B1Origin}, {r.B1Convention}");
            Row("Region", $"{r.Roi}: {r.RoiVoxels} voxels, target {G(r.TargetUt)} µT");
            Row("Limits", $"local 10 g {G(r.LocalLimitWPerKg)} W/kg, global ({r.GlobalRegion}) {(r.GlobalLimitWPerKg > 0 ? G(r.GlobalLimitWPerKg) + " W/kg" : "none")}, channel peak {PulseDesignOptions.PowerLimitText(r.ChannelPeakPowerW, r.ChannelPeakPowersW)}, channel average {PulseDesignOptions.PowerLimitText(r.ChannelAveragePowerW, r.ChannelAveragePowersW)}, duty cycle {G(r.DutyCycle)}");
            Row("Certified against", $"{r.OriginalMatrices:N0} original 10 g Q-matrices ({r.OriginalSource})");
            if (r.MviePowerFraction is { } mp) Row("MVIE power fraction (random drives)", $"mean {mp.Mean:F3}, min {mp.Min:F3}, max {mp.Max:F3} over {mp.Samples}");
            if (r.DriveFile.Length > 0) Row("Drive written", r.DriveFile);
            if (r.WaveformFile.Length > 0) Row("Waveform written", r.WaveformFile);
            io.Stdout().Write(info);
            var t = new Table().AddColumn("Constraints").AddColumn("Count").AddColumn("NRMSE").AddColumn("mean |B1+| µT").AddColumn("true peak 10 g W/kg")
                .AddColumn("set's SAR W/kg").AddColumn("global W/kg").AddColumn("power vs all").AddColumn("dir. power fraction").AddColumn("solve CPU s").AddColumn("verdict");
            foreach (var d in r.Designs)
                t.AddRow(d.Constraints, d.ConstraintCount.ToString("N0", CultureInfo.InvariantCulture), d.Nrmse.ToString("F4", CultureInfo.InvariantCulture), G(d.MeanB1Ut),
                    G(d.PeakSar10gWPerKg), G(d.ConstraintSar10gWPerKg), G(d.GlobalSarWPerKg), d.PowerRelativeToAll is { } pr ? pr.ToString("F3", CultureInfo.InvariantCulture) : "-",
                    d.DirectionPowerFraction.ToString("F3", CultureInfo.InvariantCulture), d.SolveCpuS.ToString("F2", CultureInfo.InvariantCulture),
                    d.ScaledToLimit ? "SCALED (violated)" : d.Certified ? "certified" : "FAIL");
            io.Stdout().Write(t);
            foreach (var w in r.Warnings) io.Err.WriteLine($"warning: {w}");
            io.Out.WriteLine(r.Passed ? "PASS: the written design meets every limit on every original 10 g Q-matrix." : "FAIL: the optimised design violated a limit on the original matrices; the drive written is scaled down to the limits.");
            return code;
        }));
        return cmd;
    }
}
