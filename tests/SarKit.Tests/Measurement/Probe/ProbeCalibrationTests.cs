using SarKit.Measurement.Probe;

namespace SarKit.Tests.Measurement.Probe;

public class ProbeCalibrationTests
{
    private static readonly double Sf = ProbeUnits.SensorFactorSi(10.8);

    [Fact]
    public void SeedTemperatureRiseExample()
    {
        // SAR_t = (2.7 × 0.0163) / 30 = 1.47 mW/g (c = 2.7 J/(g °C) = 2700 J/(kg K); mW/g = W/kg)
        double sar = ConversionFactor.SarFromTemperatureRise(2700, 0.0163, 30);
        Assert.Equal(2.7 * 0.0163 / 30 * 1000, sar, 12);
        Assert.Equal(1.47, Math.Round(sar, 2));
    }

    [Fact]
    public void SeedConversionFactorExample()
    {
        // CF = (1.47 mW/g / 28.5 mV) × 10.8 mV/(mW/cm²) = 0.56 (mW/g)/(mW/cm²)
        double cfRounded = ProbeUnits.ConversionFactorManual(ConversionFactor.FromSar(1.47, 28.5e-3, Sf));
        Assert.Equal(1.47 / 28.5 * 10.8, cfRounded, 12);
        Assert.Equal(0.56, Math.Round(cfRounded, 2));
        var r = ConversionFactor.Evaluate(2700, [new TemperatureRiseTrial(0.0163, 30, 28.5e-3, 0.5)], Sf);
        Assert.Equal(2.7 * 0.0163 / 30 / 28.5 * 10.8 * 1000, r.CfManual, 12);
        Assert.Equal(0.56, Math.Round(r.CfManual, 2));
        Assert.True(double.IsNaN(r.CfRelativeStdUncertainty));
    }

    [Fact]
    public void SeedPointSarExample()
    {
        // SAR = 0.350 × 0.375 × 0.56 / 0.0108 = 6.81 mW/g (only channel 3 non-zero)
        double pd = ProbeSar.TotalOutput([0, 0, 0.350], [0.4, 0.5, 0.375]);
        double sar = ProbeSar.FromTotalOutput(pd, ProbeUnits.ConversionFactorSi(0.56), Sf);
        Assert.Equal(0.350 * 0.375 * 0.56 / 0.0108, sar, 12);
        Assert.Equal(6.81, Math.Round(sar, 2));
    }

    [Fact]
    public void PointSarRectifiesAndSums()
    {
        var e = new double[3];
        ProbeSar.Rectify([0.010, 0.020, 0.030], [0.001, 0.002, 0.003], e, "p");
        Assert.Equal([0.009, 0.018, 0.027], e.ToArray().Select(x => Math.Round(x, 12)).ToArray());
        Assert.Equal(0.009 * 1 + 0.018 * 2 + 0.027 * 3, ProbeSar.TotalOutput(e, [1, 2, 3]), 12);
        var ex = Assert.Throws<SarKitInputException>(() => ProbeSar.Rectify([0.010, 0.001, 0.030], [0.001, 0.002, 0.003], e, "scan.csv: line 7"));
        Assert.Contains("line 7", ex.Message); Assert.Contains("channel 2", ex.Message); Assert.Contains("negative", ex.Message);
    }

    [Fact]
    public void IBeamAmplifierSettings()
    {
        // I-beam: channels 1, 2 at 45° see half the field power of channel 3 (cos²45° = ½)
        var a = AmplifierSettings.Compute(Sf, 10, [14.52e-3, 14.50e-3, 28.95e-3], [0.12e-3, 0.10e-3, 0.15e-3], ProbeGeometries.AnglesDeg(ProbeGeometry.IBeam));
        Assert.Equal(10.8 * 0.5 / 14.4, a[0], 12);
        Assert.Equal(10.8 * 0.5 / 14.4, a[1], 12);
        Assert.Equal(10.8 * 1.0 / 28.8, a[2], 12);
        Assert.All(a, x => Assert.Equal(0.375, x, 12));
    }

    [Fact]
    public void TriangularAmplifierSettings()
    {
        var ang = ProbeGeometries.AnglesDeg(ProbeGeometry.Triangular);
        Assert.All(ang, x => Assert.Equal(35.3, x));
        double c2 = Math.Pow(Math.Cos(35.3 * Math.PI / 180), 2);
        Assert.Equal(0.66608, c2, 5);
        var a = AmplifierSettings.Compute(Sf, 10, [7.3e-3, 7.4e-3, 7.5e-3], [0.1e-3, 0.2e-3, 0.3e-3], ang);
        Assert.Equal(10.8 * c2 / 7.2, a[0], 12);
        Assert.Equal(10.8 * c2 / 7.2, a[1], 12);
        Assert.Equal(10.8 * c2 / 7.2, a[2], 12);
        // the exact orthogonal-triad angle has cos² = 2/3: 0.1 % from the manual's rounded 35.3°
        Assert.Equal(2.0 / 3, Math.Pow(Math.Cos(Math.PI / 2 - Math.Acos(1 / Math.Sqrt(3))), 2), 12);
        Assert.InRange(c2 / (2.0 / 3) - 1, -0.002, 0);
    }

