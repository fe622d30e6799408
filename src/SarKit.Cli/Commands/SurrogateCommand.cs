using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using SarKit.IO;
using SarKit.Surrogate;
using Spectre.Console;

namespace SarKit.Cli.Commands;

/// <summary>`sarkit surrogate …`: data for the B1⁺ → local-SAR surrogate (docs/surrogate.md). Subcommand `dataset`.</summary>
internal static class SurrogateCommand
{
    public static Command Create(CliIO io)
    {
        var cmd = new Command("surrogate", "B1+ -> local SAR surrogate: training data (2D FDFD pelvis phantoms). See docs/surrogate.md.");
        cmd.Add(Dataset(io));
        cmd.Add(Predict(io));
        cmd.Add(Evaluate(io));
        cmd.Add(SurrogateBodyModelCommand.Create(io));
        return cmd;
    }

    private static Command Dataset(CliIO io)
    {
        var subjects = new Option<int>("--subjects") { Description = "Number of random phantoms (subjects).", Required = true }.Range(1, 1_000_000);
        var shims = new Option<int>("--shims") { Description = "Random phase settings per subject (uniform amplitudes).", Required = true }.Range(1, 100_000);
        var seed = new Option<int>("--seed") { Description = "Master seed (phantoms, shims and the subject split follow from it).", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--output", "-o") { Description = "Output folder (created if missing; its parent must exist).", Required = true };
        var size = new Option<int>("--size") { Description = "Cells per side of the square grid.", DefaultValueFactory = _ => 128 }.Range(16, 1024);
        var cell = new Option<string>("--cell-size") { Description = "Cell side, e.g. 3.75mm, 0.0025m (bare number = mm).", DefaultValueFactory = _ => "3.75mm" };
        var val = new Option<double>("--val-fraction") { Description = "Fraction of subjects for validation.", DefaultValueFactory = _ => 0.1 }.Range(0, 1, maxExclusive: true);
        var test = new Option<double>("--test-fraction") { Description = "Fraction of subjects for test.", DefaultValueFactory = _ => 0.1 }.Range(0, 1, maxExclusive: true);
        var store = new Option<bool>("--no-compress") { Description = "Store the .npz members without deflate (faster, larger)." };
        var threads = new Option<int>("--threads") { Description = "Subjects simulated concurrently (results do not depend on it).", DefaultValueFactory = _ => 1 }.Range(1, 256);
        var json = new Option<bool>("--json") { Description = "Print one JSON object on stdout (docs/json-schemas.md)." };
        var cmd = new Command("dataset", "Simulate N random pelvis phantoms (2D FDFD, 8 line sources, 298 MHz) x M random shims; write .npz shards and manifest.json.")
            { subjects, shims, seed, output, size, cell, val, test, store, threads, json };
        cmd.SetAction(p => io.Guard(() => RunDataset(io, new SurrogateDatasetOptions
        {
            Subjects = p.GetValue(subjects), ShimsPerSubject = p.GetValue(shims), Seed = p.GetValue(seed), GridCells = p.GetValue(size),
            CellSize = ParseLengthM(p.GetValue(cell)!, "--cell-size"), ValidationFraction = p.GetValue(val), TestFraction = p.GetValue(test),
            Compress = !p.GetValue(store), Threads = p.GetValue(threads),
        }, p.GetValue(output)!, p.GetValue(json))));
        return cmd;
    }

    private static Command Predict(CliIO io)
    {
        var b1 = new Option<string>("--b1") { Description = "B1+ input: named arrays in an .npz, an HDF5 file (.h5/.hdf5, dataset paths; C order) or a MATLAB v5/v7 .mat (axes reversed: MATLAB b1(nx, ny, 2) = [2, ny, nx]). Direct models: 'b1' [2, ny, nx] float (re, im; µT, channel-1 phase removed) or complex [ny, nx], 'mask' [ny, nx], and 'water', 'fat' when the model uses anatomy; or a dataset shard (subject_*.npz, see --shim). Per-channel model: 'b1_channels' [C, 2, ny, nx] float (µT per unit drive, channel-1 phase removed), 'mask', 'water', 'fat', 'rho' (kg/m³; for 10 g); a dataset shard qualifies.", Required = true };
        var model = new Option<string>("--model") { Description = "model.onnx from surrogate/train.py (config.json beside it): a direct model (unet, cgan) or the per-channel model.", Required = true };
        var shim = new Option<int>("--shim") { Description = "Shim index when --b1 is a dataset shard (direct models: its 'b1_shim'; per-channel model: its 'phases').", DefaultValueFactory = _ => 0 }.Range(0, int.MaxValue);
        var phases = new Option<string?>("--phases") { Description = "Per-channel model: the shim's phases p1,p2,... in rad (unit amplitudes), instead of --shim." };
        var output = new Option<string?>("--output", "-o") { Description = "Write the maps (.npz). Direct: sar [W/kg], sar_normalised [W/kg per µT²]. Per-channel: e_channels [C, 2, ny, nx] (√(W/kg) per unit drive) and, for the shim, sar, sar10g [W/kg], phases." };
        var vopsOut = new Option<string?>("--vops-out") { Description = "Per-channel model: write the subject's certified VOP set of safety_factor × the predicted 2D 10 g Q-matrices (.h5, docs/vop-format.md; also .mat/.npz)." };
        var margin = new Option<string>("--margin") { Description = "VOP margin ε as a fraction of SAR_wc (0.05 or 5%).", DefaultValueFactory = _ => "0.05" };
        var cell = new Option<string?>("--cell-size") { Description = "Per-channel model: cell side for the 10 g average (e.g. 5mm; default: config.json grid.cell_size_m)." };
        var unit = new Option<string>("--normalisation") { Description = "Per-channel model: drive unit of the input B1+ maps, carried into the VOP file (per_ampere for SarKit datasets, per_volt_incident, per_sqrt_watt_incident, per_sqrt_watt_accepted).", DefaultValueFactory = _ => "per_ampere" };
        var drives = new Option<int>("--drives") { Description = "Random unit drives of the VOP verifier's second check (0 to skip).", DefaultValueFactory = _ => 10_000 }.Range(0, 10_000_000);
        var json = new Option<bool>("--json") { Description = "Print one JSON object on stdout." };
        var cmd = new Command("predict", "Predict the local SAR of one slice from its B1+ maps with a trained surrogate (ONNX Runtime); the per-channel model also gives 10 g maps and a certified VOP set.")
            { b1, model, shim, phases, output, vopsOut, margin, cell, unit, drives, json };
        cmd.SetAction(p => io.Guard(() =>
        {
            string modelPath = p.GetValue(model)!;
            if (File.Exists(modelPath) && PerChannelSurrogate.IsPerChannelModel(modelPath))
                return RunPredictPerChannel(io, new PerChannelPredictArgs(p.GetValue(b1)!, modelPath, p.GetValue(shim), p.GetResult(shim) is { Implicit: false }, p.GetValue(phases),
                    p.GetValue(output), p.GetValue(vopsOut), p.GetValue(margin)!, p.GetValue(cell), p.GetValue(unit)!, p.GetValue(drives), p.GetValue(json)));
            foreach (var (name, given) in new[] { ("--phases", p.GetValue(phases) is not null), ("--vops-out", p.GetValue(vopsOut) is not null), ("--cell-size", p.GetValue(cell) is not null) })
                if (given) throw new SarKitInputException($"{name}: only for the per-channel model; '{modelPath}' is a direct model.");
            return RunPredict(io, p.GetValue(b1)!, modelPath, p.GetValue(shim), p.GetValue(output), p.GetValue(json));
        }));
        return cmd;
    }

    private sealed record PerChannelPredictArgs(string B1, string Model, int Shim, bool ShimGiven, string? Phases, string? Output, string? VopsOut, string Margin,
        string? CellSize, string Normalisation, int Drives, bool Json);

    /// <summary>Per-channel model: e_n of the subject, SAR maps of one shim, and the certified VOP set of SF × the 10 g Q-matrices.</summary>
    private static int RunPredictPerChannel(CliIO io, PerChannelPredictArgs a)
    {
        var sw = Stopwatch.StartNew();
        if (!File.Exists(a.B1)) throw new SarKitInputException($"--b1 '{a.B1}' does not exist.") { SourceFile = a.B1 };
        double eps = VopCommand.ParseMargin(a.Margin);
        var norm = SarKit.Fields.FieldNormalisationExtensions.Parse(a.Normalisation, "--normalisation");
        if (a.Drives < 0) throw new SarKitInputException($"--drives {a.Drives}: expected ≥ 0.");
        if (a.VopsOut is not null)
        {
            SarKit.IO.VopSetFiles.Kind(a.VopsOut);
            var dir = Path.GetDirectoryName(Path.GetFullPath(a.VopsOut))!;
            if (!Directory.Exists(dir)) throw new SarKitInputException($"--vops-out '{a.VopsOut}': the folder {dir} does not exist.") { SourceFile = a.VopsOut };
        }
        if (a.Phases is not null && a.ShimGiven) throw new SarKitInputException("--phases and --shim: give one of them.");
        using var surrogate = new PerChannelSurrogate(a.Model);
        var x = ReadPerChannelInput(a.B1, surrogate.Channels);
        // the shim: --phases, or the shard's phases[--shim]
        double[]? phases = null; Dictionary<string, double>? reference = null;
        if (a.Phases is not null) phases = ParsePhases(a.Phases, surrogate.Channels);
        else if (x.ShardPhases is { } sp)
        {
            int m = sp.Length / surrogate.Channels;
            if (a.Shim < 0 || a.Shim >= m) throw new SarKitInputException($"--shim {a.Shim}: '{a.B1}' has shims 0..{m - 1} in 'phases'.") { SourceFile = a.B1, Dataset = "phases" };
            phases = Enumerable.Range(0, surrogate.Channels).Select(k => (double)sp[a.Shim * surrogate.Channels + k]).ToArray();
            reference = x.ReferencePeaks(a.Shim);
        }
        else if (a.ShimGiven) throw new SarKitInputException($"--shim {a.Shim}: '{a.B1}' has no array 'phases'; give --phases p1,p2,... instead.") { SourceFile = a.B1, Dataset = "phases" };
        bool need10g = phases is not null || a.VopsOut is not null;
        if (need10g && x.Rho is null) throw new SarKitInputException($"'{a.B1}' has no array 'rho' (kg/m³ per cell); the 10 g SAR maps and VOPs need it.") { SourceFile = a.B1, Dataset = "rho" };
        double h = a.CellSize is not null ? ParseLengthM(a.CellSize, "--cell-size") : surrogate.Grid?.CellSizeM ?? double.NaN;
        if (need10g && !(h > 0)) throw new SarKitInputException($"'{a.Model}': config.json has no grid.cell_size_m; give --cell-size.") { SourceFile = a.Model };

        var pred = surrogate.Predict(x.Nx, x.Ny, x.B1Channels, x.Mask, x.Water, x.Fat, a.B1);
        double inferMs = sw.Elapsed.TotalMilliseconds;
        int n = x.Nx * x.Ny;
        SquareMassAverage2D? avg = need10g ? new SquareMassAverage2D(x.Nx, x.Ny, h, x.Rho!) : null;
        double[]? sar = null, sar10g = null;
        if (phases is not null)
        {
            var w = phases.Select(ph => System.Numerics.Complex.FromPolarCoordinates(1, ph)).ToArray();
            sar = pred.PointSar(w);
            sar10g = new double[n];
            avg!.Average(sar, sar10g);
        }
        SurrogateVopResult? vops = null;
        if (a.VopsOut is not null)
        {
            vops = StageProgress.Run(io, prog => SurrogateVops.Build(pred, avg!, surrogate.SafetyFactor,
                new SarKit.Compression.VopCompressionOptions { Epsilon = eps, Normalisation = norm, MaxDegreeOfParallelism = Math.Min(2, Environment.ProcessorCount) },
                new SarKit.Compression.VopVerifierOptions { RandomDrives = a.Drives, MaxDegreeOfParallelism = Math.Min(2, Environment.ProcessorCount) },
                $"{Path.GetFileName(a.B1)} predicted 2D 10 g Q-matrices",
                new Progress<SarKit.Compression.VopCompressionProgress>(v => prog.Report($"compress: {v.Stage}", v.Processed, Math.Max(1, v.Total), $"ε = {v.Epsilon:G3}, {v.Vops} VOPs")),
                new Progress<SarKit.Compression.VopVerificationProgress>(v => prog.Report($"verify: {v.Stage}", v.Processed, Math.Max(1, v.Total), ""))));
            vops.Set.Attributes["surrogate_model"] = Path.GetFullPath(a.Model);
            vops.Set.Attributes["source_file"] = Path.GetFullPath(a.B1);
            if (!vops.Certified)
            {
                io.Err.WriteLine($"error: the VOP set failed its certificate; nothing written to {a.VopsOut}. {string.Join(" ", vops.Verification.Problems)}");
                return CliApp.ExitInternal;
            }
            SarKit.IO.VopSetFiles.Write(vops.Set, a.VopsOut);
        }
        if (a.Output is not null)
        {
            var e = new float[surrogate.Channels * 2 * n];
            for (int k = 0; k < surrogate.Channels; k++)
                for (int c = 0; c < n; c++) { e[(2 * k) * n + c] = (float)pred.E[k][c].Real; e[(2 * k + 1) * n + c] = (float)pred.E[k][c].Imaginary; }
            using var wr = SarKit.IO.NpzWriter.Create(a.Output);
            wr.Add("e_channels", new SarKit.IO.NdArray(SarKit.IO.NdType.Float32, [surrogate.Channels, 2, x.Ny, x.Nx], e));
            if (sar is not null)
            {
                wr.Add("sar", new SarKit.IO.NdArray(SarKit.IO.NdType.Float32, [x.Ny, x.Nx], sar.Select(v => (float)v).ToArray()));
                wr.Add("sar10g", new SarKit.IO.NdArray(SarKit.IO.NdType.Float32, [x.Ny, x.Nx], sar10g!.Select(v => (float)v).ToArray()));
                wr.Add("phases", new SarKit.IO.NdArray(SarKit.IO.NdType.Float64, [surrogate.Channels], phases!));
            }
            wr.Commit();
        }
        (double V, int[] At)? Peak(double[]? m)
        {
            if (m is null) return null;
            int at = 0; for (int c = 1; c < m.Length; c++) if (m[c] > m[at]) at = c;
            return (m[at], [at / x.Nx, at % x.Nx]);
        }
        var p1 = Peak(sar); var p10 = Peak(sar10g);
        var res = new SurrogatePerChannelPredictJson(Path.GetFullPath(a.B1), Path.GetFullPath(a.Model), surrogate.Channels, x.Ny, x.Nx, need10g ? h : null, phases,
            p1?.V, p1?.At, p10?.V, p10?.At, surrogate.SafetyFactor, surrogate.SafetyFactorMetric, p10 is { } q ? q.V * surrogate.SafetyFactor : null,
            reference?.GetValueOrDefault("sar"), reference?.GetValueOrDefault("sar10g"), inferMs,
            a.Output is null ? null : Path.GetFullPath(a.Output),
            vops is null ? null : new SurrogateVopsJson(Path.GetFullPath(a.VopsOut!), vops.Set.Count, vops.QMatrices, vops.Set.Margin.Epsilon, vops.Set.SarWorstCase,
                vops.SafetyFactor, SarKit.Fields.FieldNormalisationExtensions.ToId(norm), vops.Certified),
            sw.Elapsed.TotalSeconds, CliApp.Version);
        Json.RequireFinite(res); // tables too: no non-finite result is shown as a number
        if (a.Json) { Json.Write(io.Out, res); return CliApp.ExitOk; }
        var t = new Table().AddColumn("Quantity").AddColumn("Value");
        void Row(string k, string v) => t.AddRow(new Text(k), new Text(v));
        Row("Model", $"per-channel, {res.Channels} channels, {res.Ny} x {res.Nx} cells");
        if (phases is not null)
        {
            Row("Shim phases (rad)", string.Join(", ", phases.Select(v => v.ToString("F3", CultureInfo.InvariantCulture))));
            Row("Peak point SAR", $"{res.PeakSarWPerKg:G4} W/kg at [j, i] = [{res.PeakSarIndex![0]}, {res.PeakSarIndex[1]}] (unit drive amplitude)");
            Row("Peak 2D 10 g SAR", $"{res.PeakSar10gWPerKg:G4} W/kg at [j, i] = [{res.PeakSar10gIndex![0]}, {res.PeakSar10gIndex[1]}]");
            Row("Safety factor", $"{res.SafetyFactor:G4} (q95 of true/predicted peak {res.SafetyFactorMetric} on validation subjects)");
            Row("Conservative 10 g peak", $"{res.ConservativePeakSar10gWPerKg:G4} W/kg");
            if (res.ReferencePeakSarWPerKg is { } r1) Row("Reference peak SAR (dataset)", $"{r1:G4} W/kg");
            if (res.ReferencePeakSar10gWPerKg is { } r10) Row("Reference peak 10 g (dataset)", $"{r10:G4} W/kg");
        }
        else Row("Shim", "none (no 'phases' in the input and no --phases): e_channels only");
        Row("Inference", $"{res.InferenceMs:F1} ms");
        if (res.Vops is { } vj)
            Row("VOPs", $"{vj.Count} VOPs of {vj.QMatrices} Q-matrices × SF {vj.SafetyFactor:G4}, margin ε = {vj.MarginEpsilon:G3} of SAR_wc {vj.SarWc:G4}, certified → {vj.File}");
        if (res.OutputFile is not null) Row("Written to", res.OutputFile);
        io.Stdout().Write(t);
        return CliApp.ExitOk;
    }

    private static double[] ParsePhases(string text, int channels)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length != channels) throw new SarKitInputException($"--phases '{text}': {parts.Length} values; the model has {channels} channels.");
        return parts.Select(t => double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v
            : throw new SarKitInputException($"--phases '{text}': '{t}' is not a finite number (rad).")).ToArray();
    }

    private sealed record PerChannelInput(int Nx, int Ny, float[] B1Channels, byte[] Mask, float[]? Water, float[]? Fat, double[]? Rho, float[]? ShardPhases,
        Func<int, Dictionary<string, double>?> ReferencePeaks);

    private static PerChannelInput ReadPerChannelInput(string path, int channels)
    {
        using var z = SarKit.IO.ArrayCollections.Open(path);
        var ms = z.Get("mask").Shape;
        if (ms.Length != 2) throw new SarKitInputException($"'{path}': array 'mask' has shape [{string.Join(", ", ms)}]; expected [ny, nx].") { SourceFile = path, Dataset = "mask" };
        int ny = ms[0], nx = ms[1], n = nx * ny;
        var bc = z.Find("b1_channels") ?? throw new SarKitInputException($"'{path}' has no array 'b1_channels' (per-channel B1+ [C, 2, ny, nx], µT per unit drive); the per-channel model needs it (members: {string.Join(", ", z.Names)}).") { SourceFile = path, Dataset = "b1_channels" };
        if (bc.Shape.Length != 4 || bc.Shape[0] != channels || bc.Shape[1] != 2 || bc.Shape[2] != ny || bc.Shape[3] != nx)
            throw new SarKitInputException($"'{path}': array 'b1_channels' has shape [{string.Join(", ", bc.Shape)}]; expected [{channels}, 2, {ny}, {nx}] ({channels} channels of the model, (re, im), like 'mask').") { SourceFile = path, Dataset = "b1_channels" };
        var b1 = z.Read("b1_channels");
        if (b1.IsComplex) throw new SarKitInputException($"'{path}': array 'b1_channels' is complex; expected float [C, 2, ny, nx] (re, im).") { SourceFile = path, Dataset = "b1_channels" };
        var b = b1.ToDouble().Select(v => (float)v).ToArray();
        var mask = z.Read("mask").ToDouble().Select(v => v != 0 ? (byte)1 : (byte)0).ToArray();
        float[]? Img(string name)
        {
            if (z.Find(name) is not { } s) return null;
            if (s.Shape.Length != 2 || s.Shape[0] != ny || s.Shape[1] != nx)
                throw new SarKitInputException($"'{path}': array '{name}' has shape [{string.Join(", ", s.Shape)}]; expected [{ny}, {nx}] like 'mask'.") { SourceFile = path, Dataset = name };
            var v = z.Read(name).ToDouble();
            for (int c = 0; c < n; c++)
                if (!double.IsFinite(v[c])) throw new SarKitInputException($"'{path}': {name}[{c / nx}, {c % nx}] = {v[c]}; expected finite values.") { SourceFile = path, Dataset = name };
            return v.Select(d => (float)d).ToArray();
        }
        var water = Img("water"); var fat = Img("fat");
        double[]? rho = Img("rho")?.Select(v => (double)v).ToArray();
        if (rho is not null)
            for (int c = 0; c < n; c++)
                if (rho[c] < 0 || (mask[c] == 1 && !(rho[c] > 0)))
                    throw new SarKitInputException($"'{path}': rho[{c / nx}, {c % nx}] = {rho[c]} kg/m³{(mask[c] == 1 ? " inside the body" : "")}; expected > 0 in the body and ≥ 0 elsewhere.") { SourceFile = path, Dataset = "rho" };
        float[]? phases = null;
        if (z.Find("phases") is { } ps)
        {
            if (ps.Shape.Length != 2 || ps.Shape[1] != channels)
                throw new SarKitInputException($"'{path}': array 'phases' has shape [{string.Join(", ", ps.Shape)}]; expected [M, {channels}] (rad).") { SourceFile = path, Dataset = "phases" };
            phases = z.Read("phases").ToDouble().Select(v => (float)v).ToArray();
        }
        // reference peaks of a dataset shard (stored maps are normalised by <|B1+|>² of the shim)
        var perShim = new Dictionary<string, double[]>();
        if (z.Find("b1_mean_abs") is not null)
        {
            var m = z.Read("b1_mean_abs").ToDouble();
            foreach (var key in new[] { "sar", "sar10g" })
                if (z.Find(key) is { } st && st.Shape.Length == 3 && st.Shape[0] == m.Length && st.Shape[1] == ny && st.Shape[2] == nx)
                {
                    var s = z.Read(key).ToDouble();
                    var pk = new double[m.Length];
                    for (int q = 0; q < m.Length; q++)
                    {
                        double best = 0;
                        for (int c = 0; c < n; c++) best = Math.Max(best, s[(long)q * n + c]);
                        pk[q] = best * m[q] * m[q];
                    }
                    perShim[key] = pk;
                }
        }
        return new PerChannelInput(nx, ny, b, mask, water, fat, rho, phases,
            shim => perShim.Count == 0 ? null : perShim.Where(kv => shim < kv.Value.Length).ToDictionary(kv => kv.Key, kv => kv.Value[shim]));
    }

    private static Command Evaluate(CliIO io)
    {
        var data = new Option<string>("--data") { Description = "Dataset folder (sarkit surrogate dataset) with train, val and test subjects.", Required = true };
        var model = new Option<string>("--model") { Description = "model.onnx from surrogate/train.py (config.json beside it): perchannel, unet or cgan.", Required = true };
        var plots = new Option<string?>("--plots") { Description = "Folder for histograms of the calibrated predicted/true ratio (SVG and PNG per metric)." };
        var cases = new Option<string?>("--cases") { Description = "Write every case (split, subject, shim, <|B1+|>, true and predicted normalised peaks per method) to this CSV." };
        var vops = new Option<string?>("--vops") { Description = "VOP cache (.h5/.npz/.mat): read if it exists (same population and margin), else written." };
        var vopSubjects = new Option<int>("--vop-subjects") { Description = "Training subjects (spread over the split) whose 2D 10 g Q-matrices make the population VOPs.", DefaultValueFactory = _ => 100 }.Range(1, 1_000_000);
        var vopMargin = new Option<double>("--vop-margin") { Description = "VOP compression margin (fraction of SAR_wc).", DefaultValueFactory = _ => 0.05 }.Range(0, 10, minExclusive: true);
        var noVop = new Option<bool>("--no-vop") { Description = "Skip the VOP worst-case baseline." };
        var quantile = new Option<double>("--quantile") { Description = "Safety factor = this quantile of true/predicted peak on the validation subjects.", DefaultValueFactory = _ => 0.95 }.Range(0, 1, minExclusive: true);
        var json = new Option<bool>("--json") { Description = "Print one JSON object on stdout (docs/json-schemas.md)." };
        var cmd = new Command("evaluate", "Peak-SAR safety of a surrogate: safety factor calibrated on the val subjects, metrics on the test subjects, vs generic-phantom, constant and VOP baselines.")
            { data, model, plots, cases, vops, vopSubjects, vopMargin, noVop, quantile, json };
        cmd.SetAction(p => io.Guard(() => RunEvaluate(io, p.GetValue(data)!, p.GetValue(model)!, new SurrogateEvaluationOptions
        {
            Quantile = p.GetValue(quantile), Vop = !p.GetValue(noVop), VopSubjects = p.GetValue(vopSubjects), VopMargin = p.GetValue(vopMargin), VopFile = p.GetValue(vops),
        }, p.GetValue(plots), p.GetValue(cases), p.GetValue(json))));
        return cmd;
    }

    private static int RunEvaluate(CliIO io, string data, string modelPath, SurrogateEvaluationOptions options, string? plots, string? cases, bool json)
    {
        if (options.VopSubjects < 1) throw new SarKitInputException($"--vop-subjects {options.VopSubjects}: expected ≥ 1.");
        if (!(options.Quantile > 0 && options.Quantile <= 1)) throw new SarKitInputException($"--quantile {options.Quantile}: expected 0 < q ≤ 1.");
        if (!(options.VopMargin > 0 && options.VopMargin < 1)) throw new SarKitInputException($"--vop-margin {options.VopMargin}: expected 0 < margin < 1.");
        var ev = io.WithProgress(json, "Evaluating the surrogate", p => SurrogateEvaluator.Evaluate(data, modelPath, options, (_, f) => p?.Report(f)));
        if (cases is not null) ev.WriteCasesCsv(cases);
        var plotFiles = plots is null ? null : ev.WriteHistograms(plots).Select(Path.GetFullPath).ToArray();
        var res = EvaluateJson(ev, data, modelPath, cases, plotFiles, options.VopFile);
        Json.RequireFinite(res); // tables too: no non-finite result is shown as a number
        if (json) { Json.Write(io.Out, res); return CliApp.ExitOk; }
        var t = new Table().AddColumn("Method").AddColumn("Metric").AddColumn("SF").AddColumn(Markup.Escape("Raw P(under) [Wilson]"))
            .AddColumn("Raw mean over").AddColumn(Markup.Escape("SF: P(under) [subj.]")).AddColumn(Markup.Escape("SF: mean over [subj.]")).AddColumn("Raw SF95 / SF100");
        foreach (var r in ev.Reports)
        {
            var c = r.TestCalibrated; var b = r.TestCalibratedBootstrap;
            t.AddRow(new Text(r.Method), new Text(r.Metric), new Text($"{r.SafetyFactor:F3}"),
                new Text($"{r.TestRaw.PUnderestimation * 100:F1} % [{r.TestRaw.PUnderLow * 100:F1}, {r.TestRaw.PUnderHigh * 100:F1}]"),
                new Text($"{r.TestRaw.MeanOverestimation * 100:F1} %"),
                new Text($"{c.PUnderestimation * 100:F1} % [{b.PUnderLow * 100:F1}, {b.PUnderHigh * 100:F1}]"),
                new Text($"{c.MeanOverestimation * 100:F1} % [{b.MeanOverestimationLow * 100:F1}, {b.MeanOverestimationHigh * 100:F1}]"),
                new Text($"{r.TestRaw.Sf95:F3} / {r.TestRaw.Sf100:F3}"));
        }
        io.Stdout().Write(t);
        io.Out.WriteLine($"SF = q{ev.Quantile:G3} of true/predicted on the val cases; test metrics raw and with SF (\"SF:\"); [..] 95 % intervals: Wilson, or subject bootstrap (subj.).");
        io.Out.WriteLine($"Model {res.ModelKind}; calibration on {res.Calibration.Cases} val cases ({res.Calibration.Subjects} subjects), report on {res.TestCases} test cases ({res.TestSubjects} subjects) x stored shims.");
        io.Out.WriteLine($"generic = training subject {res.GenericSubject} (median body cells); constant = {string.Join(", ", res.Constant.Select(kv => $"{kv.Key} {kv.Value:G4}"))} W/kg per µT² (mean over the stored shims of the training subjects).");
        if (res.Vop is { } v) io.Out.WriteLine($"vop = {v.Count} VOPs of {v.Matrices} 2D 10 g Q-matrices of {v.Subjects.Length} training subjects, margin {v.Margin * 100:G3} %, certified: {v.Certified}{(v.File is null ? "" : $", {(v.Loaded ? "read from" : "written to")} {v.File}")}. Its raw ratio needs no factor (never below 1 for the subjects it was built from).");
        if (res.CasesFile is not null) io.Out.WriteLine($"Cases: {res.CasesFile}");
        if (res.Plots is not null) io.Out.WriteLine($"Plots: {string.Join(", ", res.Plots)}");
        io.Out.WriteLine($"Time {res.ElapsedS:F1} s ({string.Join(", ", res.StageSeconds.Select(kv => $"{kv.Key} {kv.Value:F1} s"))}).");
        return CliApp.ExitOk;
    }

    private static SurrogateEvaluateJson EvaluateJson(SurrogateEvaluationReport ev, string data, string modelPath, string? cases, string[]? plots, string? vopFile)
    {
        var methods = new Dictionary<string, Dictionary<string, CalibratedJson>>();
        foreach (var r in ev.Reports)
        {
            if (!methods.TryGetValue(r.Method, out var per)) methods[r.Method] = per = new();
            per[r.Metric] = new CalibratedJson(r.SafetyFactor, Metrics(r.ValRaw, null), Metrics(r.TestRaw, r.TestRawBootstrap), Metrics(r.TestCalibrated, r.TestCalibratedBootstrap),
                r.Tradeoff.Select(p => new TradeoffJson(p.Factor, p.PUnderestimation, p.MeanOverestimation)).ToArray());
        }
        VopBaselineJson? vop = ev.Vop is { } v ? new VopBaselineJson(v.Subjects, v.Set.Count, v.Set.SourceCount, v.Set.Margin.Epsilon, v.Set.SarWorstCase,
            v.Set.HasValidCertificate(out _), v.Loaded, v.Seconds, vopFile is null ? null : Path.GetFullPath(vopFile)) : null;
        return new SurrogateEvaluateJson(Path.GetFullPath(data), Path.GetFullPath(modelPath), ev.ModelKind, ev.Metrics, ev.Methods,
            new CalibrationJson("val", ev.Quantile, ev.Val.Count, ev.Subjects(ev.Val)), ev.Test.Count, ev.Subjects(ev.Test), ev.GenericSubject,
            new Dictionary<string, double>(ev.Constant), "mean normalised peak over the stored shims of the training subjects", vop, methods,
            cases is null ? null : Path.GetFullPath(cases), plots, ev.Seconds, new Dictionary<string, double>(ev.StageSeconds), CliApp.Version);
    }

    private static PeakMetricsJson Metrics(PeakSarMetrics m, BootstrapIntervals? b) => new(m.Cases, m.MeanOverestimation, m.PUnderestimation, [m.PUnderLow, m.PUnderHigh], m.Sf95, m.Sf100,
        new Dictionary<string, double> { ["0.05"] = m.RatioP05, ["0.5"] = m.RatioMedian, ["0.95"] = m.RatioP95 },
        b is null ? null : [b.MeanOverestimationLow, b.MeanOverestimationHigh], b is null ? null : [b.PUnderLow, b.PUnderHigh]);

    private static int RunPredict(CliIO io, string b1Path, string modelPath, int shim, string? output, bool json)
    {
        if (!File.Exists(b1Path)) throw new SarKitInputException($"--b1 '{b1Path}' does not exist.") { SourceFile = b1Path };
        if (!File.Exists(modelPath)) throw new SarKitInputException($"--model '{modelPath}' does not exist.") { SourceFile = modelPath };
        var (input, refs) = ReadInput(b1Path, shim);
        using var predictor = new SurrogatePredictor(modelPath);
        double? reference = refs?.GetValueOrDefault(predictor.Target);
        var r = predictor.Predict(input, b1Path);
        if (output is not null)
        {
            using var w = SarKit.IO.NpzWriter.Create(output);
            w.Add("sar", new SarKit.IO.NdArray(SarKit.IO.NdType.Float32, [input.Ny, input.Nx], r.Sar));
            w.Add("sar_normalised", new SarKit.IO.NdArray(SarKit.IO.NdType.Float32, [input.Ny, input.Nx], r.NormalisedSar));
            w.Commit();
        }
        var res = new SurrogatePredictJson(Path.GetFullPath(b1Path), Path.GetFullPath(modelPath), predictor.Target, input.Ny, input.Nx, r.MeanB1AbsMicroTesla,
            r.PeakSar, [r.PeakCell / input.Nx, r.PeakCell % input.Nx], r.SafetyFactor, r.ConservativePeakSar, reference, r.Milliseconds,
            output is null ? null : Path.GetFullPath(output), CliApp.Version);
        Json.RequireFinite(res); // tables too: no non-finite result is shown as a number
        if (json) { Json.Write(io.Out, res); return CliApp.ExitOk; }
        var t = new Table().AddColumn("Quantity").AddColumn("Value");
        void Row(string k, string v) => t.AddRow(new Text(k), new Text(v));
        Row("Predicts", res.Target == "sar10g" ? "2D-adapted 10 g SAR" : "point SAR");
        Row("<|B1+|> in the body", $"{res.MeanB1AbsUt:G4} µT");
        Row("Peak SAR", $"{res.PeakSarWPerKg:G4} W/kg at [j, i] = [{res.PeakIndex[0]}, {res.PeakIndex[1]}]");
        Row("Safety factor", $"{res.SafetyFactor:G4}");
        Row("Conservative peak", $"{res.ConservativePeakSarWPerKg:G4} W/kg");
        if (reference is { } rf) Row("Reference peak (dataset)", $"{rf:G4} W/kg");
        Row("Inference", $"{res.InferenceMs:F1} ms");
        if (res.OutputFile is not null) Row("Written to", res.OutputFile);
        io.Stdout().Write(t);
        return CliApp.ExitOk;
    }

    private static (SurrogateInput Input, Dictionary<string, double>? ReferencePeaks) ReadInput(string path, int shim)
    {
        using var z = SarKit.IO.ArrayCollections.Open(path);
        float[] F(SarKit.IO.NdArray a) => a.ToDouble().Select(v => (float)v).ToArray();
        int[] Shape2(string name)
        {
            var a = z.Get(name);
            if (a.Shape.Length != 2) throw new SarKitInputException($"'{path}': array '{name}' has shape [{string.Join(", ", a.Shape)}]; expected [ny, nx].") { SourceFile = path, Dataset = name };
            return a.Shape;
        }
        var ms = Shape2("mask");
        int ny = ms[0], nx = ms[1], n = nx * ny;
        var mask = z.Read("mask").ToDouble().Select(v => v != 0 ? (byte)1 : (byte)0).ToArray();
        float[]? water = z.Find("water") is null ? null : F(z.Read("water"));
        float[]? fat = z.Find("fat") is null ? null : F(z.Read("fat"));
        float[] re = new float[n], im = new float[n];
        Dictionary<string, double>? reference = null;
        if (z.Find("b1_shim") is { } bs)
        {
            if (bs.Shape.Length != 4 || bs.Shape[1] != 2 || bs.Shape[2] != ny || bs.Shape[3] != nx)
                throw new SarKitInputException($"'{path}': 'b1_shim' has shape [{string.Join(", ", bs.Shape)}]; expected [M, 2, {ny}, {nx}].") { SourceFile = path, Dataset = "b1_shim" };
            if (shim < 0 || shim >= bs.Shape[0]) throw new SarKitInputException($"--shim {shim}: '{path}' has shims 0..{bs.Shape[0] - 1}.") { SourceFile = path, Dataset = "b1_shim" };
            var all = z.Read("b1_shim").ToDouble();
            for (int c = 0; c < n; c++) { re[c] = (float)all[(long)shim * 2 * n + c]; im[c] = (float)all[(long)shim * 2 * n + n + c]; }
            if (z.Find("b1_mean_abs") is not null)
            {
                var m = z.Read("b1_mean_abs").ToDouble();
                reference = new();
                foreach (var key in new[] { "sar", "sar10g" })
                {
                    if (z.Find(key) is null) continue;
                    var s = z.Read(key).ToDouble();
                    double pk = 0; for (int c = 0; c < n; c++) pk = Math.Max(pk, s[(long)shim * n + c]);
                    reference[key] = pk * m[shim] * (double)m[shim];
                }
            }
        }
        else
        {
            var b = z.Get("b1");
            var data = z.Read("b1");
            if (data.IsComplex && b.Shape.Length == 2 && b.Shape[0] == ny && b.Shape[1] == nx)
            {
                var v = data.ToComplexInterleaved();
                for (int c = 0; c < n; c++) { re[c] = (float)v[2 * c]; im[c] = (float)v[2 * c + 1]; }
            }
            else if (!data.IsComplex && b.Shape.Length == 3 && b.Shape[0] == 2 && b.Shape[1] == ny && b.Shape[2] == nx)
            {
                var v = data.ToDouble();
                for (int c = 0; c < n; c++) { re[c] = (float)v[c]; im[c] = (float)v[n + c]; }
            }
            else throw new SarKitInputException($"'{path}': array 'b1' has shape [{string.Join(", ", b.Shape)}] ({data.Type}); expected float [2, {ny}, {nx}] (re, im) or complex [{ny}, {nx}] matching 'mask'.") { SourceFile = path, Dataset = "b1" };
        }
        return (new SurrogateInput(nx, ny, re, im, mask, water, fat), reference);
    }

    /// <summary>"3.75mm", "0.00375m", "3.75" (mm) → metres.</summary>
    internal static double ParseLengthM(string text, string option)
    {
        var t = text.Trim().ToLowerInvariant();
        double scale = 1e-3;
        if (t.EndsWith("mm")) t = t[..^2];
        else if (t.EndsWith("cm")) { t = t[..^2]; scale = 1e-2; }
        else if (t.EndsWith('m')) { t = t[..^1]; scale = 1; }
        if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v) || v <= 0 || v * scale > 1)
            throw new SarKitInputException($"{option} '{text}': expected a positive length up to 1 m such as 3.75mm, 0.25cm or 0.0025m.");
        return v * scale;
    }

    private static int RunDataset(CliIO io, SurrogateDatasetOptions options, string output, bool json)
    {
        options.Validate();
        var full = Path.GetFullPath(output);
        var parent = Path.GetDirectoryName(full.TrimEnd(Path.DirectorySeparatorChar));
        if (parent is not null && !Directory.Exists(parent)) throw new SarKitInputException($"--output '{output}': the parent folder {parent} does not exist.") { SourceFile = output };
        if (File.Exists(full)) throw new SarKitInputException($"--output '{output}' is a file; expected a folder.") { SourceFile = output };
        var sw = Stopwatch.StartNew();
        var builder = new SurrogateDatasetBuilder(options);
        var manifest = io.WithProgress(json, $"Simulating {options.Subjects} subjects", p => builder.Build(full, (done, total) => p?.Report(done / (double)total)));
        var result = new SurrogateDatasetJson(full, Path.Combine(full, SurrogateDatasetBuilder.ManifestFile), manifest.Subjects.Count, manifest.ShimsPerSubject,
            manifest.Grid.Nx, manifest.Grid.CellSizeM, manifest.Splits, sw.Elapsed.TotalSeconds, CliApp.Version);
        Json.RequireFinite(result); // tables too: no non-finite result is shown as a number
        if (json) { Json.Write(io.Out, result); return CliApp.ExitOk; }
        var t = new Table().AddColumn("Quantity").AddColumn("Value");
        void Row(string k, string v) => t.AddRow(new Text(k), new Text(v));
        Row("Subjects", $"{result.Subjects} (train {manifest.Splits["train"]}, val {manifest.Splits["val"]}, test {manifest.Splits["test"]})");
        Row("Shims per subject", result.ShimsPerSubject.ToString(CultureInfo.InvariantCulture));
        Row("Grid", $"{result.GridCells} x {result.GridCells} cells of {result.CellSizeM * 1e3:G4} mm");
        Row("Folder", result.OutputDir);
        Row("Manifest", result.Manifest);
        Row("Time", $"{result.ElapsedS:F1} s");
        io.Stdout().Write(t);
        return CliApp.ExitOk;
    }
}

