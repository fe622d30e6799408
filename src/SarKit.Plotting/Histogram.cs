namespace SarKit.Plotting;

/// <summary>Equal-width histograms drawn as step outlines on a <see cref="LinePlot"/>.</summary>
public static class Histogram
{
    /// <summary>
    /// Counts of <paramref name="values"/> in <paramref name="bins"/> equal-width bins over [<paramref name="min"/>,
    /// <paramref name="max"/>]: bin k = [min + k·w, min + (k+1)·w), the last bin closed; values outside the range or not
    /// finite are not counted (see <paramref name="outside"/>).
    /// </summary>
    public static int[] Counts(IReadOnlyList<double> values, double min, double max, int bins, out int outside)
    {
        if (bins < 1) throw new ArgumentOutOfRangeException(nameof(bins), "at least one bin");
        if (!(max > min) || !double.IsFinite(min) || !double.IsFinite(max)) throw new ArgumentOutOfRangeException(nameof(max), "expected finite min < max");
        var counts = new int[bins];
        outside = 0;
        double w = (max - min) / bins;
        foreach (var v in values)
        {
            if (!double.IsFinite(v) || v < min || v > max) { outside++; continue; }
            counts[Math.Min(bins - 1, (int)Math.Floor((v - min) / w))]++;
        }
        return counts;
    }

    /// <summary>
    /// A histogram plot: one step outline per data set (y = fraction of that set's values per bin, so sets of different
    /// sizes compare), equal-width bins over [<paramref name="min"/>, <paramref name="max"/>] (values outside, or not
    /// finite, are counted in the legend label), and optional vertical reference lines (e.g. ratio = 1).
    /// </summary>
    public static LinePlot Plot(string title, string xLabel, IEnumerable<(string Label, IReadOnlyList<double> Values)> sets,
                                double min, double max, int bins, params VLine[] references)
    {
        var plot = new LinePlot { Title = title, XLabel = xLabel, YLabel = "fraction of cases per bin", XRange = (min, max), LegendInside = true };
        int k = 0;
        double w = (max - min) / bins;
        foreach (var (label, values) in sets)
        {
            var c = Counts(values, min, max, bins, out int outside);
            double n = Math.Max(1, values.Count);
            var x = new double[2 * bins + 2]; var y = new double[2 * bins + 2];
            x[0] = min; y[0] = 0;
            for (int b = 0; b < bins; b++)
            {
                x[2 * b + 1] = min + b * w; y[2 * b + 1] = c[b] / n;
                x[2 * b + 2] = min + (b + 1) * w; y[2 * b + 2] = c[b] / n;
            }
            x[^1] = max; y[^1] = 0;
            string l = outside > 0 ? FormattableString.Invariant($"{label} ({outside} outside)") : label;
            plot.Series.Add(new LineSeries(l, x, y, Chart.Palette[k++ % Chart.Palette.Length]));
        }
        plot.VLines.AddRange(references);
        return plot;
    }
}
