using SarKit.Fields;
using SarKit.Compression;
using SarKit.IO;
using SarKit.IO.Formats;

namespace SarKit.Web.Api;

/// <summary>
/// VOP sets (docs/vop.md): GET /api/vop/info opens a VOP file of the data folder (<see cref="VopSetFiles.Read"/>: .h5, .mat,
/// .npz), optionally with the overestimation histogram (<see cref="OverestimationReport"/>) against a dataset's averaged
/// Q-matrices; POST /api/vop/compress starts or polls the compression + certification of a dataset's averaged
/// Q-matrices (<see cref="VopJobs"/>).
/// </summary>
public static class VopEndpoints
{
    public sealed record CertificateJson(bool Passed, string Criterion, long MatricesChecked, long MatricesFailed, double LargestViolation,
        long LargestViolationIndex, double Tolerance, long RandomDrives, double RandomMaxRelativeUnderestimation, string SourceSha256,
        string VopSha256, string Verifier, DateTime CreatedUtc, int Version = 0, string DigestSha256 = "", bool Signed = false, string? SignerKeySha256 = null);
    public sealed record HistogramJson(double[] Edges, long[] Counts);
    public sealed record OverestimationJson(int Drives, int Seed, double SarWorstCase, double MeanRelative, double P95Relative, double MaxRelative,
        double MinRelative, int UnderestimatingDrives, long OriginalMatrices, HistogramJson? RelativeHistogram, string Against);
    public sealed record VerificationJson(Dictionary<string, long> CountsByProof, long UnderestimatingDrives, IReadOnlyList<string> Problems, double Seconds);
    public sealed record VopSetJson(string Source, string Name, int Count, int Channels, string MarginKind, double MarginEpsilon, string Criterion,
        string Algorithm, long SourceCount, string SourceSha256, double SarWorstCase, string Normalisation, string DriveUnit,
        CertificateJson? Certificate, bool CertificateValid, string CertificateNote, bool? SourceMatchesDataset,
        OverestimationJson? Overestimation, VerificationJson? Verification, Dictionary<string, string> Attributes);
    public sealed record CompressRequest(string? Path, double? MarginPercent);
    public sealed record CompressStatusJson(string State, double ElapsedS, string? Stage, string? Error, VopSetJson? Result);

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/vop/files", (DataFolder folder) => Results.Json(new { dataFolder = folder.Root, files = folder.List() }));

        api.MapGet("/vop/info", async (string? path, string? q, DataFolder folder, DatasetCache cache, SarKitWebOptions options, CancellationToken ct) =>
        {
            var full = folder.Resolve(path);
            var set = await Task.Run(() => DatasetGuard.Read(path!, () => VopSetFiles.Read(full)), ct);
            OverestimationJson? over = null; bool? matches = null;
            if (!string.IsNullOrEmpty(q))
            {
                var qFull = folder.Resolve(q);
                var maps = await cache.GetAsync(qFull, options.DefaultMassKg, ct);
                var aq = maps.AveragedQ ?? throw new SarKitInputException($"{q}: no averaged Q-matrices: {maps.AveragingUnavailableReason}");
                if (aq.Channels != set.Channels)
                    throw new SarKitInputException($"{path}: the VOP set has {set.Channels} channels, the dataset {q} has {aq.Channels}; no overestimation against it.");
                var packed = aq.AllPacked.ToArray();
                matches = VopSet.HashMatrices(packed) == set.SourceSha256;
                using var src = new PackedQMatrixSource(packed, aq.Channels, q, aq.Normalisation);
                var rep = await Task.Run(() => OverestimationReport.Compute(src, set.Packed, set.Channels,
                    new OverestimationOptions { Drives = VopJobs.RandomDrives, Bins = VopJobs.HistogramBins }, null, ct), ct);
                over = Over(rep, $"{maps.MassKg * 1e3:G4} g averaged Q-matrices of {q}");
            }
            return Results.Json(Json(set, "file", path!, over, null, matches));
        }).RequireRateLimiting(HeavyWork.Policy);

