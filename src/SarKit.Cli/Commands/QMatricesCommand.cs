using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using SarKit.Averaging;
using SarKit.Fields;
using SarKit.IO;
using SarKit.Sar;
using Spectre.Console;
using SarKit.IO.Formats;
using SarKit.Workflows.Results;

namespace SarKit.Cli.Commands;

/// <summary>`sarkit qmatrices`: the averaged (IEC/IEEE 62704-1 cube) or point Q-matrix set of a dataset, written to HDF5 (docs/qmatrix-format.md).</summary>
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
        var sw = Stopwatch.StartNew();
        double? massKg = SarCommand.ParseMass(massText);
        int? pad = Averager.ParsePad(padText);
        var ext = Path.GetExtension(output).ToLowerInvariant();
        if (ext is not (".h5" or ".hdf5"))
            throw new SarKitInputException($"--output '{output}': Q-matrix sets are written as HDF5; use a .h5 or .hdf5 file name.") { SourceFile = output };
        var dir = Path.GetDirectoryName(Path.GetFullPath(output))!;
        if (!Directory.Exists(dir)) throw new SarKitInputException($"--output '{output}': the folder {dir} does not exist.") { SourceFile = output };
        DatasetFiles.RequireExisting(fieldsPath);
        var ds = io.WithProgress(json, "Reading dataset", _ => DatasetFiles.Open(fieldsPath));
        QMatricesJson r;
        if (massKg is null)
        {
            var q = io.WithProgress(json, "Point Q-matrices", _ => QMatrixField.Compute(ds.Tissue, ds.E));
            QMatrixSetFile.Write(q, output, fieldsPath);
            r = Result(ds, fieldsPath, output, "point", null, q.Count, null, null, null, sw);
        }
        else
        {
            var averager = Averager.Build(io, json, ds, massKg.Value, pad);
            var set = io.WithProgress(json, "Averaged Q-matrices", p => averager.QSet(p));
            QMatrixSetFile.Write(set, output, fieldsPath);
            r = Result(ds, fieldsPath, output, "averaged", massKg, set.Count, averager.Cubes.ValidCubeCount, averager.StatusCounts(), averager.Padding.Cells, sw);
        }
        ResultJson.RequireFinite(r); // tables too: no non-finite result is shown as a number
        if (json) { ResultJson.Write(io.Out, r); return CliApp.ExitOk; }
        var t = new Table().AddColumn("Quantity").AddColumn("Value");
        void Row(string k, string v) => t.AddRow(new Text(k), new Text(v));
        Row("Kind", r.Kind == "point" ? "point Q-matrices (one per tissue voxel)" : $"averaged over IEC/IEEE 62704-1 cubes, {SarCommand.Grams(r.MassKg!.Value)}");
        Row("Matrices", r.Count.ToString("N0", CultureInfo.InvariantCulture));
        if (r.ValidCubes is { } vc) Row("  valid step-1 cubes", vc.ToString("N0", CultureInfo.InvariantCulture));
        if (r.StatusCounts is { } s) Row("  voxel status", $"valid {s.Valid}, used {s.Used}, unused {s.Unused}, background {s.Background}");
        if (r.AirPaddingVoxels is { } pc) Row("  air padding", pc == 0 ? "none needed" : $"{pc} voxels on every side (the file's grid and voxel indices include it)");
        Row("Channels", $"{r.Channels} ({r.Unit})");
        Row("Input", r.InputFile);
        Row("Written to", r.OutputFile);
        Row("Time", $"{r.ElapsedS:F2} s");
        io.Stdout().Write(t);
        return CliApp.ExitOk;
    }

    private static QMatricesJson Result(SarDataset ds, string input, string output, string kind, double? mass, int count, int? valid, StatusCountsResult? st, int? pad, Stopwatch sw) => new()
    {
        Kind = kind, MassKg = mass, Method = mass is null ? "point" : "IEC/IEEE 62704-1", Count = count, ValidCubes = valid, StatusCounts = st, AirPaddingVoxels = pad,
        Channels = ds.Channels, Normalisation = ds.E.Normalisation.ToId(), Unit = $"W/kg per {ds.E.Normalisation.DriveUnit()}^2",
        InputFile = Path.GetFullPath(input), OutputFile = Path.GetFullPath(output), ElapsedS = sw.Elapsed.TotalSeconds, SarkitVersion = CliApp.Version,
    };
}

internal sealed record QMatricesJson
{
    public required string Kind { get; init; }
    public required double? MassKg { get; init; }
    public required string Method { get; init; }
    public required int Count { get; init; }
    public required int? ValidCubes { get; init; }
    public required StatusCountsResult? StatusCounts { get; init; }
    public required int? AirPaddingVoxels { get; init; }
    public required int Channels { get; init; }
    public required string Normalisation { get; init; }
    public required string Unit { get; init; }
    public required string InputFile { get; init; }
    public required string OutputFile { get; init; }
    public required double ElapsedS { get; init; }
    public required string SarkitVersion { get; init; }
}
