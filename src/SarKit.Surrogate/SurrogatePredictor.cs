using System.Text.Json;
using SarKit.Surrogate.Onnx;

namespace SarKit.Surrogate;

/// <summary>Inputs of one slice for a direct (Meliadò-style) surrogate: complex B1⁺ in µT with the channel-1 phase
/// removed, body mask, optional Dixon-like water/fat images; all [ny, nx], C order.</summary>
public sealed record SurrogateInput(int Nx, int Ny, float[] B1Re, float[] B1Im, byte[] Mask, float[]? Water = null, float[]? Fat = null)
{
    /// <summary>Throws <see cref="SarKitInputException"/> naming <paramref name="source"/> and the array and index of the first problem.</summary>
    public void Validate(string source)
    {
        int n = Nx * Ny;
        if (Nx < 1 || Ny < 1) throw new SarKitInputException($"'{source}': B1+ map of {Ny} × {Nx} cells; expected a non-empty 2D map.") { SourceFile = source };
        void Len(Array? a, string name) { if (a is not null && a.Length != n) throw new SarKitInputException($"'{source}': array '{name}' has {a.Length} values; expected {Ny} × {Nx} = {n} like the B1+ map.") { SourceFile = source, Dataset = name }; }
        Len(B1Re, "b1 (real part)"); Len(B1Im, "b1 (imaginary part)"); Len(Mask, "mask"); Len(Water, "water"); Len(Fat, "fat");
        for (int c = 0; c < n; c++)
        {
            if (Mask[c] > 1) throw new SarKitInputException($"'{source}': mask[{c / Nx}, {c % Nx}] = {Mask[c]}; expected 0 or 1.") { SourceFile = source, Dataset = "mask" };
            if (Mask[c] == 1 && (!float.IsFinite(B1Re[c]) || !float.IsFinite(B1Im[c])))
                throw new SarKitInputException($"'{source}': B1+ at [{c / Nx}, {c % Nx}] inside the body is {B1Re[c]} + {B1Im[c]}j; expected finite values.") { SourceFile = source, Dataset = "b1" };
        }
        if (!Mask.Any(m => m == 1)) throw new SarKitInputException($"'{source}': the body mask is empty.") { SourceFile = source, Dataset = "mask" };
    }
}

/// <summary>Result of <see cref="SurrogatePredictor.Predict"/>.</summary>
/// <param name="Sar">Predicted SAR (W/kg) per cell for the given B1⁺ amplitude, [ny, nx]; 0 outside the body.</param>
/// <param name="NormalisedSar">Predicted SAR / ⟨|B1⁺|⟩² (W/kg per µT²).</param>
/// <param name="MeanB1AbsMicroTesla">⟨|B1⁺|⟩ over the body (µT).</param>
/// <param name="PeakSar">Peak of <paramref name="Sar"/> (W/kg).</param>
/// <param name="PeakCell">Cell index i + nx·j of the peak (−1 if none).</param>
/// <param name="SafetyFactor">Calibrated factor applied for the conservative peak (1 if none).</param>
/// <param name="Milliseconds">Wall time of input preparation, inference and rescaling.</param>
public sealed record DirectSurrogatePrediction(float[] Sar, float[] NormalisedSar, double MeanB1AbsMicroTesla, double PeakSar, int PeakCell, double SafetyFactor, double Milliseconds)
{
    /// <summary>Peak SAR × safety factor (W/kg).</summary>
    public double ConservativePeakSar => PeakSar * SafetyFactor;
}

/// <summary>
/// A direct B1⁺ → SAR surrogate exported by surrogate/train.py (model.onnx + config.json beside it): builds the input
/// tensor exactly as the training did (docs/surrogate.md: [Re, Im] B1⁺/⟨|B1⁺|⟩ × mask, then mask, water, fat unless
/// trained with --no-anatomy; zero-padded to the model's multiple), runs ONNX Runtime and rescales by ⟨|B1⁺|⟩².
/// An input of the training grid's size runs on the training window only (config.json "crop", <see cref="SurrogateCropWindow"/>);
/// other sizes run on the whole input (the U-Net is fully convolutional).
/// </summary>
public sealed class SurrogatePredictor : IDisposable
{
    private readonly OnnxSession _session;

