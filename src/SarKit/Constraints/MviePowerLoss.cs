using System.Diagnostics;
using System.Numerics;
using SarKit.Sar;
using SarKit.Numerics.LinearAlgebra;

namespace SarKit.Constraints;

/// <summary>
/// Power retained by the MVIE constraint along random drive directions (the seed's Table 2): for a unit drive x the allowed
/// power under the original constraints is s/max_i xᴴQ_i x and under the MVIE s/xᴴAx, so the retained fraction is
/// f(x) = max_i xᴴQ_i x / xᴴAx ∈ [1/N, 1] (the power loss is 1 − f). f ≥ 1/N for every x is the √N outer bound:
/// √N·E_A contains the intersection of all SAR ellipsoids.
/// </summary>
public sealed record MviePowerLoss(int Samples, double MaxFraction, double MeanFraction, double MinFraction, int Channels, double ElapsedSeconds)
{
    /// <summary>min f ≥ 1/N (up to 1e-9): the √N outer bound holds on the samples.</summary>
    public bool OuterBoundHolds => MinFraction >= 1.0 / Channels - 1e-9;

    /// <summary>Samples x uniformly on the complex unit sphere (normalised complex Gaussian vectors, seeded) and evaluates f(x) exactly (max over every Q_i).</summary>
    public static MviePowerLoss Sample(ReadOnlySpan<double> qPacked, int n, ReadOnlySpan<double> aPacked, int samples, int seed)
    {
        var sw = Stopwatch.StartNew();
        if (samples < 1) throw new SarKitInputException($"Power-loss sampling: {samples} samples; expected ≥ 1.");
        int n2 = n * n, count = qPacked.Length / n2;
        var rng = new Random(seed);
        var weights = new double[samples][];
        var denom = new double[samples];
        for (int s = 0; s < samples; s++)
        {
            var x = new Complex[n]; double norm = 0;
            for (int i = 0; i < n; i++) { x[i] = new Complex(Gauss(rng), Gauss(rng)); norm += x[i].Real * x[i].Real + x[i].Imaginary * x[i].Imaginary; }
            for (int i = 0; i < n; i++) x[i] /= Math.Sqrt(norm);
            weights[s] = HermitianPacking.DriveWeights(x);
            denom[s] = HermitianPacking.QuadraticForm(aPacked, weights[s]);
        }
        var q = qPacked.ToArray();
        var best = new double[samples];
        Parallel.For(0, samples, s =>
        {
            double m = double.NegativeInfinity; var w = weights[s];
            for (int i = 0; i < count; i++) { double v = HermitianPacking.QuadraticForm(q.AsSpan(i * n2, n2), w); if (v > m) m = v; }
            best[s] = m / denom[s];
        });
        return new MviePowerLoss(samples, best.Max(), best.Average(), best.Min(), n, sw.Elapsed.TotalSeconds);
    }

    private static double Gauss(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());
}
