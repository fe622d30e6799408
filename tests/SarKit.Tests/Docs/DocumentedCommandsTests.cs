using System.Text.Json;
using System.Text.RegularExpressions;
using SarKit.Fields;
using SarKit.IO.Formats;
using SarKit.Tests.Cli;
using SarKit.Tests.Support;

namespace SarKit.Tests.Docs;

/// <summary>
/// Every `sarkit` command shown in the code blocks of the user documentation is run through the real CLI entry point
/// (<see cref="SarKit.Cli.CliApp.Run(string[])"/>) on small data in a temporary folder, in document order (a later command
/// may use a file an earlier one wrote), and must exit 0; numbers the page states next to a command (a trailing
/// `# comment` or the output lines shown under a `$ ` command) must appear in its output. The synopsis block of
/// docs/cli.md is checked against the command tree: every command of the program is listed, every listed command exists
/// and accepts every option the synopsis names. A command that cannot run in a test must be listed in
/// <see cref="NotRun"/> with the reason; a file a user would supply is replaced as listed in <see cref="Substitutes"/>.
/// A new documented command without a way to run it therefore fails this test.
/// </summary>
public class DocumentedCommandsTests
{
    /// <summary>The pages whose commands are run (repository-relative).</summary>
    public static readonly string[] Pages = ["README.md", "docs/cli.md", "docs/nema-ms8.md", "examples/seq/README.md"];

    /// <summary>Documented commands that are not run here, by their exact text, with the reason.</summary>
    private static readonly Dictionary<string, string> NotRun = new()
    {
        ["./sarkit serve"] = "starts the web server and runs until Ctrl-C; tests/SarKit.Web.Tests/Api/ServeProcessTests runs `sarkit serve` as a child process",
        ["./sarkit serve --data ~/sims --port 8080"] = "the web server again, on a user's folder (~/sims) and a fixed port that may be taken; see ServeProcessTests",
    };

    /// <summary>Files a user would supply, replaced by generated small files (name in the docs → what the test writes).</summary>
    private static readonly Dictionary<string, string> Substitutes = new()
    {
        ["my_sim.mat"] = "MATLAB v5/v7 file of a 4-channel 18×16×14 ellipsoid phantom with random fields (ArrayDatasetMapper.WriteMat)",
        ["my_sim.h5"] = "the same phantom as a SarKit HDF5 dataset (SarKitDatasetFile.Write)",
        ["model.npz"] = "the same phantom as a NumPy .npz (ArrayDatasetMapper.WriteNpz)",
        ["drive.json"] = "a 4-channel drive file {\"amplitude\": [...], \"phase_deg\": [...]}",
        ["~/sar-records"] = "a records folder inside the temporary folder (instead of the home folder)",
    };

    private static readonly Regex PathToken = new(@"^(\./)?[\w.~/+-]*[\w~]\.(h5|hdf5|mat|npz|json|yaml|yml|html|md|csv|svg|png|seq|pem|onnx|txt)$|^~/[\w./-]+$", RegexOptions.Compiled);

    private static SarDataset SmallPhantom()
    {
        var tissue = TestPhantoms.Ellipsoid(18, 16, 14, 0.005, seed: 7);
        var e = TestPhantoms.RandomFields(tissue.Grid, 4, seed: 11);
        return new SarDataset(tissue, e);
    }

    /// <summary>Maps a documented argument to what the test passes: repository files stay (absolute), user files are substituted, outputs go to the temporary folder.</summary>
    private static string MapArg(string word, string temp)
    {
        if (Substitutes.ContainsKey(word)) return Path.Combine(temp, word.Replace("~/", ""));
        if (!PathToken.IsMatch(word)) return word;
        var rel = word.StartsWith("./", StringComparison.Ordinal) ? word[2..] : word;
        var inRepo = Path.Combine(SharedData.RepoRoot, rel);
        if (File.Exists(inRepo) && (rel.StartsWith("data/", StringComparison.Ordinal) || rel.StartsWith("examples/", StringComparison.Ordinal) || rel.StartsWith("models/", StringComparison.Ordinal)))
            return inRepo;
        return Path.Combine(temp, rel.Replace("~/", ""));
    }

