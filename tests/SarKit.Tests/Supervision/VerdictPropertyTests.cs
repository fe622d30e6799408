using System.Numerics;
using CsCheck;
using Microsoft.Extensions.Time.Testing;
using SarKit.Sar;
using SarKit.Supervision;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Tests.Supervision;

/// <summary>
/// Property-based tests (CsCheck) of the verdict logic: a PASS needs finite inputs; SAR scales with the square of the RF
/// amplitude until overflow, then the answer is a refusal or FAIL; the streaming supervisor is never Ok for indefinite
/// correlation blocks or after its watchdog deadline. Generators are driven by CsCheck; each case builds its data from a
/// generated integer seed so that a failure prints a reproducible case.
/// </summary>
public class VerdictPropertyTests
{
    private const int Iterations = 300;
    private static readonly SarLimit[] Limits =
    [
        new(SarMetric.LocalHead, 10, 10, "test"), new(SarMetric.LocalHead, 360, 10, "test"),
        new(SarMetric.WholeBody, 10, 4, "test"), new(SarMetric.WholeBody, 360, 2, "test"),
    ];

    private sealed record Case(int Channels, double Period, List<PulseTemplate> Templates, PulsePlacement[] Placements, List<SarObservable> Observables);

    /// <summary>A random valid schedule (1–3 channels, 1–3 templates) and PSD observables; energies are small (PASS or FAIL both occur).</summary>
    private static Case Build(int seed, double energyScale)
    {
        var rng = new Random(seed);
        int n = 1 + rng.Next(3), nt = 1 + rng.Next(3);
        var templates = new List<PulseTemplate>();
        for (int t = 0; t < nt; t++)
        {
            int segs = 1 + rng.Next(3);
            var off = new double[segs]; var dur = new double[segs]; var w = new double[segs * n * n];
            double o = 0;
            for (int g = 0; g < segs; g++)
            {
                off[g] = o; dur[g] = 1e-4 * (1 + rng.Next(5)); o += dur[g];
                var x = Enumerable.Range(0, n).Select(_ => new Complex(rng.NextDouble() - 0.5, rng.NextDouble() - 0.5)).ToArray();
                var dw = HermitianPacking.DriveWeights(x);
                for (int k = 0; k < n * n; k++) w[g * n * n + k] = dw[k] * energyScale * dur[g];
            }
            templates.Add(new PulseTemplate($"t{t}", n, off, dur, w, 1e-4));
        }
        double period = 0.01 + 0.05 * rng.NextDouble();
        var placements = new List<PulsePlacement>();
        double at = 0;
        for (int p = 0; p < 4; p++)
        {
            int ti = rng.Next(nt);
            if (at + templates[ti].Duration > period) break;
            placements.Add(new PulsePlacement(at, ti));
            at += templates[ti].Duration + 1e-3 * rng.NextDouble();
        }
        var obs = new List<SarObservable>
        {
            new("vops", SarMetric.LocalHead, n, SupervisionMatrices.RandomPsd(n, 1 + rng.Next(4), seed), "V"),
            new("wb", SarMetric.WholeBody, n, SupervisionMatrices.RandomPsd(n, 1, seed + 1, 0.1), "V"),
        };
        return new Case(n, period, templates, placements.ToArray(), obs);
    }

    private static SequenceSarReport Run(Case c) =>
        SequenceSarCheck.Run(new PulseSchedule(c.Channels, c.Period, c.Templates, c.Placements, "prop"), c.Observables, Limits);

    private static readonly double[] Bad = [double.NaN, double.PositiveInfinity, double.NegativeInfinity];

    [Fact]
    public void AnyNonFiniteInputNeverGivesPass()
    {
        Gen.Select(Gen.Int[0, int.MaxValue], Gen.Int[0, 4], Gen.Int[0, 2], Gen.Int[0, int.MaxValue]).Sample((seed, where, bad, pick) =>
        {
            var v = Bad[bad];
            bool passed = false;
            try
            {
                var c = Build(seed, 10);
                var rng = new Random(pick);
                switch (where)
                {
                    case 0: // a template weight
                        var t = c.Templates[rng.Next(c.Templates.Count)];
                        var w = (double[])t.Weights.Clone(); w[rng.Next(w.Length)] = v;
                        c.Templates[c.Templates.IndexOf(t)] = new PulseTemplate(t.Name, t.Channels, t.Offsets, t.Durations, w, t.RasterSeconds);
                        break;
                    case 1: // a matrix entry
                        var o = c.Observables[rng.Next(2)];
                        var q = (double[])o.Packed.Clone(); q[rng.Next(q.Length)] = v;
                        c.Observables[c.Observables.IndexOf(o)] = new SarObservable(o.Name, o.Metric, o.Channels, q, o.DriveUnit);
                        break;
                    case 2: // a placement time
                        c = c with { Placements = c.Placements.Select((p, i) => i == 0 ? p with { StartSeconds = v } : p).ToArray() };
                        break;
                    case 3: // the period
                        c = c with { Period = v };
                        break;
                    default: // a segment duration
                        var u = c.Templates[0];
                        var d = (double[])u.Durations.Clone(); d[0] = v;
                        c.Templates[0] = new PulseTemplate(u.Name, u.Channels, u.Offsets, d, u.Weights, u.RasterSeconds);
                        break;
                }
                passed = Run(c).Passed;
            }
            catch (SarKitInputException) { }
            catch (ArgumentException) { } // programming-interface misuse (constructed directly), never a PASS
            Assert.False(passed, $"PASS with a non-finite value at {where}");
        }, iter: Iterations);
    }

