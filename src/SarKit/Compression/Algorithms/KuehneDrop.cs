using System.Threading;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Compression.Algorithms;

/// <summary>
/// Kuehne's speed-up (Kuehne, Waiczies, Niendorf, ISMRM 2017 #478): after a candidate was found dominated by
/// P = Σ c_j V_j, every remaining matrix Q_k with P − Q_k ⪰ 0 is dominated by the same combination and is dropped.
/// Free pre-test: a diagonal entry P_ll &lt; Q_k,ll proves P − Q_k not PSD; otherwise one Cholesky factorisation.
/// The scan runs over the still pending candidates in parallel (one workspace per worker thread) and is throttled when it
/// stops paying off (drop rate below 0.2 %: the next scans are skipped with exponential back-off).
/// </summary>
internal sealed class KuehneDrop(CompressionContext ctx)
{
    private int _skip, _backoff;
    public long Scans, Scanned, Dropped;

    /// <summary>Scans pending[from..count) (entries with done = true are skipped) unless throttled; returns the number dropped.</summary>
    public int MaybeScan(double[] p, int[] pending, int from, int count, bool[] done)
    {
        int remaining = count - from;
        if (remaining <= 0) return 0;
        if (remaining > 4000 && _skip > 0) { _skip--; return 0; }
        int dropped = Scan(p, pending, from, count, done);
        Scans++; Scanned += remaining; Dropped += dropped;
        if (remaining > 4000 && dropped < 0.002 * remaining) { _backoff = Math.Min(64, Math.Max(1, _backoff * 2)); _skip = _backoff; }
        else _backoff = 0;
        return dropped;
    }

    public int Scan(double[] p, int[] pending, int from, int count, bool[] done)
    {
        int n = ctx.N, nn = ctx.NN, dropped = 0;
        var q = ctx.Q;
        int chunk = 256, chunks = (count - from + chunk - 1) / chunk;
        if (chunks <= 1 || ctx.Threads == 1)
        {
            for (int t = from; t < count; t++) if (TryDrop(p, q, pending[t], n, nn, done)) dropped++;
            return dropped;
        }
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = ctx.Threads }, () => 0, (c, _, local) =>
        {
            int end = Math.Min(count, from + (c + 1) * chunk);
            for (int t = from + c * chunk; t < end; t++) if (TryDrop(p, q, pending[t], n, nn, done)) local++;
            return local;
        }, local => Interlocked.Add(ref dropped, local));
        return dropped;
    }

    private static bool TryDrop(double[] p, double[] q, int k, int n, int nn, bool[] done)
    {
        if (done[k]) return false;
        var qk = q.AsSpan(k * nn, nn);
        for (int l = 0; l < n; l++) if (p[l] < qk[l]) return false;
        if (!HermitianKernels.Dominates(p, qk, n, 0)) return false;
        done[k] = true;
        return true;
    }
}