    private static void WriteSubstitutes(string temp)
    {
        var ds = SmallPhantom();
        ArrayDatasetMapper.WriteMat(ds, Path.Combine(temp, "my_sim.mat"));
        ArrayDatasetMapper.WriteNpz(ds, Path.Combine(temp, "model.npz"));
        SarKitDatasetFile.Write(ds, Path.Combine(temp, "my_sim.h5"));
        File.WriteAllText(Path.Combine(temp, "drive.json"), "{\"amplitude\": [1, 0.5, 1, 0.5], \"phase_deg\": [0, 90, 180, 270]}");
    }

    [Fact]
    public void EveryDocumentedCommandRunsAndItsStatedFiguresHold()
    {
        // one folder for all pages, in page order: a command may use what an earlier one wrote; a command whose arguments
        // equal an earlier one's (the same example on two pages) is run once
        using var dir = new TempDir();
        WriteSubstitutes(dir.Path);
        var synopsis = Synopsis().Block;
        var failures = new List<string>();
        var done = new Dictionary<string, CliRunner.Result>();
        int run = 0;
        foreach (var page in Pages)
        {
            var commands = MarkdownCode.Commands(page).Where(c => !(c.Block.File == synopsis.File && c.Block.Line == synopsis.Line)).ToList();
            Assert.True(commands.Count > 0, $"{page}: no sarkit commands found");
            foreach (var c in commands)
            {
                if (NotRun.ContainsKey(c.Text)) continue;
                var words = MarkdownCode.Words(c.Text);
                string? jq = null;
                int pipe = words.IndexOf("|");
                if (pipe >= 0)
                {
                    // `… --json | jq .name`: the JSON output must have that property
                    Assert.True(pipe + 3 == words.Count && words[pipe + 1] == "jq", $"{c.File}:{c.Line}: only `| jq .name` pipes are understood: {c.Text}");
                    jq = words[pipe + 2].TrimStart('.');
                    words = words[..pipe];
                }
                var args = words.Skip(1).Select(w => MapArg(w, dir.Path)).ToList();
                bool demo = args is ["demo"];
                if (demo) args.Add("--json"); // the figures of the demo are read from its JSON (same run, same checks)
                var key = string.Join('\n', args);
                if (!done.TryGetValue(key, out var r)) { r = CliRunner.Run(args.ToArray()); done[key] = r; run++; }
                var where = $"{c.File}:{c.Line} `{c.Text}`";
                if (r.ExitCode != 0) { failures.Add($"{where}: exit {r.ExitCode}: {Last(r.Err, 600)}"); continue; }
                if (jq is not null)
                {
                    using var doc = JsonDocument.Parse(r.Out);
                    if (!doc.RootElement.TryGetProperty(jq, out _)) failures.Add($"{where}: the JSON output has no '{jq}'");
                }
                if (demo) CheckDemoFigures(r.Out, failures);
                var output = MarkdownCode.Ungrouped(r.Out);
                var stated = MarkdownCode.Numbers(c.Comment).Concat(c.ShownOutput.SelectMany(MarkdownCode.Numbers)).Distinct();
                foreach (var n in stated)
                    if (!output.Contains(n, StringComparison.Ordinal))
                        failures.Add($"{where}: the page states {n}, which the output does not contain:\n{Last(r.Out, 1500)}");
            }
        }
        Assert.True(run >= 10, $"only {run} commands ran");
        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }

