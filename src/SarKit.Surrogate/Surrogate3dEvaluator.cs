using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using SarKit.Plotting;

namespace SarKit.Surrogate;

/// <summary>Settings of <see cref="Surrogate3dEvaluator.Evaluate"/>.</summary>
public sealed record Surrogate3dEvaluationOptions
{
    /// <summary>Random shims per subject (the same for all its slices).</summary>
    public int Shims { get; init; } = 20;
    /// <summary>Master seed of the shims.</summary>
    public int Seed { get; init; }
    /// <summary>q of the case-quantile factor (the shipped models' rule).</summary>
    public double Quantile { get; init; } = 0.95;
    /// <summary>1 − β of the subject-conformal factor.</summary>
    public double ConformalLevel { get; init; } = 0.95;
    /// <summary>"loso", "split" or "auto" (loso below <see cref="LosoBelow"/> subjects).</summary>
    public string Calibration { get; init; } = "auto";
    /// <summary>auto uses leave-one-subject-out below this many subjects, a seeded half split from it on.</summary>
    public int LosoBelow { get; init; } = 30;
    public int BootstrapRounds { get; init; } = 2000;
    /// <summary>ONNX Runtime threads.</summary>
    public int Threads { get; init; } = 2;
    /// <summary>Worst-over-shims metric: objective evaluations per subject and model beyond the evaluation shims, which start the search (0 = off; <see cref="ShimPhaseMaximizer"/>).</summary>
    public int WorstShimEvaluations { get; init; }
}

/// <summary>
/// A subject's worst case over shim phases: max over φ (φ_1 = 0, unit amplitudes) of max over its slices of
/// true/predicted normalised peak 10 g SAR, found by <see cref="ShimPhaseMaximizer"/> (a lower bound of the true maximum).
/// </summary>
/// <param name="Subject">Subject id.</param>
/// <param name="Family">Anatomy family.</param>
/// <param name="Ratio">Largest true/predicted found, raw (factor 1), dimensionless.</param>
/// <param name="Slice">Slice where it occurs.</param>
/// <param name="Phases">Phases of that shim, rad.</param>
/// <param name="Evaluations">Objective evaluations (each: the subject's 3D 10 g map and a prediction on every slice).</param>
/// <param name="RandomCasesWorst">Largest true/predicted of the subject's random evaluation cases, for comparison.</param>
public sealed record WorstShimSubject(string Subject, string Family, double Ratio, int Slice, double[] Phases, int Evaluations, double RandomCasesWorst);

/// <summary>A calibration rule applied across families: factor from the subjects of one family, metrics on the others.</summary>
/// <param name="CalibrationFamily">Family the factor is calibrated on.</param>
/// <param name="Rule">Calibration rule.</param>
/// <param name="CalibrationSubjects">Subjects of the calibration family.</param>
/// <param name="Factor">The factor.</param>
/// <param name="Test">Metrics of the other families' cases × factor.</param>
/// <param name="AnyUnderUpper95">Clopper–Pearson 95 % upper bound of the share of test subjects with any underestimated case.</param>
public sealed record FamilyTransfer(string CalibrationFamily, SafetyFactorRule Rule, int CalibrationSubjects, double Factor, SubjectLevelMetrics Test, double AnyUnderUpper95);

