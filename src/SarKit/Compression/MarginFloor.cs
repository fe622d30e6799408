using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Compression;

/// <summary>
/// The margin floor of a VOP list: μ = max_j λ_min(V_j), attained at VOP j*. Every Hermitian Q with λ_max(Q) ≤ μ is
/// dominated by V_j* alone (CC criterion of Lee et al., MRM 2012, with one VOP): for every drive x,
/// xᴴ(V_j* − Q)x ≥ (λ_min(V_j*) − λ_max(Q))‖x‖² ≥ 0. VOPs carry the margin Z (ε·SAR_wc·I for the diagonal margin), so
/// μ ≥ ε·SAR_wc, and every matrix whose worst-case SAR lies below the margin is proven without a factorisation — the
/// cheap pre-screen of the compressor's pass (the verifier has its own, VopVerifier.Floor). Exact, not approximate: μ is lowered and every λ_max bound
/// raised by <see cref="Guard"/>, far above the rounding of the eigenvalue solves, so a rounding error can only make the
/// screen prove less.
/// </summary>
internal sealed class MarginFloor
{
    /// <summary>Bench baseline only (bench/ `population-stages`): false turns the compressor's floor off (exact paths only).</summary>
    internal static bool Enabled = true;

    /// <summary>Relative slack added to a computed upper bound of λ_max (‖Q‖_F·(1 + slack)) for its rounding.</summary>
    public const double RelativeSlack = 1e-12;

    /// <summary>max_j λ_min(V_j) − <see cref="Guard"/> (−∞ while empty or when no λ_min is finite).</summary>
    public double Mu { get; private set; } = double.NegativeInfinity;
    /// <summary>The VOP j* of <see cref="Mu"/>, −1 while none.</summary>
    public int Index { get; private set; } = -1;
    /// <summary>Absolute rounding guard: 16·n²·u·scale (u = 2⁻⁵², scale ≥ the norm of the matrices compared).</summary>
    public double Guard { get; }

    private readonly int _n;
    private readonly double[] _eig;
    private readonly HermitianWorkspace _ws;

    /// <summary>An empty floor for N-channel matrices whose norms are at most about <paramref name="scale"/> (SAR_wc).</summary>
    public MarginFloor(int n, double scale)
    {
        _n = n;
        _eig = new double[n];
        _ws = new HermitianWorkspace(n);
        Guard = 16.0 * n * n * Math.ScaleB(1.0, -52) * Math.Max(scale, double.Epsilon);
    }

    /// <summary>The floor of the <paramref name="count"/> packed VOPs of <paramref name="vops"/> (default: all).</summary>
    public static MarginFloor Of(ReadOnlySpan<double> vops, int n, double scale, int count = -1)
    {
        int nn = n * n, k = count < 0 ? vops.Length / nn : count;
        double vmax = scale;
        for (int j = 0; j < k; j++) vmax = Math.Max(vmax, HermitianKernels.FrobeniusNorm(vops.Slice(j * nn, nn), n));
        var f = new MarginFloor(n, vmax);
        for (int j = 0; j < k; j++) f.Add(j, vops.Slice(j * nn, nn));
        return f;
    }

    /// <summary>Takes VOP <paramref name="index"/> into the floor (one eigenvalue solve); true when it raised μ.</summary>
    public bool Add(int index, ReadOnlySpan<double> vop)
    {
        HermitianKernels.Eigenvalues(vop, _n, _eig, _ws);
        double mu = _eig[0] - Guard;
        if (!(mu > Mu)) return false; // also NaN
        Mu = mu; Index = index;
        return true;
    }

    /// <summary>
    /// True when a matrix with λ_max ≤ <paramref name="lambdaMaxBound"/> is proven dominated by VOP <see cref="Index"/>
    /// within the tolerance τ (λ_max − μ ≤ τ − guard) and its violation bound λ_max − μ lies below
    /// <paramref name="below"/> (pass +∞ when any proof will do); <paramref name="violation"/> = that bound.
    /// </summary>
    public bool Proves(double lambdaMaxBound, double tau, double below, out double violation)
    {
        violation = lambdaMaxBound - Mu;
        return Enabled && Index >= 0 && violation <= tau - Guard && violation < below;
    }
}
