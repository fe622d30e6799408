using SarKit.Numerics.LinearAlgebra;
using System.Diagnostics;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace SarKit.Supervision;

/// <summary>Work done by <see cref="StreamedWindowSar.Evaluate"/>.</summary>
/// <param name="Samples">Samples per channel of the waveform (one repetition).</param>
/// <param name="EvaluatedSamples">Samples streamed through the head reader (L once; L + m − 1 for steady state).</param>
/// <param name="BlockSamples">Block length B, samples.</param>
/// <param name="Blocks">Blocks streamed.</param>
/// <param name="RefinedBlocks">(block, window, matrix set) triples evaluated sample by sample (the rest were bounded out).</param>
/// <param name="SamplesRead">Samples per channel read in total (head + lagging window-start reads).</param>
public sealed record StreamedWindowStatistics(long Samples, long EvaluatedSamples, int BlockSamples, long Blocks, long RefinedBlocks, long SamplesRead)
{
    /// <summary>Wall time per phase of the pass (profiling; <c>SARKIT_TIMING=1</c> prints it in the CLI).</summary>
    public StreamedWindowPhases Phases { get; init; } = new(0, 0, 0, 0, 0);
}

/// <summary>Wall seconds spent per phase of <see cref="StreamedWindowSar.Evaluate"/> (Stopwatch; includes waiting for the disk).</summary>
/// <param name="ReadSeconds">Head reader: reading the file and converting to planar drive units (with the finiteness check).</param>
/// <param name="CorrelationSeconds">Block correlations R_b = Σ x xᴴ Δt.</param>
/// <param name="BoundSeconds">Running window sums, per-matrix upper bounds and lower bounds (the pruning).</param>
/// <param name="LagReadSeconds">Lagging reader: re-reading the samples that leave the window, for refined blocks.</param>
/// <param name="RefineSeconds">Per-sample energies and prefix sums of the refined (block, window, matrix) triples.</param>
public sealed record StreamedWindowPhases(double ReadSeconds, double CorrelationSeconds, double BoundSeconds, double LagReadSeconds, double RefineSeconds)
{
    /// <summary>Time the evaluating thread spent obtaining each block (= <see cref="ReadSeconds"/> without read-ahead; the wait for the read-ahead thread with it).</summary>
    public double WaitSeconds { get; init; }
    /// <summary>True when the next block was read on a second thread (<see cref="SarKitSettings.MaxDegreeOfParallelism"/> &gt; 1).</summary>
    public bool ReadAhead { get; init; }
    /// <summary>True when the head pass correlated the file's interleaved samples directly (<see cref="IWaveformCorrelationReader"/>).</summary>
    public bool Fused { get; init; }
}

/// <summary>Result of <see cref="StreamedWindowSar.Evaluate"/>.</summary>
/// <param name="Windows">One result per (matrix set, window length), in request order.</param>
/// <param name="TotalWeights">Packed correlation weights of one repetition of the whole waveform, drive²·s.</param>
/// <param name="Statistics">Work done.</param>
public sealed record StreamedWindowSarResult(IReadOnlyList<WindowSarResult> Windows, double[] TotalWeights, StreamedWindowStatistics Statistics);

/// <summary>
/// Exact IEC 60601-2-33 sliding-window SAR of a non-periodic multi-channel waveform of any length, streamed in blocks in
/// bounded memory (docs/supervision.md, "Arbitrary waveforms").
/// <para><b>Window definition.</b> Sample n carries the energy per mass p_j(n) = x_nᴴQ_j x_n·Δt (matrix Q_j, drive units);
/// a window of length T holds m = T/Δt samples (⌈T/Δt⌉ when T/Δt is not an integer within 10⁻⁹: one more sample, conservative)
/// and the window ending with sample t has SAR_j(t) = Σ_{n=t−m+1}^{t} p_j(n) / T. SAR(t) = max_j SAR_j(t); the answer is
/// max_t SAR(t) over <b>every</b> sample position t. <see cref="RepetitionMode.Once"/>: silence before and after the file; windows
/// ending before sample m − 1 hold fewer samples and are contained in the first full window (p ≥ 0), and windows ending after
/// the file are contained in the last one, so t ∈ [m − 1, L − 1]; a file shorter than the window has the single value
/// (total energy)/T. <see cref="RepetitionMode.Periodic"/>: the file repeats without gap; the cyclic windows are the windows of
/// the periodic extension of length L + m − 1.</para>
/// <para><b>Algorithm.</b> One sequential pass in blocks of B samples: per block the channel correlation R_b = Σ x xᴴ Δt (SIMD,
/// <see cref="RfCorrelation"/>) goes into a ring of ⌈m/B⌉ + 3 blocks, and per window length a running sum S of the R_b over the
/// blocks that meet any window ending in the block (recomputed from the ring every ring length). For every matrix,
/// UB_j = tr(Q_j S) (+ σ_j tr S, σ_j = 10⁻⁶ tr Q_j covering matrices that are PSD only to that tolerance) bounds every window
/// ending in the block; a lower bound of the answer comes from the blocks inside every such window (or, when B divides m, from
/// the exact block-aligned window). (block, matrix) pairs whose UB exceeds the lower bound are kept as candidates (with the
/// window energy outside the two edge blocks) and, after the pass, when the lower bound is final, evaluated sample by sample in
/// descending order of UB until no remaining UB can beat the best window found: the block's own samples (read again) and the B
/// samples leaving the window (lagging reader) give SAR_j(t) for every t in the block as base + H(r) − G(r) (prefix sums of
/// p_j). Pairs bounded out cannot hold the maximum (their UB is tracked: if one tied, its UB is reported). Candidate memory:
/// at most 40 bytes per (block, matrix) pair, pruned whenever the list doubles.</para>
/// <para><b>Rounding.</b> Every reported value adds ε_j = 4(3D + 2B + 3N² + 4K + 24 + 4ρ/u)·u·‖Q_j‖₁·Tr (u = 2⁻⁵³, ρ = <see cref="IWaveformSampleSource.ValueRounding"/>, D ring blocks, ‖Q_j‖₁ the sum of
/// the absolute packed entries, Tr the largest trace of the window sums since their last recomputation plus the traces of the
/// two edge blocks): a bound of the rounding of the running sums, dot products, prefix sums and drive-factor scaling of the block correlations, so reported ≥ exact
/// (per-sample arithmetic on the double samples) ≥ reported − 2ε. ε is returned as <see cref="WindowSarResult.EdgeErrorBound"/>.</para>
/// </summary>
public static class StreamedWindowSar
{
    /// <summary>Default block length B (samples).</summary>
    /// <remarks>4000 divides the window lengths of 10 s and 360 s at the usual rasters (1, 2, 4, 5, 10 µs), so that the lower
    /// bound of the pruning is an exact window at every block end.</remarks>
    public const int DefaultBlockSamples = 4000;

