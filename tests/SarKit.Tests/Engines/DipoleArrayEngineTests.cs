using System.Numerics;
using SarKit.Engines;
using SarKit.Fields;
using SarKit.Grid;
using static SarKit.Tests.Engines.FieldTestHelpers;

namespace SarKit.Tests.Engines;

public class DipoleArrayEngineTests
{
    private const double F = 128e6;
    private static readonly HomogeneousMedium Muscle = HomogeneousMedium.Of(TissueSet.At128MHz.Muscle, "muscle");
    private static readonly HomogeneousMedium Lossless = new(0, 50) { Name = "lossless" };
    private static double Omega => 2 * Math.PI * F;

    public static TheoryData<PointSourceKind, bool> KindsAndLoss => new()
    {
        { PointSourceKind.ElectricDipole, true }, { PointSourceKind.ElectricDipole, false },
        { PointSourceKind.MagneticDipole, true }, { PointSourceKind.MagneticDipole, false },
    };

    private static PointSource Tilted(PointSourceKind kind, (double, double, double) pos)
        => new(kind, pos, (0.3, -0.5, 0.8), kind == PointSourceKind.ElectricDipole ? 0.05 : 2e-3, new Complex(0.7, -0.4));

    [Theory, MemberData(nameof(KindsAndLoss))]
    public void FieldsSatisfyMaxwellsCurlEquationsAndGaussLaw(PointSourceKind kind, bool lossy)
    {
        var medium = lossy ? Muscle : Lossless;
        var src = Tilted(kind, (0.01, -0.02, 0.03));
        var k = medium.Wavenumber(F); var epsC = medium.ComplexPermittivity(F); double mu = medium.Mu;
        foreach (var p in new[] { (0.05, 0.02, 0.04), (-0.03, 0.08, -0.06), (0.2, -0.1, 0.15), (0.015, -0.018, 0.034) })
        {
            double r = Math.Sqrt(Math.Pow(p.Item1 - 0.01, 2) + Math.Pow(p.Item2 + 0.02, 2) + Math.Pow(p.Item3 - 0.03, 2));
            double h = 1e-5 * r; // truncation ~ (h/r)²·(1/kr)², round-off ~ 1e-16·r/h
            var (e, hf) = DipoleArrayEngine.Evaluate(src, medium, F, p);
            var je = Jacobian(q => DipoleArrayEngine.Evaluate(src, medium, F, q).E, p, h);
            var jh = Jacobian(q => DipoleArrayEngine.Evaluate(src, medium, F, q).H, p, h);
            // Faraday: ∇×E = −jωμH; Ampère (source-free): ∇×H = (σ + jωε)E = jωε_c E; Gauss: ∇·E = 0, ∇·H = 0.
            var faraday = Curl(je) - new Complex(0, -Omega * mu) * hf;
            var ampere = Curl(jh) - new Complex(0, Omega) * epsC * e;
            double scaleE = (k.Magnitude + 1 / r) * e.Norm, scaleH = (k.Magnitude + 1 / r) * hf.Norm;
            Assert.True(faraday.Norm < 1e-6 * Omega * mu * hf.Norm, $"Faraday residual {faraday.Norm / (Omega * mu * hf.Norm):E2} at {p}");
            Assert.True(ampere.Norm < 1e-6 * (Omega * epsC).Magnitude * e.Norm, $"Ampère residual {ampere.Norm / ((Omega * epsC).Magnitude * e.Norm):E2} at {p}");
            Assert.True(Divergence(je).Magnitude < 1e-6 * scaleE, $"div E {Divergence(je).Magnitude / scaleE:E2} at {p}");
            Assert.True(Divergence(jh).Magnitude < 1e-6 * scaleH, $"div H {Divergence(jh).Magnitude / scaleH:E2} at {p}");
        }
    }

