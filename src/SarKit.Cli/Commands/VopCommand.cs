using System.CommandLine;
using System.Globalization;
using SarKit.Compression;
using SarKit.Workflows;
using SarKit.Workflows.Results;
using Spectre.Console;

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
        Description = "Original Q-matrices: SarKit Q-matrix .h5 (streamed), MATLAB .mat (N×N×K, variable 'matrices'), NumPy .npz ([K,N,N]), or a synthetic population spec .json (generated on demand, docs/population.md). Several files are concatenated in the given order.",
        Required = required, AllowMultipleArgumentsPerToken = true, Arity = required ? ArgumentArity.OneOrMore : ArgumentArity.ZeroOrMore,
    };
    private static Option<string?> QVariable() => new("--q-variable") { Description = "Variable/member holding the matrices in .mat/.npz inputs (default: matrices, Q, Q10g, or the only N×N×K array)." };
    private static Option<int> Drives(int dflt, string what) => new Option<int>("--drives") { Description = what, DefaultValueFactory = _ => dflt }.Range(0, 10_000_000);
    /// <summary>--drives of compress/merge: unset = the automatic budget (<see cref="VopVerifierSettings.AutoDrives"/>).</summary>
    private static Option<int?> AutoDrives() => new Option<int?>("--drives")
    {
        Description = $"Random unit drives of the independent check beside the convex-combination proof (the proof for every original matrix is the certificate). " +
            $"Default: automatic, ⌊{VopVerifierSettings.AutoBudget:G2} / (K·N²)⌋ drives within [{VopVerifierSettings.AutoMinDrives}, {VopVerifierSettings.AutoMaxDrives}] (a few seconds); 0 to skip; e.g. 1000000 for an exhaustive check.",
    }.Range(0, 10_000_000);
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
        var drives = AutoDrives();
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
        string? Partition, double? GlobalSarWc, string Output, bool Resume, int? Drives, int Seed, double Tolerance, bool Json);

    private static int RunCompress(CliIO io, CompressArgs a)
    {
        double eps = ParseMargin(a.Margin);
        var request = new VopCompressionRequest
        {
            Q = a.Q, QVariable = a.QVariable, Epsilon = eps, TargetVops = a.TargetVops, Algorithm = VopCompression.ParseAlgorithm(a.Algorithm),
            MarginKind = VopCompression.ParseMarginKind(a.MarginKind), PostProcess = a.PostProcess, Partition = VopPartition.Parse(a.Partition),
            GlobalSarWc = a.GlobalSarWc, Output = a.Output, Resume = a.Resume, Verifier = new VopVerifierSettings(a.Drives, a.Seed, a.Tolerance),
        };
        var r = StageProgress.Run(io, prog => VopCompression.Compress(request, SarKitSettings.Default, Progress(prog)));
        if (!r.Passed)
        {
            io.Err.WriteLine($"error: the compressed VOP set failed its certificate; nothing written to {a.Output}. {string.Join(" ", r.Verification!.Problems)}");
            return CliApp.ExitInternal;
        }
        return Summary(io, a.Json, r, request.Verifier.IsAutomatic);
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
        var cmd = new Command("verify", "Verify a VOP set against its original Q-matrices (CC criterion for every matrix + random drives) and store the certificate in the file (re-certifies files with an old certificate). Exit 3 when it fails.")
            { file, q, qv, part, drives, seed, tol, json, key };
        cmd.SetAction(p => io.Guard(() => p.GetValue(key) is { } k
            ? RunVerifySigned(io, p.GetValue(file)!, p.GetValue(q)!, p.GetValue(qv), p.GetValue(part), p.GetValue(drives), p.GetValue(seed), p.GetValue(tol), p.GetValue(json), k)
            : RunVerify(io, p.GetValue(file)!, p.GetValue(q)!, p.GetValue(qv), p.GetValue(part), p.GetValue(drives), p.GetValue(seed), p.GetValue(tol), p.GetValue(json))));
        return cmd;
    }

    private static Option<string?> TrustedKeyOption(string description) => new("--trusted-key") { Description = description };

    /// <summary>`vop verify --trusted-key`: signature first, then dominance re-proven; the file is not modified.</summary>
    private static int RunVerifySigned(CliIO io, string path, string[] qs, string? qVar, string? partition, int drives, int seed, double tol, bool json, string keyPath)
    {
        var r = StageProgress.Run(io, prog => VopSetOperations.VerifySigned(path, keyPath, qs, qVar, VopPartition.Parse(partition),
            new VopVerifierSettings(drives, seed, tol), SarKitSettings.Default, Progress(prog)));
        if (!json) io.Out.WriteLine($"{path}: signature by trusted key {VopSignature.KeyIdOf(keyPath)[..16]}… valid; dominance re-verified against {r.Originals} (file not modified).");
        return Summary(io, json, r);
    }

    private static int RunVerify(CliIO io, string path, string[] qs, string? qVar, string? partition, int drives, int seed, double tol, bool json)
    {
        var r = StageProgress.Run(io, prog => VopSetOperations.Verify(path, qs, qVar, VopPartition.Parse(partition), new VopVerifierSettings(drives, seed, tol),
            SarKitSettings.Default, Progress(prog)));
        Summary(io, json, r);
        if (!r.Passed)
        {
            io.Err.WriteLine($"error: {path} FAILED verification (certificate stored): {string.Join(" ", r.Verification!.Problems)}");
            return CliApp.ExitCheckFailed;
        }
        return CliApp.ExitOk;
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
        var r = qs.Length == 0
            ? VopSetOperations.Report(path, qs, qVar, null, drives, seed, bins, SarKitSettings.Default)
            : StageProgress.Run(io, prog => VopSetOperations.Report(path, qs, qVar, VopPartition.Parse(partition), drives, seed, bins, SarKitSettings.Default, Progress(prog)));
        return Summary(io, json, r);
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
        var drives = AutoDrives();
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
                                string output, int? drives, int seed, double tol, bool json)
    {
        var request = new VopMergeRequest
        {
            Parts = parts, Q = qs, QVariable = qVar, Epsilon = ParseMargin(marginText), TargetVops = target, Algorithm = VopCompression.ParseAlgorithm(algo),
            MarginKind = VopCompression.ParseMarginKind(kindText), Output = output, Verifier = new VopVerifierSettings(drives, seed, tol),
        };
        var r = StageProgress.Run(io, prog => VopCompression.Merge(request, SarKitSettings.Default, Progress(prog)));
        if (!r.Passed)
        {
            io.Err.WriteLine($"error: the merged VOP set failed its certificate; nothing written to {output}. {string.Join(" ", r.Verification!.Problems)}");
            return CliApp.ExitInternal;
        }
        return Summary(io, json, r, request.Verifier.IsAutomatic);
    }

    // ------------------------------------------------------------------ keygen, sign

    private static Command Keygen(CliIO io)
    {
        var output = new Option<string>("--output", "-o") { Description = "Key file prefix: writes PREFIX.private.pem (PKCS#8, mode 0600) and PREFIX.public.pem (SubjectPublicKeyInfo).", Required = true };
        var cmd = new Command("keygen", "Create an ECDSA P-256 key pair for signing VOP certificates (docs/vop-format.md \"Signature\"). Existing files are never overwritten.") { output };
        cmd.SetAction(p => io.Guard(() =>
        {
            var k = VopSetOperations.Keygen(p.GetValue(output)!);
            io.Out.WriteLine($"private key: {k.PrivateKeyPath} (keep it secret; signs with `sarkit vop sign --key`)");
            io.Out.WriteLine($"public key:  {k.PublicKeyPath} (give it to consumers: --trusted-key)");
            io.Out.WriteLine($"key id:      {k.KeyId}");
            return CliApp.ExitOk;
        }));
        return cmd;
    }

    private static Command Sign(CliIO io)
    {
        var file = new Argument<string>("VOPS") { Description = "VOP file (.h5, .mat, .npz) with a valid certificate." };
        var key = new Option<string>("--key") { Description = "Private key PEM (PKCS#8, ECDSA P-256; from `sarkit vop keygen`).", Required = true };
        var output = new Option<string?>("--output", "-o") { Description = "Write the signed set here (same layout by extension) instead of rewriting VOPS in place (atomically)." };
        var cmd = new Command("sign", "Sign a VOP set's certificate digest with an ECDSA P-256 key; the signature is stored in the file, which is rewritten atomically.") { file, key, output };
        cmd.SetAction(p => io.Guard(() =>
        {
            var r = VopSetOperations.Sign(p.GetValue(file)!, p.GetValue(key)!, p.GetValue(output));
            io.Out.WriteLine($"{r.Path}: certificate digest {r.DigestSha256} signed by key {r.SignerKeySha256} (ECDSA P-256).");
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
            var r = StageProgress.Run(io, prog => VopSetOperations.Summarise(p.GetValue(q)!, p.GetValue(qv), SarKitSettings.Default, Progress(prog)));
            if (p.GetValue(json)) { ResultJson.Write(io.Out, r); return CliApp.ExitOk; }
            io.Out.WriteLine($"inputs:   {r.Inputs}");
            io.Out.WriteLine($"matrices: {r.Count} ({r.Channels} channels, normalisation {r.Normalisation})");
            io.Out.WriteLine($"sar_wc:   {r.SarWc.ToString("R", Inv)}");
            io.Out.WriteLine($"sha256:   {r.Sha256}");
            return CliApp.ExitOk;
        }));
        return cmd;
    }

    // ------------------------------------------------------------------ helpers

    /// <summary>ε of a --margin text ("0.05" or "5%"): <see cref="VopMargin.ParseEpsilon"/> (kept for `surrogate predict --vops-out`).</summary>
    internal static double ParseMargin(string s) => VopMargin.ParseEpsilon(s);

    /// <summary>Workflow progress on the command's stderr progress display.</summary>
    private static IProgress<VopProgress> Progress(StageProgress p) => new ProgressRelay(p);

    private sealed class ProgressRelay(StageProgress p) : IProgress<VopProgress>
    {
        public void Report(VopProgress v)
        {
            if (v.Message is { } m) p.Message(m);
            else p.Report(v.Stage, v.Done, v.Total, v.Detail);
        }
    }

    // ------------------------------------------------------------------ output

    private static int Summary(CliIO io, bool json, VopSetOutcome outcome, bool automaticDrives = false)
    {
        var (set, j) = (outcome.Set, outcome.Result!);
        var (cert, ver, over) = (j.Certificate, j.Verification, j.Overestimation);
        if (json) { ResultJson.Write(io.Out, j); return CliApp.ExitOk; }

        var t = new Table().AddColumn("Quantity").AddColumn("Value");
        void Row(string k, string v) => t.AddRow(new Text(k), new Text(v));
        Row("VOP file", j.File);
        Row("VOPs", $"{set.Count} ({set.Channels} channels)");
        Row("Margin", $"ε = {set.Margin.Epsilon:G4} of SAR_wc ({j.MarginKind})");
        Row("Criterion / algorithm", $"{j.Criterion} / {set.Algorithm}");
        Row("Originals", $"{set.SourceCount:N0} matrices, SAR_wc {set.SarWorstCase:G6} {Unit(set)}, SHA-256 {Short(set.SourceSha256)}");
        if (j.SarBasis is not null) Row("SAR basis", "surrogate-calibrated, NOT certified against true SAR (see the line below the table)");
        if (cert is null) Row("Certificate", "none (run `sarkit vop verify`)");
        else
        {
            Row("Certificate", !cert.Valid ? $"NOT VALID: {cert.Reason}"
                : j.SarBasis is null ? "VALID" : "VALID for the surrogate's predicted Q-matrices only (not certified against true SAR)");
            Row("  checked / failed", $"{cert.MatricesChecked:N0} / {cert.MatricesFailed:N0} ({cert.Criterion}, tolerance {cert.Tolerance:G3})");
            Row("  largest violation", $"{cert.LargestViolation:G4} (= {cert.LargestViolationOverSarWc:G4}·SAR_wc) at matrix {cert.LargestViolationIndex}");
            Row("  random drives", cert.RandomDrives > 0
                ? $"{cert.RandomDrives:N0}, max relative underestimation {cert.RandomMaxRelativeUnderestimation:G4}"
                : "not run (opt-in: --drives N)");
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
        // plain lines (never wrapped by the table): what the Q-matrices are, what this run checked
        if (j.SarBasis is { } basis) io.Out.WriteLine($"SAR basis: {basis}");
        if (cert is not null && ver is not null) io.Out.WriteLine($"Checked: {CheckedText(cert.MatricesChecked, cert.RandomDrives, automaticDrives)}");
        return CliApp.ExitOk;
    }

    /// <summary>What a verification checked, in words: the CC proof (the certificate) and the random-drive check beside it.</summary>
    internal static string CheckedText(long matrices, long drives, bool automatic) =>
        $"certificate: CC proof for all {matrices.ToString("N0", Inv)} originals; random check: " +
        (drives > 0 ? $"{drives.ToString("N0", Inv)} drives{(automatic ? " (automatic budget; --drives N for more)" : "")}" : "not run (opt-in: --drives N)");

    private static string Unit(VopSet s) => s.Normalisation == Fields.FieldNormalisation.Unspecified
        ? "(unit of the Q-matrices; normalisation unspecified)" : $"W/kg per {Fields.FieldNormalisationExtensions.DriveUnit(s.Normalisation)}²";

    private static string Short(string sha) => string.IsNullOrEmpty(sha) ? "(unknown)" : sha[..Math.Min(16, sha.Length)] + "…";
}
