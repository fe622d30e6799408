using System.CommandLine;
using System.Globalization;
using SarKit.Measurement.Nema;
using SarKit.Measurement.Nema.Input;
using SarKit.Measurement.Nema.Reporting;
using SarKit.Measurement.Records;
using SarKit.Workflows.Measurement;

namespace SarKit.Cli.Commands;

/// <summary>
/// `sarkit nema calorimetry|pulse-energy FILE [--json] [--report OUT] [--format md|html|json] [--record] [--db LOC]` and
/// `sarkit nema report ID [--db LOC] [--format md|html|json] [-o FILE]`: NEMA MS 8-2016 whole-body SAR from measurement
/// files (JSON or YAML), Section 4.1 reports and records (docs/nema-ms8.md).
/// </summary>
internal static class NemaCommand
{
    public static Command Create(CliIO io)
    {
        var nema = new Command("nema", "NEMA MS 8-2016 whole-body SAR from measurement files (JSON or YAML, every quantity with its unit).");
        nema.Add(MethodCommand(io, MeasurementDocument.Calorimetry,
            "Calorimetric method (Section 3): SAR = M c (T_f − T_i) / (τ M_bod), with the cooling correction, the 20× check and the uncertainty budget when their inputs are present."));
        nema.Add(MethodCommand(io, MeasurementDocument.PulseEnergy,
            "Pulse-energy method (Section 2.5, eqs. 1–13): coil losses from phantom 1 and flux loops, phantom 2 power, pulse energies, SAR = P_ave / M, uncertainty budget."));

        var id = new Argument<long>("ID") { Description = "Record id (see `sarkit records list`)." }.Positive();
        var db = RecordsCommand.DbOption();
        var format = FormatOption();
        var output = new Option<string?>("--output", "-o") { Description = "Write the report to this file (atomically) instead of stdout." };
        var report = new Command("report", "Re-open a stored measurement record and render its Section 4.1 report (as stored at record time).") { id, db, format, output };
        report.SetAction(p => io.Guard(() => RunReport(io, p.GetValue(id), p.GetValue(db), p.GetValue(format), p.GetValue(output))));
        nema.Add(report);
        return nema;
    }

    private static Option<string?> FormatOption() => new("--format")
    {
        Description = "Report format: md (Markdown), html (self-contained, printable) or json. Default: from the file extension, else md.",
    };

    private static Command MethodCommand(CliIO io, string method, string description)
    {
        var file = new Argument<string>("FILE") { Description = $"{method} measurement file (.json, .yaml or .yml; docs/nema-ms8.md)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object on stdout." };
        var report = new Option<string?>("--report") { Description = "Also write the Section 4.1 report to this file (atomically); format by --format or extension (.md, .html, .json)." };
        var format = FormatOption();
        var record = new Option<bool>("--record") { Description = "Also append the evaluation to the measurement records database (--db or $SARKIT_RECORDS; docs/nema-ms8.md)." };
        var db = RecordsCommand.DbOption();
        var cmd = new Command(method, description) { file, json, report, format, record, db };
        cmd.SetAction(p => io.Guard(() => Run(io, method, p.GetValue(file)!, p.GetValue(json), p.GetValue(report), p.GetValue(format),
            p.GetValue(record) || p.GetValue(db) is not null, p.GetValue(db))));
        return cmd;
    }

    internal static ReportFormat ResolveFormat(string? format, string? path)
    {
        if (format is not null) return NemaReportRenderer.ParseFormat(format);
        return path is null ? ReportFormat.Markdown : NemaReportRenderer.FormatOfPath(path) ?? ReportFormat.Markdown;
    }

    private static string F(double v, string fmt = "G6") => v.ToString(fmt, CultureInfo.InvariantCulture);
    private static string C(double kelvin) => F(kelvin - 273.15, "0.000");

