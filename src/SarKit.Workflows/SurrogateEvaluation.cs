using SarKit.Surrogate;
using SarKit.Workflows.Results;

namespace SarKit.Workflows;

/// <summary>
/// The data and outputs that <see cref="SurrogateEvaluationRequest"/> (2D dataset) and
/// <see cref="Surrogate3dEvaluationRequest"/> (3D subjects) share.
/// </summary>
public abstract record SurrogateEvaluationRequestBase
{
    /// <summary>Dataset folder: for <see cref="SurrogateEvaluation"/> one written by <see cref="SurrogateDatasetGeneration"/> with train,
    /// val and test subjects; for <see cref="Surrogate3dEvaluation"/> a folder of 3D subjects with manifest.json (data/surrogate3d,
    /// docs/surrogate3d-dataset.md).</summary>
    public required string DataDirectory { get; init; }
    /// <summary>Write every case to this CSV; null = do not write. Its folder must exist (checked before the run).</summary>
    public string? CasesFile { get; init; }
    /// <summary>Folder for the plots (ratio histograms); null = no plots.</summary>
    public string? PlotsDirectory { get; init; }

    /// <summary>Refuses a cases file in a folder that does not exist before the long run, not after it.</summary>
    internal void CheckOutputs()
    {
        if (CasesFile is { } cf && Path.GetDirectoryName(Path.GetFullPath(cf)) is { } dir && !Directory.Exists(dir))
            throw new SarKitInputException($"--cases '{cf}': folder '{dir}' does not exist.") { SourceFile = cf };
    }

    /// <summary>Writes the requested cases CSV and plots; returns the full paths of the plots, or null without a plots folder.</summary>
    internal string[]? WriteOutputs(Action<string> writeCasesCsv, Func<string, IEnumerable<string>> writePlots)
    {
        if (CasesFile is not null) writeCasesCsv(CasesFile);
        return PlotsDirectory is null ? null : writePlots(PlotsDirectory).Select(Path.GetFullPath).ToArray();
    }
}

/// <summary>What <see cref="SurrogateEvaluation.Run"/> evaluates (docs/cli.md, "sarkit surrogate evaluate").</summary>
public sealed record SurrogateEvaluationRequest : SurrogateEvaluationRequestBase
{
    /// <summary>model.onnx from surrogate/train.py (config.json beside it): perchannel, unet or cgan.</summary>
    public required string ModelFile { get; init; }
    /// <summary>Calibration quantile, VOP baseline settings, bootstrap. <see cref="SurrogateEvaluationOptions.Threads"/> is replaced by the settings' parallelism.</summary>
    public SurrogateEvaluationOptions Options { get; init; } = new();
}

/// <summary>
/// Peak-SAR safety of a trained surrogate on a dataset, as run by <c>sarkit surrogate evaluate</c>
/// (<see cref="SurrogateEvaluator.Evaluate"/>; docs/surrogate.md "Evaluation in C#"): the safety factor SF = quantile
/// (type 7) of true/predicted peak on the validation subjects; P(underestimation) with its Wilson interval, the mean
/// overestimation and subject-bootstrap intervals on the test subjects, against the generic-phantom, constant and
/// population-VOP worst-case baselines (Meliadò et al., MRM 2020; Eichfelder &amp; Gebhardt, MRM 2011).
/// </summary>
public sealed class SurrogateEvaluation
{
    private SurrogateEvaluation(SurrogateEvaluationReport report, SurrogateEvaluateResult result) { Report = report; Result = result; }

    /// <summary>The evaluation with its case tables (what the text table is rendered from).</summary>
    public SurrogateEvaluationReport Report { get; }
    /// <summary>The result object (<c>--json</c>).</summary>
    public SurrogateEvaluateResult Result { get; }

