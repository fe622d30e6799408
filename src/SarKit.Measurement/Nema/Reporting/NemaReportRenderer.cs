using System.Globalization;
using System.Net;
using System.Text;
using SarKit.Measurement.Nema.Input;
using SarKit.IO.Formats;
using SarKit.Reporting;

namespace SarKit.Measurement.Nema.Reporting;

/// <summary>Output format of a report.</summary>
public enum ReportFormat
{
    /// <summary>Markdown (GitHub tables).</summary>
    Markdown,
    /// <summary>One self-contained, printable HTML page (inline CSS, no external assets, no scripts).</summary>
    Html,
    /// <summary>The <see cref="NemaReport"/> JSON form.</summary>
    Json,
}

/// <summary>Renders a <see cref="NemaReport"/> as Markdown, HTML or JSON and writes it atomically.</summary>
public static class NemaReportRenderer
{
    private static string F(double v, string fmt = "G6") => double.IsPositiveInfinity(v) ? "∞" : v.ToString(fmt, CultureInfo.InvariantCulture);

    /// <summary>Parses "md"/"markdown", "html", "json".</summary>
    public static ReportFormat ParseFormat(string s) => s.ToLowerInvariant() switch
    {
        "md" or "markdown" => ReportFormat.Markdown,
        "html" or "htm" => ReportFormat.Html,
        "json" => ReportFormat.Json,
        _ => throw new SarKitInputException($"report format '{s}': expected md, html or json."),
    };

    /// <summary>Format from a file extension (.md, .html/.htm, .json); null for anything else.</summary>
    public static ReportFormat? FormatOfPath(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".md" or ".markdown" => ReportFormat.Markdown,
        ".html" or ".htm" => ReportFormat.Html,
        ".json" => ReportFormat.Json,
        _ => null,
    };

    /// <summary>The report in <paramref name="format"/>.</summary>
    public static string Render(NemaReport r, ReportFormat format) => format switch
    {
        ReportFormat.Markdown => Markdown(r),
        ReportFormat.Html => Html(r),
        _ => r.ToJson() + "\n",
    };

    /// <summary>Writes the report to <paramref name="path"/> atomically (temporary file in the same folder, then rename).</summary>
    public static void Write(string path, NemaReport r, ReportFormat format)
    {
        string text = Render(r, format);
        AtomicFile.WriteAtomically(path, tmp => File.WriteAllText(tmp, text, new UTF8Encoding(false)));
    }

    private static IEnumerable<(string Label, string Value)> Header(NemaReport r)
    {
        yield return ("Standard", r.Standard);
        yield return ("Method (4.1 a)", r.Method == MeasurementDocument.Calorimetry ? "calorimetry (Section 3)" : "pulse-energy (Section 2)");
        yield return ("Input file", r.InputFile is null ? "-" : $"{r.InputFile}{(r.InputFormat is null ? "" : $" ({r.InputFormat})")}");
        yield return ("SarKit version", r.SarkitVersion);
        if (r.RecordId is { } id) yield return ("Record", $"id {id}, created {r.RecordCreatedUtc} UTC, sha256 {r.RecordSha256}");
    }

    private static IEnumerable<string[]> BudgetRows(NemaBudget b) => b.Rows.Select(x => new[]
    {
        x.Source, x.Quantity, x.Type, x.Distribution, x.Bound, x.SiUnit == "1" ? F(x.StandardUncertainty) : $"{F(x.StandardUncertainty)} {x.SiUnit}", F(x.Sensitivity),
        F(x.ContributionWPerKg), F(x.DegreesOfFreedom, "0.#"), F(x.VariancePercent, "0.0"),
    });

    private static readonly string[] BudgetHeader = ["Source (4.1 e)", "Applies to", "Type", "Distribution", "Bound", "u(x_i)", "c_i (W/kg per unit)", "|c_i| u(x_i) (W/kg)", "ν_i", "% of u_c²"];

