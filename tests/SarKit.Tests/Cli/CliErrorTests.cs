using SarKit.Fields;
using SarKit.IO;
using SarKit.IO.Formats;

namespace SarKit.Tests.Cli;

public class CliErrorTests
{
    [Fact]
    public void MissingFileIsBadInputNamingTheFile()
    {
        using var tmp = new TempDir();
        var missing = tmp.File("nope.h5");
        var r = CliRunner.Run("sar", "-f", missing, "-d", "cp", "-o", tmp.File("out.h5"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("nope.h5", r.Err);
        Assert.Equal("", r.Out);
        Assert.Empty(tmp.Files());
        Assert.Equal(2, CliRunner.Run("info", missing).ExitCode);
    }

    [Theory]
    [InlineData("1@0,1@45", "8 channels")]
    [InlineData("1@0,1@x,1,1,1,1,1,1", "1@x")]
    [InlineData("", "--drive")]
    public void BadDriveIsBadInput(string drive, string expected)
    {
        using var tmp = new TempDir();
        var r = CliRunner.Run("sar", "-f", CliRunner.DemoFile, "-d", drive, "-o", tmp.File("out.npz"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(expected, r.Err);
        Assert.Empty(tmp.Files());
    }

    [Theory]
    [InlineData("10lb")]
    [InlineData("-1g")]
    [InlineData("ten grams")]
    public void UnknownMassIsBadInput(string mass)
    {
        using var tmp = new TempDir();
        var r = CliRunner.Run("sar", "-f", CliRunner.DemoFile, "-d", "cp", "--mass", mass, "-o", tmp.File("out.h5"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(mass, r.Err);
        Assert.Contains("--mass", r.Err);
        Assert.Empty(tmp.Files());
        Assert.Equal(2, CliRunner.Run("qmatrices", "-f", CliRunner.DemoFile, "--mass", mass, "-o", tmp.File("q.h5")).ExitCode);
        Assert.Empty(tmp.Files());
    }

    [Fact]
    public void NaNInAFieldIsBadInputNamingFileAndVoxel()
    {
        using var tmp = new TempDir();
        var ds = DatasetFiles.Open(CliRunner.DemoFile);
        int v = ds.Grid.Index(20, 16, 21);
        ds.E.ComponentData(3, 1)[2 * v + 1] = float.NaN;
        var npz = tmp.File("bad.npz");
        ArrayDatasetMapper.WriteNpz(ds, npz);
        var r = CliRunner.Run("sar", "-f", npz, "-d", "cp", "-o", tmp.File("out.h5"), "--json");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("bad.npz", r.Err);
        Assert.Contains("NaN", r.Err);
        Assert.Contains("i=20, j=16, k=21", r.Err);
        Assert.Equal("", r.Out);
        Assert.Equal(["bad.npz"], tmp.Files());
        var q = CliRunner.Run("qmatrices", "-f", npz, "-o", tmp.File("q.h5"));
        Assert.Equal(2, q.ExitCode);
        Assert.Equal(["bad.npz"], tmp.Files());
    }

    [Theory]
    [InlineData("sar", "-f", "x.h5")]                 // --drive missing
    [InlineData("sar", "--bogus", "1")]
    [InlineData("frobnicate")]
    [InlineData("info")]
    public void ParseErrorsAreBadInput(params string[] args)
    {
        var r = CliRunner.Run(args);
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("error:", r.Err);
        Assert.Equal("", r.Out);
    }

    [Fact]
    public void UnknownRegionAndOutputExtensionAreBadInput()
    {
        using var tmp = new TempDir();
        var r = CliRunner.Run("sar", "-f", CliRunner.DemoFile, "-d", "cp", "--region", "head");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("'head'", r.Err);
        r = CliRunner.Run("sar", "-f", CliRunner.DemoFile, "-d", "cp", "-o", tmp.File("maps.txt"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("maps.txt", r.Err);
        Assert.Empty(tmp.Files());
    }

    [Fact]
    public void DriveUnitMismatchIsBadInput()
    {
        using var tmp = new TempDir();
        var file = tmp.File("drive.json");
        File.WriteAllText(file, """{"amplitude":[1,1,1,1,1,1,1,1],"unit":"per_sqrt_watt_incident"}""");
        var r = CliRunner.Run("sar", "-f", CliRunner.DemoFile, "-d", file);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("per_volt_incident", r.Err);
    }

    [Fact]
    public void NonDatasetFileIsBadInput()
    {
        using var tmp = new TempDir();
        var f = tmp.File("notes.txt");
        File.WriteAllText(f, "hello");
        var r = CliRunner.Run("info", f);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("notes.txt", r.Err);
    }

    [Fact]
    public void ExceptionsMapToExitCodes()
    {
        var (o, e) = (new StringWriter(), new StringWriter());
        var io = new SarKit.Cli.CliIO(o, e);
        Assert.Equal(2, io.Fail(new SarKitInputException("x.h5: /fields/E: bad")));
        Assert.Equal("error: x.h5: /fields/E: bad", e.ToString().Trim());
        Assert.Equal(2, io.Fail(new FileNotFoundException("gone.h5")));
        e.GetStringBuilder().Clear();
        Assert.Equal(1, io.Fail(new InvalidOperationException("boom")));
        Assert.StartsWith("internal error: InvalidOperationException: boom", e.ToString());
        Assert.Equal(1, io.Guard(() => throw new NullReferenceException()));
        Assert.Equal("", o.ToString());
    }
}