    /// <summary>Sub-blocks K per block whose correlations are kept for the shortest window: its bounds then hold within one
    /// sub-block (B/K samples) of the exact windows instead of two blocks.</summary>
    public const int SubBlocks = 8;

    /// <summary>Largest ring memory (bytes) before the request is refused (increase the block length).</summary>
    public const long MaxRingBytes = 2L << 30;

    /// <summary>Samples m in a window of <paramref name="windowSeconds"/> at raster <paramref name="rasterSeconds"/>: T/Δt when it is an integer within 10⁻⁹, else ⌈T/Δt⌉.</summary>
    public static long WindowSamples(double windowSeconds, double rasterSeconds)
    {
        double r = windowSeconds / rasterSeconds;
        if (!(r >= 0.5) || !double.IsFinite(r) || r > 1e15)
            throw new SarKitInputException($"window {windowSeconds} s at raster {rasterSeconds} s: expected a window of at least one sample.");
        double n = Math.Round(r);
        return (long)(Math.Abs(r - n) <= 1e-9 * r ? n : Math.Ceiling(r));
    }

    private sealed class Win
    {
        public double T; public long M;
        public double[] S = [];
        public long Lo;          // first block in S
        public double MaxTr;
        public long SinceRecompute;
        public IWaveformReader? Lag;
        public double[] LagRe = [], LagIm = [], LagTmpRe = [], LagTmpIm = [];
        public long LagFor = long.MinValue;
    }

    private sealed class Job
    {
        public required SarObservable Obs; public required int Win; public required double[] Abs; public required double[] Sigma;
        public double Best = double.NegativeInfinity, BestErr; public long BestT = -1; public int BestJ = -1;
        public double LowerBound = double.NegativeInfinity;
        public double SkipUb = double.NegativeInfinity, SkipErr; public long SkipT = -1; public int SkipJ = -1;
        public bool[] Touched = [];
        public double[] Ub = [];
        /// <summary>(block, matrix) pairs whose bound exceeded the lower bound when their block was streamed: refined after the pass.</summary>
        public List<Candidate> Candidates = [];
        public int PruneAt = 4096;
    }

    /// <summary>A (block, matrix) pair to refine: its upper bound (with ε), ε, and the window energy without the block and the
    /// block leaving the window (<c>mid</c>), all as computed while the block was streamed.</summary>
    private readonly record struct Candidate(long Block, int J, double Ub, double Err, double Mid);

