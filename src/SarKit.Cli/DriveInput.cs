using System.Numerics;
using SarKit.Fields;

namespace SarKit.Cli;

/// <summary>
/// The `--drive` argument: inline "a0@p0,a1@p1,…" (amplitude @ phase in degrees, in the dataset's drive unit), the path of a
/// .json drive file (<see cref="DriveVector.FromJsonFile"/>), or "cp": amplitude 1 on every channel with phase −360°·c/N
/// (circular polarisation for N elements placed at equal angles around the subject).
/// </summary>
internal static class DriveInput
{
    public static DriveVector Parse(string text, SarDataset ds)
    {
        var n = ds.E.Normalisation;
        var t = text.Trim();
        DriveVector drive;
        if (t.Equals("cp", StringComparison.OrdinalIgnoreCase)) drive = Cp(ds.Channels, n);
        else if (t.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            if (!File.Exists(t)) throw new SarKitInputException($"--drive: drive file '{t}' does not exist.") { SourceFile = t };
            drive = DriveVector.FromJsonFile(t, n);
        }
        else
        {
            try { drive = DriveVector.Parse(t, n); }
            catch (SarKitInputException e) { throw new SarKitInputException($"--drive '{t}': {e.Message}", e); }
        }
        if (drive.Channels != ds.Channels)
            throw new SarKitInputException($"--drive: {drive.Channels} channel value(s) given, but '{ds.Source}' has {ds.Channels} channels (E {ds.E.Source}).") { SourceFile = ds.Source };
        ds.E.CheckDrive(drive);
        return drive;
    }

    /// <summary>Amplitude 1 and phase −360°·c/N on channel c of N.</summary>
    public static DriveVector Cp(int channels, FieldNormalisation n)
        => new(Enumerable.Range(0, channels).Select(c => Complex.FromPolarCoordinates(1, -2 * Math.PI * c / channels)), n);

    /// <summary>Unit vector e_c (1 drive unit on channel c).</summary>
    public static DriveVector Single(int channels, int c, FieldNormalisation n)
        => new(Enumerable.Range(0, channels).Select(k => k == c ? Complex.One : Complex.Zero), n);

    /// <summary>
    /// Incident power of a drive in W when the normalisation defines it: Σ|b|² for √W incident, Σ|b|²/(2·50 Ω) for
    /// V peak incident (50 Ω reference impedance assumed); null otherwise.
    /// </summary>
    public static double? IncidentPowerW(DriveVector d) => d.Normalisation switch
    {
        FieldNormalisation.PerSqrtWattIncident => d.NormSquared,
        FieldNormalisation.PerVoltIncident => d.NormSquared / (2 * 50.0),
        _ => null,
    };
}
