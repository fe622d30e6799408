namespace SarKit.Averaging;

/// <summary>
/// Parameters of IEC/IEEE 62704-1 mass averaging. Defaults are the standard's values (as implemented by the validated
/// reference implementations: mass tolerance 1e-6, ≤ 10 % background volume, 1.05 volume ratio for step 2).
/// </summary>
public sealed record AveragingOptions
{
    /// <summary>Target mass of the averaging cube, kg (0.010 for 10 g, 0.001 for 1 g).</summary>
    public double TargetMassKg { get; init; } = 0.010;
    /// <summary>Relative mass tolerance within which a whole-layer cube is accepted without a fractional layer (62704-1: 1e-6).</summary>
    public double MassTolerance { get; init; } = 1e-6;
    /// <summary>Largest background (air) volume fraction of a valid step-1 cube (62704-1: 10 %).</summary>
    public double MaxBackgroundFraction { get; init; } = 0.10;
    /// <summary>Step 2 keeps the face-centred cubes whose volume is at most this multiple of the smallest (62704-1: 1.05).</summary>
    public double Step2VolumeRatio { get; init; } = 1.05;
    /// <summary>A voxel counts as entirely inside a cube when its weight exceeds this (0.999).</summary>
    public double InsideWeight { get; init; } = 0.999;

    public static AveragingOptions TenGram => new() { TargetMassKg = 0.010 };
    public static AveragingOptions OneGram => new() { TargetMassKg = 0.001 };

    /// <summary>Parses "10g", "1 g", "0.01kg", "10" (grams).</summary>
    public static double ParseMassKg(string text)
    {
        var t = text.Trim().ToLowerInvariant().Replace(" ", "");
        double scale = 1e-3;
        if (t.EndsWith("kg")) { scale = 1; t = t[..^2]; }
        else if (t.EndsWith("mg")) { scale = 1e-6; t = t[..^2]; }
        else if (t.EndsWith('g')) { t = t[..^1]; }
        if (!double.TryParse(t, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double v) || !(v > 0) || !double.IsFinite(v))
            throw new SarKitInputException($"Averaging mass '{text}' is not a positive mass (e.g. 10g, 1g, 0.01kg).");
        return v * scale;
    }
}
