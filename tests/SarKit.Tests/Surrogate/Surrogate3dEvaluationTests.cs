using System.Numerics;
using System.Text.Json;
using SarKit.Surrogate;
using SarKit.Tests.Cli;
using SarKit.Tests.Support;
using Xunit.Abstractions;

namespace SarKit.Tests.Surrogate;

/// <summary>
/// The 3D evaluation (docs/surrogate.md "3D evaluation"): subject-level metrics on synthetic predictions with known
/// answers, the exact bounds, coverage of the subject-conformal factor and of Clopper–Pearson on simulated
/// exchangeable subjects, no leakage of a subject into its own calibration, the 10 g targets and the slice embedding on
/// committed subjects, and the command end to end.
/// </summary>
public class Surrogate3dEvaluationTests(ITestOutputHelper output)
{
    private static string DataDir => Path.Combine(SharedData.RepoRoot, "data", "surrogate3d");
    private static string Models => Path.Combine(SharedData.RepoRoot, "models", "surrogate");

    [Fact]
    public void Subject_metrics_known_values()
    {
        // subject a: ratios 0.5, 2 (one under); b: 1, 1.25 (none); c: 0.8 (one under)
        string[] s = ["a", "a", "b", "b", "c"];
        double[] t = [2, 1, 1, 4, 5];
        double[] p = [1, 2, 1, 5, 4];
        var m = SubjectLevelMetrics.Compute(s, t, p);
        Assert.Equal(5, m.Cases); Assert.Equal(3, m.Subjects);
        Assert.Equal(2.0 / 5, m.PUnder, 12);
        Assert.Equal((0.5 + 2 + 1 + 1.25 + 0.8) / 5 - 1, m.MeanOverestimation, 12);
        Assert.Equal(2.0, m.WorstTrueOverPredicted, 12);
        Assert.Equal(2.0 / 3, m.ShareSubjectsAnyUnder, 12);
        Assert.Equal(["a", "b", "c"], m.PerSubject.Select(x => x.Subject));
        Assert.Equal(2.0, m.PerSubject[0].WorstTrueOverPredicted, 12);
        Assert.Equal(1.0, m.PerSubject[1].WorstTrueOverPredicted, 12);
        Assert.Equal(0.25, m.PerSubject[0].MeanOverestimation, 12);
        // a factor of 2 makes every case conservative
        var f = SubjectLevelMetrics.Compute(s, t, p, 2);
        Assert.Equal(0, f.PUnder); Assert.Equal(0, f.ShareSubjectsAnyUnder); Assert.Equal(1.0, f.WorstTrueOverPredicted, 12);
        Assert.Throws<SarKitInputException>(() => SubjectLevelMetrics.Compute(s, t, [1, 2, double.NaN, 5, 4]));
        Assert.Throws<SarKitInputException>(() => SubjectLevelMetrics.Compute(s, t, p, 0));
    }

    [Fact]
    public void Bounds_known_values()
    {
        // 0 events in n: the one-sided 95 % Clopper–Pearson bound is 1 − 0.05^(1/n)
        foreach (int n in new[] { 1, 7, 40 }) Assert.Equal(1 - Math.Pow(0.05, 1.0 / n), SafetyBounds.ClopperPearsonUpper(0, n), 9);
        Assert.Equal(1, SafetyBounds.ClopperPearsonUpper(5, 5));
        // Beta(a, 1) has CDF x^a
        Assert.Equal(Math.Pow(0.3, 1.0 / 4), SafetyBounds.BetaQuantile(0.3, 4, 1), 9);
        // k = 1 of n = 10 (R: qbeta(0.95, 2, 9) = 0.3941633)
        Assert.Equal(0.3941633, SafetyBounds.ClopperPearsonUpper(1, 10), 6);
        // conformal rank: n = 39, level 0.95 -> k = 38; n = 8 -> not attainable, k = 8, bound = 1 − 0.05^(1/8)
        Assert.Equal(38, SafetyBounds.ConformalRank(39, 0.05, out var ok39)); Assert.True(ok39);
        Assert.Equal(8, SafetyBounds.ConformalRank(8, 0.05, out var ok8)); Assert.False(ok8);
        Assert.Equal(1 - Math.Pow(0.05, 1.0 / 8), SafetyBounds.ConformalMiscoverageUpper(8, 8), 9);
    }

