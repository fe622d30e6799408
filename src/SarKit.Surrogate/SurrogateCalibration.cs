namespace SarKit.Surrogate;

/// <summary>(subject, shim) cases of one split as columns, like surrogate/train.py's cases_*.csv: "true_&lt;metric&gt;" and
/// "&lt;method&gt;_&lt;metric&gt;" hold normalised peaks (W/kg per µT², i.e. peak SAR / ⟨|B1⁺|⟩²), metric "sar" or "sar10g".</summary>
public sealed class SurrogateCaseTable(string split)
{
    public string Split { get; } = split;
    public List<int> Subject { get; } = new();
    public List<int> Shim { get; } = new();
    /// <summary>⟨|B1⁺|⟩ over the body for the shim (µT per unit drive), as stored ("b1_mean_abs").</summary>
    public List<double> B1MeanAbs { get; } = new();
    /// <summary>Columns by name, in insertion order of <see cref="ColumnNames"/>.</summary>
    public Dictionary<string, List<double>> Columns { get; } = new();
    public List<string> ColumnNames { get; } = new();
    public int Count => Subject.Count;

    /// <summary>The column, created empty on first use.</summary>
    public List<double> Column(string name)
    {
        if (!Columns.TryGetValue(name, out var c)) { c = new List<double>(); Columns[name] = c; ColumnNames.Add(name); }
        return c;
    }

    public bool Has(string name) => Columns.ContainsKey(name);
}

/// <summary>Subject-bootstrap 95 % intervals (2.5 % and 97.5 % type-7 quantiles over resamples).</summary>
public sealed record BootstrapIntervals(double MeanOverestimationLow, double MeanOverestimationHigh, double PUnderLow, double PUnderHigh);

/// <summary>One row of a safety-factor trade-off table: predictions × factor vs the true peaks.</summary>
public sealed record TradeoffPoint(double Factor, double PUnderestimation, double MeanOverestimation);

/// <summary>Calibration and test metrics of one method and one metric (<see cref="SurrogateCalibration.Report"/>).</summary>
/// <param name="Method">model, generic, constant or vop.</param>
/// <param name="Metric">sar or sar10g.</param>
/// <param name="SafetyFactor">Quantile of true/predicted over the validation cases (the factor written into config.json).</param>
/// <param name="ValRaw">Validation metrics without factor.</param>
/// <param name="TestRaw">Test metrics without factor.</param>
/// <param name="TestRawBootstrap">Subject-bootstrap intervals of the raw test metrics.</param>
/// <param name="TestCalibrated">Test metrics of predicted × <paramref name="SafetyFactor"/>.</param>
/// <param name="TestCalibratedBootstrap">Subject-bootstrap intervals of the calibrated test metrics.</param>
/// <param name="Tradeoff">Test P(under) and mean overestimation for factors 0.90, 0.95, …, 2.00.</param>
public sealed record CalibratedMethodReport(string Method, string Metric, double SafetyFactor, PeakSarMetrics ValRaw, PeakSarMetrics TestRaw,
    BootstrapIntervals TestRawBootstrap, PeakSarMetrics TestCalibrated, BootstrapIntervals TestCalibratedBootstrap, IReadOnlyList<TradeoffPoint> Tradeoff);

/// <summary>
/// The evaluation protocol of surrogate/sarkit_surrogate/evaluation.py (docs/surrogate.md, "Evaluation in C#"): the
/// safety factor of each method and metric is a quantile (default 0.95, type 7) of true/predicted peak over the
/// validation cases; the test cases are reported raw and with that factor (<see cref="PeakSarMetrics"/>), with 95 %
/// intervals from resampling whole subjects (the shims of one subject are correlated) and a factor trade-off table.
/// </summary>
public static class SurrogateCalibration
{
    /// <summary>Factors of the trade-off table: numpy.linspace(0.9, 2.0, 23).</summary>
    public static double[] TradeoffFactors() => Enumerable.Range(0, 23).Select(i => 0.9 + i * (2.0 - 0.9) / 22).ToArray();

    /// <summary>Quantile <paramref name="q"/> (type 7) of true/predicted: the factor making that fraction of predictions conservative.</summary>
    public static double SafetyFactor(IReadOnlyList<double> truePeaks, IReadOnlyList<double> predicted, double q)
    {
        if (!(q > 0 && q <= 1)) throw new SarKitInputException($"Calibration quantile {q}; expected 0 < q ≤ 1.");
        var inv = new double[truePeaks.Count];
        for (int i = 0; i < inv.Length; i++) inv[i] = truePeaks[i] / predicted[i];
        Array.Sort(inv);
        return PeakSarMetrics.Quantile(inv, q);
    }

