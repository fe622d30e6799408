using System.Numerics;
using System.Text.Json;
using SarKit.Surrogate.Onnx;

namespace SarKit.Surrogate;

/// <summary>
/// Predicted SAR-weighted fields e_n = √(σ/2ρ)·E_n of every channel (√(W/kg) per unit drive, same relative phase
/// reference as the B1⁺ input), from which the point SAR of any shim w is |Σ w_n e_n|² exactly (docs/surrogate.md).
/// </summary>
public sealed class PerChannelPrediction(int nx, int ny, Complex[][] e, Complex[][] b1)
{
    public int Nx { get; } = nx;
    public int Ny { get; } = ny;
    /// <summary>e_n per channel, [channel][i + nx·j].</summary>
    public Complex[][] E { get; } = e;
    /// <summary>The input per-channel B1⁺ (µT per unit drive), [channel][cell].</summary>
    public Complex[][] B1 { get; } = b1;
    public int Channels => E.Length;

    /// <summary>Point SAR |Σ w_n e_n|² (W/kg for the drive w) per cell.</summary>
    public double[] PointSar(ReadOnlySpan<Complex> w)
    {
        if (w.Length != Channels) throw new SarKitInputException($"Shim has {w.Length} weights; the model has {Channels} channels.");
        var s = new double[Nx * Ny];
        for (int c = 0; c < s.Length; c++)
        {
            Complex v = 0;
            for (int k = 0; k < Channels; k++) v += w[k] * E[k][c];
            s[c] = v.Real * v.Real + v.Imaginary * v.Imaginary;
        }
        return s;
    }

    /// <summary>⟨|Σ w_n b_n|⟩ over the body cells (µT), the normalisation of the dataset's SAR maps.</summary>
    public double MeanB1Abs(ReadOnlySpan<Complex> w, byte[] mask)
    {
        double sum = 0; int n = 0;
        for (int c = 0; c < mask.Length; c++)
        {
            if (mask[c] == 0) continue;
            Complex v = 0;
            for (int k = 0; k < Channels; k++) v += w[k] * B1[k][c];
            sum += v.Magnitude; n++;
        }
        return n == 0 ? 0 : sum / n;
    }
}

/// <summary>
/// The physics-structured surrogate of surrogate/train.py (--model perchannel): input [b_n/s (re, im per channel) × mask,
/// mask, water, fat] with s = √(mean over the body of mean_n |b_n|²), output e_n/s; runs once per subject, and every
/// shim's SAR (and so Q-matrices, 10 g averages, VOPs) follows from the predicted e_n. An input of the training grid's
/// size runs on the training window only (config.json "crop", <see cref="SurrogateCropWindow"/>); other sizes run on the
/// whole input.
/// </summary>
public sealed class PerChannelSurrogate : IDisposable
{
    private readonly OnnxSession _session;

