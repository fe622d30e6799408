using System.CommandLine;
using System.Globalization;
using SarKit.Fields;
using SarKit.Workflows;
using SarKit.Workflows.Results;
using Spectre.Console;

namespace SarKit.Cli.Commands;

/// <summary>`sarkit shim`: RF shim (one spoke) by magnitude least squares under certified 10 g SAR limits (docs/pulse-design.md).</summary>
internal static class ShimCommand
{
    public static Command Create(CliIO io)
    {
        var fields = new Option<string?>("--fields", "-f") { Description = "Dataset file (.h5, .mat, .npz); default: the built-in demo dataset." };
        var q = new Option<string?>("--q") { Description = "Original 10 g Q-matrix file (sarkit qmatrices); default: computed from the dataset." };
        var cons = new Option<string[]>("--constraints", "-c")
        {
            Description = "Local SAR constraint set(s), one design each, the first is written: all (every 10 g matrix, row generation), vop=FILE, vop-seeded=FILE (VOP design polished against every 10 g matrix), mvie=FILE.",
            DefaultValueFactory = _ => ["all"], AllowMultipleArgumentsPerToken = true,
        };
        var target = new Option<double>("--target-ut") { Description = "Target |B1+| in the region, µT.", DefaultValueFactory = _ => 1.0 }.Range(0, 1e4, minExclusive: true);
        var limit = new Option<double>("--limit") { Description = "Local (10 g) SAR limit, time-averaged, W/kg.", DefaultValueFactory = _ => 10 }.Range(0, 1e6, minExclusive: true);
        var glimit = new Option<double>("--global-limit") { Description = "Global SAR limit over --global-region, time-averaged, W/kg (0: none).", DefaultValueFactory = _ => 3.2 }.Range(0, 1e6);
        var gregion = new Option<string>("--global-region") { Description = "Mask of the global SAR region (all tissue when the dataset has none).", DefaultValueFactory = _ => "body" };
        var ppk = new Option<double>("--channel-peak-power") { Description = "Per-channel peak incident power limit, W (0: none).", DefaultValueFactory = _ => 0 }.Range(0, 1e9);
        var pavg = new Option<double>("--channel-average-power") { Description = "Per-channel time-averaged incident power limit, W (0: none).", DefaultValueFactory = _ => 0 }.Range(0, 1e9);
        var duty = new Option<double>("--duty-cycle") { Description = "Fraction of time the shim is transmitted, (0, 1].", DefaultValueFactory = _ => 1 }.Range(0, 1, minExclusive: true);
        var slice = new Option<string?>("--slice") { Description = "Region of interest slice x|y|z=<mm> (nearest voxel layer, tissue only); default: the middle z layer." };
        var mask = new Option<string?>("--roi-mask") { Description = "Region of interest mask of the dataset (with --slice: their intersection)." };
        var sense = new Option<string>("--b1-sense") { Description = "B1+ = (Bx + iBy)/2 (counterclockwise, e^{+iωt}; B0 along −z) or (Bx − iBy)/2 (clockwise; B0 along +z).", DefaultValueFactory = _ => "counterclockwise" };
        sense.AcceptOnlyFromAmong("counterclockwise", "clockwise");
        var starts = new Option<int>("--starts") { Description = "Initial target-phase patterns (phase 0, then random).", DefaultValueFactory = _ => 5 }.Range(1, 1000);
        var seed = new Option<int>("--seed") { Description = "Seed of the random initial phases.", DefaultValueFactory = _ => 1 };
        var iters = new Option<int>("--max-iterations") { Description = "Variable-exchange iterations per start at most.", DefaultValueFactory = _ => 200 }.Range(1, 100_000);
        var driveOut = new Option<string?>("--drive-output", "-o") { Description = "Write the first design as a drive JSON file (sarkit sar --drive FILE)." };
        var waveOut = new Option<string?>("--waveform-output") { Description = "Write the first design as a block-pulse waveform CSV repeated every duration/duty (sarkit pulse check)." };
        var dur = new Option<double>("--pulse-duration") { Description = "Block pulse duration of --waveform-output, s.", DefaultValueFactory = _ => 1e-3 }.Range(1e-5, 10);
        var json = new Option<bool>("--json") { Description = "Print one JSON object on stdout (docs/json-schemas.md)." };
        var cmd = new Command("shim", "RF shim (one spoke): magnitude least squares of |Σ w_n B1+_n| to a target in a region, under local 10 g SAR (all matrices, VOPs or MVIE), global SAR and channel power limits; every design certified against all original 10 g matrices. Exit 3 when the written design needed scaling to meet a limit.")
            { fields, q, cons, target, limit, glimit, gregion, ppk, pavg, duty, slice, mask, sense, starts, seed, iters, driveOut, waveOut, dur, json };
        cmd.SetAction(p => io.Guard(() =>
        {
            bool js = p.GetValue(json);
            var request = new RfShimRequest
            {
                FieldsPath = p.GetValue(fields) ?? DemoData.Locate(), QPath = p.GetValue(q), Constraints = p.GetValue(cons) ?? ["all"],
                TargetUt = p.GetValue(target), LocalLimitWPerKg = p.GetValue(limit), GlobalLimitWPerKg = p.GetValue(glimit), GlobalRegion = p.GetValue(gregion)!,
                ChannelPeakPowerW = p.GetValue(ppk), ChannelAveragePowerW = p.GetValue(pavg), DutyCycle = p.GetValue(duty), Slice = p.GetValue(slice), RoiMask = p.GetValue(mask),
                Sense = p.GetValue(sense) == "clockwise" ? B1RotationSense.Clockwise : B1RotationSense.CounterClockwise,
                Starts = p.GetValue(starts), Seed = p.GetValue(seed), MaxIterations = p.GetValue(iters),
                DriveOutput = p.GetValue(driveOut), WaveformOutput = p.GetValue(waveOut), PulseDurationS = p.GetValue(dur),
            };
            var r = WorkflowProgress.Run(io, js, pr => RfShimDesign.Run(request, SarKitSettings.Default, pr));
            int code = r.Passed ? CliApp.ExitOk : CliApp.ExitCheckFailed;
            if (js) { ResultJson.Write(io.Out, r); return code; }
            string G(double v) => v.ToString("G4", CultureInfo.InvariantCulture);
            var info = new Table().AddColumn("Quantity").AddColumn("Value");
            void Row(string a, string b) => info.AddRow(new Text(a), new Text(b));
            Row("Dataset", r.InputFile);
            Row("B1+", $"{r.B1Origin}, {r.B1Convention}");
            Row("Region", $"{r.Roi}: {r.RoiVoxels} voxels, target {G(r.TargetUt)} µT");
            Row("Limits", $"local 10 g {G(r.LocalLimitWPerKg)} W/kg, global ({r.GlobalRegion}) {(r.GlobalLimitWPerKg > 0 ? G(r.GlobalLimitWPerKg) + " W/kg" : "none")}, channel peak {(r.ChannelPeakPowerW > 0 ? G(r.ChannelPeakPowerW) + " W" : "none")}, channel average {(r.ChannelAveragePowerW > 0 ? G(r.ChannelAveragePowerW) + " W" : "none")}, duty cycle {G(r.DutyCycle)}");
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
