using System.Numerics;
using System.Text.Json;
using SarKit.IO;
using SarKit.IO.Formats;
using SarKit.IO.Hdf5;
using SarKit.Supervision;
using SarKit.Tests.Cli;

namespace SarKit.Tests.Supervision;

/// <summary>
/// Compressed HDF5 stream waveforms (<see cref="WaveformHdf5StreamFile"/>, docs/supervision.md "Compressed waveforms"): the
/// same samples as a raw .npy stream file give byte-identical `pulse check` JSON (any chunk length, shuffle, block length,
/// chunks that span only some channels), the readers hand on bit-identical correlations and planar samples (decode threads,
/// read-ahead, group sizes that cut blocks), and a corrupt, truncated or partly unwritten file is refused with exit 2 naming
/// the file and the chunk.
/// </summary>
public class CompressedWaveformTests
{
    private const int N = 8;
    private const double Lsb = 1.0 / 1024;

    /// <summary>Seeded int16 I/Q codes, samples × 8 × 2: bursts of random codes (full scale and −32768 included) in silence.</summary>
    private static short[] Codes(int len, int seed)
    {
        var rng = new Random(seed);
        var c = new short[2 * N * len];
        int t = 0;
        while (t < len)
        {
            int gap = rng.Next(50, 700), burst = rng.Next(20, 300);
            t += gap;
            for (int s = t; s < Math.Min(len, t + burst); s++)
                for (int k = 0; k < 2 * N; k++)
                    c[2 * N * s + k] = rng.Next(40) switch { 0 => short.MinValue, 1 => short.MaxValue, _ => (short)rng.Next(-20000, 20001) };
            t += burst;
        }
        return c;
    }

    private static string Meta(int len, string? extra = null) =>
        $"{{\"format\": \"sarkit-waveform-stream\", \"version\": 1, \"unit\": \"V\", \"raster_s\": 0.001, \"channels\": {N}, \"samples\": {len}, \"lsb\": {Lsb.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}{extra}}}";

    private static string WriteNpy(string path, short[] codes, int len)
    {
        using var w = WaveformStreamFile.CreateInt16(path, N, len, "V", 1e-3, Lsb);
        w.AppendCodes(codes, len);
        w.Complete();
        return path;
    }

    private static string WriteH5(string path, short[] codes, int len, long chunkSamples, long chunkChannels = N, bool shuffle = false, int gzip = 6, string? meta = null, int writeSamples = -1)
    {
        using var f = Hdf5File.Create(path);
        f.CreateDataset("/waveform", NdType.Int16, [len, N, 2], new Hdf5WriteOptions { GzipLevel = gzip, Shuffle = shuffle, ChunkShape = [chunkSamples, chunkChannels, 2] });
        int w = writeSamples < 0 ? len : writeSamples;
        f.WriteHyperslab<short>("/waveform", codes.AsSpan(0, 2 * N * w), [0, 0, 0], [w, N, 2]);
        f.WriteAttribute("/", WaveformHdf5StreamFile.MetadataAttribute, meta ?? Meta(len));
        return path;
    }

    private static string Vops(TempDir dir)
    {
        var path = dir.File("vops8.h5");
        if (!File.Exists(path)) VopSetFile.Write(SupervisionMatrices.Certified(N, SupervisionMatrices.RandomPsd(N, 6, 8, 1e-3), SupervisionMatrices.RandomPsd(N, 6, 8, 1e-3)), path);
        return path;
    }

    /// <summary>Output JSON with the waveform's path and file name replaced (the only place the inputs differ).</summary>
    private static string Normalised(string json, string path) =>
        json.Replace(JsonEncodedText.Encode(path).ToString(), "WAVE").Replace(path, "WAVE").Replace(Path.GetFileName(path), "WAVE");