    /// <summary>Simulated exchangeable subjects: per subject a random bias (the surrogate's subject-specific error) and case noise.</summary>
    private static (List<string> S, List<double> T, List<double> P) Simulate(Random rng, int subjects, int cases, string prefix)
    {
        var s = new List<string>(); var t = new List<double>(); var p = new List<double>();
        for (int j = 0; j < subjects; j++)
        {
            double bias = Math.Exp(0.15 * Normal(rng));
            for (int c = 0; c < cases; c++)
            {
                double truth = 1 + rng.NextDouble();
                s.Add(prefix + j); t.Add(truth); p.Add(truth * bias * Math.Exp(0.05 * Normal(rng)));
            }
        }
        return (s, t, p);
    }

    private static double Normal(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());

    [Fact]
    public void Subject_conformal_factor_covers_new_exchangeable_subjects_as_the_Beta_law_says()
    {
        var rng = new Random(12345);
        const int trials = 2000, n = 39, cases = 10;
        int k = SafetyBounds.ConformalRank(n, 0.05, out _);
        double expectedMiss = 1 - (double)k / (n + 1);                 // E[P(new subject's worst ratio > factor)] = 0.05
        double upper = SafetyBounds.ConformalMiscoverageUpper(n, k);
        int misses = 0, caseUnder = 0, caseTotal = 0;
        for (int tr = 0; tr < trials; tr++)
        {
            var (s, t, p) = Simulate(rng, n + 1, cases, "s");
            var cal = Enumerable.Range(0, n).Select(j => "s" + j).ToHashSet();
            double f = SubjectConformalCalibration.Factor(SafetyFactorRule.SubjectConformal, 0.95, s, t, p, cal);
            bool any = false;
            for (int i = n * cases; i < (n + 1) * cases; i++) { bool u = p[i] * f < t[i]; any |= u; caseUnder += u ? 1 : 0; caseTotal++; }
            misses += any ? 1 : 0;
        }
        double rate = (double)misses / trials, se = Math.Sqrt(expectedMiss * (1 - expectedMiss) / trials);
        output.WriteLine($"subject-conformal, n = {n}: new subjects with any underestimated case {rate:P2} (theory {expectedMiss:P2}, 95 % bound {upper:P1}); case-level P(under) {(double)caseUnder / caseTotal:P2}");
        Assert.InRange(rate, expectedMiss - 4 * se, expectedMiss + 4 * se);   // exact in expectation (continuous scores)
        Assert.True((double)caseUnder / caseTotal <= rate);                    // case-level ≤ subject-level
    }

    [Fact]
    public void Clopper_Pearson_upper_bound_covers_the_true_rate_in_at_least_95_percent_of_trials()
    {
        var rng = new Random(7);
        foreach (var (p, n) in new[] { (0.05, 8), (0.2, 8), (0.05, 40), (0.3, 40) })
        {
            int covered = 0; const int trials = 4000;
            for (int tr = 0; tr < trials; tr++)
            {
                int k = 0; for (int i = 0; i < n; i++) if (rng.NextDouble() < p) k++;
                if (SafetyBounds.ClopperPearsonUpper(k, n) >= p) covered++;
            }
            output.WriteLine($"p = {p}, n = {n}: covered {(double)covered / trials:P2}");
            Assert.True(covered >= 0.95 * trials - 3 * Math.Sqrt(trials * 0.05 * 0.95), $"p {p}, n {n}: {covered} of {trials}");
        }
    }

