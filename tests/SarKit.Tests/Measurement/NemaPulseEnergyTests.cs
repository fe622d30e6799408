using SarKit.Measurement.Nema;

namespace SarKit.Tests.Measurement;

public class NemaPulseEnergyTests
{
    [Fact]
    public void Eq1PeakPowerFromPeakToPeakVoltage()
    {
        // 100 V peak-to-peak = 50 V peak into 50 Ω: P = 50²/(2·50) = 25 W = 100²/(8·50).
        Assert.Equal(25.0, PulseEnergyMethod.PeakPowerFromPeakToPeakVoltage(100, 50), 12);
        Assert.Equal(25.0 * 50 / 75, PulseEnergyMethod.PeakPowerFromPeakToPeakVoltage(100, 75), 12);
        Assert.Throws<SarKitInputException>(() => PulseEnergyMethod.PeakPowerFromPeakToPeakVoltage(100, 0));
        Assert.Throws<SarKitInputException>(() => PulseEnergyMethod.PeakPowerFromPeakToPeakVoltage(-1, 50));
    }

    [Fact]
    public void DecibelConversionsAreExplicitAndRejectGains()
    {
        Assert.Equal(1e-4, Decibel.LossToFraction(40), 15);
        Assert.Equal(0.5011872336272722, Decibel.LossToFraction(3), 14);
        Assert.Equal(1.0, Decibel.LossToFraction(0), 15);
        Assert.Equal(40.0, Decibel.FractionToLoss(1e-4), 12);
        Assert.Equal(20.0, Decibel.FromPowerRatio(100), 12);
        Assert.Equal(0.01, Decibel.ToPowerRatio(-20), 15);
        var ex = Assert.Throws<SarKitInputException>(() => Decibel.LossToFraction(-0.5, "cable attenuation α1"));
        Assert.Contains("cable attenuation α1", ex.Message);
        Assert.Contains("-0.5", ex.Message);
        Assert.Throws<SarKitInputException>(() => Decibel.FractionToLoss(1.5));
        Assert.Throws<SarKitInputException>(() => Decibel.FractionToLoss(0));
    }

    [Fact]
    public void Eqs2To4ConvertToCoilTerminals()
    {
        // α1 = 0.8 (line), α_cf = α_cr = 1e-5 (50 dB coupler), α2 = 0.01.
        Assert.Equal(100.0, PulseEnergyMethod.ForwardPowerAtCoil(0.00125, 0.8, 1e-5), 9);
        Assert.Equal(10.0, PulseEnergyMethod.ReflectedPowerAtCoil(0.00008, 0.8, 1e-5), 9);
        Assert.Equal(1.0, PulseEnergyMethod.OtherPowerAtCoil(0.01, 0.01), 12);
        var ex = Assert.Throws<SarKitInputException>(() => PulseEnergyMethod.ForwardPowerAtCoil(1, 1.2, 1e-5));
        Assert.Contains("α1", ex.Message);
        Assert.Throws<SarKitInputException>(() => PulseEnergyMethod.ForwardPowerAtCoil(1, 0.8, -1e-5));
        Assert.Throws<SarKitInputException>(() => PulseEnergyMethod.ReflectedPowerAtCoil(1, 0.8, 0));
    }

    [Fact]
    public void Eqs5And6SumSquaredFluxLoopVoltages()
    {
        Assert.Equal(25.0, PulseEnergyMethod.LossVoltageSquared([5.0]), 12);
        Assert.Equal(25.0, PulseEnergyMethod.LossVoltageSquared([3.0, 4.0]), 12);
        Assert.Throws<SarKitInputException>(() => PulseEnergyMethod.LossVoltageSquared([]));
        Assert.Throws<SarKitInputException>(() => PulseEnergyMethod.LossVoltageSquared([1.0, double.NaN]));
    }

