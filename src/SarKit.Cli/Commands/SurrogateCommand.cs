using System.CommandLine;
using System.Globalization;
using SarKit.Compression;
using SarKit.Fields;
using SarKit.Surrogate;
using SarKit.Workflows;
using SarKit.Workflows.Results;
using Spectre.Console;

namespace SarKit.Cli.Commands;

/// <summary>`sarkit surrogate …`: the B1⁺ → local-SAR surrogate (docs/surrogate.md). Subcommands `dataset`, `predict`, `evaluate`, `bodymodel`.</summary>
internal static class SurrogateCommand
{
    public static Command Create(CliIO io)
    {
        var cmd = new Command("surrogate", "B1+ -> local SAR surrogate: training data (2D FDFD pelvis phantoms), ONNX prediction with surrogate-calibrated VOPs (not certified against true SAR), safety evaluation, 3D body models. See docs/surrogate.md.");
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
        cmd.SetAction(p => io.Guard(() => RunDataset(io, new SurrogateDatasetRequest
        {
            Options = new SurrogateDatasetOptions
            {
                Subjects = p.GetValue(subjects), ShimsPerSubject = p.GetValue(shims), Seed = p.GetValue(seed), GridCells = p.GetValue(size),
                CellSize = ParseLengthM(p.GetValue(cell)!, "--cell-size"), ValidationFraction = p.GetValue(val), TestFraction = p.GetValue(test),
                Compress = !p.GetValue(store), Threads = p.GetValue(threads),
            },
            OutputDirectory = p.GetValue(output)!,
        }, p.GetValue(json))));
        return cmd;
    }

    private static Command Predict(CliIO io)
    {
        var b1 = new Option<string>("--b1") { Description = "B1+ input: named arrays in an .npz, an HDF5 file (.h5/.hdf5, dataset paths; C order) or a MATLAB v5/v7 .mat (axes reversed: MATLAB b1(nx, ny, 2) = [2, ny, nx]). Direct models: 'b1' [2, ny, nx] float (re, im; µT, channel-1 phase removed) or complex [ny, nx], 'mask' [ny, nx], and 'water', 'fat' when the model uses anatomy; or a dataset shard (subject_*.npz, see --shim). Per-channel model: 'b1_channels' [C, 2, ny, nx] float (µT per unit drive, channel-1 phase removed), 'mask', 'water', 'fat', 'rho' (kg/m³; for 10 g); a dataset shard qualifies.", Required = true };
        var model = new Option<string>("--model") { Description = "model.onnx from surrogate/train.py (config.json beside it): a direct model (unet, cgan) or the per-channel model.", Required = true };
        var shim = new Option<int>("--shim") { Description = "Shim index when --b1 is a dataset shard (direct models: its 'b1_shim'; per-channel model: its 'phases').", DefaultValueFactory = _ => 0 }.Range(0, int.MaxValue);
        var phases = new Option<string?>("--phases") { Description = "Per-channel model: the shim's phases p1,p2,... in rad (unit amplitudes), instead of --shim." };
        var output = new Option<string?>("--output", "-o") { Description = "Write the maps (.npz). Direct: sar [W/kg], sar_normalised [W/kg per µT²]. Per-channel: e_channels [C, 2, ny, nx] (√(W/kg) per unit drive) and, for the shim, sar, sar10g [W/kg], phases." };
        var vopsOut = new Option<string?>("--vops-out") { Description = "Per-channel model: write the subject's VOP set of safety_factor × the predicted 2D 10 g Q-matrices (.h5, docs/vop-format.md; also .mat/.npz). Its certificate covers the predicted Q-matrices only: the file is labelled surrogate-calibrated, not certified against true SAR." };
        var margin = new Option<string>("--margin") { Description = "VOP margin ε as a fraction of SAR_wc (0.05 or 5%).", DefaultValueFactory = _ => "0.05" };
        var cell = new Option<string?>("--cell-size") { Description = "Per-channel model: cell side for the 10 g average (e.g. 5mm; default: config.json grid.cell_size_m)." };
        var unit = new Option<string>("--normalisation") { Description = "Per-channel model: drive unit of the input B1+ maps, carried into the VOP file (per_ampere for SarKit datasets, per_volt_incident, per_sqrt_watt_incident, per_sqrt_watt_accepted).", DefaultValueFactory = _ => "per_ampere" };
        var drives = new Option<int>("--drives") { Description = "Random unit drives of the VOP verifier's second check (0 to skip).", DefaultValueFactory = _ => 10_000 }.Range(0, 10_000_000);
        var json = new Option<bool>("--json") { Description = "Print one JSON object on stdout." };
        var cmd = new Command("predict", "Predict the local SAR of one slice from its B1+ maps with a trained surrogate (ONNX Runtime); the per-channel model also gives 10 g maps and a surrogate-calibrated VOP set (not certified against true SAR).")
            { b1, model, shim, phases, output, vopsOut, margin, cell, unit, drives, json };
        cmd.SetAction(p => io.Guard(() =>
        {
            string modelPath = p.GetValue(model)!;
            // the VOP margin and drive unit are read only for the per-channel model (a direct model ignores them)
            bool perChannel = SurrogatePrediction.IsPerChannelModel(modelPath);
            string? phaseText = p.GetValue(phases), cellText = p.GetValue(cell);
            return RunPredict(io, new SurrogatePredictionRequest
            {
                B1File = p.GetValue(b1)!, ModelFile = modelPath, Shim = p.GetResult(shim) is { Implicit: false } ? p.GetValue(shim) : null,
                Phases = phaseText is null ? null : SurrogatePrediction.ParsePhases(phaseText), OutputFile = p.GetValue(output), VopsFile = p.GetValue(vopsOut),
                Margin = perChannel ? VopCommand.ParseMargin(p.GetValue(margin)!) : 0.05, CellSizeM = cellText is null ? null : ParseLengthM(cellText, "--cell-size"),
                Normalisation = perChannel ? FieldNormalisationExtensions.Parse(p.GetValue(unit)!, "--normalisation") : FieldNormalisation.PerAmpere,
                RandomDrives = p.GetValue(drives),
            }, p.GetValue(json));
        }));
        return cmd;
    }

