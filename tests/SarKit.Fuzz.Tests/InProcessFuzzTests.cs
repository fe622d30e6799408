using SarKit.Fuzz.InProcess;
using SarKit.Fuzz.Report;
using Xunit.Abstractions;
using SarKit.IO.Arrays;

namespace SarKit.Fuzz.Tests;

/// <summary>
/// Issue 14 fuzz suite, in-process layer: the library readers (NpyFile, NpzArchive, MatFile, HDF5 readers, PulseqFile,
/// waveform, NEMA, probe and records readers) called directly on many mutants; only <see cref="SarKitInputException"/>
/// may escape, each case within its time limit. The cases run in a worker process (SarKit.Fuzz.dll inproc-worker) so that
/// a native crash of a reader is reported with its case instead of ending the test run.
/// </summary>
[Collection("Fuzz")]
public class InProcessFuzzTests(FuzzFixture fx, ITestOutputHelper log)
{
    public static TheoryData<string> Groups => new(Parsers.Groups);

    [Theory]
    [MemberData(nameof(Groups))]
    public void OnlyInputExceptionsEscapeTheReaders(string group)
    {
        var summary = new FuzzSummary(fx.Settings.OutputDir, fx.Settings.Seed);
        new InProcessFuzzer(fx.Settings, fx.Corpus, summary, fx.CorpusDir).Run(group, fx.Settings.InProcessCasesPerGroup);
        summary.WriteFiles("summary-inproc-" + group);
        log.WriteLine(summary.Table());
        log.WriteLine(summary.FailureClasses());
        var failing = summary.Failures.ToList();
        Assert.True(failing.Count == 0,
            $"{failing.Count} of {summary.Cases.Count} cases broke an invariant (seed {summary.Seed}):\n{summary.FailureClasses()}\n{summary.Table()}");
    }
}
