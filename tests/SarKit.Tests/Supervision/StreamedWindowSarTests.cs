using System.Numerics;
using SarKit.IO.Formats;
using SarKit.Numerics.LinearAlgebra;
using SarKit.Supervision;

namespace SarKit.Tests.Supervision;

/// <summary>
/// Exact sliding windows of streamed non-periodic waveforms (<see cref="StreamedWindowSar"/>): against an independent
/// brute force (complex xᴴQx per sample on unpacked matrices, every window summed directly, windows ending at every sample
/// including partial ones at both ends), known answers for bursts, independence of the block length, agreement with the
/// periodic path, and refusal of corrupt files.
/// </summary>
public class StreamedWindowSarTests
{
    private const double Dt = 1e-3;

    /// <summary>Random waveform with bursts of strongly varying power and silences.</summary>
    private static MultiChannelWaveform RandomWave(int n, int len, int seed)
    {
        var rng = new Random(seed);
        var re = new double[n * len]; var im = new double[n * len];
        int t = 0;
        while (t < len)
        {
            int run = 1 + rng.Next(120);
            bool on = rng.NextDouble() < 0.6;
            double amp = on ? (rng.NextDouble() < 0.2 ? 6 : 1) * rng.NextDouble() : 0;
            for (int s = t; s < Math.Min(len, t + run); s++)
                for (int c = 0; c < n; c++)
                {
                    double a = amp * (0.3 + rng.NextDouble());
                    re[c * len + s] = a * (rng.NextDouble() - 0.5); im[c * len + s] = a * (rng.NextDouble() - 0.5);
                }
            t += run;
        }
        return new MultiChannelWaveform(n, len, Dt, re, im, "V", $"random{seed}");
    }

    /// <summary>Brute force: max over matrices and every window end of Σ p_j / T (once: zeros outside; steady: cyclic).</summary>
    private static (double Max, long T, int J) Brute(MultiChannelWaveform w, double[] packed, int k, long m, double T, bool steady)
    {
        int n = w.Channels, len = w.Length;
        var best = (Max: double.NegativeInfinity, T: -1L, J: -1);
        for (int j = 0; j < k; j++)
        {
            var q = HermitianPacking.Unpack(packed.AsSpan(j * n * n, n * n), n);
            var p = new double[len];
            for (int s = 0; s < len; s++)
            {
                Complex acc = 0;
                for (int a = 0; a < n; a++)
                    for (int b = 0; b < n; b++)
                        acc += Complex.Conjugate(new Complex(w.Re[a * len + s], w.Im[a * len + s])) * q[a, b] * new Complex(w.Re[b * len + s], w.Im[b * len + s]);
                p[s] = acc.Real * w.RasterSeconds;
            }
            long ends = steady ? len : len + m - 1;
            for (long t = 0; t < ends; t++)
            {
                double e = 0;
                for (long i = 0; i < m; i++)
                {
                    long s = t - i;
                    if (steady) s = ((s % len) + len) % len;
                    else if (s < 0 || s >= len) continue;
                    e += p[s];
                }
                if (e / T > best.Max) best = (e / T, t, j);
            }
        }
        return best;
    }

    private static Complex[] Ones(int n) => Enumerable.Repeat(Complex.One, n).ToArray();

    private static WindowSarResult Stream(MultiChannelWaveform w, SarObservable obs, double T, RepetitionMode mode, int block)
        => StreamedWindowSar.Evaluate(new InMemoryWaveformSource(w), Ones(w.Channels), [(obs, [T])], mode, block).Windows[0];

