using SarKit.Measurement.Nema;

namespace SarKit.Tests.Measurement;

public class NemaCalorimetryTests
{
    [Fact]
    public void OneWattPerKgForOneHourHeatsWaterByAbout086Kelvin()
    {
        // 3.2(c) note: ΔT = SAR·τ/c = 3600/4180 = 0.8612 K; forward through eqs (19)–(21) gives back 1 W/kg.
        double dT = 1.0 * 3600 / Calorimetry.WaterSpecificHeatJPerKgK;
        Assert.Equal(0.86, dT, 2);
        var hc = Calorimetry.HeatCapacity(50, Calorimetry.WaterSpecificHeatJPerKgK);
        double e = Calorimetry.AbsorbedEnergy(hc, 20.0, 20.0 + dT);
        Assert.Equal(50 * 3600.0, e, 6);
        double p = Calorimetry.AveragePower(e, Calorimetry.ScanTime(3600));
        Assert.Equal(1.0, Calorimetry.Sar(p, 50), 12);
    }

    [Fact]
    public void ShellIsIncludedOnlyAboveTenPercent()
    {
        // Filler 50 kg × 4180 = 209 000 J/K. Shell 10 kg × 1500 = 15 000 J/K (7.2 %) → not included.
        var a = Calorimetry.HeatCapacity(50, 4180, 10, 1500);
        Assert.False(a.ShellIncluded);
        Assert.Equal(209_000, a.HeatCapacityJPerK, 9);
        Assert.Equal(15_000.0 / 209_000, a.ShellFraction, 12);
        // Shell 15 kg × 1500 = 22 500 J/K (10.8 %) → included: 231 500 J/K.
        var b = Calorimetry.HeatCapacity(50, 4180, 15, 1500);
        Assert.True(b.ShellIncluded);
        Assert.Equal(231_500, b.HeatCapacityJPerK, 9);
        Assert.Equal(231_500 * 0.5, Calorimetry.AbsorbedEnergy(b, 21.0, 21.5), 6);
        Assert.True(Calorimetry.HeatCapacity(50, 4180, 10, 1500, alwaysIncludeShell: true).ShellIncluded);
    }

    [Fact]
    public void BreaksAreSubtractedFromTheScanTime()
    {
        Assert.Equal(3000.0, Calorimetry.ScanTime(3600, [400, 200]), 12);
        // E = 209 000 J/K × 0.6 K = 125 400 J over 3000 s = 41.8 W; M_bod = 76 kg → 0.55 W/kg.
        double e = Calorimetry.AbsorbedEnergy(Calorimetry.HeatCapacity(50, 4180), 20.0, 20.6);
        double p = Calorimetry.AveragePower(e, Calorimetry.ScanTime(3600, [400, 200]));
        Assert.Equal(41.8, p, 9);
        Assert.Equal(0.55, Calorimetry.Sar(p, 76), 12);
        var ex = Assert.Throws<SarKitInputException>(() => Calorimetry.ScanTime(600, [600]));
        Assert.Contains("600", ex.Message);
        Assert.Throws<SarKitInputException>(() => Calorimetry.ScanTime(0));
        Assert.Throws<SarKitInputException>(() => Calorimetry.AveragePower(1, 0));
    }

    [Fact]
    public void BadInputsNameTheQuantity()
    {
        var ex = Assert.Throws<SarKitInputException>(() => Calorimetry.HeatCapacity(-5, 4180));
        Assert.Contains("filler mass", ex.Message);
        Assert.Contains("-5", ex.Message);
        Assert.Throws<SarKitInputException>(() => Calorimetry.HeatCapacity(50, 4180, -1, 1500));
        var hc = Calorimetry.HeatCapacity(50, 4180);
        ex = Assert.Throws<SarKitInputException>(() => Calorimetry.AbsorbedEnergy(hc, 22.0, 21.0));
        Assert.Contains("T_f", ex.Message);
        Assert.Throws<SarKitInputException>(() => Calorimetry.Sar(40, 0));
        Assert.Throws<SarKitInputException>(() => Calorimetry.AbsorbedEnergy(hc, double.NaN, 21.0));
    }

    [Fact]
    public void CoolingCorrectionInvertsEquation2()
    {
        // Forward model eq [2]: T_amb 20, ΔT 1 K at t_s, T_c 35 000 s, read after 600 s.
        double tc = 35_000, d = 600;
        double measured = 20 + 1.0 * Math.Exp(-d / tc);
        Assert.Equal(21.0, Calorimetry.FinalTemperatureAtEndOfHeating(measured, 20, d, tc), 12);
        Assert.Equal(21.3, Calorimetry.FinalTemperatureAtEndOfHeating(21.3, 20, 0, tc), 12);
        Assert.Throws<SarKitInputException>(() => Calorimetry.FinalTemperatureAtEndOfHeating(21, 20, -1, tc));
        Assert.Throws<SarKitInputException>(() => Calorimetry.FinalTemperatureAtEndOfHeating(21, 20, 60, 0));
    }

    [Fact]
    public void HeatingLossMatchesTheStandardsFivePercentExample()
    {
        // 1.2.8: T_c = 35 000 s, 1 h heating at 2 W/kg → final temperature underestimated by ≈ 5 %.
        double tc = 35_000, tau = 3600, rate = 2.0 / 4180; // K/s loss-free
        // Integrate dT/dt = r − (T − T_amb)/T_c numerically (independent of the closed form), T_i = T_amb = 20.
        double t = 20, dt = 0.01;
        for (int k = 0; k < (int)(tau / dt); k++)
        {
            double k1 = rate - (t - 20) / tc, k2 = rate - (t + 0.5 * dt * k1 - 20) / tc;
            double k3 = rate - (t + 0.5 * dt * k2 - 20) / tc, k4 = rate - (t + dt * k3 - 20) / tc;
            t += dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4);
        }
        double lossFree = rate * tau;
        double under = 1 - (t - 20) / lossFree;
        Assert.Equal(0.05, under, 2);
        Assert.Equal(lossFree, Calorimetry.LossFreeTemperatureRise(20, t, 20, tau, tc), 9);
        // T_i above ambient: forward model with closed form then invert.
        double ti = 20.5, amb = 20, x = Math.Exp(-tau / tc);
        double tf = amb + (ti - amb) * x + rate * tc * (1 - x);
        Assert.Equal(lossFree, Calorimetry.LossFreeTemperatureRise(ti, tf, amb, tau, tc), 12);
    }

    [Fact]
    public void TemperatureRiseMustBeTwentyTimesTheSensorError()
    {
        var ok = Calorimetry.CheckTemperatureRise(20.0, 22.0, 0.1);
        Assert.True(ok.Passed);
        Assert.Equal(20.0, ok.Ratio, 9);
        var low = Calorimetry.CheckTemperatureRise(20.0, 20.86, 0.1);
        Assert.False(low.Passed);
        Assert.Equal(8.6, low.Ratio, 9);
        Assert.Equal(2.0, low.MinimumRiseK, 12);
        Assert.Throws<SarKitInputException>(() => Calorimetry.CheckTemperatureRise(20, 21, 0));
        Assert.Throws<SarKitInputException>(() => Calorimetry.CheckTemperatureRise(21, 20, 0.1));
    }
}
