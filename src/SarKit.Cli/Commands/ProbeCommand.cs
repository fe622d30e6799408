using System.CommandLine;
using System.Globalization;
using SarKit.Measurement.Probe;
using SarKit.Measurement.Records;
using SarKit.Workflows.Measurement;
using SarKit.Workflows.Results;

namespace SarKit.Cli.Commands;

/// <summary>
/// `sarkit probe calibrate|cf|dc-log|templates`, `sarkit liquid heat-capacity|check`, `sarkit scan process`: the E-field
/// probe SAR measurement system (docs/probe.md).
/// </summary>
internal static class ProbeCommand
{
    private static string S(double v) => double.IsFinite(v) ? (Math.Round(v, 1) + 0.0).ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture) : "–";
    private static string F(double v, string f = "G6") => double.IsFinite(v) ? v.ToString(f, CultureInfo.InvariantCulture) : "–";

    private static Option<bool> JsonOpt() => new("--json") { Description = "Print one JSON object on stdout." };
    private static Option<bool> RecordOpt() => new("--record") { Description = "Also append the input and result to the measurement records database (--db or $SARKIT_RECORDS)." };

    private static void WriteText(string path, string text) =>
        SarKit.Reporting.AtomicText.Write(path, text);

    public static Command Create(CliIO io)
    {
        var probe = new Command("probe", "E-field probe calibration (probe-system manual chain; docs/probe.md).");

        // probe calibrate
        {
            var file = new Argument<string>("FILE") { Description = "TEM-cell calibration input (JSON, method probe-tem-calibration)." };
            var outOpt = new Option<string?>("--out") { Description = "Write the calibration file (JSON) here (atomically)." };
            var json = JsonOpt(); var record = RecordOpt(); var db = RecordsCommand.DbOption();
            var cmd = new Command("calibrate", "Amplifier settings AS_i = SF·S·cos²θ_i/(V_max,i − DC_i) from TEM-cell rotation data; writes a calibration file with validity dates.")
                { file, outOpt, json, record, db };
            cmd.SetAction(p => io.Guard(() => RunCalibrate(io, p.GetValue(file)!, p.GetValue(outOpt), p.GetValue(json), p.GetValue(record) || p.GetValue(db) is not null, p.GetValue(db))));
            probe.Add(cmd);
        }
        // probe cf
        {
            var file = new Argument<string>("FILE") { Description = "Temperature-rise experiment (JSON, method probe-conversion-factor)." };
            var cal = new Option<string>("--calibration") { Description = "Calibration file of the probe (from `probe calibrate`).", Required = true };
            var outOpt = new Option<string?>("--out") { Description = "Write the calibration with CF here (atomically; may be the input calibration file)." };
            var json = JsonOpt(); var record = RecordOpt(); var db = RecordsCommand.DbOption();
            var cmd = new Command("cf", "Conversion factor CF = SAR_t/ΔV_t × SF from SAR_t·Δt = c·ΔT.") { file, cal, outOpt, json, record, db };
            cmd.SetAction(p => io.Guard(() => RunCf(io, p.GetValue(file)!, p.GetValue(cal)!, p.GetValue(outOpt), p.GetValue(json), p.GetValue(record) || p.GetValue(db) is not null, p.GetValue(db))));
            probe.Add(cmd);
        }
        // probe dc-log
        {
            var file = new Argument<string>("FILE") { Description = "DC-offset log (JSON, method probe-dc-log)." };
            var cal = new Option<string>("--calibration") { Description = "Calibration file of the probe.", Required = true };
            var json = JsonOpt(); var record = RecordOpt(); var db = RecordsCommand.DbOption();
            var cmd = new Command("dc-log", "Check the daily DC-offset log against the calibration's DC offsets (drift warning).") { file, cal, json, record, db };
            cmd.SetAction(p => io.Guard(() => RunDcLog(io, p.GetValue(file)!, p.GetValue(cal)!, p.GetValue(json), p.GetValue(record) || p.GetValue(db) is not null, p.GetValue(db))));
            probe.Add(cmd);
        }
        // probe templates
        {
            var dir = new Argument<string>("DIR") { Description = "Folder to write limits.json and uncertainty_template.json into." };
            var cmd = new Command("templates", "Write the editable default limits table and uncertainty template.") { dir };
            cmd.SetAction(p => io.Guard(() =>
            {
                var d = p.GetValue(dir)!;
                if (!Directory.Exists(d)) throw new SarKitInputException($"folder not found: {d}");
                WriteText(Path.Combine(d, "limits.json"), SarLimits.ToJson(SarLimits.Default));
                WriteText(Path.Combine(d, "uncertainty_template.json"), ProbeBudgetTemplate.Default.ToJson());
                io.Out.WriteLine($"Written: {Path.Combine(d, "limits.json")}, {Path.Combine(d, "uncertainty_template.json")}");
                return CliApp.ExitOk;
            }));
            probe.Add(cmd);
        }
        return probe;
    }

    public static Command CreateLiquid(CliIO io)
    {
        var liquid = new Command("liquid", "Tissue-simulating liquid: heat capacity and dielectric check (docs/probe.md).");
        {
            var file = new Argument<string>("FILE") { Description = "Heat-capacity measurement (JSON, method liquid-heat-capacity)." };
            var json = JsonOpt(); var record = RecordOpt(); var db = RecordsCommand.DbOption();
            var cmd = new Command("heat-capacity", "C_s = C_w·ΔT_w/ΔT_s (water-comparison method) with its uncertainty.") { file, json, record, db };
            cmd.SetAction(p => io.Guard(() => RunHeatCapacity(io, p.GetValue(file)!, p.GetValue(json), p.GetValue(record) || p.GetValue(db) is not null, p.GetValue(db))));
            liquid.Add(cmd);
        }
        {
            var file = new Argument<string>("FILE") { Description = "Liquid properties (JSON, method liquid-properties)." };
            var json = JsonOpt(); var record = RecordOpt(); var db = RecordsCommand.DbOption();
            var cmd = new Command("check", "Validate the liquid properties (σ, ε_r, ρ with uncertainties) and their deviation from the targets.") { file, json, record, db };
            cmd.SetAction(p => io.Guard(() => RunLiquidCheck(io, p.GetValue(file)!, p.GetValue(json), p.GetValue(record) || p.GetValue(db) is not null, p.GetValue(db))));
            liquid.Add(cmd);
        }
        return liquid;
    }

    public static Command CreateScan(CliIO io)
    {
        var scan = new Command("scan", "Process E-field probe scans (docs/probe.md).");
        var file = new Argument<string>("SCAN") { Description = "Scan file (CSV: scan,x_mm,y_mm,z_mm,v1_mV,v2_mV,v3_mV)." };
        var cal = new Option<string>("--calibration") { Description = "Calibration file (must be valid on the scan date and hold CF for the CF path).", Required = true };
        var liq = new Option<string>("--liquid") { Description = "Liquid properties file (σ, ε_r, ρ).", Required = true };
        var dc = new Option<string?>("--dc-log") { Description = "DC-offset log; the entry of the scan date supplies the DC offsets." };
        var date = new Option<string?>("--date") { Description = "Measurement date YYYY-MM-DD (default: '# date:' in the scan file, else today UTC)." };
        var path = new Option<string?>("--path") { Description = "SAR path: cf (Pd_tot·CF/SF, default when CF is present) or convf (σE²/ρ)." };
        var extra = new Option<string?>("--extrapolation") { Description = "Surface extrapolation of every zoom column: exponential (default) or polynomial." };
        var budget = new Option<string?>("--budget") { Description = "Uncertainty template (JSON; default: the built-in IEC/IEEE 62209-1528-style template)." };
        var limits = new Option<string?>("--limits") { Description = "Limits table (JSON; default: the built-in table)." };
        var report = new Option<string?>("--report") { Description = "Write a report (Markdown, or HTML for .html) with PNG pictures next to it." };
        var json = JsonOpt(); var record = RecordOpt(); var db = RecordsCommand.DbOption();
        var cmd = new Command("process", "Area scan → peak → zoom scan → extrapolation → psSAR 1 g / 10 g, uncertainty budget and limits.")
            { file, cal, liq, dc, date, path, extra, budget, limits, report, json, record, db };
        cmd.SetAction(p => io.Guard(() => RunScan(io, p.GetValue(file)!, p.GetValue(cal)!, p.GetValue(liq)!, p.GetValue(dc), p.GetValue(date), p.GetValue(path),
            p.GetValue(extra), p.GetValue(budget), p.GetValue(limits), p.GetValue(report), p.GetValue(json), p.GetValue(record) || p.GetValue(db) is not null, p.GetValue(db))));
        scan.Add(cmd);
        return scan;
    }

    private static void Recorded(CliIO io, RecordedResult? rec, string method)
    {
        if (rec is not null) io.Err.WriteLine($"Recorded: id {rec.Id} ({method}) in {rec.Database} (sha256 {rec.ContentSha256})");
    }

    private static string? RecordTo(bool record, string? db)
    {
        if (!record) return null;
        MeasurementRecordStores.Validate(db); // fail before reading or writing anything
        return RecordsCommand.Location(db);
    }

    private static int RunCalibrate(CliIO io, string file, string? outPath, bool json, bool record, string? db)
    {
        var recordTo = RecordTo(record, db);
        var outcome = ProbeTemCalibration.Run(ProbeTemCalibration.FromFile(file, outPath, CliApp.Version) with { RecordTo = recordTo });
        var c = outcome.Evaluation.Calibration; var v = outcome.Result.Calibration;
        Recorded(io, outcome.Recorded, ProbeTemCalibration.RecordMethod);
        foreach (var n in outcome.Result.Notes) io.Err.WriteLine(n);
        if (json) { ResultJson.Write(io.Out, outcome.Result); return CliApp.ExitOk; }
        var o = io.Out;
        o.WriteLine($"Probe free-space calibration: {v.ProbeSerial} ({v.Geometry})");
        o.WriteLine($"  sensor factor          {F(v.SensorFactorMvPerMwPerCm2)} mV/(mW/cm²)");
        o.WriteLine($"  TEM power density S    {F(v.TemPowerDensityMwPerCm2)} mW/cm² (plane-wave E = {F(ProbeUnits.PlaneWaveField(c.TemPowerDensityWPerM2) / 100, "0.000")} V/cm)");
        if (outcome.Result.TemCellPowerDensityMwPerCm2 is double cell) o.WriteLine($"  TEM cell from input power: {F(cell, "0.000")} mW/cm²");
        o.WriteLine($"  {"channel",-8} {"θ deg",7} {"V_max mV",10} {"DC mV",8} {"AS",9}");
        for (int i = 0; i < 3; i++)
            o.WriteLine($"  {i + 1,-8} {F(v.AnglesDeg[i]),7} {F(v.VMaxMv[i], "0.000"),10} {F(v.DcOffsetsMv[i], "0.000"),8} {F(v.AmplifierSettings[i], "0.00000"),9}");
        o.WriteLine($"  probe offset           {F(v.ProbeOffsetMm)} mm");
        o.WriteLine($"  valid                  {v.CalibrationDate} … {v.ValidUntil}");
        o.WriteLine("  conversion factor CF   not yet determined (sarkit probe cf)");
        if (outPath is not null) o.WriteLine($"Calibration written: {outPath}");
        return CliApp.ExitOk;
    }

    private static int RunCf(CliIO io, string file, string calPath, string? outPath, bool json, bool record, string? db)
    {
        var recordTo = RecordTo(record, db);
        var outcome = ProbeConversionFactor.Run(ProbeConversionFactor.FromFiles(file, calPath, outPath, CliApp.Version) with { RecordTo = recordTo });
        var r = outcome.Evaluation;
        Recorded(io, outcome.Recorded, ProbeConversionFactor.RecordMethod);
        if (json) { ResultJson.Write(io.Out, outcome.Result); return CliApp.ExitOk; }
        var o = io.Out;
        o.WriteLine($"SAR conversion factor: probe {outcome.UpdatedCalibration.ProbeSerial}, c = {F(r.SpecificHeatJPerKgK)} J/(kg K)");
        o.WriteLine($"  {"trial",-6} {"SAR_t mW/g",11} {"CF",9}");
        for (int k = 0; k < r.TrialSarWPerKg.Length; k++)
            o.WriteLine($"  {k,-6} {F(r.TrialSarWPerKg[k], "0.0000"),11} {F(outcome.Result.TrialCfMwPerGPerMwPerCm2[k], "0.0000"),9}");
        o.WriteLine($"CF = {F(r.CfManual, "0.0000")} (mW/g)/(mW/cm²) = {F(r.CfSi, "0.00000")} m²/kg" + (double.IsFinite(r.CfRelativeStdUncertainty) ? $", Type A u = {F(100 * r.CfRelativeStdUncertainty, "0.0")} %" : ""));
        if (outPath is not null) o.WriteLine($"Calibration written: {outPath}");
        return CliApp.ExitOk;
    }

    private static int RunDcLog(CliIO io, string file, string calPath, bool json, bool record, string? db)
    {
        var recordTo = RecordTo(record, db);
        var outcome = ProbeDcLog.Run(ProbeDcLog.FromFiles(file, calPath, CliApp.Version) with { RecordTo = recordTo });
        var log = outcome.Log; var w = outcome.Warnings;
        Recorded(io, outcome.Recorded, ProbeDcLog.RecordMethod);
        if (json) { ResultJson.Write(io.Out, outcome.Result); return CliApp.ExitOk; }
        io.Out.WriteLine($"DC-offset log: probe {log.ProbeSerial}, {log.Entries.Count} entries, threshold ±{F(log.DriftThresholdV * 1e3)} mV against the calibration of {outcome.Calibration.CalibrationDate:yyyy-MM-dd}");
        for (int k = 0; k < log.Entries.Count; k++)
        {
            var e = log.Entries[k]; var drift = outcome.DriftsV[k];
            io.Out.WriteLine($"  {e.Date:yyyy-MM-dd}  {string.Join("  ", e.DcOffsetsV.Select((v, i) => $"{F(v * 1e3, "0.000")} ({F(Math.Round(drift[i] * 1e3, 3) + 0.0, "+0.000;-0.000;0.000")})"))} mV");
        }
        foreach (var x in w) io.Out.WriteLine(x.ToString());
        if (w.Count == 0) io.Out.WriteLine("No drift beyond the threshold.");
        return CliApp.ExitOk;
    }

    private static int RunHeatCapacity(CliIO io, string file, bool json, bool record, string? db)
    {
        var recordTo = RecordTo(record, db);
        var outcome = LiquidHeatCapacity.Run(MeasurementFileRequest.FromFile(file, CliApp.Version) with { RecordTo = recordTo });
        var r = outcome.Evaluation; var b = r.Budget;
        Recorded(io, outcome.Recorded, LiquidHeatCapacity.RecordMethod);
        if (json) { ResultJson.Write(io.Out, outcome.Result); return CliApp.ExitOk; }
        var o = io.Out;
        o.WriteLine($"Heat capacity of {outcome.Liquid} (water comparison, C_s = C_w·ΔT_w/ΔT_s)");
        foreach (var row in b.Rows) o.WriteLine($"  {row.Name,-36} u = {F(row.StandardUncertainty, "G4"),-10} c = {F(row.Sensitivity, "G5"),-12} u_i = {F(row.Contribution, "0.0")} J/(kg K)");
        o.WriteLine($"C_s = {F(r.SpecificHeatJPerKgK, "0")} J/(kg K) = {F(r.SpecificHeatJPerKgK / 1000, "0.000")} J/(g °C); u_c = {F(b.CombinedStandardUncertainty, "0.0")}, U = {F(b.ExpandedUncertainty, "0.0")} J/(kg K) (k = {F(b.CoverageFactor, "0.00")})");
        foreach (var n in r.Notes) o.WriteLine(n);
        return CliApp.ExitOk;
    }

    private static int RunLiquidCheck(CliIO io, string file, bool json, bool record, string? db)
    {
        var recordTo = RecordTo(record, db);
        var outcome = LiquidCheck.Run(MeasurementFileRequest.FromFile(file, CliApp.Version) with { RecordTo = recordTo });
        var l = outcome.Liquid;
        Recorded(io, outcome.Recorded, LiquidCheck.RecordMethod);
        if (json) { ResultJson.Write(io.Out, outcome.Result); return CliApp.ExitOk; }
        var o = io.Out;
        o.WriteLine($"Liquid {l.Name}" + (l.Date is DateOnly d ? $" ({d:yyyy-MM-dd})" : ""));
        o.WriteLine($"  σ   = {F(l.ConductivitySPerM, "0.000")} S/m ± {F(100 * l.ConductivityRelU, "0.0")} %" + (double.IsFinite(l.ConductivityDeviation) ? $", {S(100 * l.ConductivityDeviation)} % from target" : ""));
        o.WriteLine($"  ε_r = {F(l.RelativePermittivity, "0.00")} ± {F(100 * l.PermittivityRelU, "0.0")} %" + (double.IsFinite(l.PermittivityDeviation) ? $", {S(100 * l.PermittivityDeviation)} % from target" : ""));
        o.WriteLine($"  ρ   = {F(l.DensityKgPerM3, "0")} kg/m³ ± {F(100 * l.DensityRelU, "0.0")} %; 1 g cube side {F(outcome.CubeSide1gM * 1e3, "0.00")} mm, 10 g {F(outcome.CubeSide10gM * 1e3, "0.00")} mm");
        foreach (var x in outcome.Warnings) o.WriteLine(x);
        return CliApp.ExitOk;
    }

    private static int RunScan(CliIO io, string file, string calPath, string liqPath, string? dcPath, string? dateText, string? pathText,
        string? extraText, string? budgetPath, string? limitsPath, string? report, bool json, bool record, string? db)
    {
        if (record) MeasurementRecordStores.Validate(db); // fail before writing anything
        var request = ProbeScan.FromFiles(file, calPath, liqPath, dcPath, budgetPath, limitsPath, CliApp.Version);
        try { ScanEvaluation.ParsePath(pathText); }
        catch (SarKitInputException) { throw new SarKitInputException($"--path '{pathText}'; expected cf or convf."); }
        try { ScanEvaluation.ParseExtrapolation(extraText); }
        catch (SarKitInputException) { throw new SarKitInputException($"--extrapolation '{extraText}'; expected exponential or polynomial."); }
        var outcome = ProbeScan.Run(request with
        {
            Date = dateText, Path = pathText, Extrapolation = extraText, ReportPath = report, RecordTo = record ? RecordsCommand.Location(db) : null,
        });
        foreach (var w in outcome.DcWarnings) io.Err.WriteLine(w);
        if (outcome.Recorded is { } rec) io.Err.WriteLine($"Recorded: id {rec.Id} ({ProbeScan.Method}) in {rec.Database} (sha256 {rec.ContentSha256})");
        var res = outcome.Result;
        var r = outcome.Evaluation.Result; var budget = outcome.Evaluation.Budget; var cmp = outcome.Evaluation.Limits;
        var pc = r.PeakColumn; var date = outcome.Evaluation.Date; var written = outcome.Written;
        var liquid = r.Liquid;
        int exit = cmp.All(c => c.WithinLimit) ? CliApp.ExitOk : CliApp.ExitCheckFailed;   // a limit EXCEEDED is a negative verdict
        if (json) { ResultJson.Write(io.Out, res); return exit; }
        var o = io.Out;
        o.WriteLine($"E-field probe scan: {Path.GetFileName(file)} ({date:yyyy-MM-dd}), probe {r.Calibration.ProbeSerial}, path {res.SarPath}, liquid ρ = {F(liquid.DensityKgPerM3, "0")} kg/m³");
        o.WriteLine($"  area scan peak        {F(r.Area.PeakWPerKg, "0.000")} W/kg at x = {F(r.Area.PeakXM * 1e3, "0.0")} mm, y = {F(r.Area.PeakYM * 1e3, "0.0")} mm");
        if (pc.Exponential is { } ex) o.WriteLine($"  surface (exponential) {F(ex.S0, "0.000")} ± {F(ex.S0StdUncertainty, "0.000")} W/kg, a = {F(ex.DecayLengthM * 1e3, "0.00")} ± {F(ex.DecayLengthStdUncertaintyM * 1e3, "0.00")} mm");
        if (pc.Polynomial is { } po) o.WriteLine($"  surface (polynomial)  {F(po.S0, "0.000")} ± {F(po.S0StdUncertainty, "0.000")} W/kg (degree {po.Degree})");
        foreach (var c in r.Cubes)
            o.WriteLine($"  psSAR {F(c.MassG),3} g (side {F(c.SideM * 1e3, "0.00")} mm)  {F(c.AverageWPerKg, "0.000")} W/kg ± {F(c.AverageWPerKg * budget.ExpandedFractionFor(c.MassG), "0.000")} (k = 2)");
        if (r.SeedIntegral is { } s) o.WriteLine($"  manual's 1 cm³ integral {F(s.SarWPerKg, "0.000")} W/kg");
        o.WriteLine($"  uncertainty U (k = {F(budget.CoverageFactor)}): {F(budget.Expanded1gPercent, "0.0")} % (1 g), {F(budget.Expanded10gPercent, "0.0")} % (10 g)");
        o.WriteLine("Limits:");
        foreach (var c in cmp)
            o.WriteLine($"  {c.Limit.Regime}, {c.Limit.Applies}: {F(c.Limit.LimitWPerKg)} W/kg / {F(c.Limit.MassG)} g → psSAR {F(c.PeakSarWPerKg, "0.000")}, margin {F(c.MarginWPerKg, "0.000")} W/kg, U {F(c.ExpandedUncertaintyWPerKg, "0.000")} W/kg: {(c.WithinLimit ? "within limit" : "EXCEEDED")}{(c.WithinLimit && !c.MarginCoversUncertainty ? " (margin < U)" : "")}");
        foreach (var n in r.Notes) o.WriteLine(n);
        if (written is { } wr) o.WriteLine($"Report written: {wr.Report} (+ {Path.GetFileName(wr.Area)}, {Path.GetFileName(wr.Decay)})");
        return exit;
    }
}
