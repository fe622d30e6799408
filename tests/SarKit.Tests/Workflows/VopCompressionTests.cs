using System.Text.Json;
using SarKit.Compression;
using SarKit.Fields;
using SarKit.IO.Formats;
using SarKit.Tests.Cli;
using SarKit.Tests.Compression;
using SarKit.Workflows;
using SarKit.Workflows.Results;

namespace SarKit.Tests.Workflows;

/// <summary>The VOP, margin and MVIE use cases called directly (no CLI parsing).</summary>
public sealed class VopCompressionTests : IDisposable
{
    private const int N = 4, K = 60;
    private static readonly SarKitSettings OneThread = new() { MaxDegreeOfParallelism = 1 };
    private readonly TempDir _dir = new();
    private readonly double[] _q = VopVerifierTests.RandomSet(N, K, 31, rank: 2);
    private string QPath => _dir.File("q.h5");

    public VopCompressionTests() => VopCliTests.WriteQ(QPath, _q, N);
    public void Dispose() => _dir.Dispose();

    private VopCompressionRequest Request(string output, VopPartition? part = null, bool resume = false) => new()
    {
        Q = [QPath], Epsilon = 0.1, Output = output, Partition = part, Resume = resume, Verifier = new VopVerifierSettings(Drives: 500),
    };

    [Fact]
    public void Partitions_1_of_2_and_2_of_2_merged_certify_every_original_matrix()
    {
        var parts = new List<string>();
        long covered = 0;
        for (int i = 1; i <= 2; i++)
        {
            string p = _dir.File($"part{i}.h5");
            var o = VopCompression.Compress(Request(p, new VopPartition(i, 2)), OneThread);
            Assert.True(o.Passed);
            Assert.Equal($"{i}/2", o.Set.Attributes["partition"]);
            covered += o.Set.SourceCount;
            Assert.Equal(o.Set.SourceCount, o.Result!.Certificate!.MatricesChecked);
            parts.Add(p);
        }
        Assert.Equal(K, covered);
        string merged = _dir.File("merged.h5");
        var m = VopCompression.Merge(new VopMergeRequest { Parts = parts, Q = [QPath], Epsilon = 0.05, Output = merged, Verifier = new VopVerifierSettings(Drives: 500) }, OneThread);
        Assert.True(m.Passed, string.Join(" ", m.Verification!.Problems));
        var r = m.Result!;
        Assert.Equal("merge", r.Command);
        Assert.True(r.Certificate!.Valid, r.Certificate.Reason);
        Assert.Equal(K, r.Certificate.MatricesChecked);
        Assert.Equal(0, r.Certificate.MatricesFailed);
        Assert.Empty(r.Verification!.FailedIndices);
        Assert.Equal(VopSet.HashMatrices(_q), r.SourceSha256);
        // the file written verifies independently against every original (dominance re-proven, not read from the file)
        var back = VopSetFiles.Read(merged);
        var again = VopVerifier.Certify(back, new PackedQMatrixSource(_q, N), new VopVerifierOptions { RandomDrives = 200, MaxDegreeOfParallelism = 1 });
        Assert.True(again.Certificate.Passed);
        Assert.Equal(0.05 + 0.1, back.Margin.Epsilon, 12);
    }

    [Fact]
    public void Resume_from_a_checkpoint_gives_the_same_set_as_an_uninterrupted_run()
    {
        string full = _dir.File("full.h5");
        var a = VopCompression.Compress(Request(full), OneThread);
        Assert.True(a.Passed);
        Assert.False(File.Exists(VopCheckpointFile.PathFor(full)));

        // the state after the first iteration of the same run, as the compressor hands it to the checkpoint writer
        VopCompressionCheckpoint? first = null;
        VopCompressor.Compress(_q, N, new VopCompressionOptions
        {
            Epsilon = 0.1, Normalisation = FieldNormalisation.PerVoltIncident, MaxDegreeOfParallelism = 1, OnCheckpoint = ck => first ??= ck,
        });
        Assert.NotNull(first);
        string resumed = _dir.File("resumed.h5");
        new VopCheckpointFile(Path.GetFullPath(QPath), null, "iterative", "diagonal", 0.1, null, false, "2026-01-01T00:00:00Z", first!)
            .Write(VopCheckpointFile.PathFor(resumed));
        var messages = new List<string>();
        var b = VopCompression.Compress(Request(resumed, resume: true), OneThread, new Collect(messages));
        Assert.True(b.Passed);
        Assert.Contains(messages, m => m.StartsWith("resuming from", StringComparison.Ordinal));
        Assert.False(File.Exists(VopCheckpointFile.PathFor(resumed)));
        Assert.Equal(a.Set.Packed, b.Set.Packed);
        Assert.Equal(a.Set.SourceIndex, b.Set.SourceIndex);
        Assert.Equal(a.Set.Margin.Epsilon, b.Set.Margin.Epsilon);

        // a checkpoint of another run (other margin) is refused, naming the file
        new VopCheckpointFile(Path.GetFullPath(QPath), null, "iterative", "diagonal", 0.2, null, false, "2026-01-01T00:00:00Z", first!)
            .Write(VopCheckpointFile.PathFor(resumed));
        var e = Assert.Throws<SarKitInputException>(() => VopCompression.Compress(Request(resumed, resume: true), OneThread));
        Assert.Contains("belongs to another run", e.Message);
    }

    private sealed class Collect(List<string> messages) : IProgress<VopProgress>
    {
        public void Report(VopProgress value) { if (value.Message is { } m) lock (messages) messages.Add(m); }
    }

