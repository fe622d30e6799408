using System.Text.Json;
using SarKit.IO;

namespace SarKit.Surrogate;

/// <summary>One evaluated case: subject, shim, true and predicted peak of the normalised SAR map (W/kg per µT²).</summary>
public readonly record struct PeakCase(int Subject, int Shim, double TruePeak, double PredictedPeak, double GenericPeak);

/// <summary>Result of <see cref="SurrogateEvaluator.Evaluate"/>.</summary>
public sealed record SurrogateEvaluation(string Split, string Target, int Subjects, IReadOnlyList<PeakCase> Cases,
    PeakSarMetrics Model, PeakSarMetrics Generic, double GenericConstant)
{
    /// <summary>Writes every case as CSV (subject, shim, true_peak, predicted_peak, generic_peak, ratio), atomically.</summary>
    public void WriteCasesCsv(string path)
    {
        var sb = new System.Text.StringBuilder("subject,shim,true_peak,predicted_peak,generic_peak,ratio\n");
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        foreach (var c in Cases)
            sb.Append(inv, $"{c.Subject},{c.Shim},{c.TruePeak:R},{c.PredictedPeak:R},{c.GenericPeak:R},{c.PredictedPeak / c.TruePeak:R}\n");
        AtomicFile.Write(path, f => { using var w = new StreamWriter(f, new System.Text.UTF8Encoding(false), leaveOpen: true); w.Write(sb.ToString()); });
    }
}

/// <summary>
/// Evaluates a direct surrogate on the subjects of one split of a surrogate dataset (docs/surrogate.md): predicted vs
/// true peak of the model's target map per shim, and, as the baseline without subject information (the "generic
/// model" of Meliadò 2019/2020), a constant normalised peak c·⟨|B1⁺|⟩² with c = the mean true normalised peak over
/// all shims of the training subjects.
/// </summary>
public static class SurrogateEvaluator
{
    public static SurrogateManifest ReadManifest(string directory)
    {
        var path = Path.Combine(directory, SurrogateDatasetBuilder.ManifestFile);
        if (!File.Exists(path)) throw new SarKitInputException($"'{path}' does not exist; --data must be a folder written by 'sarkit surrogate dataset'.") { SourceFile = path };
        SurrogateManifest? m;
        try { m = JsonSerializer.Deserialize<SurrogateManifest>(File.ReadAllText(path), SurrogateDatasetBuilder.JsonOptions); }
        catch (JsonException e) { throw new SarKitInputException($"'{path}' is not a valid surrogate manifest: {e.Message}", e) { SourceFile = path }; }
        if (m is null || m.Format != SurrogateDatasetBuilder.Format) throw new SarKitInputException($"'{path}': format '{m?.Format}', expected '{SurrogateDatasetBuilder.Format}'.") { SourceFile = path };
        return m;
    }

    public static SurrogateEvaluation Evaluate(string directory, SurrogatePredictor predictor, string split = "test", int maxShims = 0, Action<int, int>? progress = null)
    {
        var m = ReadManifest(directory);
        var subjects = m.Subjects.Where(s => s.Split == split).ToList();
        if (subjects.Count == 0) throw new SarKitInputException($"'{directory}': the '{split}' split has no subjects (splits: {string.Join(", ", m.Splits.Select(kv => $"{kv.Key} {kv.Value}"))}).") { SourceFile = directory };
        string target = predictor.Target;
        int M = maxShims > 0 ? Math.Min(maxShims, m.ShimsPerSubject) : m.ShimsPerSubject;
        // generic constant from the training subjects
        double sum = 0; int count = 0;
        foreach (var s in m.Subjects.Where(s => s.Split == "train"))
        {
            using var z = NpzArchive.Open(Path.Combine(directory, s.File));
            var y = (float[])z.Read(target).Data;
            int n = y.Length / m.ShimsPerSubject;
            for (int k = 0; k < m.ShimsPerSubject; k++) { double pk = 0; for (int c = 0; c < n; c++) pk = Math.Max(pk, y[k * n + c]); sum += pk; count++; }
        }
        if (count == 0) throw new SarKitInputException($"'{directory}': no training subjects for the generic baseline.") { SourceFile = directory };
        double generic = sum / count;
        var cases = new List<PeakCase>();
        int done = 0;
        foreach (var s in subjects)
        {
            var file = Path.Combine(directory, s.File);
            using var z = NpzArchive.Open(file);
            int nx = m.Grid.Nx, ny = m.Grid.Ny, n = nx * ny;
            var b1 = (float[])z.Read("b1_shim").Data;
            var y = (float[])z.Read(target).Data;
            var mask = (byte[])z.Read("mask").Data;
            var water = (float[])z.Read("water").Data; var fat = (float[])z.Read("fat").Data;
            for (int k = 0; k < M; k++)
            {
                var re = new float[n]; var im = new float[n];
                Array.Copy(b1, (long)k * 2 * n, re, 0, n); Array.Copy(b1, (long)k * 2 * n + n, im, 0, n);
                var p = predictor.Predict(new SurrogateInput(nx, ny, re, im, mask, water, fat), file);
                double truePk = 0, predPk = 0;
                for (int c = 0; c < n; c++) { truePk = Math.Max(truePk, y[(long)k * n + c]); predPk = Math.Max(predPk, p.NormalisedSar[c]); }
                cases.Add(new PeakCase(s.Index, k, truePk, Math.Max(predPk, 1e-30), generic));
            }
            progress?.Invoke(++done, subjects.Count);
        }
        var t = cases.Select(c => c.TruePeak).ToArray();
        return new SurrogateEvaluation(split, target, subjects.Count, cases,
            PeakSarMetrics.Compute(t, cases.Select(c => c.PredictedPeak).ToArray()), PeakSarMetrics.Compute(t, cases.Select(c => c.GenericPeak).ToArray()), generic);
    }
}
