using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using SarKit.Workflows;
using SarKit.Workflows.Results;

namespace SarKit.Cli.Commands;

/// <summary>`sarkit info FILE [--json]`: what a dataset file holds (<see cref="DatasetDescription"/>), read without loading its fields where the format allows.</summary>
internal static class InfoCommand
{
    public static Command Create(CliIO io)
    {
        var file = new Argument<string>("FILE") { Description = "Dataset file: SarKit/openEMS HDF5 (.h5), MATLAB (.mat, v5/v7/v7.3) or NumPy (.npz)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object on stdout (docs/json-schemas.md)." };
        var cmd = new Command("info", "Show grid, channels, normalisation, tissue, masks, fields and provenance of a dataset file.") { file, json };
        cmd.SetAction(p => io.Guard(() => Run(io, p.GetValue(file)!, p.GetValue(json))));
        return cmd;
    }

    private static int Run(CliIO io, string path, bool json)
    {
        var d = DatasetDescription.Describe(path);
        if (json) { ResultJson.Write(io.Out, d); return CliApp.ExitOk; }
        var c = io.Stdout();
        var t = new Table().Title(new TableTitle(Markup.Escape(Path.GetFileName(path)))).AddColumn("Property").AddColumn("Value");
        void Row(string k, string v) => t.AddRow(new Text(k), new Text(v));
        var g = d.Grid;
        Row("File", d.InputFile);
        Row("Format / layout", $"{d.Format} / {d.Layout}");
        Row("Grid", $"{g.Nx} × {g.Ny} × {g.Nz} = {(long)g.Nx * g.Ny * g.Nz:N0} voxels");
        Row("Spacing", g.Uniform ? $"{F(g.SpacingM!.X * 1e3)} × {F(g.SpacingM.Y * 1e3)} × {F(g.SpacingM.Z * 1e3)} mm (uniform{(g.Isotropic ? ", isotropic" : "")})"
            : $"non-uniform: x {F(g.SpacingMinM.X * 1e3)}–{F(g.SpacingMaxM.X * 1e3)}, y {F(g.SpacingMinM.Y * 1e3)}–{F(g.SpacingMaxM.Y * 1e3)}, z {F(g.SpacingMinM.Z * 1e3)}–{F(g.SpacingMaxM.Z * 1e3)} mm");
        Row("Extent", $"x [{F(g.ExtentM.X[0])}, {F(g.ExtentM.X[1])}], y [{F(g.ExtentM.Y[0])}, {F(g.ExtentM.Y[1])}], z [{F(g.ExtentM.Z[0])}, {F(g.ExtentM.Z[1])}] m");
        Row("Channels", $"{d.Channels} ({string.Join(", ", d.ChannelNames)})");
        Row("Normalisation", $"{d.Normalisation} (drive unit {d.DriveUnit})");
        Row("Frequency", d.FrequencyHz is { } f && f > 0 ? $"{F(f / 1e6)} MHz" : "unknown");
        Row("Tissue", $"{d.TissueVoxels:N0} voxels, {(d.TissueMassKg is { } m ? F(m) + " kg" : "mass unknown")}");
        Row("Masks", d.Masks.Length == 0 ? "none" : string.Join(", ", d.Masks));
        Row("Labels", !d.HasLabels ? "none" : d.LabelNames is { } ln ? string.Join(", ", ln.Select((n, i) => $"{i}={n}")) : "present");
        Row("Fields", string.Join(", ", d.Fields) + (d.FieldType.Length > 0 ? $" ({d.FieldType})" : "") + (d.HasEpsR ? "; eps_r" : ""));
        foreach (var (k, v) in d.Provenance) Row($"provenance.{k}", v.Length > 300 ? v[..300] + "…" : v);
        c.Write(t);
        return CliApp.ExitOk;
    }

    private static string F(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}
