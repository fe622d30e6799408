using SarKit.Fuzz;
using SarKit.Fuzz.Report;
using SarKit.Fuzz.Seeds;

namespace SarKit.Fuzz.Tests;

/// <summary>Builds the seed corpus once for the fuzz tests (in $TMPDIR/sarkit-fuzz-&lt;seed&gt;/seeds, or SARKIT_FUZZ_OUT).</summary>
public sealed class FuzzFixture
{
    public FuzzSettings Settings { get; } = FuzzSettings.FromEnvironment();
    public SeedCorpus Corpus { get; }
    public string CorpusDir { get; }
    public FuzzSummary Summary { get; }

    public FuzzFixture()
    {
        CorpusDir = Path.Combine(Settings.OutputDir, "seeds");
        // always rebuilt: the seeds must come from the code under test (files, certificates, calibrations)
        if (Directory.Exists(CorpusDir)) Directory.Delete(CorpusDir, true);
        foreach (var old in new[] { "failures", "work" }.Select(d => Path.Combine(Settings.OutputDir, d)))
            if (Directory.Exists(old)) Directory.Delete(old, true);
        Corpus = SeedCorpus.Build(CorpusDir);
        Summary = new FuzzSummary(Settings.OutputDir, Settings.Seed);
    }
}

/// <summary>All fuzz tests share one corpus and run one after the other (they measure time and memory of child processes).</summary>
[CollectionDefinition("Fuzz", DisableParallelization = true)]
public sealed class FuzzCollection : ICollectionFixture<FuzzFixture> { }
