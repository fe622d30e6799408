using SarKit.IO;
using SarKit.Tests.Support;
using SarKit.Fields;
using SarKit.IO.Formats;

namespace SarKit.Tests.Cli;

/// <summary>
/// Issue 14, classes 8 and 9: every numeric option is range-checked at parse time (exit 2 naming the option and the
/// value), and physically impossible densities are refused instead of hanging the averaging.
/// </summary>
public class CliLimitTests
{
    // Files need not exist: range errors are parse errors, reported before any file is opened.
    public static TheoryData<string, string, string[]> BadNumbers()
    {
        var d = new TheoryData<string, string, string[]>();
        void Add(string option, string value, params string[] cmd) => d.Add(option, value, [.. cmd, option, value]);
        string[] mvie = ["mvie", "--q", "q.h5", "-o", "a.h5"];
        foreach (var v in new[] { "NaN", "0", "-1", "Infinity", "1e308" }) Add("--tolerance", v, mvie);
        foreach (var v in new[] { "NaN", "0", "-Infinity" }) Add("--power-floor", v, mvie);
        Add("--samples", "-1", mvie);
        foreach (var v in new[] { "NaN", "Infinity", "-1", "1e300" }) Add("--k", v, "margin", "cr", "--r", "2");
        Add("--r", "0", "margin", "qe", "-f", "x.npz", "-o", "q.h5", "--sigma-e", "1");
        Add("--k", "NaN", "margin", "qe", "-f", "x.npz", "-o", "q.h5", "--sigma-e", "1");
        Add("--trials", "0", "margin", "validate", "-f", "x.npz", "--sigma-e", "1");
        Add("--nu", "4", "margin", "validate", "-f", "x.npz", "--sigma-e", "1");
        Add("--nu", "NaN", "margin", "validate", "-f", "x.npz", "--sigma-e", "1");
        Add("--random-drives", "-3", "margin", "validate", "-f", "x.npz", "--sigma-e", "1");
        string[] seq = ["seq", "check", "x.seq"];
        foreach (var v in new[] { "0", "NaN", "-1e-3", "1e300" }) Add("--resolution", v, seq);
        Add("--timeline-points", "0", seq);
        Add("--weight", "-70", seq);
        Add("--weight", "Infinity", seq);
        Add("--exposed-ratio", "1.5", seq);
        Add("--exposed-ratio", "NaN", seq);
        Add("--short-term-factor", "NaN", seq);
        Add("--larmor", "-1", seq);
        Add("--repetition-blocks", "0", seq);
        foreach (var v in new[] { "0", "NaN", "-5", "Infinity" }) Add("--tr", v, "pulse", "check", "w.csv");
        string[] compress = ["vop", "compress", "--q", "q.h5", "--margin", "0.05", "-o", "v.h5"];
        Add("--target-vops", "0", compress);
        Add("--drives", "-1", compress);
        Add("--tolerance", "NaN", compress);
        Add("--tolerance", "1", compress);
        Add("--global-sar-wc", "Infinity", compress);
        Add("--global-sar-wc", "0", compress);
        Add("--target-vops", "-4", "vop", "merge", "a.h5", "--margin", "0.02", "-o", "m.h5");
        Add("--bins", "0", "vop", "report", "v.h5");
        Add("--drives", "-1", "vop", "verify", "v.h5", "--q", "q.h5");
        string[] ds = ["surrogate", "dataset", "--subjects", "2", "--shims", "1", "-o", "out"];
        Add("--threads", "0", ds);
        Add("--size", "0", ds);
        Add("--val-fraction", "NaN", ds);
        Add("--test-fraction", "1", ds);
        Add("--subjects", "0", "surrogate", "dataset", "--shims", "1", "-o", "out");
        Add("--quantile", "0", "surrogate", "evaluate", "--data", "d", "--model", "m.onnx");
        Add("--vop-margin", "NaN", "surrogate", "evaluate", "--data", "d", "--model", "m.onnx");
        Add("--drives", "-2", "surrogate", "predict", "--b1", "b.npz", "--model", "m.onnx");
        Add("--random-drives", "-1", "demo");
        Add("--port", "70000", "serve");
        Add("--max-upload-kb", "0", "serve");
        return d;
    }

