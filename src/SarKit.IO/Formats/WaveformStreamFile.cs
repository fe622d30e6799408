using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;
using SarKit.IO.Arrays;
using SarKit.Supervision;

namespace SarKit.IO.Formats;

/// <summary>
/// Streamed multi-channel waveform (docs/supervision.md, "Arbitrary waveforms"): a NumPy <c>.npy</c> file holding complex64
/// (<c>&lt;c8</c>) or complex128 (<c>&lt;c16</c>) samples as <b>samples × channels</b> in C order (or, identically in memory,
/// channels × samples in Fortran order), i.e. all channels of sample 0, then of sample 1, …; plus a JSON sidecar with the same
/// name and extension <c>.json</c>:
/// <c>{"format": "sarkit-waveform-stream", "version": 1, "unit": "V", "raster_s": 1e-6, "channels": 8, "samples": 360000000}</c>.
/// Chosen because numpy writes it without holding the waveform in memory (<c>numpy.lib.format.open_memmap</c>), one contiguous
/// read gives a block of samples for every channel, the header's shape and the file size detect truncation, and the
/// sidecar names what .npy cannot: the unit (V, sqrt(W), A, T, uT, Hz; required) and the sample interval. The declared
/// channels and samples must match the array; a file of another size is refused. Samples are read on demand
/// (<see cref="RandomAccess"/>, one handle per reader); a non-finite sample is refused when it is read (naming file, sample, channel, value).
/// At most 2³¹ − 1 samples per channel (the .npy shape reader; 35 min at 1 µs).
/// <para><b>Complex int16</b> (e.g. DAC codes or recorder samples): dtype <c>&lt;i2</c>, shape <b>samples × channels × 2</b> in C order
/// (I, Q of channel 0 of sample 0, then channel 1, …; or 2 × channels × samples in Fortran order: the same bytes), half the bytes of
/// complex64. The sidecar must then give the scale in its <c>unit</c>, exactly one of <c>"lsb"</c> (the value of one code step:
/// x = lsb·(I + iQ)) or <c>"full_scale"</c> (the value of code +32767: lsb = full_scale/32767), finite, in [10⁻¹⁵⁰, 10¹⁴⁰]
/// (so that lsb² neither underflows nor overflows); a scale on a complex file, or none on an int16 file, is refused. Code −32768
/// (one step beyond −full scale in two's complement) is read as its value −32768·lsb — never clamped, so its energy is never
/// under-counted.</para>
/// </summary>
public sealed class WaveformStreamFile : IWaveformSampleSource
{
    /// <summary>The sidecar's <c>format</c>.</summary>
    public const string FormatName = "sarkit-waveform-stream";

    private readonly long _dataOffset;
    private readonly bool _single, _int16;
    /// <summary>Bytes per complex value: 8 (complex64), 16 (complex128), 4 (complex int16).</summary>
    private readonly int _item;

    private WaveformStreamFile(string path, int channels, long samples, double raster, string unit, long dataOffset, SampleType type, double lsb)
    {
        Source = path; Channels = channels; Samples = samples; RasterSeconds = raster; Unit = unit; _dataOffset = dataOffset;
        Type = type; _single = type == SampleType.Complex64; _int16 = type == SampleType.ComplexInt16; Lsb = lsb;
        _item = type switch { SampleType.Complex64 => 8, SampleType.Complex128 => 16, _ => 4 };
    }

    /// <summary>How the samples are stored.</summary>
    public enum SampleType
    {
        /// <summary><c>&lt;c8</c>.</summary>
        Complex64,
        /// <summary><c>&lt;c16</c>.</summary>
        Complex128,
        /// <summary><c>&lt;i2</c>, samples × channels × (I, Q), scaled by <see cref="Lsb"/>.</summary>
        ComplexInt16,
    }