    [Fact]
    public void Cli_report_json_and_the_web_page_result_are_the_same_result_type()
    {
        string path = _dir.File("v.h5");
        Assert.True(VopCompression.Compress(Request(path), OneThread).Passed);
        var cli = CliRunner.Run("vop", "report", path, "--json");
        Assert.Equal(0, cli.ExitCode);
        var cliJson = JsonDocument.Parse(cli.Out).RootElement;
        var set = VopSetFiles.Read(path);
        var page = VopSetOperations.DescribeForPage("file", "v.h5", path, set, null, null, null, null, 0);
        Assert.IsType<VopSetResult>(page.Set);
        var webJson = JsonDocument.Parse(ResultJson.Serialize(page)).RootElement.GetProperty("set");
        Assert.Equal(cliJson.EnumerateObject().Select(p => p.Name), webJson.EnumerateObject().Select(p => p.Name));
        foreach (var name in new[] { "count", "channels", "criterion", "algorithm", "margin_kind", "margin_epsilon", "source_count", "source_sha256", "sar_wc", "certificate" })
            Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(System.Text.Json.Nodes.JsonNode.Parse(cliJson.GetProperty(name).GetRawText()),
                System.Text.Json.Nodes.JsonNode.Parse(webJson.GetProperty(name).GetRawText())), name);
        Assert.True(page.CertificateValid);
        Assert.Equal(set.Certificate!.VopSha256, page.VopSha256);
    }

    [Fact]
    public void CompressPacked_certifies_in_memory_matrices_and_reports_the_overestimation()
    {
        var stages = new List<string>();
        var r = VopCompression.CompressPacked(_q, N, FieldNormalisation.PerVoltIncident, 0.1, "test", s => s.Attributes["source"] = "test",
            new VopVerifierSettings(Drives: 300), overestimationDrives: 300, histogramBins: 10, OneThread, new Stages(stages));
        Assert.True(r.Verification.Certificate.Passed);
        Assert.Equal("test", r.Set.Attributes["source"]);
        Assert.Equal(VopSet.HashMatrices(_q), r.Verification.SourceSha256);
        Assert.Equal(300, r.Overestimation!.Drives);
        Assert.Equal(0, r.Overestimation.UnderestimatingDrives);
        Assert.Contains(stages, s => s.StartsWith("compress:", StringComparison.Ordinal));
        Assert.Contains(stages, s => s.StartsWith("verify:", StringComparison.Ordinal));
        Assert.Throws<SarKitInputException>(() => VopCompression.CompressPacked(_q, N, FieldNormalisation.PerVoltIncident, 0, "test", null, new VopVerifierSettings()));
    }

    private sealed class Stages(List<string> stages) : IProgress<VopProgress>
    {
        public void Report(VopProgress value) { lock (stages) stages.Add(value.Stage); }
    }

    [Fact]
    public void Margin_text_partitions_and_margin_bases()
    {
        Assert.Equal(0.05, VopMargin.ParseEpsilon("5%"), 15);
        Assert.Equal(0.05, VopMargin.ParseEpsilon(" 0.05 "), 15);
        Assert.Contains("--margin", Assert.Throws<SarKitInputException>(() => VopMargin.ParseEpsilon("0")).Message);
        Assert.Throws<SarKitInputException>(() => VopMargin.ParseEpsilon("11"));
        Assert.Throws<SarKitInputException>(() => VopMargin.ParseEpsilon("five"));
        Assert.Equal("3/16", VopPartition.Parse("3/16")!.ToString());
        Assert.Null(VopPartition.Parse(null));
        Assert.Equal((0L, 10L), VopPartition.Range(null, 10));
        var d = VopMargin.DiagonalBase(3, 2.0);
        Assert.Equal([2.0, 2.0, 2.0, 0, 0, 0, 0, 0, 0], d);
        double wc = VopSet.WorstCaseSar(_q, N);
        var sum = new double[N * N];
        for (int i = 0; i < _q.Length; i++) sum[i % (N * N)] += _q[i];
        var g = VopMargin.GlobalBase(sum, N, wc);
        Assert.Equal(wc, Numerics.LinearAlgebra.HermitianKernels.LargestEigenvalue(g, N), wc * 1e-9);
        Assert.Throws<SarKitInputException>(() => VopMargin.GlobalBase(new double[N * N], N, wc));
    }

    [Fact]
    public void Verify_stores_a_certificate_and_a_broken_set_fails_without_exception()
    {
        string path = _dir.File("v.npz");
        Assert.True(VopCompression.Compress(Request(path), OneThread).Passed);
        var ok = VopSetOperations.Verify(path, [QPath], null, null, new VopVerifierSettings(Drives: 200), OneThread);
        Assert.True(ok.Passed);
        Assert.Equal("verify", ok.Result!.Command);
        Assert.Equal(K, ok.Result.Certificate!.MatricesChecked);
        // against other originals (a different random set) the set fails: a verdict, not an exception
        string other = _dir.File("other.h5");
        VopCliTests.WriteQ(other, VopVerifierTests.RandomSet(N, K, 99, rank: 2).Select(x => 3 * x).ToArray(), N);
        var bad = VopSetOperations.Verify(path, [other], null, null, new VopVerifierSettings(Drives: 200), OneThread);
        Assert.False(bad.Passed);
        Assert.False(bad.Result!.Certificate!.Passed);
        Assert.Throws<SarKitInputException>(() => VopSetOperations.Verify(path, [QPath], null, null, new VopVerifierSettings(Drives: -1), OneThread));
    }

    [Fact]
    public void Margin_cr_matches_the_seed_values()
    {
        var r = MarginApplication.Cr(2, 3);
        Assert.Equal(0.5642, r.Cr, 3);
        Assert.Equal(3 + r.Cr, r.KPlusCr, 12);
        Assert.Equal(1.87, MarginApplication.Cr(20, 3).Cr, 2);
    }
}
