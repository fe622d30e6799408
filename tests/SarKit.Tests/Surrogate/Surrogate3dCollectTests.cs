using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using SarKit.Tests.Cli;
using SarKit.Tests.Support;
using Xunit.Abstractions;

namespace SarKit.Tests.Surrogate;

/// <summary>tools/surrogate3d/collect.py merges the batch output into the committed dataset (docs/surrogate3d-dataset.md,
/// "Batch generation"): committed subjects are kept, new ones added, and a subject whose new entry differs from the
/// committed one (sha256, body-model generator, ...) is refused with exit 2 naming the subject and the field, unless
/// --replace names it; a refusal changes nothing. Runs on temporary copies of two committed subjects.</summary>
public class Surrogate3dCollectTests(ITestOutputHelper output)
{
    private static string DataDir => Path.Combine(SharedData.RepoRoot, "data", "surrogate3d");
    private static string Collect => Path.Combine(SharedData.RepoRoot, "tools", "surrogate3d", "collect.py");

    private static JsonObject Committed(string id)
    {
        var man = JsonNode.Parse(File.ReadAllText(Path.Combine(DataDir, "manifest.json")))!;
        return (JsonObject)man["subjects"]!.AsArray().Single(s => s!["id"]!.GetValue<string>() == id)!.DeepClone();
    }

