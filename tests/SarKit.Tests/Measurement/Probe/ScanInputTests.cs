using SarKit.Measurement.Probe;

namespace SarKit.Tests.Measurement.Probe;

public class ScanInputTests
{
    private static string Examples => Path.Combine(Support.SharedData.RepoRoot, "examples", "probe");

    [Fact]
    public void ConvFPathGivesSigmaE2OverRho()
    {
        // E_n² = (V_n − DC_n)/(Norm_n·ConvF); SAR = σ ΣE_n²/ρ
        var e = new[] { 2e-3, 1e-3, 4e-3 };
        double[] norm = [0.8e-6, 1.0e-6, 1.25e-6];
        double expect = 0.9 * (2e-3 / (0.8e-6 * 4.5) + 1e-3 / (1e-6 * 4.5) + 4e-3 / (1.25e-6 * 4.5)) / 1000;
        Assert.Equal(expect, ProbeSar.FromConvF(e, norm, 4.5, 0.9, 1000), 12);
        var cal = ProbeTestData.Calibration() with { Sensitivity = new SensitivityCalibration(norm, 4.5) };
        var ro = new ProbeReadout(cal, cal.DcOffsetsV, SarPath.ConvF, ProbeTestData.Liquid());
        var p = new ScanPoint(1, ScanKind.Area, 0, 0, 0, 2e-3 + 0.1e-3, 1e-3 + 0.2e-3, 4e-3 + 0.3e-3);
        Assert.Equal(expect, ro.Sar(p, "s"), 12);
        Assert.Throws<SarKitInputException>(() => new ProbeReadout(ProbeTestData.Calibration(), cal.DcOffsetsV, SarPath.ConvF, ProbeTestData.Liquid()));
    }

    [Fact]
    public void CsvHeaderUnitsAndErrors()
    {
        var f = ScanFile.Parse("# date: 2026-01-02\nx_cm,scan,y_m,z_mm,v1_V,v2_mV,v3_mV\n1.5,area,0.01,2,0.001,1,2\n", "a.csv");
        var p = Assert.Single(f.Points);
        Assert.Equal(0.015, p.X, 15); Assert.Equal(0.01, p.Y, 15); Assert.Equal(0.002, p.Z, 15);
        Assert.Equal(1e-3, p.V1, 15); Assert.Equal(1e-3, p.V2, 15); Assert.Equal(2e-3, p.V3, 15);
        Assert.Equal("2026-01-02", f.Metadata["date"]);
        Assert.Contains("unknown unit", Assert.Throws<SarKitInputException>(() => ScanFile.Parse("scan,x_in,y_mm,z_mm,v1_mV,v2_mV,v3_mV\n", "b.csv")).Message.Replace("no or an unknown unit", "unknown unit"));
        Assert.Contains("line 2: column 'v2'", Assert.Throws<SarKitInputException>(() => ScanFile.Parse("scan,x_mm,y_mm,z_mm,v1_mV,v2_mV,v3_mV\narea,0,0,1,1,abc,1\n", "c.csv")).Message);
        Assert.Contains("z = -1 is negative", Assert.Throws<SarKitInputException>(() => ScanFile.Parse("scan,x_mm,y_mm,z_mm,v1_mV,v2_mV,v3_mV\narea,0,0,-1,1,1,1\n", "d.csv")).Message);
        Assert.Contains("'probe'", Assert.Throws<SarKitInputException>(() => ScanFile.Parse("scan,x_mm,y_mm,z_mm,v1_mV,v2_mV,v3_mV\nprobe,0,0,1,1,1,1\n", "e.csv")).Message);
    }

