using System.Runtime.InteropServices;
using SarKit.IO.Arrays;
using SarKit.IO.Hdf5;
using SarKit.Supervision;

namespace SarKit.IO.Formats;

/// <summary>
/// Streamed multi-channel waveform in a chunked, deflate-compressed HDF5 file (docs/supervision.md, "Compressed waveforms"):
/// the same samples as a <see cref="WaveformStreamFile"/> .npy, stored as dataset <c>/waveform</c> — complex int16 I/Q
/// (<c>int16 [samples, channels, 2]</c>), complex64 or complex128 (<c>[samples, channels]</c>, h5py's {r, i} compound) —
/// with any chunk shape and the filters SarKit's HDF5 reader accepts (deflate, shuffle, Fletcher-32), plus the root
/// attribute <c>sarkit_waveform_stream</c>: the .npy sidecar's JSON text (format, version, unit, raster_s, channels, samples
/// and, for int16, lsb or full_scale), checked by the same rules and messages. Real pTx waveforms are silent between RF
/// pulses (duty cycles of a few %), so deflate stores them in a few % of the raw bytes.
/// <para>Reading: the sequential head pass (<see cref="IWaveformCorrelationReader.Correlate"/>) inflates groups of whole chunk
/// rows (about <see cref="WaveformStreamFile.ChunkBytes"/> each) on <see cref="DecodeThreads"/> threads, each with its own
/// reader of the file (parallel libdeflate, <see cref="Hdf5.Managed.LibDeflateInflater"/>), and hands them to the consumer
/// strictly in file order; memory is bounded by the groups in flight. The bytes handed on are exactly the stored samples,
/// so every result equals that of the raw .npy file of the same samples bit for bit (the same kernels are called on the same
/// sample ranges: a block that spans two groups is copied together first). Refinement reads (planar) read hyperslabs
/// through the checked reader. <b>Fail closed</b>: a chunk that is corrupt, fails its checksum, inflates to another size, was
/// never written (unallocated) or lies beyond the end of a truncated file is refused with <see cref="SarKitInputException"/>
/// naming the file, the chunk row and its samples.</para>
/// </summary>
public sealed class WaveformHdf5StreamFile : IWaveformSampleSource
{
    /// <summary>Root attribute holding the stream metadata (the .npy sidecar's JSON text).</summary>
    public const string MetadataAttribute = "sarkit_waveform_stream";
    /// <summary>The samples' dataset.</summary>
    public const string DatasetPath = "/waveform";

    private readonly int _item;
    /// <summary>Samples per chunk row (the dataset's chunk extent along the sample axis).</summary>
    public long ChunkSamples { get; }
    /// <summary>Storage of the samples.</summary>
    public WaveformStreamFile.SampleType Type { get; }
    /// <summary>Complex int16: value of one code step; 1 for complex data.</summary>
    public double Lsb { get; }
    public string Source { get; }
    public int Channels { get; }
    public long Samples { get; }
    public double RasterSeconds { get; }
    public string Unit { get; }
    /// <summary>u = 2⁻⁵³ for int16 files (as <see cref="WaveformStreamFile.ValueRounding"/>), 0 otherwise.</summary>
    public double ValueRounding => Type == WaveformStreamFile.SampleType.ComplexInt16 ? 1.0 / (1L << 53) : 0;
    /// <summary>Duration L·Δt, s.</summary>
    public double DurationSeconds => Samples * RasterSeconds;