    private static int RunPredict(CliIO io, SurrogatePredictionRequest request, bool json)
    {
        var r = request.VopsFile is null ? SurrogatePrediction.Run(request, SarKitSettings.Default, CliApp.Version)
            : StageProgress.Run(io, prog => SurrogatePrediction.Run(request, SarKitSettings.Default, CliApp.Version,
                new Progress<VopCompressionProgress>(v => prog.Report($"compress: {v.Stage}", v.Processed, Math.Max(1, v.Total), $"ε = {v.Epsilon:G3}, {v.Vops} VOPs")),
                new Progress<VopVerificationProgress>(v => prog.Report($"verify: {v.Stage}", v.Processed, Math.Max(1, v.Total), ""))));
        if (r.VopCertificateFailure is { } failure)
        {
            io.Err.WriteLine($"error: {failure}");
            return CliApp.ExitInternal;
        }
        if (r.Direct is { } d) return RenderDirect(io, d, json);
        var res = r.PerChannel!;
        if (json) { ResultJson.Write(io.Out, res); return CliApp.ExitOk; }
        var t = new Table().AddColumn("Quantity").AddColumn("Value");
        void Row(string k, string v) => t.AddRow(new Text(k), new Text(v));
        Row("Model", $"per-channel, {res.Channels} channels, {res.Ny} x {res.Nx} cells");
        if (res.Phases is { } phases)
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
            Row("VOPs", $"{vj.Count} VOPs of {vj.QMatrices} predicted Q-matrices × SF {vj.SafetyFactor:G4}, margin ε = {vj.MarginEpsilon:G3} of SAR_wc {vj.SarWc:G4}, " +
                $"dominance of the predicted Q-matrices verified (not certified against true SAR) → {vj.File}");
        if (res.OutputFile is not null) Row("Written to", res.OutputFile);
        io.Stdout().Write(t);
        // one plain line (never wrapped by the table): what every figure above is
        io.Out.WriteLine($"SAR basis: {res.SarBasis}");
        return CliApp.ExitOk;
    }

    private static int RenderDirect(CliIO io, SurrogatePredictResult res, bool json)
    {
        if (json) { ResultJson.Write(io.Out, res); return CliApp.ExitOk; }
        var t = new Table().AddColumn("Quantity").AddColumn("Value");
        void Row(string k, string v) => t.AddRow(new Text(k), new Text(v));
        Row("Predicts", res.Target == "sar10g" ? "2D-adapted 10 g SAR" : "point SAR");
        Row("<|B1+|> in the body", $"{res.MeanB1AbsUt:G4} µT");
        Row("Peak SAR", $"{res.PeakSarWPerKg:G4} W/kg at [j, i] = [{res.PeakIndex[0]}, {res.PeakIndex[1]}]");
        Row("Safety factor", $"{res.SafetyFactor:G4}");
        Row("Conservative peak", $"{res.ConservativePeakSarWPerKg:G4} W/kg");
        if (res.ReferencePeakSarWPerKg is { } rf) Row("Reference peak (dataset)", $"{rf:G4} W/kg");
        Row("Inference", $"{res.InferenceMs:F1} ms");
        if (res.OutputFile is not null) Row("Written to", res.OutputFile);
        io.Stdout().Write(t);
        io.Out.WriteLine($"SAR basis: {res.SarBasis}");
        return CliApp.ExitOk;
    }

