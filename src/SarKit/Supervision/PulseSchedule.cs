namespace SarKit.Supervision;

/// <summary>
/// One distinct RF event (a Pulseq RF event with its shim, or a waveform) reduced to consecutive segments, each with
/// its channel correlation matrix in packed weight form (<see cref="RfCorrelation"/>), units drive²·s. Energy is treated
/// as deposited uniformly within a segment, so cumulative energy is piecewise linear with breakpoints at segment edges
/// (exact at every segment edge; segments are at most the schedule resolution long).
/// </summary>
public sealed class PulseTemplate
{
    /// <param name="name">Event name.</param>
    /// <param name="channels">Channels N.</param>
    /// <param name="offsets">Segment starts relative to the event start, s.</param>
    /// <param name="durations">Segment durations, s.</param>
    /// <param name="weights">Packed correlation weights per segment (S·N²), drive²·s.</param>
    /// <param name="rasterSeconds">RF raster the segments were built from (0 = unknown). A segment no longer than one raster
    /// interval holds one sample, so the uniform-energy model is the per-sample model there and it adds no edge error.</param>
    public PulseTemplate(string name, int channels, double[] offsets, double[] durations, double[] weights, double rasterSeconds = 0)
    {
        if (!(rasterSeconds >= 0) || !double.IsFinite(rasterSeconds)) throw new ArgumentException($"raster {rasterSeconds} s of '{name}' must be ≥ 0");
        int n2 = channels * channels;
        if (offsets.Length != durations.Length || weights.Length != offsets.Length * n2)
            throw new ArgumentException("one offset, duration and N² weights per segment are required");
        for (int s = 0; s < offsets.Length; s++)
        {
            if (!(durations[s] > 0) || !double.IsFinite(durations[s])) throw new ArgumentException($"segment {s} of '{name}' has duration {durations[s]}");
            if (!double.IsFinite(offsets[s])) throw new SarKitInputException($"'{name}': segment {s} starts at {offsets[s]} s (not finite).");
            if (s > 0 && offsets[s] < offsets[s - 1] + durations[s - 1] - 1e-12 * Math.Max(1, Math.Abs(offsets[s]))) throw new ArgumentException($"segments of '{name}' overlap at {s}");
        }
        // fail closed: a non-finite correlation weight (e.g. |x|² overflowing to ∞, then ∞·0 = NaN) would otherwise drop out
        // of every comparison and read as "no energy"
        for (int k = 0; k < weights.Length; k++)
            if (!double.IsFinite(weights[k]))
                throw new SarKitInputException($"'{name}': correlation weight {k % n2} of segment {k / n2} is {weights[k]} (RF amplitude overflows double precision); refusing.");
        Name = name; Channels = channels; Offsets = offsets; Durations = durations; Weights = weights; RasterSeconds = rasterSeconds;
    }

    /// <summary>RF raster of the samples behind the segments, s (0 = unknown: every segment may hold several samples).</summary>
    public double RasterSeconds { get; }

    /// <summary>
    /// True when a window edge may cut segment <paramref name="s"/> between two of its samples, i.e. the segment holds more
    /// than one raster sample (or the raster is unknown). Only such segments contribute to the edge-error bound of
    /// <see cref="WindowedSar"/>.
    /// </summary>
    public bool MayBeCut(int s) => RasterSeconds <= 0 || Durations[s] > RasterSeconds * (1 + 1e-9);

    public string Name { get; }
    public int Channels { get; }
    /// <summary>Start of each segment relative to the event start, s.</summary>
    public double[] Offsets { get; }
    /// <summary>Duration of each segment, s.</summary>
    public double[] Durations { get; }
    /// <summary>Packed correlation weights, segment-major (S·N²), drive²·s.</summary>
    public double[] Weights { get; }
    public int Segments => Offsets.Length;
    public ReadOnlySpan<double> SegmentWeights(int s) => Weights.AsSpan(s * Channels * Channels, Channels * Channels);
    /// <summary>End of the last segment relative to the event start, s.</summary>
    public double Duration => Segments == 0 ? 0 : Offsets[^1] + Durations[^1];

    /// <summary>Packed weights of the whole event (sum over segments).</summary>
    public double[] TotalWeights()
    {
        int n2 = Channels * Channels;
        var w = new double[n2];
        for (int s = 0; s < Segments; s++) for (int k = 0; k < n2; k++) w[k] += Weights[s * n2 + k];
        return w;
    }

