using System.Numerics;
using SarKit.Fields;
using SarKit.Grid;

namespace SarKit.Tests.PulseDesign;

public class B1PlusMapTests
{
    // Quasi-static H of infinite line currents along z at (R cos θ_c, R sin θ_c): H = I_c/(2π ρ) φ̂ (Ampère's law).
    private static MultiChannelField LineCurrents(VoxelGrid g, int n, double radius)
    {
        var h = new MultiChannelField(g, n, FieldQuantity.H, FieldNormalisation.PerAmpere);
        for (int c = 0; c < n; c++)
        {
            double th = 2 * Math.PI * c / n, px = radius * Math.Cos(th), py = radius * Math.Sin(th);
            for (int v = 0; v < g.VoxelCount; v++)
            {
                var (x, y, _) = g.Centre(v);
                double dx = x - px, dy = y - py, r2 = dx * dx + dy * dy;
                // φ̂ = ẑ × ρ̂ = (−dy, dx)/ρ; H = φ̂/(2πρ) per ampere
                h.Set(c, 0, v, -dy / (2 * Math.PI * r2));
                h.Set(c, 1, v, dx / (2 * Math.PI * r2));
            }
        }
        return h;
    }

    [Fact]
    public void CircularlyPolarisedLineCurrentsGiveTheClosedForm()
    {
        // 8 wires on a circle of radius R, driven with phase −360°·c/N (SarKit's "cp"): at the centre
        // Σ_c (Hx + iHy)_c = −i·N·I/(2πR), so B1+ (counterclockwise) = −i·μ0·N·I/(4πR) and the clockwise part vanishes.
        const int n = 8; const double radius = 0.1;
        var g = VoxelGrid.Uniform(3, 3, 1, 0.01, origin: (-0.015, -0.015, -0.005));
        var h = LineCurrents(g, n, radius);
        var ccw = B1PlusMap.FromH(h); var cw = B1PlusMap.FromH(h, B1RotationSense.Clockwise);
        int centre = g.Index(1, 1, 0);
        Complex sumCcw = 0, sumCw = 0;
        for (int c = 0; c < n; c++)
        {
            var b = Complex.FromPolarCoordinates(1, -2 * Math.PI * c / n);
            sumCcw += b * ccw.Get(c, 0, centre); sumCw += b * cw.Get(c, 0, centre);
        }
        var expected = -Complex.ImaginaryOne * B1PlusMap.Mu0 * n / (4 * Math.PI * radius);
        Assert.True((sumCcw - expected).Magnitude <= 1e-6 * expected.Magnitude, $"B1+ {sumCcw} vs {expected}");
        Assert.True(sumCw.Magnitude <= 1e-6 * expected.Magnitude, $"B1- {sumCw}");
    }

    [Fact]
    public void CounterClockwiseComponentIsTheFieldThatRotatesCounterclockwise()
    {
        // Time domain: B(t) = Re(B e^{iωt}); for the phasor (1, −i) the angle of B(t) grows with t (counterclockwise).
        var bx = new Complex(0.3, 0.2); var by = -Complex.ImaginaryOne * bx;
        double Angle(double wt) { var e = Complex.FromPolarCoordinates(1, wt); return Math.Atan2((by * e).Real, (bx * e).Real); }
        double d = Angle(0.1) - Angle(0);
        Assert.True(d > 0, "counterclockwise rotation");
        Assert.Equal(bx.Magnitude, B1PlusMap.Combine(bx, by).Magnitude, 12);
        Assert.Equal(0, B1PlusMap.Combine(bx, by, B1RotationSense.Clockwise).Magnitude, 12);
    }

    [Fact]
    public void FaradayFromEMatchesAPlaneWave()
    {
        // E = ẑ e^{ikx} (time factor e^{+iωt}: travels towards −x); ∇×E = −iωB gives B = ŷ (k/ω) e^{ikx}, so
        // B1+ = (Bx + iBy)/2 = i k/(2ω) e^{ikx}. Central differences: relative error (kh)²/6 in the interior.
        double f = 298e6, omega = 2 * Math.PI * f, k = 2 * Math.PI / 0.12, hStep = 0.002;
        var g = VoxelGrid.Uniform(40, 4, 3, hStep);
        var e = new MultiChannelField(g, 1, FieldQuantity.E, FieldNormalisation.PerVoltIncident);
        for (int v = 0; v < g.VoxelCount; v++) e.Set(0, 2, v, Complex.Exp(Complex.ImaginaryOne * k * g.Centre(v).X));
        var b1 = B1PlusMap.FromE(e, f);
        double worst = 0;
        for (int i = 1; i < g.Nx - 1; i++)
        {
            int v = g.Index(i, 2, 1);
            var expected = Complex.ImaginaryOne * k / (2 * omega) * Complex.Exp(Complex.ImaginaryOne * k * g.Centre(v).X);
            worst = Math.Max(worst, (b1.Get(0, 0, v) - expected).Magnitude / expected.Magnitude);
        }
        Assert.True(worst < (k * hStep) * (k * hStep) / 6 * 1.1 + 1e-6, $"max relative error {worst}");
        Assert.True(worst > 0); // a finite difference, not exact
    }

    [Fact]
    public void DatasetWithoutHOrFrequencyIsRefused()
    {
        var g = VoxelGrid.Uniform(2, 2, 2, 0.01);
        var t = new TissueModel(g, new double[8], new double[8]);
        var ds = new SarDataset(t, new MultiChannelField(g, 1, FieldQuantity.E, FieldNormalisation.PerVoltIncident));
        Assert.Throws<SarKitInputException>(() => B1PlusMap.For(ds));
        var (_, origin) = B1PlusMap.For(new SarDataset(t, ds.E) { FrequencyHz = 298e6 });
        Assert.Equal(B1PlusMap.Origin.FromCurlE, origin);
    }
}
