using System.Text;
using System.Text.RegularExpressions;

namespace SarKit.Fuzz.Mutation;

/// <summary>Structure-aware mutations of line-oriented text formats (Pulseq, CSV, JSON, YAML): numbers replaced in place,
/// rows deleted or duplicated, deep nesting, alias bombs, wrong types.</summary>
public static partial class TextMutator
{
    /// <summary>Replacement tokens: text, PASS-forbidding class (null: a finite value that may legitimately pass).</summary>
    public static readonly (string Text, string? Forbid)[] Numbers =
    [
        ("NaN", Mutant.NonFinite), ("nan", Mutant.NonFinite), ("Infinity", Mutant.NonFinite), ("-Infinity", Mutant.NonFinite), ("inf", Mutant.NonFinite),
        ("-inf", Mutant.NonFinite), (".nan", Mutant.NonFinite), (".inf", Mutant.NonFinite), ("1e999", Mutant.NonFinite), ("1e308", Mutant.Overflow),
        ("-1e308", Mutant.Overflow), ("1.7976931348623157e308", Mutant.Overflow), ("1e160", null), ("-0", null), ("4.9e-324", null), ("1e-300", null),
        ("0", null), ("-1", null), ("99999999999999999999", null), ("2147483648", null), ("-2147483649", null), ("1e-5", null), ("", null),
    ];

    /// <summary>A standalone number token (not part of a word, date, version or quoted string).</summary>
    [GeneratedRegex(@"(?<=^|[\s,:\[(=])[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?(?=$|[\s,\])}])", RegexOptions.Multiline)]
    private static partial Regex NumberToken();

    public static string Text(byte[] b) => Encoding.UTF8.GetString(b);
    public static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>Replaces one (or every, in one line) number token with a special value. <paramref name="hugeForbidden"/>: lines in which
    /// 1e160 is an amplitude (its square overflows), so PASS is forbidden for it too.</summary>
    public static Mutant? ReplaceNumber(string text, Random rng, Func<string, int, bool>? hugeForbidden = null, Func<int, bool>? eligibleLine = null)
    {
        var ms = NumberToken().Matches(text).Where(m => eligibleLine is null || eligibleLine(LineOf(text, m.Index))).ToList();
        if (ms.Count == 0) return null;
        var m = ms[rng.Next(ms.Count)];
        var (tok, forbid) = Numbers[rng.Next(Numbers.Length)];
        if (tok == "1e160" && hugeForbidden?.Invoke(text, m.Index) == true) forbid = Mutant.Overflow;
        if (tok == "") forbid = null;
        var s = text[..m.Index] + tok + text[(m.Index + m.Length)..];
        return new($"number@{LineOf(text, m.Index) + 1}:{m.Value}→{(tok == "" ? "(empty)" : tok)}", Bytes(s), forbid);
    }

    /// <summary>Scales every number of one line by a huge factor (the "waveform scaled by 1e300" case when applied to sample rows).</summary>
    public static Mutant? ScaleLine(string text, Random rng, Func<int, bool> eligibleLine, double factor)
    {
        var lines = text.Split('\n');
        var idx = Enumerable.Range(0, lines.Length).Where(i => eligibleLine(i) && NumberToken().IsMatch(lines[i])).ToList();
        if (idx.Count == 0) return null;
        int li = idx[rng.Next(idx.Count)];
        lines[li] = NumberToken().Replace(lines[li], m => double.TryParse(m.Value, System.Globalization.CultureInfo.InvariantCulture, out var v) && v != 0
            ? (v * factor).ToString("R", System.Globalization.CultureInfo.InvariantCulture) : m.Value);
        return new($"scale-line{li + 1}×{factor:G3}", Bytes(string.Join('\n', lines)), Math.Abs(factor) >= 1e150 ? Mutant.Overflow : null);
    }

    public static Mutant DeleteLines(string text, Random rng, Func<int, bool>? eligible = null, string? forbid = null)
    {
        var lines = text.Split('\n').ToList();
        var idx = Enumerable.Range(0, lines.Count).Where(i => eligible?.Invoke(i) ?? true).ToList();
        if (idx.Count == 0) idx = Enumerable.Range(0, lines.Count).ToList();
        int a = idx[rng.Next(idx.Count)], n = rng.Next(4) == 0 ? Math.Min(1 + rng.Next(lines.Count / 2 + 1), idx.Count) : 1;
        var removed = new List<int>();
        for (int i = 0; i < n; i++)
        {
            int k = a + i; if (k >= lines.Count || !(eligible?.Invoke(k) ?? true)) break;
            removed.Add(k);
        }
        for (int i = removed.Count - 1; i >= 0; i--) lines.RemoveAt(removed[i]);
        return new($"delete-lines{(removed.Count > 0 ? removed[0] + 1 : 0)}+{removed.Count}", Bytes(string.Join('\n', lines)), removed.Count > 0 ? forbid : null);
    }

