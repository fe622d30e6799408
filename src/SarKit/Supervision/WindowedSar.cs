using System.Numerics.Tensors;

namespace SarKit.Supervision;

/// <summary>Worst window of one observable for one window length.</summary>
/// <param name="Observable">Name of the matrix set.</param>
/// <param name="Metric">SAR quantity.</param>
/// <param name="WindowSeconds">Window length T, s.</param>
/// <param name="MaxSar">max over window positions and matrices of (E_j(t) − E_j(t − T))/T, W/kg.</param>
/// <param name="WorstWindowEndSeconds">End time of the worst window (s, on the schedule's timeline).</param>
/// <param name="MatrixIndex">Matrix (VOP) index that attains it.</param>
/// <param name="Timeline">SAR(t) = max_j window average ending at TimelineSeconds[k]; null if not requested.</param>
/// <param name="TimelineSeconds">Window-end times of the timeline.</param>
/// <param name="MatricesEvaluated">Matrices evaluated exactly (others were skipped by an upper bound that could not reach the maximum).</param>
public sealed record WindowSarResult(string Observable, SarMetric Metric, double WindowSeconds, double MaxSar,
    double WorstWindowEndSeconds, int MatrixIndex, double[]? Timeline, double[]? TimelineSeconds, int MatricesEvaluated);

/// <summary>
/// Exact sliding-window SAR of an RF schedule. Per matrix Q_j the cumulative absorbed energy per mass E_j(t) is piecewise
/// linear (energy uniform within each segment; breakpoints at segment edges), so the window average
/// A_j(t) = (E_j(t) − E_j(t − T))/T is piecewise linear in t with breakpoints where t or t − T hits a segment edge: its
/// maximum is attained at one of those points and is found exactly by evaluating them all. SAR(t) = max_j A_j(t) is the
/// maximum over matrices of the per-matrix window average (not the average of per-instant maxima, which would
/// overestimate: the averaging is linear per matrix, the maximum is not). IEC 60601-2-33 windows: 10 s and 360 s.
/// </summary>
public static class WindowedSar
{
    /// <summary>Evaluates the worst window of every length in <paramref name="windowsSeconds"/> for <paramref name="obs"/>.</summary>
    /// <param name="schedule">RF schedule (one period).</param>
    /// <param name="obs">Matrices (VOPs, all Q-matrices, or a region Q).</param>
    /// <param name="windowsSeconds">Window lengths T, s (e.g. 10 and 360).</param>
    /// <param name="mode">Periodic (steady state) or played once.</param>
    /// <param name="timelinePoints">When &gt; 0, also samples SAR(t) at that many window-end times (one period, or [0, P + T] once).</param>
    public static WindowSarResult[] Evaluate(PulseSchedule schedule, SarObservable obs, IReadOnlyList<double> windowsSeconds,
        RepetitionMode mode = RepetitionMode.Periodic, int timelinePoints = 0)
    {
        if (obs.Channels != schedule.Channels)
            throw new SarKitInputException($"'{obs.Name}' has {obs.Channels} channels but the RF schedule ({schedule.Source}) has {schedule.Channels}.");
        var flat = new FlatSchedule(schedule);
        var tplEnergy = TemplateEnergies(schedule, obs, flat);
        var res = new WindowSarResult[windowsSeconds.Count];
        for (int w = 0; w < res.Length; w++) res[w] = EvaluateWindow(flat, obs, tplEnergy, windowsSeconds[w], mode, timelinePoints);
        return res;
    }

    /// <summary>Energy per mass of every template segment for every matrix: e[j·Sd + g] = tr(Q_j R_g) (J/kg).</summary>
    internal static double[] TemplateEnergies(PulseSchedule s, SarObservable obs, FlatSchedule flat)
    {
        int k = obs.Count, sd = flat.TemplateSegments;
        var e = new double[(long)k * sd];
        Parallel.For(0, k, j =>
        {
            var q = obs.Matrix(j);
            for (int t = 0; t < s.Templates.Count; t++)
            {
                var tpl = s.Templates[t];
                for (int g = 0; g < tpl.Segments; g++) e[(long)j * sd + flat.TemplateBase[t] + g] = TensorPrimitives.Dot(q, tpl.SegmentWeights(g));
            }
        });
        return e;
    }

