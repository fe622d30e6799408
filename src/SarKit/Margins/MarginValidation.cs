using System.Numerics;
using SarKit.Averaging;
using SarKit.Compression;
using SarKit.Fields;
using SarKit.Sar;
using SarKit.Numerics.LinearAlgebra;
using SarKit.Numerics.Statistics;

namespace SarKit.Margins;

/// <summary>Distribution of the real and imaginary parts of each field-error component in <see cref="MarginValidation"/>.</summary>
public enum FieldErrorDistribution
{
    /// <summary>Circular complex Gaussian (kurtosis of each part κ = 3), the seed's reference case.</summary>
    Gaussian,
    /// <summary>Student-t with ν degrees of freedom, scaled to the same variance (κ = 3 + 6/(ν − 4), 9 for ν = 5).</summary>
    StudentT,
    /// <summary>Laplace, scaled to the same variance (κ = 6).</summary>
    Laplace,
}

/// <summary>Options of <see cref="MarginValidation.Run"/>.</summary>
public sealed record MarginValidationOptions
{
    /// <summary>Error draws per drive.</summary>
    public int Trials { get; init; } = 2000;
    /// <summary>Random drives (complex Gaussian directions, unit norm) in addition to <see cref="Drives"/>.</summary>
    public int RandomDrives { get; init; } = 10;
    /// <summary>Given drives (e.g. a real pulse's RF shim); the focus drive is always added.</summary>
    public IReadOnlyList<DriveVector> Drives { get; init; } = [];
    public FieldErrorDistribution Distribution { get; init; } = FieldErrorDistribution.Gaussian;
    /// <summary>ν of the Student-t distribution (&gt; 4 for a finite kurtosis).</summary>
    public double Nu { get; init; } = 5;
    /// <summary>Seed of the random drives and of the error draws (one stream per drive and trial, <c>MarginValidation.TrialRandom</c>):
    /// the same seed gives the same draws, and so the same counts, on any number of threads.</summary>
    public int Seed { get; init; }
    /// <summary>Two-sided confidence level of the Wilson interval.</summary>
    public double Confidence { get; init; } = 0.95;
    /// <summary>Spatial structure of the errors: 0 (default) one error 3-vector per channel and trial for the whole body
    /// (fully correlated in space, the seed's model); b ≥ 1 independent errors per block of b × b × b voxels (b = 1:
    /// independent per voxel), each with the same σ_e — spatially varying errors.</summary>
    public int ErrorBlockVoxels { get; init; }
}

/// <summary>Exceedance counts of one drive.</summary>
public sealed record DriveExceedance(string Label, Complex[] Drive, double PeakSar, double ProtectedPeakSar, int Trials, int Exceedances,
                                     int ExceedancesWithoutMargin, double MaxTrueOverProtected, double MeanTrueOverNominal);

/// <summary>Result of a Monte-Carlo validation of Q + Q_e.</summary>
public sealed record MarginValidationResult
{
    public required FieldUncertaintyModel Model { get; init; }
    public required double SigmaEAbsolute { get; init; }
    public required FieldErrorDistribution Distribution { get; init; }
    /// <summary>Kurtosis of each real error part (3 Gaussian).</summary>
    public required double Kurtosis { get; init; }
    public required IReadOnlyList<DriveExceedance> Drives { get; init; }
    public required long Trials { get; init; }
    public required long Exceedances { get; init; }
    /// <summary>Pooled exceedance probability P(true psSAR &gt; psSAR from Q + Q_e).</summary>
    public double Probability => (double)Exceedances / Trials;
    public required double CiLow { get; init; }
    public required double CiHigh { get; init; }
    public required double Confidence { get; init; }
    /// <summary>Target 1 − Φ(k): the one-sided Gaussian tail the margin is designed for (0.135 % for k = 3; the seed's "0.1 %").</summary>
    public double Target => HotSpotCoefficient.NormalUpperTail(Model.K);
    /// <summary>Distribution-free one-sided Cantelli bound 1/(1 + k²) on the same event.</summary>
    public double CantelliBound => 1 / (1 + Model.K * Model.K);
    /// <summary>Pooled probability without the margin (true psSAR &gt; psSAR from Q): shows the test can fail.</summary>
    public required double ProbabilityWithoutMargin { get; init; }
    /// <summary>The exceedance probability is shown to be at most the target: the upper bound of the Wilson interval
    /// (one-sided confidence (1 + <see cref="Confidence"/>)/2) is at or below it. False also when too few trials were run
    /// to show it — a check passes only on this, never on a point estimate.</summary>
    public bool WithinTarget => CiHigh <= Target;
    /// <summary>The exceedance probability is shown to be above the target (the lower confidence bound exceeds it).</summary>
    public bool ExceedsTarget => CiLow > Target;
    /// <summary>Spatial structure of the errors drawn (<see cref="MarginValidationOptions.ErrorBlockVoxels"/>).</summary>
    public int ErrorBlockVoxels { get; init; }
}

