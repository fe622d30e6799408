using SarKit.Surrogate;
using SarKit.Workflows.Results;

namespace SarKit.Workflows;

/// <summary>What <see cref="SurrogateDatasetGeneration.Run"/> builds (docs/cli.md, "sarkit surrogate dataset").</summary>
public sealed record SurrogateDatasetRequest
{
    /// <summary>Subjects, shims, seed, grid, splits, compression and concurrent subjects (capped at the settings' parallelism).</summary>
    public required SurrogateDatasetOptions Options { get; init; }
    /// <summary>Output folder (created if missing; its parent must exist).</summary>
    public required string OutputDirectory { get; init; }
}

/// <summary>
/// Training data of the B1⁺ → local-SAR surrogate, as run by <c>sarkit surrogate dataset</c>
/// (<see cref="SurrogateDatasetBuilder"/>; docs/surrogate.md): N random pelvis phantoms simulated per channel with the 2D
/// FDFD solver (8 line sources, 298 MHz), M random phase settings each; one .npz shard per subject and manifest.json
/// written last. Point SAR |Σ w_n e_n|² with e_n = √(σ/2ρ)·E_n and its 2D-adapted 10 g average, both divided by
/// ⟨|B1⁺|⟩². The output does not depend on the number of threads.
/// </summary>
public static class SurrogateDatasetGeneration
{
    /// <summary>Builds the dataset.</summary>
    /// <param name="request">Options and output folder.</param>
    /// <param name="settings">Caps the subjects simulated concurrently and gives the clock of the elapsed time (default <see cref="SarKitSettings.Default"/>).</param>
    /// <param name="sarkitVersion">Version written into the result.</param>
    /// <param name="progress">Fraction of subjects done, 0 … 1.</param>
    public static SurrogateDatasetResult Run(SurrogateDatasetRequest request, SarKitSettings? settings = null, string sarkitVersion = "", IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        settings ??= SarKitSettings.Default;
        var options = request.Options;
        options.Validate();
        string output = request.OutputDirectory;
        var full = Path.GetFullPath(output);
        var parent = Path.GetDirectoryName(full.TrimEnd(Path.DirectorySeparatorChar));
        if (parent is not null && !Directory.Exists(parent)) throw new SarKitInputException($"--output '{output}': the parent folder {parent} does not exist.") { SourceFile = output };
        if (File.Exists(full)) throw new SarKitInputException($"--output '{output}' is a file; expected a folder.") { SourceFile = output };
        long start = settings.Time.GetTimestamp();
        var builder = new SurrogateDatasetBuilder(options with { Threads = Math.Min(options.Threads, settings.MaxDegreeOfParallelism) });
        var manifest = builder.Build(full, (done, total) => progress?.Report(done / (double)total));
        var result = new SurrogateDatasetResult(full, Path.Combine(full, SurrogateDatasetBuilder.ManifestFile), manifest.Subjects.Count, manifest.ShimsPerSubject,
            manifest.Grid.Nx, manifest.Grid.CellSizeM, manifest.Splits, settings.Time.GetElapsedTime(start).TotalSeconds, sarkitVersion);
        ResultJson.RequireFinite(result); // tables too: no non-finite result is shown as a number
        return result;
    }
}
