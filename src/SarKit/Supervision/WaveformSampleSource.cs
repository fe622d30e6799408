namespace SarKit.Supervision;

/// <summary>
/// A multi-channel RF waveform of any length that is read in pieces (e.g. from disk), never held whole in memory:
/// sample n of channel c is played during [nΔt, (n+1)Δt). Each <see cref="OpenReader"/> gives an independent reader (its
/// own file handle), so a sequential reader and a lagging reader do not disturb each other's read-ahead.
/// </summary>
public interface IWaveformSampleSource
{
    /// <summary>Where the samples come from (file name in messages).</summary>
    string Source { get; }
    /// <summary>Channels N.</summary>
    int Channels { get; }
    /// <summary>Samples per channel L.</summary>
    long Samples { get; }
    /// <summary>Sample interval Δt, s.</summary>
    double RasterSeconds { get; }
    /// <summary>Canonical unit of the samples (<see cref="MultiChannelWaveform.NormaliseUnit"/>): V, sqrt(W), A, T, uT or Hz.</summary>
    string Unit { get; }
    /// <summary>A new reader.</summary>
    IWaveformReader OpenReader();
    /// <summary>Relative rounding ρ of a value as read with respect to the stored data: 0 when the stored numbers are the
    /// values (floating-point files, memory), u = 2⁻⁵³ for scaled integers (int16 codes × lsb, one rounding each).
    /// <see cref="StreamedWindowSar"/> widens its rounding bound by it.</summary>
    double ValueRounding => 0;
}

/// <summary>Positional reader of a <see cref="IWaveformSampleSource"/>.</summary>
public interface IWaveformReader : IDisposable
{
    /// <summary>
    /// Reads samples [<paramref name="start"/>, start + <paramref name="count"/>) planar: channel c's real parts at
    /// <c>re[c·count .. (c+1)·count)</c>, imaginary parts likewise, in <see cref="IWaveformSampleSource.Unit"/>. Throws
    /// <see cref="SarKitInputException"/> (naming the file, sample, channel and value) for a non-finite sample or a short file.
    /// </summary>
    void Read(long start, int count, Span<double> re, Span<double> im);
}

/// <summary>
/// A reader that also forms block correlations straight from its storage layout (<see cref="RfCorrelation.AccumulateInterleaved8"/>:
/// no planar conversion, the finiteness test fused into the widening), reading ahead in large sequential chunks on a second
/// thread when <see cref="ReadAhead"/> is set. Used by <see cref="StreamedWindowSar"/> for the head pass when
/// <see cref="CanCorrelate"/> is true.
/// </summary>
public interface IWaveformCorrelationReader : IWaveformReader
{
    /// <summary>True when <see cref="Correlate"/> is available for this source (layout and channel count).</summary>
    bool CanCorrelate { get; }
    /// <summary>Read the next chunk on a second thread while the caller computes (default false).</summary>
    bool ReadAhead { get; set; }
    /// <summary>Seconds the caller waited for data (the read itself without read-ahead; the wait for the read-ahead thread with it).</summary>
    double WaitSeconds { get; }
    /// <summary>
    /// Adds Δt·Σ_t w(x_t) over samples [<paramref name="start"/>, start + <paramref name="count"/>) in the source unit to the packed
    /// weights (<see cref="Numerics.LinearAlgebra.HermitianPacking.DriveWeights"/> layout, N² entries). Throws
    /// <see cref="SarKitInputException"/> naming file, sample, channel and value for a NaN/∞ sample, or for a short file.
    /// </summary>
    void Correlate(long start, int count, double dt, Span<double> weights);
}

/// <summary>
/// A waveform repeated without gap: sample n of the extension is sample n mod L of <paramref name="inner"/>, for
/// n &lt; <paramref name="length"/>. Used for steady state (the file repeats forever): every cyclic window of m samples is a
/// window of the extension of length L + m − 1.
/// </summary>
public sealed class PeriodicExtension(IWaveformSampleSource inner, long length) : IWaveformSampleSource
{
    public string Source => inner.Source;
    public int Channels => inner.Channels;
    public long Samples { get; } = length;
    public double RasterSeconds => inner.RasterSeconds;
    public string Unit => inner.Unit;
    public double ValueRounding => inner.ValueRounding;
    /// <summary>Samples of one repetition (the underlying waveform).</summary>
    public long Period => inner.Samples;

    public IWaveformReader OpenReader() => new Reader(inner.OpenReader(), inner.Samples, Channels);

    private sealed class Reader(IWaveformReader r, long period, int n) : IWaveformReader
    {
        private double[] _re = [], _im = [];

        public void Read(long start, int count, Span<double> re, Span<double> im)
        {
            long s = start % period;
            if (s + count <= period) { r.Read(s, count, re, im); return; }
            if (_re.Length < n * count) { _re = new double[n * count]; _im = new double[n * count]; }
            int done = 0;
            while (done < count)
            {
                int piece = (int)Math.Min(count - done, period - s);
                r.Read(s, piece, _re.AsSpan(0, n * piece), _im.AsSpan(0, n * piece));
                for (int c = 0; c < n; c++)
                {
                    _re.AsSpan(c * piece, piece).CopyTo(re.Slice(c * count + done, piece));
                    _im.AsSpan(c * piece, piece).CopyTo(im.Slice(c * count + done, piece));
                }
                done += piece; s = 0;
            }
        }

        public void Dispose() => r.Dispose();
    }
}

/// <summary>An in-memory <see cref="MultiChannelWaveform"/> as a sample source (tests, small files).</summary>
public sealed class InMemoryWaveformSource(MultiChannelWaveform w) : IWaveformSampleSource
{
    public string Source => w.Source;
    public int Channels => w.Channels;
    public long Samples => w.Length;
    public double RasterSeconds => w.RasterSeconds;
    public string Unit => w.Unit;

    public IWaveformReader OpenReader() => new Reader(w);

    private sealed class Reader(MultiChannelWaveform w) : IWaveformReader
    {
        public void Read(long start, int count, Span<double> re, Span<double> im)
        {
            if (start < 0 || start + count > w.Length) throw new SarKitInputException($"{w.Source}: samples {start}..{start + count - 1} are outside the waveform (0..{w.Length - 1}).") { SourceFile = w.Source };
            for (int c = 0; c < w.Channels; c++)
            {
                w.Re.AsSpan(c * w.Length + (int)start, count).CopyTo(re.Slice(c * count, count));
                w.Im.AsSpan(c * w.Length + (int)start, count).CopyTo(im.Slice(c * count, count));
            }
        }

        public void Dispose() { }
    }
}