    private static Command Evaluate(CliIO io)
    {
        var data = new Option<string?>("--data") { Description = "Dataset folder (sarkit surrogate dataset) with train, val and test subjects (2D FDFD). Give --data or --data3d." };
        var data3d = new Option<string?>("--data3d") { Description = "Folder of 3D openEMS subjects with manifest.json (data/surrogate3d): held-out evaluation on 3D IEC 62704-1 10 g targets (docs/surrogate.md, 3D evaluation)." };
        var model = new Option<string[]>("--model") { Description = "model.onnx from surrogate/train.py (config.json beside it): perchannel, unet or cgan. With --data3d: repeatable, or a folder of model folders (models/surrogate).", Required = true };
        var plots = new Option<string?>("--plots") { Description = "Folder for histograms of the calibrated predicted/true ratio (SVG and PNG per metric)." };
        var cases = new Option<string?>("--cases") { Description = "Write every case (split, subject, shim, <|B1+|>, true and predicted normalised peaks per method) to this CSV." };
        var vops = new Option<string?>("--vops") { Description = "VOP cache (.h5/.npz/.mat): read if it exists (same population and margin), else written." };
        var vopSubjects = new Option<int>("--vop-subjects") { Description = "Training subjects (spread over the split) whose 2D 10 g Q-matrices make the population VOPs.", DefaultValueFactory = _ => 100 }.Range(1, 1_000_000);
        var vopMargin = new Option<double>("--vop-margin") { Description = "VOP compression margin (fraction of SAR_wc).", DefaultValueFactory = _ => 0.05 }.Range(0, 10, minExclusive: true);
        var noVop = new Option<bool>("--no-vop") { Description = "Skip the VOP worst-case baseline." };
        var quantile = new Option<double>("--quantile") { Description = "Safety factor = this quantile of true/predicted peak on the validation (3D: calibration) subjects.", DefaultValueFactory = _ => 0.95 }.Range(0, 1, minExclusive: true);
        var shims = new Option<int>("--shims") { Description = "--data3d: random shims per subject (w1 = 1, other phases uniform).", DefaultValueFactory = _ => 20 }.Range(1, 100_000);
        var seed = new Option<int>("--seed") { Description = "--data3d: master seed of the shims and of the subject split.", DefaultValueFactory = _ => 0 };
        var calibration = new Option<string>("--calibration") { Description = "--data3d: loso (leave one subject out), split (seeded half of the subjects calibrate) or auto (loso below 30 subjects).", DefaultValueFactory = _ => "auto" };
        var conformal = new Option<double>("--conformal-level") { Description = "--data3d: 1 - beta of the subject-level conformal factor (k = ceil(level (n+1)) of the subject worst ratios).", DefaultValueFactory = _ => 0.95 }.Range(0, 1, minExclusive: true, maxExclusive: true);
        var pairs = new Option<string?>("--pairs-out") { Description = "--data3d: also write each subject's training/evaluation pairs (<id>.npz: per-channel B1+, anatomy, true 10 g maps per shim and per channel) to this folder." };
        var pairsOnly = new Option<bool>("--pairs-only") { Description = "--data3d with --pairs-out: write the pairs of every subject and evaluate nothing (--model only gives the training grid; 3D training pipeline: tools/surrogate3d/retrain.sh)." };
        var worstShims = new Option<int>("--worst-shims") { Description = "--data3d: worst-over-shims metric, objective evaluations per subject and model (seeded random search + pattern search over the phases; 0 = off).", DefaultValueFactory = _ => 0 }.Range(0, 1_000_000);
        var json = new Option<bool>("--json") { Description = "Print one JSON object on stdout (docs/json-schemas.md)." };
        var cmd = new Command("evaluate", "Peak-SAR safety of a surrogate: safety factor calibrated on the val subjects, metrics on the test subjects, vs generic-phantom, constant and VOP baselines; or, with --data3d, on 3D openEMS subjects with subject-level calibration.")
            { data, data3d, model, plots, cases, vops, vopSubjects, vopMargin, noVop, quantile, shims, seed, calibration, conformal, pairs, pairsOnly, worstShims, json };
        cmd.SetAction(p => io.Guard(() =>
        {
            var models = p.GetValue(model) ?? [];
            if ((p.GetValue(data) is null) == (p.GetValue(data3d) is null)) throw new SarKitInputException("Give exactly one of --data (2D dataset) and --data3d (3D subjects).");
            if (p.GetValue(pairsOnly))
            {
                if (p.GetValue(data3d) is not { } dp || p.GetValue(pairs) is not { } po) throw new SarKitInputException("--pairs-only needs --data3d and --pairs-out.");
                var written = Surrogate3dEvaluation.WritePairs(dp, models, po, new Surrogate3dEvaluationOptions { Shims = p.GetValue(shims), Seed = p.GetValue(seed) });
                io.Out.WriteLine($"pairs of {written.Count} subjects ({string.Join(", ", written)}), {p.GetValue(shims)} shims each (seed {p.GetValue(seed)}), written to {po}");
                return 0;
            }
            if (p.GetValue(data3d) is { } d3)
                return RunEvaluate3d(io, new Surrogate3dEvaluationRequest
                {
                    DataDirectory = d3, Models = models, PlotsDirectory = p.GetValue(plots), CasesFile = p.GetValue(cases), PairsDirectory = p.GetValue(pairs),
                    Options = new Surrogate3dEvaluationOptions { Shims = p.GetValue(shims), Seed = p.GetValue(seed), Quantile = p.GetValue(quantile), ConformalLevel = p.GetValue(conformal), Calibration = p.GetValue(calibration)!, WorstShimEvaluations = p.GetValue(worstShims) },
                }, p.GetValue(json));
            if (models.Length != 1) throw new SarKitInputException($"--model given {models.Length} times; the 2D evaluation (--data) takes one model.");
            return RunEvaluate(io, new SurrogateEvaluationRequest
            {
                DataDirectory = p.GetValue(data)!, ModelFile = models[0], PlotsDirectory = p.GetValue(plots), CasesFile = p.GetValue(cases),
                Options = new SurrogateEvaluationOptions
                {
                    Quantile = p.GetValue(quantile), Vop = !p.GetValue(noVop), VopSubjects = p.GetValue(vopSubjects), VopMargin = p.GetValue(vopMargin), VopFile = p.GetValue(vops),
                },
            }, p.GetValue(json));
        }));
        return cmd;
    }