    [Fact]
    public void GridFieldsSatisfyMaxwellByFiniteDifferencesOfStoredComplex64()
    {
        // Fine 0.5 mm grid around (5, 3, 2) cm from a tilted dipole and a loop at the origin, lossy muscle at 128 MHz.
        double d = 0.5e-3;
        var grid = VoxelGrid.Uniform(9, 9, 9, d, (0.05 - 4.5 * d, 0.03 - 4.5 * d, 0.02 - 4.5 * d));
        var engine = new DipoleArrayEngine(Muscle, F)
            .AddChannel(Tilted(PointSourceKind.ElectricDipole, (0, 0, 0)))
            .AddChannel(Tilted(PointSourceKind.MagneticDipole, (0, 0, 0)));
        var f = engine.Compute(grid, includeH: true);
        double mu = Muscle.Mu; var epsC = Muscle.ComplexPermittivity(F);
        for (int c = 0; c < 2; c++)
            foreach (var (i, j, k) in new[] { (4, 4, 4), (2, 5, 3), (6, 2, 6) })
            {
                var je = GridJacobian(f.E, c, grid, i, j, k, d);
                var jh = GridJacobian(f.H!, c, grid, i, j, k, d);
                int n = grid.Index(i, j, k);
                var e = new ComplexVector3(f.E.Get(c, 0, n), f.E.Get(c, 1, n), f.E.Get(c, 2, n));
                var h = new ComplexVector3(f.H!.Get(c, 0, n), f.H.Get(c, 1, n), f.H.Get(c, 2, n));
                double relF = (Curl(je) + new Complex(0, Omega * mu) * h).Norm / (Omega * mu * h.Norm);
                double relA = (Curl(jh) - new Complex(0, Omega) * epsC * e).Norm / ((Omega * epsC).Magnitude * e.Norm);
                double relD = Divergence(je).Magnitude / ((Muscle.Wavenumber(F).Magnitude + 1 / 0.06) * e.Norm);
                Assert.True(relF < 5e-3, $"ch{c} ({i},{j},{k}): Faraday residual {relF:E2}");
                Assert.True(relA < 5e-3, $"ch{c} ({i},{j},{k}): Ampère residual {relA:E2}");
                Assert.True(relD < 5e-3, $"ch{c} ({i},{j},{k}): div E residual {relD:E2}");
            }
    }

    private static Complex[,] GridJacobian(MultiChannelField f, int c, VoxelGrid g, int i, int j, int k, double d)
    {
        var jac = new Complex[3, 3];
        for (int a = 0; a < 3; a++)
        {
            jac[a, 0] = (f.Get(c, a, g.Index(i + 1, j, k)) - f.Get(c, a, g.Index(i - 1, j, k))) / (2 * d);
            jac[a, 1] = (f.Get(c, a, g.Index(i, j + 1, k)) - f.Get(c, a, g.Index(i, j - 1, k))) / (2 * d);
            jac[a, 2] = (f.Get(c, a, g.Index(i, j, k + 1)) - f.Get(c, a, g.Index(i, j, k - 1))) / (2 * d);
        }
        return jac;
    }

    [Theory]
    [InlineData(false, 1e-3)]
    [InlineData(false, 0.3)]
    [InlineData(false, 1.0)]
    [InlineData(false, 7.0)]
    [InlineData(true, 0.5)]
    [InlineData(true, 3.0)]
    public void ElectricDipoleMatchesBalanisSphericalComponents(bool lossy, double kr)
    {
        // Balanis, Antenna Theory 3rd ed. eqs. (4-8a)–(4-10c), z-directed infinitesimal dipole at the origin.
        var medium = lossy ? Muscle : Lossless;
        Complex k = medium.Wavenumber(F), eta = medium.Impedance(F), j = Complex.ImaginaryOne;
        double l = 0.02, theta = 0.7, phi = 2.1, r = kr / k.Magnitude;
        var src = PointSource.ElectricDipole((0, 0, 0), (0, 0, 1), l);
        var (e, h) = DipoleArrayEngine.Evaluate(src, medium, F, Spherical(r, theta, phi));
        Complex ph = Complex.Exp(-j * k * r), a = 1 / (j * k * r);
        Complex er = eta * l * Math.Cos(theta) / (2 * Math.PI * r * r) * (1 + a) * ph;
        Complex et = j * eta * k * l * Math.Sin(theta) / (4 * Math.PI * r) * (1 + a - 1 / (k * r * k * r)) * ph;
        Complex hp = j * k * l * Math.Sin(theta) / (4 * Math.PI * r) * (1 + a) * ph;
        AssertClose(FromSpherical(er, et, 0, theta, phi), e, 1e-12, "E");
        AssertClose(FromSpherical(0, 0, hp, theta, phi), h, 1e-12, "H");
    }

