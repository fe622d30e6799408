using System.Globalization;
using System.Text;
using SarKit.Measurement.Probe;

namespace SarKit.Tests.Measurement.Probe;

/// <summary>Synthetic calibrations, liquids and scans built backwards through the manual's chain.</summary>
internal static class ProbeTestData
{
    public static readonly double Sf = ProbeUnits.SensorFactorSi(10.8);
    public static readonly double Cf = ProbeUnits.ConversionFactorSi(0.56);

    public static ProbeCalibration Calibration(double? cf = 0.56, string from = "2026-01-01", string until = "2026-12-31") => new()
    {
        ProbeSerial = "T-1", Geometry = ProbeGeometry.IBeam, AnglesDeg = [45, 45, 0], SensorFactorSi = Sf, TemPowerDensityWPerM2 = 10,
        DcOffsetsV = [0.1e-3, 0.2e-3, 0.3e-3], VMaxV = [14.5e-3, 14.6e-3, 29.1e-3], AmplifierSettings = [0.375, 0.375, 0.375],
        ConversionFactorSi = cf is double c ? ProbeUnits.ConversionFactorSi(c) : null, ProbeOffsetM = 2e-3,
        CalibrationDate = DateOnly.Parse(from, CultureInfo.InvariantCulture), ValidUntil = DateOnly.Parse(until, CultureInfo.InvariantCulture),
    };

    public static LiquidProperties Liquid(double rho = 1000) => new()
    {
        Name = "test", ConductivitySPerM = 0.9, RelativePermittivity = 41.5, DensityKgPerM3 = rho, ConductivityRelU = 0.025, PermittivityRelU = 0.025,
    };

    /// <summary>CSV text of a scan of the field sar(x, y, d) (d = z + offset) with the calibration's chain inverted.</summary>
    public static string ScanCsv(Func<double, double, double, double> sar, ProbeCalibration cal, double[] ax, double[] ay, double az,
        double[] zx, double[] zy, double[] zz, Func<int, int, (double, double, double)>? tweak = null)
    {
        var s = new StringBuilder();
        s.AppendLine("# probe_serial: " + cal.ProbeSerial);
        s.AppendLine("scan,x_mm,y_mm,z_mm,v1_mV,v2_mV,v3_mV");
        int line = 0;
        void Row(string kind, double x, double y, double z)
        {
            double pd = sar(x, y, z + cal.ProbeOffsetM) * cal.SensorFactorSi / cal.ConversionFactorSi!.Value;
            double[] share = [0.3, 0.3, 0.4];
            var v = new double[3];
            for (int n = 0; n < 3; n++) v[n] = share[n] * pd / cal.AmplifierSettings[n] + cal.DcOffsetsV[n];
            if (tweak is not null) { var (a, b, c) = tweak(line, 0); if (!double.IsNaN(a)) { v[0] = a; v[1] = b; v[2] = c; } }
            line++;
            s.AppendLine(string.Join(",", kind, (x * 1e3).ToString("R", CultureInfo.InvariantCulture), (y * 1e3).ToString("R", CultureInfo.InvariantCulture),
                (z * 1e3).ToString("R", CultureInfo.InvariantCulture), (v[0] * 1e3).ToString("R", CultureInfo.InvariantCulture),
                (v[1] * 1e3).ToString("R", CultureInfo.InvariantCulture), (v[2] * 1e3).ToString("R", CultureInfo.InvariantCulture)));
        }
        foreach (var y in ay) foreach (var x in ax) Row("area", x, y, az);
        foreach (var z in zz) foreach (var y in zy) foreach (var x in zx) Row("zoom", x, y, z);
        return s.ToString();
    }

    public static double[] Range(double lo, double hi, double step)
    {
        int n = (int)Math.Round((hi - lo) / step) + 1;
        return Enumerable.Range(0, n).Select(i => lo + i * step).ToArray();
    }

    /// <summary>A standard geometry: area 7×7 at 10 mm, zoom 7×7 at 5 mm (30 mm) and depths 0..22 mm.</summary>
    public static string StandardScan(Func<double, double, double, double> sar, ProbeCalibration cal) =>
        ScanCsv(sar, cal, Range(-0.03, 0.03, 0.01), Range(-0.03, 0.03, 0.01), 0.003,
            Range(-0.015, 0.015, 0.005), Range(-0.015, 0.015, 0.005), [0, 0.002, 0.004, 0.006, 0.008, 0.010, 0.013, 0.016, 0.020, 0.022]);

    public static ScanProcessingOptions Options(string date = "2026-06-01") => new() { Date = DateOnly.Parse(date, CultureInfo.InvariantCulture) };
}
