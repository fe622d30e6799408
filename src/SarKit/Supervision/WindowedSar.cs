using SarKit.Numerics.LinearAlgebra;
using System.Numerics.Tensors;

namespace SarKit.Supervision;

/// <summary>Worst window of one observable for one window length.</summary>
/// <param name="Observable">Name of the matrix set.</param>
/// <param name="Metric">SAR quantity.</param>
/// <param name="WindowSeconds">Window length T, s.</param>
/// <param name="MaxSar">Reported worst window SAR, W/kg: max over window positions and matrices of the segment-model average
/// (E_j(t) − E_j(t − T))/T plus <paramref name="EdgeErrorBound"/> — a proven upper bound of the exact per-sample value.</param>
/// <param name="WorstWindowEndSeconds">End time of the worst window (s, on the schedule's timeline).</param>
/// <param name="MatrixIndex">Matrix (VOP) index that attains it.</param>
/// <param name="Timeline">SAR(t) = max_j window average ending at TimelineSeconds[k]; null if not requested.</param>
/// <param name="TimelineSeconds">Window-end times of the timeline.</param>
/// <param name="MatricesEvaluated">Matrices evaluated exactly (others were skipped by an upper bound that could not reach the maximum).</param>
/// <param name="EdgeErrorBound">B = max_j 2·max_g e_{j,g}/T over segments g holding more than one raster sample (W/kg): the
/// largest amount by which the segment model can fall below per-sample integration for any window; already included in
/// <paramref name="MaxSar"/> and <paramref name="Timeline"/>. 0 when every segment is one raster sample.</param>
public sealed record WindowSarResult(string Observable, SarMetric Metric, double WindowSeconds, double MaxSar,
    double WorstWindowEndSeconds, int MatrixIndex, double[]? Timeline, double[]? TimelineSeconds, int MatricesEvaluated,
    double EdgeErrorBound = 0)
{
    /// <summary>The segment-model maximum without the edge-error bound (exact when all window edges fall on segment edges).</summary>
    public double SegmentModelSar => MaxSar - EdgeErrorBound;
}

/// <summary>
/// Exact sliding-window SAR of an RF schedule. Per matrix Q_j the cumulative absorbed energy per mass E_j(t) is piecewise
/// linear (energy uniform within each segment; breakpoints at segment edges), so the window average
/// A_j(t) = (E_j(t) − E_j(t − T))/T is piecewise linear in t with breakpoints where t or t − T hits a segment edge: its
/// maximum is attained at one of those points and is found exactly by evaluating them all. SAR(t) = max_j A_j(t) is the
/// maximum over matrices of the per-matrix window average (not the average of per-instant maxima, which would
/// overestimate: the averaging is linear per matrix, the maximum is not). IEC 60601-2-33 windows: 10 s and 360 s.
/// <para>Conservative against per-sample integration (energy of raster sample n uniform over its raster interval): at any
/// instant x inside segment g the segment model's cumulative energy and the per-sample one both lie in
/// [E_j(start of g), E_j(end of g)], so they differ by at most e_{j,g} (0 if g is one sample). A window has two edges, so
/// |A_j^segment(t) − A_j^sample(t)| ≤ 2·max_g e_{j,g}/T; the reported values add B = max_j of that bound (a segment is
/// counted only if it holds more than one raster sample), hence reported ≥ exact per-sample value ≥ reported − 2B.</para>
/// </summary>
public static class WindowedSar
{
    /// <summary>Evaluates the worst window of every length in <paramref name="windowsSeconds"/> for <paramref name="obs"/>.</summary>
    /// <param name="schedule">RF schedule (one period).</param>
    /// <param name="obs">Matrices (VOPs, all Q-matrices, or a region Q).</param>
    /// <param name="windowsSeconds">Window lengths T, s (e.g. 10 and 360).</param>
    /// <param name="mode">Periodic (steady state) or played once.</param>
    /// <param name="timelinePoints">When &gt; 0, also samples SAR(t) at that many window-end times (one period, or [0, P + T] once).</param>
    /// <param name="parallel">Thread limit and cancellation (default: <see cref="SarKitSettings.Default"/>); the result does not depend on it.</param>
    public static WindowSarResult[] Evaluate(PulseSchedule schedule, SarObservable obs, IReadOnlyList<double> windowsSeconds,
        RepetitionMode mode = RepetitionMode.Periodic, int timelinePoints = 0, ParallelOptions? parallel = null)
    {
        parallel ??= SarKitSettings.Default.ParallelOptions();
        if (obs.Channels != schedule.Channels)
            throw new SarKitInputException($"'{obs.Name}' has {obs.Channels} channels but the RF schedule ({schedule.Source}) has {schedule.Channels}.");
        var flat = new FlatSchedule(schedule);
        var tplEnergy = TemplateEnergies(schedule, obs, flat, parallel);
        var res = new WindowSarResult[windowsSeconds.Count];
        for (int w = 0; w < res.Length; w++) res[w] = EvaluateWindow(flat, obs, tplEnergy, windowsSeconds[w], mode, timelinePoints, parallel);
        return res;
    }

