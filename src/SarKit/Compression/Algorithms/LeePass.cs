using System.Diagnostics;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Compression.Algorithms;

/// <summary>Settings of one <see cref="LeePass"/>.</summary>
internal sealed record LeePassSettings
{
    /// <summary>Kuehne's drop after every dominated candidate and after every new VOP, plus the mean-matrix first solve.</summary>
    public bool Kuehne { get; init; }
    /// <summary>Above this many VOPs candidates are tested with the CO criterion instead of CC (hybrid); int.MaxValue = CC only.</summary>
    public int HybridSwitchVops { get; init; } = int.MaxValue;
    public string Stage { get; init; } = "compress";
    public int Iteration { get; init; }
    public double Epsilon { get; init; }
}

/// <summary>Counters of one pass.</summary>
internal sealed record LeePassStats(long CcTests, long CoTests, long Evaluations, long Undecided, long KuehneScans, long KuehneDropped, int CoDropped, double Seconds, long FloorDropped = 0);

/// <summary>
/// One pass of Lee et al. (MRM 2012) over the candidates in λ_max-descending order: a candidate that the current VOPs do
/// not dominate (CC criterion, <see cref="CcDominanceSolver"/>) becomes a VOP Q + Z; with <see cref="LeePassSettings.Kuehne"/>
/// every found combination P = Σc_jV_j (and every new VOP) drops all remaining matrices it dominates (<see cref="KuehneDrop"/>).
/// Candidates are tested speculatively in batches in parallel against the VOP list as it was at the batch start and committed
/// in order: a dominated result stays valid when VOPs were added meanwhile (more VOPs only help); a non-dominated one is
/// accepted if no VOP was added since, or if its rank-1 witness drive is still underestimated by the new VOPs; otherwise
/// it is re-tested in the next batch. The result is therefore exactly a sequential Lee pass. Above
/// <see cref="LeePassSettings.HybridSwitchVops"/> VOPs the CO criterion is used (Orzada et al. 2024 hybrid); matrices
/// dropped by CO are returned so that the caller can re-check them with CC.
/// </summary>
internal sealed class LeePass(CompressionContext ctx, CcDominanceSolver[] solvers, CoDominanceSolver[] coSolvers)
{
    public LeePassStats? Stats { get; private set; }