/// <summary>
/// Monte-Carlo check of the E-field margin: draws per-channel field errors e_i from the model of
/// <see cref="FieldUncertaintyModel"/> (zero mean, uncorrelated across channels and components, fully correlated in space, i.e.
/// one constant complex 3-vector per channel and trial, E|e_ij|² = σ_e²), computes the true mass-averaged SAR of every cube
/// exactly — SAR_c = ⟨σ/(2ρ)|E(s) + ε|²⟩_c = sᴴQ_c s + 2 Re Σ_j ⟨σ/(2ρ)E_j(s)⟩_c ε̄_j + ⟨σ/(2ρ)⟩_c‖ε‖², ε = Σ_i s_i e_i —
/// and counts trials whose true psSAR exceeds the psSAR from Q + Q_e (Wilson score interval). Every trial draws its
/// errors from its own seeded stream (<see cref="TrialRandom"/>), the same in both error models, so a block larger than
/// the grid reproduces the fully correlated draws exactly.
/// </summary>
public static class MarginValidation
{
    /// <summary>Runs the validation on a dataset (already padded for averaging) with its cube set and the two Q-matrix sets.</summary>
    public static MarginValidationResult Run(SarDataset data, AveragingCubeSet cubes, AveragedQMatrixSet q, AveragedQMatrixSet protectedSet,
                                             FieldUncertaintyModel model, MarginValidationOptions o, IProgress<double>? progress = null)
    {
        model.Validate();
        if (o.Trials < 1) throw new SarKitInputException($"Margin validation: {o.Trials} trials; expected ≥ 1.");
        if (o.RandomDrives < 0) throw new SarKitInputException($"Margin validation: {o.RandomDrives} random drives; expected ≥ 0.");
        if (o.Distribution == FieldErrorDistribution.StudentT && !(o.Nu > 4)) throw new SarKitInputException($"Margin validation: Student-t ν = {o.Nu}; expected ν > 4 (finite kurtosis).");
        if (o.ErrorBlockVoxels < 0) throw new SarKitInputException($"Margin validation: error block of {o.ErrorBlockVoxels} voxels; expected 0 (one error for the body) or ≥ 1.");
        int n = data.E.Channels;
        double sigmaE = model.AbsoluteSigma(data.Tissue, data.E);
        var rng = new Random(o.Seed);
        var drives = new List<(string, Complex[])>();
        drives.Add(("focus (max |E| at the tissue centre)", FocusDrive(data)));
        for (int d = 0; d < o.Drives.Count; d++)
        {
            if (o.Drives[d].Channels != n) throw new SarKitInputException($"Margin validation: drive {d + 1} has {o.Drives[d].Channels} channels, the dataset {n}.");
            drives.Add(($"given drive {d + 1}", Normalise(o.Drives[d].Amplitudes.ToArray())));
        }
        for (int d = 0; d < o.RandomDrives; d++)
        {
            var x = new Complex[n];
            for (int i = 0; i < n; i++) x[i] = new Complex(Gauss(rng), Gauss(rng));
            drives.Add(($"random {d + 1}", Normalise(x)));
        }
        // ⟨σ/(2ρ)⟩ per cube (drive independent)
        var tissue = data.Tissue; var e = data.E;
        var cAvg = AveragedQMatrixSet.AverageComponents(data, cubes, 1, (v, dst, _) => dst[0] = 0.5 * tissue.Sigma[v] * cubes.VoxelVolume(v));
        int nc = cubes.CubeCount;
        var results = new List<DriveExceedance>();
        long exc = 0, excNo = 0, total = 0;
        double kurt = o.Distribution switch { FieldErrorDistribution.Gaussian => 3, FieldErrorDistribution.Laplace => 6, _ => 3 + 6 / (o.Nu - 4) };
        for (int d = 0; d < drives.Count; d++)
        {
            var (label, s) = drives[d];
            var dv = new DriveVector(s, e.Normalisation);
            var a = q.CubeSar(dv);
            double nominal = a.Max();
            double prot = protectedSet.CubeSar(dv).Max();
            var es = DriveField(data, s);
            if (o.ErrorBlockVoxels > 0)
            {
                var (bx, bxNo, bw, bm) = SpatiallyVaryingTrials(data, cubes, es, s, a, nominal, prot, sigmaE, o, d);
                results.Add(new DriveExceedance(label, s, nominal, prot, o.Trials, bx, bxNo, bw, bm));
                exc += bx; excNo += bxNo; total += o.Trials;
                progress?.Report((d + 1.0) / drives.Count);
                continue;
            }
            // B_c = ⟨σ/(2ρ) E(s)⟩_c (3 complex components)
            var b = AveragedQMatrixSet.AverageComponents(data, cubes, 6, (v, dst, _) =>
            {
                double f = 0.5 * tissue.Sigma[v] * cubes.VoxelVolume(v);
                for (int m = 0; m < 6; m++) dst[m] = f * es[6L * v + m];
            });
            // cubes sorted by √A (Minkowski bound: SAR_c ≤ (√A_c + √C_c‖ε‖)²) for early exit
            var order = Enumerable.Range(0, nc).OrderByDescending(c => a[c]).ToArray();
            double sqrtCmax = Math.Sqrt(cAvg.Max());
            int ex = 0, exNo = 0; double worst = 0, meanRatio = 0;
            var eps = new Complex[3];
            for (int t = 0; t < o.Trials; t++)
            {
                var tr = TrialRandom(o.Seed, d, t);
                eps[0] = eps[1] = eps[2] = 0;
                for (int i = 0; i < n; i++)
                    for (int j = 0; j < 3; j++)
                        eps[j] += s[i] * sigmaE * new Complex(Draw(tr, o), Draw(tr, o));
                double e2 = 0; for (int j = 0; j < 3; j++) e2 += eps[j].Real * eps[j].Real + eps[j].Imaginary * eps[j].Imaginary;
                double en = Math.Sqrt(e2);
                double best = double.NegativeInfinity;
                foreach (int c in order)
                {
                    double ub = Math.Sqrt(Math.Max(0, a[c])) + sqrtCmax * en;
                    if (ub * ub <= best) break;
                    double val = a[c] + cAvg[c] * e2;
                    for (int j = 0; j < 3; j++) val += 2 * (b[6 * c + 2 * j] * eps[j].Real + b[6 * c + 2 * j + 1] * eps[j].Imaginary);
                    if (val > best) best = val;
                }
                if (best > prot) ex++;
                if (best > nominal) exNo++;
                worst = Math.Max(worst, best / prot);
                meanRatio += best / nominal;
            }
            results.Add(new DriveExceedance(label, s, nominal, prot, o.Trials, ex, exNo, worst, meanRatio / o.Trials));
            exc += ex; excNo += exNo; total += o.Trials;
            progress?.Report((d + 1.0) / drives.Count);
        }
        var (lo, hi) = Wilson(exc, total, o.Confidence);
        return new MarginValidationResult
        {
            Model = model, SigmaEAbsolute = sigmaE, Distribution = o.Distribution, Kurtosis = kurt, Drives = results, Trials = total,
            Exceedances = exc, CiLow = lo, CiHigh = hi, Confidence = o.Confidence, ProbabilityWithoutMargin = (double)excNo / total,
            ErrorBlockVoxels = o.ErrorBlockVoxels,
        };
    }

