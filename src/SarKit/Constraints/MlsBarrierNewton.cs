using System.Numerics;
using System.Numerics.Tensors;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Constraints;

/// <summary>Settings of the direct MLS interior-point method (<see cref="RfShimOptions.DirectNewton"/>).</summary>
public sealed record MlsNewtonOptions
{
    /// <summary>Stop when m/t is below this fraction of ‖t‖² (the barrier's gap bound at a central point; the plain exchange then polishes to full accuracy).</summary>
    public double GapTolerance { get; init; } = 1e-8;
    /// <summary>Growth of the barrier parameter per centring.</summary>
    public double BarrierGrowth { get; init; } = 30;
    /// <summary>The first barrier parameter is m / (this · f(w0)) with f scaled by 1/‖t‖² (f(w0) − f* assumed about this fraction of f(w0)).</summary>
    public double InitialGapFraction { get; init; } = 1;
    /// <summary>Newton steps per centring at most.</summary>
    public int MaxNewtonPerCentring { get; init; } = 100;
}

/// <summary>Result of <see cref="MlsBarrierNewton.Solve"/>.</summary>
/// <param name="W">Strictly feasible weights (drive units).</param>
/// <param name="Objective">Σ_r (|(Aw)_r| − t_r)² + λ‖w‖² at <paramref name="W"/>.</param>
/// <param name="NewtonSteps">Newton steps taken (each one dense (2n)×(2n) solve).</param>
internal sealed record MlsNewtonResult(Complex[] W, double Objective, int NewtonSteps);