    /// <summary>
    /// Evaluates every (matrix set, window length) of <paramref name="jobs"/> over <paramref name="source"/> in one pass.
    /// <paramref name="driveFactors"/> converts the source unit to the matrices' drive unit per channel
    /// (<see cref="MultiChannelWaveform.DriveFactors(string, int, string, string, DriveCalibration?)"/>). <paramref name="blockSamples"/> trades ring memory (⌈m/B⌉·N²·8 bytes) for
    /// per-sample work on refined blocks; the result does not depend on it beyond rounding (ε). With
    /// <see cref="SarKitSettings.MaxDegreeOfParallelism"/> &gt; 1 the next block is read and converted on a second thread while
    /// the current one is evaluated (double buffering; the same arithmetic, so the same result).
    /// </summary>
    public static StreamedWindowSarResult Evaluate(IWaveformSampleSource source, IReadOnlyList<Complex> driveFactors,
        IReadOnlyList<(SarObservable Observable, double[] WindowsSeconds)> jobs, RepetitionMode mode,
        int blockSamples = DefaultBlockSamples, CancellationToken cancellation = default, SarKitSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        int n = source.Channels, n2 = n * n;
        long len = source.Samples;
        double dt = source.RasterSeconds;
        string src = source.Source;
        if (n < 1 || len < 1) throw new SarKitInputException($"{src}: waveform has {n} channels × {len} samples; expected at least 1 × 1.") { SourceFile = src };
        if (!(dt >= Pulseq.PulseqFile.MinRasterSeconds && dt <= Pulseq.PulseqFile.MaxRasterSeconds))
            throw new SarKitInputException($"{src}: raster {dt} s is outside the supported range [{Pulseq.PulseqFile.MinRasterSeconds}, {Pulseq.PulseqFile.MaxRasterSeconds}] s.") { SourceFile = src, Dataset = "raster_s" };
        if (blockSamples < 1) throw new SarKitInputException($"block length {blockSamples}: expected at least 1 sample.");
        if (driveFactors.Count != n) throw new ArgumentException($"{driveFactors.Count} drive factors for {n} channels");
        if (jobs.Count == 0) throw new SarKitInputException("no matrix sets to evaluate.");
        int B = blockSamples;

        // windows (distinct lengths) and jobs
        var lengths = jobs.SelectMany(j => j.WindowsSeconds).Distinct().OrderBy(x => x).ToArray();
        var wins = new Win[lengths.Length];
        long mMax = 0;
        for (int w = 0; w < wins.Length; w++)
        {
            if (!(lengths[w] > 0) || !double.IsFinite(lengths[w])) throw new SarKitInputException($"window length {lengths[w]} s: expected a positive number.");
            long m = WindowSamples(lengths[w], dt);
            mMax = Math.Max(mMax, m);
            wins[w] = new Win { T = lengths[w], M = mode == RepetitionMode.Once ? Math.Min(m, len) : m, S = new double[n2] };
        }
        long lv = mode == RepetitionMode.Once ? len : checked(len + mMax - 1);
        IWaveformSampleSource stream = mode == RepetitionMode.Once ? source : new PeriodicExtension(source, lv);
        long ringBlocks = wins.Max(w => (w.M + B - 1) / B) + 3;
        if (ringBlocks * n2 * 8 > MaxRingBytes)
            throw new SarKitInputException($"{src}: block length {B} samples needs {ringBlocks} ring blocks ({ringBlocks * n2 * 8 / (1 << 20)} MiB) for a {wins.Max(w => w.T)} s window; use a longer block.");
        int D = (int)ringBlocks;
        var ring = new double[(long)D * n2];
        var ringTr = new double[D];
        // sub-block correlations of the last ⌈m₀/B⌉ + 3 blocks (m₀ the shortest window): bounds at B/K resolution for it
        int K = Math.Min(SubBlocks, B);
        var sb = new int[K + 1];
        for (int k = 0; k <= K; k++) sb[k] = (int)((long)k * B / K);
        int Ds = (int)Math.Min(D, (wins[0].M + B - 1) / B + 3);
        var subRing = new double[(long)Ds * K * n2];
        var subValid = new bool[Ds];
        var eSubA = new double[K]; var eSubB = new double[K];

        var jobList = new List<Job>();
        foreach (var (obs, ws) in jobs)
        {
            if (obs.Channels != n) throw new SarKitInputException($"'{obs.Name}' has {obs.Channels} channels but the waveform ({src}) has {n}.") { SourceFile = src };
            var (abs, sigma) = MatrixBounds(obs);
            foreach (var T in ws.Distinct())
                jobList.Add(new Job { Obs = obs, Win = Array.IndexOf(lengths, T), Abs = abs, Sigma = sigma, Touched = new bool[obs.Count], Ub = new double[obs.Count] });
        }

        const double U = 1.0 / (1L << 53);
        // scaled integer sources (int16 codes × lsb): the values as read are rounded (ρ = u) and the exact code sums are scaled
        // by fl(fl(lsb²)·Δt): ≤ 2ρ + 3u on each energy, covered by 4·(4ρ/u)·u = 16u more
        double rho = source.ValueRounding;
        if (!(rho >= 0 && rho <= 1e-6)) throw new ArgumentException($"value rounding {rho} of {src} outside [0, 1e-6]");
        double errConst = 4.0 * (3.0 * D + 2.0 * B + 3.0 * n2 + 4.0 * K + 24 + 4 * rho / U) * U * 1.01;

        double[][] bufRe = [new double[n * B], new double[n * B]], bufIm = [new double[n * B], new double[n * B]];
        double[] headRe, headIm;
        var total = new double[n2];
        var lagP = new double[B];
        long blocks = (lv + B - 1) / B, refined = 0, samplesRead = 0;
        long tRead = 0, tWait = 0, tCorr = 0, tBound = 0, tLag = 0, tRefine = 0;
        using var head = stream.OpenReader();
        bool parallel = (settings ?? SarKitSettings.Default).MaxDegreeOfParallelism > 1 && blocks > 1;
        // fused path: correlations straight from the file's interleaved samples (its own sequential read-ahead); the
        // periodic extension keeps the planar path (its blocks wrap around the file end)
        var fused = head as IWaveformCorrelationReader is { CanCorrelate: true } fr && mode == RepetitionMode.Once ? fr : null;
        bool unitFactors = driveFactors.All(f => f == Complex.One);
        if (fused is not null) fused.ReadAhead = parallel;
        bool ahead = parallel && fused is null;
        Task<long>? next = null;
        long ReadBlock(long bb, int sl)
        {
            long r0 = Stopwatch.GetTimestamp();
            ReadDrive(head, bb * B, (int)Math.Min(B, lv - bb * B), bufRe[sl], bufIm[sl], driveFactors, n, len, src);
            return Stopwatch.GetTimestamp() - r0;
        }
        try
        {
            for (long b = 0; b < blocks; b++)
            {
                if ((b & 63) == 0) cancellation.ThrowIfCancellationRequested();
                long start = b * B;
                int cnt = (int)Math.Min(B, lv - start);
                long t0 = Stopwatch.GetTimestamp();
                int sl = (int)(b & 1);
                int slot = (int)(b % D);
                var rb = ring.AsSpan(slot * n2, n2);
                rb.Clear();
                int sslot = (int)(b % Ds);
                bool subs = cnt == B && K > 1;
                subValid[sslot] = subs;
                if (fused is not null)
                {
                    // whole blocks as K sub-blocks (R_b = Σ_k R_b,k in order), the last partial block at once
                    for (int k = 0; k < (subs ? K : 1); k++)
                    {
                        var rk = subs ? Sub(b, k) : rb;
                        if (subs) rk.Clear();
                        fused.Correlate(start + (subs ? sb[k] : 0), subs ? sb[k + 1] - sb[k] : cnt, dt, rk);
                        if (!unitFactors) RfCorrelation.ApplyDriveFactors(rk, driveFactors);
                        if (subs) TensorPrimitives.Add(rb, rk, rb);
                    }
                }
                else if (!ahead) tRead += ReadBlock(b, sl);
                else
                {
                    // read-ahead: block b was read (and converted, finiteness-checked) while block b − 1 was evaluated
                    if (next is null) tRead += ReadBlock(b, sl);
                    else { var done = next; next = null; tRead += done.GetAwaiter().GetResult(); }
                    if (b + 1 < blocks) { long nb = b + 1; int ns = 1 - sl; next = Task.Run(() => ReadBlock(nb, ns), CancellationToken.None); }
                }
                headRe = bufRe[sl]; headIm = bufIm[sl];
                samplesRead += cnt;
                long t1 = Stopwatch.GetTimestamp();
                if (fused is null)
                {
                    tWait += t1 - t0;
                    if (!subs) RfCorrelation.Accumulate(headRe, headIm, n, cnt, cnt, dt, rb);
                    else
                        for (int k = 0; k < K; k++)
                        {
                            var rk = Sub(b, k);
                            rk.Clear();
                            RfCorrelation.Accumulate(headRe.AsSpan(sb[k]), headIm.AsSpan(sb[k]), n, sb[k + 1] - sb[k], cnt, dt, rk);
                            TensorPrimitives.Add(rb, rk, rb);
                        }
                }
                else tCorr += t1 - t0;
                double trB = 0;
                for (int i = 0; i < n; i++) trB += rb[i];
                foreach (var v in rb)
                    if (!double.IsFinite(v))
                        throw new SarKitInputException($"{src}: channel correlation of samples {start % len}..{(start + cnt - 1) % len} is {v} (the RF energy overflows double precision); refusing.") { SourceFile = src };
                ringTr[slot] = trB;
                if (start < len)
                {
                    if (start + cnt <= len) TensorPrimitives.Add(total, rb, total);
                    else RfCorrelation.Accumulate(headRe, headIm, n, (int)(len - start), cnt, dt, total);
                }
                long t2 = Stopwatch.GetTimestamp();
                tCorr += t2 - t1;

                for (int wi = 0; wi < wins.Length; wi++)
                {
                    var w = wins[wi];
                    long m = w.M;
                    // running sum over the blocks meeting any window that ends in this block: [lo, b]
                    TensorPrimitives.Add(w.S, rb, w.S);
                    long loU = FloorDiv(start - m + 1, B), lo = Math.Max(0, loU);
                    while (w.Lo < lo) { TensorPrimitives.Subtract(w.S, Ring(w.Lo), w.S); w.Lo++; }
                    if (++w.SinceRecompute >= D)
                    {
                        Array.Clear(w.S);
                        for (long i = w.Lo; i <= b; i++) TensorPrimitives.Add(w.S, Ring(i), w.S);
                        w.SinceRecompute = 0; w.MaxTr = 0;
                    }
                    double trS = 0;
                    for (int i = 0; i < n; i++) trS += w.S[i];
                    w.MaxTr = Math.Max(w.MaxTr, Math.Abs(trS));
                    long tFirst = Math.Max(start, m - 1), tLast = start + cnt - 1;
                    if (tFirst > tLast) continue;
                    long a = FloorDiv(start - m, B);
                    int q = (int)(start - m - a * B);
                    double trA = a >= 0 ? ringTr[(int)(a % D)] : 0;
                    double errUnit = errConst * (2 * w.MaxTr + trA + trB);
                    bool aligned = q == 0 && cnt == B;
                    // sub-block bounds: shortest window, aligned, sub-blocks of b (and of the leaving block a when S holds it) kept
                    bool withA = a >= 0 && loU == a;
                    bool fine = aligned && wi == 0 && subValid[(int)(b % Ds)] && (!withA || (b - a < Ds && subValid[(int)(a % Ds)]));

                    foreach (var job in jobList)
                    {
                        if (job.Win != wi) continue;
                        var obs = job.Obs;
                        int k = obs.Count;
                        int top = 0;
                        for (int j = 0; j < k; j++)
                        {
                            job.Ub[j] = FixedOrderDot.Dot(obs.Matrix(j), w.S) + job.Sigma[j] * trS;
                            if (job.Ub[j] > job.Ub[top]) top = j;
                        }
                        // lower bound of the answer from the top matrix
                        {
                            var qt = obs.Matrix(top);
                            double dot = job.Ub[top] - job.Sigma[top] * trS;
                            double eLo = lo <= b ? FixedOrderDot.Dot(qt, Ring(lo)) : 0;
                            double lb;
                            if (fine) lb = dot + FineMax(qt, b, a, withA, exact: true) - errUnit * job.Abs[top];           // the exact windows ending at every sub-block end
                            else if (aligned) lb = dot - (a >= 0 && loU == a ? eLo : 0) - errUnit * job.Abs[top];          // the exact window ending at the block end
                            else if (lo + 2 <= b - 1)
                                lb = dot - eLo - FixedOrderDot.Dot(qt, Ring(lo + 1)) - FixedOrderDot.Dot(qt, rb) - job.Sigma[top] * trS - errUnit * job.Abs[top];
                            else lb = -job.Sigma[top] * trS - errUnit * job.Abs[top];
                            job.LowerBound = Math.Max(job.LowerBound, lb);
                        }
                        for (int j = 0; j < k; j++)
                        {
                            double err = errUnit * job.Abs[j], ub = job.Ub[j] + err;
                            if (!double.IsFinite(ub)) throw new SarKitInputException($"{src}: window energy of '{obs.Name}' matrix {j} is {ub} (overflows double precision); refusing.") { SourceFile = src };
                            if (fine && ub > job.LowerBound)
                            {
                                // tighter: a window ending in sub-block k holds at most sub-blocks 0..k of b and k..K−1 of a
                                double dotJ0 = job.Ub[j] - job.Sigma[j] * trS;
                                ub = Math.Min(ub, dotJ0 + FineMax(obs.Matrix(j), b, a, withA, exact: false) + job.Sigma[j] * trS + err);
                            }
                            if (ub <= job.LowerBound)
                            {
                                if (ub > job.SkipUb) { job.SkipUb = ub; job.SkipErr = err; job.SkipT = tLast; job.SkipJ = j; }
                                continue;
                            }
                            // refinement deferred to after the pass, when the lower bound is final: keep what it needs from the ring
                            var q_j = obs.Matrix(j);
                            double dotJ = job.Ub[j] - job.Sigma[j] * trS;
                            double eB = FixedOrderDot.Dot(q_j, rb);
                            double mid = dotJ - eB - (a >= 0 && loU == a ? FixedOrderDot.Dot(q_j, Ring(a)) : 0);
                            job.Candidates.Add(new Candidate(b, j, ub, err, mid));
                        }
                        if (job.Candidates.Count >= job.PruneAt)
                        {
                            PruneCandidates(job, B, lv);
                            job.PruneAt = Math.Max(4096, 2 * job.Candidates.Count);
                        }
                    }
                }
                tBound += Stopwatch.GetTimestamp() - t2;
            }
            if (next is not null) { var done = next; next = null; done.GetAwaiter().GetResult(); }

            // refinement: candidates in descending order of their bound, each block's windows sample by sample, until the
            // bound of the next cannot beat the best window found (the rest are tracked as skipped)
            using var refineReader = stream.OpenReader();
            long loaded = -1;
            var headBuf = bufRe[0]; var headBufIm = bufIm[0];
            var ph = new double[B];
            foreach (var job in jobList)
            {
                var w = wins[job.Win];
                long m = w.M;
                PruneCandidates(job, B, lv);
                // the highest bounds first (they raise the lower bound most), then the survivors in file order (sequential reads)
                job.Candidates.Sort((x, y) => y.Ub.CompareTo(x.Ub));
                int first = Math.Min(job.Candidates.Count, 16);
                job.Candidates.Sort(first, job.Candidates.Count - first, Comparer<Candidate>.Create((x, y) => x.Block != y.Block ? x.Block.CompareTo(y.Block) : x.J.CompareTo(y.J)));
                foreach (var c in job.Candidates)
                {
                    if ((refined & 63) == 0) cancellation.ThrowIfCancellationRequested();
                    if (c.Ub <= job.LowerBound)
                    {
                        if (c.Ub > job.SkipUb) { job.SkipUb = c.Ub; job.SkipErr = c.Err; job.SkipT = Math.Min(lv, (c.Block + 1) * B) - 1; job.SkipJ = c.J; }
                        continue;
                    }
                    long b = c.Block, start = b * B;
                    int cnt = (int)Math.Min(B, lv - start);
                    long tFirst = Math.Max(start, m - 1);
                    long a = FloorDiv(start - m, B);
                    int q = (int)(start - m - a * B);
                    long r0 = Stopwatch.GetTimestamp();
                    if (loaded != b)
                    {
                        ReadDrive(refineReader, start, cnt, headBuf, headBufIm, driveFactors, n, len, src);
                        samplesRead += cnt; loaded = b;
                    }
                    if (w.LagFor != b) { LoadLag(w, start - m, B, lv, n, driveFactors, len, src, stream, ref samplesRead); w.LagFor = b; }
                    long r1 = Stopwatch.GetTimestamp();
                    tLag += r1 - r0;
                    var q_j = job.Obs.Matrix(c.J);
                    PerSampleEnergy(q_j, headBuf, headBufIm, n, cnt, dt, ph);
                    PerSampleEnergy(q_j, w.LagRe, w.LagIm, n, B, dt, lagP);
                    double bas = c.Mid;
                    for (int i = 0; i < B - q; i++) bas += lagP[i];
                    double h = 0, g = 0, vmax = double.NegativeInfinity; long tmax = -1;
                    for (int r = 0; r < cnt; r++)
                    {
                        h += ph[r]; g += lagP[r];
                        if (start + r < tFirst) continue;
                        double v = bas + h - g;
                        if (v > vmax) { vmax = v; tmax = start + r; }
                    }
                    job.Touched[c.J] = true;
                    if (vmax > job.Best) { job.Best = vmax; job.BestErr = c.Err; job.BestT = tmax; job.BestJ = c.J; }
                    job.LowerBound = Math.Max(job.LowerBound, vmax - c.Err);
                    refined++;
                    tRefine += Stopwatch.GetTimestamp() - r1;
                }
                job.Candidates = [];
            }
        }
        finally
        {
            // never leave a read running on the head reader when it is disposed (an error or cancellation above)
            if (next is not null) try { next.Wait(CancellationToken.None); } catch (AggregateException) { }
            foreach (var w in wins) w.Lag?.Dispose();
        }

        var results = new List<WindowSarResult>();
        foreach (var job in jobList)
        {
            var w = wins[job.Win];
            bool skip = job.SkipUb > job.Best + job.BestErr;
            double e = skip ? job.SkipUb : job.Best + job.BestErr, err = skip ? job.SkipErr : job.BestErr;
            long t = skip ? job.SkipT : job.BestT;
            int jj = skip ? job.SkipJ : job.BestJ;
            double value = Math.Max(0, e) / w.T;
            results.Add(new WindowSarResult(job.Obs.Name, job.Obs.Metric, w.T, value, ((t % len) + 1) * dt, jj, null, null,
                job.Touched.Count(x => x), err / w.T));
        }
        double f = 1.0 / Stopwatch.Frequency;
        double waitS = fused is null ? tWait * f : fused.WaitSeconds;
        // fused: the correlation phase held the reads; its wait for data is reported as the read phase
        double corrS = fused is null ? tCorr * f : Math.Max(0, tCorr * f - waitS), readS = fused is null ? tRead * f : waitS;
        return new StreamedWindowSarResult(results, total, new StreamedWindowStatistics(len, lv, B, blocks, refined, samplesRead)
        { Phases = new(readS, corrS, tBound * f, tLag * f, tRefine * f) { WaitSeconds = waitS, ReadAhead = ahead || (fused?.ReadAhead ?? false), Fused = fused is not null } });

        Span<double> Ring(long i) => ring.AsSpan((int)(i % D) * n2, n2);
        Span<double> Sub(long blk, int k) => subRing.AsSpan((int)(((blk % Ds) * K + k) * n2), n2);

        // With e_b,k, e_a,k the energies of the sub-blocks of the current block b and the leaving block a (0 when S does not
        // hold a) and S·Q = E_a + mid + E_b: exact = false gives max_k (Σ_{k'≤k} e_b,k' + Σ_{k'≥k} e_a,k') − E_a − E_b, the
        // largest window energy ending in sub-block k (an upper bound) minus tr(Q S); exact = true gives
        // max_k (Σ_{k'≤k} e_b,k' + Σ_{k'>k} e_a,k') − E_a − E_b, the windows ending exactly at the sub-block ends.
        double FineMax(ReadOnlySpan<double> qm, long blk, long aBlk, bool hasA, bool exact)
        {
            double eA = 0, eBt = 0;
            for (int k = 0; k < K; k++)
            {
                eSubB[k] = FixedOrderDot.Dot(qm, Sub(blk, k)); eBt += eSubB[k];
                eSubA[k] = hasA ? FixedOrderDot.Dot(qm, Sub(aBlk, k)) : 0; eA += eSubA[k];
            }
            double best = double.NegativeInfinity, pre = 0, suf = eA;   // suf = Σ_{k'≥k} e_a
            for (int k = 0; k < K; k++)
            {
                pre += eSubB[k];
                best = Math.Max(best, pre + (exact ? suf - eSubA[k] : suf));
                suf -= eSubA[k];
            }
            return best - eA - eBt;
        }
    }