    /// <summary>Uncompressed bytes per group of chunk rows handed to the head pass (rounded to whole chunk rows, at least one).</summary>
    public int ChunkBytes { get; set; } = WaveformStreamFile.DefaultChunkBytes;
    /// <summary>Threads inflating groups ahead of the consumer when read-ahead is on (default: the processor count, at least 2;
    /// groups in flight = threads, memory threads × <see cref="ChunkBytes"/>).</summary>
    public int DecodeThreads
    {
        get => _threads;
        set => _threads = value is >= 1 and <= 64 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "expected 1 to 64 threads");
    }
    private int _threads = Math.Max(2, SarKitSettings.Default.MaxDegreeOfParallelism);

    private WaveformHdf5StreamFile(string path, int channels, long samples, double raster, string unit, WaveformStreamFile.SampleType type, double lsb, long chunkSamples)
    {
        Source = path; Channels = channels; Samples = samples; RasterSeconds = raster; Unit = unit; Type = type; Lsb = lsb; ChunkSamples = chunkSamples;
        _item = type switch { WaveformStreamFile.SampleType.Complex64 => 8, WaveformStreamFile.SampleType.Complex128 => 16, _ => 4 };
    }

    /// <summary>True for an HDF5 file (.h5/.hdf5) whose root has the <see cref="MetadataAttribute"/> (a streamed waveform,
    /// not the in-memory <c>/waveform</c> layout of <see cref="WaveformFile"/>). A file that cannot be opened answers false
    /// (the in-memory reader then names the problem).</summary>
    public static bool IsStreamFile(string path)
    {
        var ext = Path.GetExtension(path);
        if (!ext.Equals(".h5", StringComparison.OrdinalIgnoreCase) && !ext.Equals(".hdf5", StringComparison.OrdinalIgnoreCase)) return false;
        if (!File.Exists(path)) return false;
        try
        {
            using var f = Hdf5File.OpenRead(path);
            return f.HasAttribute("/", MetadataAttribute);
        }
        catch (SarKitInputException) { return false; }
    }

    /// <summary>Opens the file and checks the metadata against the dataset (no samples are read).</summary>
    public static WaveformHdf5StreamFile Open(string path)
    {
        if (!File.Exists(path)) throw new SarKitInputException($"{path}: waveform file not found.") { SourceFile = path };
        using var f = Hdf5File.OpenRead(path);
        string side = $"{path} (attribute {MetadataAttribute})";
        if (!f.HasAttribute("/", MetadataAttribute))
            throw new SarKitInputException($"{path}: no root attribute '{MetadataAttribute}' (the stream metadata: JSON text as the .npy sidecar, e.g. {{\"format\": \"{WaveformStreamFile.FormatName}\", \"version\": 1, \"unit\": \"V\", \"raster_s\": 1e-6, \"channels\": 8, \"samples\": N, \"lsb\": 0.001}}).") { SourceFile = path, Dataset = MetadataAttribute };
        string text;
        try { text = f.ReadStringAttribute("/", MetadataAttribute); }
        catch (SarKitInputException e) { throw new SarKitInputException($"{side}: must be a text attribute holding JSON ({e.Message}).", e) { SourceFile = path, Dataset = MetadataAttribute }; }
        var (unit, raster, chDecl, nDecl, lsbDecl, scaleField) = WaveformStreamFile.ParseSidecar(text, side);
        if (f.GetKind(DatasetPath) != Hdf5ObjectKind.Dataset)
            throw new SarKitInputException($"{path}: no dataset {DatasetPath} (the samples).") { SourceFile = path, Dataset = DatasetPath };
        var info = f.GetDatasetInfo(DatasetPath);
        var shp = info.Shape;
        WaveformStreamFile.SampleType type = info.ElementType switch
        {
            NdType.Int16 => WaveformStreamFile.SampleType.ComplexInt16,
            NdType.Complex64 => WaveformStreamFile.SampleType.Complex64,
            NdType.Complex128 => WaveformStreamFile.SampleType.Complex128,
            _ => throw new SarKitInputException($"{path}: {DatasetPath} holds {info.TypeDescription}; expected int16 I/Q [samples, channels, 2], complex64 or complex128 [samples, channels].") { SourceFile = path, Dataset = DatasetPath },
        };
        bool int16 = type == WaveformStreamFile.SampleType.ComplexInt16;
        if (int16 && lsbDecl is null)
            throw WaveformStreamFile.Bad(side, "lsb", $"{path} holds int16 codes: the metadata must give their scale in {unit}, 'lsb' (value of one code step) or 'full_scale' (value of code +32767)");
        if (!int16 && scaleField is not null)
            throw WaveformStreamFile.Bad(side, scaleField, $"'{scaleField}' applies to int16 data only; {path} holds {info.TypeDescription} samples in {unit}");
        if (int16 ? shp.Length != 3 || shp[2] != 2 : shp.Length != 2)
            throw new SarKitInputException($"{path}: {DatasetPath} of shape [{string.Join(",", shp)}]; expected {(int16 ? "samples × channels × 2 (I, Q)" : "samples × channels")}.") { SourceFile = path, Dataset = DatasetPath };
        long samples = shp[0], channels = shp[1];
        if (channels != chDecl || samples != nDecl)
            throw new SarKitInputException($"{path}: {DatasetPath} holds {samples} samples × {channels} channels, the metadata declares {nDecl} × {chDecl}; refusing.") { SourceFile = path, Dataset = "samples" };
        if (channels > 4096) throw new SarKitInputException($"{path}: {channels} channels; at most 4096 are supported.") { SourceFile = path };
        if (samples > int.MaxValue) throw new SarKitInputException($"{path}: {samples} samples; at most 2³¹ − 1 per channel are supported.") { SourceFile = path, Dataset = "samples" };
        // chunked storage (any filters the reader accepts); contiguous data is accepted too (one "chunk row" of 1 MiB then)
        long chunkSamples = info.ChunkShape is { Length: > 0 } cs ? cs[0] : Math.Max(1, (1L << 20) / (channels * (int16 ? 4 : type == WaveformStreamFile.SampleType.Complex64 ? 8 : 16)));
        // chunks spanning all channels (and I, Q) in little-endian order hold exactly the samples of their rows: handed on whole
        bool wholeRows = info.ChunkShape is { } c && c.Skip(1).SequenceEqual(shp.Skip(1)) && !f.IsBigEndian(DatasetPath);
        return new WaveformHdf5StreamFile(path, (int)channels, samples, raster, unit, type, lsbDecl ?? 1, Math.Max(1, chunkSamples)) { _wholeRows = wholeRows };
    }

    private bool _wholeRows;

    /// <summary>Sample segments of chunk rows [r0, r1): each whole stored chunk as the reader produced it (no copy) when the chunks
    /// span all channels, else one hyperslab read per row into <paramref name="buf"/>.</summary>
    private void ReadRowsInto(Hdf5File h, List<Segment> segs, List<byte[]> pool, ref byte[] buf, long r0, long r1)
    {
        int bps = Channels * _item;
        segs.Clear();
        if (_wholeRows)
        {
            for (long r = r0; r < r1; r++)
            {
                long a = r * ChunkSamples, b = Math.Min(Samples, a + ChunkSamples);
                ReadOnlyMemory<byte> m;
                long[] st = Type == WaveformStreamFile.SampleType.ComplexInt16 ? [a, 0, 0] : [a, 0];
                // inflate into this group's own array of the same position (free again: the consumer released the group)
                int i = (int)(r - r0);
                Hdf5.Managed.ZlibInflateFilter.NextOutput = i < pool.Count ? pool[i] : null;
                try { m = h.ReadChunk(DatasetPath, st); }
                catch (SarKitInputException e) { throw ChunkError(r, a, b, e); }
                finally { Hdf5.Managed.ZlibInflateFilter.NextOutput = null; }
                if (i >= pool.Count && MemoryMarshal.TryGetArray(m, out var seg) && seg.Array is { } arr
                    && Hdf5.Managed.ZlibInflateFilter.ZeroChunks?.Exists(z => ReferenceEquals(z.Zeros, arr)) != true)
                    pool.Add(arr);
                segs.Add(new Segment(a, (int)(b - a), m[..(int)((b - a) * bps)]));
            }
            return;
        }
        long s0 = r0 * ChunkSamples, s1 = Math.Min(Samples, r1 * ChunkSamples);
        int bytes = checked((int)((s1 - s0) * bps));
        if (buf.Length < bytes) buf = GC.AllocateUninitializedArray<byte>(bytes);
        ReadRows(h, buf.AsSpan(0, bytes), r0, r1);
        segs.Add(new Segment(s0, (int)(s1 - s0), buf.AsMemory(0, bytes)));
    }

    /// <summary>Samples [Start, Start + Count) as raw interleaved bytes.</summary>
    private readonly record struct Segment(long Start, int Count, ReadOnlyMemory<byte> Bytes);

    public IWaveformReader OpenReader() => new Reader(this);

    /// <summary>Reads samples [start, start + count) as raw interleaved bytes (file byte order made native by the HDF5 reader).</summary>
    private void ReadRaw(Hdf5File h, Span<byte> dst, long start, int count)
    {
        long[] st = Type == WaveformStreamFile.SampleType.ComplexInt16 ? [start, 0, 0] : [start, 0];
        long[] cn = Type == WaveformStreamFile.SampleType.ComplexInt16 ? [count, Channels, 2] : [count, Channels];
        switch (Type)
        {
            case WaveformStreamFile.SampleType.ComplexInt16: h.ReadInto(DatasetPath, MemoryMarshal.Cast<byte, short>(dst), st, cn); break;
            case WaveformStreamFile.SampleType.Complex64: h.ReadInto(DatasetPath, MemoryMarshal.Cast<byte, float>(dst), st, cn); break;
            default: h.ReadInto(DatasetPath, MemoryMarshal.Cast<byte, double>(dst), st, cn); break;
        }
    }

    /// <summary>Reads whole chunk rows [r0, r1) into <paramref name="dst"/>, one row per read, so that a failure names its chunk row.</summary>
    private void ReadRows(Hdf5File h, Span<byte> dst, long r0, long r1)
    {
        int bps = Channels * _item;
        for (long r = r0; r < r1; r++)
        {
            long a = r * ChunkSamples, b = Math.Min(Samples, a + ChunkSamples);
            try { ReadRaw(h, dst.Slice((int)((a - r0 * ChunkSamples) * bps), (int)((b - a) * bps)), a, (int)(b - a)); }
            catch (SarKitInputException e) { throw ChunkError(r, a, b, e); }
            h.DropChunkCache(DatasetPath);   // this row is not read again by this thread
        }
    }

    private SarKitInputException ChunkError(long row, long a, long b, Exception e)
    {
        string why = e.Message.StartsWith(Source, StringComparison.Ordinal) ? e.Message[Source.Length..].TrimStart(':', ' ') : e.Message;
        return new SarKitInputException($"{Source}: chunk {row} of {DatasetPath} (samples {a}..{b - 1}) cannot be read: {why}", e) { SourceFile = Source, Dataset = $"{DatasetPath} chunk {row}" };
    }

    private sealed class Reader : IWaveformCorrelationReader
    {
        private readonly WaveformHdf5StreamFile _f;
        private readonly Hdf5File _h;
        private readonly int _bps;
        private byte[] _buf = [], _stage = [];
        private Pipeline? _pipe;
        private Pipeline.Group? _grp;
        private int _seg = -1;
        private Segment _cur;
        private long _wait;

        public Reader(WaveformHdf5StreamFile f)
        {
            _f = f;
            _h = Hdf5File.OpenRead(f.Source);
            _bps = f.Channels * f._item;
        }

        public bool CanCorrelate => _f.Channels == RfCorrelation.InterleavedChannels && _f.Type != WaveformStreamFile.SampleType.Complex128;
        public bool ReadAhead { get; set; }
        public double WaitSeconds => _wait / (double)System.Diagnostics.Stopwatch.Frequency;

        public void Correlate(long start, int count, double dt, Span<double> weights)
        {
            WaveformStreamFile.CheckCorrelate(CanCorrelate, _f.Source, _f.Samples, start, count);
            WaveformStreamFile.CorrelateRaw(_f.Source, _f.Type, _f.Lsb, Sequential(start, count), start, count, _f.Channels, dt, weights);
        }

        private bool Holds(long start, int count) => _seg >= 0 && start >= _cur.Start && start + count <= _cur.Start + _cur.Count;
        private ReadOnlySpan<byte> Slice(long start, int count) => _cur.Bytes.Span.Slice((int)((start - _cur.Start) * _bps), count * _bps);

        /// <summary>The next segment in file order (the next group's first when the current group is used up).</summary>
        private void NextSegment()
        {
            if (_grp is not null && _seg + 1 < _grp.Segments.Count) { _cur = _grp.Segments[++_seg]; return; }
            _grp = _pipe!.Take();
            _seg = 0;
            _cur = _grp.Segments[0];
        }

        /// <summary>Bytes of samples [start, start + count): from the current segment, or copied together from it and the next
        /// segment(s) when the range spans a segment boundary; a request that is not the continuation starts a new sequential run.</summary>
        private ReadOnlySpan<byte> Sequential(long start, int count)
        {
            if (Holds(start, count)) return Slice(start, count);
            long w0 = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                bool continues = _pipe is not null && _seg >= 0 && start >= _cur.Start && start <= _cur.Start + _cur.Count;
                if (!continues)
                {
                    _pipe?.Dispose();
                    _grp = null; _seg = -1;
                    _pipe = new Pipeline(_f, start, ReadAhead ? _f.DecodeThreads : 0);
                    NextSegment();
                    while (start >= _cur.Start + _cur.Count) NextSegment();   // the first group starts at the row holding start
                    if (Holds(start, count)) return Slice(start, count);
                }
                // the range leaves the current segment: copy its part, then take segments until the range is complete
                int need = count * _bps;
                if (_stage.Length < need) _stage = new byte[need];
                int have = 0;
                long s = start;
                while (true)
                {
                    if (s < _cur.Start + _cur.Count)
                    {
                        int take = (int)Math.Min(start + count - s, _cur.Start + _cur.Count - s);
                        Slice(s, take).CopyTo(_stage.AsSpan(have));
                        have += take * _bps; s += take;
                        if (s == start + count) break;
                    }
                    NextSegment();
                    if (have == 0 && Holds(start, count)) return Slice(start, count);
                }
                return _stage.AsSpan(0, need);
            }
            finally { _wait += System.Diagnostics.Stopwatch.GetTimestamp() - w0; }
        }

        public void Read(long start, int count, Span<double> re, Span<double> im)
        {
            int n = _f.Channels;
            if (start < 0 || count < 0 || start + count > _f.Samples)
                throw new SarKitInputException($"{_f.Source}: samples {start}..{start + count - 1} are outside the file (0..{_f.Samples - 1}).") { SourceFile = _f.Source };
            long bytes = (long)count * _bps;
            if (bytes > int.MaxValue) throw new ArgumentException("read too large");
            if (_buf.Length < bytes) _buf = new byte[bytes];
            var span = _buf.AsSpan(0, (int)bytes);
            try { _f.ReadRaw(_h, span, start, count); }
            catch (SarKitInputException e)
            {
                long r0 = start / _f.ChunkSamples, r1 = (start + count - 1) / _f.ChunkSamples;
                throw new SarKitInputException($"{_f.Source}: chunk{(r0 == r1 ? $" {r0}" : $"s {r0}..{r1}")} of {DatasetPath} (samples {start}..{start + count - 1}) cannot be read: {(e.Message.StartsWith(_f.Source, StringComparison.Ordinal) ? e.Message[_f.Source.Length..].TrimStart(':', ' ') : e.Message)}", e) { SourceFile = _f.Source, Dataset = DatasetPath };
            }
            WaveformStreamFile.ConvertPlanar(_f.Source, _f.Type, _f.Lsb, span, start, count, n, re, im);
        }

        public void Dispose() { _pipe?.Dispose(); _pipe = null; _grp = null; _seg = -1; _h.Dispose(); }
    }

    /// <summary>
    /// Groups of whole chunk rows from the row holding sample <c>start</c> to the end of the file, inflated ahead on T threads
    /// (group k by thread k mod T, each with its own <see cref="Hdf5File"/> and one buffer: at most T groups in memory)
    /// and taken by one consumer strictly in file order. T = 0: each group is read by <see cref="Take"/> itself.
    /// An error is raised to the consumer when it takes that group, never before.
    /// </summary>
    private sealed class Pipeline : IDisposable
    {
        public sealed class Group
        {
            internal byte[] Buf = [];
            internal readonly List<Segment> Segments = [];
            internal readonly List<byte[]> Pool = [];
            internal readonly SemaphoreSlim Free = new(1, 1), Ready = new(0, 1);
            internal Exception? Error;
        }

        private readonly WaveformHdf5StreamFile _f;
        private readonly long _row0, _rows;
        private readonly int _rowsPerGroup;
        private readonly Group[] _groups;
        private readonly Thread[] _threads;
        private readonly CancellationTokenSource _stop = new();
        private readonly Hdf5File? _sync;
        private long _next;
        private int _held = -1;
        private Exception? _failed;

        public Pipeline(WaveformHdf5StreamFile f, long start, int threads)
        {
            _f = f;
            _row0 = start / f.ChunkSamples;
            _rows = (f.Samples + f.ChunkSamples - 1) / f.ChunkSamples;
            long rowBytes = f.ChunkSamples * f.Channels * f._item;
            _rowsPerGroup = (int)Math.Max(1, Math.Min(f.ChunkBytes / rowBytes, int.MaxValue / 2 / rowBytes));
            long groups = (_rows - _row0 + _rowsPerGroup - 1) / _rowsPerGroup;
            int slots = (int)Math.Max(1, Math.Min(Math.Max(threads, 1), groups));
            _groups = new Group[slots];
            for (int i = 0; i < slots; i++) _groups[i] = new Group();
            if (threads == 0) { _threads = []; _sync = Hdf5File.OpenRead(f.Source); return; }
            _threads = new Thread[slots];
            for (int t = 0; t < slots; t++)
            {
                int id = t;
                _threads[t] = new Thread(() => Run(id)) { IsBackground = true, Name = "sarkit-waveform-inflate-" + t };
                _threads[t].Start();
            }
        }

        private long Groups => (_rows - _row0 + _rowsPerGroup - 1) / _rowsPerGroup;

        private void Fill(Hdf5File h, Group g, long k)
        {
            long r0 = _row0 + k * _rowsPerGroup, r1 = Math.Min(_rows, r0 + _rowsPerGroup);
            _f.ReadRowsInto(h, g.Segments, g.Pool, ref g.Buf, r0, r1);
        }

        private void Run(int id)
        {
            var g = _groups[id];
            Hdf5File? h = null;
            Hdf5.Managed.ZlibInflateFilter.ZeroChunks = [];   // this thread's silent-chunk streams (see there)
            try
            {
                for (long k = id; k < Groups; k += _groups.Length)
                {
                    g.Free.Wait(_stop.Token);
                    try { h ??= Hdf5File.OpenRead(_f.Source); Fill(h, g, k); }
                    catch (Exception e) { g.Error = e; }
                    g.Ready.Release();
                    if (g.Error is not null) return;
                }
            }
            catch (OperationCanceledException) { }
            finally { h?.Dispose(); }
        }

        /// <summary>Releases the group taken before and returns the next one in file order (valid until the next call).</summary>
        public Group Take()
        {
            if (_failed is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(_failed);
            if (_next >= Groups) throw new InvalidOperationException("no chunk row left");
            int s = (int)(_next % _groups.Length);
            var g = _groups[s];
            if (_threads.Length == 0)
            {
                try { Fill(_sync!, g, _next); }
                catch (Exception e) { _failed = e; throw; }
                _next++;
                return g;
            }
            if (_held >= 0) { _groups[_held].Free.Release(); _held = -1; }
            g.Ready.Wait();
            _next++;
            if (g.Error is { } err) { _failed = err; System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(err); }
            _held = s;
            return g;
        }

        public void Dispose()
        {
            _stop.Cancel();
            foreach (var t in _threads) t.Join();
            _stop.Dispose();
            _sync?.Dispose();
        }
    }
}
