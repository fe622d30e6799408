using System.Diagnostics;
using System.Numerics;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Constraints;

/// <summary>Settings of <see cref="RfShimSolver"/>.</summary>
public sealed record RfShimOptions
{
    /// <summary>Initial target phase patterns: the first is 0 everywhere, the others uniform random.</summary>
    public int Starts { get; init; } = 5;
    /// <summary>Variable-exchange iterations per start at most.</summary>
    public int MaxIterations { get; init; } = 200;
    /// <summary>Stop a start when the objective changes by less than this fraction between iterations.</summary>
    public double RelativeTolerance { get; init; } = 1e-7;
    /// <summary>Seed of the random initial phases.</summary>
    public int Seed { get; init; } = 1;
    /// <summary>Tikhonov weight λ (objective + λ‖w‖², units of the objective per drive unit²); 0 by default.</summary>
    public double Regularisation { get; init; }
    /// <summary>Inner solver settings.</summary>
    public ShimQcqpOptions Inner { get; init; } = new();
    /// <summary>
    /// Start each inner solve after the first of a start at the previous solve's barrier parameter / <see cref="ShimQcqpOptions.WarmBarrierBackoff"/>
    /// (from the previous weights) instead of re-centring from the beginning of the central path. Off with <see cref="ShimQcqpOptions.ReferenceKernels"/>.
    /// </summary>
    /// <remarks>Off by default: measured on the demo it needs more Newton steps than the cold start (a start near the boundary at a
    /// large t is far from that t's central point, and the duality-gap check then re-solves cold); kept for experiments.</remarks>
    public bool WarmStartBarrier { get; init; }
    /// <summary>
    /// Initial weights (drive units) for the first start: its target phases are arg(A·w0) and its first inner solve is warm-started
    /// from w0 (e.g. a design with a VOP set, polished against the originals). Null: the first start has phase 0.
    /// </summary>
    public Complex[]? InitialWeights { get; init; }
    /// <summary>
    /// Indices of row-generated matrices that form the first start's initial active subset (e.g. the originals largest at
    /// <see cref="InitialWeights"/>); null or empty: the subset is seeded by λ_max and the warm start as usual. Only a seed:
    /// row generation still adds every violated matrix, so the optimum and the feasibility on every matrix are the same.
    /// </summary>
    public IReadOnlyCollection<int>? InitialActiveRows { get; init; }
    /// <summary>
    /// Safeguarded extrapolation of the target phases (momentum on the variable exchange): after a plain update φ_{k+1} =
    /// arg(A·w_k) the next inner problem gets φ_{k+1} + β(φ_{k+1} − φ_k) (differences wrapped to (−π, π]); its solution is
    /// kept only when its MLS objective is below the current one (then β grows ×1.5 up to 10), otherwise the plain step is
    /// solved instead and β drops to 1/4 of its value (at least 0.25). The accepted objectives never increase, as without it;
    /// it shortens the long, slowly converging tails of the plain exchange (many spokes). Off by default.
    /// </summary>
    public bool PhaseExtrapolation { get; init; }
    /// <summary>
    /// A local constraint set (e.g. VOPs) with more matrices than this is handled by row generation (an active subset in the
    /// barrier, see <see cref="ShimQcqp.SolveWithRowGeneration(ReadOnlySpan{double}, ReadOnlySpan{Complex}, double, IReadOnlyList{double[]}, double[], int, ShimQcqpOptions?, ReadOnlySpan{Complex}, HashSet{int}?)"/>)
    /// instead of putting every matrix in the barrier; the optimum is the same. Used by the design use cases.
    /// </summary>
    public int RowGenerationAbove { get; init; } = 48;
    /// <summary>
    /// Direct interior-point method on the MLS objective (<see cref="MlsNewtonOptions"/>; null: off, the plain variable exchange).
    /// Each start makes its first exchange step, then runs a log-barrier method with (clipped) Newton steps on the MLS objective
    /// itself from there, keeps the result only when its objective is lower, and continues with plain exchange steps (inner
    /// problems solved to full accuracy) until the exchange tolerance holds: the result is a fixed point of the exchange, as
    /// without it. With row generation the direct method runs on an active subset grown by the most violated matrices, and its result is
    /// scaled onto the feasible set of every matrix before it is compared.
    /// </summary>
    public MlsNewtonOptions? DirectNewton { get; init; }
}