    /// <summary>Energy per mass of every template segment for every matrix: e[j·Sd + g] = tr(Q_j R_g) (J/kg).</summary>
    internal static double[] TemplateEnergies(PulseSchedule s, SarObservable obs, FlatSchedule flat, ParallelOptions? parallel = null)
    {
        int k = obs.Count, sd = flat.TemplateSegments;
        var e = new double[(long)k * sd];
        Parallel.For(0, k, parallel ?? SarKitSettings.Default.ParallelOptions(), j =>
        {
            var q = obs.Matrix(j);
            for (int t = 0; t < s.Templates.Count; t++)
            {
                var tpl = s.Templates[t];
                for (int g = 0; g < tpl.Segments; g++) e[(long)j * sd + flat.TemplateBase[t] + g] = FixedOrderDot.Dot(q, tpl.SegmentWeights(g));
            }
        });
        for (long i = 0; i < e.Length; i++)
            if (!double.IsFinite(e[i]))
                throw new SarKitInputException($"{s.Source}: energy per mass of '{s.Templates[flat.TemplateOf((int)(i % sd))].Name}' with matrix {i / sd} of '{obs.Name}' is {e[i]} J/kg (RF amplitude or matrices overflow double precision); refusing.");
        return e;
    }

    private static WindowSarResult EvaluateWindow(FlatSchedule f, SarObservable obs, double[] tplEnergy, double T, RepetitionMode mode, int timelinePoints, ParallelOptions parallel)
    {
        if (!(T > 0) || !double.IsFinite(T)) throw new SarKitInputException($"window length {T} s must be positive.");
        int S = f.Count, sd = f.TemplateSegments, K = obs.Count;
        double P = f.Period;
        if (mode == RepetitionMode.Periodic && T / P > int.MaxValue / 4) throw new SarKitInputException($"window {T} s is too long for a period of {P} s.");
        var cands = Candidates(f, T, mode);

        // upper bound per matrix: Σ_templates (max placements of the template meeting one window) · E_template,j / T
        var maxCount = f.MaxPlacementsPerWindow(T, mode);
        var ub = new double[K];
        for (int j = 0; j < K; j++)
        {
            double s = 0;
            for (int t = 0; t < f.TemplateCount; t++)
            {
                double et = 0;
                for (int g = f.TemplateBase[t]; g < f.TemplateBase[t + 1]; g++) et += tplEnergy[(long)j * sd + g];
                s += maxCount[t] * et;
            }
            ub[j] = s / T;
        }
        for (int j = 0; j < K; j++)
            if (!double.IsFinite(ub[j])) throw Overflow(f, obs, T, $"the window energy bound of matrix {j} is {ub[j]} W/kg");
        var order = Enumerable.Range(0, K).OrderByDescending(j => ub[j]).ToArray();
        double edge = EdgeErrorBound(f, tplEnergy, K, T);

        // pass 1: exact maximum, matrices in descending bound order, skipping those whose bound cannot beat the best so far
        double best = double.NegativeInfinity, bestT = 0; int bestJ = -1, evaluated = 0;
        bool nonFinite = false; // a NaN would fail every comparison below and silently drop out of the maximum
        var gate = new object();
        Parallel.For(0, K, parallel, () => (cum: new double[S + 1], n: 0), (r, _, st) =>
        {
            int j = order[r];
            if (ub[j] <= Volatile.Read(ref best)) return st;
            var e = Energies(tplEnergy, j, sd);
            double eP = Cumulative(f, e, st.cum);
            var (localBest, localT) = cands.Max(st.cum, e, f.TemplateSegment, eP);
            st.n++;
            if (!double.IsFinite(eP) || !double.IsFinite(localBest) || !double.IsFinite(st.cum[S])) { Volatile.Write(ref nonFinite, true); return st; }
            if (localBest > Volatile.Read(ref best))
                lock (gate) if (localBest > best || (localBest == best && j < bestJ)) { best = localBest; bestT = localT; bestJ = j; }
            return st;
        }, st => { lock (gate) evaluated += st.n; });
        if (nonFinite || (K > 0 && !double.IsFinite(best)) || !double.IsFinite(edge))
            throw Overflow(f, obs, T, $"the worst window SAR is {(nonFinite ? "not finite" : best.ToString(System.Globalization.CultureInfo.InvariantCulture))}");
        if (mode == RepetitionMode.Periodic && P > 0) { bestT %= P; if (bestT <= 0) bestT += P; }

        // pass 2 (optional): timeline SAR(t_k) = max_j A_j(t_k), skipping matrices whose bound is below the current minimum
        double[]? tlTimes = null, timeline = null;
        if (timelinePoints > 0)
        {
            tlTimes = new double[timelinePoints];
            var tlEnd = new Position[timelinePoints]; var tlStart = new Position[timelinePoints];
            double span = mode == RepetitionMode.Periodic ? P : P + T;
            for (int k = 0; k < timelinePoints; k++)
            {
                double t = mode == RepetitionMode.Periodic ? (k + 1) * span / timelinePoints : k * span / Math.Max(1, timelinePoints - 1);
                tlTimes[k] = t; tlEnd[k] = f.Locate(t, mode); tlStart[k] = f.Locate(t - T, mode);
            }
            timeline = new double[timelinePoints];
            Array.Fill(timeline, double.NegativeInfinity);
            int batch = Math.Max(1, 2 * (parallel.MaxDegreeOfParallelism > 0 ? parallel.MaxDegreeOfParallelism : SarKitSettings.Default.MaxDegreeOfParallelism));
            for (int r0 = 0; r0 < K; r0 += batch)
            {
                double floor = timeline.Min();
                if (ub[order[r0]] <= floor) break;
                int r1 = Math.Min(K, r0 + batch);
                Parallel.For(r0, r1, parallel, () => (cum: new double[S + 1], tl: new double[timelinePoints]), (r, _, st) =>
                {
                    int j = order[r];
                    if (ub[j] <= floor) return st;
                    var e = Energies(tplEnergy, j, sd);
                    double eP = Cumulative(f, e, st.cum);
                    for (int k = 0; k < timelinePoints; k++)
                    {
                        double a = (Energy(tlEnd[k], st.cum, e, f, eP) - Energy(tlStart[k], st.cum, e, f, eP)) / T;
                        if (!double.IsFinite(a)) { Volatile.Write(ref nonFinite, true); continue; }
                        if (a > st.tl[k]) st.tl[k] = a;
                    }
                    return st;
                }, st => { lock (gate) for (int k = 0; k < timelinePoints; k++) timeline[k] = Math.Max(timeline[k], st.tl[k]); });
            }
        }
        if (nonFinite) throw Overflow(f, obs, T, "a timeline value is not finite");
        if (timeline is not null) for (int k = 0; k < timeline.Length; k++) timeline[k] = Math.Max(timeline[k], 0) + edge;
        double max = Math.Max(best, 0) + edge;
        if (!double.IsFinite(max)) throw Overflow(f, obs, T, $"the worst window SAR is {max}");
        return new WindowSarResult(obs.Name, obs.Metric, T, max, bestT, bestJ, timeline, tlTimes, evaluated, edge);
    }

