using System.Numerics;
using System.Numerics.Tensors;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Constraints;

/// <summary>Settings of <see cref="ShimQcqp"/>.</summary>
public sealed record ShimQcqpOptions
{
    /// <summary>Stop when the barrier duality-gap bound m/t is below this fraction of the objective scale ‖y‖².</summary>
    public double GapTolerance { get; init; } = 1e-9;
    /// <summary>Growth of the barrier parameter t per centring.</summary>
    public double BarrierGrowth { get; init; } = 20;
    /// <summary>Newton steps per centring at most.</summary>
    public int MaxNewtonPerCentring { get; init; } = 500;
    /// <summary>Matrices added per row-generation round at most (most violated first).</summary>
    public int MaxAddedPerRound { get; init; } = 200;
    /// <summary>
    /// Row generation with pruning (default): stop when every matrix satisfies wᴴC_iw ≤ 1 + <see cref="ViolationTolerance"/>
    /// and scale the drive onto the feasible set, add at most <see cref="MaxAddedPerRound"/> (≤ <see cref="PrunedAddedPerRound"/>)
    /// per round, and drop matrices that stayed below <see cref="DropBelow"/> for <see cref="DropAfterSolves"/> consecutive solves.
    /// False: the first version (no tolerance, no dropping, <see cref="MaxAddedPerRound"/> per round), kept as the
    /// <c>bench shim</c> baseline and a test oracle.
    /// </summary>
    public bool PrunedRowGeneration { get; init; } = true;
    /// <summary>Pruned row generation: matrices added per round at most (the most violated; min with <see cref="MaxAddedPerRound"/>).</summary>
    public int PrunedAddedPerRound { get; init; } = 16;
    /// <summary>
    /// Pruned row generation: a matrix counts as violated only when wᴴC_iw &gt; 1 + this; the returned drive is then scaled by
    /// 1/√max_i wᴴC_iw (over every matrix and every always-constraint) when that maximum exceeds 1, so it is feasible for all.
    /// </summary>
    public double ViolationTolerance { get; init; } = 1e-6;
    /// <summary>Pruned row generation: a matrix of the active subset is idle in a solve when its wᴴC_iw at the solution is below this.</summary>
    public double DropBelow { get; init; } = 0.9;
    /// <summary>Pruned row generation: idle solves in a row after which a matrix leaves the active subset (0: never).</summary>
    public int DropAfterSolves { get; init; } = 3;
    /// <summary>Initial active set: the matrices with the largest λ_max, this many (row generation only).</summary>
    public int InitialActive { get; init; } = 32;
    /// <summary>
    /// Barrier parameter t to start from (0: automatic, m/10⁻²). A caller that solves a sequence of nearby problems
    /// (variable exchange) passes the previous solve's <see cref="ShimQcqpSolution.BarrierParameter"/> divided by
    /// <see cref="WarmBarrierBackoff"/> together with the previous weights, so the barrier starts near the end of the
    /// central path instead of re-centring from the start. Ignored by <see cref="ReferenceKernels"/>.
    /// </summary>
    public double InitialBarrier { get; init; }
    /// <summary>Factor by which a warm-started barrier parameter is reduced from the previous solve's final one (see <see cref="InitialBarrier"/>).</summary>
    public double WarmBarrierBackoff { get; init; } = 1e3;
    /// <summary>
    /// The straightforward scalar barrier of the first version (every constraint's 2n×2n product recomputed at each
    /// backtracking trial, always a cold start at t = m/10⁻²). Same optimum to the gap tolerance; kept as the baseline of
    /// <c>bench shim</c> and as an independent implementation in the tests.
    /// </summary>
    public bool ReferenceKernels { get; init; }
    /// <summary>
    /// Number K of equal diagonal blocks that every constraint matrix (not G) is known to have: C_i = blockdiag(C_i1, …, C_iK)
    /// on the complex variable, as the time-averaged SAR of a K-sub-pulse spokes design, Σ_j c_j w_jᴴQw_j (<see cref="SpokesSystem"/>).
    /// The stacked kernels then compute each product E_c·x and the term Σ a_c E_c of the Hessian on the blocks only (K-fold
    /// fewer operations; the rank-one terms and G stay dense). 1: dense. A constraint with a nonzero entry outside the blocks
    /// is refused (ArgumentException). Ignored by <see cref="ReferenceKernels"/>.
    /// </summary>
    public int DiagonalBlocks { get; init; } = 1;
}

