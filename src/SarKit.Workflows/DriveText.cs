using System.Numerics;
using SarKit.Fields;

namespace SarKit.Workflows;

/// <summary>
/// Drives as users give them: inline "a0@p0,a1@p1,…" (amplitude @ phase in degrees, in the dataset's drive unit,
/// <see cref="DriveVector.Parse"/>), the path of a .json drive file (<see cref="DriveVector.FromJsonFile"/>), "cp"
/// (<see cref="Cp"/>), or amplitude and phase arrays (the web API, <see cref="FromAmplitudePhase"/>). Every drive is
/// checked against the dataset (channel count, <see cref="MultiChannelField.CheckDrive"/>).
/// </summary>
public static class DriveText
{
    /// <summary>Parses a drive text for <paramref name="ds"/>; messages start with <paramref name="label"/> (e.g. the CLI's <c>--drive</c>).</summary>
    public static DriveVector Parse(string text, SarDataset ds, string label = "drive")
    {
        ArgumentNullException.ThrowIfNull(ds);
        return Parse(text, ds.Channels, ds.E.Normalisation, ds.Source, ds.E.Source, label);
    }

    /// <summary>
    /// Parses a drive text for a dataset of <paramref name="channels"/> channels whose E-field is normalised
    /// <paramref name="n"/> (e.g. a dataset whose fields are read channel by channel, <see cref="IO.Formats.DatasetFieldStream"/>);
    /// <paramref name="source"/> and <paramref name="fieldSource"/> name the dataset and its E-field in messages.
    /// </summary>
    public static DriveVector Parse(string text, int channels, FieldNormalisation n, string source, string fieldSource, string label = "drive")
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.Trim();
        DriveVector drive;
        if (t.Equals("cp", StringComparison.OrdinalIgnoreCase)) drive = Cp(channels, n);
        else if (t.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            if (!File.Exists(t)) throw new SarKitInputException($"{label}: drive file '{t}' does not exist.") { SourceFile = t };
            drive = DriveVector.FromJsonFile(t, n);
        }
        else
        {
            try { drive = DriveVector.Parse(t, n); }
            catch (SarKitInputException e) { throw new SarKitInputException($"{label} '{t}': {e.Message}", e); }
        }
        if (drive.Channels != channels)
            throw new SarKitInputException($"{label}: {drive.Channels} channel value(s) given, but '{source}' has {channels} channels (E {fieldSource}).") { SourceFile = source };
        MultiChannelField.CheckDrive(drive, channels, n, fieldSource);
        return drive;
    }

    /// <summary>Circular polarisation for N elements at equal angles: amplitude 1 and phase −360°·c/N on channel c of N.</summary>
    public static DriveVector Cp(int channels, FieldNormalisation n)
        => new(Enumerable.Range(0, channels).Select(c => Complex.FromPolarCoordinates(1, -2 * Math.PI * c / channels)), n);

    /// <summary>Unit vector e_c (1 drive unit on channel c).</summary>
    public static DriveVector Single(int channels, int c, FieldNormalisation n)
        => new(Enumerable.Range(0, channels).Select(k => k == c ? Complex.One : Complex.Zero), n);

    /// <summary>
    /// The drive b_c = a_c·exp(i·φ_c·π/180) from amplitudes (dataset drive unit, in [0, <see cref="DriveVector.MaxAmplitude"/>]) and
    /// phases in degrees (|φ| ≤ <see cref="DriveVector.MaxPhaseDeg"/>; all 0 when <paramref name="phaseDeg"/> is null).
    /// </summary>
    public static DriveVector FromAmplitudePhase(double[]? amplitude, double[]? phaseDeg, SarDataset ds)
    {
        ArgumentNullException.ThrowIfNull(ds);
        if (amplitude is null) throw new SarKitInputException("Missing drive: expected \"drive\": {\"amplitude\": [...], \"phaseDeg\": [...]} with one value per channel.");
        var a = amplitude; var p = phaseDeg ?? new double[a.Length];
        if (a.Length != ds.Channels || p.Length != ds.Channels)
            throw new SarKitInputException($"Drive has {a.Length} amplitude(s) and {p.Length} phase(s); '{Path.GetFileName(ds.Source)}' has {ds.Channels} channels.");
        for (int c = 0; c < a.Length; c++)
            if (!double.IsFinite(a[c]) || a[c] < 0 || a[c] > DriveVector.MaxAmplitude || !double.IsFinite(p[c]) || Math.Abs(p[c]) > DriveVector.MaxPhaseDeg)
                throw new SarKitInputException($"Drive channel {c}: amplitude {a[c]} and phase {p[c]}° must be finite, amplitude in [0, {DriveVector.MaxAmplitude:G}], |phase| ≤ {DriveVector.MaxPhaseDeg:G}°.");
        return new DriveVector(a.Select((x, c) => Complex.FromPolarCoordinates(x, p[c] * Math.PI / 180)), ds.E.Normalisation);
    }
}
