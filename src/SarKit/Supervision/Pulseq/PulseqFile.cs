using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace SarKit.Supervision.Pulseq;

/// <summary>A parsed Pulseq sequence (format 1.4.x / 1.5.x, pulseq doc/specification.tex).</summary>
public sealed class PulseqSequence
{
    public required string SourceFile { get; init; }
    public required PulseqVersion Version { get; init; }
    public required PulseqDefinitions Definitions { get; init; }
    /// <summary>Blocks in file order.</summary>
    public required IReadOnlyList<PulseqBlock> Blocks { get; init; }
    public required IReadOnlyDictionary<int, PulseqRfEvent> RfEvents { get; init; }
    /// <summary>Decompressed shapes by shape id.</summary>
    public required IReadOnlyDictionary<int, double[]> Shapes { get; init; }
    /// <summary>Ids of [GRADIENTS], [TRAP] and [ADC] events (details not parsed in this slice).</summary>
    public required IReadOnlySet<int> GradientIds { get; init; }
    public required IReadOnlySet<int> TrapezoidIds { get; init; }
    public required IReadOnlySet<int> AdcIds { get; init; }
    /// <summary>[EXTENSIONS] table rows: id → (type, ref, next); 0 ends a chain.</summary>
    public required IReadOnlyDictionary<int, (int Type, int Ref, int Next)> ExtensionTable { get; init; }
    /// <summary>Declared extensions: STRING_ID → numeric type (e.g. "RF_SHIMS" → 5).</summary>
    public required IReadOnlyDictionary<string, int> ExtensionTypes { get; init; }
    /// <summary>1.5.1 RF_SHIMS payloads by id: per-channel complex weights mag·exp(i·phase) (phase in rad).</summary>
    public required IReadOnlyDictionary<int, Complex[]> RfShims { get; init; }
    /// <summary>
    /// Outcome of the [SIGNATURE] check: <see cref="PulseqSignatureStatus.Verified"/> when the file carries a hash that
    /// matches its content, <see cref="PulseqSignatureStatus.Absent"/> when it carries none (a mismatch is refused on reading).
    /// </summary>
    public PulseqSignatureStatus Signature { get; internal set; }
    /// <summary>1.5.0 DELAYS (soft delay) payloads by id.</summary>
    public IReadOnlyDictionary<int, PulseqSoftDelay> SoftDelays { get; init; } = new Dictionary<int, PulseqSoftDelay>();

    /// <summary>The soft delay of a block (DELAYS extension in its chain), or null. Its nominal duration is the file's.</summary>
    public PulseqSoftDelay? SoftDelay(PulseqBlock block)
    {
        if (!ExtensionTypes.TryGetValue("DELAYS", out int type)) return null;
        int id = block.ExtensionId;
        for (int steps = 0; id != 0 && steps <= ExtensionTable.Count; steps++)
        {
            if (!ExtensionTable.TryGetValue(id, out var row)) return null;
            if (row.Type == type) return SoftDelays.TryGetValue(row.Ref, out var d) ? d : null;
            id = row.Next;
        }
        return null;
    }

    /// <summary>
    /// Static per-pulse pTx shim of a block (Pulseq 1.5.1 RF_SHIMS extension): channel c transmits w_c·s(t).
    /// Follows the block's extension chain; null when the block has no RF_SHIMS entry.
    /// </summary>
    /// <exception cref="SarKitInputException">The chain references an RF_SHIMS id that has no row (fail closed; see
    /// <see cref="RfShimLookup"/> to handle it explicitly).</exception>
    public Complex[]? RfShim(PulseqBlock block)
    {
        var (w, missing) = RfShimLookup(block);
        if (missing is { } m)
            throw new SarKitInputException($"{SourceFile}: block {block.Id} references RF_SHIMS id {m}, which has no row in the RF_SHIMS extension; refusing (a default shim is used only when asked for explicitly, e.g. `--missing-shim default`).") { SourceFile = SourceFile, Dataset = "EXTENSIONS" };
        return w;
    }

