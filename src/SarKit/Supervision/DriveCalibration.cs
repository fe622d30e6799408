using System.Globalization;
using System.Numerics;
using System.Text.Json;

namespace SarKit.Supervision;

/// <summary>
/// Converts B1 to channel drive amplitudes in the unit of the Q-matrices: x_c = k_c · B1[µT] (k_c in drive unit per µT,
/// e.g. V/µT or √W/µT, complex to carry a per-channel calibration phase), and an optional default static shim used for
/// single-channel RF on a multi-channel array when a block has no RF_SHIMS entry. B1 [T] = s/γ for a Pulseq RF
/// amplitude s in Hz (γ = <see cref="Gamma1H"/> for ¹H).
/// </summary>
public sealed class DriveCalibration
{
    /// <summary>¹H gyromagnetic ratio γ/2π, Hz/T (CODATA 2018: 42.577 478 518 MHz/T).</summary>
    public const double Gamma1H = 42.577478518e6;
    /// <summary>Smallest accepted γ/2π, Hz/T (below every MR nucleus).</summary>
    public const double MinGammaHzPerT = 1e5;
    /// <summary>Largest accepted γ/2π, Hz/T (above every MR nucleus).</summary>
    public const double MaxGammaHzPerT = 1e9;

    public DriveCalibration(string driveUnit, Complex[] factorsPerMicroTesla, Complex[]? defaultShim = null, double gammaHzPerT = Gamma1H, string source = "calibration")
    {
        DriveUnit = DriveUnits.Normalise(driveUnit, source);
        if (factorsPerMicroTesla.Length == 0) throw new SarKitInputException($"{source}: no channel calibration factors.");
        for (int c = 0; c < factorsPerMicroTesla.Length; c++)
            if (!double.IsFinite(factorsPerMicroTesla[c].Real) || !double.IsFinite(factorsPerMicroTesla[c].Imaginary))
                throw new SarKitInputException($"{source}: calibration factor of channel {c} is not finite.");
        if (defaultShim is not null && defaultShim.Length != factorsPerMicroTesla.Length)
            throw new SarKitInputException($"{source}: default shim has {defaultShim.Length} channels, calibration {factorsPerMicroTesla.Length}.");
        if (defaultShim is not null)
            for (int c = 0; c < defaultShim.Length; c++)
                if (!double.IsFinite(defaultShim[c].Real) || !double.IsFinite(defaultShim[c].Imaginary))
                    throw new SarKitInputException($"{source}: default shim of channel {c} is not finite ({defaultShim[c]}).");
        // γ/2π of MR nuclei lies between about 1 MHz/T (¹⁸⁷Os) and 45 MHz/T (³H); a huge γ would scale every drive to ~0
        if (!(gammaHzPerT >= MinGammaHzPerT && gammaHzPerT <= MaxGammaHzPerT))
            throw new SarKitInputException($"{source}: gyromagnetic ratio {gammaHzPerT} Hz/T must lie in [{MinGammaHzPerT:G3}, {MaxGammaHzPerT:G3}] Hz/T (¹H: {Gamma1H} Hz/T).");
        Factors = factorsPerMicroTesla; DefaultShim = defaultShim; GammaHzPerT = gammaHzPerT; Source = source;
    }

    /// <summary>Drive unit of x_c ("V", "sqrt(W)", "A" or "uT").</summary>
    public string DriveUnit { get; }
    /// <summary>k_c, drive unit per µT.</summary>
    public Complex[] Factors { get; }
    public Complex[]? DefaultShim { get; }
    public double GammaHzPerT { get; }
    public string Source { get; }
    public int Channels => Factors.Length;

    /// <summary>Identity calibration for matrices given per µT² (B1-to-SAR calibration, single channel or N channels in µT).</summary>
    public static DriveCalibration MicroTesla(int channels = 1, double gammaHzPerT = Gamma1H) =>
        new("uT", Enumerable.Repeat(Complex.One, channels).ToArray(), channels == 1 ? [Complex.One] : null, gammaHzPerT, "B1 in µT");

    /// <summary>Drive per Hz of Pulseq RF amplitude for channel c with shim weight w: k_c · w · 1e6/γ.</summary>
    public Complex DrivePerHz(int c, Complex shim) => Factors[c] * shim * (1e6 / GammaHzPerT);

