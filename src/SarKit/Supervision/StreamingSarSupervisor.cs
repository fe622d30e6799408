using SarKit.Numerics.LinearAlgebra;
using System.Numerics.Tensors;
using SarKit.Compression;

namespace SarKit.Supervision;

/// <summary>State of a <see cref="StreamingSarSupervisor"/>; anything but <see cref="Ok"/> means act.</summary>
public enum SupervisorState
{
    /// <summary>All limits met, also if the next block repeats the last one.</summary>
    Ok,
    /// <summary>Predictive alarm: one more block at the current rate would exceed a limit. Stop or reduce RF before the next block.</summary>
    Alarm,
    /// <summary>A limit is exceeded.</summary>
    Exceeded,
    /// <summary>Fail closed (gap or overlap in the data, non-finite or overflowing values, a correlation block that is not
    /// positive semidefinite, no data before the watchdog deadline, bad input): RF must stop. Sticky (latched).</summary>
    Failed,
}

/// <summary>Running value of one limit.</summary>
/// <param name="Limit">The limit.</param>
/// <param name="Sar">Current window SAR (upper bound, see <see cref="StreamingSarSupervisor"/>), W/kg.</param>
/// <param name="PredictedSar">Window SAR if the next block repeats the last block's energy, W/kg.</param>
/// <param name="MatrixIndex">Matrix (VOP) index attaining <see cref="Sar"/>.</param>
public readonly record struct LimitStatus(SarLimit Limit, double Sar, double PredictedSar, int MatrixIndex);

/// <summary>Status after a feed.</summary>
/// <param name="State">Overall state (worst over limits).</param>
/// <param name="Reason">Why the state is not Ok.</param>
/// <param name="TimeSeconds">End of the data fed so far.</param>
/// <param name="Limits">Per-limit values.</param>
public sealed record SupervisorStatus(SupervisorState State, string? Reason, double TimeSeconds, LimitStatus[] Limits);

