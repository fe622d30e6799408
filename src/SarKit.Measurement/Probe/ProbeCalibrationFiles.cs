using System.Text.Json;
using SarKit.Measurement.Uncertainty;

namespace SarKit.Measurement.Probe;

/// <summary>Result of a free-space (TEM-cell) calibration run.</summary>
/// <param name="Calibration">The new calibration (no CF yet).</param>
/// <param name="TemCellPowerDensityWPerM2">S computed from the cell input power and geometry, when given (NaN otherwise).</param>
/// <param name="Notes">Warnings and remarks for the operator.</param>
public sealed record TemCalibrationResult(ProbeCalibration Calibration, double TemCellPowerDensityWPerM2, IReadOnlyList<string> Notes);

/// <summary>
/// The free-space calibration input file (`sarkit probe calibrate FILE`; docs/probe.md): TEM-cell data of one probe —
/// DC offsets with RF off, then V_max per channel or the rotation readings themselves — and the resulting
/// <see cref="ProbeCalibration"/> with AS_i = SF·S·cos²θ_i/(V_max,i − DC_i).
/// </summary>
public static class TemCalibrationFile
{
    /// <summary>Method tag of the file.</summary>
    public const string Method = "probe-tem-calibration";

    /// <summary>Default validity of a calibration when the file gives neither valid_until nor valid_days (SarKit default; set your lab's interval).</summary>
    public const int DefaultValidDays = 365;

    private static readonly string[] Fields =
    [
        "method", "probe_serial", "geometry", "date", "valid_until", "valid_days", "sensor_factor", "tem_power_density",
        "tem_input_power", "tem_impedance", "tem_septum_spacing", "dc_offsets", "v_max", "rotation", "probe_offset", "angles", "description",
    ];