/// <summary>Everything measured for one model on the 3D cases.</summary>
/// <param name="Name">Model name (its folder, e.g. "cgan").</param>
/// <param name="Kind">unet, cgan or perchannel.</param>
/// <param name="ModelFile">Absolute path of model.onnx.</param>
/// <param name="ShippedFactor">safety_factor of its config.json (calibrated on 2D FDFD validation subjects), 1 when absent.</param>
/// <param name="Predicted">Predicted normalised peak per case (W/kg per µT²), aligned with the evaluator's cases.</param>
/// <param name="Raw">Raw metrics (factor 1), all subjects.</param>
/// <param name="ShippedFactorMetrics">Metrics with the shipped 2D factor.</param>
/// <param name="RawByFamily">Raw metrics per family.</param>
/// <param name="MatchedFactor">Factor at which the pooled P(under) equals <see cref="Surrogate3dEvaluator.PaperRawPUnder"/> (the paper's raw 13 %): q87 of true/predicted.</param>
/// <param name="MatchedMeanOverestimation">Mean overestimation at <paramref name="MatchedFactor"/> (compare with the paper's raw 15 %).</param>
/// <param name="Tradeoff">P(under) and mean overestimation of predicted × factor, factor 0.5 … 3.0.</param>
/// <param name="Calibrations">Held-out calibration: case-quantile and subject-conformal rules.</param>
/// <param name="Transfers">Calibration on one family, test on the others (when both exist).</param>
/// <param name="WorstOverShims">Per subject worst case over shim phases; null when not requested.</param>
public sealed record Surrogate3dModelReport(string Name, string Kind, string ModelFile, double ShippedFactor, double[] Predicted, SubjectLevelMetrics Raw,
    SubjectLevelMetrics ShippedFactorMetrics, IReadOnlyDictionary<string, SubjectLevelMetrics> RawByFamily, double MatchedFactor, double MatchedMeanOverestimation,
    IReadOnlyList<TradeoffPoint> Tradeoff, IReadOnlyList<HeldOutCalibration> Calibrations, IReadOnlyList<FamilyTransfer> Transfers,
    IReadOnlyList<WorstShimSubject>? WorstOverShims = null);

/// <summary>Result of <see cref="Surrogate3dEvaluator.Evaluate"/>.</summary>
/// <param name="Label">What the numbers are (data, array, generator, subjects, models).</param>
/// <param name="Subjects">Subjects evaluated (manifest order).</param>
/// <param name="Families">Family of each subject.</param>
/// <param name="SlicesPerSubject">Exact slices used per subject.</param>
/// <param name="Cases">All cases (subject × slice × shim).</param>
/// <param name="Models">Per model.</param>
/// <param name="Scheme">Calibration scheme used: loso or split.</param>
/// <param name="OffsetX">Training-grid column of the slab's column 0 (FOV mapping).</param>
/// <param name="OffsetY">Training-grid row of the slab's row 0.</param>
/// <param name="Seconds">Wall time.</param>
public sealed record Surrogate3dEvaluationReport(string Label, string[] Subjects, string[] Families, int[] SlicesPerSubject, IReadOnlyList<Surrogate3dCase> Cases,
    IReadOnlyList<Surrogate3dModelReport> Models, string Scheme, int OffsetX, int OffsetY, double Seconds)
{
    /// <summary>Every case as CSV (subject, family, slice, shim, phases, ⟨|B1⁺|⟩, true peak, normalised true and predicted per model), atomically.</summary>
    public void WriteCasesCsv(string path)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new System.Text.StringBuilder("subject,family,slice,shim,phases_rad,b1_mean_abs_ut,true_peak10g_w_per_kg_per_v2,true_normalised");
        foreach (var m in Models) sb.Append(',').Append(m.Name).Append("_normalised");
        sb.Append('\n');
        for (int i = 0; i < Cases.Count; i++)
        {
            var c = Cases[i];
            sb.Append(inv, $"{c.Subject},{c.Family},{c.Slice},{c.Shim},{string.Join(' ', c.Phases.Select(p => p.ToString("R", inv)))},{c.B1MeanAbsUt:R},{c.TruePeak10g:R},{c.TrueNormalised:R}");
            foreach (var m in Models) sb.Append(',').Append(m.Predicted[i].ToString("R", inv));
            sb.Append('\n');
        }
        SarKit.Reporting.AtomicFile.Write(path, f => f.Write(new System.Text.UTF8Encoding(false).GetBytes(sb.ToString())));
    }

    /// <summary>Histograms of raw and held-out-calibrated predicted/true per model, and the trade-off curve: SVG + PNG. Returns the files.</summary>
    public List<string> WritePlots(string directory)
    {
        Directory.CreateDirectory(directory);
        var files = new List<string>();
        var truth = Cases.Select(c => c.TrueNormalised).ToArray();
        var inv = CultureInfo.InvariantCulture;
        void Save(Chart plot, string name) { foreach (var ext in new[] { ".svg", ".png" }) { var f = Path.Combine(directory, name + ext); plot.Write(f); files.Add(f); } }
        var raw = Models.Select(m => (string.Create(inv, $"{m.Name} raw (P(under) {m.Raw.PUnder * 100:F1} %)"), (IReadOnlyList<double>)m.Predicted.Select((p, i) => p / truth[i]).ToArray())).ToList();
        double hi = Math.Clamp(raw.SelectMany(r => r.Item2).DefaultIfEmpty(2).Max() * 1.02, 2.0, 6.0);
        Save(Histogram.Plot($"3D openEMS slices: raw predicted / true peak 10 g SAR, {Cases.Count} cases, {Subjects.Length} subjects", "predicted / true peak 10 g SAR (1)",
            raw, 0, hi, 60, new VLine("ratio = 1 (left: underestimation)", 1.0, "#000000")), "ratio_raw_3d");
        var cal = new List<(string, IReadOnlyList<double>)>();
        foreach (var m in Models)
        {
            var c = m.Calibrations.First(x => x.Rule == SafetyFactorRule.CaseQuantile);
            var fac = new Dictionary<string, double>();
            int idx = 0;
            foreach (var s in c.Held.PerSubject) fac[s.Subject] = c.Factors[idx++];
            var r = new List<double>();
            for (int i = 0; i < Cases.Count; i++) if (fac.TryGetValue(Cases[i].Subject, out var f)) r.Add(m.Predicted[i] * f / truth[i]);
            cal.Add((string.Create(inv, $"{m.Name} ({c.Scheme} q{c.Level:G3}: P(under) {c.Held.PUnder * 100:F1} %)"), r));
        }
        Save(Histogram.Plot($"3D openEMS slices: held-out calibrated ratio ({Scheme}), {Subjects.Length} subjects", "predicted × held-out safety factor / true (1)",
            cal, 0, Math.Max(hi, 2.5), 60, new VLine("ratio = 1", 1.0, "#000000")), "ratio_calibrated_3d");
        var plot = new LinePlot { Title = $"Trade-off on 3D openEMS slices ({Subjects.Length} subjects): predicted × factor", XLabel = "mean overestimation (%)", YLabel = "P(underestimation) (%)", LegendInside = true };
        int k = 0;
        foreach (var m in Models)
            plot.Series.Add(new LineSeries(m.Name, m.Tradeoff.Select(t => t.MeanOverestimation * 100).ToArray(), m.Tradeoff.Select(t => t.PUnderestimation * 100).ToArray(), Chart.Palette[k++ % Chart.Palette.Length]));
        plot.HLines.Add(new HLine("5 %", 5, "#000000"));
        plot.HLines.Add(new HLine("paper raw 13 %", 13, "#888888"));
        Save(plot, "tradeoff_3d");
        return files;
    }
}

