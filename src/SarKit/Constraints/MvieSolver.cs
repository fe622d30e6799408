using System.Diagnostics;
using System.Numerics;
using SarKit.Compression;
using SarKit.Sar;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Constraints;

/// <summary>Options of <see cref="MvieSolver"/>.</summary>
public sealed record MvieOptions
{
    /// <summary>Stop when the barrier duality-gap bound m·N/t on log det A (m active constraints, N channels) is below this.</summary>
    public double GapTolerance { get; init; } = 1e-9;
    /// <summary>
    /// Explicit power constraint: the matrix floor·I (W/kg per drive unit²) is added as one more SAR matrix, i.e. A ⪰ floor·I,
    /// which bounds ‖x‖² ≤ limit/floor. Null: added automatically (floor = <see cref="AutoFloorFraction"/>·SAR_wc) only
    /// when the intersection is unbounded (λ_min(Σ Q_i) ≤ <see cref="UnboundedThreshold"/>·λ_max(Σ Q_i)).
    /// </summary>
    public double? PowerFloor { get; init; }
    /// <summary>Automatic floor as a fraction of SAR_wc = max_i λ_max(Q_i) (default 1e-2: at most 100× the worst-case-direction power).</summary>
    public double AutoFloorFraction { get; init; } = 1e-2;
    /// <summary>Relative λ_min of Σ Q_i below which the intersection counts as unbounded.</summary>
    public double UnboundedThreshold { get; init; } = 1e-9;
    /// <summary>Constraints with λ_max(A⁻¹Q_i) at or above this at a screening step enter the active set.</summary>
    public double NearActive { get; init; } = 0.9;
    /// <summary>At most this many constraints enter the active set per screening round (most violated first).</summary>
    public int MaxAddPerRound { get; init; } = 400;
    public int MaxRounds { get; init; } = 100;
    /// <summary>Barrier parameter growth per centering step.</summary>
    public double BarrierGrowth { get; init; } = 20;
    /// <summary>
    /// Worker threads (default <see cref="SarKitSettings.MaxDegreeOfParallelism"/> of <see cref="SarKitSettings.Default"/>).
    /// The result does not depend on it: the work is cut into a fixed number of chunks whose partial sums are added in
    /// chunk order.
    /// </summary>
    public int MaxDegreeOfParallelism { get; init; } = SarKitSettings.Default.MaxDegreeOfParallelism;
}

/// <summary>Result of <see cref="MvieSolver.Solve"/>: the single virtual SAR matrix A and its certificate.</summary>
public sealed class MvieResult
{
    public required int Channels { get; init; }
    /// <summary>A, packed (<see cref="HermitianPacking"/>), in the units of the Q-matrices (W/kg per drive unit²).</summary>
    public required double[] Packed { get; init; }
    /// <summary>log det A (natural log; A in the Q units).</summary>
    public required double LogDet { get; init; }
    /// <summary>Certificate max_i λ_max(A⁻¹Q_i) over every input matrix (≤ 1: xᴴAx ≥ xᴴQ_i x for all x, i).</summary>
    public required double CertificateMaxRatio { get; init; }
    /// <summary>Input matrix attaining <see cref="CertificateMaxRatio"/>.</summary>
    public required int CertificateArgMax { get; init; }
    /// <summary>Independent check: matrices for which the Cholesky factorisation of A − Q_i + τI failed (τ = 1e-12·λ_max(A)); 0 when passed.</summary>
    public required long DominanceFailures { get; init; }
    public bool CertificatePassed => CertificateMaxRatio <= 1 && DominanceFailures == 0;
    /// <summary>Factor A was multiplied by after the solve so that the certificate holds exactly (1 when none was needed).</summary>
    public required double CertificateScale { get; init; }
    /// <summary>Number of input matrices.</summary>
    public required int Count { get; init; }
    /// <summary>SAR_wc = max_i λ_max(Q_i).</summary>
    public required double SarWorstCase { get; init; }
    /// <summary>λ_min(Σ Q_i)/λ_max(Σ Q_i): near 0 means the intersection of the SAR ellipsoids is unbounded.</summary>
    public required double SumConditionInverse { get; init; }
    /// <summary>True when the intersection was judged unbounded (see <see cref="MvieOptions.UnboundedThreshold"/>).</summary>
    public required bool Unbounded { get; init; }
    /// <summary>Power floor used (A ⪰ floor·I), W/kg per unit²; 0 when none.</summary>
    public required double PowerFloor { get; init; }
    /// <summary>Human-readable statement of the regularisation (for reports and file attributes).</summary>
    public required string Regularisation { get; init; }
    /// <summary>Constraints with λ_max(A⁻¹Q_i) ≥ 1 − 1e-6 (contact points of the ellipsoid).</summary>
    public required int ContactCount { get; init; }
    public required int Rounds { get; init; }
    public required int NewtonSteps { get; init; }
    public required int ActiveSetSize { get; init; }
    /// <summary>Full evaluations λ_max(PQ_i) during screening (the rest were skipped by bounds).</summary>
    public required long FullEvaluations { get; init; }
    public required double ElapsedSeconds { get; init; }
    public required string Method { get; init; }
    /// <summary>Wall time per phase (s): eigenvalues + setup, initial active set, barrier, screening, certificate.</summary>
    public required IReadOnlyDictionary<string, double> PhaseSeconds { get; init; }
}