    private static int Run(CliIO io, string method, string path, bool json, string? reportPath, string? format, bool record, string? db)
    {
        if (record) MeasurementRecordStores.Validate(db); // fail before writing anything
        var reportFormat = ResolveFormat(format, reportPath);
        if (format is not null && reportPath is null)
            throw new SarKitInputException("--format applies to --report OUT (or to `sarkit nema report ID`); give --report OUT too.");
        var doc = MeasurementFile.Load(path);
        var outcome = NemaEvaluation.Run(new NemaEvaluationRequest
        {
            Document = doc, ExpectedMethod = method, InputFile = Path.GetFullPath(path), SarkitVersion = CliApp.Version,
            ReportPath = reportPath, ReportFormat = reportFormat, RecordTo = record ? RecordsCommand.Location(db) : null,
        });
        if (outcome.Recorded is { } rec) io.Err.WriteLine($"Recorded: id {rec.Id} in {rec.Database} (sha256 {rec.ContentSha256})");
        var res = outcome.Evaluation;
        // Negative verdicts: 4.1 "N" (the predicted SAR does not cover the measured SAR − U), a failed 3.2(c) rise check
        // or a failed equivalent-loading check.
        int exit = res.Report.Verdict == NemaReport.VerdictText(false) || res.Calorimetry?.RiseCheck is { Passed: false }
                   || res.PulseEnergy?.Loading is { Passed: false } ? CliApp.ExitCheckFailed : CliApp.ExitOk;
        if (json) { io.Out.WriteLine(outcome.Json); return exit; }
        if (res.Calorimetry is { } c) PrintCalorimetry(io, path, c); else PrintPulseEnergy(io, path, res.PulseEnergy!);
        PrintVerdict(io, res.Report);
        if (reportPath is not null) io.Out.WriteLine($"Report written: {reportPath}");
        return exit;
    }

