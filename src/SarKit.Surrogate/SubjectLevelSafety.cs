using SarKit.Numerics.Statistics;

namespace SarKit.Surrogate;

/// <summary>Peak-SAR safety of one subject's cases (ratio r = predicted/true peak).</summary>
/// <param name="Subject">Subject id.</param>
/// <param name="Cases">Cases of the subject (slices × shims).</param>
/// <param name="Under">Cases with r &lt; 1.</param>
/// <param name="WorstTrueOverPredicted">max over the subject's cases of true/predicted (the factor that makes every case conservative).</param>
/// <param name="MeanOverestimation">mean(r) − 1 over the subject's cases.</param>
public sealed record SubjectSafety(string Subject, int Cases, int Under, double WorstTrueOverPredicted, double MeanOverestimation)
{
    public double PUnder => (double)Under / Cases;
    public bool AnyUnder => Under > 0;
}

/// <summary>
/// Raw peak-SAR metrics with subjects as the unit (docs/surrogate.md "3D evaluation"): P(under) and mean
/// overestimation pooled over cases; per-subject worst case; the worst true/predicted ratio of all cases; the share
/// of subjects with at least one underestimated case.
/// </summary>
/// <param name="Cases">All cases.</param>
/// <param name="Subjects">Distinct subjects.</param>
/// <param name="PUnder">Fraction of cases with predicted &lt; true.</param>
/// <param name="MeanOverestimation">mean(predicted/true) − 1 over the cases.</param>
/// <param name="WorstTrueOverPredicted">max over cases of true/predicted.</param>
/// <param name="ShareSubjectsAnyUnder">Fraction of subjects with ≥ 1 underestimated case.</param>
/// <param name="PerSubject">Per subject, in first-seen order.</param>
public sealed record SubjectLevelMetrics(int Cases, int Subjects, double PUnder, double MeanOverestimation, double WorstTrueOverPredicted,
    double ShareSubjectsAnyUnder, IReadOnlyList<SubjectSafety> PerSubject)
{
    /// <summary>Metrics of predicted × <paramref name="factor"/> against the true peaks; subjects[i] names case i.</summary>
    public static SubjectLevelMetrics Compute(IReadOnlyList<string> subjects, IReadOnlyList<double> truePeaks, IReadOnlyList<double> predicted, double factor = 1)
    {
        int n = truePeaks.Count;
        if (n == 0 || subjects.Count != n || predicted.Count != n) throw new SarKitInputException($"Subject metrics: {subjects.Count} subjects, {n} true, {predicted.Count} predicted peaks; expected the same non-zero count.");
        if (!(factor > 0) || !double.IsFinite(factor)) throw new SarKitInputException($"Subject metrics: factor {factor}; expected a finite positive number.");
        var order = new List<string>(); var acc = new Dictionary<string, (int n, int u, double worst, double sum)>();
        int under = 0; double sum = 0, worst = 0;
        for (int i = 0; i < n; i++)
        {
            double t = truePeaks[i], p = predicted[i] * factor;
            if (!(t > 0) || !(p > 0) || !double.IsFinite(t) || !double.IsFinite(p))
                throw new SarKitInputException($"Subject metrics: case {i} (subject {subjects[i]}) has true {truePeaks[i]} and predicted {predicted[i]}; expected finite positive peaks.");
            double r = p / t;
            if (!acc.TryGetValue(subjects[i], out var a)) { order.Add(subjects[i]); a = (0, 0, 0, 0); }
            a = (a.n + 1, a.u + (r < 1 ? 1 : 0), Math.Max(a.worst, t / p), a.sum + r);
            acc[subjects[i]] = a;
            if (r < 1) under++;
            sum += r; worst = Math.Max(worst, t / p);
        }
        var per = order.Select(s => { var a = acc[s]; return new SubjectSafety(s, a.n, a.u, a.worst, a.sum / a.n - 1); }).ToList();
        return new SubjectLevelMetrics(n, per.Count, (double)under / n, sum / n - 1, worst, per.Count(s => s.AnyUnder) / (double)per.Count, per);
    }
}

