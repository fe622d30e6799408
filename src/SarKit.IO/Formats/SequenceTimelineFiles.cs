using System.Globalization;
using System.Text;
using SarKit.Reporting;
using SarKit.Supervision;

namespace SarKit.IO.Formats;

/// <summary>
/// The SAR timeline of a sequence check (<see cref="SequenceSarReport.Windows"/> with a timeline: SAR of the window ending
/// at each time, per metric and window length) as a file: CSV (<see cref="WriteCsv"/>) or JSON rows (<see cref="Rows"/>, layout in
/// docs/cli.md); the plot of it against the limits is drawn by SarKit.Workflows (SarKit.Plotting), so that this file
/// layer takes no plotting dependency. Written atomically.
/// </summary>
public static class SequenceTimelineFiles
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>CSV header (one row per window-end time).</summary>
    public const string CsvHeader = "metric,matrices,window_s,t_end_s,sar_w_per_kg,edge_error_bound_w_per_kg";

    /// <summary>One timeline of the JSON timeline file: SAR of the window of <paramref name="WindowS"/> seconds ending at each of <paramref name="TEndS"/>.</summary>
    /// <param name="Metric">Metric id (e.g. <c>local_head</c>).</param>
    /// <param name="Matrices">The matrix set the SAR was evaluated with.</param>
    /// <param name="WindowS">Window length, s.</param>
    /// <param name="TEndS">Window-end times, s.</param>
    /// <param name="SarWPerKg">Window SAR at each end time, W/kg.</param>
    /// <param name="EdgeErrorBoundWPerKg">Bound on the SAR between sampled end times, W/kg.</param>
    public sealed record TimelineRow(string Metric, string Matrices, double WindowS, double[] TEndS, double[] SarWPerKg, double EdgeErrorBoundWPerKg);

    /// <summary>True for a timeline file name this class writes (.csv, .json).</summary>
    public static bool IsTimelineName(string path) => Path.GetExtension(path).ToLowerInvariant() is ".csv" or ".json";

    /// <summary>The timelines of <paramref name="report"/> as the rows of the JSON timeline file (serialised by the result JSON policy).</summary>
    public static TimelineRow[] Rows(SequenceSarReport report) => report.Windows.Where(w => w.Timeline is not null)
        .Select(w => new TimelineRow(w.Metric.Id(), w.Observable, w.WindowSeconds, w.TimelineSeconds!, w.Timeline!, w.EdgeErrorBound)).ToArray();

    /// <summary>
    /// Writes the timelines of <paramref name="report"/> to the .csv file <paramref name="path"/> (columns
    /// <see cref="CsvHeader"/>); the .json form is <see cref="Rows"/> written through the result JSON policy.
    /// </summary>
    public static void WriteCsv(string path, SequenceSarReport report)
    {
        var ext = Path.GetExtension(path).ToLowerInvariant();
        var rows = report.Windows.Where(w => w.Timeline is not null).ToArray();
        if (ext != ".csv") throw new SarKitInputException($"--timeline '{path}': use a .csv or .json file name.");
        var sb = new StringBuilder(CsvHeader).Append('\n');
        foreach (var w in rows)
            for (int k = 0; k < w.Timeline!.Length; k++)
                sb.Append(w.Metric.Id()).Append(",\"").Append(w.Observable.Replace("\"", "\"\"")).Append("\",").Append(w.WindowSeconds.ToString("R", Inv)).Append(',')
                  .Append(w.TimelineSeconds![k].ToString("R", Inv)).Append(',').Append(w.Timeline[k].ToString("R", Inv))
                  .Append(',').Append(w.EdgeErrorBound.ToString("R", Inv)).Append('\n');
        ReportFile.WriteText(path, sb.ToString());
    }
}
