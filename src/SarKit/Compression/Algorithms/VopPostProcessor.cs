using System.Numerics.Tensors;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Compression.Algorithms;

/// <summary>
/// Per-VOP margins after Orzada, Fiedler, Quick, Ladd, "Post-processing algorithms for specific absorption rate
/// compression", MRM 2021;86:2853, CC criterion. Start from the pure VOPs
/// V_j = Q_src(j) (margin removed, Z_j = 0) and visit all original matrices by ascending λ_max. A matrix the current
/// V_j = Q_src(j) + Z_j dominate (CC) is skipped, and Kuehne's test drops what its combination dominates. Otherwise
/// c ≈ argmin λ_max(Q − Σc_jV_pure,j), P = Σc_jV_pure,j, N = the negative spectral part of P − Q (plus 1e-12·SAR_wc·I
/// against rounding), and every Z_j is raised by the negative part of Z_j − (c_j/Σ_l c_l²)·N, the least PSD raise making
/// Z_j ⪰ (c_j/Σc²)·N; then Σ c_j (V_pure,j + Z_j) ⪰ P + N ⪰ Q. Margins only grow, so
/// every matrix handled earlier stays dominated: the result dominates every input matrix (CC) with the same VOP
/// count and a margin Z_j per VOP that is usually much smaller than the uniform Z. As a last resort (a combination
/// that does not bring the value below 0, not seen in tests) a Z_j = the original uniform margin is restored.
/// </summary>
internal sealed class VopPostProcessor(CompressionContext ctx)
{
    public sealed record Result(double[] Vops, double LargestMarginOverSarWc, int Raised);

    public Result Run(int[] sources, double[] vopsWithMargin, double[] uniformZ)
    {
        int n = ctx.N, nn = ctx.NN, k = sources.Length;
        double wc = ctx.SarWc;
        var pure = new double[k * nn];
        for (int j = 0; j < k; j++) ctx.Matrix(sources[j]).CopyTo(pure.AsSpan(j * nn, nn));
        var vops = (double[])pure.Clone();
        var zs = new double[k * nn];
        var order = (int[])ctx.Order.Clone();
        Array.Reverse(order); // ascending λ_max ("ascending order has shown better results")
        var done = new bool[ctx.Count];
        var test = new CcDominanceSolver(n);
        var fit = new CcDominanceSolver(n) { MaxIterations = 30 };
        var kuehne = new KuehneDrop(ctx);
        var ws = new HermitianWorkspace(n);
        var p = new double[nn]; var diff = new double[nn]; var neg = new double[nn]; var raise = new double[nn];
        var vals = new double[n]; var vre = new double[nn]; var vim = new double[nn];
        int raised = 0;
        for (int t = 0; t < order.Length; t++)
        {
            ctx.Cancellation.ThrowIfCancellationRequested();
            int i = order[t];
            if (done[i]) continue;
            var q = ctx.Matrix(i);
            if (test.Test(q, vops, k, wc) == DominanceOutcome.Dominated)
            {
                done[i] = true;
                kuehne.MaybeScan(test.P, order, t + 1, order.Length, done);
                continue;
            }
            // c from the pure VOPs, N = negative part of P − Q (Orzada 2021 post-processing)
            fit.Minimize(q, pure, k, wc);
            var c = fit.BestC;
            double c2 = 0;
            Array.Clear(p);
            for (int j = 0; j < k; j++)
                if (c[j] > 0) { c2 += c[j] * c[j]; TensorPrimitives.MultiplyAdd(pure.AsSpan(j * nn, nn), c[j], p, p); }
            if (!(c2 > 0)) { RestoreUniform(vops, zs, sources, uniformZ, k, nn); return Finish(vops, zs, k, raised); }
            TensorPrimitives.Subtract(p, q, diff);
            NegativePart(diff, neg, vals, vre, vim, ws);
            for (int d = 0; d < n; d++) neg[d] += 1e-12 * wc;
            // raise each Z_j minimally so that Z_j ⪰ (c_j/Σc²)·N; then Σc_j(V_pure,j + Z_j) ⪰ P + N ⪰ Q
            for (int j = 0; j < k; j++)
            {
                if (!(c[j] > 0)) continue;
                var zj = zs.AsSpan(j * nn, nn);
                TensorPrimitives.MultiplyAdd(neg, -c[j] / c2, zj, diff); // Z_j − f N
                NegativePart(diff, raise, vals, vre, vim, ws);
                TensorPrimitives.Add(zj, raise, zj);
                TensorPrimitives.Add(pure.AsSpan(j * nn, nn), zj, vops.AsSpan(j * nn, nn));
            }
            raised++;
            // confirm with the raised set; if rounding defeats it, fall back to the uniform margin (always valid)
            if (test.Test(q, vops, k, wc) != DominanceOutcome.Dominated)
            {
                RestoreUniform(vops, zs, sources, uniformZ, k, nn);
                return Finish(vops, zs, k, raised);
            }
            done[i] = true;
        }
        return Finish(vops, zs, k, raised);
    }

    private void NegativePart(double[] a, double[] neg, double[] vals, double[] vre, double[] vim, HermitianWorkspace ws)
    {
        int n = ctx.N;
        HermitianKernels.EigenDecomposition(a, n, vals, vre, vim, ws);
        Array.Clear(neg);
        for (int e = 0; e < n; e++) if (vals[e] < 0) EichfelderClustering.AddOuter(neg, -vals[e], vre, vim, e, n);
    }

    private void RestoreUniform(double[] vops, double[] zs, int[] sources, double[] z, int k, int nn)
    {
        for (int j = 0; j < k; j++)
        {
            TensorPrimitives.Add(ctx.Matrix(sources[j]), z, vops.AsSpan(j * nn, nn));
            z.CopyTo(zs.AsSpan(j * nn, nn));
        }
    }

    private Result Finish(double[] vops, double[] zs, int k, int raised)
    {
        double largest = 0;
        for (int j = 0; j < k; j++) largest = Math.Max(largest, HermitianKernels.LargestEigenvalue(zs.AsSpan(j * ctx.NN, ctx.NN), ctx.N));
        return new Result(vops, largest / ctx.SarWc, raised);
    }
}