    private static void PrintVerdict(CliIO io, NemaReport r)
    {
        var o = io.Out;
        if (r.Budget is { } b)
            o.WriteLine($"Uncertainty (TN 1297): u_c = {F(b.CombinedStandardUncertainty)} W/kg, k = {F(b.CoverageFactor, "0.###")}, U = {F(b.ExpandedUncertainty)} W/kg ({F(b.RelativeExpandedPercent, "0.00")} %); {b.Rows.Count} component row(s); not assessed: {(b.NotAssessed.Count == 0 ? "none" : string.Join("; ", b.NotAssessed))}");
        o.WriteLine(r.PredictedSarWPerKg is { } p && r.ExpandedUncertaintyWPerKg is { } u
            ? $"4.1 {NemaReport.VerdictQuestion} {r.Verdict} ({F(p)} vs {F(r.MeasuredSarWPerKg - u, "0.0000")} W/kg)"
            : $"4.1 {NemaReport.VerdictQuestion} not determined (needs predicted_sar and an uncertainty)");
    }

    private static int RunReport(CliIO io, long id, string? db, string? format, string? output)
    {
        var fmt = ResolveFormat(format, output);
        var (report, hashVerifies) = RecordKeeping.Report(db, id, CliApp.Version);
        if (!hashVerifies) io.Err.WriteLine($"warning: record {id}: the content hash does not verify (stored input or result changed after recording)");
        if (output is not null)
        {
            NemaReportRenderer.Write(output, report, fmt);
            io.Err.WriteLine($"Report written: {output}");
        }
        else io.Out.Write(NemaReportRenderer.Render(report, fmt));
        return CliApp.ExitOk;
    }

    private static void PrintCalorimetry(CliIO io, string path, CalorimetryEvaluation r)
    {
        var input = r.Input;
        var o = io.Out;
        o.WriteLine($"NEMA MS 8-2016 calorimetry: {Path.GetFileName(path)}");
        o.WriteLine("Inputs (as written → SI):");
        foreach (var q in input.Quantities())
            o.WriteLine($"  {q.Field,-26} {q,-18} = {F(q.Si)} {Quantity.SiUnit(q.Kind)}");
        o.WriteLine("Intermediate values:");
        var hc = r.HeatCapacity;
        o.WriteLine($"  heat capacity              {F(hc.HeatCapacityJPerK)} J/K (filler {F(hc.FillerJPerK)}, shell {F(hc.ShellJPerK)} J/K = {F(100 * hc.ShellFraction, "0.0")} %, {(hc.ShellIncluded ? "included" : "not included, ≤ 10 %")})");
        o.WriteLine($"  T_i                        {C(r.InitialTemperatureK)} °C");
        o.WriteLine($"  T_f measured               {C(r.MeasuredFinalTemperatureK)} °C");
        o.WriteLine($"  T_f used                   {C(r.FinalTemperatureK)} °C ({(r.CoolingCorrected ? "cooling-corrected, eq. [2]" : "no cooling correction")})");
        o.WriteLine($"  temperature rise           {F(r.TemperatureRiseK, "0.0000")} K");
        o.WriteLine($"  absorbed energy E (19)     {F(r.EnergyJ)} J");
        o.WriteLine($"  scan time τ                {F(r.ScanTimeS)} s");
        o.WriteLine($"  average power P (20)       {F(r.PowerW)} W");
        o.WriteLine($"SAR (21)                     {F(r.SarWPerKg, "0.0000")} W/kg");
        o.WriteLine("Checks:");
        o.WriteLine(r.RiseCheck is { } c
            ? $"  3.2(c) ΔT ≥ 20 × sensor error: {(c.Passed ? "PASS" : "FAIL")} (ratio {F(c.Ratio, "0.0")}, minimum rise {F(c.MinimumRiseK, "0.000")} K)"
            : "  3.2(c) ΔT ≥ 20 × sensor error: not checked (no sensor_error)");
    }

    private static void PrintPulseEnergy(CliIO io, string path, PulseEnergyEvaluation r)
    {
        var m = r.Input;
        var o = io.Out;
        o.WriteLine($"NEMA MS 8-2016 pulse-energy method: {Path.GetFileName(path)} ({(m.PowerKind == PowerMeasurementKind.Peak ? "peak" : "average")} power values)");
        void Q(Quantity q) => o.WriteLine($"  {q.Field,-30} {q,-18} = {F(q.Si)} {Quantity.SiUnit(q.Kind)}");
        o.WriteLine("Inputs (as written → SI):");
        foreach (var q in new[] { m.Alpha1, m.AlphaCf, m.AlphaCr, m.Alpha2 }) Q(q);
        foreach (var rd in new[] { m.Unloaded, m.Loaded })
        { Q(rd.Forward); Q(rd.Reflected); Q(rd.Other); foreach (var v in rd.FluxLoopVoltages) Q(v); }
        foreach (var p in m.Pulses)
        {
            Q(p.ShapeFactor); Q(p.Duration);
            o.WriteLine($"  {"  " + p.Name,-30} {p.Shape}; {p.Count} per TR; W_rectangle {F(p.EquivalentRectangularDurationS * 1e6)} µs");
        }
        if (m.RepetitionTime is { } tr) Q(tr);
        Q(m.Mass);
        o.WriteLine("Intermediate values:");
        o.WriteLine($"  phantom 1 at coil: P_forward {F(r.UnloadedAtCoil.ForwardW)} W, P_reflected {F(r.UnloadedAtCoil.ReflectedW)} W, P_other {F(r.UnloadedAtCoil.OtherW)} W");
        o.WriteLine($"  phantom 2 at coil: P_forward {F(r.LoadedAtCoil.ForwardW)} W, P_reflected {F(r.LoadedAtCoil.ReflectedW)} W, P_other {F(r.LoadedAtCoil.OtherW)} W");
        o.WriteLine($"  V²_losses unloaded / loaded (5, 6)   {F(r.LossVoltageSquaredUnloaded)} / {F(r.LossVoltageSquaredLoaded)} V²");
        o.WriteLine($"  P_CPL_unloaded (7)                   {F(r.CoilLossUnloadedW)} W");
        o.WriteLine($"  P_CPL_loaded (8)                     {F(r.CoilLossLoadedW)} W");
        o.WriteLine($"  P_phantom_2 (9)                      {F(r.PhantomPeakPowerW)} W");
        o.WriteLine($"  loading quotient (eq. [1])           {F(r.PhantomLoadingQuotient, "0.0000")}{(r.Loading is { } l ? "; " + l.Criteria[0] : "")}");
        if (m.PowerKind == PowerMeasurementKind.Peak)
            o.WriteLine($"  energy per TR, Σ E_i (11)            {F(r.EnergyPerTrJ)} J");
        o.WriteLine($"  P_ave (12)                           {F(r.AveragePowerW)} W");
        o.WriteLine($"SAR (13)                               {F(r.SarWPerKg, "0.00000")} W/kg");
    }
}