/// <summary>Solution of one <see cref="ShimQcqp"/> problem.</summary>
/// <param name="W">Optimal complex weights (drive units).</param>
/// <param name="Objective">‖Aw − y‖² + λ‖w‖² (without the constant it is computed from G, h and ‖y‖²).</param>
/// <param name="NewtonSteps">Newton steps used.</param>
/// <param name="Rounds">Row-generation rounds (1 without row generation).</param>
/// <param name="ActiveSetSize">Constraints in the final inner problem.</param>
/// <param name="MaxRatio">max_i wᴴC_iw over every constraint given (≤ 1 when feasible).</param>
/// <param name="Multipliers">Barrier estimates of the Lagrange multipliers of the constraints in the final inner problem, indexed like <paramref name="ActiveIndices"/>.</param>
/// <param name="ActiveIndices">Indices (into the full list) of the constraints in the final inner problem.</param>
public sealed record ShimQcqpSolution(Complex[] W, double Objective, int NewtonSteps, int Rounds, int ActiveSetSize, double MaxRatio, double[] Multipliers, int[] ActiveIndices)
{
    /// <summary>Final barrier parameter t of the last barrier solve (duality-gap bound m/t on the scaled objective); a warm start for the next nearby problem.</summary>
    public double BarrierParameter { get; init; }
}

/// <summary>
/// The convex inner problem of magnitude-least-squares RF shimming: with the target phases fixed,
///
///     minimise  wᴴG w − 2 Re(wᴴh) + c   subject to   wᴴC_i w ≤ 1,  i = 1…m,
///
/// G = AᴴA + λI (Hermitian PSD), h = Aᴴy, C_i Hermitian PSD (local SAR matrices, a global SAR matrix and per-channel
/// power limits, each divided by its limit). Solved on the real embedding x = (Re w, Im w), where wᴴCw = xᵀ[[A, −B], [B, A]]x
/// for C = A + iB, by the log-barrier method (Boyd &amp; Vandenberghe, Convex Optimization, §11.3): damped Newton centring
/// of t·f0(x) − Σ log(1 − xᵀM_i x) with backtracking that keeps every constraint strictly satisfied, t grown
/// <see cref="ShimQcqpOptions.BarrierGrowth"/>× until m/t ≤ tol·‖y‖² (f0 − f* ≤ m/t). x = 0 is strictly feasible, so no
/// phase 1 is needed. For many constraints (10⁵ local SAR matrices) <see cref="SolveWithRowGeneration(ReadOnlySpan{double}, ReadOnlySpan{Complex}, double, IReadOnlyList{double[]}, double[], int, ShimQcqpOptions?, ReadOnlySpan{Complex}, HashSet{int}?)"/> solves on an
/// active subset and adds violated matrices until the solution satisfies all (then it is optimal for all: a relaxation's
/// optimum that is feasible for the full problem is its optimum).
/// </summary>
public static class ShimQcqp
{
    /// <summary>Solves with every constraint in the barrier. <paramref name="constraints"/>: packed Hermitian matrices (n² each, <see cref="HermitianPacking"/>).</summary>
    public static ShimQcqpSolution Solve(ReadOnlySpan<double> gPacked, ReadOnlySpan<Complex> h, double yNorm2, IReadOnlyList<double[]> constraints, int n,
        ShimQcqpOptions? options = null, ReadOnlySpan<Complex> warmStart = default)
    {
        options ??= new ShimQcqpOptions();
        var idx = Enumerable.Range(0, constraints.Count).ToArray();
        var emb = constraints.Select(c => Embed(c, n)).ToArray();
        var x = StartPoint(warmStart, n, emb, options);
        int steps = RunBarrier(Embed(gPacked, n), h, yNorm2, emb, n, options, x, out var mult, out double tFinal);
        var w = ToComplex(x, n);
        double maxRatio = 0;
        foreach (var c in constraints) maxRatio = Math.Max(maxRatio, Quad(c, w));
        return new ShimQcqpSolution(w, Objective(gPacked, h, yNorm2, w, n), steps, 1, constraints.Count, maxRatio, mult, idx) { BarrierParameter = tFinal };
    }

    /// <summary>
    /// Row generation: <paramref name="always"/> constraints (global SAR, channel powers) are always in the barrier; of the
    /// many <paramref name="packedMany"/> matrices (n² each, back to back) only an active subset is, grown by the most violated
    /// ones until none is violated at the solution (<see cref="ShimQcqpOptions.PrunedRowGeneration"/>: within
    /// <see cref="ShimQcqpOptions.ViolationTolerance"/>, then scaled onto the feasible set).
    /// </summary>
    public static ShimQcqpSolution SolveWithRowGeneration(ReadOnlySpan<double> gPacked, ReadOnlySpan<Complex> h, double yNorm2, IReadOnlyList<double[]> always,
        double[] packedMany, int n, ShimQcqpOptions? options = null, ReadOnlySpan<Complex> warmStart = default, HashSet<int>? activeHint = null)
    {
        options ??= new ShimQcqpOptions();
        RowGenerationState? state = null;
        if (activeHint is { Count: > 0 }) { state = new RowGenerationState(); foreach (var i in activeHint) state.Idle[i] = 0; }
        return SolveWithRowGeneration(gPacked, h, yNorm2, always, packedMany, n, options, warmStart, state);
    }

