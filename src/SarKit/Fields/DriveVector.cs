using System.Globalization;
using System.Numerics;
using System.Text.Json;

namespace SarKit.Fields;

/// <summary>
/// Complex drive amplitude per transmit channel, b = (b_1 … b_N), in the unit of the fields' normalisation
/// (e.g. V peak incident, or √W). The field of the drive is E = Σ_c b_c E_c.
/// </summary>
public sealed class DriveVector
{
    private readonly Complex[] _b;

    public DriveVector(IEnumerable<Complex> amplitudes, FieldNormalisation normalisation = FieldNormalisation.Unspecified)
    {
        _b = amplitudes.ToArray();
        if (_b.Length == 0) throw new SarKitInputException("A drive needs at least one channel.");
        for (int i = 0; i < _b.Length; i++)
            if (!double.IsFinite(_b[i].Real) || !double.IsFinite(_b[i].Imaginary))
                throw new SarKitInputException($"Drive channel {i} is {_b[i]}: amplitudes must be finite.");
        Normalisation = normalisation;
    }

    public int Channels => _b.Length;
    public Complex this[int channel] => _b[channel];
    public FieldNormalisation Normalisation { get; }
    public ReadOnlySpan<Complex> Amplitudes => _b;

    /// <summary>Σ|b_c|², e.g. total incident power in W for a √W normalisation.</summary>
    public double NormSquared { get { double s = 0; foreach (var b in _b) s += b.Real * b.Real + b.Imaginary * b.Imaginary; return s; } }

    /// <summary>Drive scaled by a real or complex factor.</summary>
    public DriveVector Scale(Complex factor) => new(_b.Select(b => b * factor), Normalisation);

    /// <summary>Equal amplitude and phase on every channel.</summary>
    public static DriveVector Uniform(int channels, Complex value, FieldNormalisation n = FieldNormalisation.Unspecified)
        => new(Enumerable.Repeat(value, channels), n);

