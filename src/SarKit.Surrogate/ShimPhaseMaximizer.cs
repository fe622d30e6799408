namespace SarKit.Surrogate;

/// <summary>Settings of <see cref="ShimPhaseMaximizer.Maximize"/>.</summary>
public sealed record ShimPhaseSearchOptions
{
    /// <summary>Uniformly random phase vectors tried first (φ_1 = 0, φ_n ~ U[0, 2π)).</summary>
    public int RandomStarts { get; init; } = 64;
    /// <summary>Best random starts refined by the coordinate pattern search.</summary>
    public int Refined { get; init; } = 3;
    /// <summary>Total objective evaluations (initial and random starts included; at least their number).</summary>
    public int MaxEvaluations { get; init; } = 400;
    /// <summary>First step of the pattern search, rad.</summary>
    public double InitialStep { get; init; } = Math.PI / 4;
    /// <summary>The search of a start ends when its step falls below this, rad.</summary>
    public double MinStep { get; init; } = 1e-3;
    /// <summary>Seed of the random starts (System.Random; deterministic for a seed).</summary>
    public int Seed { get; init; }
    /// <summary>Phase vectors evaluated as extra starts before the random ones (e.g. the shims already evaluated), so the maximum found is never below theirs.</summary>
    public IReadOnlyList<double[]> InitialPhases { get; init; } = [];
}

/// <summary>Result of <see cref="ShimPhaseMaximizer.Maximize"/>.</summary>
/// <param name="Phases">Best phases found, rad (φ_1 = 0).</param>
/// <param name="Value">Objective at <paramref name="Phases"/>.</param>
/// <param name="Evaluations">Objective evaluations used.</param>
public sealed record ShimPhaseMaximum(double[] Phases, double Value, int Evaluations);

/// <summary>
/// Maximises a function of the shim phases w_n = e^{jφ_n} (unit amplitudes, φ_1 = 0 fixes the irrelevant global
/// phase) by seeded random search followed by a coordinate pattern search (per channel n ≥ 2 try φ_n ± δ, keep an
/// improvement, halve δ after a sweep without one; Hooke &amp; Jeeves 1961) from the best starts. It is a local method
/// with random restarts: the value is a lower bound of the true maximum (a "worst case found", never an upper bound),
/// used for the worst-over-shims metric of the 3D surrogate evaluation (max over phases of true/predicted peak SAR).
/// A non-finite objective value is an error (fail closed), never skipped.
/// </summary>
public static class ShimPhaseMaximizer
{
    /// <summary>Maximises <paramref name="objective"/> over the phases of <paramref name="channels"/> channels.</summary>
    public static ShimPhaseMaximum Maximize(Func<double[], double> objective, int channels, ShimPhaseSearchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(objective);
        options ??= new ShimPhaseSearchOptions();
        if (channels < 1) throw new ArgumentOutOfRangeException(nameof(channels), channels, "expected ≥ 1 channel");
        if (options.RandomStarts < 1 || options.Refined < 0 || options.MaxEvaluations < options.RandomStarts + options.InitialPhases.Count || !(options.InitialStep > 0) || !(options.MinStep > 0))
            throw new ArgumentException($"Invalid phase search options: {options}.", nameof(options));
        var rng = new Random(options.Seed);
        int evals = 0;
        double Eval(double[] p)
        {
            evals++;
            double v = objective(p);
            if (!double.IsFinite(v)) throw new InvalidOperationException($"The shim objective is {v} at phases [{string.Join(", ", p)}]; expected a finite value.");
            return v;
        }
        var starts = new List<(double[] P, double V)>();
        foreach (var p0 in options.InitialPhases)
        {
            if (p0.Length != channels) throw new ArgumentException($"An initial phase vector has {p0.Length} entries; expected {channels}.", nameof(options));
            starts.Add(((double[])p0.Clone(), Eval((double[])p0.Clone())));
        }
        for (int s = 0; s < options.RandomStarts; s++)
        {
            var p = new double[channels];
            for (int n = 1; n < channels; n++) p[n] = 2 * Math.PI * rng.NextDouble();
            starts.Add((p, Eval(p)));
        }
        starts.Sort((a, b) => b.V.CompareTo(a.V));
        var best = starts[0];
        foreach (var (p0, v0) in starts.Take(options.Refined))
        {
            var p = (double[])p0.Clone(); double v = v0, step = options.InitialStep;
            while (step >= options.MinStep && evals < options.MaxEvaluations)
            {
                bool improved = false;
                for (int n = 1; n < channels && evals < options.MaxEvaluations; n++)
                    foreach (var d in new[] { step, -step })
                    {
                        if (evals >= options.MaxEvaluations) break;
                        var q = (double[])p.Clone();
                        q[n] = Wrap(q[n] + d);
                        double vq = Eval(q);
                        if (vq > v) { p = q; v = vq; improved = true; break; }
                    }
                if (!improved) step /= 2;
            }
            if (v > best.V) best = (p, v);
        }
        return new ShimPhaseMaximum(best.P, best.V, evals);
    }

    private static double Wrap(double x)
    {
        x %= 2 * Math.PI;
        return x < 0 ? x + 2 * Math.PI : x;
    }
}