    [Theory]
    [InlineData(1, RepetitionMode.Once)]
    [InlineData(2, RepetitionMode.Once)]
    [InlineData(3, RepetitionMode.Periodic)]
    [InlineData(4, RepetitionMode.Periodic)]
    public void EqualsTheBruteForceAtEveryWindowPositionForEveryBlockLength(int seed, RepetitionMode mode)
    {
        const int n = 3, k = 5;
        var w = RandomWave(n, 900 + 37 * seed, seed);
        var packed = SupervisionMatrices.RandomPsd(n, k, seed + 50);
        var obs = new SarObservable("rand", SarMetric.LocalHead, n, packed, "V");
        foreach (long m in new long[] { 1, 7, 64, 250, 899, 2000 })
        {
            double T = m * Dt;
            var (bmax, bt, bj) = Brute(w, packed, k, m, T, mode == RepetitionMode.Periodic);
            var values = new List<double>(); var bounds = new List<double>();
            foreach (int block in new[] { 1, 7, 13, 64, 257, 4096 })
            {
                var r = Stream(w, obs, T, mode, block);
                Assert.True(r.EdgeErrorBound >= 0);
                Assert.True(r.EdgeErrorBound <= 1e-6 * bmax, $"ε {r.EdgeErrorBound} large against {bmax}");
                // reported ≥ exact ≥ reported − 2ε (the brute force has its own rounding: 1e-12 relative)
                Assert.True(r.MaxSar >= bmax * (1 - 1e-12), $"m={m} B={block}: reported {r.MaxSar:R} < brute {bmax:R}");
                Assert.True(r.MaxSar - 2 * r.EdgeErrorBound <= bmax * (1 + 1e-12), $"m={m} B={block}: reported {r.MaxSar:R} − 2ε > brute {bmax:R}");
                // the reported window is a maximum (its own value, recomputed by brute force, equals the maximum)
                Assert.Equal(bj, r.MatrixIndex);
                values.Add(r.MaxSar); bounds.Add(r.EdgeErrorBound);
            }
            // block lengths 1, prime, large: each in [exact, exact + 2ε], so any two agree within 2·max ε
            for (int a = 0; a < values.Count; a++)
                for (int b = 0; b < values.Count; b++)
                    Assert.True(Math.Abs(values[a] - values[b]) <= 2 * Math.Max(bounds[a], bounds[b]) + 1e-12 * bmax, $"m={m}: blocks {a}, {b} differ by {values[a] - values[b]}");
        }
    }

    [Theory]
    [InlineData(0, 10, 100)]
    [InlineData(37, 10, 100)]
    [InlineData(95, 10, 100)]
    [InlineData(500, 64, 100)]
    [InlineData(993, 7, 100)]
    [InlineData(200, 300, 100)]
    public void BurstAtAnyOffsetGivesTheExactWindowMaximum(int offset, int burst, int m)
    {
        const int n = 2, len = 1000;
        var re = new double[n * len]; var im = new double[n * len];
        var x = new[] { new Complex(1.5, -0.5), new Complex(0.25, 2) };
        for (int s = offset; s < Math.Min(len, offset + burst); s++)
            for (int c = 0; c < n; c++) { re[c * len + s] = x[c].Real; im[c * len + s] = x[c].Imaginary; }
        var w = new MultiChannelWaveform(n, len, Dt, re, im, "V", "burst");
        var packed = SupervisionMatrices.RandomPsd(n, 3, 9);
        var obs = new SarObservable("b", SarMetric.LocalHead, n, packed, "V");
        int played = Math.Min(len, offset + burst) - offset;
        double T = m * Dt;
        // known answer: the window holds min(played, m) samples of constant power xᴴQ_j x
        double expected = Enumerable.Range(0, 3).Max(j => HermitianPacking.QuadraticForm(packed.AsSpan(j * 4, 4), HermitianPacking.DriveWeights(x))) * Math.Min(played, m) * Dt / T;
        // window ends holding the most burst samples (all tie in exact arithmetic): from min(offset + played, offset + m),
        // not before the first full window, to offset + max(played, m), not after the file
        double tLo = Math.Max(Math.Min(offset + played, offset + m), m) * Dt, tHi = Math.Min(len, offset + Math.Max(played, m)) * Dt;
        foreach (int block in new[] { 1, 3, 17, 100, 128, 5000 })
        {
            var r = Stream(w, obs, T, RepetitionMode.Once, block);
            // reported ≥ exact ≥ reported − 2ε (ε: the stated rounding bound)
            Assert.True(r.MaxSar >= expected * (1 - 1e-13) && r.MaxSar - 2 * r.EdgeErrorBound <= expected * (1 + 1e-13), $"B={block}: {r.MaxSar:R} (ε {r.EdgeErrorBound:R}) vs {expected:R}");
            Assert.True(r.EdgeErrorBound <= 1e-7 * expected);
            Assert.InRange(r.WorstWindowEndSeconds, tLo - 1e-12, tHi + 1e-12);
        }
    }