/// <summary>
/// Maximum-volume inscribed ellipsoid (MVIE) of the intersection of the SAR ellipsoids {x : xᴴQ_i x ≤ s}
/// (Gebhardt et al.-style single virtual SAR constraint; seed: "the single MVIE SAR constraint", Concepts Magn Reson A 2019,
/// doi 10.1155/2019/7369845): A with A ⪰ Q_i ∀i and minimal log det A. Solved in the concave form
/// max log det P s.t. L_iᴴ P L_i ⪯ I (P = A⁻¹, Q_i = L_i L_iᴴ) by a log-barrier interior-point method (Boyd &amp; Vandenberghe
/// §11.3) with damped Newton steps on the N² real parameters of the complex Hermitian P, restricted to an active set that is
/// grown by screening every matrix with the current iterate (the seed's "external active constraint selection"; skipped
/// matrices are bounded by λ_max(P'Q) ≤ λ_max(P⁻¹P')·λ_max(PQ) and by tr(P'Q)). The optimum on the active set is optimal
/// for all matrices once no other matrix is violated. The returned A is scaled up if needed so that the certificate
/// max_i λ_max(A⁻¹Q_i) ≤ 1 holds for every input (conservative).
/// </summary>
public static class MvieSolver
{
    private const double CholeskyShift = 1e-12;

