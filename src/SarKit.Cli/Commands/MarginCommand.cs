using System.CommandLine;
using System.Globalization;
using SarKit.Margins;
using SarKit.Workflows;
using SarKit.Workflows.Results;
using Spectre.Console;

namespace SarKit.Cli.Commands;

/// <summary>`sarkit margin cr|qe|validate`: E-field uncertainty margins (docs/margins.md).</summary>
internal static class MarginCommand
{
    public static Command Create(CliIO io)
    {
        var cmd = new Command("margin", "E-field uncertainty SAR margins (Ferrand et al.): C_r, Q_e matrices, Monte-Carlo validation.");
        cmd.Add(CreateCr(io));
        cmd.Add(CreateQe(io));
        cmd.Add(CreateValidate(io));
        return cmd;
    }

    private static Option<bool> JsonOption() => new("--json") { Description = "Print one JSON object on stdout (docs/json-schemas.md)." };
    private static string F(double v) => v.ToString("G6", CultureInfo.InvariantCulture);

    // ---------------- cr ----------------
    private static Command CreateCr(CliIO io)
    {
        var r = new Option<int>("--r") { Description = "Number of uncorrelated hot spots r (≥ 1).", Required = true }.Range(1, 1_000_000);
        var k = new Option<double>("--k") { Description = "Number of standard deviations k (prints k + C_r too).", DefaultValueFactory = _ => 3 }.Range(0, 40);
        var json = JsonOption();
        var cmd = new Command("cr", "C_r = E[max of r standard normals] = r∫xφ(x)Φ(x)^(r−1)dx (the seed: C_2 = 0.56, C_20 = 1.87).") { r, k, json };
        cmd.SetAction(p => io.Guard(() =>
        {
            var res = MarginApplication.Cr(p.GetValue(r), p.GetValue(k));
            if (p.GetValue(json)) { ResultJson.Write(io.Out, res); return CliApp.ExitOk; }
            io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"C_{res.R} = {res.Cr:F6}   k + C_r = {res.KPlusCr:F6} (k = {res.K:G6}; one-sided Gaussian tail 1 − Φ(k) = {res.GaussianTail:G4})"));
            return CliApp.ExitOk;
        }));
        return cmd;
    }

    // ---------------- shared model options ----------------
    private sealed class ModelOptions
    {
        public readonly Option<string> Sigma = new("--sigma-e") { Description = "Per-channel field error σ_e: V/m per drive unit (e.g. 2.5), or a percentage of the mean |E| over tissue (e.g. 15%).", Required = true };
        public readonly Option<double> K = new Option<double>("--k") { Description = "Standard deviations k (3 → 0.135 % one-sided Gaussian tail).", DefaultValueFactory = _ => 3 }.Range(0, 40);
        public readonly Option<int> R = new Option<int>("--r") { Description = "Uncorrelated hot spots r for C_r.", DefaultValueFactory = _ => 2 }.Range(1, 1_000_000);
        public readonly Option<bool> NoExpectation = new("--no-expectation") { Description = "Leave out the expectation term 3σ/(2ρ)σ_e²·I." };
        public readonly Option<string> Form = new("--form") { Description = "K_e form: hermitian (PSD bound, default) or seed (the literal (√2/2)(‖E_i‖+‖E_j‖)σ_e; indefinite, for comparison).", DefaultValueFactory = _ => "hermitian" };
        public readonly Option<string> Mass = new("--mass", "-m") { Description = "Averaging mass (10g, 1g, any mass).", DefaultValueFactory = _ => "10g" };
        public readonly Option<string> Fields = new("--fields", "-f") { Description = "Dataset file (.h5, .mat, .npz).", Required = true };
        public void AddTo(Command c) { c.Add(Fields); c.Add(Sigma); c.Add(K); c.Add(R); c.Add(NoExpectation); c.Add(Form); c.Add(Mass); }

        /// <summary>--mass in kg (<see cref="SarCommand.ParseMass"/>); margins are averaged over cubes, so a mass is required.</summary>
        public double MassKg(ParseResult p)
        {
            var massText = p.GetValue(Mass)!;
            double? massKg = SarCommand.ParseMass(massText);
            if (massKg is null) throw new SarKitInputException($"--mass '{massText}': margins are averaged over cubes; give a mass (e.g. 10g).");
            return massKg.Value;
        }

        public FieldUncertaintyModel Model(ParseResult p)
        {
            var text = p.GetValue(Sigma)!.Trim();
            bool rel = text.EndsWith('%');
            var num = rel ? text[..^1] : text;
            if (!double.TryParse(num, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !(v >= 0) || !double.IsFinite(v) || (rel ? v > 1000 : v > 1e9))
                throw new SarKitInputException($"--sigma-e '{text}': expected a field error in V/m per drive unit (e.g. 2.5) or a percentage of the mean |E| (e.g. 15%); range [0, 1e9] V/m or [0, 1000] %.");
            var form = p.GetValue(Form)!.Trim().ToLowerInvariant() switch
            {
                "hermitian" => MarginMatrixForm.Hermitian,
                "seed" => MarginMatrixForm.Seed,
                var f => throw new SarKitInputException($"--form '{f}': expected 'hermitian' or 'seed'."),
            };
            return new FieldUncertaintyModel { SigmaE = rel ? v / 100 : v, Relative = rel, K = p.GetValue(K), R = p.GetValue(R), IncludeExpectation = !p.GetValue(NoExpectation), Form = form }.Validate();
        }
    }

    // ---------------- qe ----------------
    private static Command CreateQe(CliIO io)
    {
        var m = new ModelOptions();
        var output = new Option<string>("--output", "-o") { Description = "Output Q-matrix HDF5 file (docs/qmatrix-format.md) with Q + Q_e (or Q_e alone with --margin-only).", Required = true };
        var marginOnly = new Option<bool>("--margin-only") { Description = "Write the averaged Q_e alone instead of Q + Q_e." };
        var drive = new Option<string?>("--drive", "-d") { Description = "Drive for the reported SAR increase: cp, a list (e.g. 1@0,1@45,…), a .json file, or 'focus' (default: maximum |E| at the tissue centre)." };
        var vops = new Option<string?>("--vops") { Description = "Also apply the margin to this VOP file as V_j + β·I, β = max λ_max(Q_e) (conservative; certificate dropped)." };
        var vopsOut = new Option<string?>("--vops-output") { Description = "Output VOP file for --vops." };
        var json = JsonOption();
        var cmd = new Command("qe", "Average Q + Q_e (E-field uncertainty margin) over every IEC/IEEE 62704-1 cube and write the protected Q-matrix set.");
        m.AddTo(cmd); cmd.Add(drive); cmd.Add(marginOnly); cmd.Add(output); cmd.Add(vops); cmd.Add(vopsOut); cmd.Add(json);
        cmd.SetAction(p => io.Guard(() =>
        {
            var model = m.Model(p);
            bool js = p.GetValue(json);
            var dtext = p.GetValue(drive);
            var res = MarginApplication.Qe(new MarginQeRequest
            {
                Fields = p.GetValue(m.Fields)!, MassKg = m.MassKg(p), Model = model, Output = p.GetValue(output)!, MarginOnly = p.GetValue(marginOnly),
                Drive = dtext is null || dtext.Trim().Equals("focus", StringComparison.OrdinalIgnoreCase) ? null : ds => DriveText.Parse(dtext, ds, "--drive"),
                Vops = p.GetValue(vops), VopsOutput = p.GetValue(vopsOut),
            }, SarKitSettings.Default, new CliStages(io, js));
            if (js) { ResultJson.Write(io.Out, res); return CliApp.ExitOk; }
            var t = new Table().AddColumn("Quantity").AddColumn("Value");
            void Row(string a, string b) => t.AddRow(new Text(a), new Text(b));
            Row("Margin", EFieldMargin.Describe(model));
            Row("σ_e", $"{F(res.SigmaEAbsolute)} V/m per drive unit{(model.Relative ? $" ({F(100 * model.SigmaE)} % of mean |E| = {F(res.MeanFieldMagnitude)})" : "")}");
            Row("Matrices", $"{res.Count:N0} cubes ({SarCommand.Grams(res.MassKg)}), {res.Channels} channels");
            Row("psSAR (drive)", $"{F(res.PeakSar)} → {F(res.ProtectedPeakSar)} {res.Unit} (+{100 * res.RelativeIncrease:F1} %)");
            Row("Written", $"{res.Content} → {res.OutputFile}");
            if (res.VopMarginBeta is { } bv) Row("VOPs", $"V_j + β·I, β = {F(bv)} → {res.VopsOutput} (certificate dropped: re-verify)");
            Row("Time", $"{res.ElapsedS:F2} s");
            io.Stdout().Write(t);
            return CliApp.ExitOk;
        }));
        return cmd;
    }

    // ---------------- validate ----------------
    private static Command CreateValidate(CliIO io)
    {
        var m = new ModelOptions();
        var trials = new Option<int>("--trials") { Description = "Error draws per drive.", DefaultValueFactory = _ => 2000 }.Range(1, 10_000_000);
        var drives = new Option<int>("--random-drives") { Description = "Random unit drives (besides the focus drive and --drive).", DefaultValueFactory = _ => 10 }.Range(0, 1_000_000);
        var drive = new Option<string[]>("--drive", "-d") { Description = "A given drive (cp, list, .json); repeatable.", AllowMultipleArgumentsPerToken = false };
        var dist = new Option<string>("--distribution") { Description = "Error distribution: gaussian (κ = 3), student-t (κ = 3 + 6/(ν−4)), laplace (κ = 6).", DefaultValueFactory = _ => "gaussian" };
        var nu = new Option<double>("--nu") { Description = "Student-t degrees of freedom (> 4).", DefaultValueFactory = _ => 5 }.Range(4, 1e6, minExclusive: true);
        var seed = new Option<int>("--seed") { Description = "Random seed.", DefaultValueFactory = _ => 0 };
        var block = new Option<int>("--error-block") { Description = "0: one error vector per channel for the whole body (fully correlated, default); N ≥ 1: independent errors per block of N×N×N voxels (spatially varying).", DefaultValueFactory = _ => 0 }.Range(0, 1_000_000);
        var json = JsonOption();
        var cmd = new Command("validate", "Monte-Carlo check: probability that the true psSAR exceeds the psSAR from Q + Q_e, next to the target.");
        m.AddTo(cmd); cmd.Add(trials); cmd.Add(drives); cmd.Add(drive); cmd.Add(dist); cmd.Add(nu); cmd.Add(seed); cmd.Add(block); cmd.Add(json);
        cmd.SetAction(p => io.Guard(() =>
        {
            var model = m.Model(p);
            bool js = p.GetValue(json);
            var d = p.GetValue(dist)!.Trim().ToLowerInvariant() switch
            {
                "gaussian" or "normal" => FieldErrorDistribution.Gaussian,
                "student-t" or "t" => FieldErrorDistribution.StudentT,
                "laplace" => FieldErrorDistribution.Laplace,
                var x => throw new SarKitInputException($"--distribution '{x}': expected gaussian, student-t or laplace."),
            };
            var given = p.GetValue(drive) ?? [];
            var res = MarginApplication.Validate(new MarginValidateRequest
            {
                Fields = p.GetValue(m.Fields)!, MassKg = m.MassKg(p), Model = model, Drives = ds => given.Select(t => DriveText.Parse(t, ds, "--drive")).ToList(),
                Trials = p.GetValue(trials), RandomDrives = p.GetValue(drives), Distribution = d, Nu = p.GetValue(nu), Seed = p.GetValue(seed), ErrorBlockVoxels = p.GetValue(block),
            }, SarKitSettings.Default, new CliStages(io, js));
            int exit = res.WithinTarget ? CliApp.ExitOk : CliApp.ExitCheckFailed;   // the margin misses its target: negative verdict
            if (js) { ResultJson.Write(io.Out, res); return exit; }
            var r = res;
            var t = new Table().AddColumn("Drive").AddColumn("psSAR Q").AddColumn("psSAR Q+Q_e").AddColumn("exceeded").AddColumn("exceeded without margin").AddColumn("max true/protected");
            foreach (var x in r.Drives)
                t.AddRow(new Text(x.Label), new Text(F(x.PeakSar)), new Text(F(x.ProtectedPeakSar)), new Text($"{x.Exceedances}/{x.Trials}"), new Text($"{x.ExceedancesWithoutMargin}/{x.Trials}"), new Text(x.MaxTrueOverProtected.ToString("F3", CultureInfo.InvariantCulture)));
            var c = io.Stdout();
            c.Write(t);
            io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{res.Margin}\nerrors: {res.Distribution} (kurtosis {r.Kurtosis:G3}), {(r.ErrorBlockVoxels == 0 ? "one per channel for the whole body" : $"independent per block of {r.ErrorBlockVoxels}³ voxels")}, σ_e = {r.SigmaEAbsolute:G6} V/m per drive unit\n" +
                $"P(true psSAR > psSAR with Q + Q_e) = {r.Probability:G4} ({r.Exceedances}/{r.Trials}), {100 * r.Confidence:G3} % CI [{r.CiLow:G4}, {r.CiHigh:G4}]\n" +
                $"target 1 − Φ(k) = {r.Target:G4} (distribution-free Cantelli bound {r.CantelliBound:G4}): {(r.WithinTarget ? "within the target (upper bound ≤ target)" : r.ExceedsTarget ? "EXCEEDS the target (lower bound > target)" : "NOT SHOWN: the upper bound is above the target (run more trials)")}\n" +
                $"without the margin: {r.ProbabilityWithoutMargin:G4}"));
            return exit;
        }));
        return cmd;
    }
}
