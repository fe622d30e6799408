using System.Numerics;
using System.Numerics.Tensors;

namespace SarKit.Compression;

/// <summary>
/// Local solver for the CO criterion of Gras et al. (IEEE TMI 2023): rQ*(Q) = max xᴴQx s.t. xᴴV_jx ≤ 1 ∀j, i.e. the
/// largest ratio R(x) = xᴴQx / max_j xᴴV_jx. Q is CO-dominated iff rQ* ≤ 1. The problem is non-convex; this is a local
/// ascent: with the smooth weights ω_j ∝ (xᴴV_jx / max_l xᴴV_lx)^p (p = 16 → 64) standing in for the multipliers of the
/// active constraints, x ← M⁻¹Qx with M = Σω_jV_j (one step of the generalised power method on (Q, M)), from the warm
/// start of the previous call and from Q's top eigenvector. Any x with R(x) &gt; 1 proves non-domination (a drive the
/// VOPs underestimate) and ends the test at once; R ≤ 1 after the iterations is only a local result, so sets built with
/// it are re-checked with the CC criterion by the compressor (hybrid repair).
/// </summary>
internal sealed class CoDominanceSolver
{
    private readonly int _n, _nn;
    private readonly HermitianWorkspace _ws;
    private readonly Complex[] _x, _y, _warm, _best;
    private readonly double[] _w, _m, _l;
    private double[] _g = [];
    private bool _hasWarm;

    public double[] Witness { get; }
    public double WitnessQ { get; private set; }
    public int Iterations { get; set; } = 40;
    public long Tests;

    public CoDominanceSolver(int n)
    {
        _n = n; _nn = n * n;
        _ws = new HermitianWorkspace(n);
        _x = new Complex[n]; _y = new Complex[n]; _warm = new Complex[n]; _best = new Complex[n];
        _w = new double[_nn]; _m = new double[_nn]; _l = new double[2 * n * n];
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
            double prev = double.NegativeInfinity;
            for (int it = 0; it < Iterations; it++)
            {
                CcDominanceSolver.FillWeights(_x, _n, _w);
                double a = TensorPrimitives.Dot(q, _w);
                double gmax = double.NegativeInfinity;
                for (int j = 0; j < count; j++) { _g[j] = TensorPrimitives.Dot(vops.Slice(j * _nn, _nn), _w); gmax = Math.Max(gmax, _g[j]); }
                double r = a / gmax;
                if (r > bestR) { bestR = r; _x.CopyTo(_best, 0); }
                if (a > gmax + 1e-12 * scale)
                {
                    _w.CopyTo(Witness, 0); WitnessQ = a;
                    _x.CopyTo(_warm, 0); _hasWarm = true;
                    return DominanceOutcome.NotDominated;
                }
                if (it > 3 && r <= prev * (1 + 1e-9)) break;
                prev = Math.Max(prev, r);
                double p = it < Iterations / 2 ? 16 : 64;
                Array.Clear(_m);
                double sum = 0;
                for (int j = 0; j < count; j++)
                {
                    double om = Math.Pow(_g[j] / gmax, p);
                    if (om < 1e-8) continue;
                    sum += om;
                    TensorPrimitives.MultiplyAdd(vops.Slice(j * _nn, _nn), om, _m, _m);
                }
                TensorPrimitives.Multiply(_m, 1 / sum, _m);
                MatVec(q, _x, _y);
                if (!SolveInPlace(_m, _y)) break;
                double norm = 0;
                for (int i = 0; i < _n; i++) norm += _y[i].Real * _y[i].Real + _y[i].Imaginary * _y[i].Imaginary;
                if (!(norm > 0) || !double.IsFinite(norm)) break;
                double inv = 1 / Math.Sqrt(norm);
                for (int i = 0; i < _n; i++) _x[i] = _y[i] * inv;
            }
        }
        _best.CopyTo(_warm, 0); _hasWarm = true;
        return DominanceOutcome.Dominated;
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

    /// <summary>Solves M y' = y in place by a complex Cholesky factorisation of the packed Hermitian PD M; false if not PD.</summary>
    private bool SolveInPlace(ReadOnlySpan<double> m, Span<Complex> y)
    {
        int n = _n;
        var lr = _l.AsSpan(0, n * n); var li = _l.AsSpan(n * n, n * n);
        for (int i = 0; i < n; i++) { lr[i * n + i] = m[i]; li[i * n + i] = 0; }
        int o = n;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++, o += 2) { lr[j * n + i] = m[o]; li[j * n + i] = -m[o + 1]; } // lower: conj of upper
        for (int j = 0; j < n; j++)
        {
            double d = lr[j * n + j];
            for (int k = 0; k < j; k++) d -= lr[j * n + k] * lr[j * n + k] + li[j * n + k] * li[j * n + k];
            if (!(d > 0)) return false;
            double ljj = Math.Sqrt(d), inv = 1 / ljj;
            lr[j * n + j] = ljj; li[j * n + j] = 0;
            for (int i = j + 1; i < n; i++)
            {
                double sr = lr[i * n + j], si = li[i * n + j];
                for (int k = 0; k < j; k++)
                {
                    double ar = lr[i * n + k], ai = li[i * n + k], br = lr[j * n + k], bi = -li[j * n + k];
                    sr -= ar * br - ai * bi; si -= ar * bi + ai * br;
                }
                lr[i * n + j] = sr * inv; li[i * n + j] = si * inv;
            }
        }
        for (int i = 0; i < n; i++)
        {
            var s = y[i];
            for (int k = 0; k < i; k++) s -= new Complex(lr[i * n + k], li[i * n + k]) * y[k];
            y[i] = s / lr[i * n + i];
        }
        for (int i = n - 1; i >= 0; i--)
        {
            var s = y[i];
            for (int k = i + 1; k < n; k++) s -= new Complex(lr[k * n + i], -li[k * n + i]) * y[k];
            y[i] = s / lr[i * n + i];
        }
        return true;
    }
}
