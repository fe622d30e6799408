using System.Collections.Concurrent;
using System.Numerics;
using System.Security.Cryptography;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Compression;

/// <summary>Settings of <see cref="VopVerifier"/>.</summary>
public sealed record VopVerifierOptions
{
    /// <summary>
    /// Tolerance relative to SAR_wc: Q_i counts as dominated when λ_min(Σc_jV_j − Q_i) ≥ −τ with τ = RelativeTolerance·SAR_wc
    /// (default 1e-9, about 10⁷ ulps of SAR_wc: far above the rounding of an N ≤ 64 eigenvalue, far below any physical margin).
    /// </summary>
    public double RelativeTolerance { get; init; } = 1e-9;
    /// <summary>Random unit drives of the second check (0 to skip). Issue 3 asks for ≥ 10⁶.</summary>
    public int RandomDrives { get; init; } = 1_000_000;
    public int Seed { get; init; } = 1;
    /// <summary>Original matrices read per chunk (memory ≈ chunk·N²·8 bytes ×2).</summary>
    public int ChunkMatrices { get; init; } = QMatrixSourceExtensions.DefaultChunk;
    /// <summary>Worker threads (default <see cref="SarKitSettings.MaxDegreeOfParallelism"/> of <see cref="SarKitSettings.Default"/>); the verdict does not depend on it.</summary>
    public int MaxDegreeOfParallelism { get; init; } = SarKitSettings.Default.MaxDegreeOfParallelism;
    /// <summary>Clock of the certificate's <see cref="VopCertificate.CreatedUtc"/> (default <see cref="SarKitSettings.Time"/> of <see cref="SarKitSettings.Default"/>).</summary>
    public TimeProvider Time { get; init; } = SarKitSettings.Default.Time;
    /// <summary>Cutting-plane iterations per matrix before it is declared undecided (counted as failed).</summary>
    public int MaxIterations { get; init; } = 300;
    /// <summary>How many failed matrix indices are listed in the result.</summary>
    public int MaxListedFailures { get; init; } = 1000;
}

/// <summary>Progress of <see cref="VopVerifier.Verify"/>: Stage "dominance" (per matrix) or "random drives" (per chunk).</summary>
public sealed record VopVerificationProgress(string Stage, long Processed, long Total, long Failed);

/// <summary>How one original matrix was proven dominated, or why not.</summary>
public enum VopProofKind : byte
{
    /// <summary>The VOP built on this matrix (its source index) dominates it alone.</summary>
    SourceVop,
    /// <summary>A combination that proved a previous matrix (per-worker cache) dominates it.</summary>
    ReusedCombination,
    /// <summary>One VOP dominates it (V_j − Q ⪰ −τI).</summary>
    SingleVop,
    /// <summary>A convex combination found by the cutting-plane solver dominates it.</summary>
    ConvexCombination,
    /// <summary>Proven NOT dominated: a PSD W (from top eigenvectors) with tr(WQ) − max_j tr(WV_j) &gt; τ.</summary>
    ProvenNotDominated,
    /// <summary>Neither proven nor disproven within the iteration limit (counted as failed).</summary>
    Undecided,
}

/// <summary>Outcome of <see cref="VopVerifier.Verify"/>: the certificate plus the details behind it.</summary>
public sealed record VopVerificationResult
{
    public required VopCertificate Certificate { get; init; }
    /// <summary>SAR_wc = max_i λ_max(Q_i) computed from the streamed originals.</summary>
    public required double SarWorstCase { get; init; }
    /// <summary>SHA-256 of the streamed originals (<see cref="VopSet.HashMatrices"/> of their concatenation).</summary>
    public required string SourceSha256 { get; init; }
    /// <summary>Counts per <see cref="VopProofKind"/> (index = (int)kind).</summary>
    public required long[] CountsByProof { get; init; }
    /// <summary>Indices of failed matrices (at most <see cref="VopVerifierOptions.MaxListedFailures"/>, ascending).</summary>
    public required long[] FailedIndices { get; init; }
    /// <summary>Drives with max_j bᴴV_jb &lt; max_i bᴴQ_ib − τ (‖b‖ = 1).</summary>
    public long UnderestimatingDrives { get; init; }
    /// <summary>Reasons the certificate failed (empty when passed).</summary>
    public required IReadOnlyList<string> Problems { get; init; }
    public long Count(VopProofKind k) => CountsByProof[(int)k];
}

