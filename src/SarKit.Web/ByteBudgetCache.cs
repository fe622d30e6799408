namespace SarKit.Web;

/// <summary>A value refused by <see cref="ByteBudgetCache{T}"/> because its estimated size alone exceeds the budget (→ 422).</summary>
public sealed class CacheBudgetExceededException(string message) : Exception(message);

/// <summary>
/// Least-recently-used cache bounded by bytes (and by a count), with one shared load per key:
/// <list type="bullet">
/// <item>Concurrent requests for the same key share one load (the load runs once; failures are not cached).</item>
/// <item>Loads run one at a time. Before a load starts, least recently used loaded entries are evicted until the
/// loaded entries plus the new entry's <em>estimated</em> size fit the budget; after the load its measured size replaces
/// the estimate (and LRU eviction runs again). So <see cref="UsedBytes"/> ≤ <see cref="BudgetBytes"/> at all times.</item>
/// <item>An entry whose estimate exceeds the budget is refused with <see cref="CacheBudgetExceededException"/> before
/// loading; one whose measured size does is handed to its waiting requests but not kept.</item>
/// </list>
/// Evicting drops the cache's reference only: a value still used by a running request stays alive until that request
/// ends, so process memory is bounded by the budget plus what the concurrency limit of requests lets them hold.
/// </summary>
public sealed class ByteBudgetCache<T> where T : class
{
    private enum State { Queued, Loading, Loaded }

    private sealed class Entry(string key)
    {
        public readonly string Key = key;
        public State State;
        public long Bytes;              // 0 while queued; the estimate while loading; the measured size once loaded
        public Task<T> Task = null!;
    }

    private readonly object _gate = new();
    private readonly LinkedList<Entry> _lru = new();   // most recently used first
    private readonly SemaphoreSlim _loads = new(1, 1);
    private int _loadCount;

    /// <summary>A cache of at most <paramref name="budgetBytes"/> bytes and <paramref name="maxEntries"/> entries.</summary>
    public ByteBudgetCache(long budgetBytes, int maxEntries)
    {
        if (budgetBytes <= 0) throw new ArgumentOutOfRangeException(nameof(budgetBytes), budgetBytes, "budget must be positive");
        if (maxEntries <= 0) throw new ArgumentOutOfRangeException(nameof(maxEntries), maxEntries, "must be positive");
        BudgetBytes = budgetBytes; MaxEntries = maxEntries;
    }

    /// <summary>Byte budget.</summary>
    public long BudgetBytes { get; }
    /// <summary>Largest number of entries kept.</summary>
    public int MaxEntries { get; }

    /// <summary>Bytes of the loaded entries plus the estimate of the one being loaded.</summary>
    public long UsedBytes { get { lock (_gate) return Used(); } }

    /// <summary>How many loads have started (a shared load counts once).</summary>
    public int LoadCount => Volatile.Read(ref _loadCount);

    /// <summary>Keys of the loaded entries, most recently used first.</summary>
    public IReadOnlyList<string> LoadedKeys { get { lock (_gate) return _lru.Where(e => e.State == State.Loaded).Select(e => e.Key).ToList(); } }

    /// <summary>
    /// The value of <paramref name="key"/>: cached, being loaded (shared), or loaded now with <paramref name="load"/>
    /// (on a pool thread; one load at a time). <paramref name="estimate"/> gives its size before loading (called at most
    /// once, outside the cache's lock), <paramref name="measure"/> after. <paramref name="ct"/> stops only this caller's
    /// wait, not the shared load. <paramref name="label"/> names the value in the refusal message.
    /// </summary>
    public Task<T> GetAsync(string key, string label, Func<long> estimate, Func<T> load, Func<T, long> measure, CancellationToken ct)
    {
        Entry? entry;
        lock (_gate)
        {
            entry = Find(key);
            if (entry is not null) { Touch(entry); return entry.Task.WaitAsync(ct); }
        }
        long est = estimate();
        if (est > BudgetBytes)
            throw new CacheBudgetExceededException(
                $"{label} needs about {Mib(est)} in memory, more than the dataset cache budget of {Mib(BudgetBytes)}; " +
                "raise the budget (sarkit serve --cache-mb, or SarKit:CacheBudgetBytes) or use a smaller dataset.");
        lock (_gate)
        {
            entry = Find(key);  // someone else may have started it meanwhile
            if (entry is not null) { Touch(entry); return entry.Task.WaitAsync(ct); }
            entry = new Entry(key);
            _lru.AddFirst(entry);
            entry.Task = Run(entry, Math.Max(0, est), load, measure);
        }
        return entry.Task.WaitAsync(ct);
    }

    private async Task<T> Run(Entry entry, long estimate, Func<T> load, Func<T, long> measure)
    {
        await Task.Yield();   // never run the load inside GetAsync's lock
        await _loads.WaitAsync().ConfigureAwait(false);
        try
        {
            lock (_gate)
            {
                entry.State = State.Loading;
                entry.Bytes = estimate;
                Evict(entry);
            }
            Interlocked.Increment(ref _loadCount);
            var value = await Task.Run(load).ConfigureAwait(false);
            long size = Math.Max(0, measure(value));
            lock (_gate)
            {
                if (size > BudgetBytes) Remove(entry);   // handed to its waiters, not kept
                else
                {
                    entry.State = State.Loaded;
                    entry.Bytes = size;
                    Evict(entry);
                }
            }
            return value;
        }
        catch
        {
            lock (_gate) Remove(entry);   // failures are not cached
            throw;
        }
        finally { _loads.Release(); }
    }

    private Entry? Find(string key)
    {
        for (var n = _lru.First; n is not null; n = n.Next) if (n.Value.Key == key) return n.Value;
        return null;
    }

    private void Touch(Entry e)
    {
        var node = _lru.Find(e);
        if (node is null || node == _lru.First) return;
        _lru.Remove(node);
        _lru.AddFirst(node);
    }

    private void Remove(Entry e) => _lru.Remove(e);

    private long Used()
    {
        long sum = 0;
        foreach (var e in _lru) sum += e.Bytes;
        return sum;
    }

    /// <summary>Evicts least recently used loaded entries (never <paramref name="keep"/>, never an unfinished one) until within budget and count.</summary>
    private void Evict(Entry keep)
    {
        while (Used() > BudgetBytes || _lru.Count(e => e.State == State.Loaded) > MaxEntries)
        {
            var victim = _lru.Reverse().FirstOrDefault(e => e.State == State.Loaded && !ReferenceEquals(e, keep));
            if (victim is null) break;
            _lru.Remove(victim);
        }
    }

    internal static string Mib(long bytes) => $"{bytes / (1024.0 * 1024.0):F0} MiB";
}