/// <summary>How a safety factor is calibrated on a set of calibration subjects.</summary>
public enum SafetyFactorRule
{
    /// <summary>Type-7 quantile q of true/predicted over the pooled cases of the calibration subjects (the shipped models' rule).</summary>
    CaseQuantile,
    /// <summary>
    /// Subject-level split-conformal: score of a subject = its worst true/predicted; SF = the k-th smallest of the n
    /// calibration scores, k = ⌈(1 − β)(n + 1)⌉ (capped at n). For an exchangeable new subject P(any case under) given
    /// the calibration is Beta(n + 1 − k, k) distributed (Vovk 2012; Angelopoulos &amp; Bates 2021, §3), which bounds the
    /// case-level P(under) too.
    /// </summary>
    SubjectConformal,
}

/// <summary>Confidence bounds used by the 3D evaluation (exact, from the regularized incomplete beta function).</summary>
public static class SafetyBounds
{
    /// <summary>Quantile p of the Beta(a, b) distribution (bisection on I_x(a, b) to 1e-12).</summary>
    public static double BetaQuantile(double p, double a, double b)
    {
        if (!(p >= 0 && p <= 1) || !(a > 0) || !(b > 0)) throw new ArgumentOutOfRangeException(nameof(p), $"BetaQuantile({p}, {a}, {b})");
        double lo = 0, hi = 1;
        for (int i = 0; i < 200 && hi - lo > 1e-13; i++)
        {
            double m = 0.5 * (lo + hi);
            if (StudentT.IncompleteBetaRegularized(m, a, b) < p) lo = m; else hi = m;
        }
        return 0.5 * (lo + hi);
    }

    /// <summary>One-sided Clopper–Pearson upper confidence bound (level <paramref name="confidence"/>) of a binomial rate with k events in n trials.</summary>
    public static double ClopperPearsonUpper(int k, int n, double confidence = 0.95)
    {
        if (n < 1 || k < 0 || k > n) throw new ArgumentOutOfRangeException(nameof(k), $"Clopper–Pearson: k = {k}, n = {n}.");
        return k == n ? 1 : BetaQuantile(confidence, k + 1, n - k);
    }

    /// <summary>Rank k = ⌈(1 − β)(n + 1)⌉ of the subject-conformal factor, capped at n; <paramref name="attainable"/> is false when capped.</summary>
    public static int ConformalRank(int n, double beta, out bool attainable)
    {
        if (n < 1) throw new SarKitInputException("Conformal calibration needs at least one calibration subject.");
        int k = (int)Math.Ceiling((1 - beta) * (n + 1) - 1e-12);
        attainable = k <= n;
        return Math.Clamp(k, 1, n);
    }

    /// <summary>
    /// Upper confidence bound (level <paramref name="confidence"/>) of the probability that a new exchangeable
    /// subject's score exceeds the k-th smallest of n calibration scores: the miscoverage is Beta(n + 1 − k, k).
    /// </summary>
    public static double ConformalMiscoverageUpper(int n, int k, double confidence = 0.95) => BetaQuantile(confidence, n + 1 - k, k);
}