    private static int RunEvaluate3d(CliIO io, Surrogate3dEvaluationRequest request, bool json)
    {
        var ev = io.WithProgress(json, "Evaluating on 3D subjects", p => Surrogate3dEvaluation.Run(request, SarKitSettings.Default, CliApp.Version, p));
        var res = ev.Result;
        if (json) { ResultJson.Write(io.Out, res); return CliApp.ExitOk; }
        string Pc(double x) => (x * 100).ToString("F1", CultureInfo.InvariantCulture) + " %";
        string Iv(double[] a) => $"[{(a[0] * 100).ToString("F1", CultureInfo.InvariantCulture)}, {(a[1] * 100).ToString("F1", CultureInfo.InvariantCulture)}]";
        var raw = new Table().AddColumn("Model").AddColumn("Raw P(under)").AddColumn("Raw mean over").AddColumn("Worst true/pred").AddColumn("Subjects with any under")
            .AddColumn(Markup.Escape("Factor at P(under) 13 % -> mean over")).AddColumn("Shipped 2D SF: P(under) / mean over");
        foreach (var m in res.Models)
            raw.AddRow(new Text(m.Name), new Text(Pc(m.Raw.PUnderestimation)), new Text(Pc(m.Raw.MeanOverestimation)), new Text($"{m.Raw.WorstTrueOverPredicted:F3}"),
                new Text($"{m.Raw.PerSubject.Count(s => s.Under > 0)} of {m.Raw.Subjects}"), new Text($"{m.MatchedFactor:F3} -> {Pc(m.MatchedMeanOverestimation)}"),
                new Text($"{m.ShippedSafetyFactor:F3}: {Pc(m.WithShippedFactor.PUnderestimation)} / {Pc(m.WithShippedFactor.MeanOverestimation)}"));
        io.Out.WriteLine(res.Label);
        io.Stdout().Write(raw);
        var cal = new Table().AddColumn("Model").AddColumn("Rule").AddColumn(Markup.Escape("Factor [95 %]")).AddColumn(Markup.Escape("Held-out P(under) [95 %]"))
            .AddColumn(Markup.Escape("Mean over [95 %]")).AddColumn("Subjects any under").AddColumn("95 % upper bound");
        foreach (var m in res.Models)
            foreach (var c in m.Calibrations)
                cal.AddRow(new Text(m.Name), new Text($"{c.Rule} {c.Level:G3} ({c.Scheme}, n_cal {c.CalibrationSubjects})"),
                    new Text($"{c.FactorAllSubjects:F3} [{c.FactorCi95[0]:F3}, {c.FactorCi95[1]:F3}]"), new Text($"{Pc(c.HeldOut.PUnderestimation)} {Iv(c.PUnderestimationCi95)}"),
                    new Text($"{Pc(c.HeldOut.MeanOverestimation)} {Iv(c.MeanOverestimationCi95)}"), new Text($"{c.HeldOut.PerSubject.Count(s => s.Under > 0)} of {c.HeldOut.Subjects}"),
                    new Text($"any-under (CP) {Pc(c.AnyUnderUpper95)}" + (c.ConformalUpper95 is { } u ? $"; conformal {Pc(u)}{(c.ConformalAttainable == false ? " (level not attainable)" : "")}" : "")));
        io.Stdout().Write(cal);
        foreach (var m in res.Models)
            foreach (var t in m.FamilyTransfers)
                io.Out.WriteLine($"{m.Name}: {t.Rule} factor {t.Factor:F3} from family {t.CalibrationFamily} ({t.CalibrationSubjects} subjects) -> other families P(under) {Pc(t.Test.PUnderestimation)}, mean over {Pc(t.Test.MeanOverestimation)}, subjects any under {t.Test.PerSubject.Count(s => s.Under > 0)} of {t.Test.Subjects} (CP 95 % upper {Pc(t.AnyUnderUpper95)}).");
        foreach (var m in res.Models)
            if (m.WorstOverShims is { } ws)
                io.Out.WriteLine($"{m.Name}: worst over shims (true/predicted, raw; held-out calibrated): " + string.Join(", ", ws.Select(w =>
                    string.Create(CultureInfo.InvariantCulture, $"{w.Subject} {w.WorstTrueOverPredicted:F3} (random shims {w.RandomCasesWorst:F3}; /{w.HeldOutFactor:F3} = {w.HeldOutCalibratedWorst:F3})"))));
        io.Out.WriteLine(res.Caveat);
        if (res.CasesFile is not null) io.Out.WriteLine($"Cases: {res.CasesFile}");
        if (res.Plots is not null) io.Out.WriteLine($"Plots: {string.Join(", ", res.Plots)}");
        io.Out.WriteLine($"Time {res.ElapsedS:F1} s.");
        return CliApp.ExitOk;
    }