    public static Mutant DuplicateLine(string text, Random rng, Func<int, bool>? eligible = null, string? forbid = null)
    {
        var lines = text.Split('\n').ToList();
        var idx = Enumerable.Range(0, lines.Count).Where(i => eligible?.Invoke(i) ?? true).ToList();
        if (idx.Count == 0) idx = Enumerable.Range(0, lines.Count).ToList();
        int a = idx[rng.Next(idx.Count)], times = rng.Next(5) == 0 ? 1000 : 1;
        lines.InsertRange(a, Enumerable.Repeat(lines[a], times));
        return new($"dup-line{a + 1}×{times}", Bytes(string.Join('\n', lines)), forbid);
    }

    public static Mutant SwapLines(string text, Random rng, string? forbid = null)
    {
        var lines = text.Split('\n'); if (lines.Length < 2) return new("swap-none", Bytes(text));
        int a = rng.Next(lines.Length), b = rng.Next(lines.Length);
        (lines[a], lines[b]) = (lines[b], lines[a]);
        return new($"swap-lines{a + 1},{b + 1}", Bytes(string.Join('\n', lines)), a == b ? null : forbid);
    }

    /// <summary>A number replaced by a value of another JSON/YAML type (string, bool, null, object, array).</summary>
    public static Mutant? WrongType(string text, Random rng)
    {
        var ms = NumberToken().Matches(text).ToList(); if (ms.Count == 0) return null;
        var m = ms[rng.Next(ms.Count)];
        string[] repl = ["\"abc\"", "true", "null", "{}", "[]", "\"1e3\"", "[1, 2]", "{\"value\": 1}"];
        var r = repl[rng.Next(repl.Length)];
        return new($"wrongtype@{LineOf(text, m.Index) + 1}:{m.Value}→{r}", Bytes(text[..m.Index] + r + text[(m.Index + m.Length)..]));
    }

    /// <summary>JSON: one number wrapped in N nested arrays (or objects).</summary>
    public static Mutant? JsonDeepNesting(string text, Random rng)
    {
        var ms = NumberToken().Matches(text).ToList(); if (ms.Count == 0) return null;
        var m = ms[rng.Next(ms.Count)]; int depth = new[] { 65, 200, 5000, 100000 }[rng.Next(4)]; bool obj = rng.Next(2) == 0;
        var sb = new StringBuilder();
        for (int i = 0; i < depth; i++) sb.Append(obj ? "{\"a\":" : "[");
        sb.Append(m.Value);
        for (int i = 0; i < depth; i++) sb.Append(obj ? '}' : ']');
        return new($"json-nesting{depth}{(obj ? "obj" : "arr")}", Bytes(text[..m.Index] + sb + text[(m.Index + m.Length)..]));
    }

    /// <summary>YAML: deep flow/block nesting appended as an extra key, or replacing a value.</summary>
    public static Mutant YamlDeepNesting(string text, Random rng)
    {
        int depth = new[] { 65, 200, 2000 }[rng.Next(3)];
        string nested = rng.Next(2) == 0
            ? new string('[', depth) + "1" + new string(']', depth)
            : string.Concat(Enumerable.Range(0, depth).Select(i => "\n" + new string(' ', 2 * (i + 1)) + "k:")) + " 1";
        return new($"yaml-nesting{depth}", Bytes(text.TrimEnd('\n') + "\nextra_nested: " + nested + "\n"));
    }

    /// <summary>YAML "billion laughs": 9 levels of 9 aliases (≈700 bytes, 9⁹ nodes when expanded), as an extra key or in place of a value.</summary>
    public static Mutant YamlAliasBomb(string text, Random rng)
    {
        var sb = new StringBuilder("\nlol0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        int levels = new[] { 6, 9, 12 }[rng.Next(3)];
        for (int i = 1; i < levels; i++)
            sb.Append($"lol{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 9))}]\n");
        string bomb = sb.ToString();
        // put the bomb first so that its anchors are defined before any use, then reference the last level from an existing key
        string body = rng.Next(2) == 0 ? text + "\nbomb: *a" + (levels - 1) + "\n" : text;
        return new($"yaml-alias-bomb{levels}", Bytes(bomb.TrimStart('\n') + body));
    }

    /// <summary>JSON: a key duplicated with another value.</summary>
    public static Mutant? DuplicateJsonKey(string text, Random rng)
    {
        var ms = Regex.Matches(text, "\"([A-Za-z_]+)\"\\s*:\\s*([-0-9.eE+]+)").ToList(); if (ms.Count == 0) return null;
        var m = ms[rng.Next(ms.Count)];
        var dup = $"\"{m.Groups[1].Value}\": NaN, ";
        return new($"dup-key:{m.Groups[1].Value}", Bytes(text[..m.Index] + dup + text[m.Index..]), Mutant.NonFinite);
    }

    public static int LineOf(string text, int index)
    {
        int n = 0; for (int i = 0; i < index && i < text.Length; i++) if (text[i] == '\n') n++;
        return n;
    }
}
