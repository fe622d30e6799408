using System.Globalization;
using System.Numerics;
using SarKit.Compression;
using SarKit.Fields;
using SarKit.IO;
using SarKit.IO.Arrays;
using SarKit.IO.Formats;
using SarKit.Surrogate;
using SarKit.Workflows.Results;

namespace SarKit.Workflows;

/// <summary>What to predict with <see cref="SurrogatePrediction.Run"/> (docs/cli.md, "sarkit surrogate predict").</summary>
public sealed record SurrogatePredictionRequest
{
    /// <summary>B1⁺ input: .npz, HDF5 or MATLAB .mat of named arrays, or a dataset shard (<see cref="SurrogateInputFiles"/>).</summary>
    public required string B1File { get; init; }
    /// <summary>model.onnx from surrogate/train.py (config.json beside it): a direct model (unet, cgan) or the per-channel model.</summary>
    public required string ModelFile { get; init; }
    /// <summary>Shim index of a dataset shard (direct: its 'b1_shim'; per-channel: its 'phases'); null = not given (0).</summary>
    public int? Shim { get; init; }
    /// <summary>Per-channel model: the shim's phases per channel (rad, unit amplitudes), instead of <see cref="Shim"/>.</summary>
    public double[]? Phases { get; init; }
    /// <summary>Write the maps (.npz) here; null = do not write.</summary>
    public string? OutputFile { get; init; }
    /// <summary>Per-channel model: write the certified VOP set of SF × the predicted 2D 10 g Q-matrices here (.h5/.mat/.npz).</summary>
    public string? VopsFile { get; init; }
    /// <summary>Per-channel model: VOP diagonal margin ε, fraction of SAR_wc.</summary>
    public double Margin { get; init; } = 0.05;
    /// <summary>Per-channel model: cell side for the 10 g average (m); null = config.json grid.cell_size_m.</summary>
    public double? CellSizeM { get; init; }
    /// <summary>Per-channel model: drive unit of the input B1⁺ maps, carried into the VOP file.</summary>
    public FieldNormalisation Normalisation { get; init; } = FieldNormalisation.PerAmpere;
    /// <summary>Random unit drives of the VOP verifier's second check (0 to skip).</summary>
    public int RandomDrives { get; init; } = 10_000;
}

/// <summary>
/// Local SAR of one slice predicted from its B1⁺ maps by a trained surrogate through ONNX Runtime, as run by
/// <c>sarkit surrogate predict</c> (docs/cli.md; docs/surrogate.md "Inference in C#").
/// <list type="bullet">
/// <item>Direct models (unet, cgan; <see cref="SurrogatePredictor"/>): B1⁺ → SAR map, rescaled by ⟨|B1⁺|⟩², and the
/// conservative peak SF × peak.</item>
/// <item>Per-channel model (<see cref="PerChannelSurrogate"/>): e_n per channel; for a shim w (w_n = e^{jφ_n}) the point
/// SAR |Σ w_n e_n|² and its 2D-adapted 10 g average (<see cref="SquareMassAverage2D"/>); optionally the subject's VOP set of
/// SF × the 10 g Q-matrices, compressed and certified (<see cref="SurrogateVops.Build"/> →
/// <see cref="CertifiedVopCompression.Run"/>, Lee et al., MRM 2012) and written only when certified.</item>
/// </list>
/// </summary>
public sealed class SurrogatePrediction
{
    private SurrogatePrediction(SurrogatePredictResult? direct, SurrogatePerChannelPredictResult? perChannel, string? vopFailure)
    { Direct = direct; PerChannel = perChannel; VopCertificateFailure = vopFailure; }

    /// <summary>The direct model's result; null for the per-channel model.</summary>
    public SurrogatePredictResult? Direct { get; }
    /// <summary>The per-channel model's result; null for a direct model or when <see cref="VopCertificateFailure"/> is set.</summary>
    public SurrogatePerChannelPredictResult? PerChannel { get; }
    /// <summary>
    /// Set when the VOP set failed its certificate (nothing was written): the message with the verifier's problems. This
    /// is an internal failure (the compressor's output must always certify), not an input fault.
    /// </summary>
    public string? VopCertificateFailure { get; }