    /// <summary>Storage of the samples.</summary>
    public SampleType Type { get; }
    /// <summary>Complex int16 files: the value of one code step in <see cref="Unit"/> (x = lsb·(I + iQ)); 1 for complex files.</summary>
    public double Lsb { get; }
    /// <summary>Code +32767 of an int16 file; its sidecar's <c>full_scale</c> gives lsb = full_scale / <see cref="Int16FullScaleCode"/>.</summary>
    public const int Int16FullScaleCode = 32767;
    /// <summary>Accepted range of <see cref="Lsb"/>: lsb² stays a normal double and 2·32768²·lsb² far below overflow.</summary>
    public const double MinLsb = 1e-150, MaxLsb = 1e140;

    public string Source { get; }
    public int Channels { get; }
    public long Samples { get; }
    public double RasterSeconds { get; }
    public string Unit { get; }
    /// <summary>True for complex64 samples (8 bytes per complex value), false for complex128.</summary>
    public bool IsComplex64 => _single;
    /// <summary>u = 2⁻⁵³ for int16 files (lsb·code is rounded once; see <see cref="IWaveformSampleSource.ValueRounding"/>), 0 otherwise.</summary>
    public double ValueRounding => _int16 ? 1.0 / (1L << 53) : 0;
    /// <summary>Duration L·Δt, s.</summary>
    public double DurationSeconds => Samples * RasterSeconds;

    /// <summary>True for a file name this reader handles (<c>.npy</c>).</summary>
    public static bool IsStreamPath(string path) => Path.GetExtension(path).Equals(".npy", StringComparison.OrdinalIgnoreCase);

    /// <summary>The sidecar of <paramref name="npyPath"/>: same name with extension <c>.json</c>.</summary>
    public static string SidecarPath(string npyPath) => Path.ChangeExtension(npyPath, ".json");

    /// <summary>Opens the file and its sidecar and checks them against each other (no samples are read).</summary>
    public static WaveformStreamFile Open(string path)
    {
        if (!File.Exists(path)) throw new SarKitInputException($"{path}: waveform file not found.") { SourceFile = path };
        var side = SidecarPath(path);
        if (!File.Exists(side))
            throw new SarKitInputException($"{path}: no sidecar {side}; it must give the unit and raster, e.g. {{\"format\": \"{FormatName}\", \"version\": 1, \"unit\": \"V\", \"raster_s\": 1e-6, \"channels\": 8, \"samples\": N}}.") { SourceFile = side };
        var (unit, raster, chDecl, nDecl, lsbDecl, scaleField) = ParseSidecar(File.ReadAllText(side), side);

        NpyHeader h; long length;
        using (var fs = File.OpenRead(path)) { h = NpyFile.ReadHeader(fs, path); length = fs.Length; }
        var type = h.Descr switch
        {
            "<c8" => SampleType.Complex64, "<c16" => SampleType.Complex128, "<i2" => SampleType.ComplexInt16,
            _ => throw new SarKitInputException($"{path}: dtype '{h.Descr}'; expected little-endian complex64 '<c8', complex128 '<c16' or int16 I/Q '<i2'.") { SourceFile = path, Dataset = "descr" },
        };
        bool int16 = type == SampleType.ComplexInt16;
        if (int16 && lsbDecl is null)
            throw Bad(side, "lsb", $"{path} holds int16 codes: the sidecar must give their scale in {unit}, 'lsb' (value of one code step) or 'full_scale' (value of code +32767)");
        if (!int16 && scaleField is not null)
            throw Bad(side, scaleField, $"'{scaleField}' applies to int16 files only; {path} holds {h.Descr} samples in {unit}");
        var shp = h.FileShape;
        long samples, channels;
        if (int16)
        {
            // samples × channels × (I, Q) in C order, or 2 × channels × samples in Fortran order (the same bytes)
            if (shp.Length != 3 || (h.FortranOrder ? shp[0] : shp[2]) != 2)
                throw new SarKitInputException($"{path}: int16 array of shape [{string.Join(",", shp)}]{(h.FortranOrder ? " (Fortran order)" : "")}; expected samples × channels × 2 (I, Q) in C order.") { SourceFile = path, Dataset = "shape" };
            samples = h.FortranOrder ? shp[2] : shp[0];
            channels = shp[1];
            if (!h.FortranOrder && shp[0] == chDecl && shp[1] == nDecl && chDecl != nDecl)
                throw new SarKitInputException($"{path}: array is channels × samples × 2 [{chDecl},{nDecl},2] in C order (each channel stored whole); write samples × channels × 2 (numpy: x.transpose(1, 0, 2).copy()) so that a block of samples is one contiguous read.") { SourceFile = path, Dataset = "shape" };
        }
        else
        {
            if (shp.Length != 2) throw new SarKitInputException($"{path}: shape [{string.Join(",", shp)}]; expected 2-D samples × channels.") { SourceFile = path, Dataset = "shape" };
            samples = h.FortranOrder ? shp[1] : shp[0];
            channels = h.FortranOrder ? shp[0] : shp[1];
            if (!h.FortranOrder && shp[0] == chDecl && shp[1] == nDecl && chDecl != nDecl)
                throw new SarKitInputException($"{path}: array is channels × samples [{chDecl},{nDecl}] in C order (each channel stored whole); write samples × channels (numpy: x.T.copy(), or np.asfortranarray(x)) so that a block of samples is one contiguous read.") { SourceFile = path, Dataset = "shape" };
        }
        if (channels != chDecl || samples != nDecl)
            throw new SarKitInputException($"{path}: array holds {samples} samples × {channels} channels, the sidecar declares {nDecl} × {chDecl}; refusing.") { SourceFile = path, Dataset = "samples" };
        long item = type switch { SampleType.Complex64 => 8, SampleType.Complex128 => 16, _ => 4 };
        long expected = h.HeaderBytes + samples * channels * item;
        if (length != expected)
        {
            long data = length - h.HeaderBytes, frame = channels * item;
            string partial = data >= 0 && data % frame != 0 ? $"; {data % frame} bytes of a partial sample at the end (a sample of all channels is {frame} bytes)" : "";
            throw new SarKitInputException($"{path}: {length} bytes, but {samples} samples × {channels} channels of {h.Descr}{(int16 ? " I/Q" : "")} need {expected} (truncated or padded file{partial}); refusing.") { SourceFile = path, Dataset = "samples" };
        }
        if (channels > 4096) throw new SarKitInputException($"{path}: {channels} channels; at most 4096 are supported.") { SourceFile = path };
        return new WaveformStreamFile(path, (int)channels, samples, raster, unit, h.HeaderBytes, type, lsbDecl ?? 1);
    }