    /// <summary>
    /// Subject bootstrap: <paramref name="rounds"/> resamples of the subjects with replacement (System.Random(seed), so the
    /// intervals are reproducible but not numpy's); each resample pools the ratios predicted/true of the drawn subjects'
    /// cases. Returns the 2.5/97.5 % quantiles of mean(ratio) − 1 and of the fraction of ratios &lt; 1.
    /// </summary>
    public static BootstrapIntervals SubjectBootstrap(IReadOnlyList<int> subjects, IReadOnlyList<double> truePeaks, IReadOnlyList<double> predicted,
                                                      int rounds = 2000, int seed = 0)
    {
        if (rounds < 1) throw new SarKitInputException($"Bootstrap rounds {rounds}; expected ≥ 1.");
        var ids = subjects.Distinct().Order().ToArray();
        var at = ids.Select((s, i) => (s, i)).ToDictionary(p => p.s, p => p.i);
        var sum = new double[ids.Length]; var under = new int[ids.Length]; var count = new int[ids.Length];
        for (int c = 0; c < subjects.Count; c++)
        {
            int g = at[subjects[c]];
            double r = predicted[c] / truePeaks[c];
            sum[g] += r; count[g]++; if (r < 1) under[g]++;
        }
        var rng = new Random(seed);
        var over = new double[rounds]; var pu = new double[rounds];
        for (int r = 0; r < rounds; r++)
        {
            double s = 0; long n = 0, u = 0;
            for (int k = 0; k < ids.Length; k++) { int g = rng.Next(ids.Length); s += sum[g]; n += count[g]; u += under[g]; }
            over[r] = s / n - 1; pu[r] = (double)u / n;
        }
        Array.Sort(over); Array.Sort(pu);
        return new BootstrapIntervals(PeakSarMetrics.Quantile(over, 0.025), PeakSarMetrics.Quantile(over, 0.975), PeakSarMetrics.Quantile(pu, 0.025), PeakSarMetrics.Quantile(pu, 0.975));
    }

    /// <summary>P(under) and mean overestimation of predicted × f for each factor f (evaluation.tradeoff).</summary>
    public static List<TradeoffPoint> Tradeoff(IReadOnlyList<double> truePeaks, IReadOnlyList<double> predicted, IEnumerable<double> factors)
    {
        var list = new List<TradeoffPoint>();
        foreach (var f in factors)
        {
            int under = 0; double s = 0;
            for (int i = 0; i < truePeaks.Count; i++) { double p = predicted[i] * f; if (p < truePeaks[i]) under++; s += p / truePeaks[i]; }
            list.Add(new TradeoffPoint(f, (double)under / truePeaks.Count, s / truePeaks.Count - 1));
        }
        return list;
    }

    /// <summary>
    /// evaluation.report: for every method and metric with columns in both tables, the safety factor from
    /// <paramref name="val"/> and raw/calibrated metrics on <paramref name="test"/>.
    /// </summary>
    public static List<CalibratedMethodReport> Report(SurrogateCaseTable val, SurrogateCaseTable test, IEnumerable<string> methods, IEnumerable<string> metrics,
                                                      double quantile = 0.95, int bootstrapRounds = 2000, int bootstrapSeed = 0)
    {
        if (val.Count == 0 || test.Count == 0) throw new SarKitInputException($"Calibration needs validation and test cases; got {val.Count} and {test.Count}.");
        var list = new List<CalibratedMethodReport>();
        foreach (var m in methods)
            foreach (var k in metrics)
            {
                if (!val.Has($"{m}_{k}") || !test.Has($"{m}_{k}")) continue;
                var tv = val.Columns[$"true_{k}"]; var pv = val.Columns[$"{m}_{k}"];
                var tt = test.Columns[$"true_{k}"]; var pt = test.Columns[$"{m}_{k}"];
                double sf = SafetyFactor(tv, pv, quantile);
                var cal = pt.Select(p => p * sf).ToArray();
                list.Add(new CalibratedMethodReport(m, k, sf, PeakSarMetrics.Compute(tv, pv), PeakSarMetrics.Compute(tt, pt),
                    SubjectBootstrap(test.Subject, tt, pt, bootstrapRounds, bootstrapSeed), PeakSarMetrics.Compute(tt, cal),
                    SubjectBootstrap(test.Subject, tt, cal, bootstrapRounds, bootstrapSeed), Tradeoff(tt, pt, TradeoffFactors())));
            }
        return list;
    }
}
