using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using SarKit.IO;
using SarKit.Measurement.Nema;
using SarKit.Measurement.Nema.Input;
using SarKit.Measurement.Records;

namespace SarKit.Cli.Commands;

/// <summary>`sarkit nema calorimetry FILE [--json] [--report OUT.md]`: NEMA MS 8-2016 whole-body SAR from a measurement file (docs/nema-ms8.md).</summary>
internal static class NemaCommand
{
    public static Command Create(CliIO io)
    {
        var nema = new Command("nema", "NEMA MS 8-2016 whole-body SAR from measurement files (every quantity with its unit).");
        var file = new Argument<string>("FILE") { Description = "Calorimetry measurement file (JSON; docs/nema-ms8.md)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object on stdout." };
        var report = new Option<string?>("--report") { Description = "Also write a Markdown report (NEMA MS 8 Section 4.1) to this file (atomically)." };
        var record = new Option<bool>("--record") { Description = "Also append the evaluation to the measurement records database (--db or $SARKIT_RECORDS; docs/nema-ms8.md)." };
        var db = RecordsCommand.DbOption();
        var cal = new Command("calorimetry", "Calorimetric method (Section 3): SAR = M c (T_f − T_i) / (τ M_bod), with the cooling correction and the 20× check when their inputs are present.")
            { file, json, report, record, db };
        cal.SetAction(p => io.Guard(() => RunCalorimetry(io, p.GetValue(file)!, p.GetValue(json), p.GetValue(report),
            p.GetValue(record) || p.GetValue(db) is not null, p.GetValue(db))));
        nema.Add(cal);
        var pfile = new Argument<string>("FILE") { Description = "Pulse-energy measurement file (JSON; docs/nema-ms8.md)." };
        var pjson = new Option<bool>("--json") { Description = "Print one JSON object on stdout." };
        var pe = new Command("pulse-energy", "Pulse-energy method (Section 2.5, eqs. 2–13): coil losses from phantom 1 and flux loops, phantom 2 power, pulse energies, SAR = P_ave / M.")
            { pfile, pjson };
        pe.SetAction(p => io.Guard(() => RunPulseEnergy(io, p.GetValue(pfile)!, p.GetValue(pjson))));
        nema.Add(pe);
        return nema;
    }

    private static string F(double v, string fmt = "G6") => v.ToString(fmt, CultureInfo.InvariantCulture);
    private static string C(double kelvin) => F(kelvin - 273.15, "0.000");

    private static int RunCalorimetry(CliIO io, string path, bool json, string? report, bool record, string? db)
    {
        var dbPath = record ? MeasurementRecordStore.ResolveDatabasePath(db) : null; // fail before writing anything
        if (!File.Exists(path)) throw new FileNotFoundException($"measurement file not found: {path}", path);
        var text = File.ReadAllText(path);
        var input = CalorimetryInputFile.Parse(text, path);
        var r = CalorimetryEvaluation.Evaluate(input);
        if (report is not null)
            CalorimetryReport.Write(report, r);
        if (dbPath is not null)
        {
            var store = MeasurementRecordStore.Open(dbPath);
            var rec = store.Add("calorimetry", text, JsonSerializer.Serialize(ToJson(r, path), Json.Options), r.SarWPerKg, CliApp.Version);
            io.Err.WriteLine($"Recorded: id {rec.Id} in {store.DatabasePath} (sha256 {rec.ContentSha256})");
        }
        if (json) { Json.Write(io.Out, ToJson(r, path)); return CliApp.ExitOk; }
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
        o.WriteLine(r.PredictedCoversMeasured is { } ok
            ? $"  4.1 predicted SAR ≥ measured − uncertainty: {(ok ? "Y" : "N")} ({F(input.PredictedSarWPerKg!.Value)} vs {F(r.SarWPerKg * (1 - input.EnergyUncertainty!.Value), "0.0000")} W/kg)"
            : "  4.1 predicted SAR ≥ measured − uncertainty: not checked (needs predicted_sar and energy_uncertainty)");
        if (report is not null) o.WriteLine($"Report written: {report}");
        return CliApp.ExitOk;
    }

