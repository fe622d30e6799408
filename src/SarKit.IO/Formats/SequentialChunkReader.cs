using Microsoft.Win32.SafeHandles;

namespace SarKit.IO.Formats;

/// <summary>
/// Reads a byte range of a file front to back in fixed-size chunks with several reads in flight, and hands the chunks to
/// one consumer strictly in file order (<see cref="WaveformStreamFile"/>'s sequential head pass). Chunk k is read by reader
/// thread k mod S into its own buffer (S = <see cref="Slots"/> = depth + 1): while the consumer works on chunk k, chunks
/// k + 1 … k + depth are being read. Memory is bounded by S chunk buffers. The bytes delivered are exactly the file's
/// (the same bytes as one sequential read; only the time at which they arrive differs).
/// <para>Reads use O_DIRECT on Linux when the file system allows it (aligned pinned buffers: no page-cache copy), else
/// buffered reads; an O_DIRECT read that fails falls back to a buffered read of the same chunk and buffered reads for the
/// rest of that thread's chunks. A read error or a file that ends early is raised to the consumer when it asks for that
/// chunk, never before, so an error after the range being consumed cannot be skipped silently.</para>
/// <para>Why several reads in flight: on the virtual disk this was measured on, one O_DIRECT stream of 8 MiB requests reads
/// ~1 GB/s while several concurrent requests read more (docs/performance.md, "Waveform reading with several reads in
/// flight"); a queue of reads also hides the scheduling delay of a reader thread on a loaded machine.</para>
/// </summary>
internal sealed class SequentialChunkReader : IDisposable
{
    /// <summary>Alignment of O_DIRECT offsets, lengths and buffer addresses.</summary>
    public const int Align = 4096;

    private readonly string _path;
    private readonly SafeFileHandle _buffered;
    private readonly long _begin, _end;
    private readonly int _chunk;
    private readonly Slot[] _slots;
    private readonly Thread[] _threads;
    private readonly CancellationTokenSource _stop = new();
    private readonly bool _tryDirect;
    private long _next;      // index of the next chunk the consumer takes
    private int _held = -1;  // slot the consumer holds (released on the next Take)
    private Exception? _failed;
    private bool _disposed;

    /// <summary>One chunk buffer and the state of its read.</summary>
    public sealed class Slot
    {
        internal byte[] Buf = [];
        internal int AlignOffset;
        internal readonly SemaphoreSlim Free = new(1, 1), Ready = new(0, 1);
        internal Exception? Error;
        /// <summary>File offset of the first byte of the chunk.</summary>
        public long Offset { get; internal set; }
        /// <summary>Bytes of the chunk.</summary>
        public int Length { get; internal set; }
        /// <summary>Index in <see cref="Buf"/> of the chunk's first byte.</summary>
        internal int Data;
        /// <summary>The chunk's bytes.</summary>
        public ReadOnlySpan<byte> Bytes => Buf.AsSpan(Data, Length);
    }

