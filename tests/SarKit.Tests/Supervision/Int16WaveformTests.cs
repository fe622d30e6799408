using System.Numerics;
using System.Text;
using SarKit.IO.Formats;
using SarKit.Supervision;

namespace SarKit.Tests.Supervision;

/// <summary>
/// Complex int16 streamed waveforms (issue 18): the fused int16 correlation kernel (exact integer sums: AVX-512 and portable
/// paths bit-identical, equal to an integer reference), the file format (samples × channels × (I, Q) codes, sidecar lsb or
/// full_scale), results equal to the same data converted to complex64, and refusals of bad files.
/// </summary>
public class Int16WaveformTests
{
    private const int N = RfCorrelation.InterleavedChannels;

    /// <summary>Interleaved codes with silences, small and full-scale values, and the asymmetric code −32768.</summary>
    private static short[] RandomCodes(int count, int seed, int channels = N)
    {
        var rng = new Random(seed);
        var v = new short[2 * channels * count];
        for (int t = 0; t < count; t++)
        {
            double u = rng.NextDouble();
            int max = u < 0.2 ? 0 : u < 0.5 ? 40 : u < 0.9 ? 32767 : -1;
            for (int k = 0; k < 2 * channels; k++)
                v[2 * channels * t + k] = max < 0 ? (rng.NextDouble() < 0.5 ? short.MinValue : short.MaxValue) : (short)rng.Next(-max, max + 1);
        }
        return v;
    }