    /// <summary>Runs the pass over <paramref name="candidates"/> (indices, in processing order) that are not yet <paramref name="done"/>; adds VOPs to <paramref name="vops"/>. Returns the CO-dropped indices.</summary>
    public List<int> Run(VopList vops, double[] z, int[] candidates, bool[] done, LeePassSettings s)
    {
        var sw = Stopwatch.StartNew();
        var ct = ctx.Cancellation;
        int nn = ctx.NN;
        double scale = ctx.SarWc;
        foreach (var sol in solvers) sol.Reset();
        long cc0 = solvers.Sum(x => x.Tests), ev0 = solvers.Sum(x => x.Evaluations), un0 = solvers.Sum(x => x.UndecidedCount), co0 = coSolvers.Sum(x => x.Tests);
        var kuehne = new KuehneDrop(ctx);
        var coDropped = new List<int>();
        // pending = candidates not done, compacted as we go
        var pending = new int[candidates.Length];
        int count = 0;
        foreach (var c in candidates) if (!done[c]) pending[count++] = c;
        int total = count, pos = 0;
        // margin floor (MarginFloor): a candidate with λ_max ≤ max_j λ_min(V_j) is dominated by that VOP alone; in λ_max
        // order (the Lee order) the whole tail from the first such candidate on is, so the pending list is cut there
        // (dominated ones only: the result is the same set as without the cut, found with fewer tests and shorter scans)
        var lambda = ctx.Lambda;
        bool sorted = true;
        for (int t = 1; t < count && sorted; t++) sorted = !(lambda[pending[t]] > lambda[pending[t - 1]]);
        var floor = MarginFloor.Of(vops.Packed, ctx.N, ctx.N * scale, vops.Count);
        long floorDropped = 0;
        void CutAtFloor()
        {
            if (!sorted) return;
            while (count > pos && floor.Proves(lambda[pending[count - 1]] + floor.Guard, 0, double.PositiveInfinity, out _))
            {
                int k = pending[--count];
                if (!done[k]) { done[k] = true; floorDropped++; }
            }
        }
        CutAtFloor();

        if (s.Kuehne && vops.Count > 0 && count > 0 && vops.Count <= s.HybridSwitchVops)
        {
            // Kuehne/Orzada: one CC solve with the mean matrix as a fake candidate, then drop what its combination dominates
            if (solvers[0].Test(ctx.Mean, vops.Packed, vops.Count, scale) == DominanceOutcome.Dominated)
                kuehne.Scan(solvers[0].P, pending, 0, count, done);
        }

        int batchSize = solvers.Length;
        var batch = new int[batchSize];
        var outcome = new DominanceOutcome[batchSize];
        var usedCo = new bool[batchSize];
        var fromCache = new bool[batchSize];
        var cache = new CombinationCache(nn, 8);
        var po = new ParallelOptions { MaxDegreeOfParallelism = ctx.Threads, CancellationToken = ct };
        var lastReport = Stopwatch.StartNew();
        var vbuf = new double[nn];
        long processedBase = 0;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            while (pos < count && done[pending[pos]]) pos++;
            int nb = 0;
            for (int t = pos; t < count && nb < batchSize; t++) if (!done[pending[t]]) batch[nb++] = pending[t];
            if (nb == 0) break;
            int j0 = vops.Count;
            var snapshot = vops.Packed;
            bool co = j0 > s.HybridSwitchVops;
            if (nb == 1 || ctx.Threads == 1)
                for (int b = 0; b < nb; b++) outcome[b] = TestOne(b, co);
            else
                Parallel.For(0, nb, po, b => outcome[b] = TestOne(b, co));

            DominanceOutcome TestOne(int b, bool useCo)
            {
                usedCo[b] = useCo;
                fromCache[b] = false;
                var q = ctx.Matrix(batch[b]);
                // pull-mode Kuehne: the few most recently successful combinations first (diagonal pre-test + one Cholesky each)
                if (s.Kuehne && cache.Dominates(q, ctx.N)) { fromCache[b] = true; usedCo[b] = false; return DominanceOutcome.Dominated; }
                return useCo ? coSolvers[b].Test(q, snapshot, j0, scale) : solvers[b].Test(q, snapshot, j0, scale);
            }

            bool blocked = false; // once a candidate is re-queued, later non-dominated ones wait too (keeps the sequential order)
            for (int b = 0; b < nb; b++)
            {
                int idx = batch[b];
                if (done[idx]) continue; // dropped by a scan of this commit
                if (outcome[b] == DominanceOutcome.Dominated)
                {
                    done[idx] = true;
                    if (usedCo[b]) coDropped.Add(idx);
                    else if (s.Kuehne && !fromCache[b])
                    {
                        cache.Add(solvers[b].P);
                        kuehne.MaybeScan(solvers[b].P, pending, pos, count, done);
                    }
                    continue;
                }
                bool accept = !blocked && vops.Count == j0;
                if (!blocked && !accept && outcome[b] == DominanceOutcome.NotDominated)
                {
                    var (w, wq) = usedCo[b] ? (coSolvers[b].Witness, coSolvers[b].WitnessQ) : (solvers[b].Witness, solvers[b].WitnessQ);
                    bool rank1 = usedCo[b] || solvers[b].HasRank1Witness;
                    if (rank1)
                    {
                        accept = true;
                        for (int j = j0; j < vops.Count && accept; j++)
                            if (FixedOrderDot.Dot(vops.Matrix(j), w) >= wq - 1e-12 * scale) accept = false;
                    }
                }
                if (!accept) { blocked = true; continue; } // re-tested in the next batch against the grown VOP list
                vops.Add(idx, ctx.Matrix(idx), z);
                done[idx] = true;
                if (sorted && floor.Add(vops.Count - 1, vops.Matrix(vops.Count - 1))) CutAtFloor();
                if (s.Kuehne)
                {
                    vops.Matrix(vops.Count - 1).CopyTo(vbuf);
                    cache.Add(vbuf);
                    kuehne.MaybeScan(vbuf, pending, pos, count, done);
                }
            }
            // compact the pending list now and then so that scans and batch collection stay proportional to what is left
            if (pos > 4096 && pos > count / 2)
            {
                int w2 = 0;
                for (int t = pos; t < count; t++) if (!done[pending[t]]) pending[w2++] = pending[t];
                processedBase += pos; count = w2; pos = 0;
            }
            if (ctx.Progress is not null && lastReport.ElapsedMilliseconds > 200)
            {
                lastReport.Restart();
                long left = 0;
                for (int t = pos; t < count; t++) if (!done[pending[t]]) left++;
                ctx.Progress.Report(new VopCompressionProgress(s.Stage, s.Iteration, s.Epsilon, total - left, total, vops.Count));
            }
        }
        ctx.Progress?.Report(new VopCompressionProgress(s.Stage, s.Iteration, s.Epsilon, total, total, vops.Count));
        Stats = new LeePassStats(solvers.Sum(x => x.Tests) - cc0, coSolvers.Sum(x => x.Tests) - co0, solvers.Sum(x => x.Evaluations) - ev0,
                                 solvers.Sum(x => x.UndecidedCount) - un0, kuehne.Scans, kuehne.Dropped, coDropped.Count, sw.Elapsed.TotalSeconds, floorDropped);
        return coDropped;
    }
}

/// <summary>
/// The last few dominating combinations P = Σc_jV_j (and new VOPs) of a pass, most recent first: a candidate is tested
/// against them (diagonal pre-test, then one Cholesky of P − Q) before a full CC solve. Written only between the
/// parallel test phases; read concurrently during them.
/// </summary>
internal sealed class CombinationCache(int nn, int capacity)
{
    private readonly double[][] _p = Enumerable.Range(0, capacity).Select(_ => new double[nn]).ToArray();
    private int _count;

    public void Add(ReadOnlySpan<double> p)
    {
        var last = _p[capacity - 1];
        Array.Copy(_p, 0, _p, 1, capacity - 1);
        p.CopyTo(last);
        _p[0] = last;
        _count = Math.Min(capacity, _count + 1);
    }

    public bool Dominates(ReadOnlySpan<double> q, int n)
    {
        for (int k = 0; k < _count; k++)
        {
            var p = _p[k];
            bool diag = true;
            for (int l = 0; l < n && diag; l++) diag = p[l] >= q[l];
            if (diag && HermitianKernels.Dominates(p, q, n, 0)) return true;
        }
        return false;
    }
}