    private static SarKitInputException Overflow(FlatSchedule f, SarObservable obs, double T, string what) =>
        new($"{f.Source}: {obs.Name}, {T.ToString("G", System.Globalization.CultureInfo.InvariantCulture)} s window: {what} (RF energy overflows double precision); refusing.") { SourceFile = f.Source };

    /// <summary>B = max_j 2·max_g |e_{j,g}| / T over template segments that may be cut between raster samples (W/kg).</summary>
    internal static double EdgeErrorBound(FlatSchedule f, double[] tplEnergy, int K, double T)
    {
        int sd = f.TemplateSegments;
        var cut = f.TemplateSegmentMayBeCut;
        double worst = 0;
        for (int j = 0; j < K; j++)
        {
            var e = Energies(tplEnergy, j, sd);
            for (int g = 0; g < sd; g++) if (cut[g]) { double a = Math.Abs(e[g]); if (a > worst) worst = a; }
        }
        return 2 * worst / T;
    }

    private static ReadOnlySpan<double> Energies(double[] tplEnergy, int j, int sd) => tplEnergy.AsSpan((int)((long)j * sd), sd);

    /// <summary>cum[i] = energy before segment i (cum[S] = energy of one period); returns the period energy.</summary>
    private static double Cumulative(FlatSchedule f, ReadOnlySpan<double> e, double[] cum)
    {
        cum[0] = 0;
        var ts = f.TemplateSegment;
        for (int i = 0; i < ts.Length; i++) cum[i + 1] = cum[i] + e[ts[i]];
        return cum[ts.Length];
    }