/// <summary>Options of a <see cref="StreamingSarSupervisor"/>.</summary>
public sealed record StreamingSupervisorOptions
{
    /// <summary>Sample spacing of fed samples, s (e.g. 1e-6).</summary>
    public required double SampleIntervalSeconds { get; init; }
    /// <summary>Bins per window: the window sum includes the whole oldest bin and whole blocks, so SAR is overestimated by at most the energy of one bin plus one block before the window start, / T (default 200).</summary>
    public int BinsPerWindow { get; init; } = 200;
    /// <summary>Largest allowed mismatch between a block's start and the end of the previous block, s (default 1e-3 × sample interval).</summary>
    public double? TimeToleranceSeconds { get; init; }
    /// <summary>
    /// Watchdog deadline: when no feed arrives for this long (wall-clock time of <see cref="TimeProvider"/>, counted from
    /// construction and from every feed) the supervisor latches <see cref="SupervisorState.Failed"/> (default 1 s; must be
    /// positive and at most one day).
    /// </summary>
    public TimeSpan DataTimeout { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Clock of the watchdog (default <see cref="TimeProvider.System"/>; inject a fake clock in tests).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary>
/// Online SAR supervision: feed per-channel samples (or per-block correlation matrices) as they are played; the supervisor
/// keeps, for every matrix and every window length of the limits, the energy in the last window and reports the
/// running SAR = max_j E_j(window)/T, an alarm when one more block like the last would exceed a limit, and fails closed on
/// gaps, overlaps, non-finite or overflowing values, correlation blocks that are not Hermitian positive semidefinite
/// (<see cref="RfCorrelation.CheckPositiveSemidefinite"/>), a missed watchdog deadline (<see cref="StreamingSupervisorOptions.DataTimeout"/>)
/// or (at construction) a VOP set without a valid certificate. Failed is latched. Thread-safe: feeds, <see cref="Status"/>
/// and the watchdog timer are serialised by a lock.
/// Energy per block: e_j = tr(V_j R), R = Σ_t x_t x_tᴴ Δt (SIMD). Windows are kept in bins of T/BinsPerWindow; the window
/// value includes the whole oldest bin and every block that meets the window (a block is binned at its last instant), so it
/// is an upper bound of the exact per-sample sliding value, exceeding it by at most the energy of one bin plus one block
/// before the window start, /T.
/// </summary>
public sealed class StreamingSarSupervisor : IDisposable
{
    private readonly object _gate = new();
    private readonly TimeProvider _clock;
    private readonly TimeSpan _timeout;
    private readonly ITimer _watchdog;
    private long _lastFeed;
    private readonly SarObservable[] _obs;
    private readonly int[] _obsOffset;
    private readonly double[] _packed;   // all matrices, K_all × N²
    private readonly int _k, _n;
    private readonly SarLimit[] _limits;
    private readonly Window[] _windows;
    private readonly int[] _limitWindow, _limitObs;
    private readonly double _dt, _tol;
    private readonly double[] _w, _e, _re, _im;
    private double _time;
    private bool _started;
    private SupervisorStatus _status;

    /// <summary>Supervisor for a VOP set (local SAR, must carry a valid certificate) plus optional region matrices.</summary>
    /// <exception cref="SarKitInputException">The VOP set has no valid certificate, or units/channels do not match (fail closed: no supervisor, no RF).</exception>
    public static StreamingSarSupervisor ForVops(VopSet vops, SarMetric localMetric, IEnumerable<SarObservable> regions, IReadOnlyList<SarLimit> limits, StreamingSupervisorOptions options, string source = "VOP set")
        => new(new[] { SupervisionMatrixSets.FromVops(vops, localMetric, source) }.Concat(regions).ToArray(), limits, options);

    /// <summary>Supervisor for given matrix sets (e.g. a full Q-matrix set, region Qs). Limits whose metric has no matrices are ignored.</summary>
    public StreamingSarSupervisor(IReadOnlyList<SarObservable> observables, IReadOnlyList<SarLimit> limits, StreamingSupervisorOptions options)
    {
        if (observables.Count == 0) throw new SarKitInputException("streaming supervisor: no matrices.");
        _n = observables[0].Channels;
        if (observables.Any(o => o.Channels != _n)) throw new SarKitInputException("streaming supervisor: matrix sets have different channel counts.");
        if (observables.Select(o => o.DriveUnit).Distinct().Count() > 1) throw new SarKitInputException("streaming supervisor: matrix sets use different drive units.");
        if (!(options.SampleIntervalSeconds > 0) || !double.IsFinite(options.SampleIntervalSeconds)) throw new SarKitInputException($"streaming supervisor: sample interval {options.SampleIntervalSeconds} s must be a positive number.");
        if (options.TimeToleranceSeconds is { } tt && !(tt >= 0 && double.IsFinite(tt))) throw new SarKitInputException($"streaming supervisor: time tolerance {tt} s must be a non-negative number.");
        if (options.BinsPerWindow < 1) throw new SarKitInputException("streaming supervisor: BinsPerWindow must be ≥ 1.");
        if (!(options.DataTimeout > TimeSpan.Zero) || options.DataTimeout > TimeSpan.FromDays(1))
            throw new SarKitInputException($"streaming supervisor: watchdog DataTimeout {options.DataTimeout} must be positive and at most one day.");
        _obs = observables.ToArray();
        _obsOffset = new int[_obs.Length + 1];
        for (int i = 0; i < _obs.Length; i++) _obsOffset[i + 1] = _obsOffset[i] + _obs[i].Count;
        _k = _obsOffset[^1];
        _packed = _obs.SelectMany(o => o.Packed).ToArray();
        _limits = limits.Where(l => _obs.Any(o => o.Metric == l.Metric)).ToArray();
        if (_limits.Length == 0) throw new SarKitInputException("streaming supervisor: no limit matches the given matrices.");
        var lengths = _limits.Select(l => l.WindowSeconds).Distinct().OrderBy(x => x).ToArray();
        _windows = lengths.Select(T => new Window(T, options.BinsPerWindow, _k)).ToArray();
        _limitWindow = _limits.Select(l => Array.IndexOf(lengths, l.WindowSeconds)).ToArray();
        _limitObs = _limits.Select(l => Array.FindIndex(_obs, o => o.Metric == l.Metric)).ToArray();
        _dt = options.SampleIntervalSeconds;
        _tol = options.TimeToleranceSeconds ?? 1e-3 * _dt;
        _w = new double[_n * _n]; _e = new double[_k];
        _re = Array.Empty<double>(); _im = Array.Empty<double>();
        _status = new SupervisorStatus(SupervisorState.Ok, null, 0, _limits.Select(l => new LimitStatus(l, 0, 0, -1)).ToArray());
        _clock = options.TimeProvider ?? TimeProvider.System;
        _timeout = options.DataTimeout;
        _lastFeed = _clock.GetTimestamp();
        _watchdog = _clock.CreateTimer(_ => OnWatchdog(), null, _timeout, Timeout.InfiniteTimeSpan);
    }

    public int Channels => _n;

    /// <summary>Current status; evaluates the watchdog first (Failed once the deadline has passed without data).</summary>
    public SupervisorStatus Status
    {
        get { lock (_gate) { CheckDeadline(); return _status; } }
    }

    /// <summary>Raised when the state changes to Failed (also from the watchdog timer, without any call into the supervisor).</summary>
    public event Action<SupervisorStatus>? StatusChanged;

    /// <summary>Stops the watchdog timer.</summary>
    public void Dispose() => _watchdog.Dispose();

    private void OnWatchdog()
    {
        SupervisorStatus? failed = null;
        lock (_gate)
        {
            var before = _status.State;
            CheckDeadline();
            if (before != SupervisorState.Failed && _status.State == SupervisorState.Failed) failed = _status;
            else if (_status.State != SupervisorState.Failed)
            {
                // fired early relative to the last feed (timer raced with a feed): re-arm for the remaining time
                var left = _timeout - _clock.GetElapsedTime(_lastFeed);
                _watchdog.Change(left > TimeSpan.Zero ? left : TimeSpan.FromTicks(1), Timeout.InfiniteTimeSpan);
            }
        }
        if (failed is not null) StatusChanged?.Invoke(failed);
    }

    /// <summary>Latches Failed when the watchdog deadline has passed since the last feed (caller holds the lock).</summary>
    private void CheckDeadline()
    {
        if (_status.State == SupervisorState.Failed) return;
        var idle = _clock.GetElapsedTime(_lastFeed);
        if (idle >= _timeout)
            Fail(_time, $"watchdog: no data for {idle.TotalSeconds:G4} s (deadline {_timeout.TotalSeconds:G4} s); RF must stop");
    }

    /// <summary>A feed run under the lock; the span arguments are passed through (spans cannot be captured by a lambda).</summary>
    private delegate SupervisorStatus LockedFeed(double startSeconds, ReadOnlySpan<double> re, ReadOnlySpan<double> im, int length);

    /// <summary>Runs a feed under the lock: watchdog first, then the feed; re-arms the watchdog; raises <see cref="StatusChanged"/> on failure.</summary>
    private SupervisorStatus Guarded(Func<SupervisorStatus> feed) => Guarded((_, _, _, _) => feed(), 0, default, default, 0);

    private SupervisorStatus Guarded(LockedFeed feed, double startSeconds, ReadOnlySpan<double> re, ReadOnlySpan<double> im, int length)
    {
        SupervisorStatus st; bool failedNow;
        lock (_gate)
        {
            var before = _status.State;
            CheckDeadline();
            if (_status.State != SupervisorState.Failed)
            {
                _status = feed(startSeconds, re, im, length);
                _lastFeed = _clock.GetTimestamp();
                if (_status.State != SupervisorState.Failed) _watchdog.Change(_timeout, Timeout.InfiniteTimeSpan);
            }
            st = _status;
            failedNow = before != SupervisorState.Failed && st.State == SupervisorState.Failed;
        }
        if (failedNow) StatusChanged?.Invoke(st);
        return st;
    }

    /// <summary>
    /// Feeds <paramref name="length"/> samples per channel starting at <paramref name="startSeconds"/>, planar: channel c at
    /// [c·length, (c+1)·length) of <paramref name="re"/> and <paramref name="im"/>, in the matrices' drive unit.
    /// </summary>
    public SupervisorStatus FeedSamples(double startSeconds, ReadOnlySpan<double> re, ReadOnlySpan<double> im, int length) =>
        Guarded(FeedSamplesLocked, startSeconds, re, im, length);

    private SupervisorStatus FeedSamplesLocked(double startSeconds, ReadOnlySpan<double> re, ReadOnlySpan<double> im, int length)
    {
        if (length <= 0 || re.Length < _n * length || im.Length < _n * length)
            return Fail(startSeconds, $"block at {startSeconds} s: expected {_n} channels × {length} samples, got {re.Length}/{im.Length} values");
        if (!TensorPrimitives.Sum(re[..(_n * length)]).IsFinite() || !TensorPrimitives.Sum(im[..(_n * length)]).IsFinite()
            || !double.IsFinite(FixedOrderDot.Dot(re[..(_n * length)], re[..(_n * length)])))
        {
            for (int i = 0; i < _n * length; i++)
                if (!double.IsFinite(re[i]) || !double.IsFinite(im[i])) return Fail(startSeconds, $"non-finite sample {i % length} of channel {i / length} in the block at {startSeconds} s");
            return Fail(startSeconds, $"sample values overflow in the block at {startSeconds} s");
        }
        Array.Clear(_w);
        RfCorrelation.Accumulate(re, im, _n, length, _dt, _w);
        return Add(startSeconds, length * _dt, _w);
    }

    /// <summary>Feeds a block given by its packed correlation weights w(R) (R = Σ x xᴴ Δt, drive²·s) over [start, start + duration).</summary>
    /// <remarks>R must be Hermitian positive semidefinite within <see cref="RfCorrelation.PsdRelativeTolerance"/>·tr(R)
    /// (<see cref="RfCorrelation.CheckPositiveSemidefinite"/>); anything else latches Failed.</remarks>
    public SupervisorStatus FeedCorrelation(double startSeconds, double durationSeconds, ReadOnlySpan<double> packedWeights)
    {
        var w = packedWeights.ToArray();
        return Guarded(() =>
        {
            if (w.Length != _n * _n) return Fail(startSeconds, $"correlation block at {startSeconds} s has {w.Length} values, expected {_n * _n}");
            foreach (var v in w) if (!double.IsFinite(v)) return Fail(startSeconds, $"non-finite correlation value in the block at {startSeconds} s");
            for (int i = 0; i < _n; i++) if (w[i] < 0) return Fail(startSeconds, $"negative channel energy R[{i},{i}] in the block at {startSeconds} s");
            if (RfCorrelation.CheckPositiveSemidefinite(w, _n) is { } why)
                return Fail(startSeconds, $"correlation block at {startSeconds} s is not Hermitian positive semidefinite: {why}");
            return Add(startSeconds, durationSeconds, w);
        });
    }

    /// <summary>Feeds silence (no RF) over [start, start + duration).</summary>
    public SupervisorStatus FeedSilence(double startSeconds, double durationSeconds) => Guarded(() =>
    {
        Array.Clear(_w);
        return Add(startSeconds, durationSeconds, _w);
    });

    private SupervisorStatus Add(double start, double duration, ReadOnlySpan<double> w)
    {
        if (!double.IsFinite(start) || !(duration > 0) || !double.IsFinite(duration)) return Fail(start, $"block start {start} s / duration {duration} s not valid");
        if (!_started) { _time = start; _started = true; }
        if (Math.Abs(start - _time) > _tol)
            return Fail(start, start > _time ? $"gap in the data: block starts at {start:G9} s, previous data ended at {_time:G9} s" : $"overlapping data: block starts at {start:G9} s, previous data ended at {_time:G9} s");
        foreach (var v in w) if (!double.IsFinite(v)) return Fail(start, $"correlation of the block at {start} s overflows double precision");
        for (int j = 0; j < _k; j++)
        {
            _e[j] = FixedOrderDot.Dot(_packed.AsSpan(j * _n * _n, _n * _n), w);
            if (!double.IsFinite(_e[j])) return Fail(start, $"energy of the block at {start} s with matrix {j} is {_e[j]} (overflows double precision)");
        }
        double end = _time + duration;
        foreach (var win in _windows)
            if (!(end / win.Bin < MaxBinIndex)) return Fail(start, $"block end {end} s is beyond the supervised time range");
        foreach (var win in _windows) win.Add(_time, end, _e);
        _time = end;
        // status
        var ls = new LimitStatus[_limits.Length];
        var state = SupervisorState.Ok; string? reason = null;
        for (int i = 0; i < _limits.Length; i++)
        {
            var win = _windows[_limitWindow[i]];
            int a = _obsOffset[_limitObs[i]], b = _obsOffset[_limitObs[i] + 1];
            double best = double.NegativeInfinity, pred = double.NegativeInfinity; int at = -1;
            for (int j = a; j < b; j++)
            {
                double s = win.Sum[j];
                if (!double.IsFinite(s)) return Fail(start, $"window energy of {_limits[i]} with matrix {j - a} is {s} (overflows double precision)");
                if (s > best) { best = s; at = j - a; }
                pred = Math.Max(pred, s + _e[j]);
            }
            double T = win.Length;
            if (!double.IsFinite(best) || !double.IsFinite(pred))
                return Fail(start, $"window energy of {_limits[i]} is not finite (best {best}, predicted {pred})");
            ls[i] = new LimitStatus(_limits[i], Math.Max(0, best) / T, Math.Max(0, pred) / T, at);
            var l = _limits[i];
            if (ls[i].Sar > l.LimitWPerKg) { if (state != SupervisorState.Exceeded) reason = $"{l} exceeded: {ls[i].Sar:G5} W/kg"; state = SupervisorState.Exceeded; }
            else if (ls[i].PredictedSar > l.LimitWPerKg && state == SupervisorState.Ok) { state = SupervisorState.Alarm; reason = $"{l} would be exceeded by the next block at the current rate ({ls[i].PredictedSar:G5} W/kg)"; }
        }
        return _status = new SupervisorStatus(state, reason, _time, ls);
    }

    /// <summary>Bin indices stay exactly representable (2⁵⁰ bins).</summary>
    private const double MaxBinIndex = 1L << 50;

    private SupervisorStatus Fail(double t, string why) =>
        _status = new SupervisorStatus(SupervisorState.Failed, why, _time, _status.Limits);

    /// <summary>Energy per matrix in bins of T/B; Sum = energy of the bins overlapping (t − T, t].</summary>
    private sealed class Window
    {
        public readonly double Length, Bin;
        public readonly double[] Sum;
        private readonly double[] _bins; // (B+1) × K ring
        private readonly int _nb, _k;
        private long _current = long.MinValue; // absolute bin index of the newest bin
        private long _rotations;

        public Window(double length, int bins, int k)
        {
            Length = length; Bin = length / bins; _nb = bins + 1; _k = k;
            _bins = new double[_nb * k]; Sum = new double[k];
        }

        public void Add(double t0, double t1, double[] e)
        {
            // The whole block goes into the bin of its last instant: any window (t − T, t] that meets the block keeps that
            // bin, so the block's energy is never dropped early however it is distributed over its samples (conservative).
            long b0 = (long)Math.Floor(t0 / Bin), b1 = Math.Max(b0, (long)Math.Ceiling(t1 / Bin) - 1);
            Advance(b1);
            var slot = _bins.AsSpan((int)(Mod(b1) * _k), _k);
            for (int j = 0; j < _k; j++) { double v = e[j]; slot[j] += v; Sum[j] += v; }
        }

        private long Mod(long b) => ((b % _nb) + _nb) % _nb;

        private void Advance(long b)
        {
            if (_current == long.MinValue) { _current = b; return; }
            if (b <= _current) return;
            long steps = Math.Min(b - _current, _nb);
            for (long s = 1; s <= steps; s++)
            {
                var slot = _bins.AsSpan((int)(Mod(_current + s) * _k), _k);
                for (int j = 0; j < _k; j++) Sum[j] -= slot[j];
                slot.Clear();
            }
            _current = b;
            if (++_rotations % _nb == 0) Recompute();
            for (int j = 0; j < _k; j++) if (Sum[j] < 0) Sum[j] = 0;
        }

        private void Recompute()
        {
            Array.Clear(Sum);
            for (int s = 0; s < _nb; s++) { var slot = _bins.AsSpan(s * _k, _k); for (int j = 0; j < _k; j++) Sum[j] += slot[j]; }
        }
    }
}

internal static class DoubleExtensions
{
    public static bool IsFinite(this double v) => double.IsFinite(v);
}
