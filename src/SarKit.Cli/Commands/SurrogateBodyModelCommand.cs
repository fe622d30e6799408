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
        var json = new Option<bool>("--json") { Description = "Print the model's metadata (parameters, tissue table, volume fractions) as JSON on stdout." };
        var cmd = new Command("bodymodel", "Generate one seeded 3D pelvis/abdomen voxel body model (5 mm, coil frame) for the openEMS dataset (tools/surrogate3d).")
            { family, seed, output, freq, nominal, json };
        cmd.SetAction(p => io.Guard(() =>
        {
            string path = p.GetValue(output)!;
            var model = SurrogateBodyModelGeneration.Run(new SurrogateBodyModelRequest
            {
                Family = p.GetValue(family)!, Seed = p.GetValue(seed), OutputFile = path, FrequencyHz = p.GetValue(freq), NominalTissues = p.GetValue(nominal),
            });
            if (p.GetValue(json)) io.Out.WriteLine(model.MetadataJson());
            else io.Out.WriteLine($"wrote {path}: {model.Summary()}");
            return CliApp.ExitOk;
        }));
        return cmd;
    }
}