    /// <summary>
    /// Candidate window positions, VOP-independent. Every candidate has one end exactly on a segment edge m (energy
    /// cum[(m+1)/2], edges numbered a_0, b_0, a_1, b_1, …) and the other end at a located position (segment Seg, fraction F,
    /// period offset Dp): window energy = Sign·(cum[Seg] + F·e[Seg] − cum[(m+1)/2]) + Dp·E_P. Located by monotone sweeps.
    /// </summary>
    private sealed class CandidateSet
    {
        public int[] Edge = [], Seg = [], Dp = [];
        public double[] F = [], EndTime = [];
        public sbyte[] Sign = [];
        /// <summary>Set 1 occupies [0, Count1), set 2 [Offset2, Offset2 + Count2).</summary>
        public int Count1, Offset2, Count2;
        public double WindowLength;

        public (double Max, double EndTime) Max(double[] cum, ReadOnlySpan<double> e, int[] segTemplate, double eP)
        {
            double best = double.NegativeInfinity; int at = -1;
            for (int pass = 0; pass < 2; pass++)
            {
                int from = pass == 0 ? 0 : Offset2, to = pass == 0 ? Count1 : Offset2 + Count2;
                for (int c = from; c < to; c++)
                {
                    int s = Seg[c];
                    double w = Sign[c] * (cum[s] + F[c] * e[segTemplate[s]] - cum[(Edge[c] + 1) >> 1]) + Dp[c] * eP;
                    if (w > best) { best = w; at = c; }
                }
            }
            return at < 0 ? (0, 0) : (best / WindowLength, EndTime[at]);
        }
    }

