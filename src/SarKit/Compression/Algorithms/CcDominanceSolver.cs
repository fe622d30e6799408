using System.Numerics;
using System.Numerics.Tensors;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Compression.Algorithms;

/// <summary>Outcome of a dominance test.</summary>
internal enum DominanceOutcome
{
    /// <summary>Proven dominated (CC: Cholesky of Σc_jV_j − Q succeeded).</summary>
    Dominated,
    /// <summary>Proven not dominated (a drive or a PSD W with tr(QW) &gt; max_j tr(V_jW)).</summary>
    NotDominated,
    /// <summary>Neither proven within the iteration budget or numerically borderline; callers treat it as not dominated (conservative).</summary>
    Undecided,
}

/// <summary>
/// Convex-combination (CC) dominance test of Lee et al. (MRM 2012): Q is dominated by {V_j} iff
/// f* = min_{c ∈ simplex} λ_max(Q − Σ_j c_j V_j) ≤ 0. By the minimax theorem f* = max over PSD W with tr W = 1 of
/// tr(QW) − max_j tr(V_jW), so every top eigenvector v of Q − Σc_jV_j gives a cut a − Σ_j c_j b_j with a = vᴴQv and
/// b_j = vᴴV_jv (the subgradient of λ_max is −b_j). This is a cutting-plane (Kelley) method on that game: the cuts
/// collected so far define a finite game solved exactly by <see cref="MatrixGameSolver"/> (restricted to a growing
/// support of VOP columns, double-oracle column generation), whose column strategy is the next c and whose row strategy
/// gives W = Σ x_k v_kv_kᴴ, a lower bound tr(QW) − max_j tr(V_jW) ≤ f* over ALL columns.
/// Exits early: dominated when λ_max(Q − P) &lt; 0 at some c and the Cholesky factorisation of P − Q (P = Σc_jV_j)
/// succeeds; not dominated when one cut has vᴴQv &gt; max_j vᴴV_jv (a drive the VOPs underestimate) or the lower bound is
/// positive. The last dominating c is kept as the warm start of the next call. One instance per thread; no allocation per
/// call once its buffers have grown.
/// </summary>
internal sealed class CcDominanceSolver
{
    private readonly int _n, _nn;
    private readonly HermitianWorkspace _ws;
    private readonly MatrixGameSolver _lp = new();
    private readonly Complex[] _v;
    private readonly double[] _w, _d;
    private double[] _xs = [], _cutA = [], _cutB = [], _payoff = [], _cS = [], _x = [], _g = [], _c = [];
    private int[] _support = [];
    private bool[] _inS = [];
    private int _stride;

    /// <summary>Σ c_j V_j of the last <see cref="DominanceOutcome.Dominated"/> result (packed).</summary>
    public double[] P { get; }
    /// <summary>Drive weights w(v) of the rank-1 witness of the last NotDominated result (when <see cref="HasRank1Witness"/>).</summary>
    public double[] Witness { get; }
    /// <summary>vᴴQv of the witness drive.</summary>
    public double WitnessQ { get; private set; }
    public bool HasRank1Witness { get; private set; }
    /// <summary>Combination c over the VOPs (first J entries) of the last dominated result; warm start of the next call.</summary>
    public ReadOnlySpan<double> C => _c;
    public int MaxIterations { get; set; } = 80;
    /// <summary>Most cuts kept in the restricted game; beyond it the cuts with zero or the smallest weight in the last game solution are dropped.</summary>
    public int CutCapacity { get; set; } = 48;
    /// <summary>Initial number of VOP columns in the restricted game when there are many VOPs.</summary>
    public int InitialSupport { get; set; } = 32;
    /// <summary>Statistics: eigen-evaluations and tests.</summary>
    public long Evaluations, Tests, UndecidedCount;

    public CcDominanceSolver(int n)
    {
        _n = n; _nn = n * n;
        _ws = new HermitianWorkspace(n);
        _v = new Complex[n]; _w = new double[_nn]; _d = new double[_nn];
        P = new double[_nn]; Witness = new double[_nn];
    }

    /// <summary>Forget the warm start (call when the VOP list is rebuilt).</summary>
    public void Reset() => Array.Clear(_c);

    private void Ensure(int j)
    {
        int rows = CutCapacity + 2;
        if (_stride < j || _cutA.Length < rows)
        {
            int stride = Math.Max(j, Math.Max(16, _stride * 2));
            _stride = stride;
            _cutA = new double[rows];
            _cutB = new double[rows * stride];
            _payoff = new double[rows * stride];
            _cS = new double[stride]; _x = new double[rows]; _xs = new double[rows]; _g = new double[stride];
            _support = new int[stride]; _inS = new bool[stride]; _best = new double[stride];
            var c = new double[stride];
            _c.AsSpan(0, Math.Min(_c.Length, stride)).CopyTo(c);
            _c = c;
        }
    }

