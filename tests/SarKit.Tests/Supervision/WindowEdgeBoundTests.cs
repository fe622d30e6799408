using System.Numerics;
using SarKit.Sar;
using SarKit.Supervision;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Tests.Supervision;

/// <summary>
/// The reported window SAR (segment model + edge-error bound B) is never below per-sample integration, for windows placed
/// at every raster position; the segment model itself is within ±B of it and exact when both window edges fall on segment
/// boundaries (or in silence).
/// </summary>
public class WindowEdgeBoundTests
{
    private sealed record Case(PulseSchedule Schedule, double[] Q, int Channels, int K, double Dt, int PeriodSamples,
        double[][] SampleEnergy, bool[] Inside);

    /// <summary>Random dynamic 2-channel pulses on a raster, split into segments of <paramref name="per"/> samples.</summary>
    private static Case Build(int seed, int per)
    {
        var rng = new Random(seed);
        const int n = 2, k = 5;
        const double dt = 1e-5;
        var q = SupervisionMatrices.RandomPsd(n, k, seed + 100);
        var qs = Enumerable.Range(0, k).Select(j => HermitianPacking.Unpack(q.AsSpan(j * n * n, n * n), n)).ToArray();
        var templates = new List<PulseTemplate>();
        var placements = new List<PulsePlacement>();
        var samples = new List<(int At, Complex[] X)>();
        int pos = 3 + rng.Next(20);
        for (int p = 0; p < 6; p++)
        {
            int len = 5 + rng.Next(60);
            var xs = new Complex[len][];
            for (int t = 0; t < len; t++)
            {
                // strongly varying power within a segment so that the uniform model really is wrong inside segments
                double amp = rng.NextDouble() < 0.3 ? 5 * rng.NextDouble() : 0.2 * rng.NextDouble();
                xs[t] = [new Complex(amp * (rng.NextDouble() - 0.5), amp * (rng.NextDouble() - 0.5)), new Complex(amp * (rng.NextDouble() - 0.5), amp * rng.NextDouble())];
            }
            int segs = (len + per - 1) / per;
            var off = new double[segs]; var dur = new double[segs]; var w = new double[segs * n * n];
            for (int g = 0; g < segs; g++)
            {
                int a = g * per, b = Math.Min(len, a + per);
                off[g] = a * dt; dur[g] = (b - a) * dt;
                for (int t = a; t < b; t++)
                {
                    var dw = HermitianPacking.DriveWeights(xs[t]);
                    for (int m = 0; m < n * n; m++) w[g * n * n + m] += dw[m] * dt;
                }
            }
            templates.Add(new PulseTemplate($"p{p}", n, off, dur, w, rasterSeconds: dt));
            placements.Add(new PulsePlacement(pos * dt, p));
            for (int t = 0; t < len; t++) samples.Add((pos + t, xs[t]));
            pos += len + rng.Next(40);
        }
        int period = pos + 7;
        // per-sample energy p_j[i] = x_iᴴ Q_j x_i Δt, by complex arithmetic on the unpacked matrices
        var energy = new double[k][];
        for (int j = 0; j < k; j++)
        {
            energy[j] = new double[period];
            foreach (var (at, x) in samples)
            {
                Complex s = 0;
                for (int r = 0; r < n; r++) for (int c = 0; c < n; c++) s += Complex.Conjugate(x[r]) * qs[j][r, c] * x[c];
                energy[j][at] = s.Real * dt;
            }
        }
        // raster boundaries strictly inside a multi-sample segment
        var inside = new bool[period + 1];
        for (int p = 0; p < placements.Count; p++)
        {
            var tpl = templates[p]; int start = (int)Math.Round(placements[p].StartSeconds / dt);
            for (int g = 0; g < tpl.Segments; g++)
            {
                int a = start + (int)Math.Round(tpl.Offsets[g] / dt), b = a + (int)Math.Round(tpl.Durations[g] / dt);
                for (int i = a + 1; i < b; i++) inside[i] = true;
            }
        }
        var sched = new PulseSchedule(n, period * dt, templates, placements.ToArray(), $"random {seed}");
        return new Case(sched, q, n, k, dt, period, energy, inside);
    }

    /// <summary>Per-sample cumulative energy of matrix j at raster index i (any integer; periodic or once).</summary>
    private static double Cum(Case c, double[] prefix, long i, RepetitionMode mode)
    {
        int np = c.PeriodSamples;
        if (mode == RepetitionMode.Once) return prefix[(int)Math.Clamp(i, 0, np)];
        long p = (long)Math.Floor((double)i / np);
        return p * prefix[np] + prefix[(int)(i - p * np)];
    }

    private static double[][] Prefixes(Case c) => c.SampleEnergy.Select(e =>
    {
        var s = new double[e.Length + 1];
        for (int i = 0; i < e.Length; i++) s[i + 1] = s[i] + e[i];
        return s;
    }).ToArray();