/// <summary>The outcome of one calibration procedure on held-out subjects.</summary>
/// <param name="Rule">Calibration rule.</param>
/// <param name="Level">q of <see cref="SafetyFactorRule.CaseQuantile"/> or 1 − β of <see cref="SafetyFactorRule.SubjectConformal"/>.</param>
/// <param name="Scheme">"loso" (leave one subject out: each subject evaluated with the factor of all the others) or "split".</param>
/// <param name="CalibrationSubjects">Calibration subjects per factor (n − 1 for loso).</param>
/// <param name="Held">Metrics of the held-out cases, each with the factor calibrated without its subject.</param>
/// <param name="Factors">Factor applied to each held-out subject (loso: one per subject; split: one).</param>
/// <param name="FactorAllSubjects">The factor calibrated on all calibration subjects (what would be shipped).</param>
/// <param name="FactorCi95">Subject-bootstrap 95 % interval of <paramref name="FactorAllSubjects"/> (the factor's own uncertainty).</param>
/// <param name="PUnderCi95">Subject-bootstrap 95 % interval of the held-out P(under) (factors re-used per subject; so their spread is inside).</param>
/// <param name="MeanOverestimationCi95">Subject-bootstrap 95 % interval of the held-out mean overestimation.</param>
/// <param name="AnyUnderUpper95">Clopper–Pearson 95 % upper bound of the share of subjects with any underestimated case; also bounds case-level P(under).</param>
/// <param name="ConformalUpper95">For SubjectConformal: 95 % upper bound of P(new subject has any underestimated case) from the Beta law; null otherwise.</param>
/// <param name="ConformalAttainable">For SubjectConformal: false when ⌈(1 − β)(n + 1)⌉ &gt; n (too few subjects for the nominal level; the maximum was used).</param>
public sealed record HeldOutCalibration(SafetyFactorRule Rule, double Level, string Scheme, int CalibrationSubjects, SubjectLevelMetrics Held,
    IReadOnlyList<double> Factors, double FactorAllSubjects, double[] FactorCi95, double[] PUnderCi95, double[] MeanOverestimationCi95,
    double AnyUnderUpper95, double? ConformalUpper95, bool? ConformalAttainable);

/// <summary>
/// Subject-level calibration and its honest evaluation (docs/surrogate.md "3D evaluation"). Cases are grouped by
/// subject; nothing is ever calibrated on a case of the subject it is applied to.
/// </summary>
public static class SubjectConformalCalibration
{
    /// <summary>The factor of <paramref name="rule"/> from the cases of the listed subjects.</summary>
    public static double Factor(SafetyFactorRule rule, double level, IReadOnlyList<string> subjects, IReadOnlyList<double> t, IReadOnlyList<double> p, ISet<string> calibration)
    {
        if (calibration.Count == 0) throw new SarKitInputException("Calibration needs at least one subject.");
        if (rule == SafetyFactorRule.CaseQuantile)
        {
            var r = new List<double>();
            for (int i = 0; i < t.Count; i++) if (calibration.Contains(subjects[i])) r.Add(t[i] / p[i]);
            if (r.Count == 0) throw new SarKitInputException("Calibration subjects have no cases.");
            var a = r.ToArray(); Array.Sort(a);
            return PeakSarMetrics.Quantile(a, level);
        }
        var worst = new Dictionary<string, double>();
        for (int i = 0; i < t.Count; i++)
            if (calibration.Contains(subjects[i])) worst[subjects[i]] = Math.Max(worst.GetValueOrDefault(subjects[i]), t[i] / p[i]);
        var s = worst.Values.Order().ToArray();
        if (s.Length == 0) throw new SarKitInputException("Calibration subjects have no cases.");
        int k = SafetyBounds.ConformalRank(s.Length, 1 - level, out _);
        return s[k - 1];
    }

    /// <summary>
    /// A seeded subject-level split: a permutation of the distinct subjects (System.Random(seed), Fisher–Yates, sorted
    /// ids first), the first ⌊n·fraction⌋ (≥ 1, ≤ n − 1) for calibration, the rest for testing. No subject is in both.
    /// </summary>
    public static (HashSet<string> Calibration, HashSet<string> Test) Split(IEnumerable<string> subjects, double calibrationFraction, int seed)
    {
        var ids = subjects.Distinct().Order(StringComparer.Ordinal).ToArray();
        if (ids.Length < 2) throw new SarKitInputException($"A subject-level split needs at least 2 subjects; got {ids.Length}.");
        var rng = new Random(seed);
        for (int i = ids.Length - 1; i > 0; i--) { int j = rng.Next(i + 1); (ids[i], ids[j]) = (ids[j], ids[i]); }
        int nc = Math.Clamp((int)Math.Floor(ids.Length * calibrationFraction), 1, ids.Length - 1);
        return (ids.Take(nc).ToHashSet(), ids.Skip(nc).ToHashSet());
    }