/// <summary>
/// Direct log-barrier (interior-point) method on the magnitude-least-squares objective itself, instead of the variable
/// exchange's alternation: minimise t·f(x) − Σ_c log(1 − xᵀE_c x) for growing t (Boyd &amp; Vandenberghe, Convex Optimization,
/// §11.3, applied to a nonconvex f), x = (Re w, Im w), f(w) = Σ_r (|z_r| − t_r)² + λ‖w‖², z = Aw. The Newton matrix of f is
/// replaced by a positive semidefinite one: per voxel the real 2×2 Hessian of (|z| − t)² in z is 2(u uᵀ + (1 − t/|z|) v vᵀ)
/// (u = z/|z|, v = i·u its tangent), and the tangential weight 1 − t/|z| is clipped at 0 (Gauss–Newton where |z| &lt; t, exact
/// Newton where |z| ≥ t). The variable exchange majorises f with tangential weight 1 everywhere, which is why it converges
/// slowly when the fit is good (|z| ≈ t: true tangential curvature ≈ 0); this method uses the true curvature there.
/// Backtracking (Armijo) on the barrier function keeps every step strictly feasible and decreasing, so the result is a
/// stationary point of the last barrier problem and is strictly feasible. Nonconvex: a local method; the caller
/// (<see cref="RfShimSolver"/>) keeps its result only when it is better than the exchange's and then polishes it with plain
/// exchange steps solved to full accuracy by <see cref="ShimQcqp"/>.
/// </summary>
internal static class MlsBarrierNewton
{
    /// <summary>
    /// Runs the barrier method from <paramref name="start"/> (pulled into the interior: every wᴴC_cw ≤ 0.99²).
    /// <paramref name="a"/>: R×n row-major; <paramref name="emb"/>: real embeddings of the constraints wᴴC_cw ≤ 1 (<see cref="ShimQcqp.Embed"/>).
    /// </summary>
    public static MlsNewtonResult Solve(Complex[] a, int n, double[] target, double lambda, double[][] emb, ReadOnlySpan<Complex> start,
        MlsNewtonOptions o, CancellationToken cancellation = default)
    {
        int r = target.Length, m2 = 2 * n, mc = emb.Length, mm = m2 * m2;
        double t2 = 0; foreach (var t in target) t2 += t * t;
        double scale = t2 > 0 ? 1 / t2 : 1;
        var x = new double[m2];
        for (int i = 0; i < n; i++) { x[i] = start[i].Real; x[i + n] = start[i].Imaginary; }
        var ex = new double[mc * m2]; var ed = new double[mc * m2]; var s = new double[mc];
        Products(emb, x, ex);
        double worst = 0;
        for (int c = 0; c < mc; c++) worst = Math.Max(worst, FixedOrderDot.Dot(x, ex.AsSpan(c * m2, m2)));
        if (!double.IsFinite(worst)) throw new ArgumentException("The start is not finite.", nameof(start));
        if (worst > 0.99 * 0.99)
        {
            TensorPrimitives.Multiply(x, 0.99 / Math.Sqrt(worst), x);
            Products(emb, x, ex);
        }
        for (int c = 0; c < mc; c++) s[c] = 1 - FixedOrderDot.Dot(x, ex.AsSpan(c * m2, m2));

        var z = new Complex[r]; var zd = new Complex[r];
        var cols = new double[m2 * 2 * r]; // column i of B (2r rows: radial rows, then tangential rows ·√weight)
        var resid = new double[r];
        var grad = new double[m2]; var hess = new double[mm]; var dx = new double[m2];
        var xt = new double[m2]; var dEx = new double[mc]; var dEd = new double[mc];
        Apply(a, n, x, z);
        double f = Objective(z, target, lambda, x);
        double tt = mc == 0 ? 1 / scale : mc / (o.InitialGapFraction * Math.Max(scale * f, 1e-300));
        int steps = 0;
        for (int outer = 0; outer < 100; outer++)
        {
            for (int it = 0; it < o.MaxNewtonPerCentring; it++)
            {
                cancellation.ThrowIfCancellationRequested();
                double ts = 2 * tt * scale;
                // B columns, residuals and the MLS gradient
                for (int row = 0; row < r; row++)
                {
                    double mag = z[row].Magnitude;
                    Complex u = mag > 0 ? z[row] / mag : Complex.One;
                    resid[row] = mag - target[row];
                    double wv = mag > 0 ? Math.Max(0, 1 - target[row] / mag) : 0, sq = Math.Sqrt(wv);
                    for (int k = 0; k < n; k++)
                    {
                        var p = Complex.Conjugate(u) * a[row * n + k];
                        cols[k * 2 * r + row] = p.Real; cols[(k + n) * 2 * r + row] = -p.Imaginary;
                        cols[k * 2 * r + r + row] = sq * p.Imaginary; cols[(k + n) * 2 * r + r + row] = sq * p.Real;
                    }
                }
                for (int i = 0; i < m2; i++)
                {
                    var ci = cols.AsSpan(i * 2 * r, 2 * r);
                    grad[i] = ts * (FixedOrderDot.Dot(ci[..r], resid) + lambda * x[i]);
                    for (int j = i; j < m2; j++)
                    {
                        double hij = ts * FixedOrderDot.Dot(ci, cols.AsSpan(j * 2 * r, 2 * r));
                        hess[i * m2 + j] = hij; hess[j * m2 + i] = hij;
                    }
                    hess[i * m2 + i] += ts * lambda;
                }
                // barrier: ∇ = Σ 2E_c x/s_c, ∇² = Σ 2E_c/s_c + 4(E_c x)(E_c x)ᵀ/s_c²
                for (int c = 0; c < mc; c++)
                {
                    double ac = 2 / s[c], bc = 4 / (s[c] * s[c]);
                    var v = ex.AsSpan(c * m2, m2);
                    TensorPrimitives.MultiplyAdd(v, ac, grad, grad);
                    TensorPrimitives.MultiplyAdd(emb[c], ac, hess, hess);
                    for (int i = 0; i < m2; i++)
                    {
                        var hrow = hess.AsSpan(i * m2, m2);
                        TensorPrimitives.MultiplyAdd(v, bc * v[i], hrow, hrow);
                    }
                }
                for (int i = 0; i < m2; i++) dx[i] = -grad[i];
                if (!ComplexDense.SolveSpd(hess, m2, dx)) break;
                double dec = -FixedOrderDot.Dot(grad, dx);
                steps++;
                if (!(dec / 2 > 1e-9)) break;
                // line search on the change of t·f − Σ log s (as differences: t·f is large)
                Apply(a, n, dx, zd);
                Products(emb, dx, ed);
                for (int c = 0; c < mc; c++)
                {
                    dEx[c] = FixedOrderDot.Dot(dx, ex.AsSpan(c * m2, m2));
                    dEd[c] = FixedOrderDot.Dot(dx, ed.AsSpan(c * m2, m2));
                }
                double xd = FixedOrderDot.Dot(x, dx), dd = FixedOrderDot.Dot(dx, dx);
                double step = 1;
                bool accepted = false;
                while (step > 1e-12)
                {
                    double df = lambda * (2 * step * xd + step * step * dd);
                    for (int row = 0; row < r; row++)
                    {
                        double m0 = z[row].Magnitude, m1 = (z[row] + step * zd[row]).Magnitude;
                        df += (m1 - m0) * (m1 + m0 - 2 * target[row]);
                    }
                    double change = tt * scale * df;
                    for (int c = 0; c < mc && double.IsFinite(change); c++)
                    {
                        double si = s[c] - 2 * step * dEx[c] - step * step * dEd[c];
                        change = si > 0 ? change - Math.Log(si / s[c]) : double.PositiveInfinity;
                    }
                    if (change <= -0.25 * step * dec)
                    {
                        for (int i = 0; i < m2; i++) xt[i] = x[i] + step * dx[i];
                        Products(emb, xt, ed);
                        bool inside = true;
                        for (int c = 0; c < mc && inside; c++) inside = 1 - FixedOrderDot.Dot(xt, ed.AsSpan(c * m2, m2)) > 0;
                        if (inside) { accepted = true; break; }
                    }
                    step *= 0.5;
                }
                if (!accepted) break;
                Array.Copy(xt, x, m2);
                (ex, ed) = (ed, ex);
                for (int c = 0; c < mc; c++) s[c] = 1 - FixedOrderDot.Dot(x, ex.AsSpan(c * m2, m2));
                Apply(a, n, x, z);
            }
            if (mc == 0 || mc / tt <= o.GapTolerance) break;
            tt *= o.BarrierGrowth;
        }
        var w = new Complex[n];
        for (int i = 0; i < n; i++) w[i] = new Complex(x[i], x[i + n]);
        return new MlsNewtonResult(w, Objective(z, target, lambda, x), steps);
    }

    private static void Products(double[][] emb, ReadOnlySpan<double> x, double[] result)
    {
        int m2 = x.Length;
        for (int c = 0; c < emb.Length; c++)
            for (int i = 0; i < m2; i++) result[c * m2 + i] = FixedOrderDot.Dot(emb[c].AsSpan(i * m2, m2), x);
    }

    // z = A·w for the real embedding x = (Re w, Im w).
    private static void Apply(Complex[] a, int n, double[] x, Complex[] z)
    {
        for (int row = 0; row < z.Length; row++)
        {
            Complex acc = 0;
            for (int k = 0; k < n; k++) acc += a[row * n + k] * new Complex(x[k], x[k + n]);
            z[row] = acc;
        }
    }

    private static double Objective(Complex[] z, double[] target, double lambda, double[] x)
    {
        double f = lambda * FixedOrderDot.Dot(x, x);
        for (int row = 0; row < z.Length; row++) { double d = z[row].Magnitude - target[row]; f += d * d; }
        return f;
    }
}