    /// <summary>Reads and evaluates <paramref name="path"/>.</summary>
    public static TemCalibrationResult Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"calibration input file not found: {path}", path);
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses and evaluates calibration input JSON.</summary>
    public static TemCalibrationResult Parse(string json, string source)
    {
        using var doc = ProbeJsonObject.ParseDocument(json, source);
        var o = new ProbeJsonObject(doc.RootElement, source, Fields);
        if (o.String("method") != Method) throw new SarKitInputException($"{source}: field 'method' is '{o.String("method")}'; expected \"{Method}\".") { SourceFile = source };
        var notes = new List<string>();
        var geometry = ProbeGeometries.Parse(o.String("geometry"), $"{source}: field 'geometry'");
        var angles = o.Has("angles") ? o.Array("angles", ProbeQuantityKind.Angle, 3) : ProbeGeometries.AnglesDeg(geometry);
        double sf = o.OptScalar("sensor_factor", ProbeQuantityKind.SensorFactor) ?? ProbeUnits.SensorFactorSi(ProbeUnits.ManualSensorFactorMvPerMwPerCm2);
        double sCell = double.NaN;
        if (o.Has("tem_input_power") || o.Has("tem_septum_spacing"))
        {
            var cell = new TemCell(o.OptScalar("tem_impedance", ProbeQuantityKind.Impedance) ?? 50.0, o.Scalar("tem_septum_spacing", ProbeQuantityKind.Length));
            sCell = cell.PowerDensity(o.Scalar("tem_input_power", ProbeQuantityKind.Power));
        }
        double s;
        if (o.Has("tem_power_density"))
        {
            s = o.Scalar("tem_power_density", ProbeQuantityKind.PowerDensity);
            if (double.IsFinite(sCell) && Math.Abs(sCell / s - 1) > 0.02)
                notes.Add($"warning: TEM cell input power and spacing give {sCell / 10:G4} mW/cm², but tem_power_density is {s / 10:G4} mW/cm² (differ by {100 * (sCell / s - 1):F1} %); the stated power density is used.");
        }
        else if (double.IsFinite(sCell)) s = sCell;
        else s = ProbeUnits.WPerM2PerMwPerCm2; // the manual's 1 mW/cm²
        if (!(s > 0)) throw new SarKitInputException($"{source}: TEM power density {s} W/m²; expected > 0.") { SourceFile = source };
        var dc = o.Array("dc_offsets", ProbeQuantityKind.Voltage, 3);
        double[] vmax;
        if (o.Has("v_max") == o.Has("rotation"))
            throw new SarKitInputException($"{source}: give exactly one of 'v_max' (maxima per channel) or 'rotation' (readings through 360°).") { SourceFile = source };
        if (o.Has("v_max")) vmax = o.Array("v_max", ProbeQuantityKind.Voltage, 3);
        else vmax = ReadRotation(o.Get("rotation"), source, notes);
        double[] asv;
        try { asv = AmplifierSettings.Compute(sf, s, vmax, dc, angles); }
        catch (SarKitInputException e) { throw new SarKitInputException($"{source}: {e.Message}", e) { SourceFile = source }; }
        var date = o.Date("date");
        DateOnly until;
        if (o.Has("valid_until")) until = o.Date("valid_until");
        else
        {
            double dd = o.Has("valid_days") ? o.Number("valid_days", 0, 36500) : DefaultValidDays;
            if (dd != Math.Floor(dd)) throw new SarKitInputException($"{source}: field 'valid_days' = {ProbeQuantity.Num(dd)}: expected a whole number of days.") { SourceFile = source };
            int days = (int)dd;
            if (days < 0) throw new SarKitInputException($"{source}: valid_days = {days}; expected >= 0.") { SourceFile = source };
            until = date.AddDays(days);
        }
        if (until < date) throw new SarKitInputException($"{source}: valid_until {until:yyyy-MM-dd} is before the calibration date {date:yyyy-MM-dd}.") { SourceFile = source };
        var cal = new ProbeCalibration
        {
            ProbeSerial = o.String("probe_serial"), Geometry = geometry, AnglesDeg = angles, SensorFactorSi = sf,
            TemPowerDensityWPerM2 = s, DcOffsetsV = dc, VMaxV = vmax, AmplifierSettings = asv,
            ProbeOffsetM = o.Scalar("probe_offset", ProbeQuantityKind.Length), CalibrationDate = date, ValidUntil = until,
        };
        if (!(cal.ProbeOffsetM >= 0)) throw new SarKitInputException($"{source}: probe_offset = {cal.ProbeOffsetM} m; expected >= 0.") { SourceFile = source };
        return new TemCalibrationResult(cal, sCell, notes);
    }

    private static double[] ReadRotation(JsonElement e, string source, List<string> notes)
    {
        var r = new ProbeJsonObject(e, $"{source}: rotation", ["angles", "channel_1", "channel_2", "channel_3"]);
        var ang = r.Array("angles", ProbeQuantityKind.Angle);
        var ch = new[] { r.Array("channel_1", ProbeQuantityKind.Voltage, ang.Length), r.Array("channel_2", ProbeQuantityKind.Voltage, ang.Length), r.Array("channel_3", ProbeQuantityKind.Voltage, ang.Length) };
        if (ang.Length < 4) throw new SarKitInputException($"{source}: rotation has {ang.Length} angles; expected readings through 360° (at least 4).") { SourceFile = source };
        double span = ang.Max() - ang.Min();
        if (span < 270) notes.Add($"warning: rotation covers only {span:G4}°; the manual rotates the probe through 360° to find each channel's maximum.");
        var rows = Enumerable.Range(0, ang.Length).Select(a => new[] { ch[0][a], ch[1][a], ch[2][a] }).ToList();
        return AmplifierSettings.MaximaOverRotation(rows, 3, $"{source}: rotation");
    }
}

/// <summary>
/// The temperature-rise experiment file (`sarkit probe cf FILE --calibration CAL`; docs/probe.md): specific heat of the
/// liquid and one or more trials (ΔT, Δt, ΔV_t); gives CF = SAR_t/ΔV_t × SF and a new calibration carrying it.
/// </summary>
public static class ConversionFactorFile
{
    /// <summary>Method tag of the file.</summary>
    public const string Method = "probe-conversion-factor";