/// <summary>
/// Independent verifier of a VOP set (issue 3, item 4; docs/vop-cli.md "Certificate"). It shares no solver with the
/// compressor. For every original matrix Q_i it proves the convex-combination criterion of Lee et al. (MRM 2012):
/// there is c in the simplex with λ_min(Σ_j c_jV_j − Q_i) ≥ −τ, τ = <see cref="VopVerifierOptions.RelativeTolerance"/>·SAR_wc.
/// The CC criterion implies tr(Q_iW) ≤ max_j tr(V_jW) for every PSD W, so the set is safe for per-pulse and for time-averaged SAR.
/// <para>Per matrix, cheapest first: (1) the VOP built on Q_i, (2) the last certifying combinations of this worker,
/// (3) the three VOPs with the largest xᴴV_jx along Q_i's top eigenvector x — each by the diagonal pre-test and a Cholesky
/// factorisation of P − Q_i + τI; (4) Kelley's cutting-plane method on min_c λ_max(Q_i − Σc_jV_j): the cuts are top
/// eigenvectors y_k, the restricted problem min_c max_k y_kᴴ(Q_i − Σc_jV_j)y_k is a matrix game solved exactly as a small
/// LP (simplex with Bland's rule) over a working set of VOP columns priced against all VOPs. Every candidate c is then
/// checked with the eigenvalue kernels; the certificate's violation is −λ_min(Σc_jV_j − Q_i) computed with
/// <see cref="HermitianKernels.Eigenvalues(ReadOnlySpan{double}, int, Span{double}, HermitianWorkspace)"/>. The LP dual gives
/// W = Σ w_k y_ky_kᴴ (tr W = 1) and the lower bound tr(WQ_i) − max_j tr(WV_j) ≤ min_c λ_max(·): when it exceeds τ the
/// matrix is proven not dominated.</para>
/// <para>The originals are streamed from an <see cref="IQMatrixSource"/> in chunks (HDF5 hyperslabs), verified in parallel
/// with one preallocated worker per thread; the SHA-256 of the stream and SAR_wc are computed on the way. A second,
/// independent check samples random unit drives (<see cref="OverestimationReport"/>'s generator).</para>
/// </summary>
public static class VopVerifier
{
    public const string Name = "SarKit.VopVerifier";

    /// <summary>Bench baseline only (bench/ `population-stages`): false turns the shortcuts of <see cref="Worker"/> off (exact paths only).</summary>
    internal static bool Shortcuts = true;

    /// <summary>
    /// The verifier's own margin floor (independent of the compressor's): μ = max_j λ_min(V_j) − guard at VOP j*; every
    /// Q with λ_max(Q) ≤ μ satisfies V_j* − Q ⪰ (λ_min(V_j*) − λ_max(Q))·I ⪰ 0 (Weyl). Guard = 16·N²·2⁻⁵²·max(SAR_wc,
    /// max_j ‖V_j‖_F), far above the rounding of the eigenvalue solves and of a Cholesky factorisation of P − Q.
    /// </summary>
    internal sealed record Floor(double Mu, int Vop, double Guard)
    {
        public static Floor Of(double[] vops, int n, int count, double sarWc)
        {
            int nn = n * n;
            double norm = sarWc;
            for (int j = 0; j < count; j++) norm = Math.Max(norm, HermitianKernels.FrobeniusNorm(vops.AsSpan(j * nn, nn), n));
            double guard = 16.0 * n * n * Math.ScaleB(1.0, -52) * norm;
            var eig = new double[n];
            var ws = new HermitianWorkspace(n);
            double mu = double.NegativeInfinity; int best = -1;
            for (int j = 0; j < count; j++)
            {
                HermitianKernels.Eigenvalues(vops.AsSpan(j * nn, nn), n, eig, ws);
                if (eig[0] - guard > mu) { mu = eig[0] - guard; best = j; }
            }
            return new Floor(mu, best, double.IsFinite(guard) ? guard : double.PositiveInfinity);
        }
    }