    /// <summary>Drops the candidates whose bound cannot beat the job's lower bound (tracking the largest of them as skipped).</summary>
    private static void PruneCandidates(Job job, int blockSamples, long lv)
    {
        double lb = job.LowerBound;
        int keep = 0;
        var list = job.Candidates;
        for (int i = 0; i < list.Count; i++)
        {
            var c = list[i];
            if (c.Ub > lb) { list[keep++] = c; continue; }
            if (c.Ub > job.SkipUb) { job.SkipUb = c.Ub; job.SkipErr = c.Err; job.SkipT = Math.Min(lv, (c.Block + 1) * blockSamples) - 1; job.SkipJ = c.J; }
        }
        list.RemoveRange(keep, list.Count - keep);
    }

    private static long FloorDiv(long x, long d) => x >= 0 ? x / d : -((-x + d - 1) / d);

    /// <summary>‖Q_j‖₁ (sum of |packed entries|, with off-diagonal pairs counted twice) and σ_j = τ·tr(Q_j); refuses matrices that are not PSD within τ.</summary>
    private static (double[] Abs, double[] Sigma) MatrixBounds(SarObservable obs)
    {
        int n = obs.Channels, k = obs.Count;
        var abs = new double[k]; var sigma = new double[k];
        var wq = new double[n * n];
        for (int j = 0; j < k; j++)
        {
            var p = obs.Matrix(j);
            double s = 0, tr = 0;
            for (int i = 0; i < n; i++) { s += Math.Abs(p[i]); tr += p[i]; }
            for (int i = n; i < p.Length; i++) s += 2 * Math.Abs(p[i]);
            abs[j] = s;
            for (int i = 0; i < n; i++) wq[i] = p[i];
            for (int i = n; i < p.Length; i++) wq[i] = 2 * p[i];
            if (RfCorrelation.CheckPositiveSemidefinite(wq, n) is { } why)
                throw new SarKitInputException($"'{obs.Name}': matrix {j} is not positive semidefinite ({why}); SAR matrices must be.");
            sigma[j] = RfCorrelation.PsdRelativeTolerance * Math.Max(0, tr);
        }
        return (abs, sigma);
    }

