using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using SarKit.IO;
using SarKit.Plotting;
using SarKit.Reporting;

namespace SarKit.Surrogate;

/// <summary>Settings of <see cref="SurrogateEvaluator.Evaluate"/>.</summary>
public sealed record SurrogateEvaluationOptions
{
    /// <summary>Safety factor = this quantile (type 7) of true/predicted peak over the validation cases.</summary>
    public double Quantile { get; init; } = 0.95;
    /// <summary>Compute the VOP worst-case baseline (metric sar10g only).</summary>
    public bool Vop { get; init; } = true;
    /// <summary>Training subjects whose Q-matrices make the population VOPs.</summary>
    public int VopSubjects { get; init; } = 100;
    /// <summary>VOP compression margin ε (fraction of SAR_wc).</summary>
    public double VopMargin { get; init; } = 0.05;
    /// <summary>VOP cache file (.h5/.npz/.mat): read when it exists, else written.</summary>
    public string? VopFile { get; init; }
    /// <summary>Random drives of the VOP verifier's second check.</summary>
    public int VopRandomDrives { get; init; } = 10_000;
    public int BootstrapRounds { get; init; } = 2000;
    public int BootstrapSeed { get; init; }
    /// <summary>Threads of ONNX Runtime and of the VOP compression.</summary>
    public int Threads { get; init; } = 2;
}

/// <summary>Result of <see cref="SurrogateEvaluator.Evaluate"/>.</summary>
/// <param name="ModelKind">perchannel, unet or cgan.</param>
/// <param name="Metrics">Peak metrics evaluated: "sar" and/or "sar10g".</param>
/// <param name="Methods">Methods in the case tables: model, generic, constant (+ vop).</param>
/// <param name="Quantile">Calibration quantile.</param>
/// <param name="Val">Validation cases (calibration).</param>
/// <param name="Test">Test cases (report).</param>
/// <param name="Reports">Per method and metric: safety factor and test metrics.</param>
/// <param name="GenericSubject">Dataset index of the generic fixed phantom (training subject with the median body-cell count).</param>
/// <param name="Constant">Constant baseline per metric (mean normalised peak over the stored shims of the training subjects).</param>
/// <param name="Vop">The VOP baseline, when computed.</param>
/// <param name="Seconds">Wall time of the evaluation.</param>
public sealed record SurrogateEvaluationReport(string ModelKind, string[] Metrics, string[] Methods, double Quantile, SurrogateCaseTable Val, SurrogateCaseTable Test,
    IReadOnlyList<CalibratedMethodReport> Reports, int GenericSubject, IReadOnlyDictionary<string, double> Constant, SurrogateVopBaseline? Vop, double Seconds)
{
    /// <summary>Wall time per stage (s).</summary>
    public IReadOnlyDictionary<string, double> StageSeconds { get; init; } = new Dictionary<string, double>();

    public int Subjects(SurrogateCaseTable t) => t.Subject.Distinct().Count();

    /// <summary>Every case of both splits as CSV (split, subject, shim, b1_mean_abs_ut, true_*, method_*: normalised peaks), atomically.</summary>
    public void WriteCasesCsv(string path)
    {
        var inv = CultureInfo.InvariantCulture;
        var cols = Val.ColumnNames;
        var sb = new StringBuilder("split,subject,shim,b1_mean_abs_ut," + string.Join(",", cols) + "\n");
        foreach (var t in new[] { Val, Test })
            for (int i = 0; i < t.Count; i++)
            {
                sb.Append(inv, $"{t.Split},{t.Subject[i]},{t.Shim[i]},{t.B1MeanAbs[i]:R}");
                foreach (var c in cols) sb.Append(',').Append(t.Columns[c][i].ToString("R", inv));
                sb.Append('\n');
            }
        AtomicFile.Write(path, f => f.Write(new UTF8Encoding(false).GetBytes(sb.ToString())));
    }

    /// <summary>
    /// Histograms of the calibrated ratio predicted × SF / true on the test cases, one outline per method, for each
    /// metric: DIR/ratio_hist_&lt;metric&gt;.svg and .png (the line ratio = 1 marks underestimation on its left). Returns the files.
    /// </summary>
    public List<string> WriteHistograms(string directory)
    {
        Directory.CreateDirectory(directory);
        var files = new List<string>();
        foreach (var k in Metrics)
        {
            var sets = new List<(string, IReadOnlyList<double>)>();
            foreach (var r in Reports.Where(r => r.Metric == k))
            {
                var t = Test.Columns[$"true_{k}"]; var p = Test.Columns[$"{r.Method}_{k}"];
                var ratio = t.Select((v, i) => p[i] * r.SafetyFactor / v).ToArray();
                sets.Add((string.Create(CultureInfo.InvariantCulture, $"{r.Method} (SF {r.SafetyFactor:F3}, P(under) {r.TestCalibrated.PUnderestimation * 100:F1} %)"), ratio));
            }
            if (sets.Count == 0) continue;
            double hi = Math.Max(2.0, Math.Min(4.0, sets.SelectMany(s => s.Item2).Max() * 1.02));
            var plot = Histogram.Plot($"Calibrated predicted / true peak {(k == "sar10g" ? "2D 10 g SAR" : "point SAR")}, {Test.Count} test cases",
                "predicted peak × safety factor / true peak (1)", sets, 0, hi, 60, new VLine("ratio = 1 (left of it: underestimation)", 1.0, "#000000"));
            string svg = Path.Combine(directory, $"ratio_hist_{k}.svg"), png = Path.Combine(directory, $"ratio_hist_{k}.png");
            plot.Write(svg); plot.Write(png);
            files.Add(svg); files.Add(png);
        }
        return files;
    }
}