    /// <summary>True when <paramref name="modelFile"/> exists and its config.json names the per-channel model.</summary>
    public static bool IsPerChannelModel(string modelFile) => File.Exists(modelFile) && PerChannelSurrogate.IsPerChannelModel(modelFile);

    /// <summary>"p1,p2,..." (rad) → phases; each must be a finite number.</summary>
    public static double[] ParsePhases(string text) =>
        text.Split(',', StringSplitOptions.TrimEntries).Select(t => double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v
            : throw new SarKitInputException($"--phases '{text}': '{t}' is not a finite number (rad).")).ToArray();

    /// <summary>Runs the prediction (direct or per-channel, from the model's config.json) and writes the requested files.</summary>
    /// <param name="request">Inputs and options.</param>
    /// <param name="settings">Threads of ONNX Runtime and of the VOP compression, and the clock of the elapsed times (default <see cref="SarKitSettings.Default"/>).</param>
    /// <param name="sarkitVersion">Version written into the result.</param>
    /// <param name="compressProgress">Progress of the VOP compression.</param>
    /// <param name="verifyProgress">Progress of the VOP certification.</param>
    /// <param name="cancellationToken">Cancels the VOP compression and certification.</param>
    public static SurrogatePrediction Run(SurrogatePredictionRequest request, SarKitSettings? settings = null, string sarkitVersion = "",
        IProgress<VopCompressionProgress>? compressProgress = null, IProgress<VopVerificationProgress>? verifyProgress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        settings ??= SarKitSettings.Default;
        if (IsPerChannelModel(request.ModelFile))
            return RunPerChannel(request, settings, sarkitVersion, compressProgress, verifyProgress, cancellationToken);
        foreach (var (name, given) in new[] { ("--phases", request.Phases is not null), ("--vops-out", request.VopsFile is not null), ("--cell-size", request.CellSizeM is not null) })
            if (given) throw new SarKitInputException($"{name}: only for the per-channel model; '{request.ModelFile}' is a direct model.");
        return new SurrogatePrediction(RunDirect(request, settings, sarkitVersion), null, null);
    }

    private static SurrogatePredictResult RunDirect(SurrogatePredictionRequest a, SarKitSettings settings, string version)
    {
        if (!File.Exists(a.B1File)) throw new SarKitInputException($"--b1 '{a.B1File}' does not exist.") { SourceFile = a.B1File };
        if (!File.Exists(a.ModelFile)) throw new SarKitInputException($"--model '{a.ModelFile}' does not exist.") { SourceFile = a.ModelFile };
        var (input, refs) = SurrogateInputFiles.ReadDirect(a.B1File, a.Shim ?? 0);
        using var predictor = new SurrogatePredictor(a.ModelFile, settings.MaxDegreeOfParallelism);
        double? reference = refs?.GetValueOrDefault(predictor.Target);
        var r = predictor.Predict(input, a.B1File);
        if (a.OutputFile is not null)
        {
            using var w = NpzWriter.Create(a.OutputFile);
            w.Add("sar", new NdArray(NdType.Float32, [input.Ny, input.Nx], r.Sar));
            w.Add("sar_normalised", new NdArray(NdType.Float32, [input.Ny, input.Nx], r.NormalisedSar));
            w.Commit();
        }
        var res = new SurrogatePredictResult(Path.GetFullPath(a.B1File), Path.GetFullPath(a.ModelFile), predictor.Target, input.Ny, input.Nx, r.MeanB1AbsMicroTesla,
            r.PeakSar, [r.PeakCell / input.Nx, r.PeakCell % input.Nx], r.SafetyFactor, r.ConservativePeakSar, reference, r.Milliseconds,
            a.OutputFile is null ? null : Path.GetFullPath(a.OutputFile), version, SarBasisOf(a.ModelFile));
        ResultJson.RequireFinite(res); // tables too: no non-finite result is shown as a number
        return res;
    }

