using System.Text;
using System.Text.RegularExpressions;

namespace SarKit.Tests.Docs;

/// <summary>Fenced code blocks of a Markdown file and the shell command lines inside them (for the documentation tests).</summary>
internal static partial class MarkdownCode
{
    /// <summary>One fenced block: its info string ("bash", "python", "" …), first line number (1-based) and lines.</summary>
    public sealed record Block(string File, string Language, int Line, string[] Lines)
    {
        public string Text => string.Join('\n', Lines) + "\n";
    }

    /// <summary>A command line found in a code block: the text (prompt removed), its trailing comment and the output lines shown under it.</summary>
    public sealed record Command(string File, int Line, string Text, string Comment, string[] ShownOutput, Block Block);

    public static string Read(string relative) => File.ReadAllText(Path.Combine(Support.SharedData.RepoRoot, relative));

    /// <summary>The fenced blocks (``` or ~~~) of <paramref name="relative"/> (repository-relative path).</summary>
    public static List<Block> Blocks(string relative)
    {
        var lines = Read(relative).Replace("\r\n", "\n").Split('\n');
        var blocks = new List<Block>();
        for (int i = 0; i < lines.Length; i++)
        {
            var t = lines[i].TrimStart();
            if (!t.StartsWith("```", StringComparison.Ordinal)) continue;
            string lang = t[3..].Trim();
            int start = i + 1, j = start;
            while (j < lines.Length && !lines[j].TrimStart().StartsWith("```", StringComparison.Ordinal)) j++;
            blocks.Add(new Block(relative, lang, start + 1, lines[start..j]));
            i = j;
        }
        return blocks;
    }

    /// <summary>
    /// Every `sarkit …` / `./sarkit …` line (optionally after a `$ ` prompt) of the shell-like blocks (no language, bash, sh,
    /// console, shell). Lines that follow a `$ ` command and do not start with `$ ` are that command's shown output.
    /// </summary>
    public static List<Command> Commands(string relative)
    {
        var list = new List<Command>();
        foreach (var b in Blocks(relative))
        {
            if (b.Language is not ("" or "bash" or "sh" or "console" or "shell" or "text")) continue;
            for (int i = 0; i < b.Lines.Length; i++)
            {
                var raw = b.Lines[i].Trim();
                bool prompt = raw.StartsWith("$ ", StringComparison.Ordinal);
                var line = prompt ? raw[2..].TrimStart() : raw;
                if (!IsSarkit(line)) continue;
                var (text, comment) = SplitComment(line);
                var shown = new List<string>();
                if (prompt)
                    for (int k = i + 1; k < b.Lines.Length && !b.Lines[k].TrimStart().StartsWith("$ ", StringComparison.Ordinal); k++)
                        if (b.Lines[k].Trim().Length > 0) shown.Add(b.Lines[k].Trim());
                list.Add(new Command(relative, b.Line + i, text.Trim(), comment.Trim(), shown.ToArray(), b));
            }
        }
        return list;
    }

    public static bool IsSarkit(string line) => line.StartsWith("sarkit ", StringComparison.Ordinal) || line.StartsWith("./sarkit ", StringComparison.Ordinal)
        || line is "sarkit" or "./sarkit";

    /// <summary>Splits "cmd args   # comment" at the first # outside quotes that follows whitespace.</summary>
    public static (string Text, string Comment) SplitComment(string line)
    {
        char quote = '\0';
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quote != '\0') { if (c == quote) quote = '\0'; continue; }
            if (c is '\'' or '"') quote = c;
            else if (c == '#' && i > 0 && char.IsWhiteSpace(line[i - 1])) return (line[..i], line[(i + 1)..]);
        }
        return (line, "");
    }

    /// <summary>Shell-like word splitting: whitespace separates, '…' and "…" quote (no escapes, no expansion).</summary>
    public static List<string> Words(string text)
    {
        var words = new List<string>();
        var sb = new StringBuilder();
        bool any = false;
        char quote = '\0';
        foreach (char c in text)
        {
            if (quote != '\0') { if (c == quote) quote = '\0'; else sb.Append(c); continue; }
            if (c is '\'' or '"') { quote = c; any = true; continue; }
            if (char.IsWhiteSpace(c)) { if (any || sb.Length > 0) words.Add(sb.ToString()); sb.Clear(); any = false; continue; }
            sb.Append(c);
        }
        if (quote != '\0') throw new FormatException($"unbalanced quote in: {text}");
        if (any || sb.Length > 0) words.Add(sb.ToString());
        return words;
    }

    /// <summary>Numbers stated in a text, with digit-group spaces removed ("32 780" → "32780"); leading minus kept.</summary>
    public static IEnumerable<string> Numbers(string text)
    {
        foreach (Match m in NumberPattern().Matches(text))
            yield return m.Value.Replace(" ", "").Replace("\u202f", "").Replace("\u2009", "").Replace('\u2212', '-');
    }

    /// <summary>Output text with digit-group separators between digits removed ("32,780" and "32 780" → "32780").</summary>
    public static string Ungrouped(string output) => GroupSeparator().Replace(output, "");

    [GeneratedRegex(@"[-\u2212]?\d+(?:[ \u202f\u2009]\d{3}(?!\d))*(?:\.\d+)?(?:[eE][-+]?\d+)?")]
    private static partial Regex NumberPattern();

    [GeneratedRegex(@"(?<=\d)[, \u202f\u2009](?=\d{3}(?!\d))")]
    private static partial Regex GroupSeparator();
}
