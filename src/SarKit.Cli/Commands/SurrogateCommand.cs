using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using SarKit.Surrogate;
using Spectre.Console;

namespace SarKit.Cli.Commands;

/// <summary>`sarkit surrogate …`: data for the B1⁺ → local-SAR surrogate (docs/surrogate.md). Subcommand `dataset`.</summary>
internal static class SurrogateCommand
{
    public static Command Create(CliIO io)
    {
        var cmd = new Command("surrogate", "B1+ -> local SAR surrogate: training data (2D FDFD pelvis phantoms). See docs/surrogate.md.");
        cmd.Add(Dataset(io));
        return cmd;
    }

    private static Command Dataset(CliIO io)
    {
        var subjects = new Option<int>("--subjects") { Description = "Number of random phantoms (subjects).", Required = true };
        var shims = new Option<int>("--shims") { Description = "Random phase settings per subject (uniform amplitudes).", Required = true };
        var seed = new Option<int>("--seed") { Description = "Master seed (phantoms, shims and the subject split follow from it).", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--output", "-o") { Description = "Output folder (created if missing; its parent must exist).", Required = true };
        var size = new Option<int>("--size") { Description = "Cells per side of the square grid.", DefaultValueFactory = _ => 128 };
        var cell = new Option<string>("--cell-size") { Description = "Cell side, e.g. 3.75mm, 0.0025m (bare number = mm).", DefaultValueFactory = _ => "3.75mm" };
        var val = new Option<double>("--val-fraction") { Description = "Fraction of subjects for validation.", DefaultValueFactory = _ => 0.1 };
        var test = new Option<double>("--test-fraction") { Description = "Fraction of subjects for test.", DefaultValueFactory = _ => 0.1 };
        var store = new Option<bool>("--no-compress") { Description = "Store the .npz members without deflate (faster, larger)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object on stdout (docs/json-schemas.md)." };
        var cmd = new Command("dataset", "Simulate N random pelvis phantoms (2D FDFD, 8 line sources, 298 MHz) x M random shims; write .npz shards and manifest.json.")
            { subjects, shims, seed, output, size, cell, val, test, store, json };
        cmd.SetAction(p => io.Guard(() => RunDataset(io, new SurrogateDatasetOptions
        {
            Subjects = p.GetValue(subjects), ShimsPerSubject = p.GetValue(shims), Seed = p.GetValue(seed), GridCells = p.GetValue(size),
            CellSize = ParseLengthM(p.GetValue(cell)!, "--cell-size"), ValidationFraction = p.GetValue(val), TestFraction = p.GetValue(test),
            Compress = !p.GetValue(store),
        }, p.GetValue(output)!, p.GetValue(json))));
        return cmd;
    }

    /// <summary>"3.75mm", "0.00375m", "3.75" (mm) → metres.</summary>
    internal static double ParseLengthM(string text, string option)
    {
        var t = text.Trim().ToLowerInvariant();
        double scale = 1e-3;
        if (t.EndsWith("mm")) t = t[..^2];
        else if (t.EndsWith("cm")) { t = t[..^2]; scale = 1e-2; }
        else if (t.EndsWith('m')) { t = t[..^1]; scale = 1; }
        if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v) || v <= 0)
            throw new SarKitInputException($"{option} '{text}': expected a positive length such as 3.75mm, 0.25cm or 0.0025m.");
        return v * scale;
    }

    private static int RunDataset(CliIO io, SurrogateDatasetOptions options, string output, bool json)
    {
        options.Validate();
        var full = Path.GetFullPath(output);
        var parent = Path.GetDirectoryName(full.TrimEnd(Path.DirectorySeparatorChar));
        if (parent is not null && !Directory.Exists(parent)) throw new SarKitInputException($"--output '{output}': the parent folder {parent} does not exist.") { SourceFile = output };
        if (File.Exists(full)) throw new SarKitInputException($"--output '{output}' is a file; expected a folder.") { SourceFile = output };
        var sw = Stopwatch.StartNew();
        var builder = new SurrogateDatasetBuilder(options);
        var manifest = io.WithProgress(json, $"Simulating {options.Subjects} subjects", p => builder.Build(full, (done, total) => p?.Report(done / (double)total)));
        var result = new SurrogateDatasetJson(full, Path.Combine(full, SurrogateDatasetBuilder.ManifestFile), manifest.Subjects.Count, manifest.ShimsPerSubject,
            manifest.Grid.Nx, manifest.Grid.CellSizeM, manifest.Splits, sw.Elapsed.TotalSeconds, CliApp.Version);
        if (json) { Json.Write(io.Out, result); return CliApp.ExitOk; }
        var t = new Table().AddColumn("Quantity").AddColumn("Value");
        void Row(string k, string v) => t.AddRow(new Text(k), new Text(v));
        Row("Subjects", $"{result.Subjects} (train {manifest.Splits["train"]}, val {manifest.Splits["val"]}, test {manifest.Splits["test"]})");
        Row("Shims per subject", result.ShimsPerSubject.ToString(CultureInfo.InvariantCulture));
        Row("Grid", $"{result.GridCells} x {result.GridCells} cells of {result.CellSizeM * 1e3:G4} mm");
        Row("Folder", result.OutputDir);
        Row("Manifest", result.Manifest);
        Row("Time", $"{result.ElapsedS:F1} s");
        io.Stdout().Write(t);
        return CliApp.ExitOk;
    }
}

internal sealed record SurrogateDatasetJson(string OutputDir, string Manifest, int Subjects, int ShimsPerSubject, int GridCells, double CellSizeM,
    Dictionary<string, int> Splits, double ElapsedS, string SarkitVersion);
