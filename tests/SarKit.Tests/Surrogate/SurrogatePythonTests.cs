using SarKit.Surrogate;
using SarKit.Tests.Cli;
using SarKit.Tests.Support;
using Xunit.Abstractions;

namespace SarKit.Tests.Surrogate;

/// <summary>The Python side of the surrogate (surrogate/): numpy helpers always when numpy is there; the PyTorch
/// training smoke test (a few steps of each model, evaluation, ONNX export) only when /usr/bin/python3 has torch.</summary>
public class SurrogatePythonTests(ITestOutputHelper output)
{
    private static string Dir => Path.Combine(SharedData.RepoRoot, "surrogate");

    [PythonFact("numpy")]
    public void Numpy_helpers_pass_their_unit_tests()
    {
        var (code, text) = PythonFactAttribute.Run(["-m", "unittest", "discover", "-s", Path.Combine(Dir, "tests")], TimeSpan.FromMinutes(2), Dir);
        output.WriteLine(text);
        Assert.True(code == 0, text);
    }

    [PythonFact("numpy", "torch")]
    public void Training_smoke_test_runs_a_few_steps_of_each_model_and_exports_ONNX()
    {
        using var tmp = new TempDir();
        var ds = Path.Combine(tmp.Path, "ds");
        new SurrogateDatasetBuilder(new SurrogateDatasetOptions
        {
            Subjects = 3, ShimsPerSubject = 2, Seed = 11, GridCells = 50, CellSize = 0.01, PmlCells = 8, ValidationFraction = 0.34, TestFraction = 0,
        }).Build(ds);
        var (code, text) = PythonFactAttribute.Run([Path.Combine(Dir, "smoke_test.py"), "--data", ds, "--out", Path.Combine(tmp.Path, "runs")], TimeSpan.FromMinutes(8), Dir);
        output.WriteLine(text);
        Assert.True(code == 0, text);
        Assert.Contains("smoke test passed", text);
    }
}
