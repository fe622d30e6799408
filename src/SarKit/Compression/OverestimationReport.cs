using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SarKit.Sar;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Compression;

/// <summary>
/// Monte-Carlo statistics of how much a VOP set {V_j} overestimates the local SAR of the original Q-matrices {Q_i}
/// (VOP definition of Eichfelder &amp; Gebhardt, MRM 2011; a random-drive test, not a certificate):
/// for unit drives b (‖b‖₂ = 1, complex Gaussian directions, i.e. uniform on the unit sphere of Cⁿ),
/// SAR_orig(b) = max_i bᴴQ_ib and SAR_vop(b) = max_j bᴴV_jb. The relative overestimation is
/// (SAR_vop − SAR_orig)/SAR_orig, the absolute one is (SAR_vop − SAR_orig)/SAR_wc with SAR_wc = max_i λ_max(Q_i).
/// A negative value for some drive means the VOP set underestimates: a safety failure, counted in
/// <see cref="UnderestimatingDrives"/>. Random drives can only detect failures, never certify a set
/// (see <see cref="VopSetCheck"/> and docs/vop-checks.md).
/// </summary>
public sealed partial record OverestimationReport
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
    /// <summary>Histogram of the relative overestimation (streaming <see cref="Compute(IQMatrixSource, double[], int, OverestimationOptions?, IProgress{double}?, CancellationToken)"/> only; null otherwise).</summary>
    public OverestimationHistogram? RelativeHistogram { get; init; }
    /// <summary>Histogram of the absolute overestimation (SAR_vop − SAR_orig)/SAR_wc (streaming compute only; null otherwise).</summary>
    public OverestimationHistogram? AbsoluteHistogram { get; init; }
    /// <summary>Number of original matrices compared (streaming compute; 0 otherwise).</summary>
    public long OriginalMatrices { get; init; }

    internal const int Block = 64;

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
            if (count < Block) Array.Clear(buf.W);
            for (int d = 0; d < count; d++) FillRandomUnitDriveWeights(rng, n, buf.B, buf.W, d);
            MaxForms(originalPacked, nq, nn, buf.W, buf.Orig);
            MaxForms(vopPacked, nv, nn, buf.W, buf.Vop);
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
            MeanRelative = FixedOrderDot.Sum(rel) / drives,
            P95Relative = sorted[rank],
            MaxRelative = sorted[^1],
            MinRelative = sorted[0],
            MeanAbsoluteOverSarWc = FixedOrderDot.Sum(abs) / drives,
            MaxAbsoluteOverSarWc = TensorPrimitives.Max(abs),
            UnderestimatingDrives = under,
        };
    }

    /// <summary>
    /// maxOut[d] = max_k w_d·P_k over the matrices of the set, for all <see cref="Block"/> drives of the block.
    /// The weights are stored drive-fastest (wt[t·Block + d]), so each packed element P_k[t] is broadcast once and
    /// multiplied into SIMD vectors of drives; the maxima are taken vector-wise (no horizontal sums).
    /// </summary>
    internal static void MaxForms(double[] packed, int matrices, int nn, double[] wt, double[] maxOut)
        => MaxForms(packed, 0, matrices, nn, wt, maxOut);

    /// <summary>
    /// <see cref="MaxForms(double[], int, int, double[], double[])"/> over the matrices first .. first + matrices − 1.
    /// Kernel (issue 18): two matrices at a time share every load of the drive weights (8 accumulators of 4 drives), and
    /// each term is one fused multiply-add (<c>Vector.FusedMultiplyAdd</c>: always fused, on hardware without FMA
    /// emulated exactly, so the bits do not depend on the machine). The sum runs over t in the same order as before; a
    /// form differs from the former multiply-then-add kernel only by rounding, and its error is at most
    /// γ_{n²}·Σ_t |w_t P_t| (n² roundings instead of 2n²), far below the 1e-12 relative tolerance of the
    /// underestimation count and the 1e-9·λ_max slack of the early exit (docs/vop-checks.md).
    /// Compiled fully optimised at its first call (<see cref="MethodImplOptions.AggressiveOptimization"/>): Vector&lt;T&gt; code is
    /// not precompiled by ReadyToRun, and a one-shot `vop compress` spent most of the check in the tier-0 / OSR versions
    /// (random drives 0.96 s CPU with tiering vs 0.60 s with DOTNET_TieredCompilation=0, issue 18).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void MaxForms(double[] packed, int first, int matrices, int nn, double[] wt, double[] maxOut)
    {
        int vw = Vector<double>.Count, group = 4 * vw;
        ref double w = ref MemoryMarshal.GetArrayDataReference(wt);
        ref double pk0 = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(packed), (nint)first * nn);
        for (int g = 0; g < Block; g += group)
        {
            var m0 = new Vector<double>(double.NegativeInfinity);
            Vector<double> m1 = m0, m2 = m0, m3 = m0;
            int k = 0;
            for (; k + 1 < matrices; k += 2)
            {
                ref double p = ref Unsafe.Add(ref pk0, (nint)k * nn);
                ref double q = ref Unsafe.Add(ref p, nn);
                Vector<double> a0 = default, a1 = default, a2 = default, a3 = default;
                Vector<double> c0 = default, c1 = default, c2 = default, c3 = default;
                for (int t = 0; t < nn; t++)
                {
                    nuint o = (nuint)(t * Block + g);
                    var w0 = Vector.LoadUnsafe(ref w, o);
                    var w1 = Vector.LoadUnsafe(ref w, o + (nuint)vw);
                    var w2 = Vector.LoadUnsafe(ref w, o + (nuint)(2 * vw));
                    var w3 = Vector.LoadUnsafe(ref w, o + (nuint)(3 * vw));
                    var pb = new Vector<double>(Unsafe.Add(ref p, t));
                    var qb = new Vector<double>(Unsafe.Add(ref q, t));
                    a0 = Vector.FusedMultiplyAdd(pb, w0, a0); a1 = Vector.FusedMultiplyAdd(pb, w1, a1);
                    a2 = Vector.FusedMultiplyAdd(pb, w2, a2); a3 = Vector.FusedMultiplyAdd(pb, w3, a3);
                    c0 = Vector.FusedMultiplyAdd(qb, w0, c0); c1 = Vector.FusedMultiplyAdd(qb, w1, c1);
                    c2 = Vector.FusedMultiplyAdd(qb, w2, c2); c3 = Vector.FusedMultiplyAdd(qb, w3, c3);
                }
                m0 = Vector.Max(m0, Vector.Max(a0, c0)); m1 = Vector.Max(m1, Vector.Max(a1, c1));
                m2 = Vector.Max(m2, Vector.Max(a2, c2)); m3 = Vector.Max(m3, Vector.Max(a3, c3));
            }
            if (k < matrices)
            {
                ref double p = ref Unsafe.Add(ref pk0, (nint)k * nn);
                Vector<double> a0 = default, a1 = default, a2 = default, a3 = default;
                for (int t = 0; t < nn; t++)
                {
                    var pb = new Vector<double>(Unsafe.Add(ref p, t));
                    nuint o = (nuint)(t * Block + g);
                    a0 = Vector.FusedMultiplyAdd(pb, Vector.LoadUnsafe(ref w, o), a0);
                    a1 = Vector.FusedMultiplyAdd(pb, Vector.LoadUnsafe(ref w, o + (nuint)vw), a1);
                    a2 = Vector.FusedMultiplyAdd(pb, Vector.LoadUnsafe(ref w, o + (nuint)(2 * vw)), a2);
                    a3 = Vector.FusedMultiplyAdd(pb, Vector.LoadUnsafe(ref w, o + (nuint)(3 * vw)), a3);
                }
                m0 = Vector.Max(m0, a0); m1 = Vector.Max(m1, a1); m2 = Vector.Max(m2, a2); m3 = Vector.Max(m3, a3);
            }
            m0.CopyTo(maxOut, g); m1.CopyTo(maxOut, g + vw); m2.CopyTo(maxOut, g + 2 * vw); m3.CopyTo(maxOut, g + 3 * vw);
        }
    }

    /// <summary>The kernel before issue 18 (one matrix at a time, separate multiply and add): reference for tests and the bench.</summary>
    internal static void MaxFormsPlain(double[] packed, int first, int matrices, int nn, double[] wt, double[] maxOut)
    {
        int vw = Vector<double>.Count, group = 4 * vw;
        ref double w = ref MemoryMarshal.GetArrayDataReference(wt);
        ref double pk0 = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(packed), (nint)first * nn);
        for (int g = 0; g < Block; g += group)
        {
            var m0 = new Vector<double>(double.NegativeInfinity);
            Vector<double> m1 = m0, m2 = m0, m3 = m0;
            for (int k = 0; k < matrices; k++)
            {
                ref double p = ref Unsafe.Add(ref pk0, (nint)k * nn);
                Vector<double> a0 = default, a1 = default, a2 = default, a3 = default;
                for (int t = 0; t < nn; t++)
                {
                    var pb = new Vector<double>(Unsafe.Add(ref p, t));
                    nuint o = (nuint)(t * Block + g);
                    a0 += pb * Vector.LoadUnsafe(ref w, o);
                    a1 += pb * Vector.LoadUnsafe(ref w, o + (nuint)vw);
                    a2 += pb * Vector.LoadUnsafe(ref w, o + (nuint)(2 * vw));
                    a3 += pb * Vector.LoadUnsafe(ref w, o + (nuint)(3 * vw));
                }
                m0 = Vector.Max(m0, a0); m1 = Vector.Max(m1, a1); m2 = Vector.Max(m2, a2); m3 = Vector.Max(m3, a3);
            }
            m0.CopyTo(maxOut, g); m1.CopyTo(maxOut, g + vw); m2.CopyTo(maxOut, g + 2 * vw); m3.CopyTo(maxOut, g + 3 * vw);
        }
    }

    /// <summary>Draws b with i.i.d. standard complex Gaussian entries (Box–Muller), normalises ‖b‖₂ = 1 and writes w(b) as column d of the drive-fastest block wt[t·Block + d] (see <see cref="HermitianPacking.DriveWeights"/>).</summary>
    internal static void FillRandomUnitDriveWeights(Random rng, int n, double[] b, double[] wt, int d)
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
        for (int i = 0; i < n; i++) wt[i * Block + d] = b[2 * i] * b[2 * i] + b[2 * i + 1] * b[2 * i + 1];
        int o = n;
        for (int i = 0; i < n; i++)
        {
            double ar = b[2 * i], ai = b[2 * i + 1];
            for (int j = i + 1; j < n; j++)
            {
                double br = b[2 * j], bi = b[2 * j + 1];
                // conj(a)·b = (ar·br + ai·bi) + i(ar·bi − ai·br)
                wt[o++ * Block + d] = 2 * (ar * br + ai * bi);
                wt[o++ * Block + d] = -2 * (ar * bi - ai * br);
            }
        }
    }

    /// <summary>Deterministic, process-independent seed of a drive block (SplitMix64 finaliser of (seed, block); HashCode is randomised per process).</summary>
    internal static int BlockSeed(int seed, int block)
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