    private static readonly string[] Fields = ["method", "probe_serial", "date", "specific_heat", "trials", "description"];

    /// <summary>Evaluates the file against <paramref name="calibration"/> and returns the CF result and the updated calibration.</summary>
    public static (ConversionFactorResult Result, ProbeCalibration Calibration) Evaluate(string path, ProbeCalibration calibration, string calibrationSource = "calibration")
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"conversion-factor input file not found: {path}", path);
        return Evaluate(File.ReadAllText(path), path, calibration, calibrationSource);
    }

    /// <summary>Evaluates JSON text (see the path overload).</summary>
    public static (ConversionFactorResult Result, ProbeCalibration Calibration) Evaluate(string json, string source, ProbeCalibration calibration, string calibrationSource)
    {
        using var doc = ProbeJsonObject.ParseDocument(json, source);
        var o = new ProbeJsonObject(doc.RootElement, source, Fields);
        if (o.String("method") != Method) throw new SarKitInputException($"{source}: field 'method' is '{o.String("method")}'; expected \"{Method}\".") { SourceFile = source };
        var serial = o.String("probe_serial");
        if (serial != calibration.ProbeSerial)
            throw new SarKitInputException($"{source}: probe_serial '{serial}' but {calibrationSource} is for probe '{calibration.ProbeSerial}'.") { SourceFile = source };
        var date = o.Date("date");
        calibration.CheckUsableOn(date, needCf: false, calibrationSource);
        double c = o.Scalar("specific_heat", ProbeQuantityKind.SpecificHeat);
        var te = o.Get("trials");
        if (te.ValueKind != JsonValueKind.Array) throw new SarKitInputException($"{source}: field 'trials': expected an array of trials.") { SourceFile = source };
        var trials = new List<TemperatureRiseTrial>();
        int i = 0;
        foreach (var t in te.EnumerateArray())
        {
            var to = new ProbeJsonObject(t, $"{source}: trials[{i}]", ["delta_T", "exposure_time", "probe_output", "input_power"]);
            trials.Add(new TemperatureRiseTrial(to.Scalar("delta_T", ProbeQuantityKind.TemperatureDifference), to.Scalar("exposure_time", ProbeQuantityKind.Time),
                to.Scalar("probe_output", ProbeQuantityKind.Voltage), to.OptScalar("input_power", ProbeQuantityKind.Power) ?? double.NaN));
            i++;
        }
        ConversionFactorResult r;
        try { r = ConversionFactor.Evaluate(c, trials, calibration.SensorFactorSi); }
        catch (SarKitInputException e) { throw new SarKitInputException($"{source}: {e.Message}", e) { SourceFile = source }; }
        var cal = calibration with
        {
            ConversionFactorSi = r.CfSi, CfSpecificHeatJPerKgK = c, CfDate = date,
            CfRelativeStdUncertainty = double.IsFinite(r.CfRelativeStdUncertainty) ? r.CfRelativeStdUncertainty : null,
        };
        return (r, cal);
    }
}

/// <summary>One day of the DC-offset log.</summary>
/// <param name="Date">Day.</param>
/// <param name="DcOffsetsV">DC offset per channel (V), RF off, amplifier on.</param>
public sealed record DcOffsetEntry(DateOnly Date, double[] DcOffsetsV);

/// <summary>A drift finding of the DC-offset log.</summary>
/// <param name="Date">Day of the entry.</param>
/// <param name="Channel">Channel (1-based).</param>
/// <param name="DriftV">DC − DC at calibration (V).</param>
/// <param name="ThresholdV">Threshold (V).</param>
public sealed record DcDriftWarning(DateOnly Date, int Channel, double DriftV, double ThresholdV)
{
    /// <inheritdoc/>
    public override string ToString() =>
        $"warning: {Date:yyyy-MM-dd} channel {Channel}: DC offset drifted {DriftV * 1e3:+0.000;-0.000} mV from the calibration value (threshold ±{ThresholdV * 1e3:G4} mV); check the amplifier batteries and consider re-zeroing.";
}