/// <summary>
/// Evaluates surrogates on the 3D openEMS subjects (docs/surrogate.md "3D evaluation"): per subject the exact slab
/// slices embedded into each model's training grid (<see cref="Surrogate3dPairs"/>), seeded random shims, true peak
/// = the slice maximum of the whole-model IEC/IEEE 62704-1 10 g SAR, predicted peak = the model's 10 g peak on that
/// slice, both divided by ⟨|B1⁺|⟩² of the slice. Raw metrics first, then held-out calibration with subjects as the
/// unit (<see cref="SubjectConformalCalibration"/>).
/// </summary>
public static class Surrogate3dEvaluator
{
    /// <summary>The paper's raw P(under) (Meliadò et al. 2020: 13 % at 15 % mean overestimation).</summary>
    public const double PaperRawPUnder = 0.13;

    /// <summary>Factors of the 3D trade-off table: 0.5, 0.55, …, 3.0.</summary>
    public static double[] TradeoffFactors() => Enumerable.Range(0, 51).Select(i => 0.5 + 0.05 * i).ToArray();

    /// <summary>Model files: a model.onnx, or a folder whose sub-folders hold model.onnx (sorted).</summary>
    public static List<string> ModelFiles(IEnumerable<string> paths)
    {
        var list = new List<string>();
        foreach (var p in paths)
        {
            if (Directory.Exists(p))
            {
                var found = Directory.GetDirectories(p).Order(StringComparer.Ordinal).Select(d => Path.Combine(d, "model.onnx")).Where(File.Exists).ToList();
                if (File.Exists(Path.Combine(p, "model.onnx"))) found.Insert(0, Path.Combine(p, "model.onnx"));
                if (found.Count == 0) throw new SarKitInputException($"'{p}': no model.onnx in the folder or its sub-folders.") { SourceFile = p };
                list.AddRange(found.Select(Path.GetFullPath));
            }
            else if (File.Exists(p)) list.Add(Path.GetFullPath(p));
            else throw new SarKitInputException($"--model '{p}' does not exist.") { SourceFile = p };
        }
        if (list.Count == 0) throw new SarKitInputException("--model: give at least one model.onnx (or a folder such as models/surrogate).");
        return list;
    }