    /// <summary>Full chain, hand-checked: eqs (2)–(9), (11)–(13).</summary>
    private static double WorkedExampleSar(double alpha1, double alphaC, double alpha2)
    {
        // Phantom 1: forward 100 W, reflected 10 W, other 1 W at the coil → P_CPL_unloaded = 89 W.
        var unloaded = PulseEnergyMethod.AtCoil(0.00125, 0.00008, 0.01, alpha1, alphaC, alphaC, alpha2);
        double pcplU = PulseEnergyMethod.CoilLossUnloaded(unloaded);
        Assert.Equal(89.0, pcplU, 8);
        // Flux loops: phantom 1 {3, 4} V → 25 V²; phantom 2 {2, 2} V → 8 V²; P_CPL_loaded = 89·8/25 = 28.48 W.
        double pcplL = PulseEnergyMethod.CoilLossLoaded(pcplU, PulseEnergyMethod.LossVoltageSquared([2.0, 2.0]),
                                                      PulseEnergyMethod.LossVoltageSquared([3.0, 4.0]));
        Assert.Equal(28.48, pcplL, 8);
        // Phantom 2: forward 1000 W, reflected 50 W, other 0 → P_phantom_2 = 1000 − 50 − 28.48 = 921.52 W.
        var loaded = PulseEnergyMethod.AtCoil(0.0125, 0.0004, 0, alpha1, alphaC, alphaC, alpha2);
        double pph = PulseEnergyMethod.PhantomPower(loaded, pcplL);
        Assert.Equal(921.52, pph, 7);
        // Two rectangular 1 ms pulses per TR = 50 ms: E = 2 × 0.92152 J; P_ave = 36.8608 W; M = 80 kg → 0.46076 W/kg.
        PulseEnergyInput[] pulses = [new(pph, 10e-6, 10e-6, 1e-3), new(pph, 10e-6, 10e-6, 1e-3)];
        double pave = PulseEnergyMethod.AveragePower(pulses, 0.05);
        Assert.Equal(36.8608, pave, 7);
        return PulseEnergyMethod.Sar(pave, 80);
    }

    [Fact]
    public void WorkedExampleGivesSameSarFromFractionsAndFromDecibels()
    {
        double fromFractions = WorkedExampleSar(0.8, 1e-5, 0.01);
        Assert.Equal(0.46076, fromFractions, 9);
        double fromDb = WorkedExampleSar(Decibel.LossToFraction(0.9691001300805639), Decibel.LossToFraction(50), Decibel.LossToFraction(20));
        Assert.Equal(fromFractions, fromDb, 9);
    }

    [Fact]
    public void Eq7And9RejectNonPositiveNetPower()
    {
        Assert.Throws<SarKitInputException>(() => PulseEnergyMethod.CoilLossUnloaded(new CoilTerminalPowers(10, 10, 1)));
        var ex = Assert.Throws<SarKitInputException>(() => PulseEnergyMethod.PhantomPower(new CoilTerminalPowers(100, 10), 95));
        Assert.Contains("P_phantom_2", ex.Message);
        Assert.Throws<SarKitInputException>(() => new CoilTerminalPowers(-1, 0));
        Assert.Throws<SarKitInputException>(() => PulseEnergyMethod.CoilLossLoaded(89, 8, 0));
    }

    [Fact]
    public void Eq11PulseEnergyUsesShapeFactor()
    {
        // B1rms/B1peak = 0.5 → factor 0.25; 1000 W × 0.25 × 2 ms = 0.5 J.
        Assert.Equal(0.5, PulseEnergyMethod.PulseEnergy(1000, 5e-6, 10e-6, 2e-3), 12);
        Assert.Equal(0.5, PulseEnergyMethod.PulseEnergyFromShapeFactor(1000, 0.25, 2e-3), 12);
        Assert.Throws<SarKitInputException>(() => PulseEnergyMethod.PulseEnergy(1000, 11e-6, 10e-6, 2e-3));
        Assert.Throws<SarKitInputException>(() => PulseEnergyMethod.PulseEnergy(1000, 5e-6, 10e-6, 0));
        Assert.Throws<SarKitInputException>(() => PulseEnergyMethod.PulseEnergyFromShapeFactor(1000, 1.5, 2e-3));
    }