    /// <summary>Reads samples and converts them to drive units; refuses a square that overflows.</summary>
    private static void ReadDrive(IWaveformReader r, long start, int cnt, double[] re, double[] im, IReadOnlyList<Complex> f, int n, long len, string src)
    {
        var rs = re.AsSpan(0, n * cnt); var ims = im.AsSpan(0, n * cnt);
        r.Read(start, cnt, rs, ims);
        for (int c = 0; c < n; c++)
        {
            var fc = f[c];
            var cr = rs.Slice(c * cnt, cnt); var ci = ims.Slice(c * cnt, cnt);
            if (fc.Imaginary == 0)
            {
                if (fc.Real != 1) { TensorPrimitives.Multiply(cr, fc.Real, cr); TensorPrimitives.Multiply(ci, fc.Real, ci); }
            }
            else
                for (int i = 0; i < cnt; i++)
                {
                    double x = cr[i], y = ci[i];
                    cr[i] = x * fc.Real - y * fc.Imaginary; ci[i] = x * fc.Imaginary + y * fc.Real;
                }
            if (!double.IsFinite(TensorPrimitives.SumOfSquares(cr) + TensorPrimitives.SumOfSquares(ci)))
                for (int i = 0; i < cnt; i++)
                    if (!double.IsFinite(cr[i] * cr[i] + ci[i] * ci[i]))
                        throw new SarKitInputException($"{src}: sample {(start + i) % len} of channel {c} in drive units is ({cr[i]}, {ci[i]}), whose square overflows double precision; refusing.") { SourceFile = src };
        }
    }