    public static Surrogate3dEvaluationReport Evaluate(string dataDirectory, IReadOnlyList<string> modelPaths, Surrogate3dEvaluationOptions options, Action<string, double>? progress = null)
    {
        var sw = Stopwatch.StartNew();
        if (options.Shims < 1) throw new SarKitInputException($"--shims {options.Shims}: expected ≥ 1.");
        if (!(options.Quantile > 0 && options.Quantile <= 1)) throw new SarKitInputException($"--quantile {options.Quantile}: expected 0 < q ≤ 1.");
        if (!(options.ConformalLevel > 0 && options.ConformalLevel < 1)) throw new SarKitInputException($"--conformal-level {options.ConformalLevel}: expected 0 < level < 1.");
        if (options.WorstShimEvaluations < 0) throw new SarKitInputException($"--worst-shims {options.WorstShimEvaluations}: expected ≥ 0 (0 = off).");
        if (options.Calibration is not ("auto" or "loso" or "split")) throw new SarKitInputException($"--calibration '{options.Calibration}': expected auto, loso or split.");
        var entries = Surrogate3dSubject.ReadManifest(dataDirectory);
        if (entries.Count < 2) throw new SarKitInputException($"'{dataDirectory}': {entries.Count} subject; the held-out evaluation needs at least 2.") { SourceFile = dataDirectory };
        var files = ModelFiles(modelPaths);
        // models and their training grids
        var models = new List<(string Name, string Kind, string File, SurrogateTrainingGrid Grid, double Sf, object Runner)>();
        try
        {
            foreach (var f in files)
            {
                string name = Path.GetFileName(Path.GetDirectoryName(f)!);
                if (PerChannelSurrogate.IsPerChannelModel(f))
                {
                    var m = new PerChannelSurrogate(f, options.Threads);
                    models.Add((name, "perchannel", f, m.Grid ?? throw NoGrid(f), m.SafetyFactor, m));
                }
                else
                {
                    var m = new SurrogatePredictor(f, options.Threads);
                    if (m.Target != "sar10g") throw new SarKitInputException($"'{f}': the model predicts '{m.Target}'; the 3D targets are 10 g SAR (a 'sar10g' model is needed).") { SourceFile = f };
                    models.Add((name, ConfigModel(f), f, m.Grid ?? throw NoGrid(f), m.SafetyFactor, m));
                }
            }
            foreach (var m in models)
                if (TrainSubjects(m.File).Intersect(entries.Select(e => e.Id)).ToList() is { Count: > 0 } seen)
                    throw new SarKitInputException($"'{m.File}' was trained on {string.Join(", ", seen)} (config.json train_subjects); the 3D evaluation takes held-out subjects only. Use a folder without them.") { SourceFile = m.File };
            foreach (var m in models)
                if (ValidationSubjects(m.File).Intersect(entries.Select(e => e.Id)).ToList() is { Count: > 0 } seen)
                    throw new SarKitInputException($"'{m.File}' was selected on {string.Join(", ", seen)} (config.json validation_subjects); the 3D evaluation takes held-out subjects only. Use a folder without them.") { SourceFile = m.File };
            var grid = models[0].Grid;
            if (models.Any(m => m.Grid != grid)) throw new SarKitInputException("The models were trained on different grids; evaluate them one at a time.");
            var cases = new List<Surrogate3dCase>();
            var preds = models.Select(_ => new List<double>()).ToList();
            var worst = models.Select(_ => new List<WorstShimSubject>()).ToList();
            var subjects = new List<string>(); var families = new List<string>(); var slicesPer = new List<int>();
            int ox = 0, oy = 0;
            for (int si = 0; si < entries.Count; si++)
            {
                progress?.Invoke($"subject {entries[si].Id}", (double)si / entries.Count);
                var s = Surrogate3dSubject.Read(entries[si]);
                var slices = Surrogate3dPairs.Slices(s, grid);
                ox = slices[0].OffsetX; oy = slices[0].OffsetY;
                var phases = Surrogate3dPairs.ShimPhases(s.Id, options.Shims, options.Seed, s.Channels);
                var sc = Surrogate3dPairs.Cases(s, slices, phases);
                cases.AddRange(sc);
                subjects.Add(s.Id); families.Add(s.Family); slicesPer.Add(slices.Count);
                var bySlice = slices.ToDictionary(x => x.Slice);
                for (int mi = 0; mi < models.Count; mi++)
                {
                    var peakOf = PeakPredictor(models[mi].Runner, slices, grid, s.FilePath);
                    foreach (var c in sc)
                        preds[mi].Add(peakOf(bySlice[c.Slice], c.Phases.Select(p => Complex.FromPolarCoordinates(1, p)).ToArray(), c.B1MeanAbsUt));
                    if (options.WorstShimEvaluations > 0)
                    {
                        progress?.Invoke($"subject {s.Id}: worst over shims, {models[mi].Name}", (double)si / entries.Count);
                        worst[mi].Add(WorstOverShims(s, slices, peakOf, options, phases));
                    }
                }
            }
            progress?.Invoke("metrics", 0.95);
            bool loso = options.Calibration == "loso" || (options.Calibration == "auto" && subjects.Count < options.LosoBelow);
            var ids = cases.Select(c => c.Subject).ToArray();
            var truth = cases.Select(c => c.TrueNormalised).ToArray();
            var reports = new List<Surrogate3dModelReport>();
            for (int mi = 0; mi < models.Count; mi++)
            {
                var p = preds[mi].ToArray();
                var raw = SubjectLevelMetrics.Compute(ids, truth, p);
                var shipped = SubjectLevelMetrics.Compute(ids, truth, p, models[mi].Sf);
                var byFam = families.Distinct().ToDictionary(f => f, f =>
                {
                    var ix = Enumerable.Range(0, cases.Count).Where(i => cases[i].Family == f).ToArray();
                    return SubjectLevelMetrics.Compute(ix.Select(i => ids[i]).ToArray(), ix.Select(i => truth[i]).ToArray(), ix.Select(i => p[i]).ToArray());
                });
                var inv = truth.Select((t, i) => t / p[i]).Order().ToArray();
                double matched = PeakSarMetrics.Quantile(inv, 1 - PaperRawPUnder);
                double matchedOver = p.Select((x, i) => x * matched / truth[i]).Average() - 1;
                var tradeoff = SurrogateCalibration.Tradeoff(truth, p, TradeoffFactors());
                var cals = new List<HeldOutCalibration>
                {
                    SubjectConformalCalibration.Evaluate(SafetyFactorRule.CaseQuantile, options.Quantile, ids, truth, p, loso, options.Seed, options.BootstrapRounds),
                    SubjectConformalCalibration.Evaluate(SafetyFactorRule.SubjectConformal, options.ConformalLevel, ids, truth, p, loso, options.Seed, options.BootstrapRounds),
                };
                var transfers = new List<FamilyTransfer>();
                foreach (var fam in families.Distinct().Order(StringComparer.Ordinal))
                {
                    var calSet = subjects.Where((_, i) => families[i] == fam).ToHashSet();
                    if (calSet.Count < 2 || calSet.Count == subjects.Count) continue;   // a factor from one subject says nothing
                    foreach (var (rule, level) in new[] { (SafetyFactorRule.CaseQuantile, options.Quantile), (SafetyFactorRule.SubjectConformal, options.ConformalLevel) })
                    {
                        double f = SubjectConformalCalibration.Factor(rule, level, ids, truth, p, calSet);
                        var ix = Enumerable.Range(0, cases.Count).Where(i => !calSet.Contains(ids[i])).ToArray();
                        var test = SubjectLevelMetrics.Compute(ix.Select(i => ids[i]).ToArray(), ix.Select(i => truth[i]).ToArray(), ix.Select(i => p[i] * f).ToArray());
                        transfers.Add(new FamilyTransfer(fam, rule, calSet.Count, f, test, SafetyBounds.ClopperPearsonUpper(test.PerSubject.Count(x => x.AnyUnder), test.Subjects)));
                    }
                }
                IReadOnlyList<WorstShimSubject>? worstList = null;
                if (options.WorstShimEvaluations > 0)
                {
                    var fromCases = Enumerable.Range(0, cases.Count).GroupBy(i => ids[i]).ToDictionary(g => g.Key, g => g.Max(i => truth[i] / p[i]));
                    worstList = worst[mi].Select(w => w with { RandomCasesWorst = fromCases[w.Subject] }).ToList();
                }
                reports.Add(new Surrogate3dModelReport(models[mi].Name, models[mi].Kind, models[mi].File, models[mi].Sf, p, raw, shipped, byFam, matched, matchedOver, tradeoff, cals, transfers, worstList));
            }
            string fams = string.Join("+", families.Distinct().Order(StringComparer.Ordinal));
            string label = string.Create(CultureInfo.InvariantCulture, $"3D openEMS (FDTD, 5 mm) subjects of {Path.GetFullPath(dataDirectory)}; 8-channel 7 T dipole array of tools/demo (bare PEC dipoles, 298 MHz); generated body models (SarKit BodyModelGenerator v{BodyModels.BodyModel.GeneratorVersion}, families {fams}); {subjects.Count} subjects, {cases.Count} cases (exact slab slices x {options.Shims} shims); targets IEC/IEEE 62704-1 10 g; models: {string.Join(", ", models.Select(m => m.Name))}");
            progress?.Invoke("done", 1);
            return new Surrogate3dEvaluationReport(label, subjects.ToArray(), families.ToArray(), slicesPer.ToArray(), cases, reports, loso ? "loso" : "split", ox, oy, sw.Elapsed.TotalSeconds);
        }
        finally
        {
            foreach (var m in models) (m.Runner as IDisposable)?.Dispose();
        }
    }