    public PerChannelSurrogate(string modelPath, int threads = 2)
    {
        ModelPath = modelPath;
        var cfgPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(modelPath))!, "config.json");
        if (!File.Exists(cfgPath)) throw new SarKitInputException($"'{cfgPath}' (the training config next to '{modelPath}') does not exist.") { SourceFile = cfgPath };
        using (var doc = JsonDocument.Parse(File.ReadAllText(cfgPath)))
        {
            var r = doc.RootElement;
            string model = r.TryGetProperty("model", out var m) ? m.GetString() ?? "" : "";
            if (model != "perchannel") throw new SarKitInputException($"'{cfgPath}': model '{model}'; expected 'perchannel'.") { SourceFile = cfgPath, Dataset = "model" };
            InputChannels = r.GetProperty("input_channels").GetInt32();
            OutputChannels = r.GetProperty("output_channels").GetInt32();
            PadMultiple = r.GetProperty("pad_multiple").GetInt32();
            UsesAnatomy = !(r.TryGetProperty("no_anatomy", out var na) && na.GetBoolean());
            if (r.TryGetProperty("safety_factor", out var sf) && sf.ValueKind == JsonValueKind.Number) SafetyFactor = sf.GetDouble();
            if (r.TryGetProperty("safety_factor_metric", out var sm) && sm.ValueKind == JsonValueKind.String) SafetyFactorMetric = sm.GetString()!;
            (Grid, Crop) = SurrogateWindowing.Read(r, cfgPath);
        }
        Channels = OutputChannels / 2;
        if (OutputChannels % 2 != 0 || InputChannels != 2 * Channels + (UsesAnatomy ? 3 : 0))
            throw new SarKitInputException($"'{cfgPath}': input_channels {InputChannels} / output_channels {OutputChannels} do not match the per-channel layout.") { SourceFile = cfgPath };
        _session = new OnnxSession(modelPath, threads);
    }

    public string ModelPath { get; }
    public int Channels { get; }
    public int InputChannels { get; }
    public int OutputChannels { get; }
    public int PadMultiple { get; }
    public bool UsesAnatomy { get; }
    /// <summary>
    /// Calibrated safety factor from config.json ("safety_factor": q95 of true/predicted peak SAR over the validation
    /// subjects, of the quantity <see cref="SafetyFactorMetric"/>), 1 when absent.
    /// </summary>
    public double SafetyFactor { get; } = 1.0;
    /// <summary>Quantity the safety factor was calibrated on ("sar10g" or "sar"; config "safety_factor_metric", default "sar10g").</summary>
    public string SafetyFactorMetric { get; } = "sar10g";
    /// <summary>Training grid (config.json "grid"), null for configs without it.</summary>
    public SurrogateTrainingGrid? Grid { get; }
    /// <summary>Training window (config.json "crop"): inputs of the training grid's size run on this window only; null = whole input.</summary>
    public SurrogateCropWindow? Crop { get; }

    /// <summary>True when the config.json beside <paramref name="modelPath"/> names the per-channel model (model = "perchannel").</summary>
    public static bool IsPerChannelModel(string modelPath)
    {
        var cfgPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(modelPath))!, "config.json");
        if (!File.Exists(cfgPath)) return false;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(cfgPath));
            return doc.RootElement.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String && m.GetString() == "perchannel";
        }
        catch (JsonException e) { throw new SarKitInputException($"'{cfgPath}': not valid JSON: {e.Message}", e) { SourceFile = cfgPath }; }
    }

    /// <summary>Predicts e_n for one slice; throws <see cref="SarKitInputException"/> naming <paramref name="source"/> for bad input.</summary>
    /// <param name="nx">Cells along x.</param><param name="ny">Cells along y.</param>
    /// <param name="b1Channels">Per-channel B1⁺ (µT per unit drive, channel-1 phase removed), [channel, 2 (re, im), ny, nx] C order.</param>
    /// <param name="mask">Body mask (1 = tissue), [ny, nx].</param>
    /// <param name="water">Dixon-like water image (required when the model uses anatomy).</param>
    /// <param name="fat">Dixon-like fat image (required when the model uses anatomy).</param>
    /// <param name="source">Name of the input for error messages.</param>
    public PerChannelPrediction Predict(int nx, int ny, float[] b1Channels, byte[] mask, float[]? water, float[]? fat, string source = "input")
    {
        int n = nx * ny;
        if (b1Channels.Length != Channels * 2 * n) throw new SarKitInputException($"'{source}': 'b1_channels' (per-channel B1+) has {b1Channels.Length} values; expected {Channels} × 2 × {ny} × {nx}.") { SourceFile = source, Dataset = "b1_channels" };
        if (mask.Length != n) throw new SarKitInputException($"'{source}': mask has {mask.Length} values; expected {ny} × {nx}.") { SourceFile = source, Dataset = "mask" };
        if (UsesAnatomy && (water?.Length != n || fat?.Length != n)) throw new SarKitInputException($"'{source}': the model needs 'water' and 'fat' images of {ny} × {nx}.") { SourceFile = source };
        double pow = 0; int body = 0;
        for (int c = 0; c < n; c++)
        {
            if (mask[c] == 0) continue;
            body++;
            for (int k = 0; k < Channels; k++)
            {
                double re = b1Channels[(2 * k) * n + c], im = b1Channels[(2 * k + 1) * n + c];
                if (!double.IsFinite(re) || !double.IsFinite(im)) throw new SarKitInputException($"'{source}': 'b1_channels' (per-channel B1+) of channel {k + 1} at [{c / nx}, {c % nx}] inside the body is {re} + {im}j; expected finite values.") { SourceFile = source, Dataset = "b1_channels" };
                pow += re * re + im * im;
            }
        }
        if (body == 0 || !(pow > 0)) throw new SarKitInputException($"'{source}': empty body mask or zero B1+.") { SourceFile = source };
        double s = Math.Sqrt(pow / (body * (double)Channels));
        // the network sees the training window of the grid (or the whole input of another size), zero-padded bottom/right
        var (y0, x0, h, w) = SurrogateWindowing.Region(Grid, Crop, nx, ny, mask, source);
        int H = SurrogateWindowing.Padded(h, PadMultiple), W = SurrogateWindowing.Padded(w, PadMultiple);
        var t = new float[InputChannels * H * W];
        for (int j = 0; j < h; j++)
            for (int i = 0; i < w; i++)
            {
                int c = (x0 + i) + nx * (y0 + j), p = i + W * j;
                if (mask[c] == 0) continue;
                for (int q = 0; q < 2 * Channels; q++) t[q * H * W + p] = (float)(b1Channels[q * n + c] / s);
                if (UsesAnatomy) { t[2 * Channels * H * W + p] = 1; t[(2 * Channels + 1) * H * W + p] = water![c]; t[(2 * Channels + 2) * H * W + p] = fat![c]; }
            }
        var (y, shape) = _session.Run(t, [1, InputChannels, H, W]);
        if (shape.Length != 4 || shape[1] != OutputChannels || shape[2] != H || shape[3] != W)
            throw new SarKitInputException($"'{ModelPath}': output shape [{string.Join(", ", shape)}]; expected [1, {OutputChannels}, {H}, {W}].") { SourceFile = ModelPath };
        var e = new Complex[Channels][]; var b = new Complex[Channels][];
        for (int k = 0; k < Channels; k++)
        {
            e[k] = new Complex[n]; b[k] = new Complex[n];
            for (int c = 0; c < n; c++) b[k][c] = new Complex(b1Channels[(2 * k) * n + c], b1Channels[(2 * k + 1) * n + c]);
            for (int j = 0; j < h; j++)
                for (int i = 0; i < w; i++)
                {
                    int c = (x0 + i) + nx * (y0 + j), p = i + W * j;
                    if (mask[c] == 0) continue;  // e only in the body (SAR is 0 outside, and so outside the window)
                    e[k][c] = new Complex(y[(2 * k) * H * W + p], y[(2 * k + 1) * H * W + p]) * s;
                }
        }
        return new PerChannelPrediction(nx, ny, e, b);
    }

    public void Dispose() => _session.Dispose();
}
