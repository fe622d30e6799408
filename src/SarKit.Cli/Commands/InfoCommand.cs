using System.CommandLine;
using System.Globalization;
using SarKit.Fields;
using SarKit.Grid;
using SarKit.IO;
using SarKit.IO.Hdf5;
using Spectre.Console;
using SarKit.IO.Formats;
using SarKit.Workflows.Results;

namespace SarKit.Cli.Commands;

/// <summary>`sarkit info FILE [--json]`: what a dataset file holds, read without loading its fields where the format allows.</summary>
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

    internal static InfoJson Describe(string path)
    {
        var info = DatasetFiles.ReadInfo(path);
        var g = info.Grid;
        bool hdf5 = DatasetFiles.IsHdf5(path);
        return new InfoJson
        {
            InputFile = Path.GetFullPath(path),
            Format = hdf5 ? "hdf5" : info.Layout == DatasetLayout.MatlabV5 ? "mat-v5" : "npz",
            Layout = LayoutId(info.Layout),
            Grid = GridJson.Of(g),
            Channels = info.Channels,
            ChannelNames = info.ChannelNames.ToArray(),
            Normalisation = info.Normalisation.ToId(),
            DriveUnit = info.Normalisation.DriveUnit(),
            FrequencyHz = ResultJson.Num(info.FrequencyHz),
            TissueVoxels = info.TissueVoxels,
            TissueMassKg = ResultJson.Num(info.TissueMassKg),
            Masks = info.Masks.ToArray(),
            HasLabels = info.HasLabels,
            LabelNames = info.HasLabels && info.Layout == DatasetLayout.SarKit ? LabelNames(path) : null,
            HasEpsR = info.HasEpsilonR,
            Fields = new[] { "E" }.Concat(info.HasH ? ["H"] : []).Concat(info.HasB1Plus ? ["B1plus"] : []).ToArray(),
            FieldType = info.FieldType,
            Provenance = new SortedDictionary<string, string>(info.Provenance.ToDictionary(), StringComparer.Ordinal),
            SarkitVersion = CliApp.Version,
        };
    }

    private static string LayoutId(DatasetLayout l) => l switch
    {
        DatasetLayout.SarKit => "sarkit",
        DatasetLayout.OpenEmsReference => "openems-reference",
        DatasetLayout.OpenEmsFieldDump => "openems-field-dump",
        DatasetLayout.MatlabV73 => "matlab-v7.3",
        DatasetLayout.MatlabV5 => "matlab-v5",
        DatasetLayout.NumpyNpz => "npz",
        _ => "unknown",
    };

    private static string[]? LabelNames(string path)
    {
        try
        {
            using var f = Hdf5File.OpenRead(path);
            return f.HasAttribute("/tissue/labels", "names") ? f.ReadStringArrayAttribute("/tissue/labels", "names") : null;
        }
        catch (SarKitInputException) { return null; }
    }

    private static int Run(CliIO io, string path, bool json)
    {
        var d = Describe(path);
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

internal sealed record InfoJson
{
    public required string InputFile { get; init; }
    public required string Format { get; init; }
    public required string Layout { get; init; }
    public required GridJson Grid { get; init; }
    public required int Channels { get; init; }
    public required string[] ChannelNames { get; init; }
    public required string Normalisation { get; init; }
    public required string DriveUnit { get; init; }
    public required double? FrequencyHz { get; init; }
    public required int TissueVoxels { get; init; }
    public required double? TissueMassKg { get; init; }
    public required string[] Masks { get; init; }
    public required bool HasLabels { get; init; }
    public required string[]? LabelNames { get; init; }
    public required bool HasEpsR { get; init; }
    public required string[] Fields { get; init; }
    public required string FieldType { get; init; }
    public required SortedDictionary<string, string> Provenance { get; init; }
    public required string SarkitVersion { get; init; }
}

internal sealed record AxisRange(double[] X, double[] Y, double[] Z);

internal sealed record GridJson
{
    public required int Nx { get; init; }
    public required int Ny { get; init; }
    public required int Nz { get; init; }
    public required bool Uniform { get; init; }
    public required bool Isotropic { get; init; }
    public required PointResult? SpacingM { get; init; }
    public required PointResult SpacingMinM { get; init; }
    public required PointResult SpacingMaxM { get; init; }
    public required AxisRange ExtentM { get; init; }

    public static GridJson Of(VoxelGrid g)
    {
        static (double Min, double Max) W(ReadOnlySpan<double> e)
        {
            double lo = double.MaxValue, hi = 0;
            for (int i = 0; i + 1 < e.Length; i++) { double w = e[i + 1] - e[i]; lo = Math.Min(lo, w); hi = Math.Max(hi, w); }
            return (lo, hi);
        }
        var (x0, x1) = W(g.EdgesX); var (y0, y1) = W(g.EdgesY); var (z0, z1) = W(g.EdgesZ);
        bool u = g.IsUniform();
        return new GridJson
        {
            Nx = g.Nx, Ny = g.Ny, Nz = g.Nz, Uniform = u, Isotropic = g.IsIsotropic(),
            SpacingM = u ? new PointResult((g.EdgesX[^1] - g.EdgesX[0]) / g.Nx, (g.EdgesY[^1] - g.EdgesY[0]) / g.Ny, (g.EdgesZ[^1] - g.EdgesZ[0]) / g.Nz) : null,
            SpacingMinM = new PointResult(x0, y0, z0), SpacingMaxM = new PointResult(x1, y1, z1),
            ExtentM = new AxisRange([g.EdgesX[0], g.EdgesX[^1]], [g.EdgesY[0], g.EdgesY[^1]], [g.EdgesZ[0], g.EdgesZ[^1]]),
        };
    }
}