    /// <summary>
    /// Predicted normalised peak 10 g SAR (W/kg per µT²) of a slice for drive w: a direct model's peak of its output; a
    /// per-channel model's peak of the 2D square average of |Σ w_n e_n|² (e_n predicted once per slice), / ⟨|B1⁺|⟩².
    /// </summary>
    private static Func<Surrogate3dSlice, Complex[], double, double> PeakPredictor(object runner, IReadOnlyList<Surrogate3dSlice> slices, SurrogateTrainingGrid grid, string source)
    {
        if (runner is PerChannelSurrogate pc)
        {
            var pred = new Dictionary<int, PerChannelPrediction>();
            var avg = new Dictionary<int, SquareMassAverage2D>();
            foreach (var sl in slices)
            {
                pred[sl.Slice] = pc.Predict(sl.Nx, sl.Ny, sl.B1ChannelsInterleaved(), sl.Mask, sl.Water, sl.Fat, $"{source} slice {sl.Slice}");
                avg[sl.Slice] = new SquareMassAverage2D(sl.Nx, sl.Ny, grid.CellSizeM, sl.Rho);
            }
            return (sl, w, meanAbs) =>
            {
                var point = pred[sl.Slice].PointSar(w);
                var a = new double[point.Length];
                avg[sl.Slice].Average(point, a);
                double peak = 0;
                for (int q = 0; q < a.Length; q++) if (sl.Mask[q] == 1 && a[q] > peak) peak = a[q];
                return Math.Max(peak, 1e-30) / (meanAbs * meanAbs);
            };
        }
        var dm = (SurrogatePredictor)runner;
        return (sl, w, _) =>
        {
            var (re, im, _) = sl.Combined(w);
            var r = dm.Predict(new SurrogateInput(sl.Nx, sl.Ny, re, im, sl.Mask, sl.Water, sl.Fat), $"{source} slice {sl.Slice}");
            double peak = 0;
            for (int q = 0; q < r.NormalisedSar.Length; q++) if (sl.Mask[q] == 1 && r.NormalisedSar[q] > peak) peak = r.NormalisedSar[q];
            return Math.Max(peak, 1e-30);
        };
    }

