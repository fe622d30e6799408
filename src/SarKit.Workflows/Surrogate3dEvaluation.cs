using System.Globalization;
using SarKit.Surrogate;
using SarKit.Workflows.Results;

namespace SarKit.Workflows;

/// <summary>What <see cref="Surrogate3dEvaluation.Run"/> evaluates (docs/cli.md, "sarkit surrogate evaluate --data3d").</summary>
public sealed record Surrogate3dEvaluationRequest : SurrogateEvaluationRequestBase
{
    /// <summary>model.onnx files (config.json beside each) or folders whose sub-folders hold model.onnx (e.g. models/surrogate).</summary>
    public required IReadOnlyList<string> Models { get; init; }
    /// <summary>Shims, seed, calibration. <see cref="Surrogate3dEvaluationOptions.Threads"/> is replaced by the settings' parallelism.</summary>
    public Surrogate3dEvaluationOptions Options { get; init; } = new();
    /// <summary>Folder for the training/evaluation pairs (one &lt;id&gt;.npz per subject, <see cref="Surrogate3dPairs.WritePairs"/>); null = none.</summary>
    public string? PairsDirectory { get; init; }
}

/// <summary>
/// Peak-SAR safety of trained surrogates on 3D openEMS subjects (<see cref="Surrogate3dEvaluator"/>; docs/surrogate.md
/// "3D evaluation"): true targets are the IEC/IEEE 62704-1 10 g SAR of the whole 3D model on transverse slices; raw
/// metrics (P(under), mean overestimation, per-subject worst case, share of subjects with any underestimated case,
/// the paper-matched factor at P(under) = 13 %, Meliadò et al., MRM 2020;83:695), then held-out calibration with
/// subjects as the unit: case-quantile and subject-level split-conformal factors (Vovk 2012; Angelopoulos &amp; Bates
/// 2021), leave-one-subject-out when there are few subjects, Clopper–Pearson and conformal Beta 95 % upper bounds.
/// </summary>
public sealed class Surrogate3dEvaluation
{
    private Surrogate3dEvaluation(Surrogate3dEvaluationReport report, Surrogate3dEvaluateResult result) { Report = report; Result = result; }

    public Surrogate3dEvaluationReport Report { get; }
    public Surrogate3dEvaluateResult Result { get; }

    /// <summary>Runs the evaluation and writes the requested cases CSV and plots.</summary>
    /// <param name="request">Data, models and options.</param>
    /// <param name="settings">Threads of ONNX Runtime (default <see cref="SarKitSettings.Default"/>).</param>
    /// <param name="sarkitVersion">Version written into the result.</param>
    /// <param name="progress">Fraction done, 0 … 1.</param>
    public static Surrogate3dEvaluation Run(Surrogate3dEvaluationRequest request, SarKitSettings? settings = null, string sarkitVersion = "", IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        settings ??= SarKitSettings.Default;
        var options = request.Options with { Threads = settings.MaxDegreeOfParallelism };
        request.CheckOutputs();
        var ev = Surrogate3dEvaluator.Evaluate(request.DataDirectory, request.Models, options, (_, f) => progress?.Report(f));
        var plots = request.WriteOutputs(ev.WriteCasesCsv, ev.WritePlots);
        if (request.PairsDirectory is { } pd) WritePairs(request.DataDirectory, request.Models, pd, options);
        int n = ev.Subjects.Length;
        string caveat = string.Create(CultureInfo.InvariantCulture,
            $"{n} subjects: every bound is over subjects, so with few subjects the intervals are wide (a Clopper–Pearson 95 % upper bound with 0 of {n} subjects failing is {SafetyBounds.ClopperPearsonUpper(0, n) * 100:F0} %); ")
            + (ev.Models.All(m => Surrogate3dEvaluator.TrainSubjects(m.ModelFile).Count > 0)
                ? "the models were trained on other 3D subjects of the same generator and array (config.json train_subjects; none of them is evaluated here)."
                : "models trained on 2D FDFD line-source phantoms (e.g. the shipped ones) give out-of-distribution baseline numbers here, not the 3D-trained models'.");
        var res = new Surrogate3dEvaluateResult(ev.Label, Path.GetFullPath(request.DataDirectory), ev.Subjects, ev.Families, ev.SlicesPerSubject, options.Shims, options.Seed,
            ev.Cases.Count, ev.Scheme, [ev.OffsetX, ev.OffsetY], ev.Models.Select(ToResult).ToArray(), request.CasesFile is null ? null : Path.GetFullPath(request.CasesFile),
            plots, caveat, ev.Seconds, sarkitVersion);
        ResultJson.RequireFinite(res);
        return new Surrogate3dEvaluation(ev, res);
    }

