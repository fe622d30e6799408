using System.Globalization;
using System.Text;

namespace SarKit.Measurement.Nema.Input;

/// <summary>Markdown report of a calorimetry evaluation following NEMA MS 8-2016 Section 4.1 (calorimetry table) as far as the inputs go.</summary>
public static class CalorimetryReport
{
    private static string F(double v, string fmt = "G6") => v.ToString(fmt, CultureInfo.InvariantCulture);
    private static string C(double kelvin) => F(kelvin - 273.15, "0.000");

    /// <summary>Writes <see cref="Markdown"/> to <paramref name="path"/> atomically (temporary file in the same folder, then rename).</summary>
    public static void Write(string path, CalorimetryEvaluation r)
    {
        string text = Markdown(r);
        SarKit.IO.FieldIO.WriteAtomically(path, tmp => File.WriteAllText(tmp, text, new UTF8Encoding(false)));
    }

    /// <summary>The report text (parameter | dimension | value); absent parameters are shown as "not given".</summary>
    public static string Markdown(CalorimetryEvaluation r)
    {
        var i = r.Input;
        var s = new StringBuilder();
        s.AppendLine("# NEMA MS 8-2016 SAR report: calorimetric method");
        s.AppendLine();
        s.AppendLine($"Method: calorimetry (Section 3). Input file: `{(i.SourceFile is null ? "-" : Path.GetFileName(i.SourceFile))}`.");
        s.AppendLine();
        string D(string key) => i.Description.TryGetValue(key, out var v) ? v.Replace("|", "\\|") : "not given";
        void Row(string p, string d, string v) => s.AppendLine($"| {p} | {d} | {v} |");
        s.AppendLine("## Measurement parameter section");
        s.AppendLine();
        s.AppendLine("| Parameter | Dimension | Value |");
        s.AppendLine("|---|---|---|");
        Row("RF Waveform Description", "-", D("rf_waveform"));
        Row("Repetition Time (TR)", "milliseconds", D("TR"));
        Row("Echo Time (TE)", "milliseconds", D("TE"));
        Row("Number of Slices", "-", D("slices"));
        Row("Number of Echoes", "-", D("echoes"));
        Row("Total Scan Time", "Seconds", $"{F(i.TotalTime.Si)} (as written: {i.TotalTime}); breaks subtracted: {F(i.Breaks.Sum(b => b.Si))} s; τ = {F(r.ScanTimeS)} s");
        Row("MR Tip Angle Employed in Study", "Degrees", D("tip_angle"));
        Row("Phantom 3 Heat Capacity", "J/K", $"{F(r.HeatCapacity.HeatCapacityJPerK)} (M c = {F(r.HeatCapacity.FillerJPerK)}; M_s c_s = {F(r.HeatCapacity.ShellJPerK)}, {(r.HeatCapacity.ShellIncluded ? "included" : "not included (≤ 10 % of M c, 3.3)")})");
        Row("Phantom 3 insulation time constant", "Seconds", i.InsulationTimeConstant is { } tc ? F(tc.Si) : "not given");
        Row("Phantom 3 Equivalent Mass (M_bod)", "Kg", F(i.EquivalentMass.Si));
        foreach (var kv in i.Description.Where(kv => kv.Key is not ("rf_waveform" or "TR" or "TE" or "slices" or "echoes" or "tip_angle")))
            Row(kv.Key.Replace("|", "\\|"), "-", kv.Value.Replace("|", "\\|"));
        s.AppendLine();
        s.AppendLine("## Measurement result section");
        s.AppendLine();
        s.AppendLine("| Parameter | Dimension | Value |");
        s.AppendLine("|---|---|---|");
        Row("Initial Phantom Temperature", "°C", C(r.InitialTemperatureK));
        Row("Post Phantom Temperature", "°C", C(r.MeasuredFinalTemperatureK));
        Row("Time gap of Post temperature measurement to end of rf exposure", "Seconds", i.MeasurementDelay is { } d ? F(d.Si) : "not given");
        Row("Ambient temperature", "°C", i.AmbientTemperature is { } a ? C(a.Si) : "not given");
        Row("Final Phantom Temperature (1 hour later)", "°C", "not given");
        Row("Corrected Post RF Phantom Temperature", "°C", r.CoolingCorrected ? $"{C(r.FinalTemperatureK)} (eq. [2])" : "no correction (inputs not given)");
        s.AppendLine();
        s.AppendLine("## SAR calculation");
        s.AppendLine();
        s.AppendLine("| Parameter | Dimension | Value |");
        s.AppendLine("|---|---|---|");
        Row("Temperature rise T_f − T_i", "K", F(r.TemperatureRiseK, "0.0000"));
        Row("Absorbed Energy by Phantom 3 (eq. 19)", "J", F(r.EnergyJ));
        Row("Absorbed Power by Phantom 3 (eq. 20)", "W", F(r.PowerW));
        Row("Uncertainty of \"Absorbed Energy by Phantom 3\" determination", "%", i.EnergyUncertainty is { } u ? F(100 * u) : "not given");
        Row("Measured SAR (eq. 21)", "W/Kg", F(r.SarWPerKg, "0.0000"));
        Row("Predicted WB SAR", "W/Kg", i.PredictedSarWPerKg is { } p ? F(p) : "not given");
        Row("Is Predicted SAR ≥ Measured SAR – Measurement uncertainty?", "Y/N", r.PredictedCoversMeasured is { } ok ? (ok ? "Y" : "N") : "not determined");
        Row("3.2(c) temperature rise ≥ 20 × sensor error", "-", r.RiseCheck is { } c
            ? $"{(c.Passed ? "PASS" : "FAIL")}: ratio {F(c.Ratio, "0.0")} (sensor error {F(c.SensorErrorK)} K, minimum rise {F(c.MinimumRiseK, "0.000")} K)" : "not checked (no sensor error given)");
        s.AppendLine();
        s.AppendLine("## Inputs as written");
        s.AppendLine();
        s.AppendLine("| Field | Kind | As written | SI |");
        s.AppendLine("|---|---|---|---|");
        foreach (var q in i.Quantities()) s.AppendLine($"| {q.Field} | {q.Kind} | {q} | {F(q.Si)} {Quantity.SiUnit(q.Kind)} |");
        return s.ToString();
    }
}
