using System.Numerics;
using CsCheck;
using SarKit.Averaging;
using SarKit.Compression;
using SarKit.Fields;
using SarKit.Sar;
using SarKit.Supervision;
using SarKit.Tests.Support;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Fuzz.Tests.Properties;

/// <summary>
/// Property-based tests (CsCheck, fixed seed) of the verdict-level arithmetic behind seq/pulse check and VOP supervision:
/// SAR scales with |amplitude|², Q-matrices are Hermitian PSD, VOPs dominate every Q-matrix for random drives, averaging a
/// non-negative SAR map stays within [0, max], and non-finite input is refused.
/// CsCheck runs the fixed <see cref="Seed"/> first and then random iterations, so every run explores new inputs (the
/// generators include values down to 1e-300); a failure prints the seed and the shrunk input. SARKIT_PROPERTY_ITER raises
/// the iteration count for a deeper local run.
/// </summary>
public class VerdictPropertyTests
{
    /// <summary>CsCheck seed of the first iteration; CsCheck prints the failing seed and input when a property fails.</summary>
    private const string Seed = "0N0XIzNsQ0O2";
    private static readonly int Iter = int.TryParse(Environment.GetEnvironmentVariable("SARKIT_PROPERTY_ITER"), out int iter) && iter > 0 ? iter : 300;

    private static readonly Gen<Complex> GenC = Gen.Select(Gen.Double[-1, 1], Gen.Double[-1, 1], (a, b) => new Complex(a, b));
    private static Gen<Complex[]> GenDrive(int n) => GenC.Array[n];

    /// <summary>A random Hermitian PSD N×N matrix AAᴴ (rank 1..N), packed as SarKit stores Q-matrices.</summary>
    private static Gen<double[]> GenPsd(int n) => Gen.Int[1, n].SelectMany(rank => GenC.Array[n * rank].Select(a =>
    {
        var q = new Complex[n, n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) { Complex s = 0; for (int l = 0; l < rank; l++) s += a[i * rank + l] * Complex.Conjugate(a[j * rank + l]); q[i, j] = s; }
        return HermitianPacking.Pack(q);
    }));

    private static double Sar(double[] packed, Complex[] b) => HermitianPacking.QuadraticForm(packed, HermitianPacking.DriveWeights(b));

    [Fact]
    public void SarOfADriveScalesWithAmplitudeSquared()
    {
        Gen.Select(Gen.Int[1, 8], Gen.Double[-1e3, 1e3], Gen.Double[0, 2 * Math.PI]).SelectMany((n, a, phi) =>
            Gen.Select(GenPsd(n), GenDrive(n), (q, b) => (q, b, a, phi)))
            .Sample(x =>
            {
                var (q, b, a, phi) = x;
                var f = Complex.FromPolarCoordinates(a, phi);
                double s = Sar(q, b), sa = Sar(q, b.Select(c => c * f).ToArray());
                return Math.Abs(sa - a * a * s) <= 1e-9 * Math.Max(1, Math.Abs(a * a * s)) + 1e-12;
            }, seed: Seed, iter: Iter, threads: 1);
    }

    [Fact]
    public void QuadraticFormOfAPsdMatrixIsNonNegativeAndBoundedByTheLargestEigenvalue()
    {
        Gen.Int[1, 8].SelectMany(n => Gen.Select(GenPsd(n), GenDrive(n), (q, b) => (n, q, b)))
            .Sample(x =>
            {
                var (n, q, b) = x;
                double s = Sar(q, b), norm = b.Sum(c => c.Magnitude * c.Magnitude);
                double lmax = VopSet.WorstCaseSar(q, n);
                double tr = 0; for (int i = 0; i < n; i++) tr += q[i]; // packed layout: the n real diagonal entries come first (HermitianPacking)
                return s >= -1e-12 * tr * norm && s <= lmax * norm * (1 + 1e-9) + 1e-12;
            }, seed: Seed, iter: Iter, threads: 1);
    }

    private static readonly Lazy<(double[] Q, int N, VopSet Vops)> Compressed = new(() =>
    {
        var t = TestPhantoms.Ellipsoid(9, 8, 10, 0.006, seed: 5);
        var e = TestPhantoms.RandomFields(t.Grid, 3, seed: 6);
        var set = AveragedQMatrixSet.Compute(new SarDataset(t, e), AveragingCubeSet.Build(t));
        int n = 3; var q = set.AllPacked.ToArray();
        var (vops, ver) = CertifiedVopCompression.Run(q, n, new VopCompressionOptions { Epsilon = 0.05, MaxDegreeOfParallelism = 1 }, new VopVerifierOptions { RandomDrives = 1000 });
        Assert.True(ver.Certificate.Passed);
        return (q, n, vops);
    });

    [Fact]
    public void AveragedQMatricesAreHermitianPsd()
    {
        var (q, n, _) = Compressed.Value;
        int count = q.Length / (n * n);
        Gen.Select(Gen.Int[0, count - 1], GenDrive(n)).Sample(x =>
        {
            var (j, b) = x;
            var m = q.AsSpan(j * n * n, n * n).ToArray();
            double tr = 0; for (int i = 0; i < n; i++) tr += m[i]; // packed layout: the n real diagonal entries come first
            return tr >= 0 && Sar(m, b) >= -1e-12 * tr * b.Sum(c => c.Magnitude * c.Magnitude);
        }, seed: Seed, iter: Iter, threads: 1);
    }