    [Fact]
    public void Split_is_disjoint_complete_seeded_and_no_subject_calibrates_its_own_factor()
    {
        var rng = new Random(3);
        var (s, t, p) = Simulate(rng, 12, 5, "x");
        var (c, test) = SubjectConformalCalibration.Split(s, 0.5, 1);
        Assert.Empty(c.Intersect(test));
        Assert.Equal(s.Distinct().Order(), c.Concat(test).Order());
        Assert.Equal(6, c.Count);
        var (c2, _) = SubjectConformalCalibration.Split(Enumerable.Reverse(s), 0.5, 1);
        Assert.Equal(c.Order(), c2.Order());                                 // order of the input does not matter
        foreach (var rule in new[] { SafetyFactorRule.CaseQuantile, SafetyFactorRule.SubjectConformal })
        {
            // loso: change one subject's predictions wildly; its own factor must not move, everyone else's may
            var a = SubjectConformalCalibration.Evaluate(rule, 0.9, s, t, p, loso: true, bootstrapRounds: 10);
            var p2 = p.Select((x, i) => s[i] == "x4" ? x * 1e-3 : x).ToList();
            var b = SubjectConformalCalibration.Evaluate(rule, 0.9, s, t, p2, loso: true, bootstrapRounds: 10);
            int at = a.Held.PerSubject.Select(x => x.Subject).ToList().IndexOf("x4");
            Assert.Equal(a.Factors[at], b.Factors[at]);
            Assert.Equal(11, a.CalibrationSubjects);
            // split: changing a test subject never changes the factor; only the calibration subjects enter it
            string tx = test.First();
            var p3 = p.Select((x, i) => s[i] == tx ? x * 1e3 : x).ToList();
            var sa = SubjectConformalCalibration.Evaluate(rule, 0.9, s, t, p, loso: false, seed: 1, bootstrapRounds: 10);
            var sb = SubjectConformalCalibration.Evaluate(rule, 0.9, s, t, p3, loso: false, seed: 1, bootstrapRounds: 10);
            Assert.Equal(sa.FactorAllSubjects, sb.FactorAllSubjects);
            Assert.Equal(string.Join(",", test.Order(StringComparer.Ordinal)), string.Join(",", sa.Held.PerSubject.Select(x => x.Subject).Order(StringComparer.Ordinal)));  // held-out = test subjects only
            Assert.Equal(test.Order(), sa.Held.PerSubject.Select(x => x.Subject).Order());  // held-out = test subjects only
            Assert.Equal(test.Count * 5, sa.Held.Cases);
        }
    }

    [Fact]
    public void Ten_gram_map_of_a_committed_subject_has_the_cube_invariants()
    {
        var e = Surrogate3dSubject.ReadManifest(DataDir).First();
        var s = Surrogate3dSubject.Read(e);
        var rng = new Random(5);
        var b = Enumerable.Range(0, 8).Select(_ => Complex.FromPolarCoordinates(0.5 + rng.NextDouble(), 2 * Math.PI * rng.NextDouble())).ToArray();
        var q = s.CubeSar(b);
        var map = s.Sar10gMap(b);
        Assert.All(q, x => Assert.True(x > -1e-6 * q.Max()));
        // every stored cube is assigned to its reference voxel, every USED voxel to a cube's value: map max = cube max
        Assert.Equal(q.Max(), map.Where(double.IsFinite).Max(), 12);
        // quadratic in the drive
        var map2 = s.Sar10gMap(b.Select(x => 3 * x).ToArray());
        for (int v = 0; v < map.Length; v += 97) if (double.IsFinite(map[v])) Assert.Equal(9 * map[v], map2[v], 1e-9 * Math.Max(1, map2[v]));
        // exact slices: finite, background 0, tissue > 0
        foreach (var k in s.ExactSlices)
            for (int c = k * s.SliceCells; c < (k + 1) * s.SliceCells; c++)
            {
                Assert.True(double.IsFinite(map[c]));
                if (s.Status[c] == 0) Assert.Equal(0, map[c]); else Assert.True(map[c] > 0);
            }
        // channel 1 alone = the packed Q_11 of the VALID voxels' cubes: compare with a single-channel drive
        var one = new Complex[8]; one[0] = 1;
        var q1 = s.CubeSar(one);
        Assert.All(q1, x => Assert.True(x >= 0));
    }

