using SarKit.Cli;
using SarKit.Web.Tests.Support;

namespace SarKit.Web.Tests.Api;

/// <summary>Settings validation (loopback only unless public) and the `sarkit serve` argument errors.</summary>
public sealed class OptionsTests
{
    private static string Demo => Path.GetDirectoryName(TestData.DemoFile)!;

    [Theory]
    [InlineData("http://127.0.0.1:5000", false, true)]
    [InlineData("http://localhost:5000", false, true)]
    [InlineData("http://[::1]:5000", false, true)]
    [InlineData("http://127.0.0.2:5000", false, true)]
    [InlineData("http://0.0.0.0:5000", false, false)]
    [InlineData("http://*:5000", false, false)]
    [InlineData("http://192.168.1.10:5000", false, false)]
    [InlineData("http://0.0.0.0:5000", true, true)]
    [InlineData("ftp://127.0.0.1:5000", false, false)]
    public void Urls_must_be_loopback_unless_public(string url, bool isPublic, bool ok)
    {
        var o = new SarKitWebOptions { DataFolder = Demo, Public = isPublic, Urls = [url] };
        if (ok) o.Validate();
        else Assert.Throws<SarKitInputException>(() => o.Validate());
    }

    [Fact]
    public void Port_binds_loopback_by_default()
    {
        var o = new SarKitWebOptions { DataFolder = Demo };
        o.ListenOnPort(8080);
        Assert.Equal(["http://127.0.0.1:8080"], o.Urls);
        Assert.Throws<SarKitInputException>(() => new SarKitWebOptions { DataFolder = "/nonexistent/folder" }.Validate());
    }

    [Theory]
    [InlineData("--urls", "http://0.0.0.0:5000")]
    [InlineData("--data", "/nonexistent/sarkit/data")]
    [InlineData("--port", "70000")]
    [InlineData("--cache-mb", "-5")]
    public void Serve_rejects_bad_arguments_with_exit_code_2(string option, string value)
    {
        var err = new StringWriter();
        int code = CliApp.Run(["serve", option, value], new StringWriter(), err);
        Assert.Equal(CliApp.ExitBadInput, code);
        Assert.StartsWith("error:", err.ToString());
    }
}
