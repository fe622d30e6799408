using System.Numerics.Tensors;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Compression;

/// <summary>Histogram with uniform bins: Counts[b] drives fell in [Edges[b], Edges[b + 1]) (the last bin includes its right edge).</summary>
public sealed record OverestimationHistogram(double[] Edges, long[] Counts);

/// <summary>Settings of the streaming <see cref="OverestimationReport.Compute(IQMatrixSource, double[], int, OverestimationOptions?, IProgress{double}?, CancellationToken)"/>.</summary>
public sealed record OverestimationOptions
{
    /// <summary>Random unit drives (issue 3 asks for ≥ 10⁵ for the report).</summary>
    public int Drives { get; init; } = 100_000;
    public int Seed { get; init; } = 1;
    /// <summary>Histogram bins (uniform between the smallest and largest value).</summary>
    public int Bins { get; init; } = 40;
    /// <summary>Drives with SAR_vop &lt; SAR_orig·(1 − RelTol) count as underestimated.</summary>
    public double RelTol { get; init; } = 1e-12;
    /// <summary>SAR_wc of the originals when known (saves one eigenvalue per original matrix); computed while streaming otherwise.</summary>
    public double? SarWorstCase { get; init; }
    /// <summary>Worker threads (default <see cref="SarKitSettings.MaxDegreeOfParallelism"/> of <see cref="SarKitSettings.Default"/>); the report does not depend on it.</summary>
    public int MaxDegreeOfParallelism { get; init; } = SarKitSettings.Default.MaxDegreeOfParallelism;
}

public sealed partial record OverestimationReport
{
    /// <summary>
    /// The report of <see cref="Compute(double[], double[], int, int, int, double)"/> with the original matrices streamed from
    /// <paramref name="originals"/> in chunks (so sets larger than memory work), plus histograms of the relative and the
    /// absolute overestimation for plotting. Drives are the same as in the in-memory overload for the same seed
    /// (blocks of 64 from SplitMix64(seed, block)); each block's drives are regenerated per chunk of originals, so memory is
    /// O(drives + chunk). Cost ≈ drives × (originals + VOPs) × n² multiply-adds.
    /// </summary>
    public static OverestimationReport Compute(IQMatrixSource originals, double[] vopPacked, int n, OverestimationOptions? options = null,
                                               IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        var o = options ?? new OverestimationOptions();
        if (originals.Channels != n) throw new SarKitInputException($"{originals.Description}: {originals.Channels} channels, the VOP set has {n}.");
        CheckSet(vopPacked, n, "vopPacked");
        if (o.Drives < 1) throw new SarKitInputException($"Overestimation report: drives = {o.Drives}, expected ≥ 1.");
        if (o.Bins < 1) throw new SarKitInputException($"Overestimation report: bins = {o.Bins}, expected ≥ 1.");
        var sampler = new DriveSampler(n, o.Drives, o.Seed, o.MaxDegreeOfParallelism);
        int nn = n * n;
        int chunk = (int)Math.Min(QMatrixSourceExtensions.DefaultChunk, Math.Max(1, originals.Count));
        var buf = new double[(long)chunk * nn];
        var lam = o.SarWorstCase is null ? new double[chunk] : null;
        double wc = o.SarWorstCase ?? 0;
        for (long first = 0; first < originals.Count; first += chunk)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int k = (int)Math.Min(chunk, originals.Count - first);
            originals.Read(first, buf.AsSpan(0, k * nn));
            if (lam is not null)
            {
                HermitianKernels.LargestEigenvalues(buf.AsSpan(0, k * nn), n, lam.AsSpan(0, k));
                for (int i = 0; i < k; i++) wc = Math.Max(wc, lam[i]);
            }
            sampler.AddOriginals(buf, k, cancellationToken);
            progress?.Report((double)(first + k) / (originals.Count + Math.Max(1, vopPacked.Length / nn)));
        }
        if (!(wc > 0)) throw new SarKitInputException($"{originals.Description}: SAR_wc = max λ_max(Q_i) = {wc}, expected > 0.");
        var vop = sampler.VopMax(vopPacked, cancellationToken);
        var orig = sampler.OriginalMax;
        int d = o.Drives;
        var rel = new double[d];
        var abs = new double[d];
        int under = 0;
        for (int i = 0; i < d; i++)
        {
            double diff = vop[i] - orig[i];
            rel[i] = diff / orig[i];
            abs[i] = diff / wc;
            if (rel[i] < -o.RelTol) under++;
        }
        var sorted = (double[])rel.Clone();
        Array.Sort(sorted);
        int rank = Math.Clamp((int)Math.Ceiling(0.95 * d) - 1, 0, d - 1);
        progress?.Report(1);
        return new OverestimationReport
        {
            Drives = d, Seed = o.Seed, SarWorstCase = wc,
            MeanRelative = FixedOrderDot.Sum(rel) / d, P95Relative = sorted[rank], MaxRelative = sorted[^1], MinRelative = sorted[0],
            MeanAbsoluteOverSarWc = FixedOrderDot.Sum(abs) / d, MaxAbsoluteOverSarWc = TensorPrimitives.Max(abs),
            UnderestimatingDrives = under, OriginalMatrices = originals.Count,
            RelativeHistogram = Histogram(rel, o.Bins), AbsoluteHistogram = Histogram(abs, o.Bins),
        };
    }

    /// <summary>Uniform histogram from min(0, min x) to max x (finite values only).</summary>
    public static OverestimationHistogram Histogram(ReadOnlySpan<double> x, int bins)
    {
        double lo = 0, hi = double.NegativeInfinity;
        foreach (var v in x) if (double.IsFinite(v)) { lo = Math.Min(lo, v); hi = Math.Max(hi, v); }
        if (!(hi > lo)) hi = lo + 1e-12;
        var edges = new double[bins + 1];
        for (int b = 0; b <= bins; b++) edges[b] = lo + (hi - lo) * b / bins;
        edges[bins] = hi;
        var counts = new long[bins];
        foreach (var v in x)
        {
            if (!double.IsFinite(v)) continue;
            int b = (int)Math.Floor((v - lo) / (hi - lo) * bins);
            counts[Math.Clamp(b, 0, bins - 1)]++;
        }
        return new OverestimationHistogram(edges, counts);
    }
}