    private static IEnumerable<(string Label, string Value)> BudgetSummary(NemaReport r)
    {
        if (r.Budget is { } b)
        {
            yield return ("Combined standard uncertainty u_c", $"{F(b.CombinedStandardUncertainty)} W/kg ({F(100 * b.CombinedStandardUncertainty / b.SarWPerKg, "0.00")} %)");
            yield return ("Effective degrees of freedom ν_eff", F(b.EffectiveDegreesOfFreedom, "0.#"));
            yield return ("Coverage factor k", b.CoverageFactorFixed ? $"{F(b.CoverageFactor, "0.###")} (fixed in the input)" : $"{F(b.CoverageFactor, "0.###")} (t distribution, p = {F(100 * b.CoverageProbability, "0.00")} %, ν_eff)");
            yield return ("Expanded uncertainty U = k u_c", $"{F(b.ExpandedUncertainty)} W/kg ({F(b.RelativeExpandedPercent, "0.00")} %)");
            yield return ("Sources of 4.1 e not assessed", b.NotAssessed.Count == 0 ? "none" : string.Join("; ", b.NotAssessed));
        }
        else if (r.ExpandedUncertaintyWPerKg is { } u)
            yield return ("Expanded uncertainty (stated in the input)", $"{F(u)} W/kg ({F(100 * u / r.MeasuredSarWPerKg, "0.00")} %); no budget given; sources of 4.1 e: {string.Join("; ", r.StandardSources)}");
        else
            yield return ("Uncertainty budget", $"not given; sources to consider (4.1 e): {string.Join("; ", r.StandardSources)}");
    }

    private static string Comparison(NemaReport r) =>
        r.PredictedSarWPerKg is { } p && r.ExpandedUncertaintyWPerKg is { } u
            ? $"Predicted SAR {F(p)} W/kg; measured SAR {F(r.MeasuredSarWPerKg, "0.0000")} ± {F(u, "0.0000")} W/kg (k = {(r.CoverageFactor is { } k ? F(k, "0.###") : "as stated")}); measured − U = {F(r.MeasuredSarWPerKg - u, "0.0000")} W/kg. {NemaReport.VerdictQuestion} **{r.Verdict}**"
            : $"Measured SAR {F(r.MeasuredSarWPerKg, "0.0000")} W/kg; predicted SAR {(r.PredictedSarWPerKg is { } pp ? F(pp) + " W/kg" : "not given")}; uncertainty {(r.ExpandedUncertaintyWPerKg is null ? "not given" : "given")}. {NemaReport.VerdictQuestion} **{r.Verdict}**";

    /// <summary>Markdown text.</summary>
    public static string Markdown(NemaReport r)
    {
        var s = new StringBuilder();
        static string E(string v) => v.Replace("|", "\\|").Replace("\n", " ");
        void Table(string[] header, IEnumerable<string[]> rows)
        {
            s.AppendLine("| " + string.Join(" | ", header.Select(E)) + " |");
            s.AppendLine("|" + string.Concat(Enumerable.Repeat("---|", header.Length)));
            foreach (var row in rows) s.AppendLine("| " + string.Join(" | ", row.Select(E)) + " |");
            s.AppendLine();
        }
        s.AppendLine($"# {r.Title}").AppendLine();
        foreach (var (l, v) in Header(r)) s.AppendLine($"- {l}: {v}");
        s.AppendLine();
        foreach (var sec in r.Sections)
        {
            s.AppendLine($"## {sec.Title}").AppendLine();
            Table(["Parameter", "Dimension", "Value"], sec.Rows.Select(x => new[] { x.Parameter, x.Dimension, x.Value }));
        }
        s.AppendLine("## Comparison of predicted and measured SAR (4.1 f)").AppendLine();
        s.AppendLine(Comparison(r)).AppendLine();
        s.AppendLine("## Measurement uncertainty (NIST TN 1297; 4.1 d, e)").AppendLine();
        if (r.Budget is { } b) Table(BudgetHeader, BudgetRows(b));
        foreach (var (l, v) in BudgetSummary(r)) s.AppendLine($"- {l}: {v}");
        s.AppendLine();
        s.AppendLine("## Measurement devices (accuracy, type, location)").AppendLine();
        if (r.Devices.Count == 0) s.AppendLine("not given").AppendLine();
        else Table(["Device", "Type", "Accuracy", "Location"], r.Devices.Select(d => new[] { d.Name, d.Type, d.Accuracy, d.Location }));
        if (r.Additional.Count > 0)
        {
            s.AppendLine("## Additional parameters and checks").AppendLine();
            Table(["Parameter", "Dimension", "Value"], r.Additional.Select(x => new[] { x.Parameter, x.Dimension, x.Value }));
        }
        if (!string.IsNullOrWhiteSpace(r.Notes)) s.AppendLine("## Notes (deviations, repeatability)").AppendLine().AppendLine(r.Notes.Trim()).AppendLine();
        s.AppendLine("## Inputs as written").AppendLine();
        Table(["Field", "SI unit", "As written = SI"], r.Inputs.Select(x => new[] { x.Parameter, x.Dimension, x.Value }));
        return s.ToString();
    }

    private const string Css = """
        body{font-family:"Helvetica Neue",Arial,sans-serif;font-size:10.5pt;color:#111;margin:2em auto;max-width:60em;padding:0 1em}
        h1{font-size:16pt;border-bottom:2px solid #333;padding-bottom:.2em}
        h2{font-size:12.5pt;margin-top:1.4em;border-bottom:1px solid #999}
        table{border-collapse:collapse;width:100%;margin:.5em 0 1em}
        th,td{border:1px solid #888;padding:.25em .45em;text-align:left;vertical-align:top}
        th{background:#eee}
        td.num{font-variant-numeric:tabular-nums}
        dl{display:grid;grid-template-columns:max-content auto;gap:.15em 1em}
        dt{font-weight:bold}
        dd{margin:0}
        .verdict{font-size:12pt;border:2px solid #333;padding:.5em .8em;margin:.6em 0}
        .Y{background:#e6f4e6}.N{background:#fbe3e3}
        @media print{body{margin:0;max-width:none;font-size:9.5pt}h2{page-break-after:avoid}tr,.verdict{page-break-inside:avoid}}
        @page{size:A4;margin:15mm}
        """;

    /// <summary>Self-contained printable HTML page: inline CSS, no external assets, no scripts.</summary>
    public static string Html(NemaReport r)
    {
        static string H(string v) => WebUtility.HtmlEncode(v);
        var s = new StringBuilder();
        void Table(string[] header, IEnumerable<string[]> rows)
        {
            s.Append("<table><thead><tr>");
            foreach (var h in header) s.Append("<th>").Append(H(h)).Append("</th>");
            s.Append("</tr></thead><tbody>\n");
            foreach (var row in rows)
            {
                s.Append("<tr>");
                foreach (var c in row) s.Append("<td>").Append(H(c)).Append("</td>");
                s.Append("</tr>\n");
            }
            s.Append("</tbody></table>\n");
        }
        void List(IEnumerable<(string, string)> items)
        {
            s.Append("<dl>\n");
            foreach (var (l, v) in items) s.Append("<dt>").Append(H(l)).Append("</dt><dd>").Append(H(v)).Append("</dd>\n");
            s.Append("</dl>\n");
        }
        s.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(H(r.Title)).Append("</title>\n<style>\n").Append(Css).Append("</style>\n</head>\n<body>\n");
        s.Append("<h1>").Append(H(r.Title)).Append("</h1>\n");
        List(Header(r));
        foreach (var sec in r.Sections)
        {
            s.Append("<h2>").Append(H(sec.Title)).Append("</h2>\n");
            Table(["Parameter", "Dimension", "Value"], sec.Rows.Select(x => new[] { x.Parameter, x.Dimension, x.Value }));
        }
        s.Append("<h2>Comparison of predicted and measured SAR (4.1 f)</h2>\n");
        s.Append("<p class=\"verdict ").Append(r.Verdict is "Y" or "N" ? r.Verdict : "").Append("\">")
         .Append(H(Comparison(r).Replace("**", ""))).Append("</p>\n");
        s.Append("<h2>Measurement uncertainty (NIST TN 1297; 4.1 d, e)</h2>\n");
        if (r.Budget is { } b) Table(BudgetHeader, BudgetRows(b));
        List(BudgetSummary(r));
        s.Append("<h2>Measurement devices (accuracy, type, location)</h2>\n");
        if (r.Devices.Count == 0) s.Append("<p>not given</p>\n");
        else Table(["Device", "Type", "Accuracy", "Location"], r.Devices.Select(d => new[] { d.Name, d.Type, d.Accuracy, d.Location }));
        if (r.Additional.Count > 0)
        {
            s.Append("<h2>Additional parameters and checks</h2>\n");
            Table(["Parameter", "Dimension", "Value"], r.Additional.Select(x => new[] { x.Parameter, x.Dimension, x.Value }));
        }
        if (!string.IsNullOrWhiteSpace(r.Notes)) s.Append("<h2>Notes (deviations, repeatability)</h2>\n<p>").Append(H(r.Notes.Trim())).Append("</p>\n");
        s.Append("<h2>Inputs as written</h2>\n");
        Table(["Field", "SI unit", "As written = SI"], r.Inputs.Select(x => new[] { x.Parameter, x.Dimension, x.Value }));
        s.Append("</body>\n</html>\n");
        return s.ToString();
    }
}