    [Theory]
    [InlineData(333, false, null)]          // chunk rows cut blocks everywhere
    [InlineData(4000, true, null)]          // chunk = block, shuffle
    [InlineData(100000, false, null)]       // one chunk longer than the file (edge chunk padding)
    [InlineData(1000, false, "257")]        // another block length
    public void CompressedFileGivesByteIdenticalPulseCheckJson(int chunk, bool shuffle, string? block)
    {
        using var dir = new TempDir();
        const int len = 30011;
        var codes = Codes(len, chunk);
        var npy = WriteNpy(dir.File("w.npy"), codes, len);
        var h5 = WriteH5(dir.File("w.h5"), codes, len, chunk, shuffle: shuffle);
        Assert.True(new FileInfo(h5).Length < new FileInfo(npy).Length / 2, "the compressed file is not smaller");
        string[] Args(string f) => block is null ? ["pulse", "check", f, "--vops", Vops(dir), "--json"] : ["pulse", "check", f, "--vops", Vops(dir), "--json", "--block", block];
        var a = CliRunner.Run(Args(npy));
        var b = CliRunner.Run(Args(h5));
        Assert.True(a.ExitCode is 0 or 3, a.Err);
        Assert.Equal(a.ExitCode, b.ExitCode);
        Assert.Equal(Normalised(a.Out, npy), Normalised(b.Out, h5));
        Assert.Contains("\"limits\"", b.Out);
        // steady state (planar reads through the hyperslab reader) too
        var sa = CliRunner.Run([.. Args(npy), "--repeat", "steady"]);
        var sb = CliRunner.Run([.. Args(h5), "--repeat", "steady"]);
        Assert.Equal(sa.ExitCode, sb.ExitCode);
        Assert.Equal(Normalised(sa.Out, npy), Normalised(sb.Out, h5));
    }

    /// <summary>The readers themselves: Correlate over consecutive blocks (read-ahead off/on, 1–5 decode threads, groups of one
    /// chunk row or several, chunks spanning all or half of the channels) adds bit-identical weights, and planar reads at
    /// arbitrary positions are identical to the .npy reader's.</summary>
    [Fact]
    public void ReadersHandOnBitIdenticalCorrelationsAndSamples()
    {
        using var dir = new TempDir();
        const int len = 20000;
        var codes = Codes(len, 5);
        var raw = WaveformStreamFile.Open(WriteNpy(dir.File("r.npy"), codes, len));
        var variants = new (long Chunk, long Ch)[] { (777, N), (4096, N), (500, 4) };
        foreach (var (chunk, ch) in variants)
        {
            var path = WriteH5(dir.File($"c{chunk}_{ch}.h5"), codes, len, chunk, ch);
            foreach (int threads in new[] { 1, 2, 5 })
                foreach (int groupBytes in new[] { 1, 100_000 })
                    foreach (bool ahead in new[] { false, true })
                        foreach (int blk in new[] { 257, 4000 })
                        {
                            var comp = WaveformHdf5StreamFile.Open(path);
                            comp.DecodeThreads = threads;
                            comp.ChunkBytes = groupBytes;
                            using var ra = (IWaveformCorrelationReader)raw.OpenReader();
                            using var rb = (IWaveformCorrelationReader)comp.OpenReader();
                            Assert.True(rb.CanCorrelate);
                            ra.ReadAhead = ahead; rb.ReadAhead = ahead;
                            for (long s = 0; s < len; s += blk)
                            {
                                int c = (int)Math.Min(blk, len - s);
                                var wa = new double[N * N]; var wb = new double[N * N];
                                ra.Correlate(s, c, 1e-3, wa);
                                rb.Correlate(s, c, 1e-3, wb);
                                Assert.True(wa.AsSpan().SequenceEqual(wb), $"chunk {chunk}×{ch}, threads {threads}, group {groupBytes} B, ahead {ahead}, block {blk}: weights differ at sample {s}");
                            }
                        }
            var rng = new Random(3);
            using var pa = raw.OpenReader();
            using var pb = WaveformHdf5StreamFile.Open(path).OpenReader();
            for (int k = 0; k < 40; k++)
            {
                int count = rng.Next(1, 3000);
                long start = rng.NextInt64(0, len - count + 1);
                var (ra, ia, rb, ib) = (new double[N * count], new double[N * count], new double[N * count], new double[N * count]);
                pa.Read(start, count, ra, ia);
                pb.Read(start, count, rb, ib);
                Assert.True(ra.AsSpan().SequenceEqual(rb) && ia.AsSpan().SequenceEqual(ib), $"planar read {start}+{count} differs (chunk {chunk}×{ch})");
            }
        }
    }