/// <summary>
/// Random unit drives (blocks of 64, <see cref="OverestimationReport"/>'s generator) with the running maximum of bᴴQ_ib over
/// original matrices added chunk by chunk, and the VOP maximum at the end. Blocks run in parallel with per-worker buffers.
/// </summary>
internal sealed class DriveSampler
{
    private readonly int _n, _drives, _seed, _dop;
    private readonly double[] _orig;

    public DriveSampler(int n, int drives, int seed, int maxDegreeOfParallelism)
    {
        _n = n; _drives = drives; _seed = seed; _dop = Math.Max(1, maxDegreeOfParallelism);
        _orig = new double[drives];
        Array.Fill(_orig, double.NegativeInfinity);
    }

    public int Drives => _drives;
    /// <summary>max_i bᴴQ_ib per drive over all originals added so far.</summary>
    public double[] OriginalMax => _orig;

    private int Blocks => (_drives + OverestimationReport.Block - 1) / OverestimationReport.Block;

    /// <summary>
    /// Folds the first <paramref name="k"/> packed matrices of <paramref name="packed"/> into the per-drive maxima.
    /// Exact early exit: the matrices are visited in λ_max-descending order in groups; since bᴴQb ≤ λ_max(Q) for a unit
    /// drive b, a drive block stops as soon as the next group's λ_max (raised by 1e-9·λ_max of the chunk against rounding in the
    /// eigenvalue and the forms) is below the smallest running maximum of the block's drives — the remaining matrices
    /// cannot raise any maximum, so the per-drive maxima equal those of the full scan up to rounding.
    /// </summary>
    public void AddOriginals(double[] packed, int k, CancellationToken ct, Action<int>? blocksDone = null)
    {
        if (k < 2 * PruneGroup) { Run(packed, k, _orig, ct, blocksDone); return; }
        int nn = _n * _n;
        if (_lam is null || _lam.Length < k) { _lam = new double[k]; _idx = new int[k]; }
        if (_sorted is null || _sorted.Length < (long)k * nn) _sorted = new double[(long)k * nn];
        var lam = _lam.AsSpan(0, k); var idx = _idx!.AsSpan(0, k);
        HermitianKernels.LargestEigenvalues(packed.AsSpan(0, k * nn), _n, lam);
        for (int i = 0; i < k; i++) { idx[i] = i; lam[i] = -lam[i]; }
        lam.Sort(idx); // ascending −λ = λ descending
        for (int i = 0; i < k; i++) { lam[i] = -lam[i]; Array.Copy(packed, (long)idx[i] * nn, _sorted, (long)i * nn, nn); }
        RunPruned(_sorted, _lam, k, _orig, ct, blocksDone);
    }