    /// <summary>
    /// Trials with errors that vary in space: independent error 3-vectors e_ij(B) per channel i and block B of
    /// b × b × b voxels, ε(r) = Σ_i s_i e_i(B(r)); the true cube SAR is evaluated exactly,
    /// SAR_c = A_c + ⟨σ/(2ρ)(2 Re(E(s)·ε̄) + |ε|²)⟩_c, with one mass average of the voxel integrand per trial.
    /// Errors are drawn only for blocks that hold a tissue voxel (σ &gt; 0): elsewhere the integrand is zero, so the
    /// result is the same as with errors everywhere. Trials run in parallel; trial t draws from its own stream
    /// <see cref="TrialRandom"/> (blocks in index order) and the per-trial peaks are reduced in trial order, so the
    /// draws depend on the seed only, not on the number of threads (the mass average's sums may differ in the last bit).
    /// </summary>
    private static (int Exceedances, int WithoutMargin, double WorstRatio, double MeanRatio) SpatiallyVaryingTrials(
        SarDataset data, AveragingCubeSet cubes, double[] es, Complex[] s, double[] a, double nominal, double prot, double sigmaE,
        MarginValidationOptions o, int drive)
    {
        var g = data.Grid; var tissue = data.Tissue;
        int n = data.E.Channels, b = o.ErrorBlockVoxels;
        int bx = (g.Nx + b - 1) / b, by = (g.Ny + b - 1) / b, bz = (g.Nz + b - 1) / b;
        long blocks = (long)bx * by * bz;
        if (blocks * 6 > int.MaxValue) throw new SarKitInputException($"Margin validation: {blocks} error blocks of {b} voxels; use a larger block.");
        // blocks holding at least one tissue voxel, in index order
        var hasTissue = new bool[blocks];
        for (int v = 0; v < g.VoxelCount; v++)
            if (tissue.Sigma[v] != 0) { var (i, jj, k) = g.Unravel(v); hasTissue[(i / b) + (long)bx * ((jj / b) + (long)by * (k / b))] = true; }
        var tissueBlocks = new List<int>();
        for (int q = 0; q < blocks; q++) if (hasTissue[q]) tissueBlocks.Add(q);
        var peak = new double[o.Trials];
        Parallel.For(0, o.Trials, () => new double[blocks * 6], (t, _, eps) =>
        {
            var rng = TrialRandom(o.Seed, drive, t);
            foreach (int q in tissueBlocks)
            {
                for (int m = 0; m < 6; m++) eps[6 * q + m] = 0;
                for (int i = 0; i < n; i++)
                    for (int j = 0; j < 3; j++)
                    {
                        var z = s[i] * sigmaE * new Complex(Draw(rng, o), Draw(rng, o));
                        eps[6 * q + 2 * j] += z.Real; eps[6 * q + 2 * j + 1] += z.Imaginary;
                    }
            }
            var delta = AveragedQMatrixSet.AverageComponents(data, cubes, 1, (v, dst, _) =>
            {
                var (i, jj, k) = g.Unravel(v);
                long q = (i / b) + (long)bx * ((jj / b) + (long)by * (k / b));
                double acc = 0;
                for (int j = 0; j < 3; j++)
                {
                    double er = eps[6 * q + 2 * j], ei = eps[6 * q + 2 * j + 1];
                    acc += 2 * (es[6L * v + 2 * j] * er + es[6L * v + 2 * j + 1] * ei) + er * er + ei * ei;
                }
                dst[0] = 0.5 * tissue.Sigma[v] * cubes.VoxelVolume(v) * acc;
            });
            double best = double.NegativeInfinity;
            for (int c = 0; c < a.Length; c++) best = Math.Max(best, a[c] + delta[c]);
            peak[t] = best;
            return eps;
        }, _ => { });
        int ex = 0, exNo = 0; double worst = 0, meanRatio = 0;
        foreach (double best in peak)
        {
            if (best > prot) ex++;
            if (best > nominal) exNo++;
            worst = Math.Max(worst, best / prot);
            meanRatio += best / nominal;
        }
        return (ex, exNo, worst, meanRatio / o.Trials);
    }