    /// <summary>Solves the MVIE for <paramref name="packed"/> (count·N² doubles, Hermitian PSD, <see cref="HermitianPacking"/>).</summary>
    public static MvieResult Solve(ReadOnlySpan<double> packed, int n, MvieOptions? options = null, IProgress<double>? progress = null)
    {
        var o = options ?? new MvieOptions();
        var sw = Stopwatch.StartNew();
        if (n < 1) throw new SarKitInputException($"MVIE: channel count {n}; expected ≥ 1.");
        // the barrier loop multiplies t until m·N/t < tolerance: a NaN, zero or denormal tolerance would never stop it
        if (!(o.GapTolerance >= 1e-15 && o.GapTolerance <= 1)) throw new SarKitInputException($"MVIE: gap tolerance {o.GapTolerance}; expected a finite value in [1e-15, 1].");
        if (o.PowerFloor is { } floorIn && !(double.IsFinite(floorIn) && floorIn > 0)) throw new SarKitInputException($"MVIE: power floor {floorIn}; expected a finite value > 0.");
        if (!(o.BarrierGrowth > 1 && double.IsFinite(o.BarrierGrowth))) throw new SarKitInputException($"MVIE: barrier growth {o.BarrierGrowth}; expected a finite value > 1.");
        if (o.MaxDegreeOfParallelism < 1) throw new SarKitInputException($"MVIE: MaxDegreeOfParallelism = {o.MaxDegreeOfParallelism}; expected ≥ 1.");
        int n2 = n * n;
        if (packed.Length == 0 || packed.Length % n2 != 0) throw new SarKitInputException($"MVIE: {packed.Length} packed doubles is not a positive multiple of N² = {n2}.");
        int count = packed.Length / n2;
        var q = packed.ToArray();
        var lam = new double[count];
        HermitianKernels.LargestEigenvalues(q, n, lam);
        double sarWc = 0; for (int i = 0; i < count; i++) { if (!double.IsFinite(lam[i])) throw new SarKitInputException($"MVIE: matrix {i} has a non-finite entry."); sarWc = Math.Max(sarWc, lam[i]); }
        if (!(sarWc > 0)) throw new SarKitInputException("MVIE: all matrices are zero; no SAR constraint to reduce.");
        // unboundedness test on the mean matrix
        var sum = new double[n2];
        for (int i = 0; i < count; i++) for (int k = 0; k < n2; k++) sum[k] += q[i * n2 + k] / sarWc;
        var ev = new double[n];
        HermitianKernels.Eigenvalues(sum, n, ev);
        double condInv = ev[n - 1] > 0 ? Math.Max(0, ev[0]) / ev[n - 1] : 0;
        bool unbounded = condInv <= o.UnboundedThreshold;
        double floorRel; string reg;
        if (o.PowerFloor is { } pf)
        {
            if (!(pf > 0) || !double.IsFinite(pf)) throw new SarKitInputException($"MVIE: power floor {pf}; expected a finite value > 0.");
            floorRel = pf / sarWc;
            reg = $"explicit power constraint A ⪰ {pf:G6}·I (user floor{(unbounded ? "; the intersection is unbounded without it" : "")})";
        }
        else if (unbounded)
        {
            floorRel = o.AutoFloorFraction;
            reg = $"intersection unbounded (λ_min/λ_max of Σ Q_i = {condInv:G3}); explicit power constraint A ⪰ {floorRel * sarWc:G6}·I added ({o.AutoFloorFraction:G3}·SAR_wc)";
        }
        else
        {
            floorRel = 0;
            reg = "none (bounded intersection)";
        }

        double tSetup = sw.Elapsed.TotalSeconds;
        var solver = new Engine(q, n, count, sarWc, lam, floorRel, o);
        solver.Run(progress);
        double tSolve = sw.Elapsed.TotalSeconds;

        // A = P⁻¹ in Q units, then the certificate over every matrix
        var pFull = new Complex[n2]; ComplexDense.Unpack(solver.P, n, pFull);
        var lp = new Complex[n2];
        if (!ComplexDense.Cholesky(pFull, n, lp)) throw new InvalidOperationException("MVIE: the final iterate is not positive definite.");
        var aFull = new Complex[n2]; ComplexDense.InverseFromCholesky(lp, n, aFull);
        for (int k = 0; k < n2; k++) aFull[k] *= sarWc;
        var aPacked = new double[n2]; ComplexDense.Pack(aFull, n, aPacked);
        if (floorRel > 0) // the floor is part of the problem: make sure A ⪰ floor·I numerically as well (conservative)
        {
            HermitianKernels.Eigenvalues(aPacked, n, ev);
            if (ev[0] < floorRel * sarWc) for (int i = 0; i < n; i++) aPacked[i] += floorRel * sarWc - ev[0];
        }
        var (kmax, arg) = Certificate(q, n, count, aPacked);
        double scale = 1;
        if (kmax > 1)
        {
            scale = kmax * (1 + 1e-12);
            for (int k = 0; k < n2; k++) aPacked[k] *= scale;
            (kmax, arg) = Certificate(q, n, count, aPacked);
        }
        double amax = HermitianKernels.LargestEigenvalue(aPacked, n);
        var dom = new bool[count];
        HermitianKernels.DominatesEach(aPacked, q, n, 1e-12 * amax, dom);
        long fails = 0; foreach (var d in dom) if (!d) fails++;
        var aF = new Complex[n2]; ComplexDense.Unpack(aPacked, n, aF);
        var la = new Complex[n2];
        if (!ComplexDense.Cholesky(aF, n, la)) throw new InvalidOperationException("MVIE: A is not positive definite.");
        double logDet = 2 * ComplexDense.LogDiag(la, n);
        int contacts = solver.CountContacts(aPacked);
        return new MvieResult
        {
            Channels = n, Packed = aPacked, LogDet = logDet, CertificateMaxRatio = kmax, CertificateArgMax = arg, DominanceFailures = fails,
            CertificateScale = scale, Count = count, SarWorstCase = sarWc, SumConditionInverse = condInv, Unbounded = unbounded,
            PowerFloor = floorRel * sarWc, Regularisation = reg, ContactCount = contacts, Rounds = solver.Rounds, NewtonSteps = solver.NewtonSteps,
            ActiveSetSize = solver.ActiveCount, FullEvaluations = solver.FullEvaluations, ElapsedSeconds = sw.Elapsed.TotalSeconds,
            PhaseSeconds = new Dictionary<string, double>
            {
                ["setup"] = tSetup, ["initial_active_set"] = solver.InitSeconds, ["barrier"] = solver.BarrierSeconds,
                ["screening"] = solver.ScreenSeconds, ["certificate"] = sw.Elapsed.TotalSeconds - tSolve,
            },
            Method = "log-barrier interior point (damped Newton on complex Hermitian P = A⁻¹) with screened active set",
        };
    }

    /// <summary>max_i λ_max(A⁻¹Q_i) and its index, every matrix evaluated (A packed, Q units).</summary>
    public static (double Max, int Index) Certificate(ReadOnlySpan<double> qPacked, int n, int count, ReadOnlySpan<double> aPacked)
        => Certificate(qPacked.ToArray(), n, count, aPacked);

    private static (double Max, int Index) Certificate(double[] qPacked, int n, int count, ReadOnlySpan<double> aPacked)
    {
        int n2 = n * n;
        var aF = new Complex[n2]; ComplexDense.Unpack(aPacked, n, aF);
        var la = new Complex[n2];
        if (!ComplexDense.Cholesky(aF, n, la)) return (double.PositiveInfinity, -1);
        var pinv = new Complex[n2]; ComplexDense.InverseFromCholesky(la, n, pinv);
        var c = new Complex[n2];
        if (!ComplexDense.Cholesky(pinv, n, c)) return (double.PositiveInfinity, -1);
        var kap = new double[count];
        int dop = SarKitSettings.Default.MaxDegreeOfParallelism;
        var select = count >= 4 * CertificateSeed ? PrunedSelection(qPacked, n, count, aPacked, pinv, c, kap, dop) : null;
        EvaluateAll(qPacked, n, c, 1.0, kap, select, dop);
        double best = double.NegativeInfinity; int at = -1;
        for (int i = 0; i < count; i++) if ((select is null || select[i]) && kap[i] > best) { best = kap[i]; at = i; }
        return (best, at);
    }

