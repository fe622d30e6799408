using SarKit.Measurement.Probe;
using SarKit.Numerics.Statistics;

namespace SarKit.Tests.Measurement.Probe;

public class ScanAveragingTests
{
    // cube with its top face on the surface over S(d) = S0 e^(−d/δ), laterally uniform: ⟨S⟩ = S0 (δ/L)(1 − e^(−L/δ))
    private static double ExpCube(double s0, double delta, double L) => s0 * delta / L * (1 - Math.Exp(-L / delta));

    [Fact]
    public void CubeSideFromDensity()
    {
        Assert.Equal(0.010, SarVolume.CubeSide(1e-3, 1000), 12);
        Assert.Equal(0.0215443469, SarVolume.CubeSide(10e-3, 1000), 9);
        Assert.Equal(Math.Cbrt(1e-3 / 1250), SarVolume.CubeSide(1e-3, 1250), 15);
    }

    [Fact]
    public void UniformVolumeAveragesToTheConstant()
    {
        var v = SarVolume.Sample((x, y, d) => 1.7, -0.015, 0.015, -0.015, 0.015, 0.025, 0.0005);
        foreach (var m in new[] { 1e-3, 10e-3 }) Assert.Equal(1.7, v.PeakCube(m, 1000).AverageWPerKg, 12);
        Assert.Equal(1.7, v.PeakCube(1e-3, 1250).AverageWPerKg, 12);
    }

    [Fact]
    public void ExponentialVolumeMatchesClosedForm()
    {
        const double s0 = 2.0, delta = 0.008;
        var v = SarVolume.Sample((x, y, d) => s0 * Math.Exp(-d / delta), -0.011, 0.011, -0.011, 0.011, 0.025, 0.00025);
        foreach (var (m, rho) in new[] { (1e-3, 1000.0), (10e-3, 1000.0), (1e-3, 1250.0) })
        {
            double L = SarVolume.CubeSide(m, rho);
            Assert.InRange(v.PeakCube(m, rho).AverageWPerKg / ExpCube(s0, delta, L), 1 - 2e-4, 1 + 2e-4); // midpoint rule ~(h/δ)²/24 plus the partial bottom voxel
        }
    }

    [Fact]
    public void CubeTooLargeForZoomIsAnError()
    {
        var v = SarVolume.Sample((x, y, d) => 1, -0.005, 0.005, -0.005, 0.005, 0.025, 0.0005);
        Assert.Contains("wider than the zoom scan", Assert.Throws<SarKitInputException>(() => v.PeakCube(10e-3, 1000)).Message);
        var w = SarVolume.Sample((x, y, d) => 1, -0.015, 0.015, -0.015, 0.015, 0.008, 0.0005);
        Assert.Contains("deeper than", Assert.Throws<SarKitInputException>(() => w.PeakCube(1e-3, 1000)).Message);
    }

    private static ScanResult Run(Func<double, double, double, double> sar, ProbeCalibration? cal = null, double rho = 1000, ExtrapolationModel model = ExtrapolationModel.Exponential)
    {
        cal ??= ProbeTestData.Calibration();
        var scan = ScanFile.Parse(ProbeTestData.StandardScan(sar, cal), "synthetic.csv");
        return ScanProcessor.Process(scan, cal, ProbeTestData.Liquid(rho), ProbeTestData.Options() with { Extrapolation = model });
    }

    [Fact]
    public void PipelineUniformField()
    {
        var r = Run((x, y, d) => 1.25);
        Assert.Equal(1.25, r.PeakSar(1), 9);
        Assert.Equal(1.25, r.PeakSar(10), 9);
        Assert.Equal(1.25, r.Area.PeakWPerKg, 9);
    }