    /// <summary>
    /// Worst case over shim phases of one subject: maximises max over slices of true/predicted normalised peak with
    /// <see cref="ShimPhaseMaximizer"/> (seeded by the master seed and the subject id).
    /// </summary>
    private static WorstShimSubject WorstOverShims(Surrogate3dSubject s, IReadOnlyList<Surrogate3dSlice> slices, Func<Surrogate3dSlice, Complex[], double, double> peakOf, Surrogate3dEvaluationOptions options, double[][] evaluated)
    {
        int lastAt = slices[0].Slice;
        double Objective(double[] phases)
        {
            var w = phases.Select(p => Complex.FromPolarCoordinates(1, p)).ToArray();
            var cs = Surrogate3dPairs.Cases(s, slices, [phases]);
            double worst = double.NegativeInfinity; int at = slices[0].Slice;
            for (int i = 0; i < slices.Count; i++)
            {
                double r = cs[i].TrueNormalised / peakOf(slices[i], w, cs[i].B1MeanAbsUt);
                if (r > worst) { worst = r; at = slices[i].Slice; }
            }
            lastAt = at;
            return worst;
        }
        int n = options.WorstShimEvaluations;
        var seed = (int)(Surrogate3dPairs.ShimPhases(s.Id, 1, options.Seed, 2)[0][1] * 1e6);   // seeded per subject
        var opt = new ShimPhaseSearchOptions
        {
            InitialPhases = evaluated, RandomStarts = Math.Max(1, Math.Min(64, n / 3)), Refined = 2, MaxEvaluations = evaluated.Length + n, Seed = seed,
        };
        var best = ShimPhaseMaximizer.Maximize(Objective, s.Channels, opt);
        Objective(best.Phases);   // the slice of the maximum
        return new WorstShimSubject(s.Id, s.Family, best.Value, lastAt, best.Phases, best.Evaluations, double.NaN);
    }

