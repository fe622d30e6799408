using System.Diagnostics;
using System.Numerics.Tensors;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Compression.Algorithms;

/// <summary>
/// Eichfelder &amp; Gebhardt (MRM 2011) clustering, single-VOP criterion:
/// u = ε·SAR_wc. Repeat until every matrix is covered: B* = the remaining matrix with the largest λ_max; for every
/// remaining B, d(B) = λ_min(B* − B); B with d ≥ 0 join at no cost; the others are visited by decreasing d with
/// Z = 0: P = B* + Z − B = P₊ − P₋ (spectral parts); if λ_max(Z + P₋) &gt; u the cluster is closed, else Z ← Z + P₋ and B
/// joins (then B* + Z − B ⪰ 0 and Z only grows). VOP = B* + Z with 0 ⪯ Z ⪯ u·I. Every member is re-checked by a
/// Cholesky factorisation of VOP − B; should rounding make one fail, the VOP is raised by 1e-12·SAR_wc·I until it passes.
/// Cost O(K·N) eigen-solves for K clusters and N matrices (the baseline).
/// </summary>
internal sealed class EichfelderClustering(CompressionContext ctx)
{
    public (int[] Sources, double[] Vops) Run(double eps)
    {
        int n = ctx.N, nn = ctx.NN, count = ctx.Count;
        double u = eps * ctx.SarWc;
        var done = new bool[count];
        var d = new double[count];
        var vops = new List<double>();
        var sources = new List<int>();
        var z = new double[nn]; var p = new double[nn]; var neg = new double[nn]; var trial = new double[nn]; var vop = new double[nn];
        var vals = new double[n]; var vre = new double[nn]; var vim = new double[nn];
        var ws = new HermitianWorkspace(n);
        var members = new List<int>();
        var order = ctx.Order;
        int pos = 0, covered = 0;
        var report = Stopwatch.StartNew();
        var po = new ParallelOptions { MaxDegreeOfParallelism = ctx.Threads, CancellationToken = ctx.Cancellation };
        while (true)
        {
            ctx.Cancellation.ThrowIfCancellationRequested();
            while (pos < count && done[order[pos]]) pos++;
            if (pos == count) break;
            int star = order[pos];
            var bStar = ctx.Matrix(star).ToArray();
            done[star] = true;
            members.Clear(); members.Add(star);
            // d(B) = λ_min(B* − B) for all remaining
            Parallel.For(pos + 1, count, po, () => (new HermitianWorkspace(n), new double[nn], new double[n]), (t, _, loc) =>
            {
                int k = order[t];
                if (done[k]) { d[k] = double.NaN; return loc; }
                TensorPrimitives.Subtract(bStar, ctx.Matrix(k), loc.Item2);
                HermitianKernels.Eigenvalues(loc.Item2, n, loc.Item3, loc.Item1);
                d[k] = loc.Item3[0];
                return loc;
            }, _ => { });
            var rest = new List<(double D, int K)>();
            for (int t = pos + 1; t < count; t++)
            {
                int k = order[t];
                if (done[k]) continue;
                if (d[k] >= 0) { members.Add(k); done[k] = true; }
                else rest.Add((d[k], k));
            }
            rest.Sort((a, b) => b.D.CompareTo(a.D));
            Array.Clear(z);
            foreach (var (_, k) in rest)
            {
                // P = B* + Z − B, negative part P₋ = Σ_{λ<0} (−λ) w wᴴ
                TensorPrimitives.Add(bStar, z, p);
                TensorPrimitives.Subtract(p, ctx.Matrix(k), p);
                HermitianKernels.EigenDecomposition(p, n, vals, vre, vim, ws);
                Array.Clear(neg);
                for (int e = 0; e < n; e++)
                    if (vals[e] < 0) AddOuter(neg, -vals[e], vre, vim, e, n);
                TensorPrimitives.Add(z, neg, trial);
                if (HermitianKernels.LargestEigenvalue(trial, n, ws) > u) break;
                trial.CopyTo(z, 0);
                members.Add(k); done[k] = true;
            }
            TensorPrimitives.Add(bStar, z, vop);
            for (int bump = 0; bump < 100; bump++)
            {
                bool ok = true;
                foreach (var k in members) if (!HermitianKernels.Dominates(vop, ctx.Matrix(k), n, 0, ws)) { ok = false; break; }
                if (ok) break;
                for (int i = 0; i < n; i++) vop[i] += 1e-12 * ctx.SarWc;
            }
            vops.AddRange(vop);
            sources.Add(star);
            covered += members.Count;
            if (ctx.Progress is not null && report.ElapsedMilliseconds > 200)
            {
                report.Restart();
                ctx.Progress.Report(new VopCompressionProgress("eichfelder", 0, eps, covered, count, sources.Count));
            }
        }
        ctx.Progress?.Report(new VopCompressionProgress("eichfelder", 0, eps, count, count, sources.Count));
        return (sources.ToArray(), vops.ToArray());
    }

    /// <summary>A += s·w wᴴ (packed) for eigenvector column e of the row-major (re, im) arrays.</summary>
    internal static void AddOuter(double[] a, double s, double[] vre, double[] vim, int e, int n)
    {
        for (int i = 0; i < n; i++) a[i] += s * (vre[i * n + e] * vre[i * n + e] + vim[i * n + e] * vim[i * n + e]);
        int o = n;
        for (int i = 0; i < n; i++)
        {
            double ar = vre[i * n + e], ai = vim[i * n + e];
            for (int j = i + 1; j < n; j++, o += 2)
            {
                double br = vre[j * n + e], bi = -vim[j * n + e]; // conj(w_j)
                a[o] += s * (ar * br - ai * bi);
                a[o + 1] += s * (ar * bi + ai * br);
            }
        }
    }
}