/// <summary>Result of <see cref="RfShimSolver.Solve"/>.</summary>
public sealed record RfShimSolution
{
    /// <summary>Best weights found (drive units).</summary>
    public required Complex[] W { get; init; }
    /// <summary>Σ_r (|(Aw)_r| − t_r)² + λ‖w‖² of <see cref="W"/>.</summary>
    public required double Objective { get; init; }
    /// <summary>Objective of every start (same order as the starts).</summary>
    public required double[] StartObjectives { get; init; }
    /// <summary>Variable-exchange iterations over all starts.</summary>
    public required int Iterations { get; init; }
    /// <summary>Newton steps over all inner solves.</summary>
    public required int NewtonSteps { get; init; }
    /// <summary>Newton steps of the direct MLS method (<see cref="RfShimOptions.DirectNewton"/>; not in <see cref="NewtonSteps"/>).</summary>
    public int DirectNewtonSteps { get; init; }
    /// <summary>Row-generation rounds over all inner solves.</summary>
    public required int Rounds { get; init; }
    /// <summary>Constraints in the last inner problem of the best start (row generation: the active set).</summary>
    public required int ActiveConstraints { get; init; }
    /// <summary>max_i wᴴC_iw over all constraints given (≤ 1: feasible).</summary>
    public required double MaxConstraintRatio { get; init; }
    /// <summary>Wall time, s.</summary>
    public required double ElapsedSeconds { get; init; }
    /// <summary>CPU time of the process during the solve, s (the solver is single-threaded; on a loaded machine this is the better measure).</summary>
    public double CpuSeconds { get; init; }
}

