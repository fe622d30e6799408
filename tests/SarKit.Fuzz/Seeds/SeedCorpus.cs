using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SarKit.Averaging;
using SarKit.Compression;
using SarKit.Fields;
using SarKit.IO;
using SarKit.Tests.Support;
using SarKit.Tests.Supervision;
using SarKit.IO.Formats;

namespace SarKit.Fuzz.Seeds;

/// <summary>
/// Builds the valid seed files of every format SarKit reads into one folder, from public APIs and the repository's
/// own examples/test data (no file outside the repository is needed). Deterministic for a given master seed, apart
/// from creation timestamps stored in some files.
/// </summary>
public sealed class SeedCorpus
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    public string Dir { get; }
    public string RepoRoot { get; }
    public List<Seed> Seeds { get; } = new();
    /// <summary>Auxiliary files by name (the unmutated companions of a command: VOPs, Q-matrices, datasets, calibrations).</summary>
    public Dictionary<string, string> Files { get; } = new();
    /// <summary>Calibrations (V/µT) for which the seed sequence PASSes with margin (×0.5 of the limit amplitude) and FAILs (×2).</summary>
    public Dictionary<string, string> Calibration { get; } = new();

    private SeedCorpus(string dir, string repo) { Dir = dir; RepoRoot = repo; }

    public string this[string name] => Files[name];
    public IEnumerable<Seed> Group(string g) => Seeds.Where(s => s.Group == g);

    /// <summary>The repository root: the first parent of <paramref name="start"/> (default: this assembly's folder) holding SarKit.sln.</summary>
    public static string FindRepoRoot(string? start = null)
    {
        var d = new DirectoryInfo(start ?? AppContext.BaseDirectory);
        for (; d is not null; d = d.Parent) if (File.Exists(Path.Combine(d.FullName, "SarKit.sln"))) return d.FullName;
        throw new InvalidOperationException("SarKit.sln not found above " + (start ?? AppContext.BaseDirectory));
    }

    public static SeedCorpus Build(string dir, string? repoRoot = null)
    {
        Directory.CreateDirectory(dir);
        var c = new SeedCorpus(dir, repoRoot ?? FindRepoRoot());
        c.BuildDatasets();
        c.BuildSequencesAndVops();
        c.BuildWaveforms();
        c.BuildMeasurement();
        c.BuildArrays();
        File.WriteAllText(Path.Combine(dir, ManifestName), JsonSerializer.Serialize(new Manifest(c.RepoRoot, c.Seeds, c.Files, c.Calibration, c.Channels)));
        return c;
    }

    public const string ManifestName = "corpus.json";
    private sealed record Manifest(string RepoRoot, List<Seed> Seeds, Dictionary<string, string> Files, Dictionary<string, string> Calibration, int Channels);

    /// <summary>Opens a corpus built earlier by <see cref="Build"/> (its manifest), without rewriting any file.</summary>
    public static SeedCorpus Load(string dir)
    {
        var m = JsonSerializer.Deserialize<Manifest>(File.ReadAllText(Path.Combine(dir, ManifestName)))!;
        var c = new SeedCorpus(dir, m.RepoRoot) { Channels = m.Channels };
        c.Seeds.AddRange(m.Seeds);
        foreach (var kv in m.Files) c.Files[kv.Key] = kv.Value;
        foreach (var kv in m.Calibration) c.Calibration[kv.Key] = kv.Value;
        return c;
    }

    /// <summary>The corpus of <paramref name="dir"/>: loaded when its manifest exists, built otherwise.</summary>
    public static SeedCorpus LoadOrBuild(string dir) => File.Exists(Path.Combine(dir, ManifestName)) ? Load(dir) : Build(dir);

    private string P(string name) => Path.Combine(Dir, name);

    private void Add(Seed s) { Seeds.Add(s); Files.TryAdd(Path.GetFileName(s.Path), s.Path); }

    // ------------------------------------------------------------------ datasets, Q-matrices, drive, checkpoint

    private void BuildDatasets()
    {
        const int nx = 10, ny = 9, nz = 12, ch = 2;
        var t = TestPhantoms.Ellipsoid(nx, ny, nz, 0.006, seed: 2);
        var e = TestPhantoms.RandomFields(t.Grid, ch, seed: 3);
        var ds = new SarDataset(t, e);
        var k32 = Enumerable.Range(0, 40).Select(i => e.ComponentData(i % ch, i % 3)[(37 * i + 11) % (2 * t.Grid.VoxelCount)]).Where(v => v != 0).ToArray();
        var tissue = Enumerable.Range(0, t.Grid.VoxelCount).Where(v => t.Rho[v] > 0).Take(400).ToArray();
        var k64 = tissue.SelectMany(v => new[] { t.Rho[v], t.Sigma[v] }).Distinct().Take(60).ToArray();
        var k32all = k32.Concat(k64.Select(v => (float)v)).ToArray();
        long[][] dims = [[nz, ny, nx], [nx, ny, nz], [ny, nx], [ch, 3], [3, ch], [ch]];
        string h5 = P("dataset.h5"), npz = P("dataset.npz"), mat = P("dataset.mat"), mat73 = P("dataset_v73.mat");
        SarKitDatasetFile.Write(ds, h5, new SarKitDatasetWriteOptions { FieldGzipLevel = null });
        ArrayDatasetMapper.WriteNpz(ds, npz, compress: false);
        ArrayDatasetMapper.WriteMat(ds, mat, compress: false);
        MatlabDatasetFile.Write(ds, mat73);
        Add(new Seed("dataset-h5", h5, "dataset.h5") { Known64 = k64, Known32 = k32all, Dims = dims });
        Add(new Seed("dataset-npz", npz, "dataset.npz") { Known64 = k64, Known32 = k32all, Dims = dims });
        Add(new Seed("dataset-mat5", mat, "dataset.mat") { Known64 = k64, Known32 = k32all, Dims = dims });
        Add(new Seed("dataset-mat73", mat73, "dataset_v73.mat") { Known64 = k64, Known32 = k32all, Dims = dims });

        var set = AveragedQMatrixSet.Compute(ds, AveragingCubeSet.Build(t));
        string q = P("q.h5");
        QMatrixSetFile.Write(set, q, sourceFile: "dataset.h5");
        var qd = QMatrixSetFile.Read(q);
        var packed = new double[qd.Count * ch * ch];
        for (int j = 0; j < qd.Count; j++) qd.Matrix(j).CopyTo(packed.AsSpan(j * ch * ch));
        QPacked = packed;
        Add(new Seed("qmatrix", q, "q.h5") { Known64 = packed.Where(v => v != 0).Distinct().Take(200).ToArray(), Dims = [[qd.Count, ch, ch], [qd.Count]] });

        string drive = P("drive.json");
        File.WriteAllText(drive, "{\n  \"amplitude\": [1.0, 0.5],\n  \"phase_deg\": [0.0, 90.0]\n}\n");
        Add(new Seed("drive", drive, "drive.json") { IsText = true });

        // vop compress --resume checkpoint, as the CLI writes it (VopCheckpointFile.Write) for `--q q.h5 --margin 0.05 -o vops_out.h5`
        VopCompressionCheckpoint? first = null;
        var opts = new VopCompressionOptions
        {
            Algorithm = VopAlgorithm.Iterative, MarginKind = VopMarginKind.Diagonal, Epsilon = 0.05, Normalisation = qd.Normalisation,
            MaxDegreeOfParallelism = 1, OnCheckpoint = ck => first ??= ck,
        };
        VopCompressor.Compress(packed, ch, opts);
        if (first is not null)
        {
            var json = JsonSerializer.Serialize(new
            {
                input = Path.GetFullPath(q), partition = (string?)null, algorithm = "iterative", margin_kind = "diagonal", margin = 0.05, target_vops = (int?)null,
                post_process = false, created_utc = "2026-01-01T00:00:00Z",
                checkpoint = new { iteration = first.Iteration, epsilon = first.Epsilon, vop_source_indices = first.VopSourceIndices, source_sha256 = first.SourceSha256, options_fingerprint = first.OptionsFingerprint },
            }, new JsonSerializerOptions { WriteIndented = true });
            string ck = P("vops_out.h5.checkpoint.json");
            File.WriteAllText(ck, json);
            Add(new Seed("checkpoint", ck, "vops_out.h5.checkpoint.json") { IsText = true });
        }
        Channels = ch;
    }

    public double[] QPacked { get; private set; } = [];
    public int Channels { get; private set; }

    // ------------------------------------------------------------------ Pulseq and VOP sets

    private static string Sign(string text)
    {
        // Pulseq [SIGNATURE]: MD5 of the file up to "[SIGNATURE]" without the one newline just before it (as pypulseq writes:
        // the hashed body ends with the blank line's own newline)
        var body = text.TrimEnd('\n') + "\n";
        var md5 = Convert.ToHexString(MD5.HashData(Encoding.UTF8.GetBytes(body))).ToLowerInvariant();
        return body + "\n[SIGNATURE]\n# MD5 of the file up to the newline before [SIGNATURE]\nType md5\nHash " + md5 + "\n";
    }

    private static string RectSeq()
    {
        var w = new SeqTextWriter(4);
        int rf = w.Rf(Enumerable.Repeat(new Complex(500, 0), 1000).ToArray(), true);
        for (int k = 0; k < 5; k++) { w.Block(0.002, rf); w.Block(0.008); }
        return w.Text();
    }

    private static string ShimSeq(int channels)
    {
        var w = new SeqTextWriter(5);
        var s = Enumerable.Range(0, 400).Select(i => new Complex(400 * Math.Sin(Math.PI * (i + 0.5) / 400), 0)).ToArray();
        int rf = w.Rf(s, false);
        int shim = w.Shim(Enumerable.Range(0, channels).Select(c => Complex.FromPolarCoordinates(1.0 / Math.Sqrt(channels), -2 * Math.PI * c / channels)).ToArray());
        for (int k = 0; k < 4; k++) { w.Block(0.001, rf, shim); w.Block(0.009); }
        return w.Text();
    }

    private void BuildSequencesAndVops()
    {
        string rect = P("rect.seq"), rectSigned = P("rect_signed.seq"), shim = P("shim.seq");
        File.WriteAllText(rect, RectSeq());
        File.WriteAllText(rectSigned, Sign(RectSeq()));
        File.WriteAllText(shim, Sign(ShimSeq(Channels)));
        Add(new Seed("seq", rect, "rect.seq") { IsText = true });
        Add(new Seed("seq-signed", rectSigned, "rect_signed.seq") { IsText = true, Signed = true });
        Add(new Seed("seq-shim", shim, "shim.seq") { IsText = true, Signed = true });

        // 1-channel VOPs for rect.seq, 2-channel VOPs (= all Q-matrices, trivially dominating) for shim.seq
        double[] v1 = [0.5, 0.8];
        string vops1 = P("vops1.h5"), vops2 = P("vops2.h5");
        VopSetFile.Write(Certified(1, v1, v1), vops1);
        VopSetFile.Write(Certified(Channels, QPacked, QPacked), vops2);
        Calibration["rect"] = Calibrate(rect, "--vops", vops1);
        Calibration["shim"] = Calibrate(shim, "--vops", vops2);
        Add(new Seed("vop1", vops1, "vops1.h5") { Known64 = v1 });
        Add(new Seed("vop2", vops2, "vops2.h5") { Known64 = QPacked.Where(v => v != 0).Distinct().Take(200).ToArray(), Dims = [[QPacked.Length / (Channels * Channels), Channels, Channels]] });
        // tampered variants: the same set scaled by 0.1 / one VOP dropped, with the certificate hash recomputed as a forger would
        var vs = VopSetFile.Read(vops2);
        string t1 = P("vops2_scaled.h5"), t2 = P("vops2_dropped.h5");
        VopSetFile.Write(Rehashed(vs, vs.Packed.Select(x => 0.1 * x).ToArray(), vs.SourceIndex), t1);
        int nn = Channels * Channels, keep = vs.Count - 1, drop = PeakVop(vs);
        var kept = Enumerable.Range(0, vs.Count).Where(j => j != drop).ToArray();
        VopSetFile.Write(Rehashed(vs, kept.SelectMany(j => vs.Packed.Skip(j * nn).Take(nn)).ToArray(), kept.Select(j => vs.SourceIndex[j]).ToArray()), t2);
        Files["vops2_scaled.h5"] = t1; Files["vops2_dropped.h5"] = t2;
    }

    private static int PeakVop(VopSet vs)
    {
        int n = vs.Channels; var drive = Enumerable.Range(0, n).Select(c => Complex.FromPolarCoordinates(1.0 / Math.Sqrt(n), -2 * Math.PI * c / n)).ToArray();
        return vs.PeakSar(drive).Vop;
    }

    /// <summary>A VOP set with a hand-made passing certificate (the test helper's construction).</summary>
    public static VopSet Certified(int n, double[] vops, double[] originals, FieldNormalisation? norm = null) => SupervisionMatrices.Certified(n, vops, originals);

    private static VopSet Rehashed(VopSet s, double[] packed, int[] idx)
    {
        var t = new VopSet(s.Channels, packed, idx, s.Margin, s.Criterion, s.Algorithm, s.SourceCount, s.SourceSha256, s.SarWorstCase, s.Normalisation)
        { Certificate = s.Certificate! with { VopSha256 = VopSet.HashMatrices(packed) } };
        foreach (var kv in s.Attributes) t.Attributes[kv.Key] = kv.Value;
        return t;
    }

    /// <summary>Runs `seq check` in-process at 1 V/µT and returns the calibrations giving 0.25× (pass) and 4× (fail) the binding limit.</summary>
    private string Calibrate(string seq, string opt, string file)
    {
        var (o, e) = (new StringWriter(), new StringWriter());
        int code = SarKit.Cli.CliApp.Run(["seq", "check", seq, opt, file, "--calibration", "1 V/uT", "--json"], o, e);
        if (code is not (0 or 3)) throw new InvalidOperationException($"seed calibration of {seq}: exit {code}: {e}");
        using var doc = JsonDocument.Parse(o.ToString());
        double f = doc.RootElement.GetProperty("max_scale_factor").GetDouble();
        Calibration[Path.GetFileNameWithoutExtension(seq) + "-fail"] = $"{(2 * f).ToString("R", Inv)} V/uT";
        return $"{(0.5 * f).ToString("R", Inv)} V/uT";
    }

    // ------------------------------------------------------------------ waveforms (pulse check)

    private void BuildWaveforms()
    {
        string src = Path.Combine(RepoRoot, "tests", "SarKit.Tests", "data", "supervision");
        var wf = SarKit.IO.Formats.WaveformFile.Read(Path.Combine(src, "ptx3_waveform.npz"));
        int n = wf.Channels;
        var q = SarKit.Tests.Supervision.SupervisionMatrices.RandomPsd(n, 4, 5, 0.05);
        string vops3 = P("vops3.h5");
        VopSetFile.Write(Certified(n, q, q), vops3);
        // rescale so that the seed waveform uses a quarter of the binding limit (PASS with margin; ×4 amplitude would FAIL)
        var (o, e) = (new StringWriter(), new StringWriter());
        int code = SarKit.Cli.CliApp.Run(["pulse", "check", Path.Combine(src, "ptx3_waveform.npz"), "--vops", vops3, "--json"], o, e);
        if (code is not (0 or 3)) throw new InvalidOperationException($"seed pulse check: exit {code}: {e}");
        using (var doc = JsonDocument.Parse(o.ToString()))
        {
            double f = doc.RootElement.GetProperty("max_scale_factor").GetDouble();
            q = q.Select(x => x * f * f / 4).ToArray();
        }
        VopSetFile.Write(Certified(n, q, q), vops3);
        Add(new Seed("vop3", vops3, "vops3.h5") { Known64 = q.Where(v => v != 0).Distinct().ToArray() });
        var samples = wf.Re.Concat(wf.Im).Where(v => v != 0).Distinct().Take(200).ToArray();
        foreach (var ext in new[] { "csv", "npz", "h5" })
        {
            string dst = P("waveform." + ext);
            File.Copy(Path.Combine(src, "ptx3_waveform." + ext), dst, true);
            Add(new Seed("waveform-" + ext, dst, "waveform." + ext) { IsText = ext == "csv", Known64 = samples, Known32 = samples.Select(v => (float)v).ToArray(), Dims = [[wf.Length, n], [n, wf.Length], [wf.Length]] });
        }
        BuildInt16Stream();
    }

    /// <summary>A streamed 8-channel complex int16 waveform (.npy codes, samples × 8 × 2, and its JSON sidecar with "lsb"):
    /// group wavestream-npy mutates the .npy (header dictionary, bytes) with the sidecar beside it, wavestream-json the
    /// sidecar (numbers, types, nesting, keys) with the .npy beside it.</summary>
    private void BuildInt16Stream()
    {
        const int ch = 8, len = 300;
        string npy = P("wave16.npy");
        var rng = new Random(16);
        var codes = new short[2 * ch * len];
        for (int t = 0; t < len; t++)
            for (int k = 0; k < 2 * ch; k++) codes[2 * ch * t + k] = t % 50 < 10 ? (short)rng.Next(-32768, 32768) : (short)0;
        using (var w = WaveformStreamFile.CreateInt16(npy, ch, len, "V", 1e-6, 1.0 / 1024))
        {
            w.AppendCodes(codes, len);
            w.Complete();
        }
        string side = WaveformStreamFile.SidecarPath(npy);
        Add(new Seed("wavestream-npy", npy, "wave16.npy") { Companions = [side], Dims = [[len, ch, 2]] });
        Add(new Seed("wavestream-json", side, "wave16.json") { IsText = true, Companions = [npy] });
        // the same codes as a compressed HDF5 stream file: chunks of 64 samples × 8 × 2, shuffle + deflate, metadata attribute
        string h5 = P("wave16z.h5");
        using (var f = SarKit.IO.Hdf5.Hdf5File.Create(h5))
        {
            f.CreateDataset("/waveform", SarKit.IO.NdType.Int16, [len, ch, 2], new SarKit.IO.Hdf5.Hdf5WriteOptions { GzipLevel = 6, Shuffle = true, ChunkShape = [64, ch, 2] });
            f.WriteHyperslab<short>("/waveform", codes, [0, 0, 0], [len, ch, 2]);
            f.WriteAttribute("/", WaveformHdf5StreamFile.MetadataAttribute, File.ReadAllText(side));
        }
        Add(new Seed("wavestream-h5", h5, "wave16z.h5") { Dims = [[len, ch, 2]] });
    }

    // ------------------------------------------------------------------ NEMA, probe, scan, records

    private void BuildMeasurement()
    {
        string nema = Path.Combine(RepoRoot, "examples", "nema"), probe = Path.Combine(RepoRoot, "examples", "probe");
        foreach (var f in new[] { "calorimetry_example.json", "calorimetry_example.yaml", "pulse_energy_example.json", "pulse_energy_example.yaml" })
        {
            File.Copy(Path.Combine(nema, f), P(f), true);
            Add(new Seed(f.StartsWith("calorimetry") ? "nema-calorimetry" : "nema-pulse-energy", P(f), f) { IsText = true });
        }
        foreach (var f in Directory.GetFiles(probe)) File.Copy(f, P(Path.GetFileName(f)), true);
        Add(new Seed("probe-tem", P("tem_calibration.json"), "tem_calibration.json") { IsText = true });
        Add(new Seed("probe-liquid", P("liquid.json"), "liquid.json") { IsText = true });
        Add(new Seed("probe-heat", P("heat_capacity.json"), "heat_capacity.json") { IsText = true });
        Add(new Seed("probe-scan", P("scan_example.csv"), "scan_example.csv") { IsText = true });
        Add(new Seed("probe-calibration", P("calibration.json"), "calibration.json") { IsText = true });
        Add(new Seed("probe-cf", P("cf_experiment.json"), "cf_experiment.json") { IsText = true });
        foreach (var f in Directory.GetFiles(probe)) Files[Path.GetFileName(f)] = P(Path.GetFileName(f));

        // records database with a few genuine records (append-only store, written by the CLI itself)
        string db = P("records.db");
        if (File.Exists(db)) File.Delete(db);
        foreach (var args in new[]
        {
            new[] { "nema", "calorimetry", P("calorimetry_example.json"), "--record", "--db", db },
            ["nema", "pulse-energy", P("pulse_energy_example.yaml"), "--record", "--db", db],
            ["liquid", "check", P("liquid.json"), "--record", "--db", db],
            ["scan", "process", P("scan_example.csv"), "--calibration", P("calibration.json"), "--liquid", P("liquid.json"), "--record", "--db", db],
        })
        {
            var (o, e) = (new StringWriter(), new StringWriter());
            int code = SarKit.Cli.CliApp.Run(args, o, e);
            // 3 = a limit verdict (the example scan exceeds 1.6 W/kg); the record is written either way
            if (code is not (0 or 3)) throw new InvalidOperationException($"seed records ({string.Join(' ', args)}): exit {code}: {e}");
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Add(new Seed("records", db, "records.db"));
    }

    // ------------------------------------------------------------------ plain arrays (in-process layer)

    private void BuildArrays()
    {
        string io = Path.Combine(RepoRoot, "tests", "SarKit.Tests", "data", "io");
        foreach (var f in Directory.GetFiles(io))
        {
            string name = Path.GetFileName(f), dst = P("io_" + name);
            File.Copy(f, dst, true);
            string g = Path.GetExtension(f) switch { ".npy" => "npy", ".npz" => "npz", ".mat" => "mat5", _ => "" };
            if (g != "") Add(new Seed(g, dst, name));
        }
        string hd = Path.Combine(RepoRoot, "tests", "SarKit.Tests", "data", "hdf5");
        foreach (var f in Directory.GetFiles(hd))
        {
            string dst = P("hdf5_" + Path.GetFileName(f));
            File.Copy(f, dst, true);
            Add(new Seed("hdf5", dst, Path.GetFileName(f)));
        }
    }
}