    /// <summary>
    /// The random stream of error trial <paramref name="trial"/> of drive <paramref name="drive"/> (0 = focus, then the
    /// given drives, then the random ones): <see cref="Random"/> seeded with a SplitMix64 mix (Steele, Lea &amp; Flood 2014)
    /// of (seed, drive, trial). One stream per trial makes the trials independent of each other's order, so they can run
    /// in parallel and the draws still depend only on <see cref="MarginValidationOptions.Seed"/>.
    /// </summary>
    internal static Random TrialRandom(int seed, int drive, int trial)
    {
        ulong z = (ulong)(uint)seed * 0x9E3779B97F4A7C15UL ^ ((ulong)(uint)drive << 32 | (uint)trial);
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return new Random((int)(z >> 33));
    }

    /// <summary>E(s) = Σ_c s_c E_c of every tissue voxel, 3 complex components (re, im interleaved: [6·voxel + 2j (+1)]);
    /// 0 outside tissue.</summary>
    private static double[] DriveField(SarDataset data, Complex[] s)
    {
        var e = data.E; var tissue = data.Tissue;
        int n = e.Channels;
        var es = new double[data.Grid.VoxelCount * 6L];
        for (int v = 0; v < data.Grid.VoxelCount; v++)
        {
            if (tissue.Sigma[v] == 0) continue;
            for (int j = 0; j < 3; j++)
            {
                double re = 0, im = 0;
                for (int c = 0; c < n; c++)
                {
                    var fd = e.ComponentData(c, j);
                    double er = fd[2 * v], ei = fd[2 * v + 1];
                    re += s[c].Real * er - s[c].Imaginary * ei;
                    im += s[c].Real * ei + s[c].Imaginary * er;
                }
                es[6L * v + 2 * j] = re; es[6L * v + 2 * j + 1] = im;
            }
        }
        return es;
    }