    /// <summary>The stream metadata (the .npy sidecar, or the <c>sarkit_waveform_stream</c> attribute of a compressed HDF5 stream
    /// file): unit, raster, declared channels and samples, and for int16 data the scale (lsb, from <c>lsb</c> or
    /// <c>full_scale</c>). Every refusal names <paramref name="side"/> and the field.</summary>
    internal static (string Unit, double Raster, long Channels, long Samples, double? Lsb, string? ScaleField) ParseSidecar(string text, string side)
    {
        string unit; double raster; long chDecl, nDecl; double? lsbDecl = null; string? scaleField = null;
        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Bad(side, "root", "the sidecar must be a JSON object");
            string Str(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()!
                : throw Bad(side, name, $"'{name}' (text) is required");
            double Num(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) && double.IsFinite(d) ? d
                : throw Bad(side, name, $"'{name}' (a finite number) is required");
            long Int(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var d) && d > 0 ? d
                : throw Bad(side, name, $"'{name}' (a positive integer) is required");
            if (Str("format") is var f && f != FormatName) throw Bad(side, "format", $"format '{f}', expected '{FormatName}'");
            if (Int("version") is var ver && ver != 1) throw Bad(side, "version", $"version {ver} is not supported (expected 1)");
            unit = MultiChannelWaveform.NormaliseUnit(Str("unit"), side);
            raster = Num("raster_s");
            // the supported range of every waveform (MultiChannelWaveform, StreamedWindowSar): refused here already, so that no
            // reader of this file works with a raster whose lsb²·Δt underflows or whose energies overflow (found by fuzzing)
            if (!(raster >= Supervision.Pulseq.PulseqFile.MinRasterSeconds && raster <= Supervision.Pulseq.PulseqFile.MaxRasterSeconds))
                throw Bad(side, "raster_s", $"raster_s {raster.ToString("R", CultureInfo.InvariantCulture)} s is outside the supported range [{Supervision.Pulseq.PulseqFile.MinRasterSeconds:R}, {Supervision.Pulseq.PulseqFile.MaxRasterSeconds:R}] s");
            chDecl = Int("channels"); nDecl = Int("samples");
            bool hasLsb = root.TryGetProperty("lsb", out _), hasFs = root.TryGetProperty("full_scale", out _);
            if (hasLsb && hasFs) throw Bad(side, "lsb", "give either 'lsb' or 'full_scale', not both");
            if (hasLsb || hasFs)
            {
                scaleField = hasLsb ? "lsb" : "full_scale";
                double v = root.GetProperty(scaleField).ValueKind == JsonValueKind.Number && root.GetProperty(scaleField).TryGetDouble(out var d) ? d : double.NaN;
                if (!double.IsFinite(v) || !(v > 0))
                    throw Bad(side, scaleField, $"'{scaleField}' must be a finite number > 0 ({unit} per code{(hasFs ? " at +32767" : " step")}), got {root.GetProperty(scaleField).GetRawText()}");
                double l = hasLsb ? v : v / Int16FullScaleCode;
                if (!(l >= MinLsb && l <= MaxLsb))
                    throw Bad(side, scaleField, $"'{scaleField}' {v.ToString("R", CultureInfo.InvariantCulture)} gives lsb {l.ToString("R", CultureInfo.InvariantCulture)} {unit}, outside [{MinLsb:R}, {MaxLsb:R}] (lsb² would underflow or the energy overflow)");
                lsbDecl = l;
            }
        }
        catch (JsonException e) { throw new SarKitInputException($"{side}: not valid JSON ({e.Message}).") { SourceFile = side }; }

        return (unit, raster, chDecl, nDecl, lsbDecl, scaleField);
    }