    /// <summary>docs/cli.md says how many checks `sarkit demo` runs ("all three checks pass"); the demo must run that many.</summary>
    private static void CheckDemoFigures(string json, List<string> failures)
    {
        using var doc = JsonDocument.Parse(json);
        int checks = doc.RootElement.GetProperty("checks").GetArrayLength();
        var m = Regex.Match(MarkdownCode.Read("docs/cli.md"), @"Exit code 0 when all (\w+) checks pass");
        if (!m.Success) { failures.Add("docs/cli.md: the `demo` section no longer says \"Exit code 0 when all N checks pass\""); return; }
        string[] words = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];
        int stated = Array.IndexOf(words, m.Groups[1].Value);
        if (stated != checks) failures.Add($"docs/cli.md says the demo has {m.Groups[1].Value} checks; it ran {checks}");
        if (!doc.RootElement.GetProperty("all_checks_pass").GetBoolean()) failures.Add("sarkit demo: a check failed");
    }

    private static string Last(string s, int n) => s.Length <= n ? s : "…" + s[^n..];

    /// <summary>The synopsis: the first code block of docs/cli.md.</summary>
    private static (MarkdownCode.Block Block, List<string> Lines) Synopsis()
    {
        var b = MarkdownCode.Blocks("docs/cli.md")[0];
        var lines = b.Lines.Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        Assert.All(lines, l => Assert.StartsWith("sarkit", l));
        return (b, lines);
    }

    /// <summary>Subcommand names listed under "Commands:" in a --help text.</summary>
    private static List<string> Subcommands(string help)
    {
        var names = new List<string>();
        bool inCommands = false;
        foreach (var line in help.Replace("\r\n", "\n").Split('\n'))
        {
            if (line.StartsWith("Commands:", StringComparison.Ordinal)) { inCommands = true; continue; }
            if (!inCommands) continue;
            if (line.Trim().Length == 0 || !line.StartsWith("  ", StringComparison.Ordinal)) { if (names.Count > 0) break; continue; }
            var m = Regex.Match(line, @"^  ([a-z][a-z0-9-]*)\b");
            if (m.Success) names.Add(m.Groups[1].Value);
        }
        return names;
    }

    /// <summary>Every leaf command path of the program ("info", "vop compress", …), from the --help output.</summary>
    private static List<string> LeafCommands(string path = "")
    {
        var r = CliRunner.Run([.. path.Split(' ', StringSplitOptions.RemoveEmptyEntries), "--help"]);
        Assert.True(r.ExitCode == 0, $"sarkit {path} --help: exit {r.ExitCode} {r.Err}");
        var subs = Subcommands(r.Out);
        if (subs.Count == 0) return [path];
        return subs.SelectMany(s => LeafCommands((path + " " + s).Trim())).ToList();
    }

    /// <summary>Command paths of a synopsis line, alternatives expanded: "sarkit nema calorimetry|pulse-energy FILE" → nema calorimetry, nema pulse-energy.</summary>
    private static List<string> SynopsisPaths(string line)
    {
        var paths = new List<string> { "" };
        foreach (var w in line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1))
        {
            if (!Regex.IsMatch(w, @"^[a-z][a-z0-9-]*(\|[a-z][a-z0-9-]*)*$")) break;
            paths = paths.SelectMany(p => w.Split('|').Select(a => (p + " " + a).Trim())).ToList();
        }
        return paths;
    }

    [Fact]
    public void TheCliSynopsisListsEveryCommandWithOptionsThatExist()
    {
        var (_, lines) = Synopsis();
        var listed = new HashSet<string>();
        var failures = new List<string>();
        foreach (var line in lines)
        {
            foreach (var path in SynopsisPaths(line))
            {
                listed.Add(path);
                var r = CliRunner.Run([.. path.Split(' ', StringSplitOptions.RemoveEmptyEntries), "--help"]);
                if (r.ExitCode != 0) { failures.Add($"`sarkit {path} --help` (synopsis: {line}): exit {r.ExitCode} {r.Err}"); continue; }
                if (path.Length == 0) continue; // `sarkit --version`, `sarkit COMMAND --help`
                foreach (Match m in Regex.Matches(line, @"(?<![\w-])--[a-z][a-z0-9-]*"))
                    if (!Regex.IsMatch(r.Out, $@"(?<![\w-]){Regex.Escape(m.Value)}(?![\w-])"))
                        failures.Add($"synopsis `{line}`: `sarkit {path}` has no option {m.Value}");
            }
        }
        foreach (var leaf in LeafCommands())
            if (!listed.Contains(leaf)) failures.Add($"docs/cli.md synopsis does not list `sarkit {leaf}`");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>examples/seq/README.md: the file without RF_SHIMS is refused with the inline calibration (exit 2, saying what to give).</summary>
    [Fact]
    public void TheSequenceWithoutRfShimsNeedsTheCalibrationFileWithDefaultShim()
    {
        string Ex(string name) => Path.Combine(SharedData.RepoRoot, "examples", "seq", name);
        var r = CliRunner.Run("seq", "check", Ex("gre_sinc.seq"), "--vops", Ex("demo_vops_10g.h5"), "--calibration", "12.5 V/uT");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("gre_sinc.seq: block 1 has RF without an RF_SHIMS entry", r.Err);
        Assert.Contains("\"default_shim\"", r.Err);
        Assert.Contains("inline '12.5 V/uT' has no default shim", r.Err);
        // the same pulses with RF_SHIMS rows need no default shim; the shims differ, so the SAR does too
        var withShims = CliRunner.Run("seq", "check", Ex("gre_rfshims.seq"), "--vops", Ex("demo_vops_10g.h5"), "--calibration", "12.5 V/uT", "--json");
        var withDefault = CliRunner.Run("seq", "check", Ex("gre_sinc.seq"), "--vops", Ex("demo_vops_10g.h5"), "--calibration", Ex("calibration_default_shim.json"), "--json");
        Assert.True(withShims.ExitCode == 0 && withDefault.ExitCode == 0, withShims.Err + withDefault.Err);
        using var a = JsonDocument.Parse(withShims.Out);
        using var b = JsonDocument.Parse(withDefault.Out);
        Assert.Equal("verified", a.RootElement.GetProperty("signature").GetString());
        Assert.Equal(2, a.RootElement.GetProperty("distinct_rf_events").GetInt32());
        Assert.Equal(1, b.RootElement.GetProperty("distinct_rf_events").GetInt32());
        // the CP shim alone (default shim = CP) gives less SAR than CP alternating with the second circular mode
        double sa = a.RootElement.GetProperty("binding").GetProperty("sar_w_per_kg").GetDouble();
        double sb = b.RootElement.GetProperty("binding").GetProperty("sar_w_per_kg").GetDouble();
        Assert.True(sb < sa, $"{sb} vs {sa}");
    }

    [Fact]
    public void EveryNotRunEntryAndSubstituteIsStillUsedByTheDocs()
    {
        var all = Pages.SelectMany(MarkdownCode.Commands).ToList();
        foreach (var k in NotRun.Keys) Assert.Contains(all, c => c.Text == k);
        foreach (var k in Substitutes.Keys) Assert.Contains(all, c => MarkdownCode.Words(c.Text).Contains(k));
    }

    [Fact]
    public void TheMarkdownHelpersSplitCommandsLikeAShell()
    {
        Assert.Equal(["sarkit", "seq", "check", "x.seq", "--calibration", "12.5 V/uT"], MarkdownCode.Words("sarkit seq check x.seq --calibration '12.5 V/uT'"));
        Assert.Equal(("./sarkit demo ", " 3 checks"), MarkdownCode.SplitComment("./sarkit demo # 3 checks"));
        Assert.Equal(("sarkit x '#a'", ""), MarkdownCode.SplitComment("sarkit x '#a'"));
        Assert.Equal(["32780", "8", "8"], MarkdownCode.Numbers("32 780 matrices, 8×8"));
        Assert.Equal(["0.018159", "62.5", "47.5", "-5"], MarkdownCode.Numbers("0.018159 W/kg at (62.5, 47.5, -5) mm"));
        Assert.Equal("32780 matrices (32, 19, 11)", MarkdownCode.Ungrouped("32,780 matrices (32, 19, 11)"));
    }
}