    [Fact]
    public void SarScalesWithTheSquareOfTheAmplitudeUntilOverflowThenNeverPasses()
    {
        Gen.Select(Gen.Int[0, int.MaxValue], Gen.Double[-3, 3], Gen.Double[150, 200]).Sample((seed, log10k, log10big) =>
        {
            var c = Build(seed, 1);
            var schedule = new PulseSchedule(c.Channels, c.Period, c.Templates, c.Placements, "prop");
            var r1 = SequenceSarCheck.Run(schedule, c.Observables, Limits);
            double k = Math.Pow(10, log10k);
            var rk = SequenceSarCheck.Run(schedule.Scaled(k), c.Observables, Limits);
            for (int i = 0; i < r1.Outcomes.Count; i++)
            {
                double a = r1.Outcomes[i].Sar * k * k, b = rk.Outcomes[i].Sar;
                Assert.True(Math.Abs(a - b) <= 1e-9 * Math.Max(Math.Abs(a), 1e-300), $"k={k}: {b} vs k²·{r1.Outcomes[i].Sar}");
            }
            bool passed = false;
            try { passed = SequenceSarCheck.Run(schedule.Scaled(Math.Pow(10, log10big)), c.Observables, Limits).Passed; }
            catch (SarKitInputException) { }
            Assert.False(passed);
        }, iter: Iterations);
    }

    [Fact]
    public void StreamingSupervisorIsNeverOkForIndefiniteBlocksOrAfterTheDeadline()
    {
        Gen.Select(Gen.Int[0, int.MaxValue], Gen.Int[1, 4], Gen.Double[2, 1e6]).Sample((seed, n, excess) =>
        {
            var rng = new Random(seed);
            var clock = new FakeTimeProvider();
            var s = new StreamingSarSupervisor([new SarObservable("q", SarMetric.LocalHead, n, SupervisionMatrices.RandomPsd(n, 3, seed), "V")], Limits,
                new StreamingSupervisorOptions { SampleIntervalSeconds = 1e-6, TimeProvider = clock, DataTimeout = TimeSpan.FromSeconds(1) });
            // a PSD block, then R = P − μ v vᴴ with μ beyond the tolerance: λ_min(R) ≤ −(excess·tol)·tr(R) < −tol·tr(R)
            var x = Enumerable.Range(0, n).Select(_ => new Complex(rng.NextDouble() - 0.5, rng.NextDouble() - 0.5)).ToArray();
            var p = HermitianPacking.DriveWeights(x);
            var st = s.FeedCorrelation(0, 1e-3, p);
            Assert.NotEqual(SupervisorState.Failed, st.State);
            var v = Enumerable.Range(0, n).Select(_ => new Complex(rng.NextDouble() - 0.5, rng.NextDouble() - 0.5)).ToArray();
            double vn = v.Sum(z => z.Magnitude * z.Magnitude);
            for (int i = 0; i < n; i++) v[i] /= Math.Sqrt(vn);
            double tr = p.Take(n).Sum(), tol = RfCorrelation.PsdRelativeTolerance;
            // vᴴPv ≤ tr(P); choose μ so that vᴴRv = vᴴPv − μ ≤ −excess·tol·tr(R) with tr(R) = tr(P) − μ
            double vpv = 0; { var w = HermitianPacking.DriveWeights(v); for (int k = 0; k < w.Length; k++) vpv += w[k] * HermitianPacking.Pack(Outer(x))[k]; }
            double e = Math.Min(excess * tol, 0.5);
            double mu = (vpv + e * tr) / (1 + e) + 1e-12 * tr + 1e-300;
            var dv = HermitianPacking.DriveWeights(v);
            var r = p.Select((pk, k) => pk - mu * dv[k]).ToArray();
            if (r.Take(n).Sum() < 0) { Assert.NotEqual(SupervisorState.Ok, s.FeedCorrelation(1e-3, 1e-3, r).State); return; }
            Assert.NotEqual(SupervisorState.Ok, s.FeedCorrelation(1e-3, 1e-3, r).State);
            Assert.NotEqual(SupervisorState.Ok, s.FeedSilence(2e-3, 1e-3).State);

            // a fresh supervisor goes silent past its deadline
            var c2 = new FakeTimeProvider();
            var s2 = new StreamingSarSupervisor([new SarObservable("q", SarMetric.LocalHead, n, SupervisionMatrices.RandomPsd(n, 3, seed), "V")], Limits,
                new StreamingSupervisorOptions { SampleIntervalSeconds = 1e-6, TimeProvider = c2, DataTimeout = TimeSpan.FromMilliseconds(100 + rng.Next(1000)) });
            s2.FeedCorrelation(0, 1e-3, p);
            c2.Advance(TimeSpan.FromMilliseconds(1101));
            Assert.NotEqual(SupervisorState.Ok, s2.Status.State);
            Assert.NotEqual(SupervisorState.Ok, s2.FeedSilence(1e-3, 1e-3).State);
        }, iter: Iterations);
    }

    private static Complex[,] Outer(Complex[] x)
    {
        int n = x.Length; var m = new Complex[n, n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) m[i, j] = x[i] * Complex.Conjugate(x[j]);
        return m;
    }
}