    internal static SarKitInputException Bad(string file, string field, string why) => new($"{file}: {why}.") { SourceFile = file, Dataset = field };

    /// <summary>Interleaved samples × channels × (re, im) of any stored type → planar doubles scale·value (channel c at
    /// c·count); bounds checked once. One routine for every sample type: float and int16 widen to double exactly, so the
    /// only rounding is the product by <paramref name="scale"/> (lsb of int16 files); complex files pass scale 1, and
    /// x·1 = x exactly in IEEE 754 (the finite values they reach here are unchanged, bit for bit).</summary>
    internal static unsafe void Deinterleave<T>(ReadOnlySpan<T> v, int n, int count, double scale, Span<double> re, Span<double> im)
        where T : unmanaged, INumberBase<T>
    {
        if (v.Length < 2 * n * count || re.Length < n * count || im.Length < n * count) throw new ArgumentException("buffers too short");
        fixed (T* src = v)
        fixed (double* pr = re, pi = im)
        {
            T* p = src;
            for (int s = 0; s < count; s++)
            {
                double* r = pr + s, q = pi + s;
                for (int c = 0; c < n; c++, p += 2, r += count, q += count)
                {
                    *r = double.CreateTruncating(p[0]) * scale;
                    *q = double.CreateTruncating(p[1]) * scale;
                }
            }
        }
    }

    /// <summary>The argument checks of a stream reader's <c>Correlate</c> (this file's and <see cref="WaveformHdf5StreamFile"/>'s):
    /// 8 channels of complex64 or complex int16 samples, and samples [start, start + count) inside the file.</summary>
    internal static void CheckCorrelate(bool canCorrelate, string source, long samples, long start, int count)
    {
        if (!canCorrelate) throw new InvalidOperationException("Correlate needs complex64 or complex int16 samples of 8 channels");
        if (start < 0 || count < 0 || start + count > samples)
            throw new SarKitInputException($"{source}: samples {start}..{start + count - 1} are outside the file (0..{samples - 1}).") { SourceFile = source };
    }

