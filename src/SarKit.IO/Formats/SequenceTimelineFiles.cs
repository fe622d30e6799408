using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using SarKit.Reporting;
using SarKit.Supervision;

namespace SarKit.IO.Formats;

/// <summary>
/// The SAR timeline of a sequence check (<see cref="SequenceSarReport.Windows"/> with a timeline: SAR of the window ending
/// at each time, per metric and window length) as a file: CSV or JSON (<see cref="Write"/>, layout in
/// docs/json-schemas.md) or a plot of it against the limits (<see cref="WritePlot"/>, SVG or PNG). Written atomically.
/// </summary>
public static class SequenceTimelineFiles
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>CSV header (one row per window-end time).</summary>
    public const string CsvHeader = "metric,matrices,window_s,t_end_s,sar_w_per_kg,edge_error_bound_w_per_kg";

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.Strict,
    };

    private sealed record Row(string Metric, string Matrices, double WindowS, double[] TEndS, double[] SarWPerKg, double EdgeErrorBoundWPerKg);

    /// <summary>True for a timeline file name this class writes (.csv, .json).</summary>
    public static bool IsTimelineName(string path) => Path.GetExtension(path).ToLowerInvariant() is ".csv" or ".json";

    /// <summary>True for a plot file name <see cref="WritePlot"/> writes (.svg, .png).</summary>
    public static bool IsPlotName(string path) => Path.GetExtension(path).ToLowerInvariant() is ".svg" or ".png";

    /// <summary>
    /// Writes the timelines of <paramref name="report"/> to <paramref name="path"/>: .json (array of {metric, matrices,
    /// window_s, t_end_s, sar_w_per_kg, edge_error_bound_w_per_kg}; a NaN/±∞ is refused before anything is written) or
    /// .csv (columns <see cref="CsvHeader"/>).
    /// </summary>
    public static void Write(string path, SequenceSarReport report)
    {
        var ext = Path.GetExtension(path).ToLowerInvariant();
        var rows = report.Windows.Where(w => w.Timeline is not null).ToArray();
        if (ext == ".json")
        {
            var obj = rows.Select(w => new Row(w.Metric.Id(), w.Observable, w.WindowSeconds, w.TimelineSeconds!, w.Timeline!, w.EdgeErrorBound)).ToArray();
            RequireFinite(obj);
            ReportFile.WriteText(path, JsonSerializer.Serialize(obj, JsonOptions));
            return;
        }
        if (ext != ".csv") throw new SarKitInputException($"--timeline '{path}': use a .csv or .json file name.");
        var sb = new StringBuilder(CsvHeader).Append('\n');
        foreach (var w in rows)
            for (int k = 0; k < w.Timeline!.Length; k++)
                sb.Append(w.Metric.Id()).Append(",\"").Append(w.Observable.Replace("\"", "\"\"")).Append("\",").Append(w.WindowSeconds.ToString("R", Inv)).Append(',')
                  .Append(w.TimelineSeconds![k].ToString("R", Inv)).Append(',').Append(w.Timeline[k].ToString("R", Inv))
                  .Append(',').Append(w.EdgeErrorBound.ToString("R", Inv)).Append('\n');
        ReportFile.WriteText(path, sb.ToString());
    }

    /// <summary>
    /// Plot of every timeline of <paramref name="report"/> with its limits as horizontal lines of the same colour:
    /// .svg (with text) or .png (lines, ticks and legend swatches only).
    /// </summary>
    public static void WritePlot(string path, SequenceSarReport report, string source)
    {
        var plot = new SvgPlot { Title = $"SAR per window: {Path.GetFileName(source)}", XLabel = "window end (s)", YLabel = "SAR (W/kg)" };
        int i = 0;
        foreach (var w in report.Windows.Where(w => w.Timeline is not null))
        {
            var colour = SvgPlot.Palette[i++ % SvgPlot.Palette.Length];
            plot.Series.Add(new SvgSeries($"{w.Metric.Id()} {w.WindowSeconds.ToString("G", Inv)} s", w.TimelineSeconds!, w.Timeline!, colour));
            foreach (var o in report.Outcomes.Where(o => o.Limit.Metric == w.Metric && o.Limit.WindowSeconds == w.WindowSeconds))
                plot.Lines.Add(new SvgHLine($"limit {o.Limit.LimitWPerKg.ToString("G4", Inv)}", o.Limit.LimitWPerKg, colour));
        }
        var ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext == ".png") PngPlot.Write(plot, path);
        else if (ext == ".svg") plot.Write(path);
        else throw new SarKitInputException($"--plot '{path}': use a .svg or .png file name.");
    }

    /// <summary>Refuses a NaN/±∞ naming its JSON path, like the result JSON policy (JSON has no such numbers).</summary>
    private static void RequireFinite(Row[] rows)
    {
        for (int r = 0; r < rows.Length; r++)
        {
            var x = rows[r];
            if (!double.IsFinite(x.WindowS)) Refuse($"$[{r}].window_s", x.WindowS);
            for (int k = 0; k < x.TEndS.Length; k++) if (!double.IsFinite(x.TEndS[k])) Refuse($"$[{r}].t_end_s[{k}]", x.TEndS[k]);
            for (int k = 0; k < x.SarWPerKg.Length; k++) if (!double.IsFinite(x.SarWPerKg[k])) Refuse($"$[{r}].sar_w_per_kg[{k}]", x.SarWPerKg[k]);
            if (!double.IsFinite(x.EdgeErrorBoundWPerKg)) Refuse($"$[{r}].edge_error_bound_w_per_kg", x.EdgeErrorBoundWPerKg);
        }
        static void Refuse(string at, double v) => throw new SarKitInputException(
            $"result {at} is {v.ToString(Inv)}: a computed value overflowed or is undefined, so the inputs (magnitudes, option values) are out of range; nothing was written.");
    }
}