    [Fact]
    public void PipelineExponentialDecayMatchesClosedForm()
    {
        const double s0 = 2.0, delta = 0.010;
        foreach (var rho in new[] { 1000.0, 1250.0 })
        {
            var r = Run((x, y, d) => s0 * Math.Exp(-d / delta), rho: rho);
            Assert.Equal(1, r.PeakSar(1) / ExpCube(s0, delta, SarVolume.CubeSide(1e-3, rho)), 3);
            Assert.Equal(1, r.PeakSar(10) / ExpCube(s0, delta, SarVolume.CubeSide(10e-3, rho)), 3);
            Assert.Equal(s0, r.PeakColumn.Exponential!.S0, 6);
            Assert.Equal(delta, r.PeakColumn.Exponential.DecayLengthM, 8);
            // the manual's 1 cm integral is the same closed form with L = 1 cm
            Assert.Equal(ExpCube(s0, delta, 0.01), r.SeedIntegral!.SarWPerKg, 6);
        }
    }

    [Fact]
    public void PipelineGaussianPeakMatchesClosedForm()
    {
        // S = S0 e^(−d/δ) e^(−((x−x0)²+(y−y0)²)/(2w²)); cube centred on the peak:
        // ⟨S⟩ = S0 (δ/L)(1 − e^(−L/δ)) · [w√(2π)/L · erf(L/(2√2 w))]²
        const double s0 = 3, delta = 0.012, w = 0.015, x0 = 0.0012, y0 = -0.0017;
        var r = Run((x, y, d) => s0 * Math.Exp(-d / delta) * Math.Exp(-((x - x0) * (x - x0) + (y - y0) * (y - y0)) / (2 * w * w)));
        foreach (var m in new[] { 1e-3, 10e-3 })
        {
            double L = SarVolume.CubeSide(m, 1000);
            double lat = w * Math.Sqrt(2 * Math.PI) / L * Erf(L / (2 * Math.Sqrt(2) * w));
            double expect = ExpCube(s0, delta, L) * lat * lat;
            var c = r.Cubes.Single(q => Math.Abs(q.MassKg - m) < 1e-12);
            Assert.InRange(c.AverageWPerKg / expect, 0.995, 1.005);
            Assert.InRange(c.CentreXM, x0 - 0.001, x0 + 0.001);
            Assert.InRange(c.CentreYM, y0 - 0.001, y0 + 0.001);
        }
        Assert.InRange(r.Area.PeakXM, x0 - 0.0015, x0 + 0.0015);
        Assert.InRange(r.Area.PeakYM, y0 - 0.0015, y0 + 0.0015);
    }

    [Fact]
    public void PolynomialExtrapolationAlternative()
    {
        const double s0 = 2.0, delta = 0.010;
        var r = Run((x, y, d) => s0 * Math.Exp(-d / delta), model: ExtrapolationModel.Polynomial);
        Assert.InRange(r.PeakColumn.Polynomial!.S0 / s0, 0.99, 1.01);
        Assert.InRange(r.PeakSar(1) / ExpCube(s0, delta, 0.01), 0.99, 1.01);
    }

    // Abramowitz–Stegun 7.1.26 is too coarse here; use the series/continued fraction via the incomplete gamma: erf(x) = P(½, x²)
    private static double Erf(double x) => SarKit.Numerics.Statistics.StudentT.LowerGammaRegularized(0.5, x * x) * Math.Sign(x);

    [Fact]
    public void ExampleScanFileMatchesItsClosedForm()
    {
        // examples/probe/scan_example.csv, tools/fixtures/probe_example_scan.py (0.5 % noise): 1.96197 / 1.18022 W/kg
        var dir = Path.Combine(Support.SharedData.RepoRoot, "examples", "probe");
        var cal = ProbeCalibration.Read(Path.Combine(dir, "calibration.json"));
        var r = ScanProcessor.Process(ScanFile.Read(Path.Combine(dir, "scan_example.csv")), cal, LiquidProperties.Read(Path.Combine(dir, "liquid.json")),
            new ScanProcessingOptions { Date = new DateOnly(2026, 11, 21) });
        Assert.InRange(r.PeakSar(1) / 1.96197, 0.99, 1.01);
        Assert.InRange(r.PeakSar(10) / 1.18022, 0.99, 1.01);
    }
}
