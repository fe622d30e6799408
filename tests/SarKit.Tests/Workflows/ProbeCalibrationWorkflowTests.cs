using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using SarKit.Cli;
using SarKit.Measurement.Probe;
using SarKit.Measurement.Records;
using SarKit.Tests.Cli;
using SarKit.Workflows.Measurement;
using SarKit.Workflows.Results;

namespace SarKit.Tests.Workflows;

/// <summary>
/// The probe calibration and liquid use cases (ProbeTemCalibration, ProbeConversionFactor, ProbeDcLog, LiquidHeatCapacity,
/// LiquidCheck) called directly: the manual's worked examples, the CLI --json equal to the use-case result, records, and
/// input errors.
/// </summary>
public sealed class ProbeCalibrationWorkflowTests
{
    private static string Probe(string name) => Path.Combine(Support.SharedData.RepoRoot, "examples", "probe", name);
    private static MeasurementInput Text(string name) => MeasurementInput.FromText(File.ReadAllText(Probe(name)), name);

    [Fact]
    public void Tem_calibration_gives_the_manuals_amplifier_settings_and_writes_a_readable_calibration_file()
    {
        using var d = new TempDir();
        var outcome = ProbeTemCalibration.Run(new ProbeTemCalibrationRequest { Input = Text("tem_calibration.json"), OutputPath = d.File("cal.json"), SarkitVersion = "t" });
        var r = outcome.Result;
        Assert.Equal("probe-tem-calibration", r.Method);
        Assert.Null(r.InputFile); // a text, not a file
        Assert.Equal(Path.GetFullPath(d.File("cal.json")), r.OutputFile);
        Assert.All(r.Calibration.AmplifierSettings, a => Assert.Equal(0.375, a, 12)); // AS = SF·S·cos²θ/(V_max − DC) = 10.8·1/28.8
        Assert.Equal(10.8, r.Calibration.SensorFactorMvPerMwPerCm2, 12);
        Assert.Equal([0.12, 0.10, 0.15], r.Calibration.DcOffsetsMv.Select(v => Math.Round(v, 12)));
        Assert.Null(r.Calibration.ConversionFactorMwPerGPerMwPerCm2);
        Assert.Equal(0.999, r.TemCellPowerDensityMwPerCm2!.Value, 3);
        Assert.Empty(r.Notes);
        Assert.Null(outcome.Recorded);
        var written = ProbeCalibration.Read(d.File("cal.json"));
        Assert.Equal("EF-0001", written.ProbeSerial);
        Assert.All(written.AmplifierSettings.Zip(outcome.Evaluation.Calibration.AmplifierSettings), p => Assert.Equal(p.Second, p.First, 12)); // the file rounds to 15 digits
    }

    [Fact]
    public void Calibrate_then_cf_gives_the_manuals_conversion_factor_and_the_updated_calibration()
    {
        var cal = ProbeTemCalibration.Run(new ProbeTemCalibrationRequest { Input = Text("tem_calibration.json"), SarkitVersion = "t" });
        var calText = MeasurementInput.FromText(cal.Evaluation.Calibration.ToJson(), "cal0");
        var cf = ProbeConversionFactor.Run(new ProbeConversionFactorRequest { Input = Text("cf_experiment.json"), Calibration = calText, SarkitVersion = "t" });
        // SAR_t = c·ΔT/Δt = 2700·0.0163/30 = 1.467 W/kg; CF = SAR_t/ΔV_t × SF = 1.467/28.5 × 10.8
        Assert.Equal(1.467, cf.Result.TrialSarWPerKg.Single(), 12);
        Assert.Equal(1.467 / 28.5 * 10.8, cf.Result.CfMwPerGPerMwPerCm2, 10);
        Assert.Equal(cf.Result.CfMwPerGPerMwPerCm2 / 10, cf.Result.CfSiM2PerKg, 12);
        Assert.Null(cf.Result.CfRelativeStdUncertainty); // one trial
        Assert.Null(cf.Result.Calibration);
        Assert.Null(cf.Result.OutputFile);
        Assert.Equal(cf.Evaluation.CfSi, cf.UpdatedCalibration.ConversionFactorSi);
        Assert.Equal(cf.Result.CfMwPerGPerMwPerCm2, ProbeTemCalibration.Values(cf.UpdatedCalibration).ConversionFactorMwPerGPerMwPerCm2!.Value, 12);
    }

