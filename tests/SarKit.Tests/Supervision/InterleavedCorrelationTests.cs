using System.Numerics;
using SarKit.IO.Formats;
using SarKit.Supervision;

namespace SarKit.Tests.Supervision;

/// <summary>
/// The fused head path of <see cref="StreamedWindowSar"/> (issue 18): 8-channel complex64 block correlations straight from the
/// interleaved file bytes (<see cref="RfCorrelation.AccumulateInterleaved8"/>), its AVX-512 and portable paths, the
/// finiteness test fused into it, the drive-factor scaling of packed weights, and the file reader's chunked read-ahead.
/// </summary>
public class InterleavedCorrelationTests
{
    private const int N = RfCorrelation.InterleavedChannels;

    /// <summary>Interleaved samples (re, im per channel per sample) with magnitudes over several decades and silences.</summary>
    private static float[] RandomIq(int count, int seed)
    {
        var rng = new Random(seed);
        var v = new float[2 * N * count];
        for (int t = 0; t < count; t++)
        {
            double scale = rng.NextDouble() < 0.2 ? 0 : Math.Pow(10, 4 * rng.NextDouble() - 2);
            for (int k = 0; k < 2 * N; k++) v[2 * N * t + k] = (float)(scale * (2 * rng.NextDouble() - 1));
        }
        return v;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(255)]
    [InlineData(256)]
    [InlineData(257)]
    [InlineData(4000)]
    public void SimdAndPortableKernelsAreBitIdentical(int count)
    {
        var iq = RandomIq(count, 100 + count);
        var a = new double[N * N]; var b = new double[N * N];
        // start from non-zero weights: the kernel adds
        for (int k = 0; k < a.Length; k++) a[k] = b[k] = k * 0.25 - 3;
        Assert.True(RfCorrelation.AccumulateInterleaved8(iq, count, 1e-6, a, allowSimd: true));
        Assert.True(RfCorrelation.AccumulateInterleaved8(iq, count, 1e-6, b, allowSimd: false));
        for (int k = 0; k < a.Length; k++) Assert.Equal(BitConverter.DoubleToInt64Bits(b[k]), BitConverter.DoubleToInt64Bits(a[k]));
    }

    [Theory]
    [InlineData(1, 3)]
    [InlineData(500, 4)]
    [InlineData(4000, 5)]
    public void InterleavedKernelEqualsThePlanarCorrelation(int count, int seed)
    {
        var iq = RandomIq(count, seed);
        var re = new double[N * count]; var im = new double[N * count];
        for (int t = 0; t < count; t++)
            for (int c = 0; c < N; c++) { re[c * count + t] = iq[2 * (N * t + c)]; im[c * count + t] = iq[2 * (N * t + c) + 1]; }
        var planar = new double[N * N]; var fused = new double[N * N];
        RfCorrelation.Accumulate(re, im, N, count, 2e-6, planar);
        Assert.True(RfCorrelation.AccumulateInterleaved8(iq, count, 2e-6, fused));
        double tr = 0;
        for (int i = 0; i < N; i++) tr += planar[i];
        // both are sums of the same exact products; they differ only by rounding (≤ count·u·Σ|products| ≤ count·u·2·tr each)
        double tol = 4 * (count + 8) * Math.Pow(2, -53) * 2 * tr;
        for (int k = 0; k < planar.Length; k++) Assert.InRange(fused[k] - planar[k], -tol, tol);
        // and it is a correlation: PSD
        Assert.Null(RfCorrelation.CheckPositiveSemidefinite(fused, N));
    }

    [Theory]
    [InlineData(float.NaN, 0, 0)]
    [InlineData(float.PositiveInfinity, 299, 15)]
    [InlineData(float.NegativeInfinity, 1000, 6)]
    public void InterleavedKernelFlagsNonFiniteSamples(float bad, int sample, int component)
    {
        foreach (bool simd in new[] { true, false })
        {
            var iq = RandomIq(1001, 9);
            Assert.True(RfCorrelation.AccumulateInterleaved8(iq, 1001, 1e-6, new double[N * N], simd));
            iq[2 * N * sample + component] = bad;
            Assert.False(RfCorrelation.AccumulateInterleaved8(iq, 1001, 1e-6, new double[N * N], simd));
        }
    }