        api.MapPost("/vop/compress", async (HttpRequest http, DataFolder folder, VopJobs jobs, SarKitWebOptions options, CancellationToken ct) =>
        {
            var req = await RequestBody.ReadJsonAsync<CompressRequest>(http, options.MaxUploadBytes, ct);
            var full = folder.Resolve(req.Path);
            var s = jobs.StartOrPoll(full, req.Path!, Margin(req.MarginPercent));
            if (s.State == "failed") return Results.Json(new ApiError(s.Error ?? "failed", s.ErrorStatus ?? 500, s.ErrorStatus switch { 400 => "bad_input", 422 => "unreadable", _ => "internal" }), statusCode: s.ErrorStatus ?? 500);
            var r = s.Result;
            return Results.Json(new CompressStatusJson(s.State, s.ElapsedS, s.Stage, s.Error,
                r is null ? null : Json(r.Set, "compressed", $"{r.DatasetPath} ({options.DefaultMassKg * 1e3:G4} g, margin {r.MarginFraction * 100:G4} %)",
                    Over(r.Overestimation, $"{options.DefaultMassKg * 1e3:G4} g averaged Q-matrices of {r.DatasetPath}"), r, true)));
        }).WithMetadata(new BodyContentTypes("application/json"));
    }

    /// <summary>Margin in percent of SAR_wc (default 10 %) → fraction.</summary>
    internal static double Margin(double? percent) => percent switch
    {
        null => 0.10,
        { } p when double.IsFinite(p) && p > 0 && p <= 100 => p / 100,
        { } p => throw new SarKitInputException($"marginPercent = {p}: expected a VOP margin in (0, 100] % of the worst-case SAR."),
    };

    private static double? Num(double x) => double.IsFinite(x) ? x : null;

    private static OverestimationJson Over(OverestimationReport r, string against) => new(r.Drives, r.Seed, r.SarWorstCase, r.MeanRelative, r.P95Relative,
        r.MaxRelative, r.MinRelative, r.UnderestimatingDrives, r.OriginalMatrices,
        r.RelativeHistogram is { } h ? new HistogramJson(h.Edges, h.Counts) : null, against);

    internal static VopSetJson Json(VopSet s, string source, string name, OverestimationJson? over, CompressedVops? compressed, bool? matches)
    {
        bool valid = s.HasValidCertificate(out var why);
        var c = s.Certificate;
        return new VopSetJson(source, name, s.Count, s.Channels, s.Margin.Kind.ToString(), s.Margin.Epsilon, s.Criterion.ToString(), s.Algorithm,
            s.SourceCount, s.SourceSha256, s.SarWorstCase, s.Normalisation.ToString(), s.Normalisation.DriveUnit(),
            c is null ? null : new CertificateJson(c.Passed, c.Criterion.ToString(), c.MatricesChecked, c.MatricesFailed, c.LargestViolation,
                c.LargestViolationIndex, c.Tolerance, c.RandomDrives, c.RandomMaxRelativeUnderestimation, c.SourceSha256, c.VopSha256, c.Verifier, c.CreatedUtc,
                c.Version, c.DigestSha256, !string.IsNullOrEmpty(c.Signature), c.SignerKeySha256),
            valid, valid ? "valid: passed with 0 failed matrices, and its digest binds these VOPs, margin, SAR_wc, unit and originals (a digest detects accidental corruption, not tampering; see docs/vop-format.md)" : why, matches, over,
            compressed is null ? null : new VerificationJson(
                Enum.GetValues<VopProofKind>().ToDictionary(k => k.ToString(), k => compressed.Verification.Count(k)),
                compressed.Verification.UnderestimatingDrives, compressed.Verification.Problems, compressed.Seconds),
            s.Attributes);
    }
}
