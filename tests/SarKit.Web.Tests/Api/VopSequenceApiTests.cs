using System.Net;
using System.Net.Http.Json;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SarKit.Compression;
using SarKit.Fields;
using SarKit.IO;
using SarKit.Sar;
using SarKit.Supervision;
using SarKit.Supervision.Pulseq;
using SarKit.Web.Api;
using SarKit.Web.Tests.Support;
using SarKit.IO.Formats;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Web.Tests.Api;

/// <summary>VOP set and sequence check endpoints (issue 9 pages for issues 3 and 4) against the library's own results.</summary>
public sealed class VopSequenceApiTests(SarKitWebFactory factory) : IClassFixture<SarKitWebFactory>
{
    private const string FidSeq = "pulseq/pulseq_legacy_approved_fid.seq";
    private readonly HttpClient _http = factory.CreateClient();

    private static async Task<JsonElement> Json(HttpResponseMessage r, HttpStatusCode expected)
    {
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == expected, $"HTTP {(int)r.StatusCode}, expected {(int)expected}: {text[..Math.Min(text.Length, 2000)]}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Six random 3-channel PSD matrices (Q = Σ v vᴴ of two random vectors each), packed.</summary>
    internal static double[] RandomQ(int seed) => SarKit.Tests.Shared.TestMatrices.RandomPsd(seed, n: 3, k: 6);

    private (VopSet Set, string Name) WriteSmallVopFile(string name, bool certify)
    {
        var q = RandomQ(7);
        var set = VopCompressor.Compress(q, 3, new VopCompressionOptions { Epsilon = 0.1, Normalisation = FieldNormalisation.PerVoltIncident, MaxDegreeOfParallelism = 1 });
        if (certify) VopVerifier.Certify(set, new PackedQMatrixSource(q, 3), new VopVerifierOptions { RandomDrives = 100 });
        VopSetFiles.Write(set, Path.Combine(factory.DataFolder, name));
        return (set, name);
    }

    [Fact]
    public async Task Vop_info_shows_a_small_certified_file_and_flags_an_uncertified_one()
    {
        var (set, name) = WriteSmallVopFile("small_vops.h5", certify: true);
        var page = await Json(await _http.GetAsync($"/api/vop/info?path={name}"), HttpStatusCode.OK);
        var j = page.GetProperty("set"); // the `sarkit vop report --json` object (snake_case since issue 16)
        Assert.Equal(set.Count, j.GetProperty("count").GetInt32());
        Assert.Equal(3, j.GetProperty("channels").GetInt32());
        Assert.Equal(0.1, j.GetProperty("margin_epsilon").GetDouble(), 12);
        Assert.Equal(VopSetFile.CriterionId(set.Criterion), j.GetProperty("criterion").GetString());
        Assert.Equal(set.SourceSha256, j.GetProperty("source_sha256").GetString());
        Assert.Equal(6, j.GetProperty("source_count").GetInt64());
        Assert.True(page.GetProperty("certificate_valid").GetBoolean());
        var c = j.GetProperty("certificate");
        Assert.True(c.GetProperty("passed").GetBoolean());
        Assert.Equal(6, c.GetProperty("matrices_checked").GetInt64());
        Assert.Equal(VopSet.HashMatrices(set.Packed), page.GetProperty("vop_sha256").GetString());
        Assert.Equal(JsonValueKind.Null, j.GetProperty("overestimation").ValueKind);

        var (_, bare) = WriteSmallVopFile("bare_vops.npz", certify: false);
        var b = await Json(await _http.GetAsync($"/api/vop/info?path={bare}"), HttpStatusCode.OK);
        Assert.False(b.GetProperty("certificate_valid").GetBoolean());
        Assert.Contains("no certificate", b.GetProperty("certificate_note").GetString());

        // the dataset's Q-matrices have 8 channels: no histogram against them, with the reason
        var mismatch = await Json(await _http.GetAsync($"/api/vop/info?path={name}&q={TestData.DemoName}"), HttpStatusCode.BadRequest);
        Assert.Contains("3 channels", mismatch.GetProperty("error").GetString());
        await Json(await _http.GetAsync("/api/vop/info?path=../outside.h5"), HttpStatusCode.BadRequest);
        await Json(await _http.GetAsync("/api/vop/info?path=escape.h5"), HttpStatusCode.BadRequest);

        // the file list is snake_case too
        var files = await Json(await _http.GetAsync("/api/vop/files"), HttpStatusCode.OK);
        Assert.False(string.IsNullOrEmpty(files.GetProperty("data_folder").GetString()));
        var listed = files.GetProperty("files").EnumerateArray().Single(f => f.GetProperty("path").GetString() == name);
        Assert.True(listed.GetProperty("size_bytes").GetInt64() > 0);
    }

    private async Task<JsonElement> Compress(double marginPercent)
    {
        var deadline = DateTime.UtcNow.AddMinutes(10);
        while (true)
        {
            var j = await Json(await _http.PostAsJsonAsync("/api/vop/compress", new { path = TestData.DemoName, marginPercent }), HttpStatusCode.OK);
            var state = j.GetProperty("state").GetString();
            if (state == "done") return j.GetProperty("result");
            Assert.Equal("running", state);
            Assert.True(DateTime.UtcNow < deadline, "compression did not finish in 10 minutes");
            await Task.Delay(500);
        }
    }

    [Fact]
    public async Task Compress_gives_a_certified_set_of_the_demo_10g_matrices_with_a_histogram()
    {
        var page = await Compress(10);
        var r = page.GetProperty("set");
        Assert.True(page.GetProperty("certificate_valid").GetBoolean(), page.GetProperty("certificate_note").GetString());
        Assert.True(page.GetProperty("source_matches_dataset").GetBoolean());
        Assert.Equal(0.1, r.GetProperty("margin_epsilon").GetDouble(), 12);
        Assert.Equal(8, r.GetProperty("channels").GetInt32());
        int count = r.GetProperty("count").GetInt32();
        // the originals are the averaged 10 g Q-matrices the SAR viewer uses (same cache entry)
        var maps = await factory.Services.GetRequiredService<DatasetCache>().GetAsync(Path.Combine(factory.DataFolder, TestData.DemoName), 0.01, default);
        var q = maps.AveragedQ!.AllPacked.ToArray();
        Assert.Equal(VopSet.HashMatrices(q), r.GetProperty("source_sha256").GetString());
        Assert.Equal(q.Length / 64, r.GetProperty("source_count").GetInt64());
        Assert.InRange(count, 1, q.Length / 64 - 1);
        var cert = r.GetProperty("certificate");
        Assert.Equal(q.Length / 64, cert.GetProperty("matrices_checked").GetInt64());
        Assert.Equal(0, cert.GetProperty("matrices_failed").GetInt64());
        var o = r.GetProperty("overestimation");
        Assert.Equal(0, o.GetProperty("underestimating_drives").GetInt32());
        Assert.Equal(VopJobs.RandomDrives, o.GetProperty("relative_histogram").GetProperty("counts").EnumerateArray().Sum(x => x.GetInt64()));
        Assert.True(o.GetProperty("min_relative").GetDouble() >= -1e-9);
        // a second request answers from the cache
        var again = await Json(await _http.PostAsJsonAsync("/api/vop/compress", new { path = TestData.DemoName, marginPercent = 10 }), HttpStatusCode.OK);
        Assert.Equal("done", again.GetProperty("state").GetString());
        Assert.Equal(page.GetProperty("vop_sha256").GetString(), again.GetProperty("result").GetProperty("vop_sha256").GetString());
        // bad margin
        await Json(await _http.PostAsJsonAsync("/api/vop/compress", new { path = TestData.DemoName, marginPercent = 0 }), HttpStatusCode.BadRequest);
    }

    private static void AssertSameAsLibrary(JsonElement j, SequenceSarReport lib)
    {
        Assert.Equal(lib.Passed, j.GetProperty("passed").GetBoolean());
        var outcomes = j.GetProperty("limits").EnumerateArray().ToArray();
        Assert.Equal(lib.Outcomes.Count, outcomes.Length);
        for (int i = 0; i < outcomes.Length; i++)
        {
            var (o, w) = (lib.Outcomes[i], outcomes[i]);
            Assert.Equal(o.Limit.Metric.Id(), w.GetProperty("metric").GetString());
            Assert.Equal(o.Limit.WindowSeconds, w.GetProperty("window_s").GetDouble());
            Assert.Equal(o.Evaluated, w.GetProperty("evaluated").GetBoolean());
            Assert.Equal(o.Passed, w.GetProperty("passed").GetBoolean());
            if (!o.Evaluated) continue;
            Assert.Equal(o.Sar, w.GetProperty("sar_w_per_kg").GetDouble(), o.Sar * 1e-12);
            Assert.Equal(o.WorstWindowEndSeconds, w.GetProperty("worst_window_end_s").GetDouble(), 1e-12);
            Assert.Equal(o.MatrixIndex, w.GetProperty("matrix_index").GetInt32());
        }
        var b = lib.Binding!;
        Assert.Equal(b.Limit.Metric.Id(), j.GetProperty("binding").GetProperty("metric").GetString());
        Assert.Equal(b.Limit.WindowSeconds, j.GetProperty("binding").GetProperty("window_s").GetDouble());
        Assert.Equal(lib.MaxScaleFactor, j.GetProperty("max_scale_factor").GetDouble(), lib.MaxScaleFactor * 1e-12);
        if (lib.ShortestRepetitionSeconds is { } tr) Assert.Equal(tr, j.GetProperty("shortest_repetition_s").GetDouble(), tr * 1e-12);
        else Assert.Equal(JsonValueKind.Null, j.GetProperty("shortest_repetition_s").ValueKind);
        var tl = j.GetProperty("timeline").EnumerateArray().ToArray();
        Assert.Equal(2, tl.Length);
        foreach (var t in tl)
        {
            Assert.Equal(SupervisionEndpoints.TimelinePoints, t.GetProperty("t_end_s").GetArrayLength());
            Assert.Equal(SupervisionEndpoints.TimelinePoints, t.GetProperty("sar_w_per_kg").GetArrayLength());
            Assert.Single(t.GetProperty("limits_w_per_kg").EnumerateArray());
        }
    }

    private Task<HttpResponseMessage> Check(string seqText, string query) =>
        _http.PostAsync($"/api/seq/check?path={TestData.DemoName}&name=fid.seq&{query}", new StringContent(seqText, Encoding.UTF8, "text/plain"));

    [SharedReferenceFact(FidSeq)]
    public async Task Seq_check_reports_the_signature_and_refuses_a_signed_file_that_was_edited()
    {
        var text = await File.ReadAllTextAsync(SharedReference.Find(FidSeq)!);
        const string query = "matrices=q&calibration=20&mode=normal";
        var signed = await Json(await Check(text, query), HttpStatusCode.OK);
        Assert.Equal("verified", signed.GetProperty("signature").GetString());
        int at = text.IndexOf("[SIGNATURE]", StringComparison.Ordinal);
        var unsigned = await Json(await Check(text[..at], query), HttpStatusCode.OK);
        Assert.Equal("absent", unsigned.GetProperty("signature").GetString());
        Assert.Equal(signed.GetProperty("passed").GetBoolean(), unsigned.GetProperty("passed").GetBoolean());
        // one row removed from the [BLOCKS] body while the signature is kept: refused, never a verdict
        int blocks = text.IndexOf("[BLOCKS]", StringComparison.Ordinal);
        int row = text.IndexOf('\n', text.IndexOf('\n', blocks) + 1);
        while (text[row + 1] == '#') row = text.IndexOf('\n', row + 1);
        int rowEnd = text.IndexOf('\n', row + 1);
        var edited = await Json(await Check(text.Remove(row + 1, rowEnd - row), query), HttpStatusCode.BadRequest);
        Assert.Equal("bad_input", edited.GetProperty("kind").GetString());
    }

    [SharedReferenceFact(FidSeq)]
    public async Task Seq_check_with_the_certified_vops_equals_the_library_pass_and_fail()
    {
        var seqPath = SharedReference.Find(FidSeq)!;
        var text = await File.ReadAllTextAsync(seqPath);
        var vops = await factory.Services.GetRequiredService<VopJobs>().GetAsync(Path.Combine(factory.DataFolder, TestData.DemoName), TestData.DemoName, 0.1, default);
        var obs = new[] { SupervisionMatrixSets.FromVops(vops.Set, SarMetric.LocalHead, "test") };
        var limits = SarLimitTable.Default().Limits(null, OperatingMode.Normal, null, SarMetric.LocalHead);
        async Task<(JsonElement Web, SequenceSarReport Lib, double Period)> Both(double k)
        {
            var j = await Json(await Check(text, $"matrices=vop&marginPercent=10&calibration={k.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}&mode=normal"), HttpStatusCode.OK);
            var schedule = PulseqSchedule.Build(PulseqFile.Read(seqPath), SequenceSarEvaluation.UniformCp("V", k, 8, "test"), 1e-4);
            var lib = SequenceSarEvaluation.Run(schedule, obs, limits, RepetitionMode.Periodic, null, SupervisionEndpoints.TimelinePoints);
            AssertSameAsLibrary(j, lib);
            Assert.Equal(vops.Set.Count, j.GetProperty("matrices")[0].GetProperty("count").GetInt32());
            Assert.Equal(PulseqFile.Read(seqPath).Signature == PulseqSignatureStatus.Verified ? "verified" : "absent", j.GetProperty("signature").GetString());
            return (j, lib, schedule.PeriodSeconds);
        }
        var (pass, libPass, period) = await Both(20);
        Assert.True(libPass.Passed);
        Assert.Equal(period, pass.GetProperty("shortest_repetition_s").GetDouble(), 1e-12);
        // SAR ∝ calibration²: scale to 1.5 × the binding limit, which an added delay per repetition can fix
        double k2 = 20 * Math.Sqrt(1.5 / libPass.Binding!.Ratio);
        var (fail, libFail, _) = await Both(k2);
        Assert.False(libFail.Passed);
        Assert.Equal(1.5, libFail.Binding!.Ratio, 1e-9);
        Assert.True(fail.GetProperty("shortest_repetition_s").GetDouble() > period);
        Assert.Equal(Math.Sqrt(1 / 1.5), fail.GetProperty("max_scale_factor").GetDouble(), 1e-9);
    }

    [SharedReferenceFact(FidSeq)]
    public async Task Seq_check_with_all_10g_q_matrices_equals_the_library_in_first_level_mode()
    {
        var seqPath = SharedReference.Find(FidSeq)!;
        var j = await Json(await Check(await File.ReadAllTextAsync(seqPath), "matrices=q&calibration=50&mode=first&localRegion=trunk"), HttpStatusCode.OK);
        var maps = await factory.Services.GetRequiredService<DatasetCache>().GetAsync(Path.Combine(factory.DataFolder, TestData.DemoName), 0.01, default);
        var aq = maps.AveragedQ!;
        var obs = new[] { new SarObservable("q", SarMetric.LocalTrunk, 8, aq.AllPacked.ToArray(), "V") };
        var limits = SarLimitTable.Default().Limits(null, OperatingMode.FirstLevel, null, SarMetric.LocalTrunk);
        var schedule = PulseqSchedule.Build(PulseqFile.Read(seqPath), SequenceSarEvaluation.UniformCp("V", 50, 8, "test"), 1e-4);
        var lib = SequenceSarEvaluation.Run(schedule, obs, limits, RepetitionMode.Periodic, null, SupervisionEndpoints.TimelinePoints);
        AssertSameAsLibrary(j, lib);
        Assert.Equal("first", j.GetProperty("mode").GetString());
        Assert.Equal(aq.Count, j.GetProperty("matrices")[0].GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Seq_defaults_use_the_snake_case_result_schema()
    {
        var d = await Json(await _http.GetAsync("/api/seq/defaults"), HttpStatusCode.OK);
        Assert.Equal(SupervisionEndpoints.DefaultCalibrationVPerMicroTesla, d.GetProperty("calibration_v_per_micro_tesla").GetDouble());
        Assert.Equal(10, d.GetProperty("margin_percent").GetDouble());
        Assert.Equal("head", d.GetProperty("local_region").GetString());
        Assert.Equal(SupervisionEndpoints.TimelinePoints, d.GetProperty("timeline_points").GetInt32());
    }

    [Fact]
    public async Task Seq_check_rejects_oversized_uploads_and_bad_input()
    {
        var big = "# padding\n" + new string('#', (int)SarKitWebFactory.UploadLimit + 100);
        var r = await Json(await Check(big, "matrices=q"), HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal("too_large", r.GetProperty("kind").GetString());
        var bad = await Json(await Check("[VERSION]\nmajor 1\nminor 4\nrevision 0\n[BLOCKS]\n1 x\n", "matrices=q"), HttpStatusCode.BadRequest);
        Assert.Equal("bad_input", bad.GetProperty("kind").GetString());
        var mode = await Json(await Check("[VERSION]\n", "matrices=q&mode=fast"), HttpStatusCode.BadRequest);
        Assert.Contains("expected normal or first", mode.GetProperty("error").GetString());
        var m = await Json(await Check("[VERSION]\n", "matrices=all"), HttpStatusCode.BadRequest);
        Assert.Contains("matrices 'all'", m.GetProperty("error").GetString());
        await Json(await _http.PostAsync("/api/seq/check?path=../outside.h5&matrices=q", new StringContent("[VERSION]\n")), HttpStatusCode.BadRequest);
    }
}