    /// <summary>Complex64 samples (h5py's {r, i} compound, chunked and compressed) = the complex64 .npy of the same values.</summary>
    [Fact]
    public void Complex64CompressedFileGivesTheSameJsonAsTheNpy()
    {
        using var dir = new TempDir();
        const int len = 12000;
        var codes = Codes(len, 64);
        var re = new double[N * len]; var im = new double[N * len];
        for (int s = 0; s < len; s++) for (int c = 0; c < N; c++) { re[c * len + s] = codes[2 * (s * N + c)] * Lsb; im[c * len + s] = codes[2 * (s * N + c) + 1] * Lsb; }
        var npy = dir.File("c.npy");
        using (var w = WaveformStreamFile.Create(npy, N, len, "V", 1e-3)) { w.Append(re, im, len); w.Complete(); }
        var h5 = dir.File("c.h5");
        var inter = new float[2 * N * len];
        for (int s = 0; s < len; s++) for (int c = 0; c < N; c++) { inter[2 * (s * N + c)] = (float)re[c * len + s]; inter[2 * (s * N + c) + 1] = (float)im[c * len + s]; }
        using (var f = Hdf5File.Create(h5))
        {
            f.CreateDataset("/waveform", NdType.Complex64, [len, N], new Hdf5WriteOptions { GzipLevel = 4, Shuffle = true, ChunkShape = [1500, N] });
            f.WriteHyperslab<float>("/waveform", inter, [0, 0], [len, N]);
            f.WriteAttribute("/", WaveformHdf5StreamFile.MetadataAttribute, $"{{\"format\": \"sarkit-waveform-stream\", \"version\": 1, \"unit\": \"V\", \"raster_s\": 0.001, \"channels\": {N}, \"samples\": {len}}}");
        }
        var a = CliRunner.Run("pulse", "check", npy, "--vops", Vops(dir), "--json");
        var b = CliRunner.Run("pulse", "check", h5, "--vops", Vops(dir), "--json");
        Assert.True(a.ExitCode is 0 or 3, a.Err);
        Assert.Equal(a.ExitCode, b.ExitCode);
        Assert.Equal(Normalised(a.Out, npy), Normalised(b.Out, h5));
    }

