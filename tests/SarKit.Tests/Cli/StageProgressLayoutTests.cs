using System.Text;
using System.Text.RegularExpressions;
using SarKit.Cli;
using Spectre.Console;

namespace SarKit.Tests.Cli;

/// <summary>The progress bars fit the terminal: widths from <see cref="StageProgress.Layout"/>, nothing wraps.</summary>
public class StageProgressLayoutTests
{
    [Fact]
    public void Bar_is_at_least_20_characters_at_80_columns_and_every_width_fits_its_terminal()
    {
        var (d80, b80) = StageProgress.Layout(80);
        Assert.True(b80 >= 20, $"bar {b80}");
        Assert.True(d80 >= 20, $"text {d80}");
        Assert.Equal(StageProgress.Layout(80), StageProgress.Layout(0));   // unknown width: 80
        for (int w = 50; w <= 400; w++)
        {
            var (d, b) = StageProgress.Layout(w);
            Assert.True(d + b + StageProgress.FixedColumns + StageProgress.Gaps <= w - 1, $"width {w}: text {d} + bar {b}");
            Assert.InRange(b, 10, 40);
            Assert.True(d >= 8);
            var (d1, b1) = StageProgress.Layout(w + 1);
            Assert.True(d1 >= d && b1 >= b, $"width {w}: a wider terminal never gets narrower columns");
        }
    }

    [Fact]
    public void Long_texts_are_cut_with_an_ellipsis()
    {
        Assert.Equal("short", StageProgress.Fit("short", 10));
        Assert.Equal("0123456789", StageProgress.Fit("0123456789", 10));
        Assert.Equal("012345678…", StageProgress.Fit("0123456789A", 10));
        Assert.Equal(10, StageProgress.Fit(new string('x', 500), 10).Length);
    }

    private sealed class FixedWidthOutput(TextWriter writer, int width) : IAnsiConsoleOutput
    {
        public TextWriter Writer => writer;
        public bool IsTerminal => true;
        public int Width => width;
        public int Height => 25;
        public void SetEncoding(Encoding encoding) { }
    }

    [Theory]
    [InlineData(80)]
    [InlineData(100)]
    [InlineData(132)]
    public void Rendered_lines_fit_the_terminal(int width)
    {
        var sw = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new FixedWidthOutput(sw, width), Ansi = AnsiSupport.Yes, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.Yes,
        });
        StageProgress.RunOn(console, p =>
        {
            p.Report("verify: random drives", 400, 1000, "0 failed of 32 780 original matrices, 9 533 drives");
            p.Report("compress", 1, 3, "iteration 2 of the iterative algorithm, ε = 0.0523, 417 VOPs so far");
            p.Message("resuming from /a/rather/long/path/to/the/output/v.h5.checkpoint.json: iteration 4, ε = 0.05, 120 VOPs");
            p.Complete("compress");
            return 0;
        });
        var text = Regex.Replace(sw.ToString(), @"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]", "");
        // '\r' returns to column 0 (the live display redraws in place), so it ends a line as '\n' does
        var lines = text.Split('\n', '\r');
        Assert.Contains(lines, l => l.Contains("verify: random"));
        foreach (var l in lines) Assert.True(l.Length <= width, $"{l.Length} > {width}: '{l}'");
        // a complete bar (the message line) is drawn with its full width (━ or - glyphs)
        var bar = lines.Last(l => l.Contains("resuming from"));
        Assert.True(Regex.Matches(bar, "[━╸╺─-]").Count >= StageProgress.Layout(width).Bar - 1, bar);
    }
}
