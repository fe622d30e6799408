using System.Globalization;
using System.Text;
using System.Text.Json;

namespace SarKit.Measurement.Probe;

/// <summary>Optional modern (DASY-style) sensitivity calibration: per-channel Norm_i in V/(V/m)² in free space and the
/// liquid conversion factor ConvF (sensitivity in the liquid / in free space), so that E_i² = U_i / (Norm_i · ConvF) and
/// SAR = σ Σ E_i² / ρ (docs/probe.md; supervision notes §4.1).</summary>
/// <param name="NormVPerV2PerM2">Norm_i per channel, V/(V/m)².</param>
/// <param name="ConvF">ConvF (dimensionless), for the liquid and frequency of the scan.</param>
public sealed record SensitivityCalibration(double[] NormVPerV2PerM2, double ConvF);

/// <summary>
/// A probe calibration: the free-space amplifier settings AS_i with the DC offsets and TEM-cell maxima they came from,
/// the SAR conversion factor CF from the temperature-rise experiment (null until determined), the probe offset (sensor
/// centre to probe tip) and the validity dates. The probe-system manual requires "The probe calibration must be current
/// before starting measurements"; <see cref="CheckUsableOn"/> enforces it.
/// </summary>
public sealed record ProbeCalibration
{
    /// <summary>Probe identification (serial number).</summary>
    public required string ProbeSerial { get; init; }
    /// <summary>Probe cross-section.</summary>
    public required ProbeGeometry Geometry { get; init; }
    /// <summary>θ_i used, degrees.</summary>
    public required double[] AnglesDeg { get; init; }
    /// <summary>Sensor factor, V/(W/m²).</summary>
    public required double SensorFactorSi { get; init; }
    /// <summary>TEM-cell power density during the free-space calibration, W/m².</summary>
    public required double TemPowerDensityWPerM2 { get; init; }
    /// <summary>DC offsets recorded at the start of the calibration, V.</summary>
    public required double[] DcOffsetsV { get; init; }
    /// <summary>V_max,i from the rotation, V.</summary>
    public required double[] VMaxV { get; init; }
    /// <summary>Amplifier settings AS_i (dimensionless).</summary>
    public required double[] AmplifierSettings { get; init; }
    /// <summary>CF, m²/kg ((W/kg)/(W/m²)); null until <c>probe cf</c>.</summary>
    public double? ConversionFactorSi { get; init; }
    /// <summary>Specific heat of the liquid used for CF, J/(kg K).</summary>
    public double? CfSpecificHeatJPerKgK { get; init; }
    /// <summary>Type A relative standard uncertainty of CF (NaN or null when from one trial).</summary>
    public double? CfRelativeStdUncertainty { get; init; }
    /// <summary>Date of the CF determination.</summary>
    public DateOnly? CfDate { get; init; }
    /// <summary>Sensor-centre to probe-tip distance ("probe offset"), m.</summary>
    public required double ProbeOffsetM { get; init; }
    /// <summary>Free-space calibration date.</summary>
    public required DateOnly CalibrationDate { get; init; }
    /// <summary>Last day the calibration may be used.</summary>
    public required DateOnly ValidUntil { get; init; }
    /// <summary>Optional Norm/ConvF calibration for the SAR = σE²/ρ path.</summary>
    public SensitivityCalibration? Sensitivity { get; init; }

    /// <summary>Number of channels (3).</summary>
    public int Channels => AmplifierSettings.Length;

    /// <summary>
    /// Throws <see cref="SarKitInputException"/> unless the calibration may be used for a scan on <paramref name="date"/>:
    /// calibration date ≤ date ≤ valid-until, and (when <paramref name="needCf"/>) a conversion factor is present.
    /// </summary>
    public void CheckUsableOn(DateOnly date, bool needCf, string source = "calibration")
    {
        string d(DateOnly x) => x.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        if (date > ValidUntil)
            throw new SarKitInputException($"{source}: calibration of probe {ProbeSerial} expired on {d(ValidUntil)} (scan date {d(date)}); recalibrate the probe (sarkit probe calibrate) before measuring.") { SourceFile = source };
        if (date < CalibrationDate)
            throw new SarKitInputException($"{source}: calibration of probe {ProbeSerial} is dated {d(CalibrationDate)}, after the scan date {d(date)}; use the calibration valid on the scan date.") { SourceFile = source };
        if (needCf && ConversionFactorSi is null)
            throw new SarKitInputException($"{source}: calibration of probe {ProbeSerial} has no conversion factor CF; run `sarkit probe cf` with the temperature-rise experiment first.") { SourceFile = source };
    }

