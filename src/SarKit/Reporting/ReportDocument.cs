using System.Net;
using System.Text;

namespace SarKit.Reporting;

/// <summary>A small report document (headings, paragraphs, tables, images) rendered to Markdown (CommonMark + GFM
/// tables) or to a standalone HTML page.</summary>
public sealed class ReportDocument
{
    private abstract record Block;
    private sealed record Heading(int Level, string Text) : Block;
    private sealed record Paragraph(string Text) : Block;
    private sealed record Table(string[] Header, List<string[]> Rows) : Block;
    private sealed record Image(string File, string Alt, string Caption) : Block;
    private sealed record Bullets(string[] Items) : Block;

    private readonly List<Block> _blocks = [];

    /// <summary>Document title (first heading).</summary>
    public string Title { get; }

    /// <summary>New document.</summary>
    public ReportDocument(string title) { Title = title; _blocks.Add(new Heading(1, title)); }

    /// <summary>Adds a heading.</summary>
    public ReportDocument H(int level, string text) { _blocks.Add(new Heading(level, text)); return this; }
    /// <summary>Adds a paragraph.</summary>
    public ReportDocument P(string text) { _blocks.Add(new Paragraph(text)); return this; }
    /// <summary>Adds a bullet list.</summary>
    public ReportDocument List(IEnumerable<string> items) { var a = items.ToArray(); if (a.Length > 0) _blocks.Add(new Bullets(a)); return this; }
    /// <summary>Adds a table.</summary>
    public ReportDocument Tab(string[] header, IEnumerable<string[]> rows) { _blocks.Add(new Table(header, rows.ToList())); return this; }
    /// <summary>Adds an image (file name relative to the report).</summary>
    public ReportDocument Img(string file, string alt, string caption) { _blocks.Add(new Image(file, alt, caption)); return this; }

    private static string Md(string s) => s.Replace("|", "\\|").Replace("\n", " ");

    /// <summary>Markdown text.</summary>
    public string ToMarkdown()
    {
        var s = new StringBuilder();
        foreach (var b in _blocks)
        {
            switch (b)
            {
                case Heading h: s.Append('#', h.Level).Append(' ').AppendLine(h.Text); break;
                case Paragraph p: s.AppendLine(p.Text); break;
                case Bullets l: foreach (var i in l.Items) s.Append("- ").AppendLine(i); break;
                case Table t:
                    s.AppendLine("| " + string.Join(" | ", t.Header.Select(Md)) + " |");
                    s.AppendLine("|" + string.Concat(t.Header.Select(_ => "---|")));
                    foreach (var r in t.Rows) s.AppendLine("| " + string.Join(" | ", r.Select(Md)) + " |");
                    break;
                case Image im: s.AppendLine($"![{im.Alt}]({im.File})").AppendLine().AppendLine($"*{im.Caption}*"); break;
            }
            s.AppendLine();
        }
        return s.ToString();
    }

    /// <summary>Standalone HTML page.</summary>
    public string ToHtml()
    {
        static string E(string x) => WebUtility.HtmlEncode(x);
        var s = new StringBuilder();
        s.AppendLine("<!DOCTYPE html>").AppendLine("<html lang=\"en\"><head><meta charset=\"utf-8\">");
        s.AppendLine($"<title>{E(Title)}</title>");
        s.AppendLine("<style>body{font-family:sans-serif;max-width:60em;margin:1em auto}table{border-collapse:collapse}td,th{border:1px solid #aaa;padding:2px 6px;text-align:left}figcaption{font-style:italic}</style>");
        s.AppendLine("</head><body>");
        foreach (var b in _blocks)
        {
            switch (b)
            {
                case Heading h: s.AppendLine($"<h{h.Level}>{E(h.Text)}</h{h.Level}>"); break;
                case Paragraph p: s.AppendLine($"<p>{E(p.Text)}</p>"); break;
                case Bullets l: s.AppendLine("<ul>"); foreach (var i in l.Items) s.AppendLine($"<li>{E(i)}</li>"); s.AppendLine("</ul>"); break;
                case Table t:
                    s.AppendLine("<table><thead><tr>" + string.Concat(t.Header.Select(x => $"<th>{E(x)}</th>")) + "</tr></thead><tbody>");
                    foreach (var r in t.Rows) s.AppendLine("<tr>" + string.Concat(r.Select(x => $"<td>{E(x)}</td>")) + "</tr>");
                    s.AppendLine("</tbody></table>");
                    break;
                case Image im: s.AppendLine($"<figure><img src=\"{E(im.File)}\" alt=\"{E(im.Alt)}\"><figcaption>{E(im.Caption)}</figcaption></figure>"); break;
            }
        }
        s.AppendLine("</body></html>");
        return s.ToString();
    }
}

/// <summary>Writes UTF-8 text files atomically (temporary file in the same folder, then rename over the target).</summary>
public static class AtomicText
{
    /// <summary>Writes <paramref name="text"/> (UTF-8 without BOM) to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, string text) =>
        AtomicFile.WriteAtomically(path, tmp => File.WriteAllText(tmp, text, new UTF8Encoding(false)));
}