/// <summary>
/// RF shimming by magnitude least squares (MLS) with variable exchange (Setsompop et al., Magn Reson Med 2008;59:908;
/// Kassakian, PhD thesis MIT 2006): minimise Σ_r (|Σ_n A_rn w_n| − t_r)² + λ‖w‖² subject to wᴴC_iw ≤ 1 (local and
/// global SAR matrices divided by their limits, channel power limits). Alternates (a) target phases φ_r = arg (Aw)_r and
/// (b) the convex problem min ‖Aw − t∘e^{iφ}‖² + λ‖w‖² under the constraints (<see cref="ShimQcqp"/>, warm-started).
/// Each exchange does not increase the objective (both steps minimise the same function, (a) over φ, (b) over w), so a start
/// converges to a stationary point; several starts (phase 0, then random phases) guard against poor local minima.
/// </summary>
public static class RfShimSolver
{
    /// <summary>
    /// Solves the MLS shim. <paramref name="a"/>: R×N row-major (B1+ of each channel at each ROI voxel), <paramref name="target"/>
    /// the R target magnitudes. Constraints: <paramref name="inBarrier"/> (packed, always in the inner problem) and
    /// <paramref name="rowGenerated"/> (packed back to back, handled by row generation; null or empty for none).
    /// </summary>
    public static RfShimSolution Solve(Complex[] a, int channels, double[] target, IReadOnlyList<double[]> inBarrier, double[]? rowGenerated,
        RfShimOptions? options = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(a); ArgumentNullException.ThrowIfNull(target); ArgumentNullException.ThrowIfNull(inBarrier);
        options ??= new RfShimOptions();
        int n = channels, r = target.Length;
        if (a.Length != r * n) throw new ArgumentException($"A has {a.Length} entries, expected {r}×{n}.", nameof(a));
        if (r == 0) throw new SarKitInputException("The region of interest is empty.");
        var sw = Stopwatch.StartNew();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        // G = AᴴA + λI (packed Hermitian)
        var gFull = new Complex[n, n];
        for (int row = 0; row < r; row++)
            for (int i = 0; i < n; i++)
            {
                var ai = Complex.Conjugate(a[row * n + i]);
                for (int j = i; j < n; j++) gFull[i, j] += ai * a[row * n + j];
            }
        for (int i = 0; i < n; i++) gFull[i, i] += options.Regularisation;
        var g = HermitianPacking.Pack(gFull);
        double t2 = 0; foreach (var t in target) t2 += t * t;
        bool rg = rowGenerated is { Length: > 0 };
        var rng = new Random(options.Seed);
        Complex[]? best = null; double bestObj = double.PositiveInfinity; int bestActive = 0;
        var objs = new double[Math.Max(1, options.Starts)];
        int iters = 0, newton = 0, rounds = 0, direct = 0;
        double[][]? embedded = options.DirectNewton is null ? null : inBarrier.Select(c => ShimQcqp.Embed(c, n)).ToArray();
        var z = new Complex[r]; var y = new Complex[r]; var h = new Complex[n];
        for (int st = 0; st < objs.Length; st++)
        {
            for (int row = 0; row < r; row++) y[row] = st == 0 ? target[row] : Complex.FromPolarCoordinates(target[row], 2 * Math.PI * rng.NextDouble());
            Complex[] w = [];
            if (st == 0 && options.InitialWeights is { } w0)
            {
                if (w0.Length != n) throw new ArgumentException($"InitialWeights has {w0.Length} entries, expected {n}.", nameof(options));
                MlsObjective(a, n, target, w0, 0, z);
                for (int row = 0; row < r; row++) { double m0 = z[row].Magnitude; y[row] = m0 > 0 ? target[row] * z[row] / m0 : target[row]; }
                w = w0.ToArray();
            }
            var inner = options.Inner;
            var rgState = new RowGenerationState(); // active subset carried between the exchanges of this start
            if (st == 0 && rg && options.InitialActiveRows is { Count: > 0 } seedRows)
            {
                int mRows = rowGenerated!.Length / (n * n);
                foreach (var i in seedRows)
                {
                    if (i < 0 || i >= mRows) throw new ArgumentException($"InitialActiveRows has index {i}, expected 0 … {mRows - 1}.", nameof(options));
                    rgState.Idle[i] = 0;
                }
            }
            double prev = double.PositiveInfinity, obj = double.PositiveInfinity;
            int active = 0;
            double beta = 0.5;
            bool extrapolated = false;
            Complex[]? plain = null, prevPlain = null;
            for (int it = 0; it < options.MaxIterations; it++)
            {
                cancellation.ThrowIfCancellationRequested();
                iters++;
                ShimQcqpSolution Inner(Complex[] yt)
                {
                    Array.Clear(h);
                    for (int row = 0; row < r; row++)
                        for (int i = 0; i < n; i++) h[i] += Complex.Conjugate(a[row * n + i]) * yt[row];
                    var s = rg
                        ? ShimQcqp.SolveWithRowGeneration(g, h, t2, inBarrier, rowGenerated!, n, inner, w, rgState)
                        : ShimQcqp.Solve(g, h, t2, inBarrier, n, inner, w);
                    if (options.WarmStartBarrier && !inner.ReferenceKernels)
                        inner = options.Inner with { InitialBarrier = s.BarrierParameter / options.Inner.WarmBarrierBackoff };
                    newton += s.NewtonSteps; rounds += s.Rounds;
                    return s;
                }
                var sol = Inner(y);
                double objNew = MlsObjective(a, n, target, sol.W, options.Regularisation, z);
                if (extrapolated)
                {
                    if (objNew < obj) beta = Math.Min(beta * 1.5, 10);
                    else
                    {
                        // the extrapolated phases did not help: take the plain exchange step instead
                        beta = Math.Max(beta / 4, 0.25);
                        Array.Copy(plain!, y, r);
                        sol = Inner(y);
                        objNew = MlsObjective(a, n, target, sol.W, options.Regularisation, z);
                    }
                }
                active = sol.ActiveSetSize;
                w = sol.W;
                obj = objNew;
                if (it == 0 && embedded is not null)
                {
                    var (wd, fd, steps) = DirectStep(a, n, target, options, inBarrier, embedded, rowGenerated, rgState, w, cancellation);
                    direct += steps;
                    if (fd < obj) { w = wd; obj = MlsObjective(a, n, target, w, options.Regularisation, z); }
                }
                for (int row = 0; row < r; row++)
                {
                    double m = z[row].Magnitude;
                    y[row] = m > 0 ? target[row] * z[row] / m : target[row];
                }
                extrapolated = false;
                if (options.PhaseExtrapolation)
                {
                    (prevPlain, plain) = (plain, prevPlain);
                    plain ??= new Complex[r];
                    Array.Copy(y, plain, r);
                    if (prevPlain is not null && it > 0)
                    {
                        for (int row = 0; row < r; row++)
                        {
                            // φ + β(φ − φ_prev), the difference wrapped to (−π, π]
                            double d = (plain[row] * Complex.Conjugate(prevPlain[row])).Phase;
                            y[row] = plain[row] * Complex.FromPolarCoordinates(1, beta * d);
                        }
                        extrapolated = true;
                    }
                }
                if (Math.Abs(prev - obj) <= options.RelativeTolerance * Math.Max(obj, 1e-300)) break;
                prev = obj;
            }
            objs[st] = obj;
            if (obj < bestObj) { bestObj = obj; best = w; bestActive = active; }
        }
        double maxRatio = 0;
        foreach (var c in inBarrier) maxRatio = Math.Max(maxRatio, ShimQcqp.Quad(c, best!));
        if (rg) foreach (var q in ShimQcqp.Evaluate(rowGenerated, n, best!)) maxRatio = Math.Max(maxRatio, q);
        return new RfShimSolution
        {
            W = best!, Objective = bestObj, StartObjectives = objs, Iterations = iters, NewtonSteps = newton, DirectNewtonSteps = direct, Rounds = rounds,
            ActiveConstraints = bestActive, MaxConstraintRatio = maxRatio, ElapsedSeconds = sw.Elapsed.TotalSeconds,
            CpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds,
        };
    }

