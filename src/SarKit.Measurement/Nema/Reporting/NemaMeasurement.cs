using System.Globalization;
using System.Text.Json;
using SarKit.Measurement.Nema.Input;
using SarKit.Measurement.Records;

namespace SarKit.Measurement.Nema.Reporting;

/// <summary>An evaluated measurement file of either method with its Section 4.1 report.</summary>
/// <param name="Document">The file as loaded.</param>
/// <param name="Calorimetry">Evaluation for a calorimetry file, else null.</param>
/// <param name="PulseEnergy">Evaluation for a pulse-energy file, else null.</param>
/// <param name="Report">The Section 4.1 report.</param>
public sealed record NemaResult(MeasurementDocument Document, CalorimetryEvaluation? Calorimetry, PulseEnergyEvaluation? PulseEnergy, NemaReport Report)
{
    /// <summary>Measured whole-body SAR (W/kg).</summary>
    public double SarWPerKg => Report.MeasuredSarWPerKg;
}

/// <summary>One compared value of two reports.</summary>
/// <param name="Name">Result key (e.g. sar_w_per_kg) or input field.</param>
/// <param name="A">Value in the first report (null when absent).</param>
/// <param name="B">Value in the second report (null when absent).</param>
public sealed record ReportDifference(string Name, string? A, string? B);

/// <summary>Entry points tying files, evaluations, reports and records together (docs/nema-ms8.md).</summary>
public static class NemaMeasurement
{
    /// <summary>Evaluates a loaded measurement file (either method) and builds its report.</summary>
    public static NemaResult Evaluate(MeasurementDocument doc, string sarkitVersion)
    {
        ArgumentNullException.ThrowIfNull(doc);
        if (doc.Method == MeasurementDocument.Calorimetry)
        {
            var r = CalorimetryEvaluation.Evaluate(CalorimetryInputFile.Parse(doc));
            return new(doc, r, null, NemaReportBuilder.Calorimetry(r, sarkitVersion, doc.Format));
        }
        var p = PulseEnergyEvaluation.Evaluate(PulseEnergyInputFile.Parse(doc));
        return new(doc, null, p, NemaReportBuilder.PulseEnergy(p, sarkitVersion, doc.Format));
    }

    /// <summary>
    /// The report of a stored record: the report stored in its result JSON (property "report"), exactly as computed at
    /// record time; for records without one (made before reports were stored) the stored input is evaluated again by this
    /// SarKit version and the report says so. Record id, time and hash are filled in; a hash mismatch is noted in the report.
    /// </summary>
    public static NemaReport ReportOf(MeasurementRecord record, string sarkitVersion)
    {
        ArgumentNullException.ThrowIfNull(record);
        NemaReport? report = null;
        try
        {
            using var doc = JsonDocument.Parse(record.ResultJson);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("report", out var rep))
                report = NemaReport.FromJson(rep.GetRawText());
        }
        catch (JsonException) { }
        if (report is null)
        {
            var format = record.InputOriginal is null ? MeasurementFormat.Json : MeasurementFormat.Yaml;
            var doc = MeasurementFile.FromText(record.InputOriginal ?? record.InputJson, format, $"record {record.Id}");
            var r = Evaluate(doc, sarkitVersion).Report;
            string note = $"Re-evaluated from the stored input by SarKit {sarkitVersion}: the record (SarKit {record.SarkitVersion}) holds no report. Stored SAR {record.SarWPerKg.ToString("G9", CultureInfo.InvariantCulture)} W/kg; re-evaluated {r.MeasuredSarWPerKg.ToString("G9", CultureInfo.InvariantCulture)} W/kg.";
            report = r with { InputFile = null, Notes = string.IsNullOrWhiteSpace(r.Notes) ? note : r.Notes + "\n\n" + note };
        }
        else if (Math.Abs(report.MeasuredSarWPerKg - record.SarWPerKg) > 1e-12 * Math.Abs(record.SarWPerKg))
            report = report with { Notes = (report.Notes is null ? "" : report.Notes + "\n\n") + $"WARNING: the record's SAR column ({record.SarWPerKg.ToString("G9", CultureInfo.InvariantCulture)} W/kg) differs from its stored report." };
        if (!record.HashVerifies)
            report = report with { Notes = (report.Notes is null ? "" : report.Notes + "\n\n") + "WARNING: the record's content hash does not verify; the stored input or result was changed after recording." };
        return report with
        {
            RecordId = record.Id,
            RecordCreatedUtc = record.CreatedUtc.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
            RecordSha256 = record.ContentSha256,
        };
    }

    /// <summary>Differences between two reports: every result key (SI, G9), the verdict and every input whose value differs.</summary>
    public static IReadOnlyList<ReportDifference> Compare(NemaReport a, NemaReport b, bool onlyDifferent = false)
    {
        static string N(double v) => v.ToString("G9", CultureInfo.InvariantCulture);
        var list = new List<ReportDifference> { new("method", a.Method, b.Method), new("verdict", a.Verdict, b.Verdict), new("sarkit_version", a.SarkitVersion, b.SarkitVersion) };
        foreach (var k in a.Results.Keys.Concat(b.Results.Keys).Distinct())
            list.Add(new(k, a.Results.TryGetValue(k, out var x) ? N(x) : null, b.Results.TryGetValue(k, out var y) ? N(y) : null));
        var ia = a.Inputs.GroupBy(r => r.Parameter).ToDictionary(g => g.Key, g => g.First().Value);
        var ib = b.Inputs.GroupBy(r => r.Parameter).ToDictionary(g => g.Key, g => g.First().Value);
        foreach (var k in ia.Keys.Concat(ib.Keys).Distinct())
            list.Add(new("input " + k, ia.GetValueOrDefault(k), ib.GetValueOrDefault(k)));
        return onlyDifferent ? list.Where(d => d.A != d.B).ToArray() : list;
    }
}