    /// <summary>Exact per-sample window SAR ending at raster index i: max_j (C_j(i) − C_j(i − L))/T.</summary>
    private static double Exact(Case c, double[][] pre, long i, int l, RepetitionMode mode)
    {
        double best = double.NegativeInfinity;
        for (int j = 0; j < c.K; j++) best = Math.Max(best, (Cum(c, pre[j], i, mode) - Cum(c, pre[j], i - l, mode)) / (l * c.Dt));
        return best;
    }

    [Theory]
    [InlineData(1, 7)]
    [InlineData(2, 4)]
    [InlineData(3, 13)]
    [InlineData(4, 30)]
    public void ReportedWindowSarIsAnUpperBoundOfPerSampleIntegrationAtEveryRasterPosition(int seed, int per)
    {
        var c = Build(seed, per);
        var pre = Prefixes(c);
        var obs = new SarObservable("vops", SarMetric.LocalHead, c.Channels, c.Q, "V");
        var rng = new Random(seed * 31);
        int np = c.PeriodSamples;
        var lengths = new[] { 1, 3 + rng.Next(per), np / 3 + rng.Next(np / 3), np + 1 + rng.Next(np), 3 * np + rng.Next(np) };
        foreach (var mode in new[] { RepetitionMode.Periodic, RepetitionMode.Once })
        foreach (int l in lengths)
        {
            double T = l * c.Dt;
            // timeline on the raster: periodic ends (k+1)·P/points, once k·(P+T)/(points−1)
            int points = mode == RepetitionMode.Periodic ? np : np + l + 1;
            var r = WindowedSar.Evaluate(c.Schedule, obs, [T], mode, timelinePoints: points)[0];
            double b = r.EdgeErrorBound, tol = 1e-9 * r.MaxSar;
            Assert.True(b > 0);
            // the worst window over every raster position
            long from = mode == RepetitionMode.Periodic ? 1 : 0, to = mode == RepetitionMode.Periodic ? np : np + l;
            double exactMax = double.NegativeInfinity;
            for (long i = from; i <= to; i++) exactMax = Math.Max(exactMax, Exact(c, pre, i, l, mode));
            exactMax = Math.Max(exactMax, 0);
            Assert.True(r.MaxSar >= exactMax - tol, $"{mode} L={l}: reported {r.MaxSar} < per-sample {exactMax}");
            Assert.True(r.MaxSar - exactMax <= 2 * b + tol, $"{mode} L={l}: excess {r.MaxSar - exactMax} > 2B = {2 * b}");
            Assert.True(Math.Abs(r.SegmentModelSar - exactMax) <= b + tol, $"{mode} L={l}: segment model off by more than B");
            // every timeline point: reported ≥ exact; segment model within ±B; exact when both edges are segment boundaries
            int exactEdges = 0;
            for (int k = 0; k < points; k++)
            {
                double t = r.TimelineSeconds![k];
                long i = (long)Math.Round(t / c.Dt);
                Assert.True(Math.Abs(t - i * c.Dt) < 1e-6 * c.Dt, $"timeline time {t} is not on the raster");
                double ex = Math.Max(0, Exact(c, pre, i, l, mode));
                double v = r.Timeline![k];
                Assert.True(v >= ex - tol, $"{mode} L={l} t={t}: timeline {v} < per-sample {ex}");
                Assert.True(v - ex <= 2 * b + tol, $"{mode} L={l} t={t}: excess {v - ex} > 2B");
                bool onEdges = !c.Inside[Mod(i, np, mode)] && !c.Inside[Mod(i - l, np, mode)];
                if (onEdges) { exactEdges++; Assert.True(Math.Abs(v - b - ex) <= tol, $"{mode} L={l} t={t}: segment-boundary window {v - b} ≠ per-sample {ex}"); }
            }
            Assert.True(exactEdges > 0);
        }
    }

    private static int Mod(long i, int np, RepetitionMode mode) =>
        mode == RepetitionMode.Periodic ? (int)(((i % np) + np) % np) : (int)Math.Clamp(i, 0, np);

    [Fact]
    public void SegmentsOfOneRasterSampleAreExactAndHaveNoBound()
    {
        var c = Build(9, per: 1);
        var pre = Prefixes(c);
        var obs = new SarObservable("vops", SarMetric.LocalHead, c.Channels, c.Q, "V");
        int l = c.PeriodSamples / 2 + 3;
        var r = WindowedSar.Evaluate(c.Schedule, obs, [l * c.Dt], RepetitionMode.Periodic)[0];
        Assert.Equal(0, r.EdgeErrorBound);
        double exactMax = Enumerable.Range(1, c.PeriodSamples).Max(i => Exact(c, pre, i, l, RepetitionMode.Periodic));
        Assert.Equal(1.0, r.MaxSar / exactMax, 12);
    }
}