    /// <summary>
    /// Calibrates and evaluates on held-out subjects. <paramref name="loso"/>: every subject in turn is evaluated with
    /// the factor of all the others; otherwise the seeded split of <see cref="Split"/> (half for calibration).
    /// </summary>
    public static HeldOutCalibration Evaluate(SafetyFactorRule rule, double level, IReadOnlyList<string> subjects, IReadOnlyList<double> t, IReadOnlyList<double> p,
                                              bool loso, int seed = 0, int bootstrapRounds = 2000)
    {
        var ids = subjects.Distinct().ToList();
        if (ids.Count < 2) throw new SarKitInputException($"Held-out calibration needs at least 2 subjects; got {ids.Count}.");
        var factorOf = new Dictionary<string, double>();
        HashSet<string> cal;
        int nCal;
        if (loso)
        {
            foreach (var s in ids) factorOf[s] = Factor(rule, level, subjects, t, p, ids.Where(x => x != s).ToHashSet());
            cal = ids.ToHashSet(); nCal = ids.Count - 1;
        }
        else
        {
            var (c, test) = Split(ids, 0.5, seed);
            double f = Factor(rule, level, subjects, t, p, c);
            foreach (var s in test) factorOf[s] = f;
            cal = c; nCal = c.Count;
        }
        // held-out cases, each with its subject's factor
        var hs = new List<string>(); var ht = new List<double>(); var hp = new List<double>();
        for (int i = 0; i < t.Count; i++)
            if (factorOf.TryGetValue(subjects[i], out var f)) { hs.Add(subjects[i]); ht.Add(t[i]); hp.Add(p[i] * f); }
        var held = SubjectLevelMetrics.Compute(hs, ht, hp);
        double all = Factor(rule, level, subjects, t, p, cal);
        // subject bootstrap: the factor's own spread (resampled calibration subjects) and the held-out metrics' spread
        var rng = new Random(seed);
        var calIds = cal.ToArray();
        var fb = new double[bootstrapRounds]; var pu = new double[bootstrapRounds]; var mo = new double[bootstrapRounds];
        var per = held.PerSubject.ToArray();
        var byCase = new Dictionary<string, List<int>>();
        for (int i = 0; i < subjects.Count; i++) { if (!byCase.TryGetValue(subjects[i], out var l)) byCase[subjects[i]] = l = new(); l.Add(i); }
        for (int b = 0; b < bootstrapRounds; b++)
        {
            var bs = new List<string>(); var bt = new List<double>(); var bp = new List<double>();
            for (int k = 0; k < calIds.Length; k++)
            {
                string s = calIds[rng.Next(calIds.Length)], tag = s + "#" + k.ToString(System.Globalization.CultureInfo.InvariantCulture);
                foreach (var i in byCase[s]) { bs.Add(tag); bt.Add(t[i]); bp.Add(p[i]); }
            }
            fb[b] = Factor(rule, level, bs, bt, bp, bs.ToHashSet());
            long n = 0, u = 0; double sum = 0;
            for (int k = 0; k < per.Length; k++)
            {
                var x = per[rng.Next(per.Length)];
                n += x.Cases; u += x.Under; sum += (x.MeanOverestimation + 1) * x.Cases;
            }
            pu[b] = (double)u / n; mo[b] = sum / n - 1;
        }
        Array.Sort(fb); Array.Sort(pu); Array.Sort(mo);
        double[] Ci(double[] a) => [PeakSarMetrics.Quantile(a, 0.025), PeakSarMetrics.Quantile(a, 0.975)];
        double anyUpper = SafetyBounds.ClopperPearsonUpper(held.PerSubject.Count(x => x.AnyUnder), held.Subjects);
        double? confUpper = null; bool? attainable = null;
        if (rule == SafetyFactorRule.SubjectConformal)
        {
            int k = SafetyBounds.ConformalRank(nCal, 1 - level, out var att);
            confUpper = SafetyBounds.ConformalMiscoverageUpper(nCal, k); attainable = att;
        }
        var factors = ids.Where(factorOf.ContainsKey).Select(s => factorOf[s]).ToArray();
        return new HeldOutCalibration(rule, level, loso ? "loso" : "split", nCal, held, factors, all, Ci(fb), Ci(pu), Ci(mo), anyUpper, confUpper, attainable);
    }
}