    /// <summary>Subjects a model was trained on (config.json "train_subjects", models trained on 3D pairs); empty for others.</summary>
    public static IReadOnlyList<string> TrainSubjects(string modelPath) => ConfigSubjects(modelPath, "train_subjects");

    /// <summary>Subjects a model was selected on (config.json "validation_subjects": checkpoint selection, train3d.py
    /// --val); empty for others. Like the training subjects they are not held out and are refused by the evaluation.</summary>
    public static IReadOnlyList<string> ValidationSubjects(string modelPath) => ConfigSubjects(modelPath, "validation_subjects");

    private static IReadOnlyList<string> ConfigSubjects(string modelPath, string key)
    {
        var cfg = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(modelPath))!, "config.json");
        if (!File.Exists(cfg)) return [];
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(cfg));
        return doc.RootElement.TryGetProperty(key, out var t) && t.ValueKind == System.Text.Json.JsonValueKind.Array
            ? t.EnumerateArray().Select(x => x.GetString() ?? "").ToList() : [];
    }

    /// <summary>The training grid of a model (config.json "grid"); throws when the config has none.</summary>
    public static SurrogateTrainingGrid TrainingGrid(string modelPath)
    {
        var cfg = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(modelPath))!, "config.json");
        if (!File.Exists(cfg)) throw new SarKitInputException($"'{cfg}' (the training config next to '{modelPath}') does not exist.") { SourceFile = cfg };
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(cfg));
        return SurrogateWindowing.Read(doc.RootElement, cfg).Grid ?? throw NoGrid(modelPath);
    }

    private static string ConfigModel(string modelPath)
    {
        var cfg = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(modelPath))!, "config.json");
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(cfg));
        return doc.RootElement.TryGetProperty("model", out var m) ? m.GetString() ?? "" : "";
    }

    private static SarKitInputException NoGrid(string f) => new($"'{f}': config.json has no 'grid'; the 3D slices need the training grid's cell size to map the field of view.") { SourceFile = f };
}
