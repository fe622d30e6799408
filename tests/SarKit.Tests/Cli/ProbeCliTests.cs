using System.Text.Json;
using SarKit.Tests.Measurement.Probe;

namespace SarKit.Tests.Cli;

public class ProbeCliTests
{
    private static string Examples => Path.Combine(Support.SharedData.RepoRoot, "examples", "probe");

    private static TempDir CopyExamples()
    {
        var d = new TempDir();
        foreach (var f in Directory.GetFiles(Examples)) File.Copy(f, d.File(Path.GetFileName(f)));
        return d;
    }

    [Fact]
    public void CalibrateCfScanReportAndRecords()
    {
        using var d = CopyExamples();
        var db = d.File("records.db");
        var r1 = CliRunner.Run("probe", "calibrate", d.File("tem_calibration.json"), "--out", d.File("cal0.json"), "--record", "--db", db);
        Assert.True(r1.ExitCode == 0, r1.Err);
        Assert.Contains("0.37500", r1.Out);
        Assert.Contains("0.999 mW/cm²", r1.Out);
        var r2 = CliRunner.Run("probe", "cf", d.File("cf_experiment.json"), "--calibration", d.File("cal0.json"), "--out", d.File("cal.json"), "--record", "--db", db);
        Assert.True(r2.ExitCode == 0, r2.Err);
        Assert.Contains("CF = 0.5559", r2.Out);
        Assert.Contains("1.4670", r2.Out);
        var r3 = CliRunner.Run("scan", "process", d.File("scan_example.csv"), "--calibration", d.File("cal.json"), "--liquid", d.File("liquid.json"),
            "--dc-log", d.File("dc_log.json"), "--report", d.File("rep.md"), "--record", "--db", db);
        Assert.True(r3.ExitCode == SarKit.Cli.CliApp.ExitCheckFailed, r3.Err); // the example scan (psSAR 1 g 1.96 W/kg) exceeds the 1.6 W/kg 1 g limits of the default table: verdict exit 3 (issue 17)
        Assert.Contains("EXCEEDED", r3.Out);
        Assert.Contains("psSAR   1 g", r3.Out);
        Assert.Contains("47 CFR", File.ReadAllText(d.File("rep.md")));
        Assert.Contains("![area scan heat map](rep_area.png)", File.ReadAllText(d.File("rep.md")));
        foreach (var png in new[] { "rep_area.png", "rep_decay.png" }) SarKit.Tests.Plotting.PngCheck.Decode(File.ReadAllBytes(d.File(png)));
        var r4 = CliRunner.Run("liquid", "heat-capacity", d.File("heat_capacity.json"), "--record", "--db", db);
        Assert.True(r4.ExitCode == 0, r4.Err);
        var r5 = CliRunner.Run("probe", "dc-log", d.File("dc_log.json"), "--calibration", d.File("cal.json"), "--record", "--db", db);
        Assert.True(r5.ExitCode == 0, r5.Err);
        var r6 = CliRunner.Run("liquid", "check", d.File("liquid.json"), "--record", "--db", db);
        Assert.True(r6.ExitCode == 0, r6.Err);
        var list = CliRunner.Run("records", "list", "--db", db, "--json");
        using var doc = JsonDocument.Parse(list.Out);
        var methods = doc.RootElement.GetProperty("records").EnumerateArray().Select(e => e.GetProperty("method").GetString()!).ToArray();
        Assert.Equal(["probe-calibration", "probe-conversion-factor", "probe-scan", "liquid-heat-capacity", "probe-dc-log", "liquid-check"], methods);
        Assert.All(doc.RootElement.GetProperty("records").EnumerateArray(), e => Assert.True(e.GetProperty("hash_verifies").GetBoolean()));
        var scanRec = doc.RootElement.GetProperty("records")[2];
        Assert.InRange(scanRec.GetProperty("sar_w_per_kg").GetDouble(), 1.9, 2.0);
    }

