using SarKit.IO.Formats;

namespace SarKit.Tests.IO;

/// <summary>
/// <see cref="SequentialChunkReader"/> (issue 18, several reads in flight): the chunks arrive in file order and their bytes
/// are exactly the file's, for any depth (0 = read in the caller's thread), chunk size, unaligned start and end, with O_DIRECT
/// (when the temp file system allows it) and buffered; a file shorter than the range is refused at that chunk (and stays
/// refused, without waiting for a stopped reader); stopping in the middle returns. Also the one deinterleave routine of
/// <see cref="WaveformStreamFile"/> (float, double and int16 samples): bit for bit the stored value times the scale.
/// </summary>
public class SequentialChunkReaderTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sarkit-chunks-" + Guid.NewGuid().ToString("N"));

    public SequentialChunkReaderTests() => Directory.CreateDirectory(_dir);
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    private string RandomFile(int bytes, int seed, out byte[] data)
    {
        data = new byte[bytes];
        new Random(seed).NextBytes(data);
        string p = Path.Combine(_dir, $"f{seed}.bin");
        File.WriteAllBytes(p, data);
        return p;
    }

    [Theory]
    [InlineData(0, 4096, 0, true)]
    [InlineData(1, 4096, 0, true)]
    [InlineData(3, 5000, 13, true)]
    [InlineData(8, 1000, 4097, true)]
    [InlineData(4, 12288, 128, false)]
    [InlineData(2, 70000, 1, true)]
    [InlineData(64, 3, 5, true)]
    public void ChunksArriveInFileOrderWithTheFilesBytes(int depth, int chunk, int begin, bool direct)
    {
        const int size = 61_441; // not a multiple of 4096
        string p = RandomFile(size, depth * 31 + chunk, out var data);
        int end = size - 7;
        using var h = File.OpenHandle(p, FileMode.Open, FileAccess.Read, FileShare.Read);
        using var r = new SequentialChunkReader(p, h, begin, end, chunk, depth, direct);
        Assert.Equal((end - begin + chunk - 1) / chunk, r.Chunks);
        var got = new MemoryStream();
        long expectOffset = begin;
        while (!r.AtEnd)
        {
            var c = r.Take();
            Assert.Equal(expectOffset, c.Offset);
            Assert.Equal((int)Math.Min(chunk, end - expectOffset), c.Length);
            got.Write(c.Bytes);
            expectOffset += c.Length;
        }
        Assert.Equal(data.AsSpan(begin, end - begin).ToArray(), got.ToArray());
        Assert.Throws<InvalidOperationException>(() => r.Take());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4)]
    public void AFileShorterThanTheRangeIsRefusedAtThatChunkAndStaysRefused(int depth)
    {
        string p = RandomFile(10_000, 100 + depth, out var data);
        using var h = File.OpenHandle(p, FileMode.Open, FileAccess.Read, FileShare.Read);
        // the range claims 20 000 bytes (as a file truncated after it was opened and checked)
        using var r = new SequentialChunkReader(p, h, 0, 20_000, 4096, depth, tryDirect: true);
        Assert.Equal(data.AsSpan(0, 4096).ToArray(), r.Take().Bytes.ToArray());
        Assert.Equal(data.AsSpan(4096, 4096).ToArray(), r.Take().Bytes.ToArray());
        var e = Assert.Throws<SarKitInputException>(() => r.Take());
        Assert.Contains(p, e.Message);
        Assert.Contains("ended", e.Message);
        Assert.Throws<SarKitInputException>(() => r.Take());
    }

    [Fact]
    public async Task StoppingInTheMiddleReturns()
    {
        string p = RandomFile(200_000, 7, out var data);
        using var h = File.OpenHandle(p, FileMode.Open, FileAccess.Read, FileShare.Read);
        var stop = Task.Run(() =>
        {
            var r = new SequentialChunkReader(p, h, 0, data.Length, 4096, 6, tryDirect: true);
            Assert.Equal(data.AsSpan(0, 4096).ToArray(), r.Take().Bytes.ToArray());
            r.Dispose(); // reader threads wait for free buffers or are reading: both end
            Assert.Throws<ObjectDisposedException>(() => r.Take());
        });
        // a hang guard, not a speed requirement (TimeoutException when Dispose does not return)
        await stop.WaitAsync(TimeSpan.FromMinutes(2));
    }

    [Fact]
    public void DeinterleaveGivesTheStoredValueTimesTheScaleBitForBit()
    {
        const int n = 3, count = 5;
        float[] f = [0f, -0f, 1.5f, -3.25e-40f, float.MaxValue, float.Epsilon, 1e-30f, -7f, 3f, 1f / 3, 2f, -2f, 9f, -9f, 0.1f,
                     5f, 6f, 7f, 8f, 10f, 11f, 12f, 13f, 14f, 15f, 16f, 17f, 18f, 19f, 20f];
        double[] d = f.Select((x, i) => i % 3 == 0 ? double.MaxValue / (i + 1) : i % 3 == 1 ? -double.Epsilon * i : x / 7.0).ToArray();
        short[] s = f.Select((_, i) => (short)(i * 2731 - 32768)).ToArray();
        d[1] = -0.0;
        var re = new double[n * count]; var im = new double[n * count];
        WaveformStreamFile.Deinterleave<float>(f, n, count, 1.0, re, im);
        Check(i => f[i], 1.0);
        WaveformStreamFile.Deinterleave<double>(d, n, count, 1.0, re, im);
        Check(i => d[i], 1.0);
        const double lsb = 0.1; // not a power of two: one rounding of code·lsb
        WaveformStreamFile.Deinterleave<short>(s, n, count, lsb, re, im);
        Check(i => s[i] * lsb, lsb);

        void Check(Func<int, double> stored, double scale)
        {
            for (int t = 0; t < count; t++)
                for (int c = 0; c < n; c++)
                {
                    int k = 2 * (t * n + c);
                    Assert.Equal(BitConverter.DoubleToInt64Bits(stored(k)), BitConverter.DoubleToInt64Bits(re[c * count + t]));
                    Assert.Equal(BitConverter.DoubleToInt64Bits(stored(k + 1)), BitConverter.DoubleToInt64Bits(im[c * count + t]));
                }
        }
        Assert.Throws<ArgumentException>(() => WaveformStreamFile.Deinterleave<float>(f.AsSpan(0, 10), n, count, 1.0, re, im));
    }
}
