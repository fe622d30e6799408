using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using SarKit.Averaging;
using SarKit.Compression;
using SarKit.Fields;
using SarKit.IO;
using SarKit.IO.Hdf5;
using SarKit.Sar;
using Spectre.Console;
using SarKit.IO.Formats;
using SarKit.Workflows.Results;

namespace SarKit.Cli.Commands;

/// <summary>
/// `sarkit demo`: the whole pipeline on the built-in 8-channel 7 T openEMS dataset (docs/demo-data.md) with self-checks:
/// SarKit point SAR vs openEMS's own local SAR (/reference/openems_local_sar, W/kg per (1 V incident)²) and the averaged
/// 10 g Q-matrix set vs the scalar IEC/IEEE 62704-1 psSAR for random drives. Exit code 0 when every check passes, 1 otherwise.
/// </summary>
internal static class DemoCommand
{
    public const double OpenEmsTolerance = 1e-5, QSetTolerance = 1e-9, VopMargin = 0.10, VopSetTolerance = 1e-9;
    public const int VopRandomDrives = 20_000;
    private const string ReferenceDataset = "/reference/openems_local_sar";

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
        var total = Stopwatch.StartNew();
        var timings = new Dictionary<string, double>();
        T Time<T>(string step, Func<T> f) { var sw = Stopwatch.StartNew(); var r = f(); timings[step] = sw.Elapsed.TotalSeconds; return r; }

        var path = DemoData.Locate();
        var info = Time("info", () => InfoCommand.Describe(path));
        var ds = Time("read_dataset", () => io.WithProgress(json, "Reading demo dataset", _ => DatasetFiles.Open(path)));
        var n = ds.E.Normalisation;
        int nch = ds.Channels;

        // per-channel point SAR and openEMS comparison
        var reference = Time("read_openems_reference", () => ReadReference(path, ds));
        var channels = Time("point_sar_channels", () => Enumerable.Range(0, nch).Select(c =>
        {
            var local = LocalSar.Compute(ds.Tissue, ds.E, DriveInput.Single(nch, c, n));
            var (peak, at) = LocalSar.Peak(local);
            double? diff = reference is null ? null : MaxRelDiff(local, reference, c, ds.Tissue.Rho);
            return new DemoChannelJson(c, ds.E.ChannelNames[c], peak, ResultParts.Index(ds.Grid, at), ResultParts.Centre(ds.Grid, at), diff);
        }).ToArray());
        double? openEmsDiff = reference is null ? null : channels.Max(c => c.OpenemsMaxRelDiff!.Value);
        var openEms = new DemoCheckJson("SarKit point SAR vs openEMS local SAR (all channels, all tissue voxels), max relative difference",
            openEmsDiff, OpenEmsTolerance, openEmsDiff is { } d1 && d1 <= OpenEmsTolerance,
            reference is null ? $"{ReferenceDataset} not found in the demo file" : null);

        // CP drive: point, 10 g, 1 g
        var cp = DriveInput.Cp(nch, n);
        var point = Time("cp_point_sar", () => SarCommand.Evaluate(ds, cp, null, null));
        var av10 = Time("cubes_10g", () => Averager.Build(io, json, ds, 0.010, null));
        var ten = Time("cp_10g", () => SarCommand.Evaluate(ds, cp, av10, null));
        var av1 = Time("cubes_1g", () => Averager.Build(io, json, ds, 0.001, null));
        var one = Time("cp_1g", () => SarCommand.Evaluate(ds, cp, av1, null));

        // averaged Q-matrix set vs scalar averaging for random drives
        var qset = Time("qmatrices_10g", () => io.WithProgress(json, "Averaged Q-matrices (10 g)", p => av10.QSet(p)));
        var rng = new Random(20261121);
        var checks = Time("qmatrix_check", () => Enumerable.Range(0, randomDrives).Select(_ =>
        {
            var b = new DriveVector(Enumerable.Range(0, nch).Select(__ => Complex.FromPolarCoordinates(0.5 + rng.NextDouble(), 2 * Math.PI * rng.NextDouble())), n);
            var scalar = av10.Average(LocalSar.Compute(ds.Tissue, ds.E, b)).Peak;
            var fromQ = qset.PeakSar(b).Peak;
            return new DemoDriveCheckJson(ResultParts.Drive(b), scalar, fromQ, Math.Abs(fromQ - scalar) / scalar);
        }).ToArray());
        double qDiff = checks.Max(c => c.RelDiff);
        var qCheck = new DemoCheckJson($"max over the 10 g Q-matrix set of b^H Q b vs scalar IEC/IEEE 62704-1 psSAR ({randomDrives} random drives), max relative difference",
            qDiff, QSetTolerance, qDiff <= QSetTolerance, null);

