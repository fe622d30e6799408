namespace SarKit.Fuzz.Seeds;

/// <summary>One valid seed file of a fuzz group, with the numeric values of its payload that structure-aware mutations target.</summary>
/// <param name="Group">Group (format and role), e.g. "seq", "dataset-h5".</param>
/// <param name="Path">The valid seed file.</param>
/// <param name="FileName">Name under which mutated copies are written (some commands find files by name, e.g. a checkpoint).</param>
public sealed record Seed(string Group, string Path, string FileName)
{
    /// <summary>float64 values stored uncompressed in the payload (matrix elements, samples, σ, ρ).</summary>
    public double[] Known64 { get; init; } = [];
    /// <summary>float32 values stored uncompressed in the payload (field samples).</summary>
    public float[] Known32 { get; init; } = [];
    /// <summary>Integer runs (dimensions, counts) that declare sizes, e.g. [ny, nx] or [channels, 3].</summary>
    public long[][] Dims { get; init; } = [];
    /// <summary>Text formats: mutate as text (numbers in place, lines, nesting).</summary>
    public bool IsText { get; init; }
    /// <summary>Pulseq file carrying a [SIGNATURE] (every change before it must be refused).</summary>
    public bool Signed { get; init; }
    /// <summary>Unmutated files that must lie beside the mutant under its name with their own extension (e.g. the JSON sidecar
    /// of a waveform stream .npy, or the .npy of a mutated sidecar).</summary>
    public string[] Companions { get; init; } = [];
}