    /// <summary>
    /// RF_SHIMS of a block: (weights, null) when present, (null, null) when the block's chain has no RF_SHIMS entry, and
    /// (null, id) when the chain references RF_SHIMS id <c>id</c> that has no row.
    /// </summary>
    public (Complex[]? Shim, int? MissingShimId) RfShimLookup(PulseqBlock block)
    {
        if (!ExtensionTypes.TryGetValue("RF_SHIMS", out int type)) return (null, null);
        int id = block.ExtensionId;
        for (int steps = 0; id != 0; steps++)
        {
            if (steps > ExtensionTable.Count || !ExtensionTable.TryGetValue(id, out var row))
                throw new SarKitInputException($"{SourceFile}: block {block.Id}: extension chain is broken at id {id}.") { SourceFile = SourceFile, Dataset = "EXTENSIONS" };
            if (row.Type == type) return RfShims.TryGetValue(row.Ref, out var w) ? (w, null) : (null, row.Ref);
            id = row.Next;
        }
        return (null, null);
    }

    /// <summary>Total duration Σ block duration × BlockDurationRaster, s.</summary>
    public double TotalDurationSeconds
    {
        get
        {
            long units = 0;
            foreach (var b in Blocks) units += b.DurationRasterUnits;
            return units * Definitions.BlockDurationRaster;
        }
    }

    /// <summary>Start time of each block (s), cumulative sum of preceding durations.</summary>
    public double[] BlockStartTimes()
    {
        var t = new double[Blocks.Count];
        long units = 0;
        for (int i = 0; i < t.Length; i++) { t[i] = units * Definitions.BlockDurationRaster; units += Blocks[i].DurationRasterUnits; }
        return t;
    }

    /// <summary>
    /// RF waveform of a block (spec §RF, C++ decodeBlock): s[n] = amp·mag[n]·exp(i·(2π·phase[n] + φ_off)), in Hz (γ·B1);
    /// times t[n] = delay + time[n]·ΔtRF (time shape) or delay + (n + 0.5)·ΔtRF (default raster), relative to block start.
    /// The frequency offset and 1.5 ppm terms are not applied (they do not change |s|); see docs/pulseq.md.
    /// Returns null when the block has no RF.
    /// </summary>
    public PulseqRfWaveform? RfWaveform(PulseqBlock block)
    {
        if (block.RfId == 0) return null;
        var rf = RfEvents[block.RfId];
        var mag = Shapes[rf.MagnitudeShapeId];
        var phase = Shapes[rf.PhaseShapeId];
        double dt = Definitions.RadiofrequencyRasterTime;
        var t = new double[mag.Length];
        var s = new Complex[mag.Length];
        double[]? time = rf.TimeShapeId > 0 ? Shapes[rf.TimeShapeId] : null;
        for (int n = 0; n < mag.Length; n++)
        {
            t[n] = rf.DelaySeconds + (time is null ? (n + 0.5) * dt : time[n] * dt);
            s[n] = Complex.FromPolarCoordinates(rf.AmplitudeHz * mag[n], 2 * Math.PI * phase[n] + rf.PhaseOffsetRad);
        }
        return new PulseqRfWaveform(t, s);
    }
}

/// <summary>Result of the Pulseq [SIGNATURE] check.</summary>
public enum PulseqSignatureStatus
{
    /// <summary>The file has no [SIGNATURE] section: deleted or edited rows cannot be detected (warn loudly).</summary>
    Absent,
    /// <summary>The hash in [SIGNATURE] matches the file content before the section.</summary>
    Verified,
}