    /// <summary>Wilson score interval for x successes in n trials at two-sided confidence c.</summary>
    public static (double Low, double High) Wilson(long x, long n, double confidence)
    {
        double z = InverseUpperTail((1 - confidence) / 2);
        double p = (double)x / n, z2 = z * z;
        double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
        double half = z * Math.Sqrt(p * (1 - p) / n + z2 / (4.0 * n * n)) / (1 + z2 / n);
        return (Math.Max(0, centre - half), Math.Min(1, centre + half));
    }

    private static double InverseUpperTail(double p)
    {
        double lo = 0, hi = 40;
        for (int i = 0; i < 200; i++) { double mid = 0.5 * (lo + hi); if (HotSpotCoefficient.NormalUpperTail(mid) > p) lo = mid; else hi = mid; }
        return 0.5 * (lo + hi);
    }

    /// <summary>The drive maximising |E|² at the tissue voxel nearest the tissue centre of mass: the top eigenvector of its point Q.</summary>
    public static Complex[] FocusDrive(SarDataset data)
    {
        var t = data.Tissue; var g = t.Grid;
        double sx = 0, sy = 0, sz = 0, m = 0;
        for (int v = 0; v < g.VoxelCount; v++) if (t.Rho[v] > 0) { var (x, y, z) = g.Centre(v); sx += x; sy += y; sz += z; m++; }
        if (m == 0) throw new SarKitInputException("Margin validation: the dataset has no tissue voxels.");
        sx /= m; sy /= m; sz /= m;
        int best = -1; double bd = double.PositiveInfinity;
        for (int v = 0; v < g.VoxelCount; v++) if (t.Sigma[v] > 0) { var (x, y, z) = g.Centre(v); double d = (x - sx) * (x - sx) + (y - sy) * (y - sy) + (z - sz) * (z - sz); if (d < bd) { bd = d; best = v; } }
        int n = data.E.Channels;
        var p = new double[n * n]; var sc = new double[2 * n];
        QMatrixField.PointMatrix(data.E, best, 1.0, p, sc);
        var x0 = new Complex[n];
        HermitianKernels.LargestEigen(p, n, x0);
        return Normalise(x0);
    }

    private static Complex[] Normalise(Complex[] x)
    {
        double s = 0; foreach (var z in x) s += z.Real * z.Real + z.Imaginary * z.Imaginary;
        if (!(s > 0)) throw new SarKitInputException("Margin validation: a drive is zero.");
        return x.Select(z => z / Math.Sqrt(s)).ToArray();
    }

    /// <summary>One real part with variance ½ (so that E|e_ij|² = σ_e² for the complex component).</summary>
    internal static double Draw(Random r, MarginValidationOptions o)
    {
        const double half = 0.7071067811865476;
        switch (o.Distribution)
        {
            case FieldErrorDistribution.Laplace:
            {
                double u = r.NextDouble() - 0.5; // Laplace(0, b) with 2b² = ½ → b = ½
                return -0.5 * Math.Sign(u) * Math.Log(1 - 2 * Math.Abs(u));
            }
            case FieldErrorDistribution.StudentT:
            {
                // t_ν = Z / √(χ²_ν/ν) with χ²_ν = 2·Gamma(ν/2) (one gamma draw, not ν squared normals)
                double nu = o.Nu, chi = 2 * Gamma(r, nu / 2);
                double tv = Gauss(r) / Math.Sqrt(chi / nu);
                return tv * Math.Sqrt((nu - 2) / nu) * half;
            }
            default:
                return Gauss(r) * half;
        }
    }

    /// <summary>Gamma(a, 1) for a ≥ 1 (here a = ν/2 &gt; 2): Marsaglia &amp; Tsang (2000), "A simple method for generating gamma
    /// variables", ACM TOMS 26(3), exact rejection sampler (acceptance ≥ 95 % for a ≥ 1).</summary>
    private static double Gamma(Random r, double a)
    {
        double d = a - 1.0 / 3, c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x = Gauss(r), v = 1 + c * x;
            if (v <= 0) continue;
            v = v * v * v; double u = r.NextDouble();
            if (Math.Log(u) < 0.5 * x * x + d - d * v + d * Math.Log(v)) return d * v;
        }
    }

    private static double Gauss(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());
}
