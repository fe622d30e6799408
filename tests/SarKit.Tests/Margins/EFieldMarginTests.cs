using System.Numerics;
using SarKit.Averaging;
using SarKit.Compression;
using SarKit.Engines;
using SarKit.Fields;
using SarKit.Margins;
using SarKit.Sar;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Tests.Margins;

public class EFieldMarginTests
{
    [Fact]
    public void CrMatchesSeedDigitsAndClosedForms()
    {
        Assert.Equal(0.0, HotSpotCoefficient.Cr(1), 12);
        Assert.Equal(1 / Math.Sqrt(Math.PI), HotSpotCoefficient.Cr(2), 10);   // E max of 2 normals = 1/√π
        Assert.Equal(1.5 / Math.Sqrt(Math.PI), HotSpotCoefficient.Cr(3), 10); // = 3/(2√π)
        Assert.Equal("0.56", HotSpotCoefficient.Cr(2).ToString("F2", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("1.87", HotSpotCoefficient.Cr(20).ToString("F2", System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(HotSpotCoefficient.Cr(100) > HotSpotCoefficient.Cr(20) && HotSpotCoefficient.Cr(20) > HotSpotCoefficient.Cr(5));
        Assert.Throws<SarKitInputException>(() => HotSpotCoefficient.Cr(0));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(20)]
    public void CrMatchesMonteCarlo(int r)
    {
        var rng = new Random(r);
        const int trials = 100_000;
        double sum = 0, sum2 = 0;
        for (int t = 0; t < trials; t++)
        {
            double m = double.NegativeInfinity;
            for (int i = 0; i < r; i++) m = Math.Max(m, Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
            sum += m; sum2 += m * m;
        }
        double mean = sum / trials, se = Math.Sqrt((sum2 / trials - mean * mean) / trials);
        Assert.True(Math.Abs(mean - HotSpotCoefficient.Cr(r)) < 4 * se, $"MC {mean} ± {se} vs C_r {HotSpotCoefficient.Cr(r)}");
    }

    [Fact]
    public void NormalTailKnownValues()
    {
        Assert.Equal(0.5, HotSpotCoefficient.NormalUpperTail(0), 14);
        Assert.Equal(1.349898031630095e-3, HotSpotCoefficient.NormalUpperTail(3), 1e-15);
        Assert.Equal(2.866515718791939e-7, HotSpotCoefficient.NormalUpperTail(5), 1e-18);
        Assert.Equal(0.8413447460685429, HotSpotCoefficient.NormalCdf(1), 13);
    }

    [Fact]
    public void LargestEigenvalue3MatchesKernel()
    {
        var rng = new Random(5);
        for (int t = 0; t < 200; t++)
        {
            var m = new Complex[3, 3];
            for (int k = 0; k < 3; k++)
            {
                var v = new Complex[3]; for (int i = 0; i < 3; i++) v[i] = new Complex(rng.NextDouble() - 0.5, rng.NextDouble() - 0.5);
                for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) m[i, j] += v[i] * Complex.Conjugate(v[j]) * (t % 3 == k ? 1 : 1e-3);
            }
            double expect = HermitianKernels.LargestEigenvalue(HermitianPacking.Pack(m), 3);
            double got = EFieldMargin.LargestEigenvalue3(m[0, 0].Real, m[1, 1].Real, m[2, 2].Real, m[0, 1], m[0, 2], m[1, 2]);
            Assert.Equal(expect, got, 1e-12 * Math.Max(1, expect));
        }
    }

    internal static SarDataset Small(int channels = 4, int seed = 1) => SyntheticDatasets.Ptx(channels, (24, 20, 24), 0.012, 297.2e6, false, seed);

    [Fact]
    public void PointMarginBoundsTheStandardDeviationForEveryPhaseAndIsPsd()
    {
        var ds = Small();
        int n = ds.Channels;
        var model = new FieldUncertaintyModel { SigmaE = 0.1, Relative = true, K = 1, R = 1, IncludeExpectation = false }; // k + C_1 = 1: Q_e = (σ/ρ)K
        var (vox, qe) = EFieldMargin.PointMargins(ds.Tissue, ds.E, model);
        var q = QMatrixField.Compute(ds.Tissue, ds.E);
        Assert.Equal(q.VoxelIndices, vox);
        double sigma = model.AbsoluteSigma(ds.Tissue, ds.E);
        var rng = new Random(3);
        var ev = new double[n];
        for (int t = 0; t < vox.Length; t += 37)
        {
            var k = qe.AsSpan(t * n * n, n * n);
            HermitianKernels.Eigenvalues(k, n, ev);
            Assert.True(ev[0] >= -1e-12 * ev[n - 1], $"Q_e of voxel {vox[t]} is not PSD: λ_min {ev[0]}");
            int v = vox[t];
            double f = ds.Tissue.Sigma[v] / ds.Tissue.Rho[v];
            for (int trial = 0; trial < 5; trial++)
            {
                var s = new Complex[n];
                for (int i = 0; i < n; i++) s[i] = new Complex(rng.NextDouble() - 0.5, rng.NextDouble() - 0.5);
                double ns = Math.Sqrt(s.Sum(z => z.Magnitude * z.Magnitude));
                double es = 0;
                for (int j = 0; j < 3; j++) { Complex acc = 0; for (int c = 0; c < n; c++) acc += s[c] * ds.E.Get(c, j, v); es += acc.Magnitude * acc.Magnitude; }
                double std = f * Math.Sqrt(0.5) * sigma * ns * Math.Sqrt(es);
                double bound = HermitianPacking.QuadraticForm(k, HermitianPacking.DriveWeights(s));
                Assert.True(bound >= std * (1 - 1e-9), $"voxel {v}: sᴴQ_e s = {bound} < std {std}");
            }
        }
    }

    [Fact]
    public void SeedFormIsIndefiniteForUnequalChannelFields()
    {
        var ds = Small(2);
        var model = new FieldUncertaintyModel { SigmaE = 0.1, Relative = true, IncludeExpectation = false, Form = MarginMatrixForm.Seed };
        var (_, qe) = EFieldMargin.PointMargins(ds.Tissue, ds.E, model);
        var ev = new double[2];
        int negative = 0;
        for (int t = 0; t < qe.Length / 4; t++) { HermitianKernels.Eigenvalues(qe.AsSpan(t * 4, 4), 2, ev); if (ev[0] < 0) negative++; }
        Assert.True(negative > 0);
    }

    [Fact]
    public void AveragedProtectedSetDominatesQAndMatchesSeparateAveraging()
    {
        var ds = Small();
        int n = ds.Channels, n2 = n * n;
        var cubes = AveragingCubeSet.Build(ds.Tissue, new AveragingOptions { TargetMassKg = 0.010 });
        var q = AveragedQMatrixSet.Compute(ds, cubes);
        var model = new FieldUncertaintyModel { SigmaE = 0.15, Relative = true };
        var prot = EFieldMargin.Averaged(ds, cubes, model);
        var qe = EFieldMargin.Averaged(ds, cubes, model, includeQ: false);
        var dom = new bool[q.Count];
        var ev = new double[n];
        for (int c = 0; c < q.Count; c++)
        {
            var diff = new double[n2];
            for (int k = 0; k < n2; k++) diff[k] = prot.Packed(c)[k] - q.Packed(c)[k];
            for (int k = 0; k < n2; k++) Assert.Equal(qe.Packed(c)[k], diff[k], 1e-9 * Math.Abs(prot.Packed(c)[0]) + 1e-300);
            HermitianKernels.Eigenvalues(diff, n, ev);
            Assert.True(ev[0] >= -1e-12 * ev[n - 1], $"cube {c}: Q + Q_e − Q has λ_min {ev[0]}");
        }
        // the expectation term alone: ⟨3σ/(2ρ)⟩σ_e²·I, checked on one cube against a direct sum
        var onlyMean = EFieldMargin.Averaged(ds, cubes, model with { K = 0, R = 1 }, includeQ: false);
        var noMean = EFieldMargin.Averaged(ds, cubes, model with { K = 0, R = 1, IncludeExpectation = false }, includeQ: false);
        double sig = model.AbsoluteSigma(ds.Tissue, ds.E);
        var cAvg = AveragedQMatrixSet.AverageComponents(ds, cubes, 1, (v, d, _) => d[0] = 0.5 * ds.Tissue.Sigma[v] * cubes.VoxelSizeX * cubes.VoxelSizeY * cubes.VoxelSizeZ);
        for (int c = 0; c < q.Count; c += 11)
            Assert.Equal(3 * cAvg[c] * sig * sig, onlyMean.Packed(c)[0] - noMean.Packed(c)[0], 1e-9 * onlyMean.Packed(c)[0]);
        // SAR increase for the focus drive is positive
        var focus = new DriveVector(MarginValidation.FocusDrive(ds));
        var inc = EFieldMargin.Increase(q, prot, focus);
        Assert.True(inc.RelativeIncrease > 0);
        // a pulse of one sample is the drive; a two-sample pulse is the weighted per-cube average, maximised over cubes
        var one = EFieldMargin.Increase(q, prot, [focus]);
        Assert.Equal(inc.ProtectedPeakSar, one.ProtectedPeakSar, 1e-12 * inc.ProtectedPeakSar);
        var cp = DriveVector.Uniform(n, 1);
        var pulse = EFieldMargin.Increase(q, prot, [focus, cp], [0.25, 0.75]);
        var a = prot.CubeSar(focus); var b = prot.CubeSar(cp);
        Assert.Equal(Enumerable.Range(0, a.Length).Max(c => 0.25 * a[c] + 0.75 * b[c]), pulse.ProtectedPeakSar, 1e-12 * pulse.ProtectedPeakSar);
    }

    [Fact]
    public void VopTransformDominatesProtectedMatrices()
    {
        var ds = Small(3);
        int n = 3, n2 = 9;
        var cubes = AveragingCubeSet.Build(ds.Tissue, new AveragingOptions { TargetMassKg = 0.010 });
        var q = AveragedQMatrixSet.Compute(ds, cubes);
        var model = new FieldUncertaintyModel { SigmaE = 0.2, Relative = true };
        var qe = EFieldMargin.Averaged(ds, cubes, model, includeQ: false);
        var prot = EFieldMargin.Averaged(ds, cubes, model);
        // a trivially valid "VOP set": every Q-matrix is its own VOP
        var vops = new VopSet(n, q.AllPacked.ToArray(), Enumerable.Range(0, q.Count).ToArray(), new VopMargin(VopMarginKind.Diagonal, 0, new double[n2]),
            DominanceCriterion.Single, "identity", q.Count, VopSet.HashMatrices(q.AllPacked), VopSet.WorstCaseSar(q.AllPacked, n), q.Normalisation);
        var t = EFieldMargin.ApplyToVops(vops, qe.AllPacked, model);
        Assert.Null(t.Certificate);
        var dom = new bool[q.Count];
        for (int c = 0; c < q.Count; c++) Assert.True(HermitianKernels.Dominates(t.Matrix(c), prot.Packed(c), n, 1e-12 * t.SarWorstCase));
    }

    [Fact]
    public void LoewnerBoundsHoldForSampledErrors()
    {
        var rng = new Random(7);
        int n = 4;
        var q = Constraints.MvieSolverTests.RandomPsd(20, n, 1);
        double delta = 0.1;
        var bound = LoewnerMargins.RelativePerChannel(q, n, delta);
        for (int t = 0; t < 2000; t++)
        {
            int c = t % 20;
            var s = new Complex[n]; var ds = new Complex[n];
            for (int i = 0; i < n; i++)
            {
                s[i] = new Complex(rng.NextDouble() - 0.5, rng.NextDouble() - 0.5);
                ds[i] = s[i] * (1 + delta * Complex.FromPolarCoordinates(rng.NextDouble(), 2 * Math.PI * rng.NextDouble()));
            }
            double truth = HermitianPacking.QuadraticForm(q.AsSpan(c * 16, 16), HermitianPacking.DriveWeights(ds));
            double b = HermitianPacking.QuadraticForm(bound.AsSpan(c * 16, 16), HermitianPacking.DriveWeights(s));
            Assert.True(truth <= b * (1 + 1e-12));
        }
        Assert.Equal(1.21 * q[0], LoewnerMargins.RelativeTotalField(q, 0.1)[0], 1e-12);
        Assert.Throws<SarKitInputException>(() => LoewnerMargins.SafetyFactor(q, 0.5));
    }
}
