using System.Numerics;
using System.Numerics.Tensors;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Compression.Algorithms;

/// <summary>
/// Local solver for the CO criterion of Gras et al. (IEEE TMI 2023): rQ*(Q) = max xᴴQx s.t. xᴴV_jx ≤ 1 ∀j, i.e. the
/// largest ratio R(x) = xᴴQx / max_j xᴴV_jx. Q is CO-dominated iff rQ* ≤ 1. The problem is non-convex; this is a local
/// ascent of the smooth lower bound φ_p(x) = log xᴴQx − (1/p) log Σ_j (xᴴV_jx)^p ≤ log R(x) (p = 8, 32, 128 in turn)
/// by gradient steps with backtracking (monotone in φ_p), from the warm start of the previous call and from Q's top
/// eigenvector. Any x with R(x) &gt; 1 proves non-domination (a drive the
/// VOPs underestimate) and ends the test at once; R ≤ 1 after the iterations is only a local result, so sets built with
/// it are re-checked with the CC criterion by the compressor (hybrid repair).
/// </summary>
internal sealed class CoDominanceSolver
{
    private readonly int _n, _nn;
    private readonly HermitianWorkspace _ws;
    private readonly Complex[] _x, _y, _d, _t, _warm, _best;
    private readonly double[] _w, _m;
    private double[] _g = [];
    private bool _hasWarm;

    public double[] Witness { get; }
    public double WitnessQ { get; private set; }
    public int Iterations { get; set; } = 30;
    public long Tests;

    public CoDominanceSolver(int n)
    {
        _n = n; _nn = n * n;
        _ws = new HermitianWorkspace(n);
        _x = new Complex[n]; _y = new Complex[n]; _d = new Complex[n]; _t = new Complex[n]; _warm = new Complex[n]; _best = new Complex[n];
        _w = new double[_nn]; _m = new double[_nn];
        Witness = new double[_nn];
    }

    public DominanceOutcome Test(ReadOnlySpan<double> q, ReadOnlySpan<double> vops, int count, double scale)
    {
        Tests++;
        if (_g.Length < count) _g = new double[Math.Max(count, 2 * _g.Length)];
        double bestR = double.NegativeInfinity;
        for (int start = 0; start < 2; start++)
        {
            if (start == 0) { if (!_hasWarm) continue; _warm.CopyTo(_x, 0); }
            else HermitianKernels.LargestEigen(q, _n, _x, _ws);
            double step = 0.5;
            foreach (double p in Powers)
            {
                double phi = Evaluate(q, vops, count, _x, p, out double a, out double gmax);
                for (int it = 0; it < Iterations; it++)
                {
                    double r = a / gmax;
                    if (r > bestR) { bestR = r; _x.CopyTo(_best, 0); }
                    if (a > gmax + 1e-12 * scale)
                    {
                        CcDominanceSolver.FillWeights(_x, _n, Witness); WitnessQ = a;
                        _x.CopyTo(_warm, 0); _hasWarm = true;
                        return DominanceOutcome.NotDominated;
                    }
                    // ascent direction of φ_p(x) = log xᴴQx − (1/p) log Σ_j (xᴴV_jx)^p: d = Qx/a − Σ_j ω_j V_j x, ω_j = g_j^{p−1}/Σ g^p
                    Array.Clear(_m);
                    double sum = 0;
                    for (int j = 0; j < count; j++) sum += Math.Pow(_g[j] / gmax, p);
                    for (int j = 0; j < count; j++)
                    {
                        double om = Math.Pow(_g[j] / gmax, p - 1) / (sum * gmax);
                        if (om * gmax < 1e-10) continue;
                        TensorPrimitives.MultiplyAdd(vops.Slice(j * _nn, _nn), om, _m, _m);
                    }
                    MatVec(q, _x, _y);
                    MatVec(_m, _x, _d);
                    double dn = 0;
                    for (int i = 0; i < _n; i++) { _d[i] = _y[i] / a - _d[i]; dn += _d[i].Real * _d[i].Real + _d[i].Imaginary * _d[i].Imaginary; }
                    if (!(dn > 1e-24)) break;
                    // backtracking on φ_p along x + η d (then normalised; φ is scale-invariant)
                    bool improved = false;
                    for (int bt = 0; bt < 12; bt++, step *= 0.5)
                    {
                        double norm = 0;
                        for (int i = 0; i < _n; i++) { _t[i] = _x[i] + step * _d[i]; norm += _t[i].Real * _t[i].Real + _t[i].Imaginary * _t[i].Imaginary; }
                        double inv = 1 / Math.Sqrt(norm);
                        for (int i = 0; i < _n; i++) _t[i] *= inv;
                        double phiT = Evaluate(q, vops, count, _t, p, out double aT, out double gT);
                        if (phiT > phi + 1e-14)
                        {
                            improved = phiT > phi + 1e-9; // stop this stage once the gain is negligible
                            _t.CopyTo(_x, 0); phi = phiT; a = aT; gmax = gT; step *= 2; break;
                        }
                    }
                    if (!improved) break;
                }
                double rr = a / gmax;
                if (rr > bestR) { bestR = rr; _x.CopyTo(_best, 0); }
                if (a > gmax + 1e-12 * scale)
                {
                    CcDominanceSolver.FillWeights(_x, _n, Witness); WitnessQ = a;
                    _x.CopyTo(_warm, 0); _hasWarm = true;
                    return DominanceOutcome.NotDominated;
                }
            }
        }
        _best.CopyTo(_warm, 0); _hasWarm = true;
        return DominanceOutcome.Dominated;
    }

    private static readonly double[] Powers = [8, 32, 128];

    /// <summary>φ_p(x) and a = xᴴQx, gmax = max_j xᴴV_jx (fills _g).</summary>
    private double Evaluate(ReadOnlySpan<double> q, ReadOnlySpan<double> vops, int count, ReadOnlySpan<Complex> x, double p, out double a, out double gmax)
    {
        CcDominanceSolver.FillWeights(x, _n, _w);
        a = FixedOrderDot.Dot(q, _w);
        gmax = double.NegativeInfinity;
        for (int j = 0; j < count; j++) { _g[j] = FixedOrderDot.Dot(vops.Slice(j * _nn, _nn), _w); gmax = Math.Max(gmax, _g[j]); }
        double sum = 0;
        for (int j = 0; j < count; j++) sum += Math.Pow(_g[j] / gmax, p);
        return Math.Log(a) - Math.Log(gmax) - Math.Log(sum) / p;
    }

    /// <summary>y = Q x for packed Hermitian Q.</summary>
    private void MatVec(ReadOnlySpan<double> p, ReadOnlySpan<Complex> x, Span<Complex> y)
    {
        int n = _n;
        for (int i = 0; i < n; i++) y[i] = p[i] * x[i];
        int o = n;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++, o += 2)
            {
                var qij = new Complex(p[o], p[o + 1]);
                y[i] += qij * x[j];
                y[j] += Complex.Conjugate(qij) * x[i];
            }
    }
}
