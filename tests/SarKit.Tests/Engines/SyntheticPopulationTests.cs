using System.Numerics;
using SarKit.Compression;
using SarKit.Engines;
using SarKit.IO.Formats;
using SarKit.Numerics.LinearAlgebra;
using SarKit.Tests.Cli;
using SarKit.Workflows;

namespace SarKit.Tests.Engines;

/// <summary>The on-demand synthetic population (docs/population.md) and its spec file as a Q-matrix input.</summary>
public sealed class SyntheticPopulationTests : IDisposable
{
    private static readonly SarKitSettings OneThread = new() { MaxDegreeOfParallelism = 1 };
    private readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    private static SyntheticPopulationSpec Spec(long count = 600, int channels = 8, long seed = 3, int perSubject = 200) =>
        new() { Count = count, Channels = channels, Seed = seed, MatricesPerSubject = perSubject };

    [Fact]
    public void Matrices_depend_only_on_seed_and_index_not_on_chunking_threads_or_count()
    {
        var spec = Spec();
        using var one = new SyntheticPopulation(spec, maxDegreeOfParallelism: 1);
        using var two = new SyntheticPopulation(spec, maxDegreeOfParallelism: 2);
        using var longer = new SyntheticPopulation(spec with { Count = 5000 }, maxDegreeOfParallelism: 2);
        var all = one.ReadAll();
        Assert.Equal(all, two.ReadAll());
        Assert.Equal(all, longer.ReadRange(0, spec.Count));        // a prefix of a larger population
        int nn = spec.Channels * spec.Channels;
        var mid = new double[123 * nn];
        two.Read(301, mid);                                          // an unaligned block read out of order
        Assert.Equal(all.AsSpan(301 * nn, 123 * nn).ToArray(), mid);
        var single = new double[nn];
        one.Generate(599, single);
        Assert.Equal(all.AsSpan(599 * nn, nn).ToArray(), single);
        using var other = new SyntheticPopulation(spec with { Seed = 4 }, maxDegreeOfParallelism: 1);
        Assert.NotEqual(all, other.ReadAll());
    }

    [Fact]
    public void Every_matrix_is_a_finite_positive_semidefinite_Hermitian_Q_matrix()
    {
        var spec = Spec(count: 400, channels: 6, perSubject: 100);
        using var pop = new SyntheticPopulation(spec, maxDegreeOfParallelism: 1);
        var all = pop.ReadAll();
        Assert.All(all, v => Assert.True(double.IsFinite(v)));
        int n = spec.Channels, nn = n * n;
        var rng = new Random(5);
        var lam = new double[spec.Count];
        HermitianKernels.LargestEigenvalues(all, n, lam);
        for (int k = 0; k < spec.Count; k++)
        {
            var q = all.AsSpan(k * nn, nn);
            for (int i = 0; i < n; i++) Assert.True(q[i] > 0, $"matrix {k}: diagonal {i} = {q[i]}");
            Assert.True(lam[k] > 0);
            for (int t = 0; t < 5; t++)
            {
                var b = new Complex[n];
                for (int i = 0; i < n; i++) b[i] = new Complex(rng.NextDouble() - 0.5, rng.NextDouble() - 0.5);
                var w = HermitianPacking.DriveWeights(b);
                double sar = 0, norm2 = 0;
                for (int i = 0; i < nn; i++) sar += w[i] * q[i];
                for (int i = 0; i < n; i++) norm2 += b[i].Real * b[i].Real + b[i].Imaginary * b[i].Imaginary;
                // bᴴQb of a sum of outer products is ≥ 0 and ≤ λ_max |b|² (round-off relative to λ_max)
                Assert.InRange(sar, -1e-12 * lam[k] * norm2, lam[k] * norm2 * (1 + 1e-9));
            }
        }
    }

    [Fact]
    public void Subjects_differ_and_the_population_has_many_independent_directions()
    {
        // two subjects (body model + array position) give different SAR_wc; matrices of one subject are full rank in
        // aggregate (the sum of all Q is positive definite: no drive is SAR-free)
        var spec = Spec(count: 400, channels: 4, perSubject: 200);
        using var pop = new SyntheticPopulation(spec, maxDegreeOfParallelism: 1);
        var (_, _, sum) = new RangeOf(pop, 0, 200).Summarise();
        var (_, wcA, _) = new RangeOf(pop, 0, 200).Summarise();
        var (_, wcB, _) = new RangeOf(pop, 200, 200).Summarise();
        Assert.NotEqual(wcA, wcB);
        var lamMin = new double[1];
        var neg = sum.Select(v => -v).ToArray();
        HermitianKernels.LargestEigenvalues(neg, spec.Channels, lamMin);  // λ_max(−S) = −λ_min(S)
        var lamMax = new double[1];
        HermitianKernels.LargestEigenvalues(sum, spec.Channels, lamMax);
        Assert.True(-lamMin[0] > 1e-6 * lamMax[0], $"λ_min {-lamMin[0]} vs λ_max {lamMax[0]}");
    }

