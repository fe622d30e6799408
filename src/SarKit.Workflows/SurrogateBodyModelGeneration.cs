using SarKit.Surrogate.BodyModels;

namespace SarKit.Workflows;

/// <summary>What <see cref="SurrogateBodyModelGeneration.Run"/> makes: one seeded body model written to <see cref="OutputFile"/>.</summary>
public sealed record SurrogateBodyModelRequest
{
    /// <summary>Anatomy family text: <c>A</c> or <c>B</c> (docs/surrogate3d-dataset.md).</summary>
    public required string Family { get; init; }
    /// <summary>Subject seed (same family and seed = same model).</summary>
    public required long Seed { get; init; }
    /// <summary>Output .npz path (written atomically; the folder must exist).</summary>
    public required string OutputFile { get; init; }
    /// <summary>Frequency of the tissue properties, Hz (Gabriel 1996 Cole–Cole models).</summary>
    public double FrequencyHz { get; init; } = 298e6;
    /// <summary>True: nominal tissue properties without per-subject variation.</summary>
    public bool NominalTissues { get; init; }
    /// <summary>Out-of-distribution factor on every tissue's ε_r (1 = none; recorded in the model's parameters).</summary>
    public double EpsilonScale { get; init; } = 1;
    /// <summary>Out-of-distribution factor on every tissue's σ (1 = none; recorded).</summary>
    public double SigmaScale { get; init; } = 1;
    /// <summary>Out-of-distribution position shift (x, y, z) of the body in the coil, m (recorded).</summary>
    public (double X, double Y, double Z) ExtraOffsetM { get; init; }
}

/// <summary>
/// <c>sarkit surrogate bodymodel</c>: one seeded 3D pelvis/abdomen voxel body model (<see cref="BodyModelGenerator"/>)
/// for the openEMS surrogate dataset (tools/surrogate3d), written as .npz.
/// </summary>
public static class SurrogateBodyModelGeneration
{
    /// <summary>Parses the family, checks the output folder and the frequency, generates and writes the model.</summary>
    public static BodyModel Run(SurrogateBodyModelRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var family = request.Family.Trim().ToUpperInvariant() switch
        {
            "A" => AnatomyFamily.A,
            "B" => AnatomyFamily.B,
            var other => throw new SarKitInputException($"--family '{other}': expected A or B."),
        };
        if (!(request.FrequencyHz > 0) || !double.IsFinite(request.FrequencyHz))
            throw new SarKitInputException($"--frequency {request.FrequencyHz} Hz: expected a finite frequency > 0.");
        string path = request.OutputFile;
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(dir)) throw new SarKitInputException($"--output '{path}': the folder {dir} does not exist.") { SourceFile = path };
        var opts = new BodyModelOptions { FrequencyHz = request.FrequencyHz, EpsilonScale = request.EpsilonScale, SigmaScale = request.SigmaScale, ExtraOffsetM = request.ExtraOffsetM };
        if (request.NominalTissues) opts = opts with { Variation = TissueVariation.None };
        var model = BodyModelGenerator.Generate(family, request.Seed, opts);
        model.Write(path);
        return model;
    }
}