/// <summary>
/// Evaluates a trained surrogate (direct unet/cgan or perchannel, ONNX + config.json) on a surrogate dataset with the
/// protocol of surrogate/train.py and surrogate/sarkit_surrogate/evaluation.py (docs/surrogate.md, "Evaluation in C#"):
/// cases = every stored shim of the validation and test subjects; predicted and true normalised peaks (SAR /
/// ⟨|B1⁺|⟩², W/kg per µT²) of the model, a generic fixed phantom, a constant and the VOP worst case; safety factor from
/// the validation cases, metrics on the test cases (<see cref="SurrogateCalibration"/>).
/// </summary>
public static class SurrogateEvaluator
{
    public static SurrogateManifest ReadManifest(string directory)
    {
        var path = Path.Combine(directory, SurrogateDatasetBuilder.ManifestFile);
        if (!File.Exists(path)) throw new SarKitInputException($"'{path}' does not exist; --data must be a folder written by 'sarkit surrogate dataset'.") { SourceFile = path };
        SurrogateManifest? m;
        try { m = JsonSerializer.Deserialize<SurrogateManifest>(File.ReadAllText(path), SurrogateDatasetBuilder.JsonOptions); }
        catch (JsonException e) { throw new SarKitInputException($"'{path}' is not a valid surrogate manifest: {e.Message}", e) { SourceFile = path }; }
        if (m is null || m.Format != SurrogateDatasetBuilder.Format) throw new SarKitInputException($"'{path}': format '{m?.Format}', expected '{SurrogateDatasetBuilder.Format}'.") { SourceFile = path };
        return m;
    }

