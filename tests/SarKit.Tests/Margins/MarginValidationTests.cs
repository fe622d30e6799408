using SarKit.Averaging;
using SarKit.Margins;
using SarKit.Numerics.Statistics;

namespace SarKit.Tests.Margins;

public class MarginValidationTests
{
    private static (SarDataset, AveragingCubeSet, AveragedQMatrixSet) Setup()
    {
        var ds = EFieldMarginTests.Small(4, 2);
        var cubes = AveragingCubeSet.Build(ds.Tissue, new AveragingOptions { TargetMassKg = 0.010 });
        return (ds, cubes, AveragedQMatrixSet.Compute(ds, cubes));
    }

    [Theory]
    [InlineData(FieldErrorDistribution.Gaussian)]
    [InlineData(FieldErrorDistribution.StudentT)]
    [InlineData(FieldErrorDistribution.Laplace)]
    public void ExceedanceProbabilityIsConsistentWithTarget(FieldErrorDistribution dist)
    {
        var (ds, cubes, q) = Setup();
        var model = new FieldUncertaintyModel { SigmaE = 0.15, Relative = true, K = 3, R = 2 };
        var prot = EFieldMargin.Averaged(ds, cubes, model);
        var r = MarginValidation.Run(ds, cubes, q, prot, model, new MarginValidationOptions { Trials = 1500, RandomDrives = 4, Distribution = dist, Seed = 1 });
        Assert.Equal(5 * 1500, r.Trials);
        Assert.True(r.WithinTarget, $"{dist}: p = {r.Probability} [{r.CiLow}, {r.CiHigh}] vs target {r.Target}");
        // without the margin the true psSAR is exceeded often (the mean error is positive): the test can fail
        Assert.True(r.ProbabilityWithoutMargin > 0.3, $"without margin p = {r.ProbabilityWithoutMargin}");
        Assert.All(r.Drives, d => Assert.True(d.MeanTrueOverNominal > 1));
    }

    [Fact]
    public void TooSmallMarginIsDetected()
    {
        // k = 0, r = 1, no expectation term: Q_e = (σ/ρ)K only covers one standard deviation bound → exceeded noticeably
        var (ds, cubes, q) = Setup();
        var model = new FieldUncertaintyModel { SigmaE = 0.15, Relative = true, K = 0, R = 1, IncludeExpectation = false };
        var prot = EFieldMargin.Averaged(ds, cubes, model);
        var r = MarginValidation.Run(ds, cubes, q, prot, model, new MarginValidationOptions { Trials = 2000, RandomDrives = 2, Seed = 2 });
        Assert.True(r.Probability > r.Target, $"p = {r.Probability}");
    }

    [Fact]
    public void WilsonIntervalKnownValues()
    {
        var (lo, hi) = MarginValidation.Wilson(0, 1000, 0.95);
        Assert.Equal(0, lo, 1e-15);
        Assert.Equal(0.003826, hi, 5);
        (lo, hi) = MarginValidation.Wilson(50, 100, 0.95);
        Assert.Equal(0.4038, lo, 3); Assert.Equal(0.5962, hi, 3);
    }
}