    /// <summary>Loads the B samples [from, from + B) leaving the window (zero outside [0, lv)).</summary>
    private static void LoadLag(Win w, long from, int B, long lv, int n, IReadOnlyList<Complex> f, long len, string src, IWaveformSampleSource stream, ref long samplesRead)
    {
        if (w.LagRe.Length != n * B) { w.LagRe = new double[n * B]; w.LagIm = new double[n * B]; }
        long a = Math.Max(0, from), e = Math.Min(lv, from + B);
        if (e <= a) { Array.Clear(w.LagRe); Array.Clear(w.LagIm); return; }
        int cnt = (int)(e - a), off = (int)(a - from);
        w.Lag ??= stream.OpenReader();
        if (cnt == B)
        {
            // the whole lag block lies inside the waveform: read straight into the reused buffers
            ReadDrive(w.Lag, a, cnt, w.LagRe, w.LagIm, f, n, len, src);
            samplesRead += cnt;
            return;
        }
        Array.Clear(w.LagRe); Array.Clear(w.LagIm);
        if (w.LagTmpRe.Length != n * B) { w.LagTmpRe = new double[n * B]; w.LagTmpIm = new double[n * B]; }
        var re = w.LagTmpRe; var im = w.LagTmpIm;
        ReadDrive(w.Lag, a, cnt, re, im, f, n, len, src);
        samplesRead += cnt;
        for (int c = 0; c < n; c++)
        {
            re.AsSpan(c * cnt, cnt).CopyTo(w.LagRe.AsSpan(c * B + off, cnt));
            im.AsSpan(c * cnt, cnt).CopyTo(w.LagIm.AsSpan(c * B + off, cnt));
        }
    }