    /// <summary>
    /// Row generation carrying the active subset and each member's idle count in <paramref name="state"/> from one call to the
    /// next (a sequence of nearby problems: variable exchange). Null or empty state: seeded by λ_max and the warm start.
    /// </summary>
    internal static ShimQcqpSolution SolveWithRowGeneration(ReadOnlySpan<double> gPacked, ReadOnlySpan<Complex> h, double yNorm2, IReadOnlyList<double[]> always,
        double[] packedMany, int n, ShimQcqpOptions options, ReadOnlySpan<Complex> warmStart, RowGenerationState? state)
    {
        int nn = n * n, m = packedMany.Length / nn;
        state ??= new RowGenerationState();
        bool pruned = options.PrunedRowGeneration;
        var active = state.Idle;
        if (pruned && options.DropAfterSolves > 0)
            foreach (var i in active.Where(kv => kv.Value >= options.DropAfterSolves).Select(kv => kv.Key).ToList()) { active.Remove(i); state.Dropped++; }
        if (active.Count == 0 && m > 0)
        {
            var lam = new double[m];
            HermitianKernels.LargestEigenvalues(packedMany, n, lam);
            foreach (var i in TopIndices(lam, options.InitialActive)) active[i] = 0;
            if (warmStart.Length == n)
            {
                var q0 = Evaluate(packedMany, n, warmStart);
                foreach (var i in TopIndices(q0, options.InitialActive)) active[i] = 0;
            }
        }
        double threshold = pruned ? 1 + Math.Max(options.ViolationTolerance, 0) : 1;
        int perRound = pruned ? Math.Max(1, Math.Min(options.MaxAddedPerRound, options.PrunedAddedPerRound)) : options.MaxAddedPerRound;
        var gEmb = Embed(gPacked, n);
        var alwaysEmb = always.Select(c => Embed(c, n)).ToList();
        Complex[] w = warmStart.Length == n ? warmStart.ToArray() : new Complex[n];
        int steps = 0, rounds = 0;
        double[] mult;
        int[] order;
        double maxAll, tFinal;
        var q = state.Values.Length == m ? state.Values : state.Values = new double[m];
        while (true)
        {
            rounds++;
            order = active.Keys.Order().ToArray();
            var emb = new double[alwaysEmb.Count + order.Length][];
            alwaysEmb.CopyTo(emb);
            for (int k = 0; k < order.Length; k++)
            {
                int i = order[k];
                if (!state.Embedded.TryGetValue(i, out var e)) state.Embedded[i] = e = Embed(packedMany.AsSpan(i * nn, nn), n);
                emb[alwaysEmb.Count + k] = e;
            }
            var x = StartPoint(w, n, emb, options);
            steps += RunBarrier(gEmb, h, yNorm2, emb, n, options, x, out mult, out tFinal);
            w = ToComplex(x, n);
            maxAll = pruned ? Screen(packedMany, n, w, state, order) : FullScreen(packedMany, n, w, state);

            var violated = new List<int>();
            for (int i = 0; i < m; i++)
                if (q[i] > threshold && !active.ContainsKey(i)) violated.Add(i);
            foreach (var i in order) active[i] = q[i] < options.DropBelow ? active[i] + 1 : 0;
            if (violated.Count == 0 || rounds > 1000) break;
            foreach (var i in violated.OrderByDescending(i => q[i]).Take(perRound)) active[i] = 0;
            state.Added += Math.Min(perRound, violated.Count);
        }
        foreach (var c in always) maxAll = Math.Max(maxAll, Quad(c, w));
        if (pruned && maxAll > 1)
        {
            // Within the tolerance but not feasible: scale onto the feasible set (every form is quadratic in w).
            // maxAll is the exact maximum over every matrix (full or bound screen) and the always-constraints, so after the
            // scaling every form is ≤ maxAll·sc² < 1; the always-constraints are re-evaluated directly.
            double sc = (1 - 1e-12) / Math.Sqrt(maxAll);
            for (int i = 0; i < n; i++) w[i] *= sc;
            double scaledMany = 0;
            for (int i = 0; i < m; i++) scaledMany = Math.Max(scaledMany, q[i]);
            maxAll = scaledMany * sc * sc;
            foreach (var c in always) maxAll = Math.Max(maxAll, Quad(c, w));
        }
        var indices = Enumerable.Range(-always.Count, always.Count).Concat(order).ToArray(); // negative: the always-constraints
        return new ShimQcqpSolution(w, Objective(gPacked, h, yNorm2, w, n), steps, rounds, order.Length + always.Count, maxAll, mult, indices) { BarrierParameter = tFinal };
    }

    // wᴴC_iw of every matrix into state.Values (exact); the reference point of the bound screen is reset to w.
    private static double FullScreen(double[] packedMany, int n, Complex[] w, RowGenerationState state)
    {
        var q = state.Values;
        EvaluateInto(packedMany, n, w, q);
        state.Screens++;
        int m = q.Length;
        if (state.RootRef.Length != m) state.RootRef = new double[m];
        double max = 0;
        for (int i = 0; i < m; i++) { max = Math.Max(max, q[i]); state.RootRef[i] = Math.Sqrt(Math.Max(q[i], 0)); }
        state.Reference = w.ToArray();
        return max;
    }