    /// <summary>Tests Q (packed) against the first <paramref name="count"/> VOPs of <paramref name="vops"/>; <paramref name="scale"/> = SAR_wc sets the tolerances.</summary>
    public DominanceOutcome Test(ReadOnlySpan<double> q, ReadOnlySpan<double> vops, int count, double scale)
        => Run(q, vops, count, scale, minimize: false);

    /// <summary>
    /// Minimises λ_max(Q − Σc_jV_j) without stopping at a non-domination proof (stops when dominated, when the bounds meet,
    /// or after the iteration budget); the best c is in <see cref="BestC"/> and its value is returned.
    /// </summary>
    public double Minimize(ReadOnlySpan<double> q, ReadOnlySpan<double> vops, int count, double scale)
    {
        Run(q, vops, count, scale, minimize: true);
        return BestValue;
    }

    /// <summary>c (first J entries) with the smallest λ_max(Q − Σc_jV_j) seen by the last call, and that value.</summary>
    public ReadOnlySpan<double> BestC => _best;
    public double BestValue { get; private set; }
    private double[] _best = [];

    private DominanceOutcome Run(ReadOnlySpan<double> q, ReadOnlySpan<double> vops, int count, double scale, bool minimize)
    {
        Tests++;
        HasRank1Witness = false;
        if (count == 0) { HermitianKernels.LargestEigen(q, _n, _v, _ws); StoreWitness(q); return DominanceOutcome.NotDominated; }
        Ensure(count);
        double tolDom = 1e-13 * scale, tolProof = 1e-12 * scale;
        int m = 0;
        BestValue = double.PositiveInfinity;
        HermitianKernels.LargestEigen(q, _n, _v, _ws);
        Evaluations++;
        if (AddCut(q, vops, count, m++, tolProof) && !minimize) return DominanceOutcome.NotDominated;

        // restricted support: all VOPs when few, else the warm start's support plus the best columns of the first cut
        int ns = 0;
        Array.Clear(_inS, 0, count);
        if (count <= InitialSupport)
            for (int j = 0; j < count; j++) { _support[ns++] = j; _inS[j] = true; }
        else
        {
            for (int j = 0; j < count && ns < InitialSupport / 2; j++) if (_c[j] > 0) { _support[ns++] = j; _inS[j] = true; }
            var b0 = _cutB.AsSpan(0, count);
            while (ns < InitialSupport)
            {
                int best = -1; double bv = double.NegativeInfinity;
                for (int j = 0; j < count; j++) if (!_inS[j] && b0[j] > bv) { bv = b0[j]; best = j; }
                if (best < 0) break;
                _support[ns++] = best; _inS[best] = true;
            }
        }
        // starting c: the warm start restricted to the support, else the best single VOP of the first cut
        double mass = 0;
        for (int s = 0; s < ns; s++) { _cS[s] = _c[_support[s]]; mass += _cS[s]; }
        if (mass > 0) for (int s = 0; s < ns; s++) _cS[s] /= mass;
        else
        {
            int bs = 0;
            for (int s = 1; s < ns; s++) if (_cutB[_support[s]] > _cutB[_support[bs]]) bs = s;
            _cS.AsSpan(0, ns).Clear(); _cS[bs] = 1;
        }

        double upper = double.PositiveInfinity, lower = double.NegativeInfinity;
        for (int iter = 0; iter < MaxIterations; iter++)
        {
            // evaluate λ_max(Q − P) at the current c
            Array.Clear(P);
            for (int s = 0; s < ns; s++)
                if (_cS[s] > 0) TensorPrimitives.MultiplyAdd(vops.Slice(_support[s] * _nn, _nn), _cS[s], P, P);
            TensorPrimitives.Subtract(q, P, _d);
            double lambda = HermitianKernels.LargestEigen(_d, _n, _v, _ws);
            Evaluations++;
            if (lambda < upper)
            {
                upper = lambda; BestValue = lambda;
                _best.AsSpan(0, count).Clear();
                for (int s = 0; s < ns; s++) _best[_support[s]] = _cS[s];
            }
            if (lambda <= -tolDom && HermitianKernels.Dominates(P, q, _n, 0, _ws))
            {
                _c.AsSpan(0, count).Clear();
                for (int s = 0; s < ns; s++) _c[_support[s]] = _cS[s];
                return DominanceOutcome.Dominated;
            }
            if (m >= CutCapacity) m = PruneCuts(m, count);
            if (AddCut(q, vops, count, m++, tolProof) && !minimize) return DominanceOutcome.NotDominated;

            // restricted game over (cuts × support), with column generation over all VOPs
            for (int inner = 0; inner < 8; inner++)
            {
                for (int k = 0; k < m; k++)
                {
                    double a = _cutA[k];
                    var brow = _cutB.AsSpan(k * _stride, count);
                    var prow = _payoff.AsSpan(k * _stride, ns);
                    for (int s = 0; s < ns; s++) prow[s] = a - brow[_support[s]];
                }
                double value = _lp.Solve(_payoff, m, ns, _stride, _cS, _x);
                // lower bound over all columns from W = Σ x_k v_k v_kᴴ
                double ax = 0;
                var g = _g.AsSpan(0, count);
                g.Clear();
                for (int k = 0; k < m; k++)
                {
                    if (_x[k] == 0) continue;
                    ax += _x[k] * _cutA[k];
                    TensorPrimitives.MultiplyAdd(_cutB.AsSpan(k * _stride, count), _x[k], g, g);
                }
                int jb = TensorPrimitives.IndexOfMax(g);
                double lb = ax - g[jb];
                if (lb > lower) lower = lb;
                if (lower > tolProof && !minimize) return DominanceOutcome.NotDominated;
                if (_inS[jb] || lb >= value - 1e-14 * scale) break;
                _support[ns] = jb; _inS[jb] = true; _cS[ns] = 0; ns++;
            }
            if (upper - lower <= 1e-12 * scale) break; // f* ≈ 0 within rounding: undecidable, conservative
        }
        UndecidedCount++;
        return DominanceOutcome.Undecided;
    }