    /// <summary>Adds the block correlation of <paramref name="count"/> interleaved 8-channel samples stored as
    /// <paramref name="type"/> (raw file bytes) to <paramref name="weights"/> (<see cref="RfCorrelation.AccumulateInterleaved8"/> /
    /// <see cref="RfCorrelation.AccumulateInterleaved8Int16"/>); a NaN/∞ sample is refused naming file, sample and channel.</summary>
    internal static void CorrelateRaw(string source, SampleType type, double lsb, ReadOnlySpan<byte> raw, long start, int count, int n, double dt, Span<double> weights)
    {
        if (type == SampleType.ComplexInt16) { RfCorrelation.AccumulateInterleaved8Int16(MemoryMarshal.Cast<byte, short>(raw), count, lsb, dt, weights); return; }
        if (type != SampleType.Complex64) throw new InvalidOperationException("the fused correlation reads complex64 or complex int16 samples");
        if (!RfCorrelation.AccumulateInterleaved8(MemoryMarshal.Cast<byte, float>(raw), count, dt, weights))
            ThrowFirstNotFinite(source, MemoryMarshal.Cast<byte, float>(raw), start, count, n);
    }

    /// <summary>Raw interleaved file bytes of <paramref name="count"/> samples → planar values in the file unit (int16: lsb·code);
    /// int16 codes cannot be NaN/∞; for floats one vectorised pass over the raw bits finds any NaN/∞ (exponent all ones),
    /// and only then the scalar loop names it.</summary>
    internal static void ConvertPlanar(string source, SampleType type, double lsb, ReadOnlySpan<byte> span, long start, int count, int n, Span<double> re, Span<double> im)
    {
        if (type == SampleType.ComplexInt16) Deinterleave(MemoryMarshal.Cast<byte, short>(span), n, count, lsb, re, im);
        else if (type == SampleType.Complex64)
        {
            if (!AllFinite(MemoryMarshal.Cast<byte, uint>(span), 0x7F80_0000u)) ThrowFirstNotFinite(source, MemoryMarshal.Cast<byte, float>(span), start, count, n);
            Deinterleave(MemoryMarshal.Cast<byte, float>(span), n, count, 1.0, re, im);
        }
        else
        {
            if (!AllFinite(MemoryMarshal.Cast<byte, ulong>(span), 0x7FF0_0000_0000_0000ul)) ThrowFirstNotFinite(source, MemoryMarshal.Cast<byte, double>(span), start, count, n);
            Deinterleave(MemoryMarshal.Cast<byte, double>(span), n, count, 1.0, re, im);
        }
    }

    /// <summary>Names the first sample with a NaN/∞ component (called only after <see cref="AllFinite"/> found one).</summary>
    private static void ThrowFirstNotFinite<T>(string source, ReadOnlySpan<T> v, long start, int count, int n) where T : unmanaged, INumberBase<T>
    {
        for (int s = 0; s < count; s++)
            for (int c = 0; c < n; c++)
            {
                T x = v[2 * (s * n + c)], y = v[2 * (s * n + c) + 1];
                if (!T.IsFinite(x) || !T.IsFinite(y))
                    throw new SarKitInputException($"{source}: sample {start + s} of channel {c} is not finite ({double.CreateTruncating(x).ToString("R", CultureInfo.InvariantCulture)}, {double.CreateTruncating(y).ToString("R", CultureInfo.InvariantCulture)}); refusing.") { SourceFile = source, Dataset = "waveform" };
            }
        throw new InvalidOperationException("non-finite value not found on the second pass");
    }