    /// <summary>Writes each subject's training/evaluation pairs (<see cref="Surrogate3dPairs.WritePairs"/>, one &lt;id&gt;.npz
    /// per subject, on the first model's training grid) without evaluating any model (<c>--pairs-out DIR --pairs-only</c>:
    /// the retraining pipeline needs the pairs of every subject, including those a 3D model was trained on).</summary>
    /// <returns>The subject ids written, in manifest order.</returns>
    public static IReadOnlyList<string> WritePairs(string dataDirectory, IReadOnlyList<string> models, string pairsDirectory, Surrogate3dEvaluationOptions options, IProgress<double>? progress = null)
    {
        Directory.CreateDirectory(pairsDirectory);
        var grid = Surrogate3dEvaluator.TrainingGrid(Surrogate3dEvaluator.ModelFiles(models)[0]);
        var entries = Surrogate3dSubject.ReadManifest(dataDirectory);
        var ids = new List<string>();
        for (int i = 0; i < entries.Count; i++)
        {
            progress?.Report((double)i / entries.Count);
            var s = Surrogate3dSubject.Read(entries[i]);
            Surrogate3dPairs.WritePairs(Path.Combine(pairsDirectory, s.Id + ".npz"), s, Surrogate3dPairs.Slices(s, grid), Surrogate3dPairs.ShimPhases(s.Id, options.Shims, options.Seed, s.Channels));
            ids.Add(s.Id);
        }
        return ids;
    }

    private static string RuleName(SafetyFactorRule r) => r == SafetyFactorRule.CaseQuantile ? "case_quantile" : "subject_conformal";

    private static Surrogate3dMetricsResult Metrics(SubjectLevelMetrics m) => new(m.Cases, m.Subjects, m.PUnder, m.MeanOverestimation, m.WorstTrueOverPredicted,
        m.ShareSubjectsAnyUnder, m.PerSubject.Select(s => new Surrogate3dSubjectResult(s.Subject, s.Cases, s.Under, s.PUnder, s.WorstTrueOverPredicted, s.MeanOverestimation)).ToArray());

    private static Surrogate3dModelResult ToResult(Surrogate3dModelReport m) => new(m.Name, m.Kind, m.ModelFile, m.ShippedFactor, Metrics(m.Raw), Metrics(m.ShippedFactorMetrics),
        m.RawByFamily.ToDictionary(kv => kv.Key, kv => Metrics(kv.Value)), m.MatchedFactor, m.MatchedMeanOverestimation,
        m.Tradeoff.Select(t => new SurrogateTradeoffResult(t.Factor, t.PUnderestimation, t.MeanOverestimation)).ToArray(),
        m.Calibrations.Select(c => new Surrogate3dCalibrationResult(RuleName(c.Rule), c.Level, c.Scheme, c.CalibrationSubjects, c.FactorAllSubjects, c.FactorCi95,
            [c.Factors.Min(), c.Factors.Max()], Metrics(c.Held), c.PUnderCi95, c.MeanOverestimationCi95, c.AnyUnderUpper95, c.ConformalUpper95, c.ConformalAttainable)).ToArray(),
        m.Transfers.Select(t => new Surrogate3dFamilyTransferResult(t.CalibrationFamily, RuleName(t.Rule), t.CalibrationSubjects, t.Factor, Metrics(t.Test), t.AnyUnderUpper95)).ToArray(),
        m.WorstOverShims?.Select(w =>
        {
            var c = m.Calibrations.First(x => x.Rule == SafetyFactorRule.CaseQuantile);
            int i = c.Held.PerSubject.ToList().FindIndex(x => x.Subject == w.Subject);
            double f = i >= 0 ? c.Factors[i] : c.FactorAllSubjects;
            return new Surrogate3dWorstShimResult(w.Subject, w.Family, w.Ratio, w.Slice, w.Phases, w.Evaluations, w.RandomCasesWorst, f, w.Ratio / f);
        }).ToArray());
}
