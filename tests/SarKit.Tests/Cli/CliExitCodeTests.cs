using System.Diagnostics;
using System.Text.Json;
using SarKit.IO;
using SarKit.Tests.Support;
using SarKit.IO.Arrays;
using SarKit.IO.Formats;
using SarKit.Reporting;

namespace SarKit.Tests.Cli;

/// <summary>
/// Issue 14, class 9: input faults are exit 2, not "internal error" (exit 1): non-finite results never reach the JSON
/// writer, damaged --resume checkpoints are refused naming the field, stale temporary files are cleaned up.
/// </summary>
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
    [InlineData("1e200,1e200", "amplitude")]
    [InlineData("1@1e300,1", "phase")]
    [InlineData("-1,1", "amplitude")]
    public void ExtremeDriveIsBadInputNamingTheValue(string drive, string what)
    {
        using var tmp = new TempDir();
        var f = BlockDataset(tmp);
        var r = CliRunner.Run("sar", "-f", f, "-d", drive, "--mass", "point", "--json", "-o", tmp.File("maps.npz"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--drive", r.Err);
        Assert.Contains(what, r.Err);
        Assert.Equal("", r.Out);
        Assert.Equal(["block.npz"], tmp.Files());
    }

    [Theory]
    [InlineData("""{"amplitude": [1e400, 1]}""", "1e400")]
    [InlineData("""{"amplitude": [1, 1], "phase_deg": [0, -1e999]}""", "-1e999")]
    [InlineData("""{"re": [1e300, 0], "im": [1e300, 0]}""", "exceeds")]
    public void ExtremeDriveFileIsBadInputNamingFileAndValue(string json, string expected)
    {
        using var tmp = new TempDir();
        var f = BlockDataset(tmp);
        var d = tmp.File("drive.json");
        File.WriteAllText(d, json);
        var r = CliRunner.Run("sar", "-f", f, "-d", d, "--mass", "point");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("drive.json", r.Err);
        Assert.Contains(expected, r.Err);
    }

    [Fact]
    public void OverflowingAbsorbedPowerIsRefusedNotAveragedIntoNaN()
    {
        // DriveVector's constructor accepts any finite amplitude (library callers); the power computation fails closed
        var t = TestPhantoms.Block(4, 4, 4, 2, 0.005);
        var e = TestPhantoms.RandomFields(t.Grid, 2, 3);
        var drive = new SarKit.Fields.DriveVector([new System.Numerics.Complex(1e200, 0), 1]);
        var ex = Assert.Throws<SarKitInputException>(() => SarKit.Sar.LocalSar.Compute(t, e, drive));
        Assert.Contains("overflows", ex.Message);
    }

    private sealed record Probe(double A, double? B, float[] C);

    [Fact]
    public void JsonWriterRefusesNonFiniteNamingThePath()
    {
        var w = new StringWriter();
        var e = Assert.Throws<SarKitInputException>(() => SarKit.Workflows.Results.ResultJson.Write(w, new Probe(1, 2, [1f, float.NaN])));
        Assert.Contains("$.c[1]", e.Message);
        Assert.Equal("", w.ToString());
        e = Assert.Throws<SarKitInputException>(() => SarKit.Workflows.Results.ResultJson.Write(w, new Probe(double.NegativeInfinity, null, [])));
        Assert.Contains("$.a", e.Message);
        SarKit.Workflows.Results.ResultJson.Write(w, new Probe(1, SarKit.Workflows.Results.ResultJson.Num(double.PositiveInfinity), [2f]));
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