    /// <summary>True when no value in <paramref name="bits"/> (raw IEEE bits: uint for float, ulong for double) has all the
    /// bits of <paramref name="exponent"/> set, i.e. an all-ones exponent (NaN or ±∞).</summary>
    internal static bool AllFinite<T>(ReadOnlySpan<T> bits, T exponent) where T : unmanaged, IBinaryInteger<T>
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported && bits.Length >= Vector<T>.Count)
        {
            var ve = new Vector<T>(exponent);
            var acc = Vector<T>.Zero;
            for (; i + Vector<T>.Count <= bits.Length; i += Vector<T>.Count)
                acc |= Vector.Equals(new Vector<T>(bits.Slice(i, Vector<T>.Count)) & ve, ve);
            if (acc != Vector<T>.Zero) return false;
        }
        for (; i < bits.Length; i++) if ((bits[i] & exponent) == exponent) return false;
        return true;
    }

    public IWaveformReader OpenReader() => new Reader(this);

    /// <summary>Default bytes per sequential read of <see cref="IWaveformCorrelationReader.Correlate"/> (8 MiB).</summary>
    public const int DefaultChunkBytes = 8 << 20;

    /// <summary>Bytes per sequential read of <see cref="IWaveformCorrelationReader.Correlate"/> (rounded down to whole blocks,
    /// at least one block) for readers opened afterwards.</summary>
    public int ChunkBytes
    {
        get => _chunkBytes;
        set => _chunkBytes = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "expected at least 1 byte");
    }
    private int _chunkBytes = DefaultChunkBytes;

    /// <summary>Default chunks read ahead of the one being correlated when read-ahead is on (<see cref="ReadDepth"/>).</summary>
    public const int DefaultReadDepth = 4;

    /// <summary>Chunks of <see cref="ChunkBytes"/> read ahead (reads in flight) by the sequential head pass of readers opened
    /// afterwards when <see cref="IWaveformCorrelationReader.ReadAhead"/> is on (default <see cref="DefaultReadDepth"/>; memory
    /// (depth + 1) × chunk). Without read-ahead every chunk is read when it is needed.</summary>
    public int ReadDepth
    {
        get => _readDepth;
        set => _readDepth = value is >= 1 and <= 64 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "expected 1 to 64 chunks");
    }
    private int _readDepth = DefaultReadDepth;

    private sealed class Reader : IWaveformCorrelationReader
    {
        private readonly WaveformStreamFile _f;
        private readonly SafeFileHandle _h;
        private byte[] _buf = [];
        // sequential chunks of Correlate, read ahead by a SequentialChunkReader (O_DIRECT when the file system allows)
        private SequentialChunkReader? _pipe;
        private SequentialChunkReader.Slot? _cur;
        private long _curStart = -1, _pipeStart;
        private int _curCount, _chunk;
        private long _wait;

        public Reader(WaveformStreamFile f)
        {
            _f = f;
            _h = File.OpenHandle(f.Source, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        }

        public bool CanCorrelate => (_f._single || _f._int16) && _f.Channels == RfCorrelation.InterleavedChannels;
        public bool ReadAhead { get; set; }
        public double WaitSeconds => _wait / (double)System.Diagnostics.Stopwatch.Frequency;

        public void Correlate(long start, int count, double dt, Span<double> weights)
        {
            CheckCorrelate(CanCorrelate, _f.Source, _f.Samples, start, count);
            CorrelateRaw(_f.Source, _f.Type, _f.Lsb, Sequential(start, count), start, count, _f.Channels, dt, weights);
        }

        /// <summary>Bytes of samples [start, start + count) from the current chunk; takes the next chunk in file order when the
        /// request leaves it, and starts a new sequential run (from <paramref name="start"/> to the end of the file) when the
        /// request is not the continuation. Chunks hold a whole number of requests of the first size, so sequential blocks never straddle.</summary>
        private ReadOnlySpan<byte> Sequential(long start, int count)
        {
            int bps = _f.Channels * _f._item;
            if ((long)count * bps > int.MaxValue / 4) throw new ArgumentException("read too large");
            if (count > _chunk) { Stop(); _chunk = Math.Max(1, _f.ChunkBytes / (count * bps)) * count; }
            if (_cur is null || start < _curStart || start + count > _curStart + _curCount)
            {
                long w0 = System.Diagnostics.Stopwatch.GetTimestamp();
                bool next = _pipe is not null && !_pipe.AtEnd && _cur is not null && start == _curStart + _curCount;
                if (!next)
                {
                    Stop();
                    _pipeStart = start;
                    _pipe = new SequentialChunkReader(_f.Source, _h, _f._dataOffset + start * bps, _f._dataOffset + _f.Samples * bps,
                        _chunk * bps, ReadAhead ? _f.ReadDepth : 0, tryDirect: true);
                }
                _cur = null;
                var c = _pipe!.Take();
                _cur = c;
                _curStart = _pipeStart + (c.Offset - _pipe.Begin) / bps;
                _curCount = c.Length / bps;
                _wait += System.Diagnostics.Stopwatch.GetTimestamp() - w0;
                if (start + count > _curStart + _curCount) throw new InvalidOperationException("request straddles a chunk");
            }
            return _cur.Bytes.Slice((int)((start - _curStart) * bps), count * bps);
        }

        /// <summary>Stops the sequential run (reads in flight finish; their data is discarded).</summary>
        private void Stop()
        {
            _cur = null; _curStart = -1; _curCount = 0;
            _pipe?.Dispose(); _pipe = null;
        }

        private void ReadExact(Span<byte> span, long start, int count)
        {
            long item = _f._item;
            long off = _f._dataOffset + start * _f.Channels * item;
            int got = 0;
            while (got < span.Length)
            {
                int r = RandomAccess.Read(_h, span[got..], off + got);
                if (r <= 0) throw new SarKitInputException($"{_f.Source}: file ended at byte {off + got} while reading samples {start}..{start + count - 1} (truncated while in use?); refusing.") { SourceFile = _f.Source };
                got += r;
            }
        }

        public void Read(long start, int count, Span<double> re, Span<double> im)
        {
            int n = _f.Channels;
            if (start < 0 || count < 0 || start + count > _f.Samples)
                throw new SarKitInputException($"{_f.Source}: samples {start}..{start + count - 1} are outside the file (0..{_f.Samples - 1}).") { SourceFile = _f.Source };
            long item = _f._item;
            long bytes = (long)count * n * item;
            if (bytes > int.MaxValue) throw new ArgumentException("read too large");
            if (_buf.Length < bytes) _buf = new byte[bytes];
            var span = _buf.AsSpan(0, (int)bytes);
            ReadExact(span, start, count);
            ConvertPlanar(_f.Source, _f.Type, _f.Lsb, span, start, count, n, re, im);
        }

        public void Dispose() { Stop(); _h.Dispose(); }
    }

    /// <summary>
    /// Writes a stream file and its sidecar block by block (never the whole waveform in memory): <see cref="Writer.Append"/>
    /// planar blocks until <paramref name="samples"/> samples are written, then dispose. Written to temporary names and
    /// renamed on <see cref="Writer.Complete"/> (atomic: an interrupted write leaves no half file under the final name).
    /// </summary>
    public static Writer Create(string path, int channels, long samples, string unit, double rasterSeconds, bool complex64 = true)
        => new(path, channels, samples, unit, rasterSeconds, complex64, null);

    /// <summary>As <see cref="Create"/> for a complex int16 file (samples × channels × (I, Q) codes, sidecar <c>"lsb"</c>):
    /// <see cref="Writer.Append"/> rounds value/<paramref name="lsb"/> to the nearest code (refusing values outside
    /// [−32768, 32767] codes), <see cref="Writer.AppendCodes"/> writes codes as they are.</summary>
    public static Writer CreateInt16(string path, int channels, long samples, string unit, double rasterSeconds, double lsb)
        => double.IsFinite(lsb) && lsb > 0 ? new(path, channels, samples, unit, rasterSeconds, false, lsb) : throw new ArgumentOutOfRangeException(nameof(lsb), lsb, "expected a finite lsb > 0");

    /// <summary>Block writer of <see cref="Create"/>.</summary>
    public sealed class Writer : IDisposable
    {
        private readonly string _path, _tmp;
        private readonly int _n;
        private readonly long _samples;
        private readonly bool _single;
        private readonly double? _lsb;
        private readonly string _unit;
        private readonly double _raster;
        private readonly FileStream _fs;
        private long _written;
        private byte[] _buf = [];
        private bool _done;

        internal Writer(string path, int channels, long samples, string unit, double raster, bool single, double? lsb)
        {
            _lsb = lsb;
            if (channels < 1 || samples < 1 || samples > int.MaxValue) throw new ArgumentException("channels ≥ 1 and 1 ≤ samples ≤ 2³¹ − 1");
            _path = path; _n = channels; _samples = samples; _single = single; _unit = unit; _raster = raster;
            _tmp = path + ".tmp-" + Environment.ProcessId;
            _fs = new FileStream(_tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
            var header = lsb is null
                ? $"{{'descr': '{(single ? "<c8" : "<c16")}', 'fortran_order': False, 'shape': ({samples}, {channels}), }}"
                : $"{{'descr': '<i2', 'fortran_order': False, 'shape': ({samples}, {channels}, 2), }}";
            int total = 10 + header.Length + 1;
            int pad = (64 - total % 64) % 64;
            header = header + new string(' ', pad) + "\n";
            var hb = System.Text.Encoding.Latin1.GetBytes(header);
            _fs.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
            _fs.Write(BitConverter.GetBytes((ushort)hb.Length));
            _fs.Write(hb);
        }

        /// <summary>Appends <paramref name="count"/> samples, planar (channel c at c·count).</summary>
        public void Append(ReadOnlySpan<double> re, ReadOnlySpan<double> im, int count)
        {
            if (_written + count > _samples) throw new InvalidOperationException("more samples than declared");
            if (_lsb is double lsb)
            {
                var codes = new short[2 * _n * count];
                for (int s = 0; s < count; s++)
                    for (int c = 0; c < _n; c++)
                    {
                        codes[2 * (s * _n + c)] = Code(re[c * count + s] / lsb);
                        codes[2 * (s * _n + c) + 1] = Code(im[c * count + s] / lsb);
                    }
                AppendCodes(codes, count);
                return;
            }
            int item = _single ? 8 : 16;
            int bytes = count * _n * item;
            if (_buf.Length < bytes) _buf = new byte[bytes];
            if (_single)
            {
                var v = MemoryMarshal.Cast<byte, float>(_buf.AsSpan(0, bytes));
                for (int s = 0; s < count; s++) for (int c = 0; c < _n; c++) { v[2 * (s * _n + c)] = (float)re[c * count + s]; v[2 * (s * _n + c) + 1] = (float)im[c * count + s]; }
            }
            else
            {
                var v = MemoryMarshal.Cast<byte, double>(_buf.AsSpan(0, bytes));
                for (int s = 0; s < count; s++) for (int c = 0; c < _n; c++) { v[2 * (s * _n + c)] = re[c * count + s]; v[2 * (s * _n + c) + 1] = im[c * count + s]; }
            }
            _fs.Write(_buf, 0, bytes);
            _written += count;
        }

        private static short Code(double v)
        {
            double r = Math.Round(v);
            return r is >= short.MinValue and <= short.MaxValue ? (short)r : throw new ArgumentOutOfRangeException(nameof(v), v, "value outside the int16 code range [−32768, 32767] at this lsb");
        }

        /// <summary>Appends <paramref name="count"/> samples of an int16 file as codes, interleaved I, Q per channel per sample.</summary>
        public void AppendCodes(ReadOnlySpan<short> iq, int count)
        {
            if (_lsb is null) throw new InvalidOperationException("codes are written to int16 files only (CreateInt16)");
            if (_written + count > _samples) throw new InvalidOperationException("more samples than declared");
            if (iq.Length < 2 * _n * count) throw new ArgumentException("too few codes", nameof(iq));
            _fs.Write(MemoryMarshal.AsBytes(iq[..(2 * _n * count)]));
            _written += count;
        }

        /// <summary>Flushes, checks the sample count and renames the file and its sidecar into place.</summary>
        public void Complete()
        {
            if (_written != _samples) throw new InvalidOperationException($"{_written} of {_samples} samples written");
            _fs.Flush(true); _fs.Dispose();
            var meta = new Dictionary<string, object>
            {
                ["format"] = FormatName, ["version"] = 1, ["unit"] = _unit, ["raster_s"] = _raster, ["channels"] = _n, ["samples"] = _samples,
            };
            if (_lsb is double lsb) meta["lsb"] = lsb;
            var json = JsonSerializer.Serialize(meta, IoJsonContext.Default.DictionaryStringObject);
            var side = SidecarPath(_path);
            File.WriteAllText(side + ".tmp", json);
            File.Move(side + ".tmp", side, true);
            File.Move(_tmp, _path, true);
            _done = true;
        }

        public void Dispose()
        {
            if (_done) return;
            _fs.Dispose();
            try { File.Delete(_tmp); } catch (IOException) { }
        }
    }
}