    private static int RunEvaluate(CliIO io, SurrogateEvaluationRequest request, bool json)
    {
        var evaluation = io.WithProgress(json, "Evaluating the surrogate", p => SurrogateEvaluation.Run(request, SarKitSettings.Default, CliApp.Version, p));
        var ev = evaluation.Report; var res = evaluation.Result;
        if (json) { ResultJson.Write(io.Out, res); return CliApp.ExitOk; }
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

    private static int RunDataset(CliIO io, SurrogateDatasetRequest request, bool json)
    {
        var o = request.Options;
        var result = io.WithProgress(json, $"Simulating {o.Subjects} subjects", p => SurrogateDatasetGeneration.Run(request, SarKitSettings.Default, CliApp.Version, p));
        if (json) { ResultJson.Write(io.Out, result); return CliApp.ExitOk; }
        var t = new Table().AddColumn("Quantity").AddColumn("Value");
        void Row(string k, string v) => t.AddRow(new Text(k), new Text(v));
        Row("Subjects", $"{result.Subjects} (train {result.Splits["train"]}, val {result.Splits["val"]}, test {result.Splits["test"]})");
        Row("Shims per subject", result.ShimsPerSubject.ToString(CultureInfo.InvariantCulture));
        Row("Grid", $"{result.GridCells} x {result.GridCells} cells of {result.CellSizeM * 1e3:G4} mm");
        Row("Folder", result.OutputDir);
        Row("Manifest", result.Manifest);
        Row("Time", $"{result.ElapsedS:F1} s");
        io.Stdout().Write(t);
        return CliApp.ExitOk;
    }
}