    /// <summary>Same events scaled in amplitude by <paramref name="factor"/> (energy × factor²).</summary>
    public PulseTemplate Scaled(double factor)
    {
        if (!double.IsFinite(factor)) throw new SarKitInputException($"'{Name}': RF scale factor {factor} is not finite.");
        var w = (double[])Weights.Clone();
        for (int k = 0; k < w.Length; k++) w[k] *= factor * factor;
        return new PulseTemplate(Name, Channels, Offsets, Durations, w, RasterSeconds);
    }
}

/// <summary>Where a template is played: start time within the period (s) and template index.</summary>
public readonly record struct PulsePlacement(double StartSeconds, int Template);

/// <summary>How the schedule continues outside its period.</summary>
public enum RepetitionMode
{
    /// <summary>Played back to back forever (steady state); windows of any length are evaluated on the periodic timeline.</summary>
    Periodic,
    /// <summary>Played once, preceded and followed by silence.</summary>
    Once,
}

/// <summary>
/// An RF schedule over one period: distinct <see cref="PulseTemplate"/>s and their placements (non-overlapping).
/// A template's correlation matrices are computed once however often it is played.
/// </summary>
public sealed class PulseSchedule
{
    public PulseSchedule(int channels, double periodSeconds, IReadOnlyList<PulseTemplate> templates, PulsePlacement[] placements, string source = "")
    {
        if (!(periodSeconds > 0) || !double.IsFinite(periodSeconds)) throw new SarKitInputException($"{source}: schedule period {periodSeconds} s must be positive.");
        foreach (var t in templates) if (t.Channels != channels) throw new ArgumentException($"template '{t.Name}' has {t.Channels} channels, schedule {channels}");
        foreach (var p in placements)
            if (!double.IsFinite(p.StartSeconds)) throw new SarKitInputException($"{source}: RF event placement at {p.StartSeconds} s is not finite.");
        var sorted = placements.OrderBy(p => p.StartSeconds).ToArray();
        double prevEnd = double.NegativeInfinity;
        foreach (var p in sorted)
        {
            if (p.Template < 0 || p.Template >= templates.Count) throw new ArgumentException($"placement template {p.Template} out of range");
            var tpl = templates[p.Template];
            if (tpl.Segments == 0) continue;
            double start = p.StartSeconds + tpl.Offsets[0], end = p.StartSeconds + tpl.Duration;
            double tol = 1e-9 * Math.Max(1, periodSeconds);
            if (start < prevEnd - tol) throw new SarKitInputException($"{source}: RF event '{tpl.Name}' at {p.StartSeconds:G9} s overlaps the previous RF event (ends {prevEnd:G9} s).");
            if (start < -tol || end > periodSeconds + tol) throw new SarKitInputException($"{source}: RF event '{tpl.Name}' [{start:G9}, {end:G9}] s lies outside the period [0, {periodSeconds:G9}] s.");
            prevEnd = Math.Max(prevEnd, end);
        }
        Channels = channels; PeriodSeconds = periodSeconds; Templates = templates; Placements = sorted; Source = source;
    }

    public int Channels { get; }
    public double PeriodSeconds { get; }
    public IReadOnlyList<PulseTemplate> Templates { get; }
    /// <summary>Placements sorted by start time.</summary>
    public PulsePlacement[] Placements { get; }
    public string Source { get; }

    /// <summary>Same schedule with every RF amplitude scaled by <paramref name="factor"/>.</summary>
    public PulseSchedule Scaled(double factor) =>
        new(Channels, PeriodSeconds, Templates.Select(t => t.Scaled(factor)).ToArray(), Placements, Source);

    /// <summary>
    /// Same schedule with <paramref name="delaySeconds"/> of silence inserted at each time in <paramref name="insertAfter"/>
    /// (e.g. the end of every repetition); the period grows by delay × count. Times must not fall inside an RF event.
    /// </summary>
    public PulseSchedule WithInsertedDelays(double delaySeconds, IReadOnlyList<double> insertAfter)
    {
        var cuts = insertAfter.OrderBy(x => x).ToArray();
        var moved = new PulsePlacement[Placements.Length];
        int c = 0;
        for (int i = 0; i < Placements.Length; i++)
        {
            var p = Placements[i];
            while (c < cuts.Length && cuts[c] <= p.StartSeconds + Templates[p.Template].Offsets.FirstOrDefault() + 1e-15) c++;
            moved[i] = p with { StartSeconds = p.StartSeconds + c * delaySeconds };
        }
        return new PulseSchedule(Channels, PeriodSeconds + cuts.Length * delaySeconds, Templates, moved, Source);
    }
}