    /// <summary>Packed weights of the scaled samples f∘x equal the scaled packed weights of x.</summary>
    [Fact]
    public void DriveFactorScalingOfPackedWeightsEqualsScalingTheSamples()
    {
        var rng = new Random(12);
        var f = Enumerable.Range(0, N).Select(_ => Complex.FromPolarCoordinates(0.5 + rng.NextDouble(), 2 * Math.PI * rng.NextDouble())).ToArray();
        var x = Enumerable.Range(0, N).Select(_ => new Complex(rng.NextDouble() - 0.5, rng.NextDouble() - 0.5)).ToArray();
        var w = new double[N * N];
        RfCorrelation.WeightsInto(x, w);
        RfCorrelation.ApplyDriveFactors(w, f);
        var expected = new double[N * N];
        RfCorrelation.WeightsInto(x.Zip(f, (a, b) => a * b).ToArray(), expected);
        for (int k = 0; k < w.Length; k++) Assert.Equal(expected[k], w[k], 1e-14);
    }

    private static string WriteFile(string dir, MultiChannelWaveform w)
    {
        var path = Path.Combine(dir, $"w{w.Length}.npy");
        using var wr = WaveformStreamFile.Create(path, w.Channels, w.Length, "V", w.RasterSeconds);
        wr.Append(w.Re, w.Im, w.Length);
        wr.Complete();
        return path;
    }

    /// <summary>8-channel random waveform with bursts, rounded to float (what a complex64 file holds).</summary>
    private static MultiChannelWaveform FloatWave(int len, int seed)
    {
        var rng = new Random(seed);
        var re = new double[N * len]; var im = new double[N * len];
        for (int t = 0; t < len;)
        {
            int run = 1 + rng.Next(80);
            double amp = rng.NextDouble() < 0.6 ? (rng.NextDouble() < 0.2 ? 6 : 1) * rng.NextDouble() : 0;
            for (int s = t; s < Math.Min(len, t + run); s++)
                for (int c = 0; c < N; c++)
                {
                    re[c * len + s] = (float)(amp * (rng.NextDouble() - 0.5)); im[c * len + s] = (float)(amp * (rng.NextDouble() - 0.5));
                }
            t += run;
        }
        return new MultiChannelWaveform(N, len, 1e-3, re, im, "V", $"float{seed}");
    }

    /// <summary>
    /// The fused file path (8 channels, complex64) against the planar path on the same numbers (in memory) and a brute force
    /// sum of every window: same maximum within the two rounding bounds, reported ≥ brute ≥ reported − 2ε, for block lengths
    /// that do and do not divide the read chunk, with and without read-ahead, unit and complex drive factors.
    /// </summary>
    [Theory]
    [InlineData(1, 1, false)]
    [InlineData(7, 2, true)]
    [InlineData(64, 2, false)]
    [InlineData(257, 1, true)]
    public void FusedFilePathEqualsThePlanarPathAndTheBruteForce(int block, int parallelism, bool complexFactors)
    {
        const int len = 3001;
        var w = FloatWave(len, 40 + block);
        using var dir = new TempDir();
        var file = WaveformStreamFile.Open(WriteFile(dir.Path, w));
        file.ChunkBytes = 4096; // 64 samples per chunk: many chunk changes, reads ahead of every block length
        var rng = new Random(block);
        var factors = Enumerable.Range(0, N).Select(_ => complexFactors ? Complex.FromPolarCoordinates(0.5 + rng.NextDouble(), rng.NextDouble() * 6) : Complex.One).ToArray();
        var obs = new SarObservable("v", SarMetric.LocalHead, N, SupervisionMatrices.RandomPsd(N, 5, 17), "V");
        var settings = new SarKitSettings { MaxDegreeOfParallelism = parallelism };
        foreach (double T in new[] { 0.05, 0.9, 5.0 })
        {
            var res = StreamedWindowSar.Evaluate(file, factors, [(obs, [T])], RepetitionMode.Once, block, settings: settings);
            Assert.True(res.Statistics.Phases.Fused);
            var a = res.Windows[0];
            var b = StreamedWindowSar.Evaluate(new InMemoryWaveformSource(w), factors, [(obs, [T])], RepetitionMode.Once, block, settings: settings).Windows[0];
            Assert.InRange(a.MaxSar - b.MaxSar, -(a.EdgeErrorBound + b.EdgeErrorBound), a.EdgeErrorBound + b.EdgeErrorBound);
            // brute force on the scaled samples
            long m = StreamedWindowSar.WindowSamples(T, w.RasterSeconds);
            double brute = BruteMax(w, factors, obs, m, T);
            Assert.InRange(brute, a.MaxSar - 2 * a.EdgeErrorBound - 1e-15 * brute, a.MaxSar);
        }
    }