    /// <summary>Keeps the cuts with positive weight in the last game solution (at most CutCapacity − 8, the heaviest); returns the new count.</summary>
    private int PruneCuts(int m, int count)
    {
        int limit = CutCapacity - 8, kept = 0;
        double threshold = 1e-12;
        int positive = 0;
        for (int k = 0; k < m; k++) if (_x[k] > threshold) positive++;
        if (positive > limit)
        {
            // raise the threshold to the limit-th largest weight
            var tmp = _xs.AsSpan(0, m);
            _x.AsSpan(0, m).CopyTo(tmp);
            tmp.Sort();
            threshold = tmp[m - limit];
        }
        for (int k = 0; k < m && kept < limit; k++)
        {
            if (!(_x[k] > threshold || (_x[k] == threshold && threshold > 1e-12))) continue;
            if (k != kept)
            {
                _cutA[kept] = _cutA[k];
                _cutB.AsSpan(k * _stride, count).CopyTo(_cutB.AsSpan(kept * _stride, count));
                _x[kept] = _x[k];
            }
            kept++;
        }
        return kept;
    }

    /// <summary>Adds the cut of the current unit vector _v: a = vᴴQv, b_j = vᴴV_jv. True when a &gt; max_j b_j + tol (rank-1 proof of non-domination; the witness is stored).</summary>
    private bool AddCut(ReadOnlySpan<double> q, ReadOnlySpan<double> vops, int count, int row, double tol)
    {
        FillWeights(_v, _n, _w);
        double a = FixedOrderDot.Dot(q, _w);
        _cutA[row] = a;
        var b = _cutB.AsSpan(row * _stride, count);
        double maxb = double.NegativeInfinity;
        for (int j = 0; j < count; j++) { b[j] = FixedOrderDot.Dot(vops.Slice(j * _nn, _nn), _w); if (b[j] > maxb) maxb = b[j]; }
        if (a > maxb + tol) { _w.CopyTo(Witness, 0); WitnessQ = a; HasRank1Witness = true; return true; }
        return false;
    }

    private void StoreWitness(ReadOnlySpan<double> q)
    {
        FillWeights(_v, _n, Witness);
        WitnessQ = FixedOrderDot.Dot(q, Witness);
        HasRank1Witness = true;
    }

    /// <summary>w(v) of <see cref="SarKit.Numerics.LinearAlgebra.HermitianPacking.DriveWeights"/> without allocation.</summary>
    internal static void FillWeights(ReadOnlySpan<Complex> v, int n, Span<double> w)
    {
        for (int i = 0; i < n; i++) w[i] = v[i].Real * v[i].Real + v[i].Imaginary * v[i].Imaginary;
        int o = n;
        for (int i = 0; i < n; i++)
        {
            double ar = v[i].Real, ai = v[i].Imaginary;
            for (int j = i + 1; j < n; j++)
            {
                double br = v[j].Real, bi = v[j].Imaginary;
                w[o++] = 2 * (ar * br + ai * bi);
                w[o++] = -2 * (ar * bi - ai * br);
            }
        }
    }
}