    /// <summary>
    /// Parses "12.5 V/uT" (all channels, needs <paramref name="channels"/>), "12.5,13,12 V/uT" (per channel) or a JSON file
    /// {"unit": "V/uT", "factors": [12.5, {"re": 1, "im": 2}, {"magnitude": 3, "phase_deg": 10} …],
    ///  "default_shim": [{"magnitude": 1, "phase_deg": 0} …], "gamma_hz_per_t": 42.577478518e6}.
    /// </summary>
    public static DriveCalibration Parse(string text, int? channels)
    {
        if (File.Exists(text)) return FromJson(text);
        var parts = text.Trim().Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length != 2) throw new SarKitInputException($"--calibration '{text}': expected a JSON file or '<factor[,factor…]> <unit>/uT', e.g. '12.5 V/uT'.");
        string unit = parts[1];
        int slash = unit.LastIndexOf('/');
        if (slash < 0 || unit[(slash + 1)..].Trim().ToLowerInvariant() is not ("ut" or "µt"))
            throw new SarKitInputException($"--calibration '{text}': unit '{unit}' must be '<drive unit>/uT' (V/uT, sqrt(W)/uT, A/uT).");
        var vals = parts[0].Split(',').Select(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? d
            : throw new SarKitInputException($"--calibration '{text}': '{v}' is not a number.")).ToArray();
        if (vals.Length == 1 && channels is > 1) vals = Enumerable.Repeat(vals[0], channels.Value).ToArray();
        return new DriveCalibration(unit[..slash], vals.Select(v => new Complex(v, 0)).ToArray(), null, Gamma1H, "--calibration");
    }

    /// <summary>Reads the JSON form (see <see cref="Parse"/>).</summary>
    public static DriveCalibration FromJson(string path)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllText(path)); }
        catch (JsonException e) { throw new SarKitInputException($"{path}: calibration is not valid JSON: {e.Message}", e) { SourceFile = path }; }
        using (doc)
        {
            var r = doc.RootElement;
            if (r.ValueKind != JsonValueKind.Object) throw new SarKitInputException($"{path}: calibration must be a JSON object.") { SourceFile = path };
            if (!r.TryGetProperty("unit", out var u) || u.ValueKind != JsonValueKind.String)
                throw new SarKitInputException($"{path}: calibration needs \"unit\" (e.g. \"V/uT\").") { SourceFile = path };
            var unit = u.GetString()!;
            int slash = unit.LastIndexOf('/');
            if (slash < 0 || unit[(slash + 1)..].Trim().ToLowerInvariant() is not ("ut" or "µt"))
                throw new SarKitInputException($"{path}: \"unit\" '{unit}' must be '<drive unit>/uT'.") { SourceFile = path };
            if (!r.TryGetProperty("factors", out var fa) || fa.ValueKind != JsonValueKind.Array)
                throw new SarKitInputException($"{path}: calibration needs \"factors\": one per channel.") { SourceFile = path };
            var factors = fa.EnumerateArray().Select((e, i) => ComplexOf(e, path, $"factors[{i}]")).ToArray();
            if (r.TryGetProperty("default_shim", out var shv) && shv.ValueKind != JsonValueKind.Array)
                throw new SarKitInputException($"{path}: \"default_shim\" must be an array (one weight per channel).") { SourceFile = path };
            Complex[]? shim = r.TryGetProperty("default_shim", out var sh) ? sh.EnumerateArray().Select((e, i) => ComplexOf(e, path, $"default_shim[{i}]")).ToArray() : null;
            double gamma = r.TryGetProperty("gamma_hz_per_t", out var g) ? Number(g, path, "gamma_hz_per_t") : Gamma1H;
            return new DriveCalibration(unit[..slash], factors, shim, gamma, path);
        }
    }

    internal static Complex ComplexOf(JsonElement e, string path, string what)
    {
        var z = ComplexOfRaw(e, path, what);
        if (!double.IsFinite(z.Real) || !double.IsFinite(z.Imaginary))
            throw new SarKitInputException($"{path}: {what} is not finite ({z}).") { SourceFile = path };
        return z;
    }

    /// <summary>A finite JSON number, else <see cref="SarKitInputException"/> naming the file and field.</summary>
    internal static double Number(JsonElement e, string path, string what)
    {
        if (e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out var v) && double.IsFinite(v)) return v;
        throw new SarKitInputException($"{path}: {what} = {e.GetRawText()} is not a finite number.") { SourceFile = path };
    }

    private static Complex ComplexOfRaw(JsonElement e, string path, string what)
    {
        if (e.ValueKind == JsonValueKind.Number) return new Complex(Number(e, path, what), 0);
        if (e.ValueKind == JsonValueKind.Object)
        {
            if (e.TryGetProperty("re", out var re)) return new Complex(Number(re, path, what + ".re"), e.TryGetProperty("im", out var im) ? Number(im, path, what + ".im") : 0);
            if (e.TryGetProperty("magnitude", out var m))
            {
                double ph = e.TryGetProperty("phase_rad", out var pr) ? Number(pr, path, what + ".phase_rad")
                    : e.TryGetProperty("phase_deg", out var pd) ? Number(pd, path, what + ".phase_deg") * Math.PI / 180 : 0;
                // a phase beyond ±10⁶ rad has lost all precision in double (cos/sin of it are noise)
                if (Math.Abs(ph) > 1e6) throw new SarKitInputException($"{path}: {what} phase {ph} rad is out of range (|phase| ≤ 1e6 rad).") { SourceFile = path };
                return Complex.FromPolarCoordinates(Number(m, path, what + ".magnitude"), ph);
            }
        }
        throw new SarKitInputException($"{path}: {what} must be a number, {{\"re\", \"im\"}} or {{\"magnitude\", \"phase_deg\"|\"phase_rad\"}}.") { SourceFile = path };
    }
}

/// <summary>Drive units understood by supervision; anything else is refused (fail closed).</summary>
public static class DriveUnits
{
    /// <summary>Canonical form of a drive unit: "V", "sqrt(W)", "A" or "uT"; throws for an unknown unit.</summary>
    public static string Normalise(string unit, string source) => unit.Trim().ToLowerInvariant().Replace(" ", "") switch
    {
        "v" or "volt" => "V",
        "sqrt(w)" or "√w" or "w^0.5" or "w^1/2" => "sqrt(W)",
        "a" or "ampere" => "A",
        "ut" or "µt" or "microtesla" => "uT",
        _ => throw new SarKitInputException($"{source}: unknown drive unit '{unit}' (expected V, sqrt(W), A or uT)."),
    };
}