    /// <summary>Model kind ("perchannel", "unet", "cgan") from config.json beside the model; checks its grid against the dataset.</summary>
    public static string ModelKind(string modelPath, SurrogateManifest m, string directory)
    {
        if (!File.Exists(modelPath)) throw new SarKitInputException($"--model '{modelPath}' does not exist.") { SourceFile = modelPath };
        var cfg = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(modelPath))!, "config.json");
        if (!File.Exists(cfg)) throw new SarKitInputException($"'{cfg}' (the training config next to '{modelPath}') does not exist.") { SourceFile = cfg };
        using var doc = JsonDocument.Parse(File.ReadAllText(cfg));
        var r = doc.RootElement;
        string kind = r.TryGetProperty("model", out var k) ? k.GetString() ?? "" : "";
        if (kind is not ("perchannel" or "unet" or "cgan")) throw new SarKitInputException($"'{cfg}': model '{kind}'; expected perchannel, unet or cgan.") { SourceFile = cfg, Dataset = "model" };
        if (r.TryGetProperty("grid", out var g) && g.ValueKind == JsonValueKind.Object)
        {
            int nx = g.GetProperty("nx").GetInt32(), ny = g.GetProperty("ny").GetInt32();
            double h = g.GetProperty("cell_size_m").GetDouble();
            if (nx != m.Grid.Nx || ny != m.Grid.Ny || Math.Abs(h - m.Grid.CellSizeM) > 1e-9 * Math.Max(h, m.Grid.CellSizeM))
                throw new SarKitInputException(string.Create(CultureInfo.InvariantCulture,
                    $"'{cfg}': the model was trained on a {nx} × {ny} grid of {h * 1e3:G4} mm cells; the dataset '{directory}' has {m.Grid.Nx} × {m.Grid.Ny} cells of {m.Grid.CellSizeM * 1e3:G4} mm.")) { SourceFile = cfg, Dataset = "grid" };
        }
        return kind;
    }

    /// <summary>Runs the evaluation; <paramref name="progress"/> gets (stage, fraction done).</summary>
    public static SurrogateEvaluationReport Evaluate(string directory, string modelPath, SurrogateEvaluationOptions? options = null, Action<string, double>? progress = null)
    {
        var o = options ?? new SurrogateEvaluationOptions();
        if (!(o.Quantile > 0 && o.Quantile <= 1)) throw new SarKitInputException($"--quantile {o.Quantile}; expected 0 < q ≤ 1.");
        var sw = Stopwatch.StartNew();
        var stages = new Dictionary<string, double>();
        var m = ReadManifest(directory);
        string kind = ModelKind(modelPath, m, directory);
        var bySplit = new Dictionary<string, List<SurrogateSubjectEntry>>();
        foreach (var split in new[] { "train", "val", "test" })
        {
            bySplit[split] = m.Subjects.Where(s => s.Split == split).ToList();
            if (bySplit[split].Count == 0)
                throw new SarKitInputException($"'{directory}': the '{split}' split has no subjects (splits: {string.Join(", ", m.Splits.Select(kv => $"{kv.Key} {kv.Value}"))}); the evaluation needs train (baselines), val (calibration) and test (report) subjects.") { SourceFile = directory };
        }
        using var direct = kind == "perchannel" ? null : new SurrogatePredictor(modelPath, o.Threads);
        using var perChannel = kind == "perchannel" ? new PerChannelSurrogate(modelPath, o.Threads) : null;
        string[] metrics = direct is null ? ["sar", "sar10g"] : [direct.Target];
        foreach (var k in metrics) if (k is not ("sar" or "sar10g")) throw new SarKitInputException($"'{modelPath}': target '{k}'; expected sar or sar10g.") { SourceFile = modelPath };
        int nx = m.Grid.Nx, ny = m.Grid.Ny, C = m.Channels, M = m.ShimsPerSubject;

        // generic fixed phantom: the training subject with the median body-cell count (stable order, as numpy's argsort on few subjects)
        var train = bySplit["train"];
        var order = train.Select((s, i) => (s, i)).OrderBy(p => p.s.BodyCells).ToList();
        var genericEntry = order[order.Count / 2].s;
        ShimPeakCalculator generic;
        using (var z = new SurrogateShard(Path.Combine(directory, genericEntry.File), m))
            generic = new ShimPeakCalculator(z.ChannelMaps("b1_channels"), z.ChannelMaps("e_channels"), z.Mask(), new SquareMassAverage2D(nx, ny, m.Grid.CellSizeM, z.Density()));

        // constant: mean normalised peak over the stored shims of the training subjects
        var constant = new Dictionary<string, double>();
        var sums = metrics.ToDictionary(k => k, _ => 0.0);
        long count = 0;
        for (int i = 0; i < train.Count; i++)
        {
            using var z = new SurrogateShard(Path.Combine(directory, train[i].File), m);
            int shims = z.Shims(M);
            foreach (var k in metrics) sums[k] += z.PeaksPerShim(k, shims).Sum();
            count += shims;
            if (i % 20 == 0) progress?.Invoke("constant baseline (training subjects)", (double)i / train.Count);
        }
        foreach (var k in metrics) constant[k] = sums[k] / count;
        stages["baselines (generic, constant)"] = sw.Elapsed.TotalSeconds;

        SurrogateVopBaseline? vop = null;
        if (o.Vop && metrics.Contains("sar10g"))
        {
            progress?.Invoke("VOP baseline", 0);
            vop = SurrogateVopBaseline.Create(directory, m, o.VopSubjects, o.VopMargin, o.VopFile, o.Threads, o.VopRandomDrives);
        }
        stages["vop"] = sw.Elapsed.TotalSeconds - stages.Values.Sum();
        var methods = new List<string> { "model", "generic", "constant" };
        if (vop is not null) methods.Add("vop");

        var tables = new Dictionary<string, SurrogateCaseTable>();
        double modelSeconds = 0;
        int total = bySplit["val"].Count + bySplit["test"].Count, done = 0;
        foreach (var split in new[] { "val", "test" })
        {
            var t = new SurrogateCaseTable(split);
            foreach (var k in metrics) { t.Column($"true_{k}"); foreach (var meth in methods) if (meth != "vop" || k == "sar10g") t.Column($"{meth}_{k}"); }
            foreach (var s in bySplit[split])
            {
                var file = Path.Combine(directory, s.File);
                using var z = new SurrogateShard(file, m);
                int shims = z.Shims(M);
                var phases = z.Values("phases", shims * C);
                var b1Mean = z.Values("b1_mean_abs", shims);
                var truePeaks = metrics.ToDictionary(k => k, k => z.PeaksPerShim(k, shims));
                var mask = z.Mask();
                float[]? water = null, fat = null;
                bool anatomy = direct?.UsesAnatomy ?? perChannel!.UsesAnatomy;
                if (anatomy) { water = z.Floats("water", 1); fat = z.Floats("fat", 1); }
                var model = metrics.ToDictionary(k => k, _ => new double[shims]);
                long t0 = Stopwatch.GetTimestamp();
                if (direct is not null)
                {
                    var b1 = z.Floats("b1_shim", 2 * shims);
                    int n = nx * ny;
                    for (int k = 0; k < shims; k++)
                    {
                        var re = new float[n]; var im = new float[n];
                        Array.Copy(b1, (long)k * 2 * n, re, 0, n); Array.Copy(b1, (long)k * 2 * n + n, im, 0, n);
                        var p = direct.Predict(new SurrogateInput(nx, ny, re, im, mask, water, fat), file);
                        double pk = 0;
                        for (int c = 0; c < n; c++) if (mask[c] == 1) pk = Math.Max(pk, p.NormalisedSar[c]);
                        model[metrics[0]][k] = Math.Max(pk, 1e-30);
                    }
                }
                else
                {
                    var pred = perChannel!.Predict(nx, ny, z.Floats("b1_channels", 2 * C), mask, water, fat, file);
                    var avg = new SquareMassAverage2D(nx, ny, m.Grid.CellSizeM, z.Density());
                    var w = new Complex[C];
                    var sar10 = new double[nx * ny];
                    for (int k = 0; k < shims; k++)
                    {
                        for (int c = 0; c < C; c++) w[c] = Complex.FromPolarCoordinates(1, phases[k * C + c]);
                        var sar = pred.PointSar(w);
                        double norm = 1 / (b1Mean[k] * b1Mean[k]), pk = 0;
                        for (int c = 0; c < sar.Length; c++) { sar[c] *= norm; pk = Math.Max(pk, sar[c]); }
                        avg.Average(sar, sar10);
                        model["sar"][k] = Math.Max(pk, 1e-30); model["sar10g"][k] = Math.Max(sar10.Max(), 1e-30);
                    }
                }
                modelSeconds += Stopwatch.GetElapsedTime(t0).TotalSeconds;
                for (int k = 0; k < shims; k++)
                {
                    var ph = phases.AsSpan(k * C, C);
                    var (gs, g10) = generic.Peaks(ph);
                    t.Subject.Add(s.Index); t.Shim.Add(k); t.B1MeanAbs.Add(b1Mean[k]);
                    foreach (var key in metrics)
                    {
                        t.Columns[$"true_{key}"].Add(truePeaks[key][k]);
                        t.Columns[$"model_{key}"].Add(model[key][k]);
                        t.Columns[$"generic_{key}"].Add(key == "sar" ? gs : g10);
                        t.Columns[$"constant_{key}"].Add(constant[key]);
                    }
                    if (vop is not null) t.Columns["vop_sar10g"].Add(vop.PeakSar(ph) / (b1Mean[k] * b1Mean[k]));
                }
                progress?.Invoke("cases (val and test subjects)", (double)++done / total);
            }
            tables[split] = t;
        }
        stages["cases"] = sw.Elapsed.TotalSeconds - stages.Values.Sum();
        stages["cases: model"] = modelSeconds;
        var reports = SurrogateCalibration.Report(tables["val"], tables["test"], methods, metrics, o.Quantile, o.BootstrapRounds, o.BootstrapSeed);
        return new SurrogateEvaluationReport(kind, metrics, methods.ToArray(), o.Quantile, tables["val"], tables["test"], reports, genericEntry.Index, constant, vop, sw.Elapsed.TotalSeconds)
        { StageSeconds = stages };
    }
}
