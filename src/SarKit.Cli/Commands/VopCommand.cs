using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SarKit.Compression;
using SarKit.IO;
using SarKit.Sar;
using Spectre.Console;
using SarKit.IO.Formats;
using SarKit.Numerics.LinearAlgebra;
using SarKit.Reporting;
using SarKit.Workflows.Results;

namespace SarKit.Cli.Commands;

/// <summary>
/// `sarkit vop compress|verify|report|merge|summarise|keygen|sign` (docs/vop-cli.md): certified VOP compression of Q-matrix
/// sets, the independent verifier, the overestimation report, the merge of independently compressed partitions (scale-out)
/// and the optional ECDSA P-256 signatures of certificates (docs/vop-format.md "Signature").
/// </summary>
internal static class VopCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Create(CliIO io)
    {
        var vop = new Command("vop", "Virtual observation points: compress Q-matrix sets into certified VOP sets, verify, report, merge partitions (docs/vop-cli.md).");
        vop.Add(Compress(io));
        vop.Add(Verify(io));
        vop.Add(Report(io));
        vop.Add(Merge(io));
        vop.Add(Summarise(io));
        vop.Add(Keygen(io));
        vop.Add(Sign(io));
        return vop;
    }

    // ------------------------------------------------------------------ options shared by the subcommands

    private static Option<string[]> QOption(bool required) => new("--q")
    {
        Description = "Original Q-matrices: SarKit Q-matrix .h5 (streamed), MATLAB .mat (N×N×K, variable 'matrices'), NumPy .npz ([K,N,N]). Several files are concatenated in the given order.",
        Required = required, AllowMultipleArgumentsPerToken = true, Arity = required ? ArgumentArity.OneOrMore : ArgumentArity.ZeroOrMore,
    };
    private static Option<string?> QVariable() => new("--q-variable") { Description = "Variable/member holding the matrices in .mat/.npz inputs (default: matrices, Q, Q10g, or the only N×N×K array)." };
    private static Option<int> Drives(int dflt, string what) => new Option<int>("--drives") { Description = what, DefaultValueFactory = _ => dflt }.Range(0, 10_000_000);
    private static Option<int> Seed() => new("--seed") { Description = "Seed of the random drives (results depend only on it).", DefaultValueFactory = _ => 1 };
    private static Option<bool> JsonOpt() => new("--json") { Description = "Print one JSON object on stdout (docs/vop-cli.md)." };
    private static Option<string?> Partition() => new("--partition") { Description = "i/N: use only the i-th of N contiguous blocks of the input matrices (1 ≤ i ≤ N; block i = [⌊(i−1)K/N⌋, ⌊iK/N⌋))." };
    private static Option<double> Tolerance() => new Option<double>("--tolerance") { Description = "Verifier tolerance relative to SAR_wc: Q counts as dominated when λ_min(Σc_jV_j − Q) ≥ −tol·SAR_wc.", DefaultValueFactory = _ => 1e-9 }.Range(0, 1e-3);

    // ------------------------------------------------------------------ compress

    private static Command Compress(CliIO io)
    {
        var q = QOption(required: true);
        var qv = QVariable();
        var margin = new Option<string>("--margin") { Description = "Final margin ε as a fraction of SAR_wc (0.05 or 5%).", Required = true };
        var target = new Option<int?>("--target-vops") { Description = "Iterative/hybrid: stop shrinking the margin at this many VOPs." }.Range(1, int.MaxValue);
        var algo = new Option<string>("--algorithm") { Description = "lee | lee-kuehne | iterative | hybrid | eichfelder.", DefaultValueFactory = _ => "iterative" };
        algo.AcceptOnlyFromAmong("lee", "lee-kuehne", "iterative", "hybrid", "eichfelder");
        var kind = new Option<string>("--margin-kind") { Description = "diagonal (Z = ε·SAR_wc·I) | global (Z = ε·S_g, the sum of all Q scaled to λ_max = SAR_wc).", DefaultValueFactory = _ => "diagonal" };
        kind.AcceptOnlyFromAmong("diagonal", "global");
        var post = new Option<bool>("--post-process") { Description = "Run the post-processing step (per-VOP margins, Orzada et al. 2021)." };
        var part = Partition();
        var globalWc = new Option<double?>("--global-sar-wc") { Description = "With --partition: SAR_wc of the whole input (W/kg per unit²), if known; otherwise it is computed by streaming the whole input once." }.Range(0, double.MaxValue, minExclusive: true);
        var output = new Option<string>("--output", "-o") { Description = "Output VOP file (.h5, .mat or .npz). A checkpoint OUTPUT.checkpoint.json is kept beside it while running.", Required = true };
        var resume = new Option<bool>("--resume") { Description = "Continue an interrupted run from OUTPUT.checkpoint.json." };
        var drives = Drives(1_000_000, "Random unit drives of the verifier's second check (0 to skip).");
        var seed = Seed();
        var tol = Tolerance();
        var json = JsonOpt();
        var cmd = new Command("compress", "Compress Q-matrices into a VOP set, verify it independently and write it with its certificate (refused when the certificate fails).")
            { q, qv, margin, target, algo, kind, post, part, globalWc, output, resume, drives, seed, tol, json };
        cmd.SetAction(p => io.Guard(() => RunCompress(io, new CompressArgs(p.GetValue(q)!, p.GetValue(qv), p.GetValue(margin)!, p.GetValue(target),
            p.GetValue(algo)!, p.GetValue(kind)!, p.GetValue(post), p.GetValue(part), p.GetValue(globalWc), p.GetValue(output)!, p.GetValue(resume),
            p.GetValue(drives), p.GetValue(seed), p.GetValue(tol), p.GetValue(json)))));
        return cmd;
    }

    private sealed record CompressArgs(string[] Q, string? QVariable, string Margin, int? TargetVops, string Algorithm, string MarginKind, bool PostProcess,
        string? Partition, double? GlobalSarWc, string Output, bool Resume, int Drives, int Seed, double Tolerance, bool Json);

    private static int RunCompress(CliIO io, CompressArgs a)
    {
        var sw = Stopwatch.StartNew();
        double eps = ParseMargin(a.Margin);
        CheckOutput(a.Output);
        CheckVerifierArgs(a.Drives, a.Tolerance);
        if (a.TargetVops is < 1) throw new SarKitInputException($"--target-vops {a.TargetVops}: expected ≥ 1.");
        var part = ParsePartition(a.Partition);
        string ckPath = a.Output + ".checkpoint.json";
        VopCompressionCheckpoint? resumeFrom = null;
        if (a.Resume)
        {
            if (!File.Exists(ckPath)) throw new SarKitInputException($"--resume: no checkpoint {ckPath} (nothing to resume; run without --resume).") { SourceFile = ckPath };
            resumeFrom = ReadCheckpoint(ckPath, a);
        }
        using var src = QMatrixSources.OpenMany(a.Q, a.QVariable);
        var (first, count) = PartitionRange(part, src.Count);
        if (count < 1) throw new SarKitInputException($"--partition {a.Partition}: the block of {src.Description} ({src.Count} matrices) is empty.");
        var algorithm = ParseAlgorithm(a.Algorithm);
        var marginKind = a.MarginKind == "global" ? VopMarginKind.Global : VopMarginKind.Diagonal;

        var result = StageProgress.Run(io, prog =>
        {
            double[]? userMargin = null;
            double? globalWc = a.GlobalSarWc;
            if (part is not null && (globalWc is null || marginKind == VopMarginKind.Global))
            {
                var s = src.Summarise(new Progress1(prog, "global SAR_wc (whole input)", src.Count));
                globalWc = a.GlobalSarWc ?? s.SarWorstCase;
                if (marginKind == VopMarginKind.Global) userMargin = GlobalMarginBase(s.Sum, src.Channels, globalWc.Value);
            }
            if (part is not null)
            {
                if (!(globalWc > 0)) throw new SarKitInputException($"--global-sar-wc {globalWc}: expected a positive SAR_wc.");
                userMargin ??= DiagonalMarginBase(src.Channels, globalWc!.Value);
            }
            var packed = src.ReadRange(first, count);
            var opts = new VopCompressionOptions
            {
                Algorithm = algorithm,
                MarginKind = userMargin is null ? marginKind : VopMarginKind.User,
                UserMarginPacked = userMargin,
                Epsilon = eps,
                TargetVops = a.TargetVops,
                PostProcess = a.PostProcess,
                Normalisation = src.Normalisation,
                MaxDegreeOfParallelism = Math.Min(2, Environment.ProcessorCount),
                ResumeFrom = resumeFrom,
                OnCheckpoint = ck => WriteCheckpoint(ckPath, ck, a),
            };
            if (resumeFrom is not null) prog.Message($"resuming from {ckPath}: iteration {resumeFrom.Iteration}, ε = {resumeFrom.Epsilon:G4}, {resumeFrom.VopSourceIndices.Length} VOPs");
            return CertifiedVopCompression.Run(packed, src.Channels, opts, VerifierOptions(a.Drives, a.Seed, a.Tolerance), src.Description, set =>
            {
                set.Attributes["source_file"] = string.Join(";", a.Q.Select(Path.GetFullPath));
                set.Attributes["margin_base"] = a.MarginKind;
                if (part is { } pp)
                {
                    set.Attributes["partition"] = $"{pp.I}/{pp.N}";
                    set.Attributes["partition_first"] = first.ToString(Inv);
                    set.Attributes["partition_count"] = count.ToString(Inv);
                    set.Attributes["global_sar_wc"] = globalWc!.Value.ToString("R", Inv);
                }
                set.Attributes["compress_seconds"] = sw.Elapsed.TotalSeconds.ToString("F2", Inv);
            }, new CompressProgress(prog), new VerifyProgress(prog));
        });
        var (vset, vr) = result;
        if (!vr.Certificate.Passed)
        {
            io.Err.WriteLine($"error: the compressed VOP set failed its certificate; nothing written to {a.Output}. {string.Join(" ", vr.Problems)}");
            return CliApp.ExitInternal;
        }
        VopSetFiles.Write(vset, a.Output);
        try { File.Delete(ckPath); } catch (IOException) { }
        return Summary(io, a.Json, "compress", a.Output, vset, vr, null, sw);
    }

    private static VopAlgorithm ParseAlgorithm(string s) => s switch
    {
        "lee" => VopAlgorithm.Lee,
        "lee-kuehne" => VopAlgorithm.LeeKuehne,
        "iterative" => VopAlgorithm.Iterative,
        "hybrid" => VopAlgorithm.Hybrid,
        "eichfelder" => VopAlgorithm.Eichfelder,
        _ => throw new SarKitInputException($"--algorithm {s}: expected lee, lee-kuehne, iterative, hybrid or eichfelder."),
    };

    /// <summary>SAR_wc·I packed: with ε it gives the diagonal margin Z = ε·SAR_wc·I of the whole input.</summary>
    internal static double[] DiagonalMarginBase(int n, double sarWc)
    {
        var z = new double[n * n];
        for (int i = 0; i < n; i++) z[i] = sarWc;
        return z;
    }

    /// <summary>S_g = Σ_i Q_i scaled so that λ_max(S_g) = SAR_wc (Lee et al. 2012 global margin; Orzada's normalisation).</summary>
    internal static double[] GlobalMarginBase(double[] sum, int n, double sarWc)
    {
        double lam = HermitianKernels.LargestEigenvalue(sum, n);
        if (!(lam > 0)) throw new SarKitInputException("global margin: the sum of all Q-matrices has λ_max ≤ 0.");
        return sum.Select(x => x * sarWc / lam).ToArray();
    }

    private sealed record CheckpointFile(string Input, string? Partition, string Algorithm, string MarginKind, double Margin, int? TargetVops, bool PostProcess,
        string CreatedUtc, VopCompressionCheckpoint Checkpoint);

    private static void WriteCheckpoint(string path, VopCompressionCheckpoint ck, CompressArgs a)
    {
        var file = new CheckpointFile(string.Join(";", a.Q.Select(Path.GetFullPath)), a.Partition, a.Algorithm, a.MarginKind, ParseMargin(a.Margin), a.TargetVops,
            a.PostProcess, DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", Inv), ck);
        var text = JsonSerializer.Serialize(file, ResultJson.Options);
        AtomicOutput.Write(path, tmp => File.WriteAllText(tmp, text));
    }

    private static VopCompressionCheckpoint ReadCheckpoint(string path, CompressArgs a)
    {
        CheckpointFile? f;
        try { f = JsonSerializer.Deserialize<CheckpointFile>(File.ReadAllText(path), ResultJson.Options); }
        catch (JsonException e) { throw new SarKitInputException($"{path}: not a valid checkpoint: {e.Message}", e) { SourceFile = path }; }
        if (f?.Checkpoint is null) throw new SarKitInputException($"{path}: not a valid checkpoint (no 'checkpoint' object).") { SourceFile = path };
        ValidateCheckpoint(path, f, inner: false);
        string input = string.Join(";", a.Q.Select(Path.GetFullPath));
        if (f.Input != input || f.Partition != a.Partition || f.Algorithm != a.Algorithm || f.MarginKind != a.MarginKind || f.Margin != ParseMargin(a.Margin)
            || f.TargetVops != a.TargetVops || f.PostProcess != a.PostProcess)
            throw new SarKitInputException($"{path}: the checkpoint belongs to another run (input {f.Input}, partition {f.Partition ?? "none"}, algorithm {f.Algorithm}, margin {f.Margin} {f.MarginKind}); use the same options or remove it.") { SourceFile = path };
        ValidateCheckpoint(path, f, inner: true);
        return f.Checkpoint;
    }

    /// <summary>
    /// Every field of a checkpoint present, non-null, finite and in range before it is used (a hand-edited or damaged
    /// checkpoint is bad input naming the field, never a crash).
    /// </summary>
    private static void ValidateCheckpoint(string path, CheckpointFile f, bool inner)
    {
        SarKitInputException Bad(string field, object? value, string expected)
            => new($"{path}: checkpoint field '{field}' is {(value is null ? "missing or null" : Convert.ToString(value, Inv))}; expected {expected}. Remove the checkpoint to start afresh.") { SourceFile = path, Dataset = field };
        if (string.IsNullOrEmpty(f.Input)) throw Bad("input", f.Input, "the input file list");
        if (string.IsNullOrEmpty(f.Algorithm)) throw Bad("algorithm", f.Algorithm, "an algorithm name");
        if (string.IsNullOrEmpty(f.MarginKind)) throw Bad("margin_kind", f.MarginKind, "diagonal or global");
        if (!(double.IsFinite(f.Margin) && f.Margin > 0)) throw Bad("margin", f.Margin, "a finite margin > 0");
        if (f.TargetVops is < 1) throw Bad("target_vops", f.TargetVops, "null or ≥ 1");
        if (string.IsNullOrEmpty(f.CreatedUtc)) throw Bad("created_utc", f.CreatedUtc, "a UTC time stamp");
        if (!inner) return; // the run identity is compared next; the state of the run after that
        var c = f.Checkpoint;
        if (c.Iteration < 0) throw Bad("checkpoint.iteration", c.Iteration, "≥ 0");
        if (!(double.IsFinite(c.Epsilon) && c.Epsilon > 0)) throw Bad("checkpoint.epsilon", c.Epsilon, "a finite ε > 0");
        if (c.VopSourceIndices is null) throw Bad("checkpoint.vop_source_indices", null, "an array of matrix indices");
        for (int i = 0; i < c.VopSourceIndices.Length; i++)
            if (c.VopSourceIndices[i] < 0) throw Bad($"checkpoint.vop_source_indices[{i}]", c.VopSourceIndices[i], "an index ≥ 0");
        if (c.VopSourceIndices.Distinct().Count() != c.VopSourceIndices.Length) throw Bad("checkpoint.vop_source_indices", "a list with repeated indices", "distinct indices");
        if (c.SourceSha256 is not { Length: 64 } h || !h.All(char.IsAsciiHexDigit)) throw Bad("checkpoint.source_sha256", c.SourceSha256, "64 hexadecimal digits");
        if (string.IsNullOrEmpty(c.OptionsFingerprint)) throw Bad("checkpoint.options_fingerprint", c.OptionsFingerprint, "the settings fingerprint");
    }

    // ------------------------------------------------------------------ verify

    private static Command Verify(CliIO io)
    {
        var file = new Argument<string>("VOPS") { Description = "VOP file (.h5, .mat, .npz)." };
        var q = QOption(required: true);
        var qv = QVariable();
        var part = Partition();
        var drives = Drives(1_000_000, "Random unit drives of the second check (0 to skip).");
        var seed = Seed();
        var tol = Tolerance();
        var json = JsonOpt();
        var key = TrustedKeyOption("Public key PEM (ECDSA P-256): first require a valid signature of the file's certificate by this key (exit 2 otherwise), then re-verify against --q without rewriting the file.");
        var cmd = new Command("verify", "Verify a VOP set against its original Q-matrices (CC criterion for every matrix + random drives) and store the certificate in the file (re-certifies files with an old certificate). Exit 1 when it fails.")
            { file, q, qv, part, drives, seed, tol, json, key };
        cmd.SetAction(p => io.Guard(() => p.GetValue(key) is { } k
            ? RunVerifySigned(io, p.GetValue(file)!, p.GetValue(q)!, p.GetValue(qv), p.GetValue(part), p.GetValue(drives), p.GetValue(seed), p.GetValue(tol), p.GetValue(json), k)
            : RunVerify(io, p.GetValue(file)!, p.GetValue(q)!, p.GetValue(qv), p.GetValue(part), p.GetValue(drives), p.GetValue(seed), p.GetValue(tol), p.GetValue(json))));
        return cmd;
    }

    private static Option<string?> TrustedKeyOption(string description) => new("--trusted-key") { Description = description };

    /// <summary>
    /// `vop verify --trusted-key`: the file's certificate must be valid and signed by the key; dominance is then re-proven
    /// against the originals (whose SHA-256 must be the one bound in the certificate). The file is not modified.
    /// </summary>
    private static int RunVerifySigned(CliIO io, string path, string[] qs, string? qVar, string? partition, int drives, int seed, double tol, bool json, string keyPath)
    {
        var sw = Stopwatch.StartNew();
        VopSetFiles.Kind(path);
        CheckVerifierArgs(drives, tol);
        var set = VopSetFiles.Read(path);
        using (var key = VopSignature.LoadPublicKey(keyPath))
            if (!VopSignature.Verify(set, key, out var why))
                throw new SarKitInputException($"{path}: refusing the VOP set: --trusted-key {keyPath}: {why}.") { SourceFile = path };
        var part = ParsePartition(partition);
        using var all = QMatrixSources.OpenMany(qs, qVar);
        using var src = new RangeSource(all, PartitionRange(part, all.Count));
        CheckChannels(set, src, path);
        var r = StageProgress.Run(io, prog => TrustedVopSet.Reverify(set, src, path, VerifierOptions(drives, seed, tol), new VerifyProgress(prog)));
        if (!json) io.Out.WriteLine($"{path}: signature by trusted key {VopSignature.KeyIdOf(keyPath)[..16]}… valid; dominance re-verified against {src.Description} (file not modified).");
        return Summary(io, json, "verify", path, set, r, null, sw);
    }

    private static int RunVerify(CliIO io, string path, string[] qs, string? qVar, string? partition, int drives, int seed, double tol, bool json)
    {
        var sw = Stopwatch.StartNew();
        VopSetFiles.Kind(path);
        CheckVerifierArgs(drives, tol);
        var set = VopSetFiles.Read(path);
        var part = ParsePartition(partition);
        using var all = QMatrixSources.OpenMany(qs, qVar);
        using var src = new RangeSource(all, PartitionRange(part, all.Count));
        CheckChannels(set, src, path);
        var (vset, r) = StageProgress.Run(io, prog =>
        {
            var s = set;
            if (string.IsNullOrEmpty(s.SourceSha256) || !(s.SarWorstCase > 0))
            {
                // a set imported from MATLAB/NumPy without SarKit metadata: adopt the given originals
                var (sha, wc, _) = src.Summarise(new Progress1(prog, "reading originals", src.Count));
                s = Rewrap(s, sha, src.Count, wc);
                prog.Message($"{path} has no SarKit source record; verifying against the given originals ({src.Count} matrices, SAR_wc {wc:G6}).");
            }
            return (s, VopVerifier.Certify(s, src, VerifierOptions(drives, seed, tol), new VerifyProgress(prog)));
        });
        VopSetFiles.Write(vset, path);
        Summary(io, json, "verify", path, vset, r, null, sw);
        if (!r.Certificate.Passed)
        {
            io.Err.WriteLine($"error: {path} FAILED verification (certificate stored): {string.Join(" ", r.Problems)}");
            return CliApp.ExitCheckFailed;
        }
        return CliApp.ExitOk;
    }

    private static VopSet Rewrap(VopSet s, string sha, long count, double wc, double[]? packed = null, int[]? srcIndex = null, VopMargin? margin = null, string? algorithm = null)
    {
        var r = new VopSet(s.Channels, packed ?? s.Packed, srcIndex ?? s.SourceIndex, margin ?? s.Margin, s.Criterion, algorithm ?? s.Algorithm, count, sha, wc, s.Normalisation);
        foreach (var (k, v) in s.Attributes) r.Attributes[k] = v;
        r.Certificate = s.Certificate;
        return r;
    }

    // ------------------------------------------------------------------ report

    private static Command Report(CliIO io)
    {
        var file = new Argument<string>("VOPS") { Description = "VOP file (.h5, .mat, .npz)." };
        var q = QOption(required: false);
        var qv = QVariable();
        var part = Partition();
        var drives = Drives(100_000, "Random unit drives of the overestimation statistics (with --q).");
        var seed = Seed();
        var bins = new Option<int>("--bins") { Description = "Histogram bins in the JSON output.", DefaultValueFactory = _ => 40 }.Range(1, 100_000);
        var json = JsonOpt();
        var cmd = new Command("report", "Describe a VOP set: count, margin, certificate and (with --q) the relative and absolute overestimation over random unit drives.")
            { file, q, qv, part, drives, seed, bins, json };
        cmd.SetAction(p => io.Guard(() => RunReport(io, p.GetValue(file)!, p.GetValue(q) ?? [], p.GetValue(qv), p.GetValue(part), p.GetValue(drives), p.GetValue(seed), p.GetValue(bins), p.GetValue(json))));
        return cmd;
    }

    private static int RunReport(CliIO io, string path, string[] qs, string? qVar, string? partition, int drives, int seed, int bins, bool json)
    {
        var sw = Stopwatch.StartNew();
        VopSetFiles.Kind(path);
        var set = VopSetFiles.Read(path);
        OverestimationReport? rep = null;
        if (qs.Length > 0)
        {
            if (drives < 1) throw new SarKitInputException($"--drives {drives}: expected ≥ 1.");
            if (bins < 1) throw new SarKitInputException($"--bins {bins}: expected ≥ 1.");
            var part = ParsePartition(partition);
            using var all = QMatrixSources.OpenMany(qs, qVar);
            using var src = new RangeSource(all, PartitionRange(part, all.Count));
            CheckChannels(set, src, path);
            rep = StageProgress.Run(io, prog => OverestimationReport.Compute(src, set.Packed, set.Channels,
                new OverestimationOptions { Drives = drives, Seed = seed, Bins = bins }, new Progress1(prog, "random drives", 1)));
        }
        return Summary(io, json, "report", path, set, null, rep, sw);
    }

    // ------------------------------------------------------------------ merge

    private static Command Merge(CliIO io)
    {
        var files = new Argument<string[]>("PARTS") { Description = "Certified partition VOP files (from `vop compress --partition i/N`).", Arity = ArgumentArity.OneOrMore };
        var q = QOption(required: true);
        var qv = QVariable();
        var margin = new Option<string>("--margin") { Description = "Margin ε_m of the merge step, fraction of the global SAR_wc (0.02 or 2%). The merged set's bound is ε_m + max ε_p.", Required = true };
        var target = new Option<int?>("--target-vops") { Description = "Iterative/hybrid: stop shrinking the merge margin at this many VOPs." }.Range(1, int.MaxValue);
        var algo = new Option<string>("--algorithm") { Description = "lee | lee-kuehne | iterative | hybrid | eichfelder.", DefaultValueFactory = _ => "iterative" };
        algo.AcceptOnlyFromAmong("lee", "lee-kuehne", "iterative", "hybrid", "eichfelder");
        var kind = new Option<string>("--margin-kind") { Description = "diagonal | global (global: S_g of all original matrices).", DefaultValueFactory = _ => "diagonal" };
        kind.AcceptOnlyFromAmong("diagonal", "global");
        var output = new Option<string>("--output", "-o") { Description = "Output VOP file (.h5, .mat or .npz).", Required = true };
        var drives = Drives(1_000_000, "Random unit drives of the verifier's second check (0 to skip).");
        var seed = Seed();
        var tol = Tolerance();
        var json = JsonOpt();
        var cmd = new Command("merge", "Compress the union of certified partition VOP sets and verify the result against every original matrix (streamed).")
            { files, q, qv, margin, target, algo, kind, output, drives, seed, tol, json };
        cmd.SetAction(p => io.Guard(() => RunMerge(io, p.GetValue(files)!, p.GetValue(q)!, p.GetValue(qv), p.GetValue(margin)!, p.GetValue(target), p.GetValue(algo)!,
            p.GetValue(kind)!, p.GetValue(output)!, p.GetValue(drives), p.GetValue(seed), p.GetValue(tol), p.GetValue(json))));
        return cmd;
    }

    private static int RunMerge(CliIO io, string[] parts, string[] qs, string? qVar, string marginText, int? target, string algo, string kindText,
                                string output, int drives, int seed, double tol, bool json)
    {
        var sw = Stopwatch.StartNew();
        double eps = ParseMargin(marginText);
        CheckOutput(output);
        CheckVerifierArgs(drives, tol);
        var sets = new List<VopSet>();
        foreach (var p in parts)
        {
            VopSetFiles.Kind(p);
            var s = VopSetFiles.Read(p);
            if (!s.HasValidCertificate(out var why))
                throw new SarKitInputException($"{p}: {why}; merge only certified partition sets (`sarkit vop verify {p} --q … --partition i/N`).") { SourceFile = p };
            if (sets.Count > 0 && s.Channels != sets[0].Channels)
                throw new SarKitInputException($"{p}: {s.Channels} channels, but {parts[0]} has {sets[0].Channels}.") { SourceFile = p };
            sets.Add(s);
        }
        int n = sets[0].Channels, nn = n * n;
        using var src = QMatrixSources.OpenMany(qs, qVar);
        if (src.Channels != n) throw new SarKitInputException($"{src.Description}: the Q-matrices have {src.Channels} channels, the partition VOP sets have {n}.") { SourceFile = src.Description };
        long partsTotal = sets.Sum(s => s.SourceCount);
        if (partsTotal != src.Count)
            throw new SarKitInputException($"the partitions cover {partsTotal} original matrices ({string.Join(" + ", sets.Select(s => s.SourceCount))}), the --q inputs hold {src.Count}.");

        var union = new double[sets.Sum(s => (long)s.Packed.Length)];
        var unionSource = new List<int>();
        long off = 0;
        foreach (var s in sets)
        {
            s.Packed.CopyTo(union, off); off += s.Packed.Length;
            long firstIdx = s.Attributes.TryGetValue("partition_first", out var pf) && long.TryParse(pf, Inv, out var v) ? v : -1;
            foreach (var si in s.SourceIndex) unionSource.Add(firstIdx >= 0 && si >= 0 && firstIdx + si <= int.MaxValue ? (int)(firstIdx + si) : -1);
        }
        var kind = kindText == "global" ? VopMarginKind.Global : VopMarginKind.Diagonal;
        var pmax = sets.MaxBy(s => s.Margin.Epsilon)!;

        var (merged, r) = StageProgress.Run(io, prog =>
        {
            var (sha, wc, sum) = src.Summarise(new Progress1(prog, "reading originals (hash, SAR_wc)", src.Count));
            var baseZ = kind == VopMarginKind.Global ? GlobalMarginBase(sum, n, wc) : DiagonalMarginBase(n, wc);
            var opts = new VopCompressionOptions
            {
                Algorithm = ParseAlgorithm(algo), MarginKind = VopMarginKind.User, UserMarginPacked = baseZ, Epsilon = eps, TargetVops = target,
                Normalisation = sets[0].Normalisation, MaxDegreeOfParallelism = Math.Min(2, Environment.ProcessorCount),
            };
            var c = VopCompressor.Compress(union, n, opts, new CompressProgress(prog));
            // composed margin: every merged VOP is (a partition VOP) + Z_m and every partition VOP is (an original) + Z_p
            var zTotal = new double[nn];
            for (int t = 0; t < nn; t++) zTotal[t] = c.Margin.Packed[t] + pmax.Margin.Packed[t];
            var srcIdx = c.SourceIndex.Select(i => i >= 0 && i < unionSource.Count ? unionSource[i] : -1).ToArray();
            var m = Rewrap(c, sha, src.Count, wc, c.Packed, srcIdx, new VopMargin(kind, eps + pmax.Margin.Epsilon, zTotal),
                $"merge of {sets.Count} partitions ({c.Algorithm})");
            m.Certificate = null;
            m.Attributes["source_file"] = string.Join(";", qs.Select(Path.GetFullPath));
            m.Attributes["merged_parts"] = string.Join(";", parts.Select(Path.GetFullPath));
            m.Attributes["merge_margin_epsilon"] = eps.ToString("R", Inv);
            m.Attributes["partition_margin_epsilon_max"] = pmax.Margin.Epsilon.ToString("R", Inv);
            m.Attributes["union_vops"] = (union.Length / nn).ToString(Inv);
            var rr = VopVerifier.Certify(m, src, VerifierOptions(drives, seed, tol), new VerifyProgress(prog));
            return (m, rr);
        });
        if (!r.Certificate.Passed)
        {
            io.Err.WriteLine($"error: the merged VOP set failed its certificate; nothing written to {output}. {string.Join(" ", r.Problems)}");
            return CliApp.ExitInternal;
        }
        VopSetFiles.Write(merged, output);
        return Summary(io, json, "merge", output, merged, r, null, sw);
    }

    // ------------------------------------------------------------------ keygen, sign

    private static Command Keygen(CliIO io)
    {
        var output = new Option<string>("--output", "-o") { Description = "Key file prefix: writes PREFIX.private.pem (PKCS#8, mode 0600) and PREFIX.public.pem (SubjectPublicKeyInfo).", Required = true };
        var cmd = new Command("keygen", "Create an ECDSA P-256 key pair for signing VOP certificates (docs/vop-format.md \"Signature\"). Existing files are never overwritten.") { output };
        cmd.SetAction(p => io.Guard(() =>
        {
            string prefix = p.GetValue(output)!;
            string priv = prefix + ".private.pem", pub = prefix + ".public.pem";
            foreach (var f in new[] { priv, pub })
                if (File.Exists(f)) throw new SarKitInputException($"--output {prefix}: {f} exists; refusing to overwrite a key.") { SourceFile = f };
            var (privatePem, publicPem) = VopSignature.GenerateKeyPair();
            WriteText(priv, privatePem, secret: true);
            WriteText(pub, publicPem, secret: false);
            io.Out.WriteLine($"private key: {Path.GetFullPath(priv)} (keep it secret; signs with `sarkit vop sign --key`)");
            io.Out.WriteLine($"public key:  {Path.GetFullPath(pub)} (give it to consumers: --trusted-key)");
            io.Out.WriteLine($"key id:      {VopSignature.KeyIdOf(pub)}");
            return CliApp.ExitOk;
        }));
        return cmd;
    }

    private static void WriteText(string path, string text, bool secret) => VopSignature.WritePem(path, text, secret);

    private static Command Sign(CliIO io)
    {
        var file = new Argument<string>("VOPS") { Description = "VOP file (.h5, .mat, .npz) with a valid certificate." };
        var key = new Option<string>("--key") { Description = "Private key PEM (PKCS#8, ECDSA P-256; from `sarkit vop keygen`).", Required = true };
        var output = new Option<string?>("--output", "-o") { Description = "Write the signed set here (same layout by extension) instead of rewriting VOPS in place (atomically)." };
        var cmd = new Command("sign", "Sign a VOP set's certificate digest with an ECDSA P-256 key; the signature is stored in the file, which is rewritten atomically.") { file, key, output };
        cmd.SetAction(p => io.Guard(() =>
        {
            string path = p.GetValue(file)!, outPath = p.GetValue(output) ?? path;
            VopSetFiles.Kind(path);
            VopSetFiles.Kind(outPath);
            var set = VopSetFiles.Read(path);
            using var k = VopSignature.LoadPrivateKey(p.GetValue(key)!);
            set.Certificate = VopSignature.Sign(set, k, path);
            VopSetFiles.Write(set, outPath);
            // read back: the stored signature must verify with the key's public half
            using (var pub = System.Security.Cryptography.ECDsa.Create(k.ExportParameters(false)))
                if (!VopSignature.Verify(VopSetFiles.Read(outPath), pub, out var why))
                    throw new InvalidOperationException($"{outPath}: the signature written does not verify: {why}");
            io.Out.WriteLine($"{outPath}: certificate digest {set.Certificate.DigestSha256} signed by key {set.Certificate.SignerKeySha256} (ECDSA P-256).");
            return CliApp.ExitOk;
        }));
        return cmd;
    }

    // ------------------------------------------------------------------ summarise

    private static Command Summarise(CliIO io)
    {
        var q = QOption(required: true);
        var qv = QVariable();
        var json = JsonOpt();
        var cmd = new Command("summarise", "Stream Q-matrix inputs once: count, channels, SAR_wc (for --global-sar-wc of partitioned runs) and SHA-256.") { q, qv, json };
        cmd.SetAction(p => io.Guard(() =>
        {
            var sw = Stopwatch.StartNew();
            using var src = QMatrixSources.OpenMany(p.GetValue(q)!, p.GetValue(qv));
            var (sha, wc, _) = StageProgress.Run(io, prog => src.Summarise(new Progress1(prog, "reading", src.Count)));
            var r = new SummaryJson(src.Description, src.Channels, src.Count, wc, sha, Fields.FieldNormalisationExtensions.ToId(src.Normalisation), sw.Elapsed.TotalSeconds, CliApp.Version);
            ResultJson.RequireFinite(r); // tables too: no non-finite result is shown as a number
            if (p.GetValue(json)) { ResultJson.Write(io.Out, r); return CliApp.ExitOk; }
            io.Out.WriteLine($"inputs:   {r.Inputs}");
            io.Out.WriteLine($"matrices: {r.Count} ({r.Channels} channels, normalisation {r.Normalisation})");
            io.Out.WriteLine($"sar_wc:   {r.SarWc.ToString("R", Inv)}");
            io.Out.WriteLine($"sha256:   {r.Sha256}");
            return CliApp.ExitOk;
        }));
        return cmd;
    }

    internal sealed record SummaryJson(string Inputs, int Channels, long Count, double SarWc, string Sha256, string Normalisation, double ElapsedS, string SarkitVersion);

    // ------------------------------------------------------------------ helpers

    internal static double ParseMargin(string s)
    {
        var t = s.Trim();
        bool pct = t.EndsWith('%');
        if (pct) t = t[..^1];
        if (!double.TryParse(t, NumberStyles.Float, Inv, out var v) || !double.IsFinite(v))
            throw new SarKitInputException($"--margin '{s}': expected a fraction of SAR_wc such as 0.05 or 5%.");
        if (pct) v /= 100;
        if (!(v > 0) || v > 10) throw new SarKitInputException($"--margin '{s}': ε = {v} must lie in (0, 10] (a fraction of SAR_wc; 0.05 = 5 %).");
        return v;
    }

    internal sealed record PartitionSpec(int I, int N);

    internal static PartitionSpec? ParsePartition(string? s)
    {
        if (s is null) return null;
        var m = s.Split('/');
        if (m.Length != 2 || !int.TryParse(m[0], NumberStyles.None, Inv, out var i) || !int.TryParse(m[1], NumberStyles.None, Inv, out var n) || n < 1 || i < 1 || i > n)
            throw new SarKitInputException($"--partition '{s}': expected i/N with 1 ≤ i ≤ N, e.g. 3/16.");
        return new PartitionSpec(i, n);
    }

    /// <summary>Block i of N: matrices [⌊(i−1)K/N⌋, ⌊iK/N⌋) (the whole input without a partition).</summary>
    internal static (long First, long Count) PartitionRange(PartitionSpec? p, long total)
    {
        if (p is null) return (0, total);
        long a = (long)((System.Numerics.BigInteger)(p.I - 1) * total / p.N), b = (long)((System.Numerics.BigInteger)p.I * total / p.N);
        return (a, b - a);
    }

    private static void CheckOutput(string output)
    {
        VopSetFiles.Kind(output);
        var dir = Path.GetDirectoryName(Path.GetFullPath(output))!;
        if (!Directory.Exists(dir)) throw new SarKitInputException($"--output '{output}': the folder {dir} does not exist.") { SourceFile = output };
    }

    private static void CheckVerifierArgs(int drives, double tol)
    {
        if (drives < 0) throw new SarKitInputException($"--drives {drives}: expected ≥ 0.");
        if (!(tol >= 0) || tol > 1e-3) throw new SarKitInputException($"--tolerance {tol}: expected 0 ≤ tol ≤ 1e-3 (relative to SAR_wc).");
    }

    private static void CheckChannels(VopSet set, IQMatrixSource src, string path)
    {
        if (src.Channels != set.Channels)
            throw new SarKitInputException($"{src.Description}: the Q-matrices have {src.Channels} channels, the VOP set {path} has {set.Channels}.") { SourceFile = src.Description };
    }

    private static VopVerifierOptions VerifierOptions(int drives, int seed, double tol) => new()
    {
        RandomDrives = drives, Seed = seed, RelativeTolerance = tol, MaxDegreeOfParallelism = Math.Min(2, Environment.ProcessorCount),
    };

    /// <summary>A contiguous block of another source (a partition).</summary>
    private sealed class RangeSource(IQMatrixSource inner, (long First, long Count) range) : IQMatrixSource
    {
        public int Channels => inner.Channels;
        public long Count => range.Count;
        public string Description => range.First == 0 && range.Count == inner.Count ? inner.Description : $"{inner.Description} [{range.First}, {range.First + range.Count})";
        public Fields.FieldNormalisation Normalisation => inner.Normalisation;
        public void Read(long first, Span<double> packedOut) => inner.Read(range.First + first, packedOut);
        public void Dispose() { }
    }

    private sealed class Progress1(StageProgress p, string stage, double total) : IProgress<double>
    {
        public void Report(double value) => p.Report(stage, value * total, total);
    }

    private sealed class CompressProgress(StageProgress p) : IProgress<VopCompressionProgress>
    {
        public void Report(VopCompressionProgress v) => p.Report($"compress: {v.Stage}", v.Processed, Math.Max(1, v.Total),
            $"iteration {v.Iteration}, ε = {v.Epsilon:G3}, {v.Vops} VOPs");
    }

    private sealed class VerifyProgress(StageProgress p) : IProgress<VopVerificationProgress>
    {
        public void Report(VopVerificationProgress v) => p.Report($"verify: {v.Stage}", v.Processed, Math.Max(1, v.Total), v.Failed > 0 ? $"{v.Failed} failed" : "");
    }

    // ------------------------------------------------------------------ output

    internal sealed record CertificateOut(bool Valid, string Reason, bool Passed, string Criterion, long MatricesChecked, long MatricesFailed,
        double? LargestViolation, double? LargestViolationOverSarWc, long LargestViolationIndex, double Tolerance, long RandomDrives,
        double? RandomMaxRelativeUnderestimation, string Verifier, string CreatedUtc, int Version = 0, string DigestSha256 = "", bool Signed = false,
        string? SignerKeySha256 = null);
    internal sealed record HistogramOut(double[] Edges, long[] Counts);
    internal sealed record OverestimationOut(int Drives, int Seed, long OriginalMatrices, double SarWc, double MeanRelative, double P95Relative, double MaxRelative,
        double MinRelative, double MeanAbsoluteOverSarWc, double MaxAbsoluteOverSarWc, int UnderestimatingDrives, HistogramOut? RelativeHistogram, HistogramOut? AbsoluteHistogram);
    internal sealed record VerificationOut(long[] FailedIndices, long UnderestimatingDrives, string[] Problems, Dictionary<string, long> Proofs);
    internal sealed record VopJson(string Command, string File, int Channels, int Count, string Criterion, string Algorithm, string MarginKind, double MarginEpsilon,
        long SourceCount, string SourceSha256, double? SarWc, string Normalisation, Dictionary<string, string> Attributes, CertificateOut? Certificate,
        VerificationOut? Verification, OverestimationOut? Overestimation, double ElapsedS, string SarkitVersion);

    private static int Summary(CliIO io, bool json, string command, string path, VopSet set, VopVerificationResult? vr, OverestimationReport? rep, Stopwatch sw)
    {
        CertificateOut? cert = null;
        if (set.Certificate is { } c)
        {
            bool valid = set.HasValidCertificate(out var why);
            cert = new CertificateOut(valid, why, c.Passed, VopSetFile.CriterionId(c.Criterion), c.MatricesChecked, c.MatricesFailed, ResultJson.Num(c.LargestViolation),
                set.SarWorstCase > 0 ? ResultJson.Num(c.LargestViolation / set.SarWorstCase) : null, c.LargestViolationIndex, c.Tolerance, c.RandomDrives,
                ResultJson.Num(c.RandomMaxRelativeUnderestimation), c.Verifier, c.CreatedUtc.ToString("yyyy-MM-ddTHH:mm:ssZ", Inv), c.Version, c.DigestSha256,
                !string.IsNullOrEmpty(c.Signature), c.SignerKeySha256);
        }
        var ver = vr is null ? null : new VerificationOut(vr.FailedIndices, vr.UnderestimatingDrives, vr.Problems.ToArray(),
            Enum.GetValues<VopProofKind>().ToDictionary(k => k.ToString(), k => vr.Count(k)));
        var over = rep is null ? null : new OverestimationOut(rep.Drives, rep.Seed, rep.OriginalMatrices, rep.SarWorstCase, rep.MeanRelative, rep.P95Relative, rep.MaxRelative,
            rep.MinRelative, rep.MeanAbsoluteOverSarWc, rep.MaxAbsoluteOverSarWc, rep.UnderestimatingDrives,
            rep.RelativeHistogram is { } rh ? new HistogramOut(rh.Edges, rh.Counts) : null, rep.AbsoluteHistogram is { } ah ? new HistogramOut(ah.Edges, ah.Counts) : null);
        var j = new VopJson(command, Path.GetFullPath(path), set.Channels, set.Count, VopSetFile.CriterionId(set.Criterion), set.Algorithm,
            set.Margin.Kind.ToString().ToLowerInvariant(), set.Margin.Epsilon, set.SourceCount, set.SourceSha256, ResultJson.Num(set.SarWorstCase),
            Fields.FieldNormalisationExtensions.ToId(set.Normalisation), new Dictionary<string, string>(set.Attributes), cert, ver, over, sw.Elapsed.TotalSeconds, CliApp.Version);
        ResultJson.RequireFinite(j); // tables too: no non-finite result is shown as a number
        if (json) { ResultJson.Write(io.Out, j); return CliApp.ExitOk; }

        var t = new Table().AddColumn("Quantity").AddColumn("Value");
        void Row(string k, string v) => t.AddRow(new Text(k), new Text(v));
        Row("VOP file", j.File);
        Row("VOPs", $"{set.Count} ({set.Channels} channels)");
        Row("Margin", $"ε = {set.Margin.Epsilon:G4} of SAR_wc ({j.MarginKind})");
        Row("Criterion / algorithm", $"{j.Criterion} / {set.Algorithm}");
        Row("Originals", $"{set.SourceCount:N0} matrices, SAR_wc {set.SarWorstCase:G6} {Unit(set)}, SHA-256 {Short(set.SourceSha256)}");
        if (cert is null) Row("Certificate", "none (run `sarkit vop verify`)");
        else
        {
            Row("Certificate", cert.Valid ? "VALID" : $"NOT VALID: {cert.Reason}");
            Row("  checked / failed", $"{cert.MatricesChecked:N0} / {cert.MatricesFailed:N0} ({cert.Criterion}, tolerance {cert.Tolerance:G3})");
            Row("  largest violation", $"{cert.LargestViolation:G4} (= {cert.LargestViolationOverSarWc:G4}·SAR_wc) at matrix {cert.LargestViolationIndex}");
            Row("  random drives", $"{cert.RandomDrives:N0}, max relative underestimation {cert.RandomMaxRelativeUnderestimation:G4}");
            Row("  verifier", $"{cert.Verifier}, {cert.CreatedUtc}");
            Row("  digest", $"{Short(cert.DigestSha256)} (form {cert.Version}; detects accidental corruption only)");
            Row("  signature", cert.Signed ? $"ECDSA P-256 by key {Short(cert.SignerKeySha256 ?? "")} (check it with --trusted-key)" : "none (`sarkit vop sign`)");
        }
        if (ver is not null)
        {
            Row("Proofs", string.Join(", ", ver.Proofs.Where(kv => kv.Value > 0).Select(kv => $"{kv.Key} {kv.Value:N0}")));
            foreach (var p in ver.Problems) Row("Problem", p);
        }
        if (over is not null)
        {
            Row("Overestimation (relative)", $"mean {over.MeanRelative:P2}, 95 % {over.P95Relative:P2}, max {over.MaxRelative:P2}, min {over.MinRelative:P2} ({over.Drives:N0} unit drives, seed {over.Seed})");
            Row("Overestimation (absolute)", $"mean {over.MeanAbsoluteOverSarWc:G4}·SAR_wc, max {over.MaxAbsoluteOverSarWc:G4}·SAR_wc");
            Row("Underestimating drives", over.UnderestimatingDrives.ToString(Inv));
        }
        Row("Time", $"{j.ElapsedS:F2} s");
        io.Stdout().Write(t);
        return CliApp.ExitOk;
    }

    private static string Unit(VopSet s) => s.Normalisation == Fields.FieldNormalisation.Unspecified
        ? "(unit of the Q-matrices; normalisation unspecified)" : $"W/kg per {Fields.FieldNormalisationExtensions.DriveUnit(s.Normalisation)}²";

    private static string Short(string sha) => string.IsNullOrEmpty(sha) ? "(unknown)" : sha[..Math.Min(16, sha.Length)] + "…";
}