    private static int RunPulseEnergy(CliIO io, string path, bool json)
    {
        var m = PulseEnergyInputFile.Read(path);
        var r = PulseEnergyEvaluation.Evaluate(m);
        if (json)
        {
            Json.Write(io.Out, new PulseEnergyJson("pulse-energy", Path.GetFullPath(path),
                new[] { r.UnloadedAtCoil.ForwardW, r.UnloadedAtCoil.ReflectedW, r.UnloadedAtCoil.OtherW },
                new[] { r.LoadedAtCoil.ForwardW, r.LoadedAtCoil.ReflectedW, r.LoadedAtCoil.OtherW },
                r.LossVoltageSquaredUnloaded, r.LossVoltageSquaredLoaded, r.CoilLossUnloadedW, r.CoilLossLoadedW,
                r.PhantomPeakPowerW, r.EnergyPerTrJ, m.RepetitionTime.Si, r.AveragePowerW, m.Mass.Si, r.SarWPerKg, CliApp.Version));
            return CliApp.ExitOk;
        }
        var o = io.Out;
        o.WriteLine($"NEMA MS 8-2016 pulse-energy method: {Path.GetFileName(path)}");
        void Q(Quantity q) => o.WriteLine($"  {q.Field,-30} {q,-18} = {F(q.Si)} {Quantity.SiUnit(q.Kind)}");
        o.WriteLine("Inputs (as written → SI):");
        foreach (var q in new[] { m.Alpha1, m.AlphaCf, m.AlphaCr, m.Alpha2 }) Q(q);
        foreach (var rd in new[] { m.Unloaded, m.Loaded })
        { Q(rd.Forward); Q(rd.Reflected); Q(rd.Other); foreach (var v in rd.FluxLoopVoltages) Q(v); }
        foreach (var p in m.Pulses) { Q(p.ShapeFactor); Q(p.Duration); o.WriteLine($"  {"  count",-30} {p.Count}"); }
        Q(m.RepetitionTime); Q(m.Mass);
        o.WriteLine("Intermediate values:");
        o.WriteLine($"  phantom 1 at coil: P_forward {F(r.UnloadedAtCoil.ForwardW)} W, P_reflected {F(r.UnloadedAtCoil.ReflectedW)} W, P_other {F(r.UnloadedAtCoil.OtherW)} W");
        o.WriteLine($"  phantom 2 at coil: P_forward {F(r.LoadedAtCoil.ForwardW)} W, P_reflected {F(r.LoadedAtCoil.ReflectedW)} W, P_other {F(r.LoadedAtCoil.OtherW)} W");
        o.WriteLine($"  V²_losses unloaded / loaded (5, 6)   {F(r.LossVoltageSquaredUnloaded)} / {F(r.LossVoltageSquaredLoaded)} V²");
        o.WriteLine($"  P_CPL_unloaded (7)                   {F(r.CoilLossUnloadedW)} W");
        o.WriteLine($"  P_CPL_loaded (8)                     {F(r.CoilLossLoadedW)} W");
        o.WriteLine($"  P_phantom_2 peak (9)                 {F(r.PhantomPeakPowerW)} W");
        o.WriteLine($"  energy per TR, Σ E_i (11)            {F(r.EnergyPerTrJ)} J");
        o.WriteLine($"  P_ave (12)                           {F(r.AveragePowerW)} W");
        o.WriteLine($"SAR (13)                               {F(r.SarWPerKg, "0.00000")} W/kg");
        return CliApp.ExitOk;
    }

    internal sealed record PulseEnergyJson(string Method, string InputFile, double[] UnloadedAtCoilW, double[] LoadedAtCoilW,
        double LossVoltageSquaredUnloaded, double LossVoltageSquaredLoaded, double CoilLossUnloadedW, double CoilLossLoadedW,
        double PhantomPeakPowerW, double EnergyPerTrJ, double RepetitionTimeS, double AveragePowerW, double MassKg, double SarWPerKg, string SarkitVersion);

    internal sealed record QuantityJson(string Field, string Kind, double Value, string Unit, double Si, string SiUnit);
    internal sealed record RiseCheckJson(double TemperatureRiseK, double SensorErrorK, double Ratio, double RequiredRatio, bool Passed);
    internal sealed record CalorimetryJson(
        string Method, string InputFile, QuantityJson[] Inputs, Dictionary<string, string> Description,
        double HeatCapacityJPerK, double FillerHeatCapacityJPerK, double ShellHeatCapacityJPerK, bool ShellIncluded,
        double InitialTemperatureK, double MeasuredFinalTemperatureK, double FinalTemperatureK, bool CoolingCorrected,
        double TemperatureRiseK, double EnergyJ, double ScanTimeS, double PowerW, double SarWPerKg,
        RiseCheckJson? RiseCheck, double? PredictedSarWPerKg, double? EnergyUncertainty, bool? PredictedCoversMeasured, string SarkitVersion);

    private static CalorimetryJson ToJson(CalorimetryEvaluation r, string path) => new(
        "calorimetry", Path.GetFullPath(path),
        r.Input.Quantities().Select(q => new QuantityJson(q.Field, q.Kind.ToString(), q.Value, q.Unit, q.Si, Quantity.SiUnit(q.Kind))).ToArray(),
        new Dictionary<string, string>(r.Input.Description),
        r.HeatCapacity.HeatCapacityJPerK, r.HeatCapacity.FillerJPerK, r.HeatCapacity.ShellJPerK, r.HeatCapacity.ShellIncluded,
        r.InitialTemperatureK, r.MeasuredFinalTemperatureK, r.FinalTemperatureK, r.CoolingCorrected,
        r.TemperatureRiseK, r.EnergyJ, r.ScanTimeS, r.PowerW, r.SarWPerKg,
        r.RiseCheck is { } c ? new(c.TemperatureRiseK, c.SensorErrorK, c.Ratio, TemperatureRiseCheck.RequiredRatio, c.Passed) : null,
        r.Input.PredictedSarWPerKg, r.Input.EnergyUncertainty, r.PredictedCoversMeasured, CliApp.Version);
}