internal sealed record SurrogatePredictJson(string InputFile, string Model, string Target, int Ny, int Nx, double MeanB1AbsUt, double PeakSarWPerKg,
    int[] PeakIndex, double SafetyFactor, double ConservativePeakSarWPerKg, double? ReferencePeakSarWPerKg, double InferenceMs, string? OutputFile, string SarkitVersion);

internal sealed record SurrogateVopsJson(string File, int Count, int QMatrices, double MarginEpsilon, double SarWc, double SafetyFactor, string Normalisation, bool Certified);

internal sealed record SurrogatePerChannelPredictJson(string InputFile, string Model, int Channels, int Ny, int Nx, double? CellSizeM, double[]? Phases,
    double? PeakSarWPerKg, int[]? PeakSarIndex, double? PeakSar10gWPerKg, int[]? PeakSar10gIndex, double SafetyFactor, string SafetyFactorMetric,
    double? ConservativePeakSar10gWPerKg, double? ReferencePeakSarWPerKg, double? ReferencePeakSar10gWPerKg, double InferenceMs, string? OutputFile,
    SurrogateVopsJson? Vops, double ElapsedS, string SarkitVersion);

internal sealed record PeakMetricsJson(int Cases, double MeanOverestimation, double PUnderestimation, double[] PUnderestimationCi95, double Sf95, double Sf100,
    Dictionary<string, double> RatioQuantiles, double[]? MeanOverestimationCi95, double[]? PUnderestimationCi95Subjects);