    [Fact]
    public void AmplifierSettingScalesWithTestPowerDensity()
    {
        var a1 = AmplifierSettings.Compute(Sf, 10, [10e-3, 10e-3, 10e-3], [0, 0, 0], [0, 0, 0]);
        var a2 = AmplifierSettings.Compute(Sf, 20, [20e-3, 20e-3, 20e-3], [0, 0, 0], [0, 0, 0]);
        Assert.Equal(a1[0], a2[0], 12);
        var ex = Assert.Throws<SarKitInputException>(() => AmplifierSettings.Compute(Sf, 10, [10e-3, 0.1e-3, 10e-3], [0, 0.2e-3, 0], [0, 0, 0]));
        Assert.Contains("channel 2", ex.Message);
    }

    [Fact]
    public void TemCellFieldFromPower()
    {
        // 1 mW/cm² = 10 W/m² ↔ E = √(10 η₀) = 0.614 V/cm, E² = 0.377 V²/cm²
        double e = ProbeUnits.PlaneWaveField(10);
        Assert.Equal(0.614, Math.Round(e / 100, 3));
        Assert.Equal(0.377, Math.Round(e * e / 1e4, 3));
        Assert.Equal(376.730313, ProbeUnits.FreeSpaceImpedanceOhm, 5);
        // IFI CC-110: 271 mW for 1 mW/cm² ⇔ septum spacing ≈ 6.0 cm with Z₀ = 50 Ω
        var cell = new TemCell(50, 0.06);
        Assert.InRange(cell.PowerDensity(0.271) / 10, 0.995, 1.005);
        Assert.Equal(0.271, new TemCell(50, 0.06).InputPowerFor(cell.PowerDensity(0.271)), 12);
        Assert.Equal(Math.Sqrt(0.271 * 50) / 0.06, cell.Field(0.271), 12);
    }

    [Fact]
    public void RotationMaxima()
    {
        var m = AmplifierSettings.MaximaOverRotation([[1, 5, 2], [3, 4, 9], [2, 6, 1]]);
        Assert.Equal([3.0, 6, 9], m);
        Assert.Throws<SarKitInputException>(() => AmplifierSettings.MaximaOverRotation([[1, 2]]));
    }

    [Fact]
    public void CalibrationValidity()
    {
        var c = ProbeTestData.Calibration(cf: 0.56, from: "2026-01-10", until: "2026-03-31");
        c.CheckUsableOn(new DateOnly(2026, 3, 31), needCf: true);
        var ex = Assert.Throws<SarKitInputException>(() => c.CheckUsableOn(new DateOnly(2026, 4, 1), needCf: true, "cal.json"));
        Assert.Contains("expired on 2026-03-31", ex.Message);
        Assert.Contains("cal.json", ex.Message);
        Assert.Throws<SarKitInputException>(() => c.CheckUsableOn(new DateOnly(2026, 1, 9), needCf: true));
        var noCf = ProbeTestData.Calibration(cf: null);
        var e2 = Assert.Throws<SarKitInputException>(() => noCf.CheckUsableOn(new DateOnly(2026, 6, 1), needCf: true));
        Assert.Contains("no conversion factor", e2.Message);
        Assert.Contains("no calibration", Assert.Throws<SarKitInputException>(() => ProbeCalibration.Read("/nonexistent/cal.json")).Message.Replace("calibration file not found", "no calibration"));
    }

