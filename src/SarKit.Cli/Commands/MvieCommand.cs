using System.CommandLine;
using System.Globalization;
using SarKit.Constraints;
using SarKit.IO;
using Spectre.Console;
using SarKit.IO.Formats;
using SarKit.Numerics.LinearAlgebra;
using SarKit.Workflows.Results;

namespace SarKit.Cli.Commands;

/// <summary>`sarkit mvie`: the single maximum-volume inscribed ellipsoid SAR constraint of a Q-matrix set (docs/mvie.md).</summary>
internal static class MvieCommand
{
    public static Command Create(CliIO io)
    {
        var qOpt = new Option<string>("--q") { Description = "Q-matrix HDF5 file (sarkit qmatrices / sarkit margin qe).", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "Output HDF5 file with the matrix A and its certificate.", Required = true };
        var floor = new Option<double?>("--power-floor") { Description = "Explicit power constraint A ⪰ floor·I (W/kg per drive unit²); default: added only when the intersection is unbounded (1e-2·SAR_wc)." }.Range(0, 1e12, minExclusive: true);
        var samples = new Option<int>("--samples") { Description = "Random unit drives for the power-loss statistics (0: skip).", DefaultValueFactory = _ => 1000 }.Range(0, 10_000_000);
        var tol = new Option<double>("--tolerance") { Description = "Barrier duality-gap bound on log det A.", DefaultValueFactory = _ => 1e-9 }.Range(1e-12, 0.1);
        var json = new Option<bool>("--json") { Description = "Print one JSON object on stdout (docs/json-schemas.md)." };
        var cmd = new Command("mvie", "Reduce all SAR matrices to one: A ⪰ Q_i ∀i with maximal ellipsoid volume (min log det A), with certificate max_i λ_max(A⁻¹Q_i) ≤ 1.")
            { qOpt, output, floor, samples, tol, json };
        cmd.SetAction(p => io.Guard(() =>
        {
            string qPath = p.GetValue(qOpt)!, outPath = p.GetValue(output)!;
            bool js = p.GetValue(json);
            if (!File.Exists(qPath)) throw new SarKitInputException($"--q '{qPath}': file does not exist.") { SourceFile = qPath };
            var ext = Path.GetExtension(outPath).ToLowerInvariant();
            if (ext is not (".h5" or ".hdf5")) throw new SarKitInputException($"--output '{outPath}': expected a .h5 or .hdf5 file name.") { SourceFile = outPath };
            var dir = Path.GetDirectoryName(Path.GetFullPath(outPath))!;
            if (!Directory.Exists(dir)) throw new SarKitInputException($"--output '{outPath}': the folder {dir} does not exist.") { SourceFile = outPath };
            int ns = p.GetValue(samples);
            if (ns < 0) throw new SarKitInputException($"--samples {ns}: expected ≥ 0.");
            var set = io.WithProgress(js, "Reading Q-matrices", _ => QMatrixSetFile.Read(qPath));
            var r = io.WithProgress(js, "MVIE", pr => MvieSolver.Solve(set.Packed, set.Channels, new MvieOptions { PowerFloor = p.GetValue(floor), GapTolerance = p.GetValue(tol) }, pr));
            var loss = ns > 0 ? io.WithProgress(js, "Power loss", _ => MviePowerLoss.Sample(set.Packed, set.Channels, r.Packed, ns, 1)) : null;
            MvieFile.Write(outPath, r, set.Normalisation, loss, new Dictionary<string, string> { ["source_file"] = Path.GetFullPath(qPath) });
            var res = new MvieJson
            {
                InputFile = Path.GetFullPath(qPath), OutputFile = Path.GetFullPath(outPath), Count = r.Count, Channels = r.Channels, LogDet = r.LogDet,
                CertificateMaxRatio = r.CertificateMaxRatio, CertificatePassed = r.CertificatePassed, CertificateScale = r.CertificateScale, DominanceFailures = r.DominanceFailures,
                SarWorstCase = r.SarWorstCase, LambdaMaxA = SarKit.Numerics.LinearAlgebra.HermitianKernels.LargestEigenvalue(r.Packed, r.Channels),
                Regularisation = r.Regularisation, PowerFloor = r.PowerFloor, Unbounded = r.Unbounded, Contacts = r.ContactCount,
                Rounds = r.Rounds, NewtonSteps = r.NewtonSteps, ActiveSetSize = r.ActiveSetSize, FullEvaluations = r.FullEvaluations,
                PowerFraction = loss is null ? null : new MviePowerJson(loss.Samples, loss.MaxFraction, loss.MeanFraction, loss.MinFraction, 1.0 / r.Channels, loss.OuterBoundHolds),
                Unit = set.Attributes.TryGetValue("unit", out var u) ? u : "", ElapsedS = r.ElapsedSeconds, SarkitVersion = CliApp.Version,
            };
            ResultJson.RequireFinite(res); // tables too: no non-finite result is shown as a number
            if (js) { ResultJson.Write(io.Out, res); return CliApp.ExitOk; }
            var t = new Table().AddColumn("Quantity").AddColumn("Value");
            void Row(string a, string b) => t.AddRow(new Text(a), new Text(b));
            string G(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
            Row("Matrices", $"{r.Count:N0} × {r.Channels} channels");
            Row("log det A", G(r.LogDet));
            Row("λ_max(A) / SAR_wc", G(res.LambdaMaxA / r.SarWorstCase));
            Row("Certificate", $"max_i λ_max(A⁻¹Q_i) = {r.CertificateMaxRatio:F12} ({(r.CertificatePassed ? "passed" : "FAILED")}; scale {G(r.CertificateScale)}; Cholesky failures {r.DominanceFailures})");
            Row("Regularisation", r.Regularisation);
            Row("Contacts", r.ContactCount.ToString(CultureInfo.InvariantCulture));
            if (loss is not null)
                Row("Power fraction", $"max {loss.MaxFraction:F3}, mean {loss.MeanFraction:F3}, min {loss.MinFraction:F3} over {loss.Samples} random unit drives (√N bound ≥ {1.0 / r.Channels:F3}: {(loss.OuterBoundHolds ? "holds" : "VIOLATED")})");
            Row("Solver", $"{r.Rounds} rounds, {r.NewtonSteps} Newton steps, {r.ActiveSetSize} active, {r.FullEvaluations:N0} full evaluations, {r.ElapsedSeconds:F2} s");
            Row("Written to", res.OutputFile);
            io.Stdout().Write(t);
            return r.CertificatePassed ? CliApp.ExitOk : CliApp.ExitInternal;
        }));
        return cmd;
    }
}

internal sealed record MviePowerJson(int Samples, double Max, double Mean, double Min, double SqrtNBound, bool SqrtNBoundHolds);

internal sealed record MvieJson
{
    public required string InputFile { get; init; }
    public required string OutputFile { get; init; }
    public required int Count { get; init; }
    public required int Channels { get; init; }
    public required double LogDet { get; init; }
    public required double CertificateMaxRatio { get; init; }
    public required bool CertificatePassed { get; init; }
    public required double CertificateScale { get; init; }
    public required long DominanceFailures { get; init; }
    public required double SarWorstCase { get; init; }
    public required double LambdaMaxA { get; init; }
    public required string Regularisation { get; init; }
    public required double PowerFloor { get; init; }
    public required bool Unbounded { get; init; }
    public required int Contacts { get; init; }
    public required int Rounds { get; init; }
    public required int NewtonSteps { get; init; }
    public required int ActiveSetSize { get; init; }
    public required long FullEvaluations { get; init; }
    public required MviePowerJson? PowerFraction { get; init; }
    public required string Unit { get; init; }
    public required double ElapsedS { get; init; }
    public required string SarkitVersion { get; init; }
}