    /// <summary>Starts reading bytes [<paramref name="begin"/>, <paramref name="end"/>) of <paramref name="path"/> in chunks of
    /// <paramref name="chunkBytes"/> with <paramref name="depth"/> chunks read ahead of the one being consumed on reader threads
    /// (0: no thread, each chunk is read by <see cref="Take"/> in the caller's thread).
    /// <paramref name="buffered"/> is the caller's ordinary handle (used for buffered reads; positional reads share it safely).</summary>
    public SequentialChunkReader(string path, SafeFileHandle buffered, long begin, long end, int chunkBytes, int depth, bool tryDirect)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkBytes, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(depth);
        if (begin < 0 || end < begin) throw new ArgumentOutOfRangeException(nameof(end));
        _path = path; _buffered = buffered; _begin = begin; _end = end; _chunk = chunkBytes; _tryDirect = tryDirect;
        long chunks = Chunks;
        int slots = (int)Math.Min(depth + 1L, Math.Max(1, chunks));
        _slots = new Slot[slots];
        for (int t = 0; t < slots; t++) _slots[t] = new Slot();
        if (depth == 0) { _threads = []; if (tryDirect) _syncDirect = OpenDirect(path); return; }
        _threads = new Thread[slots];
        for (int t = 0; t < slots; t++)
        {
            int id = t;
            _threads[t] = new Thread(() => Run(id)) { IsBackground = true, Name = "sarkit-waveform-read-" + t };
            _threads[t].Start();
        }
    }

    private SafeFileHandle? _syncDirect;

    /// <summary>Number of chunks of the range.</summary>
    public long Chunks => (_end - _begin + _chunk - 1) / _chunk;
    /// <summary>Chunk buffers (reads in flight + the one being consumed).</summary>
    public int Slots => _slots.Length;
    /// <summary>First byte of the range.</summary>
    public long Begin => _begin;
    /// <summary>True once every chunk was taken.</summary>
    public bool AtEnd => _next >= Chunks;

    /// <summary>Releases the chunk taken before, waits for the next one in file order and returns it (valid until the next
    /// call). Raises the error its read met (<see cref="SarKitInputException"/> for a file that ended early).</summary>
    public Slot Take()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_failed is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(_failed);
        if (_next >= Chunks) throw new InvalidOperationException("no chunk left");
        int s = (int)(_next % _slots.Length);
        var slot = _slots[s];
        if (_threads.Length == 0)
        {
            // depth 0: read in the caller's thread
            try { Fill(slot, _next, ref _syncDirect); }
            catch (Exception x) when (x is IOException or UnauthorizedAccessException or SarKitInputException) { _failed = x; throw; }
            _next++;
            return slot;
        }
        if (_held >= 0) { _slots[_held].Free.Release(); _held = -1; }
        slot.Ready.Wait();
        _next++;
        // the thread that met an error stopped: this reader stays failed (a later Take must not wait for it)
        if (slot.Error is { } e) { _failed = e; System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e); }
        _held = s;
        return slot;
    }

    private void Run(int id)
    {
        var slot = _slots[id];
        SafeFileHandle? direct = null;
        try
        {
            if (_tryDirect) direct = OpenDirect(_path);
            long chunks = Chunks;
            for (long k = id; k < chunks; k += _slots.Length)
            {
                slot.Free.Wait(_stop.Token);
                // every failure (also an unexpected one) is handed to the consumer, which would otherwise wait for ever
                try { Fill(slot, k, ref direct); }
                catch (Exception e) { slot.Error = e; }
                slot.Ready.Release();
                if (slot.Error is not null) return;
            }
        }
        catch (OperationCanceledException) { }
        finally { direct?.Dispose(); }
    }

    /// <summary>Reads chunk <paramref name="k"/> into the slot: with O_DIRECT the aligned pages around it, else exactly it.</summary>
    private void Fill(Slot c, long k, ref SafeFileHandle? direct)
    {
        long off = _begin + k * _chunk, end = Math.Min(_end, off + _chunk);
        int need0 = (int)(end - off);
        if (c.Buf.Length == 0)
        {
            // room for the aligned pages around a chunk at any offset
            c.Buf = GC.AllocateUninitializedArray<byte>(_chunk + 3 * Align, pinned: true);
            c.AlignOffset = AlignedOffset(c.Buf);
        }
        c.Offset = off; c.Length = need0;
        if (direct is not null)
        {
            long a0 = off & ~(long)(Align - 1), a1 = (end + Align - 1) & ~(long)(Align - 1);
            var span = c.Buf.AsSpan(c.AlignOffset, (int)(a1 - a0));
            try
            {
                int got = 0;
                while (a0 + got < end)
                {
                    int r = RandomAccess.Read(direct, span[got..], a0 + got);
                    if (r <= 0) break;
                    got += r;
                }
                if (a0 + got >= end) { c.Data = c.AlignOffset + (int)(off - a0); return; }
            }
            catch (IOException) { }
            // O_DIRECT refused or short: this thread reads buffered from now on (a short file is then named below)
            direct.Dispose(); direct = null;
        }
        var dst = c.Buf.AsSpan(c.AlignOffset, need0);
        int n = 0;
        while (n < need0)
        {
            int r = RandomAccess.Read(_buffered, dst[n..], off + n);
            if (r <= 0) throw new SarKitInputException($"{_path}: file ended at byte {off + n} (truncated while in use?); refusing.") { SourceFile = _path };
            n += r;
        }
        c.Data = c.AlignOffset;
    }

    /// <summary>A handle with O_DIRECT (Linux; null elsewhere, when <c>SARKIT_NO_DIRECT_IO=1</c> or when the file system refuses it).</summary>
    internal static SafeFileHandle? OpenDirect(string path)
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("SARKIT_NO_DIRECT_IO") == "1") return null;
        try
        {
            var h = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            if (DirectIo.Enable(h)) return h;
            h.Dispose();
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return null;
    }

    private static unsafe int AlignedOffset(byte[] pinned)
    {
        fixed (byte* p = pinned) return (int)((Align - ((long)p & (Align - 1))) & (Align - 1));
    }

    /// <summary>Stops the reader threads (reads in flight finish first) and waits for them.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _stop.Cancel();
        foreach (var t in _threads) t.Join();
        _stop.Dispose();
        _syncDirect?.Dispose();
    }
}