internal sealed record TradeoffJson(double Factor, double PUnderestimation, double MeanOverestimation);

internal sealed record CalibratedJson(double SafetyFactor, PeakMetricsJson ValRaw, PeakMetricsJson TestRaw, PeakMetricsJson TestCalibrated, TradeoffJson[] TestTradeoff);

internal sealed record CalibrationJson(string Split, double Quantile, int Cases, int Subjects);

internal sealed record VopBaselineJson(int[] Subjects, int Count, long Matrices, double Margin, double SarWcWPerKg, bool Certified, bool Loaded, double Seconds, string? File);

internal sealed record SurrogateEvaluateJson(string Data, string ModelFile, string ModelKind, string[] Metrics, string[] MethodNames, CalibrationJson Calibration, int TestCases,
    int TestSubjects, int GenericSubject, Dictionary<string, double> Constant, string ConstantDefinition, VopBaselineJson? Vop,
    Dictionary<string, Dictionary<string, CalibratedJson>> Methods, string? CasesFile, string[]? Plots, double ElapsedS, Dictionary<string, double> StageSeconds, string SarkitVersion);

internal sealed record SurrogateDatasetJson(string OutputDir, string Manifest, int Subjects, int ShimsPerSubject, int GridCells, double CellSizeM,
    Dictionary<string, int> Splits, double ElapsedS, string SarkitVersion);