/// <summary>Reader for Pulseq text <c>.seq</c> files, versions 1.4.x and 1.5.x.</summary>
public static class PulseqFile
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Largest num_samples of one shape (and of a time-shaped RF raster): 2²⁴ samples (128 MiB of doubles).</summary>
    public const int MaxShapeSamples = 1 << 24;
    /// <summary>Smallest accepted raster time in [DEFINITIONS] (1 ns), s.</summary>
    public const double MinRasterSeconds = 1e-9;
    /// <summary>Largest accepted raster time in [DEFINITIONS] (1 ms), s.</summary>
    public const double MaxRasterSeconds = 1e-3;
    /// <summary>Largest total of decompressed shape samples in one file: 2²⁵ (256 MiB of doubles), so a small file cannot exhaust memory.</summary>
    public const long MaxTotalShapeSamples = 1L << 25;

    /// <summary>Reads and validates a Pulseq file. Throws <see cref="SarKitInputException"/> naming file, section and line.</summary>
    public static PulseqSequence Read(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw new SarKitInputException($"{path}: cannot read Pulseq file: {e.Message}", e) { SourceFile = path }; }
        return ParseBytes(bytes, path);
    }

    /// <summary>
    /// Parses Pulseq file text (lines, as split on '\n'); <paramref name="sourceName"/> is used in error messages. The
    /// [SIGNATURE] is checked on the lines joined with '\n' (the original bytes when the text was split on '\n').
    /// </summary>
    public static PulseqSequence Parse(string[] lines, string sourceName) =>
        ParseBytes(Encoding.UTF8.GetBytes(string.Join('\n', lines)), sourceName);

    /// <summary>
    /// Parses the bytes of a Pulseq file (UTF-8) and verifies its [SIGNATURE] (see <see cref="VerifySignature"/>); structural
    /// errors are reported first (with their line), then a signature mismatch of an otherwise well-formed file.
    /// </summary>
    public static PulseqSequence ParseBytes(byte[] bytes, string sourceName)
    {
        var text = Encoding.UTF8.GetString(bytes);
        if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..];
        var lines = text.Split('\n');
        var seq = new Parser(lines, sourceName).Run();
        seq.Signature = VerifySignature(bytes, sourceName);
        return seq;
    }

    /// <summary>
    /// Pulseq [SIGNATURE] check (spec: the hash covers the file up to the line "[SIGNATURE]", without the one newline
    /// character before it, as written by Pulseq/pypulseq: <c>Type md5</c>, <c>Hash &lt;hex&gt;</c>). md5, sha1 and sha256
    /// are accepted. A file whose line ends were converted to CR LF is also accepted when the hash matches its LF form
    /// (the content is unchanged). Absent section: <see cref="PulseqSignatureStatus.Absent"/>.
    /// </summary>
    /// <exception cref="SarKitInputException">The hash does not match (edited, truncated or deleted rows), the section is
    /// malformed, or the hash type is unknown.</exception>
    public static PulseqSignatureStatus VerifySignature(ReadOnlySpan<byte> bytes, string sourceName)
    {
        ReadOnlySpan<byte> marker = "[SIGNATURE]"u8;
        int at = -1;
        for (int from = 0; from < bytes.Length;)
        {
            int k = bytes[from..].IndexOf(marker);
            if (k < 0) break;
            k += from;
            if (k == 0 || bytes[k - 1] == (byte)'\n') { at = k; break; }
            from = k + 1;
        }
        if (at < 0) return PulseqSignatureStatus.Absent;
        string? type = null, hash = null;
        foreach (var raw in Encoding.UTF8.GetString(bytes[(at + marker.Length)..]).Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            if (line.StartsWith('[')) break;
            var f = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length == 2 && f[0] == "Type") type = f[1].ToLowerInvariant();
            else if (f.Length == 2 && f[0] == "Hash") hash = f[1].ToLowerInvariant();
        }
        SarKitInputException Bad(string why) => new($"{sourceName}: section [SIGNATURE]: {why}") { SourceFile = sourceName, Dataset = "SIGNATURE" };
        if (type is null || hash is null) throw Bad("needs 'Type <md5|sha1|sha256>' and 'Hash <hex>' lines.");
        Func<byte[], byte[]> h = type switch
        {
            "md5" => MD5.HashData, "sha1" => SHA1.HashData, "sha256" => SHA256.HashData,
            _ => throw Bad($"hash type '{type}' is not supported (md5, sha1, sha256); the file cannot be verified."),
        };
        var body = bytes[..Math.Max(0, at - 1)].ToArray();
        if (Convert.ToHexStringLower(h(body)) == hash) return PulseqSignatureStatus.Verified;
        if (body.Contains((byte)'\r'))
        {
            var lf = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(body).Replace("\r\n", "\n"));
            if (lf.Length > 0 && lf[^1] == (byte)'\r') lf = lf[..^1];
            if (Convert.ToHexStringLower(h(lf)) == hash) return PulseqSignatureStatus.Verified;
        }
        throw Bad($"the {type} hash {hash} does not match the file content ({Convert.ToHexStringLower(h(body))}): the file was changed after it was written (edited, truncated or a row deleted); refusing.");
    }

    private sealed class Parser(string[] lines, string src)
    {
        long totalShapeSamples;
        int major = -1, minor = -1, revision = -1;
        readonly Dictionary<string, string> defs = new(StringComparer.Ordinal);
        readonly List<PulseqBlock> blocks = new();
        readonly HashSet<int> blockIds = new();
        readonly List<(int line, string[] f)> rawBlocks = new();
        readonly List<(int line, string[] f)> rawRf = new();
        readonly List<(int line, string[] f)> rawGrad = new(), rawTrap = new(), rawAdc = new();
        readonly Dictionary<int, double[]> shapes = new();
        readonly HashSet<string> seenSections = new();
        readonly Dictionary<int, (int, int, int)> extTable = new();
        readonly Dictionary<string, int> extTypes = new(StringComparer.Ordinal);
        readonly Dictionary<int, Complex[]> shims = new();
        readonly Dictionary<int, PulseqSoftDelay> softDelays = new();
        string? currentExt;

        Exception Err(string section, int lineIdx, string msg) =>
            new SarKitInputException($"{src}: section [{section}], line {lineIdx + 1}: {msg}") { SourceFile = src, Dataset = section };

        public PulseqSequence Run()
        {
            string section = "";
            int sectionLine = -1;
            int i = 0;
            while (i < lines.Length)
            {
                string raw = lines[i];
                string line = StripComment(raw).Trim();
                if (line.Length == 0) { i++; continue; }
                if (line.StartsWith('['))
                {
                    if (!line.EndsWith(']')) throw Err(section, i, $"malformed section header '{line}'");
                    section = line[1..^1];
                    sectionLine = i;
                    if (section is "VERSION" or "DEFINITIONS" or "BLOCKS" or "RF" or "GRADIENTS" or "TRAP" or "ADC" or "SHAPES")
                        if (!seenSections.Add(section)) throw Err(section, i, "duplicate section");
                    if (section == "BLOCKS" && major < 0) throw Err(section, i, "[VERSION] must precede [BLOCKS]");
                    if (section == "SIGNATURE") break; // signature is last; not verified
                    i++;
                    continue;
                }
                var f = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                switch (section)
                {
                    case "VERSION":
                        if (f.Length != 2) throw Err(section, i, $"expected '<major|minor|revision> <int>', got '{line}'");
                        int v = ParseInt(f[1], section, i);
                        if (f[0] == "major") major = v; else if (f[0] == "minor") minor = v; else if (f[0] == "revision") revision = v;
                        else throw Err(section, i, $"unknown key '{f[0]}'");
                        if (major >= 0 && minor >= 0 && revision >= 0) CheckVersion(sectionLine);
                        break;
                    case "DEFINITIONS":
                        defs[f[0]] = f.Length > 1 ? string.Join(' ', f[1..]) : "";
                        break;
                    case "BLOCKS": rawBlocks.Add((i, f)); break;
                    case "RF": rawRf.Add((i, f)); break;
                    case "GRADIENTS": rawGrad.Add((i, f)); break;
                    case "TRAP": rawTrap.Add((i, f)); break;
                    case "ADC": rawAdc.Add((i, f)); break;
                    case "SHAPES":
                        i = ReadShape(i, f);
                        continue;
                    case "EXTENSIONS":
                        ReadExtensionLine(i, f);
                        break;
                    case "DELAYS":
                        throw Err(section, i, "[DELAYS] is not allowed in Pulseq ≥ 1.4 (delays are empty blocks)");
                    case "":
                        throw Err("(none)", i, $"content before any section: '{line}'");
                    default:
                        break; // [EXTENSIONS] and unknown sections: skipped
                }
                i++;
            }
            if (major < 0 || minor < 0 || revision < 0) throw Err("VERSION", Math.Max(sectionLine, 0), "missing [VERSION] (major, minor, revision)");
            var version = new PulseqVersion(major, minor, revision);
            bool v15 = version.Combined >= 1_005_000;
            var d = new PulseqDefinitions(Def("GradientRasterTime"), Def("RadiofrequencyRasterTime"),
                Def("AdcRasterTime"), Def("BlockDurationRaster"), defs);
            if (defs.TryGetValue("RequiredExtensions", out var req) && req.Trim().Length > 0)
                throw new SarKitInputException($"{src}: section [DEFINITIONS]: RequiredExtensions '{req}' are not supported by this reader") { SourceFile = src, Dataset = "DEFINITIONS" };

            long totalUnits = 0;
            foreach (var (ln, f) in rawBlocks)
            {
                if (f.Length != 8) throw Err("BLOCKS", ln, $"expected 8 fields 'id duration rf gx gy gz adc ext', got {f.Length}");
                int id = ParseInt(f[0], "BLOCKS", ln);
                long dur = ParseLong(f[1], "BLOCKS", ln);
                if (id <= 0 || !blockIds.Add(id)) throw Err("BLOCKS", ln, $"block id {id} not positive or duplicated");
                if (id != blocks.Count + 1)
                    throw Err("BLOCKS", ln, $"block id {id} where {blocks.Count + 1} is expected: block ids must run 1, 2, 3, … in file order (a gap means a deleted or missing row)");
                if (dur < 0) throw Err("BLOCKS", ln, $"negative duration {dur}");
                if (dur > long.MaxValue / 2 - totalUnits) throw Err("BLOCKS", ln, $"duration {dur} makes the sequence longer than the representable range");
                totalUnits += dur;
                blocks.Add(new PulseqBlock(id, dur, dur * d.BlockDurationRaster, ParseInt(f[2], "BLOCKS", ln),
                    ParseInt(f[3], "BLOCKS", ln), ParseInt(f[4], "BLOCKS", ln), ParseInt(f[5], "BLOCKS", ln),
                    ParseInt(f[6], "BLOCKS", ln), ParseInt(f[7], "BLOCKS", ln)));
            }
            if (blocks.Count == 0) throw Err("BLOCKS", lines.Length - 1, "file has no [BLOCKS] rows");

            var rfs = new Dictionary<int, PulseqRfEvent>();
            foreach (var (ln, f) in rawRf)
            {
                PulseqRfEvent ev;
                if (v15)
                {
                    if (f.Length != 12) throw Err("RF", ln, $"expected 12 fields (1.5: id amp mag phase time center delay freqPPM phasePPM freq phase use), got {f.Length}");
                    if (f[11].Length != 1 || "erisoup".IndexOf(f[11][0]) < 0) throw Err("RF", ln, $"'use' must be one of e r i s p o u, got '{f[11]}'");
                    ev = new PulseqRfEvent(ParseInt(f[0], "RF", ln), ParseD(f[1], "RF", ln), ParseInt(f[2], "RF", ln),
                        ParseInt(f[3], "RF", ln), ParseInt(f[4], "RF", ln), ParseD(f[5], "RF", ln) * 1e-6,
                        ParseD(f[6], "RF", ln) * 1e-6, ParseD(f[7], "RF", ln), ParseD(f[8], "RF", ln),
                        ParseD(f[9], "RF", ln), ParseD(f[10], "RF", ln), f[11][0]);
                }
                else
                {
                    if (f.Length != 8) throw Err("RF", ln, $"expected 8 fields (1.4: id amp mag phase time delay freq phase), got {f.Length}");
                    ev = new PulseqRfEvent(ParseInt(f[0], "RF", ln), ParseD(f[1], "RF", ln), ParseInt(f[2], "RF", ln),
                        ParseInt(f[3], "RF", ln), ParseInt(f[4], "RF", ln), null, ParseD(f[5], "RF", ln) * 1e-6,
                        0, 0, ParseD(f[6], "RF", ln), ParseD(f[7], "RF", ln), 'u');
                }
                if (ev.Id <= 0 || !rfs.TryAdd(ev.Id, ev)) throw Err("RF", ln, $"RF id {ev.Id} not positive or duplicated");
                if (ev.DelaySeconds < 0) throw Err("RF", ln, $"RF {ev.Id}: negative delay {ev.DelaySeconds * 1e6} us");
                CheckShape(ev.MagnitudeShapeId, false, "magnitude", ln);
                CheckShape(ev.PhaseShapeId, false, "phase", ln);
                CheckShape(ev.TimeShapeId, true, "time", ln);
                int nm = shapes[ev.MagnitudeShapeId].Length;
                if (shapes[ev.PhaseShapeId].Length != nm || (ev.TimeShapeId > 0 && shapes[ev.TimeShapeId].Length != nm))
                    throw Err("RF", ln, $"RF {ev.Id}: magnitude, phase and time shapes have different lengths");
                // fail closed on overflow: |amp·mag|² must be a finite number (else energies become ∞ and then NaN)
                double peakMag = 0;
                foreach (var m in shapes[ev.MagnitudeShapeId]) peakMag = Math.Max(peakMag, Math.Abs(m));
                double peak = Math.Abs(ev.AmplitudeHz) * peakMag;
                if (!double.IsFinite(peak * peak * nm))
                    throw Err("RF", ln, $"RF {ev.Id}: amplitude {ev.AmplitudeHz.ToString("G", Inv)} Hz × peak magnitude {peakMag.ToString("G", Inv)} of shape {ev.MagnitudeShapeId} overflows double precision in |s|² (not a physical RF amplitude)");
            }
            var gradIds = Ids(rawGrad, "GRADIENTS", v15 ? 7 : 5);
            var trapIds = Ids(rawTrap, "TRAP", 6);
            var adcIds = Ids(rawAdc, "ADC", v15 ? 9 : 6);
            // shape references of arbitrary gradients (1.4: id amp shape time delay; 1.5: id amp first last shape time delay)
            // and of 1.5 ADC phase modulation (last field) must exist, like those of RF events
            foreach (var (ln, f) in rawGrad)
            {
                int sIdx = v15 ? 4 : 2;
                int shapeId = ParseInt(f[sIdx], "GRADIENTS", ln), timeId = ParseInt(f[sIdx + 1], "GRADIENTS", ln);
                if (!shapes.ContainsKey(shapeId)) throw Err("GRADIENTS", ln, $"gradient {f[0]}: shape id {shapeId} is not defined in [SHAPES]");
                if (timeId != 0 && !shapes.ContainsKey(timeId)) throw Err("GRADIENTS", ln, $"gradient {f[0]}: time shape id {timeId} is not defined in [SHAPES]");
            }
            if (v15)
                foreach (var (ln, f) in rawAdc)
                {
                    int phaseId = ParseInt(f[8], "ADC", ln);
                    if (phaseId != 0 && !shapes.ContainsKey(phaseId)) throw Err("ADC", ln, $"ADC {f[0]}: phase shape id {phaseId} is not defined in [SHAPES]");
                }
            foreach (var id in trapIds)
                if (gradIds.Contains(id)) throw Err("TRAP", rawTrap[0].line, $"gradient id {id} used by both [GRADIENTS] and [TRAP]");
            for (int k = 0; k < blocks.Count; k++)
            {
                var b = blocks[k]; int ln = rawBlocks[k].line;
                if (b.RfId != 0 && !rfs.ContainsKey(b.RfId)) throw Err("BLOCKS", ln, $"block {b.Id} references undefined RF id {b.RfId}");
                foreach (var g in new[] { b.GxId, b.GyId, b.GzId })
                    if (g != 0 && !gradIds.Contains(g) && !trapIds.Contains(g)) throw Err("BLOCKS", ln, $"block {b.Id} references undefined gradient id {g}");
                if (b.AdcId != 0 && !adcIds.Contains(b.AdcId)) throw Err("BLOCKS", ln, $"block {b.Id} references undefined ADC id {b.AdcId}");
                CheckExtensionChain(b, ln);
            }
            return new PulseqSequence
            {
                SourceFile = src, Version = version, Definitions = d, Blocks = blocks, RfEvents = rfs, Shapes = shapes,
                GradientIds = gradIds, TrapezoidIds = trapIds, AdcIds = adcIds,
                ExtensionTable = extTable, ExtensionTypes = extTypes, RfShims = shims, SoftDelays = softDelays,
            };

            void CheckExtensionChain(PulseqBlock b, int ln)
            {
                int id = b.ExtensionId;
                if (id < 0) throw Err("BLOCKS", ln, $"block {b.Id}: negative extension id {id}");
                var typeName = extTypes.ToDictionary(kv => kv.Value, kv => kv.Key);
                for (int steps = 0; id != 0; steps++)
                {
                    if (steps > extTable.Count) throw Err("BLOCKS", ln, $"block {b.Id}: extension chain loops");
                    if (!extTable.TryGetValue(id, out var row)) throw Err("BLOCKS", ln, $"block {b.Id} references undefined extension id {id} in [EXTENSIONS]");
                    var (type, rf, next) = row;
                    if (!typeName.TryGetValue(type, out var name)) throw Err("EXTENSIONS", ln, $"block {b.Id}: extension id {id} has type {type}, which no 'extension <NAME> {type}' line declares");
                    if (name == "DELAYS" && !softDelays.ContainsKey(rf)) throw Err("BLOCKS", ln, $"block {b.Id} references DELAYS id {rf}, which has no row");
                    // a missing RF_SHIMS row is reported when the shim is used (PulseqSequence.RfShim), where an explicit default may be chosen
                    id = next;
                }
            }

            void CheckShape(int id, bool zeroOk, string what, int ln)
            {
                if (id == 0 && zeroOk) return;
                if (!shapes.ContainsKey(id)) throw Err("RF", ln, $"{what} shape id {id} is not defined in [SHAPES]");
            }
        }

        void ReadExtensionLine(int i, string[] f)
        {
            const string S = "EXTENSIONS";
            if (f[0] == "extension")
            {
                if (f.Length != 3) throw Err(S, i, "expected 'extension <STRING_ID> <type>'");
                currentExt = f[1];
                extTypes[f[1]] = ParseInt(f[2], S, i);
                return;
            }
            if (currentExt is null)
            {
                if (f.Length != 4) throw Err(S, i, $"expected 4 fields 'id type ref next', got {f.Length}");
                int id = ParseInt(f[0], S, i);
                if (id <= 0 || !extTable.TryAdd(id, (ParseInt(f[1], S, i), ParseInt(f[2], S, i), ParseInt(f[3], S, i))))
                    throw Err(S, i, $"extension id {id} not positive or duplicated");
                return;
            }
            if (currentExt == "RF_SHIMS")
            {
                if (f.Length < 2) throw Err(S, i, "RF_SHIMS row needs 'id num_chan mag_1 phase_1 …'");
                int id = ParseInt(f[0], S, i), nc = ParseInt(f[1], S, i);
                if (nc <= 0 || f.Length != 2 + 2 * nc) throw Err(S, i, $"RF_SHIMS {id}: num_chan {nc} needs {2 + 2 * nc} fields, got {f.Length}");
                var w = new Complex[nc];
                for (int c = 0; c < nc; c++) w[c] = Complex.FromPolarCoordinates(ParseD(f[2 + 2 * c], S, i), ParseD(f[3 + 2 * c], S, i));
                if (!shims.TryAdd(id, w)) throw Err(S, i, $"duplicate RF_SHIMS id {id}");
            }
            else if (currentExt == "DELAYS")
            {
                // 1.5.0 soft delay: id num offset_us factor hint (kept so that checks can name the run-time adjustable blocks)
                if (f.Length != 5) throw Err(S, i, $"DELAYS row needs 'id num offset_us factor hint', got {f.Length} fields");
                int id = ParseInt(f[0], S, i);
                double factor = ParseD(f[3], S, i);
                if (factor == 0) throw Err(S, i, $"DELAYS {id}: factor must not be 0");
                if (!softDelays.TryAdd(id, new PulseqSoftDelay(id, ParseInt(f[1], S, i), ParseD(f[2], S, i) * 1e-6, factor, f[4])))
                    throw Err(S, i, $"duplicate DELAYS id {id}");
            }
            // payloads of all other extensions (TRIGGERS, LABELSET, LABELINC, ROTATIONS, unknown ones, …) are skipped:
            // they do not change RF or block timing
        }

        HashSet<int> Ids(List<(int line, string[] f)> rows, string section, int nFields)
        {
            var set = new HashSet<int>();
            foreach (var (ln, f) in rows)
            {
                if (f.Length != nFields) throw Err(section, ln, $"expected {nFields} fields, got {f.Length}");
                for (int k = 1; k < f.Length; k++) ParseD(f[k], section, ln);
                int id = ParseInt(f[0], section, ln);
                if (id <= 0 || !set.Add(id)) throw Err(section, ln, $"id {id} not positive or duplicated");
            }
            return set;
        }

        int ReadShape(int i, string[] f)
        {
            const string S = "SHAPES";
            if (f.Length != 2 || f[0] != "shape_id") throw Err(S, i, $"expected 'shape_id <id>', got '{string.Join(' ', f)}'");
            int id = ParseInt(f[1], S, i);
            int start = i;
            i++;
            while (i < lines.Length && StripComment(lines[i]).Trim().Length == 0) i++;
            if (i >= lines.Length) throw Err(S, start, $"shape {id}: file ends before 'num_samples'");
            var g = StripComment(lines[i]).Trim().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (g.Length != 2 || g[0] != "num_samples") throw Err(S, i, $"shape {id}: expected 'num_samples <N>', got '{lines[i].Trim()}'");
            int n = ParseInt(g[1], S, i);
            if (n <= 0) throw Err(S, i, $"shape {id}: num_samples {n} must be positive");
            if (n > MaxShapeSamples) throw Err(S, i, $"shape {id}: num_samples {n} exceeds the supported {MaxShapeSamples}");
            totalShapeSamples += n;
            if (totalShapeSamples > MaxTotalShapeSamples) throw Err(S, i, $"shape {id}: the shapes hold more than {MaxTotalShapeSamples} samples in total");
            i++;
            var packed = new List<double>();
            while (i < lines.Length)
            {
                string t = StripComment(lines[i]).Trim();
                if (t.Length == 0 || t.StartsWith('[') || t.StartsWith("shape_id", StringComparison.Ordinal)) break;
                packed.Add(ParseD(t, S, i));
                i++;
            }
            if (packed.Count == 0 || packed.Count > n)
                throw Err(S, i - 1, $"shape {id}: {packed.Count} stored samples for num_samples {n} (truncated or malformed shape)");
            try { if (!shapes.TryAdd(id, PulseqShapes.Decompress(packed.ToArray(), n))) throw Err(S, start, $"duplicate shape id {id}"); }
            catch (FormatException e) { throw Err(S, i - 1, $"shape {id} (starting line {start + 1}): {e.Message}"); }
            return i;
        }

        void CheckVersion(int ln)
        {
            var v = new PulseqVersion(major, minor, revision);
            if (major != 1 || minor < 4 || minor > 5)
                throw Err("VERSION", ln, $"Pulseq version {v} is not supported; this reader supports 1.4.x and 1.5.x (re-export older files with a current Pulseq/pypulseq)");
        }

        double Def(string key)
        {
            if (!defs.TryGetValue(key, out var s))
                throw new SarKitInputException($"{src}: section [DEFINITIONS]: required key '{key}' is missing (required for Pulseq ≥ 1.4)") { SourceFile = src, Dataset = "DEFINITIONS" };
            if (!double.TryParse(s, NumberStyles.Float, Inv, out var v) || !(v > 0) || double.IsInfinity(v))
                throw new SarKitInputException($"{src}: section [DEFINITIONS]: '{key}' = '{s}' is not a positive number of seconds") { SourceFile = src, Dataset = "DEFINITIONS" };
            // rasters scale every time and energy: a value far outside what scanners use (e.g. 1e-300 s) would shrink the
            // RF energy towards 0 while the file still looks valid
            if (!(v >= MinRasterSeconds && v <= MaxRasterSeconds))
                throw new SarKitInputException($"{src}: section [DEFINITIONS]: '{key}' = {v.ToString("G", Inv)} s is outside the supported range [{MinRasterSeconds.ToString("G", Inv)}, {MaxRasterSeconds.ToString("G", Inv)}] s") { SourceFile = src, Dataset = "DEFINITIONS" };
            return v;
        }

        int ParseInt(string s, string section, int ln) =>
            int.TryParse(s, NumberStyles.Integer, Inv, out var v) ? v : throw Err(section, ln, $"'{s}' is not an integer");
        long ParseLong(string s, string section, int ln) =>
            long.TryParse(s, NumberStyles.Integer, Inv, out var v) ? v : throw Err(section, ln, $"'{s}' is not an integer");
        double ParseD(string s, string section, int ln) =>
            double.TryParse(s, NumberStyles.Float, Inv, out var v) && double.IsFinite(v) ? v : throw Err(section, ln, $"'{s}' is not a finite number");

        static string StripComment(string s)
        {
            int k = s.IndexOf('#');
            return k < 0 ? s : s[..k];
        }
    }
}