    [Fact]
    public void Eq12And13AverageOverTrOrScanTimeAndDivideByMass()
    {
        Assert.Equal(30.0, PulseEnergyMethod.AveragePower([1.0, 2.0], 0.1), 12);
        Assert.Equal(0.5, PulseEnergyMethod.Sar(30, 60), 12);
        var ex = Assert.Throws<SarKitInputException>(() => PulseEnergyMethod.AveragePower([1.0], 0));
        Assert.Contains("TR", ex.Message);
        ex = Assert.Throws<SarKitInputException>(() => PulseEnergyMethod.Sar(30, -70));
        Assert.Contains("-70", ex.Message);
    }

    [Fact]
    public void ShapeFactorsMatchClosedFormsAndScipy()
    {
        Assert.Equal(1.0, PulseShape.Rectangular);
        // Reference values from scipy.special.sici / erf (Debian python3).
        Assert.Equal(0.45141166679014033, PulseShape.Sinc(1), 13);
        Assert.Equal(0.23748483494182754, PulseShape.Sinc(2), 13);
        Assert.Equal(0.16106840583258236, PulseShape.Sinc(3), 13);
        Assert.Equal(0.09797763423077573, PulseShape.Sinc(5), 13);
        Assert.Equal(1.658347594218874, PulseShape.SineIntegral(10.0), 13);
        Assert.Equal(0.5204998778130465, PulseShape.Erf(0.5), 14);
        // T = 4 ms, σ = 1 ms: (σ√π/T) erf(2) = 0.44104069538121077.
        Assert.Equal(0.44104069538121077, PulseShape.Gaussian(4e-3, 1e-3), 13);
        // Very wide σ → rectangular.
        Assert.Equal(1.0, PulseShape.Gaussian(1e-3, 1.0), 6);
        Assert.Throws<SarKitInputException>(() => PulseShape.Sinc(0));
    }

    [Fact]
    public void SampledShapeFactorIsExactDiscreteAndConvergesToClosedForm()
    {
        Assert.Equal((1 + 4 + 1 + 0) / (4.0 * 4), PulseShape.Sampled([1.0, -2.0, 1.0, 0.0]), 15);
        // Finely sampled 3-lobe sinc (midpoint samples) approaches Si(4π)/(2π).
        int n = 200_000;
        var b = new double[n];
        for (int k = 0; k < n; k++) { double x = -2 + 4.0 * (k + 0.5) / n; b[k] = Math.Sin(Math.PI * x) / (Math.PI * x); }
        // Peak of the midpoint samples is slightly below 1; rescale by the true peak for the comparison.
        double peak = b.Max(Math.Abs);
        Assert.Equal(PulseShape.Sinc(2), PulseShape.Sampled(b) * peak * peak, 8);
        Assert.Throws<SarKitInputException>(() => PulseShape.Sampled([0.0, 0.0]));
        Assert.Throws<SarKitInputException>(() => PulseShape.Sampled([]));
    }

    [Fact]
    public void Eq10B1RmsOverTr()
    {
        // 1 ms rectangular pulse of 10 µT in a 10 ms TR: B1rms = 10 µT · sqrt(0.1).
        var b = Enumerable.Repeat(10e-6, 100).ToArray();
        Assert.Equal(10e-6 * Math.Sqrt(0.1), PulseShape.B1Rms(b, 1e-5, 1e-2), 15);
        Assert.Throws<SarKitInputException>(() => PulseShape.B1Rms(b, 1e-5, 1e-4));
    }

    [Fact]
    public void AppendixAFluxLoopEmf()
    {
        // 25.4 mm loop, 25 µT, 64 MHz → π (0.0127)² · 25e-6 · 2π · 64e6 = 5.094 V ("5.1" in [A3]).
        double v = FluxLoop.PeakEmf(0.0254, 25e-6, 64e6);
        Assert.Equal(5.093979180325448, v, 10);
        Assert.Equal(5.1, v, 1);
        Assert.Throws<SarKitInputException>(() => FluxLoop.PeakEmf(0, 25e-6, 64e6));
    }
}