    [Fact]
    public void LosslessElectricDipoleFarAndNearFieldLimits()
    {
        double l = 0.01, theta = 1.1;
        Complex k = Lossless.Wavenumber(F); double eta = Lossless.Impedance(F).Real;
        var src = PointSource.ElectricDipole((0, 0, 0), (0, 0, 1), l);
        // Far field: |E| = η k I l sinθ / (4π r), |H| = |E|/η, at kr = 1e4.
        double rFar = 1e4 / k.Real;
        var (e, h) = DipoleArrayEngine.Evaluate(src, Lossless, F, Spherical(rFar, theta, 0.4));
        double expected = eta * k.Real * l * Math.Sin(theta) / (4 * Math.PI * rFar);
        Assert.Equal(1, e.Norm / expected, 6);
        Assert.Equal(1, h.Norm * eta / expected, 6);
        // Near (quasi-static) field at kr = 1e-4: E = q l/(4π ε r³)(2cosθ r̂ + sinθ θ̂), q l = I l/(jω).
        double rNear = 1e-4 / k.Real;
        var (en, _) = DipoleArrayEngine.Evaluate(src, Lossless, F, Spherical(rNear, theta, 0.4));
        Complex ql = l / (Complex.ImaginaryOne * Omega);
        Complex c = ql / (4 * Math.PI * HomogeneousMedium.Epsilon0 * Lossless.EpsilonR * Math.Pow(rNear, 3));
        AssertClose(FromSpherical(2 * Math.Cos(theta) * c, Math.Sin(theta) * c, 0, theta, 0.4), en, 1e-6, "near E");
    }

    [Theory]
    [InlineData(false, 0.2)]
    [InlineData(false, 2.0)]
    [InlineData(true, 0.8)]
    public void LoopMatchesBalanisSmallLoop(bool lossy, double kr)
    {
        // Balanis, Antenna Theory 3rd ed. eqs. (5-18a)–(5-18c) with S = πa²: loop in the xy-plane, moment I·S along +z.
        var medium = lossy ? Muscle : Lossless;
        Complex k = medium.Wavenumber(F), eta = medium.Impedance(F), j = Complex.ImaginaryOne;
        double area = 3e-3, theta = 2.3, phi = -0.6, r = kr / k.Magnitude;
        var src = PointSource.MagneticDipole((0, 0, 0), (0, 0, 1), area);
        var (e, h) = DipoleArrayEngine.Evaluate(src, medium, F, Spherical(r, theta, phi));
        Complex ph = Complex.Exp(-j * k * r), a = 1 / (j * k * r);
        Complex hr = j * k * area * Math.Cos(theta) / (2 * Math.PI * r * r) * (1 + a) * ph;
        Complex ht = -k * k * area * Math.Sin(theta) / (4 * Math.PI * r) * (1 + a - 1 / (k * r * k * r)) * ph;
        Complex ep = eta * k * k * area * Math.Sin(theta) / (4 * Math.PI * r) * (1 + a) * ph;
        AssertClose(FromSpherical(hr, ht, 0, theta, phi), h, 1e-12, "H");
        AssertClose(FromSpherical(0, 0, ep, theta, phi), e, 1e-12, "E");
    }

