using System.CommandLine;
using System.Globalization;
using SarKit.Workflows;
using SarKit.Workflows.Results;
using Spectre.Console;

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
            bool js = p.GetValue(json);
            var res = MvieConstruction.Run(new MvieRequest
            {
                Q = p.GetValue(qOpt)!, Output = p.GetValue(output)!, PowerFloor = p.GetValue(floor), Samples = p.GetValue(samples), Tolerance = p.GetValue(tol),
            }, new CliStages(io, js));
            if (js) { ResultJson.Write(io.Out, res); return CliApp.ExitOk; }
            var t = new Table().AddColumn("Quantity").AddColumn("Value");
            void Row(string a, string b) => t.AddRow(new Text(a), new Text(b));
            string G(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
            var r = res;
            Row("Matrices", $"{r.Count:N0} × {r.Channels} channels");
            Row("log det A", G(r.LogDet));
            Row("λ_max(A) / SAR_wc", G(res.LambdaMaxA / r.SarWorstCase));
            Row("Certificate", $"max_i λ_max(A⁻¹Q_i) = {r.CertificateMaxRatio:F12} ({(r.CertificatePassed ? "passed" : "FAILED")}; scale {G(r.CertificateScale)}; Cholesky failures {r.DominanceFailures})");
            Row("Regularisation", r.Regularisation);
            Row("Contacts", r.Contacts.ToString(CultureInfo.InvariantCulture));
            if (r.PowerFraction is { } loss)
                Row("Power fraction", $"max {loss.Max:F3}, mean {loss.Mean:F3}, min {loss.Min:F3} over {loss.Samples} random unit drives (√N bound ≥ {loss.SqrtNBound:F3}: {(loss.SqrtNBoundHolds ? "holds" : "VIOLATED")})");
            Row("Solver", $"{r.Rounds} rounds, {r.NewtonSteps} Newton steps, {r.ActiveSetSize} active, {r.FullEvaluations:N0} full evaluations, {r.ElapsedS:F2} s");
            Row("Written to", res.OutputFile);
            io.Stdout().Write(t);
            return r.CertificatePassed ? CliApp.ExitOk : CliApp.ExitInternal;
        }));
        return cmd;
    }
}