    [Fact]
    public void Cf_and_dc_log_of_another_probe_are_refused_naming_both_inputs()
    {
        var other = MeasurementInput.FromText(File.ReadAllText(Probe("calibration.json")).Replace("EF-0001", "EF-9999", StringComparison.Ordinal), "other-cal");
        var e1 = Assert.Throws<SarKitInputException>(() => ProbeConversionFactor.Run(new ProbeConversionFactorRequest { Input = Text("cf_experiment.json"), Calibration = other, SarkitVersion = "t" }));
        Assert.Contains("cf_experiment.json", e1.Message);
        Assert.Contains("other-cal", e1.Message);
        var e2 = Assert.Throws<SarKitInputException>(() => ProbeDcLog.Run(new ProbeDcLogRequest { Input = Text("dc_log.json"), Calibration = other, SarkitVersion = "t" }));
        Assert.Contains("dc_log.json: DC log of probe 'EF-0001' but other-cal is for probe 'EF-9999'", e2.Message);
    }

    [Fact]
    public void Dc_log_reports_the_drift_of_every_entry_and_warns_beyond_the_threshold()
    {
        var ok = ProbeDcLog.Run(new ProbeDcLogRequest { Input = Text("dc_log.json"), Calibration = Text("calibration.json"), SarkitVersion = "t" });
        Assert.Equal(3, ok.Result.Entries);
        Assert.Equal(0.5, ok.Result.DriftThresholdMv, 12);
        Assert.Empty(ok.Result.Warnings);
        Assert.Equal(0.01e-3, ok.DriftsV[0][1], 12); // 0.11 mV − 0.10 mV at calibration

        var drifted = File.ReadAllText(Probe("dc_log.json")).Replace("[0.13, 0.10, 0.16]", "[0.90, 0.10, -0.60]", StringComparison.Ordinal);
        Assert.NotEqual(drifted, File.ReadAllText(Probe("dc_log.json")));
        var bad = ProbeDcLog.Run(new ProbeDcLogRequest { Input = MeasurementInput.FromText(drifted, "drift"), Calibration = Text("calibration.json"), SarkitVersion = "t" });
        Assert.Equal(2, bad.Warnings.Count);
        Assert.Equal([1, 3], bad.Warnings.Select(w => w.Channel));
        Assert.Equal(0.78e-3, bad.DriftsV[1][0], 12);
        Assert.StartsWith("warning: 2026-11-20 channel 1: DC offset drifted +0.780 mV", bad.Result.Warnings[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Heat_capacity_by_water_comparison()
    {
        var r = LiquidHeatCapacity.Run(new MeasurementFileRequest { Input = Text("heat_capacity.json"), SarkitVersion = "t" });
        // C_s = C_w·ΔT_w/ΔT_s = 4184·6.10/9.45
        Assert.Equal(4184 * 6.10 / 9.45, r.Result.SpecificHeatJPerKgK, 9);
        Assert.Equal(6.10 / 9.45, r.Result.RatioAfterStirring, 12);
        Assert.Equal(6.12 / 9.47, r.Result.RatioAtEndOfHeating!.Value, 12);
        Assert.Equal(r.Result.CoverageFactor * r.Result.StandardUncertaintyJPerKgK, r.Result.ExpandedUncertaintyJPerKgK, 9);
        Assert.Equal("2026-11-01", r.Result.Date);
        Assert.Equal("brain-simulating liquid, 900 MHz", r.Liquid);

        var text = File.ReadAllText(Probe("heat_capacity.json"));
        var noEnd = string.Join('\n', text.Split('\n').Where(l => !l.Contains("end_of_heating", StringComparison.Ordinal)));
        var r2 = LiquidHeatCapacity.Run(new MeasurementFileRequest { Input = MeasurementInput.FromText(noEnd, "hc"), SarkitVersion = "t" });
        Assert.Null(r2.Result.RatioAtEndOfHeating);
        Assert.Contains("\"ratio_at_end_of_heating\": null", ResultJson.Serialize(r2.Result), StringComparison.Ordinal);
    }

    [Fact]
    public void Liquid_check_gives_cube_sides_and_warns_beyond_five_percent_from_target()
    {
        var ok = LiquidCheck.Run(new MeasurementFileRequest { Input = Text("liquid.json"), SarkitVersion = "t" });
        Assert.Equal(0.0, ok.Result.ConductivityDeviation);
        Assert.Empty(ok.Warnings);
        Assert.Equal(0.01, ok.CubeSide1gM, 9); // (1 g / 1000 kg/m³)^(1/3) = 10 mm
        Assert.Equal(Math.Cbrt(1e-5), ok.CubeSide10gM, 9);

        var text = File.ReadAllText(Probe("liquid.json")).Replace("\"target_permittivity\": {\"value\": 41.5", "\"target_permittivity\": {\"value\": 45", StringComparison.Ordinal);
        var off = LiquidCheck.Run(new MeasurementFileRequest { Input = MeasurementInput.FromText(text, "liq"), SarkitVersion = "t" });
        Assert.Equal((41.5 - 45) / 45, off.Result.PermittivityDeviation!.Value, 12);
        Assert.Equal(["warning: permittivity deviates more than ±5 % from its target."], off.Warnings);
    }

    [Fact]
    public void Cli_json_of_every_command_equals_the_use_case_result()
    {
        using var d = new TempDir();
        var v = CliApp.Version;
        void Same(string[] args, object result)
        {
            var cli = CliRunner.Run(args);
            Assert.True(cli.ExitCode == 0, cli.Err);
            Assert.Equal(cli.Out.TrimEnd(), ResultJson.Serialize(result));
        }
        Same(["probe", "calibrate", Probe("tem_calibration.json"), "--out", d.File("a.json"), "--json"],
            ProbeTemCalibration.Run(ProbeTemCalibration.FromFile(Probe("tem_calibration.json"), d.File("a.json"), v)).Result);
        Same(["probe", "cf", Probe("cf_experiment.json"), "--calibration", d.File("a.json"), "--json"],
            ProbeConversionFactor.Run(ProbeConversionFactor.FromFiles(Probe("cf_experiment.json"), d.File("a.json"), null, v)).Result);
        Same(["probe", "dc-log", Probe("dc_log.json"), "--calibration", Probe("calibration.json"), "--json"],
            ProbeDcLog.Run(ProbeDcLog.FromFiles(Probe("dc_log.json"), Probe("calibration.json"), v)).Result);
        Same(["liquid", "heat-capacity", Probe("heat_capacity.json"), "--json"], LiquidHeatCapacity.Run(MeasurementFileRequest.FromFile(Probe("heat_capacity.json"), v)).Result);
        Same(["liquid", "check", Probe("liquid.json"), "--json"], LiquidCheck.Run(MeasurementFileRequest.FromFile(Probe("liquid.json"), v)).Result);
    }

    [Fact]
    public void Records_store_the_named_results_with_the_injected_clock()
    {
        using var d = new TempDir();
        var db = d.File("records.db");
        var settings = new SarKitSettings { Time = new FakeTimeProvider(new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero)) };
        var cal = ProbeTemCalibration.Run(new ProbeTemCalibrationRequest { Input = Text("tem_calibration.json"), RecordTo = db, SarkitVersion = "t" }, settings);
        var cf = ProbeConversionFactor.Run(new ProbeConversionFactorRequest
        {
            Input = Text("cf_experiment.json"), Calibration = MeasurementInput.FromText(cal.Evaluation.Calibration.ToJson(), "cal"), RecordTo = db, SarkitVersion = "t",
        }, settings);
        var dc = ProbeDcLog.Run(new ProbeDcLogRequest { Input = Text("dc_log.json"), Calibration = Text("calibration.json"), RecordTo = db, SarkitVersion = "t" }, settings);
        var hc = LiquidHeatCapacity.Run(new MeasurementFileRequest { Input = Text("heat_capacity.json"), RecordTo = db, SarkitVersion = "t" }, settings);
        var lq = LiquidCheck.Run(new MeasurementFileRequest { Input = Text("liquid.json"), RecordTo = db, SarkitVersion = "t" }, settings);
        Assert.Equal([1L, 2L, 3L, 4L, 5L], new[] { cal.Recorded!.Id, cf.Recorded!.Id, dc.Recorded!.Id, hc.Recorded!.Id, lq.Recorded!.Id });

        var list = RecordKeeping.List(db);
        Assert.Equal(["probe-calibration", "probe-conversion-factor", "probe-dc-log", "liquid-heat-capacity", "liquid-check"], list.Records.Select(r => r.Method));
        Assert.All(list.Records, r => Assert.True(r.HashVerifies));
        Assert.All(list.Records, r => Assert.Equal("2030-01-02T03:04:05.0000000Z", r.CreatedUtc));
        Assert.Equal(File.ReadAllText(Probe("tem_calibration.json")), list.Records[0].InputJson);
        var calRec = JsonSerializer.Deserialize<ProbeCalibrationRecordResult>(list.Records[0].ResultJson, ResultJson.Options)!;
        Assert.Equal(cal.Evaluation.Calibration.ToJson(), calRec.CalibrationFile);
        var cfRec = JsonSerializer.Deserialize<ProbeConversionFactorRecordResult>(list.Records[1].ResultJson, ResultJson.Options)!;
        Assert.Equal(cf.Result.CfSiM2PerKg, cfRec.Result.CfSiM2PerKg);
        Assert.Equal(cf.Result.TrialSarWPerKg.Max(), list.Records[1].SarWPerKg);
        Assert.Equal(ResultJson.Serialize(dc.Result), list.Records[2].ResultJson);
        Assert.Equal(ResultJson.Serialize(hc.Result), list.Records[3].ResultJson);
        Assert.Equal(ResultJson.Serialize(lq.Result), list.Records[4].ResultJson);
    }

    [Fact]
    public void A_bad_record_location_fails_before_the_calibration_file_is_written()
    {
        using var d = new TempDir();
        File.WriteAllText(d.File("records.db"), "not a database");
        var req = new ProbeTemCalibrationRequest { Input = Text("tem_calibration.json"), OutputPath = d.File("cal.json"), RecordTo = d.File("records.db"), SarkitVersion = "t" };
        Assert.Throws<SarKitInputException>(() => ProbeTemCalibration.Run(req));
        Assert.False(File.Exists(d.File("cal.json")));
        Assert.Equal("not a database", File.ReadAllText(d.File("records.db")));
    }

    [Fact]
    public void Missing_files_are_input_errors_naming_the_file()
    {
        using var d = new TempDir();
        var e1 = Assert.Throws<FileNotFoundException>(() => MeasurementFileRequest.FromFile(d.File("none.json"), "t"));
        Assert.Contains("input file not found", e1.Message);
        var e2 = Assert.Throws<SarKitInputException>(() => ProbeDcLog.FromFiles(Probe("dc_log.json"), d.File("nocal.json"), "t"));
        Assert.Contains("calibration file not found", e2.Message);
        Assert.Equal(d.File("nocal.json"), e2.SourceFile);
    }
}