    // The direct MLS barrier method from w (RfShimOptions.DirectNewton). With row generation it runs on the active subset of the
    // first exchange step and adds the most violated matrices (as the inner row generation) until none is violated beyond
    // the violation tolerance; the result is then scaled onto the feasible set of every matrix, so the returned weights are
    // feasible for all constraints and its objective is comparable with the exchange's.
    private static (Complex[] W, double Objective, int Steps) DirectStep(Complex[] a, int n, double[] target, RfShimOptions options,
        IReadOnlyList<double[]> inBarrier, double[][] embedded, double[]? rowGenerated, RowGenerationState rgState, Complex[] w, CancellationToken cancellation)
    {
        var o = options.DirectNewton!;
        if (rowGenerated is not { Length: > 0 })
        {
            var dn = MlsBarrierNewton.Solve(a, n, target, options.Regularisation, embedded, w, o, cancellation);
            return (dn.W, dn.Objective, dn.NewtonSteps);
        }
        int nn = n * n, steps = 0;
        var active = new List<int>(rgState.Idle.Keys);
        var values = new double[rowGenerated.Length / nn];
        var start = w;
        for (int round = 0; round < 20; round++)
        {
            var emb = embedded.Concat(active.Select(i =>
            {
                if (!rgState.Embedded.TryGetValue(i, out var e)) rgState.Embedded[i] = e = ShimQcqp.Embed(rowGenerated.AsSpan(i * nn, nn), n);
                return e;
            })).ToArray();
            var dn = MlsBarrierNewton.Solve(a, n, target, options.Regularisation, emb, start, o, cancellation);
            steps += dn.NewtonSteps;
            start = dn.W;
            ShimQcqp.EvaluateInto(rowGenerated, n, dn.W, values);
            var inSet = active.ToHashSet();
            var violated = Enumerable.Range(0, values.Length).Where(i => values[i] > 1 + options.Inner.ViolationTolerance && !inSet.Contains(i))
                .OrderByDescending(i => values[i]).Take(Math.Min(options.Inner.PrunedAddedPerRound, options.Inner.MaxAddedPerRound)).ToList();
            if (violated.Count == 0) break;
            active.AddRange(violated);
        }
        double worst = values.Length > 0 ? values.Max() : 0;
        foreach (var c in inBarrier) worst = Math.Max(worst, ShimQcqp.Quad(c, start));
        var wf = worst > 1 ? start.Select(c => c / Math.Sqrt(worst)).ToArray() : start;
        return (wf, double.IsFinite(worst) ? MlsObjective(a, n, target, wf, options.Regularisation) : double.PositiveInfinity, steps);
    }

    /// <summary>Σ_r (|(Aw)_r| − t_r)² + λ‖w‖²; <paramref name="zOut"/> receives Aw when given.</summary>
    public static double MlsObjective(Complex[] a, int n, double[] target, ReadOnlySpan<Complex> w, double lambda = 0, Complex[]? zOut = null)
    {
        double s = 0;
        for (int row = 0; row < target.Length; row++)
        {
            Complex zr = 0;
            for (int i = 0; i < n; i++) zr += a[row * n + i] * w[i];
            if (zOut is not null) zOut[row] = zr;
            double d = zr.Magnitude - target[row];
            s += d * d;
        }
        for (int i = 0; i < n; i++) s += lambda * (w[i].Real * w[i].Real + w[i].Imaginary * w[i].Imaginary);
        return s;
    }

    /// <summary>Normalised RMS error sqrt(Σ(|Aw| − t)²/Σt²) of a shim.</summary>
    public static double Nrmse(Complex[] a, int n, double[] target, ReadOnlySpan<Complex> w)
    {
        double t2 = 0; foreach (var t in target) t2 += t * t;
        return Math.Sqrt(MlsObjective(a, n, target, w) / t2);
    }
}