    // Screen by a bound: √(wᴴCw) is a seminorm, so √q_i(w) ≤ √q_i(w_ref) + √λ_max(C_i)·‖w − w_ref‖ with w_ref the last fully
    // screened point and λ_max ≤ ‖C_i‖_F. Matrices whose bound is ≤ 1 cannot be violated and are not evaluated; the rest,
    // the active subset, and every matrix whose bound exceeds the largest exact value found are evaluated exactly (so the
    // returned maximum is the exact maximum over all). state.Values then holds exact values for the evaluated matrices
    // and upper bounds (≤ max) for the others. A full screen when the bound would leave more than a quarter to evaluate.
    private static double Screen(double[] packedMany, int n, Complex[] w, RowGenerationState state, int[] active)
    {
        int nn = n * n, m = packedMany.Length / nn;
        if (state.Reference is null || state.RootFrobenius.Length != m)
        {
            if (state.RootFrobenius.Length != m)
            {
                state.RootFrobenius = new double[m];
                for (int i = 0; i < m; i++)
                {
                    var p = packedMany.AsSpan(i * nn, nn);
                    double f2 = FixedOrderDot.SumOfSquares(p) + FixedOrderDot.SumOfSquares(p[n..]);
                    state.RootFrobenius[i] = Math.Sqrt(Math.Sqrt(f2)) * (1 + 1e-12);
                }
            }
            return FullScreen(packedMany, n, w, state);
        }
        double delta = 0;
        for (int i = 0; i < n; i++) delta += (w[i] - state.Reference[i]).Magnitude * (w[i] - state.Reference[i]).Magnitude;
        delta = Math.Sqrt(delta) * (1 + 1e-12);
        var q = state.Values; var r0 = state.RootRef; var rf = state.RootFrobenius;
        var wt = HermitianPacking.DriveWeights(w);
        var exact = new bool[m];
        double max = 0;
        foreach (var i in active) { q[i] = HermitianPacking.QuadraticForm(packedMany.AsSpan(i * nn, nn), wt); exact[i] = true; max = Math.Max(max, q[i]); }
        var pending = new List<int>();
        for (int i = 0; i < m; i++)
        {
            if (exact[i]) continue;
            double b = r0[i] + rf[i] * delta;
            q[i] = b * b * (1 + 1e-12) + 1e-300; // an upper bound
            if (q[i] > 1) pending.Add(i);
        }
        if (pending.Count > m / 4) return FullScreen(packedMany, n, w, state);
        foreach (var i in pending) { q[i] = HermitianPacking.QuadraticForm(packedMany.AsSpan(i * nn, nn), wt); exact[i] = true; max = Math.Max(max, q[i]); }
        state.Evaluated += active.Length + pending.Count;
        // the exact maximum: also every matrix whose bound exceeds it
        pending.Clear();
        for (int i = 0; i < m; i++) if (!exact[i] && q[i] > max) pending.Add(i);
        if (pending.Count > m / 4) return FullScreen(packedMany, n, w, state);
        foreach (var i in pending) { q[i] = HermitianPacking.QuadraticForm(packedMany.AsSpan(i * nn, nn), wt); max = Math.Max(max, q[i]); }
        state.Evaluated += pending.Count;
        state.BoundScreens++;
        return max;
    }

    // Indices of the k largest values (descending).
    private static IEnumerable<int> TopIndices(double[] v, int k) => Enumerable.Range(0, v.Length).OrderByDescending(i => v[i]).Take(k);

    /// <summary>wᴴC_iw for every packed matrix of <paramref name="packedMany"/>.</summary>
    public static double[] Evaluate(ReadOnlySpan<double> packedMany, int n, ReadOnlySpan<Complex> w)
    {
        int nn = n * n, m = packedMany.Length / nn;
        var q = new double[m];
        EvaluateInto(packedMany, n, w, q);
        return q;
    }

    /// <summary>wᴴC_iw for every packed matrix of <paramref name="packedMany"/> into <paramref name="result"/> (length ≥ count).</summary>
    public static void EvaluateInto(ReadOnlySpan<double> packedMany, int n, ReadOnlySpan<Complex> w, Span<double> result)
    {
        int nn = n * n, m = packedMany.Length / nn;
        if (result.Length < m) throw new ArgumentException($"result has {result.Length} entries, expected at least {m}.", nameof(result));
        var wt = HermitianPacking.DriveWeights(w);
        for (int i = 0; i < m; i++) result[i] = HermitianPacking.QuadraticForm(packedMany.Slice(i * nn, nn), wt);
    }

    /// <summary>wᴴCw of one packed matrix.</summary>
    public static double Quad(ReadOnlySpan<double> packed, ReadOnlySpan<Complex> w) => HermitianPacking.QuadraticForm(packed, HermitianPacking.DriveWeights(w));