    [Fact]
    public void PeriodicWaveformWrittenOutAsALongFileEqualsThePeriodicPath()
    {
        const int n = 4, k = 6, period = 400, reps = 12;
        var one = RandomWave(n, period, 11);
        var packed = SupervisionMatrices.RandomPsd(n, k, 12);
        var obs = new SarObservable("vops", SarMetric.LocalHead, n, packed, "V");
        double[] windows = [0.7, 2.0]; // 700 and 2000 samples: longer than a period, shorter than the file
        // periodic path, exact per-sample model (resolution ≤ raster: B = 0)
        var schedule = one.Schedule("V", null, Dt);
        var periodic = WindowedSar.Evaluate(schedule, obs, windows, RepetitionMode.Periodic);
        // the same waveform written out as 12 periods, played once
        var re = new double[n * period * reps]; var im = new double[re.Length];
        for (int c = 0; c < n; c++)
            for (int r = 0; r < reps; r++)
            {
                one.Re.AsSpan(c * period, period).CopyTo(re.AsSpan(c * period * reps + r * period));
                one.Im.AsSpan(c * period, period).CopyTo(im.AsSpan(c * period * reps + r * period));
            }
        var longWave = new MultiChannelWaveform(n, period * reps, Dt, re, im, "V", "long");
        using var dir = new TempFolder();
        var path = Path.Combine(dir.Path, "long.npy");
        using (var wr = WaveformStreamFile.Create(path, n, period * reps, "V", Dt, complex64: false))
        {
            wr.Append(re, im, period * reps);
            wr.Complete();
        }
        var file = WaveformStreamFile.Open(path);
        var streamed = StreamedWindowSar.Evaluate(file, Ones(n), [(obs, windows)], RepetitionMode.Once, 97).Windows;
        // and the single period streamed in steady state
        var steady = StreamedWindowSar.Evaluate(new InMemoryWaveformSource(one), Ones(n), [(obs, windows)], RepetitionMode.Periodic, 64).Windows;
        for (int i = 0; i < windows.Length; i++)
        {
            Assert.Equal(0, periodic[i].EdgeErrorBound);
            Assert.Equal(1.0, streamed[i].MaxSar / periodic[i].MaxSar, 11);
            Assert.Equal(1.0, steady[i].MaxSar / periodic[i].MaxSar, 11);
            Assert.Equal(periodic[i].MatrixIndex, streamed[i].MatrixIndex);
            _ = longWave;
        }
    }

    [Fact]
    public void Complex64FileRoundTripsAndGivesTheInMemoryResult()
    {
        const int n = 3;
        var w = RandomWave(n, 777, 21);
        // complex64 samples: round the in-memory copy to float first so that both see the same numbers
        var re = w.Re.Select(v => (double)(float)v).ToArray(); var im = w.Im.Select(v => (double)(float)v).ToArray();
        var wf = new MultiChannelWaveform(n, w.Length, Dt, re, im, "V", "f32");
        using var dir = new TempFolder();
        var path = Path.Combine(dir.Path, "w.npy");
        using (var wr = WaveformStreamFile.Create(path, n, w.Length, "V", Dt))
        {
            // appended in uneven blocks
            int done = 0;
            foreach (int part in new[] { 1, 100, 333, 343 })
            {
                var pr = new double[n * part]; var pi = new double[n * part];
                for (int c = 0; c < n; c++) { re.AsSpan(c * w.Length + done, part).CopyTo(pr.AsSpan(c * part)); im.AsSpan(c * w.Length + done, part).CopyTo(pi.AsSpan(c * part)); }
                wr.Append(pr, pi, part);
                done += part;
            }
            wr.Complete();
        }
        var f = WaveformStreamFile.Open(path);
        Assert.True(f.IsComplex64);
        Assert.Equal(777, f.Samples);
        using (var rd = f.OpenReader())
        {
            var r2 = new double[n * 50]; var i2 = new double[n * 50];
            rd.Read(700, 50, r2, i2);
            for (int c = 0; c < n; c++) for (int s = 0; s < 50; s++) { Assert.Equal(re[c * 777 + 700 + s], r2[c * 50 + s]); Assert.Equal(im[c * 777 + 700 + s], i2[c * 50 + s]); }
        }
        var obs = new SarObservable("v", SarMetric.LocalHead, n, SupervisionMatrices.RandomPsd(n, 4, 3), "V");
        var a = StreamedWindowSar.Evaluate(f, Ones(n), [(obs, [0.2])], RepetitionMode.Once, 50).Windows[0];
        var b = StreamedWindowSar.Evaluate(new InMemoryWaveformSource(wf), Ones(n), [(obs, [0.2])], RepetitionMode.Once, 50).Windows[0];
        Assert.Equal(b.MaxSar, a.MaxSar);
        Assert.Equal(b.WorstWindowEndSeconds, a.WorstWindowEndSeconds);
    }