        // certified VOP compression of the 10 g Q-matrix set (issue 3): compress, then the independent verifier
        var qPacked = qset.AllPacked.ToArray();
        var vops = Time("vop_compress_10pct", () => io.WithProgress(json, "VOP compression (10 % margin)", _ =>
            VopCompressor.Compress(qPacked, qset.Channels, new VopCompressionOptions { Epsilon = VopMargin, Normalisation = n })));
        VopVerificationResult verification;
        using (var source = new PackedQMatrixSource(qPacked, qset.Channels, "demo 10 g Q-matrices", n))
            verification = Time("vop_certify", () => io.WithProgress(json, "VOP certificate", _ =>
                VopVerifier.Certify(vops, source, new VopVerifierOptions { RandomDrives = VopRandomDrives })));
        var cert = verification.Certificate;
        var vopCheck = new DemoCheckJson($"VOP set ({vops.Count} VOPs, {VopMargin:P0} margin) certified: convex-combination dominance of all {qset.Count} Q-matrices " +
            $"+ {VopRandomDrives} random drives; largest violation / SAR_wc", cert.LargestViolation / vops.SarWorstCase, VopSetTolerance,
            cert.Passed && verification.UnderestimatingDrives == 0 && vops.HasValidCertificate(out _), null);

        timings["total"] = total.Elapsed.TotalSeconds;
        var report = new DemoJson
        {
            InputFile = path,
            Dataset = info,
            Channels = channels,
            Cp = new DemoCpJson(point.Json with { InputFile = path }, ten.Json with { InputFile = path }, one.Json with { InputFile = path }),
            Qmatrices = new DemoQJson(qset.Count, av10.Cubes.ValidCubeCount, qset.Channels, checks),
            Vops = new DemoVopJson(vops.Count, VopMargin, vops.Algorithm, vops.SarWorstCase, cert.Passed, cert.MatricesChecked, cert.LargestViolation,
                cert.RandomDrives, cert.RandomMaxRelativeUnderestimation),
            Checks = [openEms, qCheck, vopCheck],
            AllChecksPass = openEms.Pass && qCheck.Pass && vopCheck.Pass,
            TimingsS = timings,
            SarkitVersion = CliApp.Version,
        };
        if (json) ResultJson.Write(io.Out, report);
        else Print(io.Stdout(), report);
        return report.AllChecksPass ? CliApp.ExitOk : CliApp.ExitInternal;
    }

    /// <summary>openEMS's local SAR per channel [nch][voxel], W/kg per (1 V peak incident)² (docs/demo-data.md), or null when absent.</summary>
    private static double[]? ReadReference(string path, SarDataset ds)
    {
        using var f = Hdf5File.OpenRead(path);
        if (!f.IsDataset(ReferenceDataset)) return null;
        var a = f.ReadDataset(ReferenceDataset);
        long expected = (long)ds.Channels * ds.Grid.VoxelCount;
        if (a.Count != expected)
            throw new SarKitInputException($"{path}: {ReferenceDataset} has shape [{string.Join(",", a.Shape)}], expected [{ds.Channels},{ds.Grid.Nz},{ds.Grid.Ny},{ds.Grid.Nx}].") { SourceFile = path, Dataset = ReferenceDataset };
        return a.ToDouble();
    }

    /// <summary>max over tissue voxels of |a − b| / b (b floored at 1e-12 of the channel's peak).</summary>
    private static double MaxRelDiff(double[] local, double[] reference, int channel, double[] rho)
    {
        int nv = local.Length; int o = channel * nv;
        double peak = 0;
        for (int v = 0; v < nv; v++) peak = Math.Max(peak, reference[o + v]);
        double worst = 0;
        for (int v = 0; v < nv; v++)
        {
            if (rho[v] <= 0) continue;
            double b = reference[o + v];
            worst = Math.Max(worst, Math.Abs(local[v] - b) / Math.Max(b, 1e-12 * peak));
        }
        return worst;
    }

    private static string F(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
    private static string Mm(PointResult p) => $"({F(p.X * 1e3)}, {F(p.Y * 1e3)}, {F(p.Z * 1e3)})";
    private static string Pass(bool p) => p ? "PASS" : "FAIL";

    private static void Print(IAnsiConsole c, DemoJson r)
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
        void Row(string name, SarJson s, double value)
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

internal sealed record DemoChannelJson(int Channel, string Name, double PeakPointSarWPerKg, VoxelIndexResult PeakVoxelIndex, PointResult PeakLocationM, double? OpenemsMaxRelDiff);
internal sealed record DemoCheckJson(string Name, double? Value, double Tolerance, bool Pass, string? Note);
internal sealed record DemoCpJson(SarJson Point, SarJson TenGram, SarJson OneGram);
internal sealed record DemoDriveCheckJson(DriveResult Drive, double ScalarPsSarWPerKg, double QSetPsSarWPerKg, double RelDiff);
internal sealed record DemoVopJson(int Count, double Margin, string Algorithm, double SarWcWPerKg, bool CertificatePassed, long MatricesChecked, double LargestViolation, long RandomDrives, double RandomMaxRelativeUnderestimation);
internal sealed record DemoQJson(int Count, int ValidCubes, int Channels, DemoDriveCheckJson[] RandomDriveChecks);

internal sealed record DemoJson
{
    public required string InputFile { get; init; }
    public required InfoJson Dataset { get; init; }
    public required DemoChannelJson[] Channels { get; init; }
    public required DemoCpJson Cp { get; init; }
    public required DemoQJson Qmatrices { get; init; }
    public required DemoVopJson Vops { get; init; }
    public required DemoCheckJson[] Checks { get; init; }
    public required bool AllChecksPass { get; init; }
    public required Dictionary<string, double> TimingsS { get; init; }
    public required string SarkitVersion { get; init; }
}