    [Fact]
    public void DuplicatePointAndOtherProbeAreRefused()
    {
        var cal = ProbeTestData.Calibration();
        var csv = ProbeTestData.StandardScan((x, y, d) => 1.0, cal);
        var lines = csv.Split('\n').ToList();
        int i = lines.FindIndex(l => l.StartsWith("zoom,"));
        lines.Insert(i + 1, lines[i]);
        var ex = Assert.Throws<SarKitInputException>(() => ScanProcessor.Process(ScanFile.Parse(string.Join('\n', lines), "dup.csv"), cal, ProbeTestData.Liquid(), ProbeTestData.Options()));
        Assert.Contains("repeats line", ex.Message);
        var other = csv.Replace("# probe_serial: T-1", "# probe_serial: T-2");
        Assert.Contains("probe 'T-2'", Assert.Throws<SarKitInputException>(() => ScanProcessor.Process(ScanFile.Parse(other, "o.csv"), cal, ProbeTestData.Liquid(), ProbeTestData.Options())).Message);
        Assert.Contains("expired", Assert.Throws<SarKitInputException>(() => ScanProcessor.Process(ScanFile.Parse(csv, "x.csv"), cal, ProbeTestData.Liquid(), ProbeTestData.Options("2027-01-01"))).Message);
    }

    [Fact]
    public void TemCalibrationFileFromExample()
    {
        var r = TemCalibrationFile.Read(Path.Combine(Examples, "tem_calibration.json"));
        Assert.All(r.Calibration.AmplifierSettings, a => Assert.Equal(0.375, a, 12));
        Assert.Equal(new DateOnly(2027, 11, 2), r.Calibration.ValidUntil);
        Assert.Equal(3e-3, r.Calibration.ProbeOffsetM, 15);
        Assert.InRange(r.TemCellPowerDensityWPerM2, 9.95, 10.05);
        Assert.Empty(r.Notes);
        var text = File.ReadAllText(Path.Combine(Examples, "tem_calibration.json"));
        var both = text.Replace("\"probe_offset\"", "\"v_max\": {\"values\": [1, 2, 3], \"unit\": \"mV\"}, \"probe_offset\"");
        Assert.Contains("exactly one of", Assert.Throws<SarKitInputException>(() => TemCalibrationFile.Parse(both, "t.json")).Message);
        var badUnit = text.Replace("\"unit\": \"cm\"", "\"unit\": \"inch\"");
        Assert.Contains("tem_septum_spacing", Assert.Throws<SarKitInputException>(() => TemCalibrationFile.Parse(badUnit, "t.json")).Message);
        var tri = text.Replace("\"i-beam\"", "\"triangular\"");
        double c2 = Math.Pow(Math.Cos(35.3 * Math.PI / 180), 2);
        Assert.Equal(10.8 * c2 / 28.8, TemCalibrationFile.Parse(tri, "t.json").Calibration.AmplifierSettings[2], 12);
    }

    [Fact]
    public void HtmlReportAndImages()
    {
        var cal = ProbeCalibration.Read(Path.Combine(Examples, "calibration.json"));
        var r = ScanProcessor.Process(ScanFile.Read(Path.Combine(Examples, "scan_example.csv")), cal, LiquidProperties.Read(Path.Combine(Examples, "liquid.json")),
            new ScanProcessingOptions { Date = new DateOnly(2026, 11, 21) });
        var budget = ProbeBudgetTemplate.Default.Evaluate(ScanProcessor.MeasuredUncertainties(r));
        var cmp = SarLimits.Compare(SarLimits.Default, r.Cubes.ToDictionary(c => Math.Round(c.MassG, 9), c => c.AverageWPerKg), budget.ExpandedFractionFor);
        var dir = Path.Combine(Path.GetTempPath(), "sarkit-probe-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var (rep, area, decay) = ScanReport.Write(Path.Combine(dir, "r.html"), r, budget, cmp, "test");
            var html = File.ReadAllText(rep);
            Assert.StartsWith("<!DOCTYPE html>", html);
            Assert.Contains("<img src=\"r_area.png\"", html);
            Assert.Contains("IEC/IEEE 62209-1528", html);
            SarKit.Tests.Plotting.PngCheck.Decode(File.ReadAllBytes(area));
            SarKit.Tests.Plotting.PngCheck.Decode(File.ReadAllBytes(decay));
            Assert.Equal(3, Directory.GetFiles(dir).Length); // no temporary files left
        }
        finally { Directory.Delete(dir, true); }
        // the budget picked up the scan's fit and the liquid's uncertainties
        Assert.Contains(budget.Rows, b => b.Row.From == "extrapolation_fit" && b.Note!.StartsWith("from this measurement"));
        Assert.Contains(budget.Rows, b => b.Row.From == "liquid_conductivity" && Math.Abs(b.TolerancePercent - 2.5) < 1e-12);
    }
}