    [Fact]
    public void CalibrationFileRoundTrip()
    {
        var c = ProbeTestData.Calibration() with { Sensitivity = new SensitivityCalibration([0.8e-6, 0.9e-6, 1.0e-6], 4.68), CfDate = new DateOnly(2026, 2, 2), CfRelativeStdUncertainty = 0.02 };
        var back = ProbeCalibration.Parse(c.ToJson(), "mem");
        Assert.Equal(c.ProbeSerial, back.ProbeSerial);
        Assert.Equal(c.Geometry, back.Geometry);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(c.AmplifierSettings[i], back.AmplifierSettings[i], 12);
            Assert.Equal(c.DcOffsetsV[i], back.DcOffsetsV[i], 15);
            Assert.Equal(c.VMaxV[i], back.VMaxV[i], 15);
            Assert.Equal(c.Sensitivity.NormVPerV2PerM2[i] * 1e6, back.Sensitivity!.NormVPerV2PerM2[i] * 1e6, 12);
        }
        Assert.Equal(c.SensorFactorSi, back.SensorFactorSi, 15);
        Assert.Equal(c.ConversionFactorSi!.Value, back.ConversionFactorSi!.Value, 14);
        Assert.Equal(c.ProbeOffsetM, back.ProbeOffsetM, 15);
        Assert.Equal(c.ValidUntil, back.ValidUntil);
        Assert.Equal(c.CfDate, back.CfDate);
        Assert.Equal(0.02, back.CfRelativeStdUncertainty!.Value, 12);
        Assert.Equal(4.68, back.Sensitivity!.ConvF);
        Assert.Contains("unknown unit", Assert.Throws<SarKitInputException>(() => ProbeCalibration.Parse(c.ToJson().Replace("\"mm\"", "\"furlong\""), "mem")).Message);
    }

    [Fact]
    public void SeveralTrialsFitThroughOrigin()
    {
        // SAR_k = 2 W/kg per 10 mV exactly, with one noisy trial: CF from the slope Σ SAR ΔV / Σ ΔV²
        var trials = new[] { new TemperatureRiseTrial(0.0111111, 30, 10e-3), new TemperatureRiseTrial(0.0222222, 30, 20e-3), new TemperatureRiseTrial(0.0340, 30, 30e-3) };
        var r = ConversionFactor.Evaluate(2700, trials, Sf);
        double sxy = 0, sxx = 0;
        foreach (var t in trials) { double s = 2700 * t.TemperatureRiseK / 30; sxy += s * t.ProbeOutputV; sxx += t.ProbeOutputV * t.ProbeOutputV; }
        Assert.Equal(Sf * sxy / sxx, r.CfSi, 14);
        Assert.Equal(2, r.DegreesOfFreedom);
        Assert.True(r.CfRelativeStdUncertainty > 0);
    }

    [Fact]
    public void HeatCapacityByWaterComparison()
    {
        var r = HeatCapacity.Evaluate(6.0, 9.0, temperatureStdUncertaintyK: 0.02);
        Assert.Equal(4184 * 6.0 / 9.0, r.SpecificHeatJPerKgK, 9);
        double ur = Math.Sqrt(Math.Pow(0.01 / Math.Sqrt(3), 2) + Math.Pow(0.02 / 6.0, 2) + Math.Pow(0.02 / 9.0, 2));
        Assert.Equal(ur * r.SpecificHeatJPerKgK, r.Budget.CombinedStandardUncertainty, 9);
        Assert.Equal(2.0, r.Budget.CoverageFactor, 9);
        // the manual's cal-based form: C_w = 1 cal/(g °C) gives C_s in cal/(g °C) = ΔT_w/ΔT_s
        Assert.Equal(6.0 / 9.0, HeatCapacity.Solution(1, 6.0, 9.0), 15);
        var bad = HeatCapacity.Evaluate(6.0, 9.0, 0.001, deltaTWaterEndOfHeatingK: 6.6, deltaTSolutionEndOfHeatingK: 9.0);
        Assert.Contains(bad.Notes, n => n.StartsWith("warning"));
        Assert.Throws<SarKitInputException>(() => HeatCapacity.Solution(4184, 6, 0));
    }

    [Fact]
    public void DcLogDriftWarning()
    {
        var cal = ProbeTestData.Calibration();
        var log = DcOffsetLog.Parse("""
            {"method": "probe-dc-log", "probe_serial": "T-1", "drift_threshold": {"value": 0.5, "unit": "mV"},
             "entries": [{"date": "2026-05-01", "dc_offsets": {"values": [0.1, 0.2, 0.3], "unit": "mV"}},
                         {"date": "2026-05-02", "dc_offsets": {"values": [0.1, 0.9, 0.3], "unit": "mV"}}]}
            """, "log.json");
        var w = Assert.Single(log.Check(cal));
        Assert.Equal(2, w.Channel);
        Assert.Equal(new DateOnly(2026, 5, 2), w.Date);
        Assert.Equal(0.7e-3, w.DriftV, 12);
        Assert.NotNull(log.On(new DateOnly(2026, 5, 2)));
        Assert.Null(log.On(new DateOnly(2026, 5, 3)));
    }

    [Fact]
    public void UnitTable()
    {
        Assert.Equal(1.08e-3, ProbeUnits.SensorFactorSi(10.8), 15);
        Assert.Equal(10.8, ProbeUnits.SensorFactorMvPerMwPerCm2(1.08e-3), 12);
        Assert.Equal(0.056, ProbeUnits.ConversionFactorSi(0.56), 15);
    }
}