    [Fact]
    public void CertifiedVopsDominateEveryQMatrixForRandomDrives()
    {
        var (q, n, vops) = Compressed.Value;
        int count = q.Length / (n * n);
        GenDrive(n).Sample(b =>
        {
            var w = HermitianPacking.DriveWeights(b);
            double truth = 0;
            for (int j = 0; j < count; j++) truth = Math.Max(truth, HermitianPacking.QuadraticForm(q.AsSpan(j * n * n, n * n), w));
            double bound = vops.PeakSar(b).Sar;
            return bound >= truth * (1 - 1e-9) - 1e-15;
        }, seed: Seed, iter: Iter, threads: 1);
    }

    private static readonly Lazy<SarKit.Grid.TissueModel> SmallTissue = new(() => TestPhantoms.Ellipsoid(9, 8, 10, 0.006, seed: 7));
    private static readonly Lazy<AveragingCubeSet> SmallCubes = new(() => AveragingCubeSet.Build(SmallTissue.Value));

    [Fact]
    public void AveragingANonNegativeSarMapStaysWithinZeroAndTheMaximum()
    {
        var t = SmallTissue.Value; int nv = t.Grid.VoxelCount;
        Gen.Double[0, 100].Array[nv].Sample(map =>
        {
            for (int v = 0; v < nv; v++) if (!t.IsTissue(v)) map[v] = 0;
            var r = SpatialAverage.Compute(t, map, cubes: SmallCubes.Value);
            double max = map.Max();
            return r.Map.All(x => x >= 0 && x <= max * (1 + 1e-12)) && r.Peak <= max * (1 + 1e-12) && r.Peak >= 0;
        }, seed: Seed, iter: 20, threads: 1);
    }

    private static readonly double[] NonFinite = [double.NaN, double.PositiveInfinity, double.NegativeInfinity];

    [Fact]
    public void NonFiniteLocalSarIsRefusedByAveraging()
    {
        var t = SmallTissue.Value; int nv = t.Grid.VoxelCount;
        var tissue = Enumerable.Range(0, nv).Where(t.IsTissue).ToArray();
        Gen.Select(Gen.Int[0, tissue.Length - 1], Gen.Int[0, NonFinite.Length - 1]).Sample(x =>
        {
            var map = new double[nv];
            foreach (var v in tissue) map[v] = 1;
            map[tissue[x.Item1]] = NonFinite[x.Item2];
            return Refused(() => SpatialAverage.Compute(t, map, cubes: SmallCubes.Value));
        }, seed: Seed, iter: 12, threads: 1);
    }

    [Fact]
    public void NonFiniteDriveIsRefusedByVopEvaluation()
    {
        var (_, n, vops) = Compressed.Value;
        Gen.Select(GenDrive(n), Gen.Int[0, n - 1], Gen.Int[0, NonFinite.Length - 1], Gen.Bool).Sample(x =>
        {
            var (b, c, k, imag) = x;
            b[c] = imag ? new Complex(b[c].Real, NonFinite[k]) : new Complex(NonFinite[k], b[c].Imaginary);
            return Refused(() => vops.PeakSar(b));
        }, seed: Seed, iter: 30, threads: 1);
    }

    [Fact]
    public void NonFiniteWaveformSampleIsRefused()
    {
        Gen.Select(Gen.Int[1, 4], Gen.Int[1, 50], Gen.Int[0, NonFinite.Length - 1], Gen.Bool).Sample(x =>
        {
            var (ch, len, k, imag) = x;
            var re = new double[ch * len]; var im = new double[ch * len];
            int at = (ch * len) / 2;
            if (imag) im[at] = NonFinite[k]; else re[at] = NonFinite[k];
            return Refused(() => new MultiChannelWaveform(ch, len, 1e-6, re, im, "V", "property test"));
        }, seed: Seed, iter: 30, threads: 1);
    }

    /// <summary>Overflow: a finite drive whose energy overflows (amplitude 1e160: |b|² = 1e320) is refused or evaluates to a SAR beyond every limit, never 0 or NaN.</summary>
    [Fact]
    public void OverflowingDriveIsRefusedOrFails()
    {
        var (_, n, vops) = Compressed.Value;
        Gen.Select(Gen.Double[150, 300], Gen.Int[0, n - 1]).Sample(x =>
        {
            var (exp, c) = x;
            var b = new Complex[n]; b[c] = Math.Pow(10, exp);
            try
            {
                double s = vops.PeakSar(b).Sar;
                return double.IsPositiveInfinity(s) || s > 1e100; // refused (exception), or a SAR that fails every limit — never 0, a small value or NaN
            }
            catch (SarKitInputException) { return true; }
        }, seed: Seed, iter: 30, threads: 1);
    }

    private static bool Refused(Action a)
    {
        try { a(); return false; }
        catch (SarKitInputException) { return true; }
    }

    private static bool Refused<T>(Func<T> f) => Refused(() => { _ = f(); });
}