    /// <summary>Per-channel model: e_n of the subject, SAR maps of one shim, and the certified VOP set of SF × the 10 g Q-matrices.</summary>
    private static SurrogatePrediction RunPerChannel(SurrogatePredictionRequest a, SarKitSettings settings, string version,
        IProgress<VopCompressionProgress>? compressProgress, IProgress<VopVerificationProgress>? verifyProgress, CancellationToken cancellationToken)
    {
        var clock = settings.Time;
        long start = clock.GetTimestamp();
        if (!File.Exists(a.B1File)) throw new SarKitInputException($"--b1 '{a.B1File}' does not exist.") { SourceFile = a.B1File };
        if (!(a.Margin > 0 && double.IsFinite(a.Margin))) throw new SarKitInputException($"--margin {a.Margin}: expected a positive fraction of SAR_wc.");
        if (a.RandomDrives < 0) throw new SarKitInputException($"--drives {a.RandomDrives}: expected ≥ 0.");
        if (a.VopsFile is not null)
        {
            VopSetFiles.Kind(a.VopsFile);
            var dir = Path.GetDirectoryName(Path.GetFullPath(a.VopsFile))!;
            if (!Directory.Exists(dir)) throw new SarKitInputException($"--vops-out '{a.VopsFile}': the folder {dir} does not exist.") { SourceFile = a.VopsFile };
        }
        if (a.Phases is not null && a.Shim is not null) throw new SarKitInputException("--phases and --shim: give one of them.");
        using var surrogate = new PerChannelSurrogate(a.ModelFile, settings.MaxDegreeOfParallelism);
        int channels = surrogate.Channels;
        var x = SurrogateInputFiles.ReadPerChannel(a.B1File, channels);
        // the shim: the given phases, or the shard's phases[shim]
        double[]? phases = null; Dictionary<string, double>? reference = null;
        if (a.Phases is not null)
        {
            if (a.Phases.Length != channels)
                throw new SarKitInputException($"--phases '{string.Join(",", a.Phases.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}': {a.Phases.Length} values; the model has {channels} channels.");
            foreach (var v in a.Phases) if (!double.IsFinite(v)) throw new SarKitInputException($"--phases: {v} is not a finite number (rad).");
            phases = (double[])a.Phases.Clone();
        }
        else if (x.ShardPhases is { } sp)
        {
            int shim = a.Shim ?? 0, m = sp.Length / channels;
            if (shim < 0 || shim >= m) throw new SarKitInputException($"--shim {shim}: '{a.B1File}' has shims 0..{m - 1} in 'phases'.") { SourceFile = a.B1File, Dataset = "phases" };
            phases = Enumerable.Range(0, channels).Select(k => (double)sp[shim * channels + k]).ToArray();
            reference = x.ReferencePeaks(shim);
        }
        else if (a.Shim is { } given) throw new SarKitInputException($"--shim {given}: '{a.B1File}' has no array 'phases'; give --phases p1,p2,... instead.") { SourceFile = a.B1File, Dataset = "phases" };
        bool need10g = phases is not null || a.VopsFile is not null;
        if (need10g && x.Rho is null) throw new SarKitInputException($"'{a.B1File}' has no array 'rho' (kg/m³ per cell); the 10 g SAR maps and VOPs need it.") { SourceFile = a.B1File, Dataset = "rho" };
        double h = a.CellSizeM ?? surrogate.Grid?.CellSizeM ?? double.NaN;
        if (need10g && !(h > 0)) throw new SarKitInputException($"'{a.ModelFile}': config.json has no grid.cell_size_m; give --cell-size.") { SourceFile = a.ModelFile };

        var pred = surrogate.Predict(x.Nx, x.Ny, x.B1Channels, x.Mask, x.Water, x.Fat, a.B1File);
        double inferMs = clock.GetElapsedTime(start).TotalMilliseconds;
        int n = x.Nx * x.Ny;
        SquareMassAverage2D? avg = need10g ? new SquareMassAverage2D(x.Nx, x.Ny, h, x.Rho!) : null;
        double[]? sar = null, sar10g = null;
        if (phases is not null)
        {
            var w = phases.Select(ph => Complex.FromPolarCoordinates(1, ph)).ToArray();
            sar = pred.PointSar(w);
            sar10g = new double[n];
            avg!.Average(sar, sar10g);
        }
        SurrogateVopResult? vops = null;
        if (a.VopsFile is not null)
        {
            vops = SurrogateVops.Build(pred, avg!, surrogate.SafetyFactor,
                new VopCompressionOptions { Epsilon = a.Margin, Normalisation = a.Normalisation, MaxDegreeOfParallelism = settings.MaxDegreeOfParallelism },
                new VopVerifierOptions { RandomDrives = a.RandomDrives, MaxDegreeOfParallelism = settings.MaxDegreeOfParallelism },
                $"{Path.GetFileName(a.B1File)} predicted 2D 10 g Q-matrices", compressProgress, verifyProgress, cancellationToken,
                SurrogateCalibrationCoverage.Describe(a.ModelFile));
            vops.Set.Attributes["surrogate_model"] = Path.GetFullPath(a.ModelFile);
            vops.Set.Attributes["source_file"] = Path.GetFullPath(a.B1File);
            if (!vops.Certified)
                return new SurrogatePrediction(null, null, $"the VOP set failed its certificate; nothing written to {a.VopsFile}. {string.Join(" ", vops.Verification.Problems)}");
            VopSetFiles.Write(vops.Set, a.VopsFile);
        }
        if (a.OutputFile is not null) WriteMaps(a.OutputFile, pred, x.Nx, x.Ny, sar, sar10g, phases);
        (double V, int[] At)? Peak(double[]? map)
        {
            if (map is null) return null;
            int at = 0; for (int c = 1; c < map.Length; c++) if (map[c] > map[at]) at = c;
            return (map[at], [at / x.Nx, at % x.Nx]);
        }
        var p1 = Peak(sar); var p10 = Peak(sar10g);
        var res = new SurrogatePerChannelPredictResult(Path.GetFullPath(a.B1File), Path.GetFullPath(a.ModelFile), channels, x.Ny, x.Nx, need10g ? h : null, phases,
            p1?.V, p1?.At, p10?.V, p10?.At, surrogate.SafetyFactor, surrogate.SafetyFactorMetric, p10 is { } q ? q.V * surrogate.SafetyFactor : null,
            reference?.GetValueOrDefault("sar"), reference?.GetValueOrDefault("sar10g"), inferMs,
            a.OutputFile is null ? null : Path.GetFullPath(a.OutputFile),
            vops is null ? null : new SurrogateVopsResult(Path.GetFullPath(a.VopsFile!), vops.Set.Count, vops.QMatrices, vops.Set.Margin.Epsilon, vops.Set.SarWorstCase,
                vops.SafetyFactor, a.Normalisation.ToId(), vops.Certified, VopSarBasis.Describe(vops.Set)!),
            clock.GetElapsedTime(start).TotalSeconds, version, SarBasisOf(a.ModelFile));
        ResultJson.RequireFinite(res); // tables too: no non-finite result is shown as a number
        return new SurrogatePrediction(null, res, null);
    }