    private static string Sha(string path)
    {
        using var fs = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(fs));
    }

    /// <summary>A committed-style destination holding A00001 and B00001 with a manifest of the two.</summary>
    private static void MakeDest(string dest)
    {
        Directory.CreateDirectory(dest);
        var subjects = new JsonArray();
        foreach (var id in new[] { "A00001", "B00001" })
        {
            File.Copy(Path.Combine(DataDir, id + ".h5"), Path.Combine(dest, id + ".h5"));
            subjects.Add(Committed(id));
        }
        var man = new JsonObject { ["description"] = "test", ["subjects"] = subjects, ["refused"] = new JsonArray(), };
        File.WriteAllText(Path.Combine(dest, "manifest.json"), man.ToJsonString());
    }

    /// <summary>A run_subject.py summary (outdir/ID.json) for subject id whose compact file is a copy of committed file
    /// <paramref name="content"/> (so the hash is that file's).</summary>
    private static void AddOutput(string outdir, string id, string content, string? generator = null)
    {
        Directory.CreateDirectory(outdir);
        string dst = Path.Combine(outdir, id + ".h5");
        File.Copy(Path.Combine(DataDir, content + ".h5"), dst, overwrite: true);
        var e = Committed(content);
        var validation = new JsonObject();
        foreach (var k in new[] { "wall_time_s", "energy_min_eig", "max_abs_S", "reciprocity_max_abs_S_minus_ST", "Skk_dB", "absorbed_over_incident_diag", "clearance_mm" })
            validation[k] = e[k]!.DeepClone();
        var s = new JsonObject
        {
            ["id"] = id, ["family"] = id[..1], ["seed"] = int.Parse(id[1..]), ["file"] = id + ".h5",
            ["bytes"] = new FileInfo(dst).Length, ["sha256"] = Sha(dst), ["slab_cells"] = e["slab_cells"]!.DeepClone(),
            ["keep_bits"] = e["keep_bits"]!.DeepClone(), ["format_version"] = e["format_version"]!.DeepClone(),
            ["targets"] = e["targets"]!.DeepClone(), ["validation"] = validation,
        };
        if (generator is not null) s["generator"] = generator;
        File.WriteAllText(Path.Combine(outdir, id + ".json"), s.ToJsonString());
    }

    private (int Code, string Text) Run(string outdir, string dest, params string[] extra)
    {
        var r = PythonFactAttribute.Run([Collect, "--outdir", outdir, "--dest", dest, "--workdir", Path.Combine(outdir, "no-raw-runs"), .. extra], TimeSpan.FromMinutes(3));
        output.WriteLine($"exit {r.ExitCode}: {r.Output}");
        return r;
    }

    private static JsonArray Subjects(string dest) => JsonNode.Parse(File.ReadAllText(Path.Combine(dest, "manifest.json")))!["subjects"]!.AsArray();

    private static Dictionary<string, string> Snapshot(string dest) =>
        Directory.GetFiles(dest).ToDictionary(f => Path.GetFileName(f), Sha);

    [PythonFact("numpy", "h5py")]
    public void A_new_subject_is_added_and_the_committed_ones_are_kept()
    {
        using var tmp = new TempDir();
        string dest = tmp.File("dest"), outdir = tmp.File("out");
        MakeDest(dest);
        AddOutput(outdir, "A00002", "A00002");          // new
        AddOutput(outdir, "A00001", "A00001");          // the committed subject again, identical
        var (code, text) = Run(outdir, dest);
        Assert.True(code == 0, text);
        var subjects = Subjects(dest);
        Assert.Equal(["A00001", "A00002", "B00001"], subjects.Select(s => s!["id"]!.GetValue<string>()).ToArray());
        // the committed entries keep every recorded figure (the output folder never held B00001)
        foreach (var id in new[] { "A00001", "B00001" })
        {
            var before = Committed(id);
            var after = (JsonObject)subjects.Single(s => s!["id"]!.GetValue<string>() == id)!;
            foreach (var (k, v) in before)
                Assert.True(JsonNode.DeepEquals(v, after[k]), $"{id}.{k}: {v?.ToJsonString()} -> {after[k]?.ToJsonString()}");
            Assert.StartsWith("SarKit.Surrogate.BodyModels.BodyModelGenerator v", after["generator"]!.GetValue<string>());
        }
        Assert.Equal(Committed("A00002")["sha256"]!.GetValue<string>(), Sha(Path.Combine(dest, "A00002.h5")));
        var man = JsonNode.Parse(File.ReadAllText(Path.Combine(dest, "manifest.json")))!;
        Assert.Equal(2, man["counts"]!["A"]!.GetValue<int>());
        Assert.Equal(1, man["counts"]!["B"]!.GetValue<int>());
        Assert.Equal(subjects.Sum(s => s!["bytes"]!.GetValue<long>()), man["total_bytes"]!.GetValue<long>());
        Assert.False(File.Exists(Path.Combine(dest, "manifest.json.tmp")));

        // a second collect of the same folder changes nothing
        var snap = Snapshot(dest);
        (code, text) = Run(outdir, dest);
        Assert.True(code == 0, text);
        Assert.Equal(snap, Snapshot(dest));
    }

    [PythonFact("numpy", "h5py")]
    public void A_conflicting_subject_is_refused_unless_replaced()
    {
        using var tmp = new TempDir();
        string dest = tmp.File("dest"), outdir = tmp.File("out");
        MakeDest(dest);
        AddOutput(outdir, "A00002", "A00002");
        AddOutput(outdir, "A00001", "A00003");          // another file under a committed id: a different hash
        var snap = Snapshot(dest);
        var (code, text) = Run(outdir, dest);
        Assert.Equal(2, code);
        Assert.Contains("subject A00001: field sha256", text);
        Assert.Equal(snap, Snapshot(dest));             // nothing copied, manifest untouched (not even A00002)

        (code, text) = Run(outdir, dest, "--replace", "B00001");   // names a subject without a differing entry
        Assert.Equal(2, code);
        Assert.Contains("A00001", text);
        Assert.Equal(snap, Snapshot(dest));

        (code, text) = Run(outdir, dest, "--replace", "A00001");
        Assert.True(code == 0, text);
        var a1 = Subjects(dest).Single(s => s!["id"]!.GetValue<string>() == "A00001")!;
        Assert.Equal(Committed("A00003")["sha256"]!.GetValue<string>(), a1["sha256"]!.GetValue<string>());
        Assert.Equal(a1["sha256"]!.GetValue<string>(), Sha(Path.Combine(dest, "A00001.h5")));
        Assert.Equal(3, Subjects(dest).Count);
    }

    [PythonFact("numpy", "h5py")]
    public void Another_generator_version_or_a_damaged_committed_file_is_refused()
    {
        using var tmp = new TempDir();
        string dest = tmp.File("dest"), outdir = tmp.File("out");
        MakeDest(dest);
        // same file and hash, but the summary says the body model came from another generator version
        AddOutput(outdir, "B00001", "B00001", generator: "SarKit.Surrogate.BodyModels.BodyModelGenerator v999");
        var snap = Snapshot(dest);
        var (code, text) = Run(outdir, dest);
        Assert.Equal(2, code);
        Assert.Contains("subject B00001: field generator", text);
        Assert.Equal(snap, Snapshot(dest));

        // a committed file that no longer matches its manifest entry: refused, not silently re-listed
        File.Delete(Path.Combine(outdir, "B00001.json"));
        using (var fs = new FileStream(Path.Combine(dest, "A00001.h5"), FileMode.Append)) fs.WriteByte(0);
        snap = Snapshot(dest);
        (code, text) = Run(outdir, dest);
        Assert.Equal(2, code);
        Assert.Contains("committed subject A00001", text);
        Assert.Equal(snap, Snapshot(dest));
    }
}
