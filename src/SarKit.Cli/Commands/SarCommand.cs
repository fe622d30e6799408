using System.CommandLine;
using System.Globalization;
using SarKit.Averaging;
using Spectre.Console;
using SarKit.Workflows;
using SarKit.Workflows.Results;

namespace SarKit.Cli.Commands;

/// <summary>
/// `sarkit sar`: peak point SAR or IEC/IEEE 62704-1 peak spatial-average SAR (psSAR) of one drive, whole-body/head SAR
/// and absorbed power; optionally writes the maps. Parses the options, runs <see cref="PeakSarEvaluation.Run"/> and
/// renders its <see cref="PeakSarResult"/>.
/// </summary>
internal static class SarCommand
{
    public static Command Create(CliIO io)
    {
        var fields = new Option<string>("--fields", "-f") { Description = "Dataset file (.h5, .mat, .npz).", Required = true };
        var drive = new Option<string>("--drive", "-d")
        {
            Description = "Drive: 'a0@p0,a1@p1,…' (amplitude in the dataset's drive unit @ phase in degrees), a .json drive file, or 'cp' (amplitude 1, phase −360°·c/N).",
            Required = true,
        };
        var mass = new Option<string>("--mass", "-m") { Description = "Averaging mass: 10g, 1g, any mass (e.g. 0.5g, 0.01kg), or 'point' for unaveraged SAR.", DefaultValueFactory = _ => "10g" };
        var region = new Option<string?>("--region", "-r") { Description = "Search the peak only inside this mask (e.g. body, head)." };
        var output = new Option<string?>("--output", "-o") { Description = "Write the SAR maps [nz,ny,nx] to this .h5, .npz or .mat (MATLAB v7: size [nx,ny,nz]) file." };
        var plot = new Option<string?>("--plot") { Description = "Write a picture of the reported map's slice z through the peak (.png or .svg: x, y in mm, colour bar in W/kg)." };
        var pad = PadOption();
        var json = new Option<bool>("--json") { Description = "Print one JSON object on stdout (docs/json-schemas.md)." };
        var cmd = new Command("sar", "Peak SAR (point or IEC/IEEE 62704-1 mass-averaged), whole-body/head SAR and absorbed power of a drive.")
            { fields, drive, mass, region, pad, output, plot, json };
        cmd.SetAction(p => io.Guard(() => Run(io, p.GetValue(fields)!, p.GetValue(drive)!, p.GetValue(mass)!, p.GetValue(region), p.GetValue(pad), p.GetValue(output), p.GetValue(plot), p.GetValue(json))));
        return cmd;
    }

    internal static Option<string> PadOption() => new("--pad")
    {
        Description = "Air voxels added around the model before averaging (cubes must fit in the domain): 'auto' adds what the model's air margin lacks (1.5 cube sides), or a number.",
        DefaultValueFactory = _ => "auto",
    };

    /// <summary>null for point SAR, else the averaging mass in kg.</summary>
    internal static double? ParseMass(string text)
    {
        if (text.Trim().Equals("point", StringComparison.OrdinalIgnoreCase)) return null;
        double kg;
        try { kg = AveragingOptions.ParseMassKg(text); }
        catch (SarKitInputException e) { throw new SarKitInputException($"--mass: {e.Message} Use 'point' for unaveraged SAR.", e); }
        if (!OptionRanges.InRange(kg, MinMassKg, MaxMassKg))
            throw new SarKitInputException($"--mass '{text}': {kg:G6} kg is outside the supported averaging masses [1 mg, 1 kg] (IEC/IEEE 62704-1 uses 1 g and 10 g). Use 'point' for unaveraged SAR.");
        return kg;
    }

    /// <summary>Smallest and largest averaging mass the CLI accepts, kg (docs/cli.md).</summary>
    internal const double MinMassKg = 1e-6, MaxMassKg = 1.0;

