using System.CommandLine;
using SarKit.Workflows;

namespace SarKit.Cli.Commands;

/// <summary>`sarkit surrogate bodymodel`: one seeded 3D pelvis/abdomen body model (docs/surrogate3d-dataset.md).</summary>
internal static class SurrogateBodyModelCommand
{
    public static Command Create(CliIO io)
    {
        var family = new Option<string>("--family") { Description = "Anatomy family: A (ellipse-union outline, smooth layers) or B (superellipse outline, asymmetric organs, other bone shapes).", Required = true };
        var seed = new Option<long>("--seed") { Description = "Subject seed (same family and seed = same model).", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "Output .npz: labels [nz, ny, nx], edges_x/y/z (m), per-label eps_r, sigma, rho, water, fat, tissue_names, metadata (JSON).", Required = true };
        var freq = new Option<double>("--frequency") { Description = "Frequency (Hz) of the tissue properties.", DefaultValueFactory = _ => 298e6 }.Range(1e3, 1e11);
        var nominal = new Option<bool>("--nominal-tissues") { Description = "No per-subject tissue-property variation (nominal Gabriel/IT'IS values)." };
        var epsScale = new Option<double>("--eps-scale") { Description = "Out-of-distribution test: multiply every tissue's eps_r by this (recorded in the metadata as ood_scale_eps).", DefaultValueFactory = _ => 1 }.Range(0, 10, minExclusive: true);
        var sigmaScale = new Option<double>("--sigma-scale") { Description = "Out-of-distribution test: multiply every tissue's sigma by this (ood_scale_sigma).", DefaultValueFactory = _ => 1 }.Range(0, 10, minExclusive: true);
        var offset = new Option<string?>("--offset-mm") { Description = "Out-of-distribution test: shift the body in the coil by x,y,z mm (e.g. 15,0,0), on top of its drawn offset (ood_offset_*_m)." };
        var json = new Option<bool>("--json") { Description = "Print the model's metadata (parameters, tissue table, volume fractions) as JSON on stdout." };
        var cmd = new Command("bodymodel", "Generate one seeded 3D pelvis/abdomen voxel body model (5 mm, coil frame) for the openEMS dataset (tools/surrogate3d).")
            { family, seed, output, freq, nominal, epsScale, sigmaScale, offset, json };
        cmd.SetAction(p => io.Guard(() =>
        {
            string path = p.GetValue(output)!;
            var model = SurrogateBodyModelGeneration.Run(new SurrogateBodyModelRequest
            {
                Family = p.GetValue(family)!, Seed = p.GetValue(seed), OutputFile = path, FrequencyHz = p.GetValue(freq), NominalTissues = p.GetValue(nominal),
                EpsilonScale = p.GetValue(epsScale), SigmaScale = p.GetValue(sigmaScale), ExtraOffsetM = ParseOffset(p.GetValue(offset)),
            });
            if (p.GetValue(json)) io.Out.WriteLine(model.MetadataJson());
            else io.Out.WriteLine($"wrote {path}: {model.Summary()}");
            return CliApp.ExitOk;
        }));
        return cmd;
    }

    /// <summary>"x,y,z" in mm → m; null → 0.</summary>
    internal static (double, double, double) ParseOffset(string? text)
    {
        if (text is null) return (0, 0, 0);
        var parts = text.Split(',');
        var v = new double[3];
        if (parts.Length != 3 || !parts.Select((t, i) => double.TryParse(t.Trim(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out v[i]) && double.IsFinite(v[i])).All(b => b))
            throw new SarKitInputException($"--offset-mm '{text}': expected three finite numbers x,y,z in mm, e.g. 15,0,0.");
        return (v[0] * 1e-3, v[1] * 1e-3, v[2] * 1e-3);
    }
}