    /// <summary>The label of every SAR figure of a surrogate: "surrogate-calibrated, not certified against true SAR (calibration: …)".</summary>
    public static string SarBasisOf(string modelFile) => $"{VopSarBasis.Label} ({SurrogateCalibrationCoverage.Describe(modelFile)})";

    /// <summary>e_channels [C, 2, ny, nx] (√(W/kg) per unit drive) and, with a shim, sar, sar10g [ny, nx] (W/kg) and phases (rad), float32/float64 .npz.</summary>
    private static void WriteMaps(string path, PerChannelPrediction pred, int nx, int ny, double[]? sar, double[]? sar10g, double[]? phases)
    {
        int n = nx * ny, channels = pred.Channels;
        var e = new float[channels * 2 * n];
        for (int k = 0; k < channels; k++)
            for (int c = 0; c < n; c++) { e[(2 * k) * n + c] = (float)pred.E[k][c].Real; e[(2 * k + 1) * n + c] = (float)pred.E[k][c].Imaginary; }
        using var wr = NpzWriter.Create(path);
        wr.Add("e_channels", new NdArray(NdType.Float32, [channels, 2, ny, nx], e));
        if (sar is not null)
        {
            wr.Add("sar", new NdArray(NdType.Float32, [ny, nx], sar.Select(v => (float)v).ToArray()));
            wr.Add("sar10g", new NdArray(NdType.Float32, [ny, nx], sar10g!.Select(v => (float)v).ToArray()));
            wr.Add("phases", new NdArray(NdType.Float64, [channels], phases!));
        }
        wr.Commit();
    }
}