    [Fact]
    public void Slices_embed_cell_for_cell_into_the_training_grid_with_channel_1_phase_removed()
    {
        var e = Surrogate3dSubject.ReadManifest(DataDir).First();
        var s = Surrogate3dSubject.Read(e);
        var grid = new SurrogateTrainingGrid(96, 96, 0.005);
        var slices = Surrogate3dPairs.Slices(s, grid);
        Assert.Equal(s.ExactSlices, slices.Select(x => x.Slice));
        var sl = slices[0];
        // 5 mm slab centres x = −207.5 mm + 5i, training centres (i − 47.5)·5 mm → offset 6; y −147.5 mm → 18
        Assert.Equal((6, 18), (sl.OffsetX, sl.OffsetY));
        int tissue = 0;
        for (int c = sl.Slice * s.SliceCells; c < (sl.Slice + 1) * s.SliceCells; c++) if (s.Rho[c] > 0) tissue++;
        Assert.Equal(tissue, sl.Mask.Count(m => m == 1));
        for (int c = 0; c < sl.Mask.Length; c++)
        {
            if (sl.Mask[c] == 0) { Assert.All(sl.B1, ch => Assert.Equal(Complex.Zero, ch[c])); continue; }
            Assert.True(Math.Abs(sl.B1[0][c].Imaginary) <= 1e-9 * sl.B1[0][c].Magnitude);     // channel 1 real, ≥ 0
            Assert.True(sl.B1[0][c].Real >= 0);
            int i = c % 96 - 6, j = c / 96 - 18, v = i + s.Nx * (j + s.Ny * sl.Slice);
            for (int k = 0; k < 8; k++) Assert.Equal(s.B1[k][v].Magnitude * 1e6, sl.B1[k][c].Magnitude, 1e-9 * Math.Max(1, sl.B1[k][c].Magnitude));
            Assert.Equal(s.Rho[v], sl.Rho[c]);
        }
        // another cell size is refused, not resampled
        Assert.Throws<SarKitInputException>(() => Surrogate3dPairs.Slices(s, new SurrogateTrainingGrid(128, 128, 0.00375)));
        // shims: seeded, per subject, w_1 = 1
        var a = Surrogate3dPairs.ShimPhases(s.Id, 3, 0); var a2 = Surrogate3dPairs.ShimPhases(s.Id, 3, 0); var other = Surrogate3dPairs.ShimPhases("B00001", 3, 0);
        Assert.Equal(a.SelectMany(x => x), a2.SelectMany(x => x));
        Assert.NotEqual(a.SelectMany(x => x), other.SelectMany(x => x));
        Assert.All(a, x => Assert.Equal(0, x[0]));
    }

    /// <summary>Writes a manifest of two committed subjects (one per family when both exist) into <paramref name="tmp"/>; returns them.</summary>
    internal static List<Surrogate3dManifestEntry> TwoSubjects(TempDir tmp)
    {
        var entries = Surrogate3dSubject.ReadManifest(DataDir);
        var pick = entries.GroupBy(x => x.Family).Select(g => g.First()).Take(2).ToList();
        if (pick.Count < 2) pick = entries.Take(2).ToList();
        File.WriteAllText(tmp.File("manifest.json"), JsonSerializer.Serialize(new { subjects = pick.Select(x => new { id = x.Id, family = x.Family, seed = x.Seed, file = x.File, sha256 = x.Sha256 }) }));
        return pick;
    }