    /// <summary>wᴴGw − 2 Re(wᴴh) + ‖y‖².</summary>
    public static double Objective(ReadOnlySpan<double> gPacked, ReadOnlySpan<Complex> h, double yNorm2, ReadOnlySpan<Complex> w, int n)
    {
        double lin = 0;
        for (int i = 0; i < n; i++) lin += (Complex.Conjugate(w[i]) * h[i]).Real;
        return Quad(gPacked, w) - 2 * lin + yNorm2;
    }

    // Real 2n×2n symmetric embedding [[A, −B], [B, A]] of the packed Hermitian C = A + iB.
    internal static double[] Embed(ReadOnlySpan<double> packed, int n)
    {
        int m = 2 * n;
        var e = new double[m * m];
        var c = HermitianPacking.Unpack(packed, n);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double a = c[i, j].Real, b = c[i, j].Imaginary;
                e[i * m + j] = a; e[(i + n) * m + j + n] = a;
                e[i * m + j + n] = -b; e[(i + n) * m + j] = b;
            }
        return e;
    }

    private static Complex[] ToComplex(double[] x, int n)
    {
        var w = new Complex[n];
        for (int i = 0; i < n; i++) w[i] = new Complex(x[i], x[i + n]);
        return w;
    }

    private static double XMx(double[] mtx, double[] x, double[] mx)
    {
        int m = x.Length;
        double s = 0;
        for (int i = 0; i < m; i++)
        {
            double r = 0;
            for (int j = 0; j < m; j++) r += mtx[i * m + j] * x[j];
            mx[i] = r; s += x[i] * r;
        }
        return s;
    }

    // A strictly feasible start: the warm start scaled into the interior (0.99 of the boundary; with a warm barrier
    // parameter t, to a slack of about m/t, the central path's slack there), else 0.
    private static double[] StartPoint(ReadOnlySpan<Complex> warm, int n, double[][] emb, ShimQcqpOptions o)
    {
        var x = new double[2 * n];
        if (warm.Length != n) return x;
        for (int i = 0; i < n; i++) { x[i] = warm[i].Real; x[i + n] = warm[i].Imaginary; }
        var tmp = new double[2 * n];
        double worst = 0;
        foreach (var e in emb) worst = Math.Max(worst, XMx(e, x, tmp));
        if (!double.IsFinite(worst)) return new double[2 * n];
        double limit = 0.99 * 0.99;
        if (!o.ReferenceKernels && o.InitialBarrier > 0) limit = 1 - Math.Clamp(1e3 / o.InitialBarrier, 1e-9, 1 - limit);
        if (worst >= limit)
        {
            double s = Math.Sqrt(limit / worst);
            for (int i = 0; i < x.Length; i++) x[i] *= s;
        }
        return x;
    }

    private static int RunBarrier(double[] gEmb, ReadOnlySpan<Complex> h, double yNorm2, double[][] emb, int n, ShimQcqpOptions o, double[] x, out double[] multipliers, out double tFinal)
    {
        if (o.ReferenceKernels) return Barrier(gEmb, h, yNorm2, emb, n, o, x, out multipliers, out tFinal);
        var x0 = x.ToArray();
        int steps = BarrierStacked(gEmb, h, yNorm2, emb, n, o, x, out multipliers, out tFinal, out bool stalled);
        if (stalled && o.InitialBarrier > 0)
        {
            // The warm start did not converge: solve again from the start point pulled into the interior, cold.
            var cold = o with { InitialBarrier = 0 };
            var xc = StartPoint(ToComplex(x0, n), n, emb, cold);
            steps += BarrierStacked(gEmb, h, yNorm2, emb, n, cold, xc, out multipliers, out tFinal, out _);
            Array.Copy(xc, x, x.Length);
        }
        return steps;
    }

    // Log-barrier method on the embedding; x (strictly feasible) is updated in place. Returns Newton steps.
    private static int Barrier(double[] gEmb, ReadOnlySpan<Complex> h, double yNorm2, double[][] emb, int n, ShimQcqpOptions o, double[] x, out double[] multipliers, out double tFinal)
    {
        int m2 = 2 * n, mc = emb.Length;
        double scale = yNorm2 > 0 ? 1.0 / yNorm2 : 1.0; // f0 scaled to O(1)
        var g = new double[m2];
        for (int i = 0; i < n; i++) { g[i] = h[i].Real; g[i + n] = h[i].Imaginary; }
        var grad = new double[m2]; var hess = new double[m2 * m2]; var gx = new double[m2];
        var mx = new double[mc][]; for (int i = 0; i < mc; i++) mx[i] = new double[m2];
        var s = new double[mc];
        var xt = new double[m2]; var tmp = new double[m2];
        double tt = mc == 0 ? 1 : Math.Max(1.0, mc / 1e-2);
        int steps = 0;
        multipliers = new double[mc];
        for (int outer = 0; outer < 200; outer++)
        {
            for (int it = 0; it < o.MaxNewtonPerCentring; it++)
            {
                // gradient and Hessian of t·f0 − Σ log s_i
                XMx(gEmb, x, gx);
                for (int i = 0; i < m2; i++) grad[i] = tt * scale * 2 * (gx[i] - g[i]);
                for (int i = 0; i < m2 * m2; i++) hess[i] = tt * scale * 2 * gEmb[i];
                for (int c = 0; c < mc; c++)
                {
                    s[c] = 1 - XMx(emb[c], x, mx[c]);
                    double a = 2 / s[c], b = 4 / (s[c] * s[c]);
                    var e = emb[c]; var v = mx[c];
                    for (int i = 0; i < m2; i++)
                    {
                        grad[i] += a * v[i];
                        double bv = b * v[i];
                        int row = i * m2;
                        for (int j = 0; j < m2; j++) hess[row + j] += a * e[row + j] + bv * v[j];
                    }
                }
                var dx = new double[m2];
                for (int i = 0; i < m2; i++) dx[i] = -grad[i];
                if (!ComplexDense.SolveSpd(hess, m2, dx)) break;
                double dec = 0; for (int i = 0; i < m2; i++) dec -= grad[i] * dx[i]; // λ² = −∇φᵀΔx
                steps++;
                if (dec / 2 <= 1e-10) break;
                // Backtracking on the change of the barrier function, computed as a difference (t·f0 reaches 1e12:
                // evaluating φ itself would lose the last digits of the decrease to rounding).
                XMx(gEmb, dx, tmp);
                double dGd = 0, lin = 0;
                for (int i = 0; i < m2; i++) { dGd += dx[i] * tmp[i]; lin += dx[i] * (gx[i] - g[i]); }
                double step = 1;
                while (step > 1e-12)
                {
                    for (int i = 0; i < m2; i++) xt[i] = x[i] + step * dx[i];
                    double change = tt * scale * (2 * step * lin + step * step * dGd);
                    for (int c = 0; c < mc && double.IsFinite(change); c++)
                    {
                        double si = 1 - XMx(emb[c], xt, tmp);
                        change = si > 0 ? change - Math.Log(si / s[c]) : double.PositiveInfinity;
                    }
                    if (change <= -0.25 * step * dec) break;
                    step *= 0.5;
                }
                if (step <= 1e-12) break;
                Array.Copy(xt, x, m2);
            }
            if (mc == 0) break; // unconstrained: one Newton centring is exact
            if (mc / tt <= o.GapTolerance) break;
            tt *= o.BarrierGrowth;
        }
        for (int c = 0; c < mc; c++) { double si = 1 - XMx(emb[c], x, tmp); multipliers[c] = 1 / (tt * scale * si); }
        tFinal = tt;
        return steps;
    }
    // The same log-barrier method with the constraint matrices stacked (mc·2n rows of 2n): each Newton step needs one
    // stacked product E·x (SIMD dot products), the Hessian Σ a_c E_c + Σ b_c (E_c x)(E_c x)ᵀ as SIMD multiply-adds, and
    // the backtracking line search costs O(mc) per trial: along x + αd, 1 − (x + αd)ᵀE_c(x + αd) = s_c − 2α dᵀE_cx −
    // α² dᵀE_cd from one more stacked product E·d. The accepted point's slacks are recomputed directly (its product E·x
    // is the next step's), and a step whose direct slacks are not all positive is halved. Optionally starts at a given
    // barrier parameter (warm start, ShimQcqpOptions.InitialBarrier).
    private static int BarrierStacked(double[] gEmb, ReadOnlySpan<Complex> h, double yNorm2, double[][] emb, int n, ShimQcqpOptions o, double[] x, out double[] multipliers, out double tFinal, out bool stalled)
    {
        int m2 = 2 * n, mc = emb.Length, mm = m2 * m2;
        var stack = new double[mc * mm];
        for (int c = 0; c < mc; c++) emb[c].AsSpan().CopyTo(stack.AsSpan(c * mm, mm));
        int bs = BlockSize(n, o.DiagonalBlocks, stack, mc);
        double scale = yNorm2 > 0 ? 1.0 / yNorm2 : 1.0;
        var g = new double[m2];
        for (int i = 0; i < n; i++) { g[i] = h[i].Real; g[i + n] = h[i].Imaginary; }
        var grad = new double[m2]; var hess = new double[mm]; var gx = new double[m2]; var gd = new double[m2];
        var ex = new double[mc * m2]; var ed = new double[mc * m2]; var exT = new double[mc * m2];
        var s = new double[mc]; var sT = new double[mc]; var dEx = new double[mc]; var dEd = new double[mc];
        var xt = new double[m2]; var dx = new double[m2];
        double t0 = mc == 0 ? 1 : Math.Max(1.0, mc / 1e-2), tt = t0;
        int steps = 0;
        stalled = false;
        multipliers = new double[mc];
        StackedProduct(stack, mc, m2, x, ex, bs);
        bool inside = Slacks(ex, x, mc, m2, s);
        if (!inside) throw new InvalidOperationException("The barrier start is not strictly feasible."); // StartPoint guarantees it

        // Newton direction of t·f0 − Σ log s_c at x into dx; returns the squared Newton decrement (NaN: singular).
        double Direction(double t)
        {
            double ts = t * scale * 2;
            MatVec(gEmb, m2, x, gx);
            for (int i = 0; i < m2; i++) grad[i] = ts * (gx[i] - g[i]);
            TensorPrimitives.Multiply(gEmb, ts, hess);
            for (int c = 0; c < mc; c++)
            {
                double a = 2 / s[c], b = 4 / (s[c] * s[c]);
                var v = ex.AsSpan(c * m2, m2);
                TensorPrimitives.MultiplyAdd(v, a, grad, grad);
                if (bs == n) TensorPrimitives.MultiplyAdd(stack.AsSpan(c * mm, mm), a, hess, hess);
                else
                    for (int i = 0; i < m2; i++)
                    {
                        // row i couples only the real and imaginary parts of its own block: columns [b, b + bs) and [n + b, n + b + bs)
                        int b0 = (i % n) / bs * bs, row = c * mm + i * m2;
                        TensorPrimitives.MultiplyAdd(stack.AsSpan(row + b0, bs), a, hess.AsSpan(i * m2 + b0, bs), hess.AsSpan(i * m2 + b0, bs));
                        TensorPrimitives.MultiplyAdd(stack.AsSpan(row + n + b0, bs), a, hess.AsSpan(i * m2 + n + b0, bs), hess.AsSpan(i * m2 + n + b0, bs));
                    }
                for (int i = 0; i < m2; i++)
                {
                    var row = hess.AsSpan(i * m2, m2);
                    TensorPrimitives.MultiplyAdd(v, b * v[i], row, row);
                }
            }
            for (int i = 0; i < m2; i++) dx[i] = -grad[i];
            if (!ComplexDense.SolveSpd(hess, m2, dx)) return double.NaN;
            return -FixedOrderDot.Dot(grad, dx);
        }

        // Warm start: begin at the given t, lowered ×10 until the start is close to that t's central point (Newton
        // decrement λ²/2 ≤ 1 per constraint: the damped phase then needs few steps; a start far from the central path
        // at a large t would need many).
        if (o.InitialBarrier > t0 && mc > 0)
        {
            tt = o.InitialBarrier;
            while (tt > t0)
            {
                double d0 = Direction(tt);
                if (double.IsFinite(d0) && d0 / 2 <= mc) break;
                tt /= 10;
            }
            tt = Math.Max(tt, t0);
        }
        for (int outer = 0; outer < 200; outer++)
        {
            for (int it = 0; it < o.MaxNewtonPerCentring; it++)
            {
                double dec = Direction(tt);
                if (!double.IsFinite(dec)) { stalled = true; break; }
                steps++;
                if (dec / 2 <= 1e-10) break;
                MatVec(gEmb, m2, dx, gd);
                double dGd = FixedOrderDot.Dot(dx, gd), lin = 0;
                for (int i = 0; i < m2; i++) lin += dx[i] * (gx[i] - g[i]);
                StackedProduct(stack, mc, m2, dx, ed, bs);
                for (int c = 0; c < mc; c++)
                {
                    dEx[c] = FixedOrderDot.Dot(dx, ex.AsSpan(c * m2, m2));
                    dEd[c] = FixedOrderDot.Dot(dx, ed.AsSpan(c * m2, m2));
                }
                double step = 1;
                bool accepted = false;
                while (step > 1e-12)
                {
                    double change = tt * scale * (2 * step * lin + step * step * dGd);
                    for (int c = 0; c < mc && double.IsFinite(change); c++)
                    {
                        double si = s[c] - 2 * step * dEx[c] - step * step * dEd[c];
                        change = si > 0 ? change - Math.Log(si / s[c]) : double.PositiveInfinity;
                    }
                    if (change <= -0.25 * step * dec)
                    {
                        for (int i = 0; i < m2; i++) xt[i] = x[i] + step * dx[i];
                        StackedProduct(stack, mc, m2, xt, exT, bs);
                        if (Slacks(exT, xt, mc, m2, sT)) { accepted = true; break; }
                    }
                    step *= 0.5;
                }
                if (!accepted)
                {
                    // No decrease found: rounding at the optimum (tiny decrement) or a bad start (large decrement).
                    if (dec / 2 > 1e-6) stalled = true;
                    break;
                }
                Array.Copy(xt, x, m2);
                (ex, exT) = (exT, ex);
                (s, sT) = (sT, s);
            }
            if (mc == 0) break;
            if (mc / tt <= o.GapTolerance) break;
            tt *= o.BarrierGrowth;
        }
        for (int c = 0; c < mc; c++) multipliers[c] = 1 / (tt * scale * s[c]);
        tFinal = tt;
        // Duality-gap certificate with the barrier multipliers μ: the Lagrange dual value is
        // ‖y‖² − gᵀ(G + Σ μ_c E_c)⁻¹g − Σ μ_c (G, E_c, g of the real embedding); a gap above the tolerance marks the solve
        // as not converged (the caller then re-solves cold).
        if (mc > 0)
        {
            var hd = new double[mm];
            Array.Copy(gEmb, hd, mm);
            double sumMu = 0;
            for (int c = 0; c < mc; c++) { TensorPrimitives.MultiplyAdd(stack.AsSpan(c * mm, mm), multipliers[c], hd, hd); sumMu += multipliers[c]; }
            var z = g.ToArray();
            MatVec(gEmb, m2, x, gx);
            double primal = FixedOrderDot.Dot(x, gx) - 2 * FixedOrderDot.Dot(g, x) + yNorm2;
            if (ComplexDense.SolveSpd(hd, m2, z))
            {
                double dual = yNorm2 - FixedOrderDot.Dot(g, z) - sumMu;
                if (!(primal - dual <= 10 * o.GapTolerance * Math.Max(yNorm2, 1e-300))) stalled = true;
            }
        }
        return steps;
    }

    // r[c·m2 + i] = (E_c x)_i for the stacked E; with diagonal blocks of bs complex variables (bs < n) only the row's
    // own block columns [b, b + bs) and [n + b, n + b + bs) are nonzero.
    private static void StackedProduct(double[] stack, int mc, int m2, ReadOnlySpan<double> x, double[] r, int bs)
    {
        int n = m2 / 2;
        if (bs == n)
        {
            for (int row = 0; row < mc * m2; row++) r[row] = FixedOrderDot.Dot(stack.AsSpan(row * m2, m2), x);
            return;
        }
        for (int row = 0; row < mc * m2; row++)
        {
            int i = row % m2, b = (i % n) / bs * bs, o = row * m2;
            r[row] = FixedOrderDot.Dot(stack.AsSpan(o + b, bs), x.Slice(b, bs)) + FixedOrderDot.Dot(stack.AsSpan(o + n + b, bs), x.Slice(n + b, bs));
        }
    }

    // Complex block size of ShimQcqpOptions.DiagonalBlocks (n: dense); every stacked constraint must be zero outside the blocks.
    private static int BlockSize(int n, int blocks, double[] stack, int mc)
    {
        if (blocks <= 1) return n;
        if (n % blocks != 0) throw new ArgumentException($"DiagonalBlocks {blocks} does not divide {n} variables.");
        int bs = n / blocks, m2 = 2 * n;
        for (int c = 0; c < mc; c++)
            for (int i = 0; i < m2; i++)
            {
                int b = (i % n) / bs;
                for (int j = 0; j < m2; j++)
                    if ((j % n) / bs != b && stack[(c * m2 + i) * m2 + j] != 0)
                        throw new ArgumentException($"Constraint {c} is not block-diagonal with {blocks} blocks (entry {i}, {j}).");
            }
        return bs;
    }

    private static void MatVec(double[] mtx, int m2, ReadOnlySpan<double> x, double[] r)
    {
        for (int i = 0; i < m2; i++) r[i] = FixedOrderDot.Dot(mtx.AsSpan(i * m2, m2), x);
    }

    // s_c = 1 − xᵀE_cx from the stacked product; false when a slack is not positive (or not finite).
    private static bool Slacks(double[] ex, ReadOnlySpan<double> x, int mc, int m2, double[] s)
    {
        for (int c = 0; c < mc; c++)
        {
            s[c] = 1 - FixedOrderDot.Dot(x, ex.AsSpan(c * m2, m2));
            if (!(s[c] > 0)) return false;
        }
        return true;
    }
}