    [Fact]
    public void CorruptTruncatedAndUndeclaredFilesAreRefused()
    {
        using var dir = new TempFolder();
        string Write(string name, double[] re, double[] im, int n, int len, string unit = "V")
        {
            var p = Path.Combine(dir.Path, name);
            using var wr = WaveformStreamFile.Create(p, n, len, unit, Dt, complex64: false);
            wr.Append(re, im, len); wr.Complete();
            return p;
        }
        var good = Write("good.npy", new double[20], new double[20], 2, 10);
        Assert.Equal(10, WaveformStreamFile.Open(good).Samples);
        // truncated by one byte
        var trunc = Path.Combine(dir.Path, "trunc.npy");
        File.Copy(good, trunc); File.Copy(WaveformStreamFile.SidecarPath(good), WaveformStreamFile.SidecarPath(trunc));
        using (var fs = new FileStream(trunc, FileMode.Open)) fs.SetLength(fs.Length - 1);
        var e1 = Assert.Throws<SarKitInputException>(() => WaveformStreamFile.Open(trunc));
        Assert.Contains("truncated", e1.Message);
        // NaN sample: refused when read, naming sample and channel
        var re = new double[20]; re[1 * 10 + 7] = double.NaN;
        var nan = Write("nan.npy", re, new double[20], 2, 10);
        var obs = new SarObservable("v", SarMetric.LocalHead, 2, SupervisionMatrices.RandomPsd(2, 1, 1), "V");
        var e2 = Assert.Throws<SarKitInputException>(() => StreamedWindowSar.Evaluate(WaveformStreamFile.Open(nan), Ones(2), [(obs, [0.005])], RepetitionMode.Once, 4));
        Assert.Contains("sample 7 of channel 1", e2.Message);
        // missing sidecar, unknown unit, mismatching declaration
        File.Delete(WaveformStreamFile.SidecarPath(trunc));
        Assert.Contains("sidecar", Assert.Throws<SarKitInputException>(() => WaveformStreamFile.Open(trunc)).Message);
        var unit = Write("unit.npy", new double[20], new double[20], 2, 10, "furlong");
        Assert.Contains("furlong", Assert.Throws<SarKitInputException>(() => WaveformStreamFile.Open(unit)).Message);
        var side = WaveformStreamFile.SidecarPath(good);
        File.WriteAllText(side, File.ReadAllText(side).Replace("\"samples\":10", "\"samples\":11"));
        Assert.Contains("declares", Assert.Throws<SarKitInputException>(() => WaveformStreamFile.Open(good)).Message);
        File.WriteAllText(side, File.ReadAllText(side).Replace("\"samples\":11", "\"samples\":10").Replace("\"raster_s\":0.001", "\"raster_s\":-1"));
        Assert.Contains("raster_s", Assert.Throws<SarKitInputException>(() => WaveformStreamFile.Open(good)).Message);
    }

    /// <summary>The unit conversion multiplies channel c by its complex drive factor before squaring.</summary>
    [Fact]
    public void DriveFactorsScaleTheEnergy()
    {
        const int n = 2;
        var w = RandomWave(n, 300, 5);
        var obs = new SarObservable("v", SarMetric.LocalHead, n, SupervisionMatrices.RandomPsd(n, 2, 8), "V");
        var one = StreamedWindowSar.Evaluate(new InMemoryWaveformSource(w), Ones(n), [(obs, [0.05])], RepetitionMode.Once, 32).Windows[0];
        var f = new[] { new Complex(0, 3), new Complex(-3, 0) }; // |k| = 3 with phases: a common phase per channel pair? no: relative phase π/2 → compare against scaled samples
        var re = new double[w.Re.Length]; var im = new double[w.Im.Length];
        for (int c = 0; c < n; c++)
            for (int s = 0; s < w.Length; s++)
            {
                var z = new Complex(w.Re[c * w.Length + s], w.Im[c * w.Length + s]) * f[c];
                re[c * w.Length + s] = z.Real; im[c * w.Length + s] = z.Imaginary;
            }
        var scaled = new MultiChannelWaveform(n, w.Length, Dt, re, im, "V", "scaled");
        var a = StreamedWindowSar.Evaluate(new InMemoryWaveformSource(w), f, [(obs, [0.05])], RepetitionMode.Once, 32).Windows[0];
        var b = StreamedWindowSar.Evaluate(new InMemoryWaveformSource(scaled), Ones(n), [(obs, [0.05])], RepetitionMode.Once, 32).Windows[0];
        Assert.Equal(1.0, a.MaxSar / b.MaxSar, 12);
        // a common factor 3 on every channel scales SAR by 9
        var c9 = StreamedWindowSar.Evaluate(new InMemoryWaveformSource(w), [3, 3], [(obs, [0.05])], RepetitionMode.Once, 32).Windows[0];
        Assert.Equal(9.0, c9.MaxSar / one.MaxSar, 12);
    }

    private sealed class TempFolder : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sarkit-stream-" + Guid.NewGuid().ToString("N"));
        public TempFolder() => Directory.CreateDirectory(Path);
        public void Dispose() { try { Directory.Delete(Path, true); } catch (IOException) { } }
    }
}
