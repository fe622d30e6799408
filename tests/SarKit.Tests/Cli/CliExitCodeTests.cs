using System.Diagnostics;
using System.Text.Json;
using SarKit.IO;
using SarKit.Tests.Support;

namespace SarKit.Tests.Cli;

/// <summary>
/// Issue 14, class 9: input faults are exit 2, not "internal error" (exit 1): non-finite results never reach the JSON
/// writer, damaged --resume checkpoints are refused naming the field, stale temporary files are cleaned up.
/// </summary>
[Collection("Console")]
public class CliExitCodeTests
{
    private static string BlockDataset(TempDir tmp)
    {
        var t = TestPhantoms.Block(6, 6, 6, 2, 0.005);
        var ds = new SarDataset(t, TestPhantoms.RandomFields(t.Grid, 2, 7));
        var path = tmp.File("block.npz");
        ArrayDatasetMapper.WriteNpz(ds, path);
        return path;
    }

    [Theory]
    [InlineData("point", true)]
    [InlineData("point", false)]
    [InlineData("10g", true)]
    public void OverflowingResultIsRefusedNeverWrittenAsJson(string mass, bool json)
    {
        using var tmp = new TempDir();
        var f = BlockDataset(tmp);
        // |b|² of 1e200 overflows: the SAR is +∞
        string[] args = ["sar", "-f", f, "-d", "1e200,1e200", "--mass", mass, "-o", tmp.File("maps.npz")];
        var r = CliRunner.Run(json ? [.. args, "--json"] : args);
        Assert.True(r.ExitCode == 2, r.Err);
        Assert.DoesNotContain("internal error", r.Err);
        Assert.Contains("overflow", r.Err);
        Assert.Equal("", r.Out);
        Assert.Equal(["block.npz"], tmp.Files());
    }

    private sealed record Probe(double A, double? B, float[] C);

    [Fact]
    public void JsonWriterRefusesNonFiniteNamingThePath()
    {
        var w = new StringWriter();
        var e = Assert.Throws<SarKitInputException>(() => SarKit.Cli.Json.Write(w, new Probe(1, 2, [1f, float.NaN])));
        Assert.Contains("$.c[1]", e.Message);
        Assert.Equal("", w.ToString());
        e = Assert.Throws<SarKitInputException>(() => SarKit.Cli.Json.Write(w, new Probe(double.NegativeInfinity, null, [])));
        Assert.Contains("$.a", e.Message);
        SarKit.Cli.Json.Write(w, new Probe(1, SarKit.Cli.Json.Num(double.PositiveInfinity), [2f]));
        using var doc = JsonDocument.Parse(w.ToString()); // valid JSON, with null for the undefined value
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("b").ValueKind);
    }

    private static string Checkpoint(string q, string checkpoint) => $$"""
        {"input": {{JsonSerializer.Serialize(Path.GetFullPath(q))}}, "partition": null, "algorithm": "iterative", "margin_kind": "diagonal", "margin": 0.05,
         "target_vops": null, "post_process": false, "created_utc": "2026-01-01T00:00:00Z", "checkpoint": {{checkpoint}} }
        """;

    [Theory]
    [InlineData("""{"iteration": 2, "epsilon": 0.1, "vop_source_indices": null, "source_sha256": null, "options_fingerprint": null}""", "checkpoint.vop_source_indices")]
    [InlineData("""{"iteration": 2, "epsilon": 0.1, "vop_source_indices": [0, 1], "source_sha256": null, "options_fingerprint": "x"}""", "checkpoint.source_sha256")]
    [InlineData("""{"iteration": 2, "epsilon": 0.1, "vop_source_indices": [0, -3], "source_sha256": null, "options_fingerprint": "x"}""", "checkpoint.vop_source_indices[1]")]
    [InlineData("""{"iteration": -1, "epsilon": 0.1, "vop_source_indices": [0], "source_sha256": null, "options_fingerprint": "x"}""", "checkpoint.iteration")]
    [InlineData("""{"iteration": 1, "epsilon": 0, "vop_source_indices": [0], "source_sha256": null, "options_fingerprint": "x"}""", "checkpoint.epsilon")]
    [InlineData("""{"iteration": 1, "epsilon": 1e400, "vop_source_indices": [0], "source_sha256": null, "options_fingerprint": "x"}""", "checkpoint")]
    [InlineData("""{"iteration": 1, "epsilon": 0.1, "vop_source_indices": [0, 0], "source_sha256": "00", "options_fingerprint": "x"}""", "checkpoint.vop_source_indices")]
    public void DamagedCheckpointIsBadInputNamingTheField(string checkpoint, string field)
    {
        using var tmp = new TempDir();
        var q = tmp.File("q.npz");
        var o = tmp.File("v.h5");
        File.WriteAllText(o + ".checkpoint.json", Checkpoint(q, checkpoint));
        var r = CliRunner.Run("vop", "compress", "--q", q, "--margin", "0.05", "-o", o, "--resume");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(field, r.Err);
        Assert.DoesNotContain("internal error", r.Err);
    }

    [Fact]
    public void CheckpointWithNullTopLevelFieldsIsBadInput()
    {
        using var tmp = new TempDir();
        var o = tmp.File("v.h5");
        File.WriteAllText(o + ".checkpoint.json", """{"input": null, "algorithm": null, "margin_kind": null, "margin": 0.05, "post_process": false, "created_utc": null, "checkpoint": {"iteration": 0, "epsilon": 0.1, "vop_source_indices": [], "source_sha256": null, "options_fingerprint": null}}""");
        var r = CliRunner.Run("vop", "compress", "--q", tmp.File("q.npz"), "--margin", "0.05", "-o", o, "--resume");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("'input'", r.Err);
    }

    private static int DeadPid()
    {
        for (int pid = 4_000_000; ; pid--)
        {
            try { using var p = Process.GetProcessById(pid); }
            catch (ArgumentException) { return pid; }
        }
    }

    [Fact]
    public void StaleTempFilesOfAKilledWriterAreRemovedOnTheNextWrite()
    {
        using var tmp = new TempDir();
        int dead = DeadPid(), live = Environment.ProcessId;
        string[] stale = [$".out.npz.sarkit-tmp-{dead}-0123abcd", $".out.npz.{dead}.{Guid.NewGuid():N}.tmp", $".out.npz.{Guid.NewGuid():N}.tmp"];
        string[] kept = [$".out.npz.sarkit-tmp-{live}-77", $".other.npz.sarkit-tmp-{dead}-1", "notes.tmp"];
        foreach (var f in stale.Concat(kept)) File.WriteAllText(tmp.File(f), "partial");
        NpzArchive.Write(tmp.File("out.npz"), [new("a", new NdArray(NdType.Float64, [2], new[] { 1.0, 2.0 }))]);
        Assert.Equal(kept.Append("out.npz").Order(), tmp.Files().Order());
    }

    [Fact]
    public void TempFilesHaveTheDocumentedPattern()
    {
        using var tmp = new TempDir();
        var t = AtomicOutput.TempPathFor(tmp.File("x.h5"), out var full);
        Assert.Equal(full, tmp.File("x.h5"));
        Assert.StartsWith($".x.h5.sarkit-tmp-{Environment.ProcessId}-", Path.GetFileName(t));
    }
}
