using System.Globalization;
using System.Text.Json;

namespace SarKit.Surrogate;

/// <summary>
/// What a surrogate's calibration covers, in one sentence, from the config.json (and, when present, report.json) beside
/// its model.onnx: the safety factor and the quantile it is of, the data it was calibrated on (2D FDFD synthetic pelvis
/// phantoms of <c>PelvisPhantom2D</c>, dataset seed, subjects, grid, the 2D-adapted 10 g square average, which is not the
/// IEC/IEEE 62704-1 cube), the P(under) target (1 − quantile) and, from report.json, the held-out test subjects' calibrated
/// P(under) with the upper ends of its Wilson and subject-bootstrap 95 % intervals. Attached to every SAR figure and VOP
/// set derived from the surrogate (<see cref="SarKit.Compression.VopSarBasis"/>; docs/surrogate.md "Safety labelling").
/// </summary>
public static class SurrogateCalibrationCoverage
{
    /// <summary>The coverage statement of the model <paramref name="modelPath"/>; never throws for missing or partial files (it says what is missing).</summary>
    public static string Describe(string modelPath)
    {
        ArgumentNullException.ThrowIfNull(modelPath);
        var ci = CultureInfo.InvariantCulture;
        var dir = Path.GetDirectoryName(Path.GetFullPath(modelPath))!;
        var parts = new List<string>();
        string metric = "sar10g";
        double? quantile = null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "config.json")));
            var r = doc.RootElement;
            string? S(string k) => r.TryGetProperty(k, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            double? D(JsonElement e, string k) => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(k, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
            metric = S("safety_factor_metric") ?? S("target") ?? metric;
            quantile = D(r, "calibration_quantile");
            var sf = D(r, "safety_factor");
            bool threeD = S("data") == "3d-openems-pairs";
            string what = threeD ? "slice peak of the IEC/IEEE 62704-1 10 g SAR of 3D openEMS subjects"
                : metric == "sar" ? "peak point SAR" : "peak 2D-adapted 10 g SAR (square average, not the IEC/IEEE 62704-1 cube)";
            parts.Add(sf is { } f
                ? $"SF {f.ToString("G4", ci)} = q{(quantile ?? 0.95).ToString("G3", ci)} of true/predicted {what} on the " + (threeD ? $"held-out 3D subjects ({S("safety_factor_note") ?? "see config.json"})" : "validation subjects")
                : "no safety factor in config.json (SF = 1, uncalibrated)");
            if (threeD)
            {
                var train = r.TryGetProperty("train_subjects", out var t) && t.ValueKind == JsonValueKind.Array ? string.Join(", ", t.EnumerateArray().Select(x => x.GetString())) : "?";
                parts.Add($"data: 3D openEMS (FDTD, 5 mm) generated body models in the 8-channel 7 T dipole array, trained on {train}; generated anatomy, not real subjects");
            }
            var grid = r.TryGetProperty("grid", out var g) ? g : default;
            double? seed = D(r, "dataset_seed"), subjects = D(r, "dataset_subjects"), nx = D(grid, "nx"), ny = D(grid, "ny"), h = D(grid, "cell_size_m");
            if (!threeD) parts.Add("data: 2D FDFD synthetic pelvis phantoms (PelvisPhantom2D, 8 line sources, 298 MHz" +
                (seed is { } s ? $", dataset seed {s.ToString("R", ci)}" : "") + (subjects is { } n ? $", {n.ToString("R", ci)} subjects" : "") +
                (nx is { } x && ny is { } y && h is { } c ? $", {x.ToString("R", ci)} x {y.ToString("R", ci)} cells of {(c * 1e3).ToString("G4", ci)} mm" : "") +
                "; no 3D physics, no real anatomy)");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            parts.Add($"config.json beside the model unreadable ({e.GetType().Name}): calibration unknown");
        }
        double target = 1 - (quantile ?? 0.95);
        parts.Add($"P(under) target {(target * 100).ToString("G3", ci)} % of cases on exchangeable subjects of that generator, a rate, not a per-subject guarantee");
        parts.Add(HeldOut(Path.Combine(dir, "report.json"), metric, ci));
        return "calibration: " + string.Join("; ", parts);
    }

    private static string HeldOut(string reportPath, string metric, CultureInfo ci)
    {
        if (!File.Exists(reportPath)) return "held-out check: none (no report.json beside the model)";
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(reportPath));
            var r = doc.RootElement;
            if (!r.TryGetProperty("methods", out var m) || !m.TryGetProperty("model", out var mm) || !mm.TryGetProperty(metric, out var mt)
                || !mt.TryGetProperty("test_calibrated", out var tc) || !tc.TryGetProperty("p_underestimation", out var pu))
                return "held-out check: report.json has no calibrated test P(under)";
            string Pct(double v) => (v * 100).ToString("F1", ci) + " %";
            static double? Hi(JsonElement e, string k) => e.TryGetProperty(k, out var a) && a.ValueKind == JsonValueKind.Array && a.GetArrayLength() == 2 ? a[1].GetDouble() : null;
            int cases = tc.TryGetProperty("cases", out var c) ? c.GetInt32() : 0;
            int subjects = r.TryGetProperty("test_subjects", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetInt32() : 0;
            var text = $"held-out test ({subjects} subjects, {cases} cases): calibrated P(under) {Pct(pu.GetDouble())}";
            var bounds = new List<string>();
            if (Hi(tc, "p_underestimation_ci95") is { } w) bounds.Add($"Wilson 95 % upper bound {Pct(w)}");
            if (Hi(tc, "p_underestimation_ci95_subjects") is { } b) bounds.Add($"subject-bootstrap 95 % upper bound {Pct(b)}");
            return bounds.Count > 0 ? $"{text} ({string.Join(", ", bounds)})" : text;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException or FormatException)
        {
            return $"held-out check: report.json unreadable ({e.GetType().Name})";
        }
    }
}