    /// <summary>
    /// Parses the inline form "a0@p0,a1@p1,…": amplitude @ phase in degrees per channel (a bare number is a zero-phase amplitude).
    /// </summary>
    public static DriveVector Parse(string text, FieldNormalisation normalisation = FieldNormalisation.Unspecified)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new SarKitInputException("Drive: empty text; expected amplitude@phase_deg per channel, e.g. 1@0,1@45.");
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var b = new Complex[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            var ap = parts[i].Split('@', StringSplitOptions.TrimEntries);
            if (ap.Length is < 1 or > 2 || !double.TryParse(ap[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double amp)
                || (ap.Length == 2 && !double.TryParse(ap[1], NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
                throw new SarKitInputException($"Drive: channel {i} entry '{parts[i]}' is not amplitude@phase_deg (e.g. 1@45).");
            double ph = ap.Length == 2 ? double.Parse(ap[1], NumberStyles.Float, CultureInfo.InvariantCulture) : 0;
            CheckPolar(amp, ph, $"Drive: channel {i} entry '{parts[i]}'", null, null);
            b[i] = Complex.FromPolarCoordinates(amp, ph * Math.PI / 180.0);
        }
        return new DriveVector(b, normalisation);
    }

    /// <summary>Largest drive amplitude accepted, in drive units (V, A, √W): far above any RF amplifier, far below overflow of |b|².</summary>
    public const double MaxAmplitude = 1e9;
    /// <summary>Largest |phase| accepted, degrees (beyond it the phase loses precision in double arithmetic).</summary>
    public const double MaxPhaseDeg = 1e6;

    private static void CheckPolar(double amp, double phaseDeg, string where, string? file, string? field)
    {
        if (!double.IsFinite(amp) || amp < 0 || amp > MaxAmplitude)
            throw new SarKitInputException($"{where}: amplitude {amp.ToString(CultureInfo.InvariantCulture)} is outside [0, {MaxAmplitude:G3}] (use the phase for a sign).") { SourceFile = file, Dataset = field };
        if (!double.IsFinite(phaseDeg) || Math.Abs(phaseDeg) > MaxPhaseDeg)
            throw new SarKitInputException($"{where}: phase {phaseDeg.ToString(CultureInfo.InvariantCulture)}° is outside [−{MaxPhaseDeg:G3}, {MaxPhaseDeg:G3}]°.") { SourceFile = file, Dataset = field };
    }

    /// <summary>
    /// Reads a JSON drive file: {"amplitude": [...], "phase_deg": [...]} (phase optional), or {"re": [...], "im": [...]}.
    /// An optional "unit"/"normalisation" string names the normalisation.
    /// </summary>
    public static DriveVector FromJsonFile(string path, FieldNormalisation fallback = FieldNormalisation.Unspecified)
    {
        if (!File.Exists(path)) throw new SarKitInputException($"Drive file '{path}' does not exist.") { SourceFile = path };
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            return FromJson(doc.RootElement, path, fallback);
        }
        catch (JsonException ex) { throw new SarKitInputException($"Drive file '{path}': invalid JSON: {ex.Message}", ex) { SourceFile = path }; }
    }

    internal static DriveVector FromJson(JsonElement root, string source, FieldNormalisation fallback)
    {
        double[] Arr(string name)
        {
            if (!root.TryGetProperty(name, out var e) || e.ValueKind != JsonValueKind.Array)
                throw new SarKitInputException($"Drive file '{source}': missing array \"{name}\".") { SourceFile = source, Dataset = name };
            return e.EnumerateArray().Select((x, i) => x.ValueKind == JsonValueKind.Number && x.GetDouble() is var v && double.IsFinite(v) ? v
                : throw new SarKitInputException($"Drive file '{source}': \"{name}\"[{i}] = {x.GetRawText()} is not a finite number.") { SourceFile = source, Dataset = name }).ToArray();
        }
        var norm = fallback;
        foreach (var key in new[] { "normalisation", "unit" })
            if (root.TryGetProperty(key, out var u) && u.ValueKind == JsonValueKind.String)
                norm = FieldNormalisationExtensions.Parse(u.GetString()!, $"Drive file '{source}'");
        Complex[] b;
        if (root.TryGetProperty("amplitude", out _))
        {
            var a = Arr("amplitude");
            var p = root.TryGetProperty("phase_deg", out _) ? Arr("phase_deg") : new double[a.Length];
            if (p.Length != a.Length) throw new SarKitInputException($"Drive file '{source}': {a.Length} amplitudes but {p.Length} phases.") { SourceFile = source };
            for (int i = 0; i < a.Length; i++) CheckPolar(a[i], p[i], $"Drive file '{source}': channel {i}", source, "amplitude");
            b = a.Select((x, i) => Complex.FromPolarCoordinates(x, p[i] * Math.PI / 180)).ToArray();
        }
        else if (root.TryGetProperty("re", out _))
        {
            var re = Arr("re"); var im = Arr("im");
            if (re.Length != im.Length) throw new SarKitInputException($"Drive file '{source}': {re.Length} real parts but {im.Length} imaginary parts.") { SourceFile = source };
            b = re.Select((x, i) => new Complex(x, im[i])).ToArray();
            for (int i = 0; i < b.Length; i++)
                if (b[i].Magnitude > MaxAmplitude) throw new SarKitInputException($"Drive file '{source}': channel {i} |re + i·im| = {b[i].Magnitude:G6} exceeds {MaxAmplitude:G3}.") { SourceFile = source, Dataset = "re" };
        }
        else throw new SarKitInputException($"Drive file '{source}': expected \"amplitude\" (and \"phase_deg\") or \"re\" and \"im\" arrays.") { SourceFile = source };
        return new DriveVector(b, norm);
    }

    public override string ToString() => string.Join(",", _b.Select(b => string.Create(CultureInfo.InvariantCulture, $"{b.Magnitude:G6}@{b.Phase * 180 / Math.PI:G6}")));
}
