using SarKit.Fuzz.Cli;
using SarKit.Fuzz.Report;
using Xunit.Abstractions;

namespace SarKit.Fuzz.Tests;

/// <summary>
/// Issue 14 fuzz suite, child-process layer: every CLI reader and verdict command on mutants of valid seeds. Each target
/// is its own test case, so a failing run names the broken group; the message lists the failure classes (command ×
/// mutation kind × violated invariant) with a one-line reproducer each, and the saved cases are under the output folder.
/// Seeded (SARKIT_FUZZ_SEED); longer runs: SARKIT_FUZZ_CASES (docs/reliability/fuzz.md).
/// </summary>
[Collection("Fuzz")]
public class CliFuzzTests(FuzzFixture fx, ITestOutputHelper log)
{
    public static TheoryData<string> Targets => new(["seq", "seq-shim", "waveform", "dataset", "drive", "qmatrix", "vop", "vop-verify", "vop-tamper", "nema", "probe", "records", "checkpoint"]);

    [Theory]
    [MemberData(nameof(Targets))]
    public void CliInvariantsHold(string target)
    {
        var t = CliTargets.All(fx.Corpus).Single(x => x.Name == target);
        var summary = new FuzzSummary(fx.Settings.OutputDir, fx.Settings.Seed);
        new CliFuzzer(fx.Settings, fx.Corpus, summary).Run(t, fx.Settings.CliCasesPerGroup);
        Report(summary, "cli-" + target);
    }

    [Fact]
    public void NumericOptionsAreValidated()
    {
        var summary = new FuzzSummary(fx.Settings.OutputDir, fx.Settings.Seed);
        // a deterministic, evenly spread selection of (option × bad value) pairs; the whole list with SARKIT_FUZZ_CASES ≥ its size / 2
        new CliFuzzer(fx.Settings, fx.Corpus, summary).RunOptions(CliTargets.Options(fx.Corpus), fx.Settings.CliCasesPerGroup * 2);
        Report(summary, "cli-options");
    }

    private void Report(FuzzSummary summary, string name)
    {
        summary.WriteFiles("summary-" + name);
        log.WriteLine(summary.Table());
        log.WriteLine(summary.FailureClasses());
        var failing = summary.Failures.ToList();
        Assert.True(failing.Count == 0,
            $"{failing.Count} of {summary.Cases.Count} cases broke an invariant (seed {summary.Seed}):\n{summary.FailureClasses()}\n{summary.Table()}");
    }
}