    /// <summary>
    /// p[t] = x_tᴴQx_t·Δt for planar samples (channel c at c·<paramref name="count"/>), packed Q (<see cref="Numerics.LinearAlgebra.HermitianPacking"/>):
    /// Σ_i Q_ii|x_i|² + Σ_{i&lt;j} 2(Re Q_ij·Re(x̄_i x_j) − Im Q_ij·Im(x̄_i x_j)), SIMD over samples.
    /// </summary>
    public static void PerSampleEnergy(ReadOnlySpan<double> packedQ, ReadOnlySpan<double> re, ReadOnlySpan<double> im, int n, int count, double dt, Span<double> p)
    {
        if (packedQ.Length < n * n || re.Length < n * count || im.Length < n * count || p.Length < count) throw new ArgumentException("spans too short");
        int t0 = Vector512.IsHardwareAccelerated && n <= 16 ? PerSampleEnergy512(packedQ, re, im, n, count, dt, p) : 0;
        PerSampleEnergyFrom(t0, packedQ, re, im, n, count, dt, p);
    }

    /// <summary>
    /// AVX-512 kernel of <see cref="PerSampleEnergy"/> for the samples [0, 8⌊count/8⌋): the channels' 8-sample vectors stay in
    /// registers/L1 (pointer loads, no bounds checks); the same operations in the same order as the portable path, so the
    /// results are bit-identical. Returns the first sample not done.
    /// </summary>
    private static unsafe int PerSampleEnergy512(ReadOnlySpan<double> packedQ, ReadOnlySpan<double> re, ReadOnlySpan<double> im, int n, int count, double dt, Span<double> p)
    {
        const int vw = 8;
        int end = count - count % vw;
        Vector512<double>* xr = stackalloc Vector512<double>[n];
        Vector512<double>* xi = stackalloc Vector512<double>[n];
        int pairs = n * (n - 1) / 2;
        double* q2 = stackalloc double[n + 2 * pairs];
        for (int i = 0; i < n; i++) q2[i] = packedQ[i];
        for (int i = n; i < n * n; i++) q2[i] = 2 * packedQ[i];
        var vdt = Vector512.Create(dt);
        fixed (double* pr = re, pi = im, pp = p)
        {
            for (int t = 0; t < end; t += vw)
            {
                for (int c = 0; c < n; c++) { xr[c] = Vector512.Load(pr + c * count + t); xi[c] = Vector512.Load(pi + c * count + t); }
                var acc = Vector512<double>.Zero;
                for (int i = 0; i < n; i++) acc += Vector512.Create(q2[i]) * (xr[i] * xr[i] + xi[i] * xi[i]);
                double* o = q2 + n;
                for (int i = 0; i < n; i++)
                {
                    var ar = xr[i]; var ai = xi[i];
                    for (int j = i + 1; j < n; j++, o += 2)
                    {
                        var br = xr[j]; var bi = xi[j];
                        var cr = ar * br + ai * bi;
                        var ci = ar * bi - ai * br;
                        acc += Vector512.Create(o[0]) * cr - Vector512.Create(o[1]) * ci;
                    }
                }
                (acc * vdt).Store(pp + t);
            }
        }
        return end;
    }