    [Fact]
    public void LoopIsTheDualOfTheElectricDipole()
    {
        // Duality (Balanis §3.7 / §5.2): a loop of moment m = I·A equals a magnetic current element K·l = jωμ·I·A, so for
        // the same orientation and position E_loop = −jωμ (m/p) H_dipole and H_loop = jωε_c (m/p) E_dipole.
        double l = 0.03, area = 4e-3;
        var dir = (0.2, 0.9, -0.4); var pos = (0.01, 0.0, -0.02);
        Complex epsC = Muscle.ComplexPermittivity(F), j = Complex.ImaginaryOne;
        foreach (var p in new[] { (0.05, 0.05, 0.05), (-0.1, 0.02, 0.0), (0.0, -0.3, 0.2) })
        {
            var (ed, hd) = DipoleArrayEngine.Evaluate(PointSource.ElectricDipole(pos, dir, l), Muscle, F, p);
            var (el, hl) = DipoleArrayEngine.Evaluate(PointSource.MagneticDipole(pos, dir, area), Muscle, F, p);
            AssertClose(-j * Omega * Muscle.Mu * (area / l) * hd, el, 1e-12, "E loop");
            AssertClose(j * Omega * epsC * (area / l) * ed, hl, 1e-12, "H loop");
        }
    }

    [Theory]
    [InlineData(PointSourceKind.ElectricDipole)]
    [InlineData(PointSourceKind.MagneticDipole)]
    public void RotatingSourceAndObserverTogetherRotatesTheField(PointSourceKind kind)
    {
        var rot = RotationZyz(0.4, 1.9, -2.2);
        var src = Tilted(kind, (0.02, 0.01, -0.03));
        var rotated = new PointSource(kind, Rotate(rot, src.Position), Rotate(rot, src.Direction), src.Size, src.Weight);
        foreach (var p in new[] { (0.1, 0.0, 0.0), (0.03, -0.07, 0.12), (-0.2, 0.3, 0.1) })
        {
            var (e, h) = DipoleArrayEngine.Evaluate(src, Muscle, F, p);
            var (er, hr) = DipoleArrayEngine.Evaluate(rotated, Muscle, F, Rotate(rot, p));
            AssertClose(Rotate(rot, e), er, 1e-12, "E");
            AssertClose(Rotate(rot, h), hr, 1e-12, "H");
        }
    }

    [Fact]
    public void LorentzReciprocityBetweenTwoElectricDipoles()
    {
        // p2·E1(r2) = p1·E2(r1) for electric dipoles in a reciprocal medium.
        var s1 = PointSource.ElectricDipole((0.01, 0.02, 0.0), (0.3, 0.1, 0.9), 0.04);
        var s2 = PointSource.ElectricDipole((0.12, -0.05, 0.07), (-0.6, 0.7, 0.2), 0.02);
        var e1 = DipoleArrayEngine.Evaluate(s1, Muscle, F, s2.Position).E;
        var e2 = DipoleArrayEngine.Evaluate(s2, Muscle, F, s1.Position).E;
        Complex a = s2.Size * (s2.Direction.X * e1.X + s2.Direction.Y * e1.Y + s2.Direction.Z * e1.Z);
        Complex b = s1.Size * (s1.Direction.X * e2.X + s1.Direction.Y * e2.Y + s1.Direction.Z * e2.Z);
        Assert.True((a - b).Magnitude < 1e-12 * a.Magnitude, $"{a} vs {b}");
    }

