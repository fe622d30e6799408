using SarKit.Surrogate;
using SarKit.Tests.Cli;
using SarKit.Tests.Support;
using Xunit.Abstractions;

namespace SarKit.Tests.Surrogate;

/// <summary>The Python side of the surrogate (surrogate/, the package sarkit-surrogate): numpy helpers always when numpy
/// is there; the PyTorch training smoke test (a few steps of each model, evaluation, ONNX export) only when
/// /usr/bin/python3 has torch. The package is imported from surrogate/ (working directory / unittest top-level folder),
/// as without installing it (surrogate/README.md).</summary>
public class SurrogatePythonTests(ITestOutputHelper output)
{
    private static string Dir => Path.Combine(SharedData.RepoRoot, "surrogate");

    [PythonFact("numpy")]
    public void Numpy_helpers_pass_their_unit_tests()
    {
        var (code, text) = PythonFactAttribute.Run(["-m", "unittest", "discover", "-s", Path.Combine(Dir, "tests"), "-t", Dir], TimeSpan.FromMinutes(2), Dir);
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

    [PythonFact("numpy")]
    public void Training_module_runs_as_python_m_sarkit_surrogate_train()
    {
        // --help parses the options before torch is imported: checks the package-relative imports with numpy only
        var (code, text) = PythonFactAttribute.Run(["-m", "sarkit_surrogate.train", "--help"], TimeSpan.FromMinutes(1), Dir);
        Assert.True(code == 0, text);
        Assert.Contains("--model", text);
        (code, text) = PythonFactAttribute.Run([Path.Combine(Dir, "train.py"), "--help"], TimeSpan.FromMinutes(1), SharedData.RepoRoot);
        Assert.True(code == 0, text);
        Assert.Contains("--model", text);
    }

    [Fact]
    public void Package_version_is_the_solution_version_and_imports_are_package_relative()
    {
        string props = File.ReadAllText(Path.Combine(SharedData.RepoRoot, "Directory.Build.props"));
        var version = System.Text.RegularExpressions.Regex.Match(props, "<Version>([^<]+)</Version>").Groups[1].Value;
        string pyproject = File.ReadAllText(Path.Combine(Dir, "pyproject.toml"));
        Assert.Matches($"(?m)^name = \"sarkit-surrogate\"", pyproject);
        Assert.Matches($"(?m)^version = \"{System.Text.RegularExpressions.Regex.Escape(version)}\"", pyproject);
        foreach (var f in Directory.EnumerateFiles(Dir, "*.py", SearchOption.AllDirectories))
            Assert.DoesNotContain("sys.path.insert", File.ReadAllText(f));
    }
}
