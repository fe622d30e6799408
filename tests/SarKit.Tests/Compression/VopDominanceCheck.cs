using System.Numerics;
using SarKit.Compression;
using SarKit.Sar;
using SarKit.Compression.Algorithms;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Tests.Compression;

/// <summary>
/// Test-side proof that a VOP set dominates every original matrix under the CC criterion, written separately from the
/// compressor: for each Q_i a combination c is searched (1) as a single VOP (c = e_j), (2) by a plain projected
/// subgradient method on the simplex written here, (3) only if both fail, by the library's cutting-plane solver. Whatever
/// the source of c (with libraryFirst, step 2 is skipped to save time on large sets), the proof is the same independent check: all eigenvalues of Σc_jV_j − Q_i (tridiagonal QL of the
/// existing kernels, not the Cholesky the compressor decides with) must be ≥ −tol·SAR_wc.
/// </summary>
internal static class VopDominanceCheck
{
    public sealed record Report(int Checked, int Failed, double WorstViolationOverSarWc, int BySingle, int BySubgradient, int ByLibrary);

    public static Report Check(double[] q, double[] vops, int n, double tol = 1e-9, bool libraryFirst = false)
    {
        int nn = n * n, count = q.Length / nn, k = vops.Length / nn;
        var lam = new double[count];
        HermitianKernels.LargestEigenvalues(q, n, lam);
        double wc = lam.Max();
        int failed = 0, single = 0, sub = 0, lib = 0;
        double worst = double.NegativeInfinity;
        var lockObj = new object();
        Parallel.For(0, count, () => (new double[nn], new double[n], new double[k], new double[k], new Complex[n], new CcDominanceSolver(n)), (i, _, b) =>
        {
            var (p, ev, c, g, v, solver) = b;
            var qi = q.AsSpan(i * nn, nn);
            double best = double.NegativeInfinity; int how = -1;
            // (0) with libraryFirst (large sets): the library's c first, single VOPs only if it fails
            if (libraryFirst) LibraryC(qi, ref best, ref how);
            // (1) single VOP
            for (int j = 0; j < k && best < -tol * wc; j++)
            {
                for (int t = 0; t < nn; t++) p[t] = vops[j * nn + t] - qi[t];
                HermitianKernels.Eigenvalues(p, n, ev);
                if (ev[0] > best) { best = ev[0]; how = 0; }
            }
            // (2) projected subgradient on min_c λ_max(Q − Σ c_j V_j)
            if (best < -tol * wc && !libraryFirst)
            {
                Array.Fill(c, 1.0 / k);
                for (int it = 1; it <= 400 && best < -tol * wc; it++)
                {
                    Combine(vops, c, k, nn, p);
                    for (int t = 0; t < nn; t++) p[t] = qi[t] - p[t];
                    double lmax = HermitianKernels.LargestEigen(p, n, v);
                    if (-lmax > best) { best = -lmax; how = 1; }
                    var w = HermitianPacking.DriveWeights(v);
                    for (int j = 0; j < k; j++) { g[j] = 0; for (int t = 0; t < nn; t++) g[j] += vops[j * nn + t] * w[t]; }
                    double step = 0.5 / Math.Sqrt(it) / Math.Max(wc, 1e-300);
                    for (int j = 0; j < k; j++) c[j] += step * g[j]; // descent on λ_max: gradient is −g
                    ProjectSimplex(c);
                }
            }
            // (3) the library's solver as a source of c
            if (best < -tol * wc && !libraryFirst) LibraryC(qi, ref best, ref how);

            void LibraryC(ReadOnlySpan<double> qq, ref double bestV, ref int howV)
            {
                solver.Minimize(qq, vops, k, wc);
                solver.BestC.Slice(0, k).CopyTo(c);
                Combine(vops, c, k, nn, p);
                for (int t = 0; t < nn; t++) p[t] -= qq[t];
                HermitianKernels.Eigenvalues(p, n, ev);
                if (ev[0] > bestV) { bestV = ev[0]; howV = 2; }
            }
            lock (lockObj)
            {
                if (best < -tol * wc) failed++;
                worst = Math.Max(worst, -best / wc);
                if (how == 0) single++; else if (how == 1) sub++; else lib++;
            }
            return b;
        }, _ => { });
        return new Report(count, failed, worst, single, sub, lib);
    }

    private static void Combine(double[] vops, double[] c, int k, int nn, double[] p)
    {
        Array.Clear(p);
        for (int j = 0; j < k; j++)
            if (c[j] != 0) for (int t = 0; t < nn; t++) p[t] += c[j] * vops[j * nn + t];
    }

    /// <summary>Euclidean projection onto the probability simplex (sort-based).</summary>
    private static void ProjectSimplex(double[] c)
    {
        var s = (double[])c.Clone();
        Array.Sort(s); Array.Reverse(s);
        double cum = 0, theta = 0;
        for (int i = 0; i < s.Length; i++)
        {
            cum += s[i];
            double t = (cum - 1) / (i + 1);
            if (i == s.Length - 1 || s[i + 1] <= t) { theta = t; break; }
        }
        for (int i = 0; i < c.Length; i++) c[i] = Math.Max(0, c[i] - theta);
    }
}