    /// <summary>
    /// Several reads in flight (<see cref="WaveformStreamFile.ReadDepth"/>) change only when the bytes arrive: the fused pass
    /// gives the same result bit for bit with read-ahead off, depth 1, 2 and 7, for complex64 and complex int16 files, with
    /// chunks of 64 samples (many chunk hand-offs) and a block that does not divide the chunk.
    /// </summary>
    [Theory]
    [InlineData(false, 64)]
    [InlineData(true, 257)]
    public void ReadDepthDoesNotChangeAnyBitOfTheResult(bool int16, int block)
    {
        const int len = 6007;
        var w = FloatWave(len, 90 + block);
        using var dir = new TempDir();
        string path;
        if (int16)
        {
            path = System.IO.Path.Combine(dir.Path, "w16.npy");
            using var wr = WaveformStreamFile.CreateInt16(path, N, len, "V", w.RasterSeconds, 1.0 / 4096);
            wr.Append(w.Re, w.Im, len);
            wr.Complete();
        }
        else path = WriteFile(dir.Path, w);
        var obs = new SarObservable("v", SarMetric.LocalHead, N, SupervisionMatrices.RandomPsd(N, 4, 11), "V");
        var ones = Enumerable.Repeat(Complex.One, N).ToArray();
        StreamedWindowSarResult Run(int parallelism, int depth)
        {
            var file = WaveformStreamFile.Open(path);
            file.ChunkBytes = 64 * N * (int16 ? 4 : 8);
            file.ReadDepth = depth;
            var r = StreamedWindowSar.Evaluate(file, ones, [(obs, [0.05, 0.7])], RepetitionMode.Once, block, settings: new SarKitSettings { MaxDegreeOfParallelism = parallelism });
            Assert.True(r.Statistics.Phases.Fused);
            Assert.Equal(parallelism > 1, r.Statistics.Phases.ReadAhead);
            return r;
        }
        var reference = Run(1, 1);
        foreach (var depth in new[] { 1, 2, 7 })
        {
            var r = Run(2, depth);
            Assert.Equal(reference.TotalWeights, r.TotalWeights);
            for (int k = 0; k < reference.Windows.Count; k++)
            {
                Assert.Equal(reference.Windows[k].MaxSar, r.Windows[k].MaxSar);
                Assert.Equal(reference.Windows[k].WorstWindowEndSeconds, r.Windows[k].WorstWindowEndSeconds);
                Assert.Equal(reference.Windows[k].MatrixIndex, r.Windows[k].MatrixIndex);
            }
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => WaveformStreamFile.Open(path).ReadDepth = 0);
    }

    private static double BruteMax(MultiChannelWaveform w, Complex[] f, SarObservable obs, long m, double T)
    {
        int len = w.Length;
        double best = 0;
        for (int j = 0; j < obs.Count; j++)
        {
            var p = new double[len + 1];
            var x = new Complex[N];
            var wt = new double[N * N];
            for (int s = 0; s < len; s++)
            {
                for (int c = 0; c < N; c++) x[c] = new Complex(w.Re[c * len + s], w.Im[c * len + s]) * f[c];
                RfCorrelation.WeightsInto(x, wt);
                double e = 0;
                var q = obs.Matrix(j);
                for (int k = 0; k < wt.Length; k++) e += q[k] * wt[k];
                p[s + 1] = p[s] + e * w.RasterSeconds;
            }
            long mm = Math.Min(m, len);
            for (long t = mm - 1; t < len; t++) best = Math.Max(best, (p[t + 1] - p[t + 1 - mm]) / T);
        }
        return best;
    }

    [Fact]
    public void NonFiniteSampleInAnEightChannelFileIsRefusedNamingSampleAndChannel()
    {
        var w = FloatWave(500, 3);
        w.Im[5 * 500 + 321] = double.PositiveInfinity;
        using var dir = new TempDir();
        var file = WaveformStreamFile.Open(WriteFile(dir.Path, w));
        var obs = new SarObservable("v", SarMetric.LocalHead, N, SupervisionMatrices.RandomPsd(N, 2, 1), "V");
        var e = Assert.Throws<SarKitInputException>(() => StreamedWindowSar.Evaluate(file, Enumerable.Repeat(Complex.One, N).ToArray(), [(obs, [0.1])], RepetitionMode.Once, 64));
        Assert.Contains("sample 321 of channel 5", e.Message);
    }

    private sealed class TempDir : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sarkit-fused-" + Guid.NewGuid().ToString("N"));
        public TempDir() => Directory.CreateDirectory(Path);
        public void Dispose() { try { Directory.Delete(Path, true); } catch (IOException) { } }
    }
}