    /// <summary>Known answer: the packed weights from exact 64-bit integer sums, scaled once — what the kernel must give bit for bit.</summary>
    private static double[] IntegerReference(short[] iq, int count, double lsb, double dt, double[] start)
    {
        var w = (double[])start.Clone();
        double f = lsb * lsb * dt;
        long X(int t, int c, int k) => iq[2 * (N * t + c) + k];
        for (int i = 0; i < N; i++)
        {
            long s = 0;
            for (int t = 0; t < count; t++) s += X(t, i, 0) * X(t, i, 0) + X(t, i, 1) * X(t, i, 1);
            w[i] += f * s;
        }
        int o = N;
        for (int i = 0; i < N; i++)
            for (int j = i + 1; j < N; j++)
            {
                long cr = 0, ci = 0;
                for (int t = 0; t < count; t++)
                {
                    cr += X(t, i, 0) * X(t, j, 0) + X(t, i, 1) * X(t, j, 1);
                    ci += X(t, i, 0) * X(t, j, 1) - X(t, i, 1) * X(t, j, 0);
                }
                w[o++] += 2 * f * cr;
                w[o++] += -2 * f * ci;
            }
        return w;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(255)]
    [InlineData(256)]
    [InlineData(257)]
    [InlineData(4000)]
    public void SimdAndPortableInt16KernelsAreBitIdenticalAndEqualTheIntegerReference(int count)
    {
        var iq = RandomCodes(count, 200 + count);
        var start = Enumerable.Range(0, N * N).Select(k => k * 0.25 - 3).ToArray();
        var a = (double[])start.Clone(); var b = (double[])start.Clone();
        const double lsb = 3.1e-4, dt = 1e-6;
        RfCorrelation.AccumulateInterleaved8Int16(iq, count, lsb, dt, a, allowSimd: true);
        RfCorrelation.AccumulateInterleaved8Int16(iq, count, lsb, dt, b, allowSimd: false);
        var r = IntegerReference(iq, count, lsb, dt, start);
        for (int k = 0; k < a.Length; k++)
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(b[k]), BitConverter.DoubleToInt64Bits(a[k]));
            Assert.Equal(BitConverter.DoubleToInt64Bits(r[k]), BitConverter.DoubleToInt64Bits(a[k]));
        }
    }

    /// <summary>All codes −32768 (the largest products, 2³⁰ each, and the largest sums): still exact; a correlation (PSD).</summary>
    [Fact]
    public void AsymmetricCodeIsTakenAtItsTwosComplementValueExactly()
    {
        const int count = 4000;
        var iq = Enumerable.Repeat(short.MinValue, 2 * N * count).ToArray();
        foreach (bool simd in new[] { true, false })
        {
            var w = new double[N * N];
            RfCorrelation.AccumulateInterleaved8Int16(iq, count, 1, 1, w, simd);
            // x_c = −32768(1 + i) on every channel: R_ii = 2·32768²·count, R_ij = |x|²·count (real), so w_o = 2·2·32768²·count
            for (int i = 0; i < N; i++) Assert.Equal(2.0 * 32768 * 32768 * count, w[i]);
            for (int o = N; o < N * N; o += 2) { Assert.Equal(4.0 * 32768 * 32768 * count, w[o]); Assert.Equal(0.0, w[o + 1]); }
            Assert.Null(RfCorrelation.CheckPositiveSemidefinite(w, N));
        }
    }

    [Fact]
    public void Int16KernelEqualsThePlanarCorrelationOfTheScaledSamples()
    {
        const int count = 3000;
        const double lsb = 1.7e-3, dt = 2e-6;
        var iq = RandomCodes(count, 5);
        var re = new double[N * count]; var im = new double[N * count];
        for (int t = 0; t < count; t++)
            for (int c = 0; c < N; c++) { re[c * count + t] = iq[2 * (N * t + c)] * lsb; im[c * count + t] = iq[2 * (N * t + c) + 1] * lsb; }
        var planar = new double[N * N]; var fused = new double[N * N];
        RfCorrelation.Accumulate(re, im, N, count, dt, planar);
        RfCorrelation.AccumulateInterleaved8Int16(iq, count, lsb, dt, fused);
        double tr = 0;
        for (int i = 0; i < N; i++) tr += planar[i];
        // fused: exact sums, 3 roundings; planar: dot products of the rounded samples (≤ (count + 8)·u·2·tr each)
        double tol = 4 * (count + 8) * Math.Pow(2, -53) * 2 * tr;
        for (int k = 0; k < planar.Length; k++) Assert.InRange(fused[k] - planar[k], -tol, tol);
        Assert.Null(RfCorrelation.CheckPositiveSemidefinite(fused, N));
    }

    private static string WriteInt16(string dir, string name, short[] iq, int channels, int len, double lsb, double dt = 1e-3)
    {
        var path = Path.Combine(dir, name);
        using var wr = WaveformStreamFile.CreateInt16(path, channels, len, "V", dt, lsb);
        wr.AppendCodes(iq, len);
        wr.Complete();
        return path;
    }

    /// <summary>The same codes converted to complex64 values lsb·code (exact for a power-of-two lsb: codes have ≤ 16 bits).</summary>
    private static string WriteAsComplex64(string dir, string name, short[] iq, int channels, int len, double lsb, double dt = 1e-3)
    {
        var re = new double[channels * len]; var im = new double[channels * len];
        for (int t = 0; t < len; t++)
            for (int c = 0; c < channels; c++) { re[c * len + t] = iq[2 * (channels * t + c)] * lsb; im[c * len + t] = iq[2 * (channels * t + c) + 1] * lsb; }
        var path = Path.Combine(dir, name);
        using var wr = WaveformStreamFile.Create(path, channels, len, "V", dt);
        wr.Append(re, im, len);
        wr.Complete();
        return path;
    }

    /// <summary>Codes in bursts (as a pulsed waveform): runs of silence and of random codes up to <paramref name="max"/>.</summary>
    private static short[] BurstCodes(int len, int channels, int seed, int max = 32767)
    {
        var rng = new Random(seed);
        var v = new short[2 * channels * len];
        for (int t = 0; t < len;)
        {
            int run = 1 + rng.Next(120);
            int amp = rng.NextDouble() < 0.5 ? (int)(max * (0.2 + 0.8 * rng.NextDouble())) : 0;
            for (int s = t; s < Math.Min(len, t + run); s++)
                for (int k = 0; k < 2 * channels; k++) v[2 * channels * s + k] = (short)rng.Next(-amp, amp + 1);
            t += run;
        }
        return v;
    }

    /// <summary>
    /// Results equal to converting the same data to complex64 and running the existing path: with lsb = 2⁻¹⁰ V the conversion
    /// is exact, both results bracket the same exact maximum (reported ≥ exact ≥ reported − 2ε), so they differ by at most
    /// 2·max(ε) and give the same verdict and worst matrix; 8 channels take the fused int16 kernel, 3 channels the planar path.
    /// </summary>
    [Theory]
    [InlineData(8, 64, 1, false)]
    [InlineData(8, 257, 2, true)]
    [InlineData(8, 4000, 2, false)]
    [InlineData(3, 100, 1, true)]
    public void Int16FileEqualsTheSameDataAsComplex64(int channels, int block, int parallelism, bool complexFactors)
    {
        const int len = 5003;
        const double lsb = 1.0 / 1024;
        var iq = BurstCodes(len, channels, 70 + block);
        using var dir = new TempDir();
        var fi = WaveformStreamFile.Open(WriteInt16(dir.Path, "w16.npy", iq, channels, len, lsb));
        var fc = WaveformStreamFile.Open(WriteAsComplex64(dir.Path, "w64.npy", iq, channels, len, lsb));
        Assert.Equal(WaveformStreamFile.SampleType.ComplexInt16, fi.Type);
        Assert.Equal(lsb, fi.Lsb);
        fi.ChunkBytes = 2048; fc.ChunkBytes = 4096;
        var rng = new Random(block);
        var factors = Enumerable.Range(0, channels).Select(_ => complexFactors ? Complex.FromPolarCoordinates(0.5 + rng.NextDouble(), rng.NextDouble() * 6) : Complex.One).ToArray();
        var obs = new SarObservable("v", SarMetric.LocalHead, channels, SupervisionMatrices.RandomPsd(channels, 6, 23), "V");
        var settings = new SarKitSettings { MaxDegreeOfParallelism = parallelism };
        double[] windows = [0.05, 1.3, 7.0];
        var a = StreamedWindowSar.Evaluate(fi, factors, [(obs, windows)], RepetitionMode.Once, block, settings: settings);
        var b = StreamedWindowSar.Evaluate(fc, factors, [(obs, windows)], RepetitionMode.Once, block, settings: settings);
        Assert.Equal(channels == N, a.Statistics.Phases.Fused);
        Assert.Equal(b.Statistics.Phases.Fused, a.Statistics.Phases.Fused);
        for (int k = 0; k < windows.Length; k++)
        {
            var x = a.Windows[k]; var y = b.Windows[k];
            double tol = 2 * Math.Max(x.EdgeErrorBound, y.EdgeErrorBound);
            Assert.InRange(x.MaxSar - y.MaxSar, -tol, tol);
            Assert.True(tol <= 1e-7 * y.MaxSar, $"bound {tol} vs {y.MaxSar}");
            Assert.Equal(y.MatrixIndex, x.MatrixIndex);
        }
        for (int k = 0; k < a.TotalWeights.Length; k++) Assert.Equal(b.TotalWeights[k], a.TotalWeights[k], 1e-9 * a.TotalWeights.Take(channels).Sum());
        // planar reads of the int16 file give lsb·code
        using var r = fi.OpenReader();
        var re = new double[channels * 5]; var im = new double[channels * 5];
        r.Read(100, 5, re, im);
        for (int c = 0; c < channels; c++)
            for (int t = 0; t < 5; t++)
            {
                Assert.Equal(iq[2 * (channels * (100 + t) + c)] * lsb, re[c * 5 + t]);
                Assert.Equal(iq[2 * (channels * (100 + t) + c) + 1] * lsb, im[c * 5 + t]);
            }
    }

    /// <summary>A full_scale sidecar (value of code +32767, lsb not a power of two): the same maximum as the complex64 file of
    /// the float-rounded values within the float32 rounding of the samples (relative 2·2⁻²⁴ on each energy, here 10⁻⁶) plus the ε.</summary>
    [Fact]
    public void FullScaleSidecarGivesLsbAndMatchesComplex64WithinFloatRounding()
    {
        const int len = 4001;
        var iq = BurstCodes(len, N, 9);
        using var dir = new TempDir();
        var p = WriteInt16(dir.Path, "fs.npy", iq, N, len, 1);
        File.WriteAllText(WaveformStreamFile.SidecarPath(p), """{"format": "sarkit-waveform-stream", "version": 1, "unit": "V", "raster_s": 0.001, "channels": 8, "samples": 4001, "full_scale": 100}""");
        var fi = WaveformStreamFile.Open(p);
        Assert.Equal(100.0 / 32767, fi.Lsb);
        var fc = WaveformStreamFile.Open(WriteAsComplex64(dir.Path, "c.npy", iq, N, len, 100.0 / 32767));
        var obs = new SarObservable("v", SarMetric.LocalHead, N, SupervisionMatrices.RandomPsd(N, 4, 3), "V");
        var one = Enumerable.Repeat(Complex.One, N).ToArray();
        var a = StreamedWindowSar.Evaluate(fi, one, [(obs, [0.5])], RepetitionMode.Once).Windows[0];
        var b = StreamedWindowSar.Evaluate(fc, one, [(obs, [0.5])], RepetitionMode.Once).Windows[0];
        Assert.InRange(a.MaxSar - b.MaxSar, -1e-6 * b.MaxSar, 1e-6 * b.MaxSar);
        Assert.Equal(b.MatrixIndex, a.MatrixIndex);
    }

    private static string Sidecar(string extra = "", string unit = "\"unit\": \"V\", ", int channels = 8, int samples = 100) =>
        $"{{\"format\": \"sarkit-waveform-stream\", \"version\": 1, {unit}\"raster_s\": 1e-6, \"channels\": {channels}, \"samples\": {samples}{extra}}}";

    public static TheoryData<string, string, string> BadSidecars => new()
    {
        { Sidecar(), "lsb", "no scale" },
        { Sidecar(", \"lsb\": 0"), "lsb", "zero lsb" },
        { Sidecar(", \"lsb\": -1e-3"), "lsb", "negative lsb" },
        { Sidecar(", \"lsb\": \"NaN\""), "lsb", "NaN lsb (text)" },
        { Sidecar(", \"lsb\": NaN"), "not valid JSON", "NaN lsb (bare)" },
        { Sidecar(", \"lsb\": 1e999"), "lsb", "infinite lsb" },
        { Sidecar(", \"lsb\": 1e-200"), "lsb", "underflowing lsb²" },
        { Sidecar(", \"full_scale\": 0"), "full_scale", "zero full scale" },
        { Sidecar(", \"lsb\": 1e-3, \"full_scale\": 32.767"), "not both", "both scales" },
        { Sidecar(", \"lsb\": 1e-3", unit: ""), "unit", "missing unit" },
        { Sidecar(", \"lsb\": 1e-3", unit: "\"unit\": \"furlong\", "), "furlong", "unknown unit" },
        { Sidecar(", \"lsb\": 1e-3", channels: 4), "sidecar declares", "wrong channel count" },
        { Sidecar(", \"lsb\": 1e-3", samples: 99), "sidecar declares", "wrong sample count" },
        // found by the wavestream-json fuzz target: a denormal raster underflowed lsb²·Δt (ArgumentOutOfRangeException in the
        // kernel), a huge one overflowed the correlation to ∞; both are now refused when the file is opened
        { Sidecar(", \"lsb\": 1e-3").Replace("1e-6", "4.9e-324"), "raster_s", "denormal raster" },
        { Sidecar(", \"lsb\": 1e-3").Replace("1e-6", "1.7976931348623157e308"), "raster_s", "huge raster" },
        { Sidecar(", \"lsb\": 1e-3").Replace("1e-6", "1e-10"), "raster_s", "raster below 1 ns" },
    };

    [Theory]
    [MemberData(nameof(BadSidecars))]
    public void BadSidecarsAreRefusedNamingTheField(string sidecar, string expected, string what)
    {
        using var dir = new TempDir();
        var p = WriteInt16(dir.Path, "b.npy", RandomCodes(100, 1), N, 100, 1e-3);
        File.WriteAllText(WaveformStreamFile.SidecarPath(p), sidecar);
        var e = Assert.Throws<SarKitInputException>(() => WaveformStreamFile.Open(p));
        Assert.Contains(expected, e.Message);
        Assert.True(e.Message.Contains("b.json") || e.Message.Contains("b.npy"), what + ": " + e.Message);
    }

    /// <summary>A scale on a complex file is refused (its values are already in the unit: a scale would be ambiguous).</summary>
    [Fact]
    public void ScaleOnAComplexFileIsRefused()
    {
        using var dir = new TempDir();
        var p = WriteAsComplex64(dir.Path, "c.npy", RandomCodes(100, 2), N, 100, 1);
        File.WriteAllText(WaveformStreamFile.SidecarPath(p), Sidecar(", \"lsb\": 1e-3").Replace("1e-6", "0.001"));
        var e = Assert.Throws<SarKitInputException>(() => WaveformStreamFile.Open(p));
        Assert.Contains("int16 files only", e.Message);
    }

    /// <summary>Truncated by part of a sample (2, 16, 31 bytes), by whole samples, padded, and cut inside the header: refused
    /// naming the file, with the partial-sample bytes when the data is not a whole number of 8-channel frames (32 bytes).</summary>
    [Theory]
    [InlineData(-2, true)]
    [InlineData(-16, true)]
    [InlineData(-31, true)]
    [InlineData(-32, false)]
    [InlineData(-3200, false)]
    [InlineData(4, true)]
    [InlineData(32, false)]
    public void TruncatedOrPaddedFilesAreRefused(int delta, bool partial)
    {
        using var dir = new TempDir();
        var p = WriteInt16(dir.Path, "t.npy", RandomCodes(100, 3), N, 100, 1e-3);
        using (var fs = new FileStream(p, FileMode.Open)) fs.SetLength(fs.Length + delta);
        var e = Assert.Throws<SarKitInputException>(() => WaveformStreamFile.Open(p));
        Assert.Contains("t.npy", e.Message);
        Assert.Contains("truncated or padded", e.Message);
        Assert.Equal(partial, e.Message.Contains("partial sample"));
    }

    [Fact]
    public void TruncatedHeaderAndWrongShapesAreRefused()
    {
        using var dir = new TempDir();
        var p = WriteInt16(dir.Path, "h.npy", RandomCodes(100, 4), N, 100, 1e-3);
        using (var fs = new FileStream(p, FileMode.Open)) fs.SetLength(40);
        Assert.Throws<SarKitInputException>(() => WaveformStreamFile.Open(p));
        // 2-D int16 (samples × 2·channels): refused, asking for samples × channels × 2
        var q = Path.Combine(dir.Path, "flat.npy");
        WriteRawNpy(q, "<i2", "(100, 16)", new byte[100 * 16 * 2]);
        File.WriteAllText(WaveformStreamFile.SidecarPath(q), Sidecar(", \"lsb\": 1e-3"));
        Assert.Contains("samples × channels × 2", Assert.Throws<SarKitInputException>(() => WaveformStreamFile.Open(q)).Message);
        // channels × samples × 2 in C order (each channel whole)
        var cs = Path.Combine(dir.Path, "cs.npy");
        WriteRawNpy(cs, "<i2", "(8, 100, 2)", new byte[100 * 16 * 2]);
        File.WriteAllText(WaveformStreamFile.SidecarPath(cs), Sidecar(", \"lsb\": 1e-3"));
        Assert.Contains("each channel stored whole", Assert.Throws<SarKitInputException>(() => WaveformStreamFile.Open(cs)).Message);
        // big-endian codes
        var be = Path.Combine(dir.Path, "be.npy");
        WriteRawNpy(be, ">i2", "(100, 8, 2)", new byte[100 * 16 * 2]);
        File.WriteAllText(WaveformStreamFile.SidecarPath(be), Sidecar(", \"lsb\": 1e-3"));
        Assert.Contains("'>i2'", Assert.Throws<SarKitInputException>(() => WaveformStreamFile.Open(be)).Message);
        // Fortran order 2 × channels × samples: the same bytes as samples × channels × 2 in C order
        var fo = Path.Combine(dir.Path, "fo.npy");
        var codes = RandomCodes(100, 6);
        WriteRawNpy(fo, "<i2", "(2, 8, 100)", System.Runtime.InteropServices.MemoryMarshal.AsBytes(codes.AsSpan()).ToArray(), fortran: true);
        File.WriteAllText(WaveformStreamFile.SidecarPath(fo), Sidecar(", \"lsb\": 0.5"));
        var f = WaveformStreamFile.Open(fo);
        Assert.Equal(8, f.Channels); Assert.Equal(100, f.Samples);
        using var r = f.OpenReader();
        var re = new double[8]; var im = new double[8];
        r.Read(37, 1, re, im);
        for (int c = 0; c < 8; c++) { Assert.Equal(codes[2 * (8 * 37 + c)] * 0.5, re[c]); Assert.Equal(codes[2 * (8 * 37 + c) + 1] * 0.5, im[c]); }
    }

    private static void WriteRawNpy(string path, string descr, string shape, byte[] data, bool fortran = false)
    {
        var header = $"{{'descr': '{descr}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': {shape}, }}";
        int pad = (64 - (10 + header.Length + 1) % 64) % 64;
        var hb = Encoding.Latin1.GetBytes(header + new string(' ', pad) + "\n");
        using var fs = File.Create(path);
        fs.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        fs.Write(BitConverter.GetBytes((ushort)hb.Length));
        fs.Write(hb);
        fs.Write(data);
    }

    private sealed class TempDir : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sarkit-int16-" + Guid.NewGuid().ToString("N"));
        public TempDir() => Directory.CreateDirectory(Path);
        public void Dispose() { try { Directory.Delete(Path, true); } catch (IOException) { } }
    }
}