    [OnnxRuntimeFact]
    public void Cli_evaluates_the_shipped_models_on_3d_subjects()
    {
        using var tmp = new TempDir();
        // two committed subjects (one per family when both exist), two shims: the whole protocol on a small set
        var pick = TwoSubjects(tmp);
        var r = CliRunner.Run("surrogate", "evaluate", "--data3d", tmp.Path, "--model", Path.Combine(Models, "unet", "model.onnx"), "--model", Path.Combine(Models, "perchannel", "model.onnx"),
            "--shims", "2", "--cases", tmp.File("cases.csv"), "--plots", tmp.File("plots"), "--pairs-out", tmp.File("pairs"), "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        var j = JsonDocument.Parse(r.Out).RootElement;
        int slices = j.GetProperty("slices_per_subject").EnumerateArray().Sum(x => x.GetInt32());
        Assert.Equal(2 * slices, j.GetProperty("cases").GetInt32());
        Assert.Equal("loso", j.GetProperty("calibration_scheme").GetString());
        Assert.Contains("3D openEMS", j.GetProperty("label").GetString());
        Assert.Equal([6, 18], j.GetProperty("fov_offset").EnumerateArray().Select(x => x.GetInt32()));
        foreach (var m in j.GetProperty("models").EnumerateArray())
        {
            var raw = m.GetProperty("raw");
            Assert.Equal(2, raw.GetProperty("subjects").GetInt32());
            Assert.InRange(raw.GetProperty("p_underestimation").GetDouble(), 0, 1);
            Assert.Equal(2, m.GetProperty("calibrations").GetArrayLength());
            foreach (var c in m.GetProperty("calibrations").EnumerateArray())
                Assert.Equal(1, c.GetProperty("calibration_subjects").GetInt32());
            output.WriteLine($"{m.GetProperty("name").GetString()}: raw P(under) {raw.GetProperty("p_underestimation").GetDouble():P1}, mean over {raw.GetProperty("mean_overestimation").GetDouble():P1}");
        }
        Assert.Equal(1 + 2 * slices, File.ReadAllLines(tmp.File("cases.csv")).Length);
        Assert.True(File.Exists(tmp.File("plots/tradeoff_3d.svg")) && File.Exists(tmp.File("plots/ratio_raw_3d.png")));
        // pairs: the true 10 g map of each shim and slice peaks where the cases say, and is 0 outside the tissue mask
        var csv = File.ReadAllLines(tmp.File("cases.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        foreach (var e in pick)
        {
            using var z = SarKit.IO.Arrays.NpzArchive.Open(tmp.File($"pairs/{e.Id}.npz"));
            var sar = z.Read("sar10g"); var mask = z.Read("mask"); var slice = z.Read("slice").ToDouble();
            Assert.Equal(4, sar.Rank);
            int S = sar.Shape[1], n = sar.Shape[2] * sar.Shape[3];
            Assert.Equal([8, S, 2, 96, 96], z.Read("b1_channels").Shape);
            Assert.Equal([8, S, 96, 96], z.Read("sar10g_channel").Shape);
            var v = sar.ToDouble(); var mk = mask.ToDouble();
            for (int m = 0; m < 2; m++)
                for (int q = 0; q < S; q++)
                {
                    double peak = 0;
                    for (int c = 0; c < n; c++) { double x = v[(m * S + q) * n + c]; if (mk[q * n + c] == 0) Assert.Equal(0, x); peak = Math.Max(peak, x); }
                    var row = csv.Single(r => r[0] == e.Id && r[2] == ((int)slice[q]).ToString(System.Globalization.CultureInfo.InvariantCulture) && r[3] == m.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    Assert.Equal(double.Parse(row[6], System.Globalization.CultureInfo.InvariantCulture), peak, 1e-6 * peak);   // float32 storage
                }
        }
        // fail closed: both or neither data option, a tampered manifest hash, a 2D run with two models
        Assert.Equal(2, CliRunner.Run("surrogate", "evaluate", "--model", Models).ExitCode);
        File.WriteAllText(tmp.File("manifest.json"), JsonSerializer.Serialize(new { subjects = pick.Select(x => new { id = x.Id, family = x.Family, seed = x.Seed, file = x.File, sha256 = new string('0', 64) }) }));
        var bad = CliRunner.Run("surrogate", "evaluate", "--data3d", tmp.Path, "--model", Path.Combine(Models, "unet", "model.onnx"), "--shims", "1");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("sha256", bad.Err);
    }
}
