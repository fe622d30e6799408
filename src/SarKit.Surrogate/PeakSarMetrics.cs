namespace SarKit.Surrogate;

/// <summary>
/// Safety metrics of predicted peak SAR over a set of cases, as reported by Meliadò et al. (MRM 2020): ratio
/// r = predicted/true per case; mean overestimation = mean(r) − 1; P(underestimation) = fraction with r &lt; 1, with a
/// 95 % Wilson score interval; SF95 and SF100 = the 95th percentile and the maximum of true/predicted (the factor that
/// makes 95 % / all predictions conservative). Percentiles by linear interpolation between order statistics
/// (Hyndman–Fan type 7, NumPy's default), so the numbers match surrogate/sarkit_surrogate/metrics.py.
/// </summary>
public sealed record PeakSarMetrics(int Cases, double MeanOverestimation, double PUnderestimation, double PUnderLow, double PUnderHigh,
    double Sf95, double Sf100, double RatioP05, double RatioMedian, double RatioP95)
{
    public static PeakSarMetrics Compute(IReadOnlyList<double> truePeaks, IReadOnlyList<double> predictedPeaks)
    {
        if (truePeaks.Count != predictedPeaks.Count || truePeaks.Count == 0) throw new SarKitInputException($"Peak metrics: {truePeaks.Count} true and {predictedPeaks.Count} predicted peaks; expected the same non-zero count.");
        int n = truePeaks.Count;
        var ratio = new double[n]; var inv = new double[n];
        for (int i = 0; i < n; i++)
        {
            if (!(truePeaks[i] > 0) || !(predictedPeaks[i] > 0)) throw new SarKitInputException($"Peak metrics: case {i} has true {truePeaks[i]} and predicted {predictedPeaks[i]}; expected positive peaks.");
            ratio[i] = predictedPeaks[i] / truePeaks[i]; inv[i] = 1 / ratio[i];
        }
        int k = ratio.Count(r => r < 1);
        double p = (double)k / n, z = 1.959963984540054, z2 = z * z;
        double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
        double half = z * Math.Sqrt(p * (1 - p) / n + z2 / (4.0 * n * n)) / (1 + z2 / n);
        Array.Sort(ratio); Array.Sort(inv);
        return new PeakSarMetrics(n, ratio.Average() - 1, p, Math.Max(0, centre - half), Math.Min(1, centre + half),
            Quantile(inv, 0.95), inv[^1], Quantile(ratio, 0.05), Quantile(ratio, 0.5), Quantile(ratio, 0.95));
    }

    /// <summary>Type-7 quantile of sorted values.</summary>
    public static double Quantile(double[] sorted, double q)
    {
        double h = (sorted.Length - 1) * q;
        int lo = (int)Math.Floor(h), hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}
