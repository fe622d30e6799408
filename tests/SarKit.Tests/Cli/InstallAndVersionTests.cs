using SarKit.Cli;

namespace SarKit.Tests.Cli;

/// <summary>Where `demo` and `serve` find the demo data (checkout vs installed tool) and what `--version` prints (issue 17).</summary>
public sealed class InstallAndVersionTests : IDisposable
{
    private readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    private string Touch(params string[] parts)
    {
        var p = Path.Combine([_dir.Path, .. parts]);
        Directory.CreateDirectory(Path.GetDirectoryName(p)!);
        File.WriteAllText(p, "x");
        return p;
    }

    [Fact]
    public void A_checkout_uses_its_data_demo_even_when_a_copy_sits_beside_the_program()
    {
        Touch("SarKit.sln");
        var checkout = Touch("data", "demo", DemoData.FileName);
        Touch("src", "SarKit.Cli", "bin", "Release", "net10.0", "demo", DemoData.FileName);
        var found = DemoData.Locate(Path.Combine(_dir.Path, "src", "SarKit.Cli", "bin", "Release", "net10.0"));
        Assert.Equal(checkout, found);
        Assert.DoesNotContain("bin", found[_dir.Path.Length..]);
    }

    [Fact]
    public void An_installed_tool_uses_its_packaged_copy()
    {
        // a data/demo without SarKit.sln above the tool is not a checkout (e.g. a user's own folder)
        Touch("data", "demo", DemoData.FileName);
        var packaged = Touch("tools", ".store", "sarkit.cli", "0.1.0", "sarkit.cli", "0.1.0", "tools", "net10.0", "any", "demo", DemoData.FileName);
        Assert.Equal(packaged, DemoData.Locate(Path.GetDirectoryName(Path.GetDirectoryName(packaged))!));
    }

    [Fact]
    public void Without_either_it_is_bad_input_naming_both_places()
    {
        var prog = Path.Combine(_dir.Path, "prog");
        Directory.CreateDirectory(prog);
        var e = Assert.Throws<SarKitInputException>(() => DemoData.Locate(prog));
        Assert.Contains("data/demo/ of a SarKit source checkout", e.Message);
        Assert.Contains(Path.Combine(prog, "demo", DemoData.FileName), e.Message);
    }

    [Fact]
    public void The_demo_of_this_checkout_is_data_demo_not_the_build_output()
    {
        Assert.Equal(CliRunner.DemoFile, DemoData.Locate());
        Assert.Equal(Path.GetDirectoryName(CliRunner.DemoFile), SarKit.Cli.Commands.ServeCommand.Options(null, 0, null, false, null, 1024).DataFolder);
    }

    [Theory]
    [InlineData("0.1.0+4a887179d6b6cde2aea3c3434278cf47875c1984", "0.1.0", "4a887179d6b6cde2aea3c3434278cf47875c1984")]
    [InlineData("1.2.3-rc.1+ABCDEF0", "1.2.3-rc.1", "abcdef0")]
    [InlineData("0.1.0", "0.1.0", null)]
    [InlineData("0.1.0+local", "0.1.0", null)]
    [InlineData("0.1.0+abc", "0.1.0", null)]
    public void The_informational_version_splits_into_version_and_commit(string informational, string version, string? commit)
    {
        Assert.Equal((version, commit), SarKitVersion.Split(informational));
    }

    [Fact]
    public void Version_prints_the_version_and_the_commit_or_says_that_it_is_unknown()
    {
        var r = CliRunner.Run("--version");
        Assert.Equal(0, r.ExitCode);
        Assert.Matches(@"^sarkit \d+\.\d+\.\d+\S* \((commit [0-9a-f]{7,}|commit unknown: not built from a git checkout)\)$", r.Out.Trim());
        Assert.StartsWith("sarkit " + SarKitVersion.Current + " (", r.Out);
        if (SarKitVersion.Commit is { } c) Assert.Contains(c, r.Out);
    }
}