/// <summary>
/// The daily DC-offset log (probe-system manual, "E-Field Measurement": "Instrumentation amplifier batteries must be
/// charged. This can be monitored by observing DC offset voltages. A daily log of the DC offset voltages should be kept").
/// Drift is each day's DC minus the DC recorded at calibration; a drift beyond the threshold is reported.
/// </summary>
/// <param name="ProbeSerial">Probe.</param>
/// <param name="Entries">Entries in date order.</param>
/// <param name="DriftThresholdV">Warning threshold on |DC − DC_cal| (V).</param>
public sealed record DcOffsetLog(string ProbeSerial, IReadOnlyList<DcOffsetEntry> Entries, double DriftThresholdV)
{
    /// <summary>Method tag of the file.</summary>
    public const string Method = "probe-dc-log";

    /// <summary>Default drift threshold, 0.5 mV (SarKit default, not from the manual; set it for your amplifier).</summary>
    public const double DefaultThresholdV = 0.5e-3;

    /// <summary>Entry of <paramref name="date"/>, or null.</summary>
    public DcOffsetEntry? On(DateOnly date) => Entries.LastOrDefault(e => e.Date == date);

    /// <summary>Drift warnings of every entry against <paramref name="calibration"/>.</summary>
    public IReadOnlyList<DcDriftWarning> Check(ProbeCalibration calibration)
    {
        var w = new List<DcDriftWarning>();
        foreach (var e in Entries)
            for (int c = 0; c < e.DcOffsetsV.Length; c++)
            {
                double d = e.DcOffsetsV[c] - calibration.DcOffsetsV[c];
                if (Math.Abs(d) > DriftThresholdV) w.Add(new DcDriftWarning(e.Date, c + 1, d, DriftThresholdV));
            }
        return w;
    }

    /// <summary>Reads a DC log file (docs/probe.md).</summary>
    public static DcOffsetLog Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"DC-offset log not found: {path}", path);
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses DC log JSON.</summary>
    public static DcOffsetLog Parse(string json, string source)
    {
        using var doc = ProbeJsonObject.ParseDocument(json, source);
        var o = new ProbeJsonObject(doc.RootElement, source, ["method", "probe_serial", "drift_threshold", "entries"]);
        if (o.String("method") != Method) throw new SarKitInputException($"{source}: field 'method' is '{o.String("method")}'; expected \"{Method}\".") { SourceFile = source };
        double thr = o.OptScalar("drift_threshold", ProbeQuantityKind.Voltage) ?? DefaultThresholdV;
        if (!(thr > 0)) throw new SarKitInputException($"{source}: drift_threshold = {thr} V; expected > 0.") { SourceFile = source };
        var ee = o.Get("entries");
        if (ee.ValueKind != JsonValueKind.Array) throw new SarKitInputException($"{source}: field 'entries': expected an array.") { SourceFile = source };
        var list = new List<DcOffsetEntry>();
        int i = 0;
        foreach (var e in ee.EnumerateArray())
        {
            var eo = new ProbeJsonObject(e, $"{source}: entries[{i++}]", ["date", "dc_offsets"]);
            list.Add(new DcOffsetEntry(eo.Date("date"), eo.Array("dc_offsets", ProbeQuantityKind.Voltage, 3)));
        }
        for (int k = 1; k < list.Count; k++)
            if (list[k].Date < list[k - 1].Date)
                throw new SarKitInputException($"{source}: entries[{k}] dated {list[k].Date:yyyy-MM-dd} is before entries[{k - 1}] ({list[k - 1].Date:yyyy-MM-dd}); expected date order.") { SourceFile = source };
        return new DcOffsetLog(o.String("probe_serial"), list, thr);
    }
}