    /// <summary>Runs the evaluation and writes the requested cases CSV and plots.</summary>
    /// <param name="request">Dataset, model and options.</param>
    /// <param name="settings">Threads of ONNX Runtime and of the VOP baseline (default <see cref="SarKitSettings.Default"/>).</param>
    /// <param name="sarkitVersion">Version written into the result.</param>
    /// <param name="progress">Fraction done, 0 … 1.</param>
    public static SurrogateEvaluation Run(SurrogateEvaluationRequest request, SarKitSettings? settings = null, string sarkitVersion = "", IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        settings ??= SarKitSettings.Default;
        var options = request.Options with { Threads = settings.MaxDegreeOfParallelism };
        if (options.VopSubjects < 1) throw new SarKitInputException($"--vop-subjects {options.VopSubjects}: expected ≥ 1.");
        if (!(options.Quantile > 0 && options.Quantile <= 1)) throw new SarKitInputException($"--quantile {options.Quantile}: expected 0 < q ≤ 1.");
        if (!(options.VopMargin > 0 && options.VopMargin < 1)) throw new SarKitInputException($"--vop-margin {options.VopMargin}: expected 0 < margin < 1.");
        request.CheckOutputs();
        var ev = SurrogateEvaluator.Evaluate(request.DataDirectory, request.ModelFile, options, (_, f) => progress?.Report(f));
        var plotFiles = request.WriteOutputs(ev.WriteCasesCsv, ev.WriteHistograms);
        var res = ToResult(ev, request.DataDirectory, request.ModelFile, request.CasesFile, plotFiles, options.VopFile, sarkitVersion);
        ResultJson.RequireFinite(res); // tables too: no non-finite result is shown as a number
        return new SurrogateEvaluation(ev, res);
    }

    private static SurrogateEvaluateResult ToResult(SurrogateEvaluationReport ev, string data, string modelPath, string? cases, string[]? plots, string? vopFile, string version)
    {
        var methods = new Dictionary<string, Dictionary<string, SurrogateCalibratedResult>>();
        foreach (var r in ev.Reports)
        {
            if (!methods.TryGetValue(r.Method, out var per)) methods[r.Method] = per = new();
            per[r.Metric] = new SurrogateCalibratedResult(r.SafetyFactor, Metrics(r.ValRaw, null), Metrics(r.TestRaw, r.TestRawBootstrap), Metrics(r.TestCalibrated, r.TestCalibratedBootstrap),
                r.Tradeoff.Select(p => new SurrogateTradeoffResult(p.Factor, p.PUnderestimation, p.MeanOverestimation)).ToArray());
        }
        SurrogateVopBaselineResult? vop = ev.Vop is { } v ? new SurrogateVopBaselineResult(v.Subjects, v.Set.Count, v.Set.SourceCount, v.Set.Margin.Epsilon, v.Set.SarWorstCase,
            v.Set.HasValidCertificate(out _), v.Loaded, v.Seconds, vopFile is null ? null : Path.GetFullPath(vopFile)) : null;
        return new SurrogateEvaluateResult(Path.GetFullPath(data), Path.GetFullPath(modelPath), ev.ModelKind, ev.Metrics, ev.Methods,
            new SurrogateCalibrationResult("val", ev.Quantile, ev.Val.Count, ev.Subjects(ev.Val)), ev.Test.Count, ev.Subjects(ev.Test), ev.GenericSubject,
            new Dictionary<string, double>(ev.Constant), "mean normalised peak over the stored shims of the training subjects", vop, methods,
            cases is null ? null : Path.GetFullPath(cases), plots, ev.Seconds, new Dictionary<string, double>(ev.StageSeconds), version);
    }

    private static SurrogatePeakMetricsResult Metrics(PeakSarMetrics m, BootstrapIntervals? b) => new(m.Cases, m.MeanOverestimation, m.PUnderestimation, [m.PUnderLow, m.PUnderHigh], m.Sf95, m.Sf100,
        new Dictionary<string, double> { ["0.05"] = m.RatioP05, ["0.5"] = m.RatioMedian, ["0.95"] = m.RatioP95 },
        b is null ? null : [b.MeanOverestimationLow, b.MeanOverestimationHigh], b is null ? null : [b.PUnderLow, b.PUnderHigh]);
}