    /// <summary>Parses --pad: "auto" (null) or a number of air voxels in [0, <see cref="PreparedAveraging.MaxPad"/>].</summary>
    internal static int? ParsePad(string? text)
    {
        if (text is null || text.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase)) return null;
        if (int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n <= PreparedAveraging.MaxPad) return n;
        throw new SarKitInputException($"--pad '{text}': expected 'auto' or a number of air voxels in [0, {PreparedAveraging.MaxPad}].");
    }

    private static int Run(CliIO io, string fieldsPath, string driveText, string massText, string? region, string? padText, string? output, string? plot, bool json)
    {
        var request = new PeakSarRequest
        {
            FieldsPath = fieldsPath, Drive = driveText, DriveLabel = "--drive", MassKg = ParseMass(massText), AirPaddingCells = ParsePad(padText),
            Region = region, OutputPath = output, PlotPath = plot,
        };
        var r = WorkflowProgress.Run(io, json, p => PeakSarEvaluation.Run(request, SarKitSettings.Default, p)).Result;
        if (json) ResultJson.Write(io.Out, r);
        else
        {
            Print(io.Stdout(), r);
            if (plot is not null) io.Stdout().MarkupLine($"Slice picture written: {Markup.Escape(Path.GetFullPath(plot))}");
        }
        return CliApp.ExitOk;
    }

    internal static string Grams(double kg) => PeakSarEvaluation.MassText(kg);
    private static string F(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
    private static string F(double? v) => v is { } x ? F(x) : "n/a";

    private static void Print(IAnsiConsole c, PeakSarResult r)
    {
        var t = new Table().AddColumn("Quantity").AddColumn("Value");
        void Row(string k, string v) => t.AddRow(new Text(k), new Text(v));
        string what = r.MassKg is { } m ? $"psSAR {Grams(m)} ({r.Method})" : "Peak point SAR";
        if (r.Region is not null) what += $" in '{r.Region}'";
        Row(what, $"{F(r.PeakSarWPerKg)} {r.SarUnit}");
        var (i, j, k) = (r.PeakVoxelIndex.I, r.PeakVoxelIndex.J, r.PeakVoxelIndex.K);
        Row("  at voxel (i, j, k)", $"({i}, {j}, {k})");
        Row("  at (x, y, z)", $"({F(r.PeakLocationM.X * 1e3)}, {F(r.PeakLocationM.Y * 1e3)}, {F(r.PeakLocationM.Z * 1e3)}) mm");
        if (r.PeakCube is { } pc)
            Row("  peak cube", $"{pc.Orientation}, side {F(pc.SideM * 1e3)} mm, mass {F(pc.MassKg * 1e3)} g, tagged voxel ({pc.VoxelIndex.I}, {pc.VoxelIndex.J}, {pc.VoxelIndex.K})");
        if (r.StatusCounts is { } s)
            Row("  voxel status", $"valid {s.Valid}, used {s.Used}, unused {s.Unused}, background {s.Background}" + (s.WithoutCube > 0 ? $", {s.WithoutCube} unused without any cube (local SAR kept)" : ""));
        if (r.AveragedGrid is { } ag) Row("  averaged grid", ag == "rectilinear" ? "rectilinear (graded cells, physical cube per voxel)" : "uniform");
        if (r.AirPaddingVoxels is { } padCells) Row("  air padding", padCells == 0 ? "none needed" : $"{padCells} voxels on every side");
        if (r.MassKg is not null) Row("Peak point SAR", $"{F(r.PeakPointSarWPerKg)} W/kg");
        Row("Whole-body SAR", $"{F(r.WholeBodySarWPerKg)} W/kg (mass {F(r.WholeBodyMassKg)} kg)");
        if (r.HeadSarWPerKg is not null) Row("Head SAR", $"{F(r.HeadSarWPerKg)} W/kg");
        Row("Absorbed power", $"{F(r.AbsorbedPowerW)} W");
        if (r.IncidentPowerW is { } pin) Row("Incident power", $"{F(pin)} W" + (r.Drive.Normalisation == "per_volt_incident" ? " (50 Ω ports)" : ""));
        Row("Drive", string.Join(", ", r.Drive.Amplitude.Select((a, n) => $"{F(a)}@{F(Math.Round(r.Drive.PhaseDeg[n], 6))}")) + $" ({r.Drive.Unit} @ deg)");
        Row("Input", r.InputFile);
        if (r.OutputFile is not null) Row("Maps written to", r.OutputFile);
        Row("Time", $"{r.ElapsedS:F2} s");
        c.Write(t);
    }
}