    /// <summary>
    /// Candidates: set 1 = window ends on a segment end b_i, set 2 = window starts on a segment start a_i. This drops without
    /// loss set 1's segment starts (either the same point as the previous segment's end, or the start of a pulse after
    /// silence, where the end-side power rises for every matrix so A_j's slope increases) and set 2's segment ends (same
    /// point as the next start, or a pulse end before silence, where the start-side power falls). The maximum of the
    /// piecewise-linear A_j lies at a breakpoint where its slope decreases, and every such breakpoint keeps a candidate.
    /// </summary>
    private static CandidateSet Candidates(FlatSchedule f, double T, RepetitionMode mode)
    {
        int S = f.Count;
        var c = new CandidateSet { WindowLength = T };
        if (S == 0) return c;
        int n = 4 * S;
        c.Edge = new int[n]; c.Seg = new int[n]; c.Dp = new int[n]; c.F = new double[n]; c.EndTime = new double[n]; c.Sign = new sbyte[n];
        c.Offset2 = 2 * S;
        Parallel.Invoke(
            () =>
            {
                // set 1: W = E(edge) − E(edge − T) = −(E_loc(start) − E(edge)) + (−p_start)·E_P
                var sweep = new Sweep(f, mode);
                int k = 0;
                for (int m = 0; m < 2 * S; m++)
                {
                    int i = m >> 1;
                    if ((m & 1) == 0) continue; // a_i: either duplicates b_{i−1} or starts a pulse after silence
                    double edge = f.End[i];
                    var p = sweep.Locate(edge - T);
                    Put(k++, m, p, -1, (int)(-p.Periods), edge);
                }
                c.Count1 = k;
            },
            () =>
            {
                // set 2: W = E(edge + T) − E(edge) = +(E_loc(end) − E(edge)) + p_end·E_P
                var sweep = new Sweep(f, mode);
                int k = c.Offset2;
                for (int m = 0; m < 2 * S; m++)
                {
                    int i = m >> 1;
                    if ((m & 1) == 1) continue; // b_i: either duplicates a_{i+1} or ends a pulse before silence
                    double edge = f.Start[i];
                    var p = sweep.Locate(edge + T);
                    Put(k++, m, p, 1, (int)p.Periods, edge + T);
                }
                c.Count2 = k - c.Offset2;
            });
        return c;

        void Put(int k, int m, Position p, sbyte sign, int dp, double endTime)
        {
            c.Edge[k] = m; c.Seg[k] = p.Index < 0 ? 0 : p.Index; c.F[k] = p.Index < 0 ? 0 : p.Fraction; c.Dp[k] = dp; c.Sign[k] = sign; c.EndTime[k] = endTime;
        }
    }

    /// <summary>Locates monotone (up to period wraps) times with an advancing pointer.</summary>
    private sealed class Sweep(FlatSchedule f, RepetitionMode mode)
    {
        int _hint = -1;
        double _lastTau = double.NegativeInfinity;

        public Position Locate(double t)
        {
            int S = f.Count;
            long p = 0; double tau = t;
            if (mode == RepetitionMode.Periodic)
            {
                p = (long)Math.Floor(t / f.Period);
                tau = t - p * f.Period;
                if (tau >= f.Period) { p++; tau -= f.Period; }
                if (tau < 0) { p--; tau += f.Period; }
            }
            else
            {
                if (t <= 0) return new Position(0, -1, 0);
                if (t >= f.Period) return new Position(0, S - 1, 1);
            }
            if (tau < _lastTau - 0.5 * f.Period) _hint = -1; // wrapped to the next period
            _lastTau = tau;
            while (_hint >= 0 && f.Start[_hint] > tau) _hint--; // edges may step back by rounding (adjacent segments)
            while (_hint + 1 < S && f.Start[_hint + 1] <= tau) _hint++;
            if (_hint < 0) return new Position(p, -1, 0);
            double frac = Math.Clamp((tau - f.Start[_hint]) / (f.End[_hint] - f.Start[_hint]), 0, 1);
            return new Position(p, _hint, frac);
        }
    }


    private static double Energy(in Position p, double[] cum, ReadOnlySpan<double> e, FlatSchedule f, double eP)
    {
        double v = p.Periods * eP;
        if (p.Index >= 0) v += cum[p.Index] + p.Fraction * e[f.TemplateSegment[p.Index]];
        return v;
    }

    internal readonly record struct Position(long Periods, int Index, double Fraction);

    /// <summary>All segments of one period in time order.</summary>
    internal sealed class FlatSchedule
    {
        public readonly double[] Start, End;
        public readonly int[] TemplateSegment, SegmentTemplate;
        public readonly int[] TemplateBase;
        public readonly double Period;
        public readonly int TemplateCount;
        readonly PulseSchedule _s;
        public int Count => Start.Length;
        public int TemplateSegments => TemplateBase[^1];
        /// <summary>Per template segment: holds more than one raster sample (a window edge may cut it).</summary>
        public readonly bool[] TemplateSegmentMayBeCut;

        /// <summary>Source of the schedule (for messages).</summary>
        public string Source => _s.Source;