    [Fact]
    public void ChannelWithTwoSourcesIsTheSumOfTheSingleSourceChannels()
    {
        var grid = VoxelGrid.Uniform(12, 10, 8, 0.01, (-0.06, -0.05, -0.04));
        var a = PointSource.ElectricDipole((0.1, 0.0, 0.0), (0, 0, 1), 0.05);
        var b = PointSource.MagneticDipole((-0.08, 0.07, 0.02), (1, -1, 0), 3e-3);
        Complex wa = new(0.5, 0.2), wb = new(-0.3, 1.1);
        var engine = new DipoleArrayEngine(Muscle, F)
            .AddChannel(a).AddChannel(b)
            .AddChannel("both", new PointSource(a.Kind, a.Position, a.Direction, a.Size, wa), new PointSource(b.Kind, b.Position, b.Direction, b.Size, wb));
        var f = engine.Compute(grid, includeH: true, includeB1Plus: true);
        foreach (var field in new[] { f.E, f.H!, f.B1Plus! })
            for (int comp = 0; comp < field.Components; comp++)
                for (int n = 0; n < grid.VoxelCount; n++)
                {
                    Complex x = wa * field.Get(0, comp, n), y = wb * field.Get(1, comp, n), s = field.Get(2, comp, n);
                    Assert.True((s - x - y).Magnitude <= 1e-6 * (x.Magnitude + y.Magnitude), $"{field.Quantity}[{comp}] voxel {n}: {s} vs {x + y}");
                }
        Assert.Equal(FieldNormalisation.PerAmpere, f.E.Normalisation);
        Assert.Equal(new[] { "ch0", "ch1", "both" }, f.E.ChannelNames);
    }

    [Fact]
    public void GridValuesEqualPointEvaluationAndB1PlusFollowsItsDefinition()
    {
        var grid = VoxelGrid.Uniform(7, 6, 5, 0.02, (-0.07, -0.06, -0.05));
        var engine = new DipoleArrayEngine(Muscle, F)
            .AddChannel(Tilted(PointSourceKind.ElectricDipole, (0.11, 0.0, 0.0)))
            .AddChannel(Tilted(PointSourceKind.MagneticDipole, (0.0, -0.1, 0.02)));
        var f = engine.Compute(grid, includeH: true, includeB1Plus: true);
        for (int c = 0; c < 2; c++)
            for (int n = 0; n < grid.VoxelCount; n++)
            {
                var (e, h) = engine.Evaluate(c, grid.Centre(n));
                for (int a = 0; a < 3; a++)
                {
                    Assert.True((f.E.Get(c, a, n) - e[a]).Magnitude <= 1e-6 * e.Norm);
                    Assert.True((f.H!.Get(c, a, n) - h[a]).Magnitude <= 1e-6 * h.Norm);
                }
                Complex b1 = HomogeneousMedium.Mu0 * (h.X + Complex.ImaginaryOne * h.Y) / 2;
                Assert.True((f.B1Plus!.Get(c, 0, n) - b1).Magnitude <= 1e-6 * HomogeneousMedium.Mu0 * h.Norm);
            }
    }

    [Fact]
    public void B1PlusSelectsTheFieldRotatingFromXTowardsY()
    {
        // Two crossed loops at the origin with normals x and y, driven 1 and −j: on the z axis H ∝ (1, −j, 0), i.e.
        // H(t) ∝ (cos ωt, sin ωt): counter-clockwise seen from +z. B1+ = μ(Hx + jHy)/2 is then maximal and
        // μ(Hx − jHy)/2 vanishes; the opposite drive (1, +j) gives zero B1+.
        var grid = VoxelGrid.Uniform(1, 1, 1, 0.01, (-0.005, -0.005, 0.045)); // one voxel centred at (0, 0, 0.05)
        var x = PointSource.MagneticDipole((0, 0, 0), (1, 0, 0), 1e-3);
        var y = PointSource.MagneticDipole((0, 0, 0), (0, 1, 0), 1e-3);
        var engine = new DipoleArrayEngine(Muscle, F)
            .AddChannel("ccw", x, new PointSource(y.Kind, y.Position, y.Direction, y.Size, -Complex.ImaginaryOne))
            .AddChannel("cw", x, new PointSource(y.Kind, y.Position, y.Direction, y.Size, Complex.ImaginaryOne));
        var f = engine.Compute(grid, includeH: true, includeB1Plus: true);
        double hx = f.H!.Get(0, 0, 0).Magnitude;
        Assert.Equal(HomogeneousMedium.Mu0 * hx, f.B1Plus!.Get(0, 0, 0).Magnitude, 1e-6 * HomogeneousMedium.Mu0 * hx);
        Assert.True(f.B1Plus.Get(1, 0, 0).Magnitude < 1e-6 * HomogeneousMedium.Mu0 * hx);
    }

