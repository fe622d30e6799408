using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using SarKit.Averaging;
using SarKit.Fields;
using SarKit.Grid;
using SarKit.IO;
using SarKit.Sar;
using Spectre.Console;
using SarKit.IO.Formats;
using SarKit.Workflows.Results;

namespace SarKit.Cli.Commands;

/// <summary>
/// `sarkit sar`: peak point SAR or IEC/IEEE 62704-1 peak spatial-average SAR (psSAR) of one drive, whole-body/head SAR
/// and absorbed power; optionally writes the maps.
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
        var output = new Option<string?>("--output", "-o") { Description = "Write the SAR maps [nz,ny,nx] to this .h5 or .npz file." };
        var pad = PadOption();
        var json = new Option<bool>("--json") { Description = "Print one JSON object on stdout (docs/json-schemas.md)." };
        var cmd = new Command("sar", "Peak SAR (point or IEC/IEEE 62704-1 mass-averaged), whole-body/head SAR and absorbed power of a drive.")
            { fields, drive, mass, region, pad, output, json };
        cmd.SetAction(p => io.Guard(() => Run(io, p.GetValue(fields)!, p.GetValue(drive)!, p.GetValue(mass)!, p.GetValue(region), p.GetValue(pad), p.GetValue(output), p.GetValue(json))));
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

    private static int Run(CliIO io, string fieldsPath, string driveText, string massText, string? region, string? padText, string? output, bool json)
    {
        var sw = Stopwatch.StartNew();
        double? massKg = ParseMass(massText);
        int? pad = Averager.ParsePad(padText);
        if (output is not null) SarMapsFile.CheckTarget(output);
        DatasetFiles.RequireExisting(fieldsPath);
        var ds = io.WithProgress(json, "Reading dataset", _ => DatasetFiles.Open(fieldsPath));
        var drive = DriveInput.Parse(driveText, ds);
        var averager = massKg is { } mk ? Averager.Build(io, json, ds, mk, pad) : null;
        var eval = Evaluate(ds, drive, averager, region);
        ResultJson.RequireFinite(eval.Json); // before any output file: an overflowed result is refused, not written
        if (output is not null)
        {
            SarMapsFile.Write(output, ds, eval, fieldsPath);
            eval.Json = eval.Json with { OutputFile = Path.GetFullPath(output) };
        }
        eval.Json = eval.Json with { InputFile = Path.GetFullPath(fieldsPath), ElapsedS = sw.Elapsed.TotalSeconds };
        ResultJson.RequireFinite(eval.Json); // tables too: no non-finite result is shown as a number
        if (json) ResultJson.Write(io.Out, eval.Json);
        else Print(io.Stdout(), eval.Json);
        return CliApp.ExitOk;
    }

    internal sealed class Evaluation
    {
        public required double[] PointSar { get; init; }
        /// <summary>Averaged SAR on the dataset's grid (null for point SAR).</summary>
        public double[]? AveragedSar { get; init; }
        public VoxelStatus[]? Status { get; init; }
        public double? MassKg { get; init; }
        public required SarJson Json { get; set; }
    }

    /// <summary>Computes everything `sar` reports for one drive (averaged when <paramref name="averager"/> is given).</summary>
    internal static Evaluation Evaluate(SarDataset ds, DriveVector drive, Averager? averager, string? region)
    {
        var tissue = ds.Tissue; var g = ds.Grid;
        bool[]? regionMask = region is null ? null : tissue.TissueMask(region);
        var local = LocalSar.Compute(tissue, ds.E, drive);
        AveragedSarResult? avg = null;
        double[] map = local;
        double? massKg = averager?.Options.TargetMassKg;
        if (averager is not null)
        {
            avg = averager.Average(local);
            map = averager.Padding.Crop(avg.Map);
        }
        var (peak, at) = Peak(map, regionMask);
        if (at < 0) throw new SarKitInputException($"{ds.Source}: region '{region}' contains no tissue voxel.");
        int cube = -1;
        if (avg is not null)
        {
            cube = avg.PeakCube;
            if (regionMask is not null || cube < 0 || avg.CubeValues[cube] != peak)
                cube = FindCube(avg, averager!.Padding.ToPadded(at), peak);
        }
        var body = tissue.Masks.TryGetValue(TissueModel.BodyMask, out var bm) ? bm : null;
        var wb = RegionQ.Compute("body", tissue, ds.E, body);
        double? head = tissue.Masks.TryGetValue(TissueModel.HeadMask, out var hm) ? RegionQ.Compute("head", tissue, ds.E, hm).Sar(drive) : null;
        var all = body is null ? wb : RegionQ.Compute("tissue", tissue, ds.E, null);
        var unit = drive.Normalisation.DriveUnit();
        var j = new SarJson
        {
            PeakSarWPerKg = peak,
            PeakVoxelIndex = ResultParts.Index(g, at),
            PeakLocationM = ResultParts.Centre(g, at),
            MassKg = massKg,
            Method = massKg is null ? "point" : "IEC/IEEE 62704-1",
            Region = region,
            SarUnit = unit == "1" ? "W/kg (relative: unspecified normalisation)" : "W/kg",
            Drive = ResultParts.Drive(drive),
            IncidentPowerW = DriveInput.IncidentPowerW(drive),
            WholeBodySarWPerKg = wb.Sar(drive),
            WholeBodyMassKg = wb.MassKg,
            HeadSarWPerKg = head,
            AbsorbedPowerW = all.AbsorbedPower(drive),
            PeakPointSarWPerKg = LocalSar.Peak(local).Value,
            StatusCounts = averager?.StatusCounts(),
            AirPaddingVoxels = averager?.Padding.Cells,
            PeakCube = avg is null || cube < 0 ? null : new CubeJson(
                avg.Cubes.CubeOrientation(cube).ToString(), (int)avg.Cubes.CubeOrientation(cube), avg.Cubes.CubeSideM(cube), avg.Cubes.CubeMassKg(cube),
                ResultParts.Index(g, averager!.Padding.ToOriginal(avg.Cubes.CubeVoxel(cube)))),
            InputFile = ds.Source,
            SarkitVersion = CliApp.Version,
        };
        return new Evaluation { PointSar = local, AveragedSar = avg is null ? null : map, Status = averager?.Status, MassKg = massKg, Json = j };
    }

    internal static (double Value, int Index) Peak(double[] map, bool[]? mask)
    {
        if (mask is null) return LocalSar.Peak(map);
        double best = double.NegativeInfinity; int at = -1;
        for (int v = 0; v < map.Length; v++) if (mask[v] && map[v] > best) { best = map[v]; at = v; }
        return (best, at);
    }

    /// <summary>The cube whose average gives the voxel's value (its own cube first, else any cube with that value).</summary>
    private static int FindCube(AveragedSarResult r, int voxel, double value)
    {
        int any = -1;
        for (int c = 0; c < r.CubeValues.Length; c++)
            if (r.CubeValues[c] == value)
            {
                if (r.Cubes.CubeVoxel(c) == voxel) return c;
                if (any < 0) any = c;
            }
        return any;
    }

    internal static string Grams(double kg) => (kg * 1e3).ToString("G6", CultureInfo.InvariantCulture) + " g";
    private static string F(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
    private static string F(double? v) => v is { } x ? F(x) : "n/a";

    private static void Print(IAnsiConsole c, SarJson r)
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

internal sealed record CubeJson(string Orientation, int OrientationCode, double SideM, double MassKg, VoxelIndexResult VoxelIndex);

internal sealed record SarJson
{
    public required double PeakSarWPerKg { get; init; }
    public required VoxelIndexResult PeakVoxelIndex { get; init; }
    public required PointResult PeakLocationM { get; init; }
    public required double? MassKg { get; init; }
    public required string Method { get; init; }
    public required string? Region { get; init; }
    public required string SarUnit { get; init; }
    public required DriveResult Drive { get; init; }
    public required double? IncidentPowerW { get; init; }
    public required double WholeBodySarWPerKg { get; init; }
    public required double WholeBodyMassKg { get; init; }
    public required double? HeadSarWPerKg { get; init; }
    public required double AbsorbedPowerW { get; init; }
    public required double PeakPointSarWPerKg { get; init; }
    public required StatusCountsResult? StatusCounts { get; init; }
    public required int? AirPaddingVoxels { get; init; }
    public required CubeJson? PeakCube { get; init; }
    public required string InputFile { get; init; }
    public string? OutputFile { get; init; }
    public double ElapsedS { get; init; }
    public required string SarkitVersion { get; init; }
}