    /// <summary>The full scan without the early exit (reference for the tests).</summary>
    internal void AddOriginalsUnpruned(double[] packed, int k, CancellationToken ct) => Run(packed, k, _orig, ct, null);

    private const int PruneGroup = 256;
    private double[]? _lam, _sorted;
    private int[]? _idx;
    /// <summary>Matrix forms evaluated / skipped by the early exit (diagnostics).</summary>
    public long FormsEvaluated, FormsSkipped;

    private void RunPruned(double[] sorted, double[] lam, int k, double[] into, CancellationToken ct, Action<int>? blocksDone)
    {
        int nn = _n * _n, B = OverestimationReport.Block;
        var po = new ParallelOptions { MaxDegreeOfParallelism = _dop, CancellationToken = ct };
        long evaluated = 0;
        double slack = 1e-9 * Math.Abs(lam[0]);
        Parallel.For(0, Blocks, po, () => new Buffers(_n), (blk, _, buf) =>
        {
            int start = blk * B, count = Math.Min(B, _drives - start);
            var rng = new Random(OverestimationReport.BlockSeed(_seed, blk));
            if (count < B) Array.Clear(buf.W);
            for (int d = 0; d < count; d++) OverestimationReport.FillRandomUnitDriveWeights(rng, _n, buf.B, buf.W, d);
            int first = 0;
            while (first < k)
            {
                double lo = double.PositiveInfinity;
                for (int d = 0; d < count; d++) lo = Math.Min(lo, into[start + d]);
                if (lam[first] + slack < lo) break; // no remaining matrix can exceed any running maximum
                int m = Math.Min(PruneGroup, k - first);
                OverestimationReport.MaxForms(sorted, first, m, nn, buf.W, buf.Max);
                for (int d = 0; d < count; d++) if (buf.Max[d] > into[start + d]) into[start + d] = buf.Max[d];
                first += m;
            }
            Interlocked.Add(ref evaluated, first);
            if (blocksDone is not null && (blk & 255) == 255) blocksDone(256);
            return buf;
        }, _ => { });
        FormsEvaluated += evaluated * B;
        FormsSkipped += ((long)Blocks * k - evaluated) * B;
    }

    /// <summary>max_j bᴴV_jb per drive.</summary>
    public double[] VopMax(double[] vopPacked, CancellationToken ct, Action<int>? blocksDone = null)
    {
        var r = new double[_drives];
        Array.Fill(r, double.NegativeInfinity);
        Run(vopPacked, vopPacked.Length / (_n * _n), r, ct, blocksDone);
        return r;
    }

    /// <summary>Number of drive blocks (64 drives each): the unit of the progress callbacks.</summary>
    public int BlockCount => Blocks;

    private void Run(double[] packed, int k, double[] into, CancellationToken ct, Action<int>? blocksDone = null)
    {
        if (k == 0) return;
        int nn = _n * _n, B = OverestimationReport.Block;
        var po = new ParallelOptions { MaxDegreeOfParallelism = _dop, CancellationToken = ct };
        Parallel.For(0, Blocks, po, () => new Buffers(_n), (blk, _, buf) =>
        {
            int start = blk * B, count = Math.Min(B, _drives - start);
            var rng = new Random(OverestimationReport.BlockSeed(_seed, blk));
            if (count < B) Array.Clear(buf.W);
            for (int d = 0; d < count; d++) OverestimationReport.FillRandomUnitDriveWeights(rng, _n, buf.B, buf.W, d);
            OverestimationReport.MaxForms(packed, k, nn, buf.W, buf.Max);
            for (int d = 0; d < count; d++) if (buf.Max[d] > into[start + d]) into[start + d] = buf.Max[d];
            if (blocksDone is not null && (blk & 255) == 255) blocksDone(256);
            return buf;
        }, _ => { });
    }

    private sealed class Buffers(int n)
    {
        public readonly double[] B = new double[2 * n];
        public readonly double[] W = new double[OverestimationReport.Block * n * n];
        public readonly double[] Max = new double[OverestimationReport.Block];
    }
}
