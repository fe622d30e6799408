using System.Numerics;
using System.Numerics.Tensors;
using SarKit.Sar;

namespace SarKit.Compression;

/// <summary>
/// Monte-Carlo statistics of how much a VOP set {V_j} overestimates the local SAR of the original Q-matrices {Q_i}
/// (Eichfelder &amp; Gebhardt, MRM 2011, eq. for SAR_VOP; Orzada et al. use the same random-drive check):
/// for unit drives b (‖b‖₂ = 1, complex Gaussian directions, i.e. uniform on the unit sphere of Cⁿ),
/// SAR_orig(b) = max_i bᴴQ_ib and SAR_vop(b) = max_j bᴴV_jb. The relative overestimation is
/// (SAR_vop − SAR_orig)/SAR_orig, the absolute one is (SAR_vop − SAR_orig)/SAR_wc with SAR_wc = max_i λ_max(Q_i).
/// A negative value for some drive means the VOP set underestimates: a safety failure, counted in
/// <see cref="UnderestimatingDrives"/>. Random drives can only detect failures, never certify a set
/// (see <see cref="VopSetCheck"/> and docs/vop-checks.md).
/// </summary>
public sealed record OverestimationReport
{
    /// <summary>Number of random unit drives evaluated.</summary>
    public int Drives { get; init; }
    /// <summary>Seed of the deterministic drive generator.</summary>
    public int Seed { get; init; }
    /// <summary>SAR_wc = max_i λ_max(Q_i) of the original set (units of Q, e.g. W/kg per (unit drive)²).</summary>
    public double SarWorstCase { get; init; }
    /// <summary>Mean of (SAR_vop − SAR_orig)/SAR_orig over the drives.</summary>
    public double MeanRelative { get; init; }
    /// <summary>95th percentile (nearest rank) of the relative overestimation.</summary>
    public double P95Relative { get; init; }
    /// <summary>Largest relative overestimation.</summary>
    public double MaxRelative { get; init; }
    /// <summary>Smallest relative overestimation; negative means underestimation (unsafe) for at least one drive.</summary>
    public double MinRelative { get; init; }
    /// <summary>Mean of (SAR_vop − SAR_orig)/SAR_wc.</summary>
    public double MeanAbsoluteOverSarWc { get; init; }
    /// <summary>Largest (SAR_vop − SAR_orig)/SAR_wc.</summary>
    public double MaxAbsoluteOverSarWc { get; init; }
    /// <summary>Number of drives with SAR_vop &lt; SAR_orig·(1 − relTol) (underestimation beyond the rounding tolerance).</summary>
    public int UnderestimatingDrives { get; init; }
    /// <summary>True when no drive was underestimated beyond the tolerance.</summary>
    public bool NoUnderestimation => UnderestimatingDrives == 0;

    private const int Block = 64;

    /// <summary>
    /// Evaluates <paramref name="drives"/> random unit drives. Matrices are packed back to back
    /// (<see cref="HermitianPacking"/>, n² doubles each). Drives are generated per block of 64 from
    /// <c>new Random(mix(seed, block))</c> (SplitMix64 mixing), so the result depends only on the seed, not on thread scheduling or the process. For each block the weight
    /// vectors w(b) are formed once and every matrix is evaluated as a SIMD dot product (bᴴQb = w·P).
    /// A drive counts as underestimated when SAR_vop &lt; SAR_orig·(1 − <paramref name="relTol"/>).
    /// </summary>
    public static OverestimationReport Compute(double[] originalPacked, double[] vopPacked, int n, int drives, int seed, double relTol = 1e-12)
    {
        int nn = CheckSet(originalPacked, n, "originalPacked");
        CheckSet(vopPacked, n, "vopPacked");
        if (drives < 1) throw new SarKitInputException($"OverestimationReport.Compute: drives = {drives}, expected ≥ 1.");
        int nq = originalPacked.Length / nn, nv = vopPacked.Length / nn;

        var lambda = new double[nq];
        HermitianKernels.LargestEigenvalues(originalPacked, n, lambda);
        double sarWc = TensorPrimitives.Max(lambda);
        if (!(sarWc > 0)) throw new SarKitInputException($"OverestimationReport.Compute: SAR_wc = max λ_max(Q_i) = {sarWc}, expected > 0.");

        var rel = new double[drives];
        var abs = new double[drives];
        int blocks = (drives + Block - 1) / Block;
        Parallel.For(0, blocks, () => new BlockBuffers(n), (blk, _, buf) =>
        {
            int start = blk * Block, count = Math.Min(Block, drives - start);
            var rng = new Random(BlockSeed(seed, blk));
            for (int d = 0; d < count; d++) FillRandomUnitDriveWeights(rng, n, buf.B, buf.W.AsSpan(d * nn, nn));
            MaxForms(originalPacked, nq, nn, buf.W, count, buf.Orig);
            MaxForms(vopPacked, nv, nn, buf.W, count, buf.Vop);
            for (int d = 0; d < count; d++)
            {
                double diff = buf.Vop[d] - buf.Orig[d];
                rel[start + d] = diff / buf.Orig[d];
                abs[start + d] = diff / sarWc;
            }
            return buf;
        }, _ => { });

        int under = 0;
        foreach (var r in rel) if (r < -relTol) under++;
        var sorted = (double[])rel.Clone();
        Array.Sort(sorted);
        int rank = Math.Clamp((int)Math.Ceiling(0.95 * drives) - 1, 0, drives - 1);
        return new OverestimationReport
        {
            Drives = drives,
            Seed = seed,
            SarWorstCase = sarWc,
            MeanRelative = TensorPrimitives.Sum(rel) / drives,
            P95Relative = sorted[rank],
            MaxRelative = sorted[^1],
            MinRelative = sorted[0],
            MeanAbsoluteOverSarWc = TensorPrimitives.Sum(abs) / drives,
            MaxAbsoluteOverSarWc = TensorPrimitives.Max(abs),
            UnderestimatingDrives = under,
        };
    }