    [Theory]
    [MemberData(nameof(BadNumbers))]
    public void OutOfRangeNumericOptionIsBadInputNamingOptionAndValue(string option, string value, string[] args)
    {
        var r = CliRunner.Run(args);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"{option} {value}", r.Err);
        Assert.DoesNotContain("internal error", r.Err);
        Assert.Equal("", r.Out);
    }

    [Theory]
    [InlineData("show")]
    [InlineData("compare")]
    public void RecordIdsMustBePositive(string sub)
    {
        var r = sub == "show" ? CliRunner.Run("records", "show", "0", "--db", "x.db") : CliRunner.Run("records", "compare", "1", "-7", "--db", "x.db");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("expected an integer ≥ 1", r.Err);
    }

    [Theory]
    [InlineData("margin", "cr", "--r", "2", "--k", "abc")]
    [InlineData("margin", "cr", "--r", "two")]
    [InlineData("mvie", "--q", "q.h5", "-o", "a.h5", "--tolerance", "1e-9x")]
    [InlineData("mvie", "--q", "q.h5", "-o", "a.h5", "--power-floor", "")]
    [InlineData("records", "show", "x1", "--db", "x.db")]
    [InlineData("seq", "check", "x.seq", "--repetition-blocks", "1.5")]
    public void UnparsableNumberIsBadInputNotInternalError(params string[] args)
    {
        var r = CliRunner.Run(args);
        Assert.Equal(2, r.ExitCode);
        Assert.DoesNotContain("internal error", r.Err);
    }

    [Fact]
    public void ValidValuesStillParse()
    {
        var r = CliRunner.Run("margin", "cr", "--r", "2", "--k", "3");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("C_2", r.Out);
    }

    private static string BlockDataset(TempDir tmp, Action<SarKit.Grid.TissueModel>? edit = null)
    {
        var t = TestPhantoms.Block(6, 6, 6, 2, 0.005);
        edit?.Invoke(t);
        var ds = new SarDataset(t, TestPhantoms.RandomFields(t.Grid, 2, 7));
        var path = tmp.File("block.npz");
        ArrayDatasetMapper.WriteNpz(ds, path);
        return path;
    }

    [Theory]
    [InlineData("1e6kg")]
    [InlineData("1e300g")]
    [InlineData("2kg")]
    [InlineData("1e-12g")]
    public void ImplausibleMassIsBadInputNamingTheOption(string mass)
    {
        using var tmp = new TempDir();
        var f = BlockDataset(tmp);
        foreach (var args in new[] { new[] { "sar", "-f", f, "-d", "1,1", "--mass", mass }, ["qmatrices", "-f", f, "--mass", mass, "-o", tmp.File("q.h5")] })
        {
            var r = CliRunner.Run(args);
            Assert.Equal(2, r.ExitCode);
            Assert.Contains("--mass", r.Err);
            Assert.Contains(mass, r.Err);
        }
        Assert.Equal(["block.npz"], tmp.Files());
    }

    [Theory]
    [InlineData("5000")]
    [InlineData("201")]
    [InlineData("-1")]
    public void ExcessivePadIsBadInput(string pad)
    {
        using var tmp = new TempDir();
        var f = BlockDataset(tmp);
        var r = CliRunner.Run("sar", "-f", f, "-d", "1,1", "--pad", pad);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--pad", r.Err);
    }

    [Theory]
    [InlineData("2")]
    [InlineData("auto")]
    public void TinyDensityIsRefusedNotHung(string pad)
    {
        using var tmp = new TempDir();
        var f = BlockDataset(tmp, t => t.Rho[t.Grid.Index(4, 4, 4)] = 1e-300);
        var r = CliRunner.Run("sar", "-f", f, "-d", "1,1", "--pad", pad, "--json");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("rho", r.Err);
        Assert.Contains("i=4, j=4, k=4", r.Err);
        Assert.Equal("", r.Out);
        var p = CliRunner.Run("sar", "-f", f, "-d", "1,1", "--mass", "point", "--json");
        Assert.Equal(2, p.ExitCode);
    }

    [Theory]
    [InlineData(0.5, "rho")]      // below the 1 kg/m³ tissue threshold (g/cm³ by mistake?)
    [InlineData(1e6, "rho")]      // above any material
    public void UnphysicalDensityIsRefusedByTheTissueModel(double rho, string map)
    {
        var t = TestPhantoms.Block(4, 4, 4, 2, 0.005);
        t.Rho[t.Grid.Index(3, 3, 3)] = rho;
        var e = Assert.Throws<SarKitInputException>(() => t.Validate());
        Assert.Contains(map, e.Message);
        Assert.Contains("i=3, j=3, k=3", e.Message);
    }

    [Fact]
    public void LowestLegalDensityAveragesAndTerminates()
    {
        // ρ = 1 kg/m³ at one voxel: its 10 g cube would be 21 cm wide, far larger than the 5 cm domain; the solver starts
        // from the grid size instead and the voxel simply has no valid cube.
        var t = TestPhantoms.Block(6, 6, 6, 2, 0.005);
        t.Rho[t.Grid.Index(4, 4, 4)] = 1;
        var cubes = SarKit.Averaging.AveragingCubeSet.Build(new SarKit.Fields.AirPadding(t.Grid, 2).Pad(t), new SarKit.Averaging.AveragingOptions { TargetMassKg = 0.001 });
        Assert.True(cubes.CubeCount > 0);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(0.0)]
    [InlineData(1e-300)]
    [InlineData(double.PositiveInfinity)]
    public void MvieToleranceThatCannotStopTheBarrierLoopIsRefused(double tol)
    {
        var q = new double[4]; q[0] = 1; q[3] = 1; // one 2×2 identity Q-matrix, packed
        var e = Assert.Throws<SarKitInputException>(() => SarKit.Constraints.MvieSolver.Solve(q, 2, new SarKit.Constraints.MvieOptions { GapTolerance = tol }));
        Assert.Contains("gap tolerance", e.Message);
    }

    [Fact]
    public void HugeGridIsBadInputNotOverflow()
    {
        var e = Assert.Throws<SarKitInputException>(() => SarKit.Grid.VoxelGrid.Uniform(3000, 3000, 3000, 0.001));
        Assert.Contains("3000×3000×3000", e.Message);
        Assert.Throws<SarKitInputException>(() => SarKit.Grid.VoxelGrid.Uniform(int.MaxValue, int.MaxValue, 2, 0.001));
    }
}