/// <summary>
/// State of <see cref="ShimQcqp"/> row generation carried between the inner solves of one variable-exchange start: the active
/// subset with each member's count of consecutive idle solves, the embedded matrices, and counters for tests and benchmarks.
/// </summary>
internal sealed class RowGenerationState
{
    /// <summary>Active subset: matrix index → consecutive solves with wᴴC_iw below the drop threshold.</summary>
    public Dictionary<int, int> Idle { get; } = new();
    /// <summary>Real embeddings of the matrices seen so far (kept when a matrix is dropped, for a cheap re-entry).</summary>
    public Dictionary<int, double[]> Embedded { get; } = new();
    /// <summary>wᴴC_iw of every matrix at the last screened solution (scratch, reused).</summary>
    public double[] Values { get; set; } = [];
    /// <summary>Full screens over every matrix.</summary>
    public int Screens { get; set; }
    /// <summary>Screens by the seminorm bound (only the matrices the bound cannot clear evaluated).</summary>
    public int BoundScreens { get; set; }
    /// <summary>Matrices evaluated exactly in bound screens.</summary>
    public long Evaluated { get; set; }
    /// <summary>Point of the last full screen (null: none yet).</summary>
    public Complex[]? Reference { get; set; }
    /// <summary>√(wᴴC_iw) at <see cref="Reference"/>.</summary>
    public double[] RootRef { get; set; } = [];
    /// <summary>√‖C_i‖_F (≥ √λ_max(C_i)), computed once.</summary>
    public double[] RootFrobenius { get; set; } = [];
    /// <summary>Matrices added after a screen.</summary>
    public int Added { get; set; }
    /// <summary>Matrices dropped as idle.</summary>
    public int Dropped { get; set; }
}