    [Fact]
    public void ScanJsonOutput()
    {
        var r = CliRunner.Run("scan", "process", Path.Combine(Examples, "scan_example.csv"), "--calibration", Path.Combine(Examples, "calibration.json"),
            "--liquid", Path.Combine(Examples, "liquid.json"), "--json");
        Assert.True(r.ExitCode == SarKit.Cli.CliApp.ExitCheckFailed, r.Err); // the example scan (psSAR 1 g 1.96 W/kg) exceeds the 1.6 W/kg 1 g limits of the default table: verdict exit 3 (issue 17)
        using var doc = JsonDocument.Parse(r.Out);
        var cubes = doc.RootElement.GetProperty("cubes");
        Assert.InRange(cubes[0].GetProperty("ps_sar_w_per_kg").GetDouble(), 1.94, 1.98);
        Assert.InRange(cubes[1].GetProperty("ps_sar_w_per_kg").GetDouble(), 1.16, 1.20);
        Assert.Equal(10.0, cubes[0].GetProperty("side_mm").GetDouble(), 9);
        Assert.Equal(6, doc.RootElement.GetProperty("limits").GetArrayLength());
        Assert.Equal("cf", doc.RootElement.GetProperty("sar_path").GetString());
    }

    private static void AssertRefusedAndNothingWritten(TempDir d, string[] args, string expect)
    {
        var before = d.Files().OrderBy(x => x).ToArray();
        var r = CliRunner.Run(args);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(expect, r.Err);
        Assert.Equal(before, d.Files().OrderBy(x => x).ToArray());
    }

    private static string[] ScanArgs(TempDir d, string scan, params string[] extra) =>
        ["scan", "process", d.File(scan), "--calibration", d.File("calibration.json"), "--liquid", d.File("liquid.json"),
         "--report", d.File("rep.md"), "--record", "--db", d.File("records.db"), .. extra];

    [Fact]
    public void MissingPointIsRefused()
    {
        using var d = CopyExamples();
        var lines = File.ReadAllLines(d.File("scan_example.csv")).ToList();
        int i = lines.FindIndex(l => l.StartsWith("zoom,5.0,-5.0,4.0"));
        Assert.True(i > 0);
        lines.RemoveAt(i);
        File.WriteAllLines(d.File("bad.csv"), lines);
        AssertRefusedAndNothingWritten(d, ScanArgs(d, "bad.csv"), "zoom scan is not a complete grid");
        var r = CliRunner.Run(ScanArgs(d, "bad.csv"));
        Assert.Contains("x = 5, y = -5, z = 4 mm", r.Err);
    }

    [Fact]
    public void NegativeVoltageAfterDcIsRefused()
    {
        using var d = CopyExamples();
        var lines = File.ReadAllLines(d.File("scan_example.csv"));
        int i = Array.FindIndex(lines, l => l.StartsWith("zoom,"));
        var f = lines[i].Split(',');
        f[5] = "0.05"; // v2 below its DC offset of 0.10 mV
        lines[i] = string.Join(',', f);
        File.WriteAllLines(d.File("bad.csv"), lines);
        AssertRefusedAndNothingWritten(d, ScanArgs(d, "bad.csv"), $"line {i + 1}: channel 2: V − DC");
    }

    [Fact]
    public void ExpiredOrMissingCalibrationIsRefused()
    {
        using var d = CopyExamples();
        AssertRefusedAndNothingWritten(d, ScanArgs(d, "scan_example.csv", "--date", "2027-11-03"), "expired on 2027-11-02");
        File.Delete(d.File("calibration.json"));
        AssertRefusedAndNothingWritten(d, ScanArgs(d, "scan_example.csv"), "calibration file not found");
    }

    [Fact]
    public void CalibrationWithoutCfIsRefusedForTheCfPath()
    {
        using var d = CopyExamples();
        var r1 = CliRunner.Run("probe", "calibrate", d.File("tem_calibration.json"), "--out", d.File("calibration.json"));
        Assert.Equal(0, r1.ExitCode);
        AssertRefusedAndNothingWritten(d, ScanArgs(d, "scan_example.csv"), "no conversion factor");
    }

    [Fact]
    public void CfForAnotherProbeIsRefused()
    {
        using var d = CopyExamples();
        File.WriteAllText(d.File("cf2.json"), File.ReadAllText(d.File("cf_experiment.json")).Replace("EF-0001", "EF-9999"));
        AssertRefusedAndNothingWritten(d, ["probe", "cf", d.File("cf2.json"), "--calibration", d.File("calibration.json"), "--out", d.File("new.json")], "EF-9999");
    }

    [Fact]
    public void HeatCapacityCli()
    {
        var r = CliRunner.Run("liquid", "heat-capacity", Path.Combine(Examples, "heat_capacity.json"), "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        Assert.Equal(4184 * 6.10 / 9.45, doc.RootElement.GetProperty("specific_heat_j_per_kg_k").GetDouble(), 9);
    }
}
