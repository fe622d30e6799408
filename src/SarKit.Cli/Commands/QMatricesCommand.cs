using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using SarKit.Workflows;
using SarKit.Workflows.Results;

namespace SarKit.Cli.Commands;

/// <summary>`sarkit qmatrices`: the averaged (IEC/IEEE 62704-1 cube) or point Q-matrix set of a dataset, written to HDF5 (docs/qmatrix-format.md) by <see cref="QMatrixExport"/>.</summary>
internal static class QMatricesCommand
{
    public static Command Create(CliIO io)
    {
        var fields = new Option<string>("--fields", "-f") { Description = "Dataset file (.h5, .mat, .npz).", Required = true };
        var mass = new Option<string>("--mass", "-m") { Description = "Averaging mass (10g, 1g, any mass) or 'point' for one matrix per tissue voxel.", DefaultValueFactory = _ => "10g" };
        var output = new Option<string>("--output", "-o") { Description = "Output HDF5 file (.h5).", Required = true };
        var pad = SarCommand.PadOption();
        var json = new Option<bool>("--json") { Description = "Print one JSON object on stdout (docs/json-schemas.md)." };
        var cmd = new Command("qmatrices", "Compute the Q-matrix set (averaged over every IEC/IEEE 62704-1 cube, or point) and write it to HDF5.")
            { fields, mass, pad, output, json };
        cmd.SetAction(p => io.Guard(() => Run(io, p.GetValue(fields)!, p.GetValue(mass)!, p.GetValue(pad), p.GetValue(output)!, p.GetValue(json))));
        return cmd;
    }

    private static int Run(CliIO io, string fieldsPath, string massText, string? padText, string output, bool json)
    {
        var request = new QMatrixExportRequest { FieldsPath = fieldsPath, MassKg = SarCommand.ParseMass(massText), AirPaddingCells = SarCommand.ParsePad(padText), OutputPath = output };
        var r = WorkflowProgress.Run(io, json, p => QMatrixExport.Run(request, SarKitSettings.Default, p));
        if (json) { ResultJson.Write(io.Out, r); return CliApp.ExitOk; }
        var t = new Table().AddColumn("Quantity").AddColumn("Value");
        void Row(string k, string v) => t.AddRow(new Text(k), new Text(v));
        Row("Kind", r.Kind == "point" ? "point Q-matrices (one per tissue voxel)" : $"averaged over IEC/IEEE 62704-1 cubes, {SarCommand.Grams(r.MassKg!.Value)}");
        Row("Matrices", r.Count.ToString("N0", CultureInfo.InvariantCulture));
        if (r.ValidCubes is { } vc) Row("  valid step-1 cubes", vc.ToString("N0", CultureInfo.InvariantCulture));
        if (r.StatusCounts is { } s) Row("  voxel status", $"valid {s.Valid}, used {s.Used}, unused {s.Unused}, background {s.Background}");
        if (r.AveragedGrid is { } ag) Row("  averaged grid", ag == "rectilinear" ? "rectilinear (graded cells, physical cube per voxel)" : "uniform");
        if (r.AirPaddingVoxels is { } pc) Row("  air padding", pc == 0 ? "none needed" : $"{pc} voxels on every side (the file's grid and voxel indices include it)");
        Row("Channels", $"{r.Channels} ({r.Unit})");
        Row("Input", r.InputFile);
        Row("Written to", r.OutputFile);
        Row("Time", $"{r.ElapsedS:F2} s");
        io.Stdout().Write(t);
        return CliApp.ExitOk;
    }
}
