using System.Text.RegularExpressions;

namespace SarKit.Tests.Architecture;

/// <summary>
/// Reads the C# sources under src/ and derives, per file, its declared namespace, the namespace its folder implies
/// (project folder name + sub-folders) and the SarKit namespaces it depends on (using directives and fully qualified
/// names in code; comments are ignored because they create no dependency).
/// </summary>
internal static partial class SourceDependencies
{
    public sealed record SourceFile(string RelativePath, string Project, string ExpectedNamespace, string? DeclaredNamespace, IReadOnlySet<string> Uses);

    public static IReadOnlyList<SourceFile> Scan(string repoRoot)
    {
        var src = Path.Combine(repoRoot, "src");
        var res = new List<SourceFile>();
        foreach (var projDir in Directory.GetDirectories(src))
        {
            var project = Path.GetFileName(projDir);
            if (!File.Exists(Path.Combine(projDir, project + ".csproj"))) continue;
            foreach (var f in Directory.EnumerateFiles(projDir, "*.cs", SearchOption.AllDirectories))
            {
                var rel = Path.GetRelativePath(projDir, f);
                var parts = rel.Split(Path.DirectorySeparatorChar);
                if (parts[0] is "bin" or "obj") continue;
                var expected = string.Join('.', new[] { project }.Concat(parts[..^1]));
                var text = File.ReadAllText(f);
                res.Add(new SourceFile(Path.Combine("src", project, rel), project, expected, DeclaredNamespace(text), Uses(text)));
            }
        }
        return res;
    }

    public static string? DeclaredNamespace(string text) => NamespaceRe().Match(text) is { Success: true } m ? m.Groups[1].Value : null;

    /// <summary>SarKit namespaces a source text refers to (using directives, fully qualified type names), comments removed.</summary>
    public static IReadOnlySet<string> Uses(string text)
    {
        var code = CommentRe().Replace(text, "");
        var uses = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match m in UsingRe().Matches(code)) uses.Add(m.Groups[1].Value);
        foreach (Match m in QualifiedRe().Matches(code))
        {
            // SarKit.A.B.Type → namespace SarKit.A.B (segments starting with a capital; the last one is the type)
            var segs = m.Value.Split('.');
            if (segs.Length >= 3) uses.Add(string.Join('.', segs[..^1]));
        }
        return uses;
    }

    /// <summary>
    /// The "area" of a namespace for cycle checks: SarKit.X for the core library, SarKit.Asm.X for the other library
    /// assemblies (SarKit.IO.Formats, SarKit.Measurement.Probe, …), whose root namespaces hold the assembly's shared
    /// vocabulary (e.g. SarKit.IO.NdArray) and are not part of the cycle check; SarKit.Cli and SarKit.Web are one area each.
    /// </summary>
    public static string Area(string ns)
    {
        var s = ns.Split('.');
        if (s.Length < 2 || s[0] != "SarKit") return ns;
        // the front ends (SarKit.Cli, SarKit.Web) are one area each: thin layers whose sub-namespaces are not layers
        if (s[1] is "Cli" or "Web") return string.Join('.', s.Take(2));
        bool otherAssembly = s[1] is "IO" or "Measurement" or "Surrogate" or "Workflows";
        int keep = otherAssembly ? 3 : 2;
        return string.Join('.', s.Take(Math.Min(keep, s.Length)));
    }

    /// <summary>Strongly connected components with more than one node (Tarjan), i.e. dependency cycles.</summary>
    public static List<List<string>> Cycles(IReadOnlyDictionary<string, HashSet<string>> graph)
    {
        int index = 0;
        var idx = new Dictionary<string, int>(); var low = new Dictionary<string, int>();
        var stack = new Stack<string>(); var on = new HashSet<string>();
        var res = new List<List<string>>();
        foreach (var v in graph.Keys.OrderBy(k => k, StringComparer.Ordinal)) if (!idx.ContainsKey(v)) Visit(v);
        return res;

        void Visit(string v)
        {
            idx[v] = low[v] = index++; stack.Push(v); on.Add(v);
            foreach (var w in graph.TryGetValue(v, out var ws) ? ws : [])
            {
                if (!idx.ContainsKey(w)) { Visit(w); low[v] = Math.Min(low[v], low[w]); }
                else if (on.Contains(w)) low[v] = Math.Min(low[v], idx[w]);
            }
            if (low[v] != idx[v]) return;
            var comp = new List<string>();
            string x;
            do { x = stack.Pop(); on.Remove(x); comp.Add(x); } while (x != v);
            if (comp.Count > 1) { comp.Sort(StringComparer.Ordinal); res.Add(comp); }
        }
    }

    /// <summary>Area dependency graph of the given files (edges between different areas; root namespaces ignored).</summary>
    public static Dictionary<string, HashSet<string>> AreaGraph(IEnumerable<SourceFile> files)
    {
        var g = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var f in files)
        {
            if (f.DeclaredNamespace is null) continue;
            var from = Area(f.DeclaredNamespace);
            if (!g.TryGetValue(from, out var set)) g[from] = set = new HashSet<string>(StringComparer.Ordinal);
            foreach (var u in f.Uses)
            {
                if (!u.StartsWith("SarKit.", StringComparison.Ordinal)) continue;
                var to = Area(u);
                if (to != from && to.Count(c => c == '.') >= 1 && !IsAssemblyRoot(to)) set.Add(to);
            }
        }
        return g;
    }

    private static bool IsAssemblyRoot(string ns) => ns is "SarKit.IO" or "SarKit.Measurement" or "SarKit.Surrogate" or "SarKit.Workflows";

    [GeneratedRegex(@"^\s*namespace\s+([\w.]+)", RegexOptions.Multiline)]
    private static partial Regex NamespaceRe();
    [GeneratedRegex(@"^\s*(?:global\s+)?using\s+(?:static\s+)?(SarKit(?:\.\w+)*)\s*;", RegexOptions.Multiline)]
    private static partial Regex UsingRe();
    [GeneratedRegex(@"(?<![\w.])SarKit(?:\.[A-Z]\w*){2,}")]
    private static partial Regex QualifiedRe();
    [GeneratedRegex(@"//[^\n]*|/\*.*?\*/|""(?:[^""\\\n]|\\.)*""", RegexOptions.Singleline)]
    private static partial Regex CommentRe();
}