    /// <summary>Matrices of largest trace bound evaluated first to seed the certificate's skip threshold.</summary>
    private const int CertificateSeed = 256;

    /// <summary>
    /// Which matrices the certificate must evaluate (issue 18): the others provably cannot reach the maximum, so max_i κ_i and
    /// its index are those of the full scan. κ_i = λ_max(M_i), M_i = cᴴQ_ic with ccᴴ = A⁻¹, is bounded for any Hermitian Q_i by
    /// λ_max(M) ≤ tr(M) − (n−1)·λ_min(M), with tr(M_i) = tr(Q_i A⁻¹) (one dot product of packed arrays) and
    /// λ_min(M_i) ≥ −(τ_i + ε_i)·λ_max(A⁻¹) when the Cholesky factorisation of Q_i + τ_i·I succeeds (τ_i = 1e-10·tr Q_i;
    /// ε_i = 1e-12·tr Q_i covers the factorisation's backward error); a matrix that fails it, or has tr Q_i ≤ 0, is always
    /// evaluated. The computed trace gets 1e-12·Σ|terms| for its rounding. The 256 matrices of largest trace are evaluated
    /// first (their maximum M₀, written into <paramref name="kap"/>); a matrix is skipped when its bound is below
    /// M₀·(1 − 1e-9), far more than the rounding of a computed κ (≈ 1e-14 relative). Cost per skipped matrix: a dot product
    /// and an n×n Cholesky instead of the congruence and an eigenvalue problem.
    /// </summary>
    private static bool[] PrunedSelection(double[] q, int n, int count, ReadOnlySpan<double> aPacked, Complex[] aInv, Complex[] c, double[] kap, int dop)
    {
        int n2 = n * n;
        var pinvPacked = new double[n2]; ComplexDense.Pack(aInv, n, pinvPacked);
        var w = new double[n2];
        for (int i = 0; i < n; i++) w[i] = pinvPacked[i];
        for (int k = n; k < n2; k++) w[k] = 2 * pinvPacked[k];   // tr(QP) = Σ Q_ii P_ii + 2 Σ_{i<j} Re(Q_ij conj(P_ij))
        var ev = new double[n];
        HermitianKernels.Eigenvalues(aPacked, n, ev);
        double aInvMax = ev[0] > 0 ? 1 / ev[0] * (1 + 1e-6) : double.PositiveInfinity;
        var bound = new double[count];
        Parallel.For(0, (count + 1023) / 1024, new ParallelOptions { MaxDegreeOfParallelism = dop }, ch =>
        {
            int end = Math.Min(count, (ch + 1) * 1024);
            for (int i = ch * 1024; i < end; i++)
            {
                var qi = q.AsSpan(i * n2, n2);
                double t = 0, abs = 0, trq = 0;
                for (int k = 0; k < n2; k++) { double x = qi[k] * w[k]; t += x; abs += Math.Abs(x); }
                for (int d = 0; d < n; d++) trq += qi[d];
                double tau = 1e-10 * trq;
                bound[i] = trq > 0 && double.IsFinite(t + abs) && HermitianKernels.IsPositiveSemidefinite(qi, n, tau)
                    ? t + 1e-12 * abs + (n - 1) * (tau + 1e-12 * trq) * aInvMax
                    : double.PositiveInfinity;
            }
        });
        // seed: the matrices of largest bound
        var sorted = (double[])bound.Clone();
        Array.Sort(sorted);
        double seedThreshold = sorted[count - CertificateSeed];
        var seed = new bool[count];
        for (int i = 0; i < count; i++) seed[i] = bound[i] >= seedThreshold;
        EvaluateAll(q, n, c, 1.0, kap, seed, dop);
        double m0 = double.NegativeInfinity;
        for (int i = 0; i < count; i++) if (seed[i]) m0 = Math.Max(m0, kap[i]);
        double skipBelow = m0 > 0 ? m0 * (1 - 1e-9) : double.NegativeInfinity;
        var select = new bool[count];
        for (int i = 0; i < count; i++) select[i] = !(bound[i] < skipBelow);
        return select;
    }