        /// <summary>Template of a flat template-segment index.</summary>
        public int TemplateOf(int templateSegment)
        {
            int t = Array.BinarySearch(TemplateBase, templateSegment);
            if (t < 0) t = ~t - 1;
            while (t + 1 < TemplateBase.Length - 1 && TemplateBase[t + 1] == templateSegment) t++;
            return Math.Clamp(t, 0, TemplateCount - 1);
        }

        public FlatSchedule(PulseSchedule s)
        {
            _s = s; Period = s.PeriodSeconds; TemplateCount = s.Templates.Count;
            TemplateBase = new int[s.Templates.Count + 1];
            for (int t = 0; t < s.Templates.Count; t++) TemplateBase[t + 1] = TemplateBase[t] + s.Templates[t].Segments;
            TemplateSegmentMayBeCut = new bool[TemplateBase[^1]];
            for (int t = 0; t < s.Templates.Count; t++)
                for (int g = 0; g < s.Templates[t].Segments; g++) TemplateSegmentMayBeCut[TemplateBase[t] + g] = s.Templates[t].MayBeCut(g);
            int n = 0; foreach (var p in s.Placements) n += s.Templates[p.Template].Segments;
            Start = new double[n]; End = new double[n]; TemplateSegment = new int[n]; SegmentTemplate = new int[n];
            int i = 0;
            foreach (var p in s.Placements)
            {
                var tpl = s.Templates[p.Template];
                for (int g = 0; g < tpl.Segments; g++)
                {
                    Start[i] = p.StartSeconds + tpl.Offsets[g]; End[i] = Start[i] + tpl.Durations[g];
                    TemplateSegment[i] = TemplateBase[p.Template] + g; SegmentTemplate[i] = p.Template; i++;
                }
            }
        }

        public Position Locate(double t, RepetitionMode mode)
        {
            if (Count == 0) return new Position(0, -1, 0);
            long p = 0; double tau = t;
            if (mode == RepetitionMode.Periodic)
            {
                p = (long)Math.Floor(t / Period);
                tau = t - p * Period;
                if (tau >= Period) { p++; tau -= Period; }
                if (tau < 0) { p--; tau += Period; }
            }
            else
            {
                if (t <= 0) return new Position(0, -1, 0);
                if (t >= Period) return new Position(0, Count - 1, 1);
            }
            // last segment with Start <= tau
            int lo = 0, hi = Count - 1, idx = -1;
            while (lo <= hi) { int mid = (lo + hi) >>> 1; if (Start[mid] <= tau) { idx = mid; lo = mid + 1; } else hi = mid - 1; }
            if (idx < 0) return new Position(p, -1, 0);
            double frac = Math.Clamp((tau - Start[idx]) / (End[idx] - Start[idx]), 0, 1);
            return new Position(p, idx, frac);
        }

        /// <summary>Per template: the largest number of its placements that can intersect one window of length T.</summary>
        public double[] MaxPlacementsPerWindow(double T, RepetitionMode mode)
        {
            var res = new double[TemplateCount];
            for (int t = 0; t < TemplateCount; t++)
            {
                var starts = _s.Placements.Where(p => p.Template == t).Select(p => p.StartSeconds).ToArray();
                int m = starts.Length;
                if (m == 0) continue;
                double span = T + _s.Templates[t].Duration; // a placement meets [x - T, x] iff its start lies in (x - T - D, x)
                if (mode == RepetitionMode.Once) { res[t] = MaxInSpan(starts, span, Period, periodic: false); continue; }
                long q = (long)Math.Floor(span / Period);
                double r = span - q * Period;
                res[t] = q * m + MaxInSpan(starts, r, Period, periodic: true);
            }
            return res;
        }

        static int MaxInSpan(double[] starts, double span, double period, bool periodic)
        {
            int m = starts.Length, best = 0, j = 0;
            int total = periodic ? 2 * m : m;
            double At(int k) => k < m ? starts[k] : starts[k - m] + period;
            for (int i = 0; i < m; i++)
            {
                if (j < i) j = i;
                while (j < total && At(j) < At(i) + span) j++;
                best = Math.Max(best, j - i);
            }
            return best; // an open interval of length span holding some starts can be shifted to begin at its first start
        }
    }
}
