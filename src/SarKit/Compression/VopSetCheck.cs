using SarKit.Numerics.LinearAlgebra;


namespace SarKit.Compression;

/// <summary>Result of <see cref="VopSetCheck.SingleVopDominance"/>.</summary>
/// <param name="DominatingVop">Per original matrix i, the index j of the first VOP with V_j − Q_i ⪰ 0, or −1 if none.</param>
/// <param name="NotSinglyDominated">Indices i of the original matrices that no single VOP dominates (ascending).</param>
public sealed record SingleDominanceResult(int[] DominatingVop, int[] NotSinglyDominated)
{
    /// <summary>True when every original matrix is dominated by one VOP, which certifies the set (sufficient condition).</summary>
    public bool AllSinglyDominated => NotSinglyDominated.Length == 0;
}

/// <summary>
/// Deterministic checks of a VOP set {V_j} against the original Q-matrices {Q_i}.
/// </summary>
public static class VopSetCheck
{
    /// <summary>
    /// Single-VOP dominance (Eichfelder &amp; Gebhardt, MRM 2011): Q_i is covered if some V_j satisfies V_j − Q_i ⪰ 0
    /// (tested by Cholesky of V_j − Q_i + τI, τ = <paramref name="absTol"/> in the units of Q). If every Q_i is covered the
    /// set is safe, for single drives and for time-averaged SAR tr(Q_iW). The condition is sufficient, not necessary:
    /// a valid VOP set from Lee et al. (MRM 2012) or Orzada et al. may cover Q_i only through a convex combination
    /// Σ_j c_jV_j − Q_i ⪰ 0 (c ≥ 0, Σc_j = 1), the CC criterion, proven by <see cref="VopVerifier"/>; matrices listed in
    /// <see cref="SingleDominanceResult.NotSinglyDominated"/> are therefore "not proven", not necessarily unsafe.
    /// Runs in parallel over the original matrices with the calling worker's <see cref="HermitianWorkspace"/>.
    /// </summary>
    public static SingleDominanceResult SingleVopDominance(double[] originalPacked, double[] vopPacked, int n, double absTol)
    {
        int nn = OverestimationReport.CheckSet(originalPacked, n, "originalPacked");
        OverestimationReport.CheckSet(vopPacked, n, "vopPacked");
        if (!(absTol >= 0)) throw new SarKitInputException($"VopSetCheck.SingleVopDominance: absTol = {absTol}, expected ≥ 0.");
        int nq = originalPacked.Length / nn, nv = vopPacked.Length / nn;
        var by = new int[nq];
        Parallel.For(0, nq, () => new HermitianWorkspace(n), (i, _, ws) =>
        {
            var q = originalPacked.AsSpan(i * nn, nn);
            by[i] = -1;
            for (int j = 0; j < nv; j++)
                if (HermitianKernels.Dominates(vopPacked.AsSpan(j * nn, nn), q, n, absTol, ws)) { by[i] = j; break; }
            return ws;
        }, _ => { });
        var not = new List<int>();
        for (int i = 0; i < nq; i++) if (by[i] < 0) not.Add(i);
        return new SingleDominanceResult(by, not.ToArray());
    }
}