    private static WindowSarResult EvaluateWindow(FlatSchedule f, SarObservable obs, double[] tplEnergy, double T, RepetitionMode mode, int timelinePoints)
    {
        if (!(T > 0) || !double.IsFinite(T)) throw new SarKitInputException($"window length {T} s must be positive.");
        int S = f.Count, sd = f.TemplateSegments, K = obs.Count;
        double P = f.Period;
        // candidate window-end times: every segment edge as window end, and as window start (+T)
        var cand = new List<double>(4 * S + 2);
        for (int i = 0; i < S; i++) { cand.Add(f.Start[i]); cand.Add(f.End[i]); cand.Add(f.Start[i] + T); cand.Add(f.End[i] + T); }
        if (mode == RepetitionMode.Once) { cand.Add(0); cand.Add(P + T); }
        if (cand.Count == 0) cand.Add(T);
        var endPos = new Position[cand.Count]; var startPos = new Position[cand.Count];
        for (int c = 0; c < cand.Count; c++) { endPos[c] = f.Locate(cand[c], mode); startPos[c] = f.Locate(cand[c] - T, mode); }

        double[]? tlTimes = null; Position[]? tlEnd = null, tlStart = null; double[]? timeline = null;
        if (timelinePoints > 0)
        {
            tlTimes = new double[timelinePoints]; tlEnd = new Position[timelinePoints]; tlStart = new Position[timelinePoints];
            double span = mode == RepetitionMode.Periodic ? P : P + T;
            for (int k = 0; k < timelinePoints; k++)
            {
                double t = mode == RepetitionMode.Periodic ? (k + 1) * span / timelinePoints : k * span / (timelinePoints - 1 == 0 ? 1 : timelinePoints - 1);
                tlTimes[k] = t; tlEnd[k] = f.Locate(t, mode); tlStart[k] = f.Locate(t - T, mode);
            }
            timeline = new double[timelinePoints];
            Array.Fill(timeline, double.NegativeInfinity);
        }

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
        var order = Enumerable.Range(0, K).OrderByDescending(j => ub[j]).ToArray();

        double best = double.NegativeInfinity, bestT = 0; int bestJ = -1, evaluated = 0;
        var gate = new object();
        Parallel.For(0, K, () => (cum: new double[S + 1], tl: timeline is null ? null : new double[timelinePoints].Fill(double.NegativeInfinity), n: 0),
            (r, _, st) =>
            {
                int j = order[r];
                if (timeline is null && ub[j] <= Volatile.Read(ref best)) return st;
                var e = tplEnergy.AsSpan((int)((long)j * sd), sd);
                var cum = st.cum;
                cum[0] = 0;
                for (int i = 0; i < S; i++) cum[i + 1] = cum[i] + e[f.TemplateSegment[i]];
                double eP = cum[S];
                double localBest = double.NegativeInfinity, localT = 0;
                for (int c = 0; c < cand.Count; c++)
                {
                    double a = (Energy(endPos[c], cum, e, f, eP) - Energy(startPos[c], cum, e, f, eP)) / T;
                    if (a > localBest) { localBest = a; localT = cand[c]; }
                }
                if (st.tl is { } tl)
                    for (int k = 0; k < tl.Length; k++)
                    {
                        double a = (Energy(tlEnd![k], cum, e, f, eP) - Energy(tlStart![k], cum, e, f, eP)) / T;
                        if (a > tl[k]) tl[k] = a;
                    }
                st.n++;
                if (localBest > Volatile.Read(ref best))
                    lock (gate) if (localBest > best || (localBest == best && j < bestJ)) { best = localBest; bestT = localT; bestJ = j; }
                return st;
            },
            st =>
            {
                lock (gate)
                {
                    evaluated += st.n;
                    if (st.tl is { } tl) for (int k = 0; k < tl.Length; k++) timeline![k] = Math.Max(timeline[k], tl[k]);
                }
            });
        if (mode == RepetitionMode.Periodic && P > 0) { bestT %= P; if (bestT <= 0) bestT += P; }
        return new WindowSarResult(obs.Name, obs.Metric, T, Math.Max(best, 0), bestT, bestJ, timeline, tlTimes, evaluated);
    }

    private static double[] Fill(this double[] a, double v) { Array.Fill(a, v); return a; }

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

        public FlatSchedule(PulseSchedule s)
        {
            _s = s; Period = s.PeriodSeconds; TemplateCount = s.Templates.Count;
            TemplateBase = new int[s.Templates.Count + 1];
            for (int t = 0; t < s.Templates.Count; t++) TemplateBase[t + 1] = TemplateBase[t] + s.Templates[t].Segments;
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