    private static void PerSampleEnergyFrom(int tStart, ReadOnlySpan<double> packedQ, ReadOnlySpan<double> re, ReadOnlySpan<double> im, int n, int count, double dt, Span<double> p)
    {
        int vw = Vector<double>.Count;
        Span<Vector<double>> xr = stackalloc Vector<double>[n];
        Span<Vector<double>> xi = stackalloc Vector<double>[n];
        int t = tStart;
        if (Vector.IsHardwareAccelerated)
            for (; t + vw <= count; t += vw)
            {
                for (int c = 0; c < n; c++) { xr[c] = new Vector<double>(re.Slice(c * count + t, vw)); xi[c] = new Vector<double>(im.Slice(c * count + t, vw)); }
                var acc = Vector<double>.Zero;
                for (int i = 0; i < n; i++) acc += new Vector<double>(packedQ[i]) * (xr[i] * xr[i] + xi[i] * xi[i]);
                int o = n;
                for (int i = 0; i < n; i++)
                    for (int j = i + 1; j < n; j++)
                    {
                        var cr = xr[i] * xr[j] + xi[i] * xi[j];
                        var ci = xr[i] * xi[j] - xi[i] * xr[j];
                        acc += new Vector<double>(2 * packedQ[o]) * cr - new Vector<double>(2 * packedQ[o + 1]) * ci;
                        o += 2;
                    }
                (acc * dt).CopyTo(p.Slice(t, vw));
            }
        for (; t < count; t++)
        {
            double acc = 0;
            for (int i = 0; i < n; i++) { double a = re[i * count + t], b = im[i * count + t]; acc += packedQ[i] * (a * a + b * b); }
            int o = n;
            for (int i = 0; i < n; i++)
                for (int j = i + 1; j < n; j++)
                {
                    double ar = re[i * count + t], ai = im[i * count + t], br = re[j * count + t], bi = im[j * count + t];
                    acc += 2 * packedQ[o] * (ar * br + ai * bi) - 2 * packedQ[o + 1] * (ar * bi - ai * br);
                    o += 2;
                }
            p[t] = acc * dt;
        }
    }
}