    /// <summary>κ_i = λ_max(cᴴ (Q_i·scale) c) for every i (or where <paramref name="select"/> is true); c lower triangular.</summary>
    /// <remarks>Takes the packed set as an array: the former span parameter was copied to an array on every call (8·K·N² bytes per screening round and certificate; issue 18).</remarks>
    internal static void EvaluateAll(double[] qArr, int n, Complex[] c, double qScale, double[] kappa, bool[]? select, int maxDegreeOfParallelism)
    {
        int n2 = n * n, count = kappa.Length;
        int chunk = Math.Max(64, 8192 / n2);
        int chunks = (count + chunk - 1) / chunk;
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism }, () => (new Complex[n2], new Complex[n2], new Complex[n2], new double[n2], new HermitianWorkspace(n)), (ch, _, st) =>
        {
            var (qf, tmp, x, tp, ws) = st;
            int end = Math.Min(count, (ch + 1) * chunk);
            for (int i = ch * chunk; i < end; i++)
            {
                if (select is not null && !select[i]) continue;
                ComplexDense.Unpack(qArr.AsSpan(i * n2, n2), n, qf);
                ComplexDense.CongruenceLh(qf, c, n, x, tmp);
                ComplexDense.Pack(x, n, tp);
                kappa[i] = qScale * (n == 1 ? tp[0] : HermitianKernels.LargestEigenvalue(tp, n, ws));
            }
            return st;
        }, _ => { });
    }

    /// <summary>The barrier/active-set engine (matrices scaled by 1/SAR_wc).</summary>
    private sealed class Engine
    {
        private readonly double[] _q; private readonly int _n, _n2, _count; private readonly double _inv; private readonly double _floor;
        private readonly MvieOptions _o;
        private readonly double[] _lam; // λ_max(Q_i)/SAR_wc
        private readonly List<int> _active = new();
        private readonly List<Complex[]> _factors = new();
        private readonly bool[] _inSet;
        private readonly double[] _bound; // upper bounds of λ_max(P Q_i) at the last screening iterate
        private double[] _pPrev;
        private readonly int[] _kind, _ka, _kb, _off;
        public double[] P;
        public int Rounds, NewtonSteps; public long FullEvaluations;
        public double InitSeconds, BarrierSeconds, ScreenSeconds;
        public int ActiveCount => _active.Count;
        /// <summary>Chunks of the active set in <see cref="Evaluate"/> (fixed, so the summation order does not depend on the machine).</summary>
        private const int EvaluateChunks = 8;
        private readonly double[]?[] _partGrad = new double[EvaluateChunks][], _partHess = new double[EvaluateChunks][];
        private ParallelOptions ParallelOpts() => new() { MaxDegreeOfParallelism = _o.MaxDegreeOfParallelism };


        public Engine(double[] q, int n, int count, double sarWc, double[] lam, double floorRel, MvieOptions o)
        {
            _q = q; _n = n; _n2 = n * n; _count = count; _inv = 1 / sarWc; _floor = floorRel; _o = o;
            _lam = new double[count]; for (int i = 0; i < count; i++) _lam[i] = lam[i] * _inv;
            _inSet = new bool[count]; _bound = new double[count];
            _kind = new int[_n2]; _ka = new int[_n2]; _kb = new int[_n2];
            for (int i = 0; i < n; i++) { _kind[i] = 0; _ka[i] = i; _kb[i] = i; }
            int p = n;
            for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) { _kind[p] = 1; _ka[p] = i; _kb[p] = j; p++; _kind[p] = 2; _ka[p] = i; _kb[p] = j; p++; }
            _off = new int[_n2];
            for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) _off[i * n + j] = HermitianPacking.OffDiagonalOffset(n, i, j);
            double p0 = 1 / (Math.Max(1, floorRel) * 1.001);
            P = new double[_n2]; for (int i = 0; i < n; i++) P[i] = p0;
            _pPrev = (double[])P.Clone();
            for (int i = 0; i < count; i++) _bound[i] = _lam[i] * p0;
        }

        private void Add(int i)
        {
            if (_inSet[i]) return;
            _inSet[i] = true; _active.Add(i);
            var qf = new Complex[_n2]; ComplexDense.Unpack(_q.AsSpan(i * _n2, _n2), _n, qf);
            double shift = CholeskyShift * Math.Max(_lam[i], 1e-300) + 1e-300;
            for (int k = 0; k < _n2; k++) qf[k] *= _inv;
            var l = new Complex[_n2];
            for (double s = shift; ; s *= 10)
            {
                for (int d = 0; d < _n; d++) qf[d * _n + d] += s;
                if (ComplexDense.Cholesky(qf, _n, l)) break;
                if (s > 1e-3) throw new SarKitInputException($"MVIE: matrix {i} is not positive semidefinite (Cholesky of Q_{i}/SAR_wc + {s:G2}·I failed); SAR matrices must be Hermitian PSD.");
            }
            _factors.Add(l);
        }

        private void InitialActiveSet()
        {
            int n = _n, n2 = _n2;
            // the largest matrices …
            var order = Enumerable.Range(0, _count).OrderByDescending(i => _lam[i]).Take(Math.Min(_count, Math.Max(2 * n2, 32))).ToArray();
            foreach (var i in order) Add(i);
            // … and the matrix with the largest SAR along each probe direction (e_a, (e_a ± e_b)/√2, (e_a ± i e_b)/√2)
            var dirs = new List<double[]>();
            for (int a = 0; a < n; a++) { var x = new Complex[n]; x[a] = 1; dirs.Add(HermitianPacking.DriveWeights(x)); }
            double r = Math.Sqrt(0.5);
            for (int a = 0; a < n; a++)
                for (int b = a + 1; b < n; b++)
                    foreach (var ph in new[] { new Complex(1, 0), new Complex(-1, 0), new Complex(0, 1), new Complex(0, -1) })
                    { var x = new Complex[n]; x[a] = r; x[b] = r * ph; dirs.Add(HermitianPacking.DriveWeights(x)); }
            int nd = dirs.Count;
            var best = new double[nd]; var arg = new int[nd];
            Array.Fill(best, double.NegativeInfinity);
            var lockObj = new object();
            Parallel.For(0, (_count + 4095) / 4096, ParallelOpts(), () => (new double[nd], new int[nd]), (ch, _, st) =>
            {
                var (bv, ba) = st;
                if (bv[0] == 0 && ba[0] == 0) Array.Fill(bv, double.NegativeInfinity);
                int end = Math.Min(_count, (ch + 1) * 4096);
                for (int i = ch * 4096; i < end; i++)
                {
                    var qi = _q.AsSpan(i * n2, n2);
                    for (int d = 0; d < nd; d++) { double s = HermitianPacking.QuadraticForm(qi, dirs[d]); if (s > bv[d]) { bv[d] = s; ba[d] = i; } }
                }
                return st;
            }, st => { lock (lockObj) for (int d = 0; d < nd; d++) if (st.Item1[d] > best[d]) { best[d] = st.Item1[d]; arg[d] = st.Item2[d]; } });
            foreach (var i in arg) Add(i);
        }

        public void Run(IProgress<double>? progress)
        {
            var sw = Stopwatch.StartNew();
            InitialActiveSet();
            InitSeconds = sw.Elapsed.TotalSeconds;
            for (Rounds = 1; Rounds <= _o.MaxRounds; Rounds++)
            {
                double t0 = sw.Elapsed.TotalSeconds;
                Barrier();
                double t1 = sw.Elapsed.TotalSeconds;
                int added = Screen(out double kmax);
                BarrierSeconds += t1 - t0; ScreenSeconds += sw.Elapsed.TotalSeconds - t1;
                progress?.Report(Math.Min(0.99, Rounds / 20.0));
                if (added == 0) return;
                // scale P back into the feasible region of every constraint (strictly)
                double f = 1 / (Math.Max(1, kmax) * (1 + 1e-3));
                for (int k = 0; k < _n2; k++) P[k] *= f;
                for (int i = 0; i < _count; i++) _bound[i] *= f;
            }
            throw new InvalidOperationException($"MVIE: no convergence after {_o.MaxRounds} active-set rounds ({_active.Count} active constraints).");
        }

        /// <summary>Updates bounds, evaluates the matrices that may be near-active, adds violators; returns how many entered.</summary>
        private int Screen(out double kmax)
        {
            int n = _n, n2 = _n2;
            var pf = new Complex[n2]; ComplexDense.Unpack(P, n, pf);
            var c = new Complex[n2];
            if (!ComplexDense.Cholesky(pf, n, c)) throw new InvalidOperationException("MVIE: iterate lost positive definiteness.");
            // μ = λ_max(P_prev⁻¹ P): P_prev = C_p C_pᴴ → λ_max(C_p⁻¹ P C_p⁻ᴴ) = λ_max(P^{1/2}… ) via the congruence with the inverse factor
            var pp = new Complex[n2]; ComplexDense.Unpack(_pPrev, n, pp);
            var cp = new Complex[n2]; ComplexDense.Cholesky(pp, n, cp);
            var ppInv = new Complex[n2]; ComplexDense.InverseFromCholesky(cp, n, ppInv);
            // λ(P_prev⁻¹ P) = λ(cᴴ P_prev⁻¹ c)
            var x = new Complex[n2]; var tmp = new Complex[n2]; ComplexDense.CongruenceLh(ppInv, c, n, x, tmp);
            var xp = new double[n2]; ComplexDense.Pack(x, n, xp);
            double mu = HermitianKernels.LargestEigenvalue(xp, n) * (1 + 1e-9);
            // trace weights: tr(P Q̃) = Σ P_kk Q_kk + 2 Σ Re(P_ij conj(Q_ij))
            var w = new double[n2];
            for (int i = 0; i < n; i++) w[i] = P[i] * _inv;
            for (int k = n; k < n2; k++) w[k] = 2 * P[k] * _inv;
            var select = new bool[_count];
            double thr = _o.NearActive;
            long evals = 0;
            Parallel.For(0, _count, ParallelOpts(), () => 0L, (i, _, acc) =>
            {
                double b = Math.Min(_bound[i] * mu, HermitianPacking.QuadraticForm(_q.AsSpan(i * n2, n2), w) * (1 + 1e-12));
                _bound[i] = b;
                if (b >= thr || _inSet[i]) { select[i] = true; acc++; }
                return acc;
            }, acc => Interlocked.Add(ref evals, acc));
            var kap = new double[_count];
            EvaluateAll(_q, n, c, _inv, kap, select, _o.MaxDegreeOfParallelism);
            FullEvaluations += evals;
            kmax = 0;
            var cand = new List<int>();
            for (int i = 0; i < _count; i++)
            {
                if (!select[i]) continue;
                _bound[i] = kap[i] * (1 + 1e-12);
                kmax = Math.Max(kmax, kap[i]);
                if (!_inSet[i] && kap[i] >= thr) cand.Add(i);
            }
            _pPrev = (double[])P.Clone();
            bool anyViolation = false;
            foreach (var i in cand) if (kap[i] > 1 + 1e-9) { anyViolation = true; break; }
            if (!anyViolation) return 0;
            cand.Sort((a, b) => kap[b].CompareTo(kap[a]));
            int added = 0;
            foreach (var i in cand) { if (added >= _o.MaxAddPerRound) break; Add(i); added++; }
            return added;
        }

        public int CountContacts(double[] aPacked)
        {
            var aF = new Complex[_n2]; ComplexDense.Unpack(aPacked, _n, aF);
            var la = new Complex[_n2]; ComplexDense.Cholesky(aF, _n, la);
            var pinv = new Complex[_n2]; ComplexDense.InverseFromCholesky(la, _n, pinv);
            var c = new Complex[_n2]; ComplexDense.Cholesky(pinv, _n, c);
            var sel = new bool[_count];
            // contact candidates: the active set (others were below NearActive at the last screening)
            foreach (var i in _active) sel[i] = true;
            var kap = new double[_count];
            EvaluateAll(_q, _n, c, 1.0, kap, sel, _o.MaxDegreeOfParallelism);
            int m = 0; foreach (var i in _active) if (kap[i] >= 1 - 1e-6) m++;
            return m;
        }

        // ---------------- barrier ----------------

        private void Barrier()
        {
            int m2 = _n2;
            int mEff = _active.Count + (_floor > 0 ? 1 : 0);
            var grad = new double[m2]; var hess = new double[m2 * m2]; var dir = new double[m2];
            var trial = new double[m2];
            for (double t = 1; ; t *= _o.BarrierGrowth)
            {
                for (int it = 0; it < 200; it++)
                {
                    if (!Evaluate(P, t, grad, hess, out double f)) throw new InvalidOperationException("MVIE: barrier iterate infeasible.");
                    for (int k = 0; k < m2; k++) dir[k] = -grad[k];
                    if (!ComplexDense.SolveSpd(hess, m2, dir)) break;
                    double dec = 0; for (int k = 0; k < m2; k++) dec -= grad[k] * dir[k];
                    NewtonSteps++;
                    if (dec <= 1e-9 || dec <= 1e-3 * _o.GapTolerance * t) break;
                    double alpha = 1; bool ok = false;
                    for (int ls = 0; ls < 60; ls++)
                    {
                        for (int k = 0; k < m2; k++) trial[k] = P[k] + alpha * dir[k];
                        if (Evaluate(trial, t, null, null, out double ft) && ft <= f - 0.01 * alpha * dec) { ok = true; break; }
                        alpha *= 0.5;
                    }
                    if (!ok) break; // no decrease within rounding: centred as far as double precision allows
                    Array.Copy(trial, P, m2);
                }
                if (mEff * (double)_n / t < _o.GapTolerance) break;
            }
        }

        /// <summary>F = −t log det P − Σ log det(I − L_iᴴ P L_i) [− log det(I − floor·P)], with gradient and Hessian in the packed parameters.</summary>
        private bool Evaluate(double[] p, double t, double[]? grad, double[]? hess, out double f)
        {
            int n = _n, n2 = _n2;
            f = double.PositiveInfinity;
            var pf = new Complex[n2]; ComplexDense.Unpack(p, n, pf);
            var lp = new Complex[n2];
            if (!ComplexDense.Cholesky(pf, n, lp)) return false;
            double fv = -t * 2 * ComplexDense.LogDiag(lp, n);
            bool derivs = grad is not null;
            if (derivs) { Array.Clear(grad!); Array.Clear(hess!); }
            if (derivs)
            {
                var pinv = new Complex[n2]; ComplexDense.InverseFromCholesky(lp, n, pinv);
                AddDerivatives(pinv, -t, grad!, hess!, hessWeight: t);
            }
            if (_floor > 0)
            {
                // I − floor·P ≻ 0
                var s = new Complex[n2];
                for (int k = 0; k < n2; k++) s[k] = -_floor * pf[k];
                for (int d = 0; d < n; d++) s[d * n + d] += 1;
                var cs = new Complex[n2];
                if (!ComplexDense.Cholesky(s, n, cs)) return false;
                fv -= 2 * ComplexDense.LogDiag(cs, n);
                if (derivs)
                {
                    // H = floor·(I − floor P)⁻¹
                    var si = new Complex[n2]; ComplexDense.InverseFromCholesky(cs, n, si);
                    for (int k = 0; k < n2; k++) si[k] *= _floor;
                    AddDerivatives(si, 1, grad!, hess!, 1);
                }
            }
            int m = _active.Count;
            // a fixed number of chunks (independent of the thread count), partial sums added in chunk order: the value,
            // gradient and Hessian are the same bits on every machine and for every MaxDegreeOfParallelism
            int nChunks = Math.Min(EvaluateChunks, Math.Max(1, m / 16));
            var partLog = new double[nChunks]; var partOk = new bool[nChunks];
            if (derivs) for (int ch = 0; ch < nChunks; ch++) { _partGrad[ch] ??= new double[n2]; _partHess[ch] ??= new double[n2 * n2]; }
            Parallel.For(0, nChunks, ParallelOpts(), chIdx =>
            {
                var x = new Complex[n2]; var tmp = new Complex[n2]; var c = new Complex[n2]; var w = new Complex[n2]; var h = new Complex[n2];
                double[]? g = null, hh = null;
                if (derivs) { g = _partGrad[chIdx]!; hh = _partHess[chIdx]!; Array.Clear(g); Array.Clear(hh); }
                double ls = 0; bool ok = true;
                int lo = (int)((long)m * chIdx / nChunks), hi = (int)((long)m * (chIdx + 1) / nChunks);
                for (int a = lo; a < hi && ok; a++)
                {
                    var l = _factors[a];
                    ComplexDense.CongruenceLh(pf, l, n, x, tmp);
                    for (int k = 0; k < n2; k++) x[k] = -x[k];
                    for (int d = 0; d < n; d++) x[d * n + d] += 1;
                    if (!ComplexDense.Cholesky(x, n, c)) { ok = false; break; }
                    ls += 2 * ComplexDense.LogDiag(c, n);
                    if (g is not null)
                    {
                        ComplexDense.RightSolveConjTranspose(l, c, n, w);
                        ComplexDense.OuterSelf(w, n, h);
                        AddDerivativesTo(h, 1, g, hh!, 1);
                    }
                }
                partLog[chIdx] = ls; partOk[chIdx] = ok;
            });
            bool feasible = true;
            double logSum = 0;
            for (int ch = 0; ch < nChunks; ch++)
            {
                if (!partOk[ch]) feasible = false;
                logSum += partLog[ch];
                if (derivs)
                {
                    var g = _partGrad[ch]!; var hh = _partHess[ch]!;
                    for (int k = 0; k < n2; k++) grad![k] += g[k];
                    for (int k = 0; k < hh.Length; k++) hess![k] += hh[k];
                }
            }
            if (!feasible) return false;
            f = fv - logSum;
            return double.IsFinite(f);
        }

        private void AddDerivatives(Complex[] h, double gWeight, double[] grad, double[] hess, double hessWeight)
            => AddDerivativesTo(h, gWeight, grad, hess, hessWeight);

        /// <summary>grad += gWeight·g(H), hess += hessWeight·T(H) with g_k(H) = tr(H B_k), T_kl(H) = tr(H B_k H B_l).</summary>
        private void AddDerivativesTo(Complex[] h, double gWeight, double[] grad, double[] hess, double hessWeight)
        {
            int n = _n, n2 = _n2;
            for (int i = 0; i < n; i++) grad[i] += gWeight * h[i * n + i].Real;
            int o = n;
            for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) { var z = h[i * n + j]; grad[o++] += gWeight * 2 * z.Real; grad[o++] += gWeight * 2 * z.Imaginary; }
            for (int k = 0; k < n2; k++)
            {
                int a = _ka[k], b = _kb[k], kind = _kind[k];
                int row = k * n2;
                // M = H B_k H; entries M_cd for c ≤ d
                for (int c = 0; c < n; c++)
                {
                    var hca = h[c * n + a]; var hcb = h[c * n + b];
                    hess[row + c] += hessWeight * kind switch
                    {
                        0 => (hca * h[a * n + c]).Real,
                        1 => (hca * h[b * n + c] + hcb * h[a * n + c]).Real,
                        _ => -(hca * h[b * n + c] - hcb * h[a * n + c]).Imaginary,
                    };
                    for (int d = c + 1; d < n; d++)
                    {
                        Complex mcd;
                        if (kind == 0) mcd = hca * h[a * n + d];
                        else if (kind == 1) mcd = hca * h[b * n + d] + hcb * h[a * n + d];
                        else { var z = hca * h[b * n + d] - hcb * h[a * n + d]; mcd = new Complex(-z.Imaginary, z.Real); }
                        int off = row + _off[c * n + d];
                        hess[off] += hessWeight * 2 * mcd.Real;
                        hess[off + 1] += hessWeight * 2 * mcd.Imaginary;
                    }
                }
            }
        }
    }
}
