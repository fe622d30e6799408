using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using SarKit.Workflows;
using SarKit.Workflows.Results;

namespace SarKit.Cli.Commands;

/// <summary>
/// `sarkit demo`: runs <see cref="SarKit.Workflows.Demo"/> on the built-in 8-channel 7 T openEMS dataset (docs/demo-data.md)
/// and renders its <see cref="DemoResult"/>. Exit code 0 when every check passes, 1 otherwise.
/// </summary>
internal static class DemoCommand
{
    public static Command Create(CliIO io)
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object on stdout (docs/json-schemas.md)." };
        var drives = new Option<int>("--random-drives") { Description = "Number of random drives for the Q-matrix check.", DefaultValueFactory = _ => 5 }.Range(0, 1_000_000);
        var cmd = new Command("demo", "Run the whole pipeline on the built-in openEMS demo data (8-channel 7 T dipole array) with self-checks.") { json, drives };
        cmd.SetAction(p => io.Guard(() => Run(io, p.GetValue(json), p.GetValue(drives))));
        return cmd;
    }

    private static int Run(CliIO io, bool json, int randomDrives)
    {
        if (randomDrives < 1) throw new SarKitInputException($"--random-drives {randomDrives}: need at least 1.");
        var request = new DemoRequest { DatasetPath = DemoData.Locate(), RandomDrives = randomDrives };
        var report = WorkflowProgress.Run(io, json, p => SarKit.Workflows.Demo.Run(request, SarKitSettings.Default, p));
        if (json) ResultJson.Write(io.Out, report);
        else Print(io.Stdout(), report);
        return report.AllChecksPass ? CliApp.ExitOk : CliApp.ExitCheckFailed;
    }

    private static string F(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
    private static string Mm(PointResult p) => $"({F(p.X * 1e3)}, {F(p.Y * 1e3)}, {F(p.Z * 1e3)})";
    private static string Pass(bool p) => p ? "PASS" : "FAIL";

    private static void Print(IAnsiConsole c, DemoResult r)
    {
        var d = r.Dataset;
        c.Write(new Rule("SarKit demo: 8-channel 7 T dipole array, openEMS (docs/demo-data.md)").LeftJustified());
        c.WriteLine($"Dataset  {d.InputFile}");
        c.WriteLine($"         {d.Layout} layout, {d.Grid.Nx}×{d.Grid.Ny}×{d.Grid.Nz} voxels of {F(d.Grid.SpacingM?.X * 1e3 ?? double.NaN)} mm, {d.Channels} channels ({d.Normalisation}), " +
                    $"{F((d.FrequencyHz ?? 0) / 1e6)} MHz, {d.TissueVoxels:N0} tissue voxels, {F(d.TissueMassKg ?? double.NaN)} kg");
        c.WriteLine("         For demonstration and tests only - not for safety decisions.");
        c.WriteLine();

        var t = new Table().Title("Point SAR of each channel (1 V peak incident on that port)")
            .AddColumn("Channel").AddColumn("Peak point SAR (W/kg)").AddColumn("≙ W/kg per W incident").AddColumn("Voxel (i, j, k)").AddColumn("At (x, y, z) mm").AddColumn("Max rel. diff vs openEMS");
        foreach (var ch in r.Channels)
            t.AddRow(new Text($"{ch.Channel} {ch.Name}"), new Text(F(ch.PeakPointSarWPerKg)), new Text(F(ch.PeakPointSarWPerKg * 100)),
                new Text($"({ch.PeakVoxelIndex.I}, {ch.PeakVoxelIndex.J}, {ch.PeakVoxelIndex.K})"), new Text(Mm(ch.PeakLocationM)),
                new Text(ch.OpenemsMaxRelDiff is { } x ? x.ToString("0.00e+0", CultureInfo.InvariantCulture) : "n/a"));
        c.Write(t);
        c.WriteLine();

        var cp = r.Cp;
        double pin = cp.Point.IncidentPowerW ?? double.NaN;
        var u = new Table().Title($"CP drive (amplitude 1 V, phase −360°·c/{d.Channels}; {F(pin)} W incident)")
            .AddColumn("Quantity").AddColumn("W/kg").AddColumn("W/kg per W incident").AddColumn("Voxel (i, j, k)").AddColumn("At (x, y, z) mm").AddColumn("Voxel status (valid/used/unused)");
        void Row(string name, PeakSarResult s, double value)
            => u.AddRow(new Text(name), new Text(F(value)), new Text(F(value / pin)),
                new Text($"({s.PeakVoxelIndex.I}, {s.PeakVoxelIndex.J}, {s.PeakVoxelIndex.K})"), new Text(Mm(s.PeakLocationM)),
                new Text(s.StatusCounts is { } st ? $"{st.Valid} / {st.Used} / {st.Unused}" : ""));
        Row("Peak point SAR", cp.Point, cp.Point.PeakSarWPerKg);
        Row("psSAR 10 g (IEC/IEEE 62704-1)", cp.TenGram, cp.TenGram.PeakSarWPerKg);
        Row("psSAR 1 g (IEC/IEEE 62704-1)", cp.OneGram, cp.OneGram.PeakSarWPerKg);
        u.AddRow(new Text("Whole-body SAR"), new Text(F(cp.Point.WholeBodySarWPerKg)), new Text(F(cp.Point.WholeBodySarWPerKg / pin)), new Text(""), new Text(""), new Text(""));
        u.AddRow(new Text("Absorbed power (W)"), new Text(F(cp.Point.AbsorbedPowerW)), new Text(F(cp.Point.AbsorbedPowerW / pin)), new Text(""), new Text(""), new Text(""));
        c.Write(u);
        c.WriteLine();

        c.WriteLine($"Averaged 10 g Q-matrix set: {r.Qmatrices.Count:N0} matrices ({r.Qmatrices.ValidCubes:N0} valid step-1 cubes + step-2 candidates), {r.Qmatrices.Channels}×{r.Qmatrices.Channels}.");
        c.WriteLine($"VOP set: {r.Vops.Count} VOPs at {r.Vops.Margin:P0} of SAR_wc ({F(r.Vops.SarWcWPerKg)} W/kg per unit drive²), certificate {(r.Vops.CertificatePassed ? "VALID" : "FAILED")} " +
                    $"({r.Vops.MatricesChecked:N0} matrices proven, largest violation {r.Vops.LargestViolation:G3}; {r.Vops.RandomDrives:N0} random drives, max relative underestimation {r.Vops.RandomMaxRelativeUnderestimation:G3}).");
        var k = new Table().Title("Checks").AddColumn("Check").AddColumn("Value").AddColumn("Tolerance").AddColumn("Result");
        foreach (var ch in r.Checks)
            k.AddRow(new Text(ch.Name + (ch.Note is null ? "" : $" ({ch.Note})")), new Text(ch.Value is { } v ? v.ToString("0.00e+0", CultureInfo.InvariantCulture) : "n/a"),
                new Text(ch.Tolerance.ToString("0e+0", CultureInfo.InvariantCulture)), new Markup(ch.Pass ? "[green]PASS[/]" : "[red]FAIL[/]"));
        c.Write(k);
        c.WriteLine($"Timings (s): {string.Join(", ", r.TimingsS.Select(kv => $"{kv.Key} {kv.Value:F3}"))}");
        c.WriteLine($"All checks: {Pass(r.AllChecksPass)}");
    }
}
