using System.Security.Cryptography;
using System.Text.Json;
using SarKit.Tests.Cli;
using SarKit.Tests.Support;
using Xunit.Abstractions;

namespace SarKit.Tests.Surrogate;

/// <summary>The committed 3D surrogate dataset (data/surrogate3d, docs/surrogate3d-dataset.md): every file is the one
/// the manifest validated, in the current compact format (version 2: B1+ and the IEC/IEEE 62704-1 10 g Q-matrices of
/// the slab's cubes), and a fixed seeded sample of subjects (two per family) passes the target self-check of tools/surrogate3d/targets.py (VALID voxels and step-1 cubes one
/// to one, step-2 cubes only on UNUSED voxels, Hermitian PSD matrices up to the stored rounding, finite non-negative
/// 10 g SAR maps on the exact slices).</summary>
public class Surrogate3dDatasetTests(ITestOutputHelper output)
{
    private static string DataDir => Path.Combine(SharedData.RepoRoot, "data", "surrogate3d");
    private static string Targets => Path.Combine(SharedData.RepoRoot, "tools", "surrogate3d", "targets.py");

    private static List<JsonElement> Subjects()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(DataDir, "manifest.json")));
        return doc.RootElement.GetProperty("subjects").EnumerateArray().Select(e => e.Clone()).ToList();
    }

    [Fact]
    public void Manifest_lists_every_committed_subject_with_its_hash_and_the_current_format()
    {
        var subjects = Subjects();
        Assert.NotEmpty(subjects);
        var files = Directory.GetFiles(DataDir, "*.h5").Select(Path.GetFileName).Order().ToList();
        Assert.Equal(files, subjects.Select(s => s.GetProperty("file").GetString()).Order().ToList());
        foreach (var s in subjects)
        {
            string path = Path.Combine(DataDir, s.GetProperty("file").GetString()!);
            using var fs = File.OpenRead(path);
            Assert.Equal(s.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(fs)));
            Assert.Equal(new FileInfo(path).Length, s.GetProperty("bytes").GetInt64());
            Assert.Equal(2, s.GetProperty("format_version").GetInt32());
            Assert.True(s.GetProperty("targets").GetProperty("exact_slices").GetArrayLength() > 0);
            // the energy balance of the openEMS runs held (docs: min eig >= -0.02)
            Assert.True(s.GetProperty("energy_min_eig").GetDouble() >= -0.02);
        }
        // at most 150 MB for the whole dataset (issue 15)
        Assert.True(subjects.Sum(s => s.GetProperty("bytes").GetInt64()) <= 150_000_000);
    }

    /// <summary>Subjects per anatomy family in the self-check sample.</summary>
    internal const int SamplePerFamily = 2;

    /// <summary>Set to 1 to run the target self-check on every committed subject instead of the sample (docs/testing.md).</summary>
    internal const string AllSubjectsVariable = "SARKIT_SURROGATE3D_ALL";

    /// <summary>
    /// The fixed, seeded sample of the self-check: per family the <see cref="SamplePerFamily"/> subjects with the smallest
    /// SHA-256 of "surrogate3d-sample:" + id (a seeded rank that does not depend on the order or number of subjects: a new
    /// subject enters the sample only when it ranks before a sampled one), in manifest order. Its size does not grow with
    /// the dataset; the integrity of every file is checked by the manifest's SHA-256 (the test above).
    /// </summary>
    internal static List<JsonElement> Sample(List<JsonElement> subjects)
    {
        var pick = subjects.GroupBy(s => s.GetProperty("family").GetString())
                           .SelectMany(g => g.OrderBy(SampleRank, StringComparer.Ordinal).Take(SamplePerFamily))
                           .Select(s => s.GetProperty("id").GetString()).ToHashSet();
        return subjects.Where(s => pick.Contains(s.GetProperty("id").GetString())).ToList();
    }

    private static string SampleRank(JsonElement subject) =>
        Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("surrogate3d-sample:" + subject.GetProperty("id").GetString())));

    [Fact]
    public void The_self_check_sample_covers_every_family_and_is_fixed()
    {
        var subjects = Subjects();
        var sample = Sample(subjects);
        var families = subjects.Select(s => s.GetProperty("family").GetString()).Distinct().ToList();
        // every family, at most SamplePerFamily each (all of a family when it has fewer)
        foreach (var f in families)
            Assert.Equal(Math.Min(SamplePerFamily, subjects.Count(s => s.GetProperty("family").GetString() == f)), sample.Count(s => s.GetProperty("family").GetString() == f));
        // the same sample from the manifest in another order, and without a subject outside the sample (adding or
        // removing subjects that rank after the sampled ones does not change it)
        static List<string?> Ids(List<JsonElement> l) => l.Select(s => s.GetProperty("id").GetString()).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(Ids(sample), Ids(Sample(subjects.AsEnumerable().Reverse().ToList())));
        var outside = subjects.FirstOrDefault(s => !Ids(sample).Contains(s.GetProperty("id").GetString()));
        if (outside.ValueKind != JsonValueKind.Undefined)
            Assert.Equal(Ids(sample), Ids(Sample(subjects.Where(s => s.GetProperty("id").GetString() != outside.GetProperty("id").GetString()).ToList())));
        output.WriteLine("sample: " + string.Join(", ", sample.Select(s => s.GetProperty("id").GetString())) + $" of {subjects.Count} subjects");
    }

    [PythonFact("numpy", "h5py")]
    public void Sampled_committed_subjects_pass_the_target_self_check()
    {
        // one Python process checks the fixed sample (or every subject with SARKIT_SURROGATE3D_ALL=1); one report per file.
        // The cost no longer grows with the dataset: every file's bytes are pinned by the manifest's SHA-256 instead.
        var subjects = Subjects();
        bool all = Environment.GetEnvironmentVariable(AllSubjectsVariable) == "1";
        var paths = (all ? subjects : Sample(subjects)).Select(s => Path.Combine(DataDir, s.GetProperty("file").GetString()!)).ToList();
        output.WriteLine($"{paths.Count} of {subjects.Count} subjects ({(all ? "all" : "sample")})");
        var (code, text) = PythonFactAttribute.Run([Targets, .. paths, "--validate", "--drives", "4"], TimeSpan.FromMinutes(3 * paths.Count));
        output.WriteLine(text);
        Assert.True(code == 0, text);
        List<JsonElement> reports = paths.Count == 1 ? [JsonDocument.Parse(text).RootElement.Clone()] : JsonDocument.Parse(text).RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
        Assert.Equal(paths, reports.Select(r => r.GetProperty("file").GetString()));
        foreach (var r in reports)
            Assert.True(r.GetProperty("problems").GetArrayLength() == 0, r.GetProperty("file").GetString() + ": " + r.GetProperty("problems"));
    }

    [PythonFact("numpy", "h5py")]
    public void The_self_check_refuses_a_non_PSD_matrix_and_a_step_1_cube_on_a_used_voxel()
    {
        string src = Path.Combine(DataDir, Subjects()[0].GetProperty("file").GetString()!);
        using var tmp = new TempDir();
        // (1) a negative diagonal entry (a Q-matrix that is not PSD), (2) a VALID cube moved to a USED voxel
        string[] edits =
        [
            "g['matrices_packed'][0, 0] = -abs(float(g['matrices_packed'][0, 0])) - 1.0",
            "import numpy as np\nst = g['status'][...].ravel()\nv = g['voxel'][...]\nv[np.nonzero(g['orientation'][...] == 7)[0][0]] = np.nonzero(st == 2)[0][0]\ng['voxel'][...] = v",
        ];
        for (int i = 0; i < edits.Length; i++)
        {
            string path = Path.Combine(tmp.Path, $"t{i}.h5");
            File.Copy(src, path);
            string script = $"import h5py\nwith h5py.File({JsonSerializer.Serialize(path)}, 'r+') as f:\n    g = f['targets/q10g']\n" +
                            string.Join("\n", edits[i].Split('\n').Select(l => "    " + l)) + "\n";
            File.WriteAllText(Path.Combine(tmp.Path, "edit.py"), script);
            var (ec, et) = PythonFactAttribute.Run([Path.Combine(tmp.Path, "edit.py")], TimeSpan.FromMinutes(1));
            Assert.True(ec == 0, et);
            var (code, text) = PythonFactAttribute.Run([Targets, path, "--validate", "--drives", "2"], TimeSpan.FromMinutes(3));
            output.WriteLine(text);
            Assert.Equal(3, code);
            Assert.DoesNotContain("\"problems\": []", text);
        }
    }
}