    public SurrogatePredictor(string modelPath, int threads = 2)
    {
        ModelPath = modelPath;
        var cfgPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(modelPath))!, "config.json");
        if (!File.Exists(cfgPath)) throw new SarKitInputException($"'{cfgPath}' (the training config next to '{modelPath}') does not exist; it gives the model's input layout.") { SourceFile = cfgPath };
        using (var doc = JsonDocument.Parse(File.ReadAllText(cfgPath)))
        {
            var r = doc.RootElement;
            string model = r.TryGetProperty("model", out var m) ? m.GetString() ?? "" : "";
            if (model is not ("unet" or "cgan")) throw new SarKitInputException($"'{cfgPath}': model '{model}'; 'sarkit surrogate predict' supports the direct models (unet, cgan) only.") { SourceFile = cfgPath, Dataset = "model" };
            InputChannels = r.GetProperty("input_channels").GetInt32();
            PadMultiple = r.GetProperty("pad_multiple").GetInt32();
            UsesAnatomy = !(r.TryGetProperty("no_anatomy", out var na) && na.GetBoolean());
            Target = r.TryGetProperty("target", out var t) ? t.GetString() ?? "sar" : "sar";
            if (r.TryGetProperty("safety_factor", out var sf) && sf.ValueKind == JsonValueKind.Number) SafetyFactor = sf.GetDouble();
            (Grid, Crop) = SurrogateWindowing.Read(r, cfgPath);
        }
        if (InputChannels != (UsesAnatomy ? 5 : 2)) throw new SarKitInputException($"'{cfgPath}': input_channels {InputChannels} does not match the direct layout ({(UsesAnatomy ? 5 : 2)}).") { SourceFile = cfgPath };
        _session = new OnnxSession(modelPath, threads);
    }

    public string ModelPath { get; }
    public int InputChannels { get; }
    public int PadMultiple { get; }
    public bool UsesAnatomy { get; }
    /// <summary>"sar" (point) or "sar10g" (2D-adapted 10 g) — what the model predicts.</summary>
    public string Target { get; }
    /// <summary>Calibrated safety factor from config.json ("safety_factor", e.g. SF95 of the held-out subjects), 1 when absent.</summary>
    public double SafetyFactor { get; } = 1.0;
    /// <summary>Training grid (config.json "grid"), null for configs without it.</summary>
    public SurrogateTrainingGrid? Grid { get; }
    /// <summary>Training window (config.json "crop"): inputs of the training grid's size run on this window only; null = whole input.</summary>
    public SurrogateCropWindow? Crop { get; }

    public DirectSurrogatePrediction Predict(SurrogateInput x, string source = "input")
    {
        x.Validate(source);
        if (UsesAnatomy && (x.Water is null || x.Fat is null))
            throw new SarKitInputException($"'{source}': the model was trained with anatomy images; arrays 'water' and 'fat' are required.") { SourceFile = source };
        var sw = System.Diagnostics.Stopwatch.StartNew();
        int nx = x.Nx, ny = x.Ny;
        // the network sees the training window of the grid (or the whole input of another size), zero-padded bottom/right
        var (y0, x0, h, w) = SurrogateWindowing.Region(Grid, Crop, nx, ny, x.Mask, source);
        int H = SurrogateWindowing.Padded(h, PadMultiple), W = SurrogateWindowing.Padded(w, PadMultiple);
        double sum = 0; int body = 0;
        for (int c = 0; c < nx * ny; c++) if (x.Mask[c] == 1) { sum += Math.Sqrt((double)x.B1Re[c] * x.B1Re[c] + (double)x.B1Im[c] * x.B1Im[c]); body++; }
        double mean = sum / body;
        if (!(mean > 0)) throw new SarKitInputException($"'{source}': |B1+| is zero everywhere in the body.") { SourceFile = source, Dataset = "b1" };
        var t = new float[InputChannels * H * W];
        for (int j = 0; j < h; j++)
            for (int i = 0; i < w; i++)
            {
                int c = (x0 + i) + nx * (y0 + j), p = i + W * j;
                if (x.Mask[c] == 0) continue;
                t[p] = (float)(x.B1Re[c] / mean); t[H * W + p] = (float)(x.B1Im[c] / mean);
                if (UsesAnatomy) { t[2 * H * W + p] = 1; t[3 * H * W + p] = x.Water![c]; t[4 * H * W + p] = x.Fat![c]; }
            }
        var (y, shape) = _session.Run(t, [1, InputChannels, H, W]);
        if (shape.Length != 4 || shape[1] != 1 || shape[2] != H || shape[3] != W)
            throw new SarKitInputException($"'{ModelPath}': output shape [{string.Join(", ", shape)}]; expected [1, 1, {H}, {W}].") { SourceFile = ModelPath };
        var norm = new float[nx * ny]; var sar = new float[nx * ny];
        double peak = 0; int at = -1;
        for (int j = 0; j < h; j++)
            for (int i = 0; i < w; i++)
            {
                int c = (x0 + i) + nx * (y0 + j);
                if (x.Mask[c] == 0) continue;  // 0 outside the body (and so outside the window)
                norm[c] = y[i + W * j];
                sar[c] = (float)(norm[c] * mean * mean);
                if (sar[c] > peak) { peak = sar[c]; at = c; }
            }
        return new DirectSurrogatePrediction(sar, norm, mean, peak, at, SafetyFactor, sw.Elapsed.TotalMilliseconds);
    }

    public void Dispose() => _session.Dispose();
}