    [Fact]
    public void Spec_file_round_trips_and_opens_as_a_Q_matrix_input()
    {
        string path = _dir.File("pop.json");
        var spec = Spec() with { FrequencyHz = 123.2e6, Scatter = 0.25 };
        PopulationSpecFile.Write(path, spec);
        Assert.Equal(spec, PopulationSpecFile.Read(path));
        using var src = QMatrixSources.Open(path);
        Assert.Equal(spec.Count, src.Count);
        Assert.Equal(spec.Channels, src.Channels);
        using var direct = new SyntheticPopulation(spec, maxDegreeOfParallelism: 1);
        Assert.Equal(direct.ReadAll(), src.ReadAll());
    }

    [Theory]
    [InlineData("""{"format": "sarkit-synthetic-population", "count": 0}""", "count")]
    [InlineData("""{"format": "sarkit-synthetic-population", "count": 10, "channels": 100}""", "channels")]
    [InlineData("""{"format": "sarkit-synthetic-population", "count": 10, "scatter": 2}""", "scatter")]
    [InlineData("""{"format": "sarkit-synthetic-population", "count": 10, "frequency_hz": "x"}""", "frequency_hz")]
    [InlineData("""{"format": "sarkit-synthetic-population", "count": 10.5}""", "count")]
    [InlineData("""{"format": "sarkit-synthetic-population", "count": 10, "sead": 1}""", "sead")]
    [InlineData("""{"format": "other", "count": 10}""", "format")]
    [InlineData("""{"count": 10""", "JSON")]
    public void Bad_spec_files_are_refused_naming_the_file_and_field(string text, string field)
    {
        string path = _dir.File("bad.json");
        File.WriteAllText(path, text);
        var e = Assert.Throws<SarKitInputException>(() => QMatrixSources.Open(path).Dispose());
        Assert.Contains(path, e.Message);
        Assert.Contains(field, e.Message);
    }

    [Fact]
    public void Partitions_of_a_population_merge_to_a_set_certified_against_every_generated_original()
    {
        string path = _dir.File("pop.json");
        var spec = Spec(count: 1200, channels: 4, perSubject: 400);
        PopulationSpecFile.Write(path, spec);
        var parts = new List<string>();
        for (int i = 1; i <= 3; i++)
        {
            string p = _dir.File($"part{i}.h5");
            var o = VopCompression.Compress(new VopCompressionRequest
            {
                Q = [path], Epsilon = 0.03, Output = p, Partition = new VopPartition(i, 3), Verifier = new VopVerifierSettings(Drives: 200),
            }, OneThread);
            Assert.True(o.Passed);
            Assert.Equal(400, o.Result!.Certificate!.MatricesChecked);
            parts.Add(p);
        }
        string merged = _dir.File("merged.h5");
        var m = VopCompression.Merge(new VopMergeRequest { Parts = parts, Q = [path], Epsilon = 0.02, Output = merged, Verifier = new VopVerifierSettings(Drives: 200) }, OneThread);
        Assert.True(m.Passed, string.Join(" ", m.Verification!.Problems));
        Assert.Equal(spec.Count, m.Result!.Certificate!.MatricesChecked);
        Assert.Equal(0, m.Result.Certificate.MatricesFailed);
        using var pop = new SyntheticPopulation(spec, maxDegreeOfParallelism: 1);
        var originals = pop.ReadAll();
        Assert.Equal(VopSet.HashMatrices(originals), m.Result.SourceSha256);
        // independent re-proof against the regenerated originals
        var again = VopVerifier.Certify(VopSetFiles.Read(merged), new PackedQMatrixSource(originals, spec.Channels), new VopVerifierOptions { RandomDrives = 500, MaxDegreeOfParallelism = 1 });
        Assert.True(again.Certificate.Passed);
    }

    /// <summary>Matrices [first, first + count) of a source (test helper).</summary>
    private sealed class RangeOf(IQMatrixSource inner, long first, long count) : IQMatrixSource
    {
        public int Channels => inner.Channels;
        public long Count => count;
        public string Description => inner.Description;
        public SarKit.Fields.FieldNormalisation Normalisation => inner.Normalisation;
        public void Read(long f, Span<double> packedOut) => inner.Read(first + f, packedOut);
        public void Dispose() { }
    }
}