    /// <summary>File kind tag of calibration files.</summary>
    public const string FileKind = "sarkit-probe-calibration";

    /// <summary>The calibration as a JSON calibration file (docs/probe.md, "Calibration file"); values with units.</summary>
    public string ToJson()
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("kind", FileKind);
            w.WriteString("probe_serial", ProbeSerial);
            w.WriteString("geometry", ProbeGeometries.Id(Geometry));
            Arr(w, "angles", AnglesDeg, "deg");
            Sc(w, "sensor_factor", ProbeUnits.SensorFactorMvPerMwPerCm2(SensorFactorSi), "mV/(mW/cm2)");
            Sc(w, "tem_power_density", TemPowerDensityWPerM2 / ProbeUnits.WPerM2PerMwPerCm2, "mW/cm2");
            Arr(w, "dc_offsets", DcOffsetsV.Select(v => v * 1e3).ToArray(), "mV");
            Arr(w, "v_max", VMaxV.Select(v => v * 1e3).ToArray(), "mV");
            w.WritePropertyName("amplifier_settings");
            w.WriteStartArray(); foreach (var a in AmplifierSettings) w.WriteNumberValue(Clean(a)); w.WriteEndArray();
            Sc(w, "probe_offset", ProbeOffsetM * 1e3, "mm");
            w.WriteString("calibration_date", CalibrationDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            w.WriteString("valid_until", ValidUntil.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            if (ConversionFactorSi is double cf)
            {
                Sc(w, "conversion_factor", ProbeUnits.ConversionFactorManual(cf), "(mW/g)/(mW/cm2)");
                if (CfSpecificHeatJPerKgK is double c) Sc(w, "cf_specific_heat", c, "J/(kg K)");
                if (CfRelativeStdUncertainty is double u && double.IsFinite(u)) Sc(w, "cf_uncertainty", 100 * u, "%");
                if (CfDate is DateOnly cd) w.WriteString("cf_date", cd.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            }
            if (Sensitivity is { } s)
            {
                Arr(w, "norm", s.NormVPerV2PerM2.Select(v => v * 1e6).ToArray(), "uV/(V/m)2");
                Sc(w, "convf", s.ConvF, "1");
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray()) + "\n";
    }

    /// <summary>v rounded to 12 significant digits (unit conversions leave 1e-16 noise that would clutter the file).</summary>
    private static double Clean(double v) => double.IsFinite(v) && v != 0 ? double.Parse(v.ToString("G12", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : v;

    private static void Sc(Utf8JsonWriter w, string name, double v, string unit)
    {
        w.WriteStartObject(name); w.WriteNumber("value", Clean(v)); w.WriteString("unit", unit); w.WriteEndObject();
    }

    private static void Arr(Utf8JsonWriter w, string name, double[] v, string unit)
    {
        w.WriteStartObject(name); w.WritePropertyName("values"); w.WriteStartArray();
        foreach (var x in v) w.WriteNumberValue(Clean(x));
        w.WriteEndArray(); w.WriteString("unit", unit); w.WriteEndObject();
    }

    private static readonly string[] Fields =
    [
        "kind", "probe_serial", "geometry", "angles", "sensor_factor", "tem_power_density", "dc_offsets", "v_max", "amplifier_settings",
        "probe_offset", "calibration_date", "valid_until", "conversion_factor", "cf_specific_heat", "cf_uncertainty", "cf_date", "norm", "convf",
    ];

    /// <summary>Reads a calibration file written by <see cref="ToJson"/> (or by hand in the same layout).</summary>
    public static ProbeCalibration Read(string path)
    {
        if (!File.Exists(path)) throw new SarKitInputException($"calibration file not found: {path}; a scan needs a current probe calibration (sarkit probe calibrate).") { SourceFile = path };
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Largest accepted amplifier setting (physical-range check of the input file).</summary>
    public const double MaxAmplifierSetting = 1e6;

    /// <summary>Parses calibration JSON; <paramref name="source"/> names it in errors.</summary>
    public static ProbeCalibration Parse(string json, string source)
    {
        using var doc = ProbeJsonObject.ParseDocument(json, source);
        var o = new ProbeJsonObject(doc.RootElement, source, Fields);
        if (o.String("kind") != FileKind) throw new SarKitInputException($"{source}: field 'kind' is '{o.String("kind")}'; expected \"{FileKind}\".") { SourceFile = source };
        var asE = o.Get("amplifier_settings");
        if (asE.ValueKind != JsonValueKind.Array) throw new SarKitInputException($"{source}: field 'amplifier_settings': expected an array of 3 numbers.") { SourceFile = source };
        var asv = asE.EnumerateArray().Select((x, i) => x.ValueKind == JsonValueKind.Number && x.GetDouble() is var d && double.IsFinite(d) && d > 0 && d <= MaxAmplifierSetting ? d
            : throw new SarKitInputException($"{source}: amplifier_settings[{i}] = {x.GetRawText()}; expected a finite number in (0, {MaxAmplifierSetting}].") { SourceFile = source }).ToArray();
        if (asv.Length != 3) throw new SarKitInputException($"{source}: {asv.Length} amplifier settings; expected 3.") { SourceFile = source };
        var cal = new ProbeCalibration
        {
            ProbeSerial = o.String("probe_serial"),
            Geometry = ProbeGeometries.Parse(o.String("geometry"), $"{source}: field 'geometry'"),
            AnglesDeg = o.Array("angles", ProbeQuantityKind.Angle, 3),
            SensorFactorSi = o.Scalar("sensor_factor", ProbeQuantityKind.SensorFactor),
            TemPowerDensityWPerM2 = o.Scalar("tem_power_density", ProbeQuantityKind.PowerDensity),
            DcOffsetsV = o.Array("dc_offsets", ProbeQuantityKind.Voltage, 3),
            VMaxV = o.Array("v_max", ProbeQuantityKind.Voltage, 3),
            AmplifierSettings = asv,
            ProbeOffsetM = o.Scalar("probe_offset", ProbeQuantityKind.Length),
            CalibrationDate = o.Date("calibration_date"),
            ValidUntil = o.Date("valid_until"),
            ConversionFactorSi = o.OptScalar("conversion_factor", ProbeQuantityKind.ConversionFactor),
            CfSpecificHeatJPerKgK = o.OptScalar("cf_specific_heat", ProbeQuantityKind.SpecificHeat),
            CfRelativeStdUncertainty = o.OptScalar("cf_uncertainty", ProbeQuantityKind.Relative),
            CfDate = o.OptDate("cf_date"),
            Sensitivity = o.Has("norm") ? new SensitivityCalibration(o.Array("norm", ProbeQuantityKind.Sensitivity, 3), o.Scalar("convf", ProbeQuantityKind.Dimensionless)) : null,
        };
        if (cal.ValidUntil < cal.CalibrationDate) throw new SarKitInputException($"{source}: valid_until {cal.ValidUntil:yyyy-MM-dd} is before calibration_date {cal.CalibrationDate:yyyy-MM-dd}.") { SourceFile = source };
        if (cal.ConversionFactorSi is double cf && !(cf > 0)) throw new SarKitInputException($"{source}: conversion_factor = {cf}; expected > 0.") { SourceFile = source };
        if (!(cal.ProbeOffsetM >= 0)) throw new SarKitInputException($"{source}: probe_offset = {cal.ProbeOffsetM} m; expected >= 0.") { SourceFile = source };
        return cal;
    }
}