    /// <summary>A damaged zlib stream of one chunk, a truncated file and a file whose last chunks were never written: exit 2, the
    /// message naming the file and the chunk (never a result computed from zeros or part of the data).</summary>
    [Fact]
    public void CorruptTruncatedOrUnwrittenCompressedFilesExitTwoNamingFileAndChunk()
    {
        using var dir = new TempDir();
        const int len = 16000, chunk = 1000;
        // silence except chunk row 5 (samples 5000..5999): its zlib stream is the only high-entropy data in the file
        var codes = Codes(len, 9);
        Array.Clear(codes, 0, 2 * N * 5000);
        Array.Clear(codes, 2 * N * 6000, 2 * N * (len - 6000));
        var good = WriteH5(dir.File("good.h5"), codes, len, chunk);
        Assert.Equal(0, CliRunner.Run("pulse", "check", good, "--vops", Vops(dir)).ExitCode);

        // damage 20 bytes in the middle of chunk 5's stream (the Adler-32 at its end no longer matches, if it still decodes)
        var bytes = File.ReadAllBytes(good);
        var high = new List<int>();
        for (int i = 0; i + 256 <= bytes.Length; i += 64)
            if (bytes.AsSpan(i, 256).ToArray().Distinct().Count() >= 150) high.Add(i);
        Assert.True(high.Count > 20, $"chunk 5's stream not found ({high.Count} high-entropy windows)");
        int mid = high[high.Count / 2];
        var bad = dir.File("bad.h5");
        var damaged = (byte[])bytes.Clone();
        for (int i = mid; i < mid + 20; i++) damaged[i] ^= 0x5a;
        File.WriteAllBytes(bad, damaged);
        foreach (var extra in new[] { Array.Empty<string>(), ["--repeat", "steady"], ["--block", "333"] })
        {
            var r = CliRunner.Run(["pulse", "check", bad, "--vops", Vops(dir), .. extra]);
            Assert.Equal(2, r.ExitCode);
            Assert.Contains("bad.h5", r.Err);
            Assert.Matches(@"chunks? \d+", r.Err);
            Assert.Contains("/waveform", r.Err);
        }
        // the library, without read-ahead and with it: the same refusal, naming the chunk row (5: samples 5000..5999)
        foreach (bool ahead in new[] { false, true })
        {
            var f = WaveformHdf5StreamFile.Open(bad);
            using var rd = (IWaveformCorrelationReader)f.OpenReader();
            rd.ReadAhead = ahead;
            var w = new double[N * N];
            var e = Assert.Throws<SarKitInputException>(() => { for (long s = 0; s < len; s += 4000) rd.Correlate(s, 4000, 1e-3, w); });
            Assert.Contains("bad.h5", e.Message);
            Assert.Contains("chunk 5 of /waveform (samples 5000..5999)", e.Message);
        }

        // truncated: the file cut at 60 % (chunks beyond the end)
        var cut = dir.File("cut.h5");
        File.WriteAllBytes(cut, bytes.AsSpan(0, (int)(bytes.Length * 0.6)).ToArray());
        var t = CliRunner.Run("pulse", "check", cut, "--vops", Vops(dir));
        Assert.Equal(2, t.ExitCode);
        Assert.Contains("cut.h5", t.Err);

        // only the first 9 of 16 chunk rows written: the unwritten ones would read as the fill value 0 (missing RF)
        var part = WriteH5(dir.File("part.h5"), codes, len, chunk, writeSamples: 9 * chunk);
        var p = CliRunner.Run("pulse", "check", part, "--vops", Vops(dir));
        Assert.Equal(2, p.ExitCode);
        Assert.Contains("part.h5", p.Err);
        Assert.Contains("chunk 9 of /waveform", p.Err);
        Assert.Contains("not stored", p.Err);
    }

    /// <summary>Metadata refusals: missing lsb, declared samples ≠ the dataset, wrong shape, invalid JSON — exit 2 naming the
    /// file's metadata attribute and the field.</summary>
    [Fact]
    public void BadMetadataIsRefusedNamingTheAttributeAndField()
    {
        using var dir = new TempDir();
        const int len = 3000;
        var codes = Codes(len, 2);
        var vops = Vops(dir);
        var noLsb = WriteH5(dir.File("nolsb.h5"), codes, len, 500, meta: Meta(len).Replace(", \"lsb\": 0.0009765625", ""));
        var r = CliRunner.Run("pulse", "check", noLsb, "--vops", vops);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("sarkit_waveform_stream", r.Err);
        Assert.Contains("lsb", r.Err);
        var count = WriteH5(dir.File("count.h5"), codes, len, 500, meta: Meta(len + 1));
        r = CliRunner.Run("pulse", "check", count, "--vops", vops);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("declares", r.Err);
        var json = WriteH5(dir.File("json.h5"), codes, len, 500, meta: "{\"format\": ");
        r = CliRunner.Run("pulse", "check", json, "--vops", vops);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("not valid JSON", r.Err);
        var raster = WriteH5(dir.File("raster.h5"), codes, len, 500, meta: Meta(len).Replace("\"raster_s\": 0.001", "\"raster_s\": 5e-324"));
        r = CliRunner.Run("pulse", "check", raster, "--vops", vops);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("raster_s", r.Err);
    }
}