    /// <summary>
    /// maxOut[d] = max_k w_d·P_k over the matrices of the set, for the <paramref name="count"/> weight vectors of the block.
    /// Register-blocked: each SIMD load of P_k is used for four drives at once.
    /// </summary>
    private static void MaxForms(double[] packed, int matrices, int nn, double[] weights, int count, double[] maxOut)
    {
        Array.Fill(maxOut, double.NegativeInfinity, 0, count);
        int vw = Vector<double>.Count, vecEnd = nn - nn % vw;
        for (int k = 0; k < matrices; k++)
        {
            var p = new ReadOnlySpan<double>(packed, k * nn, nn);
            int d = 0;
            for (; d + 4 <= count; d += 4)
            {
                var w0 = new ReadOnlySpan<double>(weights, d * nn, nn);
                var w1 = new ReadOnlySpan<double>(weights, (d + 1) * nn, nn);
                var w2 = new ReadOnlySpan<double>(weights, (d + 2) * nn, nn);
                var w3 = new ReadOnlySpan<double>(weights, (d + 3) * nn, nn);
                Vector<double> a0 = default, a1 = default, a2 = default, a3 = default;
                for (int t = 0; t < vecEnd; t += vw)
                {
                    var pv = new Vector<double>(p.Slice(t));
                    a0 += pv * new Vector<double>(w0.Slice(t));
                    a1 += pv * new Vector<double>(w1.Slice(t));
                    a2 += pv * new Vector<double>(w2.Slice(t));
                    a3 += pv * new Vector<double>(w3.Slice(t));
                }
                double s0 = Vector.Sum(a0), s1 = Vector.Sum(a1), s2 = Vector.Sum(a2), s3 = Vector.Sum(a3);
                for (int t = vecEnd; t < nn; t++) { s0 += p[t] * w0[t]; s1 += p[t] * w1[t]; s2 += p[t] * w2[t]; s3 += p[t] * w3[t]; }
                if (s0 > maxOut[d]) maxOut[d] = s0;
                if (s1 > maxOut[d + 1]) maxOut[d + 1] = s1;
                if (s2 > maxOut[d + 2]) maxOut[d + 2] = s2;
                if (s3 > maxOut[d + 3]) maxOut[d + 3] = s3;
            }
            for (; d < count; d++)
            {
                double s = TensorPrimitives.Dot(p, new ReadOnlySpan<double>(weights, d * nn, nn));
                if (s > maxOut[d]) maxOut[d] = s;
            }
        }
    }

    /// <summary>Draws b with i.i.d. standard complex Gaussian entries (Box–Muller), normalises ‖b‖₂ = 1 and writes w(b) (see <see cref="HermitianPacking.DriveWeights"/>).</summary>
    private static void FillRandomUnitDriveWeights(Random rng, int n, double[] b, Span<double> w)
    {
        double norm2;
        do
        {
            norm2 = 0;
            for (int i = 0; i < 2 * n; i += 2)
            {
                double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
                double r = Math.Sqrt(-2 * Math.Log(u1));
                b[i] = r * Math.Cos(2 * Math.PI * u2);
                b[i + 1] = r * Math.Sin(2 * Math.PI * u2);
                norm2 += b[i] * b[i] + b[i + 1] * b[i + 1];
            }
        } while (norm2 == 0);
        double inv = 1 / Math.Sqrt(norm2);
        for (int i = 0; i < 2 * n; i++) b[i] *= inv;
        for (int i = 0; i < n; i++) w[i] = b[2 * i] * b[2 * i] + b[2 * i + 1] * b[2 * i + 1];
        int o = n;
        for (int i = 0; i < n; i++)
        {
            double ar = b[2 * i], ai = b[2 * i + 1];
            for (int j = i + 1; j < n; j++)
            {
                double br = b[2 * j], bi = b[2 * j + 1];
                // conj(a)·b = (ar·br + ai·bi) + i(ar·bi − ai·br)
                w[o++] = 2 * (ar * br + ai * bi);
                w[o++] = -2 * (ar * bi - ai * br);
            }
        }
    }

    /// <summary>Deterministic, process-independent seed of a drive block (SplitMix64 finaliser of (seed, block); HashCode is randomised per process).</summary>
    private static int BlockSeed(int seed, int block)
    {
        ulong z = ((ulong)(uint)seed << 32 | (uint)block) + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (int)(z & 0x7FFFFFFF);
    }

    internal static int CheckSet(double[] packed, int n, string what)
    {
        ArgumentNullException.ThrowIfNull(packed, what);
        if (n < 1) throw new SarKitInputException($"VOP check: matrix size n = {n}, expected n ≥ 1.");
        int nn = n * n;
        if (packed.Length == 0 || packed.Length % nn != 0)
            throw new SarKitInputException($"VOP check: '{what}' has {packed.Length} doubles, expected a positive multiple of n² = {nn} (packed {n}×{n} matrices).");
        return nn;
    }

    private sealed class BlockBuffers(int n)
    {
        public readonly double[] B = new double[2 * n];
        public readonly double[] W = new double[Block * n * n];
        public readonly double[] Orig = new double[Block];
        public readonly double[] Vop = new double[Block];
    }
}