    /// <summary>Verifies <paramref name="set"/> against <paramref name="originals"/> and returns the certificate with details.</summary>
    public static VopVerificationResult Verify(VopSet set, IQMatrixSource originals, VopVerifierOptions? options = null,
                                               IProgress<VopVerificationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var o = options ?? new VopVerifierOptions();
        int n = set.Channels, nn = n * n;
        if (originals.Channels != n)
            throw new SarKitInputException($"{originals.Description}: the Q-matrices have {originals.Channels} channels, the VOP set has {n}.") { SourceFile = originals.Description };
        if (!(set.SarWorstCase > 0) || !double.IsFinite(set.SarWorstCase))
            throw new SarKitInputException($"VOP set: SAR_wc = {set.SarWorstCase}, expected a positive number.");
        if (!(o.RelativeTolerance >= 0)) throw new SarKitInputException($"Verifier: relative tolerance {o.RelativeTolerance}, expected ≥ 0.");
        if (o.RandomDrives < 0) throw new SarKitInputException($"Verifier: random drives {o.RandomDrives}, expected ≥ 0.");
        double tau = o.RelativeTolerance * set.SarWorstCase;
        int dop = Math.Max(1, o.MaxDegreeOfParallelism);
        var hint = new Dictionary<long, int>();
        for (int j = 0; j < set.Count; j++) if (set.SourceIndex[j] >= 0) hint.TryAdd(set.SourceIndex[j], j);

        var floor = Floor.Of(set.Packed, n, set.Count, set.SarWorstCase);
        var workers = new ConcurrentBag<Worker>();
        for (int t = 0; t < dop; t++) workers.Add(new Worker(n, set.Packed, set.Count, tau, o.MaxIterations, floor));
        var sampler = o.RandomDrives > 0 ? new DriveSampler(n, o.RandomDrives, o.Seed, dop) : null;

        long total = originals.Count;
        long drivesDone = 0;
        long driveWork = sampler is null ? 0 : (long)sampler.BlockCount * ((total + o.ChunkMatrices - 1) / Math.Max(1, o.ChunkMatrices) + 1);
        int chunk = (int)Math.Clamp(Math.Min(o.ChunkMatrices, total), 1, int.MaxValue);
        var buf = new double[(long)chunk * nn];
        var kinds = new VopProofKind[chunk];
        var viol = new double[chunk];
        var counts = new long[Enum.GetValues<VopProofKind>().Length];
        var failed = new List<long>();
        long failedCount = 0, worstIndex = -1, processed = 0;
        double worst = double.NegativeInfinity;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var po = new ParallelOptions { MaxDegreeOfParallelism = dop, CancellationToken = cancellationToken };

        for (long first = 0; first < total; first += chunk)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int k = (int)Math.Min(chunk, total - first);
            originals.Read(first, buf.AsSpan(0, k * nn));
            hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(buf.AsSpan(0, k * nn)));
            // fixed ranges (not sized by the core count), each proved by a worker reset at its start (StartRange): which
            // proof a matrix gets, and so the proof counts and the largest violation, depend only on the input, not on
            // the thread schedule or the machine (before: a worker's cache carried over between ranges in whatever order
            // the threads took them, and the certificate's largest violation changed from run to run)
            const int range = VerifyRange;
            int ranges = (k + range - 1) / range;
            long baseFirst = first;
            Parallel.For(0, ranges, po, () => workers.TryTake(out var w) ? w : new Worker(n, set.Packed, set.Count, tau, o.MaxIterations, floor), (r, _, w) =>
            {
                int end = Math.Min(k, (r + 1) * range);
                w.StartRange();
                for (int i = r * range; i < end; i++)
                {
                    long gi = baseFirst + i;
                    int h = hint.TryGetValue(gi, out var hj) ? hj : -1;
                    kinds[i] = w.Check(buf.AsSpan(i * nn, nn), h, out viol[i]);
                }
                long done = Interlocked.Add(ref processed, end - r * range);
                progress?.Report(new VopVerificationProgress("dominance", done, total, Interlocked.Read(ref failedCount)));
                return w;
            }, w => workers.Add(w));
            for (int i = 0; i < k; i++)
            {
                counts[(int)kinds[i]]++;
                if (viol[i] > worst) { worst = viol[i]; worstIndex = first + i; }
                if (kinds[i] >= VopProofKind.ProvenNotDominated)
                {
                    Interlocked.Increment(ref failedCount);
                    if (failed.Count < o.MaxListedFailures) failed.Add(first + i);
                }
            }
            if (sampler is not null)
                sampler.AddOriginals(buf, k, cancellationToken, b => ReportDrives(b));
        }

        double wc = 0;
        foreach (var w in workers) wc = Math.Max(wc, w.SarWorstCaseAll);

        void ReportDrives(int blocks)
        {
            long d = Interlocked.Add(ref drivesDone, blocks);
            progress?.Report(new VopVerificationProgress("random drives", Math.Min(d, driveWork), driveWork, Interlocked.Read(ref failedCount)));
        }
        string sourceHash = Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
        var problems = new List<string>();
        if (failedCount > 0)
            problems.Add($"{failedCount} of {total} original matrices are not proven dominated (CC criterion, τ = {tau:G3}; first: {string.Join(", ", failed.Take(10))}).");
        if (sourceHash != set.SourceSha256)
            problems.Add($"the original matrices given ({originals.Description}) are not the ones the VOP set was built from (source SHA-256 {sourceHash[..12]}… ≠ {set.SourceSha256[..Math.Min(12, set.SourceSha256.Length)]}…).");
        if (total != set.SourceCount)
            problems.Add($"{total} original matrices given, the VOP set records {set.SourceCount}.");
        if (Math.Abs(wc - set.SarWorstCase) > 1e-9 * wc)
            problems.Add($"SAR_wc of the originals is {wc:G10}, the VOP set records {set.SarWorstCase:G10}.");

        long under = 0;
        double maxUnder = double.NegativeInfinity;
        if (sampler is not null)
        {
            var vmax = sampler.VopMax(set.Packed, cancellationToken, b => ReportDrives(b));
            progress?.Report(new VopVerificationProgress("random drives", driveWork, driveWork, failedCount));
            var omax = sampler.OriginalMax;
            for (int d = 0; d < vmax.Length; d++)
            {
                double u = omax[d] - vmax[d];
                if (u > tau) under++;
                if (omax[d] > 0) maxUnder = Math.Max(maxUnder, u / omax[d]);
            }
            if (under > 0) problems.Add($"{under} of {o.RandomDrives} random unit drives give a VOP SAR more than τ below the true peak SAR.");
        }

        var cert = new VopCertificate
        {
            Passed = problems.Count == 0,
            Criterion = DominanceCriterion.ConvexCombination,
            MatricesChecked = total,
            MatricesFailed = failedCount,
            LargestViolation = worst,
            LargestViolationIndex = worstIndex,
            Tolerance = tau,
            RandomDrives = o.RandomDrives,
            RandomMaxRelativeUnderestimation = sampler is null ? 0 : maxUnder,
            SourceSha256 = sourceHash,
            VopSha256 = VopSet.HashMatrices(set.Packed),
            Verifier = $"{Name} {SarKitVersion.Current} (CC cutting plane + multi-cut, rel. tol {o.RelativeTolerance:G3}, seed {o.Seed})",
            CreatedUtc = o.Time.GetUtcNow().UtcDateTime,
        };
        // bind the set's matrices, margin, SAR_wc, unit, counts and every certificate field (docs/vop-format.md "Certificate digest")
        cert = VopCertificateDigest.Seal(set, cert);
        return new VopVerificationResult
        {
            Certificate = cert, SarWorstCase = wc, SourceSha256 = sourceHash, CountsByProof = counts,
            FailedIndices = failed.ToArray(), UnderestimatingDrives = under, Problems = problems,
        };
    }

    /// <summary>Verifies and attaches the certificate to <paramref name="set"/> (<see cref="VopSet.Certificate"/>).</summary>
    public static VopVerificationResult Certify(VopSet set, IQMatrixSource originals, VopVerifierOptions? options = null,
                                                IProgress<VopVerificationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var r = Verify(set, originals, options, progress, cancellationToken);
        set.Certificate = r.Certificate;
        return r;
    }

    /// <summary>
    /// Per-thread state: every buffer the per-matrix proof needs, allocated once (K = VOP count, N = channels), so the inner
    /// loops allocate nothing.
    /// </summary>
    /// <summary>Matrices per parallel range of the dominance proofs (fixed, so the results do not depend on the core count).</summary>
    internal const int VerifyRange = 256;

    internal sealed class Worker
    {
        private const int CacheSize = 8, SingleTries = 3;
        private readonly int _n, _nn, _k, _maxIter, _maxCuts, _maxCols;
        private readonly double[] _v;
        private readonly double _tau;
        private readonly HermitianWorkspace _ws;
        private readonly double[] _p, _neg, _eig, _w, _a, _b, _c, _y, _r, _tab;
        private readonly int[] _cols, _basis;
        private readonly Complex[] _x;
        private readonly double[][] _cache;
        private int _cached;
        private readonly double[] _h, _hv, _dir, _dirVal;
        private readonly bool[] _used;

        /// <summary>Largest λ_max(Q) computed in the current range (the shortcut bound; reset by <see cref="StartRange"/>).</summary>
        public double SarWorstCase { get; private set; }

        /// <summary>Largest λ_max(Q) this worker has computed in all its ranges (SAR_wc of the originals = the maximum over workers).</summary>
        public double SarWorstCaseAll { get; private set; }

        /// <summary>
        /// Forgets everything learnt from earlier matrices (cached combinations, the range's SAR_wc and largest violation),
        /// so the proofs of a range do not depend on which ranges this worker proved before.
        /// </summary>
        public void StartRange()
        {
            _cached = 0;
            SarWorstCase = 0;
            _worst = double.NegativeInfinity;
        }

        private readonly Floor _floor;
        /// <summary>Largest violation this worker has returned (a lower bound of the certificate's largest violation).</summary>
        private double _worst = double.NegativeInfinity;

        public Worker(int n, double[] vops, int k, double tau, int maxIter, Floor floor)
        {
            _n = n; _nn = n * n; _k = k; _v = vops; _tau = tau; _maxIter = Math.Max(1, maxIter); _floor = floor;
            _maxCuts = 48; _maxCols = Math.Min(k, 48);
            _ws = new HermitianWorkspace(n);
            _p = new double[_nn]; _neg = new double[_nn]; _eig = new double[n]; _w = new double[_nn];
            _x = new Complex[n];
            _a = new double[_maxCuts]; _b = new double[_maxCuts * k]; _y = new double[_maxCuts];
            _c = new double[_maxCols]; _cols = new int[_maxCols]; _r = new double[k];
            _basis = new int[_maxCuts];
            _tab = new double[(_maxCuts + 1) * (_maxCols + _maxCuts + 1)];
            _h = new double[4 * n * n]; _hv = new double[4 * n * n]; _dir = new double[MultiCuts * 2 * n]; _dirVal = new double[MultiCuts];
            _used = new bool[2 * n];
            _cache = new double[CacheSize][];
            for (int i = 0; i < CacheSize; i++) _cache[i] = new double[_nn];
        }

        private ReadOnlySpan<double> V(int j) => _v.AsSpan(j * _nn, _nn);

        /// <summary>
        /// Proves dominance of one packed Q; <paramref name="violation"/> = −λ_min(P − Q) of the proof (or, for the
        /// shortcuts, an upper bound of it below the largest violation this worker has already returned, so the
        /// certificate's largest violation is unchanged by them), or the bound for a failure.
        /// </summary>
        public VopProofKind Check(ReadOnlySpan<double> q, int hintVop, out double violation)
        {
            var kind = Prove(q, hintVop, out violation);
            if (violation > _worst) _worst = violation;
            return kind;
        }

        private VopProofKind Prove(ReadOnlySpan<double> q, int hintVop, out double violation)
        {
            // λ_max(Q) ≤ ‖Q‖_F (every eigenvalue of a Hermitian matrix): below this worker's SAR_wc so far it cannot raise
            // SAR_wc, so the eigenvalue solve is needed only otherwise (NaN/∞ fall through to it)
            double top = HermitianKernels.FrobeniusNorm(q, _n) * (1 + 1e-12);
            if (!(top < SarWorstCase) || !Shortcuts)
            {
                double lmax = HermitianKernels.LargestEigenvalue(q, _n, _ws);
                SarWorstCase = Math.Max(SarWorstCase, lmax);
                SarWorstCaseAll = Math.Max(SarWorstCaseAll, lmax);
                top = lmax + _floor.Guard;
            }
            if (hintVop >= 0 && Confirm(V(hintVop), q, out violation)) return VopProofKind.SourceVop;
            // margin floor: Q ⪯ λ_max(Q)·I ⪯ μ·I ⪯ V_j* (Floor), no factorisation needed
            if (Shortcuts && _floor.Vop >= 0)
            {
                violation = top - _floor.Mu;
                if (violation <= _tau - _floor.Guard && violation < _worst) return VopProofKind.SingleVop;
            }
            for (int c = 0; c < _cached; c++)
                if (Confirm(_cache[c], q, out violation)) { ToFront(c); return VopProofKind.ReusedCombination; }

            // top eigenvector of Q: the first cut
            HermitianKernels.LargestEigen(q, _n, _x, _ws);
            AddCut(0, q);
            int m = 1;
            double best = double.NegativeInfinity;
            for (int j = 0; j < _k; j++) best = Math.Max(best, _b[j]);
            if (_a[0] - best > _tau) { violation = _a[0] - best; return VopProofKind.ProvenNotDominated; }

            // a few single VOPs, best along x first; they also seed the column working set
            int nCols = 0;
            for (int t = 0; t < Math.Min(SingleTries, _maxCols); t++)
            {
                int arg = -1; double s = double.NegativeInfinity;
                for (int j = 0; j < _k; j++)
                {
                    if (_b[j] <= s) continue;
                    bool taken = false;
                    for (int u = 0; u < nCols; u++) if (_cols[u] == j) { taken = true; break; }
                    if (!taken) { s = _b[j]; arg = j; }
                }
                if (arg < 0) break;
                _cols[nCols++] = arg;
                if (Confirm(V(arg), q, out violation)) { Remember(V(arg)); return VopProofKind.SingleVop; }
            }

            double upper = double.PositiveInfinity, lower = double.NegativeInfinity;
            for (int it = 0; it < _maxIter; it++)
            {
                SolveGame(m, nCols);
                // price all VOPs with the dual weights w (= y normalised): r_j = Σ_k w_k y_kᴴV_jy_k = tr(W V_j)
                double ysum = 0;
                for (int kk = 0; kk < m; kk++) ysum += _y[kk];
                if (!(ysum > 0)) { for (int kk = 0; kk < m; kk++) _y[kk] = 1; ysum = m; }
                double wa = 0;
                for (int kk = 0; kk < m; kk++) wa += _y[kk] / ysum * _a[kk];
                Array.Clear(_r);
                for (int kk = 0; kk < m; kk++)
                {
                    double wk = _y[kk] / ysum;
                    if (wk == 0) continue;
                    var row = _b.AsSpan(kk * _k, _k);
                    for (int j = 0; j < _k; j++) _r[j] += wk * row[j];
                }
                int jStar = 0; double rAll = double.NegativeInfinity, rIn = double.NegativeInfinity;
                for (int j = 0; j < _k; j++) if (_r[j] > rAll) { rAll = _r[j]; jStar = j; }
                for (int u = 0; u < nCols; u++) rIn = Math.Max(rIn, _r[_cols[u]]);
                lower = Math.Max(lower, wa - rAll);
                if (lower > _tau) { violation = lower; return VopProofKind.ProvenNotDominated; }
                if (rAll > rIn + 1e-12 * Math.Abs(rAll) + 1e-300 && AddColumn(jStar, ref nCols)) continue;

                // candidate combination P = Σ c_j V_j, exact λ_max(Q − P) and its eigenvector (the next cut)
                Array.Clear(_p);
                for (int u = 0; u < nCols; u++)
                {
                    double cu = _c[u];
                    if (cu == 0) continue;
                    var vj = V(_cols[u]);
                    for (int t = 0; t < _nn; t++) _p[t] += cu * vj[t];
                }
                if (Confirm(_p, q, out violation)) { Remember(_p); return VopProofKind.ConvexCombination; }
                for (int t = 0; t < _nn; t++) _neg[t] = q[t] - _p[t];
                // first iterations: the top eigenvector (fast kernel) as the cut; later all eigenpairs of Q − P, every
                // eigenvector with a positive eigenvalue a cut (at the optimum λ_max is usually multiple and single cuts zigzag)
                int found;
                if (it < SingleCutIterations)
                {
                    _dirVal[0] = HermitianKernels.LargestEigen(_neg, _n, _x, _ws);
                    for (int i = 0; i < _n; i++) { _dir[i] = _x[i].Real; _dir[_n + i] = _x[i].Imaginary; }
                    found = 1;
                }
                else found = EigenDirections(_neg, MultiCuts);
                double lam = _dirVal[0];
                upper = Math.Min(upper, lam);
                if (upper - lower <= 1e-3 * _tau + 1e-15 * SarWorstCase) break;
                bool stop = false;
                for (int d = 0; d < found; d++)
                {
                    if (d > 0 && !(_dirVal[d] > _tau)) break;
                    if (m == _maxCuts && !DropIdleCuts(ref m)) { stop = d == 0; break; }
                    for (int i = 0; i < _n; i++) _x[i] = new Complex(_dir[d * 2 * _n + i], _dir[d * 2 * _n + _n + i]);
                    AddCut(m, q);
                    m++;
                }
                if (stop) break;
            }
            violation = double.IsFinite(upper) ? upper : lower;
            return VopProofKind.Undecided;
        }

        private const int MultiCuts = 4, SingleCutIterations = 4;

        /// <summary>
        /// Eigen-decomposition of the packed Hermitian A = R + iI through its real symmetric embedding H = [[R, −I], [I, R]]
        /// (every eigenvalue of A appears twice; an eigenvector (u; v) of H gives x = u + iv of A) by the cyclic Jacobi
        /// method (Golub &amp; Van Loan, 4th ed., Algorithm 8.5.3). Writes up to <paramref name="max"/> distinct unit directions
        /// with the largest eigenvalues, descending, to _dir (re block, im block) and _dirVal; returns how many.
        /// </summary>
        private int EigenDirections(ReadOnlySpan<double> a, int max)
        {
            int n = _n, m = 2 * n;
            var h = _h; var v = _hv;
            Array.Clear(h, 0, m * m);
            for (int i = 0; i < n; i++) { h[i * m + i] = a[i]; h[(i + n) * m + i + n] = a[i]; }
            int o = n;
            for (int i = 0; i < n; i++)
                for (int j = i + 1; j < n; j++, o += 2)
                {
                    double re = a[o], im = a[o + 1];     // A_ij = re + i·im, A_ji = re − i·im
                    h[i * m + j] = re; h[j * m + i] = re; h[(i + n) * m + j + n] = re; h[(j + n) * m + i + n] = re;
                    h[(i + n) * m + j] = im; h[(j + n) * m + i] = -im;   // lower-left block = Im A
                    h[i * m + j + n] = -im; h[j * m + i + n] = im;       // upper-right block = −Im A
                }
            Array.Clear(v, 0, m * m);
            for (int i = 0; i < m; i++) v[i * m + i] = 1;
            double total = 0;
            for (int i = 0; i < m * m; i++) total += h[i] * h[i];
            for (int sweep = 0; sweep < 60 && total > 0; sweep++)
            {
                double off = 0;
                for (int p = 0; p < m; p++) for (int q = p + 1; q < m; q++) off += h[p * m + q] * h[p * m + q];
                if (off <= 1e-32 * total) break;
                for (int p = 0; p < m - 1; p++)
                    for (int q = p + 1; q < m; q++)
                    {
                        double apq = h[p * m + q];
                        if (Math.Abs(apq) <= 1e-300) continue;
                        double tau = (h[q * m + q] - h[p * m + p]) / (2 * apq);
                        double t = (tau >= 0 ? 1 : -1) / (Math.Abs(tau) + Math.Sqrt(1 + tau * tau));
                        double c = 1 / Math.Sqrt(1 + t * t), s = t * c;
                        for (int k = 0; k < m; k++)
                        {
                            double kp = h[k * m + p], kq = h[k * m + q];
                            h[k * m + p] = c * kp - s * kq; h[k * m + q] = s * kp + c * kq;
                        }
                        for (int k = 0; k < m; k++)
                        {
                            double pk = h[p * m + k], qk = h[q * m + k];
                            h[p * m + k] = c * pk - s * qk; h[q * m + k] = s * pk + c * qk;
                        }
                        for (int k = 0; k < m; k++)
                        {
                            double kp = v[k * m + p], kq = v[k * m + q];
                            v[k * m + p] = c * kp - s * kq; v[k * m + q] = s * kp + c * kq;
                        }
                    }
            }
            // pick columns by descending eigenvalue, skipping directions parallel (in Cⁿ) to one already taken
            for (int i = 0; i < m; i++) _used[i] = false;
            int found = 0;
            while (found < max)
            {
                int best = -1;
                for (int i = 0; i < m; i++) if (!_used[i] && (best < 0 || h[i * m + i] > h[best * m + best])) best = i;
                if (best < 0) break;
                _used[best] = true;
                double nrm = 0;
                for (int k = 0; k < m; k++) nrm += v[k * m + best] * v[k * m + best];
                double inv = 1 / Math.Sqrt(nrm);
                var d = _dir.AsSpan(found * m, m);
                for (int k = 0; k < m; k++) d[k] = v[k * m + best] * inv;
                bool parallel = false;
                for (int e = 0; e < found && !parallel; e++)
                {
                    // |⟨x_e, x⟩|² for x = u + iv
                    var f = _dir.AsSpan(e * m, m);
                    double re = 0, im = 0;
                    for (int k = 0; k < n; k++) { re += f[k] * d[k] + f[n + k] * d[n + k]; im += f[k] * d[n + k] - f[n + k] * d[k]; }
                    parallel = re * re + im * im > 0.98;
                }
                if (parallel) continue;
                _dirVal[found++] = h[best * m + best];
            }
            return found;
        }

        /// <summary>
        /// Diagonal pre-test, then either a Cholesky factorisation of P − Q + sI with s = min(worst so far, τ) − guard (its
        /// success proves λ_min(P − Q) &gt; −s ≥ −τ with the guard far above the factorisation's rounding, and a violation
        /// below the largest one already found, so its exact value is not needed), or the Cholesky of P − Q + τI and the
        /// exact λ_min(P − Q) ≥ −τ.
        /// </summary>
        private bool Confirm(ReadOnlySpan<double> p, ReadOnlySpan<double> q, out double violation)
        {
            violation = double.PositiveInfinity;
            for (int l = 0; l < _n; l++) if (p[l] - q[l] < -_tau) return false;
            double shift = Math.Min(_worst, _tau) - _floor.Guard;
            if (Shortcuts && double.IsFinite(shift) && HermitianKernels.Dominates(p, q, _n, shift, _ws)) { violation = shift; return true; }
            if (!HermitianKernels.Dominates(p, q, _n, _tau, _ws)) return false;
            for (int t = 0; t < _nn; t++) _neg[t] = p[t] - q[t];
            HermitianKernels.Eigenvalues(_neg, _n, _eig, _ws);
            violation = -_eig[0];
            return violation <= _tau;
        }

        private void Remember(ReadOnlySpan<double> p)
        {
            int slot = Math.Min(_cached, CacheSize - 1);
            var keep = _cache[slot];
            for (int i = slot; i > 0; i--) _cache[i] = _cache[i - 1];
            _cache[0] = keep;
            p.CopyTo(keep);
            if (_cached < CacheSize) _cached++;
        }

        private void ToFront(int c)
        {
            var keep = _cache[c];
            for (int i = c; i > 0; i--) _cache[i] = _cache[i - 1];
            _cache[0] = keep;
        }

        /// <summary>Cut from the unit vector in _x: a_k = xᴴQx, b_kj = xᴴV_jx for every VOP (dot products with w(x)).</summary>
        private void AddCut(int kk, ReadOnlySpan<double> q)
        {
            for (int i = 0; i < _n; i++) _w[i] = _x[i].Real * _x[i].Real + _x[i].Imaginary * _x[i].Imaginary;
            int o = _n;
            for (int i = 0; i < _n; i++)
                for (int j = i + 1; j < _n; j++)
                {
                    var c = Complex.Conjugate(_x[i]) * _x[j];
                    _w[o++] = 2 * c.Real; _w[o++] = -2 * c.Imaginary;
                }
            _a[kk] = FixedOrderDot.Dot(q, _w);
            var row = _b.AsSpan(kk * _k, _k);
            for (int j = 0; j < _k; j++) row[j] = FixedOrderDot.Dot(V(j), _w);
        }

        private bool AddColumn(int j, ref int nCols)
        {
            for (int u = 0; u < nCols; u++) if (_cols[u] == j) return false;
            if (nCols == _maxCols)
            {
                int keep = 0;
                for (int u = 0; u < nCols; u++) if (_c[u] > 0) { _cols[keep] = _cols[u]; _c[keep] = _c[u]; keep++; }
                if (keep == nCols) return false;
                nCols = keep;
            }
            _cols[nCols] = j; _c[nCols] = 0; nCols++;
            return true;
        }

        /// <summary>Removes cuts with zero dual weight (not binding); false when every cut is binding.</summary>
        private bool DropIdleCuts(ref int m)
        {
            int keep = 0;
            for (int kk = 0; kk < m; kk++)
            {
                if (_y[kk] <= 0) continue;
                if (keep != kk)
                {
                    _a[keep] = _a[kk]; _y[keep] = _y[kk];
                    _b.AsSpan(kk * _k, _k).CopyTo(_b.AsSpan(keep * _k, _k));
                }
                keep++;
            }
            if (keep == m) return false;
            m = keep;
            return true;
        }

        /// <summary>
        /// Solves the matrix game min_{c ∈ simplex} max_k Σ_u (a_k − b_k,cols[u]) c_u exactly: with the payoff shifted and scaled
        /// to M' &gt; 0, max Σu s.t. M'u ≤ 1, u ≥ 0 (feasible at u = 0, bounded) by the tableau simplex with Bland's rule;
        /// c = u/Σu, and the duals y (reduced costs of the slacks) are the row player's weights. Writes _c[0..nCols) and _y[0..m).
        /// </summary>
        private void SolveGame(int m, int nCols)
        {
            int cols = nCols + m + 1, rhs = nCols + m;
            double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
            for (int kk = 0; kk < m; kk++)
                for (int u = 0; u < nCols; u++)
                {
                    double v = _a[kk] - _b[kk * _k + _cols[u]];
                    lo = Math.Min(lo, v); hi = Math.Max(hi, v);
                }
            double shift = -lo + Math.Max(hi - lo, Math.Max(Math.Abs(hi), Math.Abs(lo))) + 1e-300;
            double scale = 1 / (hi + shift);
            var t = _tab.AsSpan(0, (m + 1) * cols);
            t.Clear();
            for (int kk = 0; kk < m; kk++)
            {
                var row = t.Slice(kk * cols, cols);
                for (int u = 0; u < nCols; u++) row[u] = (_a[kk] - _b[kk * _k + _cols[u]] + shift) * scale;
                row[nCols + kk] = 1;
                row[rhs] = 1;
                _basis[kk] = nCols + kk;
            }
            var obj = t.Slice(m * cols, cols);
            for (int u = 0; u < nCols; u++) obj[u] = -1;
            const double eps = 1e-12;
            for (int pivots = 0; pivots < 50 * (m + nCols) + 100; pivots++)
            {
                int enter = -1;
                for (int col = 0; col < rhs; col++) if (obj[col] < -eps) { enter = col; break; } // Bland: lowest index
                if (enter < 0) break;
                int leave = -1; double ratio = double.PositiveInfinity;
                for (int kk = 0; kk < m; kk++)
                {
                    double e = t[kk * cols + enter];
                    if (e <= eps) continue;
                    double rr = t[kk * cols + rhs] / e;
                    if (rr < ratio - 1e-15 || (Math.Abs(rr - ratio) <= 1e-15 && leave >= 0 && _basis[kk] < _basis[leave])) { ratio = rr; leave = kk; }
                }
                if (leave < 0) break; // unbounded cannot happen (M' > 0); stop defensively
                var pr = t.Slice(leave * cols, cols);
                double inv = 1 / pr[enter];
                for (int col = 0; col < cols; col++) pr[col] *= inv;
                for (int kk = 0; kk <= m; kk++)
                {
                    if (kk == leave) continue;
                    var row = t.Slice(kk * cols, cols);
                    double f = row[enter];
                    if (f == 0) continue;
                    for (int col = 0; col < cols; col++) row[col] -= f * pr[col];
                    row[enter] = 0;
                }
                _basis[leave] = enter;
            }
            double sum = 0;
            for (int u = 0; u < nCols; u++) _c[u] = 0;
            for (int kk = 0; kk < m; kk++)
                if (_basis[kk] < nCols) { double val = Math.Max(0, t[kk * cols + rhs]); _c[_basis[kk]] = val; sum += val; }
            if (sum > 0) for (int u = 0; u < nCols; u++) _c[u] /= sum;
            else { for (int u = 0; u < nCols; u++) _c[u] = 1.0 / nCols; }
            for (int kk = 0; kk < m; kk++) _y[kk] = Math.Max(0, obj[nCols + kk]);
        }
    }
}