    [Fact]
    public void SourceCloserThanHalfAVoxelToAVoxelCentreIsRejected()
    {
        var grid = VoxelGrid.Uniform(10, 10, 10, 0.01);
        var atCentre = new DipoleArrayEngine(Muscle, F).AddChannel("bad", PointSource.ElectricDipole((0.0551, 0.045, 0.047), (0, 0, 1), 0.05));
        var ex = Assert.Throws<SarKitInputException>(() => atCentre.Compute(grid));
        Assert.Contains("bad", ex.Message);
        Assert.Contains("i=5, j=4, k=4", ex.Message);
        // A voxel corner is √3/2 voxel from the nearest centres: allowed, and the result is finite.
        var atCorner = new DipoleArrayEngine(Muscle, F).AddChannel(PointSource.MagneticDipole((0.05, 0.04, 0.03), (0, 0, 1), 1e-3));
        atCorner.Compute(grid).E.Validate();
        // Outside the grid: allowed.
        new DipoleArrayEngine(Muscle, F).AddChannel(PointSource.ElectricDipole((0.2, 0.05, 0.05), (0, 0, 1), 0.05)).Compute(grid).E.Validate();
        Assert.Throws<SarKitInputException>(() => new DipoleArrayEngine(Muscle, F).Compute(grid));
    }

    [Fact]
    public void BadSourcesAndMediaAreRejected()
    {
        Assert.Throws<SarKitInputException>(() => PointSource.ElectricDipole((0, 0, 0), (0, 0, 0), 0.1));
        Assert.Throws<SarKitInputException>(() => PointSource.ElectricDipole((0, 0, double.NaN), (0, 0, 1), 0.1));
        Assert.Throws<SarKitInputException>(() => PointSource.MagneticDipole((0, 0, 0), (0, 0, 1), -1));
        Assert.Throws<SarKitInputException>(() => new HomogeneousMedium(-0.1, 50));
        Assert.Throws<SarKitInputException>(() => new HomogeneousMedium(0.1, 0));
        Assert.Throws<SarKitInputException>(() => new DipoleArrayEngine(Muscle, 0));
    }

    [Fact]
    public void WavenumberOfMuscleDecaysAndMatchesTheTextbookFormula()
    {
        // k = ω√(μ ε_c); lossy: Im k < 0 (exp(+jωt), waves e^{−jkr} decay). Vacuum: k = ω/c.
        var k = Muscle.Wavenumber(F);
        Assert.True(k.Imaginary < 0 && k.Real > 0);
        var k2 = Omega * Omega * Muscle.Mu * Muscle.ComplexPermittivity(F);
        Assert.True((k * k - k2).Magnitude < 1e-12 * k2.Magnitude);
        Assert.Equal(Omega / 299792458.0, HomogeneousMedium.Vacuum.Wavenumber(F).Real, 1e-9 * Omega / 299792458.0);
        Assert.Equal(376.730313668, HomogeneousMedium.Vacuum.Impedance(F).Real, 1e-6);
    }

    private static void AssertClose(ComplexVector3 expected, ComplexVector3 actual, double rel, string what)
    {
        double err = (expected - actual).Norm, scale = expected.Norm;
        Assert.True(err <= rel * scale, $"{what}: expected {expected}, got {actual} (relative error {err / scale:E2})");
    }
}
